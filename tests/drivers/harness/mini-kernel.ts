/**
 * A minimal stand-in for the Neutrino kernel, enough to run driver generators in tests: threads are generator
 * runners on the simulation's event queue; `work`/`sleep` resume after the charged + requested time;
 * InterruptAttachEvent masks the line and wakes the attaching thread's InterruptWait; InterruptUnmask
 * re-delivers while the (level) line is still asserted. Port I/O follows the kernel's rule (bus time from
 * NodeBus charged, the access at the end of its cycle on the thread's timeline): a write is an event at its
 * point, a read resumes the thread there. No CPU contention is modelled.
 */
import { SimEvent } from '../../../emulator/machine/sim/event';
import { Priority } from '../../../emulator/machine/sim/priority';
import type { Simulation } from '../../../emulator/machine/sim/simulation';
import type { Wire } from '../../../emulator/machine/bus/wire';
import type { NodeBus } from '../../../emulator/machine/bus/node-bus';
import type { AccessSize } from '../../../emulator/machine/bus/types';
import type { Co, KernelOp, SigEvent, ThreadBody, ThreadCtx } from '../../../stack/kernel/api';
import { LocalStore } from '../../../stack/kernel/local';

type Op = KernelOp & { ns?: number };

export interface Job<T> {
  done: boolean;
  value?: T;
  error?: unknown;
}

interface Attach {
  irq: number;
  thread: MiniThread;
  masked: boolean;
  detached: boolean;
}

export class MiniThread {
  charged = 0;
  pendingIntr = 0;
  waitingIntr: (() => void) | null = null;
  readonly ctx: ThreadCtx;
  constructor(readonly k: MiniKernel, readonly name: string, readonly tid: number) {
    this.ctx = k.makeCtx(this);
  }
}

export class MiniKernel {
  readonly traces: { layer: string; probe: string; pkt: number; f?: Record<string, unknown> }[] = [];
  readonly console: string[] = [];
  private nextTid = 1;
  private readonly attaches: Attach[] = [];
  private ev = 0;

  constructor(readonly sim: Simulation, readonly bus: NodeBus, readonly irqWires: Map<number, Wire>, readonly node = 'alpha') {
    for (const [irq, w] of irqWires) w.onChange((level) => level && this.fire(irq));
  }

  thread(name: string): MiniThread {
    return new MiniThread(this, name, this.nextTid++);
  }

  /** Run `gen` on `t`, starting now. */
  run<T>(t: MiniThread, gen: Co<T>): Job<T> {
    const job: Job<T> = { done: false };
    this.step(t, gen, job, undefined);
    return job;
  }

  /** Run the queue until the job is done (or the time limit passes). */
  finish<T>(job: Job<T>, limitNs = 10_000_000_000): T {
    const q = this.sim.queue;
    const end = q.now + limitNs;
    while (!job.done && q.peekTime() !== null && q.peekTime()! <= end) q.step();
    if (job.error) throw job.error;
    if (!job.done) throw new Error('job did not finish');
    return job.value as T;
  }

  later(ns: number, fn: () => void): void {
    const e = new SimEvent(`mini.${this.ev++}`, fn, Priority.Cpu);
    this.sim.queue.scheduleIn(e, Math.max(0, Math.round(ns)));
  }

  private step<T>(t: MiniThread, gen: Co<T>, job: Job<T>, input: unknown): void {
    let r: IteratorResult<KernelOp, T>;
    try {
      r = gen.next(input);
    } catch (e) {
      job.done = true;
      job.error = e;
      return;
    }
    if (r.done) {
      job.done = true;
      job.value = r.value;
      return;
    }
    const op = r.value as Op;
    const charged = t.charged;
    t.charged = 0;
    switch (op.kernelOp) {
      case 'work':
      case 'sleep':
        this.later(charged + (op.ns ?? 0), () => this.step(t, gen, job, undefined));
        return;
      case 'intrwait':
        if (t.pendingIntr > 0) {
          t.pendingIntr--;
          this.later(charged, () => this.step(t, gen, job, undefined));
        } else {
          t.waitingIntr = () => this.later(charged, () => this.step(t, gen, job, undefined));
        }
        return;
      default:
        job.done = true;
        job.error = new Error(`mini kernel: unsupported op ${op.kernelOp}`);
    }
  }

  private fire(irq: number): void {
    for (const a of this.attaches) {
      if (a.irq !== irq || a.masked || a.detached) continue;
      a.masked = true;
      const t = a.thread;
      const w = t.waitingIntr;
      if (w) {
        t.waitingIntr = null;
        w();
      } else {
        t.pendingIntr++;
      }
    }
  }

  makeCtx(t: MiniThread): ThreadCtx {
    const k = this;
    function* op(kernelOp: string, ns?: number): Co<void> {
      yield { kernelOp, ns } as Op;
    }
    const bus = k.bus;
    const portIn = (port: number, size: AccessSize): number => (size === 1 ? bus.in8(port) : size === 2 ? bus.in16(port) : bus.in32(port));
    const portOut = (port: number, size: AccessSize, v: number): void =>
      size === 1 ? bus.out8(port, v) : size === 2 ? bus.out16(port, v) : bus.out32(port, v);
    /** Charge `ns`, then resume at that point of the timeline and read. */
    function* read<T>(ns: number, fn: () => T): Co<T> {
      t.charged += ns;
      yield { kernelOp: 'work', ns: 0 } as Op;
      return fn();
    }
    /** Charge `ns`; the write happens at that point of the timeline. */
    const write = (ns: number, fn: () => void): void => {
      t.charged += ns;
      k.later(t.charged, fn);
    };
    const ins = (port: number, size: AccessSize, dst: Uint8Array): Co<void> =>
      read(bus.ioCycleNs(port, size, false) * (dst.length / size), () => {
        for (let i = 0; i + size <= dst.length; i += size) {
          const v = portIn(port, size);
          for (let b = 0; b < size; b++) dst[i + b] = (v >>> (8 * b)) & 0xff;
        }
      });
    const outs = (port: number, size: AccessSize, src: Uint8Array): void => {
      for (let i = 0; i + size <= src.length; i += size) {
        let v = 0;
        for (let b = 0; b < size; b++) v += src[i + b]! * 2 ** (8 * b);
        write(bus.ioCycleNs(port, size, true), () => portOut(port, size, v));
      }
    };
    const ctx = {
      in8: (p: number) => read(bus.ioCycleNs(p, 1, false), () => bus.in8(p)),
      in16: (p: number) => read(bus.ioCycleNs(p, 2, false), () => bus.in16(p)),
      in32: (p: number) => read(bus.ioCycleNs(p, 4, false), () => bus.in32(p)),
      out8: (p: number, v: number) => write(bus.ioCycleNs(p, 1, true), () => bus.out8(p, v)),
      out16: (p: number, v: number) => write(bus.ioCycleNs(p, 2, true), () => bus.out16(p, v)),
      out32: (p: number, v: number) => write(bus.ioCycleNs(p, 4, true), () => bus.out32(p, v)),
      in8s: (p: number, d: Uint8Array) => ins(p, 1, d),
      in16s: (p: number, d: Uint8Array) => ins(p, 2, d),
      in32s: (p: number, d: Uint8Array) => ins(p, 4, d),
      out8s: (p: number, s: Uint8Array) => outs(p, 1, s),
      out16s: (p: number, s: Uint8Array) => outs(p, 2, s),
      out32s: (p: number, s: Uint8Array) => outs(p, 4, s),
      mmioRead: (a: number, sz: AccessSize) => read(bus.mmioCycleNs(a, sz, false), () => bus.mmioRead(a, sz)),
      mmioWrite: (a: number, sz: AccessSize, v: number) => write(bus.mmioCycleNs(a, sz, true), () => bus.mmioWrite(a, sz, v)),
      pid: 1,
      tid: t.tid,
      procName: 'io-pkt-v4',
      node: k.node,
      bus: k.bus,
      env: {},
      local: new LocalStore(),
      now: () => k.sim.queue.now,
      print: (text: string) => k.console.push(text),
      work: (ns: number) => op('work', ns),
      sleep: (ns: number) => op('sleep', ns),
      yieldCpu: () => op('work', 0),
      charge: (ns: number) => {
        t.charged += ns;
      },
      getPriority: () => 21,
      setPriority: () => undefined,
      ThreadCreate(name: string, _prio: number, body: ThreadBody): number {
        const nt = k.thread(name);
        k.run(nt, body(nt.ctx));
        return nt.tid;
      },
      InterruptAttachEvent(irq: number, _ev: SigEvent): number {
        k.attaches.push({ irq, thread: t, masked: false, detached: false });
        const id = k.attaches.length - 1;
        if (k.irqWires.get(irq)?.level) k.fire(irq);
        return id;
      },
      InterruptUnmask(irq: number, id: number): void {
        const a = k.attaches[id];
        if (!a) return;
        a.masked = false;
        if (k.irqWires.get(irq)?.level) k.fire(irq);
      },
      InterruptMask(_irq: number, id: number): void {
        const a = k.attaches[id];
        if (a) a.masked = true;
      },
      InterruptDetach(id: number): void {
        const a = k.attaches[id];
        if (a) a.detached = true;
      },
      InterruptWait: () => op('intrwait'),
      trace(layer: string, probe: string, pkt: number, f?: Record<string, string | number | boolean>): void {
        k.traces.push(f ? { layer, probe, pkt, f } : { layer, probe, pkt });
        k.sim.tracer.emit(k.node, layer, probe, pkt, f);
      },
      identify: (bytes: Uint8Array) => k.sim.tracer.provenance.lookup(bytes),
      tagPacket: (bytes: Uint8Array, pkt: number) => k.sim.tracer.provenance.tag(bytes, pkt),
    };
    return ctx as unknown as ThreadCtx;
  }
}
