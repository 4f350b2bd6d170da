/**
 * One bridge (if_bridge.c struct bridge_softc and its ifnet `bridgeN`): the member list with per-member flags
 * (struct bridge_iflist), the address cache, the spanning-tree parameters brconfig sets and shows, the filter
 * flags, and the ifnet's init/stop (bridge_init arms bridge_timer, which ages the cache every
 * BRIDGE_RTABLE_PRUNE_PERIOD seconds; bridge_stop cancels it and flushes the learned entries).
 *
 * The bridge ifnet is IFT_BRIDGE: no link-level address, mtu ETHERMTU, no IFF_BROADCAST/MULTICAST, so `ifconfig
 * bridge0` shows `flags=41<UP,RUNNING> mtu 1500` and nothing else. bridge_start is never meant to run (NetBSD
 * prints "bridge_start() called"); frames the stack sends go out members through bridge_output.
 */
import type { Co } from '../../kernel/api';
import { IFF_RUNNING, newIfData, type Ifnet, type IfnetOps } from '../if';
import type { NicConfig, NicStats } from '../hw-nicinfo';
import type { Callout } from '../callout';
import type { NetStack } from '../stack';
import { BridgeRtable } from './rtable';
import { macToString } from '../wire/addr';
import { BridgeCost } from './costs';
import {
  BRIDGE_RTABLE_MAX, BRIDGE_RTABLE_PRUNE_PERIOD, BRIDGE_RTABLE_TIMEOUT, BSTP_DEFAULT_BRIDGE_PRIORITY, BSTP_DEFAULT_FORWARD_DELAY,
  BSTP_DEFAULT_HELLO_TIME, BSTP_DEFAULT_HOLD_TIME, BSTP_DEFAULT_MAX_AGE, BSTP_IFSTATE_BLOCKING, BSTP_IFSTATE_DISABLED, IFBIF_STP,
} from '../../include/net/if_bridgevar';

/** ETHERMTU: bridge_clone_create's if_mtu; a member must have the same (BRDGADD: EINVAL otherwise). */
export const ETHERMTU = 1500;

/** struct bridge_iflist: one member port. */
export interface BridgeIflist {
  readonly ifp: Ifnet;
  /** IFBIF_LEARNING | IFBIF_DISCOVER on BRDGADD. */
  flags: number;
  /** bif_priority (STP port priority, 0x80) and bif_path_cost (55). */
  priority: number;
  pathCost: number;
  /** bif_state: BSTP_IFSTATE_*; a port that does not run STP is never consulted for it. */
  state: number;
}

/** What the bridge counted besides its ifnet's if_data (trace reasons; not shown by brconfig). */
export interface BridgeStats {
  forwarded: number;
  flooded: number;
  dropped: number;
  /** bridgeintrq full: a learning request lost (IF_DROP). */
  rtqDrops: number;
}

/** time_uptime: whole seconds since boot (the node's virtual clock starts at boot). */
export function timeUptime(s: NetStack): number {
  return Math.floor(s.env.now() / 1e9);
}

/** The states in which a port running STP neither receives for forwarding nor sends (bridge_forward). */
export function stpInputBlocked(bif: BridgeIflist): boolean {
  return (bif.flags & IFBIF_STP) !== 0 && (bif.state === BSTP_IFSTATE_BLOCKING || bif.state === BSTP_IFSTATE_DISABLED || bif.state === 1 /* LISTENING */);
}

/** The states in which bridge_broadcast / bridge_forward do not send out a port running STP. */
export function stpOutputBlocked(bif: BridgeIflist): boolean {
  return (bif.flags & IFBIF_STP) !== 0 && (bif.state === BSTP_IFSTATE_BLOCKING || bif.state === BSTP_IFSTATE_DISABLED);
}

export class BridgeSoftc {
  readonly ifp: Ifnet;
  /** sc_iflist: BRDGADD inserts at the head (LIST_INSERT_HEAD), so the newest member is listed first. */
  readonly members: BridgeIflist[] = [];
  readonly rt = new BridgeRtable(BRIDGE_RTABLE_MAX, BRIDGE_RTABLE_TIMEOUT);
  /** sc_bridge_priority; hello, forward delay, max age and hold time in 1/256 s (BRDGGHT answers >> 8). */
  priority = BSTP_DEFAULT_BRIDGE_PRIORITY;
  helloTime = BSTP_DEFAULT_HELLO_TIME;
  forwardDelay = BSTP_DEFAULT_FORWARD_DELAY;
  maxAge = BSTP_DEFAULT_MAX_AGE;
  holdTime = BSTP_DEFAULT_HOLD_TIME;
  /** sc_filter_flags (IFBF_FILT_USEIPF: run the inet pfil hooks on bridged IPv4). */
  filterFlags = 0;
  readonly stats: BridgeStats = { forwarded: 0, flooded: 0, dropped: 0, rtqDrops: 0 };
  /** sc_brcallout: bridge_timer, armed while RUNNING. */
  private timer: Callout<() => void> | null = null;

  constructor(private readonly s: NetStack, name: string, unit: number) {
    const self = this;
    const ops: IfnetOps = {
      *init(): Co<number> {
        return self.init();
      },
      *start(ifp: Ifnet): Co<void> {
        // bridge_start: "should never be called in this implementation".
        self.s.env.log(`${ifp.name}: bridge_start() called`);
        ifp.snd.length = 0;
      },
      *stop(): Co<void> {
        self.stop();
      },
      config: (ifp) => self.config(ifp),
      stats: () => self.nicStats(),
    };
    this.ifp = {
      name, unit, driver: 'bridge', flags: 0, mtu: ETHERMTU, lladdr: new Uint8Array(0),
      media: { subtype: 'none', fullDuplex: false, linkUp: false }, snd: [], sndMax: 50, data: newIfData(), multicast: [], ops, softc: this,
    };
  }

  /** bridge_lookup_member_if. */
  member(ifp: Ifnet): BridgeIflist | undefined {
    return this.members.find((b) => b.ifp === ifp);
  }

  /** bridge_lookup_member (by name). */
  memberByName(name: string): BridgeIflist | undefined {
    return this.members.find((b) => b.ifp.name === name);
  }

  /** bridge_init: RUNNING, and bridge_timer every BRIDGE_RTABLE_PRUNE_PERIOD seconds. */
  init(): number {
    if ((this.ifp.flags & IFF_RUNNING) !== 0) return 0;
    this.armTimer();
    this.ifp.flags |= IFF_RUNNING;
    return 0;
  }

  /** bridge_stop: timer off, if_snd purged, learned addresses flushed, not RUNNING. */
  stop(): void {
    if ((this.ifp.flags & IFF_RUNNING) === 0) return;
    if (this.timer) this.s.callouts.cancel(this.timer);
    this.timer = null;
    this.ifp.snd.length = 0;
    this.rt.flush(false);
    this.ifp.flags &= ~IFF_RUNNING;
  }

  private armTimer(): void {
    this.timer = this.s.schedule(BRIDGE_RTABLE_PRUNE_PERIOD * 1e9, `${this.ifp.name}.bridge_timer`, () => this.bridgeTimer());
  }

  /** bridge_timer (stack context): an aging pass, then re-armed while the bridge runs. */
  private bridgeTimer(): void {
    this.timer = null;
    const env = this.s.env;
    const walked = this.rt.age(timeUptime(this.s), (brt) => {
      env.trace('bridge', 'expire', 0, { if: brt.ifp.name, bridge: this.ifp.name, mac: macToString(brt.addr) });
    });
    env.charge(walked * BridgeCost.agePerNode);
    if ((this.ifp.flags & IFF_RUNNING) !== 0) this.armTimer();
  }

  private config(ifp: Ifnet): NicConfig {
    return {
      description: 'Ethernet bridge', mac: ifp.lladdr.slice(), permanentMac: ifp.lladdr.slice(), mediaRateKbps: 0, fullDuplex: false,
      connector: 'unknown', mtu: ifp.mtu, irq: [], ioPorts: [], memWindows: [], promiscuous: false, multicast: false,
    };
  }

  private nicStats(): NicStats {
    const d = this.ifp.data;
    return {
      txOk: d.opackets, txBytes: d.obytes, rxOk: d.ipackets, rxBytes: d.ibytes, txSingleCollisions: 0, txMultiCollisions: 0,
      txExcessiveCollisions: 0, txDeferred: 0, txLateCollisions: 0, txCarrierLost: 0, txUnderruns: 0, rxCrcErrors: 0, rxAlignErrors: 0,
      rxMissed: 0, rxOverruns: 0, rxRunts: 0, txBroadcast: 0, txMulticast: d.omcasts, rxBroadcast: 0, rxMulticast: d.imcasts,
      txFailedAllocs: d.oerrors, rxFailedAllocs: 0,
    };
  }
}
