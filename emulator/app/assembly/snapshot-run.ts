/**
 * Snapshot files in a scenario run (`qnxemu run|boot --snapshot-at T --snapshot-out FILE`, `--restore FILE`):
 * the hooks the timeline runner (emulator/app/testing/execute.ts, `pauses`) calls between two events at T.
 *
 * Taking: at T the run is snapshotted (snapshot.ts) and written (snapshot-file.ts), then goes on to its end.
 * Restoring: the scenario is assembled with its guests in replay mode and run to T as any run is (same timeline:
 * actions, faults, expectations); at T the rebuilt world is checked against the file (trace digest, pending
 * events) and each guest's v86 is restored from the file and takes over. From T on the run is the one that took
 * the snapshot: the same trace hash, pcaps and console output. The part before T is rebuilt, not skipped — the
 * simulated QNX nodes are generator threads, which cannot be serialised (docs/guest-time-model.md, "Snapshots").
 */
import type { Scenario } from '../scenario/types';
import { assemble, RUN_END_EVENT, RUN_UNTIL_EVENT, type Assembled, type RunOptions } from './run';
import { prepareGuests } from './guest-node';
import { GuestLog } from '../../machine/v86/guest-log';
import type { V86Instance } from '../../machine/v86/v86-runtime';
import { rebuiltProblems, takeSnapshot, type SimSnapshot } from './snapshot';
import type { GuestWorkers } from './guest-workers';
import type { WorkerRestore } from './guest-worker';
import { pendingEvents } from './guest-snapshot';
import { DEFAULT_CODEC, scenarioHash, SnapshotFileError, writeSnapshotFile, type LoadedSnapshot, type SnapshotCodec } from './snapshot-file';

/** A hook of the timeline runner: called once between events when the run reached `at`. */
export interface RunPause {
  at: number;
  run(a: Assembled): void;
}

export type SnapshotWritten = { ok: true; file: string; bytes: number; time: number; codec: SnapshotCodec } | { ok: false; file: string; error: unknown };

/**
 * Take a snapshot at `at` and write it to `file`; `done` hears how it went. A failure (a guest that cannot be
 * snapshotted, a full disk) does not stop the run: its other outputs stay valid.
 */
export function snapshotPause(scenario: Scenario, at: number, file: string, done: (r: SnapshotWritten) => void, codec: SnapshotCodec = DEFAULT_CODEC): RunPause {
  return {
    at,
    run(a) {
      if (a.workers) {
        threadedSnapshot(a, a.workers, scenario, file, done, codec);
        return;
      }
      try {
        const bytes = writeSnapshotFile(file, takeSnapshot(a, scenario), scenario, codec);
        done({ ok: true, file, bytes, time: at, codec });
      } catch (e) {
        done({ ok: false, file, error: e });
      }
    },
  };
}

/**
 * With guests in worker threads: the main thread's part now (its trace digest and pending events at T); each guest
 * takes its own part in its worker at its snapshot point (guest-worker.ts), which may come after T (a quantum begun
 * before T ends after it). The file is written when the run closes, with every part in (GuestWorkers.finish).
 */
function threadedSnapshot(a: Assembled, workers: GuestWorkers, scenario: Scenario, file: string, done: (r: SnapshotWritten) => void, codec: SnapshotCodec): void {
  const time = a.sim.queue.now;
  const main = { traceDigest: a.sim.tracer.digest(), traceCount: a.sim.tracer.count, events: pendingEvents(a.sim.queue) };
  const seed = a.sim.seed;
  const verbose = a.sim.tracer.verbose;
  workers.whenSnapshot((r) => {
    if (!r.ok) {
      done({ ok: false, file, error: new Error(r.why) });
      return;
    }
    try {
      const snap: SimSnapshot = { v: 1, scenario: scenario.name, seed, verbose, time, ...main, guests: r.parts, threads: true };
      const bytes = writeSnapshotFile(file, snap, scenario, codec);
      done({ ok: true, file, bytes, time, codec });
    } catch (e) {
      done({ ok: false, file, error: e });
    }
  });
}

/** The names of the runner's own events (execute.ts): a restored run may end at another time than the snapshotting one. */
const RUNNER_EVENTS = new Set([RUN_END_EVENT, RUN_UNTIL_EVENT]);

export interface RestoreRequest {
  /** --seed, if given: must be the snapshot's. */
  seed?: number | undefined;
  /** --verbose-trace: the snapshot must have been taken with it (the trace digest depends on it). */
  verboseTrace?: boolean | undefined;
  /** The run's end time: not before the snapshot's. */
  until: number;
  /** `--threads`: the guests run in worker threads (a snapshot of such a run restores only so, and the other way round). */
  threads?: boolean | undefined;
}

export interface RestorePlan {
  /** Options for the run: the snapshot's seed and trace verbosity, the guests' logs to replay, the remaining guests. */
  options: Pick<RunOptions, 'seed' | 'verboseTrace' | 'guestReplay' | 'guests'>;
  /** Call once the run has reached the snapshot's time, after `v86Ready` resolved. */
  pause: RunPause;
  /** The guests' v86 states are decompressed (on the thread pool, while the run is rebuilt). */
  v86Ready: Promise<void>;
}

/** Why `loaded` cannot be restored into a run of `scenario` with `req`, or null. */
export function restoreRefusal(scenario: Scenario, loaded: LoadedSnapshot, req: RestoreRequest): string | null {
  const h = loaded.header;
  const t = (ns: number): string => `${(ns / 1e9).toFixed(6)} s`;
  if (h.scenario.hash !== scenarioHash(scenario))
    return `taken of scenario ${h.scenario.name} (${h.scenario.file}), which is not this one (${scenario.name}, ${scenario.file}) or has changed since`;
  if (req.seed !== undefined && req.seed !== h.seed) return `taken with seed ${h.seed}, not ${req.seed}`;
  if (req.verboseTrace && !h.verbose) return 'taken without --verbose-trace (the trace before it would not be the same)';
  if (h.time > req.until) return `taken at ${t(h.time)}, past the run's end (${t(req.until)})`;
  const guests = scenario.nodes.filter((n) => n.kind === 'guest').map((n) => n.name);
  if (guests.join() !== h.guests.join()) return `holds guests ${h.guests.join(', ') || '(none)'}, the scenario has ${guests.join(', ') || '(none)'}`;
  if (guests.length > 0 && !!loaded.snapshot.threads !== !!req.threads)
    return loaded.snapshot.threads
      ? 'taken with the guests in worker threads (--threads): restore it with --threads'
      : 'taken with the guests on the main thread: restore it with --no-threads (the two engines give different runs)';
  return null;
}

/**
 * Get a restore ready: checks (restoreRefusal, as a SnapshotFileError), the guests' logs, fresh v86 instances for
 * the guests while their saved states decompress. Given the file as a promise (readSnapshotFileAsync), the fresh
 * instances are created while it is read too (a refused file has then cost one v86 creation). The returned pause checks the rebuilt run at the snapshot's
 * time and hands each guest over to its restored v86 (which needs `v86Ready` resolved: rebuild the run meanwhile).
 */
export async function planRestore(scenario: Scenario, file: LoadedSnapshot | Promise<LoadedSnapshot>, req: RestoreRequest): Promise<RestorePlan> {
  // The fresh v86 instances do not depend on the file: create them while it is read (readSnapshotFileAsync).
  const preparing = file instanceof Promise ? prepareGuests(scenario) : null;
  preparing?.catch(() => undefined);
  const loaded = await file;
  const refusal = restoreRefusal(scenario, loaded, req);
  if (refusal) throw new SnapshotFileError(refusal);
  const meta = loaded.snapshot;
  let replay: Map<string, GuestLog>;
  try {
    replay = new Map(meta.guests.map((g) => [g.name, GuestLog.load(g.machine.log)]));
  } catch (e) {
    throw new SnapshotFileError(`corrupt: a guest log does not load (${(e as Error).message})`);
  }
  let v86: Uint8Array[][] | null = null;
  const v86Ready = loaded.v86Parts.then((p) => void (v86 = p));
  v86Ready.catch(() => undefined);
  const prepared = await (preparing ?? prepareGuests(scenario));
  const instances = new Map<string, V86Instance>(meta.guests.map((g) => [g.name, prepared.take(g.name)]));
  return {
    options: { seed: meta.seed, verboseTrace: meta.verbose, guestReplay: replay, guests: prepared },
    v86Ready,
    pause: {
      at: meta.time,
      run(a) {
        const states = v86 as Uint8Array[][] | null;
        if (states === null) throw new Error('the guests\' v86 states are not decompressed yet (await v86Ready first)');
        const problems = rebuiltProblems(a, meta, (name) => RUNNER_EVENTS.has(name));
        if (problems.length > 0) throw new SnapshotFileError(`the run rebuilt to the snapshot's time is not the recorded one (a file of another qnxemu build, or a file the scenario reads has changed?): ${problems.join('; ')}`);
        try {
          // As snapshot.ts's takeOverGuests, with each v86 state in the file's parts (restored without joining them).
          for (const [i, gs] of meta.guests.entries()) {
            const g = a.guests.find((x) => x.name === gs.name);
            if (!g) throw new Error(`snapshot has guest ${gs.name}; the scenario does not`);
            g.machine.takeOver(instances.get(gs.name)!, states[i]!, gs.machine, gs.clockAtRestore);
          }
        } catch (e) {
          throw new SnapshotFileError(`a guest could not take over from its saved state: ${(e as Error).message}`);
        }
      },
    },
  };
}

/** What a restore with the guests in worker threads needs: the run's options, each worker's part, the main thread's check at T. */
export interface ThreadedRestorePlan {
  options: Pick<RunOptions, 'seed' | 'verboseTrace'>;
  workers: Map<string, WorkerRestore>;
  pause: RunPause;
}

/**
 * Get a restore with `--threads` ready: the checks of restoreRefusal, then each guest's log, machine state and v86
 * parts for its worker, which replays to its snapshot point, checks it and takes over (guest-worker.ts). The pause
 * checks the main thread's rebuilt run at the snapshot's time.
 */
export async function planThreadedRestore(scenario: Scenario, file: LoadedSnapshot | Promise<LoadedSnapshot>, req: RestoreRequest): Promise<ThreadedRestorePlan> {
  const loaded = await file;
  const refusal = restoreRefusal(scenario, loaded, { ...req, threads: true });
  if (refusal) throw new SnapshotFileError(refusal);
  const meta = loaded.snapshot;
  const parts = await loaded.v86Parts;
  const workers = new Map<string, WorkerRestore>();
  for (const [i, g] of meta.guests.entries()) {
    if (!g.worker) throw new SnapshotFileError(`corrupt: guest ${g.name} has no worker snapshot point`);
    workers.set(g.name, { at: meta.time, machine: g.machine, clockAtRestore: g.clockAtRestore, point: g.worker, v86: parts[i]! });
  }
  return {
    options: { seed: meta.seed, verboseTrace: meta.verbose },
    workers,
    pause: {
      at: meta.time,
      run(a) {
        const problems = rebuiltProblems(a, meta, (name) => RUNNER_EVENTS.has(name));
        if (problems.length > 0) throw new SnapshotFileError(`the run rebuilt to the snapshot's time is not the recorded one (a file of another qnxemu build, or a file the scenario reads has changed?): ${problems.join('; ')}`);
      },
    },
  };
}

/**
 * Restore a snapshot file outside the timeline runner (tests, the benchmark, `qnxemu console`): `scenario` assembled
 * with `opts`, rebuilt to the snapshot's time, checked, its guests live from there. Resolves to the assembly at T.
 */
export async function restoreSnapshotFile(scenario: Scenario, loaded: LoadedSnapshot, opts: RunOptions = {}): Promise<Assembled> {
  const plan = await planRestore(scenario, loaded, { seed: opts.seed, verboseTrace: opts.verboseTrace, until: Number.MAX_SAFE_INTEGER });
  const a = assemble(scenario, { ...opts, ...plan.options });
  a.sim.queue.runUntil(plan.pause.at);
  await plan.v86Ready;
  plan.pause.run(a);
  return a;
}
