/**
 * What `npm run fuzz` prints (docs/fuzzing.md "Output"): one line per target, `fuzz <target>: N inputs, F
 * failures (…)` — N without separators so CI can parse it — then one line per saved failure with its
 * reproducer's path, and the totals `fuzz: T targets, N inputs, F failures`. Reproducers are written here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { reproducerName, reproducerText, type TargetResult } from './runner';

/** Write a result's reproducers into `dir`; the lines to print for the target. */
export function targetLines(r: TargetResult, dir: string): string[] {
  // Wall time and rate are for the reader only (measured with the wall clock; nothing depends on them).
  const secs = r.ms / 1000;
  const rate = secs > 0 ? Math.round(r.inputs / secs) : r.inputs;
  const lines = [`fuzz ${r.name}: ${r.inputs} inputs, ${r.failed} failures (${secs.toFixed(1)} s, ${rate} inputs/s)`];
  if (r.reproducers.length > 0) mkdirSync(dir, { recursive: true });
  for (const rep of r.reproducers) {
    const file = path.join(dir, reproducerName(rep));
    writeFileSync(file, reproducerText(rep));
    lines.push(`  episode ${rep.episode}: ${rep.failure} -> ${file}`);
  }
  const more = r.failed - r.reproducers.length;
  if (more > 0) lines.push(`  and ${more} more failing episodes (reproducers not written)`);
  return lines;
}

/** A target whose worker died: its line counts one failure. */
export function crashedLines(name: string, problem: string): string[] {
  return [`fuzz ${name}: 0 inputs, 1 failures (${problem})`];
}

export function totalsLine(targets: number, inputs: number, failures: number): string {
  return `fuzz: ${targets} targets, ${inputs} inputs, ${failures} failures`;
}
