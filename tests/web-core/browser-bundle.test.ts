/**
 * The page's core as a browser runs it: the core entry (emulator/app/web-page/core/entry.ts) bundled with the
 * page's esbuild settings (shims/esbuild-browser.mjs, as scripts/build.mjs builds dist/web/) imports no node
 * built-in, and evaluated in a bare JavaScript context — no require, no process, no module, only what every
 * browser has (TextEncoder/TextDecoder) — it opens ping.yaml's bundle and computes the trace-hash `qnxemu run` prints.
 */
import * as path from 'node:path';
import * as vm from 'node:vm';
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import type { Metafile } from 'esbuild';
import { SHIMS } from '../../emulator/app/web-page/shims/esbuild-browser.mjs';
import { bundleScenario } from '../../emulator/app/web-page/core/bundle';
import type { ScenarioBundle } from '../../emulator/app/web-page/core/api';
import { browserContext, buildCore, parseIn, ROOT } from './browser-context';

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

let code = '';
let meta: Metafile;

/** The bundle as the page gets it: JSON, parsed inside the context. */
function bundleIn(ctx: vm.Context, file: string): ScenarioBundle {
  return parseIn<ScenarioBundle>(ctx, JSON.stringify(bundleScenario(file)));
}

function cliHash(file: string): string {
  const out = execFileSync('node', ['dist/qnxemu.js', 'run', file], { cwd: ROOT, encoding: 'utf8' });
  return /^trace-hash (\w+)$/m.exec(out)![1]!;
}

beforeAll(async () => {
  ({ code, meta } = await buildCore());
});

test('no node built-in is imported: each is a shim, and the guest image builder is left out', () => {
  const imported = Object.values(meta.inputs).flatMap((i) => i.imports);
  // esbuild's metafile marks as external the injected Buffer module (shims/buffer-global.ts, bundled) and the
  // relative imports TypeScript elides (type-only), and its own <runtime> helpers; a package or built-in left outside the bundle would be bare.
  const injected = path.join(ROOT, 'emulator/app/web-page/shims/buffer-global.ts');
  expect(imported.filter((i) => BUILTINS.has(i.path) || (i.external && i.path !== injected && i.path !== '<runtime>' && !i.path.startsWith('.')))).toEqual([]);
  // No call of a free `require` for a built-in (lodash's guarded `freeModule.require("util")` is not one).
  expect(code.match(/(?<![.\w])require\("(node:)?(fs|path|crypto|zlib|util|child_process|events|readline)"\)/g)).toBeNull();
  const inputs = Object.keys(meta.inputs);
  for (const shim of Object.values(SHIMS).filter((s) => !s.endsWith('util.ts'))) expect(inputs).toContain(path.relative(ROOT, shim));
  // init-script.ts (the guest's /init and command line) and errors.ts (the error classes prepareGuests names) need no host.
  expect(inputs.filter((i) => i.includes('emulator/app/guest-image/') && !i.endsWith('init-script.ts') && !i.endsWith('guest-image/errors.ts'))).toEqual([]);
  expect(inputs.some((i) => i.includes('node_modules/buffer/'))).toBe(true);
});

test('in a context with no require or process, openSession gives `qnxemu run`\'s trace-hash', async () => {
  const { ctx, api } = browserContext(code);
  expect(vm.runInContext('typeof require + typeof process + typeof module + typeof Buffer', ctx)).toBe('undefinedundefinedundefinedundefined');
  const s = await api.openSession(bundleIn(ctx, 'docs/examples/ping.yaml'));
  expect(s.info().traceHash).toBe(cliHash('docs/examples/ping.yaml'));
  const bp = s.addBreakpoint('probe nic/rx-accept on beta if icmp echo-request');
  expect('id' in bp).toBe(true);
  const stop = s.continue();
  expect(stop.reason).toBe('breakpoint');
  const p = s.path(s.focusPacket());
  expect(p.hops.length).toBeGreaterThan(10);
  expect(p.summary).toContain('ICMP echo-request');
  expect(s.back().executed).toBe(stop.executed - 1);
  const pcap = s.pcap();
  expect(pcap.length).toBeGreaterThan(24);
  expect(Array.from(pcap.subarray(0, 4))).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
});

test('files.yaml (a buildfile with inline files, read by cat and ls) gives the same trace-hash too', async () => {
  const { ctx, api } = browserContext(code);
  const s = await api.openSession(bundleIn(ctx, 'docs/examples/files.yaml'));
  expect(s.info().traceHash).toBe(cliHash('docs/examples/files.yaml'));
  s.continue();
  expect(s.consoles()['alpha']).toContain('Welcome to alpha.');
});

test('a guest scenario opened without the served image: the one-line message (the bundle has no image builder)', async () => {
  const { ctx, api } = browserContext(code);
  await expect(api.openSession(bundleIn(ctx, 'docs/examples/guest-ne2k-pci.yaml'))).rejects.toThrow(api.GUEST_IMAGE_UNAVAILABLE);
  expect(api.GUEST_IMAGE_UNAVAILABLE).toBe('the page cannot build a guest image (the builder runs only under Node): open the scenario with `qnxemu web`, which serves its image with the page');
});
