import { componentContext, type ComponentContext } from '../sim/context';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import { readState, stateVersions, type EventState } from '../sim/snapshot';
import { SEC, type Time } from '../sim/time';
import { CsmaCdMac, type CsmaMacState, type TxOutcome } from './csma-mac';
import { DelayLine, Lane, type InFlight, type LaneState } from './delay-line';
import { loadFrame, saveFrame, type FrameState } from './frame-state';
import { Hub, type HubState } from './hub';
import { ETH_IFG_BITS, type Frame, type FrameTap, type Medium, type NetPort, type NetPortListener } from './link';
import { MacTable, macAt } from './mac-table';
import { WireProbes } from './wire-probes';

export interface SwitchOptions {
  /** Bits per second on every port (default 10 Mb/s). */
  bitRate?: number;
  /** Propagation of each port's cable (default 50 ns: 10 m at 5 ns/m). */
  propagationNs?: Time;
  /** Time from the last bit received to the frame being queued at its output port(s) (default 2 µs). */
  latencyNs?: Time;
  /** MAC table ageing time (default 300 s, IEEE 802.1D's recommended value). */
  ageingNs?: Time;
  /** Frames an output queue holds, the one being sent not counted (default 64); more are dropped (tail). */
  queueFrames?: number;
  /** MAC table capacity (default 8192); addresses beyond it are not learned (frames to them flood). */
  tableSize?: number;
}

interface SwitchPort {
  readonly index: number;
  readonly name: string;
  readonly listener: NetPortListener;
  up: boolean;
  /** The duplex mode resolved with the station. */
  full: boolean;
  /** Full duplex, station → switch. */
  readonly ingress: Lane;
  /** Received frames waiting out the forwarding latency. */
  readonly fwd: DelayLine<Frame>;
  /** Frames waiting for the egress lane. */
  readonly outq: Frame[];
  /** Full duplex, switch → station. */
  readonly egress: Lane;
  /** The inter-frame gap after each egress frame (full duplex; in half duplex the MAC keeps the gap). */
  readonly ifgEv: SimEvent;
  /** Half duplex: the segment to the station, a collision domain of two. */
  readonly seg: Hub;
  /** The station's attachment to `seg`. */
  readonly segStation: NetPort;
  /** Half duplex: this port's CSMA/CD MAC on `seg`. */
  readonly mac: CsmaCdMac;
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
}

export interface SwitchState {
  v: 1;
  table: [number, number, Time][];
  ports: SwitchPortState[];
}

export const SWITCH_STATE = stateVersions('switch', 1);

/**
 * A store-and-forward learning bridge (IEEE 802.1D relay without spanning tree). A frame is checked once wholly
 * received (runt, FCS, alignment), its source address learned, and after the forwarding latency it is queued at
 * the port its destination was learned on, or flooded to every other port for broadcast, multicast and unknown
 * or aged destinations. Each output queue is bounded (drop tail).
 *
 * Each port is a point-to-point link to its station whose duplex follows the station: full duplex if the station
 * is full-duplex capable (two independent lanes, like a full-duplex Cable; egress frames spaced by the 96-bit
 * gap), otherwise half duplex: the port is a CSMA/CD station on that segment (its own `CsmaCdMac`: it defers to
 * the station's carrier, collides with it, backs off, and gives a frame up after 16 attempts). Taps see each
 * frame once, when its last bit left the sending station.
 */
export class Switch implements Medium {
  readonly name: string;
  readonly bitRate: number;
  readonly propagation: Time;
  readonly latency: Time;
  readonly queueFrames: number;
  readonly table: MacTable;
  private readonly ports: SwitchPort[] = [];
  private readonly probes: WireProbes;
  /**
   * Fault injection (emulator/machine/net/fault.ts): sees every frame about to be handed to a station's port and
   * returns what that station receives (the frame, a copy marked badFcs) or null (lost). Null: no faults.
   */
  deliveryFilter: ((frame: Frame, toPort: string) => Frame | null) | null = null;
  private readonly ifgNs: Time;

  constructor(private readonly ctx: ComponentContext, opts: SwitchOptions = {}) {
    this.name = ctx.name;
    this.bitRate = opts.bitRate ?? 10_000_000;
    if (!(this.bitRate > 0)) throw new RangeError(`${this.name}: bad bit rate ${this.bitRate}`);
    this.propagation = opts.propagationNs ?? 50;
    this.latency = opts.latencyNs ?? 2000;
    this.queueFrames = opts.queueFrames ?? 64;
    this.table = new MacTable(opts.ageingNs ?? 300 * SEC, opts.tableSize ?? 8192);
    this.ifgNs = Math.round((ETH_IFG_BITS * 1e9) / this.bitRate);
    this.probes = new WireProbes(ctx);
  }

  attach(listener: NetPortListener, name: string): NetPort {
    if (this.ports.some((p) => p.name === name)) throw new Error(`${this.name}: '${name}' is already attached`);
    const q = this.ctx.queue;
    const index = this.ports.length;
    const n = `${this.name}.p${index}`;
    const sub = (what: string) => componentContext(this.ctx, this.ctx.node, what);
    const seg = new Hub(sub(`${n}.seg`), { bitRate: this.bitRate, propagationNs: this.propagation, repeater: false });
    const mac = new CsmaCdMac(sub(`${n}.mac`), (f) => this.received(p, f));
    mac.setFullDuplexCapable(true);
    const p: SwitchPort = {
      index,
      name,
      listener,
      up: true,
      full: listener.fullDuplexCapable === true,
      ingress: new Lane(q, `${n}.in`, this.bitRate, this.propagation, (f) => this.ingressSent(p, f), (f) => this.received(p, f)),
      fwd: new DelayLine<Frame>(q, `${n}.fwd`, this.latency, (f) => this.forward(p, f), Priority.Device),
      outq: [],
      egress: new Lane(q, `${n}.out`, this.bitRate, this.propagation, () => this.egressSent(p), (f) => this.deliver(p, f)),
      ifgEv: new SimEvent(`${n}.ifg`, () => this.startEgress(p), Priority.Wire),
      seg,
      segStation: seg.attach(
        {
          frameReceived: (f) => listener.frameReceived(f),
          transmitDone: () => listener.transmitDone(),
          collision: () => listener.collision(),
          carrierChanged: (busy) => {
            if (!p.full) listener.carrierChanged?.(busy);
          },
        },
        name,
      ),
      mac,
    };
    mac.connect(seg, n);
    // The segment applies the switch's faults to frames for the station only; its taps report the station's frames.
    seg.deliveryFilter = (f, to) => (to === name && this.deliveryFilter ? this.deliveryFilter(f, to) : f);
    seg.tap((f, from) => {
      if (from === name) this.probes.completed(f, from);
    });
    this.ports.push(p);
    this.probes.emit('duplex', 0, { port: name, mode: p.full ? 'full' : 'half' });
    listener.linkChanged?.(true);
    return {
      bitRate: this.bitRate,
      get fullDuplex() {
        return p.full;
      },
      carrier: () => !p.full && p.segStation.carrier(),
      linkUp: () => p.up,
      transmit: (f) => (p.full ? this.transmit(p, f) : p.segStation.transmit(f)),
      renegotiate: () => this.renegotiate(p),
    };
  }

  tap(fn: FrameTap): void {
    this.probes.addTap(fn);
  }

  /** Fault injection: a port's link goes down (its queue is flushed, its addresses forgotten) or up. */
  setLinkUp(portName: string, up: boolean): void {
    const p = this.ports.find((q) => q.name === portName);
    if (!p) throw new Error(`${this.name}: no port '${portName}'`);
    if (p.up === up) return;
    p.up = up;
    if (!up) {
      for (const f of p.outq) this.probes.drop(f, 'link-down', { port: p.name });
      p.outq.length = 0;
      this.table.forgetPort(p.index);
    }
    p.seg.setLinkUp(p.name, up);
    p.seg.setLinkUp(`${this.name}.p${p.index}`, up);
    p.listener.linkChanged?.(up);
  }

  /** Output queue length of a port (frames waiting, the one on the wire not counted). */
  queueLength(portName: string): number {
    return this.ports.find((q) => q.name === portName)?.outq.length ?? 0;
  }

  /** The duplex mode resolved with a station. */
  portFullDuplex(portName: string): boolean {
    const p = this.ports.find((q) => q.name === portName);
    if (!p) throw new Error(`${this.name}: no port '${portName}'`);
    return p.full;
  }

  /** The station's ability changed: the port follows it (a transmission in progress keeps its mode). */
  private renegotiate(p: SwitchPort): void {
    const full = p.listener.fullDuplexCapable === true;
    if (full === p.full) return;
    p.full = full;
    this.probes.emit('duplex', 0, { port: p.name, mode: full ? 'full' : 'half' });
    p.listener.duplexChanged?.(full);
    this.startEgress(p);
  }

  private transmit(p: SwitchPort, frame: Frame): void {
    if (!p.ingress.send(frame)) {
      this.probes.drop(frame, 'busy', { port: p.name });
      return;
    }
    this.probes.txStart(p.name, frame);
  }

  private ingressSent(p: SwitchPort, frame: Frame): void {
    if (p.up) this.probes.completed(frame, p.name);
    p.listener.transmitDone();
  }

  /** The last bit reached the switch: check it and start the forwarding latency. */
  private received(p: SwitchPort, frame: Frame): void {
    if (!p.up) return this.probes.drop(frame, 'link-down', { port: p.name });
    if (frame.data.length < 14) return this.probes.drop(frame, 'runt', { port: p.name, len: frame.data.length });
    if (frame.badFcs) return this.probes.drop(frame, 'bad-fcs', { port: p.name });
    if (frame.alignmentError) return this.probes.drop(frame, 'alignment', { port: p.name });
    const src = macAt(frame.data, 6);
    if (this.table.learn(src, p.index, this.ctx.queue.now) === 'full') {
      this.ctx.tracer.emit(this.ctx.node, 'switch', 'table-full', frame.pktId, { port: p.name });
    }
    p.fwd.push(frame);
  }

  private forward(from: SwitchPort, frame: Frame): void {
    const dst = macAt(frame.data, 0);
    const group = (frame.data[0]! & 1) !== 0;
    const known = group ? -1 : this.table.lookup(dst, this.ctx.queue.now);
    if (known === from.index) return this.probes.drop(frame, 'filtered', { port: from.name });
    const to = known >= 0 ? [this.ports[known]!] : this.ports.filter((q) => q !== from);
    this.ctx.tracer.emit(this.ctx.node, 'switch', known >= 0 ? 'forward' : 'flood', frame.pktId, {
      from: from.name,
      to: to.map((q) => q.name).join(','),
    });
    for (const q of to) this.enqueue(q, frame);
  }

  private enqueue(p: SwitchPort, frame: Frame): void {
    if (!p.up) return this.probes.drop(frame, 'link-down', { port: p.name });
    if (p.outq.length >= this.queueFrames) return this.probes.drop(frame, 'queue-full', { port: p.name });
    p.outq.push(frame);
    this.startEgress(p);
  }

  /** Send the next queued frame if the port's transmitter is free (lane and gap, or the half-duplex MAC). */
  private startEgress(p: SwitchPort): void {
    if (p.egress.busy || p.ifgEv.scheduled || p.mac.transmitting) return;
    const f = p.outq.shift();
    if (!f) return;
    if (p.full) p.egress.send(f);
    else p.mac.transmit(f, (o) => this.halfSent(p, f, o));
  }

  private egressSent(p: SwitchPort): void {
    this.ctx.queue.scheduleIn(p.ifgEv, this.ifgNs);
  }

  /** A half-duplex egress frame is done (its gap to the next is the MAC's). */
  private halfSent(p: SwitchPort, f: Frame, o: TxOutcome): void {
    if (o.aborted) this.probes.drop(f, 'excessive-collisions', { port: p.name });
    else if (o.carrierLost) this.probes.drop(f, 'link-down', { port: p.name });
    this.startEgress(p);
  }

  private deliver(p: SwitchPort, frame: Frame): void {
    if (!p.up) return this.probes.drop(frame, 'link-down', { port: p.name });
    const f = this.deliveryFilter ? this.deliveryFilter(frame, p.name) : frame;
    if (!f) return;
    this.probes.deliver(p.name, f);
    p.listener.frameReceived(f);
  }

  // ---- snapshots ----

  saveState(): SwitchState {
    return {
      v: 1,
      table: this.table.saveState(),
      ports: this.ports.map((p) => ({
        name: p.name,
        up: p.up,
        full: p.full,
        ingress: p.ingress.saveState(),
        fwd: p.fwd.saveState(saveFrame),
        outq: p.outq.map(saveFrame),
        egress: p.egress.saveState(),
        ifg: p.ifgEv.when,
        seg: p.seg.saveState(),
        mac: p.mac.saveState(),
      })),
    };
  }

  /** Restore into a switch with the same stations attached in the same order. Listeners are not called. */
  loadState(saved: { v: number }): void {
    const s = readState<SwitchState>(this.name, SWITCH_STATE, saved);
    const names = this.ports.map((p) => p.name);
    if (s.ports.map((p) => p.name).join() !== names.join()) {
      throw new Error(`${this.name}: the snapshot's ports are [${s.ports.map((p) => p.name).join(', ')}], this switch has [${names.join(', ')}]`);
    }
    this.table.loadState(s.table);
    const q = this.ctx.queue;
    s.ports.forEach((g, i) => {
      const p = this.ports[i]!;
      p.up = g.up;
      p.full = g.full;
      p.ingress.loadState(g.ingress);
      p.fwd.loadState(g.fwd, loadFrame);
      p.outq.splice(0, p.outq.length, ...g.outq.map(loadFrame));
      p.egress.loadState(g.egress);
      q.deschedule(p.ifgEv);
      if (g.ifg >= 0) q.schedule(p.ifgEv, g.ifg);
      p.seg.loadState(g.seg);
      let sending: Frame | null = null;
      p.mac.loadState(g.mac, (o) => sending && this.halfSent(p, sending, o));
      sending = p.mac.sending;
    });
  }
}
