/**
 * Valid frames for the stack fuzzers, built with the stack's own wire emitters (stack/net/wire: EthernetRepr,
 * ArpRepr, Ipv4Repr, IcmpPacket, UdpRepr, TcpRepr, Ipv6Repr, Icmpv6Packet) so a mutation starts from bytes the
 * real formats define (RFC 826, 791, 792, 768, 9293, 8200, 4443). The IPv4 builder can carry options
 * (RFC 791 §3.1) and fragment fields; the IPv6 builder takes a prepared extension-header chain.
 */
import { ArpPacket, ArpRepr, ARP_LEN } from '../../stack/net/wire/arp';
import { ETHER_HDR_LEN, EtherType, EthernetFrame, EthernetRepr } from '../../stack/net/wire/ethernet';
import { ICMP_MINLEN, IcmpPacket } from '../../stack/net/wire/icmp';
import { Icmpv6Packet, icmp6Checksum } from '../../stack/net/wire/icmpv6';
import { IP_DF, IP_HDR_LEN, IP_MF, IpProto, Ipv4Packet } from '../../stack/net/wire/ipv4';
import { IP6_HDR_LEN, Ip6Nxt, Ipv6Packet, Ipv6Repr, pseudoHeaderSum6 } from '../../stack/net/wire/ipv6';
import { TcpPacket, TcpRepr, tcpPseudoSum4, tcpPseudoSum6, type TcpOptions } from '../../stack/net/wire/tcp';
import { UDP_HDR_LEN, UdpPacket } from '../../stack/net/wire/udp';
import { foldComplement, onesSum } from '../../stack/net/wire/checksum';
import { ipv6MulticastMac, type Ipv6Addr } from '../../stack/net/wire/addr6';
import { PEER_MAC, US_MAC, type Ipv4Addr } from './env';

export function ether(dst: Uint8Array, src: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(ETHER_HDR_LEN + payload.length);
  EthernetRepr.emit({ dst, src, ethertype: type }, new EthernetFrame(f));
  f.set(payload, ETHER_HDR_LEN);
  return f;
}

/** From the peer to us (or `dst`, a group/broadcast MAC). */
export function toUs(type: number, payload: Uint8Array, dst: Uint8Array = US_MAC): Uint8Array {
  return ether(dst, PEER_MAC, type, payload);
}

export interface ArpSpec {
  op: number;
  sha: Uint8Array;
  spa: Ipv4Addr;
  tha: Uint8Array;
  tpa: Ipv4Addr;
}

export function arp(r: ArpSpec): Uint8Array {
  const b = new Uint8Array(ARP_LEN);
  ArpRepr.emit(r, new ArpPacket(b));
  return b;
}

export interface Ip4Spec {
  src: Ipv4Addr;
  dst: Ipv4Addr;
  proto: number;
  payload: Uint8Array;
  ttl?: number;
  tos?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  off?: number;
  /** Option bytes (padded here to a multiple of 4). */
  options?: Uint8Array;
}

export function ipv4(s: Ip4Spec): Uint8Array {
  const opt = s.options ?? new Uint8Array(0);
  const optLen = (opt.length + 3) & ~3;
  const hl = IP_HDR_LEN + optLen;
  const b = new Uint8Array(hl + s.payload.length);
  const p = new Ipv4Packet(b);
  p.setVersionAndHeaderLen(hl);
  p.tos = s.tos ?? 0;
  p.totalLen = b.length;
  p.ident = s.id ?? 1;
  p.flagsFrag = (s.df ? IP_DF : 0) | (s.mf ? IP_MF : 0) | (((s.off ?? 0) >> 3) & 0x1fff);
  p.ttl = s.ttl ?? 64;
  p.protocol = s.proto;
  p.src = s.src;
  p.dst = s.dst;
  b.set(opt, IP_HDR_LEN);
  b.set(s.payload, hl);
  p.fillChecksum();
  return b;
}

export function icmp4(type: number, code: number, rest: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(ICMP_MINLEN + data.length);
  const p = new IcmpPacket(b);
  p.type = type;
  p.code = code;
  p.rest = rest;
  b.set(data, ICMP_MINLEN);
  p.fillChecksum();
  return b;
}

export function udp4(src: Ipv4Addr, dst: Ipv4Addr, sport: number, dport: number, data: Uint8Array, sum = true): Uint8Array {
  const b = new Uint8Array(UDP_HDR_LEN + data.length);
  const u = new UdpPacket(b);
  u.srcPort = sport;
  u.dstPort = dport;
  u.length = b.length;
  b.set(data, UDP_HDR_LEN);
  if (sum) u.fillChecksum(src, dst);
  return b;
}

export interface SegSpec {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  win?: number;
  urg?: number;
  opts?: TcpOptions;
  data?: Uint8Array;
}

function tcpRepr(s: SegSpec): TcpRepr {
  return {
    srcPort: s.sport, dstPort: s.dport, seq: s.seq >>> 0, ack: s.ack >>> 0, flags: s.flags, window: s.win ?? 65535,
    urgent: s.urg ?? 0, options: s.opts ?? {}, payload: s.data ?? new Uint8Array(0),
  };
}

export function tcp4(src: Ipv4Addr, dst: Ipv4Addr, s: SegSpec): Uint8Array {
  const r = tcpRepr(s);
  const b = new Uint8Array(TcpRepr.bufferLen(r));
  TcpRepr.emit(r, new TcpPacket(b), tcpPseudoSum4(src, dst, b.length));
  return b;
}

export function tcp6(src: Ipv6Addr, dst: Ipv6Addr, s: SegSpec): Uint8Array {
  const r = tcpRepr(s);
  const b = new Uint8Array(TcpRepr.bufferLen(r));
  TcpRepr.emit(r, new TcpPacket(b), tcpPseudoSum6(src, dst, b.length));
  return b;
}

/** The TCP checksum refilled after a segment's bytes were changed on purpose. */
export function refillTcp4(seg: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): void {
  new TcpPacket(seg).fillChecksum(tcpPseudoSum4(src, dst, seg.length));
}

export interface Ip6Spec {
  src: Ipv6Addr;
  dst: Ipv6Addr;
  /** Next header of the fixed header (the first extension header's type, or the upper layer). */
  nxt: number;
  /** Extension headers and upper-layer bytes, in order. */
  payload: Uint8Array;
  hlim?: number;
}

export function ipv6(s: Ip6Spec): Uint8Array {
  const b = new Uint8Array(IP6_HDR_LEN + s.payload.length);
  Ipv6Repr.emit({ src: s.src, dst: s.dst, nxt: s.nxt, hlim: s.hlim ?? 64, trafficClass: 0, flowLabel: 0, payloadLen: s.payload.length }, new Ipv6Packet(b));
  b.set(s.payload, IP6_HDR_LEN);
  return b;
}

export function icmp6(src: Ipv6Addr, dst: Ipv6Addr, type: number, code: number, body: Uint8Array): Uint8Array {
  const b = new Uint8Array(4 + body.length);
  b[0] = type;
  b[1] = code;
  b.set(body, 4);
  new Icmpv6Packet(b).checksum = icmp6Checksum(b, src, dst);
  return b;
}

export function udp6(src: Ipv6Addr, dst: Ipv6Addr, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(UDP_HDR_LEN + data.length);
  const u = new UdpPacket(b);
  u.srcPort = sport;
  u.dstPort = dport;
  u.length = b.length;
  b.set(data, UDP_HDR_LEN);
  const c = foldComplement(onesSum(b, 0, b.length, pseudoHeaderSum6(src, dst, Ip6Nxt.UDP, b.length)));
  u.checksum = c === 0 ? 0xffff : c;
  return b;
}

/** An IPv6 frame to us, or to the group MAC of a multicast destination. */
export function toUs6(pkt: Uint8Array, dst6: Ipv6Addr): Uint8Array {
  return toUs(EtherType.IPv6, pkt, dst6[0] === 0xff ? ipv6MulticastMac(dst6) : US_MAC);
}

/** An extension header of type hop-by-hop / destination options: `nxt`, then `body` padded to 8n-2 bytes with PadN. */
export function optionsHeader(nxt: number, body: Uint8Array): Uint8Array {
  const total = Math.ceil((body.length + 2) / 8) * 8;
  const b = new Uint8Array(total);
  b[0] = nxt;
  b[1] = total / 8 - 1;
  b.set(body, 2);
  const pad = total - 2 - body.length;
  if (pad === 1) b[2 + body.length] = 0; // Pad1
  else if (pad >= 2) {
    b[2 + body.length] = 1; // PadN
    b[3 + body.length] = pad - 2;
  }
  return b;
}

/** A fragment header (RFC 8200 §4.5). */
export function fragHeader(nxt: number, offset: number, more: boolean, ident: number): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = nxt;
  const v = (offset & 0xfff8) | (more ? 1 : 0);
  b[2] = v >> 8;
  b[3] = v & 0xff;
  b[4] = (ident >>> 24) & 0xff;
  b[5] = (ident >>> 16) & 0xff;
  b[6] = (ident >>> 8) & 0xff;
  b[7] = ident & 0xff;
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytes(rng: { u32(): number }, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.u32() & 0xff;
  return b;
}

export { EtherType, IpProto, Ip6Nxt };
