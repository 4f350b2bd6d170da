// `npm run mutate [-- area|group...] [--jobs N] [--sample F] [--seed S]`: mutation testing with StrykerJS, one area
// at a time (scripts/mutate-areas.cjs), then one line per area with its score, read from Stryker's JSON report
// (reports/mutation/<area>.json; the HTML report beside it lists every surviving mutant). Slow, not in CI.
// --sample F runs a seeded sample of about F of each area's mutants (scripts/mutate-sample.cjs) and prints the
// score with its 95 % interval.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { AREAS, GROUPS } = require('./mutate-areas.cjs');
const { mutantKey, inSample, wilson95 } = require('./mutate-sample.cjs');
const args = process.argv.slice(2);
let jobs = '2';
let sample = '1';
let seed = '1';
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs') jobs = args[++i] ?? '';
  else if (args[i] === '--sample') sample = args[++i] ?? '';
  else if (args[i] === '--seed') seed = args[++i] ?? '';
  else names.push(...(GROUPS[args[i]] ?? [args[i]]));
}
if (!/^[1-9]\d*$/.test(jobs)) {
  console.error(`mutate: --jobs: a positive integer (got '${jobs}')`);
  process.exit(2);
}
const rate = Number(sample);
if (!/^(0?\.\d+|1(\.0*)?)$/.test(sample) || !(rate > 0 && rate <= 1)) {
  console.error(`mutate: --sample: a fraction above 0 and at most 1, such as 0.1 (got '${sample}')`);
  process.exit(2);
}
if (!/^[\w-]+$/.test(seed)) {
  console.error(`mutate: --seed: letters, digits, '-' or '_' (got '${seed}')`);
  process.exit(2);
}
for (const n of names) {
  if (!AREAS[n]) {
    console.error(`mutate: no area '${n}' (areas: ${Object.keys(AREAS).join(', ')}; groups: ${Object.keys(GROUPS).join(', ')})`);
    process.exit(2);
  }
}

/** Counts by status of the sampled mutants in a mutation-testing-report-schema JSON report. */
function score(file) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const c = { Killed: 0, Survived: 0, NoCoverage: 0, Timeout: 0, RuntimeError: 0, CompileError: 0, Ignored: 0 };
  let total = 0;
  let disagree = 0;
  for (const [name, f] of Object.entries(report.files)) {
    for (const m of f.mutants) {
      total++;
      const sampled = inSample(mutantKey(name, m.location, m.mutatorName, m.replacement), rate, seed);
      const skipped = m.status === 'RuntimeError' && /^not in the sample/.test(m.statusReason ?? '');
      // The runner and this count must agree on every mutant, or the score would mix samples. (A mutant no test
      // covers is never given to the runner: it is counted only when it is in the sample.)
      const ran = ['Killed', 'Survived', 'Timeout'].includes(m.status);
      if (sampled ? skipped : ran) disagree++;
      else if (sampled) c[m.status] = (c[m.status] ?? 0) + 1;
    }
  }
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return { ...c, total, disagree, detected, valid, score: valid === 0 ? 0 : (100 * detected) / valid, ci: wilson95(detected, valid) };
}

let failed = false;
for (const area of names.length > 0 ? names : Object.keys(AREAS)) {
  const r = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, MUTATE_AREA: area, MUTATE_JOBS: jobs, MUTATE_SAMPLE: sample, MUTATE_SEED: seed, MUTATE_ROOT: process.cwd() },
  });
  const json = `reports/mutation/${area}.json`;
  if (r.status !== 0 || !existsSync(json)) {
    console.error(`mutate ${area}: stryker exited ${r.status ?? r.signal}`);
    failed = true;
    continue;
  }
  const s = score(json);
  if (s.disagree > 0) {
    console.error(`mutate ${area}: ${s.disagree} mutants were run or skipped against the sample (scripts/stryker-sampled-jest.mjs and scripts/mutate-sample.cjs disagree); no score`);
    failed = true;
    continue;
  }
  const sampled = rate < 1 ? ` [${s.ci.low.toFixed(1)}–${s.ci.high.toFixed(1)} % at 95 %; sample ${sample} seed ${seed} of ${s.total} mutants]` : '';
  console.log(`mutate ${area}: ${s.score.toFixed(1)}% (${s.detected} of ${s.valid} mutants detected: ${s.Killed} killed, ${s.Timeout} timed out; ${s.Survived} survived, ${s.NoCoverage} not covered)${sampled}`);
}
process.exit(failed ? 1 : 0);
