/**
 * One run of a scenario under the debugger: assembled (not run), with every trace record kept together with
 * the number of the event that emitted it, the name of the event that ran last, a map of NIC names to their
 * models (read through their kind's description and `inspect()`), and packet bytes learned from medium taps
 * (every frame a medium completes; a frame seen later answers for the earlier hops of the same packet id).
 * Stepping back builds a fresh instance and replays it: QNX nodes run as generators and cannot be saved.
 * The run is armed as `qnxemu run` arms it (armRun, emulator/app/testing/run-end.ts): the scenario's actions and
 * faults, its expectations' times, the end of the run at `until` (udpsinks print their summaries, the end-of-run
 * tools start) and the stop at `until`, scheduled in the same order; and it goes on past `until` while those tools
 * are busy, as far as `limit` says. So the debugger's run is `qnxemu run`'s, record for record.
 *
 * Guest nodes (Linux under v86) run live only in the session's recording run (the lookahead); every instance
 * the session steps through rebuilds them from the guest logs of that run (`guestLogs`: replay mode, the
 * mechanism snapshot restores use, emulator/app/assembly/snapshot.ts). Their NIC models are real and see the same
 * register accesses at the same times, so traces, frames and `show nic` are those of the recorded run.
 *
 * A threaded run (`qnxemu debug --threads N`): the guests ran in worker threads in the recording run, and every
 * instance replays them from what they sent the main thread (`recording`): the main thread's part of the run —
 * QNX nodes, media, faults, the merged trace with the guests' records and console lines — runs again exactly, and the
 * guests' NIC models are not in this thread (docs/guest-time-model.md "The debugger and a threaded run").
 */
import { assemble, type Assembled } from '../assembly/run';
import { armRun, runLimit } from '../testing/run-end';
import type { Observer } from '../testing/collect';
import type { SimNode } from '../assembly/node';
import type { GuestNode, PreparedGuests } from '../assembly/guest-node';
import { GuestLog, type GuestLogState } from '../../machine/v86/guest-log';
import type { SimEvent } from '../../machine/sim/event';
import type { TraceRecord } from '../../machine/sim/trace';
import type { Time } from '../../machine/sim/time';
import type { Scenario } from '../scenario/types';
import type { NicDevice, NicKind } from '../../../nic-models/kind';
import type { NicSpec } from '../scenario/types';
import { RecordedWorkers, type GuestRecording } from '../assembly/guest-recording';
import type { PacketIndex } from './packet-index';
import type { DebugRecord } from './records';

/** A node of either kind: a simulated QNX node, or a guest (it has no `kernel` or `board`). */
export type AnyNode = SimNode | GuestNode;

export function isGuest(n: AnyNode): n is GuestNode {
  return 'machine' in n;
}

export interface NicRef {
  /** Component name, as in the `nic` field of NIC records: "alpha.nic0". */
  readonly name: string;
  readonly node: AnyNode;
  readonly index: number;
  readonly spec: NicSpec;
  readonly kind: NicKind;
  readonly device: NicDevice;
  readonly link: string;
  readonly model: string;
  readonly mac: Uint8Array;
}

export interface InstanceOptions {
  seed: number;
  /** The run's end time (`qnxemu run --until`): the end-of-run work happens here. */
  until: Time;
  verbose: boolean;
  packets: PacketIndex;
  /** Rebuild guest nodes from these logs (replay) instead of running v86 (which needs prepared instances). */
  guestLogs?: Map<string, GuestLogState> | null;
  /** v86 instances for live guest nodes (the recording run). */
  guests?: PreparedGuests | undefined;
  /**
   * A threaded run's recording (`qnxemu debug --threads N`): its guests are replayed from what they sent the main
   * thread (emulator/app/assembly/guest-recording.ts), and the run is the threaded run's main thread, record for record.
   */
  recording?: readonly GuestRecording[] | null | undefined;
  /** Called once the instance is built, before any event runs (observers: the web page's frame log, emulator/app/web-page/core). */
  onBuilt?: ((inst: SimInstance) => void) | undefined;
}

export class SimInstance {
  readonly a: Assembled;
  readonly records: DebugRecord[] = [];
  readonly nics = new Map<string, NicRef>();
  /** NIC port name ("alpha.nic0") → link name ("hub0"). */
  readonly portLinks = new Map<string, string>();
  /** The scenario's end time (the end-of-run work happens here; see `limit`). */
  readonly until: Time;
  /** The expectations' observer (its end-of-run tools keep the run going past `until`). */
  readonly observer: Observer;
  lastEvent: SimEvent | null = null;
  /** Keep trace records (a capped lookahead turns this off at its horizon: timeline.ts). */
  keepRecords = true;

  constructor(readonly scenario: Scenario, private readonly opts: InstanceOptions) {
    let queue: { executed: number } | null = null;
    const guestReplay = opts.guestLogs ? new Map([...opts.guestLogs].map(([name, st]) => [name, GuestLog.load(st)])) : undefined;
    this.a = assemble(scenario, {
      seed: opts.seed,
      verboseTrace: opts.verbose,
      onTrace: (rec) => this.take(rec, queue?.executed ?? 0),
      ...(guestReplay ? { guestReplay } : {}),
      ...(opts.guests ? { guests: opts.guests } : {}),
      ...(opts.recording ? { workers: new RecordedWorkers(opts.recording) } : {}),
    });
    this.wasVerbose = opts.verbose;
    const q = this.a.sim.queue;
    queue = q;
    // Armed as `qnxemu run`/`test` arm it, right after assembly (the scheduling order is part of the run).
    this.until = opts.until;
    this.observer = armRun(this.a, scenario, opts.until).observer;
    const prev = q.beforeEvent;
    q.beforeEvent = (ev) => {
      this.lastEvent = ev;
      if (prev) prev(ev);
    };
    for (const node of this.allNodes) {
      node.nics.forEach((n, i) => {
        const name = `${node.name}.nic${i}`;
        this.nics.set(name, { name, node, index: i, spec: n.spec, kind: n.kind, device: n.device, link: n.spec.link, model: n.spec.model, mac: n.spec.mac });
        this.portLinks.set(name, n.spec.link);
      });
    }
    for (const [, medium] of this.a.network.media) {
      medium.tap((frame) => opts.packets.learnBytes(frame.pktId, frame.data, this.executed));
    }
    opts.onBuilt?.(this);
  }

  get queue() {
    return this.a.sim.queue;
  }
  get executed(): number {
    return this.a.sim.queue.executed;
  }
  get now(): Time {
    return this.a.sim.queue.now;
  }
  get verbose(): boolean {
    return this.a.sim.tracer.verbose;
  }
  set verbose(v: boolean) {
    this.a.sim.tracer.verbose = v;
    if (v) this.wasVerbose = true;
  }

  /** Register records were on at some point of this run: its trace has records the plain run's has not. */
  wasVerbose: boolean;

  /** A simulated QNX node. */
  node(name: string): SimNode | undefined {
    return this.a.nodes.find((n) => n.name === name);
  }

  /** Every node, QNX and guest, in scenario order. */
  get allNodes(): AnyNode[] {
    const order = this.scenario.nodes.map((n) => n.name);
    return [...this.a.nodes, ...this.a.guests].sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
  }

  /** A node of either kind. */
  anyNode(name: string): AnyNode | undefined {
    return this.node(name) ?? this.a.guests.find((g) => g.name === name);
  }

  get nodeNames(): string[] {
    return this.scenario.nodes.map((n) => n.name);
  }

  /** What each guest did, for instances that replay it (after this instance ran live). */
  guestLogs(): Map<string, GuestLogState> {
    return new Map(this.a.guests.map((g) => [g.name, g.machine.log.saveState()]));
  }

  /** The first guest whose replay met something its log does not have (the rebuilt run is not the recorded one). */
  get divergence(): string | null {
    for (const g of this.a.guests) if (g.machine.divergence) return `${g.name}: ${g.machine.divergence}`;
    return null;
  }

  /**
   * The latest time the next event may have to belong to the run: `until`, or — while the end-of-run tools are
   * busy — until + END_GRACE_NS (runLimit: `qnxemu run`'s rule, asked before each event).
   */
  get limit(): Time {
    return runLimit(this.until, this.observer);
  }

  /**
   * The run's next event (at or before `limit`), or null. With a threaded run's guests replayed (`recording`), the
   * queue's gate first puts a guest's message in front when it comes first, and hands over the guests' trace records
   * before it (at the end: up to the limit), as it did in the threaded run (main-gate.ts `admit`).
   */
  peekNext(bound?: Time): SimEvent | null {
    const limit = bound === undefined ? this.limit : Math.min(this.limit, bound);
    const gate = this.queue.gate;
    if (gate) return gate.admit(limit, false) ? this.queue.peek() : null;
    const ev = this.queue.peek();
    return ev && ev.when <= limit ? ev : null;
  }

  /**
   * The run's next event as far as it is known without letting it come (at or before `limit`), or null: the queue's
   * next event or, in a threaded run's replay, a guest's held message if it comes first (main-gate.ts `admit`). For
   * saying what comes after a stop that `peekNext(bound)` ended, without handing over the guests' records up to it.
   */
  nextKnown(): { name: string; at: Time } | null {
    const gate = this.a.workers?.gate;
    const local = gate ? null : this.queue.peek();
    const next = gate ? gate.nextKnown() : local && { name: local.name, at: local.when };
    return next && next.at <= this.limit ? next : null;
  }

  /** Is there an event left in the run (at or before `limit`)? */
  get ended(): boolean {
    return this.peekNext() === null;
  }

  /** Run the next event if the run has one. */
  stepOne(): boolean {
    return this.peekNext() !== null && this.queue.step();
  }

  /** Guests' messages the gate holds until they are due (a threaded run's replay), in the order they will run. */
  heldMessages(): { name: string; at: Time; priority: number }[] {
    return this.a.workers?.gate?.heldMessages() ?? [];
  }

  /** A guest node that ran in a worker thread in the recorded threaded run (its NIC models are not here). */
  isRemoteGuest(name: string): boolean {
    return this.a.remote.some((r) => r.name === name);
  }

  private take(rec: TraceRecord, ev: number): void {
    if (!this.keepRecords) return;
    const r: DebugRecord = rec.f ? { t: rec.t, node: rec.node, layer: rec.layer, probe: rec.probe, pkt: rec.pkt, f: rec.f, ev } : { t: rec.t, node: rec.node, layer: rec.layer, probe: rec.probe, pkt: rec.pkt, ev };
    this.records.push(r);
    const packets = this.opts.packets;
    if (rec.pkt > 0) packets.learnRecord(rec);
  }
}
