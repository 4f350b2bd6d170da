import { SimEvent } from './event';
import type { Time } from './time';

export type EventHook = (ev: SimEvent) => void;

/**
 * The simulation kernel: integer virtual time and a binary heap of owned events ordered by
 * (time, priority, insertion sequence). Ties are FIFO, so the order of events is fully determined by the
 * order components schedule them in.
 */
export class EventQueue {
  private heap: SimEvent[] = [];
  private nextSeq = 1;
  private _now: Time = 0;
  private _executed = 0;
  /** Called before each event runs (tracing, the debugger). */
  beforeEvent: EventHook | null = null;

  get now(): Time {
    return this._now;
  }
  /** Events executed so far. */
  get executed(): number {
    return this._executed;
  }
  get pending(): number {
    return this.heap.length;
  }

  /** Schedule `ev` at absolute time `when` (>= now). Throws if it is already scheduled. */
  schedule(ev: SimEvent, when: Time): void {
    if (ev.scheduled) throw new Error(`event ${ev.name} already scheduled at ${ev.when}`);
    if (!Number.isInteger(when)) throw new RangeError(`event ${ev.name}: time ${when} is not an integer`);
    if (when < this._now) throw new RangeError(`event ${ev.name}: time ${when} is before now ${this._now}`);
    ev.when = when;
    ev.seq = this.nextSeq++;
    ev.heapIndex = this.heap.length;
    this.heap.push(ev);
    this.up(ev.heapIndex);
  }

  /** Schedule `ev` after a delay from now. */
  scheduleIn(ev: SimEvent, delay: Time): void {
    this.schedule(ev, this._now + delay);
  }

  deschedule(ev: SimEvent): void {
    if (!ev.scheduled) return;
    const i = ev.heapIndex;
    const last = this.heap.pop()!;
    if (last !== ev) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
    ev.heapIndex = -1;
    ev.when = -1;
  }

  /** Move `ev` to a new time (it gets a fresh insertion sequence: it now goes after equals scheduled earlier). */
  reschedule(ev: SimEvent, when: Time): void {
    this.deschedule(ev);
    this.schedule(ev, when);
  }

  /** Time of the next event, or null if none. */
  peekTime(): Time | null {
    return this.heap.length > 0 ? this.heap[0]!.when : null;
  }
  peek(): SimEvent | null {
    return this.heap[0] ?? null;
  }

  /** Run exactly one event. Returns false if the queue was empty. */
  step(): boolean {
    const ev = this.heap[0];
    if (!ev) return false;
    this.runOne(ev);
    return true;
  }

  /** Run every event with time <= `until`, then set now = until. Returns the number of events run. */
  runUntil(until: Time, stop?: () => boolean): number {
    let n = 0;
    for (;;) {
      const ev = this.heap[0];
      if (!ev || ev.when > until) break;
      this.runOne(ev);
      n++;
      if (stop && stop()) return n;
    }
    if (until > this._now) this._now = until;
    return n;
  }

  /** Run until no events remain (or `limit` events ran). Returns the number run. */
  runUntilIdle(limit = Number.MAX_SAFE_INTEGER, stop?: () => boolean): number {
    let n = 0;
    while (n < limit) {
      const ev = this.heap[0];
      if (!ev) break;
      this.runOne(ev);
      n++;
      if (stop && stop()) break;
    }
    return n;
  }

  private runOne(ev: SimEvent): void {
    const when = ev.when;
    this.deschedule(ev);
    this._now = when;
    this._executed++;
    if (this.beforeEvent) this.beforeEvent(ev);
    ev.callback();
  }

  /** Pending events in firing order (for snapshots, the debugger). */
  list(): SimEvent[] {
    return [...this.heap].sort(compare);
  }

  /** Restore: set the clock (only legal with an empty queue, before re-scheduling saved events). */
  setNow(t: Time): void {
    if (this.heap.length > 0) throw new Error('setNow with pending events');
    this._now = t;
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
    this.heap.sort(compare);
    this.heap.forEach((ev, i) => (ev.heapIndex = i));
  }

  private up(i: number): void {
    const h = this.heap;
    const ev = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p]!;
      if (compare(ev, pe) >= 0) break;
      h[i] = pe;
      pe.heapIndex = i;
      i = p;
    }
    h[i] = ev;
    ev.heapIndex = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const ev = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && compare(h[r]!, h[l]!) < 0) c = r;
      const ce = h[c]!;
      if (compare(ce, ev) >= 0) break;
      h[i] = ce;
      ce.heapIndex = i;
      i = c;
    }
    h[i] = ev;
    ev.heapIndex = i;
  }
}

function compare(a: SimEvent, b: SimEvent): number {
  return a.when - b.when || a.priority - b.priority || a.seq - b.seq;
}
