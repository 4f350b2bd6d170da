// The jest configuration Stryker runs (stryker.config.mjs): the project's, without the global setup that
// bundles dist/ (mutants live in the sandbox's sources, never in the bundle), limited to the area's tests.
const base = require('../jest.config.js');
const { AREAS } = require('./mutate-areas.cjs');
const area = AREAS[process.env.MUTATE_AREA ?? 'board'];
module.exports = {
  ...base,
  rootDir: '..',
  globalSetup: undefined,
  roots: area.tests.map((t) => `<rootDir>/${t.replace(/\/[^/]*\.test\.ts$/, '')}`),
  testMatch: area.tests.map((t) => (t.endsWith('.test.ts') ? `<rootDir>/${t}` : `<rootDir>/${t}/**/*.test.ts`)),
};
