/**
 * Address specifications as pfctl_parser.c's host() resolves them: an interface name (host_if: its addresses,
 * or with `:network` its networks), an IPv4 address or network (host_v4, inet_net_pton, so `10/8` works), an
 * IPv6 one (host_v6); no resolver is configured on the node, so anything else is "no IP address found for x".
 * Also the interface list pfctl reads with getifaddrs (ifa_load), here SIOCGIFCONF's answer.
 */
import { PF_AF_INET, PF_AF_INET6, type PfAddrWrap } from '../../include/net/pfvar';
import { ipToString, maskFromPrefix, parseIpv4, prefixFromMask } from '../../net/wire/addr';
import { ipv6MaskLen, ipv6PrefixMask, ipv6ToString, parseIpv6 } from '../../net/wire/addr6';

/** What pfctl knows of an interface (ifa_load): its name and IPv4 addresses (host order) with masks. */
export interface PfIface {
  readonly name: string;
  readonly addrs: readonly { readonly addr: number; readonly mask: number }[];
  /** IFF_LOOPBACK (antispoof adds no address rule for it). */
  readonly loopback?: boolean;
}

/** One address of a rule or table (struct node_host): the wrap and its address family (0: any family). */
export interface NodeHost {
  readonly addr: PfAddrWrap;
  readonly af: number;
}

export const ANY_HOST: NodeHost = { addr: { type: 'any', neg: false }, af: 0 };

export function v4Bytes(a: number): Uint8Array {
  return Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
}

export function v4FromBytes(b: Uint8Array): number {
  return (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
}

export function addrmask(af: number, addr: Uint8Array, bits: number, neg = false): NodeHost {
  const mask = af === PF_AF_INET ? v4Bytes(maskFromPrefix(bits)) : ipv6PrefixMask(bits);
  return { addr: { type: 'addrmask', af, addr, mask, neg }, af };
}

/** unmask(): the prefix length of a contiguous mask. */
export function unmask(af: number, mask: Uint8Array): number {
  return af === PF_AF_INET ? (prefixFromMask(v4FromBytes(mask)) ?? 32) : ipv6MaskLen(mask);
}

export function addrToString(af: number, addr: Uint8Array): string {
  return af === PF_AF_INET6 ? ipv6ToString(addr) : ipToString(v4FromBytes(addr));
}

/** inet_net_pton(AF_INET): dotted quad, or with /bits up to four parts (`10/8`, `192.168.1/24`). */
function hostV4(s: string, bits: number | null): NodeHost | null {
  if (bits === null) {
    const a = parseIpv4(s);
    return a === null ? null : addrmask(PF_AF_INET, v4Bytes(a), 32);
  }
  if (!/^\d{1,3}(\.\d{1,3}){0,3}$/.test(s) || bits > 32) return null;
  const parts = s.split('.').map(Number);
  if (parts.some((p) => p > 255)) return null;
  while (parts.length < 4) parts.push(0);
  return addrmask(PF_AF_INET, Uint8Array.from(parts), bits);
}

export type HostResult = { readonly hosts: NodeHost[] } | { readonly error: string };

/**
 * host(s): the node_host list for a word (`/bits` already folded in by the grammar). Errors are what pfctl prints
 * on stderr before the parser's "could not parse host specification".
 */
export function host(s: string, ifaces: readonly PfIface[] | null): HostResult {
  let bits: number | null = null;
  let ps = s;
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    const m = s.slice(slash + 1);
    if (!/^\d+$/.test(m) || Number(m) > 128) return { error: `invalid netmask '${s.slice(slash)}'` };
    bits = Number(m);
    ps = s.slice(0, slash);
  }
  const ifh = hostIf(ps, bits, ifaces);
  if (ifh) return ifh;
  const h4 = hostV4(ps, bits);
  if (h4) return { hosts: [h4] };
  const a6 = parseIpv6(ps);
  if (a6 && (bits === null || bits <= 128)) return { hosts: [addrmask(PF_AF_INET6, a6, bits ?? 128)] };
  return { error: `no IP address found for ${s}` };
}

/** host_if: `en0` → its addresses (/32), `en0:network` → its networks; null when no such interface. */
function hostIf(s: string, bits: number | null, ifaces: readonly PfIface[] | null): HostResult | null {
  const colon = s.indexOf(':');
  const name = colon < 0 ? s : s.slice(0, colon);
  const mod = colon < 0 ? '' : s.slice(colon + 1);
  const ifp = ifaces?.find((i) => i.name === name);
  if (!ifp) return null;
  if (mod !== '' && mod !== 'network') return { error: `${mod === 'broadcast' || mod === 'peer' || mod === '0' ? `interface modifier ':${mod}' is not supported by this lsm-pf` : `invalid interface modifier ':${mod}'`}` };
  if (ifp.addrs.length === 0) return { error: `no IP address found for ${s}` };
  return {
    hosts: ifp.addrs.map((a) => {
      const net = mod === 'network';
      const plen = bits ?? (net ? (prefixFromMask(a.mask) ?? 32) : 32);
      return addrmask(PF_AF_INET, v4Bytes(net ? (a.addr & a.mask) >>> 0 : a.addr), plen);
    }),
  };
}

/** Whether an interface of that name exists (ifa_exists). */
export function ifaExists(name: string, ifaces: readonly PfIface[] | null): boolean {
  return ifaces === null || ifaces.some((i) => i.name === name);
}

/** `!` applied to every host of a list (xhost: not host). */
export function negate(h: NodeHost, neg: boolean): NodeHost {
  return { af: h.af, addr: { ...h.addr, neg } };
}
