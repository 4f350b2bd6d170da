/**
 * The impairment of deliveries to one station port: what Linux netem's enqueue does to a packet (net/sched/
 * sch_netem.c netem_enqueue), in virtual time, with the emulator's frames as its packets. Per frame, in netem's
 * order: duplicate? lost? (a duplicated frame that is also lost goes once: netem counts copies), corrupt one bit
 * of the original (the copy is taken before), queue limit, then either reorder (sent at once) or delay + jitter,
 * serialised behind the frames still held when a rate is set. Held frames leave in order of their send time,
 * ties first-come (netem's tfifo rb-tree), through the medium's late delivery path.
 *
 * Each aspect draws from its own stream, `${ctx.name}.${port}.${aspect}`, created when first needed and only
 * drawn from when that aspect is configured.
 */
import type { ComponentContext } from '../../sim/context';
import { SimEvent } from '../../sim/event';
import { Priority } from '../../sim/priority';
import type { Rng } from '../../sim/rng';
import type { Time } from '../../sim/time';
import type { StagedMedium } from '../delivery-chain';
import type { Frame } from '../link';
import type { ImpairConfig } from './config';
import { crandom, distTable, tabledist } from './netem-tables';

export type ImpairAspect = 'loss' | 'duplicate' | 'corrupt' | 'reorder' | 'delay';

/** A frame the impairment holds: when it leaves, when it came, a tie-breaking sequence number. */
export interface HeldFrame {
  readonly at: Time;
  readonly arrived: Time;
  readonly seq: number;
  readonly frame: Frame;
}

/** What a port's impairment did so far (the run's fault report). */
export interface ImpairCounters {
  /** Frames handed to the impairment (duplicates not counted). */
  frames: number;
  lost: number;
  queueFull: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  /** Copies that left the impairment (delivered, or lost to a link down at the port) and their total wait. */
  left: number;
  delaySum: number;
}

export class PortImpairment {
  readonly counters: ImpairCounters = { frames: 0, lost: 0, queueFull: 0, duplicated: 0, reordered: 0, corrupted: 0, left: 0, delaySum: 0 };
  /** The tfifo: held frames by (at, seq). */
  held: HeldFrame[] = [];
  seq = 0;
  /** Gilbert-Elliott state (netem starts in Good). */
  bad = false;
  /** Frames delayed since the last reordered one (netem's q->counter). */
  counter = 0;
  /** The previous correlated jitter draw (netem's delay_cor.last). */
  lastDelayRnd = 0;
  /** The model of the last loss configured (for the report). */
  lossModel: string | null = null;
  readonly streams = new Map<ImpairAspect, Rng>();
  private readonly ev: SimEvent;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly medium: StagedMedium,
    readonly port: string,
  ) {
    this.ev = new SimEvent(`${ctx.name}.${port}.out`, () => this.release(), Priority.Wire);
  }

  /** The stream of one aspect (issued on first use; the factory refuses a name twice, so it is kept). */
  rng(aspect: ImpairAspect): Rng {
    let r = this.streams.get(aspect);
    if (!r) {
      r = this.ctx.rngs.stream(`${this.ctx.name}.${this.port}.${aspect}`);
      this.streams.set(aspect, r);
    }
    return r;
  }

  /** A frame for the station arrives under `cfg`: the frame to deliver now, or null (lost or held). */
  arrive(frame: Frame, cfg: ImpairConfig): Frame | null {
    this.counters.frames++;
    return this.enqueue(frame, cfg, true);
  }

  private enqueue(frame: Frame, cfg: ImpairConfig, mayDuplicate: boolean): Frame | null {
    let count = 1;
    if (mayDuplicate && cfg.duplicate > 0 && this.rng('duplicate').chance(cfg.duplicate)) count++;
    if (cfg.loss && this.lossEvent(cfg)) count--;
    if (count === 0) {
      this.counters.lost++;
      this.lossModel = cfg.loss!.model;
      this.emit('loss', frame, { model: cfg.loss!.model });
      return null;
    }
    const original = frame;
    let f = frame;
    if (cfg.corrupt > 0 && f.data.length > 0 && this.rng('corrupt').chance(cfg.corrupt)) f = this.corrupt(f);
    if (this.held.length >= cfg.limit) {
      // netem drops the packet (and its clone) when the queue already holds `limit` packets.
      this.counters.queueFull++;
      this.emit('queue-full', f, { queued: this.held.length });
      return null;
    }
    if (count > 1) {
      // The clone is enqueued before the original (netem re-enqueues it at the root with duplication off).
      this.counters.duplicated++;
      this.emit('duplicate', f);
      const copy = this.enqueue({ ...original }, cfg, false);
      if (copy) this.medium.deliverHeld(this.port, copy);
    }
    return this.schedule(f, cfg);
  }

  /** netem loss_event(): Bernoulli, or Gilbert-Elliott deciding with the state the frame finds (loss_gilb_ell). */
  private lossEvent(cfg: ImpairConfig): boolean {
    const m = cfg.loss!;
    const r = this.rng('loss');
    if (m.model === 'random') return m.probability > 0 && r.chance(m.probability);
    const wasBad = this.bad;
    if (r.chance(wasBad ? m.r : m.p)) this.bad = !wasBad;
    return r.chance(wasBad ? m.lossBad : m.lossGood);
  }

  /** One bit flipped: byte below the length, bit below 8 (netem's corrupt). The FCS stays good. */
  private corrupt(f: Frame): Frame {
    const r = this.rng('corrupt');
    const byte = r.below(f.data.length);
    const bit = r.below(8);
    const data = f.data.slice();
    data[byte]! ^= 1 << bit;
    this.counters.corrupted++;
    this.emit('corrupt', f, { bit: byte * 8 + bit });
    return { ...f, data };
  }

  /** Reorder (at once) or delay; with a rate, serialise behind the last held frame (netem_enqueue). */
  private schedule(f: Frame, cfg: ImpairConfig): Frame | null {
    const now = this.ctx.queue.now;
    const ro = cfg.reorder;
    if (ro && ro.probability > 0 && this.counter >= ro.gap - 1 && this.rng('reorder').chance(ro.probability)) {
      this.counter = 0;
      this.counters.reordered++;
      this.emit('reorder', f);
      return this.leaveNow(f);
    }
    let delay = cfg.delayNs;
    if (cfg.jitterNs > 0) {
      const rnd = crandom(this.rng('delay').u32(), cfg.correlation, this.lastDelayRnd);
      this.lastDelayRnd = rnd;
      delay = tabledist(cfg.delayNs, cfg.jitterNs, rnd, distTable(cfg.distribution));
    }
    let at = now + Math.max(0, delay);
    if (cfg.rateBps !== null) {
      // netem: the last held packet is the reference; this one starts after it and takes its packet time.
      const last = this.held[this.held.length - 1];
      if (last) at = Math.max(at, last.at);
      at += packetTimeNs(f.data.length, cfg);
    }
    this.counter++;
    if (at === now && (this.held.length === 0 || this.held[0]!.at > now)) return this.leaveNow(f);
    this.insert({ at, arrived: now, seq: this.seq++, frame: f });
    this.emit('hold', f, { ns: at - now });
    return null;
  }

  private leaveNow(f: Frame): Frame {
    this.counters.left++;
    return f;
  }

  private insert(h: HeldFrame): void {
    let i = this.held.length;
    while (i > 0 && this.held[i - 1]!.at > h.at) i--;
    this.held.splice(i, 0, h);
    this.arm();
  }

  /** The event at the first held frame's time (or none). */
  arm(): void {
    const q = this.ctx.queue;
    const first = this.held[0];
    if (!first) q.deschedule(this.ev);
    else if (this.ev.when !== first.at) q.reschedule(this.ev, first.at);
  }

  /** Held frames whose time has come leave, in order, through the medium's late delivery. */
  private release(): void {
    const now = this.ctx.queue.now;
    while (this.held.length > 0 && this.held[0]!.at <= now) {
      const h = this.held.shift()!;
      this.counters.left++;
      this.counters.delaySum += now - h.arrived;
      this.medium.deliverHeld(this.port, h.frame);
    }
    this.arm();
  }

  private emit(probe: string, f: Frame, fields: Record<string, string | number> = {}): void {
    this.ctx.tracer.emit(this.ctx.node, 'impair', probe, f.pktId, { link: this.medium.name, port: this.port, ...fields });
  }
}

/**
 * sch_netem.c packet_time_ns(): (len + overhead) bytes at the rate, whole ns (the kernel divides by bytes/s; we
 * take the rate in bits/s, the same for any rate that is a multiple of 8).
 */
export function packetTimeNs(len: number, cfg: Pick<ImpairConfig, 'overheadBytes' | 'rateBps'>): number {
  const bytes = Math.max(0, len + cfg.overheadBytes);
  return Math.floor((bytes * 8e9) / cfg.rateBps!);
}
