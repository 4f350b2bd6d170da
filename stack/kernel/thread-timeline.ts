/**
 * The part of ThreadCtx every call builds on: the thread's timeline (now/clockNow, charge, deferred effects) and
 * its port and MMIO accesses. Port and MMIO accesses follow the timeline rule with the bus cycle's own time
 * (NodeBus.ioCycleNs/mmioCycleNs) charged before the access takes effect: the device sees it at the end of its
 * cycle, as it latches a write or drives read data at the trailing edge of the command. A read yields an op
 * executed at that point; a write is a deferred effect; string I/O is one op (INS) or one batch of deferred writes
 * (OUTS, string-io.ts) for all its cycles. ThreadApi (thread-api.ts) adds the kernel calls.
 */
import type { AccessSize } from '../../emulator/machine/bus/types';
import type { Co } from './api';
import type { Kernel } from './kernel';
import { OutsBatch } from './string-io';
import type { Op, OpResult, Thread } from './types';

export function op(kernelOp: string, exec: (t: Thread) => OpResult): Op {
  return { kernelOp, exec };
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
    if (this.k.sched.stepping === this.t) this.t.deferred.push({ at: this.t.charge, fn });
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

  /** A read of `size` at `port` (io) or `addr` (mmio): its cycle is charged, then the read runs. */
  private *busRead(space: 'io' | 'mmio', addr: number, size: AccessSize): Co<number> {
    const bus = this.k.bus;
    this.charge(space === 'io' ? bus.ioCycleNs(addr, size, false) : bus.mmioCycleNs(addr, size, false));
    const v = yield op(space === 'io' ? 'in' : 'mmioRead', () => ({
      value: space === 'mmio' ? bus.mmioRead(addr, size) : size === 1 ? bus.in8(addr) : size === 2 ? bus.in16(addr) : bus.in32(addr),
    }));
    return v as number;
  }

  /** A write: its cycle is charged, then the write takes effect at that point of the timeline. */
  private busWrite(space: 'io' | 'mmio', addr: number, size: AccessSize, value: number): void {
    const bus = this.k.bus;
    this.charge(space === 'io' ? bus.ioCycleNs(addr, size, true) : bus.mmioCycleNs(addr, size, true));
    this.defer(() => {
      if (space === 'mmio') bus.mmioWrite(addr, size, value);
      else if (size === 1) bus.out8(addr, value);
      else if (size === 2) bus.out16(addr, value);
      else bus.out32(addr, value);
    });
  }

  *in8(port: number): Co<number> {
    return yield* this.busRead('io', port, 1);
  }
  *in16(port: number): Co<number> {
    return yield* this.busRead('io', port, 2);
  }
  *in32(port: number): Co<number> {
    return yield* this.busRead('io', port, 4);
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
    return yield* this.busRead('mmio', addr, size);
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
