/**
 * Seeded random streams. The simulation has one master seed; each component asks for its own stream by a
 * stable name ("hub0.backoff", "alpha.en0"), so adding a component never perturbs another's sequence.
 * Generator: xoshiro128** seeded through splitmix32 from a hash of (seed, name).
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, readonly name = '') {
    let x = (seed ^ fnv1a(name)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return result;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    if (n <= 0) return 0;
    return Math.floor(this.float() * n);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }
  setState(s: readonly [number, number, number, number]): void {
    [this.s0, this.s1, this.s2, this.s3] = s;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Hands out named streams derived from one seed. Asking twice for a name is an error (streams are owned). */
export class RngFactory {
  private issued = new Map<string, Rng>();
  constructor(readonly seed: number) {}
  stream(name: string): Rng {
    if (this.issued.has(name)) throw new Error(`random stream '${name}' already issued`);
    const r = new Rng(this.seed, name);
    this.issued.set(name, r);
    return r;
  }
  /** All streams, by name in issue order (for snapshots). */
  streams(): ReadonlyMap<string, Rng> {
    return this.issued;
  }
}
