import type { ComponentContext } from '../sim/context';
import { readState, stateVersions, type VersionedState } from '../sim/snapshot';
import { SEC, type Time } from '../sim/time';
import { instantUpState } from './link-segment';
import { ETH_HLEN, frameWireTimeNs, type Frame, type FrameTap, type Medium, type NetPort, type NetPortListener } from './link';
import { buildPauseFrame, isBridgeReserved, pauseTimeNs, PAUSE_MAX_QUANTA } from './mac-control';
import { MacTable, macAt } from './mac-table';
import { SwitchPort, type QueuedFrame, type SwitchPortCounters, type SwitchPortHost, type SwitchPortState } from './switch-port';
import { WireProbes } from './wire-probes';

export type { SwitchPortState } from './switch-port';

export interface SwitchOptions {
  /** The fastest speed of every port, bits per second (default 1 Gb/s); each port negotiates with its station. */
  bitRate?: number;
  /** Propagation of each port's cable (default 50 ns: 10 m at 5 ns/m). */
  propagationNs?: Time;
  /** Time from the last bit received to the frame being queued at its output port(s) (default 2 µs). */
  latencyNs?: Time;
  /** MAC table ageing time (default 300 s, IEEE 802.1D's recommended value). */
  ageingNs?: Time;
  /** Frames an output queue holds, the one being sent not counted (default 64); more are dropped (tail). */
  queueFrames?: number;
  /** Bytes an output queue holds (default 128 KiB *(I: a small unmanaged switch's per-port share)*). */
  queueBytes?: number;
  /** 802.3x flow control: ports advertise PAUSE and send it to a station congesting an output queue (default true). */
  flowControl?: boolean;
  /** MAC table capacity (default 8192); addresses beyond it are not learned (frames to them flood). */
  tableSize?: number;
}

/** What `portInfo` tells about a port. */
export interface SwitchPortInfo extends SwitchPortCounters {
  name: string;
  up: boolean;
  speedMbps: number;
  fullDuplex: boolean;
  /** Frames and bytes waiting in the output queue (the one on the wire not counted). */
  queued: number;
  queuedBytes: number;
  /** Egress held off by a PAUSE from the station; XOFF in force toward the station. */
  paused: boolean;
  xoff: boolean;
}

export interface SwitchState {
  v: 2;
  table: [number, number, Time][];
  ports: SwitchPortState[];
}

/** v1 → v2: v1 ports were DP8390-like stations linked at once at the switch's one rate; queues carried no origin. */
export const SWITCH_STATE = stateVersions('switch', 2, {
  minimum: 1,
  upgrades: {
    1: (old) => ({
      ...old,
      ports: (old.ports as VersionedState[]).map((p) => ({
        ...p,
        rate: null,
        neg: instantUpState(p.up === true),
        from: (p.outq as unknown[]).map(() => -1),
        ctrl: [],
        pause: { until: 0, ev: -1 },
        counters: { rx: 0, tx: 0, drops: 0, pauseRx: 0, pauseTx: 0 },
        held: 0,
        heldBytes: 0,
        xoff: false,
        refresh: -1,
        traced: p.full,
      })),
    }),
  },
});

/**
 * A store-and-forward learning bridge (IEEE 802.1D relay without spanning tree). A frame is checked once wholly
 * received (runt, FCS, alignment), MAC Control frames end at the port, frames to the 802.1D reserved addresses are
 * not relayed; the source address is learned and after the forwarding latency the frame is queued at the port its
 * destination was learned on, or flooded to every other port for broadcast, multicast and unknown or aged
 * destinations. Each port has its own negotiated speed and duplex (`SwitchPort`) and serialises at its own rate;
 * its output queue is bounded in frames and bytes (drop tail, counted). With flow control, a station whose frames
 * fill three quarters of the output queues gets XOFF (PAUSE 0xffff, repeated while it lasts) and XON below a
 * quarter *(I: common switch behaviour; 802.3x leaves the policy open)*. Taps see each station's frame once, when
 * its last bit left the station, and the switch's own PAUSE frames when they left the switch.
 */
export class Switch implements Medium, SwitchPortHost {
  readonly name: string;
  readonly maxBitRate: number;
  readonly propagation: Time;
  readonly latency: Time;
  readonly queueFrames: number;
  readonly queueBytes: number;
  readonly flowControl: boolean;
  readonly table: MacTable;
  readonly probes: WireProbes;
  private readonly ports: SwitchPort[] = [];
  /**
   * The delivery chain (delivery-chain.ts: fault injection, then impairments): sees every frame about to be handed
   * to a station's port and returns what that station receives now (the frame, a changed copy) or null (lost, or
   * held for `deliverHeld`). Null: nothing installed.
   */
  deliveryFilter: ((frame: Frame, toPort: string) => Frame | null) | null = null;

  constructor(readonly ctx: ComponentContext, opts: SwitchOptions = {}) {
    this.name = ctx.name;
    this.maxBitRate = opts.bitRate ?? 1_000_000_000;
    if (!(this.maxBitRate > 0)) throw new RangeError(`${this.name}: bad bit rate ${this.maxBitRate}`);
    this.propagation = opts.propagationNs ?? 50;
    this.latency = opts.latencyNs ?? 2000;
    this.queueFrames = opts.queueFrames ?? 64;
    this.queueBytes = opts.queueBytes ?? 128 * 1024;
    this.flowControl = opts.flowControl ?? true;
    this.table = new MacTable(opts.ageingNs ?? 300 * SEC, opts.tableSize ?? 8192);
    this.probes = new WireProbes(ctx);
  }

  attach(listener: NetPortListener, name: string): NetPort {
    if (this.ports.some((p) => p.name === name)) throw new Error(`${this.name}: '${name}' is already attached`);
    const p = new SwitchPort(this, this.ports.length, listener, name, (q) => this.refreshXoff(q));
    this.ports.push(p);
    return p.netPort();
  }

  tap(fn: FrameTap): void {
    this.probes.addTap(fn);
  }

  /**
   * Medium.lookahead: store and forward. Nothing from a station reaches another before a frame of it was wholly
   * received (runts under the 14-byte header are dropped at ingress) and propagated, then forwarded after the
   * latency; the switch's own PAUSE frames (XOFF/XON, a port flushed by a renegotiation) are at least that long on
   * the wire too. Renegotiating changes only the station's own port. Counted at the fastest port rate.
   */
  get lookahead(): Time {
    return frameWireTimeNs(ETH_HLEN, this.maxBitRate) + this.propagation;
  }

  /** Fault injection: a port's link goes down (its queue is flushed, its addresses forgotten) or up. */
  setLinkUp(portName: string, up: boolean): void {
    this.port(portName).setFault(up);
  }

  /** A frame a delivery stage held (delivery-chain.ts) is due at a station's port now. */
  deliverHeld(portName: string, frame: Frame): void {
    this.port(portName).deliverHeld(frame);
  }

  /** Output queue length of a port (frames waiting, the one on the wire not counted). */
  queueLength(portName: string): number {
    return this.ports.find((q) => q.name === portName)?.outq.length ?? 0;
  }

  /** The duplex mode resolved with a station. */
  portFullDuplex(portName: string): boolean {
    return this.port(portName).full;
  }

  /** A port's negotiated link, queue and counters. */
  portInfo(portName: string): SwitchPortInfo {
    const p = this.port(portName);
    return {
      name: p.name,
      up: p.up,
      speedMbps: p.rate / 1_000_000,
      fullDuplex: p.full,
      queued: p.outq.length,
      queuedBytes: p.outBytes,
      ...p.counters,
      paused: p.pause.paused,
      xoff: p.xoff,
    };
  }

  /** Every port's info, in attachment order. */
  portInfos(): SwitchPortInfo[] {
    return this.ports.map((p) => this.portInfo(p.name));
  }

  private port(portName: string): SwitchPort {
    const p = this.ports.find((q) => q.name === portName);
    if (!p) throw new Error(`${this.name}: no port '${portName}'`);
    return p;
  }

  // ---- SwitchPortHost ----

  /** A frame from a station passed the port's checks: learn, then relay after the forwarding latency. */
  received(from: SwitchPort, frame: Frame): void {
    if (isBridgeReserved(frame.data)) return this.probes.drop(frame, 'reserved', { port: from.name });
    from.counters.rx++;
    const src = macAt(frame.data, 6);
    if (this.table.learn(src, from.index, this.ctx.queue.now) === 'full') {
      this.ctx.tracer.emit(this.ctx.node, 'switch', 'table-full', frame.pktId, { port: from.name });
    }
    this.forward(from, frame);
  }

  released(q: QueuedFrame): void {
    const from = this.ports[q.from];
    if (!from) return;
    from.held--;
    from.heldBytes -= q.frame.data.length;
    if (from.xoff && from.held <= this.xonFrames() && from.heldBytes <= this.queueBytes / 4) this.sendPause(from, 0);
  }

  linkLost(p: SwitchPort): void {
    this.table.forgetPort(p.index);
    p.xoff = false;
    this.ctx.queue.deschedule(p.refreshEv);
  }

  // ---- relay ----

  private forward(from: SwitchPort, frame: Frame): void {
    const dst = macAt(frame.data, 0);
    const group = (frame.data[0]! & 1) !== 0;
    const known = group ? -1 : this.table.lookup(dst, this.ctx.queue.now);
    if (known === from.index) return this.probes.drop(frame, 'filtered', { port: from.name });
    const out = known >= 0 ? this.ports[known] : undefined;
    if (out) {
      // The per-frame case (a learned unicast destination): one port, no arrays.
      this.ctx.tracer.emit(this.ctx.node, 'switch', 'forward', frame.pktId, { from: from.name, to: out.name });
      this.enqueue(out, from, frame);
      return;
    }
    const to = this.ports.filter((q) => q !== from);
    this.ctx.tracer.emit(this.ctx.node, 'switch', 'flood', frame.pktId, {
      from: from.name,
      to: to.map((q) => q.name).join(','),
    });
    for (const q of to) this.enqueue(q, from, frame);
  }

  private enqueue(p: SwitchPort, from: SwitchPort, frame: Frame): void {
    if (!p.up) return this.probes.drop(frame, 'link-down', { port: p.name });
    if (p.outq.length >= this.queueFrames || p.outBytes + frame.data.length > this.queueBytes) {
      p.counters.drops++;
      return this.probes.drop(frame, 'queue-full', { port: p.name });
    }
    from.held++;
    from.heldBytes += frame.data.length;
    p.enqueue({ frame, from: from.index });
    if (!from.xoff && (from.held >= this.xoffFrames() || from.heldBytes >= (this.queueBytes * 3) / 4)) this.sendPause(from, PAUSE_MAX_QUANTA);
  }

  // ---- 802.3x flow control toward stations ----

  private xoffFrames(): number {
    return Math.ceil((this.queueFrames * 3) / 4);
  }
  private xonFrames(): number {
    return Math.floor(this.queueFrames / 4);
  }

  /** XOFF (quanta 0xffff) or XON (0) to a station, if the port negotiated sending PAUSE. */
  private sendPause(p: SwitchPort, quanta: number): void {
    const xoff = quanta > 0;
    if (!this.flowControl || !p.up || !p.full || !p.link?.pauseTx) {
      p.xoff = false;
      return;
    }
    p.xoff = xoff;
    // Packet id 0: a MAC Control frame is the switch's own, not a packet entering the system (and the tracer's
    // counter is not part of a snapshot).
    const f = buildPauseFrame(p.address, quanta, 0);
    this.ctx.tracer.emit(this.ctx.node, 'switch', xoff ? 'xoff' : 'xon', f.pktId, { port: p.name, held: p.held });
    p.sendControl(f);
    const q = this.ctx.queue;
    q.deschedule(p.refreshEv);
    // Repeat XOFF halfway through the pause it asked for, while the congestion lasts.
    if (xoff) q.schedule(p.refreshEv, q.now + Math.max(1, Math.round(pauseTimeNs(quanta, p.rate) / 2)));
  }

  private refreshXoff(p: SwitchPort): void {
    if (p.xoff) this.sendPause(p, PAUSE_MAX_QUANTA);
  }

  // ---- snapshots ----

  saveState(): SwitchState {
    return { v: 2, table: this.table.saveState(), ports: this.ports.map((p) => p.saveState()) };
  }

  /** Restore into a switch with the same stations attached in the same order. Listeners are not called. */
  loadState(saved: { v: number }): void {
    const s = readState<SwitchState>(this.name, SWITCH_STATE, saved);
    const names = this.ports.map((p) => p.name);
    if (s.ports.map((p) => p.name).join() !== names.join()) {
      throw new Error(`${this.name}: the snapshot's ports are [${s.ports.map((p) => p.name).join(', ')}], this switch has [${names.join(', ')}]`);
    }
    this.table.loadState(s.table);
    s.ports.forEach((g, i) => this.ports[i]!.loadState(g));
  }
}
