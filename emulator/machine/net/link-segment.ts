import type { ComponentContext } from '../sim/context';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import type { Rng } from '../sim/rng';
import type { EventState } from '../sim/snapshot';
import { MS, type Time } from '../sim/time';
import {
  ALL_MODES,
  MODES_1000,
  modeName,
  modeOf,
  resolveLink,
  type LinkAbilities,
  type NegotiatedLink,
  type NegotiationOutcome,
  type Resolution,
} from './autoneg';

/**
 * One end of a twisted-pair link segment as auto-negotiation sees it: a PHY (the BCM5701's), a switch port, a
 * hub port, or a station modelled without a PHY (the DP8390's 10BASE-T MAU, `instant`).
 */
export interface AutonegEndpoint {
  /** What this end offers now; null while it sends no link signal (powered down, in loopback). */
  abilities(): LinkAbilities | null;
  /** A station modelled without a PHY: a segment whose two ends are both instant links at once, with no timing. */
  readonly instant?: boolean;
  /** Multiplies every negotiation time on this end's segment (the smaller of the two ends applies; default 1). */
  readonly timeScale?: number;
  /** The medium hands the endpoint its control of the segment when it attaches. */
  attached?(control: AutonegControl): void;
  /** Negotiation starts over (a restart at either end, the cable pulled): forget the partner's page. */
  restarted?(): void;
  /** The page exchange finished (the link is not up yet): what was received and resolved (or why not). */
  negotiated?(o: NegotiationOutcome): void;
  /** Link up (both ends at the same instant). */
  linkUp?(link: NegotiatedLink): void;
  /** Link down (both ends at the same instant). */
  linkDown?(): void;
}

/** What an endpoint holds: its way to restart negotiation on the segment. */
export interface AutonegControl {
  /**
   * The end restarts (PHY reset, restart bit, power-down or power-up, loopback, a forced mode written): its link
   * signal stops, so the link breaks at once at both ends; negotiation resumes after the break-link timer.
   */
  restart(): void;
}

/**
 * Times, ns ranges drawn uniformly per restart from the segment's stream `<segment>.autoneg` *(I: 802.3 gives the
 * timers; the totals match "1000BASE-T link-up typically 2–3 s" from tg3/brgphy experience)*.
 */
export const AN_TIMES = {
  /** 28.3.2 break_link_timer: 1200–1500 ms of silence after every restart. */
  breakLink: [1200 * MS, 1500 * MS],
  /** FLP burst exchange (bursts every 16 ± 8 ms), base page only. */
  basePage: [150 * MS, 250 * MS],
  /** Base page plus the three 1000BASE-T next pages (28.2.3.4, 40.5.1.2). */
  nextPages: [300 * MS, 450 * MS],
  /** Parallel detection (28.2.3.1): autoneg_wait_timer 500–1000 ms after the partner's signal is recognised. */
  parallel: [500 * MS, 1000 * MS],
  /** After negotiation: PMA link-up. 10BASE-T link test; 100BASE-TX descrambler lock; 1000BASE-T training. */
  linkUp10: [20 * MS, 60 * MS],
  linkUp100: [50 * MS, 150 * MS],
  linkUp1000: [450 * MS, 900 * MS],
  /** No common mode or MASTER-SLAVE fault: the link fails and negotiation starts over (link_fail_inhibit_timer). */
  retry: [750 * MS, 1000 * MS],
} as const satisfies Record<string, readonly [Time, Time]>;

/** The shortest phase whatever the time scale. */
export const MIN_PHASE_NS: Time = 1_000;

export type SegmentPhase = 'idle' | 'break' | 'negotiating' | 'training' | 'up' | 'failed';

export interface LinkSegmentState {
  connected: boolean;
  phase: SegmentPhase;
  at: EventState;
  breakUntil: Time;
  /** The pages captured when the exchange started. */
  pages: [LinkAbilities | null, LinkAbilities | null] | null;
  /** What each end resolved (set at the end of the exchange; null before, or for instant segments until up). */
  outcome: [NegotiationOutcome, NegotiationOutcome] | null;
  /** Null in states upgraded from before negotiation existed: the fresh stream is kept. */
  rng: [number, number, number, number] | null;
}

export interface LinkSegmentHooks {
  /** The link came up (before the ends are told). */
  up(): void;
  /** The link went down (before the ends are told). */
  down(): void;
  /** An instant segment resolved again while up (a DP8390 station changed its duplex ability). */
  changed?(): void;
}

/**
 * The auto-negotiation process of one link segment (a cable, or a switch or hub port and its station): the two
 * ends' arbitration state machines (802.3 figure 28-16) reduced to the phases a driver can observe — break,
 * exchange, PMA link-up, up — with their times, and the resolution at the end of the exchange. Both ends are
 * told at the same instants. `maxModes` limits what the wire carries (a cable's category).
 */
export class LinkSegment {
  private readonly ends: [AutonegEndpoint | null, AutonegEndpoint | null] = [null, null];
  private connected = true;
  private phase: SegmentPhase = 'idle';
  private breakUntil: Time = Number.MIN_SAFE_INTEGER;
  private pages: [LinkAbilities | null, LinkAbilities | null] | null = null;
  private outcome: [NegotiationOutcome, NegotiationOutcome] | null = null;
  private readonly ev: SimEvent;
  private readonly rng: Rng;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly hooks: LinkSegmentHooks,
    private readonly maxModes: number = ALL_MODES,
  ) {
    this.ev = new SimEvent(`${ctx.name}.an`, () => this.fire(), Priority.Device);
    this.rng = ctx.rngs.stream(`${ctx.name}.autoneg`);
  }

  get name(): string {
    return this.ctx.name;
  }

  /**
   * Attach end `i` (0 or 1). Once both are there the link starts: at once if both are instant, otherwise as after
   * a restart by the end attached last (a PHY powering up, a cable plugged in: break, exchange, link-up).
   */
  attach(i: 0 | 1, ep: AutonegEndpoint): void {
    this.ends[i] = ep;
    ep.attached?.({ restart: () => this.restart(i) });
    if (this.ends[0] && this.ends[1]) this.restart(i);
  }

  endpoint(i: 0 | 1): AutonegEndpoint | null {
    return this.ends[i];
  }

  get up(): boolean {
    return this.phase === 'up';
  }

  get currentPhase(): SegmentPhase {
    return this.phase;
  }

  /** Every attached end is instant (stations without a PHY): no negotiation timing, no traces. */
  get instant(): boolean {
    return this.ends.every((e) => e === null || e.instant === true) && this.ends.some((e) => e !== null);
  }

  /** What end `i` resolved (after the exchange), or null. */
  link(i: 0 | 1): NegotiatedLink | null {
    return this.outcome?.[i]?.link ?? null;
  }

  /** Bits per second of the resolved link (both ends share the speed), or null. */
  bitRate(): number | null {
    const l = this.link(0) ?? this.link(1);
    return l ? l.speedMbps * 1_000_000 : null;
  }

  /** The wire is full duplex only if both ends resolved full duplex (a duplex mismatch is a collision domain). */
  fullDuplex(): boolean {
    return this.link(0)?.fullDuplex === true && this.link(1)?.fullDuplex === true;
  }

  /** The wire is plugged in (cable pulled, port disabled: false). */
  setConnected(c: boolean): void {
    if (c === this.connected) return;
    this.connected = c;
    if (!c) {
      // Both ends see link fail and go through TRANSMIT DISABLE: the break-link timer starts now.
      const busy = this.phase !== 'idle';
      this.ctx.queue.deschedule(this.ev);
      this.goDown();
      this.phase = 'idle';
      this.tellRestarted();
      if (busy && !this.instant) this.breakUntil = this.ctx.queue.now + this.draw(AN_TIMES.breakLink);
    } else {
      this.advance();
    }
  }

  /** End `i` restarted: the link breaks; negotiation resumes after the break-link timer. */
  restart(i: 0 | 1): void {
    if (this.instant) {
      if (this.phase === 'up') {
        this.outcome = this.resolveInstant();
        if (this.outcome) this.hooks.changed?.();
        else this.goDown();
        return;
      }
      this.advance();
      return;
    }
    this.trace('restart', { by: i });
    this.ctx.queue.deschedule(this.ev);
    this.goDown();
    this.tellRestarted();
    this.breakUntil = this.ctx.queue.now + this.draw(AN_TIMES.breakLink);
    this.advance();
  }

  private tellRestarted(): void {
    if (this.instant) return;
    this.ends[0]?.restarted?.();
    this.ends[1]?.restarted?.();
  }

  private scale(): number {
    let s = 1;
    for (const e of this.ends) if (e?.timeScale !== undefined && e.timeScale < s) s = e.timeScale;
    return s;
  }

  /** A time from `r`, scaled; never under 1 µs, so a link that keeps failing cannot spin at one instant. */
  private draw(r: readonly [Time, Time]): Time {
    const s = this.scale();
    const lo = Math.round(r[0] * s);
    const hi = Math.round(r[1] * s);
    return Math.max(MIN_PHASE_NS, lo + this.rng.below(hi - lo + 1));
  }

  private offer(i: 0 | 1): LinkAbilities | null {
    const a = this.ends[i]?.abilities() ?? null;
    return a && { ...a, modes: a.modes & this.maxModes };
  }

  private resolveInstant(): [NegotiationOutcome, NegotiationOutcome] | null {
    const a = this.offer(0);
    const b = this.offer(1);
    if (!a || !b) return null;
    const r = resolveLink(a, b);
    return r.ok ? [r.ends[0], r.ends[1]] : null;
  }

  /** From a not-up state: start whatever the inputs allow next. */
  private advance(): void {
    const q = this.ctx.queue;
    if (!this.ends[0] || !this.ends[1] || !this.connected) {
      this.phase = 'idle';
      return;
    }
    if (this.instant) {
      this.outcome = this.resolveInstant();
      if (this.outcome) this.goUp();
      else this.phase = 'idle';
      return;
    }
    const a = this.offer(0);
    const b = this.offer(1);
    if (!a || !b) {
      this.phase = 'idle'; // one end is silent; it restarts when it sends again
      return;
    }
    if (q.now < this.breakUntil) {
      this.phase = 'break';
      q.reschedule(this.ev, this.breakUntil);
      return;
    }
    this.phase = 'negotiating';
    this.pages = [a, b];
    const range = a.autoneg !== b.autoneg ? AN_TIMES.parallel : !a.autoneg ? ([0, 0] as const) : a.modes & b.modes & MODES_1000 ? AN_TIMES.nextPages : AN_TIMES.basePage;
    q.reschedule(this.ev, q.now + this.draw(range));
  }

  private fire(): void {
    const q = this.ctx.queue;
    switch (this.phase) {
      case 'break':
      case 'failed':
        this.advance();
        return;
      case 'negotiating': {
        const [a, b] = this.pages!;
        // 40.5.2: two 11-bit seeds; equal seeds are redrawn.
        let sa = this.rng.below(2048);
        let sb = this.rng.below(2048);
        while (sa === sb) sb = this.rng.below(2048);
        const r: Resolution = resolveLink(a!, b!, [sa, sb]);
        this.outcome = [r.ends[0], r.ends[1]];
        this.ends[0]?.negotiated?.(r.ends[0]);
        this.ends[1]?.negotiated?.(r.ends[1]);
        if (!r.ok) {
          this.trace('fault', { fault: r.fault });
          this.phase = 'failed';
          q.reschedule(this.ev, q.now + this.draw(AN_TIMES.retry));
          return;
        }
        const l = r.ends[0].link!;
        this.trace('negotiated', { mode: modeName(modeOf(l.speedMbps, l.fullDuplex)), ...(l.parallelDetect || r.ends[1].link!.parallelDetect ? { parallel: true } : {}) });
        this.phase = 'training';
        const t = l.speedMbps === 1000 ? AN_TIMES.linkUp1000 : l.speedMbps === 100 ? AN_TIMES.linkUp100 : AN_TIMES.linkUp10;
        q.reschedule(this.ev, q.now + this.draw(t));
        return;
      }
      case 'training':
        this.goUp();
        return;
      default:
        return;
    }
  }

  private goUp(): void {
    this.phase = 'up';
    const [oa, ob] = this.outcome!;
    if (!this.instant) {
      const la = oa.link!;
      const lb = ob.link!;
      // The wire's mode: a duplex mismatch runs as a collision domain.
      this.trace('link-up', {
        mode: modeName(modeOf(la.speedMbps, la.fullDuplex && lb.fullDuplex)),
        ...(la.fullDuplex !== lb.fullDuplex ? { mismatch: true } : {}),
        ...(la.speedMbps === 1000 ? { master: la.master ? 0 : 1 } : {}),
      });
    }
    this.hooks.up();
    if (oa.link) this.ends[0]?.linkUp?.(oa.link);
    if (ob.link) this.ends[1]?.linkUp?.(ob.link);
  }

  private goDown(): void {
    const wasUp = this.phase === 'up';
    this.outcome = null;
    this.pages = null;
    if (!wasUp) return;
    this.phase = 'idle';
    if (!this.instant) this.trace('link-down');
    this.hooks.down();
    this.ends[0]?.linkDown?.();
    this.ends[1]?.linkDown?.();
  }

  private trace(probe: string, f?: Record<string, string | number | boolean>): void {
    this.ctx.tracer.emit(this.ctx.node, 'autoneg', probe, 0, { seg: this.ctx.name, ...f });
  }

  // ---- snapshots ----

  saveState(): LinkSegmentState {
    return {
      connected: this.connected,
      phase: this.phase,
      at: this.ev.when,
      breakUntil: this.breakUntil,
      pages: this.pages ? [this.pages[0], this.pages[1]] : null,
      outcome: this.outcome ? [this.outcome[0], this.outcome[1]] : null,
      rng: this.rng.state(),
    };
  }

  /** Restore (the ends are attached already). Endpoints are not called; an instant segment that is up re-resolves. */
  loadState(s: LinkSegmentState): void {
    const q = this.ctx.queue;
    q.deschedule(this.ev);
    this.connected = s.connected;
    this.phase = s.phase;
    this.breakUntil = s.breakUntil;
    this.pages = s.pages ? [s.pages[0], s.pages[1]] : null;
    this.outcome = s.outcome ? [s.outcome[0], s.outcome[1]] : null;
    if (s.rng) this.rng.setState(s.rng);
    if (s.at >= 0) q.schedule(this.ev, s.at);
    if (this.phase === 'up' && !this.outcome && this.instant) this.outcome = this.resolveInstant();
  }
}

/** The state of a segment that was up at once (instant stations), for upgrading snapshots older than negotiation. */
export function instantUpState(connected = true): LinkSegmentState {
  return { connected, phase: connected ? 'up' : 'idle', at: -1, breakUntil: Number.MIN_SAFE_INTEGER, pages: null, outcome: null, rng: null };
}
