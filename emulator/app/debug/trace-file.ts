/**
 * Reading and filtering a saved trace (JSON lines, docs/formats/trace.md) for `qnxemu trace`. A packet filter
 * on a saved trace is evaluated on what the records say about each packet (a saved trace holds no frame
 * bytes): the whole file is read first to gather every packet's addresses and protocols, then records are
 * selected. Records not about a packet (pkt 0) never match a filter. A file is read line by line
 * (trace-stream.ts), twice, so a trace of any size is read in bounded memory.
 */
import type { TraceRecord } from '../../machine/sim/trace';
import type { Time } from '../../machine/sim/time';
import type { FilterNode } from './filter';
import { matches } from './filter-eval';
import { PacketIndex } from './packet-index';
import { fieldsText, timeText } from './records';

export class TraceFileError extends Error {
  constructor(readonly line: number, readonly problem: string) {
    super(`line ${line}: ${problem}`);
  }
}

export interface TraceQuery {
  filter?: FilterNode | undefined;
  nodes?: string[] | undefined;
  /** "nic" or "nic/rx-accept". */
  layers?: string[] | undefined;
  pkts?: number[] | undefined;
  from?: Time | undefined;
  to?: Time | undefined;
}

export interface TraceLine {
  rec: TraceRecord;
  text: string;
}

/** One line's record, checked; throws TraceFileError naming line `no` (1-based). */
export function parseTraceLine(line: string, no: number): TraceRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new TraceFileError(no, `not JSON: ${(e as Error).message}`);
  }
  const r = v as Partial<TraceRecord>;
  if (typeof v !== 'object' || v === null || typeof r.t !== 'number' || typeof r.node !== 'string' || typeof r.layer !== 'string' || typeof r.probe !== 'string' || typeof r.pkt !== 'number') {
    throw new TraceFileError(no, 'not a trace record (needs t, node, layer, probe, pkt)');
  }
  if (r.f !== undefined && (typeof r.f !== 'object' || r.f === null || Array.isArray(r.f))) throw new TraceFileError(no, 'field f must be an object');
  return r as TraceRecord;
}

/** Parse JSON lines; throws TraceFileError naming the line of a malformed record. */
export function parseTrace(text: string): TraceLine[] {
  const out: TraceLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') out.push({ rec: parseTraceLine(line, i + 1), text: line });
  });
  return out;
}

/** Is `rec` the trace writer's own record saying the file was cut (emulator/app/assembly/trace-writer.ts)? */
export function isCutRecord(rec: TraceRecord): boolean {
  return rec.layer === 'trace' && rec.probe === 'cut' && rec.node === '';
}

/**
 * The criteria of `q` as one test. A packet filter needs `index` to know every packet the file mentions
 * (learnRecord over the whole file first).
 */
export function recordTest(q: TraceQuery, index: PacketIndex | null): (rec: TraceRecord) => boolean {
  return (rec) => {
    if (q.from !== undefined && rec.t < q.from) return false;
    if (q.to !== undefined && rec.t > q.to) return false;
    if (q.nodes && !q.nodes.includes(rec.node) && !(rec.node === '' && q.nodes.includes('-'))) return false;
    if (q.layers && !q.layers.some((l) => (l.includes('/') ? `${rec.layer}/${rec.probe}` === l : rec.layer === l))) return false;
    if (q.pkts && !q.pkts.includes(rec.pkt)) return false;
    if (q.filter && index) {
      if (rec.pkt <= 0) return false;
      if (!matches(q.filter, index.info(rec.pkt))) return false;
    }
    return true;
  };
}

/** The records that pass every given criterion, in file order. */
export function selectRecords(lines: TraceLine[], q: TraceQuery): TraceLine[] {
  let index: PacketIndex | null = null;
  if (q.filter) {
    index = new PacketIndex();
    for (const l of lines) index.learnRecord(l.rec);
  }
  const test = recordTest(q, index);
  return lines.filter(({ rec }) => test(rec));
}

/** `1.108088459  alpha  nic/tx-start  pkt 3  nic=alpha.nic0 page=64 len=98` */
export function formatRecord(rec: TraceRecord, nodeWidth = 6): string {
  const f = fieldsText(rec.f);
  const pkt = rec.pkt ? `pkt ${rec.pkt}` : '';
  return `${timeText(rec.t).padStart(13)}  ${(rec.node || '-').padEnd(nodeWidth)}  ${`${rec.layer}/${rec.probe}`.padEnd(22)}  ${pkt.padEnd(8)}  ${f}`.trimEnd();
}

