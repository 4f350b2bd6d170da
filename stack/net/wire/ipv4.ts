/** IPv4 header (RFC 791). Options are carried here and interpreted by ip-options.ts; fragments are flagged here, reassembled by ip-reass.ts. */
import { ipFromBytes, ipToBytes, type Ipv4Addr } from './addr';
import { internetChecksum } from './checksum';
import { WireError, viewOf, type FieldSpec } from './view';

export const Ipv4Field = {
  /** Version (high nibble) and header length in 32-bit words (low nibble). */
  verIhl: { offset: 0, length: 1 },
  tos: { offset: 1, length: 1 },
  totalLen: { offset: 2, length: 2 },
  ident: { offset: 4, length: 2 },
  /** Flags (DF, MF: top 3 bits) and the fragment offset in 8-byte units. */
  flagsFrag: { offset: 6, length: 2 },
  ttl: { offset: 8, length: 1 },
  protocol: { offset: 9, length: 1 },
  checksum: { offset: 10, length: 2 },
  src: { offset: 12, length: 4 },
  dst: { offset: 16, length: 4 },
} as const satisfies Record<string, FieldSpec>;

/** The header without options: the end of Ipv4Field. */
export const IP_HDR_LEN = 20;
export const IP_MAXPACKET = 65535;
/** ip_defttl (NetBSD IPDEFTTL). */
export const IPDEFTTL = 64;
/** MAXTTL: icmp_reflect uses it for replies. */
export const MAXTTL = 255;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFMASK = 0x1fff;

export const IpProto = { ICMP: 1, IGMP: 2, TCP: 6, UDP: 17, QNET: 106, RAW: 255 } as const;

/**
 * The checks ip_input makes (netinet/ip_input.c), in its order, each named after the ipstat counter it
 * bumps: too small for a header, not version 4, header length below 20 or past the buffer, bad header
 * checksum, total length below the header length, buffer shorter than the total length.
 */
export const IPV4_CHECKS = ['toosmall', 'badvers', 'badhlen', 'badsum', 'badlen', 'tooshort'] as const;
export type Ipv4Check = (typeof IPV4_CHECKS)[number];

export class Ipv4Packet {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  /** The length checks of `check()` alone: null if the buffer holds the whole datagram. */
  checkLen(): string | null {
    return this.check({ version: false, checksum: false })?.reason ?? null;
  }
  /** ip_input's checks in its order (IPV4_CHECKS); version and checksum can be left out. */
  check(opts: { version: boolean; checksum: boolean }): WireError<Ipv4Check> | null {
    const n = this.buf.length;
    if (n < IP_HDR_LEN) return new WireError(`packet of ${n} bytes is shorter than an IPv4 header`, 'toosmall');
    if (opts.version && this.version !== 4) return new WireError(`version ${this.version} is not 4`, 'badvers');
    const hl = this.headerLen;
    if (hl < IP_HDR_LEN) return new WireError(`header length ${hl} is below 20`, 'badhlen');
    if (n < hl) return new WireError(`packet of ${n} bytes is shorter than its ${hl}-byte header`, 'badhlen');
    if (opts.checksum && !this.verifyChecksum()) return new WireError('bad header checksum', 'badsum');
    const tl = this.totalLen;
    if (tl < hl) return new WireError(`total length ${tl} is below the header length ${hl}`, 'badlen');
    if (n < tl) return new WireError(`packet of ${n} bytes is shorter than its total length ${tl}`, 'tooshort');
    return null;
  }
  get version(): number { return this.buf[Ipv4Field.verIhl.offset]! >> 4; }
  get headerLen(): number { return (this.buf[Ipv4Field.verIhl.offset]! & 0x0f) * 4; }
  get optionsLen(): number { return this.headerLen - IP_HDR_LEN; }
  setVersionAndHeaderLen(hlen: number): void { this.buf[Ipv4Field.verIhl.offset] = 0x40 | ((hlen >> 2) & 0x0f); }
  get tos(): number { return this.buf[Ipv4Field.tos.offset]!; }
  set tos(v: number) { this.buf[Ipv4Field.tos.offset] = v; }
  get totalLen(): number { return this.dv.getUint16(Ipv4Field.totalLen.offset); }
  set totalLen(v: number) { this.dv.setUint16(Ipv4Field.totalLen.offset, v); }
  get ident(): number { return this.dv.getUint16(Ipv4Field.ident.offset); }
  set ident(v: number) { this.dv.setUint16(Ipv4Field.ident.offset, v); }
  get flagsFrag(): number { return this.dv.getUint16(Ipv4Field.flagsFrag.offset); }
  set flagsFrag(v: number) { this.dv.setUint16(Ipv4Field.flagsFrag.offset, v); }
  get dontFrag(): boolean { return (this.flagsFrag & IP_DF) !== 0; }
  get moreFrags(): boolean { return (this.flagsFrag & IP_MF) !== 0; }
  /** Fragment offset in bytes. */
  get fragOffset(): number { return (this.flagsFrag & IP_OFFMASK) * 8; }
  get isFragment(): boolean { return this.moreFrags || this.fragOffset !== 0; }
  get ttl(): number { return this.buf[Ipv4Field.ttl.offset]!; }
  set ttl(v: number) { this.buf[Ipv4Field.ttl.offset] = v; }
  get protocol(): number { return this.buf[Ipv4Field.protocol.offset]!; }
  set protocol(v: number) { this.buf[Ipv4Field.protocol.offset] = v; }
  get checksum(): number { return this.dv.getUint16(Ipv4Field.checksum.offset); }
  set checksum(v: number) { this.dv.setUint16(Ipv4Field.checksum.offset, v); }
  get src(): Ipv4Addr { return ipFromBytes(this.buf, Ipv4Field.src.offset); }
  set src(a: Ipv4Addr) { ipToBytes(a, this.buf, Ipv4Field.src.offset); }
  get dst(): Ipv4Addr { return ipFromBytes(this.buf, Ipv4Field.dst.offset); }
  set dst(a: Ipv4Addr) { ipToBytes(a, this.buf, Ipv4Field.dst.offset); }
  /** The header checksums to zero (sum over the header including the checksum field). */
  verifyChecksum(): boolean {
    return internetChecksum(this.buf, 0, this.headerLen) === 0;
  }
  fillChecksum(): void {
    this.checksum = 0;
    this.checksum = internetChecksum(this.buf, 0, this.headerLen);
  }
  /** The payload as the total length says (link padding excluded). */
  get payload(): Uint8Array {
    return this.buf.subarray(this.headerLen, this.totalLen);
  }
}

export interface Ipv4Repr {
  src: Ipv4Addr;
  dst: Ipv4Addr;
  protocol: number;
  ttl: number;
  tos: number;
  ident: number;
  dontFrag: boolean;
  moreFrags: boolean;
  /** Bytes. */
  fragOffset: number;
  /** Options bytes present in a parsed header (emit never writes options). */
  optionsLen: number;
  payloadLen: number;
}

export const Ipv4Repr = {
  /** Validate as ip_input does (IPV4_CHECKS in order); `verifyChecksum: false` skips the header checksum. */
  parse(p: Ipv4Packet, opts: { verifyChecksum?: boolean } = {}): Ipv4Repr | WireError<Ipv4Check> {
    const bad = p.check({ version: true, checksum: opts.verifyChecksum !== false });
    if (bad) return bad;
    return {
      src: p.src, dst: p.dst, protocol: p.protocol, ttl: p.ttl, tos: p.tos, ident: p.ident,
      dontFrag: p.dontFrag, moreFrags: p.moreFrags, fragOffset: p.fragOffset, optionsLen: p.optionsLen,
      payloadLen: p.totalLen - p.headerLen,
    };
  },
  /** Write a 20-byte header (no options) with its checksum into `p`. */
  emit(r: Ipv4Repr, p: Ipv4Packet): void {
    p.setVersionAndHeaderLen(IP_HDR_LEN);
    p.tos = r.tos;
    p.totalLen = IP_HDR_LEN + r.payloadLen;
    p.ident = r.ident;
    p.flagsFrag = (r.dontFrag ? IP_DF : 0) | (r.moreFrags ? IP_MF : 0) | ((r.fragOffset >> 3) & IP_OFFMASK);
    p.ttl = r.ttl;
    p.protocol = r.protocol;
    p.src = r.src;
    p.dst = r.dst;
    p.fillChecksum();
  },
  bufferLen(r: Pick<Ipv4Repr, 'payloadLen'>): number {
    return IP_HDR_LEN + r.payloadLen;
  },
};
