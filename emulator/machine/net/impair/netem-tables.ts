/**
 * The jitter distributions of netem: the tables iproute2 ships (netem/normal.c, pareto.c, paretonormal.c, from
 * NIST Net) rebuilt here by the same procedure, and the kernel's `tabledist` that scales an entry to a delay
 * (Linux net/sched/sch_netem.c). A table holds 4096 samples of a scaled inverse CDF (values × NETEM_DIST_SCALE,
 * clamped to a C short); a uniform 32-bit draw picks one. Tables are built on first use, deterministically (the
 * same IEEE double arithmetic the C programs do).
 */
import type { JitterDistribution } from './config';

/** include/uapi/linux/pkt_sched.h: table entries are scaled by this. */
export const NETEM_DIST_SCALE = 8192;
/** The generators' TABLESIZE: the CDF resolution; every 4th (normal) / 16th (pareto) step is emitted. */
const TABLESIZE = 16384;
const SHRT_MIN = -32768;
const SHRT_MAX = 32767;

/** C rint() in the default rounding mode: to nearest, ties to even. */
export function rint(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * erf(x), to about 1e-15: its Maclaurin series below |x| = 3, the continued fraction of erfc above (Abramowitz
 * & Stegun 7.1.5 and 7.1.14). JavaScript has no Math.erf; the tables only need the CDF to well under 1/16384.
 */
export function erf(x: number): number {
  if (x < 0) return -erf(-x);
  if (x < 3) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail.
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return 1 - Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

function normalCdf(x: number): number {
  return 0.5 + 0.5 * erf(x / Math.sqrt(2));
}

/**
 * normal.c: table[i] = the last x of the grid -10, -10 + .00005, … (< 10.05, accumulated in doubles as the C
 * loop does) with rint(TABLESIZE·Φ(x)) = i. Only every 4th i is used; since Φ rises with x each is found by
 * bisection over the grid instead of evaluating Φ at all 401,000 points.
 */
function inverseNormal(): Float64Array {
  const grid: number[] = [];
  for (let x = -10.0; x < 10.05; x += 0.00005) grid.push(x);
  const bucket = (n: number): number => rint(TABLESIZE * normalCdf(grid[n]!));
  const table = new Float64Array(TABLESIZE + 1);
  for (let i = 0; i < TABLESIZE; i += 4) {
    // The last grid point whose bucket is at most i.
    let lo = -1;
    let hi = grid.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi + 1) / 2);
      if (bucket(mid) <= i) lo = mid;
      else hi = mid - 1;
    }
    if (lo < 0 || bucket(lo) !== i) throw new Error(`netem normal table: no grid point for entry ${i}`);
    table[i] = grid[lo]!;
  }
  return table;
}

const clampShort = (v: number): number => Math.min(SHRT_MAX, Math.max(SHRT_MIN, v));

/** pareto.c / paretonormal.c: a Pareto of shape 3 (mean 1.5) shifted to mean 0 and scaled by 4/3. */
function paretoValue(i: number): number {
  let d = i / 65536;
  d = 1.0 / Math.pow(d, 1.0 / 3.0);
  d -= 1.5;
  d *= (4.0 / 3.0) * NETEM_DIST_SCALE;
  if (d > 32767) d = 32767;
  return rint(d);
}

function buildNormal(inv: Float64Array): Int16Array {
  const out = new Int16Array(TABLESIZE / 4);
  for (let i = 0; i < TABLESIZE; i += 4) out[i / 4] = clampShort(rint(inv[i]! * NETEM_DIST_SCALE));
  return out;
}

function buildPareto(): Int16Array {
  const out: number[] = [];
  for (let i = 65536; i > 0; i -= 16) out.push(paretoValue(i));
  return Int16Array.from(out);
}

/** .25·normal + .75·pareto, entry by entry, C integer division (truncation toward zero). */
function buildParetoNormal(inv: Float64Array): Int16Array {
  const out = new Int16Array(TABLESIZE / 4);
  for (let i = 0; i < TABLESIZE; i += 4) {
    const norm = rint(inv[i]! * NETEM_DIST_SCALE);
    const par = paretoValue(65536 - 4 * i);
    out[i / 4] = clampShort(Math.trunc((norm + 3 * par) / 4));
  }
  return out;
}

let built: Record<'normal' | 'pareto' | 'paretonormal', Int16Array> | null = null;

/** The table of a distribution; uniform has none (the kernel's default branch). */
export function distTable(d: JitterDistribution): Int16Array | null {
  if (d === 'uniform') return null;
  if (!built) {
    const inv = inverseNormal();
    built = { normal: buildNormal(inv), pareto: buildPareto(), paretonormal: buildParetoNormal(inv) };
  }
  return built[d];
}

/**
 * sch_netem.c tabledist(): `mu` plus `sigma` times a table entry / NETEM_DIST_SCALE, in the kernel's integer
 * steps (sigma split into multiples of the scale and a remainder rounded half away from zero); uniform without a
 * table: [mu − σ, mu + σ). One deliberate difference: the kernel picks with `rnd % size` (and `rnd % 2σ`), the low
 * bits of the draw, which a correlated draw (`crandom`) does not carry its correlation in; we pick with the high
 * bits, ⌊rnd · size / 2³²⌋. For uncorrelated draws both are uniform (exactly, for the tables' 4096 entries), and
 * with correlation the jitter is then correlated as the configuration says.
 */
export function tabledist(mu: number, sigma: number, rnd: number, table: Int16Array | null): number {
  if (sigma === 0) return mu;
  if (!table) return Math.floor((rnd / 0x1_0000_0000) * 2 * sigma) + mu - sigma;
  const t = table[Math.floor((rnd / 0x1_0000_0000) * table.length)]!;
  let x = (sigma % NETEM_DIST_SCALE) * t;
  x += x >= 0 ? NETEM_DIST_SCALE / 2 : -NETEM_DIST_SCALE / 2;
  return Math.trunc(x / NETEM_DIST_SCALE) + Math.trunc(sigma / NETEM_DIST_SCALE) * t + mu;
}

/**
 * sch_netem.c get_crandom(): a 32-bit draw correlated with the previous one, answer = (value·(2³² − ρ) + last·ρ)
 * >> 32 with ρ = rho + 1, where rho is the correlation as a 32-bit fraction (tc scales percent to 2³² − 1).
 * Without correlation the draw itself. Exact in BigInt (the products need 64 bits).
 */
export function crandom(value: number, correlation: number, last: number): number {
  if (correlation === 0) return value;
  const rho = BigInt(Math.min(0xffff_ffff, Math.round(correlation * 0xffff_ffff))) + 1n;
  return Number((BigInt(value) * ((1n << 32n) - rho) + BigInt(last) * rho) >> 32n);
}
