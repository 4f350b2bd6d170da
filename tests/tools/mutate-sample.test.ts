// `npm run mutate -- --sample F --seed S` (scripts/mutate-sample.cjs): the predicate that both Stryker's test runner
// processes and the score use must pick about F of the mutants, the same ones every time for one seed, other ones
// for another seed; the interval printed with a sampled score is the 95 % Wilson score interval.
import { createRequire } from 'node:module';

const require = createRequire(__filename);
const { mutantKey, inSample, wilson95, sampleFromEnv } = require('../../scripts/mutate-sample.cjs') as {
  mutantKey(file: string, loc: { start: { line: number; column: number }; end: { line: number; column: number } }, mutator: string, replacement: string): string;
  inSample(key: string, rate: number, seed: string): boolean;
  wilson95(k: number, n: number): { low: number; high: number };
  sampleFromEnv(env: Record<string, string | undefined>): { rate: number; seed: string };
};

const keys = Array.from({ length: 20000 }, (_, i) =>
  mutantKey('nic-models/ne2000/receive.ts', { start: { line: 1 + (i >> 4), column: 1 + (i & 15) }, end: { line: 1 + (i >> 4), column: 20 } }, i % 3 ? 'ConditionalExpression' : 'StringLiteral', i % 2 ? 'true' : '""'),
);

describe('mutant sampling', () => {
  test('a key names the file, the 1-based location, the mutator and the replacement', () => {
    expect(mutantKey('stack/net/ip.ts', { start: { line: 3, column: 7 }, end: { line: 3, column: 19 } }, 'EqualityOperator', 'a !== b')).toBe(
      'stack/net/ip.ts:3:7-3:19|EqualityOperator|a !== b',
    );
  });

  test('about F of the mutants are in the sample: 20 000 keys at 0.1 give 2 000 ± 3 standard deviations (±127)', () => {
    // Binomial: sd = sqrt(n p (1 - p)) = sqrt(20000 × 0.1 × 0.9) = 42.4.
    const n = keys.filter((k) => inSample(k, 0.1, '1')).length;
    expect(Math.abs(n - 2000)).toBeLessThanOrEqual(127);
  });

  test('the same seed picks the same mutants; another seed other ones; rate 1 picks all', () => {
    const a = keys.filter((k) => inSample(k, 0.1, '1'));
    expect(keys.filter((k) => inSample(k, 0.1, '1'))).toEqual(a);
    const b = keys.filter((k) => inSample(k, 0.1, '2'));
    const overlap = b.filter((k) => a.includes(k)).length;
    // Independent samples of 10 % share about 1 % of the keys (200), far from all of them.
    expect(overlap).toBeLessThan(400);
    expect(keys.every((k) => inSample(k, 1, '1'))).toBe(true);
  });

  test('a smaller rate picks a subset of a larger one with the same seed', () => {
    const small = keys.filter((k) => inSample(k, 0.05, '7'));
    expect(small.every((k) => inSample(k, 0.2, '7'))).toBe(true);
  });

  test('the Wilson interval: 80 of 100 → 71.1–86.7 %; 0 and all of n stay inside 0–100 %; n = 0 says nothing', () => {
    // p = 0.8, z = 1.96: centre (0.8 + 0.0192) / 1.0384 = 0.7889, half 1.96 × sqrt(0.0016 + 0.000096) / 1.0384 = 0.0777.
    const w = wilson95(80, 100);
    expect(w.low).toBeCloseTo(71.1, 1);
    expect(w.high).toBeCloseTo(86.7, 1);
    expect(wilson95(0, 10).low).toBe(0);
    expect(wilson95(10, 10).high).toBe(100);
    expect(wilson95(10, 10).low).toBeCloseTo(72.2, 1);
    expect(wilson95(0, 0)).toEqual({ low: 0, high: 100 });
  });

  test('the rate and seed come from MUTATE_SAMPLE and MUTATE_SEED; without them every mutant runs', () => {
    expect(sampleFromEnv({})).toEqual({ rate: 1, seed: '1' });
    expect(sampleFromEnv({ MUTATE_SAMPLE: '0.25', MUTATE_SEED: 'x' })).toEqual({ rate: 0.25, seed: 'x' });
  });
});
