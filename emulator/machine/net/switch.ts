import type { ComponentContext } from '../sim/context';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import { SEC, type Time } from '../sim/time';
import { DelayLine, Lane } from './delay-line';
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
  /** Station → switch. */
  readonly ingress: Lane;
  /** Received frames waiting out the forwarding latency. */
  readonly fwd: DelayLine<Frame>;
  /** Frames waiting for the egress lane. */
  readonly outq: Frame[];
  /** Switch → station. */
  readonly egress: Lane;
  /** The inter-frame gap after each egress frame. */
  readonly ifgEv: SimEvent;
}

/**
 * A store-and-forward learning bridge (IEEE 802.1D relay without spanning tree). Every port is a full-duplex
 * point-to-point link to its station, like a Cable. A frame is checked once wholly received (runt, FCS,
 * alignment), its source address learned, and after the forwarding latency it is queued at the port its
 * destination was learned on, or flooded to every other port for broadcast, multicast and unknown or aged
 * destinations. Each output queue is bounded (drop tail); egress frames are spaced by the 96-bit gap.
 * Taps see each frame once, when its last bit left the sending station.
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
    const p: SwitchPort = {
      index,
      name,
      listener,
      up: true,
      ingress: new Lane(q, `${n}.in`, this.bitRate, this.propagation, (f) => this.ingressSent(p, f), (f) => this.received(p, f)),
      fwd: new DelayLine<Frame>(q, `${n}.fwd`, this.latency, (f) => this.forward(p, f), Priority.Device),
      outq: [],
      egress: new Lane(q, `${n}.out`, this.bitRate, this.propagation, () => this.egressSent(p), (f) => this.deliver(p, f)),
      ifgEv: new SimEvent(`${n}.ifg`, () => this.startEgress(p), Priority.Wire),
    };
    this.ports.push(p);
    listener.linkChanged?.(true);
    return {
      bitRate: this.bitRate,
      fullDuplex: true,
      carrier: () => false,
      linkUp: () => p.up,
      transmit: (f) => this.transmit(p, f),
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
    p.listener.linkChanged?.(up);
  }

  /** Output queue length of a port (frames waiting, the one on the wire not counted). */
  queueLength(portName: string): number {
    return this.ports.find((q) => q.name === portName)?.outq.length ?? 0;
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
    if (!p.egress.busy && !p.ifgEv.scheduled) this.startEgress(p);
  }

  private startEgress(p: SwitchPort): void {
    const f = p.outq.shift();
    if (f) p.egress.send(f);
  }

  private egressSent(p: SwitchPort): void {
    this.ctx.queue.scheduleIn(p.ifgEv, this.ifgNs);
  }

  private deliver(p: SwitchPort, frame: Frame): void {
    if (!p.up) return this.probes.drop(frame, 'link-down', { port: p.name });
    const f = this.deliveryFilter ? this.deliveryFilter(frame, p.name) : frame;
    if (!f) return;
    this.probes.deliver(p.name, f);
    p.listener.frameReceived(f);
  }
}
