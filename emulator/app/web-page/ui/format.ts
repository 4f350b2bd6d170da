/**
 * How the page writes times and latencies: the REPL's own formatters (debug/records.ts), so the page and
 * `qnxemu debug` print the same "1.107817019" and "+232.126us".
 */
import { durationText, timeText } from '../../debug/records';

export { durationText, timeText };

/** A hop's latency from the one before: "+232.126us", "+0". */
export function deltaText(ns: number): string {
  return `+${durationText(ns)}`;
}

/** Field values as the REPL prints them (`nic=beta.nic0 len=98`). */
export function fieldsLine(f: Record<string, string | number | boolean>): string {
  return Object.entries(f)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
