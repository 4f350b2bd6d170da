// The web page's esbuild settings (scripts/build.mjs builds dist/web/ with them; tests/web-core/bundle.test.ts
// builds the core entry with them too). The simulation and the debugger run in the browser unchanged: node
// built-ins they import are answered by the shims in this folder, `Buffer` is the `buffer` package, and the
// guest image builder (Node only) is replaced by ./guest-image.ts. Any other node built-in fails the build.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// This folder: from import.meta.url when loaded as ESM (scripts/build.mjs); jest's transform makes it CommonJS.
const here = typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));

/** node built-in → shim file (the `node:` and bare forms). */
export const SHIMS = {
  fs: path.join(here, 'fs.ts'),
  path: path.join(here, 'path.ts'),
  crypto: path.join(here, 'crypto.ts'),
  zlib: path.join(here, 'zlib.ts'),
  util: path.join(here, 'util.ts'),
  worker_threads: path.join(here, 'worker-threads.ts'),
  v8: path.join(here, 'v8.ts'),
};

const guestImage = path.join(here, '..', '..', 'guest-image');

const shimPlugin = {
  name: 'qnxemu-web-shims',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(fs|path|crypto|zlib|util|worker_threads|v8)$/ }, (args) => ({ path: SHIMS[args.path.replace(/^node:/, '')] }));
    // emulator/app/assembly/guest-node.ts imports the builder; inside the builder, imports stay as they are.
    build.onResolve({ filter: /guest-image(\/index)?$/ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      if (target !== guestImage && target !== path.join(guestImage, 'index')) return undefined;
      return { path: path.join(here, 'guest-image.ts') };
    });
  },
};

/** esbuild options for a browser bundle of `entry` (to `outfile`, or in memory with write: false). */
export function browserOptions(entry, extra = {}) {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: 'linked',
    logLevel: 'warning',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    inject: [path.join(here, 'buffer-global.ts')],
    plugins: [shimPlugin],
    ...extra,
  };
}
