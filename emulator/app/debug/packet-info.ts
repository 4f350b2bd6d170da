/**
 * What the debugger knows about one packet: decoded from its frame bytes (zero-copy views from
 * stack/net/wire), or pieced together from trace-record fields when no bytes were seen (a saved trace, or a
 * packet still inside a stack). `complete` says the information came from bytes: a missing field then means
 * "not present", not "unknown".
 */
import type { TraceRecord } from '../../machine/sim/trace';
import { ArpOp, ArpPacket, ArpRepr } from '../../../stack/net/wire/arp';
import { ipToString, macToString } from '../../../stack/net/wire/addr';
import { parseIpv6, ipv6ToString, type Ipv6Addr } from '../../../stack/net/wire/addr6';
import { EtherType, EthernetFrame, EthernetRepr } from '../../../stack/net/wire/ethernet';
import { IcmpPacket, IcmpRepr } from '../../../stack/net/wire/icmp';
import { IpProto, Ipv4Packet, type Ipv4Check } from '../../../stack/net/wire/ipv4';
import { Icmp6Type, icmp6TypeName } from '../../../stack/net/wire/icmpv6';
import { Ip6Nxt } from '../../../stack/net/wire/ipv6';
import { TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN, TH_URG, tcpPseudoSum4 } from '../../../stack/net/wire/tcp';
import { UdpPacket, UdpRepr } from '../../../stack/net/wire/udp';
import { WireError } from '../../../stack/net/wire/view';
import { ICMP6_TYPES, ICMP_TYPES } from './filter';
import { IP6_EXT_HEADERS, decodeIpv6, decodeTcp, tcpSummary } from './packet-tcp-ip6';

export interface PacketInfo {
  pkt: number;
  complete: boolean;
  bytes: Uint8Array | null;
  len?: number;
  ethSrc?: Uint8Array;
  ethDst?: Uint8Array;
  ethertype?: number;
  ipSrc?: number;
  ipDst?: number;
  ipProto?: number;
  ipTtl?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  icmpSeq?: number;
  sport?: number;
  dport?: number;
  arpOp?: number;
  arpSpa?: number;
  arpTpa?: number;
  ip6Src?: Ipv6Addr;
  ip6Dst?: Ipv6Addr;
  /** The upper-layer protocol: the next header after the extension headers (hop-by-hop, routing, fragment, …). */
  ip6Nxt?: number;
  ip6Hlim?: number;
  icmp6Type?: number;
  icmp6Code?: number;
  tcpFlags?: number;
  tcpSeq?: number;
  tcpAck?: number;
  tcpWin?: number;
  /** TCP payload bytes (tcpdump's "length"). */
  tcpLen?: number;
  /** From bytes: the first check of the stack's wire library the frame fails ("IPv4: bad header checksum"). */
  malformed?: string;
}

/** IPv4 checks whose failure still leaves the fixed header readable (past the header-length checks). */
const IPV4_HEADER_READABLE: readonly Ipv4Check[] = ['badsum', 'badlen', 'tooshort'];

/**
 * Decode an Ethernet frame (no FCS) with the stack's validators (stack/net/wire). Never throws: a frame
 * that fails a check decodes as far as its headers can be read, and `malformed` says which check failed.
 */
export function decodeFrame(pkt: number, bytes: Uint8Array): PacketInfo {
  const info: PacketInfo = { pkt, complete: true, bytes, len: bytes.length };
  const bad = (layer: string, e: WireError): void => {
    info.malformed ??= `${layer}: ${e.reason}`;
  };
  const frame = new EthernetFrame(bytes);
  const eth = EthernetRepr.parse(frame);
  if (eth instanceof WireError) {
    bad('Ethernet', eth);
    return info;
  }
  info.ethDst = eth.dst;
  info.ethSrc = eth.src;
  info.ethertype = eth.ethertype;
  const payload = frame.payload;
  if (info.ethertype === EtherType.IPv4) {
    const ip = new Ipv4Packet(payload);
    const ipBad = ip.check({ version: true, checksum: true });
    if (ipBad) bad('IPv4', ipBad);
    if (ipBad && !IPV4_HEADER_READABLE.includes(ipBad.check)) return info;
    info.ipSrc = ip.src;
    info.ipDst = ip.dst;
    info.ipProto = ip.protocol;
    info.ipTtl = ip.ttl;
    if (ip.fragOffset !== 0) return info;
    // What the frame holds of the payload the total length announces.
    const l4 = payload.subarray(ip.headerLen, Math.max(ip.headerLen, Math.min(payload.length, ip.totalLen)));
    if (ip.protocol === IpProto.ICMP) {
      const ic = new IcmpPacket(l4);
      const r = IcmpRepr.parse(ic);
      if (r instanceof WireError) bad('ICMP', r);
      if (r instanceof WireError && r.check === 'tooshort') return info;
      info.icmpType = ic.type;
      info.icmpCode = ic.code;
      info.icmpId = ic.ident;
      info.icmpSeq = ic.seq;
    } else if (ip.protocol === IpProto.UDP) {
      const u = new UdpPacket(l4);
      const r = UdpRepr.parse(u, ip.src, ip.dst);
      if (r instanceof WireError) bad('UDP', r);
      if (r instanceof WireError && r.check === 'hdrops') return info;
      info.sport = u.srcPort;
      info.dport = u.dstPort;
    } else if (ip.protocol === IpProto.TCP) {
      decodeTcp(info, l4, tcpPseudoSum4(ip.src, ip.dst, l4.length), !ip.moreFrags, bad); // a first fragment: no checksum
    }
  } else if (info.ethertype === EtherType.IPv6) {
    decodeIpv6(info, payload, bad);
  } else if (info.ethertype === EtherType.ARP) {
    const a = new ArpPacket(payload);
    const r = ArpRepr.parse(a);
    if (r instanceof WireError) bad('ARP', r);
    if (r instanceof WireError && r.check !== 'badop') return info;
    info.arpOp = a.oper;
    info.arpSpa = a.spa;
    info.arpTpa = a.tpa;
  }
  return info;
}

function ipOf(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}
/** "10.0.0.1.5001" or "fe80::1.5001" (the tcp and udp probes' endpoints): address and port. */
function endpointOf(text: unknown): { v4?: number; v6?: Ipv6Addr; port: number } | undefined {
  if (typeof text !== 'string') return undefined;
  const dot = text.lastIndexOf('.');
  const port = Number(text.slice(dot + 1));
  if (dot < 0 || !/^\d+$/.test(text.slice(dot + 1)) || port > 0xffff) return undefined;
  const addr = text.slice(0, dot);
  const v4 = ipOf(addr);
  if (v4 !== undefined) return { v4, port };
  const v6 = addr.includes(':') ? parseIpv6(addr) : null;
  return v6 ? { v6, port } : undefined;
}
function ip6Of(text: unknown): Ipv6Addr | undefined {
  return typeof text === 'string' && text.includes(':') ? parseIpv6(text) ?? undefined : undefined;
}
/** tcpFlagsString's letters (stack/net/wire/tcp.ts) back to th_flags bits. */
const TCP_FLAG_LETTERS: Record<string, number> = { S: TH_SYN, F: TH_FIN, R: TH_RST, P: TH_PUSH, '.': TH_ACK, U: TH_URG };
function tcpFlagsOf(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (text === '-') return 0;
  let f = 0;
  for (const c of text) {
    const bit = TCP_FLAG_LETTERS[c];
    if (bit === undefined) return undefined;
    f |= bit;
  }
  return f;
}
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function macOf(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text)) return undefined;
  return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
}

/**
 * Learn what a trace record says about its packet (stack probes name addresses and protocols; see
 * docs/formats/trace.md). Only fills fields still unknown.
 */
export function learnFromRecord(info: PacketInfo, rec: TraceRecord): void {
  const f = rec.f ?? {};
  const set = <K extends keyof PacketInfo>(k: K, v: PacketInfo[K] | undefined): void => {
    if (v !== undefined && info[k] === undefined) info[k] = v;
  };
  /** A transport record's endpoints: the address family and addresses, and the ports. */
  const endpoints = (proto: number): void => {
    const src = endpointOf(f['src']);
    const dst = endpointOf(f['dst']);
    if (src?.v6 || dst?.v6) {
      set('ethertype', EtherType.IPv6);
      set('ip6Nxt', proto);
      set('ip6Src', src?.v6);
      set('ip6Dst', dst?.v6);
    } else {
      set('ethertype', EtherType.IPv4);
      set('ipProto', proto);
      set('ipSrc', src?.v4);
      set('ipDst', dst?.v4);
    }
    set('sport', src?.port);
    set('dport', dst?.port);
  };
  /** An ICMPv6 message (an icmp6, nd6 or mld record). */
  const icmp6 = (type: number | undefined): void => {
    set('ethertype', EtherType.IPv6);
    set('ip6Nxt', Ip6Nxt.ICMPV6);
    set('icmp6Type', type);
  };
  switch (rec.layer) {
    case 'tcp':
      if (rec.probe === 'input' || rec.probe === 'output') {
        endpoints(IpProto.TCP);
        set('tcpFlags', tcpFlagsOf(f['flags']));
        set('tcpSeq', num(f['seq']));
        set('tcpAck', num(f['ack']));
        set('tcpWin', num(f['win']));
        set('tcpLen', num(f['len']));
      }
      break;
    case 'ip6':
      if (rec.probe === 'input' || rec.probe === 'output' || rec.probe === 'forward' || rec.probe === 'raw-output') {
        set('ethertype', EtherType.IPv6);
        set('ip6Src', ip6Of(f['src']));
        set('ip6Dst', ip6Of(f['dst']));
        // The fixed header's next header is the upper layer unless it names an extension header.
        const nxt = num(f['nxt']);
        if (nxt !== undefined && !IP6_EXT_HEADERS.has(nxt) && nxt !== Ip6Nxt.FRAGMENT) set('ip6Nxt', nxt);
        if (rec.probe === 'forward') set('ip6Hlim', num(f['hlim']));
      }
      break;
    case 'icmp6':
      if (rec.probe === 'input' || rec.probe === 'error') {
        icmp6(typeof f['type'] === 'string' ? ICMP6_TYPES[f['type']] ?? (/^type-(\d+)$/.test(f['type']) ? Number(f['type'].slice(5)) : undefined) : undefined);
        set('icmp6Code', num(f['code']));
        if (rec.probe === 'input') set('ip6Src', ip6Of(f['src']));
        else set('ip6Dst', ip6Of(f['to']));
      }
      break;
    case 'nd6': {
      const t = ND6_PROBES[rec.probe];
      if (t === undefined) break;
      icmp6(t);
      set('ip6Src', ip6Of(f['src']));
      set('ip6Dst', ip6Of(f['dst']));
      break;
    }
    case 'mld':
      // A report is MLDv1's (131) or MLDv2's (143): the record does not say which.
      if (rec.probe === 'query' || rec.probe === 'report' || rec.probe === 'done') {
        icmp6(rec.probe === 'query' ? Icmp6Type.MldQuery : rec.probe === 'done' ? Icmp6Type.MldDone : undefined);
        set('ip6Src', ip6Of(f['src']));
      }
      break;
    case 'ip':
      if (rec.probe === 'output' || rec.probe === 'input') {
        set('ethertype', EtherType.IPv4);
        set('ipSrc', ipOf(f['src']));
        set('ipDst', ipOf(f['dst']));
        if (typeof f['proto'] === 'number') set('ipProto', f['proto']);
      } else if (rec.probe === 'forward' || rec.probe === 'raw-output') {
        set('ethertype', EtherType.IPv4);
        set('ipDst', ipOf(f['dst']));
      }
      break;
    case 'icmp': {
      const m = /^(.*)-(in|out)$/.exec(rec.probe);
      if (!m) break;
      set('ethertype', EtherType.IPv4);
      set('ipProto', IpProto.ICMP);
      const t = ICMP_TYPES[m[1]!] ?? (/^type-(\d+)$/.test(m[1]!) ? Number(m[1]!.slice(5)) : undefined);
      set('icmpType', t);
      if (typeof f['code'] === 'number') set('icmpCode', f['code']);
      if (m[2] === 'in') set('ipSrc', ipOf(f['src']));
      else set('ipDst', ipOf(f['dst']));
      break;
    }
    case 'udp':
      if (rec.probe === 'input' || rec.probe === 'output') endpoints(IpProto.UDP);
      break;
    case 'arp':
      if (rec.probe === 'request') {
        set('ethertype', EtherType.ARP);
        set('arpOp', ArpOp.Request);
        set('arpSpa', ipOf(f['sip']));
        set('arpTpa', ipOf(f['tip']));
      } else if (rec.probe === 'reply') {
        set('ethertype', EtherType.ARP);
        set('arpOp', ArpOp.Reply);
        set('arpSpa', ipOf(f['ip']));
        set('arpTpa', ipOf(f['to']));
      } else if (rec.probe === 'resolved') {
        set('ethertype', EtherType.ARP);
      } else if (rec.probe === 'resolve') {
        set('ethDst', macOf(f['mac']));
      }
      break;
    case 'socket':
      if (rec.probe === 'send') set('ipDst', ipOf(f['to']));
      break;
  }
}

/** nd6 probes about one ND message, and its ICMPv6 type (RFC 4861 §4). */
const ND6_PROBES: Record<string, number> = {
  'rs-output': Icmp6Type.RouterSolicit, 'ra-input': Icmp6Type.RouterAdvert, 'ra-output': Icmp6Type.RouterAdvert,
  'ns-input': Icmp6Type.NeighborSolicit, 'ns-output': Icmp6Type.NeighborSolicit, 'ns-ignored': Icmp6Type.NeighborSolicit,
  'na-input': Icmp6Type.NeighborAdvert, 'na-output': Icmp6Type.NeighborAdvert,
};

const ARP_OPS: Record<number, string> = { [ArpOp.Request]: 'Request', [ArpOp.Reply]: 'Reply' };

/** A one-line tcpdump-like summary. */
export function summarize(i: PacketInfo): string {
  const parts: string[] = [];
  if (i.ethSrc && i.ethDst) parts.push(`${macToString(i.ethSrc)} > ${macToString(i.ethDst)}`);
  else if (i.ethDst) parts.push(`> ${macToString(i.ethDst)}`);
  if (i.ethertype === EtherType.ARP) {
    const op = i.arpOp !== undefined ? ARP_OPS[i.arpOp] ?? `op ${i.arpOp}` : '?';
    const who = i.arpOp === ArpOp.Reply && i.arpSpa !== undefined ? `${ipToString(i.arpSpa)} is-at ${i.ethSrc ? macToString(i.ethSrc) : '?'}` : '';
    const has = i.arpOp === ArpOp.Request && i.arpTpa !== undefined ? `who-has ${ipToString(i.arpTpa)} tell ${i.arpSpa !== undefined ? ipToString(i.arpSpa) : '?'}` : '';
    parts.push(`ARP, ${op}${has || who ? ' ' + (has || who) : ''}`);
  } else if (i.ethertype === EtherType.IPv4 || i.ipProto !== undefined) {
    const src = i.ipSrc !== undefined ? ipToString(i.ipSrc) + (i.sport !== undefined ? `.${i.sport}` : '') : '?';
    const dst = i.ipDst !== undefined ? ipToString(i.ipDst) + (i.dport !== undefined ? `.${i.dport}` : '') : '?';
    let l4 = i.ipProto !== undefined ? `proto ${i.ipProto}` : 'IPv4';
    if (i.ipProto === IpProto.ICMP) {
      const name = Object.entries(ICMP_TYPES).find(([, v]) => v === i.icmpType)?.[0] ?? (i.icmpType !== undefined ? `type ${i.icmpType}` : '');
      l4 = `ICMP ${name}`.trim();
      if (i.icmpId !== undefined && (i.icmpType === 0 || i.icmpType === 8)) l4 += `, id ${i.icmpId}, seq ${i.icmpSeq}`;
    } else if (i.ipProto === IpProto.UDP) {
      l4 = 'UDP';
    } else if (i.ipProto === IpProto.TCP) {
      l4 = tcpSummary(i);
    }
    parts.push(`IPv4 ${src} > ${dst}: ${l4}`);
  } else if (i.ethertype === EtherType.IPv6 || i.ip6Nxt !== undefined) {
    const port = (p: number | undefined): string => (p !== undefined && (i.ip6Nxt === IpProto.TCP || i.ip6Nxt === IpProto.UDP) ? `.${p}` : '');
    const src = i.ip6Src ? ipv6ToString(i.ip6Src) + port(i.sport) : '?';
    const dst = i.ip6Dst ? ipv6ToString(i.ip6Dst) + port(i.dport) : '?';
    let l4 = i.ip6Nxt !== undefined ? `next-header ${i.ip6Nxt}` : 'IPv6';
    if (i.ip6Nxt === Ip6Nxt.ICMPV6) {
      l4 = `ICMP6 ${i.icmp6Type !== undefined ? icmp6TypeName(i.icmp6Type) : ''}`.trim();
      if (i.icmpId !== undefined && (i.icmp6Type === Icmp6Type.EchoRequest || i.icmp6Type === Icmp6Type.EchoReply)) l4 += `, id ${i.icmpId}, seq ${i.icmpSeq}`;
    } else if (i.ip6Nxt === Ip6Nxt.UDP) {
      l4 = 'UDP';
    } else if (i.ip6Nxt === Ip6Nxt.TCP) {
      l4 = tcpSummary(i);
    }
    parts.push(`IPv6 ${src} > ${dst}: ${l4}`);
  } else if (i.ethertype !== undefined) {
    parts.push(`ethertype 0x${i.ethertype.toString(16).padStart(4, '0')}`);
  }
  // A TCP line already has tcpdump's "length" (the payload's): the frame's is then called so.
  if (i.len !== undefined) parts.push(`${i.tcpLen !== undefined ? 'frame length' : 'length'} ${i.len}`);
  if (i.malformed) parts.push(`malformed: ${i.malformed}`);
  if (!i.complete) parts.push('(from trace fields; bytes not seen)');
  return parts.join(', ') || '(nothing known)';
}

/** tcpdump -xx style hex dump. */
export function hexDump(bytes: Uint8Array, indent = '  '): string[] {
  const out: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    let hex = '';
    for (let i = 0; i < 16; i += 2) {
      if (i < row.length) hex += (row[i]!.toString(16).padStart(2, '0') + (i + 1 < row.length ? row[i + 1]!.toString(16).padStart(2, '0') : '  ')) + ' ';
      else hex += '     ';
    }
    let ascii = '';
    for (const b of row) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    out.push(`${indent}0x${off.toString(16).padStart(4, '0')}:  ${hex} ${ascii}`);
  }
  return out;
}
