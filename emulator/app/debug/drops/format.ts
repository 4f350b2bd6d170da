/**
 * How `qnxemu trace --drops` and the debugger's `drops` print a DropReport (docs/drops.md): a summary line, then
 * per group a line with node, resource, record and cause, count, first/last time and the first packet ids, and
 * an indented `why:` line. `--format json` prints the report as one JSON document.
 */
import { timeText } from '../records';
import { IDS_LISTED, type DropGroup, type DropReport } from './analyze';

function groupLines(g: DropGroup): string[] {
  const span = g.first === g.last ? timeText(g.first) : `${timeText(g.first)} .. ${timeText(g.last)}`;
  const ids = g.pkts.length === 0 ? 'no packet id' : `pkts ${g.pkts.join(',')}${g.count > IDS_LISTED && g.pkts.length === IDS_LISTED ? ',…' : ''}`;
  const n = `${g.count} frame${g.count === 1 ? '' : 's'}`;
  return [`${g.node || '-'}  ${g.resource}  ${g.record} ${g.cause}  ${n}  ${span}  ${ids}`, `  why: ${g.why}`];
}

/** The text report; `scope` says what records it covers ("trace x.jsonl", "the whole run (lookahead)"). */
export function formatDrops(rep: DropReport, scope: string): string[] {
  const out: string[] = [];
  const causes = rep.groups.length;
  if (causes === 0) out.push(`no frame was dropped (${scope}, ${rep.records} records to ${timeText(rep.end)})`);
  else out.push(`${rep.frames} frame${rep.frames === 1 ? '' : 's'} dropped, ${causes} cause${causes === 1 ? '' : 's'} (${scope}, ${rep.records} records to ${timeText(rep.end)})`);
  for (const g of rep.groups) out.push(...groupLines(g));
  if (rep.undelivered.length > 0) {
    const n = rep.undelivered.reduce((s, g) => s + g.count, 0);
    out.push(`still undelivered when the records end: ${n} frame${n === 1 ? '' : 's'}`);
    for (const g of rep.undelivered) out.push(...groupLines(g));
  }
  return out;
}

export function dropsJson(rep: DropReport, scope: string): string {
  return JSON.stringify({ scope, records: rep.records, end: rep.end, frames: rep.frames, groups: rep.groups, undelivered: rep.undelivered });
}
