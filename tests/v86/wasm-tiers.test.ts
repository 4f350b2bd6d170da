/**
 * V8's wasm compilers for v86 (emulator/machine/v86/wasm-tiers.ts): the core with V8's default tiers, the JIT's
 * modules with Liftoff alone, unless node was started with a tiering flag of its own; the choice changes no result.
 *
 * The CLI runs use `node --trace-wasm-compilation-times` (a V8 flag that only prints: not a tiering flag, so the
 * choice stands) to see which compiler compiled each function of which module (`Compiled function 0x…#N using
 * TurboFan`, the prefix naming the module): one guest to 2 virtual s tiers up a few hundred of the core's functions
 * with TurboFan either way, and with V8's own choice (`--no-liftoff-only`) functions of the JIT's modules too.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { builtGuestImage } from '../../emulator/app/guest-image';

const REPO = path.resolve(__dirname, '../..');
const RUN = [path.join(REPO, 'dist/qnxemu.js'), 'run', 'docs/examples/guest-ne2k-pci.yaml', '--until', '2s', '--no-color'];

describe('chooseWasmTiers', () => {
  /** A fresh copy of the module (its decision is once per process) with node:v8 recorded instead of set. */
  type Tiers = typeof import('../../emulator/machine/v86/wasm-tiers');
  function fresh(): { choose: Tiers['chooseWasmTiers']; withDefaultTiers: Tiers['withDefaultTiers']; flags: string[] } {
    const flags: string[] = [];
    let m: Tiers | undefined;
    jest.isolateModules(() => {
      jest.doMock('node:v8', () => ({ setFlagsFromString: (f: string) => flags.push(f) }));
      m = require('../../emulator/machine/v86/wasm-tiers') as Tiers;
    });
    if (!m) throw new Error('wasm-tiers did not load');
    return { choose: m.chooseWasmTiers, withDefaultTiers: m.withDefaultTiers, flags };
  }

  test('sets --liftoff-only once when node has no tiering flag of its own', () => {
    const m = fresh();
    expect(m.choose(['--max-old-space-size=512', '--trace-wasm-compilation-times'])).toBe(true);
    expect(m.choose([])).toBe(true);
    expect(m.flags).toEqual(['--liftoff-only']);
  });

  test.each([['--no-liftoff-only'], ['--liftoff-only'], ['--no-liftoff'], ['--wasm-tier-up'], ['--no-wasm-dynamic-tiering'], ['--wasm-dynamic-tiering'], ['--no_liftoff_only'], ['--no_wasm_tier_up']])(
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

  test("the core is compiled under V8's default tiers, and Liftoff-only is back in force after it (even if it throws)", () => {
    const m = fresh();
    m.choose([]);
    let during: string[] = [];
    expect(m.withDefaultTiers(() => ((during = [...m.flags]), 42))).toBe(42);
    // --liftoff-only turns tier-up and dynamic tiering off by implication: both are turned back on for the core.
    expect(during).toEqual(['--liftoff-only', '--no-liftoff-only', '--wasm-tier-up', '--wasm-dynamic-tiering']);
    expect(m.flags.at(-1)).toBe('--liftoff-only');
    expect(() => m.withDefaultTiers(() => { throw new Error('bad wasm'); })).toThrow('bad wasm');
    expect(m.flags.at(-1)).toBe('--liftoff-only');
  });

  test("given node's own tiering flag, the core is compiled with no flag changed", () => {
    const m = fresh();
    m.choose(['--no-liftoff-only']);
    expect(m.withDefaultTiers(() => 'core')).toBe('core');
    expect(m.flags).toEqual([]);
  });

  test('in a browser (no process.execArgv) sets nothing', () => {
    const m = fresh();
    expect(m.choose(null)).toBe(false);
    expect(m.flags).toEqual([]);
  });
});

describe('a guest run under each choice (the built CLI)', () => {
  interface TierRun {
    /** Module (the `0x…` before `#`) → its functions compiled with TurboFan. */
    turbofan: Map<string, number>;
    liftoff: number;
    hash: string | undefined;
    status: number | null;
  }
  function run(nodeFlags: string[], extra: string[] = []): TierRun {
    const r = spawnSync(process.execPath, ['--trace-wasm-compilation-times', ...nodeFlags, ...RUN, ...extra], {
      cwd: REPO,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const turbofan = new Map<string, number>();
    for (const m of r.stdout.matchAll(/^Compiled function (\S+)#\d+ using TurboFan/gm)) turbofan.set(m[1]!, (turbofan.get(m[1]!) ?? 0) + 1);
    return {
      turbofan,
      liftoff: (r.stdout.match(/^Compiled function .* using Liftoff/gm) ?? []).length,
      hash: /^trace-hash ([0-9a-f]{64})$/m.exec(r.stdout)?.[1],
      status: r.status,
    };
  }

  let ours: TierRun;
  let threaded: TierRun;
  let v8s: TierRun;
  beforeAll(() => {
    if (!builtGuestImage()) throw new Error('no guest image in the cache: run `node dist/qnxemu.js guest build` first');
    ours = run([]);
    threaded = run([], ['--threads', '1']);
    v8s = run(['--no-liftoff-only']);
  }, 120_000);

  test("qnxemu tiers up v86's core alone (one module), in a worker thread too", () => {
    for (const r of [ours, threaded]) {
      expect(r.status).toBe(0);
      expect(r.liftoff).toBeGreaterThan(100);
      expect(r.turbofan.size).toBe(1);
      expect([...r.turbofan.values()][0]).toBeGreaterThan(50);
    }
  });

  test("given node's own tiering flag, V8 tiers up the JIT's modules too (so the check above can see them)", () => {
    expect(v8s.status).toBe(0);
    expect(v8s.turbofan.size).toBeGreaterThan(1);
  });

  test('the compilers change no result: the same trace-hash', () => {
    expect(ours.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(v8s.hash).toBe(ours.hash);
  });
});
