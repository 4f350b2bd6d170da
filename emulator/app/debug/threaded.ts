/**
 * `qnxemu debug --threads N`: the scenario runs once as `qnxemu run --threads N` runs it — each guest in its own
 * worker thread — and what the guests send the main thread is recorded (GuestWorkers with `record`). The session then
 * steps through replays of that run on one thread (emulator/app/assembly/guest-recording.ts): the main thread's part
 * — QNX nodes, media, faults, and the one trace the guests' records merge into — runs again record for record, and
 * `back` rebuilds and replays it as for any run. docs/guest-time-model.md "The debugger and a threaded run".
 */
import type { Time } from '../../machine/sim/time';
import type { Scenario } from '../scenario/types';
import { PreparedGuests } from '../assembly/guest-node';
import { startGuestWorkers } from '../assembly/guest-workers';
import type { GuestRecording } from '../assembly/guest-recording';
import { runTimelineAsync, type TimelineRun } from '../testing/execute';
import type { Simulation } from '../../machine/sim/simulation';
import type { LookaheadProgress } from './timeline';

export interface ThreadedRecordOptions {
  threads: number;
  seed: number;
  until: Time;
  /** The script the workers run (the CLI bundle); default this process's. */
  script?: string | undefined;
  /** Told how far the run is between slices of events, and once at its end (a terminal draws it: debug-cmd.ts). */
  onProgress?: ((p: LookaheadProgress) => void) | undefined;
}

const WHAT = 'threaded run (recording)';

/** A threaded run, recorded: what the guests sent, and the run's own trace-hash and events (what a replay must give). */
export interface ThreadedRecording {
  guests: GuestRecording[];
  traceHash: string;
  events: number;
  /** Every node's console text at the end (scenario order). */
  consoles: Map<string, string>;
}

/** Run `scenario` with its guests in worker threads to its end (as `qnxemu run --threads`), and return the recording. */
export async function recordThreadedRun(scenario: Scenario, o: ThreadedRecordOptions): Promise<ThreadedRecording> {
  const workers = await startGuestWorkers(scenario, { threads: o.threads, seed: o.seed, record: true, ...(o.script !== undefined ? { script: o.script } : {}) });
  let run: TimelineRun;
  let sim: Simulation | null = null;
  const report = (done: boolean): void => {
    if (sim) o.onProgress?.({ what: WHAT, now: sim.queue.now, until: o.until, events: sim.queue.executed, records: sim.tracer.count, done });
  };
  try {
    // In slices, as `qnxemu run` goes (the event loop turns between them), reporting how far it is.
    const opts = { workers, guests: new PreparedGuests(), seed: o.seed, until: o.until, onNetwork: (_n: unknown, s: Simulation) => (sim = s) };
    run = await runTimelineAsync(scenario, opts, async () => report(false), () => false);
    report(true);
  } finally {
    workers.stop();
  }
  const guests = workers.recording();
  if (!guests) throw new Error(`${scenario.file}: the threaded run ended without every guest's count of events (a worker failed)`);
  return { guests, traceHash: run.traceHash, events: run.events, consoles: run.consoles };
}
