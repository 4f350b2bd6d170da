/**
 * <netinet/in.h> (and the parts of <netinet6/in6.h> applications use): Internet protocol numbers for
 * socket(2), IP-level socket options, and the IPv4 and IPv6 socket addresses. Protocol numbers are the IP
 * header's (stack/net/wire/ipv4.ts IpProto), so the two never differ. Option values are NetBSD's.
 */
import { ipToString, type Ipv4Addr } from '../../net/wire/addr';
import { ipv6ToString } from '../../net/wire/addr6';
import { IpProto } from '../../net/wire/ipv4';
import { AF_INET, AF_INET6 } from '../sys/socket';

/** Protocols (IPPROTO_*): 0 is "the default for the type" and the setsockopt level of IP options. */
export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = IpProto.ICMP;
export const IPPROTO_IGMP = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = IpProto.UDP;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;
export const IPPROTO_RAW = IpProto.RAW;

/** IP-level socket options (level IPPROTO_IP). */
export const IP_OPTIONS = 1;
export const IP_HDRINCL = 2;
export const IP_TOS = 3;
export const IP_TTL = 4;
export const IP_MULTICAST_IF = 9;
export const IP_MULTICAST_TTL = 10;
export const IP_MULTICAST_LOOP = 11;
export const IP_ADD_MEMBERSHIP = 12;
export const IP_DROP_MEMBERSHIP = 13;
/** IP_MAX_MEMBERSHIPS: groups one socket may join (NetBSD). */
export const IP_MAX_MEMBERSHIPS = 20;

/** IPv6-level socket options (level IPPROTO_IPV6, NetBSD <netinet6/in6.h>). */
export const IPV6_UNICAST_HOPS = 4;
export const IPV6_MULTICAST_IF = 9;
export const IPV6_MULTICAST_HOPS = 10;
export const IPV6_MULTICAST_LOOP = 11;
export const IPV6_JOIN_GROUP = 12;
export const IPV6_LEAVE_GROUP = 13;
export const IPV6_V6ONLY = 27;

/** struct ip_mreq (IP_ADD_MEMBERSHIP/IP_DROP_MEMBERSHIP): the group and the local interface address (0 = any). */
export interface IpMreq {
  multiaddr: Ipv4Addr;
  interface: Ipv4Addr;
}

/** struct sockaddr_in: the address in host order (stack/net/wire/addr.ts), the port as a number. */
export interface SockAddrIn {
  family: typeof AF_INET;
  addr: Ipv4Addr;
  port: number;
}

/** struct sockaddr_in6: the address as 16 bytes in network order, the port, the scope (interface index). */
export interface SockAddrIn6 {
  family: typeof AF_INET6;
  addr: Uint8Array;
  port: number;
  scopeId: number;
  flowinfo?: number;
}

/** Either Internet socket address (what recvfrom/accept/getpeername return on an AF_INET or AF_INET6 socket). */
export type SockAddr = SockAddrIn | SockAddrIn6;

export function sockaddrIn(addr: Ipv4Addr, port = 0): SockAddrIn {
  return { family: AF_INET, addr, port };
}

export function sockaddrIn6(addr: Uint8Array, port = 0, scopeId = 0): SockAddrIn6 {
  return { family: AF_INET6, addr: addr.slice(0, 16), port, scopeId };
}

/** "a.b.c.d.port" / "addr6.port" as netstat prints endpoints (port "*" when 0 and `star` is set). */
export function sockaddrToString(sa: SockAddr, star = false): string {
  const port = star && sa.port === 0 ? '*' : String(sa.port);
  if (sa.family === AF_INET) return `${ipToString(sa.addr)}.${port}`;
  return `${ipv6ToString(sa.addr)}.${port}`;
}

/** The IPv4 address of an AF_INET sockaddr (0 for anything else). */
export function sockaddrIp4(sa: SockAddr | null): Ipv4Addr {
  return sa && sa.family === AF_INET ? sa.addr : 0;
}
