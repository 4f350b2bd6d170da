/**
 * How many events a guest ran up to the run's end (the summary's event count: guest-gate.ts `eventsUpTo`). A guest
 * runs past the end, how far depending on timing, so the events after the last time the end could not come before
 * (`settled`: a horizon it had, within the run's limit) are kept by their times — a few quanta's worth — and those
 * at or before it only counted.
 */
import type { Time } from '../sim/time';

export class EventTally {
  private counted = 0;
  private times: Time[] = [];
  private pruneAt = 4096;
  private settledTo: Time = -1;

  /** A time the run's end cannot come before. */
  get settled(): Time {
    return this.settledTo;
  }

  /** The end cannot come before `t` (only ever moves forward). */
  settle(t: Time): void {
    if (t > this.settledTo) this.settledTo = t;
  }

  /** An event about to run at `t`. */
  count(t: Time): void {
    if (t <= this.settledTo) this.counted++;
    else this.times.push(t);
    if (this.times.length >= this.pruneAt) {
      this.prune();
      this.pruneAt = Math.max(4096, 2 * this.times.length);
    }
  }

  /** Events of time `end` or before (a guest's queue runs them in time order). */
  upTo(end: Time): number {
    this.prune();
    return this.counted + this.times.filter((t) => t <= end).length;
  }

  private prune(): void {
    const keep = this.times.filter((t) => t > this.settledTo);
    this.counted += this.times.length - keep.length;
    this.times = keep;
  }
}
