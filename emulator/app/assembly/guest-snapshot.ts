/**
 * One guest's part of a snapshot (snapshot.ts has the whole): its v86 state, its machine state with its log, and in a
 * worker thread where its own simulation was (docs/guest-time-model.md "Snapshots with worker threads"). Apart from
 * snapshot.ts so that a guest's worker (guest-worker.ts) takes its part without the assembly of a whole run.
 */
import type { Time } from '../../machine/sim/time';
import type { EventQueue } from '../../machine/sim/event-queue';
import { Priority } from '../../machine/sim/priority';
import type { GuestMachineState } from '../../machine/v86/guest-machine';
import type { GuestClockState } from '../../machine/v86/guest-clock';
import { withHost } from '../../machine/v86/v86-runtime';
import type { GuestNode } from './guest-node';

export interface GuestSnapshot {
  name: string;
  machine: GuestMachineState;
  /** v86 `save_state()`. */
  v86: ArrayBuffer;
  /** The guest's clock when the snapshotting run restored its own v86 from `v86` (GuestMachine.takeOver). */
  clockAtRestore: GuestClockState;
  /** A guest in a worker thread (`--threads`): its own simulation at its snapshot point (WorkerSnapshotPoint). */
  worker?: WorkerSnapshotPoint;
}

/**
 * Where a guest in a worker thread took its part of a snapshot at T: between its own events, after every event of
 * T or before (a quantum begun before T has finished, past T), before the first one after T. A restore replays the
 * guest to that point and checks it rebuilt the same: its trace digest and record count, its pending events (the
 * main thread's messages not counted: when they came in depends on the threads' timing).
 */
export interface WorkerSnapshotPoint {
  /** The guest's queue time there. */
  time: Time;
  traceDigest: string;
  traceCount: number;
  events: string[];
}

/** A queue's pending events in firing order (name@time); `local`: without other threads' messages (Priority.Message). */
export function pendingEvents(q: EventQueue, local = false): string[] {
  return q
    .list()
    .filter((e) => !local || e.priority !== Priority.Message)
    .map((e) => `${e.name}@${e.when}`);
}

/** The problems (none: empty) of a guest's own simulation in a worker, replayed to its snapshot point. */
export function pointProblems(sim: { tracer: { digest(): string; count: number }; queue: EventQueue }, p: WorkerSnapshotPoint): string[] {
  const problems: string[] = [];
  if (sim.tracer.digest() !== p.traceDigest) problems.push(`trace differs (${sim.tracer.count} records, the snapshot has ${p.traceCount})`);
  const ev = pendingEvents(sim.queue, true);
  if (ev.join() !== p.events.join()) {
    const missing = p.events.filter((e) => !ev.includes(e));
    const extra = ev.filter((e) => !p.events.includes(e));
    problems.push(`pending events differ (missing: ${missing.join(' ') || '-'}; extra: ${extra.join(' ') || '-'})`);
  }
  if (sim.queue.now !== p.time) problems.push(`at ${sim.queue.now} ns, the snapshot at ${p.time} ns`);
  return problems;
}

/**
 * One guest's part of a snapshot, between events. Throws if it was driven from outside the scenario. The guest
 * continues from the saved bytes, as a restore does: v86 drops its JIT cache and TLB when it restores, and those
 * decide where compiled code starts to run (and so where interrupts land).
 */
export function snapshotGuest(g: GuestNode): GuestSnapshot {
  if (g.shell.external) throw new Error(`${g.name}: commands were typed from outside the scenario; a snapshot could not replay them`);
  const inst = g.machine.v86;
  if (!inst || g.machine.mode !== 'live') throw new Error(`${g.name}: no running CPU to snapshot`);
  let clockAtRestore: GuestClockState | null = null;
  const v86 = withHost(g.machine.host, () => {
    const state = inst.machine.save_state();
    clockAtRestore = g.machine.clock.saveState();
    inst.machine.restore_state(state);
    return state;
  });
  return { name: g.name, machine: g.machine.saveState(), v86, clockAtRestore: clockAtRestore! };
}
