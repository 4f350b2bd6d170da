/**
 * The `--trace FILE` writer: every trace record as one JSON line (docs/formats/trace.md), with a size limit
 * (issue 14: "a trace that grows past a limit is cut with a clear record and a warning, not a full disk").
 *
 * - Records are buffered and written in chunks; a chunk ends at a line boundary, so the file is valid JSON
 *   Lines whenever a chunk has been written. A record is written as its canonical JSON line straight into the
 *   chunk's bytes (emulator/machine/sim/trace-json.ts: the bytes of JSON.stringify, without the string).
 * - When the next record would take the file past `limit - CUT_RESERVE` bytes, the writer appends one record
 *   of its own, `{"t":…,"node":"","layer":"trace","probe":"cut","pkt":0,"f":{"reason":"size limit",…}}`, and
 *   writes nothing more. CUT_RESERVE is room for that record, so the file never grows past `limit`.
 * - When a write fails (ENOSPC on a full disk, EIO, EFBIG…), the file is truncated back to the last complete
 *   line, the cut record is tried (with the OS reason; on a disk that is still full it may not fit), and
 *   nothing more is written. The simulation is not disturbed either way: the run goes on to its end.
 *
 * The cut record is the writer's, not the simulation's: it does not go through the Tracer and is not in the
 * run's `trace-hash`, which covers every record the simulation emitted, written or not. A run cut at any limit
 * prints the same hash as the same run written whole (tests/system/trace-limit.test.ts checks it).
 *
 * This file is outside the simulated world (it writes files); the virtual time it stamps on the cut record
 * is the one of the record that did not fit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatTime, type Time } from '../../machine/sim/time';
import type { TraceRecord } from '../../machine/sim/trace';
import { JsonLineEncoder } from '../../machine/sim/trace-json';

/**
 * Default --trace-limit: 1 GiB. A trace record is 100–200 bytes, so this holds 5–10 million records — seconds
 * of virtual time of a busy gigabit link, or minutes of the ping examples — and it fits on any laptop's disk.
 * It also stays below what `qnxemu trace` and jq read comfortably (both read the file line by line).
 */
export const DEFAULT_TRACE_LIMIT = 1024 ** 3;

/** Bytes kept free under the limit for the cut record (which is about 150 bytes). */
export const CUT_RESERVE = 512;

/** The smallest limit that holds the cut record (a smaller --trace-limit is refused). */
export const MIN_TRACE_LIMIT = 1024;

/** Records are written in chunks of about this many bytes. */
const CHUNK = 1 << 16;

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * A --trace-limit value: bytes, or a number with K, M, G or T (binary: 1K = 1024, as `ram:` in a scenario);
 * `0` means no limit. Returns the byte count, or a sentence saying what is wrong.
 */
export function parseTraceLimit(text: string): number | string {
  const m = /^(\d+)([KMGT]?)$/i.exec(text.trim());
  if (!m) return `'${text}' is not a size: write bytes or a number with K, M, G or T (500M, 2G), or 0 for no limit`;
  const n = Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
  if (!Number.isSafeInteger(n)) return `'${text}' is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`;
  if (n !== 0 && n < MIN_TRACE_LIMIT) return `'${text}' is smaller than ${MIN_TRACE_LIMIT} bytes, too small to hold even the record that says the trace was cut (0 means no limit)`;
  return n;
}

/** 1073741824 → "1.0 GiB", 10240 → "10.0 KiB", 512 → "512 B". */
export function sizeText(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (n < 1024) return `${n} B`;
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Why and where a trace was cut. */
export interface TraceCut {
  /** Virtual time of the first record not written. */
  t: Time;
  /** "size limit", or "write failed: <OS reason>". */
  reason: string;
  /** The limit in bytes (0: none). */
  limit: number;
  /** Bytes of records in the file before the cut record. */
  written: number;
  /** Records in the file before the cut record. */
  records: number;
  /** The cut record made it into the file (it may not after a write failure). */
  recorded: boolean;
  /** A write failed (the run should exit non-zero). */
  failed: boolean;
}

export class TraceWriter {
  private fd: number | null;
  /** A regular file: written at explicit offsets (so a cut can truncate and go on at the line boundary). */
  private readonly seekable: boolean;
  /** The chunk being filled: whole lines, newline-terminated. */
  private readonly chunk = new JsonLineEncoder(2 * CHUNK);
  private chunkRecords = 0;
  /** Virtual time of the chunk's first record (where a failed write cuts the trace). */
  private chunkT: Time = 0;
  /** Bytes accepted (buffered or written) and records accepted. */
  private accepted = 0;
  private acceptedRecords = 0;
  /** Bytes and records that reached the file, each chunk ending at a line boundary. */
  private flushed = 0;
  private flushedRecords = 0;
  private _cut: TraceCut | null = null;

  /** `limit` in bytes; 0 = no limit. The file is created (or emptied) now. */
  constructor(readonly file: string, readonly limit = DEFAULT_TRACE_LIMIT) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.fd = fs.openSync(file, 'w');
    this.seekable = fs.fstatSync(this.fd).isFile();
  }

  /** Why the trace was cut, or null while it is whole. */
  get cut(): TraceCut | null {
    return this._cut;
  }

  /** A tracer sink: one record, written as its canonical JSON line. */
  record(rec: TraceRecord): void {
    if (this._cut || this.fd === null) return;
    const start = this.chunk.pos;
    this.accept(rec.t, start, this.chunk.line(rec));
  }

  /** One record's canonical line (without the newline), already built. */
  write(t: Time, line: string): void {
    if (this._cut || this.fd === null) return;
    const start = this.chunk.pos;
    this.accept(t, start, this.chunk.text(line));
  }

  /** Keep the line just appended at `start` (`bytes` long, newline included), or drop it and cut at the limit. */
  private accept(t: Time, start: number, bytes: number): void {
    if (this.limit > 0 && this.accepted + bytes > this.limit - CUT_RESERVE) {
      this.chunk.pos = start;
      this.flush();
      if (!this._cut) this.stop(t, 'size limit', false);
      return;
    }
    if (this.chunkRecords === 0) this.chunkT = t;
    this.chunkRecords++;
    this.accepted += bytes;
    this.acceptedRecords++;
    if (this.chunk.pos >= CHUNK) this.flush();
  }

  /** Write what is buffered and close the file (`t`: the run's end time; a second close does nothing). Returns the cut, if any. */
  close(t: Time): TraceCut | null {
    if (this.fd === null) return this._cut;
    this.flush();
    try {
      fs.closeSync(this.fd);
    } catch (e) {
      // close(2) can report a delayed write error (NFS, a full disk): the file holds what was flushed.
      if (!this._cut) this._cut = this.cutAt(t, `write failed: ${reasonOf(e)}`, true, false);
    }
    this.fd = null;
    return this._cut;
  }

  /** Write the buffered records; on failure, cut the trace at the last line that reached the file. */
  private flush(): void {
    if (this.fd === null || this.chunkRecords === 0) return;
    // A view of the chunk's bytes: written (synchronously) before the next record overwrites them.
    const data = this.chunk.buf.subarray(0, this.chunk.pos);
    const records = this.chunkRecords;
    this.chunk.reset();
    this.chunkRecords = 0;
    try {
      this.writeAll(data);
      this.flushed += data.length;
      this.flushedRecords += records;
    } catch (e) {
      // Part of the chunk may have reached the file: cut back to the last whole line written before it.
      try {
        if (this.seekable) fs.ftruncateSync(this.fd, this.flushed);
      } catch {
        // the file stays as it is; the next write (the cut record) starts at the boundary anyway
      }
      this.stop(this.chunkT, `write failed: ${reasonOf(e)}`, true);
    }
  }

  /** Append the cut record (if it can be written) and stop writing. */
  private stop(t: Time, reason: string, failed: boolean): void {
    const cut = this.cutAt(t, reason, failed, false);
    const rec = { t, node: '', layer: 'trace', probe: 'cut', pkt: 0, f: { reason, limit: this.limit, written: cut.written, records: cut.records } };
    try {
      if (this.fd !== null) this.writeAll(Buffer.from(JSON.stringify(rec) + '\n'));
      cut.recorded = true;
    } catch {
      try {
        if (this.fd !== null && this.seekable) fs.ftruncateSync(this.fd, this.flushed);
      } catch {
        // as above
      }
    }
    this._cut = cut;
  }

  /**
   * writeSync until every byte is written (a write may be partial when the disk fills up), at the end of what
   * was flushed: after a failed chunk is truncated away, the next write lands on the line boundary, not past a
   * hole. A pipe or a device (/dev/full, /dev/stdout) is written in sequence.
   */
  private writeAll(data: Buffer): void {
    if (this.fd === null) return;
    let off = 0;
    while (off < data.length) {
      off += this.seekable ? fs.writeSync(this.fd, data, off, data.length - off, this.flushed + off) : fs.writeSync(this.fd, data, off, data.length - off);
    }
  }

  private cutAt(t: Time, reason: string, failed: boolean, recorded: boolean): TraceCut {
    return { t, reason, limit: this.limit, written: this.flushed, records: this.flushedRecords, recorded, failed };
  }
}


function reasonOf(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const m = typeof err?.message === 'string' ? /^([A-Z]+): ([^,]+)/.exec(err.message) : null;
  if (m) return `${m[2]} (${m[1]})`;
  return err instanceof Error ? err.message : String(e);
}

/**
 * The warning printed at the end of a run whose trace was cut (without "qnxemu: warning: "):
 * `trace cut at 1.0 GiB (--trace-limit) at t=2.345678901: out/t.jsonl holds 6543210 records up to there`.
 */
export function cutWarning(file: string, cut: TraceCut): string {
  const holds = `${file} holds ${cut.records} record${cut.records === 1 ? '' : 's'} (${sizeText(cut.written)}) up to there`;
  if (!cut.failed) return `trace cut at ${sizeText(cut.limit)} (--trace-limit) at t=${formatTime(cut.t)}: ${holds}`;
  const noRecord = cut.recorded ? '' : '; the cut record did not fit either';
  return `trace cut at t=${formatTime(cut.t)}: ${cut.reason}: ${holds}${noRecord}`;
}
