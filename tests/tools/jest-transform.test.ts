/**
 * scripts/jest-esbuild.js: every module jest loads binds the built-in objects it names to module variables when it
 * loads (docs/testing.md "Globals under jest"). Checked: the bound objects are the globals themselves; a module's
 * name is a variable bound at load, not a global looked up at each use; a module's own declaration of such a name
 * wins; a "use strict" directive stays first.
 */
const transformer = require('../../scripts/jest-esbuild.js') as {
  INTRINSICS: readonly string[];
  intrinsicsPreamble(code: string): string;
  process(src: string, filename: string): { code: string };
};

/** Load transformed CommonJS code as jest would, and return its exports. */
function load(code: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return module.exports;
}

test('this file runs with every intrinsic bound, and each is the global object of that name', () => {
  expect(transformer.INTRINSICS.length).toBeGreaterThan(30);
  const names = transformer.INTRINSICS;
  for (const n of names) expect((globalThis as Record<string, unknown>)[n]).toBeDefined();
  const exported = load(transformer.process(`export const all = () => [${names.join(', ')}];`, 'all.ts').code);
  expect((exported['all'] as () => unknown[])()).toEqual(names.map((n) => (globalThis as Record<string, unknown>)[n]));
});

test("a module's `Math` is bound when it loads: replacing the global later does not reach it", () => {
  const { get } = load(transformer.process('export const get = (): Math => Math;', 'get.ts').code) as { get: () => Math };
  const real = globalThis.Math;
  try {
    (globalThis as { Math: unknown }).Math = { replaced: true };
    expect(get()).toBe(real);
  } finally {
    globalThis.Math = real;
  }
  // Without the preamble the same module looks the global up at each call.
  const plain = transformer.process('export const get = (): Math => Math;', 'get.ts').code.replace(/^var \{[^}]*\} = globalThis;/, '');
  const { get: lookUp } = load(plain) as { get: () => unknown };
  try {
    (globalThis as { Math: unknown }).Math = { replaced: true };
    expect(lookUp()).toEqual({ replaced: true });
  } finally {
    globalThis.Math = real;
  }
});

test('a module that declares one of the names keeps its own, and the others are bound', () => {
  const code = transformer.process('const Map = 42; export const get = () => [Map, Set];', 'own.ts').code;
  expect(transformer.intrinsicsPreamble(code)).not.toMatch(/\bMap\b/);
  expect(transformer.intrinsicsPreamble(code)).toMatch(/\bSet\b/);
  expect((load(code)['get'] as () => unknown[])()).toEqual([42, Set]);
});

test('a "use strict" directive stays the first statement', () => {
  const { code } = transformer.process('"use strict";\nmodule.exports.self = (function () { return this; })();', 'strict.js');
  expect(code.startsWith('"use strict";var {')).toBe(true);
  expect(load(code)['self']).toBeUndefined();
});
