/**
 * The state table (pf.c pf_insert_state, pf_find_state, pf_state_expires, pf_purge_expired_states): each state
 * keyed twice, by lan→ext (tree_lan_ext, what an outbound packet of the flow looks up) and by ext→gwy
 * (tree_ext_gwy, inbound), with lan/gwy/ext as pf of this generation keeps them (gwy ≠ lan when translated).
 * States float (state-policy floating, the default): the key has no interface. Expiry is the last packet's
 * time plus the state's current timeout (per rule, else the defaults), scaled down adaptively once the table
 * holds more than adaptive.start states (pf_state_expires). The purge timeout (pf_purge_timeout) runs every
 * `interval` seconds and removes every expired state (pf_purge_expired_states walks the whole table).
 */
import type { PfTimeoutName } from '../../include/net/pfvar';
import type { KRule } from './rule';
import { ruleTimeout } from './rule';

/** pf's TCP peer states (TCPS_* from netinet/tcp_fsm.h) and the names pfctl prints. */
export const TCPS = {
  CLOSED: 0, LISTEN: 1, SYN_SENT: 2, SYN_RECEIVED: 3, ESTABLISHED: 4, CLOSE_WAIT: 5, FIN_WAIT_1: 6, CLOSING: 7,
  LAST_ACK: 8, FIN_WAIT_2: 9, TIME_WAIT: 10,
} as const;
export const TCP_STATE_NAMES = [
  'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1', 'CLOSING', 'LAST_ACK',
  'FIN_WAIT_2', 'TIME_WAIT',
];
/** PFUDPS_* / PFOTHERS_* (pfvar.h): NO_TRAFFIC, SINGLE, MULTIPLE. */
export const PFUDPS_NO_TRAFFIC = 0;
export const PFUDPS_SINGLE = 1;
export const PFUDPS_MULTIPLE = 2;
export const UDP_STATE_NAMES = ['NO_TRAFFIC', 'SINGLE', 'MULTIPLE'];

/** PFSTATE_ADAPT_START / END (pfvar.h): adaptive timeouts begin scaling at 6000 states, reach zero at 12000. */
export const PFSTATE_ADAPT_START = 6000;
export const PFSTATE_ADAPT_END = 12000;

export interface PfHost {
  addr: number;
  port: number;
}

/** One side's tracking (struct pf_state_peer): sequence bounds as pf records them, and its TCP/UDP state. */
export interface PfPeer {
  seqlo: number;
  seqhi: number;
  maxWin: number;
  /** The window scale it announced (PF_WSCALE_FLAG | shift), 0 if none (tcp-track.ts). */
  wscale: number;
  state: number;
}

export interface PfState {
  readonly id: number;
  readonly proto: number;
  /** PF_IN / PF_OUT: the direction of the packet that created it. */
  readonly direction: 'in' | 'out';
  /** The interface the state is bound to: "self" (pfi_self) for floating states, the only policy modelled. */
  readonly ifname: string;
  readonly lan: PfHost;
  readonly gwy: PfHost;
  readonly ext: PfHost;
  readonly src: PfPeer;
  readonly dst: PfPeer;
  readonly rule: KRule | null;
  readonly natRule: KRule | null;
  /** r->log & PF_LOG_ALL: every packet of the state is logged. */
  readonly logAll: boolean;
  /** The rule's number at creation (for DIOCGETSTATES). */
  readonly ruleNr: number;
  /** time_second (whole virtual seconds) at creation and at the last packet (pf's `creation` and `expire`). */
  readonly creation: number;
  expire: number;
  timeout: PfTimeoutName | 'purge';
  packets: [number, number];
  bytes: [number, number];
}

function hostKey(h: PfHost): string {
  return `${h.addr}:${h.port}`;
}

export function lanExtKey(proto: number, lan: PfHost, ext: PfHost): string {
  return `${proto}|${hostKey(lan)}|${hostKey(ext)}`;
}
export function extGwyKey(proto: number, ext: PfHost, gwy: PfHost): string {
  return `${proto}|${hostKey(ext)}|${hostKey(gwy)}`;
}

/** STATE_TRANSLATE: the state rewrites addresses or ports (lan ≠ gwy). */
export function stateTranslates(s: PfState): boolean {
  return s.lan.addr !== s.gwy.addr || s.lan.port !== s.gwy.port;
}

export class StateTable {
  readonly lanExt = new Map<string, PfState>();
  readonly extGwy = new Map<string, PfState>();
  /** Insertion order (pf's state_list), what the purge walks. */
  private list: PfState[] = [];
  private nextId = 1;
  readonly fcounters = { searches: 0, inserts: 0, removals: 0 };

  constructor(private readonly hostid: number) {}

  get count(): number {
    return this.lanExt.size;
  }

  all(): readonly PfState[] {
    return this.list;
  }

  newId(): number {
    return this.nextId++;
  }

  /** pf_find_state: PF_IN looks in tree_ext_gwy, PF_OUT in tree_lan_ext. */
  find(dir: 'in' | 'out', key: string): PfState | undefined {
    this.fcounters.searches++;
    const s = dir === 'in' ? this.extGwy.get(key) : this.lanExt.get(key);
    return s && s.timeout !== 'purge' ? s : undefined;
  }

  /** pf_find_state_all(PF_EXT_GWY) as pf_get_sport asks it: is this ext/gwy pair taken? */
  extGwyTaken(key: string): boolean {
    this.fcounters.searches++;
    return this.extGwy.has(key);
  }

  /** pf_insert_state: false when either key collides (PFRES_STATEINS). */
  insert(s: PfState): boolean {
    const k1 = lanExtKey(s.proto, s.lan, s.ext);
    const k2 = extGwyKey(s.proto, s.ext, s.gwy);
    if (this.lanExt.has(k1) || this.extGwy.has(k2)) return false;
    this.lanExt.set(k1, s);
    this.extGwy.set(k2, s);
    this.list.push(s);
    this.fcounters.inserts++;
    if (s.rule) s.rule.states++;
    if (s.natRule) s.natRule.states++;
    return true;
  }

  /** pf_unlink_state + pf_free_state. */
  remove(s: PfState): void {
    const k1 = lanExtKey(s.proto, s.lan, s.ext);
    const k2 = extGwyKey(s.proto, s.ext, s.gwy);
    if (this.lanExt.get(k1) !== s) return;
    this.lanExt.delete(k1);
    this.extGwy.delete(k2);
    const i = this.list.indexOf(s);
    if (i >= 0) {
      this.list.splice(i, 1);
    }
    s.timeout = 'purge';
    this.fcounters.removals++;
    if (s.rule) s.rule.states--;
    if (s.natRule) s.natRule.states--;
  }

  /** pf_state_expires: the time_second at which the state expires (`now` is time_second). */
  expires(s: PfState, defaults: Readonly<Record<PfTimeoutName, number>>, now: number): number {
    if (s.timeout === 'purge') return now;
    const timeout = ruleTimeout(s.rule, s.timeout, defaults);
    const states = this.count;
    if (states > PFSTATE_ADAPT_START) {
      if (states >= PFSTATE_ADAPT_END) return now;
      return s.expire + Math.floor((timeout * (PFSTATE_ADAPT_END - states)) / (PFSTATE_ADAPT_END - PFSTATE_ADAPT_START));
    }
    return s.expire + timeout;
  }

  /** pf_purge_expired_states at time_second `now`: every expired state goes; returns how many were looked at. */
  purge(defaults: Readonly<Record<PfTimeoutName, number>>, now: number): { checked: number; removed: PfState[] } {
    const checked = this.list.length;
    const removed = this.list.filter((s) => this.expires(s, defaults, now) <= now);
    for (const s of removed) this.remove(s);
    return { checked, removed };
  }

  /** Every state goes (DIOCCLRSTATES, pf disabled with states flushed). */
  removeIf(pred: (s: PfState) => boolean): number {
    const victims = this.list.filter(pred);
    for (const s of victims) this.remove(s);
    return victims.length;
  }

  get hostId(): number {
    return this.hostid;
  }
}
