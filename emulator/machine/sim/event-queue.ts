import { SimEvent } from './event';
import { RadixEventHeap } from './event-radix-heap';
import type { Time } from './time';

export type EventHook = (ev: SimEvent) => void;

/**
 * Other partitions (guests in worker threads: emulator/machine/parallel/) can still send this queue events. The run
 * loops ask the gate before each event instead of looking at the heap alone.
 */
export interface QueueGate {
  /**
   * True when the queue's next event may run now and is at or before `until`; false when no event at or before
   * `until` is left and none can still arrive. May block, and schedules the messages that arrived meanwhile.
   * With `mayYield` (runSlice) it may also give up a long wait and return false with `yielded` set: the slice
   * ends early so the caller's event loop can turn, and the run goes on with the next slice.
   */
  admit(until: Time, mayYield: boolean): boolean;
  readonly yielded: boolean;
}

/**
 * Insertion sequences of messages (scheduleMessage) start here, above any local sequence, so a message sorts after
 * every local event of the same time and priority, and messages among themselves by the key their sender gave.
 */
export const MESSAGE_SEQ_BASE = 2 ** 50;

/**
 * The simulation kernel: integer virtual time and a heap of owned events ordered by (time, priority,
 * insertion sequence). Ties are FIFO, so the order of events is fully determined by the order components
 * schedule them in. The priority queue itself (a radix heap with direct-mapped near buckets, keys in typed
 * arrays, no allocation per schedule) is in event-radix-heap.ts. `advanceTo` lets a running event move the clock
 * where an event of its own would have been the next to run (the QNX scheduler's CPU pieces); `runSlice` runs in
 * slices of a number of events without a stop predicate.
 */
export class EventQueue {
  private heap = new RadixEventHeap();
  private nextSeq = 1;
  private _now: Time = 0;
  private _executed = 0;
  private _horizon: Time = Infinity;
  /** `advanceTo` may move the clock: inside a runUntil without a stop predicate (see there). */
  private _advanceOk = false;
  /** Called before each event runs (tracing, the debugger). */
  beforeEvent: EventHook | null = null;
  /** Set when other partitions feed this queue (emulator/machine/parallel/): the run loops ask it. */
  gate: QueueGate | null = null;

  get now(): Time {
    return this._now;
  }
  /** Events executed so far. */
  get executed(): number {
    return this._executed;
  }
  get pending(): number {
    return this.heap.size;
  }
  /**
   * How far the current run goes: the innermost running runUntil's `until`; during step(), the stepped event's
   * time; Infinity in runUntilIdle and outside any run. (String I/O applies side-effect-free words early only
   * up to here: stack/kernel/string-io.ts.)
   */
  get horizon(): Time {
    return this._horizon;
  }

  /** Schedule `ev` at absolute time `when` (>= now). Throws if it is already scheduled. */
  schedule(ev: SimEvent, when: Time): void {
    if (ev.slot >= 0) throw new Error(`event ${ev.name} already scheduled at ${ev.when}`);
    if (!Number.isInteger(when)) throw new RangeError(`event ${ev.name}: time ${when} is not an integer`);
    if (when < this._now) throw new RangeError(`event ${ev.name}: time ${when} is before now ${this._now}`);
    const seq = this.nextSeq++;
    ev.when = when;
    ev.seq = seq;
    ev.slot = this.heap.insert(ev, when, ev.priority, seq);
  }

  /**
   * Schedule a message from another partition: `ev` (priority Message) at `when` with the sequence `key`
   * (>= MESSAGE_SEQ_BASE, given by the sender's order), so its place does not depend on when it arrived.
   */
  scheduleMessage(ev: SimEvent, when: Time, key: number): void {
    if (ev.slot >= 0) throw new Error(`event ${ev.name} already scheduled at ${ev.when}`);
    if (when < this._now) throw new RangeError(`message ${ev.name}: time ${when} is before now ${this._now}`);
    ev.when = when;
    ev.seq = key;
    ev.slot = this.heap.insert(ev, when, ev.priority, key);
  }

  /** Schedule `ev` after a delay from now. */
  scheduleIn(ev: SimEvent, delay: Time): void {
    this.schedule(ev, this._now + delay);
  }

  deschedule(ev: SimEvent): void {
    if (ev.slot < 0) return;
    this.heap.remove(ev.slot);
    ev.slot = -1;
    ev.when = -1;
  }

  /** Move `ev` to a new time (it gets a fresh insertion sequence: it now goes after equals scheduled earlier). */
  reschedule(ev: SimEvent, when: Time): void {
    this.deschedule(ev);
    this.schedule(ev, when);
  }

  /**
   * Move the clock to `t` from inside a running event, exactly as if an event at `t` had been scheduled and were the
   * next to run, when nothing could tell the two apart; returns false (and changes nothing) otherwise, and the caller
   * schedules its event. That holds when:
   * - no event is pending at or before `t` (the one at `t` would run next, whatever its priority: ties are
   *   impossible, so the sequence numbers it would have taken change no order);
   * - `t` is within the horizon (the innermost runUntil's limit: code outside the queue may act at that limit);
   * - no hook watches every event (`beforeEvent`: the debugger), and the run has no stop predicate (runUntil's `stop`
   *   is asked between two events, and could have stopped at the event at `t`); runUntilIdle and step() never allow
   *   it (runUntilIdle's limit counts events; step() runs one);
   * - `t` is an integer not before now (what schedule() would have accepted).
   * The move is not counted in `executed`. Used by the QNX kernel's scheduler to run a thread's next piece of CPU
   * time without an event (stack/kernel/scheduler.ts).
   */
  advanceTo(t: Time): boolean {
    if (!this._advanceOk || this.beforeEvent !== null || !(t <= this._horizon) || !(t >= this._now) || !Number.isInteger(t)) return false;
    if (this.heap.size > 0 && this.heap.topWhen() <= t) return false;
    // With worker partitions, whether a move would be allowed depends on how far the other threads have got:
    // always schedule, so the count of events does not depend on the threads' timing.
    if (this.gate !== null) return false;
    this._now = t;
    return true;
  }

  /** Time of the next event, or null if none. */
  peekTime(): Time | null {
    return this.heap.size > 0 ? this.heap.topWhen() : null;
  }
  peek(): SimEvent | null {
    return this.heap.top();
  }

  /**
   * Run exactly one event. Returns false if the queue was empty. With a gate, the gate first admits the next event
   * (up to the current top: it may put an earlier message from another partition in front of it, and may wait for one),
   * then the top runs; false when the gate says nothing is left (a debugger steps a threaded run's replay this way:
   * emulator/app/assembly/guest-recording.ts). With nothing queued it asks up to 2^53 − 2, just below the largest own
   * time a partition can publish, so a partition that will send nothing more lets it answer false instead of waiting.
   */
  step(): boolean {
    if (this.gate && !this.gate.admit(this.heap.size > 0 ? this.heap.topWhen() : Number.MAX_SAFE_INTEGER - 1, false)) return false;
    if (this.heap.size === 0) return false;
    const outer = this._horizon;
    const outerOk = this._advanceOk;
    this._horizon = this.heap.topWhen();
    this._advanceOk = false;
    try {
      this.runTop();
    } finally {
      this._horizon = outer;
      this._advanceOk = outerOk;
    }
    return true;
  }

  /** Run every event with time <= `until`, then set now = until. Returns the number of events run. */
  runUntil(until: Time, stop?: () => boolean): number {
    const heap = this.heap;
    const outer = this._horizon;
    const outerOk = this._advanceOk;
    this._horizon = until;
    this._advanceOk = stop === undefined;
    let n = 0;
    const gate = this.gate;
    try {
      while (gate ? gate.admit(until, false) : heap.size > 0 && heap.topWhen() <= until) {
        this.runTop();
        n++;
        if (stop && stop()) return n;
      }
      // The gate stopped the run between two events (its stop condition held inside a wait: main-gate.ts `pump`).
      if (gate?.yielded) return n;
    } finally {
      this._horizon = outer;
      this._advanceOk = outerOk;
    }
    if (until > this._now) this._now = until;
    return n;
  }

  /**
   * runUntil(until) in slices: returns after `maxEvents` events (the clock stays at the last one's time), or when
   * no event is left up to `until` (then now = until). Returns the number run. For callers that let their own
   * event loop turn between slices; counting events observes nothing, so unlike runUntil's `stop` predicate it
   * leaves `advanceTo` allowed.
   */
  runSlice(until: Time, maxEvents: number): number {
    const heap = this.heap;
    const outer = this._horizon;
    const outerOk = this._advanceOk;
    this._horizon = until;
    this._advanceOk = true;
    let n = 0;
    const gate = this.gate;
    try {
      while (gate ? gate.admit(until, true) : heap.size > 0 && heap.topWhen() <= until) {
        this.runTop();
        if (++n >= maxEvents) return n;
      }
      if (gate?.yielded) return maxEvents; // not the end: the caller yields and asks again
    } finally {
      this._horizon = outer;
      this._advanceOk = outerOk;
    }
    if (until > this._now) this._now = until;
    return n;
  }

  /** Run until no events remain (or `limit` events ran). Returns the number run. */
  runUntilIdle(limit = Number.MAX_SAFE_INTEGER, stop?: () => boolean): number {
    if (this.gate) throw new Error('runUntilIdle() is not available while worker partitions feed the queue');
    const heap = this.heap;
    const outer = this._horizon;
    const outerOk = this._advanceOk;
    this._horizon = Infinity;
    this._advanceOk = false;
    let n = 0;
    try {
      while (n < limit && heap.size > 0) {
        this.runTop();
        n++;
        if (stop && stop()) break;
      }
    } finally {
      this._horizon = outer;
      this._advanceOk = outerOk;
    }
    return n;
  }

  /** Takes the earliest event off the heap and runs it (it is no longer scheduled while its callback runs). */
  private runTop(): void {
    const ev = this.heap.takeTop();
    this._now = ev.when;
    ev.slot = -1;
    ev.when = -1;
    this._executed++;
    if (this.beforeEvent) this.beforeEvent(ev);
    ev.callback();
  }

  /** Pending events in firing order (for snapshots, the debugger). */
  list(): SimEvent[] {
    return this.heap.events().sort(compare);
  }

  /** Restore: set the clock (only legal with an empty queue, before re-scheduling saved events). */
  setNow(t: Time): void {
    if (this.heap.size > 0) throw new Error('setNow with pending events');
    this._now = t;
    this.heap.resetTime(t);
  }

  /**
   * Restore, after every device has rescheduled its saved events: give the pending events the tie order they
   * had in the saved run. `order` is that run's `list()` as [name, time] pairs. Devices reschedule in whatever
   * order they are loaded, but events at equal (time, priority) run in insertion order, so without this a
   * restored run could take another path. Throws, naming the differences, unless the pending events are
   * exactly those of `order` (a device that forgot an event, or scheduled one too many, is caught here).
   */
  restoreOrder(order: readonly (readonly [string, Time])[]): void {
    const slots = new Map<string, number[]>();
    order.forEach(([name, when], i) => {
      const k = `${name}@${when}`;
      const list = slots.get(k);
      if (list) list.push(i);
      else slots.set(k, [i]);
    });
    const extra: string[] = [];
    const base = this.nextSeq;
    for (const ev of this.list()) {
      const k = `${ev.name}@${ev.when}`;
      const i = slots.get(k)?.shift();
      if (i === undefined) extra.push(k);
      else ev.seq = base + i;
    }
    const missing = [...slots].flatMap(([k, left]) => left.map(() => k));
    if (extra.length > 0 || missing.length > 0) {
      throw new Error(`restored events differ from the snapshot's (missing: ${missing.join(' ') || '-'}; extra: ${extra.join(' ') || '-'})`);
    }
    this.nextSeq = base + order.length;
    this.heap.rebuild();
  }
}

function compare(a: SimEvent, b: SimEvent): number {
  return a.when - b.when || a.priority - b.priority || a.seq - b.seq;
}
