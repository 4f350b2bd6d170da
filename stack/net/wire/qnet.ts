/**
 * QNX6 Qnet (lsm-qnet.so, EtherType 0x8204) as Wireshark 4.0's packet-qnet6.c decodes it
 * (docs/design/qnet-wire.md): the 2-byte pad and 36-byte LwL4 header (`dissect_qnet6`), its CRC, the QoS
 * TCS_INIT body (`dissect_qnet6_qos`, `qos_tcs_init_addtree`) and the node resolver (`dissect_qnet6_nr`).
 * The LAN resolver is in qnet-lr.ts, the kernel interface in qnet-kif.ts.
 *
 * Fixed by the dissector: every offset and width below; bit 7 of the version byte choosing the byte order
 * of all later multi-byte fields (0x2a little-endian, 0xaa big-endian); the flag bits; the type and layer
 * numbers; the CRC (polynomial 0x04C11DB7 MSB-first, register starting at 0, no final xor, over header
 * bytes 2..33, four zero bytes, then `length` payload bytes; stored in the frame's byte order).
 * Our choices: we always emit the pad as 0 and always fill the CRC; `length` is exactly the payload of the
 * frame; parse rejects a version other than 42 in the low 7 bits and verifies the CRC when the CRC flag is
 * set (the dissector checks every unfragmented frame, whatever the flag); TCS_INIT strings are packed in
 * the order src name, src domain, dst name, dst domain, each NUL-terminated; NR names carry no NUL. Where
 * the dissector skips or clips silently (a TCS_INIT offset outside the strings, an NR name longer than the
 * bytes left), parse refuses with a named check, so a frame we accept is one tshark shows whole.
 */
import { WireError, viewOf, type FieldSpec } from './view';

export const QnetL4Field = {
  pad: { offset: 0, length: 2 },
  version: { offset: 2, length: 1 },
  type: { offset: 3, length: 1 },
  flags: { offset: 4, length: 1 },
  layer: { offset: 5, length: 1 },
  srcNdForDst: { offset: 6, length: 2 },
  dstNdForSrc: { offset: 8, length: 2 },
  sconn: { offset: 10, length: 4 },
  dconn: { offset: 14, length: 4 },
  seq: { offset: 18, length: 4 },
  qosType: { offset: 22, length: 2 },
  srcQosIdx: { offset: 24, length: 2 },
  offset: { offset: 26, length: 4 },
  length: { offset: 30, length: 4 },
  crc: { offset: 34, length: 4 },
} as const satisfies Record<string, FieldSpec>;

/** Pad + LwL4 header: the end of QnetL4Field, and the shortest frame payload the dissector accepts. */
export const QNET_L4_HDR_LEN = 38;
/** The version lsm-qnet sends; bit 7 set marks a big-endian sender. */
export const QNET_L4_VERSION = 42;
export const QNET_L4_VERSION_BE = 0x80;

export const QnetL4Type = {
  UserData: 0x00, TcsInit: 0x01, TcsRemUp: 0x02, TcsUp: 0x03, TcsDown: 0x04, TcsRemDown: 0x05,
  Data: 0x08, Ack: 0x09, Nack: 0x0a, Lr: 0x0b,
} as const;
export const QnetL4Flag = { FIRST: 0x01, LAST: 0x02, CRC: 0x04 } as const;
/** Unfragmented frame with its CRC filled: what we send unless fragmenting. */
export const QNET_FLAGS_WHOLE = 0x07;
export const QnetLayer = { KIF: 0, NR: 1, LR: 2, SEQ: 3 } as const;
export const QnetQosType = { LoadBalance: 0, Redundant: 1, Exclusive: 2, Preferred: 3 } as const;

/** short: no room for the header; version: not Qnet 42; length: `length` runs past the buffer; crc: mismatch. */
export type QnetL4Check = 'short' | 'version' | 'length' | 'crc';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32 with polynomial 0x04C11DB7, MSB-first, no reflection, no final xor; `crc` is the running register. */
export function qnetCrc32(bytes: Uint8Array, crc = 0): number {
  let c = crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = ((c << 8) ^ CRC_TABLE[((c >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return c;
}

const ZERO4 = new Uint8Array(4);

/** Zero-copy view over pad + LwL4 header + payload (the Ethernet payload; trailing Ethernet padding allowed). */
export class QnetL4Packet {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  lengthError(): WireError<QnetL4Check> | null {
    const n = this.buf.length;
    if (n < QNET_L4_HDR_LEN) return new WireError(`${n} bytes are shorter than the Qnet pad and LwL4 header (38)`, 'short');
    const v = this.version;
    if ((v & 0x7f) !== QNET_L4_VERSION) return new WireError(`LwL4 version byte 0x${v.toString(16)} is not 42 (0x2a/0xaa)`, 'version');
    const len = this.length;
    if (len > n - QNET_L4_HDR_LEN) return new WireError(`LwL4 length ${len} exceeds the ${n - QNET_L4_HDR_LEN} bytes after the header`, 'length');
    return null;
  }
  checkLen(): string | null {
    return this.lengthError()?.reason ?? null;
  }
  /** Multi-byte fields follow bit 7 of the version byte (the dissector's only endianness test). */
  get littleEndian(): boolean { return (this.buf[QnetL4Field.version.offset]! & QNET_L4_VERSION_BE) === 0; }
  get pad(): number { return this.dv.getUint16(QnetL4Field.pad.offset); }
  set pad(v: number) { this.dv.setUint16(QnetL4Field.pad.offset, v); }
  get version(): number { return this.buf[QnetL4Field.version.offset]!; }
  set version(v: number) { this.buf[QnetL4Field.version.offset] = v; }
  get type(): number { return this.buf[QnetL4Field.type.offset]!; }
  set type(v: number) { this.buf[QnetL4Field.type.offset] = v; }
  get flags(): number { return this.buf[QnetL4Field.flags.offset]!; }
  set flags(v: number) { this.buf[QnetL4Field.flags.offset] = v; }
  get layer(): number { return this.buf[QnetL4Field.layer.offset]!; }
  set layer(v: number) { this.buf[QnetL4Field.layer.offset] = v; }
  private u16(f: FieldSpec): number { return this.dv.getUint16(f.offset, this.littleEndian); }
  private setU16(f: FieldSpec, v: number): void { this.dv.setUint16(f.offset, v, this.littleEndian); }
  private u32(f: FieldSpec): number { return this.dv.getUint32(f.offset, this.littleEndian); }
  private setU32(f: FieldSpec, v: number): void { this.dv.setUint32(f.offset, v >>> 0, this.littleEndian); }
  get srcNdForDst(): number { return this.u16(QnetL4Field.srcNdForDst); }
  set srcNdForDst(v: number) { this.setU16(QnetL4Field.srcNdForDst, v); }
  get dstNdForSrc(): number { return this.u16(QnetL4Field.dstNdForSrc); }
  set dstNdForSrc(v: number) { this.setU16(QnetL4Field.dstNdForSrc, v); }
  get sconn(): number { return this.u32(QnetL4Field.sconn); }
  set sconn(v: number) { this.setU32(QnetL4Field.sconn, v); }
  get dconn(): number { return this.u32(QnetL4Field.dconn); }
  set dconn(v: number) { this.setU32(QnetL4Field.dconn, v); }
  get seq(): number { return this.u32(QnetL4Field.seq); }
  set seq(v: number) { this.setU32(QnetL4Field.seq, v); }
  get qosType(): number { return this.u16(QnetL4Field.qosType); }
  set qosType(v: number) { this.setU16(QnetL4Field.qosType, v); }
  get srcQosIdx(): number { return this.u16(QnetL4Field.srcQosIdx); }
  set srcQosIdx(v: number) { this.setU16(QnetL4Field.srcQosIdx, v); }
  get offset(): number { return this.u32(QnetL4Field.offset); }
  set offset(v: number) { this.setU32(QnetL4Field.offset, v); }
  get length(): number { return this.u32(QnetL4Field.length); }
  set length(v: number) { this.setU32(QnetL4Field.length, v); }
  get crc(): number { return this.u32(QnetL4Field.crc); }
  set crc(v: number) { this.setU32(QnetL4Field.crc, v); }
  /** The `length` payload bytes (clipped to the buffer); Ethernet padding behind them is left out. */
  get payload(): Uint8Array {
    return this.buf.subarray(QNET_L4_HDR_LEN, Math.min(this.buf.length, QNET_L4_HDR_LEN + this.length));
  }
  /** The dissector's CRC: header bytes 2..33, four zero bytes for the CRC field, then the payload. */
  computeCrc(): number {
    const hdr = this.buf.subarray(QnetL4Field.version.offset, QnetL4Field.crc.offset);
    return qnetCrc32(this.payload, qnetCrc32(ZERO4, qnetCrc32(hdr)));
  }
  verifyCrc(): boolean { return this.computeCrc() === this.crc; }
  fillCrc(): void { this.crc = this.computeCrc(); }
}

export interface QnetL4Repr {
  /** Version 0xaa and big-endian fields instead of 0x2a and little-endian. */
  bigEndian: boolean;
  type: number;
  flags: number;
  layer: number;
  srcNdForDst: number;
  dstNdForSrc: number;
  sconn: number;
  dconn: number;
  seq: number;
  qosType: number;
  srcQosIdx: number;
  offset: number;
  payload: Uint8Array;
}

export const QnetL4Repr = {
  parse(p: QnetL4Packet, opts: { verifyCrc?: boolean } = {}): QnetL4Repr | WireError<QnetL4Check> {
    const bad = p.lengthError();
    if (bad) return bad;
    if (opts.verifyCrc !== false && p.flags & QnetL4Flag.CRC && !p.verifyCrc()) {
      return new WireError(`LwL4 crc 0x${p.crc.toString(16)} should be 0x${p.computeCrc().toString(16)}`, 'crc');
    }
    return {
      bigEndian: !p.littleEndian, type: p.type, flags: p.flags, layer: p.layer, srcNdForDst: p.srcNdForDst,
      dstNdForSrc: p.dstNdForSrc, sconn: p.sconn, dconn: p.dconn, seq: p.seq, qosType: p.qosType,
      srcQosIdx: p.srcQosIdx, offset: p.offset, payload: p.payload,
    };
  },
  /** Write `r` into `p` (bufferLen bytes or more); `length` = payload length; the CRC is always filled. */
  emit(r: QnetL4Repr, p: QnetL4Packet): void {
    p.pad = 0;
    p.version = QNET_L4_VERSION | (r.bigEndian ? QNET_L4_VERSION_BE : 0);
    p.type = r.type;
    p.flags = r.flags;
    p.layer = r.layer;
    p.srcNdForDst = r.srcNdForDst;
    p.dstNdForSrc = r.dstNdForSrc;
    p.sconn = r.sconn;
    p.dconn = r.dconn;
    p.seq = r.seq;
    p.qosType = r.qosType;
    p.srcQosIdx = r.srcQosIdx;
    p.offset = r.offset;
    p.length = r.payload.length;
    if (r.payload.byteOffset !== p.buf.byteOffset + QNET_L4_HDR_LEN || r.payload.buffer !== p.buf.buffer) {
      p.buf.set(r.payload, QNET_L4_HDR_LEN);
    }
    p.fillCrc();
  },
  bufferLen(r: Pick<QnetL4Repr, 'payload'>): number {
    return QNET_L4_HDR_LEN + r.payload.length;
  },
};

// ---- QoS TCS_INIT body (type 0x01) -------------------------------------------------------------------------

export const QnetTcsInitField = {
  srcNameOff: { offset: 0, length: 2 },
  srcDomainOff: { offset: 2, length: 2 },
  dstNameOff: { offset: 4, length: 2 },
  dstDomainOff: { offset: 6, length: 2 },
} as const satisfies Record<string, FieldSpec>;
/** The four offsets; strings follow, each offset counted from here. */
export const QNET_TCS_INIT_HDR_LEN = 8;

/** short: no room for the offsets; offset: an offset outside the string area; unterminated: no NUL before the end. */
export type QnetTcsCheck = 'short' | 'offset' | 'unterminated';

export interface QnetTcsInitRepr {
  srcName: string;
  srcDomain: string;
  dstName: string;
  dstDomain: string;
}

const TCS_KEYS = ['srcName', 'srcDomain', 'dstName', 'dstDomain'] as const;
const TCS_OFFS = [QnetTcsInitField.srcNameOff, QnetTcsInitField.srcDomainOff, QnetTcsInitField.dstNameOff, QnetTcsInitField.dstDomainOff];

function ascii(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}
function asciiBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

export const QnetTcsInitRepr = {
  /** `buf` is the LwL4 payload; `littleEndian` comes from the LwL4 version byte. */
  parse(buf: Uint8Array, littleEndian = true): QnetTcsInitRepr | WireError<QnetTcsCheck> {
    if (buf.length < QNET_TCS_INIT_HDR_LEN) return new WireError(`TCS_INIT of ${buf.length} bytes has no room for its 4 offsets`, 'short');
    const dv = viewOf(buf);
    const area = buf.subarray(QNET_TCS_INIT_HDR_LEN);
    const out: Record<string, string> = {};
    for (let i = 0; i < 4; i++) {
      const off = dv.getUint16(TCS_OFFS[i]!.offset, littleEndian);
      if (off >= area.length) return new WireError(`TCS_INIT ${TCS_KEYS[i]} offset ${off} is outside the ${area.length}-byte string area`, 'offset');
      const end = area.indexOf(0, off);
      if (end < 0) return new WireError(`TCS_INIT ${TCS_KEYS[i]} at ${off} has no NUL before the end`, 'unterminated');
      out[TCS_KEYS[i]!] = ascii(area.subarray(off, end));
    }
    return { srcName: out.srcName!, srcDomain: out.srcDomain!, dstName: out.dstName!, dstDomain: out.dstDomain! };
  },
  emit(r: QnetTcsInitRepr, buf: Uint8Array, littleEndian = true): void {
    const dv = viewOf(buf);
    let at = 0;
    for (let i = 0; i < 4; i++) {
      const s = r[TCS_KEYS[i]!];
      dv.setUint16(TCS_OFFS[i]!.offset, at, littleEndian);
      buf.set(asciiBytes(s), QNET_TCS_INIT_HDR_LEN + at);
      buf[QNET_TCS_INIT_HDR_LEN + at + s.length] = 0;
      at += s.length + 1;
    }
  },
  bufferLen(r: QnetTcsInitRepr): number {
    return QNET_TCS_INIT_HDR_LEN + TCS_KEYS.reduce((n, k) => n + r[k].length + 1, 0);
  },
};

// ---- NR, the node resolver (layer 1) -------------------------------------------------------------------------

export const QnetNrType = { PingRequest: 0, PingReply: 1, RemoteRequest: 2, RemoteAnswer: 3, RemoteError: 4 } as const;

export const QnetNrField = {
  type: { offset: 0, length: 1 },
  /** Request: req_len; answer/error: rep_spare. */
  lenOrSpare: { offset: 1, length: 1 },
  id: { offset: 2, length: 2 },
  /** Request: the name (req_len bytes); answer: rep_nd; error: rep_status. */
  value: { offset: 4, length: 4 },
} as const satisfies Record<string, FieldSpec>;

/** short: the body of the type is cut; type: not 0..4. */
export type QnetNrCheck = 'short' | 'type';

export type QnetNrRepr =
  | { type: 0 }
  | { type: 1 }
  | { type: 2; id: number; name: string }
  | { type: 3; id: number; nd: number }
  | { type: 4; id: number; status: number };

export const QnetNrRepr = {
  parse(buf: Uint8Array, littleEndian = true): QnetNrRepr | WireError<QnetNrCheck> {
    if (buf.length < 1) return new WireError('NR message has no type byte', 'short');
    const type = buf[0]!;
    if (type === 0 || type === 1) return { type };
    if (type > QnetNrType.RemoteError) return new WireError(`NR type ${type} is not 0..4`, 'type');
    if (buf.length < QnetNrField.value.offset) return new WireError(`NR type ${type} of ${buf.length} bytes is shorter than 4`, 'short');
    const dv = viewOf(buf);
    const id = dv.getUint16(QnetNrField.id.offset, littleEndian);
    if (type === 2) {
      const len = buf[QnetNrField.lenOrSpare.offset]!;
      if (buf.length < 4 + len) return new WireError(`NR request name of ${len} bytes runs past the ${buf.length - 4} left`, 'short');
      return { type, id, name: ascii(buf.subarray(4, 4 + len)) };
    }
    if (buf.length < 8) return new WireError(`NR type ${type} of ${buf.length} bytes is shorter than 8`, 'short');
    const v = dv.getUint32(QnetNrField.value.offset, littleEndian);
    return type === 3 ? { type, id, nd: v } : { type: 4, id, status: v | 0 };
  },
  emit(r: QnetNrRepr, buf: Uint8Array, littleEndian = true): void {
    buf[0] = r.type;
    if (r.type === 0 || r.type === 1) return;
    const dv = viewOf(buf);
    dv.setUint16(QnetNrField.id.offset, r.id, littleEndian);
    if (r.type === 2) {
      if (r.name.length > 255) throw new RangeError(`NR name of ${r.name.length} bytes does not fit req_len`);
      buf[1] = r.name.length;
      buf.set(asciiBytes(r.name), 4);
      return;
    }
    buf[1] = 0;
    dv.setUint32(QnetNrField.value.offset, (r.type === 3 ? r.nd : r.status) >>> 0, littleEndian);
  },
  bufferLen(r: QnetNrRepr): number {
    if (r.type === 0 || r.type === 1) return 1;
    return r.type === 2 ? 4 + r.name.length : 8;
  },
};

export { ascii as qnetAscii, asciiBytes as qnetAsciiBytes };
