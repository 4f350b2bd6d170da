/**
 * SINR over a frame and its packet error rate, ns-3 InterferenceHelper style: the frame's time is cut at every
 * instant another signal at the receiver starts or ends; in each segment the SINR is the frame's power over the
 * noise floor plus the power of every other signal present; each PPDU section (PLCP header at its rate, payload at
 * the frame's rate) contributes chunks of floor(bits per µs × duration) bits at the segment's SINR, and the success
 * probability is the product of the chunks' (1 − BER)^bits. The preamble and the ERP signal extension carry no
 * bits and count for nothing (as in ns-3).
 */
import type { WifiRate } from './radio';
import { chunkSuccessRate } from './error-model';
import { rateInfo } from './phy';

/** A signal present at a receiver for [start, end) with this in-band power (mW). */
export interface SignalSpan {
  readonly start: number;
  readonly end: number;
  readonly powerMw: number;
}

/** One stretch of the frame with constant interference. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  /** Interference power summed over the other signals present (mW). */
  readonly interferenceMw: number;
  /** Linear SINR. */
  readonly sinr: number;
}

/**
 * Segments of [from, to) for a signal of `signalMw` against `noiseMw` and `others` (signals other than the frame).
 * A signal counts in a segment when it overlaps it at all: starts and ends are the cut points.
 */
export function segments(signalMw: number, noiseMw: number, from: number, to: number, others: readonly SignalSpan[]): Segment[] {
  const cuts = new Set<number>([from, to]);
  for (const o of others) {
    if (o.end <= from || o.start >= to) continue;
    if (o.start > from) cuts.add(o.start);
    if (o.end < to) cuts.add(o.end);
  }
  const times = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < times.length; i++) {
    const s = times[i]!;
    const e = times[i + 1]!;
    let i0 = 0;
    for (const o of others) if (o.start <= s && o.end >= e) i0 += o.powerMw;
    out.push({ start: s, end: e, interferenceMw: i0, sinr: signalMw / (noiseMw + i0) });
  }
  return out;
}

/**
 * Success probability of the part [from, to) of a frame sent at `rate`, given its segments: the product over the
 * overlapping segments of (1 − BER(rate, SINR))^bits, bits = floor(on-air bits per µs × overlap), as ns-3's
 * `CalculateChunkSuccessRate` counts them (coded bits for OFDM).
 */
export function sectionSuccess(segs: readonly Segment[], from: number, to: number, rate: WifiRate): number {
  const bitsPerNs = rateInfo(rate).phyBitsPerUs / 1000;
  let psr = 1;
  for (const s of segs) {
    const a = Math.max(s.start, from);
    const b = Math.min(s.end, to);
    if (b <= a) continue;
    psr *= chunkSuccessRate(rate, s.sinr, Math.floor(bitsPerNs * (b - a)));
  }
  return psr;
}

/** The worst SINR of the segments overlapping [from, to) (linear), Infinity when none. */
export function worstSinr(segs: readonly Segment[], from: number, to: number): number {
  let w = Infinity;
  for (const s of segs) if (s.end > from && s.start < to) w = Math.min(w, s.sinr);
  return w;
}

/** Time-weighted mean interference over [from, to) (mW). */
export function meanInterferenceMw(segs: readonly Segment[], from: number, to: number): number {
  if (to <= from) return 0;
  let e = 0;
  for (const s of segs) {
    const a = Math.max(s.start, from);
    const b = Math.min(s.end, to);
    if (b > a) e += s.interferenceMw * (b - a);
  }
  return e / (to - from);
}
