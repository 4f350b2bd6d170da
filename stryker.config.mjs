// Mutation testing with StrykerJS (`npm run mutate`, scripts/mutate.mjs; docs/testing.md "Mutation testing").
// One area per run: MUTATE_AREA names it (scripts/mutate.mjs sets it), AREAS below says which source files are
// mutated and which test folders may kill their mutants. Not part of CI: a whole run takes hours on 2 cores.
import areas from './scripts/mutate-areas.cjs';
const { AREAS } = areas;

const name = process.env.MUTATE_AREA ?? 'board';
const area = AREAS[name];
if (!area) throw new Error(`MUTATE_AREA=${name}: areas are ${Object.keys(AREAS).join(', ')}`);

export default {
  // Stryker's jest runner, wrapped so that `npm run mutate -- --sample F` runs only the sampled mutants
  // (scripts/stryker-sampled-jest.mjs; without --sample every mutant runs).
  plugins: ['@stryker-mutator/jest-runner', './scripts/stryker-sampled-jest.mjs'],
  testRunner: 'sampled-jest',
  jest: { projectType: 'custom', configFile: 'scripts/jest-mutate.config.js', enableFindRelatedTests: false },
  // Each mutant runs only the tests that covered its code in the dry run.
  coverageAnalysis: 'perTest',
  mutate: area.mutate,
  concurrency: Number(process.env.MUTATE_JOBS ?? 2),
  // Added to each mutant's expected time (the dry run's, times timeoutFactor): a mutant that makes the event loop
  // spin is a timeout (detected) after some seconds instead of half a minute. Generous on purpose: on a loaded
  // machine a tighter bound turned slow-but-killable mutants into "timeouts" (counted as detected), inflating
  // the score (16 % of the first 433 ne2000 mutants at load 20 with 3000 ms × 2).
  timeoutMS: 8000,
  timeoutFactor: 3,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'reports', 'out', '.cache', 'fuzz-out'],
  cleanTempDir: 'always',
};
