import { componentContext, SimEvent, Simulation, type ComponentContext, type TraceRecord } from '../../emulator/machine/sim';
import type { Frame, Medium, NetPort, NetPortListener } from '../../emulator/machine/net/link';
import { loadFrame, saveFrame, type FrameState } from '../../emulator/machine/net/frame-state';
import type { CsmaMacState } from '../../emulator/machine/net/csma-mac';
import { CsmaCdMac, type TxOutcome } from '../../emulator/machine/net/csma-mac';
import { AN_TIMES, MIN_PHASE_NS, type AutonegEndpoint } from '../../emulator/machine/net/link-segment';
import { parsePause, PauseTimer, type PauseTimerState } from '../../emulator/machine/net/mac-control';
import { Rng } from '../../emulator/machine/sim/rng';

export interface Rig {
  sim: Simulation;
  recs: TraceRecord[];
  ctx(name: string, node?: string): ComponentContext;
  /** Run `fn` at absolute virtual time `t`. */
  at(t: number, fn: () => void): void;
  /** Trace records matching layer/probe. */
  find(layer: string, probe: string): TraceRecord[];
}

export function rig(seed = 1): Rig {
  const sim = new Simulation(seed);
  const recs: TraceRecord[] = [];
  sim.tracer.addSink((r) => recs.push(r));
  let n = 0;
  return {
    sim,
    recs,
    ctx: (name, node = '') => componentContext(sim, node, name),
    at(t, fn) {
      sim.queue.schedule(new SimEvent(`test.at${n++}`, fn), t);
    },
    find: (layer, probe) => recs.filter((r) => r.layer === layer && r.probe === probe),
  };
}

/** MAC address 02:00:00:00:00:<n>. */
export function mac(n: number): number[] {
  return [0x02, 0, 0, 0, 0, n];
}
export const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** An Ethernet frame of `len` bytes (no FCS): dst, src, type 0x88b5 (local experimental), payload = pktId. */
export function ethFrame(dst: number[], src: number[], len: number, pktId: number): Frame {
  const d = new Uint8Array(len);
  d.set(dst, 0);
  d.set(src, 6);
  d[12] = 0x88;
  d[13] = 0xb5;
  if (len > 14) d[14] = pktId & 0xff;
  return { data: d, pktId };
}

/**
 * A station: a CsmaCdMac that sends a list of frames back to back and records what happens, with times.
 * Half duplex only unless `fullDuplex` (like a DP8390, or an RTL8029 with CONFIG3.FUDUP).
 */
export class Station {
  readonly mac: CsmaCdMac;
  readonly received: { t: number; frame: Frame }[] = [];
  readonly outcomes: { t: number; pktId: number; o: TxOutcome }[] = [];
  private pending: Frame[] = [];

  /** Honours received PAUSE frames (option `pause`): holds frames not yet handed to the MAC. */
  readonly pause: PauseTimer | null;

  constructor(
    readonly r: Rig,
    readonly name: string,
    medium: Medium | null,
    opts: { fullDuplex?: boolean; autoneg?: AutonegEndpoint; pause?: boolean } = {},
  ) {
    this.pause = opts.pause ? new PauseTimer(r.ctx(name, name), `${name}.mac-control`, () => this.next()) : null;
    this.mac = new CsmaCdMac(r.ctx(name, name), (f) => {
      const q = this.pause && this.mac.port?.fullDuplex ? parsePause(f.data) : null;
      if (q !== null) this.pause!.pause(q, this.mac.port!.bitRate);
      this.received.push({ t: r.sim.queue.now, frame: f });
    });
    this.mac.setFullDuplexCapable(opts.fullDuplex ?? false);
    if (opts.autoneg) this.mac.setAutoneg(opts.autoneg);
    if (medium) this.mac.connect(medium);
  }

  /** Queue frames; they go out one after another (each waits for the previous outcome). */
  send(...frames: Frame[]): void {
    this.pending.push(...frames);
    this.next();
  }

  /** Queue `send` at virtual time t. */
  sendAt(t: number, ...frames: Frame[]): void {
    this.r.at(t, () => this.send(...frames));
  }

  private next(): void {
    if (this.mac.transmitting || this.pause?.paused) return;
    const f = this.pending.shift();
    if (!f) return;
    this.mac.transmit(f, this.done(f));
  }

  private done(f: Frame): (o: TxOutcome) => void {
    return (o) => {
      this.outcomes.push({ t: this.r.sim.queue.now, pktId: f.pktId, o });
      this.next();
    };
  }

  /** Snapshot of the station and its MAC (frames waiting, what it has seen so far). */
  saveState(): StationState {
    const enc = (f: Frame) => saveFrame(f);
    return {
      mac: this.mac.saveState(),
      pending: this.pending.map(enc),
      received: this.received.map((x) => ({ t: x.t, frame: enc(x.frame) })),
      outcomes: this.outcomes.map((x) => ({ ...x, o: { ...x.o } })),
      pause: this.pause ? this.pause.saveState() : null,
    };
  }

  loadState(s: StationState): void {
    this.pending = s.pending.map(loadFrame);
    this.received.splice(0, this.received.length, ...s.received.map((x) => ({ t: x.t, frame: loadFrame(x.frame) })));
    this.outcomes.splice(0, this.outcomes.length, ...s.outcomes.map((x) => ({ ...x, o: { ...x.o } })));
    if (this.pause && s.pause) this.pause.loadState(s.pause);
    let sending: Frame | null = null;
    this.mac.loadState(s.mac, (o) => sending && this.done(sending)(o));
    sending = this.mac.sending;
  }
}

export interface StationState {
  mac: CsmaMacState;
  pending: FrameState[];
  received: { t: number; frame: FrameState }[];
  outcomes: { t: number; pktId: number; o: TxOutcome }[];
  pause?: PauseTimerState | null;
}

/** A misbehaving station: transmits junk when it senses carrier ('carrier' mode) or when told to. */
export class Jammer implements NetPortListener {
  readonly port: NetPort;
  private busy = false;
  constructor(readonly r: Rig, medium: Medium, name: string, readonly mode: 'carrier' | 'never') {
    this.port = medium.attach(this, name);
  }
  fire(): void {
    if (this.busy) return;
    this.busy = true;
    const f: Frame = ethFrame(mac(0xee), mac(0xee), 60, 999);
    this.port.transmit(f);
  }
  frameReceived(): void {}
  transmitDone(): void {
    this.busy = false;
  }
  collision(): void {
    this.busy = false;
  }
  carrierChanged(busy: boolean): void {
    if (busy && this.mode === 'carrier') this.fire();
  }
}

/**
 * A bare attachment without a MAC: records every callback with its time; sends whatever it is told. It claims
 * full-duplex ability only if told to.
 */
export class RawEnd implements NetPortListener {
  readonly events: { t: number; what: string; frame?: Frame; v?: boolean }[] = [];
  readonly port: NetPort;
  onCarrier: ((busy: boolean) => void) | null = null;

  constructor(readonly r: Rig, medium: Medium, readonly name: string, public fullDuplexCapable = false) {
    this.port = medium.attach(this, name);
  }
  duplexChanged(full: boolean): void {
    this.events.push({ t: this.r.sim.queue.now, what: 'duplex', v: full });
  }
  frameReceived(frame: Frame): void {
    this.events.push({ t: this.r.sim.queue.now, what: 'rx', frame });
  }
  transmitDone(): void {
    this.events.push({ t: this.r.sim.queue.now, what: 'done' });
  }
  collision(): void {
    this.events.push({ t: this.r.sim.queue.now, what: 'collision' });
  }
  carrierChanged(busy: boolean): void {
    this.events.push({ t: this.r.sim.queue.now, what: 'carrier', v: busy });
    this.onCarrier?.(busy);
  }
  linkChanged(up: boolean): void {
    this.events.push({ t: this.r.sim.queue.now, what: 'link', v: up });
  }
  of(what: string): { t: number; frame?: Frame; v?: boolean }[] {
    return this.events.filter((e) => e.what === what);
  }
}

/**
 * The random draws of a link segment's negotiation (emulator/machine/net/link-segment.ts `AN_TIMES`), replayed
 * from the same named stream so a test can compute the exact times it expects.
 */
export class AnReplica {
  private readonly rng: Rng;
  constructor(seed: number, segment: string, private readonly scale = 1) {
    this.rng = new Rng(seed, `${segment}.autoneg`);
  }
  /** A time drawn uniformly from [lo, hi] ns, scaled (the segment's formula). */
  draw(range: readonly [number, number]): number {
    const lo = Math.round(range[0] * this.scale);
    const hi = Math.round(range[1] * this.scale);
    return Math.max(MIN_PHASE_NS, lo + this.rng.below(hi - lo + 1));
  }
  /** The two 1000BASE-T MASTER-SLAVE seeds drawn at the end of every exchange. */
  seeds(): [number, number] {
    const a = this.rng.below(2048);
    let b = this.rng.below(2048);
    while (a === b) b = this.rng.below(2048);
    return [a, b];
  }
  /** Break, exchange (of the kind given), seeds, link-up: the times at which the phases end, from `t0`. */
  timeline(t0: number, exchange: readonly [number, number], linkUp: readonly [number, number]): { negotiating: number; negotiated: number; up: number } {
    const negotiating = t0 + this.draw(AN_TIMES.breakLink);
    const negotiated = negotiating + this.draw(exchange);
    this.seeds();
    return { negotiating, negotiated, up: negotiated + this.draw(linkUp) };
  }
}
