// Bundles the CLI, the benchmark, the fuzz runner and the profiler (npm run profile) with esbuild into dist/ (CommonJS, Node 20),
// and the web page (qnxemu web) into dist/web/ for browsers: node built-ins answered by emulator/app/web-page/shims.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { browserOptions } from '../emulator/app/web-page/shims/esbuild-browser.mjs';

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
// First the validators compiled from the JSON Schemas (scripts/gen-validators.ts): the bundles below import them.
await build({ ...common, entryPoints: ['scripts/gen-validators.ts'], outfile: 'dist/gen-validators.js', sourcemap: false });
execFileSync(process.execPath, ['dist/gen-validators.js'], { stdio: 'inherit' });
await build({ ...common, entryPoints: ['emulator/app/cli/main.ts'], outfile: 'dist/qnxemu.js', banner: { js: '#!/usr/bin/env node' } });
chmodSync('dist/qnxemu.js', 0o755);
await build({ ...common, entryPoints: ['scripts/bench.ts'], outfile: 'dist/bench.js' });
await build({ ...common, entryPoints: ['fuzz/main.ts'], outfile: 'dist/fuzz.js' });
await build({ ...common, entryPoints: ['scripts/profile.ts'], outfile: 'dist/profile.js' });
// The web page: the UI (main.tsx) and, for tests and embedding, the core alone (global qnxemuWeb), with the page's files.
mkdirSync('dist/web', { recursive: true });
await build(browserOptions('emulator/app/web-page/main.tsx', { outfile: 'dist/web/app.js', minify: true }));
await build(browserOptions('emulator/app/web-page/core/entry.ts', { outfile: 'dist/web/core.js', globalName: 'qnxemuWeb' }));
for (const f of ['index.html', 'style.css']) copyFileSync(`emulator/app/web-page/${f}`, `dist/web/${f}`);
