/**
 * The scenario API for jest tests (and the `qnxemu test` workers):
 *
 *   import { loadScenario, runScenarioChecked } from './api';
 *   const r = runScenarioChecked(loadScenario('tests/scenarios/ping-hub.yaml'));
 *   expect(r.failures).toEqual([]);
 *   expect(r.consoles.get('alpha')).toContain('0.0% packet loss');
 *
 * A result has the consoles, the counters the expectations read, every expectation's outcome (expected vs
 * actual), what the faults did, and the trace hash (same scenario and seed → same hash).
 *
 * Scenarios with guest nodes (`kind: guest`, Linux under v86) start their guests asynchronously:
 *
 *   const r = await runScenarioCheckedAsync('docs/examples/guest-ne2k-pci.yaml');
 *
 * or `const guests = await prepareGuests(scenario)` (emulator/app/assembly/guest-node.ts) and then
 * `runScenarioChecked(scenario, { guests })`.
 * Guests' consoles are in `consoles` like any node's. With `threads` each guest runs in its own worker thread
 * (`qnxemu test --threads`; emulator/app/assembly/guest-workers.ts), a worker running the CLI bundle.
 */
import { loadScenarioFile, parseScenario } from '../scenario/load';
import type { Scenario } from '../scenario/types';
import { nicKey, toolArgv, toolKey } from './collect';
import { counterValue, evaluate, failureText, type ExpectationOutcome } from './evaluate';
import { runTimeline, runTimelineAsync, type TimelineOptions, type TimelineRun } from './execute';
import { prepareGuests, PreparedGuests } from '../assembly/guest-node';
import { startGuestWorkers } from '../assembly/guest-workers';

export type { ExpectationOutcome } from './evaluate';
export type { TimelineOptions } from './execute';

/** Load and validate a scenario file; throws LocatedError (file:line:col: problem). */
export function loadScenario(file: string): Scenario {
  return loadScenarioFile(file);
}

/** Parse scenario text (tests that build scenarios inline); buildfiles resolve against `dir`. */
export function parseScenarioText(text: string, file = 'inline.yaml', dir = '.'): Scenario {
  return parseScenario(text, file, dir);
}

export interface CheckedRun {
  scenario: Scenario;
  /** Every expectation held (and every action ran). */
  passed: boolean;
  outcomes: ExpectationOutcome[];
  /** One line per failed expectation or problem, with expected and actual. */
  failures: string[];
  consoles: Map<string, string>;
  /**
   * Counters the expectations read, per node: "en0.ierrors" (netstat -i / nicinfo on the node),
   * "nics[0].rx-reject.overflow" (the NIC model); keys of `at` expectations end in "@<ns>".
   */
  counters: Map<string, Record<string, number>>;
  /** What each fault did ("faults[0] loss: 12 frame(s) lost on hub0"). */
  faultNotes: string[];
  traceHash: string;
  seed: number;
  virtualTime: number;
  events: number;
  artifacts: string[];
  /** The full run (nodes, network, simulation) for deeper assertions. */
  run: TimelineRun;
}

/**
 * Run a scenario (object or file path) with its actions and faults, and check its expectations. A scenario
 * with guest nodes needs its prepared guests in `opts.guests` (`await prepareGuests(scenario)`), or use
 * `runScenarioCheckedAsync`.
 */
export function runScenarioChecked(scenario: Scenario | string, opts: TimelineOptions = {}): CheckedRun {
  const sc = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  return checked(sc, runTimeline(sc, opts));
}

/**
 * How an asynchronous run can be stopped from outside (`qnxemu test --in-process` on Ctrl-C): `between` hands
 * the event loop a turn every SLICE_EVENTS events, and once `requested()` is true the run stops between two
 * events (runTimelineAsync, execute.ts); its `run.interruptedAt` says where.
 */
export interface RunInterrupt {
  between(): Promise<void>;
  requested(): boolean;
}

function checked(sc: Scenario, run: TimelineRun): CheckedRun {
  const outcomes = evaluate(run);
  const failures = [...failureText(outcomes), ...run.problems];
  return {
    scenario: sc,
    passed: failures.length === 0,
    outcomes,
    failures,
    consoles: run.consoles,
    counters: countersOf(run),
    faultNotes: run.notes,
    traceHash: run.traceHash,
    seed: run.seed,
    virtualTime: run.virtualTime,
    events: run.events,
    artifacts: run.artifacts,
    run,
  };
}

export interface CheckedOptions extends TimelineOptions {
  /**
   * Run each guest node in its own worker thread, at most this many executing at once (`qnxemu test --threads`,
   * as `qnxemu run --threads`). A scenario whose workers cannot start (startGuestWorkers) throws a CliError.
   */
  threads?: number | undefined;
  /** With `threads`: the script the workers run, the CLI bundle (default: this process's, process.argv[1]). */
  workerScript?: string | undefined;
}

/**
 * `runScenarioChecked` for any scenario: guest nodes' v86 instances are prepared first (building the guest
 * image on first use), or with `threads` their worker threads started. The same as the synchronous call for a
 * scenario without guests. With `interrupt`, the run goes in slices and can be stopped between two events
 * (RunInterrupt).
 */
export async function runScenarioCheckedAsync(scenario: Scenario | string, opts: CheckedOptions = {}, interrupt?: RunInterrupt): Promise<CheckedRun> {
  const sc = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  const { threads, workerScript, ...timeline } = opts;
  if (threads !== undefined && sc.nodes.some((n) => n.kind === 'guest')) {
    const workers = await startGuestWorkers(sc, { threads, seed: timeline.seed ?? sc.seed, ...(workerScript !== undefined ? { script: workerScript } : {}) });
    // The run's end stops the workers (Assembled.close); a run that throws must not leave them behind either.
    try {
      const o: TimelineOptions = { ...timeline, workers, guests: new PreparedGuests() };
      if (!interrupt) return runScenarioChecked(sc, o);
      return checked(sc, await runTimelineAsync(sc, o, interrupt.between, interrupt.requested));
    } finally {
      workers.stop();
    }
  }
  const guests = await prepareGuests(sc);
  if (!interrupt) return runScenarioChecked(sc, { ...opts, guests });
  return checked(sc, await runTimelineAsync(sc, { ...opts, guests }, interrupt.between, interrupt.requested));
}

function countersOf(run: TimelineRun): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  const put = (node: string, key: string, v: number | null) => {
    if (v === null) return;
    const rec = out.get(node) ?? {};
    rec[key] = v;
    out.set(node, rec);
  };
  for (const e of run.scenario.expect ?? []) {
    const suffix = e.at === null ? '' : `@${e.at}`;
    if (e.kind === 'iface-counter') {
      const tool = run.observer.tools.get(toolKey(e.at, e.node, toolArgv(e)));
      if (!tool || tool.error) continue;
      const v = counterValue(e, tool.output);
      put(e.node, `${e.iface}.${e.counter}${suffix}`, v);
    } else if (e.kind === 'nic-counter') {
      put(e.node, `nics[${e.nic}].${e.counter}${suffix}`, run.observer.nicCounts.get(nicKey(e.at, e.node, e.nic, e.counter)) ?? 0);
    }
  }
  return out;
}
