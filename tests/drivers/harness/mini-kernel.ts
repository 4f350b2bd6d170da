/**
 * A minimal stand-in for the Neutrino kernel, enough to run driver generators in tests: threads are generator
 * runners on the simulation's event queue; `work`/`sleep` resume after the charged + requested time;
 * InterruptAttachEvent masks the line and wakes the attaching thread's InterruptWait; InterruptUnmask
 * re-delivers while the (level) line is still asserted. No CPU contention is modelled.
 */
import { SimEvent } from '../../../emulator/machine/sim/event';
import { Priority } from '../../../emulator/machine/sim/priority';
import type { Simulation } from '../../../emulator/machine/sim/simulation';
import type { Wire } from '../../../emulator/machine/bus/wire';
import type { NodeBus } from '../../../emulator/machine/bus/node-bus';
import type { Co, KernelOp, SigEvent, ThreadBody, ThreadCtx } from '../../../stack/kernel/api';

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

  private later(ns: number, fn: () => void): void {
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
    const ctx = {
      pid: 1,
      tid: t.tid,
      procName: 'io-pkt-v4',
      node: k.node,
      bus: k.bus,
      env: {},
      local: new Map<string, unknown>(),
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
