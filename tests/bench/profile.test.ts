/**
 * `npm run profile` (scripts/profile.ts, scripts/profile-top.ts): self time per function from a .cpuprofile as
 * DevTools counts it, positions in our bundle mapped back to the TypeScript files, argument errors as one line with
 * exit status 2, and a real run of dist/profile.js (jest's global setup builds it) writing a profile DevTools loads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { areaOf, formatTop, selfTimeByArea, topSelfTime, type CpuProfile } from '../../scripts/profile-top';
import { profileCli, REPO } from '../helpers/profile-cli';

const FLOOD = path.join(REPO, 'scripts/scenarios/bench-flood.yaml');

const frame = (functionName: string, url = 'file:///x/a.js', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

// Samples at 100, 300, 350, 1000 µs after the start; the profile ends at 1100.
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '') },
    { id: 2, callFrame: frame('hot', 'file:///x/a.js', 9) },
    { id: 3, callFrame: frame('', 'file:///x/a.js', 19) },
    { id: 4, callFrame: frame('(garbage collector)', '') },
    { id: 5, callFrame: frame('hot', 'file:///x/a.js', 9) },
  ],
  startTime: 0,
  endTime: 1100,
  samples: [2, 3, 4, 5],
  timeDeltas: [100, 200, 50, 650],
};

describe('topSelfTime', () => {
  const profile = PROFILE;

  test('a sample stands for the time to the next one; one function in two call paths is one row', () => {
    const rows = topSelfTime(profile, 10);
    expect(rows.map((r) => [r.name, r.where, r.micros])).toEqual([
      ['(garbage collector)', '', 650],
      ['hot', '/x/a.js:10', 200 + 100],
      ['(anonymous)', '/x/a.js:20', 50],
    ]);
    expect(rows.reduce((s, r) => s + r.percent, 0)).toBeCloseTo(100, 6);
    expect(rows[0]!.percent).toBeCloseTo((650 / 1000) * 100, 6);
  });

  test('limit and formatting', () => {
    const rows = topSelfTime(profile, 1);
    expect(rows).toHaveLength(1);
    expect(formatTop(rows)).toEqual(['  65.0 %       0.7 ms  (garbage collector)']);
    const long = formatTop([{ name: 'x'.repeat(150), where: 'wasm://wasm/v86.wasm:1', micros: 1000, percent: 1 }]);
    expect(long).toEqual([`   1.0 %       1.0 ms  ${'x'.repeat(47)}…  wasm://wasm/v86.wasm:1`]);
  });

  test('a mapper turns bundle positions into source positions', () => {
    const rows = topSelfTime(profile, 10, (url, line) => (url === 'file:///x/a.js' && line === 9 ? 'emulator/machine/sim/event-queue.ts:42' : null));
    expect(rows.find((r) => r.name === 'hot')!.where).toBe('emulator/machine/sim/event-queue.ts:42');
    expect(rows.find((r) => r.name === '(anonymous)')!.where).toBe('/x/a.js:20');
  });

  test('an empty profile gives no rows', () => {
    expect(topSelfTime({ nodes: [], startTime: 0, endTime: 0 }, 20)).toEqual([]);
  });
});

describe('npm run profile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-profile-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    [[], /^profile: missing required argument 'scenario' \(usage: npm run profile -- <scenario\.yaml>/],
    [[FLOOD, '--until', '10x'], /^profile: option '--until <time>' argument '10x' is invalid\. a duration such as 10s/],
    [[FLOOD, '--top', '0'], /^profile: option '--top <n>' argument '0' is invalid/],
    [[FLOOD, '--areas', '9'], /^profile: option '--areas <depth>' argument '9' is invalid\. a whole number from 1 to 8/],
    [[FLOOD, '--bogus'], /^profile: unknown option '--bogus'/],
    [[FLOOD, 'other.yaml'], /^profile: too many arguments/],
    [['no-such.yaml'], /^profile: .*no-such\.yaml.*no such file/],
    [[path.join(REPO, 'package.json')], /^profile: .*package\.json:1:1: .*nodes/],
    [[FLOOD, '--out', REPO], /^profile: --out .*: is a folder, not a file/],
  ])('%j: one line, exit status 2', (args, message) => {
    const r = profileCli(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(message);
  });

  test('a run writes a .cpuprofile and prints the top functions in our TypeScript files', () => {
    const out = path.join(dir, 'flood.cpuprofile');
    // Relative paths are the folder npm was started in (INIT_CWD).
    const r = profileCli([path.relative(dir, FLOOD), '--until', '600ms', '--out', 'flood.cpuprofile', '--top', '5', '--interval', '200', '--areas', '2'], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^simulated 0\.600000 s of virtual time in \d+ events \(seed 1\) in [\d.]+ s wall \(profiler on\); trace-hash [0-9a-f]{64}$/);
    expect(lines[1]).toBe(`cpuprofile ${out} (Chrome DevTools: Performance > Load profile; or speedscope)`);
    expect(lines[2]).toBe('top 5 functions by self time:');
    expect(lines[8]).toBe('self time by area (folders 2 deep):');
    for (const l of [...lines.slice(3, 8), ...lines.slice(9)]) expect(l).toMatch(/^ +\d+\.\d % +\d+\.\d ms {2}\S/);
    // The flood's time is the simulated QNX stack's and the emulator's: both areas are listed.
    const areas = lines.slice(9).map((l) => l.replace(/^ +\d+\.\d % +\d+\.\d ms {2}/, '').trim());
    expect(areas).toEqual(expect.arrayContaining(['stack/kernel', 'emulator/machine']));
    expect(new Set(areas).size).toBe(areas.length);
    const p = JSON.parse(fs.readFileSync(out, 'utf8')) as CpuProfile;
    expect(p.nodes.length).toBeGreaterThan(1);
    expect(p.samples!.length).toBe(p.timeDeltas!.length);
    expect(p.endTime).toBeGreaterThan(p.startTime);
    // The profile has the bundle's positions (DevTools maps them itself); the table shows the TypeScript sources.
    expect(topSelfTime(p, 1000).some((row) => row.where.includes('/dist/profile.js:'))).toBe(true);
    expect(lines.slice(3, 8).some((l) => /  (emulator|stack|nic-models)\/[\w/-]+\.ts:\d+$/.test(l))).toBe(true);
  });
});

describe('self time by area', () => {
  // name, where (as topSelfTime gives it), depth, area.
  test.each([
    ['runLoop', 'stack/kernel/scheduler.ts:333', 2, 'stack/kernel'],
    ['runLoop', 'stack/kernel/scheduler.ts:333', 1, 'stack'],
    ['store', 'nic-models/ne2000/receive.ts:158', 3, 'nic-models/ne2000'],
    ['main', 'stack/programs.ts:12', 2, 'stack'],
    ['f', 'jest.config.js:3', 2, 'jest.config.js'],
    ['main_loop', 'wasm://wasm/v86.wasm-008045d6:1', 2, 'wasm'],
    ['x', '/work/main/node_modules/v86/build/libv86.js:1', 2, 'node_modules/v86'],
    ['x', 'node_modules/@scope/pkg/lib/a.js:9', 2, 'node_modules/@scope/pkg'],
    ['emit', 'node:events:519', 2, 'node:internal'],
    ['(garbage collector)', '', 2, '(garbage collector)'],
    ['(program)', '', 2, '(program)'],
    ['update', '', 2, '(native)'],
    ['(anonymous)', '', 2, '(native)'],
  ] as const)('areaOf(%s at %s, depth %d) is %s', (name, where, depth, area) => {
    expect(areaOf({ name, where }, depth)).toBe(area);
  });

  test('selfTimeByArea sums the rows of one area; shares add up to 100 %', () => {
    // The profile of topSelfTime's tests: hot 200 + 100 µs (a.js line 9), the anonymous function 50 µs (line 19), GC 650 µs.
    const p = PROFILE;
    const mapper = (_url: string, line: number) => (line === 9 ? 'stack/kernel/a.ts:10' : 'stack/kernel/sub/b.ts:20');
    const rows = selfTimeByArea(p, 2, mapper);
    expect(rows.map((r) => [r.name, r.micros])).toEqual([
      ['(garbage collector)', 650],
      ['stack/kernel', 200 + 50 + 100],
    ]);
    expect(rows.reduce((s, r) => s + r.percent, 0)).toBeCloseTo(100, 6);
    expect(selfTimeByArea(p, 3, mapper).map((r) => r.name)).toEqual(['(garbage collector)', 'stack/kernel', 'stack/kernel/sub']);
  });
});
