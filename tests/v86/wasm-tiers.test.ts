/**
 * V8's wasm compilers for v86 (emulator/machine/v86/wasm-tiers.ts): Liftoff only, unless node was started with a
 * tiering flag of its own; the choice changes no result.
 *
 * The CLI runs use `node --trace-wasm-compilation-times` (a V8 flag that only prints: not a tiering flag, so the
 * choice stands) to see which compiler compiled each function: one guest to 1 virtual s compiles ≈ 600 functions
 * with Liftoff either way, and ≈ 150 of them again with TurboFan when V8 chooses (`--no-liftoff-only`).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { builtGuestImage } from '../../emulator/app/guest-image';

const REPO = path.resolve(__dirname, '../..');
const RUN = [path.join(REPO, 'dist/qnxemu.js'), 'run', 'docs/examples/guest-ne2k-pci.yaml', '--until', '1s', '--no-color'];

describe('chooseWasmTiers', () => {
  /** A fresh copy of the module (its decision is once per process) with node:v8 recorded instead of set. */
  function fresh(): { choose: (argv: readonly string[] | null) => boolean; flags: string[] } {
    const flags: string[] = [];
    let choose: ((argv: readonly string[] | null) => boolean) | undefined;
    jest.isolateModules(() => {
      jest.doMock('node:v8', () => ({ setFlagsFromString: (f: string) => flags.push(f) }));
      choose = (require('../../emulator/machine/v86/wasm-tiers') as typeof import('../../emulator/machine/v86/wasm-tiers')).chooseWasmTiers;
    });
    if (!choose) throw new Error('wasm-tiers did not load');
    return { choose, flags };
  }

  test('sets --liftoff-only once when node has no tiering flag of its own', () => {
    const m = fresh();
    expect(m.choose(['--max-old-space-size=512', '--trace-wasm-compilation-times'])).toBe(true);
    expect(m.choose([])).toBe(true);
    expect(m.flags).toEqual(['--liftoff-only']);
  });

  test.each([['--no-liftoff-only'], ['--liftoff-only'], ['--no-liftoff'], ['--wasm-tier-up'], ['--no-wasm-dynamic-tiering'], ['--wasm-dynamic-tiering']])(
    'leaves the tiers alone given node %s',
    (flag) => {
      const m = fresh();
      expect(m.choose(['--stack-size=2000', flag])).toBe(false);
      expect(m.flags).toEqual([]);
    },
  );

  test('similar flags that choose no tier do not count (--liftoffX, --wasm-tiering-budget)', () => {
    expect(fresh().choose(['--liftoffX'])).toBe(true);
    expect(fresh().choose(['--wasm-tiering-budget=100'])).toBe(true);
  });

  test('in a browser (no process.execArgv) sets nothing', () => {
    const m = fresh();
    expect(m.choose(null)).toBe(false);
    expect(m.flags).toEqual([]);
  });
});

describe('a guest run under each choice (the built CLI)', () => {
  function run(nodeFlags: string[], extra: string[] = []): { turbofan: number; liftoff: number; hash: string | undefined; status: number | null } {
    const r = spawnSync(process.execPath, ['--trace-wasm-compilation-times', ...nodeFlags, ...RUN, ...extra], {
      cwd: REPO,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return {
      turbofan: (r.stdout.match(/^Compiled function .* using TurboFan/gm) ?? []).length,
      liftoff: (r.stdout.match(/^Compiled function .* using Liftoff/gm) ?? []).length,
      hash: /^trace-hash ([0-9a-f]{64})$/m.exec(r.stdout)?.[1],
      status: r.status,
    };
  }

  let ours: ReturnType<typeof run>;
  let threaded: ReturnType<typeof run>;
  let v8s: ReturnType<typeof run>;
  beforeAll(() => {
    if (!builtGuestImage()) throw new Error('no guest image in the cache: run `node dist/qnxemu.js guest build` first');
    ours = run([]);
    threaded = run([], ['--threads', '1']);
    v8s = run(['--no-liftoff-only']);
  }, 120_000);

  test('qnxemu compiles v86 with Liftoff alone, in a worker thread too', () => {
    expect(ours.status).toBe(0);
    expect(ours.liftoff).toBeGreaterThan(100);
    expect(ours.turbofan).toBe(0);
    expect(threaded.status).toBe(0);
    expect(threaded.liftoff).toBeGreaterThan(100);
    expect(threaded.turbofan).toBe(0);
  });

  test("given node's own tiering flag, V8 tiers up as it would (so the check above can see TurboFan)", () => {
    expect(v8s.status).toBe(0);
    expect(v8s.turbofan).toBeGreaterThan(0);
  });

  test('the compilers change no result: the same trace-hash', () => {
    expect(ours.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(v8s.hash).toBe(ours.hash);
  });
});
