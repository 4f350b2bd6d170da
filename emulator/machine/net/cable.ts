import type { ComponentContext } from '../sim/context';
import { readState, stateVersions } from '../sim/snapshot';
import type { Time } from '../sim/time';
import { Lane, type LaneState } from './delay-line';
import { Hub, type HubState } from './hub';
import type { Frame, FrameTap, Medium, NetPort, NetPortListener } from './link';
import { WireProbes } from './wire-probes';

export interface CableOptions {
  /** Bits per second in each direction (default 10 Mb/s). */
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
  /** Frames this end sends in full duplex. */
  readonly lane: Lane;
  /** This end on the half-duplex segment. */
  readonly seg: NetPort;
  readonly port: NetPort;
}

export interface CableState {
  v: 1;
  ends: string[];
  up: boolean;
  full: boolean;
  lanes: LaneState[];
  /** The half-duplex segment. */
  half: HubState;
}

export const CABLE_STATE = stateVersions('cable', 1);

/**
 * A point-to-point twisted pair between two stations (a crossover cable, or a NIC patched to a switch port).
 *
 * Duplex is resolved from the two ends (IEEE 802.3 clause 28 priority resolution, reduced to what 10BASE-T
 * stations can do): full duplex only if both ends are full-duplex capable. Full duplex: each direction
 * serializes one frame at a time and adds the propagation delay, independently; no carrier sense, no
 * collisions. Half duplex: the cable is a collision domain of two stations (a `Hub` without repeater): each
 * end hears the other's signal as carrier, and two ends that start within one propagation delay collide.
 * Taps see each frame when its last bit left the sender.
 */
export class Cable implements Medium {
  readonly name: string;
  readonly bitRate: number;
  readonly propagation: Time;
  private readonly ends: CableEnd[] = [];
  private up = true;
  private full = true;
  private readonly probes: WireProbes;
  private readonly half: Hub;
  /**
   * Fault injection (emulator/machine/net/fault.ts): sees every frame about to be handed to a station's port and
   * returns what that station receives (the frame, a copy marked badFcs) or null (lost). Null: no faults.
   */
  deliveryFilter: ((frame: Frame, toPort: string) => Frame | null) | null = null;

  constructor(private readonly ctx: ComponentContext, opts: CableOptions = {}) {
    this.name = ctx.name;
    this.bitRate = opts.bitRate ?? 10_000_000;
    this.propagation = opts.propagationNs ?? Math.round((opts.lengthM ?? 10) * (opts.nsPerM ?? 5));
    if (!(this.bitRate > 0)) throw new RangeError(`${this.name}: bad bit rate ${this.bitRate}`);
    this.probes = new WireProbes(ctx);
    this.half = new Hub(ctx, { bitRate: this.bitRate, propagationNs: this.propagation, repeater: false });
    this.half.deliveryFilter = (f, to) => (this.deliveryFilter ? this.deliveryFilter(f, to) : f);
  }

  attach(listener: NetPortListener, name: string): NetPort {
    if (this.ends.length >= 2) throw new Error(`${this.name}: a cable has two ends (attaching ${name})`);
    if (this.ends.some((e) => e.name === name)) throw new Error(`${this.name}: '${name}' is already attached`);
    const index = this.ends.length;
    const lane = new Lane(
      this.ctx.queue,
      `${this.name}.${index === 0 ? 'ab' : 'ba'}`,
      this.bitRate,
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
      bitRate: this.bitRate,
      get fullDuplex() {
        return self.full;
      },
      carrier: () => !self.full && seg.carrier(),
      linkUp: () => self.linkUp(),
      transmit: (f) => (self.full ? self.transmit(index, f) : seg.transmit(f)),
      renegotiate: () => self.resolve(),
    };
    this.ends.push({ name, listener, lane, seg, port });
    this.syncSegment();
    const before = this.full;
    this.full = this.ends.every((e) => e.listener.fullDuplexCapable === true);
    if (this.ends.length === 2) {
      for (const e of this.ends) this.traceDuplex(e);
      if (this.full !== before) this.ends[0]!.listener.duplexChanged?.(this.full);
      if (this.up) for (const e of this.ends) e.listener.linkChanged?.(true);
    }
    return port;
  }

  tap(fn: FrameTap): void {
    this.probes.addTap(fn);
    this.half.tap(fn);
  }

  /** Link integrity: both ends attached and the cable not pulled. */
  linkUp(): boolean {
    return this.up && this.ends.length === 2;
  }

  /** Fault injection: pull (false) or re-plug (true) the cable. Frames in flight when it is pulled are lost. */
  setLinkUp(up: boolean): void {
    if (up === this.up) return;
    const before = this.linkUp();
    this.up = up;
    this.syncSegment();
    if (before !== this.linkUp()) for (const e of this.ends) e.listener.linkChanged?.(this.linkUp());
  }

  /** The resolved duplex mode (both ends full-duplex capable). */
  get fullDuplex(): boolean {
    return this.full;
  }

  /** An end's ability changed: resolve again and tell both ends if the mode changed. */
  private resolve(): void {
    const full = this.ends.every((e) => e.listener.fullDuplexCapable === true);
    if (full === this.full) return;
    this.full = full;
    for (const e of this.ends) {
      this.traceDuplex(e);
      e.listener.duplexChanged?.(full);
    }
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
    if (!this.linkUp()) {
      this.probes.drop(frame, 'link-down', { port: to.name });
      return;
    }
    const f = this.deliveryFilter ? this.deliveryFilter(frame, to.name) : frame;
    if (!f) return;
    this.probes.deliver(to.name, f);
    to.listener.frameReceived(f);
  }

  // ---- snapshots ----

  saveState(): CableState {
    return {
      v: 1,
      ends: this.ends.map((e) => e.name),
      up: this.up,
      full: this.full,
      lanes: this.ends.map((e) => e.lane.saveState()),
      half: this.half.saveState(),
    };
  }

  /** Restore into a cable with the same ends attached in the same order. Listeners are not called. */
  loadState(saved: { v: number }): void {
    const s = readState<CableState>(this.name, CABLE_STATE, saved);
    const names = this.ends.map((e) => e.name);
    if (s.ends.join() !== names.join()) throw new Error(`${this.name}: the snapshot's ends are [${s.ends.join(', ')}], this cable has [${names.join(', ')}]`);
    this.up = s.up;
    this.full = s.full;
    s.lanes.forEach((l, i) => this.ends[i]!.lane.loadState(l));
    this.half.loadState(s.half);
  }
}
