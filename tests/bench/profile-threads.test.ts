/**
 * `npm run profile` of threaded runs and windows (scripts/profile-threads.ts, scripts/profile.ts): console lines as
 * printed, the window between two of them, a profile cut to it, which thread ran which guest, and real runs of
 * dist/profile.js (jest's global setup builds it): the in-process engine cut to a window, and two guests in worker
 * threads profiled thread by thread as `qnxemu run` runs them (the same trace-hash).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consoleLine, findWindow, threadGuests, threadIdOf, threadOut, windowProfile, type StampedLine } from '../../scripts/profile-threads';
import { topSelfTime, type CpuProfile } from '../../scripts/profile-top';
import { profileCli, REPO } from '../helpers/profile-cli';

const CLI = path.join(REPO, 'dist/qnxemu.js');
const PING = path.join(REPO, 'docs/examples/ping.yaml');
const COLLIDE = path.join(REPO, 'tests/fixtures/threads/two-guests-collide.yaml');

const frame = (functionName: string) => ({ functionName, url: 'file:///x/a.js', lineNumber: 0, columnNumber: 0 });

describe('console lines and the window between two', () => {
  test.each([
    ['linux1  | [    0.000000] Linux version', 'linux1 | [    0.000000] Linux version'],
    ['alpha | PING 10.0.0.2 (10.0.0.2): 56 data bytes', 'alpha | PING 10.0.0.2 (10.0.0.2): 56 data bytes'],
    ['alpha | ', 'alpha | '],
    ['simulated 3.000000 s of virtual time in 757 events (seed 1)', null],
    ['trace-hash 3163ffe6', null],
  ])('%j is %j', (printed, line) => {
    expect(consoleLine(printed)).toBe(line);
  });

  const lines: StampedLine[] = [
    { line: 'a | boot', micros: 100 },
    { line: 'b | ready', micros: 250 },
    { line: 'a | ready', micros: 300 },
    { line: 'a | done', micros: 900 },
    { line: 'b | ready', micros: 950 },
  ];

  test('from the first line matching --from to the first after it matching --to', () => {
    expect(findWindow(lines, /a \| ready/, /ready/)).toEqual({ from: 300, to: 950 });
    expect(findWindow(lines, /ready/, /ready/)).toEqual({ from: 250, to: 300 });
    expect(findWindow(lines, null, /done/)).toEqual({ from: -Infinity, to: 900 });
    expect(findWindow(lines, /done/, null)).toEqual({ from: 900, to: Infinity });
    expect(findWindow(lines, null, null)).toBeNull();
  });

  test('a pattern that matches nothing (after --from, for --to) is named', () => {
    expect(findWindow(lines, /nope/, /done/)).toEqual({ missing: 'from' });
    expect(findWindow(lines, /done/, /boot/)).toEqual({ missing: 'to' });
  });

  test('a profile cut to a window keeps the samples in it, each standing for the time to the next', () => {
    // Samples at 100, 300, 350, 1000 µs; the profile ends at 1100.
    const p: CpuProfile = {
      nodes: [{ id: 1, callFrame: frame('(root)') }, { id: 2, callFrame: frame('f') }, { id: 3, callFrame: frame('g') }],
      startTime: 0,
      endTime: 1100,
      samples: [2, 3, 2, 3],
      timeDeltas: [100, 200, 50, 650],
    };
    const w = windowProfile(p, 250, 900);
    expect(w).toEqual({ nodes: p.nodes, startTime: 250, endTime: 900, samples: [3, 2], timeDeltas: [50, 50] });
    // g's sample at 300 stands for 50 µs (to f's at 350), f's for 550 µs (to the window's end).
    expect(topSelfTime(w, 10).map((r) => [r.name, r.micros])).toEqual([
      ['f', 550],
      ['g', 50],
    ]);
    expect(windowProfile(p, -Infinity, Infinity)).toEqual({ ...p, timeDeltas: [100, 200, 50, 650] });
  });
});

describe('which thread ran which guest', () => {
  test('node --cpu-prof file names carry the thread id', () => {
    expect(threadIdOf('/tmp/x/CPU.20261207.174036.10088.0.001.cpuprofile')).toBe(0);
    expect(threadIdOf('CPU.20261207.174037.10088.12.002.cpuprofile')).toBe(12);
    expect(threadIdOf('flood.cpuprofile')).toBeNull();
  });

  test('the main thread runs the hosted guest; workers the others in scenario order', () => {
    expect([...threadGuests([2, 0], ['linux1', 'linux2'], 1)]).toEqual([
      [0, 'linux2'],
      [2, 'linux1'],
    ]);
    expect([...threadGuests([0, 3, 1, 2], ['a', 'b', 'c'], -1)]).toEqual([
      [0, null],
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(() => threadGuests([0], ['a', 'b'], 1)).toThrow('expected 1 worker profiles, found 0');
  });

  test("a worker's profile goes beside the main thread's", () => {
    expect(threadOut('/t/run.cpuprofile', 'linux1')).toBe('/t/run.linux1.cpuprofile');
    expect(threadOut('/t/run.prof', 'linux1')).toBe('/t/run.prof.linux1.cpuprofile');
  });
});

/** `qnxemu run …` as a child process. */
function qnxemu(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

describe('npm run profile with threads and windows', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-profile-threads-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    [['--from', '('], /^profile: option '--from <regex>' argument '\(' is invalid\. a regular expression \(JavaScript syntax\)/],
    [['--to', '[a'], /^profile: option '--to <regex>' argument '\[a' is invalid\. a regular expression/],
    [['--threads', '0'], /^profile: option '--threads <n>' argument '0' is invalid\. --threads is an integer 1\.\.256, or auto/],
  ])('%j: one line, exit status 2', (args, message) => {
    const r = profileCli([PING, ...args], dir);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(message);
  });

  test('the single-threaded engine cut to the window between two console lines', () => {
    const r = profileCli([PING, '--out', 'ping.cpuprofile', '--top', '3', '--from', 'alpha \\| PING', '--to', 'packets transmitted'], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toBe(`cpuprofile ${path.join(dir, 'ping.cpuprofile')} (Chrome DevTools: Performance > Load profile; or speedscope)`);
    expect(lines[2]).toMatch(/^window: \d+\.\d{3} s of wall time, from the line matching \/alpha \\\| PING\/ to the line matching \/packets transmitted\/$/);
    expect(lines[3]).toBe('top 3 functions by self time:');
    const missing = profileCli([PING, '--out', 'ping2.cpuprofile', '--from', 'no such line'], dir);
    expect(missing.status).toBe(0);
    expect(missing.stdout).toContain('window: no console line matched --from /no such line/; the tables cover the whole run\n');
  });

  test("two guests in worker threads: every thread's profile, the run qnxemu run gives", () => {
    const until = '0.3s';
    const r = profileCli([COLLIDE, '--until', until, '--threads', '2', '--out', 'collide.cpuprofile', '--top', '3', '--areas', '1'], dir);
    expect(r.stderr).toBe('');
    // The fixture's expectations need the whole run: they fail at 0.3 s, and the run is profiled all the same.
    expect(r.status).toBe(0);
    const ref = qnxemu(['run', COLLIDE, '--until', until, '--threads', '1', '--no-color'], dir);
    const hash = /^trace-hash [0-9a-f]{64}$/m.exec(ref.stdout)?.[0];
    expect(hash).toBeDefined();
    expect(r.stdout).toContain(`${hash!}\n`);
    expect(r.stdout).toMatch(/^qnxemu run --threads 2 in [\d.]+ s wall \(profiler on, every thread\)$/m);
    const main = path.join(dir, 'collide.cpuprofile');
    const worker = path.join(dir, 'collide.linux1.cpuprofile');
    const heads = r.stdout.split('\n').filter((l) => l.startsWith('== '));
    expect(heads).toEqual([`== main thread (guest linux2, media, QNX nodes, trace): cpuprofile ${main}`, `== worker thread 1 (guest linux1): cpuprofile ${worker}`]);
    for (const f of [main, worker]) {
      const p = JSON.parse(fs.readFileSync(f, 'utf8')) as CpuProfile;
      expect(p.samples!.length).toBe(p.timeDeltas!.length);
      // Each thread ran a guest: v86's wasm is in its table by area.
      expect(topSelfTime(p, Infinity).some((row) => row.where.startsWith('wasm://'))).toBe(true);
    }
    expect(r.stdout.split('\n').filter((l) => /^ +\d+\.\d % +\d+\.\d ms {2}wasm$/.test(l))).toHaveLength(2);
  });
});
