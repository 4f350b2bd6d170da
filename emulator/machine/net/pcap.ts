import * as fs from 'node:fs';
import type { Time } from '../sim/time';

/** Classic libpcap file format (https://www.tcpdump.org/manpages/pcap-savefile.5.html), little endian. */
export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const LINKTYPE_ETHERNET = 1;
/** 802.11 frames behind a radiotap header (wireless links: emulator/machine/net/wireless/radiotap.ts). */
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const PCAP_GLOBAL_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

export interface PcapOptions {
  /** Nanosecond timestamps (magic 0xa1b23c4d, the default) or microsecond (0xa1b2c3d4). */
  nanosecond?: boolean;
  /** Longest captured part of a frame (default 65535). */
  snaplen?: number;
  /** Link-layer header type (default LINKTYPE_ETHERNET). */
  linktype?: number;
}

/** The 24-byte global header: magic, version 2.4, thiszone 0, sigfigs 0, snaplen, network. */
export function pcapGlobalHeader(opts: PcapOptions = {}): Uint8Array {
  const b = new Uint8Array(PCAP_GLOBAL_HEADER_LEN);
  const v = new DataView(b.buffer);
  v.setUint32(0, opts.nanosecond === false ? PCAP_MAGIC_USEC : PCAP_MAGIC_NSEC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, opts.snaplen ?? 65535, true);
  v.setUint32(20, opts.linktype ?? LINKTYPE_ETHERNET, true);
  return b;
}

/**
 * Writes pcap records stamped with virtual time. The global header goes out at construction and each record
 * (16-byte header + captured bytes) in a single write, so the output is a valid capture after every record.
 */
export abstract class PcapWriter {
  readonly nanosecond: boolean;
  readonly snaplen: number;
  private _records = 0;

  constructor(opts: PcapOptions = {}) {
    this.nanosecond = opts.nanosecond !== false;
    this.snaplen = opts.snaplen ?? 65535;
  }

  get records(): number {
    return this._records;
  }

  /** One record at virtual time `t` (ns). `origLen` is the frame's length on the wire (default: all of `data`). */
  writeRecord(t: Time, data: Uint8Array, origLen: number = data.length): void {
    if (!Number.isInteger(t) || t < 0) throw new RangeError(`pcap: bad timestamp ${t}`);
    const incl = Math.min(data.length, this.snaplen);
    const rec = new Uint8Array(PCAP_RECORD_HEADER_LEN + incl);
    const v = new DataView(rec.buffer);
    const sec = Math.floor(t / 1e9);
    const frac = t - sec * 1e9;
    v.setUint32(0, sec, true);
    v.setUint32(4, this.nanosecond ? frac : Math.floor(frac / 1000), true);
    v.setUint32(8, incl, true);
    v.setUint32(12, origLen, true);
    rec.set(data.subarray(0, incl), PCAP_RECORD_HEADER_LEN);
    this.write(rec);
    this._records++;
  }

  protected abstract write(chunk: Uint8Array): void;
}

/** A pcap file written incrementally with fs.writeSync (valid even if the process dies between records). */
export class PcapFileWriter extends PcapWriter {
  private fd: number | null;
  private readonly owned: boolean;

  /** `target`: a path (created or truncated, closed by close()) or an open file descriptor (left open). */
  constructor(target: string | number, opts: PcapOptions = {}) {
    super(opts);
    this.owned = typeof target === 'string';
    this.fd = typeof target === 'string' ? fs.openSync(target, 'w') : target;
    this.write(pcapGlobalHeader(opts));
  }

  protected write(chunk: Uint8Array): void {
    if (this.fd === null) throw new Error('pcap: write after close');
    let off = 0;
    while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
  }

  close(): void {
    if (this.fd !== null && this.owned) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** A pcap held in memory (tests, the web view). */
export class PcapMemoryWriter extends PcapWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  constructor(opts: PcapOptions = {}) {
    super(opts);
    this.write(pcapGlobalHeader(opts));
  }

  protected write(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The whole capture so far. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/** How much of a capture file is whole: the global header and then complete records (a reader's view). */
export interface PcapExtent {
  /** Complete records. */
  records: number;
  /** Bytes up to the end of the last complete record (the global header alone: 24). */
  whole: number;
  /** Bytes after that: a record cut short (0 for a capture that ends at a record boundary). */
  partial: number;
}

/**
 * Walk a classic pcap (either byte order, µs or ns magic) record by record and say where the last whole
 * record ends; null if the 24-byte global header is missing or its magic is not pcap's.
 */
export function pcapExtent(b: Uint8Array): PcapExtent | null {
  if (b.length < PCAP_GLOBAL_HEADER_LEN) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = v.getUint32(0, true);
  const le = magic === PCAP_MAGIC_USEC || magic === PCAP_MAGIC_NSEC;
  const be = v.getUint32(0, false) === PCAP_MAGIC_USEC || v.getUint32(0, false) === PCAP_MAGIC_NSEC;
  if (!le && !be) return null;
  let off = PCAP_GLOBAL_HEADER_LEN;
  let records = 0;
  while (off + PCAP_RECORD_HEADER_LEN <= b.length) {
    const end = off + PCAP_RECORD_HEADER_LEN + v.getUint32(off + 8, le);
    if (end > b.length) break;
    off = end;
    records++;
  }
  return { records, whole: off, partial: b.length - off };
}

/**
 * A capture a process left when it was killed (a `qnxemu test` worker stopped by Ctrl-C): cut at the end of
 * its last whole record, so every reader takes it. Returns the extent kept, or null if it is no pcap at all.
 */
export function truncatePcapToRecord(file: string): PcapExtent | null {
  const e = pcapExtent(fs.readFileSync(file));
  if (e && e.partial > 0) {
    fs.truncateSync(file, e.whole);
    return { ...e, partial: 0 };
  }
  return e;
}
