import { componentContext, type ComponentContext } from '../sim/context';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import { readState } from '../sim/snapshot';
import { HUB_STATE, type HubState } from './hub-state';
import type { Time } from '../sim/time';
import { DelayLine } from './delay-line';
import { loadFrame, saveFrame } from './frame-state';
import { HubPortEndpoint } from './endpoints';
import { ETH_JAM_BITS, frameWireTimeNs, halfDuplexWireTimeNs, type Frame, type FrameTap, type Medium, type NetPort, type NetPortListener } from './link';
import { LinkSegment } from './link-segment';
import { WireProbes } from './wire-probes';

export interface HubOptions {
  /** Bits per second (default 10 Mb/s: a 10BASE-T repeater). */
  bitRate?: number;
  /**
   * One-way propagation delay between any two ports, station to station through the repeater (default 500 ns:
   * two short drop cables, 2 × 50 ns, plus a few bit times of repeater start-up delay; a modelling choice, not a
   * measured figure). The collision window is one such delay wide: a station that starts less than
   * `propagationNs` after another has not seen its carrier yet.
   */
  propagationNs?: Time;
  /**
   * A repeater (default true) sends the jam out of every port while a collision lasts, so every station hears
   * carrier until the last jam has propagated. False: a point-to-point half-duplex segment (a cable, a switch
   * port) where a station hears only the other end's signal, collided or not.
   */
  repeater?: boolean;
}

export { HUB_STATE, type HubSignalState, type HubState } from './hub-state';

/** One transmission into the hub. */
interface Signal {
  readonly port: HubPort;
  readonly frame: Frame;
  readonly start: Time;
  /** When the last bit would leave the sender if nothing collided. */
  readonly naturalEnd: Time;
  /** When the sender stops: naturalEnd, or detection + jam after a collision. */
  end: Time;
  /** The hub repeated it (the sender's link was up when it started). */
  readonly entered: boolean;
  collided: boolean;
  /** When the sender detects the collision; -1 if it never does (it finished first). */
  detect: Time;
}

/** Transmissions that overlapped; the repeater jams every port until `end`. */
interface Episode {
  readonly members: Signal[];
  end: Time;
}

interface HubPort {
  readonly name: string;
  readonly listener: NetPortListener;
  /** Link integrity as the medium sees it: `fault` and, for a station with a PHY, its negotiated link. */
  up: boolean;
  /** Not disabled by fault injection (`setLinkUp`). */
  fault: boolean;
  /** A station with a PHY: the auto-negotiation with its hub port. */
  seg: LinkSegment | null;
  /** Carrier as last reported to the listener (what NetPort.carrier() answers). */
  carrier: boolean;
  tx: Signal | null;
  readonly txEv: SimEvent;
  readonly crsEv: SimEvent;
  readonly rx: DelayLine<Frame>;
}

/**
 * A 10BASE-T repeater hub: one half-duplex collision domain. A frame from port A is carrier at every other
 * port from start + P to end + P (P = propagation) and is delivered there at end + P. Transmissions that
 * overlap at their sources collide: each sender detects the collision when the first other signal reaches it
 * (or at once if one was already there), sends a 32-bit jam and gets collision() when the jam is out; the
 * repeater keeps carrier up at every port until the last jam has propagated (P after it ends), and nothing is
 * delivered. A station starting while that jam is still up joins the collision.
 *
 * Simplification (documented, deliberate): a transmission that starts after another sender already finished
 * (only its tail still propagating) does not collide with it; a MAC that honours carrier and sends frames of
 * legal length cannot do that.
 */
export class Hub implements Medium {
  readonly name: string;
  private rate: number;
  readonly propagation: Time;
  private readonly ports: HubPort[] = [];
  private signals: Signal[] = [];
  private episode: Episode | null = null;
  private readonly probes: WireProbes;
  private readonly repeater: boolean;
  /**
   * The delivery chain (delivery-chain.ts: fault injection, then impairments): sees every frame about to be handed
   * to a station's port and returns what that station receives now (the frame, a changed copy) or null (lost, or
   * held for `deliverHeld`). Null: nothing installed.
   */
  deliveryFilter: ((frame: Frame, toPort: string) => Frame | null) | null = null;

  constructor(private readonly ctx: ComponentContext, opts: HubOptions = {}) {
    this.name = ctx.name;
    this.rate = opts.bitRate ?? 10_000_000;
    this.propagation = opts.propagationNs ?? 500;
    this.repeater = opts.repeater ?? true;
    if (!(this.rate > 0)) throw new RangeError(`${this.name}: bad bit rate ${this.rate}`);
    this.probes = new WireProbes(ctx);
  }

  /**
   * Medium.lookahead: a station's transmission is carrier, a collision, a jam or a frame at another port only from
   * its start + P on (carrierAt, settle, the rx delay lines); a busy or link-down port answers its own station only,
   * and renegotiating changes nothing (a repeater is half duplex whatever the station can do).
   */
  get lookahead(): Time {
    return this.propagation;
  }

  /**
   * Medium.frameLookahead: besides carrier, a transmission reaches the other ports only as a frame, at its end + P
   * (the rx delay lines); a collided one not at all. The shortest frame is its preamble, SFD and FCS.
   */
  get frameLookahead(): Time {
    return this.propagation + frameWireTimeNs(0, this.rate);
  }

  /** Bits per second on every port. */
  get bitRate(): number {
    return this.rate;
  }

  /** The 32-bit jam. */
  get jamNs(): Time {
    return Math.round((ETH_JAM_BITS * 1e9) / this.rate);
  }

  /**
   * The rate of a half-duplex segment inside a cable or switch port follows the speed negotiated on it; a
   * transmission already on the wire keeps its times.
   */
  setBitRate(bitRate: number): void {
    if (!(bitRate > 0)) throw new RangeError(`${this.name}: bad bit rate ${bitRate}`);
    this.rate = bitRate;
  }

  attach(listener: NetPortListener, name: string): NetPort {
    if (this.ports.some((p) => p.name === name)) throw new Error(`${this.name}: '${name}' is already attached`);
    const n = `${this.name}.${name}`;
    const p: HubPort = {
      name,
      listener,
      up: !listener.autoneg,
      fault: true,
      seg: null,
      carrier: false,
      tx: null,
      txEv: new SimEvent(`${n}.txend`, () => this.txEnd(p), Priority.Wire),
      crsEv: new SimEvent(`${n}.crs`, () => this.crsChange(p), Priority.Wire),
      rx: new DelayLine<Frame>(this.ctx.queue, `${n}.rx`, this.propagation, (f) => this.deliver(p, f)),
    };
    this.ports.push(p);
    this.refresh(p);
    if (listener.autoneg) {
      // A PHY on a 10BASE-T repeater port: it hears link pulses only and parallel-detects 10 Mb/s half duplex.
      const sync = () => this.syncLink(p);
      p.seg = new LinkSegment(componentContext(this.ctx, this.ctx.node, n), { up: sync, down: sync });
      p.seg.attach(0, new HubPortEndpoint(this.rate));
      p.seg.attach(1, listener.autoneg);
    } else {
      listener.linkChanged?.(true);
    }
    const self = this;
    return {
      get bitRate() {
        return self.rate;
      },
      fullDuplex: false,
      carrier: () => p.carrier,
      linkUp: () => p.up,
      transmit: (f) => this.transmit(p, f),
      // A repeater is one collision domain: half duplex whatever the station can do (IEEE 802.3 clause 9).
      renegotiate: () => undefined,
    };
  }

  tap(fn: FrameTap): void {
    this.probes.addTap(fn);
  }

  /** Fault injection: take a port's link down (frames to and from it are lost, it sees no carrier) or up. */
  setLinkUp(portName: string, up: boolean): void {
    const p = this.ports.find((q) => q.name === portName);
    if (!p) throw new Error(`${this.name}: no port '${portName}'`);
    if (p.fault === up) return;
    p.fault = up;
    if (p.seg) p.seg.setConnected(up);
    this.syncLink(p);
  }

  /** Recompute a port's link from the fault state and its negotiation; tell the station if it changed. */
  private syncLink(p: HubPort): void {
    const up = p.fault && (!p.seg || p.seg.up);
    if (p.up === up) return;
    p.up = up;
    this.refreshAll();
    p.listener.linkChanged?.(up);
  }

  private transmit(p: HubPort, frame: Frame): void {
    const now = this.ctx.queue.now;
    if (p.tx) {
      this.probes.drop(frame, 'busy', { port: p.name });
      return;
    }
    const naturalEnd = now + halfDuplexWireTimeNs(frame.data.length, this.rate);
    const sig: Signal = { port: p, frame, start: now, naturalEnd, end: naturalEnd, entered: p.up, collided: false, detect: -1 };
    p.tx = sig;
    this.probes.txStart(p.name, frame);
    this.ctx.queue.schedule(p.txEv, naturalEnd);
    if (!sig.entered) return;
    this.prune();
    let ep = this.episode && now < this.episode.end ? this.episode : null;
    const joining: Signal[] = [];
    if (!ep) {
      for (const s of this.signals) if (s.entered && !s.collided && s.start <= now && now < s.end) joining.push(s);
      if (joining.length > 0) {
        ep = { members: [], end: 0 };
        this.episode = ep;
      }
    }
    this.signals.push(sig);
    if (ep) {
      joining.push(sig);
      for (const s of joining) {
        s.collided = true;
        ep.members.push(s);
      }
      this.settle(ep);
      const names = ep.members.map((s) => s.port.name);
      for (const s of joining) this.probes.collision(s.port.name, s.frame, names);
    }
    this.refreshAll();
  }

  /** Detection and stop times of every collided sender still transmitting, and when the jam ends. */
  private settle(ep: Episode): void {
    const q = this.ctx.queue;
    for (const s of ep.members) {
      if (s.port.tx !== s) continue;
      let first = Infinity;
      for (const o of ep.members) if (o !== s) first = Math.min(first, o.start + this.propagation);
      const d = Math.max(s.start, first);
      if (d < s.naturalEnd) {
        s.detect = d;
        s.end = Math.max(q.now, d + this.jamNs);
      } else {
        s.detect = -1;
        s.end = s.naturalEnd;
      }
      if (s.port.txEv.when !== s.end) q.reschedule(s.port.txEv, s.end);
    }
    ep.end = Math.max(...ep.members.map((s) => s.end)) + this.propagation;
  }

  private txEnd(p: HubPort): void {
    const sig = p.tx;
    if (!sig) return;
    p.tx = null;
    if (!sig.entered) {
      this.probes.drop(sig.frame, 'link-down', { port: p.name });
      p.listener.transmitDone();
      return;
    }
    if (sig.collided) {
      this.probes.drop(sig.frame, 'collision', { port: p.name });
      this.refreshAll();
      if (sig.detect >= 0) p.listener.collision();
      else p.listener.transmitDone();
      return;
    }
    if (p.up) {
      this.probes.completed(sig.frame, p.name);
      for (const q of this.ports) if (q !== p) q.rx.push(sig.frame);
    } else {
      this.probes.drop(sig.frame, 'link-down', { port: p.name });
    }
    this.refreshAll();
    p.listener.transmitDone();
  }

  /** Hand `frame` to port `p`'s station: lost if its link is down, else through the delivery stages (unless `staged` is false). */
  private deliver(p: HubPort, frame: Frame, staged = true): void {
    if (!p.up) {
      this.probes.drop(frame, 'link-down', { port: p.name });
      return;
    }
    const f = staged && this.deliveryFilter ? this.deliveryFilter(frame, p.name) : frame;
    if (!f) return;
    this.probes.deliver(p.name, f);
    p.listener.frameReceived(f);
  }

  /** A frame a delivery stage held (delivery-chain.ts) is due at `portName` now: delivered unless its link is down. */
  deliverHeld(portName: string, frame: Frame): void {
    const p = this.ports.find((q) => q.name === portName);
    if (!p) throw new Error(`${this.name}: no port '${portName}'`);
    this.deliver(p, frame, false);
  }

  private crsChange(p: HubPort): void {
    const c = this.carrierAt(p, this.ctx.queue.now);
    const changed = c !== p.carrier;
    p.carrier = c;
    this.refresh(p);
    if (changed) p.listener.carrierChanged?.(c);
  }

  /** Someone else's signal (or the repeater's jam) is at port `p` at time `t`. */
  private carrierAt(p: HubPort, t: Time): boolean {
    if (!p.up) return false;
    const P = this.propagation;
    for (const s of this.signals) {
      if (s.port === p || !s.entered || (s.collided && this.repeater)) continue;
      if (s.start + P <= t && t < s.end + P) return true;
    }
    const ep = this.episode;
    return this.repeater && ep !== null && this.jamArrival(ep, p) <= t && t < ep.end;
  }

  /** When the collision's first signal from another port reaches `p`. */
  private jamArrival(ep: Episode, p: HubPort): Time {
    let first = Infinity;
    for (const s of ep.members) if (s.port !== p) first = Math.min(first, s.start + this.propagation);
    return first;
  }

  /**
   * (Re)schedule port p's carrier event at the next instant its carrier differs from what it was told: the
   * earliest of the instants where some signal's carrier starts or ends at p (now included) at which it does.
   * A minimum over the candidates, taken as they come (no array to sort per call: this runs several times per
   * frame on every segment).
   */
  private refresh(p: HubPort): void {
    const now = this.ctx.queue.now;
    const P = this.propagation;
    let next = this.carrierAt(p, now) !== p.carrier ? now : Infinity;
    if (next !== now) {
      for (const s of this.signals) {
        if (s.port === p) continue;
        next = this.earlierChange(p, s.start + P, now, next);
        next = this.earlierChange(p, s.end + P, now, next);
      }
      const ep = this.episode;
      if (ep) {
        next = this.earlierChange(p, this.jamArrival(ep, p), now, next);
        next = this.earlierChange(p, ep.end, now, next);
      }
    }
    const q = this.ctx.queue;
    if (next === Infinity) q.deschedule(p.crsEv);
    else if (p.crsEv.when !== next) q.reschedule(p.crsEv, next);
  }

  /** `t` if it is a finite instant from `now` on, before `best`, at which p's carrier differs from what p was told; else `best`. */
  private earlierChange(p: HubPort, t: Time, now: Time, best: Time): Time {
    return t >= now && t < best && this.carrierAt(p, t) !== p.carrier ? t : best;
  }

  private refreshAll(): void {
    this.prune();
    for (const p of this.ports) this.refresh(p);
  }

  // ---- snapshots ----

  /** Signals in flight, the collision episode, and per port: link, carrier as told, events, frames propagating. */
  saveState(): HubState {
    const all = [...this.signals];
    for (const p of this.ports) if (p.tx && !all.includes(p.tx)) all.push(p.tx);
    const ep = this.episode;
    return {
      v: 2,
      bitRate: this.rate,
      signals: all.map((s) => ({
        port: this.ports.indexOf(s.port),
        frame: saveFrame(s.frame),
        start: s.start,
        naturalEnd: s.naturalEnd,
        end: s.end,
        entered: s.entered,
        collided: s.collided,
        detect: s.detect,
      })),
      listed: this.signals.length,
      episode: ep ? { members: ep.members.map((m) => all.indexOf(m)), end: ep.end } : null,
      ports: this.ports.map((p) => ({
        name: p.name,
        up: p.fault,
        carrier: p.carrier,
        tx: p.tx ? all.indexOf(p.tx) : -1,
        txEnd: p.txEv.when,
        crs: p.crsEv.when,
        rx: p.rx.saveState(saveFrame),
        ...(p.seg ? { neg: p.seg.saveState() } : {}),
      })),
    };
  }

  /** Restore into a hub with the same stations attached in the same order. Listeners are not called. */
  loadState(saved: { v: number }): void {
    const s = readState<HubState>(this.name, HUB_STATE, saved);
    const names = this.ports.map((p) => p.name);
    if (s.ports.map((p) => p.name).join() !== names.join()) {
      throw new Error(`${this.name}: the snapshot's ports are [${s.ports.map((p) => p.name).join(', ')}], this hub has [${names.join(', ')}]`);
    }
    const all: Signal[] = s.signals.map((g) => ({
      port: this.ports[g.port]!,
      frame: loadFrame(g.frame),
      start: g.start,
      naturalEnd: g.naturalEnd,
      end: g.end,
      entered: g.entered,
      collided: g.collided,
      detect: g.detect,
    }));
    if (s.bitRate !== null) this.rate = s.bitRate;
    this.signals = all.slice(0, s.listed);
    this.episode = s.episode ? { members: s.episode.members.map((i) => all[i]!), end: s.episode.end } : null;
    const q = this.ctx.queue;
    s.ports.forEach((g, i) => {
      const p = this.ports[i]!;
      if (g.neg && p.seg) p.seg.loadState(g.neg);
      p.fault = g.up;
      p.up = g.up && (!p.seg || p.seg.up);
      p.carrier = g.carrier;
      p.tx = g.tx >= 0 ? all[g.tx]! : null;
      q.deschedule(p.txEv);
      q.deschedule(p.crsEv);
      if (g.txEnd >= 0) q.schedule(p.txEv, g.txEnd);
      if (g.crs >= 0) q.schedule(p.crsEv, g.crs);
      p.rx.loadState(g.rx, loadFrame);
    });
  }

  /** Forget signals that can no longer affect any port. */
  private prune(): void {
    const now = this.ctx.queue.now;
    const ep = this.episode;
    if (ep && now >= ep.end && ep.members.every((s) => s.port.tx !== s)) this.episode = null;
    // Compacted in place (it runs several times per frame): the same signals kept, in the same order.
    const sigs = this.signals;
    const live = this.episode;
    let n = 0;
    for (let i = 0; i < sigs.length; i++) {
      const s = sigs[i]!;
      if (s.port.tx === s || now < s.end + this.propagation || (live !== null && live.members.includes(s))) sigs[n++] = s;
    }
    sigs.length = n;
  }
}

