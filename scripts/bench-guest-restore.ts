/**
 * `bench guest-restore` for `npm run bench` (issue 15): wall seconds from a snapshot file on disk to the guest's
 * shell answering at its prompt, for the Linux guest of scripts/scenarios/bench-guest.yaml. Wall-clock reads are
 * fine here: the benchmark stands outside the simulated world and only observes it.
 *
 * The guest boots once (cold, not measured), runs 0.5 s more at its idle prompt, and its snapshot is written to a
 * temporary file as `qnxemu run --snapshot-out` writes it (emulator/app/assembly/snapshot-file.ts). Measured, as
 * `qnxemu run --restore` does it: read the file (thread pool) while fresh v86 instances are created, the v86 state
 * decompressing on the thread pool meanwhile; rebuild the run to the snapshot's time by replay, restore v86, then
 * type `echo` at the shell and run until its prompt is back.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Time } from '../emulator/machine/sim';
import { parseScenario } from '../emulator/app/scenario/load';
import type { Scenario } from '../emulator/app/scenario/types';
import { assemble, type Assembled } from '../emulator/app/assembly/run';
import { prepareGuests } from '../emulator/app/assembly/guest-node';
import { takeSnapshot } from '../emulator/app/assembly/snapshot';
import { DEFAULT_CODEC, readSnapshotFileAsync, writeSnapshotFile, type SnapshotCodec } from '../emulator/app/assembly/snapshot-file';
import { planRestore } from '../emulator/app/assembly/snapshot-run';
import { ensureGuestImage } from '../emulator/app/guest-image';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { benchLine } from './bench-line';
import { runUntil, wall } from './bench-guest';

const SCENARIO_FILE = path.join(repoRoot(__dirname) ?? process.cwd(), 'scripts/scenarios/bench-guest.yaml');

/** CPU seconds of the whole process (every thread: the thread pool's decompression included). */
function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Boot the bench guest to an idle prompt (+0.5 s) and write its snapshot to `file`; the file's size. */
async function snapshotToFile(sc: Scenario, files: { file: string; codec: SnapshotCodec }[]): Promise<number[]> {
  const a = assemble(sc, { guests: await prepareGuests(sc) });
  const g = a.guests[0]!;
  if (!runUntil(a, () => g.shell.ready && g.shell.idle, 60e9)) throw new Error('bench: guest did not boot');
  a.sim.queue.runUntil(a.sim.queue.now + 500_000_000);
  const snap = takeSnapshot(a, sc);
  return files.map((f) => writeSnapshotFile(f.file, snap, sc, f.codec));
}

type Phase = 'guests' | 'replay' | 'v86' | 'prompt';

export interface RestoreTiming {
  total: number;
  /** guests: the file read and its meta part decoded, and meanwhile fresh v86 instances; replay: the run rebuilt to
   * T and the wait for the v86 state (decompressed on the thread pool meanwhile); v86: its restore; prompt: echo. */
  phases: Record<Phase, number>;
  /** The same phases in CPU seconds of the process (a loaded machine stretches wall time, not these). */
  cpu: Record<Phase, number>;
}

/** From opening `file` to the guest's shell answering `echo` at its prompt. */
export async function timeRestore(sc: Scenario, file: string): Promise<RestoreTiming> {
  const c: number[] = [cpu()];
  const t0 = wall();
  const plan = await planRestore(sc, readSnapshotFileAsync(file), { until: Number.MAX_SAFE_INTEGER });
  const t2 = wall();
  c.push(cpu());
  const a = assemble(sc, plan.options);
  a.sim.queue.runUntil(plan.pause.at);
  await plan.v86Ready;
  const t3 = wall();
  c.push(cpu());
  plan.pause.run(a);
  const t4 = wall();
  c.push(cpu());
  const g = a.guests[0]!;
  const from = g.shell.lines.length;
  g.shell.run('echo restored');
  if (!runUntil(a, () => g.shell.idle && g.shell.lines.slice(from).includes('restored'), 10e9)) throw new Error(`bench: restored guest did not answer: ${g.shell.lines.slice(from).join(' | ')}`);
  const t5 = wall();
  c.push(cpu());
  const d = (i: number): number => c[i + 1]! - c[i]!;
  return {
    total: t5 - t0,
    phases: { guests: t2 - t0, replay: t3 - t2, v86: t4 - t3, prompt: t5 - t4 },
    cpu: { guests: d(0), replay: d(1), v86: d(2), prompt: d(3) },
  };
}

function phasesText(t: RestoreTiming): string {
  const wallText = Object.entries(t.phases)
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join(', ');
  const cpuText = Object.values(t.cpu).reduce((x, y) => x + y, 0);
  return `wall s: ${wallText}; CPU ${cpuText.toFixed(2)} s: ${Object.entries(t.cpu)
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join(', ')}`;
}

/**
 * The bench line (the default codec), and with `opts.compare` one more line per other codec and the phases of each
 * restore (docs/formats/snapshot.md has a run of it).
 */
export async function benchGuestRestoreLines(opts: { compare?: boolean } = {}): Promise<string[]> {
  await ensureGuestImage({ log: () => undefined });
  const sc = parseScenario(fs.readFileSync(SCENARIO_FILE, 'utf8'), SCENARIO_FILE, path.dirname(SCENARIO_FILE));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-bench-restore-'));
  const codecs: SnapshotCodec[] = opts.compare ? [DEFAULT_CODEC, DEFAULT_CODEC === 'deflate' ? 'brotli' : 'deflate'] : [DEFAULT_CODEC];
  const files = codecs.map((codec) => ({ codec, file: path.join(dir, `bench-guest.${codec}.snap`) }));
  try {
    const sizes = await snapshotToFile(sc, files);
    const lines: string[] = [];
    for (const [i, f] of files.entries()) {
      const t = await timeRestore(sc, f.file);
      const name = i === 0 ? 'guest-restore' : `guest-restore-${f.codec}`;
      const line = benchLine(name, t.total, 's', `snapshot file ${(sizes[i]! / 2 ** 20).toFixed(1)} MiB ${f.codec}, from reading the file to the guest's shell prompt; target ≤ 1.0`);
      lines.push(opts.compare ? `${line} [${phasesText(t)}]` : line);
    }
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
