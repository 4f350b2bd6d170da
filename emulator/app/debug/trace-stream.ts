/**
 * A saved trace read line by line from its file, in bounded memory (`qnxemu trace` on a trace of up to the
 * --trace-limit, 1 GiB by default, which is past the longest string V8 makes: the file is never one string).
 * `scanTrace` is the first pass: it checks every line, learns what records say about packets (for a packet
 * filter), measures the node column and finds the record that says the file was cut; `eachRecord` is the
 * second pass. `hashTrace` (`qnxemu trace --hash`) re-encodes the records as the tracer does, in one pass.
 */
import * as fs from 'node:fs';
import type { TraceRecord } from '../../machine/sim/trace';
import { PacketIndex } from './packet-index';
import { TraceEncoder } from '../../machine/sim/trace-encoding';
import { isCutRecord, parseTraceLine } from './trace-file';

const READ = 1 << 20;

/** Each non-blank line of `file` with its 1-based number (the file is read in 1 MiB pieces). */
export function* fileLines(file: string): Generator<[number, string]> {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(READ);
    let rest: Buffer = Buffer.alloc(0);
    let no = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, READ, null);
      if (n === 0) break;
      const data = rest.length > 0 ? Buffer.concat([rest, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        no++;
        const line = data.toString('utf8', start, nl);
        if (line.trim() !== '') yield [no, line];
        start = nl + 1;
      }
      rest = Buffer.from(data.subarray(start));
    }
    if (rest.length > 0) {
      const line = rest.toString('utf8');
      if (line.trim() !== '') yield [no + 1, line];
    }
  } finally {
    fs.closeSync(fd);
  }
}

export interface TraceScan {
  records: number;
  /** Longest node name (`-` for network records). */
  nodeWidth: number;
  /** The trace writer's cut record, when the file was cut. */
  cut: TraceRecord | null;
  /** What records say about each packet (only when asked for: a packet filter needs it). */
  index: PacketIndex | null;
}

/** First pass: check every line (TraceFileError names a bad one) and gather what the second pass needs. */
export function scanTrace(file: string, learnPackets: boolean): TraceScan {
  const index = learnPackets ? new PacketIndex() : null;
  let records = 0;
  let nodeWidth = 1;
  let cut: TraceRecord | null = null;
  for (const [no, line] of fileLines(file)) {
    const rec = parseTraceLine(line, no);
    records++;
    nodeWidth = Math.max(nodeWidth, rec.node.length);
    if (isCutRecord(rec)) cut = rec;
    index?.learnRecord(rec);
  }
  return { records, nodeWidth, cut, index };
}

/** Second pass: every record with its line as written. */
export function* eachRecord(file: string): Generator<{ rec: TraceRecord; text: string }> {
  for (const [, line] of fileLines(file)) yield { rec: JSON.parse(line) as TraceRecord, text: line };
}

export interface TraceFileHash {
  /** Hex SHA-256 of the file's records in the tracer's encoding: the run's `trace-hash` for a whole file. */
  hash: string;
  records: number;
  /** The trace writer's cut record (not hashed: it is not the simulation's), when the file was cut. */
  cut: TraceRecord | null;
}

/**
 * The `trace-hash` of a saved trace: each line's record re-encoded exactly as the Tracer encoded it during the
 * run (emulator/machine/sim/trace-encoding.ts), in order. The writer's cut record is left out, as the run's hash
 * leaves it out; a cut file's hash covers only the records in it. Checks every line (TraceFileError names a bad one).
 */
export function hashTrace(file: string): TraceFileHash {
  const enc = new TraceEncoder();
  let records = 0;
  const cut = forEachRecord(file, (rec) => {
    enc.record(rec.t, rec.node, rec.layer, rec.probe, rec.pkt, rec.f);
    records++;
  });
  return { hash: enc.digest(), records, cut };
}

/**
 * Every record of `file` in order, each line checked (TraceFileError names a bad one); the writer's cut record is
 * not passed on but returned (null: the file was not cut).
 */
export function forEachRecord(file: string, fn: (rec: TraceRecord) => void): TraceRecord | null {
  let cut: TraceRecord | null = null;
  for (const [no, line] of fileLines(file)) {
    const rec = parseTraceLine(line, no);
    if (isCutRecord(rec)) cut = rec;
    else fn(rec);
  }
  return cut;
}
