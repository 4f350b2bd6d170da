/**
 * `--snapshot-at <time> --snapshot-out <file>` and `--restore <file>` of `qnxemu run` and `qnxemu boot`
 * (docs/formats/snapshot.md): checked before the run starts (one line and exit 1 for anything wrong), turned into
 * the timeline runner's pauses (emulator/app/assembly/snapshot-run.ts), reported after the run. This file is outside
 * the simulated world: it reads and writes files and prints.
 */
import { CliError, osReason } from './errors';
import { checkOutputFile } from './outputs';
import type { Scenario } from '../scenario/types';
import type { TimelineOptions } from '../testing/execute';
import { readSnapshotFileAsync, SnapshotFileError } from '../assembly/snapshot-file';
import { planRestore, planThreadedRestore, snapshotPause, type RunPause, type SnapshotWritten } from '../assembly/snapshot-run';
import type { WorkerOptions } from '../assembly/guest-workers';

export interface SnapshotCliOptions {
  snapshotAt?: { ns: number; bare: boolean };
  snapshotOut?: string;
  restore?: string;
  seed?: number;
  until?: { ns: number };
  verboseTrace?: boolean;
  /** The scenario's guests run in worker threads (threads resolved for the scenario: guest-threads.ts). */
  threads?: number;
}

export interface SnapshotRun {
  /** Run options: the pauses, and for a restore the snapshot's seed, trace verbosity, guest logs and v86 instances. */
  options: Pick<TimelineOptions, 'pauses' | 'seed' | 'verboseTrace' | 'guestReplay' | 'guests'>;
  /** False while a restore rebuilds the time before its snapshot (whose console the snapshotting run printed). */
  live(): boolean;
  /** For the guests' worker threads (`--threads`): the snapshot's time, each guest's part of a restored file. */
  workers: Pick<WorkerOptions, 'snapshotAt' | 'restore'>;
  /** After the run: print what became of the snapshot; the exit status it asks for (1: not written). */
  report(interruptedAt: number | null): number;
}

function sizeText(bytes: number): string {
  return bytes < 2 ** 20 ? `${(bytes / 2 ** 10).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function seconds(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

export async function snapshotOptions(scenario: Scenario, o: SnapshotCliOptions): Promise<SnapshotRun> {
  const until = o.until?.ns ?? scenario.until;
  const pauses: RunPause[] = [];
  const options: SnapshotRun['options'] = { pauses };
  let live = true;
  let written: SnapshotWritten | null = null;
  const workers: SnapshotRun['workers'] = {};
  const threaded = o.threads !== undefined;
  if (o.snapshotAt !== undefined && o.snapshotOut === undefined) throw new CliError('--snapshot-at', 'needs --snapshot-out <file> (where to write the snapshot)');
  if (o.snapshotOut !== undefined && o.snapshotAt === undefined) throw new CliError('--snapshot-out', 'needs --snapshot-at <time> (when to take the snapshot)');
  if (o.restore !== undefined) {
    const what = `--restore ${o.restore}`;
    try {
      const req = { seed: o.seed, verboseTrace: o.verboseTrace, until, threads: threaded };
      let plan: { options: Partial<SnapshotRun['options']>; pause: RunPause };
      if (threaded) {
        // Each guest's worker replays its part, checks it and takes over (snapshot-run.ts planThreadedRestore).
        const p = await planThreadedRestore(scenario, readSnapshotFileAsync(o.restore), req);
        workers.restore = p.workers;
        plan = p;
      } else {
        // The file is read on the thread pool while the fresh v86 instances are created (planRestore).
        const p = await planRestore(scenario, readSnapshotFileAsync(o.restore), req);
        await p.v86Ready;
        plan = p;
      }
      Object.assign(options, plan.options);
      live = false;
      const file = o.restore;
      pauses.push({
        at: plan.pause.at,
        run(a) {
          plan.pause.run(a);
          live = true;
          process.stdout.write(`restored ${file} at ${seconds(plan.pause.at)} (the run before it rebuilt: ${a.sim.queue.executed} events)\n`);
        },
      });
    } catch (e) {
      if (e instanceof SnapshotFileError) throw new CliError(what, e.message);
      throw e;
    }
  }
  if (o.snapshotAt !== undefined && o.snapshotOut !== undefined) {
    const at = o.snapshotAt.ns;
    const what = `--snapshot-at ${o.snapshotAt.bare ? `${at} ns` : seconds(at)}`;
    if (at > until) throw new CliError(what, `is past the run's end (${seconds(until)})`);
    const from = pauses[0]?.at;
    if (from !== undefined && at <= from) throw new CliError(what, `is not after the restored snapshot's time (${seconds(from)})`);
    checkOutputFile('--snapshot-out', o.snapshotOut);
    if (threaded) workers.snapshotAt = at;
    pauses.push(
      snapshotPause(scenario, at, o.snapshotOut, (r) => {
        written = r;
        if (r.ok) process.stdout.write(`snapshot ${r.file} at ${seconds(r.time)} (${sizeText(r.bytes)}, ${r.codec})\n`);
      }),
    );
  }
  return {
    options,
    workers,
    live: () => live,
    report(interruptedAt) {
      if (o.snapshotOut === undefined) return 0;
      const w = written as SnapshotWritten | null;
      if (w === null) {
        process.stdout.write(`snapshot: not taken (the run was interrupted at ${seconds(interruptedAt ?? 0)}, before ${seconds(o.snapshotAt!.ns)})\n`);
        return 0;
      }
      if (w.ok) return 0;
      const err = w.error as NodeJS.ErrnoException;
      const why = typeof err?.code === 'string' ? `write failed: ${osReason(err)}` : `not taken: ${err instanceof Error ? err.message : String(err)}`;
      process.stderr.write(`qnxemu: --snapshot-out ${w.file}: ${why} (the run's other outputs are complete)\n`);
      return 1;
    },
  };
}
