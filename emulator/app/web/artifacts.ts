/**
 * `qnxemu test --artifacts DIR`: for each FAILED scenario, a failure bundle DIR/<scenario name>.bundle.json — the
 * scenario with every file it reads, the run's seed, and its first failure (which expectation, what was expected
 * and found, and the virtual time it failed at: ScenarioOutcome.failure, testing/evaluate.ts firstFailure) — so
 * that `npx qnxemu web DIR/<name>.bundle.json` opens the debugger stopped at that moment. Passing scenarios, and
 * files that could not be loaded (nothing to replay), write nothing.
 *
 * Node-side only (writes files).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ScenarioBundle } from '../web-page/core/api';
import { bundleScenario } from '../web-page/core/bundle';
import type { ScenarioOutcome } from '../testing/outcome';
import { errorLine, osReason } from '../cli/errors';
import { formatTime } from '../../machine/sim/time';

export interface BundleWritten {
  file: string;
  scenario: string;
}

/** The failure bundle of one failed outcome (null if it did not fail, or failed before it ran). */
export function failureBundle(o: ScenarioOutcome): ScenarioBundle | null {
  if (o.status !== 'failed' || !o.failure) return null;
  return { ...bundleScenario(o.file, { seed: o.seed ?? undefined }), failure: { ...o.failure } };
}

/**
 * Write the failure bundles of `outcomes` into `dir` (named after the scenario, -2, -3… when two share a name);
 * returns the lines to print: where each went, or why it could not be written.
 */
export function writeFailureBundles(outcomes: ScenarioOutcome[], dir: string): { written: BundleWritten[]; lines: string[] } {
  const used = new Map<string, number>();
  const written: BundleWritten[] = [];
  const lines: string[] = [];
  for (const o of outcomes) {
    if (o.status !== 'failed' || !o.failure) continue;
    const base = safeName(o.name);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const file = path.join(dir, `${n === 1 ? base : `${base}-${n}`}.bundle.json`);
    try {
      const b = failureBundle(o)!;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(b) + '\n');
      written.push({ file, scenario: o.file });
      lines.push(`failure bundle ${file} (${o.failure.expectation} at ${formatTime(o.failure.t)} s): npx qnxemu web ${file}`);
    } catch (e) {
      const why = e instanceof Error && 'code' in e ? osReason(e) : errorLine(e).replace(/^qnxemu: /, '');
      lines.push(`warning: no failure bundle for ${o.file}: ${why}`);
    }
  }
  return { written, lines };
}

/** A scenario name as a file name: path separators and control characters replaced. */
function safeName(name: string): string {
  const s = name.replace(/[\u0000-\u001f/\\:*?"<>|]/g, '_').replace(/^\.+/, '_');
  return s === '' ? 'scenario' : s;
}
