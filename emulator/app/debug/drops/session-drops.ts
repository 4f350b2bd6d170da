/**
 * The debugger's `drops` (docs/debugger.md "drops"): the same analysis as `qnxemu trace --drops`, over the
 * session's records. `drops` covers the whole run when the lookahead saw it (its records are the trace file's);
 * `drops so-far` (and `drops` without a complete lookahead) covers the records up to the cursor only, so a drop
 * still pending a retry there counts as one.
 */
import type { DebugSession } from '../session';
import { timeText } from '../records';
import { DropAnalyzer, type DropReport } from './analyze';
import { formatDrops } from './format';

export function sessionDrops(s: DebugSession, soFar: boolean): { report: DropReport; scope: string } {
  const tl = s.timeline;
  const whole = !soFar && tl !== null && tl.complete;
  const a = new DropAnalyzer();
  if (whole) {
    for (const r of tl.records) a.feed(r);
    return { report: a.finish(), scope: 'the whole run, from the lookahead' };
  }
  const end = s.cursor >= 0 ? s.cursor + 1 : s.records.length;
  const recs = s.records;
  for (let i = 0; i < end; i++) a.feed(recs[i]!);
  const why = soFar ? '' : tl ? "; the lookahead stopped at its cap, so the rest of the run is not known" : '; no lookahead';
  return { report: a.finish(), scope: `up to the cursor at ${timeText(s.now)}${why}` };
}

export function dropsCommand(s: DebugSession, args: string[]): string[] {
  const soFar = args[0] === 'so-far';
  const { report, scope } = sessionDrops(s, soFar);
  return formatDrops(report, scope);
}
