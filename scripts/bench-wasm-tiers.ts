/**
 * `npm run bench` figure `guest-boot-liftoff`: one Linux guest (docs/examples/guest-ne2k-pci.yaml, to its shell at
 * 4.5 virtual s) run by the CLI bundle as users run it, with V8's wasm compilers as qnxemu chooses them (the JIT's
 * modules on Liftoff alone, v86's core tiered up as V8 would: emulator/machine/v86/wasm-tiers.ts) and with V8's
 * default tiering for everything (`node --no-liftoff-only`, which leaves the choice to V8), alternating, two rounds
 * each. The figure is the wall time with qnxemu's choice; the
 * context gives both settings' wall and CPU seconds (the child's user + system time, read from /proc while it
 * runs) and requires the same trace-hash from all four runs. Wall-clock reads are fine here: the benchmark
 * stands outside the simulated world and only observes it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { ensureGuestImage } from '../emulator/app/guest-image';
import { benchLine, median, notMeasured } from './bench-line';

const ROOT = repoRoot(__dirname) ?? process.cwd();
const CLI = path.join(ROOT, 'dist/qnxemu.js');
const NAME = 'guest-boot-liftoff';
const RUN = ['run', 'docs/examples/guest-ne2k-pci.yaml', '--until', '4.5s', '--no-color'];
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on every Linux build node runs on). */
const USER_HZ = 100;

interface TierRun {
  wall: number;
  /** User + system CPU seconds of the child as last read (null where /proc is not there). */
  cpu: number | null;
  traceHash: string | null;
  status: number | null;
}

/** utime + stime of a live process in seconds, or null. */
function cpuOf(pid: number): number | null {
  try {
    // After the command's closing parenthesis: f[0] is field 3 (state), so utime (field 14) is f[11], stime f[12].
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / USER_HZ;
  } catch {
    return null;
  }
}

function runOnce(nodeArgs: string[]): Promise<TierRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let stdout = '';
    let cpu: number | null = null;
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...RUN], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    const poll = setInterval(() => {
      if (child.pid !== undefined) cpu = cpuOf(child.pid) ?? cpu;
    }, 20);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.on('error', (e) => {
      clearInterval(poll);
      reject(e);
    });
    child.on('close', (status) => {
      clearInterval(poll);
      const traceHash = /^trace-hash ([0-9a-f]{64})$/m.exec(stdout)?.[1] ?? null;
      resolve({ wall: (performance.now() - t0) / 1000, cpu, traceHash, status });
    });
  });
}

function summary(runs: TierRun[]): string {
  const cpus = runs.map((r) => r.cpu);
  const cpu = cpus.every((c): c is number => c !== null) ? `${median(cpus).toFixed(2)} s CPU` : 'CPU not read (no /proc)';
  return `${median(runs.map((r) => r.wall)).toFixed(2)} s wall, ${cpu}`;
}

export async function benchWasmTiersLines(): Promise<string[]> {
  await ensureGuestImage({ log: () => undefined });
  const liftoff: TierRun[] = [];
  const tiered: TierRun[] = [];
  for (let round = 0; round < 2; round++) {
    liftoff.push(await runOnce([]));
    tiered.push(await runOnce(['--no-liftoff-only']));
  }
  const all = [...liftoff, ...tiered];
  const failed = all.find((r) => r.status !== 0 || r.traceHash === null);
  if (failed) return [notMeasured(NAME, `a run exited ${failed.status}${failed.traceHash === null ? ' without a trace-hash line' : ''}`)];
  const hashes = new Set(all.map((r) => r.traceHash));
  if (hashes.size !== 1) return [notMeasured(NAME, `the two settings printed different trace hashes: ${[...hashes].join(' / ')}`)];
  return [
    benchLine(
      NAME,
      median(liftoff.map((r) => r.wall)),
      's wall',
      `one Linux guest to its shell, qnxemu run ${path.basename(RUN[1] as string)} --until 4.5s, medians of 2 alternating runs each: ` +
        `JIT modules on Liftoff alone (qnxemu's choice) ${summary(liftoff)}; V8's default tiering for all (node --no-liftoff-only) ${summary(tiered)}; ` +
        `same trace-hash ${[...hashes][0]?.slice(0, 16)}…`,
    ),
  ];
}
