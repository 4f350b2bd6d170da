/**
 * REP OUTS (ThreadCtx.out8s/out16s/out32s) as ONE deferred action on the thread's timeline instead of one per
 * transfer, with every transfer still taking effect at the end of its own bus cycle as far as anything in the
 * simulation can tell.
 *
 * Transfer i of a string lands at the thread's charge offset `at_i` (the offset after its cycle was charged, as
 * n separate writes would have been placed). When the batch comes due the scheduler (scheduler.ts runLoop) calls
 * `fire`, which does, in order:
 * 1. every transfer that is due now (its time has come);
 * 2. transfers whose time is still ahead but strictly before the next pending event of the whole simulation
 *    (`queue.peekTime()`) and not past the run's horizon, PROVIDED the device calls them quiet
 *    (NodeBus.outsQuiet → RegisterHandler.writeQuiet): a quiet transfer changes only the device's own registers
 *    and memory — no trace record, no interrupt line, no event. Nothing can run between now and such a
 *    transfer's time (no event is due before it, and the thread keeps its CPU until an event takes it), so doing
 *    it now is indistinguishable from doing it then.
 * The first transfer that is not quiet (the DP8390 one that brings the remote byte count to zero and raises
 * ISR.RDC, a write to an idle DMA channel, any traced access) is left for its own time: the scheduler waits for
 * it with the CPU event as it would for any deferred effect. An interrupt or preemption can only come from an
 * event, and no transfer is done ahead of an event, so such a string is split exactly where n separate writes
 * would have been split.
 *
 * Early transfers are off (every transfer at its own CPU event, as before) when `stringIo.batch` is false (the
 * tests' reference path), while a debugger hooks the queue (`beforeEvent`: it may look at state between any two
 * events), and when the device or bus does not serve bursts or traces accesses (--verbose-trace).
 */
import type { AccessSize } from '../../emulator/machine/bus/types';
import type { NodeBus } from '../../emulator/machine/bus/node-bus';
import type { EventQueue } from '../../emulator/machine/sim/event-queue';
import type { DeferredAction } from './types';

/** Internal switch for tests (not a user option): false = every transfer at its own CPU event. */
export const stringIo = { batch: true };

/** Where the batch may do transfers ahead of their time: strictly before `before`, at most at `horizon`. */
export interface EarlyLimit {
  /** The current time: a transfer with segment time `rem` left lands at now + (remaining - rem). */
  now: number;
  /** The next pending event's time (transfers must be strictly before it; Infinity when the queue is empty). */
  before: number;
  /** The run's horizon (the innermost runUntil's limit); transfers after it are not done early. */
  horizon: number;
}

/**
 * How far ahead of its time a string's quiet transfer may be done: strictly before the next pending event and
 * within the run's horizon (EventQueue.horizon: the innermost runUntil's limit); null (each at its
 * own time) when batching is off or a debugger watches every event (`beforeEvent`).
 */
export function earlyLimit(q: EventQueue): EarlyLimit | null {
  if (!stringIo.batch || q.beforeEvent !== null) return null;
  const next = q.peekTime();
  return { now: q.now, before: next ?? Infinity, horizon: q.horizon };
}

/** One REP OUTS: a deferred action (`rem` set by the scheduler) covering all its transfers. */
export class OutsBatch implements DeferredAction {
  /** Remaining segment time at which the next transfer is due (scheduler: `charge - at`). */
  rem = 0;
  /** Next transfer to do. */
  private next = 0;
  /** Charge offset of the next transfer. */
  private cur: number;
  /** The thread's charge at the end of the step that placed this batch (rem = segCharge - at). */
  private segCharge = 0;

  /**
   * @param at charge offset of the first transfer (Thread.deferred's `at`)
   * @param step what each further transfer adds to the offset (its cycle; 0 when the cycles are not on this
   *        thread's timeline)
   */
  constructor(
    private readonly bus: NodeBus,
    readonly port: number,
    readonly size: AccessSize,
    private readonly src: Uint8Array,
    readonly count: number,
    readonly at: number,
    private readonly step: number,
  ) {
    this.cur = at;
  }

  /** The step ended with `charge` owed: the batch becomes a segment action. */
  seal(charge: number): this {
    this.segCharge = charge;
    this.rem = charge - this.cur;
    return this;
  }

  /** Transfers done so far. */
  get transferred(): number {
    return this.next;
  }

  get done(): boolean {
    return this.next >= this.count;
  }

  /** Do every remaining transfer now, in order (a crash flushes the thread's effects; code outside its own step). */
  fn = (): void => {
    while (this.next < this.count) this.burstOrOne(this.count - this.next);
  };

  /**
   * The batch is due (`rem >= remaining`): do the due transfers and the quiet ones allowed early (see the file
   * comment; `earlyLimit()` says how far, null: none early, and is asked again after every transfer that went
   * through the bus one by one, as that one may have scheduled events). `running()` is asked after each such
   * transfer too: false (an interrupt or a switch happened synchronously) stops at once; returns false then.
   */
  fire(remaining: number, earlyLimit: () => EarlyLimit | null, running: () => boolean): boolean {
    let limit = earlyLimit();
    while (this.next < this.count) {
      let m = 0;
      // Transfers due now, then (with a limit) those strictly before the next event and within the horizon.
      let at = this.cur;
      while (this.next + m < this.count) {
        const rem = this.segCharge - at;
        if (rem < remaining) {
          if (limit === null) break;
          const t = limit.now + (remaining - rem);
          if (!(t < limit.before) || t > limit.horizon) break;
        }
        m++;
        at += this.step;
      }
      if (m === 0) break;
      const k = this.quiet(m);
      if (k === m) continue;
      // The next transfer is not quiet: only a due one is done here (through the bus, at its own time).
      if (this.segCharge - this.cur < remaining) break;
      this.one();
      if (!running()) {
        this.rem = this.segCharge - this.cur;
        return false;
      }
      // That transfer may have scheduled events (an interrupt check, a device completion): look again.
      limit = earlyLimit();
    }
    this.rem = this.segCharge - this.cur;
    return true;
  }

  /** Up to `m` quiet transfers in one device call; returns how many were done. */
  private quiet(m: number): number {
    const k = this.bus.outsQuiet ? this.bus.outsQuiet(this.port, this.size, this.src, this.next * this.size, m) : 0;
    this.advance(k);
    return k;
  }

  /** Past `k` transfers: the offset moves as k separate charges would have moved it (one product when exact). */
  private advance(k: number): void {
    this.next += k;
    if (Number.isSafeInteger(this.step) && Number.isSafeInteger(this.cur)) this.cur += k * this.step;
    else for (let i = 0; i < k; i++) this.cur += this.step;
  }

  private burstOrOne(m: number): void {
    if (this.quiet(m) === 0) this.one();
  }

  /** One transfer through the bus, exactly as a single OUT would do it. */
  private one(): void {
    const i = this.next * this.size;
    const s = this.src;
    const bus = this.bus;
    if (this.size === 1) bus.out8(this.port, s[i]!);
    else if (this.size === 2) bus.out16(this.port, s[i]! | (s[i + 1]! << 8));
    else bus.out32(this.port, s[i]! + s[i + 1]! * 0x100 + s[i + 2]! * 0x10000 + s[i + 3]! * 0x1000000);
    this.advance(1);
  }
}
