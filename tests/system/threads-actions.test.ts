/**
 * Guests in worker threads (`--threads N`) that a scenario types at: actions typed at a guest's shell and interface
 * counters read at it (`cat /proc/net/dev` between marker lines) go to the guest's worker as timed messages, and the
 * main thread's stand-in of the shell (guest-workers.ts RemoteShell) learns what the shell did from reports stamped
 * with virtual time. Checked here: the stand-in counts a report only from 1 ns after its time; with two guests typed
 * at (tests/fixtures/threads/guest-actions.yaml) `--threads 1` and the default (two guests: the machine's cores,
 * guest-threads.ts) give the same stdout, trace-hash and pcaps; `qnxemu test` runs a suite so by default (the same
 * trace as `run`), with the same outcomes as `--no-threads` (the single-threaded engine: another trace), and a bad N
 * is one line.
 *
 * Each run boots two Linux guests under v86 (about a minute of wall time, more with the runs side by side on a
 * 2-core machine): the timeouts are generous.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, cliAsync, REPO, tmpdir, type CliResult } from './helpers';
import { ensureGuestImage } from '../../emulator/app/guest-image';
import { RemoteShell } from '../../emulator/app/assembly/guest-workers';
import { sharedRun } from '../helpers/shared-run';

const ACTIONS = path.join(REPO, 'tests/fixtures/threads/guest-actions.yaml');
const PING = path.join(REPO, 'docs/examples/ping.yaml');
const RUN_MS = 600_000;
const qnxemu = (args: string[]): Promise<CliResult> => cliAsync(args);

/** One node's console lines as `run` prints them (`linux1 | text`, nodes interleaved by time). */
const consoleOf = (stdout: string, node: string): string =>
  stdout.split('\n').flatMap((l) => (l.startsWith(`${node} | `) ? [l.slice(node.length + 3)] : [])).join('\n');

const hashOf = (stdout: string): string => /^trace-hash ([0-9a-f]{64})$/m.exec(stdout)?.[1] ?? `no trace-hash in: ${stdout}`;

/** Every expectation's verdict and label (`ok   expect[4] linux1's counters at 5.5 s`), without the actual value. */
const verdicts = (stdout: string): string[] => stdout.split('\n').flatMap((l) => /^(ok  |FAIL) (expect\[\d+\] [^:]+):/.exec(l)?.slice(1, 3).join(' ') ?? []);

interface ResultJson {
  status: string;
  traceHash: string | null;
  expectations: { ok: boolean; label: string }[];
}
const result = (dir: string): ResultJson => JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as ResultJson;

describe('RemoteShell: what the worker\'s shell did, by virtual time', () => {
  const setup = (commands: number) => {
    const clock = { now: 0 };
    const sent: string[] = [];
    const shell = new RemoteShell(clock, commands, (c) => sent.push(c));
    return { clock, sent, shell };
  };

  test('queued commands count at once (the guest\'s `commands:` first); typed ones from 1 ns after they were typed', () => {
    const { clock, sent, shell } = setup(2);
    expect(shell.typed + shell.waiting).toBe(2);
    clock.now = 50;
    shell.queue('echo a');
    expect(sent).toEqual(['echo a']);
    expect([shell.typed, shell.waiting]).toEqual([0, 3]);
    shell.report({ k: 'shell', t: 100, what: 'typed' });
    shell.report({ k: 'shell', t: 200, what: 'typed' });
    // Reports of later times can arrive before the main thread's clock gets there: they do not count yet.
    expect([shell.typed, shell.waiting]).toEqual([0, 3]);
    clock.now = 100;
    expect(shell.typed).toBe(0);
    clock.now = 101;
    expect([shell.typed, shell.waiting]).toEqual([1, 2]);
    clock.now = 201;
    expect([shell.typed, shell.waiting]).toEqual([2, 1]);
  });

  test('ready from 1 ns after the first prompt', () => {
    const { clock, shell } = setup(0);
    shell.report({ k: 'shell', t: 3_500_000_000, what: 'prompt' });
    clock.now = 3_500_000_000;
    expect(shell.ready).toBe(false);
    clock.now = 3_500_000_001;
    expect(shell.ready).toBe(true);
  });
});

beforeAll(async () => {
  // A fresh clone builds the guest image on the first guest run: once, before the runs below go side by side.
  await ensureGuestImage({ progress: false });
}, RUN_MS);

/**
 * `run` of the fixture with its pcaps and no --threads: two guests, so threads, as many as the machine has cores (2
 * on CI). Both tests below compare with it (one two-guest boot, not two).
 */
const runDefault = sharedRun(() => {
  const pcap = tmpdir('actions2');
  return { pcap, result: qnxemu(['run', ACTIONS, '--pcap', pcap, '--no-color']) };
});

describe('scenario actions and counter reads at guests in worker threads', () => {
  test('--threads 1 and the default (the machine\'s cores): same stdout, trace-hash and pcaps; the actions were typed and every expectation held', async () => {
    const p1 = tmpdir('actions1');
    const p2 = runDefault().pcap;
    const [one, two] = await Promise.all([qnxemu(['run', ACTIONS, '--pcap', p1, '--threads', '1', '--no-color']), runDefault().result]);
    expect(one.stderr).toBe('');
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(two.stdout.split(p2).join('<pcap>')).toBe(one.stdout.split(p1).join('<pcap>'));
    for (const f of fs.readdirSync(p1)) expect(fs.readFileSync(path.join(p2, f)).equals(fs.readFileSync(path.join(p1, f)))).toBe(true);
    // linux1's action (4 s) waited behind its own `sleep 1`; linux2 got two; both counter reads came back.
    const [linux1, linux2] = [consoleOf(one.stdout, 'linux1'), consoleOf(one.stdout, 'linux2')];
    expect(linux1).toMatch(/^guest# sleep 1\nguest# ping -c 3 -i 0\.2 10\.0\.0\.4$/m);
    expect(linux2).toMatch(/^guest# echo typed-by-an-action\ntyped-by-an-action\n/m);
    expect(linux1).toMatch(/^qnxemu-read-1-end$/m);
    expect(linux2).toMatch(/^qnxemu-read-2-end$/m);
    expect(one.stdout).toMatch(/^expectations: 6 passed, 0 failed$/m);
    expect(one.stdout).not.toMatch(/never ran|worker thread/);
  }, RUN_MS);

  test('qnxemu test: threads by default, the same run as run; --no-threads the single-threaded engine, another trace, the same outcomes', async () => {
    const [threaded, plain] = [tmpdir('actions-test2'), tmpdir('actions-test0')];
    const junit = path.join(threaded, 'junit.xml');
    const [t2, t0, run2] = await Promise.all([
      qnxemu(['test', PING, ACTIONS, '--jobs', '1', '--no-progress', '--junit', junit, '--artifacts', threaded]),
      qnxemu(['test', ACTIONS, '--no-threads', '--jobs', '1', '--no-progress', '--artifacts', plain]),
      runDefault().result,
    ]);
    expect(t0.status).toBe(0);
    // Both scenarios ran (the guests' one threaded) and passed. (A guest on the air runs threaded too: threads.test.ts.)
    expect(t2.status).toBe(0);
    expect(t2.stdout).toMatch(/^2 scenarios: 2 passed, 0 failed, 0 errors? in /m);
    expect(t2.stdout).toMatch(/^PASS  .*ping\.yaml /m);
    expect(t2.stdout).toMatch(/^PASS  .*guest-actions\.yaml /m);
    const xml = fs.readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase name="guest-actions"/);
    expect(xml).not.toMatch(/<error /);
    // The scenario in the suite is the run of `run` (same trace: threaded), and it judged as the run without threads,
    // which is the single-threaded engine's (another run: the 1 ns boundary, nested catch-ups).
    const [r2, r0] = [result(path.join(threaded, 'guest-actions')), result(path.join(plain, 'guest-actions'))];
    expect(r2.traceHash).toBe(hashOf(run2.stdout));
    expect(r0.status).toBe('passed');
    expect(r0.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r0.traceHash).not.toBe(r2.traceHash);
    expect(r2.status).toBe('passed');
    expect(r2.expectations.map((e) => [e.ok, e.label])).toEqual(r0.expectations.map((e) => [e.ok, e.label]));
    expect(verdicts(run2.stdout)).toHaveLength(6);
    expect(verdicts(run2.stdout).every((v) => v.startsWith('ok'))).toBe(true);
  }, RUN_MS);
});

describe('qnxemu test: a bad --threads value', () => {
  // As for `run --threads 0` (threads.test.ts): one line on stderr naming the option, exit status 1.
  test.each(['0', 'x'])('--threads %s is one clear line', (n) => {
    const r = spawnSync(process.execPath, [CLI, 'test', PING, '--threads', n], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^qnxemu: .*--threads/);
  });
});
