/**
 * The IPv6 routing table (net/route.c for AF_INET6, netinet6/nd6_rtr.c's defrouter and prefix routes):
 * on-link prefix routes installed with addresses and from Router Advertisement prefixes, the default route
 * through the first reachable default router (RFC 4861 §6.3.6), static routes, longest-prefix lookup, and
 * the path MTU learnt from Packet Too Big messages (RFC 8201) kept per destination with its 10-minute age.
 */
import type { Ifnet } from '../if';
import { RTF } from '../route';
import type { NetStack } from '../stack';
import { ipv6Equals, ipv6Masked, ipv6PrefixMatch, ipv6ToString, type Ipv6Addr } from '../wire/addr6';
import { IPV6_MMTU } from '../wire/ipv6';
import type { In6Ifaddr } from './in6';

export interface Rt6entry {
  dst: Ipv6Addr;
  plen: number;
  /** Next hop (RTF_GATEWAY), a link-local router address on `ifp`. */
  gateway: Ipv6Addr | null;
  ifp: Ifnet;
  flags: number;
  use: number;
  /** Which part installed it: an address's prefix, a Router Advertisement prefix, the default router list, a user. */
  origin: 'ifa' | 'ra' | 'defrtr' | 'static';
}

/** PMTU entries age out after ip6_mtu_expire (NetBSD: 10 minutes, RFC 8201 §4 "no less than 5 minutes"). */
export const IP6_PMTU_EXPIRE_NS = 600 * 1_000_000_000;

export class Route6Table {
  readonly routes: Rt6entry[] = [];
  /** Path MTUs learnt from Packet Too Big, by destination text. */
  private readonly pmtu = new Map<string, { mtu: number; expire: number }>();

  constructor(private readonly s: NetStack) {}

  /** Longest-prefix match over routes whose interface is up. */
  lookup(dst: Ipv6Addr, ifp?: Ifnet): Rt6entry | undefined {
    let best: Rt6entry | undefined;
    for (const r of this.routes) {
      if (ifp && r.ifp !== ifp) continue;
      if (!ipv6PrefixMatch(dst, r.dst, r.plen)) continue;
      if (!best || r.plen > best.plen) best = r;
    }
    return best;
  }

  /** rtrequest RTM_ADD: a route already there (same prefix, interface and gateway) is answered, not added again. */
  add(r: Omit<Rt6entry, 'use'>): Rt6entry {
    const dst = ipv6Masked(r.dst, r.plen);
    const old = this.routes.find((x) => x.plen === r.plen && x.ifp === r.ifp && ipv6Equals(x.dst, dst) && sameGw(x.gateway, r.gateway));
    if (old) return old;
    const e: Rt6entry = { ...r, dst, use: 0 };
    this.routes.push(e);
    this.s.env.trace('ip6', 'route-add', 0, { dst: `${ipv6ToString(e.dst)}/${e.plen}`, if: e.ifp.name, ...(e.gateway ? { gw: ipv6ToString(e.gateway) } : {}) });
    return e;
  }

  remove(e: Rt6entry): void {
    const i = this.routes.indexOf(e);
    if (i < 0) return;
    this.routes.splice(i, 1);
    this.s.env.trace('ip6', 'route-delete', 0, { dst: `${ipv6ToString(e.dst)}/${e.plen}`, if: e.ifp.name });
  }

  /** The connected route of an address's prefix (nd6_prefix_onlink); none for /128 and lo0's ::1. */
  addPrefixRoute(ia: In6Ifaddr): void {
    if (ia.plen >= 128) return;
    this.add({ dst: ia.addr, plen: ia.plen, gateway: null, ifp: ia.ifp, flags: RTF.UP, origin: 'ifa' });
  }

  /** Remove the prefix route of `ia` unless another address on the interface has the same prefix. */
  removePrefixRoute(ia: In6Ifaddr): void {
    const others = this.s.ip6!.in6.addrs(ia.ifp).some((o) => o !== ia && o.plen === ia.plen && ipv6PrefixMatch(o.addr, ia.addr, ia.plen));
    if (others) return;
    const e = this.routes.find((r) => r.origin === 'ifa' && r.ifp === ia.ifp && r.plen === ia.plen && ipv6PrefixMatch(r.dst, ia.addr, ia.plen));
    if (e) this.remove(e);
  }

  removeIfp(ifp: Ifnet): void {
    for (const r of [...this.routes]) if (r.ifp === ifp) this.remove(r);
  }

  /** defrouter_select: `gw` on `ifp` becomes (or stops being) the default route. */
  setDefault(gw: Ipv6Addr | null, ifp: Ifnet | null): void {
    const cur = this.routes.find((r) => r.origin === 'defrtr');
    if (cur && gw && ifp && cur.ifp === ifp && cur.gateway && ipv6Equals(cur.gateway, gw)) return;
    if (cur) this.remove(cur);
    if (gw && ifp) this.add({ dst: new Uint8Array(16), plen: 0, gateway: gw.slice(), ifp, flags: RTF.UP | RTF.GATEWAY, origin: 'defrtr' });
  }

  // --- path MTU (icmp6_mtudisc_update) ---

  /** Record a Packet Too Big MTU for `dst` (never below the IPv6 minimum). */
  updatePmtu(dst: Ipv6Addr, mtu: number, linkMtu: number): void {
    const m = Math.max(IPV6_MMTU, Math.min(mtu, linkMtu));
    const key = ipv6ToString(dst);
    const old = this.pmtu.get(key);
    if (old && old.mtu <= m && old.expire > this.s.env.now()) return;
    this.pmtu.set(key, { mtu: m, expire: this.s.env.now() + IP6_PMTU_EXPIRE_NS });
    this.s.env.trace('ip6', 'pmtu', 0, { dst: key, mtu: m });
  }

  /**
   * The MTU toward `dst` over `ifp`: the link MTU (the interface's, or lower if a Router Advertisement's MTU
   * option said so), lowered by a learnt path MTU that has not aged out.
   */
  pathMtu(dst: Ipv6Addr, ifp: Ifnet): number {
    const adv = this.s.ip6!.nd6.ndi(ifp).linkmtu;
    const link = adv > 0 ? Math.min(adv, ifp.mtu) : ifp.mtu;
    const e = this.pmtu.get(ipv6ToString(dst));
    if (e && e.expire > this.s.env.now()) return Math.min(e.mtu, link);
    if (e) this.pmtu.delete(ipv6ToString(dst));
    return link;
  }
}

function sameGw(a: Ipv6Addr | null, b: Ipv6Addr | null): boolean {
  if (a === null || b === null) return a === b;
  return ipv6Equals(a, b);
}
