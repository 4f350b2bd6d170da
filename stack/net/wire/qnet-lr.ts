/**
 * Qnet's LAN resolver message (LwL4 type 0x0b, layer 2) as packet-qnet6.c's `dissect_qnet6_lr` decodes it
 * (docs/design/qnet-wire.md §4): a 56-byte header (version, type, total length, six offset/length pairs)
 * and a data area holding the names, domains and sockaddr-shaped addresses.
 *
 * Fixed by the dissector: the header layout; offsets counted from the end of the header; type 1 request,
 * 2 reply; an address is family byte 1 (MAC) with the 6 MAC bytes at +2 and is at least 8 bytes.
 * Our choices: version 1; items laid out in pair order, each padded to 8 bytes (the header is 64-bit
 * aligned); a name or domain carries its NUL inside its length; an address is 16 bytes (sa_len 16, family 1,
 * MAC, zero fill); an absent address is the pair (0, 0). Parse insists on what the dissector only hopes for:
 * off+len inside the data area, a MAC family, and a total that fits the buffer.
 */
import { qnetAscii, qnetAsciiBytes } from './qnet';
import { WireError, viewOf, type FieldSpec } from './view';

export const QnetLrField = {
  version: { offset: 0, length: 1 },
  spare0: { offset: 1, length: 1 },
  type: { offset: 2, length: 1 },
  spare1: { offset: 3, length: 1 },
  total: { offset: 4, length: 4 },
  srcName: { offset: 8, length: 8 },
  srcDomain: { offset: 16, length: 8 },
  srcAddr: { offset: 24, length: 8 },
  dstName: { offset: 32, length: 8 },
  dstDomain: { offset: 40, length: 8 },
  dstAddr: { offset: 48, length: 8 },
} as const satisfies Record<string, FieldSpec>;

/** The fixed LR header; the dissector parses nothing shorter. */
export const QNET_LR_HDR_LEN = 56;
export const QNET_LR_VERSION = 1;
export const QnetLrType = { Request: 1, Reply: 2 } as const;
/** sockaddr family of a link-level address in an LR message (`sys/lsm/qnet/qos.h` per the dissector). */
export const QNET_LR_AF_MAC = 1;
/** The address item we send: sa_len, family, 6 MAC bytes, 8 zero bytes. */
export const QNET_LR_ADDR_LEN = 16;

/** short: no header; version; type: not 1/2; length: total outside 56..buffer; item: a pair past the data area; addr: not a MAC sockaddr. */
export type QnetLrCheck = 'short' | 'version' | 'type' | 'length' | 'item' | 'addr';

export interface QnetLrRepr {
  type: number;
  srcName: string;
  srcDomain: string;
  srcMac: Uint8Array | null;
  dstName: string;
  dstDomain: string;
  dstMac: Uint8Array | null;
}

const ITEMS = ['srcName', 'srcDomain', 'srcAddr', 'dstName', 'dstDomain', 'dstAddr'] as const;
type Item = (typeof ITEMS)[number];

const pad8 = (n: number): number => (n + 7) & ~7;

/** Zero-copy view over an LR message (the LwL4 payload). */
export class QnetLrPacket {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array, readonly littleEndian = true) {
    this.dv = viewOf(buf);
  }
  lengthError(): WireError<QnetLrCheck> | null {
    const n = this.buf.length;
    if (n < QNET_LR_HDR_LEN) return new WireError(`LR message of ${n} bytes is shorter than its 56-byte header`, 'short');
    const t = this.total;
    if (t < QNET_LR_HDR_LEN || t > n) return new WireError(`LR length ${t} outside 56..${n}`, 'length');
    for (const k of ITEMS) {
      const { off, len } = this.item(k);
      if (off + len > t - QNET_LR_HDR_LEN) return new WireError(`LR ${k} (${off}, ${len}) runs past the ${t - QNET_LR_HDR_LEN}-byte data area`, 'item');
    }
    return null;
  }
  checkLen(): string | null {
    return this.lengthError()?.reason ?? null;
  }
  get version(): number { return this.buf[QnetLrField.version.offset]!; }
  set version(v: number) { this.buf[QnetLrField.version.offset] = v; }
  get type(): number { return this.buf[QnetLrField.type.offset]!; }
  set type(v: number) { this.buf[QnetLrField.type.offset] = v; }
  get total(): number { return this.dv.getUint32(QnetLrField.total.offset, this.littleEndian); }
  set total(v: number) { this.dv.setUint32(QnetLrField.total.offset, v, this.littleEndian); }
  item(k: Item): { off: number; len: number } {
    const at = QnetLrField[k].offset;
    return { off: this.dv.getUint32(at, this.littleEndian), len: this.dv.getUint32(at + 4, this.littleEndian) };
  }
  setItem(k: Item, off: number, len: number): void {
    const at = QnetLrField[k].offset;
    this.dv.setUint32(at, off, this.littleEndian);
    this.dv.setUint32(at + 4, len, this.littleEndian);
  }
  /** The bytes of item `k` in the data area. */
  itemBytes(k: Item): Uint8Array {
    const { off, len } = this.item(k);
    return this.buf.subarray(QNET_LR_HDR_LEN + off, QNET_LR_HDR_LEN + off + len);
  }
}

/** A name or domain: its bytes up to the first NUL. */
function str(b: Uint8Array): string {
  const z = b.indexOf(0);
  return qnetAscii(z < 0 ? b : b.subarray(0, z));
}

function mac(b: Uint8Array, k: Item): Uint8Array | null | WireError<QnetLrCheck> {
  if (b.length === 0) return null;
  if (b.length < 8 || b[1] !== QNET_LR_AF_MAC) return new WireError(`LR ${k} of ${b.length} bytes, family ${b[1] ?? '-'}, is not a MAC sockaddr`, 'addr');
  return b.slice(2, 8);
}

export const QnetLrRepr = {
  parse(p: QnetLrPacket): QnetLrRepr | WireError<QnetLrCheck> {
    const bad = p.lengthError();
    if (bad) return bad;
    if (p.version !== QNET_LR_VERSION) return new WireError(`LR version ${p.version} is not 1`, 'version');
    if (p.type !== QnetLrType.Request && p.type !== QnetLrType.Reply) return new WireError(`LR type ${p.type} is not 1 or 2`, 'type');
    const srcMac = mac(p.itemBytes('srcAddr'), 'srcAddr');
    if (srcMac instanceof WireError) return srcMac;
    const dstMac = mac(p.itemBytes('dstAddr'), 'dstAddr');
    if (dstMac instanceof WireError) return dstMac;
    return {
      type: p.type, srcName: str(p.itemBytes('srcName')), srcDomain: str(p.itemBytes('srcDomain')), srcMac,
      dstName: str(p.itemBytes('dstName')), dstDomain: str(p.itemBytes('dstDomain')), dstMac,
    };
  },
  emit(r: QnetLrRepr, p: QnetLrPacket): void {
    p.buf.fill(0, 0, QnetLrRepr.bufferLen(r));
    p.version = QNET_LR_VERSION;
    p.type = r.type;
    p.total = QnetLrRepr.bufferLen(r);
    let at = 0;
    for (const k of ITEMS) {
      const bytes = itemOf(r, k);
      if (bytes.length === 0) {
        p.setItem(k, 0, 0);
        continue;
      }
      p.setItem(k, at, bytes.length);
      p.buf.set(bytes, QNET_LR_HDR_LEN + at);
      at += pad8(bytes.length);
    }
  },
  bufferLen(r: QnetLrRepr): number {
    return QNET_LR_HDR_LEN + ITEMS.reduce((n, k) => n + pad8(itemOf(r, k).length), 0);
  },
};

function itemOf(r: QnetLrRepr, k: Item): Uint8Array {
  if (k === 'srcAddr' || k === 'dstAddr') {
    const m = k === 'srcAddr' ? r.srcMac : r.dstMac;
    if (!m) return new Uint8Array(0);
    const a = new Uint8Array(QNET_LR_ADDR_LEN);
    a[0] = QNET_LR_ADDR_LEN;
    a[1] = QNET_LR_AF_MAC;
    a.set(m.subarray(0, 6), 2);
    return a;
  }
  const s = r[k];
  const b = new Uint8Array(s.length + 1);
  b.set(qnetAsciiBytes(s));
  return b;
}
