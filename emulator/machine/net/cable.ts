import { componentContext, type ComponentContext } from '../sim/context';
import { readState, stateVersions } from '../sim/snapshot';
import type { Time } from '../sim/time';
import { Lane, type LaneState } from './delay-line';
import { FULL_MODES, modesUpTo } from './autoneg';
import { stationEndpoint } from './endpoints';
import { Hub, type HubState } from './hub';
import type { Frame, FrameTap, Medium, NetPort, NetPortListener } from './link';
import { instantUpState, LinkSegment, type AutonegEndpoint, type LinkSegmentState } from './link-segment';
import { WireProbes } from './wire-probes';

export interface CableOptions {
  /**
   * The fastest speed the cable carries, bits per second (default 1 Gb/s: Category 5e). The ends negotiate
   * their speed up to it; a station without auto-negotiation (the DP8390) runs 10 Mb/s whatever the cable.
   */
  bitRate?: number;
  /** Cable length in metres (default 10). */
  lengthM?: number;
  /** Propagation in ns per metre (default 5: about 0.67 c, twisted pair). */
  nsPerM?: number;
  /** Overrides lengthM × nsPerM. */
  propagationNs?: Time;
}

interface CableEnd {
  readonly name: string;
  readonly listener: NetPortListener;
  readonly endpoint: AutonegEndpoint;
  /** Frames this end sends in full duplex. */
  readonly lane: Lane;
  /** This end on the half-duplex segment. */
  readonly seg: NetPort;
  readonly port: NetPort;
  /** The duplex mode this end last saw (`port.fullDuplex` when it attached, or the last `duplexChanged`). */
  told: boolean;
}

export interface CableState {
  v: 2;
  ends: string[];
  up: boolean;
  full: boolean;
  lanes: LaneState[];
  /** The half-duplex segment. */
  half: HubState;
  /** Version 2: the negotiated rate (null: keep the rate the cable was built with). */
  rate: number | null;
  /** Version 2: the auto-negotiation of the two ends. */
  neg: LinkSegmentState;
  /** Version 2: the duplex mode last traced (null: none yet). */
  traced: boolean | null;
}

/** v1 → v2: v1 cables linked their two (DP8390-like) ends at once at 10 Mb/s. */
export const CABLE_STATE = stateVersions('cable', 2, {
  minimum: 1,
  upgrades: {
    1: (old) => {
      const both = (old.ends as string[]).length === 2;
      return { ...old, rate: null, neg: instantUpState(both && old.up === true), traced: both ? (old.full as boolean) : null };
    },
  },
});

/**
 * A point-to-point twisted pair between two stations (a crossover cable, or a NIC patched to a switch port).
 *
 * The ends negotiate speed and duplex (`LinkSegment`: IEEE 802.3 clause 28, with the time it takes); a station
 * without auto-negotiation is a 10BASE-T MAU, and two such ends link at once at 10 Mb/s, full duplex only if both
 * are full-duplex capable. Full duplex: each direction serializes one frame at a time at the negotiated rate and
 * adds the propagation delay, independently; no carrier sense, no collisions. Half duplex (or a duplex mismatch):
 * the cable is a collision domain of two stations (a `Hub` without repeater): each end hears the other's signal as
 * carrier, and two ends that start within one propagation delay collide. Taps see each frame when its last bit
 * left the sender.
 */
export class Cable implements Medium {
  readonly name: string;
  /** The fastest speed the cable carries. */
  readonly maxBitRate: number;
  readonly propagation: Time;
  private rate = 10_000_000;
  private readonly ends: CableEnd[] = [];
  private up = true;
  private full = true;
  /** The link as the stations were last told (linkChanged). */
  private told = false;
  private traced: boolean | null = null;
  private readonly probes: WireProbes;
  private readonly half: Hub;
  private readonly neg: LinkSegment;
  /**
   * The delivery chain (delivery-chain.ts: fault injection, then impairments): sees every frame about to be handed
   * to a station's port and returns what that station receives now (the frame, a changed copy) or null (lost, or
   * held for `deliverHeld`). Null: nothing installed.
   */
  deliveryFilter: ((frame: Frame, toPort: string) => Frame | null) | null = null;

  constructor(private readonly ctx: ComponentContext, opts: CableOptions = {}) {
    this.name = ctx.name;
    this.maxBitRate = opts.bitRate ?? 1_000_000_000;
    this.propagation = opts.propagationNs ?? Math.round((opts.lengthM ?? 10) * (opts.nsPerM ?? 5));
    if (!(this.maxBitRate > 0)) throw new RangeError(`${this.name}: bad bit rate ${this.maxBitRate}`);
    this.probes = new WireProbes(ctx);
    this.half = new Hub(ctx, { bitRate: this.rate, propagationNs: this.propagation, repeater: false });
    this.half.deliveryFilter = (f, to) => (this.deliveryFilter ? this.deliveryFilter(f, to) : f);
    this.neg = new LinkSegment(
      componentContext(ctx, ctx.node, ctx.name),
      { up: () => this.negotiatedUp(), down: () => this.sync(), changed: () => this.resolve() },
      modesUpTo(this.maxBitRate),
    );
  }

  /** Bits per second of the negotiated link (10 Mb/s before one came up). */
  get bitRate(): number {
    return this.rate;
  }

  attach(listener: NetPortListener, name: string): NetPort {
    if (this.ends.length >= 2) throw new Error(`${this.name}: a cable has two ends (attaching ${name})`);
    if (this.ends.some((e) => e.name === name)) throw new Error(`${this.name}: '${name}' is already attached`);
    const index = this.ends.length as 0 | 1;
    const lane = new Lane(
      this.ctx.queue,
      `${this.name}.${index === 0 ? 'ab' : 'ba'}`,
      this.rate,
      this.propagation,
      (f) => this.sent(index, f),
      (f) => this.arrive(index, f),
    );
    const self = this;
    // The segment's events reach the station as they are, except carrier (heeded only in half duplex) and
    // link (the cable reports its own).
    const seg = this.half.attach(
      {
        frameReceived: (f) => listener.frameReceived(f),
        transmitDone: () => listener.transmitDone(),
        collision: () => listener.collision(),
        carrierChanged: (busy) => {
          if (!self.full) listener.carrierChanged?.(busy);
        },
      },
      name,
    );
    const port: NetPort = {
      get bitRate() {
        return self.rate;
      },
      get fullDuplex() {
        return self.full;
      },
      carrier: () => !self.full && seg.carrier(),
      linkUp: () => self.linkUp(),
      transmit: (f) => (self.full ? self.transmit(index, f) : seg.transmit(f)),
      renegotiate: () => self.renegotiate(index),
    };
    const endpoint = stationEndpoint(listener);
    const end: CableEnd = { name, listener, endpoint, lane, seg, port, told: false };
    this.ends.push(end);
    this.syncSegment();
    this.full = this.capableFull();
    end.told = this.full;
    this.neg.attach(index, endpoint);
    return port;
  }

  tap(fn: FrameTap): void {
    this.probes.addTap(fn);
    this.half.tap(fn);
  }

  /** Link integrity: both ends attached, the cable not pulled, and the ends' link negotiated. */
  linkUp(): boolean {
    return this.up && this.ends.length === 2 && this.neg.up;
  }

  /** Fault injection: pull (false) or re-plug (true) the cable. Frames in flight when it is pulled are lost. */
  setLinkUp(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    this.neg.setConnected(up);
    this.sync();
  }

  /** The resolved duplex mode. */
  get fullDuplex(): boolean {
    return this.full;
  }

  /** The auto-negotiation of the two ends (phase, what each end resolved). */
  get negotiation(): LinkSegment {
    return this.neg;
  }

  /** Before a link: full duplex only if every attached end could run it (what a station reads at attach). */
  private capableFull(): boolean {
    return this.ends.every((e) => ((e.endpoint.abilities()?.modes ?? 0) & FULL_MODES) !== 0);
  }

  /** A station's ability changed (RTL8029 CONFIG3.FUDUP). */
  private renegotiate(index: 0 | 1): void {
    if (this.neg.instant && !this.neg.up) this.resolve();
    else this.neg.restart(index);
  }

  /** The link came up: rate and duplex from the negotiation; tell the stations. */
  private negotiatedUp(): void {
    this.rate = this.neg.bitRate() ?? this.rate;
    for (const e of this.ends) e.lane.bitRate = this.rate;
    this.half.setBitRate(this.rate);
    this.full = this.neg.fullDuplex();
    this.syncSegment();
    if (this.traced !== this.full) {
      this.traced = this.full;
      for (const e of this.ends) this.traceDuplex(e);
    }
    for (const e of this.ends) {
      if (e.told === this.full) continue;
      e.told = this.full;
      e.listener.duplexChanged?.(this.full);
    }
    this.sync();
  }

  /** An instant (DP8390-like) end's ability changed: resolve again and tell both ends if the mode changed. */
  private resolve(): void {
    const full = this.neg.up ? this.neg.fullDuplex() : this.capableFull();
    if (full === this.full) return;
    this.full = full;
    this.traced = full;
    for (const e of this.ends) {
      this.traceDuplex(e);
      e.told = full;
      e.listener.duplexChanged?.(full);
    }
  }

  /** Tell the stations when the link changed. */
  private sync(): void {
    this.syncSegment();
    const link = this.linkUp();
    if (link === this.told) return;
    this.told = link;
    for (const e of this.ends) e.listener.linkChanged?.(link);
  }

  private traceDuplex(e: CableEnd): void {
    this.probes.emit('duplex', 0, { port: e.name, mode: this.full ? 'full' : 'half' });
  }

  /** The segment's ports carry signals only while the cable has link. */
  private syncSegment(): void {
    for (const e of this.ends) this.half.setLinkUp(e.name, this.linkUp());
  }

  private transmit(from: number, frame: Frame): void {
    const end = this.ends[from]!;
    if (!end.lane.send(frame)) {
      this.probes.drop(frame, 'busy', { port: end.name });
      return;
    }
    this.probes.txStart(end.name, frame);
  }

  private sent(from: number, frame: Frame): void {
    const end = this.ends[from]!;
    if (this.linkUp()) this.probes.completed(frame, end.name);
    end.listener.transmitDone();
  }

  private arrive(from: number, frame: Frame): void {
    const to = this.ends[1 - from];
    if (!to) {
      this.probes.drop(frame, 'no-peer', { port: this.ends[from]!.name });
      return;
    }
    this.deliver(to, frame, true);
  }

  /** A frame a delivery stage held (delivery-chain.ts) is due at end `toPort` now: delivered unless the link is down. */
  deliverHeld(toPort: string, frame: Frame): void {
    const to = this.ends.find((e) => e.name === toPort);
    if (!to) throw new Error(`${this.name}: no end '${toPort}'`);
    this.deliver(to, frame, false);
  }

  /** Hand `frame` to end `to`: lost if the link is down, else through the delivery stages (when `staged`). */
  private deliver(to: CableEnd, frame: Frame, staged: boolean): void {
    if (!this.linkUp()) {
      this.probes.drop(frame, 'link-down', { port: to.name });
      return;
    }
    const f = staged && this.deliveryFilter ? this.deliveryFilter(frame, to.name) : frame;
    if (!f) return;
    this.probes.deliver(to.name, f);
    to.listener.frameReceived(f);
  }

  // ---- snapshots ----

  saveState(): CableState {
    return {
      v: 2,
      ends: this.ends.map((e) => e.name),
      up: this.up,
      full: this.full,
      lanes: this.ends.map((e) => e.lane.saveState()),
      half: this.half.saveState(),
      rate: this.rate,
      neg: this.neg.saveState(),
      traced: this.traced,
    };
  }

  /** Restore into a cable with the same ends attached in the same order. Listeners are not called. */
  loadState(saved: { v: number }): void {
    const s = readState<CableState>(this.name, CABLE_STATE, saved);
    const names = this.ends.map((e) => e.name);
    if (s.ends.join() !== names.join()) throw new Error(`${this.name}: the snapshot's ends are [${s.ends.join(', ')}], this cable has [${names.join(', ')}]`);
    this.up = s.up;
    this.full = s.full;
    if (s.rate !== null) this.rate = s.rate;
    this.traced = s.traced;
    this.neg.loadState(s.neg);
    s.lanes.forEach((l, i) => {
      const e = this.ends[i]!;
      e.lane.bitRate = this.rate;
      e.lane.loadState(l);
      e.told = this.full;
    });
    this.half.loadState(s.half);
    this.half.setBitRate(this.rate);
    this.told = this.linkUp();
  }
}
