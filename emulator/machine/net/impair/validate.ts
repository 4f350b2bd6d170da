/**
 * What makes an ImpairConfig meaningless, as tc-netem(8) and iproute2's q_netem.c refuse it: probabilities
 * outside [0, 1], negative times, a rate of zero, a limit below one, reordering without a delay ("reordering not
 * possible without specifying some delay"), a reorder gap below one (tc makes an absent gap 1). Times must be
 * whole ns: the simulation's clock is an integer.
 */
import type { ImpairConfig } from './config';

/** The first problem with `cfg` as "field: problem", or null when it is usable. */
export function impairProblem(cfg: ImpairConfig): string | null {
  const prob = (name: string, p: number): string | null => (p >= 0 && p <= 1 ? null : `${name}: ${p} is not a probability in [0, 1]`);
  const ns = (name: string, t: number): string | null =>
    Number.isInteger(t) && t >= 0 ? null : `${name}: ${t} is not a whole, non-negative number of ns`;
  const checks: (string | null)[] = [
    ns('delay', cfg.delayNs),
    ns('jitter', cfg.jitterNs),
    prob('correlation', cfg.correlation),
    cfg.rateBps === null || (Number.isFinite(cfg.rateBps) && cfg.rateBps > 0) ? null : `rate: ${cfg.rateBps} bit/s must be above 0`,
    Number.isInteger(cfg.overheadBytes) ? null : `overhead: ${cfg.overheadBytes} is not a whole number of bytes`,
    Number.isInteger(cfg.limit) && cfg.limit >= 1 ? null : `limit: ${cfg.limit} must be a whole number of frames, at least 1`,
    prob('duplicate', cfg.duplicate),
    prob('corrupt', cfg.corrupt),
  ];
  const loss = cfg.loss;
  if (loss?.model === 'random') checks.push(prob('loss', loss.probability));
  if (loss?.model === 'gilbert-elliott') {
    checks.push(prob('loss p', loss.p), prob('loss r', loss.r), prob('loss 1-h', loss.lossBad), prob('loss 1-k', loss.lossGood));
  }
  const ro = cfg.reorder;
  if (ro) {
    checks.push(prob('reorder', ro.probability));
    checks.push(Number.isInteger(ro.gap) && ro.gap >= 1 ? null : `reorder gap: ${ro.gap} must be a whole number, at least 1`);
    if (ro.probability > 0 && cfg.delayNs === 0) checks.push('reorder: reordering needs a delay (frames not reordered are delayed)');
  }
  return checks.find((c) => c !== null) ?? null;
}
