/**
 * The IPv6 tunables io-pkt-v6-hc answers (NetBSD netinet6/ip6_input.c sysctl_net_inet6_ip6_setup, icmp6.c):
 * net.inet6.ip6.forwarding (a router: joins ff02::2, stops soliciting, may run rtadvd), net.inet6.ip6.hlim
 * (ip6_defhlim), net.inet6.ip6.v6only (ip6_v6only), net.inet6.icmp6.nd6_delay / nd6_umaxtries / nd6_mmaxtries (read only here: the RFC 4861
 * constants this stack uses). Returns undefined for a name it does not know, so the caller goes on;
 * ENOENT without IPv6.
 */
import { Errno } from '../kernel/api';
import { MAX_MULTICAST_SOLICIT, MAX_UNICAST_SOLICIT } from '../net/ip6/nd6';
import type { IoPktProcess } from './process';

export function sysctl6(p: IoPktProcess, name: string, value: number | undefined): { data: number } | number | undefined {
  if (!name.startsWith('net.inet6.')) return undefined;
  const ip6 = p.stack.ip6;
  switch (name) {
    case 'net.inet6.ip6.forwarding':
      if (!ip6) return Errno.ENOENT;
      if (value !== undefined) ip6.setForwarding(value !== 0);
      return { data: ip6.forwarding ? 1 : 0 };
    case 'net.inet6.ip6.hlim':
      if (!ip6) return Errno.ENOENT;
      if (value !== undefined) {
        if (value < 1 || value > 255) return Errno.EINVAL;
        ip6.defHlim = value;
      }
      return { data: ip6.defHlim };
    case 'net.inet6.ip6.v6only':
      // ip6_v6only: the IPV6_V6ONLY new AF_INET6 sockets start with (NetBSD default 1, RFC 3493 §5.3 says 0).
      if (!ip6) return Errno.ENOENT;
      if (value !== undefined) ip6.v6only = value !== 0;
      return { data: ip6.v6only ? 1 : 0 };
    case 'net.inet6.icmp6.nd6_delay':
      return ip6 ? (value !== undefined ? Errno.EPERM : { data: 5 }) : Errno.ENOENT;
    case 'net.inet6.icmp6.nd6_umaxtries':
      return ip6 ? (value !== undefined ? Errno.EPERM : { data: MAX_UNICAST_SOLICIT }) : Errno.ENOENT;
    case 'net.inet6.icmp6.nd6_mmaxtries':
      return ip6 ? (value !== undefined ? Errno.EPERM : { data: MAX_MULTICAST_SOLICIT }) : Errno.ENOENT;
    default:
      return undefined;
  }
}
