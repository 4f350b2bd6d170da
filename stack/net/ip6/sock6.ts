/**
 * The AF_INET6 half of the socket layer for datagram and raw sockets (netinet6/in6_pcb.c, ip6_output.c's
 * ip6_ctloutput, raw_ip6.c's rip6_usrreq): creation, bind (our address, in its zone, not tentative), connect,
 * send through udp6 or raw6, and the IPPROTO_IPV6 options (hop limits, multicast interface and loop,
 * IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP (ip6_setmoptions, RFC 3493 §5.2), IPV6_V6ONLY, IPV6_CHECKSUM for raw
 * sockets). Stream sockets are TCP's (stack/net/tcp).
 */
import { Errno } from '../../kernel/api';
import { ENOPROTOOPT } from '../../include/errno';
import {
  IPPROTO_ICMPV6, IPPROTO_IPV6, IPPROTO_UDP, IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP, IPV6_UNICAST_HOPS, IPV6_V6ONLY, type SockAddr, type SockAddrIn6,
} from '../../include/netinet/in';
import { IFF_MULTICAST, type Ifnet } from '../if';
import { AF_INET6, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from '../../include/sys/socket';
import { RIP_RECVSPACE, RIP_SENDSPACE, Socket, UDP_RECVSPACE, UDP_SENDSPACE } from '../socket';
import { ipv6Equals, ipv6IsMulticast, ipv6IsUnspecified, ipv6IsV4Mapped, ipv6NeedsScope, type Ipv6Addr } from '../wire/addr6';
import type { Ip6 } from './ip6';

/** IPV6_CHECKSUM (RFC 3542 §3.1): the offset of a raw socket's checksum field the kernel fills (-1 = none). */
export const IPV6_CHECKSUM = 26;

/** struct ipv6_mreq (RFC 3493 §5.2): the group and the interface index (0 = the kernel chooses). */
export interface Ipv6Mreq {
  multiaddr: Uint8Array;
  interface: number;
}

/** One membership a socket holds (struct in6_multi_mship). */
export interface In6Mship {
  ifp: Ifnet;
  addr: Ipv6Addr;
}

/** struct in6pcb's IPv6 options (in6p_hops, in6p_moptions, in6p_cksum) and the connected peer's zone. */
export interface In6PcbOpts {
  /** -1 = ip6_defhlim. */
  hlim: number;
  /** IPV6_MULTICAST_HOPS (default 1). */
  mhlim: number;
  mloop: boolean;
  /** IPV6_MULTICAST_IF: interface index (0 = default). */
  mif: number;
  /** sin6_scope_id of the connected peer. */
  fscope: number;
  /** Raw sockets: IPV6_CHECKSUM offset (ICMPv6 sockets always 2). */
  cksum: number;
  /** im6o_memberships: groups joined with IPV6_JOIN_GROUP. */
  memberships: In6Mship[];
}

export class Sock6 {
  private readonly opts = new WeakMap<Socket, In6PcbOpts>();

  constructor(private readonly ip6: Ip6) {}

  of(so: Socket): In6PcbOpts {
    let o = this.opts.get(so);
    if (!o) {
      o = { hlim: -1, mhlim: 1, mloop: true, mif: 0, fscope: 0, cksum: so.type === SOCK_RAW && so.protocol === IPPROTO_ICMPV6 ? 2 : -1, memberships: [] };
      this.opts.set(so, o);
    }
    return o;
  }

  /** socreate for AF_INET6 datagram and raw sockets. `id` is the socket layer's next id. */
  create(id: number, type: number, protocol: number): Socket | number {
    if (type === SOCK_DGRAM) {
      if (protocol !== 0 && protocol !== IPPROTO_UDP) return Errno.EPROTONOSUPPORT;
      const so = new Socket(id, AF_INET6, type, IPPROTO_UDP, UDP_RECVSPACE, UDP_SENDSPACE);
      so.v6only = this.ip6.v6only; // in6_pcballoc: ip6_v6only
      return so;
    }
    if (type === SOCK_RAW) {
      if (protocol <= 0 || protocol > 255) return Errno.EINVAL;
      return new Socket(id, AF_INET6, type, protocol, RIP_RECVSPACE, RIP_SENDSPACE);
    }
    return Errno.EPROTONOSUPPORT;
  }

  private check(sa: SockAddr): SockAddrIn6 | number {
    if (sa.family !== AF_INET6) return Errno.EAFNOSUPPORT;
    if (sa.scopeId !== 0 && !this.ip6.byIndex(sa.scopeId)) return Errno.ENXIO;
    return sa;
  }

  /** in6_pcbbind: the address must be ours (and usable) or unspecified/multicast; the port free. */
  bind(so: Socket, sa0: SockAddr): number {
    const sa = this.check(sa0);
    if (typeof sa === 'number') return sa;
    if (so.lport !== 0 || !ipv6IsUnspecified(so.laddr6)) return Errno.EINVAL;
    if (ipv6IsV4Mapped(sa.addr)) {
      // A mapped address: only for a dual-stack datagram socket (mapped6.ts); EINVAL under IPV6_V6ONLY.
      if (so.type !== SOCK_DGRAM) return Errno.EINVAL;
      const e = this.ip6.mapped.bind(so, sa.addr, sa.port);
      if (e) return e;
    } else if (!ipv6IsUnspecified(sa.addr) && !ipv6IsMulticast(sa.addr)) {
      const ia = this.ip6.in6.lookup(sa.addr, sa.scopeId ? this.ip6.byIndex(sa.scopeId) : undefined);
      if (!ia) return Errno.EADDRNOTAVAIL;
      if (!this.ip6.isOurAddress(sa.addr, sa.scopeId)) return Errno.EADDRNOTAVAIL; // tentative/duplicated
    }
    if (so.type === SOCK_DGRAM) {
      let p = sa.port;
      if (p === 0) p = this.ip6.udp6.ephemeral(sa.addr);
      else if (!this.ip6.udp6.canBind(so, sa.addr, p)) return Errno.EADDRINUSE;
      if (p === 0) return Errno.EAGAIN;
      so.lport = p;
    } else if (so.type === SOCK_STREAM) {
      so.lport = sa.port;
    }
    so.laddr6 = sa.addr.slice();
    return 0;
  }

  /** in6_pcbconnect for datagram and raw sockets. */
  connect(so: Socket, sa0: SockAddr): number {
    const sa = this.check(sa0);
    if (typeof sa === 'number') return sa;
    const o = this.of(so);
    if (ipv6IsUnspecified(sa.addr) && sa.port === 0) {
      so.faddr6 = new Uint8Array(16);
      so.faddr = 0; // the IPv4 view of a mapped peer (mapped6.ts)
      so.fport = 0;
      o.fscope = 0;
      this.ip6.raw6.connected.delete(so);
      return 0;
    }
    if (so.type === SOCK_DGRAM && sa.port === 0) return Errno.EADDRNOTAVAIL;
    if (ipv6IsV4Mapped(sa.addr)) {
      if (so.type !== SOCK_DGRAM) return Errno.EINVAL;
      if (so.lport === 0) {
        const p = this.ip6.udp6.ephemeral(so.laddr6);
        if (p === 0) return Errno.EADDRINUSE;
        so.lport = p;
      }
      return this.ip6.mapped.connect(so, sa.addr, sa.port);
    }
    if (ipv6IsV4Mapped(so.laddr6)) return Errno.EINVAL; // bound to IPv4, the peer is IPv6
    const scopeId = ipv6NeedsScope(sa.addr) ? sa.scopeId : 0;
    const choice = this.ip6.selectSource(sa.addr, scopeId);
    if (typeof choice === 'number') return choice;
    if (so.type === SOCK_DGRAM && so.lport === 0) {
      const p = this.ip6.udp6.ephemeral(so.laddr6);
      if (p === 0) return Errno.EADDRINUSE;
      so.lport = p;
    }
    // in6_pcbconnect: an unbound local address becomes the source selected for the peer.
    if (ipv6IsUnspecified(so.laddr6)) so.laddr6 = choice.src.slice();
    so.faddr6 = sa.addr.slice();
    so.fport = so.type === SOCK_RAW ? 0 : sa.port;
    o.fscope = scopeId;
    if (so.type === SOCK_RAW) this.ip6.raw6.connected.add(so);
    return 0;
  }

  /** sosend for AF_INET6 datagram and raw sockets: bytes sent or -errno. */
  send(so: Socket, data: Uint8Array, to: SockAddr | null, pktId: number): number {
    if (to && to.family !== AF_INET6) return -Errno.EAFNOSUPPORT;
    if (so.type === SOCK_DGRAM) {
      // To an IPv4-mapped destination (or connected to one): IPv4 (mapped6.ts).
      if (to ? ipv6IsV4Mapped(to.addr) : so.fport !== 0 && ipv6IsV4Mapped(so.faddr6)) {
        if (to && so.fport !== 0) return -Errno.EISCONN;
        return this.ip6.mapped.output(so, data, to, pktId);
      }
      if (ipv6IsV4Mapped(so.laddr6)) return -Errno.ENETUNREACH; // an IPv4 source cannot reach an IPv6 peer
      return this.ip6.udp6.output(so, data, to, pktId);
    }
    if (so.type === SOCK_RAW) return this.ip6.raw6.output(so, data, to, pktId);
    return -Errno.EOPNOTSUPP;
  }

  /** The options whose value is a struct (ipv6_mreq), not an int: the socket layer hands them over as they are. */
  static takesStruct(name: number): boolean {
    return name === IPV6_JOIN_GROUP || name === IPV6_LEAVE_GROUP;
  }

  /** ip6_ctloutput set: 0 or an errno. `value` is an int, or an ipv6_mreq for IPV6_JOIN_GROUP/IPV6_LEAVE_GROUP. */
  setsockopt(so: Socket, name: number, value: unknown): number {
    const o = this.of(so);
    if (Sock6.takesStruct(name)) return this.membership(so, name, value);
    if (typeof value !== 'number') return Errno.EINVAL;
    switch (name) {
      case IPV6_UNICAST_HOPS:
        if (value < -1 || value > 255) return Errno.EINVAL;
        o.hlim = value;
        return 0;
      case IPV6_MULTICAST_HOPS:
        if (value < -1 || value > 255) return Errno.EINVAL;
        o.mhlim = value === -1 ? 1 : value;
        return 0;
      case IPV6_MULTICAST_LOOP:
        if (value !== 0 && value !== 1) return Errno.EINVAL;
        o.mloop = value === 1;
        return 0;
      case IPV6_MULTICAST_IF:
        if (value !== 0 && !this.ip6.byIndex(value)) return Errno.ENXIO;
        o.mif = value;
        return 0;
      case IPV6_V6ONLY:
        // RFC 3493 §5.3; NetBSD lets it change only before the socket is bound (in6p_lport / in6p_laddr unset).
        if (so.lport !== 0 || !ipv6IsUnspecified(so.laddr6)) return Errno.EINVAL;
        so.v6only = value !== 0;
        return 0;
      case IPV6_CHECKSUM:
        if (so.type !== SOCK_RAW) return ENOPROTOOPT;
        if (so.protocol === IPPROTO_ICMPV6) return Errno.EINVAL; // RFC 3542 §3.1: always on for ICMPv6
        if (value !== -1 && (value < 0 || value % 2 !== 0)) return Errno.EINVAL;
        o.cksum = value;
        return 0;
      default:
        return ENOPROTOOPT;
    }
  }

  /**
   * ip6_setmoptions IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP: the interface by index, or for 0 the one the route to
   * the group leaves by (ENXIO: no such index; EADDRNOTAVAIL: none, or it cannot do multicast); a group
   * joined twice on one interface is EADDRINUSE; leaving one not joined EADDRNOTAVAIL. Joining goes through
   * in6_joingroup: the NIC filter (33:33 + the low 32 bits) and an MLD report when the interface's first member.
   */
  private membership(so: Socket, name: number, value: unknown): number {
    const mreq = mreq6Of(value);
    if (!mreq || !ipv6IsMulticast(mreq.multiaddr)) return Errno.EINVAL;
    let ifp: Ifnet | undefined;
    if (mreq.interface !== 0) {
      ifp = this.ip6.byIndex(mreq.interface);
      if (!ifp) return Errno.ENXIO;
    } else {
      const r = this.ip6.selectRoute(mreq.multiaddr, 0);
      ifp = typeof r === 'number' ? undefined : r.ifp;
    }
    if (!ifp || (ifp.flags & IFF_MULTICAST) === 0) return Errno.EADDRNOTAVAIL;
    const o = this.of(so);
    const i = o.memberships.findIndex((m) => m.ifp === ifp && ipv6Equals(m.addr, mreq.multiaddr));
    if (name === IPV6_LEAVE_GROUP) {
      if (i < 0) return Errno.EADDRNOTAVAIL;
      const [m] = o.memberships.splice(i, 1);
      this.ip6.in6.leaveGroup(m!.ifp, m!.addr);
      return 0;
    }
    if (i >= 0) return Errno.EADDRINUSE;
    o.memberships.push({ ifp, addr: mreq.multiaddr.slice() });
    this.ip6.in6.joinGroup(ifp, mreq.multiaddr);
    return 0;
  }

  /** ip6_freemoptions: the socket is gone, so are its memberships (a detached interface has none left to drop). */
  sofree(so: Socket): void {
    const o = this.opts.get(so);
    if (!o) return;
    for (const m of o.memberships.splice(0)) this.ip6.in6.leaveGroup(m.ifp, m.addr);
  }

  /** The groups a socket joined (netstat, tests). */
  memberships(so: Socket): readonly In6Mship[] {
    return this.opts.get(so)?.memberships ?? [];
  }

  /** ip6_ctloutput get: the value or -errno. */
  getsockopt(so: Socket, name: number): number {
    const o = this.of(so);
    switch (name) {
      case IPV6_UNICAST_HOPS: return o.hlim;
      case IPV6_MULTICAST_HOPS: return o.mhlim;
      case IPV6_MULTICAST_LOOP: return o.mloop ? 1 : 0;
      case IPV6_MULTICAST_IF: return o.mif;
      case IPV6_V6ONLY: return so.v6only ? 1 : 0;
      case IPV6_CHECKSUM: return so.type === SOCK_RAW ? o.cksum : -ENOPROTOOPT;
      default: return -ENOPROTOOPT;
    }
  }

  /** The level these options live at. */
  static readonly LEVEL = IPPROTO_IPV6;
}

function mreq6Of(v: unknown): Ipv6Mreq | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Partial<Ipv6Mreq>;
  if (!(o.multiaddr instanceof Uint8Array) || o.multiaddr.length !== 16 || typeof o.interface !== 'number') return null;
  return { multiaddr: o.multiaddr, interface: o.interface >>> 0 };
}
