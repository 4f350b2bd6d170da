/** IPv4 header (RFC 791). Options are carried but not interpreted; fragments are flagged, not reassembled. */
import { ipFromBytes, ipToBytes, type Ipv4Addr } from './addr';
import { WireError, internetChecksum, viewOf, type FieldSpec } from './checksum';

export const Ipv4Field = {
  verIhl: { offset: 0, length: 1 },
  tos: { offset: 1, length: 1 },
  totalLen: { offset: 2, length: 2 },
  ident: { offset: 4, length: 2 },
  flagsFrag: { offset: 6, length: 2 },
  ttl: { offset: 8, length: 1 },
  protocol: { offset: 9, length: 1 },
  checksum: { offset: 10, length: 2 },
  src: { offset: 12, length: 4 },
  dst: { offset: 16, length: 4 },
} as const satisfies Record<string, FieldSpec>;

export const IP_HDR_LEN = 20;
export const IP_MAXPACKET = 65535;
/** ip_defttl (NetBSD IPDEFTTL). */
export const IPDEFTTL = 64;
/** MAXTTL: icmp_reflect uses it for replies. */
export const MAXTTL = 255;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFMASK = 0x1fff;

export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, QNET: 106, RAW: 255 } as const;

export class Ipv4Packet {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  /** Length checks in the order ip_input makes them; null if the buffer holds the whole datagram. */
  checkLen(): string | null {
    const n = this.buf.length;
    if (n < IP_HDR_LEN) return `packet of ${n} bytes is shorter than an IPv4 header`;
    const hl = this.headerLen;
    if (hl < IP_HDR_LEN) return `header length ${hl} is below 20`;
    if (n < hl) return `packet of ${n} bytes is shorter than its ${hl}-byte header`;
    const tl = this.totalLen;
    if (tl < hl) return `total length ${tl} is below the header length ${hl}`;
    if (n < tl) return `packet of ${n} bytes is shorter than its total length ${tl}`;
    return null;
  }
  get version(): number { return this.buf[0]! >> 4; }
  get headerLen(): number { return (this.buf[0]! & 0x0f) * 4; }
  get optionsLen(): number { return this.headerLen - IP_HDR_LEN; }
  setVersionAndHeaderLen(hlen: number): void { this.buf[0] = 0x40 | ((hlen >> 2) & 0x0f); }
  get tos(): number { return this.buf[1]!; }
  set tos(v: number) { this.buf[1] = v; }
  get totalLen(): number { return this.dv.getUint16(2); }
  set totalLen(v: number) { this.dv.setUint16(2, v); }
  get ident(): number { return this.dv.getUint16(4); }
  set ident(v: number) { this.dv.setUint16(4, v); }
  get flagsFrag(): number { return this.dv.getUint16(6); }
  set flagsFrag(v: number) { this.dv.setUint16(6, v); }
  get dontFrag(): boolean { return (this.flagsFrag & IP_DF) !== 0; }
  get moreFrags(): boolean { return (this.flagsFrag & IP_MF) !== 0; }
  /** Fragment offset in bytes. */
  get fragOffset(): number { return (this.flagsFrag & IP_OFFMASK) * 8; }
  get isFragment(): boolean { return this.moreFrags || this.fragOffset !== 0; }
  get ttl(): number { return this.buf[8]!; }
  set ttl(v: number) { this.buf[8] = v; }
  get protocol(): number { return this.buf[9]!; }
  set protocol(v: number) { this.buf[9] = v; }
  get checksum(): number { return this.dv.getUint16(10); }
  set checksum(v: number) { this.dv.setUint16(10, v); }
  get src(): Ipv4Addr { return ipFromBytes(this.buf, 12); }
  set src(a: Ipv4Addr) { ipToBytes(a, this.buf, 12); }
  get dst(): Ipv4Addr { return ipFromBytes(this.buf, 16); }
  set dst(a: Ipv4Addr) { ipToBytes(a, this.buf, 16); }
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
  /** Validate as ip_input does: length, version, header checksum. */
  parse(p: Ipv4Packet, opts: { verifyChecksum?: boolean } = {}): Ipv4Repr | WireError {
    const why = p.checkLen();
    if (why) return new WireError(why);
    if (p.version !== 4) return new WireError(`version ${p.version} is not 4`);
    if (opts.verifyChecksum !== false && !p.verifyChecksum()) return new WireError('bad header checksum');
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
