import type { ComponentContext } from '../sim/context';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import type { Rng } from '../sim/rng';
import { readState, stateVersions, type EventState } from '../sim/snapshot';
import type { Time } from '../sim/time';
import type { TraceFields } from '../sim/trace';
import {
  ETH_IFG_BITS,
  ETH_JAM_BITS,
  frameWireTimeNs,
  slotBits,
  type Frame,
  type Medium,
  type NetPort,
  type NetPortListener,
} from './link';
import { loadFrame, saveFrame, type FrameState } from './frame-state';
import type { AutonegEndpoint } from './link-segment';

/** IEEE 802.3 clause 4.2.3.2.5: attemptLimit and backOffLimit. */
export const ATTEMPT_LIMIT = 16;
export const BACKOFF_LIMIT = 10;
/** Bit rate assumed when no medium is connected (the DP8390 is a 10 Mb/s MAC). */
export const DEFAULT_BIT_RATE = 10_000_000;

/** How one transmit() ended (what a DP8390 reports in TSR/NCR). */
export interface TxOutcome {
  /** The frame went out without being aborted (DP8390 PTX). True also when carrierLost: the chip sent it into nothing. */
  ok: boolean;
  /** Attempts that collided, 0..16. */
  collisions: number;
  /** 16 attempts collided; the frame was given up (ABT). */
  aborted: boolean;
  /** No link / no medium while sending (CRS lost). */
  carrierLost: boolean;
  /** The MAC had to wait for carrier to drop before some attempt (DTR). */
  deferred: boolean;
  /** A collision was detected later than one slot time after the attempt started (OWC). */
  lateCollision: boolean;
}

export interface CsmaMacHooks {
  /** A collision ended attempt `attempt` (1-based), before backoff. */
  collision?(attempt: number): void;
  /** Carrier sensed at our port changed (half duplex only). */
  carrier?(busy: boolean): void;
}

type Phase = 'idle' | 'defer' | 'ifg' | 'tx' | 'backoff' | 'nolink';

export interface CsmaMacState {
  v: 2;
  phase: Phase;
  frame: FrameState | null;
  attempts: number;
  deferred: boolean;
  late: boolean;
  carrierLost: boolean;
  txStart: Time;
  idleSince: Time;
  ifg: EventState;
  backoff: EventState;
  txEnd: EventState;
  rng: [number, number, number, number];
  /** Version 2: the station's duplex ability (what it tells the medium). */
  fullDuplexCapable: boolean;
}

/** v1 → v2: version 1 MACs had no duplex ability of their own (the DP8390 is half duplex only). */
export const CSMA_MAC_STATE = stateVersions('CsmaCdMac', 2, {
  minimum: 1,
  upgrades: { 1: (old) => ({ ...old, fullDuplexCapable: false }) },
});

/**
 * The transmit side of an IEEE 802.3 clause 4 MAC (what the DP8390 does in silicon): deference, the two-part
 * inter-frame gap, collision handling with truncated binary exponential backoff, and the attempt limit.
 * Half duplex: wait for carrier to drop, then 96 bit times; carrier that returns in the first 64 bits of the
 * gap restarts the deferral, after that it is ignored (4.2.3.2.1, interFrameSpacingPart1). Full duplex: only
 * the gap after our own previous frame. The medium reports collisions after our jam went out.
 *
 * Duplex is the medium's decision (NetPort.fullDuplex): the MAC tells it whether the station can run full
 * duplex (`setFullDuplexCapable`, default false: the DP8390 is a half-duplex MAC; an RTL8029 with
 * CONFIG3.FUDUP is not) and follows what the medium resolved.
 */
export class CsmaCdMac implements NetPortListener {
  private _port: NetPort | null = null;
  private phase: Phase = 'idle';
  private frame: Frame | null = null;
  private done: ((o: TxOutcome) => void) | null = null;
  private attempts = 0;
  private deferred = false;
  private late = false;
  private carrierLost = false;
  private txStart: Time = 0;
  /** When the medium (as we see it, our own signal included) last became idle. */
  private idleSince: Time = Number.MIN_SAFE_INTEGER;
  private fdxCapable = false;
  private an: AutonegEndpoint | undefined;
  private readonly rng: Rng;
  private readonly ifgEv: SimEvent;
  private readonly backoffEv: SimEvent;
  private readonly txEndEv: SimEvent;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly rx: (frame: Frame) => void,
    private readonly hooks: CsmaMacHooks = {},
  ) {
    this.rng = ctx.rngs.stream(`${ctx.name}.backoff`);
    this.ifgEv = new SimEvent(`${ctx.name}.ifg`, () => this.send(), Priority.Device);
    this.backoffEv = new SimEvent(`${ctx.name}.backoff`, () => this.attempt(), Priority.Device);
    this.txEndEv = new SimEvent(`${ctx.name}.txend`, () => this.noLinkDone(), Priority.Device);
  }

  /**
   * The station's PHY (a chip model with auto-negotiation, e.g. the BCM5701's): the medium negotiates speed and
   * duplex with it instead of taking the station for a 10BASE-T MAU. Set it before `connect`.
   */
  setAutoneg(endpoint: AutonegEndpoint): void {
    if (this._port) throw new Error(`${this.ctx.name}: set the auto-negotiation endpoint before connecting`);
    this.an = endpoint;
  }

  /** NetPortListener: the station's PHY, if it has one. */
  get autoneg(): AutonegEndpoint | undefined {
    return this.an;
  }

  /** Attach to `medium` as `as` (default: the component's name). */
  connect(medium: Medium, as: string = this.ctx.name): void {
    if (this._port) throw new Error(`${this.ctx.name}: already connected`);
    this._port = medium.attach(this, as);
  }

  get port(): NetPort | null {
    return this._port;
  }

  /** NetPortListener: what the medium reads when it resolves this port's duplex mode. */
  get fullDuplexCapable(): boolean {
    return this.fdxCapable;
  }

  /**
   * The station's duplex ability (RTL8029: CONFIG3.FUDUP). When it changes while attached, the medium
   * renegotiates; the new mode applies from the next attempt on (the frame on the wire keeps its mode).
   */
  setFullDuplexCapable(capable: boolean): void {
    if (capable === this.fdxCapable) return;
    this.fdxCapable = capable;
    this._port?.renegotiate?.();
  }

  /** The frame of the transmit() in progress, null when idle. */
  get sending(): Frame | null {
    return this.frame;
  }

  /** A transmit() is in progress (deferring, on the wire, or backing off). */
  get transmitting(): boolean {
    return this.phase !== 'idle';
  }

  /** Send `frame`; `done` runs once with the outcome. Calling it while `transmitting` is a model bug: throws. */
  transmit(frame: Frame, done: (o: TxOutcome) => void): void {
    if (this.phase !== 'idle') throw new Error(`${this.ctx.name}: transmit() while a transmit is in progress`);
    this.frame = frame;
    this.done = done;
    this.attempts = 0;
    this.deferred = false;
    this.late = false;
    this.carrierLost = false;
    this.attempt();
  }

  // ---- NetPortListener ----

  frameReceived(frame: Frame): void {
    this.rx(frame);
  }

  transmitDone(): void {
    if (this.phase !== 'tx') return this.spurious('transmitDone');
    this.idleSince = Math.max(this.idleSince, this.ctx.queue.now);
    this.finish(true, false);
  }

  collision(): void {
    if (this.phase !== 'tx') return this.spurious('collision');
    const now = this.ctx.queue.now;
    const f = this.frame!;
    this.attempts++;
    // The medium calls us once the jam is out: detection was one jam time ago.
    if (now - this.jamNs() - this.txStart >= this.slotNs()) this.late = true;
    this.idleSince = Math.max(this.idleSince, now);
    this.trace('collision', f, { attempt: this.attempts });
    this.hooks.collision?.(this.attempts);
    if (this.attempts >= ATTEMPT_LIMIT) {
      this.trace('abort', f, { attempts: this.attempts });
      this.finish(false, true);
      return;
    }
    const slots = this.rng.below(2 ** Math.min(this.attempts, BACKOFF_LIMIT));
    this.trace('backoff', f, { slots });
    this.phase = 'backoff';
    this.ctx.queue.scheduleIn(this.backoffEv, slots * this.slotNs());
  }

  /**
   * Whether a carrier change may be taken late (NetPortListener.carrierQuiet): the MAC is idle and its owner says no
   * transmission is on its way to it (`sourceQuiet`, set by a chip that knows: absent, never).
   */
  carrierQuiet(): boolean {
    return this.phase === 'idle' && this.sourceQuiet?.() === true;
  }

  /** The owning chip: nothing is on its way to transmit() (no TXP pending). */
  sourceQuiet: (() => boolean) | null = null;

  carrierChanged(busy: boolean, at?: Time): void {
    // Taken late, an idle MAC only notes when the medium went idle (what a later attempt's gap counts from).
    if (at !== undefined && this.phase !== 'idle') throw new Error(`${this.ctx.name}: a carrier change of ${at} taken late while ${this.phase}`);
    const now = at ?? this.ctx.queue.now;
    if (this._port?.fullDuplex) {
      // Full duplex: the other direction's signal is no reason to defer (802.3 4.2.3.2.1, fullDuplex = true).
    } else if (busy) {
      const inPart1 = now < this.idleSince + Math.round((this.ifgNs() * 2) / 3);
      if (this.phase === 'ifg' && inPart1) {
        this.ctx.queue.deschedule(this.ifgEv);
        this.enterDefer();
      }
    } else {
      this.idleSince = Math.max(this.idleSince, now);
      if (this.phase === 'defer') this.startIfg();
    }
    this.hooks.carrier?.(busy);
  }

  duplexChanged(full: boolean): void {
    this.ctx.tracer.emit(this.ctx.node, 'mac', 'duplex', 0, { mode: full ? 'full' : 'half' });
    // Deferring to a carrier that full duplex no longer heeds: go on to the gap.
    if (full && this.phase === 'defer') this.startIfg();
  }

  linkChanged(up: boolean): void {
    if (up) return;
    if (this.phase === 'tx') this.carrierLost = true;
    else if (this.phase === 'defer') this.attempt();
  }

  // ---- the transmit process ----

  /** Begin one attempt: defer while carrier is sensed, then the inter-frame gap. */
  private attempt(): void {
    const port = this._port;
    if (!port || !port.linkUp()) return this.noLink();
    if (!port.fullDuplex && port.carrier()) return this.enterDefer();
    this.startIfg();
  }

  private enterDefer(): void {
    this.phase = 'defer';
    this.deferred = true;
    this.trace('defer', this.frame!);
  }

  private startIfg(): void {
    this.phase = 'ifg';
    const now = this.ctx.queue.now;
    const at = Math.max(now, this.idleSince + this.ifgNs());
    if (at === now) this.send();
    else this.ctx.queue.schedule(this.ifgEv, at);
  }

  /** The gap is over: put the frame on the wire (carrier in part 2 of the gap is ignored). */
  private send(): void {
    const port = this._port;
    if (!port || !port.linkUp()) return this.noLink();
    this.phase = 'tx';
    this.txStart = this.ctx.queue.now;
    port.transmit(this.frame!);
  }

  /** No link: the chip still clocks the frame out, into nothing, and reports carrier sense lost. */
  private noLink(): void {
    this.phase = 'nolink';
    this.carrierLost = true;
    this.trace('carrier-lost', this.frame!);
    const rate = this._port?.bitRate ?? DEFAULT_BIT_RATE;
    this.ctx.queue.scheduleIn(this.txEndEv, frameWireTimeNs(this.frame!.data.length, rate));
  }

  private noLinkDone(): void {
    this.idleSince = Math.max(this.idleSince, this.ctx.queue.now);
    this.finish(true, false);
  }

  private finish(ok: boolean, aborted: boolean): void {
    const o: TxOutcome = {
      ok,
      collisions: this.attempts,
      aborted,
      carrierLost: this.carrierLost,
      deferred: this.deferred,
      lateCollision: this.late,
    };
    const done = this.done;
    const f = this.frame;
    this.phase = 'idle';
    this.frame = null;
    this.done = null;
    if (done) done(o);
    else if (f) this.trace('orphan-outcome', f, { ok });
  }

  private spurious(what: string): void {
    this.ctx.tracer.emit(this.ctx.node, 'mac', 'spurious', 0, { what, phase: this.phase });
  }

  private trace(probe: string, f: Frame, fields?: TraceFields): void {
    this.ctx.tracer.emit(this.ctx.node, 'mac', probe, f.pktId, fields);
  }

  private bits(n: number): Time {
    return Math.round((n * 1e9) / (this._port?.bitRate ?? DEFAULT_BIT_RATE));
  }
  private ifgNs(): Time {
    return this.bits(ETH_IFG_BITS);
  }
  /** 512 bit times, 4096 at 1000 Mb/s half duplex (802.3 4.4.2): backoff slots and the late-collision limit. */
  private slotNs(): Time {
    return this.bits(slotBits(this._port?.bitRate ?? DEFAULT_BIT_RATE));
  }
  private jamNs(): Time {
    return this.bits(ETH_JAM_BITS);
  }

  // ---- snapshots ----

  saveState(): CsmaMacState {
    const f = this.frame;
    return {
      v: 2,
      phase: this.phase,
      frame: f ? saveFrame(f) : null,
      attempts: this.attempts,
      deferred: this.deferred,
      late: this.late,
      carrierLost: this.carrierLost,
      txStart: this.txStart,
      idleSince: this.idleSince,
      ifg: this.ifgEv.when,
      backoff: this.backoffEv.when,
      txEnd: this.txEndEv.when,
      rng: this.rng.state(),
      fullDuplexCapable: this.fdxCapable,
    };
  }

  /**
   * Restore. `done` receives the outcome of a transmit that was in progress when the state was saved (the
   * owner re-supplies its callback; without it the outcome is traced as 'orphan-outcome'). While `phase` is
   * 'tx' the frame is on the medium, whose own snapshot carries it. The duplex ability is restored without
   * renegotiating: the medium's snapshot holds the mode it had resolved.
   */
  loadState(saved: { v: number }, done?: (o: TxOutcome) => void): void {
    const s = readState<CsmaMacState>(this.ctx.name, CSMA_MAC_STATE, saved);
    const q = this.ctx.queue;
    for (const ev of [this.ifgEv, this.backoffEv, this.txEndEv]) q.deschedule(ev);
    this.phase = s.phase;
    this.frame = s.frame ? loadFrame(s.frame) : null;
    this.done = this.frame ? (done ?? null) : null;
    this.attempts = s.attempts;
    this.deferred = s.deferred;
    this.late = s.late;
    this.carrierLost = s.carrierLost;
    this.txStart = s.txStart;
    this.idleSince = s.idleSince;
    this.rng.setState(s.rng);
    this.fdxCapable = s.fullDuplexCapable;
    if (s.ifg >= 0) q.schedule(this.ifgEv, s.ifg);
    if (s.backoff >= 0) q.schedule(this.backoffEv, s.backoff);
    if (s.txEnd >= 0) q.schedule(this.txEndEv, s.txEnd);
  }
}
