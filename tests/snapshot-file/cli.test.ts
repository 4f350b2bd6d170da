/**
 * `qnxemu run|boot --snapshot-at T --snapshot-out FILE` and `--restore FILE` on scenarios of simulated QNX nodes
 * (docs/formats/snapshot.md): taking a snapshot changes nothing in the run; a restored run has the same trace hash,
 * pcaps and expectations' outcomes as the uninterrupted one and prints only what came after T; every misuse is one
 * line on stderr and a non-zero status (the run's other outputs complete when only the snapshot cannot be written).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO, tmpdir } from '../system/helpers';

const CLI = path.join(REPO, 'dist/qnxemu.js');
const PING = path.join(REPO, 'docs/examples/ping.yaml');
/** Actions, faults and expectations: the timeline's own events (run.end) are pending at T. */
const FAULTS = path.join(REPO, 'docs/examples/link-faults.yaml');

function qnxemu(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 100_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hashOf = (out: string): string => /^trace-hash (\w+)$/m.exec(out)?.[1] ?? 'none';

function expectOneLine(r: { status: number | null; stderr: string; stdout: string }, re: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(re);
}

const dir = tmpdir('snapfile-cli');

describe.each([
  ['ping.yaml', PING, '2s', 2],
  ['link-faults.yaml', FAULTS, '3500ms', 3.5],
])('%s', (_name, file, at, atSeconds) => {
  const d = path.join(dir, path.basename(file, '.yaml'));
  let plain: ReturnType<typeof qnxemu>;
  let taking: ReturnType<typeof qnxemu>;
  let restored: ReturnType<typeof qnxemu>;
  beforeAll(() => {
    plain = qnxemu(['run', file, '--pcap', `${d}/plain`]);
    taking = qnxemu(['run', file, '--pcap', `${d}/taking`, '--snapshot-at', at, '--snapshot-out', `${d}/s.snap`]);
    restored = qnxemu(['run', file, '--pcap', `${d}/restored`, '--restore', `${d}/s.snap`]);
  }, 200_000);

  test('taking a snapshot changes nothing; restoring gives the same trace hash, pcaps and outcome', () => {
    for (const r of [plain, taking, restored]) expect(r.stderr).toBe('');
    expect([plain.status, taking.status, restored.status]).toEqual([0, 0, 0]);
    expect(taking.stdout).toMatch(new RegExp(`^snapshot ${d}/s\\.snap at ${atSeconds.toFixed(6)} s \\(\\d+\\.\\d KiB, deflate\\)$`, 'm'));
    expect(hashOf(taking.stdout)).toBe(hashOf(plain.stdout));
    expect(hashOf(restored.stdout)).toBe(hashOf(plain.stdout));
    for (const pcap of fs.readdirSync(`${d}/plain`)) {
      const want = fs.readFileSync(`${d}/plain/${pcap}`);
      expect(fs.readFileSync(`${d}/taking/${pcap}`).equals(want)).toBe(true);
      expect(fs.readFileSync(`${d}/restored/${pcap}`).equals(want)).toBe(true);
    }
    const tail = (out: string): string => out.slice(out.indexOf('\nsimulated ')).replace(/\/(plain|restored)\//g, '/…/');
    expect(tail(restored.stdout)).toBe(tail(plain.stdout));
  });

  test('the restored run prints what came after the snapshot', () => {
    const lines = restored.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^restored ${d}/s\\.snap at ${atSeconds.toFixed(6)} s \\(the run before it rebuilt: \\d+ events\\)$`));
    const after = lines.slice(1, lines.findIndex((l) => l.startsWith('simulated ')));
    const plainLines = plain.stdout.split('\n');
    const end = plainLines.findIndex((l) => l.startsWith('simulated '));
    expect(plainLines.slice(end - after.length, end)).toEqual(after);
  });
});

test("qnxemu console --restore starts at the snapshot: a shell on beta, alpha's lines after T only", () => {
  const snap = path.join(dir, 'ping', 's.snap');
  const r = qnxemu(['console', PING, 'beta', '--restore', snap, '--speed', '100', '--until', '3s'], 'echo hello\n');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^# echo hello\nhello\n/);
  expect(r.stdout).toMatch(/^alpha \| 64 bytes from 10\.0\.0\.2: icmp_seq=1 /m);
  expect(r.stdout).not.toMatch(/icmp_seq=0/);
  expect(r.stdout).toMatch(/^simulated 3\.000000 s of virtual time \(seed 1\)$/m);
  expectOneLine(qnxemu(['console', FAULTS, 'beta', '--restore', snap]), /^qnxemu: --restore \S+: taken of scenario ping/);
});

describe('misuse is one line and a non-zero status', () => {
  const snap = path.join(dir, 'ping', 's.snap');
  test('--snapshot-at and --snapshot-out go together; T within the run', () => {
    expectOneLine(qnxemu(['run', PING, '--snapshot-at', '1s']), /^qnxemu: --snapshot-at: needs --snapshot-out <file>/);
    expectOneLine(qnxemu(['run', PING, '--snapshot-out', `${dir}/x.snap`]), /^qnxemu: --snapshot-out: needs --snapshot-at <time>/);
    expectOneLine(qnxemu(['run', PING, '--snapshot-at', '5s', '--snapshot-out', `${dir}/x.snap`]), /^qnxemu: --snapshot-at 5\.000000 s: is past the run's end \(3\.000000 s\)$/);
    expectOneLine(qnxemu(['run', PING, '--snapshot-at', 'soon', '--snapshot-out', `${dir}/x.snap`]), /^qnxemu: option '--snapshot-at <time>' argument 'soon' is invalid/);
  });
  test('another scenario, another seed, a restore past --until, a later verbosity', () => {
    expectOneLine(qnxemu(['run', FAULTS, '--restore', snap]), /^qnxemu: --restore \S+: taken of scenario ping \(.*ping\.yaml\), which is not this one \(link-faults/);
    expectOneLine(qnxemu(['run', PING, '--restore', snap, '--seed', '2']), /^qnxemu: --restore \S+: taken with seed 1, not 2$/);
    expectOneLine(qnxemu(['run', PING, '--restore', snap, '--until', '1s']), /^qnxemu: --restore \S+: taken at 2\.000000 s, past the run's end \(1\.000000 s\)$/);
    expectOneLine(qnxemu(['run', PING, '--restore', snap, '--verbose-trace']), /^qnxemu: --restore \S+: taken without --verbose-trace/);
    expectOneLine(qnxemu(['boot', '--restore', snap]), /^qnxemu: --restore \S+: taken of scenario ping/);
  });
  test('missing, truncated, corrupt files', () => {
    expectOneLine(qnxemu(['run', PING, '--restore', `${dir}/none.snap`]), /^qnxemu: --restore \S+none\.snap: cannot read it: no such file$/);
    const bytes = fs.readFileSync(snap);
    fs.writeFileSync(`${dir}/cut.snap`, bytes.subarray(0, bytes.length - 3));
    expectOneLine(qnxemu(['run', PING, '--restore', `${dir}/cut.snap`]), /^qnxemu: --restore \S+cut\.snap: truncated: the header describes \d+ bytes, the file has \d+$/);
    const bad = Buffer.from(bytes);
    bad[bad.length - 3] = bad[bad.length - 3]! ^ 0xff;
    fs.writeFileSync(`${dir}/bad.snap`, bad);
    expectOneLine(qnxemu(['run', PING, '--restore', `${dir}/bad.snap`]), /^qnxemu: --restore \S+bad\.snap: corrupt: part meta does not match its SHA-256$/);
    expectOneLine(qnxemu(['run', PING, '--restore', PING]), /^qnxemu: --restore \S+ping\.yaml: not a qnxemu snapshot file/);
  });
  test('an unwritable --snapshot-out is refused before the run', () => {
    expectOneLine(qnxemu(['run', PING, '--snapshot-at', '1s', '--snapshot-out', '/proc/qnxemu/x.snap']), /^qnxemu: --snapshot-out \/proc\/qnxemu\/x\.snap: cannot write there/);
    expectOneLine(qnxemu(['run', PING, '--snapshot-at', '1s', '--snapshot-out', dir]), /^qnxemu: --snapshot-out \S+: is a folder, not a file$/);
  });
});
