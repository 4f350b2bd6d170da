/**
 * The part of ThreadCtx every call builds on: the thread's timeline (now/clockNow, charge, deferred effects) and
 * its port and MMIO accesses. Port and MMIO accesses follow the timeline rule with the bus cycle's own time
 * (NodeBus.ioCycleNs/mmioCycleNs) charged before the access takes effect: the device sees it at the end of its
 * cycle, as it latches a write or drives read data at the trailing edge of the command. A read yields an op
 * executed at that point; a write is a deferred effect; string I/O is one op (INS) or one batch of deferred writes
 * (OUTS, string-io.ts) for all its cycles. ThreadApi (thread-api.ts) adds the kernel calls.
 */
import type { AccessSize } from '../../emulator/machine/bus/types';
import type { NodeBus } from '../../emulator/machine/bus/node-bus';
import type { Co } from './api';
import type { Kernel } from './kernel';
import { OutsBatch } from './string-io';
import type { DeferredAction, Op, OpResult, Thread } from './types';

export function op(kernelOp: string, exec: (t: Thread) => OpResult): Op {
  return { kernelOp, exec };
}

/**
 * The op of a port or MMIO read: the read itself, done when the op is executed (at the end of the bus cycle).
 * A thread has at most one op outstanding, so each thread reuses one of these (and its result) for the reads it
 * yields from its own steps (Thread.readOp) instead of an op, a closure and a result per read.
 */
export class BusReadOp implements Op {
  kernelOp: 'in' | 'mmioRead' = 'in';
  space: 'io' | 'mmio' = 'io';
  addr = 0;
  size: AccessSize = 1;
  private readonly result = { value: 0 };
  constructor(private readonly bus: NodeBus) {}

  exec(): OpResult {
    const { bus, addr, size } = this;
    this.result.value = this.space === 'mmio' ? bus.mmioRead(addr, size) : size === 1 ? bus.in8(addr) : size === 2 ? bus.in16(addr) : bus.in32(addr);
    return this.result;
  }
}

/** A port or MMIO write placed on a thread's timeline (one object instead of an entry and a closure per write). */
class BusWrite implements DeferredAction {
  rem = 0;
  constructor(
    readonly at: number,
    private readonly bus: NodeBus,
    private readonly space: 'io' | 'mmio',
    private readonly addr: number,
    private readonly size: AccessSize,
    private readonly value: number,
  ) {}

  fn(): void {
    const { bus, addr, size, value } = this;
    if (this.space === 'mmio') bus.mmioWrite(addr, size, value);
    else if (size === 1) bus.out8(addr, value);
    else if (size === 2) bus.out16(addr, value);
    else bus.out32(addr, value);
  }
}

export class ThreadTimeline {
  constructor(protected readonly k: Kernel, protected readonly t: Thread) {}

  now(): number {
    return this.k.ctx.queue.now;
  }
  clockNow(): number {
    return this.now() + (this.k.sched.stepping === this.t ? this.t.charge : 0);
  }

  /** Place an effect on this thread's timeline (or do it now when called outside its own code). */
  protected defer(fn: () => void): void {
    if (this.k.sched.stepping === this.t) this.t.deferred.push({ at: this.t.charge, rem: 0, fn });
    else fn();
  }

  /**
   * A deferred effect whose target went meanwhile (detached, destroyed) is traced, not thrown. Callers write the
   * try/catch inline (InterruptMask/Unmask and TimerSettime run per packet: one closure per call, not two).
   */
  protected callFailed(what: string, e: unknown): void {
    this.k.trace('call-failed', { pid: this.t.proc.pid, call: what, error: e instanceof Error ? e.message : String(e) });
  }

  protected get c() {
    return this.k.costs;
  }

  charge(ns: number): void {
    if (!(ns > 0)) return;
    if (this.k.intr.isrCharge !== null) this.k.intr.isrCharge += ns;
    else this.t.charge += ns;
  }

  // ---- bus accesses on the thread's timeline -----------------------------------------------------------

  /**
   * A read of `size` at `port` (io) or `addr` (mmio): its cycle is charged now, and the op yielded for it does the
   * read. The callers yield it themselves (`(yield this.readOp(...)) as number`): no generator of its own per read.
   */
  private readOp(space: 'io' | 'mmio', addr: number, size: AccessSize): Op {
    const bus = this.k.bus;
    this.charge(space === 'io' ? bus.ioCycleNs(addr, size, false) : bus.mmioCycleNs(addr, size, false));
    // The stepping thread's own op when this is its own context; a fresh one otherwise (a context used from
    // another thread's code), so that one thread's outstanding read never shares an op with another's.
    const t = this.t;
    const op = this.k.sched.stepping === t ? (t.readOp ??= new BusReadOp(bus)) : new BusReadOp(bus);
    op.kernelOp = space === 'io' ? 'in' : 'mmioRead';
    op.space = space;
    op.addr = addr;
    op.size = size;
    return op;
  }

  /** A write: its cycle is charged, then the write takes effect at that point of the timeline. */
  private busWrite(space: 'io' | 'mmio', addr: number, size: AccessSize, value: number): void {
    const bus = this.k.bus;
    this.charge(space === 'io' ? bus.ioCycleNs(addr, size, true) : bus.mmioCycleNs(addr, size, true));
    const w = new BusWrite(this.t.charge, bus, space, addr, size, value);
    if (this.k.sched.stepping === this.t) this.t.deferred.push(w);
    else w.fn();
  }

  *in8(port: number): Co<number> {
    return (yield this.readOp('io', port, 1)) as number;
  }
  *in16(port: number): Co<number> {
    return (yield this.readOp('io', port, 2)) as number;
  }
  *in32(port: number): Co<number> {
    return (yield this.readOp('io', port, 4)) as number;
  }
  out8(port: number, value: number): void {
    this.busWrite('io', port, 1, value);
  }
  out16(port: number, value: number): void {
    this.busWrite('io', port, 2, value);
  }
  out32(port: number, value: number): void {
    this.busWrite('io', port, 4, value);
  }
  *mmioRead(addr: number, size: AccessSize): Co<number> {
    return (yield this.readOp('mmio', addr, size)) as number;
  }
  mmioWrite(addr: number, size: AccessSize, value: number): void {
    this.busWrite('mmio', addr, size, value);
  }

  /**
   * REP INS: every cycle charged, then all transfers at once, at the end of the last cycle. The device serves
   * what it can as one burst (NodeBus.insQuiet); the rest go one by one, in order, at the same instant.
   */
  private *ins(port: number, size: AccessSize, dst: Uint8Array): Co<void> {
    const n = transfers(dst, size, 'ins');
    const bus = this.k.bus;
    this.charge(n * bus.ioCycleNs(port, size, false));
    yield op('ins', () => {
      for (let i = 0; i < n; ) {
        const k = bus.insQuiet ? bus.insQuiet(port, size, dst, i * size, n - i) : 0;
        if (k > 0) {
          i += k;
          continue;
        }
        const v = size === 1 ? bus.in8(port) : size === 2 ? bus.in16(port) : bus.in32(port);
        for (let b = 0; b < size; b++) dst[i * size + b] = (v >>> (8 * b)) & 0xff;
        i++;
      }
      return { value: undefined };
    });
  }

  /**
   * REP OUTS: each transfer takes effect at the end of its own cycle. The cycles are charged one by one (the
   * same sums as n OUTs); the transfers are one deferred action (string-io.ts) that the scheduler runs as a batch.
   * The data is copied now, as the CPU would have read it.
   */
  private outs(port: number, size: AccessSize, src: Uint8Array): void {
    const n = transfers(src, size, 'outs');
    if (n === 0) return;
    const cyc = this.k.bus.ioCycleNs(port, size, true);
    const onTimeline = this.k.sched.stepping === this.t;
    const step = cyc > 0 && this.k.intr.isrCharge === null ? cyc : 0;
    this.charge(cyc);
    const batch = new OutsBatch(this.k.bus, port, size, src.slice(), n, this.t.charge, step);
    // n - 1 more cycles: one sum when the cycle is a whole number of ns (exact), else added one by one as n OUTs would.
    if (Number.isSafeInteger(cyc) && cyc > 0 && n < 0x10000) this.charge((n - 1) * cyc);
    else for (let i = 1; i < n; i++) this.charge(cyc);
    if (onTimeline) this.t.deferred.push(batch);
    else batch.fn();
  }

  *in8s(port: number, dst: Uint8Array): Co<void> {
    yield* this.ins(port, 1, dst);
  }
  *in16s(port: number, dst: Uint8Array): Co<void> {
    yield* this.ins(port, 2, dst);
  }
  *in32s(port: number, dst: Uint8Array): Co<void> {
    yield* this.ins(port, 4, dst);
  }
  out8s(port: number, src: Uint8Array): void {
    this.outs(port, 1, src);
  }
  out16s(port: number, src: Uint8Array): void {
    this.outs(port, 2, src);
  }
  out32s(port: number, src: Uint8Array): void {
    this.outs(port, 4, src);
  }
}

/** Number of `size`-byte transfers in `buf`; a partial transfer is a programming error. */
function transfers(buf: Uint8Array, size: AccessSize, what: string): number {
  if (buf.length % size !== 0) throw new RangeError(`${what}: ${buf.length} bytes is not a whole number of ${size}-byte transfers`);
  return buf.length / size;
}
