/** Jest runs TypeScript through esbuild (scripts/jest-esbuild.js): type checking is `npm run typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: { '^.+\\.(ts|tsx|js|mjs)$': '<rootDir>/scripts/jest-esbuild.js' },
  // chalk 5 and preact 11 are ESM-only; let the esbuild transform turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(chalk|preact)/)'],
  testTimeout: 120000,
  globalSetup: '<rootDir>/scripts/jest-global-setup.js',
};
