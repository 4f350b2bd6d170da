/**
 * `qnxemu run <scenario> --threads N`: each guest (v86) node runs in its own worker thread, at most N executing at
 * once, kept in step by a conservative parallel discrete-event protocol. How many threads there are must not
 * change the run: `--threads 1` and `--threads 2` give the same stdout (console lines, summary, trace-hash) and the
 * same pcap bytes, while another seed gives another trace. Checked on a guest with a QNX node
 * (docs/examples/guest-ne2k-pci.yaml) and on two guests whose frames collide on a hub — where the two workers'
 * timelines meet at the same nanosecond (tests/fixtures/threads/two-guests-collide.yaml); on a BCM5701 negotiating
 * through its worker, on a switch (a Linux TCP transfer between two guests beside their pings) and on the air (an RT2560 guest associating with a QNX access point). A bad N is
 * one line.
 *
 * Each run boots Linux under v86 (15–40 s wall, longer with other runs sharing the cores): the runs of a test go
 * side by side as child processes, and the timeouts are generous.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, cliAsync, REPO, tmpdir, type CliResult } from './helpers';
import { ensureGuestImage } from '../../emulator/app/guest-image';
import { readPcap } from '../fixtures/linux-tcp/pcap';

const NE2K_PCI = path.join(REPO, 'docs/examples/guest-ne2k-pci.yaml');
const COLLIDE = path.join(REPO, 'tests/fixtures/threads/two-guests-collide.yaml');
const SWITCHED = path.join(REPO, 'tests/fixtures/threads/two-guests-switch.yaml');
const PING = path.join(REPO, 'docs/examples/ping.yaml');
/** Three guest runs at once on a 2-core machine: minutes, not seconds. */
const RUN_MS = 600_000;
/** The CLI with colours off (its output is compared as text). */
const qnxemu = (args: string[]): Promise<CliResult> => cliAsync([...args, '--no-color']);

const hashLine = (stdout: string): string => /^trace-hash [0-9a-f]{64}$/m.exec(stdout)?.[0] ?? `no trace-hash in: ${stdout}`;

/** stdout with the run's own pcap folder written as <pcap> (the `pcap <file>` lines name it; two runs, two folders). */
const withoutDir = (stdout: string, dir: string): string => stdout.split(dir).join('<pcap>');

/** Every file of a folder, by name, as bytes. */
function files(dir: string): Map<string, Buffer> {
  return new Map(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

/** The two runs printed and wrote the same, byte for byte (pcaps compared as bytes, not just by name). */
function expectSameRun(one: CliResult, two: CliResult, pcap1: string, pcap2: string): void {
  expect(two.status).toBe(one.status);
  expect(hashLine(two.stdout)).toBe(hashLine(one.stdout));
  expect(withoutDir(two.stdout, pcap2)).toBe(withoutDir(one.stdout, pcap1));
  const [a, b] = [files(pcap1), files(pcap2)];
  expect([...b.keys()]).toEqual([...a.keys()]);
  expect(a.size).toBeGreaterThan(0);
  for (const [name, bytes] of a) expect(b.get(name)!.equals(bytes)).toBe(true);
}

beforeAll(async () => {
  // On a fresh clone the first guest run builds the image (and says so on stderr): build it once, before the
  // runs compared below start side by side.
  await ensureGuestImage({ progress: false });
}, RUN_MS);

describe('--threads 1 and --threads 2 give the same run', () => {
  test('a guest and a QNX node (guest-ne2k-pci): same stdout, trace-hash and pcaps; another seed, another hash', async () => {
    const [p1, p2] = [tmpdir('threads1'), tmpdir('threads2')];
    const base = ['run', NE2K_PCI, '--until', '4.5s'];
    const [one, two, seed2] = await Promise.all([
      qnxemu([...base, '--pcap', p1, '--threads', '1']),
      qnxemu([...base, '--pcap', p2, '--threads', '2']),
      qnxemu([...base, '--seed', '2', '--threads', '2']),
    ]);
    expect(one.stderr).toBe('');
    expect(one.status).toBe(0);
    expect(seed2.status).toBe(0);
    // The guest got as far as its prompt: the run compared is a real boot, not an early stop.
    expect(one.stdout).toMatch(/^linux1\s*\| guest# sleep 4$/m);
    expectSameRun(one, two, p1, p2);
    expect(hashLine(seed2.stdout)).toMatch(/^trace-hash /);
    expect(hashLine(seed2.stdout)).not.toBe(hashLine(one.stdout));
  }, RUN_MS);

  test('two guests whose frames collide on a hub: same stdout, pcaps and trace; the trace has collisions', async () => {
    const [p1, p2] = [tmpdir('collide1'), tmpdir('collide2')];
    const traces = tmpdir('collide-trace');
    const [t1, t2] = [path.join(traces, 'one.jsonl'), path.join(traces, 'two.jsonl')];
    const [one, two] = await Promise.all([
      qnxemu(['run', COLLIDE, '--pcap', p1, '--trace', t1, '--threads', '1']),
      qnxemu(['run', COLLIDE, '--pcap', p2, '--trace', t2, '--threads', '2']),
    ]);
    expect(one.stderr).toBe('');
    // Exit 0: both pings' expectations (20 of 20 replies) held.
    expect(one.status).toBe(0);
    expectSameRun(one, two, p1, p2);
    const trace = fs.readFileSync(t1, 'utf8');
    expect(fs.readFileSync(t2, 'utf8') === trace).toBe(true);
    // The hub saw the two guests' frames overlap (the scenario's point: a collision couples the two workers).
    const collisions = trace.split('\n').filter((l) => l.includes('"layer":"wire"') && l.includes('"probe":"collision"'));
    expect(collisions.length).toBeGreaterThan(0);
  }, RUN_MS);

  test('a guest NIC with a PHY of its own (tg3 on the BCM5701) negotiates 1000BASE-T through its worker: same run', async () => {
    const tg3 = path.join(REPO, 'docs/examples/guest-tg3.yaml');
    const [p1, p2] = [tmpdir('tg3-1'), tmpdir('tg3-2')];
    const [one, two] = await Promise.all([
      qnxemu(['run', tg3, '--pcap', p1, '--threads', '1']),
      qnxemu(['run', tg3, '--pcap', p2, '--threads', '2']),
    ]);
    expect(one.stderr).toBe('');
    // Exit 0: tg3 probed the chip, the link came up at 1000 Mb/s full duplex, both nodes' pings were answered.
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/^ok {3}expect\[1\] linux1 console shows "Link is up at 1000 Mbps, full duplex"/m);
    expectSameRun(one, two, p1, p2);
  }, RUN_MS);

  test('a guest on the air (rt2500pci on the RT2560, a QNX access point): scan, connect, ping; same stdout and pcaps', async () => {
    const air = path.join(REPO, 'docs/examples/guest-rt2500pci.yaml');
    const [p1, p2] = [tmpdir('air1'), tmpdir('air2')];
    const [one, two] = await Promise.all([
      qnxemu(['run', air, '--pcap', p1, '--threads', '1']),
      qnxemu(['run', air, '--pcap', p2, '--threads', '2']),
    ]);
    expect(one.stderr).toBe('');
    // Exit 0: the guest's mac80211 scanned, authenticated and associated through its worker, and its pings came back.
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/^ok {3}expect\[2\] linux1 console shows "Connected to 00:0c:43:25:60:01 \(on wlan0\)"/m);
    expect(fs.readdirSync(p1)).toContain('air0.pcap');
    expectSameRun(one, two, p1, p2);
  }, RUN_MS);

  test("two guests on a switch, a TCP transfer beside two pings (each guest may run ahead by the switch's lookahead): same stdout and pcaps", async () => {
    const [p1, p2] = [tmpdir('switch1'), tmpdir('switch2')];
    const [one, two] = await Promise.all([
      qnxemu(['run', SWITCHED, '--pcap', p1, '--threads', '1']),
      qnxemu(['run', SWITCHED, '--pcap', p2, '--threads', '2']),
    ]);
    expect(one.stderr).toBe('');
    // Exit 0: both pings had 20 of 20 replies, and linux1's nc received all 256 KiB that linux2's Linux TCP sent.
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/^ok {3}expect\[3\] linux1 console matches "\^262144\$"/m);
    expectSameRun(one, two, p1, p2);
    // The transfer is on the wire (the pcap both runs wrote alike): 256 KiB of payload to port 5002, acknowledged.
    const tcp = readPcap(path.join(p1, 'sw0.pcap')).flatMap((f) => (f.tcp ? [f.tcp] : []));
    const toServer = tcp.filter((t) => t.dport === 5002);
    expect(toServer.reduce((n, t) => n + t.len, 0)).toBe(256 * 1024);
    expect(tcp.some((t) => t.sport === 5002 && (t.flags & 0x10) !== 0)).toBe(true);
  }, RUN_MS);
});

describe('a bad --threads value', () => {
  // As for --seed abc (cli-errors.test.ts): one line on stderr naming the option, exit status 1, no stack trace.
  test.each(['0', 'x'])('--threads %s is one clear line', (n) => {
    const r = spawnSync(process.execPath, [CLI, 'run', PING, '--threads', n], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr + r.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^qnxemu: .*--threads/);
  });
});
