/**
 * TCP segments (RFC 9293 §3.1): a zero-copy view over the header and a validated representation with the
 * options TCP uses (RFC 9293 §3.2: EOL, NOP, MSS; RFC 7323: window scale, timestamps; RFC 2018: SACK-permitted,
 * SACK). The checksum covers the IPv4 (RFC 9293 §3.1) or IPv6 (RFC 8200 §8.1) pseudo-header; callers pass its
 * unfolded sum (tcpPseudoSum4 / tcpPseudoSum6), so the same code serves both.
 */
import type { Ipv4Addr } from './addr';
import { foldComplement, onesSum, pseudoHeaderSum } from './checksum';
import { WireError, viewOf, type FieldSpec } from './view';

export const TcpField = {
  srcPort: { offset: 0, length: 2 },
  dstPort: { offset: 2, length: 2 },
  seq: { offset: 4, length: 4 },
  ack: { offset: 8, length: 4 },
  /** Data offset (high 4 bits), reserved bits, and the flags byte. */
  offFlags: { offset: 12, length: 2 },
  window: { offset: 14, length: 2 },
  checksum: { offset: 16, length: 2 },
  urgent: { offset: 18, length: 2 },
} as const satisfies Record<string, FieldSpec>;

/** The fixed TCP header (struct tcphdr). */
export const TCP_HDR_LEN = 20;
/** The largest header: data offset 15 words. */
export const TCP_MAX_HDR_LEN = 60;
/** IPPROTO_TCP. */
export const TCP_PROTO = 6;

/** th_flags bits (netinet/tcp.h). */
export const TH_FIN = 0x01;
export const TH_SYN = 0x02;
export const TH_RST = 0x04;
export const TH_PUSH = 0x08;
export const TH_ACK = 0x10;
export const TH_URG = 0x20;
export const TH_ECE = 0x40;
export const TH_CWR = 0x80;

/** Option kinds (TCPOPT_*). */
export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MAXSEG = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;
/** TCP_MAX_WINSHIFT (RFC 7323 §2.3). */
export const TCP_MAX_WINSHIFT = 14;

/** "FSRPAU" letters for traces and tcpdump-like output. */
export function tcpFlagsString(f: number): string {
  let s = '';
  if (f & TH_SYN) s += 'S';
  if (f & TH_FIN) s += 'F';
  if (f & TH_RST) s += 'R';
  if (f & TH_PUSH) s += 'P';
  if (f & TH_ACK) s += '.';
  if (f & TH_URG) s += 'U';
  return s || '-';
}

/** Named after tcpstat counters: rcvshort (too short), rcvbadoff (data offset), rcvbadsum. */
export type TcpCheck = 'rcvshort' | 'rcvbadoff' | 'rcvbadsum';

/** Unfolded IPv4 pseudo-header sum for a TCP segment of `len` bytes. */
export function tcpPseudoSum4(src: Ipv4Addr, dst: Ipv4Addr, len: number): number {
  return pseudoHeaderSum(src, dst, TCP_PROTO, len);
}

/** Unfolded IPv6 pseudo-header sum (RFC 8200 §8.1: addresses, 32-bit length, next header). */
export function tcpPseudoSum6(src: Uint8Array, dst: Uint8Array, len: number): number {
  let s = onesSum(src, 0, 16);
  s = onesSum(dst, 0, 16, s);
  return s + (len >>> 16) + (len & 0xffff) + TCP_PROTO;
}

export class TcpPacket {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  /** tcp_input's length checks; null if a header of the stated data offset is there. */
  lengthError(): WireError<TcpCheck> | null {
    const n = this.buf.length;
    if (n < TCP_HDR_LEN) return new WireError(`segment of ${n} bytes is shorter than a TCP header`, 'rcvshort');
    const off = this.headerLen;
    if (off < TCP_HDR_LEN || off > n) return new WireError(`TCP data offset ${off} outside 20..${n}`, 'rcvbadoff');
    return null;
  }
  checkLen(): string | null {
    return this.lengthError()?.reason ?? null;
  }
  get srcPort(): number { return this.dv.getUint16(TcpField.srcPort.offset); }
  set srcPort(v: number) { this.dv.setUint16(TcpField.srcPort.offset, v); }
  get dstPort(): number { return this.dv.getUint16(TcpField.dstPort.offset); }
  set dstPort(v: number) { this.dv.setUint16(TcpField.dstPort.offset, v); }
  get seq(): number { return this.dv.getUint32(TcpField.seq.offset); }
  set seq(v: number) { this.dv.setUint32(TcpField.seq.offset, v >>> 0); }
  get ack(): number { return this.dv.getUint32(TcpField.ack.offset); }
  set ack(v: number) { this.dv.setUint32(TcpField.ack.offset, v >>> 0); }
  /** Header length in bytes (data offset × 4). */
  get headerLen(): number { return (this.buf[12]! >> 4) * 4; }
  set headerLen(v: number) { this.buf[12] = ((v >> 2) << 4) | (this.buf[12]! & 0x0f); }
  get flags(): number { return this.buf[13]!; }
  set flags(v: number) { this.buf[13] = v & 0xff; }
  get window(): number { return this.dv.getUint16(TcpField.window.offset); }
  set window(v: number) { this.dv.setUint16(TcpField.window.offset, v); }
  get checksum(): number { return this.dv.getUint16(TcpField.checksum.offset); }
  set checksum(v: number) { this.dv.setUint16(TcpField.checksum.offset, v); }
  get urgent(): number { return this.dv.getUint16(TcpField.urgent.offset); }
  set urgent(v: number) { this.dv.setUint16(TcpField.urgent.offset, v); }
  get options(): Uint8Array { return this.buf.subarray(TCP_HDR_LEN, this.headerLen); }
  get payload(): Uint8Array { return this.buf.subarray(this.headerLen); }
  /** The checksum over the whole segment with the pseudo-header sum `pseudo` is right. */
  verifyChecksum(pseudo: number): boolean {
    return foldComplement(onesSum(this.buf, 0, this.buf.length, pseudo)) === 0;
  }
  fillChecksum(pseudo: number): void {
    this.checksum = 0;
    this.checksum = foldComplement(onesSum(this.buf, 0, this.buf.length, pseudo));
  }
}

/** The options a segment carries (tcp_dooptions' view). Absent = not present. */
export interface TcpOptions {
  mss?: number;
  wscale?: number;
  sackPermitted?: boolean;
  ts?: { val: number; ecr: number };
  sack?: { left: number; right: number }[];
}

export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  urgent: number;
  options: TcpOptions;
  payload: Uint8Array;
}

/** Parse the option bytes; malformed options end the parse (tcp_dooptions ignores the rest). */
export function parseTcpOptions(b: Uint8Array): TcpOptions {
  const o: TcpOptions = {};
  let i = 0;
  while (i < b.length) {
    const kind = b[i]!;
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= b.length) break;
    const len = b[i + 1]!;
    if (len < 2 || i + len > b.length) break;
    const dv = viewOf(b.subarray(i, i + len));
    switch (kind) {
      case TCPOPT_MAXSEG:
        if (len === 4) o.mss = dv.getUint16(2);
        break;
      case TCPOPT_WINDOW:
        if (len === 3) o.wscale = Math.min(b[i + 2]!, TCP_MAX_WINSHIFT);
        break;
      case TCPOPT_SACK_PERMITTED:
        if (len === 2) o.sackPermitted = true;
        break;
      case TCPOPT_TIMESTAMP:
        if (len === 10) o.ts = { val: dv.getUint32(2), ecr: dv.getUint32(6) };
        break;
      case TCPOPT_SACK:
        if ((len - 2) % 8 === 0) {
          o.sack = [];
          for (let k = 2; k < len; k += 8) o.sack.push({ left: dv.getUint32(k), right: dv.getUint32(k + 4) });
        }
        break;
      default:
        break; // unknown options are skipped by their length (RFC 9293 §3.2)
    }
    i += len;
  }
  return o;
}

/** Option bytes in the layout BSD sends (NOP-padded to 32-bit words; RFC 7323 Appendix A for timestamps). */
export function emitTcpOptions(o: TcpOptions): Uint8Array {
  const out: number[] = [];
  const u16 = (v: number) => out.push((v >> 8) & 0xff, v & 0xff);
  const u32 = (v: number) => out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  if (o.mss !== undefined) {
    out.push(TCPOPT_MAXSEG, 4);
    u16(o.mss);
  }
  if (o.wscale !== undefined) out.push(TCPOPT_NOP, TCPOPT_WINDOW, 3, o.wscale);
  if (o.sackPermitted) out.push(TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERMITTED, 2);
  if (o.ts) {
    out.push(TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, 10);
    u32(o.ts.val);
    u32(o.ts.ecr);
  }
  if (o.sack && o.sack.length > 0) {
    out.push(TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK, 2 + 8 * o.sack.length);
    for (const s of o.sack) {
      u32(s.left);
      u32(s.right);
    }
  }
  while (out.length % 4 !== 0) out.push(TCPOPT_EOL);
  return Uint8Array.from(out);
}

export const TcpRepr = {
  /** Validate and decode; `pseudo` is the pseudo-header sum (checksum skipped when verifyChecksum is false). */
  parse(p: TcpPacket, pseudo: number, opts: { verifyChecksum?: boolean } = {}): TcpRepr | WireError<TcpCheck> {
    const bad = p.lengthError();
    if (bad) return bad;
    if (opts.verifyChecksum !== false && !p.verifyChecksum(pseudo)) return new WireError('bad TCP checksum', 'rcvbadsum');
    return {
      srcPort: p.srcPort, dstPort: p.dstPort, seq: p.seq, ack: p.ack, flags: p.flags, window: p.window,
      urgent: p.urgent, options: parseTcpOptions(p.options), payload: p.payload,
    };
  },
  /** Header + option bytes for `r` (data offset). */
  headerLen(r: Pick<TcpRepr, 'options'>): number {
    return TCP_HDR_LEN + emitTcpOptions(r.options).length;
  },
  bufferLen(r: TcpRepr): number {
    return TcpRepr.headerLen(r) + r.payload.length;
  },
  /** Write `r` into `p` (exactly bufferLen bytes) and fill the checksum with `pseudo`. */
  emit(r: TcpRepr, p: TcpPacket, pseudo: number): void {
    const opt = emitTcpOptions(r.options);
    const hl = TCP_HDR_LEN + opt.length;
    p.srcPort = r.srcPort;
    p.dstPort = r.dstPort;
    p.seq = r.seq;
    p.ack = r.ack;
    p.buf[12] = (hl >> 2) << 4;
    p.flags = r.flags;
    p.window = r.window;
    p.urgent = r.urgent;
    p.buf.set(opt, TCP_HDR_LEN);
    if (r.payload.byteOffset !== p.buf.byteOffset + hl || r.payload.buffer !== p.buf.buffer) p.buf.set(r.payload, hl);
    p.fillChecksum(pseudo);
  },
};
