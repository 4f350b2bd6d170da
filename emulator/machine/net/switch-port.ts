import { componentContext, type ComponentContext } from '../sim/context';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import { fnv1a } from '../sim/rng';
import type { EventState } from '../sim/snapshot';
import type { Time } from '../sim/time';
import { modesUpTo, type NegotiatedLink } from './autoneg';
import { CsmaCdMac, type CsmaMacState, type TxOutcome } from './csma-mac';
import { DelayLine, Lane, type InFlight, type LaneState } from './delay-line';
import { stationEndpoint, SwitchPortEndpoint } from './endpoints';
import { loadFrame, saveFrame, type FrameState } from './frame-state';
import { Hub, type HubState } from './hub';
import { ETH_HLEN, ETH_IFG_BITS, type Frame, type NetPort, type NetPortListener } from './link';
import { LinkSegment, type LinkSegmentState } from './link-segment';
import { isMacControl, parsePause, PauseTimer, type PauseTimerState } from './mac-control';
import type { WireProbes } from './wire-probes';

/** A frame waiting in an output queue, with the index of the port it came in on (flow-control accounting). */
export interface QueuedFrame {
  readonly frame: Frame;
  readonly from: number;
}

/** What a port needs from its switch. */
export interface SwitchPortHost {
  readonly ctx: ComponentContext;
  readonly probes: WireProbes;
  readonly latency: Time;
  readonly propagation: Time;
  readonly maxBitRate: number;
  readonly flowControl: boolean;
  /** A frame was wholly received from the station (store and forward: checks, learning, relay). */
  received(p: SwitchPort, frame: Frame): void;
  /** A frame left an output queue (or was flushed): flow-control accounting of its ingress port. */
  released(q: QueuedFrame): void;
  /** The port's link went down: forget the addresses learned on it. */
  linkLost(p: SwitchPort): void;
  deliveryFilter: ((frame: Frame, toPort: string) => Frame | null) | null;
}

/** Counters a port keeps (what `Switch.portInfo` shows). */
export interface SwitchPortCounters {
  /** Frames received from the station and accepted for relay. */
  rx: number;
  /** Frames delivered to the station. */
  tx: number;
  /** Frames dropped because this output queue was full. */
  drops: number;
  /** PAUSE frames received from / sent to the station. */
  pauseRx: number;
  pauseTx: number;
}

export interface SwitchPortState {
  name: string;
  up: boolean;
  full: boolean;
  ingress: LaneState;
  fwd: InFlight<FrameState>[];
  outq: FrameState[];
  egress: LaneState;
  ifg: EventState;
  seg: HubState;
  mac: CsmaMacState;
  // version 2 of the switch state:
  rate: number | null;
  neg: LinkSegmentState;
  from: number[];
  ctrl: FrameState[];
  pause: PauseTimerState;
  counters: SwitchPortCounters;
  held: number;
  heldBytes: number;
  xoff: boolean;
  refresh: EventState;
  traced: boolean | null;
}

/**
 * One switch port: a point-to-point link to its station whose speed, duplex and PAUSE come from auto-negotiation
 * with the station (a station without it — the DP8390 — is matched at 10 Mb/s). Full duplex: two independent lanes
 * at the port's rate, egress frames 96 bit times apart, PAUSE honoured (egress data frames held off while paused)
 * and sent (MAC Control frames ahead of queued data). Half duplex: the port is a CSMA/CD station on that segment
 * (its own `CsmaCdMac`: it defers to the station's carrier, collides, backs off, gives a frame up after 16
 * attempts). The output queue is bounded by frames and bytes (drop tail, counted).
 */
export class SwitchPort {
  readonly name: string;
  /** Not disabled by fault injection. */
  fault = true;
  /** The link as the station was told: fault-free and negotiated. */
  up = false;
  full: boolean;
  rate = 10_000_000;
  readonly ingress: Lane;
  readonly fwd: DelayLine<Frame>;
  readonly outq: QueuedFrame[] = [];
  outBytes = 0;
  readonly ctrl: Frame[] = [];
  readonly egress: Lane;
  readonly ifgEv: SimEvent;
  readonly seg: Hub;
  readonly segStation: NetPort;
  readonly mac: CsmaCdMac;
  readonly neg: LinkSegment;
  readonly pause: PauseTimer;
  readonly counters: SwitchPortCounters = { rx: 0, tx: 0, drops: 0, pauseRx: 0, pauseTx: 0 };
  /** The address the port's MAC Control frames come from: 02:53:57 ("SW"), a hash of the switch's name, the port. */
  readonly address: number[];
  /** Frames (and bytes) from this port waiting in output queues; XOFF sent to the station while `xoff`. */
  held = 0;
  heldBytes = 0;
  xoff = false;
  /** Re-sends XOFF before the station's pause runs out while congestion lasts. */
  readonly refreshEv: SimEvent;
  private traced: boolean | null = null;
  private told: boolean | null = null;

  constructor(
    private readonly sw: SwitchPortHost,
    readonly index: number,
    readonly listener: NetPortListener,
    stationName: string,
    onRefresh: (p: SwitchPort) => void,
  ) {
    this.name = stationName;
    const ctx = sw.ctx;
    const q = ctx.queue;
    const n = `${ctx.name}.p${index}`;
    const sub = (what: string) => componentContext(ctx, ctx.node, what);
    this.full = listener.fullDuplexCapable === true;
    const h = fnv1a(ctx.name);
    this.address = [0x02, 0x53, 0x57, (h >>> 8) & 0xff, h & 0xff, index & 0xff];
    this.seg = new Hub(sub(`${n}.seg`), { bitRate: this.rate, propagationNs: sw.propagation, repeater: false });
    this.mac = new CsmaCdMac(sub(`${n}.mac`), (f) => this.fromStation(f));
    this.mac.setFullDuplexCapable(true);
    this.ingress = new Lane(q, `${n}.in`, this.rate, sw.propagation, (f) => this.ingressSent(f), (f) => this.fromStation(f));
    this.fwd = new DelayLine<Frame>(q, `${n}.fwd`, sw.latency, (f) => sw.received(this, f), Priority.Device);
    this.egress = new Lane(q, `${n}.out`, this.rate, sw.propagation, (f) => this.egressSent(f), (f) => this.deliver(f));
    this.ifgEv = new SimEvent(`${n}.ifg`, () => this.startEgress(), Priority.Wire);
    this.refreshEv = new SimEvent(`${n}.xoff`, () => onRefresh(this), Priority.Device);
    this.pause = new PauseTimer(sub(n), n, () => this.startEgress());
    const self = this;
    this.segStation = this.seg.attach(
      {
        frameReceived: (f) => listener.frameReceived(f),
        transmitDone: () => listener.transmitDone(),
        collision: () => listener.collision(),
        carrierChanged: (busy) => {
          if (!self.full) listener.carrierChanged?.(busy);
        },
      },
      stationName,
    );
    this.mac.connect(this.seg, n);
    // The segment applies the switch's faults to frames for the station only; its taps report the station's frames.
    this.seg.deliveryFilter = (f, to) => (to === stationName && sw.deliveryFilter ? sw.deliveryFilter(f, to) : f);
    this.seg.tap((f, from) => {
      if (from === stationName) sw.probes.completed(f, from);
    });
    const station = stationEndpoint(listener);
    this.neg = new LinkSegment(
      sub(n),
      { up: () => this.negotiatedUp(), down: () => this.syncLink(), changed: () => this.resolved() },
      modesUpTo(sw.maxBitRate),
    );
    this.neg.attach(0, new SwitchPortEndpoint(station, { maxBitRate: sw.maxBitRate, flowControl: sw.flowControl }));
    this.neg.attach(1, station);
    if (!this.neg.up) {
      // Until the station's PHY has negotiated, nothing passes on the segment either.
      this.seg.setLinkUp(stationName, false);
      this.seg.setLinkUp(n, false);
    }
  }

  /** The station's attachment. */
  netPort(): NetPort {
    const self = this;
    return {
      get bitRate() {
        return self.rate;
      },
      get fullDuplex() {
        return self.full;
      },
      carrier: () => !self.full && self.segStation.carrier(),
      linkUp: () => self.up,
      transmit: (f) => (self.full ? self.transmit(f) : self.segStation.transmit(f)),
      renegotiate: () => (self.neg.instant && !self.neg.up ? self.resolved() : self.neg.restart(1)),
    };
  }

  /** What the switch's side of the port resolved (its PAUSE permissions), or null. */
  get link(): NegotiatedLink | null {
    return this.neg.link(0);
  }


  /** Fault injection: the port disabled (frames lost, link down at the station) or enabled again. */
  setFault(up: boolean): void {
    if (this.fault === up) return;
    this.fault = up;
    this.neg.setConnected(up);
    this.syncLink();
  }

  /** Queue a MAC Control frame (PAUSE) ahead of data; full duplex only. */
  sendControl(f: Frame): void {
    if (!this.up || !this.full) return;
    this.ctrl.push(f);
    this.startEgress();
  }

  /** Put a frame in the output queue (the switch checked the bounds). */
  enqueue(q: QueuedFrame): void {
    this.outq.push(q);
    this.outBytes += q.frame.data.length;
    this.startEgress();
  }

  /** Send the next frame if the transmitter is free (lane and gap, or the half-duplex MAC); control frames first. */
  startEgress(): void {
    if (this.egress.busy || this.ifgEv.scheduled || this.mac.transmitting) return;
    let f = this.full ? this.ctrl.shift() : undefined;
    if (!f) {
      if (this.full && this.pause.paused) return;
      const q = this.outq.shift();
      if (!q) return;
      this.outBytes -= q.frame.data.length;
      this.sw.released(q);
      f = q.frame;
    }
    if (this.full) this.egress.send(f);
    else {
      const sending = f;
      this.mac.transmit(sending, (o) => this.halfSent(sending, o));
    }
  }

  private negotiatedUp(): void {
    const rate = this.neg.bitRate() ?? this.rate;
    this.rate = rate;
    this.ingress.bitRate = rate;
    this.egress.bitRate = rate;
    this.seg.setBitRate(rate);
    this.full = this.neg.fullDuplex();
    if (this.traced !== this.full) {
      this.traced = this.full;
      this.sw.probes.emit('duplex', 0, { port: this.name, mode: this.full ? 'full' : 'half' });
    }
    if (this.told !== null && this.told !== this.full) this.listener.duplexChanged?.(this.full);
    this.told = this.full;
    this.syncLink();
  }

  /** The station's ability changed (instant stations): the port follows it; a transmission keeps its mode. */
  private resolved(): void {
    const full = this.neg.up ? this.neg.fullDuplex() : this.listener.fullDuplexCapable === true;
    if (full === this.full) return;
    this.full = full;
    this.traced = full;
    this.told = full;
    this.sw.probes.emit('duplex', 0, { port: this.name, mode: full ? 'full' : 'half' });
    this.listener.duplexChanged?.(full);
    this.startEgress();
  }

  /** Recompute the link from the fault state and the negotiation; on a change tell the station. */
  private syncLink(): void {
    const up = this.fault && this.neg.up;
    if (up === this.up) return;
    this.up = up;
    if (!up) {
      for (const q of this.outq.splice(0)) {
        this.sw.probes.drop(q.frame, 'link-down', { port: this.name });
        this.sw.released(q);
      }
      this.outBytes = 0;
      this.ctrl.length = 0;
      this.pause.clear();
      this.sw.linkLost(this);
    }
    this.seg.setLinkUp(this.name, up);
    this.seg.setLinkUp(`${this.sw.ctx.name}.p${this.index}`, up);
    this.listener.linkChanged?.(up);
  }

  private transmit(frame: Frame): void {
    if (!this.ingress.send(frame)) {
      this.sw.probes.drop(frame, 'busy', { port: this.name });
      return;
    }
    this.sw.probes.txStart(this.name, frame);
  }

  private ingressSent(frame: Frame): void {
    if (this.up) this.sw.probes.completed(frame, this.name);
    this.listener.transmitDone();
  }

  /** The last bit reached the switch: check it and start the forwarding latency. */
  private fromStation(frame: Frame): void {
    const pr = this.sw.probes;
    if (!this.up) return pr.drop(frame, 'link-down', { port: this.name });
    if (frame.data.length < ETH_HLEN) return pr.drop(frame, 'runt', { port: this.name, len: frame.data.length });
    if (frame.badFcs) return pr.drop(frame, 'bad-fcs', { port: this.name });
    if (frame.alignmentError) return pr.drop(frame, 'alignment', { port: this.name });
    if (isMacControl(frame.data)) return this.macControl(frame);
    this.fwd.push(frame);
  }

  /**
   * MAC Control frames end at the port's MAC (802.3 annex 31A; never relayed). A PAUSE is honoured when the port
   * runs full duplex and negotiation gave the switch's side PAUSE reception; anything else is discarded.
   */
  private macControl(frame: Frame): void {
    const quanta = parsePause(frame.data, this.address);
    if (quanta === null || !this.full || !this.link?.pauseRx) {
      this.sw.probes.drop(frame, 'mac-control', { port: this.name });
      return;
    }
    this.counters.pauseRx++;
    this.sw.ctx.tracer.emit(this.sw.ctx.node, 'switch', 'pause', frame.pktId, { port: this.name, quanta });
    this.pause.pause(quanta, this.rate);
  }

  private egressSent(f: Frame): void {
    // The port's own PAUSE frames are on the wire too: taps see them when their last bit left the switch.
    if (isMacControl(f.data) && this.up) {
      this.sw.probes.completed(f, `${this.sw.ctx.name}.p${this.index}`);
      this.counters.pauseTx++;
    }
    this.sw.ctx.queue.scheduleIn(this.ifgEv, Math.round((ETH_IFG_BITS * 1e9) / this.rate));
  }

  /** A half-duplex egress frame is done (its gap to the next is the MAC's). */
  private halfSent(f: Frame, o: TxOutcome): void {
    if (o.aborted) this.sw.probes.drop(f, 'excessive-collisions', { port: this.name });
    else if (o.carrierLost) this.sw.probes.drop(f, 'link-down', { port: this.name });
    else this.counters.tx++;
    this.startEgress();
  }

  private deliver(frame: Frame): void {
    if (!this.up) return this.sw.probes.drop(frame, 'link-down', { port: this.name });
    const f = this.sw.deliveryFilter ? this.sw.deliveryFilter(frame, this.name) : frame;
    if (!f) return;
    if (!isMacControl(frame.data)) this.counters.tx++;
    this.sw.probes.deliver(this.name, f);
    this.listener.frameReceived(f);
  }

  /**
   * A frame a delivery stage held (delivery-chain.ts) is due at the station now: delivered unless the link is
   * down. In full duplex it counts as sent here (held, it was not counted when it left the egress lane; a
   * half-duplex port counted it when its MAC finished sending).
   */
  deliverHeld(frame: Frame): void {
    if (!this.up) return this.sw.probes.drop(frame, 'link-down', { port: this.name });
    if (this.full && !isMacControl(frame.data)) this.counters.tx++;
    this.sw.probes.deliver(this.name, frame);
    this.listener.frameReceived(frame);
  }

  // ---- snapshots ----

  saveState(): SwitchPortState {
    return {
      name: this.name,
      up: this.fault,
      full: this.full,
      ingress: this.ingress.saveState(),
      fwd: this.fwd.saveState(saveFrame),
      outq: this.outq.map((q) => saveFrame(q.frame)),
      egress: this.egress.saveState(),
      ifg: this.ifgEv.when,
      seg: this.seg.saveState(),
      mac: this.mac.saveState(),
      rate: this.rate,
      neg: this.neg.saveState(),
      from: this.outq.map((q) => q.from),
      ctrl: this.ctrl.map(saveFrame),
      pause: this.pause.saveState(),
      counters: { ...this.counters },
      held: this.held,
      heldBytes: this.heldBytes,
      xoff: this.xoff,
      refresh: this.refreshEv.when,
      traced: this.traced,
    };
  }

  loadState(g: SwitchPortState): void {
    const q = this.sw.ctx.queue;
    this.fault = g.up;
    this.full = g.full;
    if (g.rate !== null) this.rate = g.rate;
    this.neg.loadState(g.neg);
    this.up = this.fault && this.neg.up;
    this.traced = g.traced;
    this.told = this.neg.up ? this.full : null;
    this.ingress.bitRate = this.rate;
    this.egress.bitRate = this.rate;
    this.ingress.loadState(g.ingress);
    this.fwd.loadState(g.fwd, loadFrame);
    this.outq.splice(0, this.outq.length, ...g.outq.map((f, i) => ({ frame: loadFrame(f), from: g.from[i] ?? -1 })));
    this.outBytes = this.outq.reduce((n, x) => n + x.frame.data.length, 0);
    this.ctrl.splice(0, this.ctrl.length, ...g.ctrl.map(loadFrame));
    this.egress.loadState(g.egress);
    q.deschedule(this.ifgEv);
    if (g.ifg >= 0) q.schedule(this.ifgEv, g.ifg);
    this.seg.loadState(g.seg);
    this.seg.setBitRate(this.rate);
    let sending: Frame | null = null;
    this.mac.loadState(g.mac, (o) => sending && this.halfSent(sending, o));
    sending = this.mac.sending;
    this.pause.loadState(g.pause);
    Object.assign(this.counters, g.counters);
    this.held = g.held;
    this.heldBytes = g.heldBytes;
    this.xoff = g.xoff;
    q.deschedule(this.refreshEv);
    if (g.refresh >= 0) q.schedule(this.refreshEv, g.refresh);
  }
}
