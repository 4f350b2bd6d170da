/**
 * Evaluating a filter AST against what is known of a packet. With frame bytes every primitive is decided;
 * from trace fields alone some are unknown, so evaluation is three-valued (Kleene): true, false or null
 * (unknown), and a filter matches only when it evaluates to true.
 */
import { macEquals, macIsBroadcast } from '../../../stack/net/wire/addr';
import { ipv6Equals } from '../../../stack/net/wire/addr6';
import { ETHER_HDR_LEN, EtherType, EthernetFrame } from '../../../stack/net/wire/ethernet';
import { IpProto, Ipv4Packet } from '../../../stack/net/wire/ipv4';
import { IP6_FRAG_LEN, IP6_HDR_LEN, Ip6Nxt, Ipv6FragHeader, Ipv6Packet, extHeaderLen } from '../../../stack/net/wire/ipv6';
import type { FilterNode, Value } from './filter';
import type { PacketInfo } from './packet-info';

export type Tri = boolean | null;

const and3 = (a: Tri, b: () => Tri): Tri => (a === false ? false : ((r) => (r === false ? false : a === true && r === true ? true : null))(b()));
const or3 = (a: Tri, b: () => Tri): Tri => (a === true ? true : ((r) => (r === true ? true : a === false && r === false ? false : null))(b()));

/** True if any known value equals `want`; false if none does and nothing relevant is unknown; else null. */
function anyEq<T>(info: PacketInfo, values: (T | undefined)[], want: T, eq: (a: T, b: T) => boolean = (a, b) => a === b): Tri {
  let unknown = false;
  for (const v of values) {
    if (v === undefined) unknown = true;
    else if (eq(v, want)) return true;
  }
  return unknown && !info.complete ? null : false;
}

function isIp(i: PacketInfo): Tri {
  if (i.ethertype !== undefined) return i.ethertype === EtherType.IPv4;
  if (i.ipProto !== undefined) return true;
  if (i.ip6Nxt !== undefined) return false;
  return i.complete ? false : null;
}
function isIp6(i: PacketInfo): Tri {
  if (i.ethertype !== undefined) return i.ethertype === EtherType.IPv6;
  if (i.ip6Nxt !== undefined) return true;
  if (i.ipProto !== undefined) return false;
  return i.complete ? false : null;
}
function isArp(i: PacketInfo): Tri {
  if (i.ethertype !== undefined) return i.ethertype === EtherType.ARP;
  if (i.ipProto !== undefined || i.ip6Nxt !== undefined) return false;
  return i.complete ? false : null;
}
/** An IPv4 packet of protocol `p`. */
function isIpProto(i: PacketInfo, p: number): Tri {
  if (i.ipProto !== undefined) return i.ipProto === p;
  const ip = isIp(i);
  return ip === false ? false : i.complete ? false : null;
}
/** An IPv6 packet whose upper layer (after the extension headers) is `p`. */
function isIp6Proto(i: PacketInfo, p: number): Tri {
  if (i.ip6Nxt !== undefined) return i.ip6Nxt === p;
  const ip6 = isIp6(i);
  return ip6 === false ? false : i.complete ? false : null;
}
/** `tcp` and `udp` are either family's, as in pcap-filter. */
const isTransport = (i: PacketInfo, p: number): Tri => or3(isIpProto(i, p), () => isIp6Proto(i, p));

export function evaluate(n: FilterNode, i: PacketInfo): Tri {
  switch (n.kind) {
    case 'and':
      return and3(evaluate(n.left, i), () => evaluate(n.right, i));
    case 'or':
      return or3(evaluate(n.left, i), () => evaluate(n.right, i));
    case 'not': {
      const v = evaluate(n.expr, i);
      return v === null ? null : !v;
    }
    case 'proto':
      switch (n.proto) {
        case 'ether':
          return i.complete ? i.ethertype !== undefined : i.ethertype !== undefined ? true : null;
        case 'ip':
          return isIp(i);
        case 'ip6':
          return isIp6(i);
        case 'icmp6':
          return isIp6Proto(i, Ip6Nxt.ICMPV6);
        case 'arp':
          return isArp(i);
        case 'icmp':
          return isIpProto(i, IpProto.ICMP);
        case 'udp':
          return isTransport(i, IpProto.UDP);
        case 'tcp':
          return isTransport(i, IpProto.TCP);
      }
      return null;
    case 'icmp-type':
      if (i.icmpType !== undefined) return i.icmpType === n.type;
      return isIpProto(i, IpProto.ICMP) === false || i.complete ? false : null;
    case 'icmp6-type':
      if (i.icmp6Type !== undefined) return i.icmp6Type === n.type;
      return isIp6Proto(i, Ip6Nxt.ICMPV6) === false || i.complete ? false : null;
    case 'broadcast':
      if (i.ethDst) return macIsBroadcast(i.ethDst);
      return i.complete ? false : null;
    case 'pkt':
      return i.pkt === n.id;
    case 'host': {
      const ip = n.via !== 'arp' ? isIp(i) : false;
      const arp = n.via !== 'ip' ? isArp(i) : false;
      let r: Tri = false;
      if (ip !== false) {
        const vals = n.dir === 'src' ? [i.ipSrc] : n.dir === 'dst' ? [i.ipDst] : [i.ipSrc, i.ipDst];
        r = or3(r, () => and3(ip, () => anyEq(i, vals, n.addr)));
      }
      if (arp !== false) {
        const vals = n.dir === 'src' ? [i.arpSpa] : n.dir === 'dst' ? [i.arpTpa] : [i.arpSpa, i.arpTpa];
        r = or3(r, () => and3(arp, () => anyEq(i, vals, n.addr)));
      }
      return r;
    }
    case 'host6': {
      const vals = n.dir === 'src' ? [i.ip6Src] : n.dir === 'dst' ? [i.ip6Dst] : [i.ip6Src, i.ip6Dst];
      return and3(isIp6(i), () => anyEq(i, vals, n.addr, ipv6Equals));
    }
    case 'ether-host': {
      const vals = n.dir === 'src' ? [i.ethSrc] : n.dir === 'dst' ? [i.ethDst] : [i.ethSrc, i.ethDst];
      return anyEq(i, vals, n.mac, macEquals);
    }
    case 'port': {
      const proto: Tri =
        n.via === 'udp' ? isTransport(i, IpProto.UDP) : n.via === 'tcp' ? isTransport(i, IpProto.TCP) : or3(isTransport(i, IpProto.UDP), () => isTransport(i, IpProto.TCP));
      const vals = n.dir === 'src' ? [i.sport] : n.dir === 'dst' ? [i.dport] : [i.sport, i.dport];
      return and3(proto, () => anyEq(i, vals, n.port));
    }
    case 'cmp': {
      const a = value(n.left, i);
      const b = value(n.right, i);
      if (a === null || b === null) return null;
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      switch (n.op) {
        case '==':
          return a === b;
        case '!=':
          return a !== b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
      }
    }
  }
  return null;
}

/**
 * Offset of a protocol's header in the frame, or null when the frame does not carry it. As in pcap-filter,
 * the header is located, not validated: `icmp[0]` needs an IPv4 header to find its length, nothing more.
 */
function headerOffset(proto: string, bytes: Uint8Array): number | null {
  if (proto === 'ether') return 0;
  const eth = new EthernetFrame(bytes);
  if (eth.checkLen()) return null;
  if (proto === 'arp') return eth.ethertype === EtherType.ARP ? ETHER_HDR_LEN : null;
  if (eth.ethertype === EtherType.IPv6) return ip6HeaderOffset(proto, eth.payload);
  if (eth.ethertype !== EtherType.IPv4) return null;
  const ip = new Ipv4Packet(eth.payload);
  if (ip.check({ version: false, checksum: false })?.check === 'toosmall') return null;
  if (proto === 'ip') return ETHER_HDR_LEN;
  if (proto === 'icmp') return ip.protocol === IpProto.ICMP ? ETHER_HDR_LEN + ip.headerLen : null;
  if (proto === 'udp') return ip.protocol === IpProto.UDP ? ETHER_HDR_LEN + ip.headerLen : null;
  // A transport header is only in the first fragment (pcap-filter's tcp[] checks the fragment offset).
  if (proto === 'tcp') return ip.protocol === IpProto.TCP && ip.fragOffset === 0 ? ETHER_HDR_LEN + ip.headerLen : null;
  return null;
}

/** In an IPv6 packet: `ip6` at the fixed header; icmp6, udp, tcp after the extension headers (RFC 8200 §4). */
function ip6HeaderOffset(proto: string, payload: Uint8Array): number | null {
  const ip6 = new Ipv6Packet(payload);
  if (ip6.check(false)?.check === 'toosmall') return null;
  if (proto === 'ip6') return ETHER_HDR_LEN;
  let nxt = ip6.nxt;
  let off = IP6_HDR_LEN;
  for (;;) {
    if (nxt === Ip6Nxt.HOPOPTS || nxt === Ip6Nxt.ROUTING || nxt === Ip6Nxt.DSTOPTS) {
      if (off + 2 > payload.length) return null;
      nxt = payload[off]!;
      off += extHeaderLen(payload, off);
    } else if (nxt === Ip6Nxt.FRAGMENT) {
      if (off + IP6_FRAG_LEN > payload.length) return null;
      const fh = new Ipv6FragHeader(payload.subarray(off, off + IP6_FRAG_LEN));
      if (fh.offset !== 0) return null;
      nxt = fh.nxt;
      off += IP6_FRAG_LEN;
    } else {
      break;
    }
  }
  const want = proto === 'icmp6' ? Ip6Nxt.ICMPV6 : proto === 'tcp' ? Ip6Nxt.TCP : proto === 'udp' ? Ip6Nxt.UDP : -1;
  return nxt === want ? ETHER_HDR_LEN + off : null;
}

/** A value's number, or null when it cannot be known (no bytes, or the packet lacks that header: false). */
function value(v: Value, i: PacketInfo): number | null {
  switch (v.kind) {
    case 'num':
      return v.value;
    case 'len':
      return i.len ?? null;
    case 'bits': {
      const a = value(v.left, i);
      const b = value(v.right, i);
      if (a === null || b === null) return null;
      if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
      return (v.op === '&' ? a & b : a | b) >>> 0;
    }
    case 'bytes': {
      if (!i.bytes) {
        if (v.proto === 'icmp' && v.size === 1 && v.off === 0) return i.icmpType ?? null;
        if (v.proto === 'icmp' && v.size === 1 && v.off === 1) return i.icmpCode ?? null;
        if (v.proto === 'icmp6' && v.size === 1 && v.off === 0) return i.icmp6Type ?? null;
        if (v.proto === 'icmp6' && v.size === 1 && v.off === 1) return i.icmp6Code ?? null;
        return tcpField(v.proto, v.off, v.size, i);
      }
      const base = headerOffset(v.proto, i.bytes);
      if (base === null) return NaN; // compares false, as pcap-filter rejects a packet without that header
      const at = base + v.off;
      if (at + v.size > i.bytes.length) return NaN;
      let n = 0;
      for (let k = 0; k < v.size; k++) n = n * 256 + i.bytes[at + k]!;
      return n;
    }
  }
}

/**
 * TCP header fields a trace record names (stack/net/tcp traces flags, seq, ack, win): `tcp[13]` (th_flags),
 * `tcp[0:2]`, `tcp[2:2]`, `tcp[4:4]`, `tcp[8:4]`, `tcp[14:2]`. NaN when the packet is known not to be TCP.
 */
function tcpField(proto: string, off: number, size: number, i: PacketInfo): number | null {
  if (proto !== 'tcp') return null;
  if (isTransport(i, IpProto.TCP) === false) return NaN;
  const f = (o: number, s: number): boolean => off === o && size === s;
  const v = f(13, 1) ? i.tcpFlags : f(0, 2) ? i.sport : f(2, 2) ? i.dport : f(4, 4) ? i.tcpSeq : f(8, 4) ? i.tcpAck : f(14, 2) ? i.tcpWin : undefined;
  return v ?? null;
}

/** Does the packet match? (Unknown counts as no.) */
export function matches(n: FilterNode, i: PacketInfo): boolean {
  return evaluate(n, i) === true;
}
