/**
 * `qnxemu trace <file> --drops`: one pass over a saved trace, line by line (trace-stream.ts), every line checked
 * (a bad one throws TraceFileError naming it), records fed to the drop analysis in file order.
 */
import type { TraceRecord } from '../../../machine/sim/trace';
import { forEachRecord } from '../trace-stream';
import { DropAnalyzer, type DropQuery, type DropReport } from './analyze';

export interface FileDrops {
  report: DropReport;
  scope: string;
  /** The trace writer's cut record, when the file was cut. */
  cut: TraceRecord | null;
}

export function dropsOfFile(file: string, q: DropQuery = {}): FileDrops {
  const a = new DropAnalyzer(q);
  const cut = forEachRecord(file, (rec) => a.feed(rec));
  return { report: a.finish(), scope: 'the whole trace', cut };
}
