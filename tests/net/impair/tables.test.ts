import { crandom, distTable, erf, NETEM_DIST_SCALE, rint, tabledist } from '../../../emulator/machine/net/impair/netem-tables';
import { fnv1a } from '../../../emulator/machine/sim/rng';

/** FNV-1a over the entries as little-endian 16-bit words. */
function hash(t: Int16Array): number {
  return fnv1a(String.fromCharCode(...new Uint8Array(t.buffer, t.byteOffset, t.byteLength)));
}

describe('netem distribution tables (iproute2 netem/*.c)', () => {
  // Fixtures: iproute2's generators (netem/normal.c, pareto.c, paretonormal.c) compiled with gcc against
  // <linux/pkt_sched.h> and run; their output read back as 4096 integers: count, sum, sum of squares, FNV-1a of
  // the entries as int16 LE, and entries 0, 1024, 2048, 4095.
  const fixtures = {
    normal: { sum: -26163, sumSq: 274907053073, fnv: 0xc14b20d8, at: [-32768, -5525, 0, 28858] },
    pareto: { sum: -1123786, sumSq: 184990749388, fnv: 0x0a28c73a, at: [-5461, -4362, -2622, 32767] },
    paretonormal: { sum: -848968, sumSq: 191343507090, fnv: 0x3cb744d9, at: [-12305, -4652, -1966, 31789] },
  } as const;

  for (const [name, fx] of Object.entries(fixtures) as [keyof typeof fixtures, (typeof fixtures)[keyof typeof fixtures]][]) {
    test(`${name}: the same 4096 entries the C generator prints`, () => {
      const t = distTable(name)!;
      expect(t.length).toBe(4096);
      let sum = 0;
      let sumSq = 0;
      for (const v of t) {
        sum += v;
        sumSq += v * v;
      }
      expect(sum).toBe(fx.sum);
      expect(sumSq).toBe(fx.sumSq);
      expect(hash(t)).toBe(fx.fnv);
      expect([t[0], t[1024], t[2048], t[4095]]).toEqual(fx.at);
    });
  }

  test('the normal table is a standard normal: σ of its entries is 1 to 0.1 %', () => {
    const { sum, sumSq } = fixtures.normal;
    const m = sum / 4096;
    const sd = Math.sqrt(sumSq / 4096 - m * m) / NETEM_DIST_SCALE;
    expect(Math.abs(sd - 1)).toBeLessThan(1e-3);
  });

  test('uniform has no table', () => {
    expect(distTable('uniform')).toBeNull();
  });

  test('rint rounds half to even, like C', () => {
    expect([rint(0.5), rint(1.5), rint(2.5), rint(-2.5), rint(-1.5), rint(2.4999), rint(-2.6)]).toEqual([0, 2, 2, -2, -2, 2, -3]);
  });

  test('erf against tabulated values (A&S table 7.1)', () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778, 10);
    expect(erf(1)).toBeCloseTo(0.8427007929, 10);
    expect(erf(2)).toBeCloseTo(0.9953222650, 10);
    expect(erf(-1)).toBeCloseTo(-0.8427007929, 10);
    expect(1 - erf(3.5)).toBeCloseTo(7.430983723e-7, 14);
  });

  test('tabledist: mu + sigma·entry/8192 in the kernel integer steps', () => {
    const t = Int16Array.from([8192, -8192, 4096, 1]);
    // rnd picks entry ⌊rnd·4/2³²⌋: 0 → 8192 (one σ), 2³⁰ → −8192, 2³¹ → 4096 (half a σ), 3·2³⁰ → 1.
    expect(tabledist(1_000_000, 10_000, 0, t)).toBe(1_010_000);
    expect(tabledist(1_000_000, 10_000, 2 ** 30, t)).toBe(990_000);
    expect(tabledist(1_000_000, 10_000, 2 ** 31, t)).toBe(1_005_000);
    // 10000 % 8192 = 1808; 1808·1 + 4096 = 5904 → 0; 10000 / 8192 = 1 → + 1·1: 1 ns.
    expect(tabledist(1_000_000, 10_000, 3 * 2 ** 30, t)).toBe(1_000_001);
    expect(tabledist(5, 0, 123, t)).toBe(5);
  });

  test('tabledist uniform: [mu − σ, mu + σ) from the draw as a fraction of 2³²', () => {
    expect(tabledist(100, 10, 0, null)).toBe(90);
    expect(tabledist(100, 10, 0xffff_ffff, null)).toBe(109);
    expect(tabledist(100, 10, 2 ** 31, null)).toBe(100);
  });

  test('crandom: (value·(2³² − ρ) + last·ρ) >> 32 with ρ = rho + 1 (sch_netem.c get_crandom)', () => {
    expect(crandom(1234, 0, 999)).toBe(1234);
    // correlation 0.5: rho = round(0.5 · (2³² − 1)) = 2147483648, ρ = 2147483649.
    const rho = 2147483649n;
    const want = Number((4000000000n * ((1n << 32n) - rho) + 1000n * rho) >> 32n);
    expect(crandom(4_000_000_000, 0.5, 1000)).toBe(want);
    expect(want).toBe(2000000499); // (4e9 + 1000) / 2, less a part in 2³² of the difference
  });
});
