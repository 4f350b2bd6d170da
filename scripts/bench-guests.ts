/**
 * `npm run bench` figure `guests-2-xfer`: two Linux guests (v86) boot and move 1 MiB over busybox nc on a hub
 * (scripts/scenarios/bench-guests-2.yaml), run through the CLI bundle as users run it, with `--threads 1` and with
 * `--threads 2` (each guest in its own worker thread, at most N executing at once) in ROUNDS alternating rounds: on
 * this kind of VM one configuration's wall time moves by 1.5× between runs minutes apart, more than the threads change
 * it, so one run of each says little. The figure is the median wall time of the `--threads 2` runs; the context gives
 * both medians and their ratio, every round's pair, and the transfer alone
 * (from linux2's `dd` command line to linux1's `rx exit 0`, timed as the child prints them: console lines go
 * to stdout while the run goes on), and, for comparison, the run with `--no-threads` (the single-threaded engine; without
 * `--threads` two guests run threaded, as many at once as the machine has cores: guest-threads.ts), what the machine
 * gives two separate single-guest runs, and the ceiling of the ratio that follows from them (`ratioCeiling`). All
 * runs must pass the scenario's expectation and print the same
 * `trace-hash` line (the threaded engine is deterministic whatever N), else the figure is not measured.
 * When QEMU is installed, each round also runs the workload under QEMU (bench-qemu.ts): the second line,
 * `guests-2-qemu`, and the ratio of the threaded run to it in this line's context.
 * Wall-clock reads are fine here: the benchmark stands outside the simulated world and only observes it.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { ensureGuestImage } from '../emulator/app/guest-image';
import { benchLine, median, notMeasured } from './bench-line';
import { QEMU_BIN, qemuVersion, runQemuGuests2, type QemuRun } from './bench-qemu';

const ROOT = repoRoot(__dirname) ?? process.cwd();
const CLI = path.join(ROOT, 'dist/qnxemu.js');
const SCENARIO = 'scripts/scenarios/bench-guests-2.yaml';
const NAME = 'guests-2-xfer';
const QEMU_NAME = 'guests-2-qemu';
/** The same workload under QEMU 7.2 with TCG (no KVM), the reference figures given with issue 17: for scale. */
const ISSUE_QEMU = "the issue's QEMU 7.2 TCG reference: boot 6.95 s + 1 MiB 0.47 s";

/** QEMU on this machine in this run (bench-qemu.ts): its version and one run per round, or why it was not measured. */
export type QemuReference = { version: string; runs: readonly QemuRun[] } | { why: string };
/** Alternating rounds of `--threads 1` and `--threads 2` (each ≈ 15–30 s here). */
export const ROUNDS = 3;

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Wall seconds from spawn to exit. */
  seconds: number;
  /** Wall seconds from the `dd` command line to `rx exit 0` (null if either line never came). */
  xfer: number | null;
}

/** One `qnxemu run` of the scenario as a child process, its stdout read line by line as it comes. */
function runCli(threads: number | false): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ddAt: number | null = null;
    let rxAt: number | null = null;
    let stdout = '';
    let stderr = '';
    let partial = '';
    const args = [CLI, 'run', SCENARIO, ...(threads === false ? ['--no-threads'] : ['--threads', String(threads)]), '--no-color'];
    const child = spawn(process.execPath, args, { cwd: ROOT });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const now = performance.now();
      stdout += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (ddAt === null && /^linux2\s*\| .*dd if=\/dev\/zero/.test(l)) ddAt = now;
        if (rxAt === null && /^linux1\s*\| rx exit 0$/.test(l)) rxAt = now;
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const xfer = ddAt !== null && rxAt !== null ? (rxAt - ddAt) / 1000 : null;
      resolve({ status, stdout, stderr, seconds: (performance.now() - t0) / 1000, xfer });
    });
  });
}

/**
 * What this machine gives two guests that do not talk to each other at all: one single-guest run alone, then two
 * of them as separate processes at once (seconds each). 2 × alone / the slower of the pair is the most any engine
 * could gain from a second thread here (cores shared with hyperthreads or neighbours give less than 2).
 */
const ALONE = ['run', 'docs/examples/guest-ne2k-pci.yaml', '--until', '4.5s', '--no-color'];
function timeCli(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`qnxemu ${args.join(' ')} exited ${status}`))));
  });
}
async function parallelCapacity(): Promise<Capacity> {
  const alone = await timeCli(ALONE);
  const pair = await Promise.all([timeCli(ALONE), timeCli(ALONE)]);
  return { alone, pair };
}

/** One single-guest run alone and two at once, wall seconds (parallelCapacity). */
export interface Capacity {
  alone: number;
  pair: readonly number[];
}

/** 2 × alone / the slower of the pair: what a second thread can give two guests that never talk. */
const machineLine = (c: Capacity): number => (2 * c.alone) / Math.max(...c.pair);

function capacityText(c: Capacity): string {
  return `machine: one single-guest run ${c.alone.toFixed(2)} s alone, two at once ${c.pair.map((x) => x.toFixed(2)).join(' / ')} s: at most ${machineLine(c).toFixed(2)}× from a second thread`;
}

/**
 * The most the ratio could be against a `--threads 1` as fast as the single-threaded engine (docs/performance.md "The
 * ratio's ceiling"): that engine's run over the same run with all but its transfer at the machine's line and the
 * transfer split evenly over two threads (the transfer's two guests work in turns, so this is generous). Null when
 * the single-threaded run's transfer was not timed.
 */
export function ratioCeiling(single: CliRun, c: Capacity): number | null {
  if (single.xfer === null) return null;
  return single.seconds / ((single.seconds - single.xfer) / machineLine(c) + single.xfer / 2);
}

const traceHash = (stdout: string): string | null => /^trace-hash [0-9a-f]{64}$/m.exec(stdout)?.[0] ?? null;

/** Why a run does not count (null: it passed), in one line. */
function problem(threads: number | false, r: CliRun): string | null {
  const what = threads === false ? '--no-threads' : `--threads ${threads}`;
  if (r.status !== 0) return `${what} exited ${r.status}: ${r.stderr.trim().split('\n')[0] ?? ''}`.trim();
  if (!/^linux1\s*\| 1048576$/m.test(r.stdout)) return `${what}: linux1 did not receive 1048576 bytes`;
  if (traceHash(r.stdout) === null) return `${what}: no trace-hash line`;
  return null;
}

/** "4.71 / 5.02 / 6.10" (two decimals each), or "?" for a value not timed. */
function list(xs: readonly (number | null)[]): string {
  return xs.map((x) => (x === null ? '?' : x.toFixed(2))).join(' / ');
}

/** The bench line from the runs (exported for its test): null runs never make it here. */
export function guestsLine(ones: readonly CliRun[], twos: readonly CliRun[], single: CliRun, capacity: Capacity, qemu: QemuReference): string {
  const t1 = median(ones.map((r) => r.seconds));
  const t2 = median(twos.map((r) => r.seconds));
  const x1 = ones.map((r) => r.xfer);
  const x2 = twos.map((r) => r.xfer);
  const timed = [...x1, ...x2].every((x) => x !== null);
  const xfer = timed ? `xfer medians ${median(x1 as number[]).toFixed(2)} s / ${median(x2 as number[]).toFixed(2)} s` : 'xfer not timed in every run: no dd or rx exit line';
  const rounds = ones.map((r, i) => `${r.seconds.toFixed(2)} / ${twos[i]!.seconds.toFixed(2)} s (${(r.seconds / twos[i]!.seconds).toFixed(2)}×)`).join(', ');
  const top = ratioCeiling(single, capacity);
  const ceiling = top === null ? 'ceiling not computed: the --no-threads transfer was not timed' : `ceiling against a --threads 1 as fast as --no-threads: ${top.toFixed(2)}× (all but the transfer at the machine's line, the transfer halved)`;
  return benchLine(
    NAME,
    t2,
    's wall',
    `2 Linux guests boot and move 1 MiB over nc on a hub, qnxemu run ${path.basename(SCENARIO)}, medians of ${ones.length} alternating rounds: ` +
      `threads 1: ${t1.toFixed(2)} s, threads 2: ${t2.toFixed(2)} s, ratio X/Y = ${(t1 / t2).toFixed(2)}×; ${xfer}; ` +
      `rounds (threads 1 / threads 2): ${rounds}; xfer threads 1 ${list(x1)} s, threads 2 ${list(x2)} s; same trace-hash; ` +
      `--no-threads (single-threaded engine, one run): ${single.seconds.toFixed(2)} s, xfer ${single.xfer?.toFixed(2) ?? '?'} s; ${capacityText(capacity)}; ${ceiling}; ` +
      `${qemuText(t2, qemu)}; ${ISSUE_QEMU}`,
  );
}

/** "threads 2 took 1.97× QEMU 7.2.19's 7.76 s (median of 3, guests-2-qemu)", or why QEMU was not measured. */
function qemuText(threads2: number, q: QemuReference): string {
  if ('why' in q) return `QEMU not measured in this run (${q.why})`;
  const total = qemuMedian(q);
  return `threads 2 took ${(threads2 / total).toFixed(2)}× ${q.version}'s ${total.toFixed(2)} s (median of ${q.runs.length}, ${QEMU_NAME})`;
}

/** The figure: the median of QEMU's runs, spawn to `rx exit 0`. */
const qemuMedian = (q: { runs: readonly QemuRun[] }): number => median(q.runs.map((r) => r.total));

/** The `bench guests-2-qemu` line (exported for its test). */
export function qemuLine(q: QemuReference): string {
  if ('why' in q) return notMeasured(QEMU_NAME, q.why);
  const total = qemuMedian(q);
  const totals = q.runs.map((r) => r.total.toFixed(2)).join(' / ');
  const prompts = q.runs.map((r) => `${r.prompts[0].toFixed(2)} / ${r.prompts[1].toFixed(2)}`).join(', ');
  return benchLine(
    QEMU_NAME,
    total,
    's wall',
    `the guests-2-xfer workload on ${q.version} with TCG: two ${QEMU_BIN} processes joined by a UDP socket netdev, QEMU's ne2k_pci in each, ` +
      `qnxemu's guest image and kernel command line, boot and 1 MiB over nc without the scenario's sleep; median of ${q.runs.length} rounds alternating with guests-2-xfer's: ` +
      `${totals} s; prompts (linux1 / linux2) ${prompts} s; xfer median ${median(q.runs.map((r) => r.xfer)).toFixed(2)} s (no wire timing)`,
  );
}

/** Why QEMU is not measured when it is not installed. */
const NO_QEMU = `${QEMU_BIN} is not installed (apt-get install qemu-system-x86): QEMU is a reference for scale, not a dependency`;

export async function benchGuestsLines(): Promise<string[]> {
  // Built (or found) here first, so no timed run pays for building the guest image.
  const image = await ensureGuestImage({ log: () => undefined });
  const version = qemuVersion();
  const ones: CliRun[] = [];
  const twos: CliRun[] = [];
  const qemuRuns: QemuRun[] = [];
  let qemu: QemuReference = version === null ? { why: NO_QEMU } : { version, runs: qemuRuns };
  for (let i = 0; i < ROUNDS; i++) {
    ones.push(await runCli(1));
    twos.push(await runCli(2));
    if ('why' in qemu) continue;
    try {
      qemuRuns.push(await runQemuGuests2(image));
    } catch (e) {
      qemu = { why: `${version} failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  // The single-threaded engine on the same scenario (another engine, another trace-hash: docs/guest-time-model.md).
  const single = await runCli(false);
  const capacity = await parallelCapacity();
  const bad = [...ones.map((r) => problem(1, r)), ...twos.map((r) => problem(2, r)), problem(false, single)].find((p) => p !== null);
  if (bad) return [notMeasured(NAME, bad), qemuLine(qemu)];
  const hashes = new Set([...ones, ...twos].map((r) => traceHash(r.stdout)));
  if (hashes.size !== 1) return [notMeasured(NAME, `the --threads 1 and --threads 2 runs printed different trace hashes: ${[...hashes].join(' / ')}`), qemuLine(qemu)];
  return [guestsLine(ones, twos, single, capacity, qemu), qemuLine(qemu)];
}
