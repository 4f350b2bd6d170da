/**
 * One scenario file → one serializable outcome (what a `qnxemu test` worker sends back, and what the JUnit
 * writer and the summary read). Malformed files become `error` outcomes carrying the located message. An
 * artifact trace cut by its size limit or a failed write carries the warning `qnxemu test` prints under the
 * scenario's line (emulator/app/assembly/trace-writer.ts).
 */
import { guestThreads, type ThreadsChoice } from '../assembly/guest-threads';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocatedError } from '../scenario/errors';
import { loadScenarioFile } from '../scenario/load';
import { runScenarioCheckedAsync, type RunInterrupt } from './api';
import { cutWarning } from '../assembly/trace-writer';
import { firstFailure, type ExpectationOutcome, type FirstFailure } from './evaluate';
import { CliError } from '../cli/errors';
import { scenarioRing, type RingRequest } from '../capture/test-ring';

export type OutcomeStatus = 'passed' | 'failed' | 'error';

export interface ScenarioOutcome {
  file: string;
  /** The scenario's name (the file's basename while it cannot be loaded). */
  name: string;
  status: OutcomeStatus;
  /** For errors: `file:line:col: problem`, or the exception. */
  error: string | null;
  expectations: ExpectationOutcome[];
  /** Failed expectations and problems, one line each (expected vs actual). */
  failures: string[];
  faultNotes: string[];
  seed: number | null;
  traceHash: string | null;
  virtualTime: number;
  events: number;
  /** Wall-clock milliseconds the run took: set by the runner (worker.ts, runner.ts), never by the simulation. */
  wallMs: number;
  artifacts: string[];
  /** The artifact trace was cut: the warning (without "warning: "), and whether a write failed (exit 1). */
  traceCut?: { warning: string; failed: boolean } | null;
  /** A failed run's first failure and its virtual time (`qnxemu test --artifacts` writes it into a failure bundle). */
  failure?: FirstFailure | null;
  /** Virtual time an interrupt stopped the run at (in process: OutcomeOptions.interrupt); the runner reports it. */
  interruptedAt?: number | null;
  /** `--capture-ring`: the ring file a failed run wrote (emulator/app/capture/test-ring.ts). */
  captureRing?: string | null;
}

export interface OutcomeOptions {
  /** Folder for this scenario's pcaps, trace and console logs (created). */
  artifactsDir?: string | undefined;
  seed?: number | undefined;
  /** Size limit of the artifact trace in bytes (0: none; default: the trace writer's, 1 GiB). */
  traceLimit?: number | undefined;
  /** Run in slices that can be stopped between two events (`qnxemu test --in-process` on Ctrl-C). */
  interrupt?: RunInterrupt | undefined;
  /** `--capture-ring`: capture into a ring, written when the run fails. */
  capture?: RingRequest | undefined;
  /**
   * `--threads N` / `--no-threads` (false) / nothing: resolved per scenario (emulator/app/assembly/guest-threads.ts):
   * guest nodes in worker threads, at most this many executing at once (api.ts CheckedOptions), by default when the
   * scenario has two or more.
   */
  threads?: ThreadsChoice;
}

/** An outcome for a file that has not run (yet): status 'error' with `error` as the reason. */
export function errorOutcome(file: string, error: string | null): ScenarioOutcome {
  return {
    file,
    name: path.basename(file).replace(/\.ya?ml$/, ''),
    status: 'error',
    error,
    expectations: [],
    failures: [],
    faultNotes: [],
    seed: null,
    traceHash: null,
    virtualTime: 0,
    events: 0,
    wallMs: 0,
    artifacts: [],
  };
}

/** Load and run one file (guest nodes are prepared first: this is async for them). Never throws. */
export async function runFileOutcome(file: string, opts: OutcomeOptions = {}): Promise<ScenarioOutcome> {
  const base = errorOutcome(file, null);
  try {
    const scenario = loadScenarioFile(file);
    base.name = scenario.name;
    const ring = opts.capture ? scenarioRing(opts.capture, scenario) : null;
    const r = await runScenarioCheckedAsync(
      scenario,
      { artifactsDir: opts.artifactsDir, seed: opts.seed, traceLimit: opts.traceLimit, threads: guestThreads(scenario, opts.threads), ...(ring ? { onNetwork: ring.onNetwork } : {}) },
      opts.interrupt,
    );
    // Stopped from outside: expectations of a partial run are not judged; the runner makes it an interrupted error.
    if (r.run.interruptedAt !== null) return { ...base, seed: r.seed, virtualTime: r.virtualTime, events: r.events, artifacts: r.artifacts, interruptedAt: r.run.interruptedAt };
    const cut = r.run.assembled.traceCut();
    const out: ScenarioOutcome = {
      ...base,
      status: r.passed ? 'passed' : 'failed',
      expectations: r.outcomes,
      failures: r.failures,
      faultNotes: r.faultNotes,
      seed: r.seed,
      traceHash: r.traceHash,
      virtualTime: r.virtualTime,
      events: r.events,
      artifacts: r.artifacts,
      failure: r.passed ? null : firstFailure(r.outcomes, r.run.problems, r.run.until),
      traceCut: cut && opts.artifactsDir ? { warning: cutWarning(path.join(opts.artifactsDir, 'trace.jsonl'), cut), failed: cut.failed } : null,
    };
    if (ring && !r.passed) {
      out.captureRing = ring.write();
      out.artifacts.push(out.captureRing);
    }
    if (opts.artifactsDir) {
      const p = path.join(opts.artifactsDir, 'result.json');
      out.artifacts.push(p);
      fs.writeFileSync(p, JSON.stringify(out, null, 2) + '\n');
    }
    return out;
  } catch (e) {
    base.error = e instanceof LocatedError || e instanceof CliError ? e.message : `${(e as Error).stack ?? String(e)}`;
    return base;
  }
}
