/**
 * Link impairments (issue 18): what an inline network emulator (Linux netem, a WAN emulator box) does to the
 * frames a medium delivers to a station's port. Pure data: the scenario loader (emulator/app/scenario) builds it,
 * the engine (impairments.ts beside this file) applies it. Times in ns, probabilities in [0, 1].
 *
 * Semantics follow netem (tc-netem(8), Linux net/sched/sch_netem.c) where netem defines them:
 *  - delay + jitter: each frame is held `delayNs` plus a jitter drawn from `distribution` with spread `jitterNs`
 *    (uniform: ±jitterNs; normal: σ = jitterNs; pareto, paretonormal: the iproute2 tables' shapes), optionally
 *    correlated with the previous draw (`correlation`). Frames leave in order of their send time (jitter can
 *    reorder, as with netem's tfifo), never before they arrived.
 *  - rate: frames then serialise one after another at `rateBps` (plus `overheadBytes` per frame); at most
 *    `limit` frames wait in the emulator; a frame arriving to a full queue is dropped.
 *  - loss: Bernoulli (`random`) or the Gilbert-Elliott model (netem `loss gemodel p r 1-h 1-k`).
 *  - duplicate: a frame is delivered twice with this probability.
 *  - reorder: with this probability a frame is sent at once (no delay), every `gap`-th frame at most; needs delay.
 *  - corrupt: with this probability one random bit of the frame is flipped before delivery; the FCS is good (netem
 *    corrupts before the sender's MAC computes it), so the stack's checksums are what catch it.
 */
export type JitterDistribution = 'uniform' | 'normal' | 'pareto' | 'paretonormal';

export type LossModel =
  | { readonly model: 'random'; readonly probability: number }
  /**
   * Two states, Good and Bad. Per frame: in Good move to Bad with `p`, in Bad move to Good with `r`; a frame is
   * lost with probability `lossBad` in Bad (netem's 1-h, default 1) and `lossGood` in Good (netem's 1-k, default 0).
   */
  | { readonly model: 'gilbert-elliott'; readonly p: number; readonly r: number; readonly lossBad: number; readonly lossGood: number };

export interface ImpairConfig {
  readonly delayNs: number;
  readonly jitterNs: number;
  readonly distribution: JitterDistribution;
  /** 0..1: how much of the previous jitter draw carries into the next (netem's correlation). */
  readonly correlation: number;
  /** Bits per second; null: no rate limit. */
  readonly rateBps: number | null;
  /** Bytes added to each frame's length for the rate (netem's packet overhead); default 0. */
  readonly overheadBytes: number;
  /** Frames the emulator holds at most (netem's limit, default 1000). */
  readonly limit: number;
  readonly loss: LossModel | null;
  readonly duplicate: number;
  readonly reorder: { readonly probability: number; readonly gap: number } | null;
  readonly corrupt: number;
}

/** netem's default queue limit (tc-netem(8): "limit packets ... default 1000"). */
export const IMPAIR_DEFAULT_LIMIT = 1000;

/** An impairment that does nothing (every field at its default). */
export const NO_IMPAIRMENT: ImpairConfig = {
  delayNs: 0,
  jitterNs: 0,
  distribution: 'uniform',
  correlation: 0,
  rateBps: null,
  overheadBytes: 0,
  limit: IMPAIR_DEFAULT_LIMIT,
  loss: null,
  duplicate: 0,
  reorder: null,
  corrupt: 0,
};
