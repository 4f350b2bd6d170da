/**
 * Dual-stack AF_INET6 sockets (RFC 4038 §4.2, RFC 3493 §3.7 and §5.3; NetBSD in6_pcb.c / udp6_usrreq.c with
 * IN6P_IPV6_V6ONLY clear): an AF_INET6 socket with IPV6_V6ONLY = 0 also speaks IPv4, its IPv4 peers and
 * addresses written as IPv4-mapped IPv6 addresses (::ffff:a.b.c.d). Bound to the wildcard (::) or to a mapped
 * address of ours, it receives IPv4 datagrams to its port that no AF_INET socket takes, with a mapped source;
 * sending to (or connecting to) a mapped address sends IPv4 through udp_output. Mapped addresses never appear
 * on the wire (ip6_input drops them).
 */
import { Errno } from '../../kernel/api';
import { sockaddrIn6, type SockAddrIn6 } from '../../include/netinet/in';
import { AF_INET6, SOCK_DGRAM, SO_REUSEADDR, SO_REUSEPORT } from '../../include/sys/socket';
import type { Socket } from '../socket';
import type { NetStack } from '../stack';
import type { Ipv4Addr } from '../wire/addr';
import { ipv6Equals, ipv6IsUnspecified, ipv6IsV4Mapped, type Ipv6Addr } from '../wire/addr6';

/** ::ffff:a.b.c.d for the IPv4 address `a` (host order, as stack/net/wire/addr keeps it). */
export function ipv6MappedFrom4(a: Ipv4Addr): Ipv6Addr {
  const m = new Uint8Array(16);
  m[10] = 0xff;
  m[11] = 0xff;
  m[12] = a >>> 24;
  m[13] = (a >>> 16) & 0xff;
  m[14] = (a >>> 8) & 0xff;
  m[15] = a & 0xff;
  return m;
}

/** The IPv4 address inside a mapped address. */
export function ipv4FromMapped(m: Ipv6Addr): Ipv4Addr {
  return ((m[12]! << 24) | (m[13]! << 16) | (m[14]! << 8) | m[15]!) >>> 0;
}

/** An AF_INET6 datagram socket that takes IPv4: not V6ONLY, bound to :: or to a mapped address. */
function dualStack(so: Socket): boolean {
  return so.domain === AF_INET6 && so.type === SOCK_DGRAM && !so.closed && !so.v6only &&
    (ipv6IsUnspecified(so.laddr6) || ipv6IsV4Mapped(so.laddr6));
}

export class Mapped6 {
  constructor(private readonly s: NetStack) {}

  private pcbs(): Socket[] {
    return this.s.sockets.list.filter(dualStack);
  }

  /**
   * in6_pcblookup_connect / in6_pcblookup_bind on mapped addresses for an IPv4 datagram (udp6_realinput with
   * AF_INET): the connected match first, then one bound to the mapped destination, then the wildcard.
   */
  lookup(src: Ipv4Addr, sport: number, dst: Ipv4Addr, dport: number): Socket | undefined {
    const msrc = ipv6MappedFrom4(src);
    const mdst = ipv6MappedFrom4(dst);
    let bound: Socket | undefined;
    let wild: Socket | undefined;
    for (const so of this.pcbs()) {
      if (so.lport !== dport) continue;
      if (so.fport !== 0) {
        if (so.fport === sport && ipv6Equals(so.faddr6, msrc) && (ipv6IsUnspecified(so.laddr6) || ipv6Equals(so.laddr6, mdst))) return so;
        continue;
      }
      if (ipv6Equals(so.laddr6, mdst)) bound ??= so;
      else if (ipv6IsUnspecified(so.laddr6)) wild ??= so;
    }
    return bound ?? wild;
  }

  /** Every dual-stack socket that gets a copy of a broadcast or multicast IPv4 datagram (udp6_realinput). */
  targets(src: Ipv4Addr, sport: number, dst: Ipv4Addr, dport: number): Socket[] {
    const msrc = ipv6MappedFrom4(src);
    const mdst = ipv6MappedFrom4(dst);
    return this.pcbs().filter((so) => so.lport === dport && (ipv6IsUnspecified(so.laddr6) || ipv6Equals(so.laddr6, mdst)) &&
      (so.fport === 0 || (so.fport === sport && ipv6Equals(so.faddr6, msrc))));
  }

  /** The source of an IPv4 datagram as a dual-stack socket's reader sees it. */
  from(src: Ipv4Addr, sport: number): SockAddrIn6 {
    return sockaddrIn6(ipv6MappedFrom4(src), sport);
  }

  /**
   * in6_pcbbind for a mapped address: the IPv4 part is INADDR_ANY or one of our IPv4 addresses, the port free
   * among IPv4 sockets too. Sets the IPv4 view (so.laddr) beside laddr6. Returns 0 or an errno.
   */
  bind(so: Socket, addr: Ipv6Addr, port: number): number {
    if (so.v6only) return Errno.EINVAL;
    const a4 = ipv4FromMapped(addr);
    if (a4 !== 0 && !this.s.ifs.ifaWithAddr(a4)) return Errno.EADDRNOTAVAIL;
    if (port !== 0 && so.type === SOCK_DGRAM && this.s.udp.portInUse(port, a4) && !reuse(so)) return Errno.EADDRINUSE;
    so.laddr = a4;
    return 0;
  }

  /**
   * in6_pcbconnect to a mapped peer: the socket must be dual-stack and not bound to a native IPv6 address; the
   * local address becomes the IPv4 source of the route (mapped). Sets so.laddr/so.faddr, the IPv4 view
   * udp_output uses. Returns 0 or an errno.
   */
  connect(so: Socket, addr: Ipv6Addr, port: number): number {
    if (so.v6only) return Errno.EINVAL;
    if (!ipv6IsUnspecified(so.laddr6) && !ipv6IsV4Mapped(so.laddr6)) return Errno.EINVAL;
    const dst = ipv4FromMapped(addr);
    const choice = this.s.ip.route(dst);
    if (typeof choice === 'number') return choice;
    if (ipv6IsUnspecified(so.laddr6) || ipv4FromMapped(so.laddr6) === 0) {
      so.laddr = choice.src.addr;
      so.laddr6 = ipv6MappedFrom4(so.laddr);
    }
    so.faddr = dst;
    so.faddr6 = addr.slice();
    so.fport = port;
    return 0;
  }

  /** udp6_output to a mapped destination (or connected to one): IPv4 through udp_output. Bytes sent or -errno. */
  output(so: Socket, data: Uint8Array, to: SockAddrIn6 | null, pktId: number): number {
    // udp6_output (KAME): with mapped addresses disabled the datagram is refused, not sent as IPv6.
    if (so.v6only) return -Errno.EINVAL;
    if (to && !ipv6IsUnspecified(so.laddr6) && !ipv6IsV4Mapped(so.laddr6)) return -Errno.EINVAL; // a native IPv6 source
    if (so.lport === 0) {
      // One port for both families (in6_pcbsetport over the shared table).
      const p = this.s.ip6!.udp6.ephemeral(so.laddr6);
      if (p === 0 || this.s.udp.portInUse(p, so.laddr)) return -Errno.EADDRINUSE;
      so.lport = p;
    }
    return this.s.udp.output(so, data, to ? { addr: ipv4FromMapped(to.addr), port: to.port } : null, pktId);
  }
}

function reuse(so: Socket): boolean {
  return (so.options & (SO_REUSEADDR | SO_REUSEPORT)) !== 0;
}

/**
 * A TCP connection of an AF_INET6 socket with an IPv4-mapped peer (accepted on a dual-stack listener, or
 * connected to ::ffff:a.b.c.d): it runs over IPv4 (tcpcb.v6 false, NetBSD's IPv4 path for a mapped in6pcb)
 * with so.laddr/so.faddr as the IPv4 endpoints and laddr6/faddr6 as their mapped forms, which is what
 * getsockname/getpeername/accept report.
 */
export function tcpMapToV4(so: Socket, tp: { readonly v6: boolean }): void {
  (tp as { v6: boolean }).v6 = false;
  so.laddr6 = ipv6MappedFrom4(so.laddr);
  so.faddr6 = ipv6MappedFrom4(so.faddr);
}

/** A TCP listener that takes IPv4 SYNs: AF_INET6, IPV6_V6ONLY 0, bound to :: or to a mapped address. */
export function tcpDualStackListener(so: Socket): boolean {
  return so.domain === AF_INET6 && !so.v6only && (ipv6IsUnspecified(so.laddr6) || ipv6IsV4Mapped(so.laddr6));
}
