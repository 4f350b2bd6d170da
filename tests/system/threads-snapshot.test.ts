/**
 * Snapshot files with the guests in worker threads (`qnxemu run … --threads N --snapshot-at T --snapshot-out F`,
 * `--restore F --threads N`; docs/guest-time-model.md "Snapshots with worker threads"). The main thread's part is
 * taken at T, each guest's in its worker at its snapshot point (after the quantum it was in at T); a restore replays
 * each guest in its worker to that point, checks it and takes over. From T on the restored run is the snapshotting
 * run: the same trace hash, consoles and pcap bytes, whatever the number of threads, and whether or not the
 * snapshotting run went on after T. `qnxemu console --threads` types piped lines at a guest in its worker, from the
 * start or from a snapshot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliAsync, REPO, tmpdir, type CliResult } from './helpers';

/** The CLI with `input` piped to its stdin (`qnxemu console` reads lines from a pipe), colours off. */
const cliWithInput = (args: string[], o: { input: string }): Promise<CliResult> => cliAsync(args, 380_000, { input: o.input, env: { ...process.env, NO_COLOR: '1' } });

const NE2K_PCI = path.join(REPO, 'docs/examples/guest-ne2k-pci.yaml');
/** In the middle of the guest's boot (its shell is up at ≈ 0.34 s of guest time). */
const T = '0.2s';
const END = '4.5s';

const hash = (r: CliResult): string => /^trace-hash (\w+)$/m.exec(r.stdout)?.[1] ?? `(no hash: ${r.stderr.trim()})`;
/** Console lines with their --timestamps at or after `from` seconds. */
const linesFrom = (r: CliResult, from: number): string[] =>
  r.stdout.split('\n').filter((l) => {
    const m = /^\[\s*([\d.]+)\]/.exec(l);
    return m !== null && Number(m[1]) >= from;
  });
const oneErrorLine = (r: CliResult): string => {
  expect(r.status).toBe(1);
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

describe('snapshots of a run with guests in worker threads', () => {
  const dir = tmpdir('threads-snapshot');
  const file = (n: string) => path.join(dir, n);
  let taken: CliResult;

  beforeAll(async () => {
    fs.mkdirSync(file('pcap-take'));
    // The run that takes the snapshot at 0.2 s and goes on to 4.5 s, and one that ends at the snapshot's time.
    const [a, b] = await Promise.all([
      cliAsync(['run', NE2K_PCI, '--threads', '2', '--until', END, '--snapshot-at', T, '--snapshot-out', file('a.snap'), '--pcap', file('pcap-take'), '--timestamps']),
      cliAsync(['run', NE2K_PCI, '--threads', '2', '--until', T, '--snapshot-at', T, '--snapshot-out', file('b.snap')]),
    ]);
    taken = a;
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.stdout).toContain(`snapshot ${file('a.snap')} at 0.200000 s`);
    expect(b.stdout).toContain(`snapshot ${file('b.snap')} at 0.200000 s`);
  }, 400_000);

  test('restored with 1 thread: the same trace hash, the consoles from T on and the same pcap bytes', async () => {
    fs.mkdirSync(file('pcap-restore'));
    const [r, fromEnd] = await Promise.all([
      cliAsync(['run', NE2K_PCI, '--threads', '1', '--until', END, '--restore', file('a.snap'), '--pcap', file('pcap-restore'), '--timestamps']),
      // The snapshot of the run that ended at T holds the same world: its quantum at T finished after the run's end.
      cliAsync(['run', NE2K_PCI, '--threads', '2', '--until', END, '--restore', file('b.snap')]),
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^restored .*a\.snap at 0\.200000 s \(the run before it rebuilt: \d+ events\)$/m);
    expect(hash(r)).toBe(hash(taken));
    // The summary counts the guest's events up to the end as well as the main thread's: the same in both runs.
    const events = (x: CliResult) => /^simulated 4\.500000 s of virtual time in (\d+) events/m.exec(x.stdout)?.[1];
    expect(events(r)).toBe(events(taken));
    expect(Number(events(r))).toBeGreaterThan(Number(/before it rebuilt: (\d+) events/.exec(r.stdout)?.[1]) + 1000);
    expect(hash(fromEnd)).toBe(hash(taken));
    // The guest's boot ends after 0.2 s: its whole console, and alpha's ping, come after the restore.
    const after = linesFrom(taken, 0.2);
    expect(after.some((l) => l.includes('linux1 | qnxemu-guest-ready'))).toBe(true);
    expect(linesFrom(r, 0.2)).toEqual(after);
    const pcaps = fs.readdirSync(file('pcap-take')).sort();
    expect(pcaps.length).toBeGreaterThan(0);
    expect(fs.readdirSync(file('pcap-restore')).sort()).toEqual(pcaps);
    for (const p of pcaps) expect(fs.readFileSync(file(`pcap-restore/${p}`)).equals(fs.readFileSync(file(`pcap-take/${p}`)))).toBe(true);
  }, 400_000);

  test('qnxemu console --threads: piped lines typed at the guest in its worker, from the start and from the snapshot', async () => {
    const input = (text: string) => ({ input: text });
    const [fresh, restored] = await Promise.all([
      cliWithInput(['console', NE2K_PCI, 'linux1', '--threads', '2', '--speed', '1000'], input('echo hello-threads\nuname -m\n')),
      cliWithInput(['console', NE2K_PCI, 'linux1', '--threads', '1', '--speed', '1000', '--restore', file('a.snap')], input('echo after-restore\n')),
    ]);
    expect(fresh.status).toBe(0);
    // The guest's serial output, streamed from its worker; other nodes' lines prefixed; the run ends when the input
    // has ended and the shell is back at its prompt.
    expect(fresh.stdout).toMatch(/^guest# echo hello-threads\nhello-threads\nguest# uname -m\ni686\nguest# \n/m);
    expect(fresh.stdout).toMatch(/^alpha \| 3 packets transmitted, 3 packets received/m);
    expect(fresh.stdout).toMatch(/^simulated [\d.]+ s of virtual time \(seed 1\)$/m);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/^guest# echo after-restore\nafter-restore\n/m);
  }, 400_000);

  test('the two engines do not restore each other\'s snapshots: one line each', async () => {
    const [wrongEngine, single] = await Promise.all([
      cliAsync(['run', NE2K_PCI, '--until', END, '--restore', file('a.snap')]),
      cliAsync(['run', NE2K_PCI, '--until', '1s', '--snapshot-at', '1s', '--snapshot-out', file('single.snap')]),
    ]);
    expect(oneErrorLine(wrongEngine)).toMatch(/^qnxemu: --restore .*a\.snap: taken with the guests in worker threads \(--threads\): restore it with --threads$/);
    expect(single.status).toBe(0);
    const r = await cliAsync(['run', NE2K_PCI, '--until', END, '--threads', '2', '--restore', file('single.snap')]);
    expect(oneErrorLine(r)).toMatch(/^qnxemu: --restore .*single\.snap: taken with the guests on the main thread: restore it with --no-threads/);
  }, 400_000);
});
