/**
 * Runs a scenario with its timeline: assembles it (emulator/app/assembly/run.ts), injects actions and faults,
 * runs to `until`, then does the end-of-run work — udpsink processes are terminated so they print their
 * summaries, counters are frozen and the tools that read interface counters are started — and lets those
 * tools finish (at most END_GRACE_NS more virtual time): run-end.ts, which the debugger shares. A scenario without actions, faults or expectations
 * runs exactly as `runScenario` runs it (same trace hash).
 *
 * Synchronous: a scenario with guest nodes needs `await prepareGuests(scenario)` first
 * (emulator/app/assembly/guest-node.ts; `runScenarioCheckedAsync` in api.ts does it). `runTimelineAsync` runs
 * the same events in slices, handing the event loop a turn between them, so the CLI can stop it on Ctrl-C.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventQueue } from '../../machine/sim/event-queue';
import { assemble, type Assembled, type RunOptions } from '../assembly/run';
import type { RunPause } from '../assembly/snapshot-run';
import type { Scenario } from '../scenario/types';
import type { Observer } from './collect';
import { armRun, END_GRACE_NS } from './run-end';
import { guestBootProblems } from './guest-boot';

export { END_GRACE_NS } from './run-end';

export interface TimelineOptions extends RunOptions {
  /** Write pcaps, trace and console logs under this folder (overrides pcapDir/traceFile). */
  artifactsDir?: string | undefined;
  /**
   * Hooks called between two events once the run has reached their time (all events at that time run), in time
   * order: `qnxemu run --snapshot-at` / `--restore` (emulator/app/assembly/snapshot-run.ts). The same events
   * run in the same order as without them.
   */
  pauses?: TimelinePause[] | undefined;
}

export type TimelinePause = RunPause;

export interface TimelineRun {
  scenario: Scenario;
  seed: number;
  traceHash: string;
  /** Virtual time the run ended (after the end-of-run tools). */
  virtualTime: number;
  /** The scenario's end time (expectations see the consoles up to here). */
  until: number;
  events: number;
  /** Console text of every node (the whole run). */
  consoles: Map<string, string>;
  consoleLines: Map<string, { t: number; text: string }[]>;
  pcaps: string[];
  trace: string[];
  observer: Observer;
  /** What each fault did, and actions that never ran. */
  notes: string[];
  problems: string[];
  /** Artifact files written. */
  artifacts: string[];
  assembled: Assembled;
  /** Virtual time the run was stopped at from outside (runTimelineAsync: Ctrl-C), or null if it ran to its end. */
  interruptedAt: number | null;
}

export function runTimeline(scenario: Scenario, opts: TimelineOptions = {}): TimelineRun {
  const steps = timelineSteps(scenario, opts);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/** Events run between two points where `runTimelineAsync` lets signals in (a few ms of CPU). */
export const SLICE_EVENTS = 20_000;

/**
 * The slice when the scenario has guest nodes: a guest's CPU event runs v86 for up to milliseconds, so 20 000
 * events were a whole run (guest-ne2k-pci.yaml: 8314 events, a minute of wall time) and Ctrl-C waited for its end.
 */
export const GUEST_SLICE_EVENTS = 16;

/**
 * `runTimeline` that gives the event loop a turn every SLICE_EVENTS events, so a signal handler can run
 * (`qnxemu run` on Ctrl-C). When `stopRequested()` turns true the simulation stops between two events: the
 * end-of-run work is skipped, outputs are closed (pcaps end at a record, the trace at a line) and the run
 * comes back with `interruptedAt`. The same events in the same order as runTimeline otherwise.
 */
export async function runTimelineAsync(scenario: Scenario, opts: TimelineOptions, between: () => Promise<void>, stopRequested: () => boolean): Promise<TimelineRun> {
  const steps = timelineSteps(scenario, opts);
  for (let r = steps.next(false); ; ) {
    if (r.done) return r.value;
    await between();
    r = steps.next(stopRequested());
  }
}

/** Run `q` to `limit` (or until `stop`) in slices of `n` events, yielding between slices; true if told to stop. */
function* sliced(q: EventQueue, limit: number, n: number, stop?: () => boolean): Generator<void, boolean, boolean | undefined> {
  for (;;) {
    let k = 0;
    let stopped = false;
    if (stop) q.runUntil(limit, () => (stop() ? (stopped = true) : ++k >= n));
    else k = q.runSlice(limit, n); // the same slices; no predicate asked between events
    if (stopped || k < n) return false;
    if ((yield) === true) return true;
  }
}

function* timelineSteps(scenario: Scenario, opts: TimelineOptions): Generator<void, TimelineRun, boolean | undefined> {
  const ro: RunOptions = { ...opts };
  if (opts.artifactsDir) {
    fs.mkdirSync(opts.artifactsDir, { recursive: true });
    ro.pcapDir = opts.artifactsDir;
    ro.traceFile = path.join(opts.artifactsDir, 'trace.jsonl');
  }
  const a = assemble(scenario, ro);
  const until = opts.until ?? scenario.until;
  const { injected, observer } = armRun(a, scenario, until);
  const q = a.sim.queue;
  const n = a.guests.length > 0 || a.remote.length > 0 ? GUEST_SLICE_EVENTS : SLICE_EVENTS;
  let interruptedAt: number | null = null;
  let stopped = false;
  for (const p of [...(opts.pauses ?? [])].sort((x, y) => x.at - y.at)) {
    if ((stopped = yield* sliced(q, p.at, n))) break;
    p.run(a);
  }
  if (stopped || (yield* sliced(q, until, n))) interruptedAt = q.now;
  else if (observer.busy > 0) {
    const done = (): boolean => observer.busy === 0;
    // A guest hosted on the main thread may run this thread's events inside its own wait: they ask the same condition.
    const gate = a.workers?.gate;
    if (gate) gate.stopWhen = done;
    if (yield* sliced(q, until + END_GRACE_NS, n, done)) interruptedAt = q.now;
    if (gate) gate.stopWhen = null;
  }
  observer.abandon();
  const pcaps = a.close(interruptedAt !== null);
  // With guests in worker threads the main thread's clock stops at its last event; the guests got further.
  const reached = a.reached();
  if (interruptedAt !== null && reached !== null) interruptedAt = Math.max(interruptedAt, reached);
  // Every node's console, guests' (their serial consoles) included, in scenario order.
  const all = [...a.nodes, ...a.guests, ...a.remote];
  const order = scenario.nodes.map((n) => n.name);
  all.sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
  const consoles = new Map(all.map((n) => [n.name, n.console.text()]));
  const artifacts = [...pcaps];
  if (opts.artifactsDir) {
    artifacts.push(path.join(opts.artifactsDir, 'trace.jsonl'));
    for (const [name, text] of consoles) {
      const p = path.join(opts.artifactsDir, `console-${name}.log`);
      fs.writeFileSync(p, text);
      artifacts.push(p);
    }
  }
  const consoleLines = new Map(all.map((n) => [n.name, n.console.lines.slice()]));
  return {
    scenario,
    seed: a.sim.seed,
    traceHash: a.sim.tracer.digest(),
    virtualTime: interruptedAt ?? q.now,
    until,
    events: a.events(),
    consoles,
    consoleLines,
    pcaps,
    trace: a.trace,
    observer,
    notes: injected.faultReports(),
    // Actions that never ran, then guests whose boot went wrong (guest-boot.ts).
    problems: [...injected.problems(), ...guestBootProblems(scenario, consoleLines)],
    artifacts,
    assembled: a,
    interruptedAt,
  };
}
