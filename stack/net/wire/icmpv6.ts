/**
 * ICMPv6 (RFC 4443) and the Neighbor Discovery messages carried in it (RFC 4861 §4): the common 8-byte
 * header, the checksum over the RFC 8200 §8.1 pseudo header, echo, the error messages, and ND options
 * (source/target link-layer address, prefix information, MTU; §4.6).
 */
import type { Ipv6Addr } from './addr6';
import { foldComplement, onesSum } from './checksum';
import { Ip6Nxt, pseudoHeaderSum6 } from './ipv6';
import { WireError, viewOf, type FieldSpec } from './view';

export const Icmp6Field = {
  type: { offset: 0, length: 1 },
  code: { offset: 1, length: 1 },
  checksum: { offset: 2, length: 2 },
  /** Echo identifier + sequence; MTU (Packet Too Big); pointer (Parameter Problem); ND flags. */
  rest: { offset: 4, length: 4 },
} as const satisfies Record<string, FieldSpec>;

export const ICMP6_HDR_LEN = 8;

export const Icmp6Type = {
  DstUnreach: 1, PacketTooBig: 2, TimeExceeded: 3, ParamProb: 4, EchoRequest: 128, EchoReply: 129,
  MldQuery: 130, MldReport: 131, MldDone: 132,
  RouterSolicit: 133, RouterAdvert: 134, NeighborSolicit: 135, NeighborAdvert: 136, Redirect: 137,
  /** MLDv2 Multicast Listener Report (RFC 3810 §5.2), sent to ff02::16 by MLDv2 hosts. */
  Mldv2Report: 143,
} as const;

export const ICMP6_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'unreach', 2: 'packet-too-big', 3: 'time-exceeded', 4: 'param-problem', 128: 'echo-request', 129: 'echo-reply',
  130: 'mld-query', 131: 'mld-report', 132: 'mld-done', 133: 'router-solicitation', 134: 'router-advertisement',
  135: 'neighbor-solicitation', 136: 'neighbor-advertisement', 137: 'redirect', 143: 'mldv2-report',
};
export function icmp6TypeName(t: number): string {
  return ICMP6_TYPE_NAMES[t] ?? `type-${t}`;
}

/** Destination Unreachable codes (RFC 4443 §3.1). */
export const Icmp6UnreachCode = { NoRoute: 0, Admin: 1, BeyondScope: 2, Addr: 3, NoPort: 4 } as const;
/** Time Exceeded codes (§3.3). */
export const Icmp6TimeCode = { Transit: 0, Reassembly: 1 } as const;
/** Parameter Problem codes (§3.4). */
export const Icmp6ParamCode = { Header: 0, NextHeader: 1, Option: 2 } as const;

/** An error message carries as much of the offending packet as fits in the minimum MTU (§2.4 (c)). */
export const ICMPV6_PLD_MAXLEN = 1280 - 40 - ICMP6_HDR_LEN;

export class Icmpv6Packet {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  checkLen(): string | null {
    return this.buf.length < ICMP6_HDR_LEN ? `ICMPv6 message of ${this.buf.length} bytes is shorter than ${ICMP6_HDR_LEN}` : null;
  }
  get type(): number { return this.buf[0]!; }
  set type(v: number) { this.buf[0] = v; }
  get code(): number { return this.buf[1]!; }
  set code(v: number) { this.buf[1] = v; }
  get checksum(): number { return this.dv.getUint16(2); }
  set checksum(v: number) { this.dv.setUint16(2, v); }
  get ident(): number { return this.dv.getUint16(4); }
  set ident(v: number) { this.dv.setUint16(4, v); }
  get seq(): number { return this.dv.getUint16(6); }
  set seq(v: number) { this.dv.setUint16(6, v); }
  /** The 32 bits after the checksum: MTU, pointer, ND flags (high byte), or unused. */
  get rest(): number { return this.dv.getUint32(4); }
  set rest(v: number) { this.dv.setUint32(4, v >>> 0); }
  get data(): Uint8Array { return this.buf.subarray(ICMP6_HDR_LEN); }
  verifyChecksum(src: Ipv6Addr, dst: Ipv6Addr): boolean {
    return icmp6Checksum(this.buf, src, dst) === 0;
  }
  fillChecksum(src: Ipv6Addr, dst: Ipv6Addr): void {
    this.checksum = 0;
    this.checksum = icmp6Checksum(this.buf, src, dst);
  }
}

/** The ICMPv6 checksum of `msg` (checksum field included as it is) between `src` and `dst`. */
export function icmp6Checksum(msg: Uint8Array, src: Ipv6Addr, dst: Ipv6Addr): number {
  return foldComplement(onesSum(msg, 0, msg.length, pseudoHeaderSum6(src, dst, Ip6Nxt.ICMPV6, msg.length)));
}

export type Icmp6Check = 'tooshort' | 'checksum';

export const Icmpv6Repr = {
  /** icmp6_input's first checks: a header's worth of bytes, a correct checksum. */
  check(p: Icmpv6Packet, src: Ipv6Addr, dst: Ipv6Addr): WireError<Icmp6Check> | null {
    const why = p.checkLen();
    if (why) return new WireError(why, 'tooshort');
    if (!p.verifyChecksum(src, dst)) return new WireError('bad ICMPv6 checksum', 'checksum');
    return null;
  },
};

// --- Neighbor Discovery (RFC 4861 §4) ---

/** Bytes before the options: RS 8, RA 16, NS 24, NA 24, Redirect 40. */
export const ND_RS_LEN = 8;
export const ND_RA_LEN = 16;
export const ND_NS_LEN = 24;
export const ND_NA_LEN = 24;
export const ND_REDIRECT_LEN = 40;

/** NA flags in the high bits of `rest` (§4.4). */
export const ND_NA_FLAG_ROUTER = 0x80000000;
export const ND_NA_FLAG_SOLICITED = 0x40000000;
export const ND_NA_FLAG_OVERRIDE = 0x20000000;
/** RA flags byte (§4.2): managed, other configuration. */
export const ND_RA_FLAG_MANAGED = 0x80;
export const ND_RA_FLAG_OTHER = 0x40;

/** Option types (§4.6). */
export const NdOpt = { SourceLinkaddr: 1, TargetLinkaddr: 2, PrefixInformation: 3, RedirectedHeader: 4, Mtu: 5 } as const;
/** Prefix Information flags (§4.6.2): on-link, autonomous address configuration. */
export const ND_OPT_PI_FLAG_ONLINK = 0x80;
export const ND_OPT_PI_FLAG_AUTO = 0x40;

export interface NdPrefixInfo {
  plen: number;
  onlink: boolean;
  auto: boolean;
  vltime: number;
  pltime: number;
  prefix: Ipv6Addr;
}

export interface NdOptions {
  srcLladdr?: Uint8Array;
  tgtLladdr?: Uint8Array;
  prefixes: NdPrefixInfo[];
  mtu?: number;
}

/**
 * nd6_options: walk the TLV options after an ND message's fixed part. A zero length is invalid and the
 * whole message is discarded (§4.6); unknown options are skipped.
 */
export function parseNdOptions(buf: Uint8Array, off: number): NdOptions | WireError<'nd_badopt'> {
  const out: NdOptions = { prefixes: [] };
  const dv = viewOf(buf);
  let i = off;
  while (i < buf.length) {
    if (i + 2 > buf.length) return new WireError('truncated ND option', 'nd_badopt');
    const type = buf[i]!;
    const len = buf[i + 1]! * 8;
    if (len === 0) return new WireError('ND option with length 0', 'nd_badopt');
    if (i + len > buf.length) return new WireError(`ND option type ${type} of ${len} bytes runs past the message`, 'nd_badopt');
    switch (type) {
      case NdOpt.SourceLinkaddr:
        out.srcLladdr = buf.slice(i + 2, i + 8);
        break;
      case NdOpt.TargetLinkaddr:
        out.tgtLladdr = buf.slice(i + 2, i + 8);
        break;
      case NdOpt.PrefixInformation:
        if (len !== 32) return new WireError(`prefix information option of ${len} bytes (not 32)`, 'nd_badopt');
        out.prefixes.push({
          plen: buf[i + 2]!, onlink: (buf[i + 3]! & ND_OPT_PI_FLAG_ONLINK) !== 0, auto: (buf[i + 3]! & ND_OPT_PI_FLAG_AUTO) !== 0,
          vltime: dv.getUint32(i + 4), pltime: dv.getUint32(i + 8), prefix: buf.slice(i + 16, i + 32),
        });
        break;
      case NdOpt.Mtu:
        if (len !== 8) return new WireError(`MTU option of ${len} bytes (not 8)`, 'nd_badopt');
        out.mtu = dv.getUint32(i + 4);
        break;
      default:
        break;
    }
    i += len;
  }
  return out;
}

/** A link-layer address option for an Ethernet MAC (8 bytes). */
export function emitLladdrOpt(buf: Uint8Array, off: number, type: number, mac: Uint8Array): number {
  buf[off] = type;
  buf[off + 1] = 1;
  buf.set(mac.subarray(0, 6), off + 2);
  return off + 8;
}

export function emitPrefixOpt(buf: Uint8Array, off: number, p: NdPrefixInfo): number {
  const dv = viewOf(buf);
  buf[off] = NdOpt.PrefixInformation;
  buf[off + 1] = 4;
  buf[off + 2] = p.plen;
  buf[off + 3] = (p.onlink ? ND_OPT_PI_FLAG_ONLINK : 0) | (p.auto ? ND_OPT_PI_FLAG_AUTO : 0);
  dv.setUint32(off + 4, p.vltime >>> 0);
  dv.setUint32(off + 8, p.pltime >>> 0);
  dv.setUint32(off + 12, 0);
  buf.set(p.prefix.subarray(0, 16), off + 16);
  return off + 32;
}

export function emitMtuOpt(buf: Uint8Array, off: number, mtu: number): number {
  const dv = viewOf(buf);
  buf[off] = NdOpt.Mtu;
  buf[off + 1] = 1;
  dv.setUint16(off + 2, 0);
  dv.setUint32(off + 4, mtu >>> 0);
  return off + 8;
}

/** An MLDv1 message (RFC 2710 §3): the ICMPv6 header (Maximum Response Delay in ms, reserved), then the group. */
export const MLD_MINLEN = 24;
/** An MLDv2 Query is at least 28 bytes (RFC 3810 §5.1; §8.1: 24 = MLDv1, >= 28 = MLDv2, else ignored). */
export const MLDV2_QUERY_MINLEN = 28;

/** The Maximum Response Delay of a query in ms (the 16 bits after the checksum). */
export function mldMaxDelay(msg: Uint8Array): number {
  return (msg[4]! << 8) | msg[5]!;
}

/**
 * RFC 3810 §5.1.3: an MLDv2 Maximum Response Code below 32768 is the delay in ms; above, a floating-point
 * value (exponent in bits 12-14, mantissa in bits 0-11): (mant | 0x1000) << (exp + 3).
 */
export function mldv2MaxRespDelay(code: number): number {
  if (code < 0x8000) return code;
  const exp = (code >> 12) & 0x7;
  const mant = code & 0xfff;
  return (mant | 0x1000) * 2 ** (exp + 3);
}

/** The multicast address field of an MLD message (bytes 8..24). */
export function mldGroup(msg: Uint8Array): Uint8Array {
  return msg.subarray(8, 24);
}
