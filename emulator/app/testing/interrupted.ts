/**
 * Scenarios a `qnxemu test` run did not finish because it was interrupted (Ctrl-C, a CI timeout): their
 * outcomes (JUnit `<error type="interrupted">`, emulator/app/testing/junit.ts) and what becomes of the files
 * a killed worker left in their artifact folder. A worker runs the simulation synchronously and is killed
 * between two system calls, so what it wrote is whole up to its last write; the pcaps are cut at their last
 * whole record and the trace at its last whole line all the same (a write cut short by the kill, a disk
 * that filled up), so every pcap reader and every JSON-lines reader takes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { truncatePcapToRecord } from '../../machine/net/pcap';
import { errorOutcome, type ScenarioOutcome } from './outcome';

/** The JUnit error message of every scenario an interrupt left unfinished (its first line). */
export function interruptedMessage(signal: string): string {
  return `interrupted (${signal}) before it finished`;
}

/** An outcome of a scenario left unfinished; `started`: a worker was running it (else it never began). */
export function interruptedOutcome(file: string, signal: string, started: boolean, artifactsDir: string | undefined): ScenarioOutcome {
  const detail = started ? keptArtifacts(artifactsDir) : ['it had not started'];
  const o = errorOutcome(file, [interruptedMessage(signal), ...detail].join('\n'));
  return o;
}

/** True for outcomes made by interruptedOutcome. */
export function isInterrupted(o: ScenarioOutcome): boolean {
  return o.status === 'error' && /^interrupted \(SIG[A-Z]+\) before it finished/.test(o.error ?? '');
}

/** Outcomes of scenarios that had not started when the interrupt came. */
export function notStarted(o: ScenarioOutcome): boolean {
  return isInterrupted(o) && (o.error ?? '').endsWith('\nit had not started');
}

/** Cut the partial pcaps and trace in `dir` at their last whole record and line; one line each saying so. */
function keptArtifacts(dir: string | undefined): string[] {
  if (!dir || !fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (name.endsWith('.pcap')) {
      const e = truncatePcapToRecord(p);
      if (e) out.push(`partial pcap kept, valid up to its last whole frame: ${p} (${e.records} frames)`);
      else {
        fs.rmSync(p, { force: true });
        out.push(`partial pcap removed (no whole header): ${p}`);
      }
    } else if (name === 'trace.jsonl') {
      out.push(`partial trace kept, cut at its last whole line: ${p} (${cutAtLastLine(p)} records)`);
    }
  }
  return out;
}

/** Truncate a JSON-lines file after its last newline; returns the number of lines kept. */
function cutAtLastLine(file: string): number {
  const b = fs.readFileSync(file);
  const end = b.lastIndexOf(0x0a) + 1;
  if (end < b.length) fs.truncateSync(file, end);
  let n = 0;
  for (let i = 0; i < end; i++) if (b[i] === 0x0a) n++;
  return n;
}
