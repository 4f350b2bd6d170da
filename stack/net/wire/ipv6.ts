/**
 * IPv6 header (RFC 8200 §3) and the extension headers a host walks (§4): hop-by-hop and destination options
 * (type-length-value options, §4.2), routing (§4.4) and fragment (§4.5). The pseudo header that UDP, TCP
 * and ICMPv6 checksums cover is RFC 8200 §8.1's.
 */
import type { Ipv6Addr } from './addr6';
import { onesSum } from './checksum';
import { WireError, viewOf, type FieldSpec } from './view';

export const Ipv6Field = {
  /** Version (4 bits), traffic class (8), flow label (20). */
  verTcFlow: { offset: 0, length: 4 },
  payloadLen: { offset: 4, length: 2 },
  nxt: { offset: 6, length: 1 },
  hlim: { offset: 7, length: 1 },
  src: { offset: 8, length: 16 },
  dst: { offset: 24, length: 16 },
} as const satisfies Record<string, FieldSpec>;

/** The fixed header: the end of Ipv6Field. */
export const IP6_HDR_LEN = 40;
/** IPV6_MMTU: the minimum link MTU (RFC 8200 §5). */
export const IPV6_MMTU = 1280;
export const IPV6_MAXPACKET = 65535;
/** ip6_defhlim (NetBSD IPV6_DEFHLIM). */
export const IPV6_DEFHLIM = 64;
/** Hop limit of ND messages (RFC 4861 §6.1.1 and §7.1.1 require 255). */
export const IPV6_ND_HLIM = 255;

/** Next-header values (IPPROTO_* of <netinet/in.h>, the ones IPv6 code names). */
export const Ip6Nxt = {
  HOPOPTS: 0, TCP: 6, UDP: 17, ROUTING: 43, FRAGMENT: 44, ICMPV6: 58, NONE: 59, DSTOPTS: 60,
} as const;

/**
 * ip6_input's header checks in its order, named after the ip6stat counter each bumps: shorter than a header
 * (toosmall), not version 6 (badvers), payload length past the buffer (tooshort).
 */
export const IPV6_CHECKS = ['toosmall', 'badvers', 'tooshort'] as const;
export type Ipv6Check = (typeof IPV6_CHECKS)[number];

export class Ipv6Packet {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  checkLen(): string | null {
    return this.check(false)?.reason ?? null;
  }
  check(version: boolean): WireError<Ipv6Check> | null {
    const n = this.buf.length;
    if (n < IP6_HDR_LEN) return new WireError(`packet of ${n} bytes is shorter than an IPv6 header`, 'toosmall');
    if (version && this.version !== 6) return new WireError(`version ${this.version} is not 6`, 'badvers');
    // A payload length of 0 means a jumbogram (RFC 2675), which no link here carries: checked as a length.
    const pl = this.payloadLen;
    if (n < IP6_HDR_LEN + pl) return new WireError(`packet of ${n} bytes is shorter than 40 + payload length ${pl}`, 'tooshort');
    return null;
  }
  get version(): number { return this.buf[0]! >> 4; }
  get trafficClass(): number { return (this.dv.getUint32(0) >>> 20) & 0xff; }
  get flowLabel(): number { return this.dv.getUint32(0) & 0xfffff; }
  setVersionClassFlow(tc: number, flow: number): void {
    this.dv.setUint32(0, ((6 << 28) | ((tc & 0xff) << 20) | (flow & 0xfffff)) >>> 0);
  }
  get payloadLen(): number { return this.dv.getUint16(Ipv6Field.payloadLen.offset); }
  set payloadLen(v: number) { this.dv.setUint16(Ipv6Field.payloadLen.offset, v); }
  get nxt(): number { return this.buf[Ipv6Field.nxt.offset]!; }
  set nxt(v: number) { this.buf[Ipv6Field.nxt.offset] = v; }
  get hlim(): number { return this.buf[Ipv6Field.hlim.offset]!; }
  set hlim(v: number) { this.buf[Ipv6Field.hlim.offset] = v; }
  /** A copy of the source address. */
  get src(): Ipv6Addr { return this.buf.slice(8, 24); }
  set src(a: Ipv6Addr) { this.buf.set(a.subarray(0, 16), 8); }
  get dst(): Ipv6Addr { return this.buf.slice(24, 40); }
  set dst(a: Ipv6Addr) { this.buf.set(a.subarray(0, 16), 24); }
  /** Header plus payload as the payload length says (link padding excluded). */
  get packet(): Uint8Array { return this.buf.subarray(0, IP6_HDR_LEN + this.payloadLen); }
  get payload(): Uint8Array { return this.buf.subarray(IP6_HDR_LEN, IP6_HDR_LEN + this.payloadLen); }
}

export interface Ipv6Repr {
  src: Ipv6Addr;
  dst: Ipv6Addr;
  nxt: number;
  hlim: number;
  trafficClass: number;
  flowLabel: number;
  payloadLen: number;
}

export const Ipv6Repr = {
  parse(p: Ipv6Packet): Ipv6Repr | WireError<Ipv6Check> {
    const bad = p.check(true);
    if (bad) return bad;
    return { src: p.src, dst: p.dst, nxt: p.nxt, hlim: p.hlim, trafficClass: p.trafficClass, flowLabel: p.flowLabel, payloadLen: p.payloadLen };
  },
  emit(r: Ipv6Repr, p: Ipv6Packet): void {
    p.setVersionClassFlow(r.trafficClass, r.flowLabel);
    p.payloadLen = r.payloadLen;
    p.nxt = r.nxt;
    p.hlim = r.hlim;
    p.src = r.src;
    p.dst = r.dst;
  },
  bufferLen(r: Pick<Ipv6Repr, 'payloadLen'>): number {
    return IP6_HDR_LEN + r.payloadLen;
  },
};

/** Unfolded sum of the RFC 8200 §8.1 pseudo header (addresses, upper-layer length, next header). */
export function pseudoHeaderSum6(src: Ipv6Addr, dst: Ipv6Addr, nxt: number, length: number): number {
  let sum = onesSum(src, 0, 16);
  sum = onesSum(dst, 0, 16, sum);
  return sum + Math.floor(length / 0x10000) + (length & 0xffff) + nxt;
}

// --- Extension headers (RFC 8200 §4) ---

/** Hop-by-hop / destination options / routing: next header, length in 8-octet units not counting the first 8. */
export function extHeaderLen(buf: Uint8Array, off: number): number {
  return (buf[off + 1]! + 1) * 8;
}

/** Option types of §4.2 (Pad1, PadN) and the action bits of their two high-order bits. */
export const IP6OPT_PAD1 = 0x00;
export const IP6OPT_PADN = 0x01;
export const IP6OPT_ROUTER_ALERT = 0x05;
/** The two high-order bits: 00 skip, 01 discard, 10 discard + parameter problem, 11 the same unless multicast. */
export function ip6OptAction(type: number): 0 | 1 | 2 | 3 {
  return (type >> 6) as 0 | 1 | 2 | 3;
}

/** The fragment header (§4.5): 8 bytes. */
export const IP6_FRAG_LEN = 8;
export class Ipv6FragHeader {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  get nxt(): number { return this.buf[0]!; }
  set nxt(v: number) { this.buf[0] = v; this.buf[1] = 0; }
  /** Fragment offset in bytes (the field counts 8-octet units). */
  get offset(): number { return this.dv.getUint16(2) & 0xfff8; }
  get moreFrags(): boolean { return (this.dv.getUint16(2) & 1) !== 0; }
  setOffsetMore(offset: number, more: boolean): void { this.dv.setUint16(2, (offset & 0xfff8) | (more ? 1 : 0)); }
  get ident(): number { return this.dv.getUint32(4); }
  set ident(v: number) { this.dv.setUint32(4, v >>> 0); }
}
