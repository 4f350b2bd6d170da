/**
 * The lookahead: the debugger runs the scenario once to its end before the session starts (runs are
 * deterministic, so the session's run is the same one) and keeps every record indexed by packet id. This is
 * what lets `path` show a packet's whole journey — hops still to come included — at the first breakpoint,
 * lets filters know a packet's bytes before it reaches the wire, and tells `next` when a packet has no
 * further hop.
 *
 * The lookahead's memory is bounded (issue 14): it keeps at most `maxRecords` records (DEFAULT_LOOKAHEAD_RECORDS,
 * `qnxemu debug --lookahead-records N`). When the cap is reached the lookahead stops there — its *horizon* — and
 * the banner says so: the session knows the future up to the horizon and, past it, only what it has run itself
 * (as with --no-lookahead). Frames are bounded separately (packet-index.ts MAX_PACKETS). Guest nodes keep running
 * to the end past the horizon, without records kept, because the session replays their logs.
 * A long lookahead reports its progress through `onProgress` (the CLI draws it on a terminal).
 */
import type { GuestRecording } from '../assembly/guest-recording';
import type { PreparedGuests } from '../assembly/guest-node';
import type { Time } from '../../machine/sim/time';
import type { Scenario } from '../scenario/types';
import { SimInstance } from './instance';
import type { PacketIndex } from './packet-index';
import type { DebugRecord } from './records';

/**
 * Records kept by default: 1 million. A kept record (a DebugRecord with its fields, its slots in the per-packet
 * index and its share of the frames kept) takes 280–330 bytes of heap (measured on docs/examples/tcp-transfer.yaml,
 * 283 B, and overrun.yaml, 325 B; docs/debugger.md), so a full lookahead holds about 300 MB, and the session's own
 * run, which keeps its records too, as much again by the time it reaches the horizon: well inside Node's default
 * heap on a 64-bit laptop. The shipped examples need 2·10⁴–4·10⁴ records (tcp-transfer.yaml: 39193).
 */
export const DEFAULT_LOOKAHEAD_RECORDS = 1_000_000;

/** Events between two progress reports. */
export const PROGRESS_EVERY = 4096;

export interface LookaheadProgress {
  now: Time;
  until: Time;
  events: number;
  records: number;
  done: boolean;
  /** What runs (default: the lookahead); `debug --threads` first reports its threaded recording run (threaded.ts). */
  what?: string;
}

export interface LookaheadOptions {
  /** Records kept at most (0: no cap). Default DEFAULT_LOOKAHEAD_RECORDS. */
  maxRecords?: number | undefined;
  /** Called every PROGRESS_EVERY events and once at the end. */
  onProgress?: ((p: LookaheadProgress) => void) | undefined;
  /** Called with the recording run's instance once it is built, before it runs (see InstanceOptions.onBuilt). */
  onInstance?: ((inst: SimInstance) => void) | undefined;
  /** A threaded run's recording: the guests are replayed from it instead of running live (InstanceOptions.recording). */
  recording?: readonly GuestRecording[] | null | undefined;
}

/** Where a capped lookahead stopped. */
export interface Horizon {
  /** The cap it reached (records). */
  limit: number;
  /** Events it covers (records of events 1…events are kept). */
  events: number;
  /** Virtual time after its last event. */
  t: Time;
}

/** A recording run: the instance (records, guest logs) and where it stopped keeping records, if it did. */
export interface Recording {
  inst: SimInstance;
  horizon: Horizon | null;
}

export class Timeline {
  readonly records: DebugRecord[];
  private readonly byPkt = new Map<number, DebugRecord[]>();
  /** Records that name another packet as their cause (reqPkt, forPkt): pkt → records. */
  private readonly related = new Map<number, DebugRecord[]>();
  readonly events: number;
  readonly endTime: Time;
  /** "layer/probe" of every record seen (to warn about misspelt breakpoints). */
  readonly probes = new Set<string>();

  /** Where the lookahead stopped at its record cap; null: it saw the whole run. */
  readonly horizon: Horizon | null;

  private constructor({ inst, horizon }: Recording) {
    this.records = inst.records;
    this.horizon = horizon;
    this.events = horizon ? horizon.events : inst.executed;
    this.endTime = horizon ? horizon.t : inst.now;
    for (const r of this.records) {
      this.probes.add(`${r.layer}/${r.probe}`);
      if (r.pkt > 0) push(this.byPkt, r.pkt, r);
      for (const k of ['reqPkt', 'forPkt']) {
        const v = r.f?.[k];
        if (typeof v === 'number' && v > 0) push(this.related, v, r);
      }
    }
  }

  /** Run `scenario` with `seed` to its end (`until`, then the end-of-run tools) and index it (guest nodes must be prepared: see `record`). */
  static build(scenario: Scenario, seed: number, until: Time, packets: PacketIndex, guests?: PreparedGuests, o: LookaheadOptions = {}): Timeline {
    return new Timeline(Timeline.record(scenario, seed, until, packets, guests, o));
  }

  /** Index a finished recording run. */
  static of(rec: Recording): Timeline {
    return new Timeline(rec);
  }

  /** Did the lookahead see the whole run? */
  get complete(): boolean {
    return this.horizon === null;
  }

  /**
   * Run `scenario` to its end — `until`, and past it while the end-of-run tools are busy, as `qnxemu run`
   * (SimInstance.limit) — guests live (their v86 instances must have been prepared:
   * `guests`, from `await prepareGuests(scenario)`). The instance afterwards holds the records (at most
   * `o.maxRecords`, then whole events only) and the guests' logs.
   */
  static record(scenario: Scenario, seed: number, until: Time, packets: PacketIndex, guests?: PreparedGuests, o: LookaheadOptions = {}): Recording {
    const inst = new SimInstance(scenario, { seed, until, verbose: false, packets, guests, onBuilt: o.onInstance, recording: o.recording });
    const limit = o.maxRecords ?? DEFAULT_LOOKAHEAD_RECORDS;
    const live = scenario.nodes.some((n) => n.kind === 'guest') && !o.recording;
    let horizon: Horizon | null = null;
    const report = (done: boolean) => o.onProgress?.({ now: inst.now, until, events: inst.executed, records: inst.records.length, done });
    while (inst.stepOne()) {
      if (inst.executed % PROGRESS_EVERY === 0) report(false);
      if (horizon === null && limit > 0 && inst.records.length >= limit) {
        horizon = { limit, events: inst.executed, t: inst.now };
        // Guests must run to the end (the session replays their logs); nothing else needs the rest of the run.
        if (!live) break;
        inst.keepRecords = false;
      }
    }
    report(true);
    return { inst, horizon };
  }

  /** Every record of packet `pkt`, in order. */
  of(pkt: number): DebugRecord[] {
    return this.byPkt.get(pkt) ?? [];
  }

  /** Records of other packets caused by `pkt` (an ARP request for it, the echo reply to it). */
  causedBy(pkt: number): DebugRecord[] {
    return this.related.get(pkt) ?? [];
  }

  /** Is there a record of `pkt` emitted by an event after event number `ev`? (Up to the horizon: see `complete`.) */
  hasAfter(pkt: number, ev: number): boolean {
    return this.of(pkt).some((r) => r.ev > ev);
  }

  /**
   * Every record of `pkt` known: the lookahead's, then — past its horizon — the ones the session's own run
   * (`sessionRecords`, the same run) has emitted since.
   */
  known(pkt: number, sessionRecords: readonly DebugRecord[]): DebugRecord[] {
    const mine = this.of(pkt);
    if (!this.horizon) return mine;
    const h = this.horizon.events;
    return [...mine, ...sessionRecords.filter((r) => r.ev > h && r.pkt === pkt)];
  }

  /** Records of other packets caused by `pkt`, past the horizon too (as `known`). */
  knownCausedBy(pkt: number, sessionRecords: readonly DebugRecord[]): DebugRecord[] {
    const mine = this.causedBy(pkt);
    if (!this.horizon) return mine;
    const h = this.horizon.events;
    return [...mine, ...sessionRecords.filter((r) => r.ev > h && (r.f?.['reqPkt'] === pkt || r.f?.['forPkt'] === pkt))];
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
