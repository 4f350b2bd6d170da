/** Jest runs TypeScript through esbuild (scripts/jest-esbuild.js): type checking is `npm run typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(ts|js|mjs)$': '<rootDir>/scripts/jest-esbuild.js' },
  // chalk 5 is ESM-only; let the esbuild transform turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(chalk)/)'],
  testTimeout: 120000,
  globalSetup: '<rootDir>/scripts/jest-global-setup.js',
};
