/**
 * The lookahead: the debugger runs the scenario once to its end before the session starts (runs are
 * deterministic, so the session's run is the same one) and keeps every record indexed by packet id. This is
 * what lets `path` show a packet's whole journey — hops still to come included — at the first breakpoint,
 * lets filters know a packet's bytes before it reaches the wire, and tells `next` when a packet has no
 * further hop.
 */
import type { PreparedGuests } from '../assembly/guest-node';
import type { Time } from '../../machine/sim/time';
import type { Scenario } from '../scenario/types';
import { SimInstance } from './instance';
import type { PacketIndex } from './packet-index';
import type { DebugRecord } from './records';

export class Timeline {
  readonly records: DebugRecord[];
  private readonly byPkt = new Map<number, DebugRecord[]>();
  /** Records that name another packet as their cause (reqPkt, forPkt): pkt → records. */
  private readonly related = new Map<number, DebugRecord[]>();
  readonly events: number;
  readonly endTime: Time;
  /** "layer/probe" of every record seen (to warn about misspelt breakpoints). */
  readonly probes = new Set<string>();

  private constructor(inst: SimInstance) {
    this.records = inst.records;
    this.events = inst.executed;
    this.endTime = inst.now;
    for (const r of this.records) {
      this.probes.add(`${r.layer}/${r.probe}`);
      if (r.pkt > 0) push(this.byPkt, r.pkt, r);
      for (const k of ['reqPkt', 'forPkt']) {
        const v = r.f?.[k];
        if (typeof v === 'number' && v > 0) push(this.related, v, r);
      }
    }
  }

  /** Run `scenario` with `seed` to `until` and index it (guest nodes must be prepared: see `record`). */
  static build(scenario: Scenario, seed: number, until: Time, packets: PacketIndex, guests?: PreparedGuests): Timeline {
    return new Timeline(Timeline.record(scenario, seed, until, packets, guests));
  }

  /** Index a finished recording run. */
  static of(inst: SimInstance): Timeline {
    return new Timeline(inst);
  }

  /**
   * Run `scenario` to `until`, guests live (their v86 instances must have been prepared:
   * `guests`, from `await prepareGuests(scenario)`). The instance afterwards holds the records and the guests' logs.
   */
  static record(scenario: Scenario, seed: number, until: Time, packets: PacketIndex, guests?: PreparedGuests): SimInstance {
    const inst = new SimInstance(scenario, { seed, verbose: false, packets, guests });
    while (inst.stepOne(until));
    return inst;
  }

  /** Every record of packet `pkt`, in order. */
  of(pkt: number): DebugRecord[] {
    return this.byPkt.get(pkt) ?? [];
  }

  /** Records of other packets caused by `pkt` (an ARP request for it, the echo reply to it). */
  causedBy(pkt: number): DebugRecord[] {
    return this.related.get(pkt) ?? [];
  }

  /** Is there a record of `pkt` emitted by an event after event number `ev`? */
  hasAfter(pkt: number, ev: number): boolean {
    return this.of(pkt).some((r) => r.ev > ev);
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
