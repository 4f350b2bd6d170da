// Seeded mutant sampling for `npm run mutate -- --sample F` (docs/testing.md "Sampled runs"): a mutant is in the
// sample when a hash of the seed and the mutant itself (file, location, mutator, replacement) falls below F. The
// same predicate decides in Stryker's test runner processes which mutants to run (scripts/stryker-sampled-jest.mjs)
// and in scripts/mutate.mjs which results to count, so both agree without passing a list between processes; it
// depends on the mutant's text, not Stryker's numbering, so a sample stays the same while other files change.
const { createHash } = require('node:crypto');
const path = require('node:path');

/** The mutant's identity: its file relative to the project, its 1-based location, mutator and replacement. */
function mutantKey(file, loc, mutatorName, replacement) {
  const at = `${loc.start.line}:${loc.start.column}-${loc.end.line}:${loc.end.column}`;
  return `${file.split(path.sep).join('/')}:${at}|${mutatorName}|${replacement}`;
}

/** Whether the mutant with this key is in the sample of `rate` (0 < rate ≤ 1) drawn with `seed`. */
function inSample(key, rate, seed) {
  if (rate >= 1) return true;
  const h = createHash('sha256').update(`${seed}\0${key}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < rate;
}

/** The 95 % Wilson score interval of a proportion `k` of `n` (in %), for a score measured on a sample. */
function wilson95(k, n) {
  if (n === 0) return { low: 0, high: 100 };
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const mid = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { low: 100 * Math.max(0, mid - half), high: 100 * Math.min(1, mid + half) };
}

/** The sample rate and seed `npm run mutate` passed down (MUTATE_SAMPLE, MUTATE_SEED). */
function sampleFromEnv(env = process.env) {
  return { rate: env.MUTATE_SAMPLE ? Number(env.MUTATE_SAMPLE) : 1, seed: env.MUTATE_SEED ?? '1' };
}

module.exports = { mutantKey, inSample, wilson95, sampleFromEnv };
