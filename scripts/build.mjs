// Bundles the CLI, the benchmark, the fuzz runner and the profiler (npm run profile) with esbuild into dist/ (CommonJS, Node 20).
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  // v86 is loaded at run time from node_modules (emulator/machine/v86/v86-runtime.ts evaluates its build itself).
  external: ['v86'],
};
await build({ ...common, entryPoints: ['emulator/app/cli/main.ts'], outfile: 'dist/qnxemu.js', banner: { js: '#!/usr/bin/env node' } });
chmodSync('dist/qnxemu.js', 0o755);
await build({ ...common, entryPoints: ['scripts/bench.ts'], outfile: 'dist/bench.js' });
await build({ ...common, entryPoints: ['fuzz/main.ts'], outfile: 'dist/fuzz.js' });
await build({ ...common, entryPoints: ['scripts/profile.ts'], outfile: 'dist/profile.js' });
