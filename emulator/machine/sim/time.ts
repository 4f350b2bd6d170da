/**
 * Virtual time: an integer count of nanoseconds held in a JS number (exact up to 2^53 ns ≈ 104 days).
 * Nothing in the simulated world reads the wall clock; time only moves when the event queue advances it.
 */
export type Time = number;

export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const SEC = 1_000_000_000;

export const ns = (n: number): Time => Math.round(n);
export const us = (n: number): Time => Math.round(n * US);
export const ms = (n: number): Time => Math.round(n * MS);
export const sec = (n: number): Time => Math.round(n * SEC);

/**
 * A clock domain converts cycles to time exactly: cycle k starts at floor(k * 1e9 / hz) ns, so long runs of
 * cycles never drift (PCI 33 MHz is 30.303… ns per cycle; summing a rounded period would drift).
 */
export class ClockDomain {
  constructor(readonly name: string, readonly hz: number) {
    if (!(hz > 0)) throw new RangeError(`clock ${name}: bad frequency ${hz}`);
  }
  /** Time at which `cycles` cycles have elapsed from t = 0 of this domain. */
  cyclesToTime(cycles: number): Time {
    return Math.floor((cycles * SEC) / this.hz);
  }
  /** Duration of `cycles` cycles starting at absolute cycle `from` (exact, no accumulated rounding). */
  span(from: number, cycles: number): Time {
    return this.cyclesToTime(from + cycles) - this.cyclesToTime(from);
  }
  /** Whole cycles elapsed by time t. */
  timeToCycles(t: Time): number {
    return Math.floor((t * this.hz) / SEC);
  }
}

const UNITS: Record<string, number> = { ns: NS, us: US, µs: US, ms: MS, s: SEC, m: 60 * SEC };

/** Parses "10s", "250ms", "1.5s", "300us", "42" (nanoseconds). Returns null if malformed. */
export function parseDuration(text: string): Time | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m)?\s*$/.exec(text);
  if (!m) return null;
  const unit = UNITS[m[2] ?? 'ns'];
  if (unit === undefined) return null;
  return Math.round(Number(m[1]) * unit);
}

/** "1.234567s" style rendering used in consoles and traces. */
export function formatTime(t: Time): string {
  const s = Math.floor(t / SEC);
  const frac = String(t % SEC).padStart(9, '0');
  return `${s}.${frac}`;
}
