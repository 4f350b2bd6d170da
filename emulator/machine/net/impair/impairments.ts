/**
 * Link impairments of one medium (issue 18): a netem in front of each station port, configured per port or
 * with a link-wide default, applied where the medium hands a frame to the station — after fault injection
 * (delivery-chain.ts). A frame it holds is delivered later through the medium's `deliverHeld`, so the station,
 * the wire records and link state see it as an ordinary delivery at that time.
 *
 * Trace records, layer "impair", node "" (like fault records), the frame's packet id, fields {link, port, …}:
 * loss {model}, queue-full {queued}, hold {ns}, duplicate, reorder, corrupt {bit}. Nothing is recorded, no stream
 * issued and nothing drawn for a port whose frames no impairment applies to.
 */
import type { ComponentContext } from '../../sim/context';
import { readState, stateVersions } from '../../sim/snapshot';
import { addDeliveryStage, DeliveryRank } from '../delivery-chain';
import type { FaultableMedium } from '../fault';
import { loadFrame, saveFrame, type FrameState } from '../frame-state';
import type { Frame } from '../link';
import type { ImpairConfig } from './config';
import { PortImpairment, type ImpairAspect, type ImpairCounters } from './port-impairment';
import { impairProblem } from './validate';

export interface PortImpairmentState {
  port: string;
  counters: ImpairCounters;
  held: { at: number; arrived: number; seq: number; frame: FrameState }[];
  seq: number;
  bad: boolean;
  counter: number;
  lastDelayRnd: number;
  lossModel: string | null;
  /** The streams issued so far, by aspect, in issue order. */
  streams: [ImpairAspect, [number, number, number, number]][];
}

export interface ImpairmentsState {
  v: 1;
  /** The link's default (null: none) and each port's own configuration. */
  fallback: ImpairConfig | null;
  own: [string, ImpairConfig][];
  ports: PortImpairmentState[];
}

export const IMPAIRMENTS_STATE = stateVersions('link impairments', 1);

export class Impairments {
  private fallback: ImpairConfig | null = null;
  private readonly own = new Map<string, ImpairConfig>();
  /** Per port that saw a frame under some impairment, in the order they first did. */
  private readonly ports = new Map<string, PortImpairment>();
  private installed = false;

  constructor(
    private readonly ctx: ComponentContext,
    readonly medium: FaultableMedium,
  ) {}

  /**
   * Set or replace the impairment of deliveries to `port` (a station port name), or with port null the link's
   * default for every port without its own; cfg null removes it. Takes effect for frames delivered from now on;
   * frames already held keep their schedule.
   */
  set(port: string | null, cfg: ImpairConfig | null): void {
    if (cfg) {
      const problem = impairProblem(cfg);
      if (problem) throw new RangeError(`${this.ctx.name}${port === null ? '' : ` ${port}`}: ${problem}`);
    }
    if (port === null) this.fallback = cfg;
    else if (cfg) this.own.set(port, cfg);
    else this.own.delete(port);
    if (cfg) this.install();
  }

  /** The configuration that applies to frames for `port` now (null: none). */
  configOf(port: string): ImpairConfig | null {
    return this.own.get(port) ?? this.fallback;
  }

  /** What each port's impairment did so far. */
  counters(port: string): Readonly<ImpairCounters> | null {
    return this.ports.get(port)?.counters ?? null;
  }

  /** Frames held for `port` now. */
  heldCount(port: string): number {
    return this.ports.get(port)?.held.length ?? 0;
  }

  /** One line per port that saw frames, e.g. "hub0→beta.nic0: 1000 frames, 12 lost (gilbert-elliott), mean delay 41.2 ms". */
  report(): string[] {
    const out: string[] = [];
    for (const p of this.ports.values()) {
      const c = p.counters;
      if (c.frames === 0) continue;
      const parts = [`${c.frames} frame${c.frames === 1 ? '' : 's'}`];
      if (c.lost > 0) parts.push(`${c.lost} lost (${p.lossModel})`);
      if (c.queueFull > 0) parts.push(`${c.queueFull} dropped (queue full)`);
      if (c.duplicated > 0) parts.push(`${c.duplicated} duplicated`);
      if (c.reordered > 0) parts.push(`${c.reordered} reordered`);
      if (c.corrupted > 0) parts.push(`${c.corrupted} corrupted`);
      if (c.left > 0) parts.push(`mean delay ${formatNs(c.delaySum / c.left)}`);
      if (p.held.length > 0) parts.push(`${p.held.length} still held`);
      out.push(`${this.medium.name}→${p.port}: ${parts.join(', ')}`);
    }
    return out;
  }

  private install(): void {
    if (this.installed) return;
    addDeliveryStage(this.medium, { rank: DeliveryRank.Impairments, filter: (f, port) => this.filter(f, port) });
    this.installed = true;
  }

  /**
   * Without an impairment a frame passes at once, overtaking frames still held from an earlier one: what netem
   * does after `tc qdisc change` to zero delay (its tfifo orders by send time, and the new frames' time is now).
   */
  private filter(frame: Frame, port: string): Frame | null {
    const cfg = this.configOf(port);
    return cfg ? this.portOf(port).arrive(frame, cfg) : frame;
  }

  private portOf(port: string): PortImpairment {
    let p = this.ports.get(port);
    if (!p) {
      p = new PortImpairment(this.ctx, this.medium, port);
      this.ports.set(port, p);
    }
    return p;
  }

  saveState(): ImpairmentsState {
    return {
      v: 1,
      fallback: this.fallback,
      own: [...this.own],
      ports: [...this.ports.values()].map((p) => ({
        port: p.port,
        counters: { ...p.counters },
        held: p.held.map((h) => ({ at: h.at, arrived: h.arrived, seq: h.seq, frame: saveFrame(h.frame) })),
        seq: p.seq,
        bad: p.bad,
        counter: p.counter,
        lastDelayRnd: p.lastDelayRnd,
        lossModel: p.lossModel,
        streams: [...p.streams].map(([a, r]) => [a, r.state()]),
      })),
    };
  }

  /** Restore the configurations, the held frames (their events rescheduled) and the streams' states. */
  loadState(saved: { v: number }): void {
    const s = readState<ImpairmentsState>(this.ctx.name, IMPAIRMENTS_STATE, saved);
    this.fallback = s.fallback;
    this.own.clear();
    for (const [port, cfg] of s.own) this.own.set(port, cfg);
    if (this.fallback || this.own.size > 0 || s.ports.length > 0) this.install();
    const restored = new Set<string>();
    for (const g of s.ports) {
      const p = this.portOf(g.port);
      restored.add(g.port);
      Object.assign(p.counters, g.counters);
      p.held = g.held.map((h) => ({ at: h.at, arrived: h.arrived, seq: h.seq, frame: loadFrame(h.frame) }));
      p.seq = g.seq;
      p.bad = g.bad;
      p.counter = g.counter;
      p.lastDelayRnd = g.lastDelayRnd;
      p.lossModel = g.lossModel;
      for (const [aspect, st] of g.streams) p.rng(aspect).setState(st);
      p.arm();
    }
    for (const p of this.ports.values()) {
      if (restored.has(p.port)) continue;
      p.held = [];
      p.arm();
    }
  }
}

function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}
