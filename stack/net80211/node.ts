/**
 * Nodes and node tables (ieee80211_node.h, ieee80211_node.c). A node is another station as we know it — the
 * AP we joined, a station associated to our AP, a BSS seen while scanning — with its addresses, channel,
 * rates, capabilities, sequence numbers, RSSI and inactivity counter. ic_sta holds stations (hostap) and
 * ic_scan scan candidates; both keep insertion order, which is the order wlanctl prints.
 *
 * Reference counting is not modelled: JavaScript keeps a node alive while a queued frame refers to it, and
 * a node removed from its table (node_reclaim) is simply no longer found.
 */
import type { Ieee80211Channel } from './rates';
import { RssAdapt } from './rssadapt';
import type { Ieee80211Key } from './key';

/** Inactivity timer granularity and reload values, in IEEE80211_INACT_WAIT-second ticks (ieee80211_node.h). */
export const IEEE80211_INACT_WAIT = 15;
export const IEEE80211_INACT_INIT = Math.floor(30 / IEEE80211_INACT_WAIT);
export const IEEE80211_INACT_AUTH = Math.floor(180 / IEEE80211_INACT_WAIT);
export const IEEE80211_INACT_RUN = Math.floor(300 / IEEE80211_INACT_WAIT);
export const IEEE80211_INACT_PROBE = Math.floor(30 / IEEE80211_INACT_WAIT);
export const IEEE80211_INACT_SCAN = Math.floor(300 / IEEE80211_INACT_WAIT);
/** Management frame response timeout, seconds (IEEE80211_TRANS_WAIT). */
export const IEEE80211_TRANS_WAIT = 5;

/** ni_flags. */
export const IEEE80211_NODE_AUTH = 0x0001;
export const IEEE80211_NODE_QOS = 0x0002;
export const IEEE80211_NODE_ERP = 0x0004;
export const IEEE80211_NODE_PWR_MGT = 0x0010;
/** The AP holds a reference for an authenticated station (IEEE80211_NODE_AREF). */
export const IEEE80211_NODE_AREF = 0x0020;

/** Authentication modes (enum ieee80211_authmode). */
export const IEEE80211_AUTH_NONE = 0;
export const IEEE80211_AUTH_OPEN = 1;
export const IEEE80211_AUTH_SHARED = 2;
export const IEEE80211_AUTH_8021X = 3;
export const IEEE80211_AUTH_AUTO = 4;

/** Largest AID handed out by default (IEEE80211_AID_DEF) and by the standard (§7.3.1.8). */
export const IEEE80211_AID_DEF = 128;
export const IEEE80211_AID_MAX = 2007;
export function IEEE80211_AID(b: number): number {
  return b & ~0xc000;
}

/** Per-node statistics (struct ieee80211_nodestats, the counters this layer keeps). */
export interface NodeStats {
  rx_data: number; rx_mgmt: number; rx_beacons: number; rx_proberesp: number; rx_dup: number; rx_bytes: number;
  rx_unauth: number; rx_deauth: number; rx_disassoc: number;
  tx_data: number; tx_mgmt: number; tx_bytes: number; tx_probereq: number; tx_auth: number; tx_auth_fail: number;
  tx_assoc: number; tx_assoc_fail: number; tx_deauth: number; tx_deauth_code: number; tx_disassoc: number; tx_disassoc_code: number;
}

function newNodeStats(): NodeStats {
  return {
    rx_data: 0, rx_mgmt: 0, rx_beacons: 0, rx_proberesp: 0, rx_dup: 0, rx_bytes: 0, rx_unauth: 0, rx_deauth: 0, rx_disassoc: 0,
    tx_data: 0, tx_mgmt: 0, tx_bytes: 0, tx_probereq: 0, tx_auth: 0, tx_auth_fail: 0, tx_assoc: 0, tx_assoc_fail: 0,
    tx_deauth: 0, tx_deauth_code: 0, tx_disassoc: 0, tx_disassoc_code: 0,
  };
}

/** Sequence-number slots: 0 for non-QoS frames, 1 + TID for QoS (IEEE80211_TID_SIZE + 1). */
export const IEEE80211_TID_SIZE = 16;

export class Ieee80211Node {
  readonly macaddr: Uint8Array;
  bssid = new Uint8Array(6);
  essid = new Uint8Array(0);
  chan: Ieee80211Channel;
  /** Rate set, sorted, with basic-rate bits (ni_rates). */
  rates: number[] = [];
  /** Index into `rates` of the current transmit rate (ni_txrate). */
  txrate = 0;
  capinfo = 0;
  /** Beacon interval (TU) of a BSS; listen interval of an associated station. */
  intval = 0;
  /** TSF of the last beacon or probe response, µs. */
  tstamp = 0n;
  erp = 0;
  /** AID with the two top bits set, 0 when not associated (ni_associd). */
  associd = 0;
  rssi = 0;
  rstamp = 0;
  /** Next sequence number to send, per slot (ni_txseqs). */
  readonly txseqs: number[] = new Array<number>(IEEE80211_TID_SIZE + 1).fill(0);
  /** Last sequence control received, per slot; -1 = nothing yet (ni_rxseqs). */
  readonly rxseqs: number[] = new Array<number>(IEEE80211_TID_SIZE + 1).fill(-1);
  /** Inactivity ticks left, and the reload value (ni_inact, ni_inact_reload). */
  inact = IEEE80211_INACT_INIT;
  inactReload = IEEE80211_INACT_INIT;
  /** Association failures against this BSS (ni_fails). */
  fails = 0;
  flags = 0;
  authmode = IEEE80211_AUTH_OPEN;
  /** The table holding the node, or null for a temporary node (ieee80211_tmp_node). */
  table: NodeTable | null = null;
  /** Generation of the last inactivity pass that handled it (ni_scangen). */
  scangen = 0;
  dtimPeriod = 0;
  dtimCount = 0;
  /** Virtual time the node was last heard from (for the beacon-miss timer and traces). */
  lastRx = 0;
  readonly rssadapt = new RssAdapt();
  readonly stats: NodeStats = newNodeStats();
  /** Pairwise key (ni_ucastkey); null = none installed. */
  ucastKey: Ieee80211Key | null = null;
  /** The WPA (vendor) and RSN IEs the node sent (assoc request on an AP; beacon/probe response in the scan table). */
  wpaIe: Uint8Array | null = null;
  rsnIe: Uint8Array | null = null;

  constructor(macaddr: Uint8Array, chan: Ieee80211Channel) {
    this.macaddr = macaddr.slice(0, 6);
    this.chan = chan;
  }

  /** ieee80211_node_is_authorized. */
  get authorized(): boolean {
    return (this.flags & IEEE80211_NODE_AUTH) !== 0;
  }
}

function macKey(m: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (m[i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

/** struct ieee80211_node_table: nodes by MAC address in insertion order, an inactivity timer and a scan generation. */
export class NodeTable {
  private readonly nodes = new Map<string, Ieee80211Node>();
  /** Seconds until the next inactivity pass; 0 = off (nt_inact_timer). */
  inactTimer = 0;
  /** Initial inactivity reload for new nodes (nt_inact_init). */
  inactInit: number;
  scangen = 0;

  constructor(public name: string, inactInit: number) {
    this.inactInit = inactInit;
  }

  find(mac: Uint8Array): Ieee80211Node | undefined {
    return this.nodes.get(macKey(mac));
  }

  /** ieee80211_setup_node: add `ni` (replacing any node with the same address). */
  add(ni: Ieee80211Node): Ieee80211Node {
    ni.table = this;
    ni.inact = ni.inactReload = this.inactInit;
    this.nodes.set(macKey(ni.macaddr), ni);
    return ni;
  }

  /** node_reclaim: remove from the table. */
  remove(ni: Ieee80211Node): void {
    if (this.nodes.get(macKey(ni.macaddr)) === ni) this.nodes.delete(macKey(ni.macaddr));
    if (ni.table === this) ni.table = null;
  }

  /** ieee80211_node_table_reset / free_allnodes. */
  reset(): void {
    for (const ni of this.nodes.values()) ni.table = null;
    this.nodes.clear();
  }

  /** Nodes in insertion order (a copy, so callers may remove while iterating). */
  list(): Ieee80211Node[] {
    return [...this.nodes.values()];
  }

  get size(): number {
    return this.nodes.size;
  }
}
