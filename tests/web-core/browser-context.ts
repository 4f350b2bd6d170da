/**
 * The page's core as a browser runs it, for the web-core tests: core/entry.ts bundled with the page's esbuild
 * settings (shims/esbuild-browser.mjs, as scripts/build.mjs builds dist/web/), evaluated in a bare JavaScript
 * context — no require, no process, no module, only what every browser has (TextEncoder/TextDecoder) — and, if
 * asked, without SharedArrayBuffer either (a page that is not cross-origin isolated has none).
 */
import * as path from 'node:path';
import * as vm from 'node:vm';
import { build, type Metafile } from 'esbuild';
import { browserOptions } from '../../emulator/app/web-page/shims/esbuild-browser.mjs';
import type { WebSessionApi, ScenarioBundle } from '../../emulator/app/web-page/core/api';

export const ROOT = path.resolve(__dirname, '../..');

/** What dist/web/core.js exports (core/entry.ts), as the tests use it. */
export interface CoreApi {
  openSession(b: ScenarioBundle): Promise<WebSessionApi>;
  GUEST_IMAGE_UNAVAILABLE: string;
}

/** The core bundled for the browser: its code and esbuild's metafile. */
export async function buildCore(): Promise<{ code: string; meta: Metafile }> {
  const r = await build(browserOptions(path.join(ROOT, 'emulator/app/web-page/core/entry.ts'), { write: false, metafile: true, outfile: '/tmp/core.js', globalName: 'qnxemuWeb', sourcemap: false, absWorkingDir: ROOT }));
  return { code: r.outputFiles!.find((f) => f.path.endsWith('.js'))!.text, meta: r.metafile! };
}

/**
 * A bare context with the core loaded: JavaScript's own globals, plus TextEncoder/TextDecoder as a browser has them —
 * of the context's own realm (node's would hand out Uint8Arrays of this realm, which fail the simulation's
 * `instanceof Uint8Array` inside the context: a browser has one realm). `isolated: false` removes SharedArrayBuffer.
 */
export function browserContext(code: string, o: { isolated?: boolean } = {}): { ctx: vm.Context; api: CoreApi } {
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
  if (o.isolated === false) vm.runInContext('delete globalThis.SharedArrayBuffer;', ctx);
  vm.runInContext(code, ctx, { filename: 'core.js' });
  return { ctx, api: ctx['qnxemuWeb'] as CoreApi };
}

/** A bundle as the page gets it: JSON text, parsed inside the context. */
export function parseIn<T>(ctx: vm.Context, json: string): T {
  return vm.runInContext(`JSON.parse(${JSON.stringify(json)})`, ctx) as T;
}
