/**
 * Runs a scenario with its timeline: assembles it (emulator/app/assembly/run.ts), injects actions and faults,
 * runs to `until`, then does the end-of-run work — udpsink processes are terminated so they print their
 * summaries, counters are frozen and the tools that read interface counters are started — and lets those
 * tools finish (at most END_GRACE_NS more virtual time). A scenario without actions, faults or expectations
 * runs exactly as `runScenario` runs it (same trace hash).
 *
 * Synchronous: a scenario with guest nodes needs `await prepareGuests(scenario)` first
 * (emulator/app/assembly/guest-node.ts; `runScenarioCheckedAsync` in api.ts does it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SimEvent } from '../../machine/sim/event';
import { Priority } from '../../machine/sim/priority';
import { assemble, type Assembled, type RunOptions } from '../assembly/run';
import type { Scenario } from '../scenario/types';
import { Observer } from './collect';
import { inject } from './inject';

/** Virtual time the end-of-run tools (netstat, nicinfo) get to finish. */
export const END_GRACE_NS = 1_000_000_000;

export interface TimelineOptions extends RunOptions {
  /** Write pcaps, trace and console logs under this folder (overrides pcapDir/traceFile). */
  artifactsDir?: string | undefined;
}

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
}

export function runTimeline(scenario: Scenario, opts: TimelineOptions = {}): TimelineRun {
  const ro: RunOptions = { ...opts };
  if (opts.artifactsDir) {
    fs.mkdirSync(opts.artifactsDir, { recursive: true });
    ro.pcapDir = opts.artifactsDir;
    ro.traceFile = path.join(opts.artifactsDir, 'trace.jsonl');
  }
  const a = assemble(scenario, ro);
  const until = opts.until ?? scenario.until;
  const injected = inject(a, scenario);
  const observer = new Observer(a, scenario.expect ?? []);
  const q = a.sim.queue;
  const hasTimeline = (scenario.actions?.length ?? 0) + (scenario.faults?.length ?? 0) + (scenario.expect?.length ?? 0) > 0;
  if (hasTimeline) q.schedule(new SimEvent('run.end', () => endOfRun(a, observer), Priority.Scenario), until);
  q.schedule(new SimEvent('run.until', () => undefined, Priority.Stop), until);
  q.runUntil(until);
  if (observer.busy > 0) q.runUntil(until + END_GRACE_NS, () => observer.busy === 0);
  observer.abandon();
  const pcaps = a.close();
  // Every node's console, guests' (their serial consoles) included, in scenario order.
  const all = [...a.nodes, ...a.guests];
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
  return {
    scenario,
    seed: a.sim.seed,
    traceHash: a.sim.tracer.digest(),
    virtualTime: q.now,
    until,
    events: q.executed,
    consoles,
    consoleLines: new Map(all.map((n) => [n.name, n.console.lines.slice()])),
    pcaps,
    trace: a.trace,
    observer,
    notes: injected.faultReports(),
    problems: injected.problems(),
    artifacts,
    assembled: a,
  };
}

/** At `until`: udpsinks print their summaries (SIGTERM), counters freeze, counter tools start. */
function endOfRun(a: Assembled, observer: Observer): void {
  for (const n of a.nodes) {
    const k = n.kernel;
    if (!k) continue;
    for (const p of k.processes) if (p.name === 'udpsink') k.kill(p.pid);
  }
  observer.takeEnd();
}
