/**
 * Route and source address selection for IPv6 output (netinet6/in6_src.c in6_selectroute / in6_selectsrc):
 * our own addresses loop through lo0; link-local and multicast destinations go out on their zone's interface
 * (sin6_scope_id, or the interface the caller names, or for multicast the first one up); others by the
 * routing table. The source follows RFC 6724 §5 as far as a host needs it.
 */
import { Errno } from '../../kernel/api';
import { IFF_LOOPBACK, IFF_UP, type Ifnet } from '../if';
import type { NetStack } from '../stack';
import { IPV6_ADDR_SCOPE_LINKLOCAL, ipv6Equals, ipv6IsLinkLocal, ipv6IsMulticast, ipv6MatchLen, ipv6Scope, type Ipv6Addr } from '../wire/addr6';
import { IN6_IFF_DEPRECATED, IN6_IFF_NOTREADY, type In6Ifaddr } from './in6';
import type { Ip6, Ip6SourceChoice } from './ip6';

export type Ip6RouteChoice = Omit<Ip6SourceChoice, 'src'>;

export function in6SelectRoute(s: NetStack, ip6: Ip6, dst: Ipv6Addr, scopeId: number, ifpHint?: Ifnet): Ip6RouteChoice | number {
  const zone = scopeId ? ip6.byIndex(scopeId) : undefined;
  if (scopeId && !zone) return Errno.ENXIO;
  const lo = s.lo0;
  const ours = ip6.in6.lookup(dst, ipv6IsLinkLocal(dst) ? zone ?? ifpHint : undefined);
  if (ours) {
    // Packets to our own address loop through lo0 (the loopback route KAME's in6_ifinit adds with the address,
    // tentative or not); ip6_input drops those to a tentative or duplicated address (RFC 4862 §5.4).
    return { ifp: lo, mtu: lo.mtu, nexthop: dst.slice(), rt: null };
  }
  if (ipv6IsMulticast(dst) || ipv6Scope(dst) <= IPV6_ADDR_SCOPE_LINKLOCAL) {
    // The default multicast interface: the first one that is up and not lo0.
    const first = () => s.ifs.list.find((i) => (i.flags & (IFF_UP | IFF_LOOPBACK)) === IFF_UP);
    const ifp = ifpHint ?? zone ?? (ipv6IsMulticast(dst) ? first() : undefined);
    if (!ifp) return Errno.EHOSTUNREACH;
    return { ifp, mtu: ip6.routes.pathMtu(dst, ifp), nexthop: dst.slice(), rt: null };
  }
  const rt = ip6.routes.lookup(dst, ifpHint);
  if (!rt) return Errno.EHOSTUNREACH;
  rt.use++;
  return { ifp: rt.ifp, mtu: ip6.routes.pathMtu(dst, rt.ifp), nexthop: (rt.gateway ?? dst).slice(), rt };
}

/**
 * RFC 6724 §5, the rules that matter here: the destination itself (rule 1), an address of the destination's
 * scope or the smallest larger one (rule 2), not deprecated (rule 3), on the outgoing interface (rule 5),
 * longest matching prefix (rule 8). Tentative and duplicated addresses are never candidates.
 */
export function in6PickSource(ip6: Ip6, dst: Ipv6Addr, ifp: Ifnet): In6Ifaddr | undefined {
  const dscope = ipv6Scope(dst);
  const onLoop = (ifp.flags & IFF_LOOPBACK) !== 0;
  const cands = (onLoop ? ip6.in6.all() : ip6.in6.all().filter((ia) => ia.ifp === ifp || ipv6Scope(ia.addr) > IPV6_ADDR_SCOPE_LINKLOCAL))
    .filter((ia) => (ia.flags & IN6_IFF_NOTREADY) === 0 && (onLoop || (ia.ifp.flags & IFF_LOOPBACK) === 0));
  const better = (a: In6Ifaddr, b: In6Ifaddr): boolean => {
    if (ipv6Equals(a.addr, dst) !== ipv6Equals(b.addr, dst)) return ipv6Equals(a.addr, dst);
    const sa = ipv6Scope(a.addr);
    const sb = ipv6Scope(b.addr);
    if (sa !== sb) {
      if (sa < sb) return sa >= dscope;
      return sb < dscope;
    }
    const da = (a.flags & IN6_IFF_DEPRECATED) !== 0;
    const db = (b.flags & IN6_IFF_DEPRECATED) !== 0;
    if (da !== db) return !da;
    if ((a.ifp === ifp) !== (b.ifp === ifp)) return a.ifp === ifp;
    return ipv6MatchLen(a.addr, dst) > ipv6MatchLen(b.addr, dst);
  };
  let best: In6Ifaddr | undefined;
  for (const ia of cands) if (!best || better(ia, best)) best = ia;
  return best;
}
