/**
 * Network tally counters CNTR0 (frame alignment errors), CNTR1 (CRC errors), CNTR2 (missed packets).
 * DP8390 datasheet, "Tally Counters": 8-bit, cleared when read, they stop at 192 (0xC0); when a counter's
 * most significant bit becomes set the chip sets ISR.CNT.
 */
export const COUNTER_MAX = 0xc0;

export interface CounterState {
  c: [number, number, number];
}

export class TallyCounters {
  private c: [number, number, number] = [0, 0, 0];

  /** `onMsb` runs when the increment leaves bit 7 set (the caller sets ISR.CNT). */
  constructor(private readonly onMsb: () => void) {}

  /** Count one event in counter 0, 1 or 2. */
  bump(i: 0 | 1 | 2): void {
    const v = this.c[i];
    if (v < COUNTER_MAX) this.c[i] = v + 1;
    if (this.c[i] & 0x80) this.onMsb();
  }

  /** A CPU read: returns the value and clears the counter. */
  readAndClear(i: 0 | 1 | 2): number {
    const v = this.c[i];
    this.c[i] = 0;
    return v;
  }

  peek(i: 0 | 1 | 2): number {
    return this.c[i];
  }

  saveState(): CounterState {
    return { c: [this.c[0], this.c[1], this.c[2]] };
  }

  loadState(s: CounterState): void {
    this.c = [s.c[0] & 0xff, s.c[1] & 0xff, s.c[2] & 0xff];
  }
}
