/**
 * IPv6 interface addresses (netinet6/in6.c, in6_ifattach.c): per-interface address lists with prefix length,
 * flags (IN6_IFF_*) and lifetimes (RFC 4862 §5.5.4: valid and preferred, 0xffffffff = infinity), the
 * link-local address from the modified EUI-64 (RFC 4291 Appendix A, RFC 4862 §5.3), the multicast groups
 * each interface belongs to (all-nodes, one solicited-node group per address; RFC 4291 §2.8; MLD told of
 * each first join and last leave, mld6.ts), and the
 * timer that deprecates and removes addresses whose lifetimes run out.
 */
import { IFF_LOOPBACK, IFF_MULTICAST, type Ifnet } from '../if';
import type { NetStack } from '../stack';
import {
  IN6ADDR_LINKLOCAL_ALLNODES, IN6ADDR_LINKLOCAL_ALLROUTERS, IN6ADDR_LOOPBACK, eui64FromMac, ipv6Equals, ipv6FromPrefixIid,
  ipv6IsLinkLocal, ipv6MulticastMac, ipv6SolicitedNode, ipv6ToString, type Ipv6Addr,
} from '../wire/addr6';
import type { Callout } from '../callout';

import {
  IN6_IFF_ANYCAST, IN6_IFF_AUTOCONF, IN6_IFF_DEPRECATED, IN6_IFF_DETACHED, IN6_IFF_DUPLICATED, IN6_IFF_NODAD, IN6_IFF_NOTREADY,
  IN6_IFF_TENTATIVE, ND6_INFINITE_LIFETIME,
} from '../../include/netinet6/in6_var';

/** ia6_flags and ND6_INFINITE_LIFETIME live in <netinet6/in6_var.h> (stack/include/netinet6). */
export {
  IN6_IFF_ANYCAST, IN6_IFF_AUTOCONF, IN6_IFF_DEPRECATED, IN6_IFF_DETACHED, IN6_IFF_DUPLICATED, IN6_IFF_NODAD, IN6_IFF_NOTREADY,
  IN6_IFF_TENTATIVE, ND6_INFINITE_LIFETIME,
};
const NS_PER_S = 1_000_000_000;

/** One IPv6 address of an interface (struct in6_ifaddr). */
export interface In6Ifaddr {
  readonly ifp: Ifnet;
  readonly addr: Ipv6Addr;
  plen: number;
  flags: number;
  /** Lifetimes in seconds as configured (ia6_lifetime.ia6t_vltime / pltime). */
  vltime: number;
  pltime: number;
  /** Absolute virtual times when the address expires / becomes deprecated (null = never). */
  expire: number | null;
  preferred: number | null;
  /** The DAD in progress for this address (nd6_dad_start), if any. */
  dad: { callout: Callout<() => void> | null; nsSent: number; nsIn: number; naIn: number } | null;
}

export interface In6AddOpts {
  flags?: number;
  vltime?: number;
  pltime?: number;
}

export class In6 {
  private readonly lists = new Map<Ifnet, In6Ifaddr[]>();
  /** Multicast memberships (in6_multi): group text → reference count, per interface. */
  private readonly groups = new Map<Ifnet, Map<string, { addr: Ipv6Addr; refs: number }>>();
  private lifetimeTimer: Callout<() => void> | null = null;

  constructor(private readonly s: NetStack) {}

  addrs(ifp: Ifnet): In6Ifaddr[] {
    let l = this.lists.get(ifp);
    if (!l) {
      l = [];
      this.lists.set(ifp, l);
    }
    return l;
  }

  /** Every address, interfaces in attach order. */
  all(): In6Ifaddr[] {
    const out: In6Ifaddr[] = [];
    for (const ifp of this.s.ifs.list) out.push(...(this.lists.get(ifp) ?? []));
    return out;
  }

  find(ifp: Ifnet, a: Ipv6Addr): In6Ifaddr | undefined {
    return this.lists.get(ifp)?.find((ia) => ipv6Equals(ia.addr, a));
  }

  /**
   * The address `a` if it is ours: a link-local address only on `ifp` when given (its zone), any other on
   * any interface. Tentative and duplicated addresses are included; callers check ia.flags.
   */
  lookup(a: Ipv6Addr, ifp?: Ifnet): In6Ifaddr | undefined {
    if (ifp && ipv6IsLinkLocal(a)) return this.find(ifp, a);
    for (const ia of this.all()) if (ipv6Equals(ia.addr, a)) return ia;
    return undefined;
  }

  /**
   * in6_update_ifa: add `addr`/`plen` to `ifp` (or update the flags and lifetimes of an address it has),
   * join its solicited-node group, install the on-link prefix route. The caller starts DAD.
   */
  add(ifp: Ifnet, addr: Ipv6Addr, plen: number, o: In6AddOpts = {}): In6Ifaddr {
    const now = this.s.env.now();
    const vl = o.vltime ?? ND6_INFINITE_LIFETIME;
    const pl = o.pltime ?? ND6_INFINITE_LIFETIME;
    let ia = this.find(ifp, addr);
    if (!ia) {
      ia = { ifp, addr: addr.slice(), plen, flags: o.flags ?? 0, vltime: vl, pltime: pl, expire: null, preferred: null, dad: null };
      this.addrs(ifp).push(ia);
      // IN6_IFAUPDATE_DADDELAY (RFC 4862 §5.4.2): the report for a link-local or autoconfigured address's
      // solicited-node group waits a random delay, as its DAD probe does.
      const dadDelay = (ia.flags & IN6_IFF_TENTATIVE) !== 0 && (ipv6IsLinkLocal(addr) || (ia.flags & IN6_IFF_AUTOCONF) !== 0);
      if ((ifp.flags & IFF_LOOPBACK) === 0) this.joinGroup(ifp, ipv6SolicitedNode(addr), dadDelay);
    } else {
      ia.plen = plen;
      if (o.flags !== undefined) ia.flags = (ia.flags & IN6_IFF_NOTREADY) | o.flags;
    }
    ia.vltime = vl;
    ia.pltime = pl;
    ia.expire = vl === ND6_INFINITE_LIFETIME ? null : now + vl * NS_PER_S;
    ia.preferred = pl === ND6_INFINITE_LIFETIME ? null : now + pl * NS_PER_S;
    if (pl === 0) ia.flags |= IN6_IFF_DEPRECATED;
    else ia.flags &= ~IN6_IFF_DEPRECATED;
    this.s.ip6!.routes.addPrefixRoute(ia);
    this.s.env.trace('ip6', 'addr', 0, { if: ifp.name, addr: ipv6ToString(addr), plen, flags: ia.flags });
    this.armLifetimes();
    return ia;
  }

  /** in6_purgeaddr: the address, its solicited-node membership, its prefix route (if no other address needs it). */
  remove(ia: In6Ifaddr): void {
    const l = this.addrs(ia.ifp);
    const i = l.indexOf(ia);
    if (i < 0) return;
    l.splice(i, 1);
    if (ia.dad?.callout) this.s.callouts.cancel(ia.dad.callout);
    ia.dad = null;
    if ((ia.ifp.flags & IFF_LOOPBACK) === 0) this.leaveGroup(ia.ifp, ipv6SolicitedNode(ia.addr));
    this.s.ip6!.routes.removePrefixRoute(ia);
    this.s.env.trace('ip6', 'addr-delete', 0, { if: ia.ifp.name, addr: ipv6ToString(ia.addr) });
  }

  /** The interface identifier of `ifp` (in6_get_hw_ifid): the modified EUI-64 of its MAC. */
  ifid(ifp: Ifnet): Uint8Array {
    return eui64FromMac(ifp.lladdr);
  }

  /**
   * in6_ifattach at interface up: ::1 on lo0; on others the all-nodes group and a link-local fe80::/64 from the
   * EUI-64 (DAD is the caller's).
   */
  attach(ifp: Ifnet): In6Ifaddr | null {
    if ((ifp.flags & IFF_LOOPBACK) !== 0) {
      if (!this.find(ifp, IN6ADDR_LOOPBACK)) this.add(ifp, IN6ADDR_LOOPBACK, 128);
      const ll = ipv6FromPrefixIid(Uint8Array.of(0xfe, 0x80, ...new Array<number>(14).fill(0)), 64, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1));
      if (!this.find(ifp, ll)) this.add(ifp, ll, 64);
      return null;
    }
    this.joinGroup(ifp, IN6ADDR_LINKLOCAL_ALLNODES);
    const ll = ipv6FromPrefixIid(Uint8Array.of(0xfe, 0x80, ...new Array<number>(14).fill(0)), 64, this.ifid(ifp));
    if (this.find(ifp, ll)) return null;
    return this.add(ifp, ll, 64, { flags: IN6_IFF_TENTATIVE });
  }

  /** The first usable link-local address of `ifp` (in6ifa_ifpforlinklocal). */
  linkLocal(ifp: Ifnet, includeNotReady = false): In6Ifaddr | undefined {
    return this.lists.get(ifp)?.find((ia) => ipv6IsLinkLocal(ia.addr) && (includeNotReady || (ia.flags & IN6_IFF_NOTREADY) === 0));
  }

  // --- multicast memberships (in6_addmulti / in6_delmulti) ---

  isMember(ifp: Ifnet, group: Ipv6Addr): boolean {
    if ((ifp.flags & IFF_LOOPBACK) !== 0) return true;
    return this.groups.get(ifp)?.has(ipv6ToString(group)) ?? false;
  }

  memberships(ifp: Ifnet): Ipv6Addr[] {
    return [...(this.groups.get(ifp)?.values() ?? [])].map((g) => g.addr);
  }

  /** in6_addmulti; `mldDelay`: MLD reports after a random delay (the first join of a new address's group). */
  joinGroup(ifp: Ifnet, group: Ipv6Addr, mldDelay = false): void {
    let m = this.groups.get(ifp);
    if (!m) {
      m = new Map();
      this.groups.set(ifp, m);
    }
    const key = ipv6ToString(group);
    const g = m.get(key);
    if (g) {
      g.refs++;
      return;
    }
    m.set(key, { addr: group.slice(), refs: 1 });
    if ((ifp.flags & IFF_MULTICAST) !== 0) this.s.ether.addMulti(ifp, ipv6MulticastMac(group));
    this.s.ip6!.mld.join(ifp, group, mldDelay);
  }

  leaveGroup(ifp: Ifnet, group: Ipv6Addr): void {
    const m = this.groups.get(ifp);
    const key = ipv6ToString(group);
    const g = m?.get(key);
    if (!m || !g) return;
    if (--g.refs > 0) return;
    m.delete(key);
    this.s.ip6!.mld.leave(ifp, group);
    if ((ifp.flags & IFF_MULTICAST) !== 0) this.s.ether.delMulti(ifp, ipv6MulticastMac(group));
  }

  /** A router joins ff02::2 on its interfaces (ip6_forwarding on). */
  joinAllRouters(ifp: Ifnet, join: boolean): void {
    if (join) this.joinGroup(ifp, IN6ADDR_LINKLOCAL_ALLROUTERS);
    else this.leaveGroup(ifp, IN6ADDR_LINKLOCAL_ALLROUTERS);
  }

  /** if_detach: every address and membership of `ifp` goes. */
  detach(ifp: Ifnet): void {
    for (const ia of [...(this.lists.get(ifp) ?? [])]) this.remove(ia);
    this.lists.delete(ifp);
    this.groups.delete(ifp);
    this.s.ip6!.mld.detach(ifp);
  }

  // --- lifetimes (nd6_timer's address part, RFC 4862 §5.5.4) ---

  /** Keep one callout armed at the earliest deprecation or expiry. */
  armLifetimes(): void {
    let next: number | null = null;
    for (const ia of this.all()) {
      for (const t of [ia.expire, (ia.flags & IN6_IFF_DEPRECATED) === 0 ? ia.preferred : null]) {
        if (t !== null && (next === null || t < next)) next = t;
      }
    }
    if (this.lifetimeTimer) this.s.callouts.cancel(this.lifetimeTimer);
    this.lifetimeTimer = null;
    if (next === null) return;
    const delay = Math.max(0, next - this.s.env.now());
    this.lifetimeTimer = this.s.schedule(delay, 'in6_lifetime', () => {
      this.lifetimeTimer = null;
      this.expireLifetimes();
    });
  }

  private expireLifetimes(): void {
    const now = this.s.env.now();
    for (const ia of this.all()) {
      if (ia.expire !== null && ia.expire <= now) {
        this.s.env.log(`in6: ${ipv6ToString(ia.addr)} on ${ia.ifp.name}: valid lifetime expired`);
        this.remove(ia);
        continue;
      }
      if (ia.preferred !== null && ia.preferred <= now && (ia.flags & IN6_IFF_DEPRECATED) === 0) {
        ia.flags |= IN6_IFF_DEPRECATED;
        this.s.env.trace('ip6', 'addr-deprecated', 0, { if: ia.ifp.name, addr: ipv6ToString(ia.addr) });
      }
    }
    this.armLifetimes();
  }
}
