/**
 * <netinet/in.h>: Internet protocol numbers for socket(2), IP-level socket options, and the IPv4 socket
 * address. Protocol numbers are the IP header's (stack/net/wire/ipv4.ts IpProto), so the two never differ.
 */
import type { Ipv4Addr } from '../../net/wire/addr';
import { IpProto } from '../../net/wire/ipv4';
import { AF_INET } from '../sys/socket';

/** Protocols (IPPROTO_*): 0 is "the default for the type" and the setsockopt level of IP options. */
export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = IpProto.ICMP;
export const IPPROTO_UDP = IpProto.UDP;
export const IPPROTO_RAW = IpProto.RAW;

/** IP-level socket options (level IPPROTO_IP). */
export const IP_HDRINCL = 2;
export const IP_TOS = 3;
export const IP_TTL = 4;

/** struct sockaddr_in: the address in host order (stack/net/wire/addr.ts), the port as a number. */
export interface SockAddrIn {
  family: typeof AF_INET;
  addr: Ipv4Addr;
  port: number;
}

export function sockaddrIn(addr: Ipv4Addr, port = 0): SockAddrIn {
  return { family: AF_INET, addr, port };
}
