/**
 * Callouts (NetBSD callout(9)) on virtual time: one ordered list of deadlines that the stack context runs
 * when they are due. io-pkt keeps one kernel timer armed for the earliest deadline.
 */
import type { Time } from '../../emulator/machine/sim/time';

export interface Callout<F> {
  when: Time;
  readonly seq: number;
  readonly name: string;
  readonly fn: F;
  /** Re-arm period (0 = one-shot). */
  readonly period: Time;
  active: boolean;
}

export class Callouts<F> {
  private list: Callout<F>[] = [];
  private seq = 0;

  add(when: Time, name: string, fn: F, period: Time = 0): Callout<F> {
    const c: Callout<F> = { when, seq: this.seq++, name, fn, period, active: true };
    this.insert(c);
    return c;
  }

  cancel(c: Callout<F>): void {
    if (!c.active) return;
    c.active = false;
    const i = this.list.indexOf(c);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** Earliest deadline, or null. */
  next(): Time | null {
    return this.list[0]?.when ?? null;
  }

  /** Remove and return the first callout due at `now` (periodic ones are re-armed first). */
  popDue(now: Time): Callout<F> | null {
    const c = this.list[0];
    if (!c || c.when > now) return null;
    this.list.shift();
    if (c.period > 0) {
      c.when += c.period;
      this.insert(c);
    } else {
      c.active = false;
    }
    return c;
  }

  get size(): number {
    return this.list.length;
  }

  private insert(c: Callout<F>): void {
    let i = this.list.length;
    while (i > 0) {
      const p = this.list[i - 1]!;
      if (p.when < c.when || (p.when === c.when && p.seq < c.seq)) break;
      i--;
    }
    this.list.splice(i, 0, c);
  }
}
