/**
 * Whole-simulation snapshots of scenarios with guest (v86) nodes (docs/guest-time-model.md, "Snapshots").
 *
 * A snapshot at time T holds, per guest, v86's own state (CPU, RAM, chipset) and the guest's log: everything
 * the guest did to the rest of the simulation since power-on (guest-log.ts). Restoring builds the same
 * scenario afresh with every guest in replay mode and runs it to T: the simulated QNX nodes (generator-based
 * threads, which cannot be serialized), the media, the NIC models and all pending events are rebuilt by
 * deterministic re-execution, fed the guests' recorded register accesses and console output; the guests'
 * CPUs cost nothing until T. At T each guest's restored v86 takes over. The restore checks that it rebuilt the
 * same world: the trace digest at T and the list of pending events must equal the snapshot's, and the replay
 * must have consumed each log exactly.
 *
 * Limits: the scenario and seed must be the ones the snapshot was taken with; before T, guests may only have
 * been driven by the scenario (commands typed by `ShellDriver.run` from outside cannot be replayed, and
 * `takeSnapshot` refuses); T is between events (after `queue.runUntil(T)`).
 */
import type { Time } from '../../machine/sim/time';
import { assemble, type Assembled, type RunOptions } from './run';
import { prepareGuests } from './guest-node';
import type { Scenario } from '../scenario/types';
import { GuestLog } from '../../machine/v86/guest-log';
import type { V86Instance } from '../../machine/v86/v86-runtime';
import { pendingEvents, snapshotGuest, type GuestSnapshot } from './guest-snapshot';

export type { GuestSnapshot, WorkerSnapshotPoint } from './guest-snapshot';

export interface SimSnapshot {
  v: 1;
  scenario: string;
  seed: number;
  verbose: boolean;
  time: Time;
  traceDigest: string;
  traceCount: number;
  /** Pending events in firing order (name@time): the restore must rebuild exactly these. */
  events: string[];
  guests: GuestSnapshot[];
  /** Taken with the guests in worker threads (`--threads`): each guest's part has its `worker` point. */
  threads?: true;
}

function pending(a: Assembled): string[] {
  return pendingEvents(a.sim.queue);
}

/**
 * The problems (none: empty) of a run rebuilt to `snap.time` against the snapshot: its trace digest and its pending
 * events. `ignore` drops events of both lists by name (the CLI's run.end/run.until: a restored run may end elsewhere).
 */
export function rebuiltProblems(a: Assembled, snap: SimSnapshot, ignore: (name: string) => boolean = () => false): string[] {
  const problems: string[] = [];
  if (a.sim.tracer.digest() !== snap.traceDigest)
    problems.push(`trace differs at t=${snap.time} (${a.sim.tracer.count} records, the snapshot has ${snap.traceCount})`);
  const keep = (e: string): boolean => !ignore(e.slice(0, e.lastIndexOf('@')));
  const ev = pending(a).filter(keep);
  const want = snap.events.filter(keep);
  if (ev.join() !== want.join()) {
    const missing = want.filter((e) => !ev.includes(e));
    const extra = ev.filter((e) => !want.includes(e));
    problems.push(`pending events differ (missing: ${missing.join(' ') || '-'}; extra: ${extra.join(' ') || '-'})`);
  }
  return problems;
}

/** At the snapshot's time: each guest's restored v86 (a fresh instance from `instances`) takes over from its replay. */
export function takeOverGuests(a: Assembled, snap: SimSnapshot, instances: Map<string, V86Instance>): void {
  for (const gs of snap.guests) {
    const g = a.guests.find((x) => x.name === gs.name);
    if (!g) throw new Error(`snapshot has guest ${gs.name}; the scenario does not`);
    g.machine.takeOver(instances.get(gs.name)!, gs.v86, gs.machine, gs.clockAtRestore);
  }
}

/** Snapshot an assembled run between events. Throws if a guest was driven from outside the scenario. */
export function takeSnapshot(a: Assembled, scenario: Scenario): SimSnapshot {
  const guests = a.guests.map(snapshotGuest);
  return {
    v: 1,
    scenario: scenario.name,
    seed: a.sim.seed,
    verbose: a.sim.tracer.verbose,
    time: a.sim.queue.now,
    traceDigest: a.sim.tracer.digest(),
    traceCount: a.sim.tracer.count,
    events: pending(a),
    guests,
  };
}

/**
 * Rebuild `scenario` at the snapshot's time (see above). `opts` are the run options of the new assembly (trace
 * sinks, pcaps: they see the rebuilt run from t = 0). Resolves to an assembly whose guests run live from T.
 */
export async function restoreSnapshot(scenario: Scenario, snap: SimSnapshot, opts: RunOptions = {}): Promise<Assembled> {
  if (snap.v !== 1) throw new Error(`snapshot version ${snap.v}, this build reads version 1`);
  const prepared = await prepareGuests(scenario);
  const instances = new Map(snap.guests.map((g) => [g.name, prepared.take(g.name)]));
  const replay = new Map(snap.guests.map((g) => [g.name, GuestLog.load(g.machine.log)]));
  const a = assemble(scenario, { ...opts, seed: snap.seed, verboseTrace: snap.verbose, guestReplay: replay });
  a.sim.queue.runUntil(snap.time);
  const problems = rebuiltProblems(a, snap);
  if (problems.length > 0) throw new Error(`snapshot of ${snap.scenario}: the rebuilt run is not the recorded one: ${problems.join('; ')}`);
  takeOverGuests(a, snap, instances);
  return a;
}
