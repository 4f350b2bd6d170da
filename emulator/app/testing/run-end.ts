/**
 * What a scenario's run schedules besides its machine, shared by `qnxemu run`/`test` (execute.ts timelineSteps)
 * and the debugger (emulator/app/debug/instance.ts), so that both make the same run: the actions and faults, the
 * expectations' times, the end of the run at `until` (udpsinks are SIGTERMed so they print their summaries,
 * counters freeze, the end-of-run tools start) and the stop at `until`; and the rule for how far past `until` the
 * run goes (while those tools are busy, at most END_GRACE_NS). Kept apart from execute.ts, which writes artifact
 * files, so the web page's bundle (emulator/app/web-page) takes only this.
 */
import { SimEvent } from '../../machine/sim/event';
import { Priority } from '../../machine/sim/priority';
import type { Time } from '../../machine/sim/time';
import { RUN_END_EVENT, RUN_UNTIL_EVENT, type Assembled } from '../assembly/run';
import type { Scenario } from '../scenario/types';
import { Observer } from './collect';
import { inject, type Injected } from './inject';

/** Virtual time the end-of-run tools (netstat, nicinfo) get to finish. */
export const END_GRACE_NS = 1_000_000_000;

/** What `armRun` put on a run: the scenario's actions and faults, and the observer of its expectations. */
export interface ArmedRun {
  injected: Injected;
  observer: Observer;
}

/**
 * Everything a run of `scenario` schedules besides the assembled machine, in `qnxemu run`'s order (the queue
 * breaks ties between events at the same time and priority by scheduling order, so the order is part of the
 * run): the actions and faults, the expectations' times (Observer), then — when the scenario has actions,
 * faults or expectations — the end of the run (RUN_END_EVENT at `until`: endOfRun), and the stop at `until`.
 * Call it right after `assemble`, before anything else schedules. The debugger arms its runs with it too
 * (emulator/app/debug/instance.ts), so its run is this one.
 */
export function armRun(a: Assembled, scenario: Scenario, until: Time): ArmedRun {
  const injected = inject(a, scenario);
  const observer = new Observer(a, scenario.expect ?? []);
  const q = a.sim.queue;
  const hasTimeline = (scenario.actions?.length ?? 0) + (scenario.faults?.length ?? 0) + (scenario.expect?.length ?? 0) > 0;
  if (hasTimeline) q.schedule(new SimEvent(RUN_END_EVENT, () => endOfRun(a, observer), Priority.Scenario), until);
  q.schedule(new SimEvent(RUN_UNTIL_EVENT, () => undefined, Priority.Stop), until);
  return { injected, observer };
}

/**
 * The latest time the run's next event may have to belong to the run: `until`, or, while end-of-run tools are
 * busy, until + END_GRACE_NS. Asked before each event, it admits exactly the events timelineSteps runs: every
 * event up to `until`, then more while `observer.busy > 0` (it stops after the event that leaves it 0), up to
 * until + END_GRACE_NS.
 */
export function runLimit(until: Time, observer: Observer): Time {
  return observer.busy > 0 ? until + END_GRACE_NS : until;
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
