/**
 * pcapng blocks (draft-ietf-opsawg-pcapng, "PCAP Now Generic (pcapng) Capture File Format"; pcapng.com),
 * little endian. Each function returns one whole block, so a capture written block by block is a valid file
 * after every block: a live reader (`tshark -i -`, Wireshark on a FIFO) sees each packet as it is written.
 *
 * Every block is: Block Type (u32), Block Total Length (u32), body, Block Total Length again (u32); the body is
 * padded to 32 bits. Options are (code u16, length u16, value padded to 32 bits) and end with opt_endofopt
 * (0, 0). The blocks written:
 *   Section Header Block (SHB, 0x0A0D0D0A): byte-order magic 0x1A2B3C4D, version 1.0, section length -1
 *     (unknown: the file is written as it goes), option shb_userappl;
 *   Interface Description Block (IDB, 1): link type, snap length, options if_name (2), if_description (3),
 *     if_tsresol (9) = 9 (time stamps count nanoseconds: 10^-9 s);
 *   Enhanced Packet Block (EPB, 6): interface id, 64-bit time stamp (high word first), captured and original
 *     length, the packet padded to 32 bits, options opt_comment (1, repeatable) and epb_flags (2: direction in
 *     bits 0–1, 01 inbound, 10 outbound).
 */
import type { Time } from '../sim/time';

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const SHB_USERAPPL = 4;
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;
export const EPB_FLAGS = 2;

/** if_tsresol 9: the time stamp unit is 10^-9 s, the simulation's nanosecond. */
export const TSRESOL_NS = 9;

/** epb_flags bits 0–1 (the packet's direction on the interface). */
export const EPB_INBOUND = 0x1;
export const EPB_OUTBOUND = 0x2;

/** One option: its code and value (a string is UTF-8 encoded). */
export interface PcapngOption {
  code: number;
  value: Uint8Array | string;
}

const utf8 = new TextEncoder();

const pad4 = (n: number): number => (n + 3) & ~3;

/** The options area: each option padded to 32 bits, then opt_endofopt; empty when there are none. */
export function encodeOptions(opts: readonly PcapngOption[]): Uint8Array {
  if (opts.length === 0) return new Uint8Array(0);
  const values = opts.map((o) => (typeof o.value === 'string' ? utf8.encode(o.value) : o.value));
  const len = values.reduce((s, v) => s + 4 + pad4(v.length), 0) + 4;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  let off = 0;
  values.forEach((v, i) => {
    if (v.length > 0xffff) throw new RangeError(`pcapng: option ${opts[i]!.code} is ${v.length} bytes (at most 65535)`);
    dv.setUint16(off, opts[i]!.code, true);
    dv.setUint16(off + 2, v.length, true);
    out.set(v, off + 4);
    off += 4 + pad4(v.length);
  });
  // opt_endofopt: code 0, length 0 (the last 4 bytes, already zero).
  return out;
}

/** A whole block: type, total length, `fixed` body, packet data padded to 32 bits, options, total length. */
function block(type: number, fixed: Uint8Array, data: Uint8Array | null, options: readonly PcapngOption[]): Uint8Array {
  const opts = encodeOptions(options);
  const dataLen = data ? pad4(data.length) : 0;
  const total = 12 + fixed.length + dataLen + opts.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, total, true);
  out.set(fixed, 8);
  if (data) out.set(data, 8 + fixed.length);
  out.set(opts, 8 + fixed.length + dataLen);
  dv.setUint32(total - 4, total, true);
  return out;
}

/** Section Header Block: byte-order magic, version 1.0, section length -1 (not known while writing). */
export function shbBlock(userAppl: string): Uint8Array {
  const fixed = new Uint8Array(16);
  const dv = new DataView(fixed.buffer);
  dv.setUint32(0, BYTE_ORDER_MAGIC, true);
  dv.setUint16(4, 1, true);
  dv.setUint16(6, 0, true);
  dv.setInt32(8, -1, true);
  dv.setInt32(12, -1, true);
  return block(BT_SHB, fixed, null, [{ code: SHB_USERAPPL, value: userAppl }]);
}

export interface InterfaceDescription {
  linktype: number;
  snaplen: number;
  name: string;
  description: string;
}

/** Interface Description Block with if_name, if_description and if_tsresol = 9 (nanoseconds). */
export function idbBlock(d: InterfaceDescription): Uint8Array {
  const fixed = new Uint8Array(8);
  const dv = new DataView(fixed.buffer);
  dv.setUint16(0, d.linktype, true);
  dv.setUint16(2, 0, true);
  dv.setUint32(4, d.snaplen, true);
  return block(BT_IDB, fixed, null, [
    { code: IF_NAME, value: d.name },
    { code: IF_DESCRIPTION, value: d.description },
    { code: IF_TSRESOL, value: Uint8Array.of(TSRESOL_NS) },
  ]);
}

export interface EnhancedPacket {
  /** Index of the interface's IDB in the section (0 = the first IDB). */
  interfaceId: number;
  /** Virtual time in nanoseconds (if_tsresol 9). */
  t: Time;
  data: Uint8Array;
  /** Length on the wire (default: data.length). */
  origLen?: number;
  /** Captured at most this many bytes (the IDB's snaplen). */
  snaplen?: number;
  comments?: readonly string[];
  /** epb_flags: EPB_INBOUND or EPB_OUTBOUND (absent: no flags option). */
  direction?: number;
}

/** Enhanced Packet Block: the 64-bit time stamp split high word first, then the (snapped) packet and options. */
export function epbBlock(p: EnhancedPacket): Uint8Array {
  if (!Number.isSafeInteger(p.t) || p.t < 0) throw new RangeError(`pcapng: bad timestamp ${p.t}`);
  const incl = Math.min(p.data.length, p.snaplen ?? p.data.length);
  const fixed = new Uint8Array(20);
  const dv = new DataView(fixed.buffer);
  dv.setUint32(0, p.interfaceId, true);
  dv.setUint32(4, Math.floor(p.t / 2 ** 32), true);
  dv.setUint32(8, p.t % 2 ** 32, true);
  dv.setUint32(12, incl, true);
  dv.setUint32(16, p.origLen ?? p.data.length, true);
  const options: PcapngOption[] = (p.comments ?? []).map((c) => ({ code: OPT_COMMENT, value: c }));
  if (p.direction !== undefined) {
    const flags = new Uint8Array(4);
    new DataView(flags.buffer).setUint32(0, p.direction, true);
    options.push({ code: EPB_FLAGS, value: flags });
  }
  return block(BT_EPB, fixed, p.data.subarray(0, incl), options);
}

/** One block as read back: its type, total length, and its body (between the two length fields). */
export interface PcapngBlock {
  type: number;
  offset: number;
  length: number;
  body: Uint8Array;
}

/**
 * Walk a little-endian pcapng byte string block by block (tests, the ring's checks). Stops at a block cut
 * short; throws on a length that is not a multiple of 4 or whose trailing copy differs.
 */
export function readBlocks(b: Uint8Array): { blocks: PcapngBlock[]; partial: number } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const blocks: PcapngBlock[] = [];
  let off = 0;
  while (off + 12 <= b.length) {
    const type = dv.getUint32(off, true);
    const len = dv.getUint32(off + 4, true);
    if (len < 12 || len % 4 !== 0) throw new Error(`pcapng: block at ${off}: bad total length ${len}`);
    if (off + len > b.length) break;
    if (dv.getUint32(off + len - 4, true) !== len) throw new Error(`pcapng: block at ${off}: trailing length differs`);
    blocks.push({ type, offset: off, length: len, body: b.subarray(off + 8, off + len - 4) });
    off += len;
  }
  return { blocks, partial: b.length - off };
}

/** The options of an options area (`area` starts at the first option); stops at opt_endofopt. */
export function readOptions(area: Uint8Array): PcapngOption[] {
  const dv = new DataView(area.buffer, area.byteOffset, area.byteLength);
  const out: PcapngOption[] = [];
  for (let off = 0; off + 4 <= area.length; ) {
    const code = dv.getUint16(off, true);
    const len = dv.getUint16(off + 2, true);
    if (code === OPT_ENDOFOPT) break;
    out.push({ code, value: Uint8Array.from(area.subarray(off + 4, off + 4 + len)) });
    off += 4 + pad4(len);
  }
  return out;
}

/** An EPB's fields read back (tests). */
export function readEpb(blk: PcapngBlock): { interfaceId: number; t: number; data: Uint8Array; origLen: number; options: PcapngOption[] } {
  const body = blk.body;
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const incl = dv.getUint32(12, true);
  return {
    interfaceId: dv.getUint32(0, true),
    t: dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(8, true),
    data: Uint8Array.from(body.subarray(20, 20 + incl)),
    origLen: dv.getUint32(16, true),
    options: readOptions(body.subarray(20 + pad4(incl))),
  };
}
