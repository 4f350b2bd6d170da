/**
 * `npm run bench`: the saturated NE2000 ping flood (scripts/scenarios/bench-flood.yaml: 2 QNX nodes on a hub,
 * alpha runs `ping -f -s 1400` at beta from 0.5 s), in virtual seconds simulated per wall second — once with no
 * trace file (`ne2000-flood`) and once with the trace written to a file in a temporary folder (`ne2000-flood-trace`),
 * through the very path `qnxemu run --trace FILE` takes (RunOptions.traceFile: the trace writer and its size limit).
 * Both runs go to FLOOD_UNTIL_NS, longer than the scenario's own 3 s so that the figure is not dominated by the JIT
 * warming up (an untimed warm-up run comes first, so the first timed run does not pay for it either), and must end
 * with the same trace-hash (a trace file changes nothing but the file). The scenario has no
 * actions, faults or expectations, so the run is exactly what `qnxemu run bench-flood.yaml --until 20s` runs
 * (runScenario: a stop event at the end time, run to it, close the outputs) and prints the same trace-hash.
 *
 * Wall-clock reads are fine here: the benchmark stands outside the simulated world and only observes it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenarioFile } from '../emulator/app/scenario/load';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { assemble } from '../emulator/app/assembly/run';
import { SimEvent, Priority } from '../emulator/machine/sim';
import { benchLine } from './bench-line';

export const FLOOD_FILE = path.join(repoRoot(__dirname) ?? process.cwd(), 'scripts/scenarios/bench-flood.yaml');
export const FLOOD_UNTIL_NS = 20_000_000_000;
/**
 * An untimed run of the same length first, so that neither timed run pays for the JIT's compilations: with a 3 s
 * warm-up the first timed run was still ≈1.5× slower than a second one in the same process (measured 2026-12-05),
 * so the figure measured V8 warming up rather than the simulator. It costs about one more second of wall time.
 */
export const FLOOD_WARM_UP_NS = FLOOD_UNTIL_NS;

export interface FloodRun {
  virtualSeconds: number;
  wallSeconds: number;
  /** The process's user + system CPU time over the same stretch (less disturbed than wall time on a busy machine). */
  cpuSeconds: number;
  events: number;
  records: number;
  traceHash: string;
  /** Bytes of the trace file (0 without one). */
  traceBytes: number;
}

/** One flood run, timed from the first event to the outputs closed (the trace file flushed), assembly excluded. */
export function runFlood(traceFile: string | undefined, until = FLOOD_UNTIL_NS, file = FLOOD_FILE): FloodRun {
  const sc = loadScenarioFile(file);
  const a = assemble(sc, { traceFile });
  a.sim.queue.schedule(new SimEvent('run.until', () => undefined, Priority.Stop), until);
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  a.sim.queue.runUntil(until);
  a.close();
  const cpu = process.cpuUsage(cpu0);
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cut = a.traceCut();
  if (cut) throw new Error(`the trace file was cut (${JSON.stringify(cut)}): the figure would not be a whole run's`);
  return {
    virtualSeconds: a.sim.queue.now / 1e9,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    events: a.sim.queue.executed,
    records: a.sim.tracer.count,
    traceHash: a.sim.tracer.digest(),
    traceBytes: traceFile ? fs.statSync(traceFile).size : 0,
  };
}

/** "14.91 s wall, 3.20 s CPU = 6.25 virtual s per CPU s". */
function wallAndCpu(run: FloodRun): string {
  return `${run.wallSeconds.toFixed(2)} s wall, ${run.cpuSeconds.toFixed(2)} s CPU = ${(run.virtualSeconds / run.cpuSeconds).toFixed(2)} virtual s per CPU s`;
}

const SCENARIO =
  `${path.basename(FLOOD_FILE)} to ${FLOOD_UNTIL_NS / 1e9} s virtual after an untimed ${FLOOD_WARM_UP_NS / 1e9} s warm-up run: ` +
  '2 QNX nodes, hub, 1400-byte ping flood from 0.5 s';

/** `bench ne2000-flood` (no trace file). `holdRate`: the queue's hold figure in events/s, for the share shown. */
export function benchFloodLine(run: FloodRun, holdRate: number | null): string {
  const rate = run.events / run.wallSeconds;
  const share = holdRate ? `, ${((rate / holdRate) * 100).toFixed(1)} % of the queue-hold rate` : '';
  return benchLine(
    'ne2000-flood',
    run.virtualSeconds / run.wallSeconds,
    'virtual s per wall s',
    `${SCENARIO}; ${wallAndCpu(run)}, ${run.events} events = ${(rate / 1e6).toFixed(3)} M events/s${share}; ` +
      `${run.records} trace records; trace-hash ${run.traceHash.slice(0, 16)}…`,
  );
}

/** `bench ne2000-flood-trace`: the same run with --trace to a file in a temporary folder (removed afterwards). */
export function benchFloodTraceLine(plain: FloodRun | null): { line: string; run: FloodRun } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-bench-'));
  try {
    const run = runFlood(path.join(dir, 'trace.jsonl'));
    if (plain && plain.traceHash !== run.traceHash)
      throw new Error(`the run with --trace ended with trace-hash ${run.traceHash}, the run without ${plain.traceHash}: a trace file changed the simulation`);
    const line = benchLine(
      'ne2000-flood-trace',
      run.virtualSeconds / run.wallSeconds,
      'virtual s per wall s',
      `the same with --trace to a file in ${os.tmpdir()}: ${wallAndCpu(run)}, ${run.records} records, ` +
        `${(run.traceBytes / 2 ** 20).toFixed(1)} MiB written = ${(run.traceBytes / 2 ** 20 / run.wallSeconds).toFixed(1)} MiB/s; same trace-hash`,
    );
    return { line, run };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
