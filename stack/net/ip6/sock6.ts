/**
 * The AF_INET6 half of the socket layer for datagram and raw sockets (netinet6/in6_pcb.c, ip6_output.c's
 * ip6_ctloutput, raw_ip6.c's rip6_usrreq): creation, bind (our address, in its zone, not tentative), connect,
 * send through udp6 or raw6, and the IPPROTO_IPV6 options (hop limits, multicast interface and loop,
 * IPV6_V6ONLY, IPV6_CHECKSUM for raw sockets). Stream sockets are TCP's (stack/net/tcp).
 */
import { Errno } from '../../kernel/api';
import { ENOPROTOOPT } from '../../include/errno';
import {
  IPPROTO_ICMPV6, IPPROTO_IPV6, IPPROTO_UDP, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, IPV6_MULTICAST_LOOP, IPV6_UNICAST_HOPS,
  IPV6_V6ONLY, type SockAddr, type SockAddrIn6,
} from '../../include/netinet/in';
import { AF_INET6, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from '../../include/sys/socket';
import { RIP_RECVSPACE, RIP_SENDSPACE, Socket, UDP_RECVSPACE, UDP_SENDSPACE } from '../socket';
import { ipv6IsMulticast, ipv6IsUnspecified, ipv6IsV4Mapped, ipv6NeedsScope } from '../wire/addr6';
import type { Ip6 } from './ip6';

/** IPV6_CHECKSUM (RFC 3542 §3.1): the offset of a raw socket's checksum field the kernel fills (-1 = none). */
export const IPV6_CHECKSUM = 26;

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
}

export class Sock6 {
  private readonly opts = new WeakMap<Socket, In6PcbOpts>();

  constructor(private readonly ip6: Ip6) {}

  of(so: Socket): In6PcbOpts {
    let o = this.opts.get(so);
    if (!o) {
      o = { hlim: -1, mhlim: 1, mloop: true, mif: 0, fscope: 0, cksum: so.type === SOCK_RAW && so.protocol === IPPROTO_ICMPV6 ? 2 : -1 };
      this.opts.set(so, o);
    }
    return o;
  }

  /** socreate for AF_INET6 datagram and raw sockets. `id` is the socket layer's next id. */
  create(id: number, type: number, protocol: number): Socket | number {
    if (type === SOCK_DGRAM) {
      if (protocol !== 0 && protocol !== IPPROTO_UDP) return Errno.EPROTONOSUPPORT;
      return new Socket(id, AF_INET6, type, IPPROTO_UDP, UDP_RECVSPACE, UDP_SENDSPACE);
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
    if (ipv6IsV4Mapped(sa.addr)) return Errno.EADDRNOTAVAIL; // v4-mapped addresses are not supported (V6ONLY)
    if (!ipv6IsUnspecified(sa.addr) && !ipv6IsMulticast(sa.addr)) {
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
      so.fport = 0;
      o.fscope = 0;
      this.ip6.raw6.connected.delete(so);
      return 0;
    }
    if (so.type === SOCK_DGRAM && sa.port === 0) return Errno.EADDRNOTAVAIL;
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
    if (so.type === SOCK_DGRAM) return this.ip6.udp6.output(so, data, to, pktId);
    if (so.type === SOCK_RAW) return this.ip6.raw6.output(so, data, to, pktId);
    return -Errno.EOPNOTSUPP;
  }

  /** ip6_ctloutput set: 0 or an errno. */
  setsockopt(so: Socket, name: number, value: number): number {
    const o = this.of(so);
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
        // Only the IPv6 behaviour is implemented (v4-mapped addresses are refused): 0 is not supported.
        if (value === 0) return Errno.EOPNOTSUPP;
        so.v6only = true;
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
