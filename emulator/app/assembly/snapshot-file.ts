/**
 * Snapshot files: a SimSnapshot (snapshot.ts) on disk, versioned and compressed (docs/formats/snapshot.md).
 *
 *   "QNXESNAP"  u32 LE format version  u32 LE header length  header (JSON, UTF-8)  part 0  part 1 …
 *
 * The header names the qnxemu version that wrote the file, the scenario (name, file, hash of its parsed form),
 * the seed, the time T, the trace digest and record count at T, the codec and the parts: `meta` (JSON: the
 * pending events, per guest its machine state with the guest log, its clock at restore) and per guest v86's
 * `save_state()` bytes cut in parts of V86_PART_BYTES, `v86:<guest>:<i>`. Each part is compressed on its own and
 * carries its SHA-256, so a reader decompresses `meta` at once and the v86 parts in parallel on libuv's thread
 * pool while it creates fresh v86 instances and rebuilds the run (decodeSnapshotFile); a restore takes the parts
 * as they are (`v86Parts`: emulator/machine/v86/v86-state.ts reads them without joining them). Every problem with a
 * file is a SnapshotFileError with one line of text.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { createHash, webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import { version as qnxemuVersion } from '../../../package.json';
import type { Scenario } from '../scenario/types';
import type { GuestSnapshot, SimSnapshot } from './snapshot';

export const SNAPSHOT_MAGIC = 'QNXESNAP';
/** The layout above and the header's fields; a reader refuses any other. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/**
 * deflate (zlib, level 1) by default: on this project's guest snapshots it writes a file about as small as brotli
 * at quality 1 does and inflates faster (figures in docs/formats/snapshot.md).
 */
export type SnapshotCodec = 'deflate' | 'brotli';
export const DEFAULT_CODEC: SnapshotCodec = 'deflate';

/** v86 state is cut in parts of this many bytes, decompressed in parallel on the thread pool. */
export const V86_PART_BYTES = 8 * 2 ** 20;

export interface SnapshotPartInfo {
  name: string;
  /** Bytes in the file (compressed). */
  bytes: number;
  /** Bytes once decompressed. */
  raw: number;
  /** SHA-256 of the compressed bytes, hex. */
  sha256: string;
}

export interface SnapshotFileHeader {
  qnxemu: string;
  codec: SnapshotCodec;
  scenario: { name: string; file: string; hash: string };
  seed: number;
  verbose: boolean;
  /** Virtual time of the snapshot (ns). */
  time: number;
  traceDigest: string;
  traceCount: number;
  guests: string[];
  parts: SnapshotPartInfo[];
}

/** A snapshot file that cannot be used; the message is one line. */
export class SnapshotFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFileError';
  }
}

/**
 * Hash of a parsed scenario, without where it lives (`file`, `dir`), its seed (checked on its own: --seed may
 * override it) and its end time (a restored run may end elsewhere).
 */
export function scenarioHash(sc: Scenario): string {
  const { file: _f, dir: _d, seed: _s, until: _u, ...rest } = sc;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

function compress(codec: SnapshotCodec, data: Uint8Array): Buffer {
  if (codec === 'brotli')
    return zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength } });
  return zlib.deflateSync(data, { level: 1 });
}

const inflateAsync = promisify(zlib.inflate);
const brotliAsync = promisify(zlib.brotliDecompress);

function decompressSync(codec: SnapshotCodec, data: Uint8Array): Buffer {
  return codec === 'brotli' ? zlib.brotliDecompressSync(data) : zlib.inflateSync(data);
}

/** One output chunk of the part's known size: no concatenation (and no copy) of many small ones. */
function decompressAsync(codec: SnapshotCodec, data: Uint8Array, raw: number): Promise<Buffer> {
  const chunkSize = Math.max(raw, 64);
  return codec === 'brotli' ? brotliAsync(data, { chunkSize }) : inflateAsync(data, { chunkSize });
}

type MetaGuest = Omit<GuestSnapshot, 'v86'>;
interface Meta {
  events: string[];
  guests: MetaGuest[];
  /** SimSnapshot.threads: each guest's `worker` point is in its entry. */
  threads?: true;
}

/** The file's bytes for `snap` of `scenario`. */
export function encodeSnapshotFile(snap: SimSnapshot, scenario: Scenario, codec: SnapshotCodec = DEFAULT_CODEC): Buffer {
  const meta: Meta = { events: snap.events, guests: snap.guests.map(({ v86: _v, ...g }) => g), ...(snap.threads ? { threads: true as const } : {}) };
  const raws: [string, Uint8Array][] = [['meta', Buffer.from(JSON.stringify(meta))]];
  for (const g of snap.guests)
    for (let i = 0, at = 0; at < g.v86.byteLength || i === 0; i++, at += V86_PART_BYTES)
      raws.push([`v86:${g.name}:${i}`, new Uint8Array(g.v86, at, Math.min(V86_PART_BYTES, g.v86.byteLength - at))]);
  const parts = raws.map(([name, raw]) => ({ name, raw, packed: compress(codec, raw) }));
  const header: SnapshotFileHeader = {
    qnxemu: qnxemuVersion,
    codec,
    scenario: { name: scenario.name, file: scenario.file, hash: scenarioHash(scenario) },
    seed: snap.seed,
    verbose: snap.verbose,
    time: snap.time,
    traceDigest: snap.traceDigest,
    traceCount: snap.traceCount,
    guests: snap.guests.map((g) => g.name),
    parts: parts.map((p) => ({ name: p.name, bytes: p.packed.byteLength, raw: p.raw.byteLength, sha256: sha256(p.packed) })),
  };
  const head = Buffer.from(JSON.stringify(header));
  const fixed = Buffer.alloc(16);
  fixed.write(SNAPSHOT_MAGIC, 0, 'latin1');
  fixed.writeUInt32LE(SNAPSHOT_FORMAT_VERSION, 8);
  fixed.writeUInt32LE(head.byteLength, 12);
  return Buffer.concat([fixed, head, ...parts.map((p) => p.packed)]);
}

/** Write `snap` to `file` (through `file.part` and a rename, so a failed write never leaves half a file). Returns its size. */
export function writeSnapshotFile(file: string, snap: SimSnapshot, scenario: Scenario, codec: SnapshotCodec = DEFAULT_CODEC): number {
  const bytes = encodeSnapshotFile(snap, scenario, codec);
  const tmp = `${file}.part`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return bytes.byteLength;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The header of a file's bytes, checked, and where its parts start. */
export function decodeSnapshotHeader(buf: Buffer): { header: SnapshotFileHeader; body: number } {
  if (buf.byteLength < 16 || buf.toString('latin1', 0, 8) !== SNAPSHOT_MAGIC) throw new SnapshotFileError('not a qnxemu snapshot file (no QNXESNAP signature)');
  const format = buf.readUInt32LE(8);
  if (format !== SNAPSHOT_FORMAT_VERSION)
    throw new SnapshotFileError(`snapshot format version ${format}; this qnxemu (${qnxemuVersion}) reads version ${SNAPSHOT_FORMAT_VERSION}`);
  const len = buf.readUInt32LE(12);
  if (16 + len > buf.byteLength) throw new SnapshotFileError(`truncated: the header needs ${len} bytes, the file has ${buf.byteLength - 16} after the signature`);
  let header: SnapshotFileHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 16, 16 + len)) as SnapshotFileHeader;
  } catch {
    throw new SnapshotFileError('corrupt: the header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || typeof header.qnxemu !== 'string' || typeof header.time !== 'number' || !Array.isArray(header.guests))
    throw new SnapshotFileError('corrupt: the header lacks its fields');
  if (header.qnxemu !== qnxemuVersion) throw new SnapshotFileError(`written by qnxemu ${header.qnxemu}; this is qnxemu ${qnxemuVersion} (a snapshot is replayed, so only the same version can restore it)`);
  if (header.codec !== 'deflate' && header.codec !== 'brotli') throw new SnapshotFileError(`corrupt: unknown codec ${String(header.codec)}`);
  if (!Array.isArray(header.parts) || header.parts[0]?.name !== 'meta') throw new SnapshotFileError('corrupt: the header lists no meta part');
  const need = 16 + len + header.parts.reduce((s, p) => s + p.bytes, 0);
  if (need !== buf.byteLength) throw new SnapshotFileError(`${need > buf.byteLength ? 'truncated' : 'corrupt'}: the header describes ${need} bytes, the file has ${buf.byteLength}`);
  return { header, body: 16 + len };
}

/** A snapshot file read: the header and meta at once, each guest's v86 bytes when decompressed (thread pool). */
export interface LoadedSnapshot {
  header: SnapshotFileHeader;
  /** The snapshot without the guests' v86 bytes (`v86` empty: see `v86Parts` and `withV86`). */
  snapshot: SimSnapshot;
  /**
   * Per guest (in `header.guests` order), its v86 state as the decompressed parts, once every part is decompressed
   * and checked: what a restore uses (GuestMachine.takeOver reads the parts in place; joining them would copy the
   * whole state once more).
   */
  v86Parts: Promise<Uint8Array[][]>;
  /** The whole snapshot with each guest's parts joined into one ArrayBuffer (made when first asked for). */
  readonly withV86: Promise<SimSnapshot>;
}

/** Parse a snapshot file's bytes (see LoadedSnapshot). Throws SnapshotFileError on any problem. */
export function decodeSnapshotFile(buf: Buffer): LoadedSnapshot {
  const { header, body } = decodeSnapshotHeader(buf);
  let at = body;
  const packed = header.parts.map((p) => {
    const data = buf.subarray(at, at + p.bytes);
    at += p.bytes;
    return { info: p, data };
  });
  const unpackSync = (i: number): Buffer => {
    const p = packed[i]!;
    checkSum(p.info, p.data);
    let out: Buffer;
    try {
      out = decompressSync(header.codec, p.data);
    } catch (e) {
      throw new SnapshotFileError(`corrupt: part ${p.info.name} does not decompress (${(e as Error).message})`);
    }
    return checkRaw(p.info, out);
  };
  let meta: Meta;
  try {
    meta = JSON.parse(unpackSync(0).toString('utf8')) as Meta;
  } catch (e) {
    if (e instanceof SnapshotFileError) throw e;
    throw new SnapshotFileError('corrupt: the meta part is not valid JSON');
  }
  const v86Parts = header.guests.map((name) => packed.filter((p) => p.info.name.startsWith(`v86:${name}:`)));
  if (
    !Array.isArray(meta.events) ||
    !Array.isArray(meta.guests) ||
    meta.guests.map((g) => g.name).join() !== header.guests.join() ||
    v86Parts.some((ps) => ps.length === 0) ||
    packed.length !== 1 + v86Parts.reduce((n, ps) => n + ps.length, 0)
  )
    throw new SnapshotFileError('corrupt: the meta part does not match the header');
  const snapshot: SimSnapshot = {
    v: 1,
    scenario: header.scenario.name,
    seed: header.seed,
    verbose: header.verbose,
    time: header.time,
    traceDigest: header.traceDigest,
    traceCount: header.traceCount,
    events: meta.events,
    guests: meta.guests.map((g) => ({ ...g, v86: new ArrayBuffer(0) })),
    ...(meta.threads ? { threads: true as const } : {}),
  };
  const unpack = async (p: (typeof packed)[number]): Promise<Buffer> => {
    await checkSumAsync(p.info, p.data);
    const out = await decompressAsync(header.codec, p.data, p.info.raw).catch((e: Error) => {
      throw new SnapshotFileError(`corrupt: part ${p.info.name} does not decompress (${e.message})`);
    });
    return checkRaw(p.info, out);
  };
  const parts = Promise.all(v86Parts.map((ps) => Promise.all(ps.map(unpack))));
  // Nobody may be waiting yet: a rejection is seen when awaited, not reported as unhandled before.
  parts.catch(() => undefined);
  let whole: Promise<SimSnapshot> | null = null;
  return {
    header,
    snapshot,
    v86Parts: parts,
    get withV86(): Promise<SimSnapshot> {
      whole ??= parts.then((v86s) => ({ ...snapshot, guests: snapshot.guests.map((g, i) => ({ ...g, v86: joined(v86s[i]!) })) }));
      return whole;
    },
  };
}

function unreadable(e: unknown): SnapshotFileError {
  const err = e as NodeJS.ErrnoException;
  return new SnapshotFileError(`cannot read it: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a folder' : err.message}`);
}

/** Read and decode `file` (see decodeSnapshotFile). An unreadable file is a SnapshotFileError too. */
export function readSnapshotFile(file: string): LoadedSnapshot {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw unreadable(e);
  }
  return decodeSnapshotFile(buf);
}

/**
 * readSnapshotFile with the file read on libuv's thread pool: a restore passes the promise to planRestore, which
 * creates the fresh v86 instances meanwhile (snapshot-run.ts).
 */
export async function readSnapshotFileAsync(file: string): Promise<LoadedSnapshot> {
  let buf: Buffer;
  try {
    buf = await fs.promises.readFile(file);
  } catch (e) {
    throw unreadable(e);
  }
  return decodeSnapshotFile(buf);
}

/** checkSum off the main thread (WebCrypto digests on libuv's thread pool), for the v86 parts. */
async function checkSumAsync(info: SnapshotPartInfo, data: Uint8Array): Promise<void> {
  const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', data)).toString('hex');
  if (digest !== info.sha256) throw new SnapshotFileError(`corrupt: part ${info.name} does not match its SHA-256`);
}

function checkSum(info: SnapshotPartInfo, data: Uint8Array): void {
  if (sha256(data) !== info.sha256) throw new SnapshotFileError(`corrupt: part ${info.name} does not match its SHA-256`);
}

function checkRaw(info: SnapshotPartInfo, out: Buffer): Buffer {
  if (out.byteLength !== info.raw) throw new SnapshotFileError(`corrupt: part ${info.name} decompresses to ${out.byteLength} bytes, not ${info.raw}`);
  return out;
}

/** Parts as one ArrayBuffer of their own (v86 restores from an ArrayBuffer); no copy when there is one part that is one. */
function joined(parts: Buffer[]): ArrayBuffer {
  const b = parts[0]!;
  if (parts.length === 1 && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return b.buffer as ArrayBuffer;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out.buffer;
}
