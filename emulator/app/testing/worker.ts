/**
 * A `qnxemu test` worker: a child process (the same CLI bundle, started with the hidden `__test-worker`
 * subcommand) that runs the scenario files its parent sends, one at a time, and sends back each outcome.
 * Each run is a fresh Simulation, so runs in one worker do not influence each other. Scenarios with guest
 * nodes get their v86 instances prepared (awaited) in the worker before the run.
 *
 * Protocol (process.send / 'message'):
 *   parent → worker  { type: 'run', id, file, artifactsDir?, seed?, traceLimit?, capture?, threads? }
 *   worker → parent  { type: 'ready' } once, then { type: 'result', id, outcome } per run
 * The worker exits when its parent disconnects. It ignores SIGINT and SIGTERM: a Ctrl-C on the terminal
 * reaches every process of the group, but the parent alone decides what an interrupt does — it kills its
 * workers (SIGKILL) and reports their unfinished scenarios (runner.ts, interrupted.ts).
 */
import type { ThreadsChoice } from '../assembly/guest-threads';
import { performance } from 'node:perf_hooks';
import { runFileOutcome, type ScenarioOutcome } from './outcome';
import type { RunInterrupt } from './api';
import type { RingRequest } from '../capture/test-ring';

export interface RunRequest {
  type: 'run';
  id: number;
  file: string;
  artifactsDir?: string;
  seed?: number;
  /** `--trace-limit` in bytes for the artifact trace. */
  traceLimit?: number;
  /** `--capture-ring` (emulator/app/capture/test-ring.ts). */
  capture?: RingRequest;
  /** `--threads`: guest nodes in worker threads of this process (emulator/app/assembly/guest-workers.ts). */
  threads?: ThreadsChoice;
}

export type WorkerMessage = { type: 'ready' } | { type: 'result'; id: number; outcome: ScenarioOutcome };

/**
 * Runs one request and measures its wall time (runner code: timing is allowed here). `interrupt`: the run can be
 * stopped between two events (in process; a worker is killed instead).
 */
export async function runRequest(req: RunRequest, interrupt?: RunInterrupt): Promise<ScenarioOutcome> {
  const t0 = performance.now(); // wall clock: reporting only (outside the simulated world)
  const outcome = await runFileOutcome(req.file, { artifactsDir: req.artifactsDir, seed: req.seed, traceLimit: req.traceLimit, interrupt, capture: req.capture, threads: req.threads });
  outcome.wallMs = Math.round(performance.now() - t0);
  return outcome;
}

export function workerMain(): void {
  const send = process.send?.bind(process);
  if (!send) {
    process.stderr.write('qnxemu: __test-worker is started by `qnxemu test`, not by hand\n');
    process.exit(2);
  }
  // The parent sends the next request only after this one's result, so runs never overlap.
  process.on('message', (m: RunRequest) => {
    if (m?.type !== 'run') return;
    void runRequest(m).then((outcome) => send({ type: 'result', id: m.id, outcome } satisfies WorkerMessage));
  });
  process.on('disconnect', () => process.exit(0));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => undefined);
  send({ type: 'ready' } satisfies WorkerMessage);
}
