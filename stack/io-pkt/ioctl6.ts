/**
 * The IPv6 ioctls (netinet6/in6.c in6_control, nd6.c nd6_ioctl) io-pkt-v6-hc answers through _IO_DEVCTL:
 * SIOCAIFADDR_IN6 / SIOCDIFADDR_IN6 (ifconfig inet6), SIOCGIFAFLAG_IN6 / SIOCGIFALIFETIME_IN6 (one address's
 * flags and lifetimes), the neighbour cache, default router and prefix lists and SIOCSNDFLUSH_IN6 (ndp),
 * and SIOCSRTADV_IN6, this stack's switch for the router advertisements rtadvd sends. Without IPv6
 * (io-pkt-v4, io-pkt-v4-hc) every one is EAFNOSUPPORT.
 */
import { Errno, type Co } from '../kernel/api';
import { IFF_LOOPBACK, IFF_RUNNING, IFF_UP, type Ifnet } from '../net/if';
import type { IoPktProcess } from './process';
import type { In6AddrInfo } from '../include/netinet6/in6_var';
import type { DrRow, NbrRow, NdListReply, PrRow } from '../include/netinet6/nd6';
import { IN6_IFF_AUTOCONF, IN6_IFF_NODAD, IN6_IFF_TENTATIVE, ND6_INFINITE_LIFETIME } from '../net/ip6/in6';
import { ipv6Equals, ipv6IsMulticast, ipv6IsUnspecified, ipv6NeedsScope, ipv6ToString } from '../net/wire/addr6';

type IoctlResult = number | { data?: unknown };

function addrOf(v: unknown): Uint8Array | null {
  return v instanceof Uint8Array && v.length === 16 ? v : null;
}

function lifetime(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, ND6_INFINITE_LIFETIME) >>> 0 : undefined;
}

export function* in6Ioctl(p: IoPktProcess, ifp: Ifnet | null, dcmd: string, d: Record<string, unknown>): Co<IoctlResult> {
  const s = p.stack;
  const ip6 = s.ip6;
  if (!ip6) return Errno.EAFNOSUPPORT;
  const now = s.env.now();
  switch (dcmd) {
    case 'SIOCGNBRLIST_IN6': {
      const rows: NbrRow[] = ip6.nd6.entries().map((ln) => ({
        addr: ln.addr.slice(), scopeId: ipv6NeedsScope(ln.addr) ? ip6.indexOf(ln.ifp) : 0, ifname: ln.ifp.name,
        lladdr: ln.lladdr ? ln.lladdr.slice() : null, state: ln.state, isRouter: ln.isRouter, expire: ln.expire,
      }));
      const r: NdListReply<NbrRow> = { now, rows };
      return { data: r };
    }
    case 'SIOCGDRLST_IN6': {
      const def = ip6.routes.routes.find((r) => r.origin === 'defrtr');
      const rows: DrRow[] = ip6.nd6.rtr.defrouters.map((dr) => ({
        addr: dr.addr.slice(), ifname: dr.ifp.name, lifetime: dr.lifetime, expire: dr.expire,
        installed: def !== undefined && def.ifp === dr.ifp && def.gateway !== null && ipv6Equals(def.gateway, dr.addr),
      }));
      const r: NdListReply<DrRow> = { now, rows };
      return { data: r };
    }
    case 'SIOCGPRLST_IN6': {
      const rows: PrRow[] = ip6.nd6.rtr.prefixes.map((pr) => ({
        prefix: pr.prefix.slice(), plen: pr.plen, ifname: pr.ifp.name, onlink: pr.onlink, auto: pr.auto, vltime: pr.vltime,
        pltime: pr.pltime, expire: pr.expire, advrtr: pr.advrtr.slice(),
      }));
      const r: NdListReply<PrRow> = { now, rows };
      return { data: r };
    }
    case 'SIOCSNDFLUSH_IN6': {
      const a = addrOf(d.addr);
      const on = typeof d.name === 'string' && d.name !== '' ? s.ifs.byName(d.name) ?? null : null;
      if (typeof d.name === 'string' && d.name !== '' && !on) return Errno.ENXIO;
      const removed = ip6.nd6.delete(on, a);
      return a && !removed ? Errno.ESRCH : {};
    }
  }
  if (!ifp) return Errno.ENXIO;
  switch (dcmd) {
    case 'SIOCAIFADDR_IN6': {
      const addr = addrOf(d.addr);
      const plen = typeof d.plen === 'number' ? d.plen : 64;
      if (!addr || ipv6IsUnspecified(addr) || ipv6IsMulticast(addr) || !(plen >= 0 && plen <= 128)) return Errno.EINVAL;
      const vl = lifetime(d.vltime);
      const pl = lifetime(d.pltime);
      if (vl !== undefined && pl !== undefined && pl > vl) return Errno.EINVAL;
      const flags = (typeof d.flags === 'number' ? d.flags : 0) & ~(IN6_IFF_AUTOCONF | IN6_IFF_TENTATIVE);
      const loop = (ifp.flags & IFF_LOOPBACK) !== 0;
      const old = ip6.in6.find(ifp, addr);
      // in6_update_ifa: a new address is tentative until DAD is done (not on lo0, not with IN6_IFF_NODAD).
      const tentative = !old && !loop && (flags & IN6_IFF_NODAD) === 0;
      const ia = ip6.in6.add(ifp, addr, plen, {
        flags: flags | (tentative ? IN6_IFF_TENTATIVE : 0), ...(vl !== undefined ? { vltime: vl } : {}), ...(pl !== undefined ? { pltime: pl } : {}),
      });
      p.main.trace('ifnet', 'addr6', 0, { if: ifp.name, addr: ipv6ToString(addr), plen });
      if (loop) return {};
      // The interface comes up as with an IPv4 address (in6_ifinit → if_init).
      const wasUp = (ifp.flags & IFF_UP) !== 0;
      ifp.flags |= IFF_UP;
      if ((ifp.flags & IFF_RUNNING) === 0) {
        const e = yield* ifp.ops.init(ifp);
        if (e) return e;
      }
      if (!wasUp) ip6.ifUp(ifp);
      else ip6.nd6.dadStart(ia);
      return {};
    }
    case 'SIOCDIFADDR_IN6': {
      const addr = addrOf(d.addr);
      const ia = addr ? ip6.in6.find(ifp, addr) : undefined;
      if (!ia) return Errno.EADDRNOTAVAIL;
      ip6.in6.remove(ia);
      return {};
    }
    case 'SIOCGIFAFLAG_IN6':
    case 'SIOCGIFALIFETIME_IN6': {
      const addr = addrOf(d.addr);
      const ia = addr ? ip6.in6.find(ifp, addr) : undefined;
      if (!ia) return Errno.EADDRNOTAVAIL;
      const info: In6AddrInfo = {
        addr: ia.addr.slice(), plen: ia.plen, flags: ia.flags, scopeId: ipv6NeedsScope(ia.addr) ? ip6.indexOf(ifp) : 0,
        vltime: ia.vltime, pltime: ia.pltime, expire: ia.expire, preferred: ia.preferred,
      };
      return { data: info };
    }
    case 'SIOCSRTADV_IN6': {
      // rtadvd: advertise on this interface (a router only: net.inet6.ip6.forwarding must be 1).
      if (d.on === false) {
        ip6.nd6.rtr.rtadv.stop(ifp, true);
        return {};
      }
      if (!ip6.forwarding) return Errno.EPERM;
      if ((ifp.flags & IFF_LOOPBACK) !== 0) return Errno.EINVAL;
      ip6.nd6.rtr.rtadv.start(ifp);
      return {};
    }
    default:
      return Errno.ENOTTY;
  }
}
