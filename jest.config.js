/** Jest runs TypeScript through esbuild (scripts/jest-esbuild.js): type checking is `npm run typecheck`. */
const os = require('node:os');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: { '^.+\\.(ts|tsx|js|mjs)$': '<rootDir>/scripts/jest-esbuild.js' },
  // chalk 5 and preact 11 are ESM-only; let the esbuild transform turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(chalk|preact)/)'],
  testTimeout: 120000,
  globalSetup: '<rootDir>/scripts/jest-global-setup.js',
  // Jest's default is one worker per core but one; on 2 cores that is one file at a time, and the second core
  // only helps the files that start processes or threads of their own. Two workers there took the suite in a
  // fresh clone from 1728 s to 1421 s (docs/testing.md "How long the suite takes"); more cores keep jest's default.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  // The slowest files first, also on a fresh clone with no timings cached (scripts/jest-sequencer.js).
  testSequencer: '<rootDir>/scripts/jest-sequencer.js',
};
