/**
 * The bridge's address cache (if_bridge.c bridge_rtable: bridge_rtupdate, bridge_rtlookup, bridge_rttrim,
 * bridge_rtage, bridge_rtflush, bridge_rtdaddr, bridge_rtdelete, bridge_rtnode_insert/destroy). Times are
 * time_uptime seconds. The list keeps if_bridge's order: bridge_rtnode_insert puts a new node at the head of
 * sc_rtlist, so brconfig shows the newest address first. The hash table itself is only a lookup structure and is
 * a Map here (keyed by the 48-bit address).
 *
 * QNX detail kept (if_bridge.c r1.97, under __QNXNTO__): a dynamic entry seen again has its expiry pushed to
 * time_uptime + timeout. QNX's per-thread copies of the table are not modelled separately: a receiving thread
 * refreshes its private copy at the top of every bridge_input, so its lookups see the master table.
 */
import type { Ifnet } from '../if';
import { Errno } from '../../kernel/api';
import { IFBAF_DYNAMIC, IFBAF_STATIC, IFBAF_TYPEMASK } from '../../include/net/if_bridgevar';

/** struct bridge_rtnode. */
export interface BridgeRtnode {
  readonly addr: Uint8Array;
  ifp: Ifnet;
  /** time_uptime (s) at which a dynamic entry expires; 0 for a static one. */
  expire: number;
  flags: number;
}

export function macKey(a: Uint8Array): number {
  return (a[0]! * 2 ** 40) + (a[1]! * 2 ** 32) + (((a[2]! << 24) | (a[3]! << 16) | (a[4]! << 8) | a[5]!) >>> 0);
}

export class BridgeRtable {
  /** sc_rtlist, newest first. */
  readonly list: BridgeRtnode[] = [];
  private readonly hash = new Map<number, BridgeRtnode>();
  /** sc_brtmax (BRDGSCACHE), sc_brttimeout (BRDGSTO, s). */
  max: number;
  timeout: number;

  constructor(max: number, timeout: number) {
    this.max = max;
    this.timeout = timeout;
  }

  /** sc_brtcnt. */
  get count(): number {
    return this.list.length;
  }

  /** bridge_rtnode_lookup. */
  lookupNode(addr: Uint8Array): BridgeRtnode | undefined {
    return this.hash.get(macKey(addr));
  }

  /** bridge_rtlookup: the member an address was learned on (or set static on). */
  lookup(addr: Uint8Array): Ifnet | null {
    return this.lookupNode(addr)?.ifp ?? null;
  }

  /**
   * bridge_rtupdate: add or update an entry. `setflags` (BRDGSADDR) sets the flags and restarts the expiry (none
   * for a static entry); learning (setflags false) moves the entry to `ifp` and, for a dynamic one, pushes the
   * expiry. A new entry when the cache holds `max` already: ENOSPC.
   */
  update(addr: Uint8Array, ifp: Ifnet, setflags: boolean, flags: number, uptime: number): number {
    let brt = this.lookupNode(addr);
    if (!brt) {
      if (this.count >= this.max) return Errno.ENOSPC;
      brt = { addr: addr.slice(0, 6), ifp, expire: uptime + this.timeout, flags: IFBAF_DYNAMIC };
      this.hash.set(macKey(brt.addr), brt);
      this.list.unshift(brt);
    }
    brt.ifp = ifp;
    if (setflags) {
      brt.flags = flags;
      brt.expire = (flags & IFBAF_STATIC) !== 0 ? 0 : uptime + this.timeout;
    } else if ((brt.flags & IFBAF_TYPEMASK) === IFBAF_DYNAMIC) {
      brt.expire = uptime + this.timeout;
    }
    return 0;
  }

  /** bridge_rtnode_destroy. */
  destroy(brt: BridgeRtnode): void {
    this.hash.delete(macKey(brt.addr));
    const i = this.list.indexOf(brt);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** bridge_rtage: drop dynamic entries whose time has come. Returns the nodes walked (for the CPU charge). */
  age(uptime: number, onExpire?: (brt: BridgeRtnode) => void): number {
    const walked = this.list.length;
    for (const brt of this.list.slice()) {
      if ((brt.flags & IFBAF_TYPEMASK) === IFBAF_DYNAMIC && uptime >= brt.expire) {
        this.destroy(brt);
        onExpire?.(brt);
      }
    }
    return walked;
  }

  /** bridge_rttrim: after an aging pass, drop dynamic entries from the head (newest first) until count <= max. */
  trim(uptime: number): void {
    if (this.count <= this.max) return;
    this.age(uptime);
    for (const brt of this.list.slice()) {
      if (this.count <= this.max) return;
      if ((brt.flags & IFBAF_TYPEMASK) === IFBAF_DYNAMIC) this.destroy(brt);
    }
  }

  /** bridge_rtflush: dynamic entries, or all of them (`full`). */
  flush(full: boolean): void {
    for (const brt of this.list.slice()) if (full || (brt.flags & IFBAF_TYPEMASK) === IFBAF_DYNAMIC) this.destroy(brt);
  }

  /** bridge_rtdaddr: ENOENT when the address is not cached. */
  daddr(addr: Uint8Array): number {
    const brt = this.lookupNode(addr);
    if (!brt) return Errno.ENOENT;
    this.destroy(brt);
    return 0;
  }

  /** bridge_rtdelete: every entry pointing at a member that leaves. */
  deleteIfp(ifp: Ifnet): void {
    for (const brt of this.list.slice()) if (brt.ifp === ifp) this.destroy(brt);
  }
}
