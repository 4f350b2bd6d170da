/**
 * The state and the 802.1D-1998 decisions of the bridge's spanning tree (bridgestp.c): the per-port and per-bridge
 * records (the STP halves of struct bridge_iflist and bridge_softc), bridge_timer and its tick arithmetic, and the
 * comparisons that pick the root, the root port and the designated ports (bstp_supersedes_port_info,
 * bstp_root_selection, bstp_designated_port_selection, bstp_become_designated_port). stp.ts adds BPDU input and
 * output, port state changes and the timers' expiry.
 */
import type { Callout } from '../callout';
import type { BridgeCtx } from './forward';
import type { BridgeIflist, BridgeSoftc } from './softc';
import type { BstpConfigUnit } from './stp-wire';
import { BSTP_IFSTATE_DISABLED, IFBIF_STP } from '../../include/net/if_bridgevar';

export const BSTP_MESSAGE_AGE_INCR = 256;
export const BSTP_TICK_VAL = 256;
export const STATE_NAMES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

/** struct bridge_timer. */
export interface Timer { active: boolean; value: number }
export const timer = (): Timer => ({ active: false, value: 0 });
export const start = (t: Timer, v: number) => { t.value = v; t.active = true; };
export const stop = (t: Timer) => { t.value = 0; t.active = false; };
/** bstp_timer_expired: one tick; true (and stopped) once the value reaches `limit`. */
export function expired(t: Timer, limit: number): boolean {
  if (!t.active) return false;
  t.value += BSTP_TICK_VAL;
  if (t.value >= limit) {
    stop(t);
    return true;
  }
  return false;
}

/** The STP half of struct bridge_iflist. */
export interface Port {
  designatedRoot: bigint;
  designatedBridge: bigint;
  designatedCost: number;
  designatedPort: number;
  portId: number;
  hold: Timer;
  messageAge: Timer;
  forwardDelay: Timer;
  tcAck: boolean;
  configPending: boolean;
  changeDetection: boolean;
}

/** The STP half of struct bridge_softc. */
export interface Tree {
  designatedRoot: bigint;
  bridgeId: bigint;
  rootPort: BridgeIflist | null;
  rootPathCost: number;
  maxAge: number;
  helloTime: number;
  forwardDelay: number;
  tcDetected: boolean;
  tc: boolean;
  hello: Timer;
  tcTimer: Timer;
  tcn: Timer;
  tick: Callout<() => void> | null;
}

/** The records and the decisions; BridgeStp (stp.ts) drives them. */
export class StpDecisions {
  protected readonly ports = new WeakMap<BridgeIflist, Port>();
  protected readonly trees = new WeakMap<BridgeSoftc, Tree>();

  constructor(protected readonly br: BridgeCtx) {}

  protected port(bif: BridgeIflist): Port {
    let p = this.ports.get(bif);
    if (!p) {
      p = { designatedRoot: 0n, designatedBridge: 0n, designatedCost: 0, designatedPort: 0, portId: 0, hold: timer(), messageAge: timer(), forwardDelay: timer(), tcAck: false, configPending: false, changeDetection: true };
      this.ports.set(bif, p);
    }
    return p;
  }

  protected tree(sc: BridgeSoftc): Tree {
    let t = this.trees.get(sc);
    if (!t) {
      t = { designatedRoot: 0n, bridgeId: 0n, rootPort: null, rootPathCost: 0, maxAge: 0, helloTime: 0, forwardDelay: 0, tcDetected: false, tc: false, hello: timer(), tcTimer: timer(), tcn: timer(), tick: null };
      this.trees.set(sc, t);
    }
    return t;
  }

  protected stpPorts(sc: BridgeSoftc): BridgeIflist[] {
    return sc.members.filter((b) => (b.flags & IFBIF_STP) !== 0);
  }

  /** Root bridge id, own id, root port name and path cost (tests, the debugger). */
  info(sc: BridgeSoftc): { root: bigint; id: bigint; rootPort: string | null; cost: number } {
    const t = this.tree(sc);
    return { root: t.designatedRoot, id: t.bridgeId, rootPort: t.rootPort?.ifp.name ?? null, cost: t.rootPathCost };
  }

  protected isRoot(t: Tree): boolean {
    return t.designatedRoot === t.bridgeId;
  }

  protected isDesignated(t: Tree, p: Port): boolean {
    return p.designatedBridge === t.bridgeId && p.designatedPort === p.portId;
  }

  protected setState(sc: BridgeSoftc, bif: BridgeIflist, state: number): void {
    if (bif.state === state) return;
    bif.state = state;
    this.br.trace('stp', 0, { if: bif.ifp.name, bridge: sc.ifp.name, state: STATE_NAMES[state]! });
  }

  // ---- the 802.1D decisions ------------------------------------------------------------------------------------

  protected supersedes(t: Tree, p: Port, cu: BstpConfigUnit): boolean {
    if (cu.rootId !== p.designatedRoot) return cu.rootId < p.designatedRoot;
    if (cu.rootPathCost !== p.designatedCost) return cu.rootPathCost < p.designatedCost;
    if (cu.bridgeId !== p.designatedBridge) return cu.bridgeId < p.designatedBridge;
    if (t.bridgeId !== cu.bridgeId) return true;
    return cu.portId <= p.designatedPort;
  }

  protected rootSelection(sc: BridgeSoftc): void {
    const t = this.tree(sc);
    let root: BridgeIflist | null = null;
    for (const bif of this.stpPorts(sc)) {
      const p = this.port(bif);
      if (this.isDesignated(t, p) || bif.state === BSTP_IFSTATE_DISABLED || p.designatedRoot >= t.bridgeId) continue;
      if (root && !this.betterRootPort(bif, root)) continue;
      root = bif;
    }
    t.rootPort = root;
    if (!root) {
      t.designatedRoot = t.bridgeId;
      t.rootPathCost = 0;
    } else {
      const rp = this.port(root);
      t.designatedRoot = rp.designatedRoot;
      t.rootPathCost = rp.designatedCost + root.pathCost;
    }
  }

  protected betterRootPort(a: BridgeIflist, b: BridgeIflist): boolean {
    const pa = this.port(a);
    const pb = this.port(b);
    if (pa.designatedRoot !== pb.designatedRoot) return pa.designatedRoot < pb.designatedRoot;
    const ca = pa.designatedCost + a.pathCost;
    const cb = pb.designatedCost + b.pathCost;
    if (ca !== cb) return ca < cb;
    if (pa.designatedBridge !== pb.designatedBridge) return pa.designatedBridge < pb.designatedBridge;
    if (pa.designatedPort !== pb.designatedPort) return pa.designatedPort < pb.designatedPort;
    return pa.portId < pb.portId;
  }

  protected designatedPortSelection(sc: BridgeSoftc): void {
    const t = this.tree(sc);
    for (const bif of this.stpPorts(sc)) {
      const p = this.port(bif);
      let designated = this.isDesignated(t, p) || p.designatedRoot !== t.designatedRoot;
      if (!designated) {
        if (t.rootPathCost !== p.designatedCost) designated = t.rootPathCost < p.designatedCost;
        else if (t.bridgeId !== p.designatedBridge) designated = t.bridgeId < p.designatedBridge;
        else designated = p.portId <= p.designatedPort;
      }
      if (designated) this.becomeDesignated(t, p);
    }
  }

  protected becomeDesignated(t: Tree, p: Port): void {
    p.designatedRoot = t.designatedRoot;
    p.designatedCost = t.rootPathCost;
    p.designatedBridge = t.bridgeId;
    p.designatedPort = p.portId;
  }

  protected configurationUpdate(sc: BridgeSoftc): void {
    this.rootSelection(sc);
    this.designatedPortSelection(sc);
  }
}
