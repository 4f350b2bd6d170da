// Jest transformer: TypeScript/ESM -> CommonJS with esbuild (fast; types are checked by `npm run typecheck`).
const { transformSync } = require('esbuild');
const crypto = require('node:crypto');

/**
 * Jest runs each test file in a `node:vm` context. Node serves that context's globals through property
 * interceptors, so every load of a global from code in it (`Math.min`, `new Uint8Array`, `Number.isFinite`) is a
 * call into C++ instead of an inline-cached load: about 0.4-0.9 µs each against under 5 ns in plain Node
 * (docs/testing.md "Globals under jest"). The simulator's hot paths load such globals millions of times.
 *
 * So each module binds the built-in objects it can name to module-level variables once, when it loads; its code
 * then reads a local. Only intrinsics that nothing replaces are bound (not `Date`, timers, `console` or `process`,
 * which jest's fake timers and spies may swap), and they are the very objects the global names give, so nothing
 * changes but the cost. A module that declares one of these names itself keeps its own.
 */
const INTRINSICS = [
  'Math', 'JSON', 'Reflect', 'Atomics', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Object', 'Array',
  'Error', 'TypeError', 'RangeError', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'ArrayBuffer',
  'SharedArrayBuffer', 'DataView', 'Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Int16Array',
  'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'TextEncoder',
  'TextDecoder', 'Buffer', 'isFinite', 'isNaN', 'parseInt', 'parseFloat', 'Infinity', 'NaN',
];

/** `var {Math, …} = globalThis;` for the intrinsics `code` does not declare at any level (a conservative test). */
function intrinsicsPreamble(code) {
  const names = INTRINSICS.filter((n) => !new RegExp(`\\b(?:const|let|var|class|function)\\s+${n}\\b`).test(code));
  return names.length === 0 ? '' : `var { ${names.join(', ')} } = globalThis;`;
}

module.exports = {
  process(src, filename) {
    const loader = filename.endsWith('.ts') ? 'ts' : filename.endsWith('.tsx') ? 'tsx' : 'js';
    // .tsx is the web page's Preact UI (tsconfig.web.json): the automatic JSX runtime from preact.
    const jsx = loader === 'tsx' ? { jsx: 'automatic', jsxImportSource: 'preact' } : {};
    const out = transformSync(src, { loader, ...jsx, format: 'cjs', target: 'node20', sourcemap: 'inline', sourcefile: filename });
    // On the first line (after a "use strict" directive, which must stay first), so that the source map's lines hold.
    const directive = /^\s*(['"])use strict\1;?/.exec(out.code)?.[0] ?? '';
    return { code: directive + intrinsicsPreamble(out.code) + out.code.slice(directive.length) };
  },
  INTRINSICS,
  intrinsicsPreamble,
  getCacheKey(src, filename) {
    return crypto.createHash('sha1').update(src).update(filename).update('v3').digest('hex');
  },
};
