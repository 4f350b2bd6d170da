/**
 * A threaded run in the page (issue 17): `qnxemu web` on a scenario whose guests run in worker threads runs it once
 * as `qnxemu run` does, recorded, and bundle.json carries the recording (web-page/core/threaded-bundle.ts); the page's
 * core replays that run without v86. Checked in a bare browser-like context with no SharedArrayBuffer (a page that is
 * not cross-origin isolated): the page's trace-hash is `qnxemu run`'s (the threaded engine's), the end of the replay
 * says so, the guests' consoles are there, `back` works; a recording that lost a frame gives another run and the end
 * says DIVERGED; a recording of other guests is refused in one line; a failure bundle (qnxemu test --artifacts) is
 * recorded again by qnxemu web and opens stopped at the failure. The encoding keeps what JSON cannot carry.
 *
 * The fixture: two guests pinging each other on a hub with collisions (tests/fixtures/threads/two-guests-collide.yaml,
 * 5 s): its threaded run boots two Linux guests, tens of seconds. Then, with `--threads 2`, the BCM5701 guest (its PHY's
 * auto-negotiation crosses as messages) and the RT2560 guest (its radio's acts: PPDUs, channel, power) the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { ScenarioBundle } from '../../emulator/app/web-page/core/api';
import { decodeValue, encodeValue } from '../../emulator/app/web-page/core/threaded-bundle';
import { checkBundle } from '../../emulator/app/web-page/core/bundle';
import { writeFailureBundles } from '../../emulator/app/web/artifacts';
import type { ScenarioOutcome } from '../../emulator/app/testing/outcome';
import { browserContext, buildCore, parseIn, ROOT } from './browser-context';

const FILE = 'tests/fixtures/threads/two-guests-collide.yaml';
const RUN_MS = 600_000;

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['dist/qnxemu.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

let code = '';
let json = '';
let runHash = '';
let webOut = '';
/** The wire/collision records of `qnxemu run`'s trace, and its frames delivered to linux1's NIC. */
let runCollisions = 0;
let runDelivered = 0;

beforeAll(async () => {
  const out = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'qnxemu-threaded-bundle-'));
  const trace = path.join(out, 'run.jsonl');
  const [web, run] = await Promise.all([cli(['web', FILE, '--out', out]), cli(['run', FILE, '--trace', trace]), (async () => (code = (await buildCore()).code))()]);
  expect(web.stderr).toBe('');
  expect(web.status).toBe(0);
  webOut = web.stdout;
  json = fs.readFileSync(path.join(out, 'bundle.json'), 'utf8');
  runHash = /^trace-hash ([0-9a-f]{64})$/m.exec(run.stdout)![1]!;
  const wire = fs.readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes('"layer":"wire"'));
  runCollisions = wire.filter((l) => l.includes('"probe":"collision"')).length;
  runDelivered = wire.filter((l) => l.includes('"probe":"deliver"') && l.includes('"to":"linux1.nic0"')).length;
}, RUN_MS);

describe('the other message kinds: auto-negotiation (BCM5701) and the air (RT2560)', () => {
  test('each guest example recorded by qnxemu web --threads 2 replays in the page to `qnxemu run --threads 2`\'s trace-hash', async () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'qnxemu-threaded-kinds-'));
    const files = ['docs/examples/guest-tg3.yaml', 'docs/examples/guest-rt2500pci.yaml'];
    const runs = await Promise.all(files.flatMap((f, i) => [cli(['web', f, '--threads', '2', '--out', path.join(dir, String(i))]), cli(['run', f, '--threads', '2'])]));
    for (let i = 0; i < files.length; i++) {
      const [web, run] = [runs[2 * i]!, runs[2 * i + 1]!];
      expect(web.stderr).toBe('');
      const b = fs.readFileSync(path.join(dir, String(i), 'bundle.json'), 'utf8');
      const kinds = new Set((JSON.parse(b) as { threaded: { guests: { messages: { k: string }[] }[] } }).threaded.guests.flatMap((g) => g.messages.map((m) => m.k)));
      expect(kinds.has(i === 0 ? 'an-restart' : 'radio')).toBe(true);
      const { ctx, api } = browserContext(code, { isolated: false });
      const s = await api.openSession(parseIn<ScenarioBundle>(ctx, b));
      expect(s.info().traceHash).toBe(/^trace-hash ([0-9a-f]{64})$/m.exec(run.stdout)![1]);
      expect(s.continue().lines.join('\n')).toContain('the same trace-hash as the threaded run');
    }
  }, RUN_MS);
});

describe('the encoding of a recording', () => {
  test('keeps bytes, -0, non-finite numbers and undefined in arrays; drops undefined properties as JSON does', () => {
    const big = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    const value = { k: 'tx', t: 5, data: big.subarray(10, 20), r: [[1, 'n', 'l', 'p', 0, undefined]], f: { a: -0, b: Infinity, c: -Infinity, d: NaN, e: 'x' }, u: undefined };
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))) as typeof value;
    expect(back.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.data)).toEqual(Array.from(big.subarray(10, 20)));
    expect(back.r[0]).toHaveLength(6);
    expect(back.r[0]![5]).toBeUndefined();
    expect(Object.is(back.f.a, -0)).toBe(true);
    expect([back.f.b, back.f.c, back.f.e]).toEqual([Infinity, -Infinity, 'x']);
    expect(back.f.d).toBeNaN();
    expect('u' in back).toBe(false);
  });

  test("an object of the run's own whose one key looks like a tag comes back as it was", () => {
    const value = { f: { $u8: 'not bytes' }, g: { $obj: { $num: 'x' } }, h: { $undef: 1, other: 2 } };
    expect(decodeValue(JSON.parse(JSON.stringify(encodeValue(value))))).toEqual(value);
  });

  test('a value it cannot carry is refused by name, not turned into {}', () => {
    expect(() => encodeValue({ m: new Map() })).toThrow("a threaded run's message holds a value bundle.json cannot carry: [object Map]");
    expect(() => encodeValue({ d: new Float64Array(2) })).toThrow('[object Float64Array]');
  });
});

describe('qnxemu web on two guests (threads by default)', () => {
  test('records the threaded run, says so, and writes no guest image or v86 (the page does not run the guests)', () => {
    expect(webOut).toMatch(/^qnxemu web: ran linux1, linux2 in worker threads \(--threads \d+\) as qnxemu run does, to 5\.000000000: \d+ events, trace-hash [0-9a-f]{16}…; the page replays that run$/m);
    const b = checkBundle(JSON.parse(json));
    expect(b.threaded!.traceHash).toBe(runHash);
    expect(b.threaded!.guests.map((g) => (g as { name: string }).name)).toEqual(['linux1', 'linux2']);
    expect(webOut).not.toContain('guest/bzImage');
    expect(webOut).not.toContain('v86/v86.wasm');
  });

  test('in a page without SharedArrayBuffer, the session replays `qnxemu run`\'s run: its trace-hash, consoles, end', async () => {
    const { ctx, api } = browserContext(code, { isolated: false });
    const s = await api.openSession(parseIn<ScenarioBundle>(ctx, json));
    expect(s.info().traceHash).toBe(runHash);
    expect(s.info().threads).toBe(2);
    const end = s.continue();
    expect(end.reason).toBe('end');
    expect(end.lines.join('\n')).toContain(`the same trace-hash as the threaded run (${runHash.slice(0, 16)}…)`);
    expect(s.consoles()['linux1']!.join('\n')).toContain('20 packets transmitted, 20 packets received, 0% packet loss');
    const collisions = s.records(0, s.recordCount()).filter((r) => r.layer === 'wire' && r.probe === 'collision');
    expect(runCollisions).toBeGreaterThan(0);
    expect(collisions.length).toBe(runCollisions);
    // The guests' NIC models stayed in the workers: their ports' frames are counted from the wire, and `show nic` says why not more.
    const c = s.counters().nics;
    for (const nic of ['linux1.nic0', 'linux2.nic0']) expect(c[nic]!['link-tx-frames']).toBeGreaterThan(20);
    expect(runDelivered).toBeGreaterThan(20);
    expect(c['linux1.nic0']!['link-rx-frames']).toBe(runDelivered);
    expect(() => s.nic('linux1.nic0')).toThrow(
      "linux1 is a Linux guest that ran in a worker thread in the run this page replays: its NIC models stayed there (its records, console and frames are here); to see its registers, open the page with qnxemu web --no-threads (the single-threaded engine's run: another run)",
    );
    const back = s.back(5);
    expect(back.executed).toBe(end.executed - 5);
    expect(s.continue().lines.join('\n')).toContain('the same trace-hash as the threaded run');
  }, RUN_MS);

  test('a recording that lost one of its frames gives another run, and the end of the replay says DIVERGED', async () => {
    const b = JSON.parse(json) as ScenarioBundle & { threaded: { guests: { messages: { k: string }[] }[] } };
    const msgs = b.threaded.guests[0]!.messages;
    msgs.splice(msgs.findIndex((m) => m.k === 'tx'), 1);
    const { ctx, api } = browserContext(code, { isolated: false });
    const s = await api.openSession(parseIn<ScenarioBundle>(ctx, JSON.stringify(b)));
    expect(s.info().traceHash).not.toBe(runHash);
    expect(s.continue().lines.join('\n')).toContain(`DIVERGED: this replay's trace-hash`);
  }, RUN_MS);

  test('a failure bundle of the scenario (qnxemu test --artifacts) is recorded again by qnxemu web, and opens stopped at the failure', async () => {
    // During the pings (the guests' shells are up at ≈ 0.34 s, the pings end at ≈ 0.56 s): guest messages come after it.
    const failure = { t: 450_000_000, expectation: 'expect[0] linux1 console shows "21 packets"', message: 'not found' };
    const outcome: ScenarioOutcome = {
      ...{ file: FILE, name: 'two-guests-collide', status: 'failed', error: null, expectations: [], failures: [], faultNotes: [] },
      ...{ seed: 1, traceHash: null, virtualTime: 0, events: 0, wallMs: 0, artifacts: [], failure },
    };
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'qnxemu-threaded-failure-'));
    const { written } = writeFailureBundles([outcome], dir);
    expect(JSON.parse(fs.readFileSync(written[0]!.file, 'utf8')).threaded).toBeUndefined();
    const web = await cli(['web', written[0]!.file, '--out', path.join(dir, 'site')]);
    expect(web.stderr).toBe('');
    expect(web.stdout).toMatch(/^qnxemu web: ran linux1, linux2 in worker threads/m);
    expect(web.stdout).toMatch(/^qnxemu web: two-guests-collide, seed 1, stopped at 0\.450000000 where /m);
    const { ctx, api } = browserContext(code, { isolated: false });
    const s = await api.openSession(parseIn<ScenarioBundle>(ctx, fs.readFileSync(path.join(dir, 'site', 'bundle.json'), 'utf8')));
    expect(s.info().traceHash).toBe(runHash);
    expect(s.info().failure).toEqual(failure);
    expect(s.current().reason).toBe('until');
    expect(s.current().now).toBeLessThanOrEqual(450_000_000);
    expect(s.current().executed).toBeGreaterThan(0);
    // Stopped there, the guests' records are handed over up to the failure's time, not up to the next event's.
    const recs = s.records(0, s.recordCount());
    expect(recs.length).toBeGreaterThan(0);
    expect(recs.filter((r) => r.t > 450_000_000)).toEqual([]);
    expect(s.current().lines.join('\n')).toMatch(/ran every event up to 0\.450000000; next event linux\d\.msg at 0\.4[5-9]\d{7}/);
    // The next event of the run comes after the failure's time, and the run goes on to the threaded run's end.
    expect(s.step().now).toBeGreaterThan(450_000_000);
    expect(s.continue().lines.join('\n')).toContain('the same trace-hash as the threaded run');
  }, RUN_MS);

  test('a recording of other guests than the scenario\'s: one line', async () => {
    const b = JSON.parse(json) as ScenarioBundle & { threaded: { guests: { name: string }[] } };
    b.threaded.guests[1]!.name = 'linux9';
    const { ctx, api } = browserContext(code, { isolated: false });
    await expect(api.openSession(parseIn<ScenarioBundle>(ctx, JSON.stringify(b)))).rejects.toThrow(
      "the bundle's threaded run recorded guests linux1, linux9, but the scenario's guests are linux1, linux2: make the bundle again with qnxemu web",
    );
  });
});
