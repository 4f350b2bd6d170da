// `npm run mutate [-- area|group...] [--jobs N]`: mutation testing with StrykerJS, one area at a time
// (scripts/mutate-areas.cjs), then one line per area with its score, read from Stryker's JSON report
// (reports/mutation/<area>.json; the HTML report beside it lists every surviving mutant). Slow, not in CI.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { AREAS, GROUPS } = createRequire(import.meta.url)('./mutate-areas.cjs');
const args = process.argv.slice(2);
let jobs = '2';
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs') jobs = args[++i] ?? '';
  else names.push(...(GROUPS[args[i]] ?? [args[i]]));
}
if (!/^[1-9]\d*$/.test(jobs)) {
  console.error(`mutate: --jobs: a positive integer (got '${jobs}')`);
  process.exit(2);
}
for (const n of names) {
  if (!AREAS[n]) {
    console.error(`mutate: no area '${n}' (areas: ${Object.keys(AREAS).join(', ')}; groups: ${Object.keys(GROUPS).join(', ')})`);
    process.exit(2);
  }
}

/** Counts by status from a mutation-testing-report-schema JSON report. */
function score(file) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const c = { Killed: 0, Survived: 0, NoCoverage: 0, Timeout: 0, RuntimeError: 0, CompileError: 0, Ignored: 0 };
  for (const f of Object.values(report.files)) for (const m of f.mutants) c[m.status] = (c[m.status] ?? 0) + 1;
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return { ...c, detected, valid, score: valid === 0 ? 0 : (100 * detected) / valid };
}

let failed = false;
for (const area of names.length > 0 ? names : Object.keys(AREAS)) {
  const r = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, MUTATE_AREA: area, MUTATE_JOBS: jobs },
  });
  const json = `reports/mutation/${area}.json`;
  if (r.status !== 0 || !existsSync(json)) {
    console.error(`mutate ${area}: stryker exited ${r.status ?? r.signal}`);
    failed = true;
    continue;
  }
  const s = score(json);
  console.log(`mutate ${area}: ${s.score.toFixed(1)}% (${s.detected} of ${s.valid} mutants detected: ${s.Killed} killed, ${s.Timeout} timed out; ${s.Survived} survived, ${s.NoCoverage} not covered)`);
}
process.exit(failed ? 1 : 0);
