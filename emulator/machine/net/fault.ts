/**
 * Fault injection on a medium (hub, cable, switch): link down/up per port or for the whole link, and frame
 * loss or corruption with a probability. Loss and corruption act where a frame is handed to a station's port
 * (the medium's `deliveryFilter`), so taps and pcaps still show the frame as it was sent, and a receiver sees
 * a lost frame not at all and a corrupted one with a bad FCS (its MAC counts a CRC error). On a switch that
 * is the switch-to-station side; frames into the switch are untouched.
 *
 * Each loss/corruption injector draws from its own seeded stream, and only for frames it applies to, so
 * adding a fault never changes another's draws. Records: layer "fault", probes loss/corrupt/down/up.
 */
import type { ComponentContext } from '../sim/context';
import type { Rng } from '../sim/rng';
import { readState, stateVersions } from '../sim/snapshot';
import { Cable } from './cable';
import { addDeliveryStage, DeliveryRank } from './delivery-chain';
import { Hub } from './hub';
import type { Frame, Medium } from './link';
import { Switch } from './switch';

export type FaultableMedium = Hub | Cable | Switch;

export function isFaultable(m: Medium): m is FaultableMedium {
  return m instanceof Hub || m instanceof Cable || m instanceof Switch;
}

/** One loss or corruption injector; toggle `active` to start and stop it. */
export interface FrameFault {
  readonly id: string;
  readonly kind: 'loss' | 'corrupt';
  /** Ports it applies to; null: every port of the medium. */
  readonly ports: ReadonlySet<string> | null;
  readonly probability: number;
  active: boolean;
  /** Frames it lost or corrupted so far. */
  hits: number;
}

interface FaultState extends FrameFault {
  readonly rng: Rng;
}

export interface LinkFaultsState {
  v: 1;
  /** Per injector, in the order they were added: whether it is on, its hits, its random stream. */
  faults: { id: string; active: boolean; hits: number; rng: [number, number, number, number] }[];
  /** Down windows in force per port ('*': the whole link). The medium's own snapshot has the link states. */
  down: [string, number][];
}

export const LINK_FAULTS_STATE = stateVersions('link faults', 1);

/**
 * All faults of one medium. Installs itself in the medium's delivery chain (delivery-chain.ts: first, before
 * impairments) on the first loss/corruption fault; link state changes are reference-counted per port so
 * overlapping down windows compose.
 */
export class LinkFaults {
  private readonly faults: FaultState[] = [];
  private readonly downCount = new Map<string, number>();
  private installed = false;
  /** The medium's station ports the caller told us about (what a whole-link down takes down). */
  readonly knownPorts = new Set<string>();

  constructor(private readonly ctx: ComponentContext, readonly medium: FaultableMedium) {}

  /** Add a loss or corruption injector (inactive until `active` is set). `id` names its random stream. */
  addFrameFault(id: string, kind: 'loss' | 'corrupt', ports: readonly string[] | null, probability: number): FrameFault {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`${this.ctx.name}: probability ${probability} not in [0, 1]`);
    const f: FaultState = {
      id,
      kind,
      ports: ports ? new Set(ports) : null,
      probability,
      active: false,
      hits: 0,
      rng: this.ctx.rngs.stream(`${this.ctx.name}.${id}`),
    };
    this.faults.push(f);
    if (!this.installed) {
      // First in the medium's delivery chain: before any impairment (delivery-chain.ts).
      addDeliveryStage(this.medium, { rank: DeliveryRank.Faults, filter: (frame, port) => this.filter(frame, port) });
      this.installed = true;
    }
    return f;
  }

  /** Take ports down (null: the whole link). A cable has one link state: any port takes all of it. */
  down(ports: readonly string[] | null, why: string): void {
    this.change(ports, +1, why);
  }

  /** Undo one down() for the same ports. */
  up(ports: readonly string[] | null, why: string): void {
    this.change(ports, -1, why);
  }

  private change(ports: readonly string[] | null, delta: number, why: string): void {
    const m = this.medium;
    const keys = m instanceof Cable || ports === null ? ['*'] : ports;
    for (const k of keys) {
      const before = this.downCount.get(k) ?? 0;
      const after = Math.max(0, before + delta);
      this.downCount.set(k, after);
      if ((before === 0) === (after === 0)) continue;
      const up = after === 0;
      this.ctx.tracer.emit(this.ctx.node, 'fault', up ? 'up' : 'down', 0, { link: m.name, port: k, why });
      if (m instanceof Cable) m.setLinkUp(up);
      else if (k === '*') for (const p of this.knownPorts) this.setPort(p, up);
      else this.setPort(k, up);
    }
  }

  /** A port is up when neither it nor the whole link is held down. */
  private setPort(port: string, wanted: boolean): void {
    const m = this.medium as Hub | Switch;
    const held = (this.downCount.get(port) ?? 0) > 0 || (this.downCount.get('*') ?? 0) > 0;
    m.setLinkUp(port, wanted && !held);
  }

  saveState(): LinkFaultsState {
    return {
      v: 1,
      faults: this.faults.map((f) => ({ id: f.id, active: f.active, hits: f.hits, rng: f.rng.state() })),
      down: [...this.downCount],
    };
  }

  /** Restore into injectors built the same way (same ids, same order). */
  loadState(saved: { v: number }): void {
    const s = readState<LinkFaultsState>(this.ctx.name, LINK_FAULTS_STATE, saved);
    const ids = this.faults.map((f) => f.id);
    if (s.faults.map((f) => f.id).join() !== ids.join()) {
      throw new Error(`${this.ctx.name}: the snapshot's faults are [${s.faults.map((f) => f.id).join(', ')}], these are [${ids.join(', ')}]`);
    }
    s.faults.forEach((g, i) => {
      const f = this.faults[i]!;
      f.active = g.active;
      f.hits = g.hits;
      f.rng.setState(g.rng);
    });
    this.downCount.clear();
    for (const [k, n] of s.down) this.downCount.set(k, n);
  }

  private filter(frame: Frame, port: string): Frame | null {
    let out = frame;
    for (const f of this.faults) {
      if (!f.active || (f.ports && !f.ports.has(port))) continue;
      if (!f.rng.chance(f.probability)) continue;
      f.hits++;
      this.ctx.tracer.emit(this.ctx.node, 'fault', f.kind, frame.pktId, { link: this.medium.name, port, fault: f.id });
      if (f.kind === 'loss') return null;
      out = { ...out, badFcs: true };
    }
    return out;
  }
}
