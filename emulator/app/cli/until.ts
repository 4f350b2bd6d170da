/**
 * `--until <time>`: a duration with a unit (10s, 250ms, 1.5s; emulator/machine/sim/time.ts parseDuration) or,
 * as docs/formats/scenario.md allows for `until:`, a bare number of nanoseconds — which the run's summary then
 * repeats with "(ns)" so that `--until 10` (10 ns, not 10 s) is visible. Virtual time is an integer count of
 * nanoseconds in a JavaScript number, exact only up to Number.MAX_SAFE_INTEGER (2^53 − 1 ns, about 104 days):
 * a later time is refused rather than silently rounded.
 */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../../machine/sim/time';

export interface UntilArg {
  ns: number;
  /** Given without a unit (nanoseconds). */
  bare: boolean;
}

export function untilArg(v: string): UntilArg {
  const t = parseDuration(v);
  if (t === null || t <= 0) throw new InvalidArgumentError('a duration such as 10s, 250ms, 1.5s (a bare number is nanoseconds)');
  if (!Number.isSafeInteger(t))
    throw new InvalidArgumentError(`${v} is past ${Number.MAX_SAFE_INTEGER} ns (about 104 days), the last time virtual time counts exactly in nanoseconds`);
  return { ns: t, bare: /^\s*\d+(\.\d+)?\s*$/.test(v) };
}

/** How the summary names a bare --until: "10 ns". */
export function untilText(ns: number): string {
  return `${ns} ns`;
}
