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
import { build, type Metafile } from 'esbuild';
import { browserOptions, SHIMS } from '../../emulator/app/web-page/shims/esbuild-browser.mjs';
import { bundleScenario } from '../../emulator/app/web-page/core/bundle';
import type { WebSessionApi, ScenarioBundle } from '../../emulator/app/web-page/core/api';

const ROOT = path.resolve(__dirname, '../..');
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

let code = '';
let meta: Metafile;

/**
 * A bare context with the page's core loaded: JavaScript's own globals, plus TextEncoder/TextDecoder as a browser
 * has them — of the context's own realm (node's would hand out Uint8Arrays of this realm, which fail the
 * simulation's `instanceof Uint8Array` inside the context: a browser has one realm).
 */
/** What dist/web/core.js exports (core/entry.ts), as the tests use it. */
interface CoreApi {
  openSession(b: ScenarioBundle): Promise<WebSessionApi>;
  GUEST_IMAGE_UNAVAILABLE: string;
}

function browserContext(): { ctx: vm.Context; api: CoreApi } {
  const ctx = vm.createContext({ hostEncode: (s: string) => new TextEncoder().encode(s), hostDecoder: (l?: string, o?: object) => new TextDecoder(l, o) });
  vm.runInContext(
    `(() => {
       const enc = hostEncode, dec = hostDecoder;
       delete globalThis.hostEncode;
       delete globalThis.hostDecoder;
       globalThis.TextEncoder = class TextEncoder { get encoding() { return 'utf-8'; } encode(s = '') { return new Uint8Array(enc(String(s))); } };
       globalThis.TextDecoder = class TextDecoder { constructor(l, o) { this.d = dec(l, o); } get encoding() { return this.d.encoding; } decode(b, o) { return this.d.decode(b, o); } };
     })();`,
    ctx,
  );
  vm.runInContext(code, ctx, { filename: 'core.js' });
  return { ctx, api: ctx['qnxemuWeb'] as CoreApi };
}

/** The bundle as the page gets it: JSON, parsed inside the context. */
function bundleIn(ctx: vm.Context, file: string): ScenarioBundle {
  return vm.runInContext(`JSON.parse(${JSON.stringify(JSON.stringify(bundleScenario(file)))})`, ctx) as ScenarioBundle;
}

function cliHash(file: string): string {
  const out = execFileSync('node', ['dist/qnxemu.js', 'run', file], { cwd: ROOT, encoding: 'utf8' });
  return /^trace-hash (\w+)$/m.exec(out)![1]!;
}

beforeAll(async () => {
  const r = await build(browserOptions(path.join(ROOT, 'emulator/app/web-page/core/entry.ts'), { write: false, metafile: true, outfile: '/tmp/core.js', globalName: 'qnxemuWeb', sourcemap: false, absWorkingDir: ROOT }));
  code = r.outputFiles!.find((f) => f.path.endsWith('.js'))!.text;
  meta = r.metafile!;
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
  const { ctx, api } = browserContext();
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
  const { ctx, api } = browserContext();
  const s = await api.openSession(bundleIn(ctx, 'docs/examples/files.yaml'));
  expect(s.info().traceHash).toBe(cliHash('docs/examples/files.yaml'));
  s.continue();
  expect(s.consoles()['alpha']).toContain('Welcome to alpha.');
});

test('a guest scenario opened without the served image: the one-line message (the bundle has no image builder)', async () => {
  const { ctx, api } = browserContext();
  await expect(api.openSession(bundleIn(ctx, 'docs/examples/guest-ne2k-pci.yaml'))).rejects.toThrow(api.GUEST_IMAGE_UNAVAILABLE);
  expect(api.GUEST_IMAGE_UNAVAILABLE).toBe('the page cannot build a guest image (the builder runs only under Node): open the scenario with `qnxemu web`, which serves its image with the page');
});
