/**
 * Test benches for the impairment engine: real media with CSMA/CD stations, an `Impairments` on the medium, and
 * the statistics the tests compare with their expected figures.
 */
import { Cable } from '../../../emulator/machine/net/cable';
import { Hub } from '../../../emulator/machine/net/hub';
import { Switch } from '../../../emulator/machine/net/switch';
import type { Frame } from '../../../emulator/machine/net/link';
import { Impairments } from '../../../emulator/machine/net/impair/impairments';
import { NO_IMPAIRMENT, type ImpairConfig } from '../../../emulator/machine/net/impair/config';
import { BROADCAST, Station, ethFrame, mac, rig, type Rig } from '../helpers';

export { NO_IMPAIRMENT };

/** A configuration: netem's defaults with some fields set. */
export function impair(over: Partial<ImpairConfig>): ImpairConfig {
  return { ...NO_IMPAIRMENT, ...over };
}

/** `n` frames of `len` bytes from station 1, pktIds 1..n, the id also in bytes 14..17 (so copies are told apart). */
export function frames(n: number, len = 60, dst: number[] = BROADCAST): Frame[] {
  const out: Frame[] = [];
  for (let k = 1; k <= n; k++) {
    const f = ethFrame(dst, mac(1), len, k);
    new DataView(f.data.buffer).setUint32(14, k);
    out.push(f);
  }
  return out;
}

/**
 * A 10 Mb/s hub with stations a (sender), b (impaired) and c (the reference: same wire, no impairment), so a
 * frame's delay at b is its arrival at b minus its arrival at c.
 */
export function hubBench(seed = 1): { r: Rig; hub: Hub; a: Station; b: Station; c: Station; imp: Impairments } {
  const r = rig(seed);
  const hub = new Hub(r.ctx('hub0'));
  const [a, b, c] = ['a', 'b', 'c'].map((n) => new Station(r, n, hub)) as [Station, Station, Station];
  const imp = new Impairments(r.ctx('hub0.impair'), hub);
  return { r, hub, a, b, c, imp };
}

/** A full-duplex cable between a (sender) and b. */
export function cableBench(seed = 1): { r: Rig; cable: Cable; a: Station; b: Station; imp: Impairments } {
  const r = rig(seed);
  const cable = new Cable(r.ctx('wire0'));
  const [a, b] = ['a', 'b'].map((n) => new Station(r, n, cable, { fullDuplex: true })) as [Station, Station];
  const imp = new Impairments(r.ctx('wire0.impair'), cable);
  return { r, cable, a, b, imp };
}

/** A switch with full-duplex stations a (sender), b and c. */
export function switchBench(seed = 1): { r: Rig; sw: Switch; a: Station; b: Station; c: Station; imp: Impairments } {
  const r = rig(seed);
  const sw = new Switch(r.ctx('sw0'));
  const [a, b, c] = ['a', 'b', 'c'].map((n) => new Station(r, n, sw, { fullDuplex: true })) as [Station, Station, Station];
  const imp = new Impairments(r.ctx('sw0.impair'), sw);
  return { r, sw, a, b, c, imp };
}

/** Arrival times per packet id at a station (several when duplicated). */
export function arrivals(s: Station): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const x of s.received) {
    const l = m.get(x.frame.pktId) ?? [];
    l.push(x.t);
    m.set(x.frame.pktId, l);
  }
  return m;
}

/** Per packet delivered once at both: its time at `s` minus its time at the reference. */
export function delays(s: Station, ref: Station): number[] {
  const at = arrivals(s);
  const out: number[] = [];
  for (const x of ref.received) {
    const t = at.get(x.frame.pktId);
    if (t) out.push(t[0]! - x.t);
  }
  return out;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** k-th central moment (population: divided by n). */
export function moment(xs: readonly number[], k: number): number {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** k, 0) / xs.length;
}

/** The z used for every confidence bound: a correct model fails a bound with probability about 7e-6. */
export const Z = 4.5;
