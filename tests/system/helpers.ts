import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { loadDefaultScenario } from '../../emulator/app/scenario/default';
import { runScenario, type RunOptions, type RunResult } from '../../emulator/app/assembly/run';
import type { Scenario } from '../../emulator/app/scenario/types';

export const REPO = path.resolve(__dirname, '../..');

/** The default VM `qnxemu boot` runs (docs/examples/default). */
export function defaultScenario(): Scenario {
  return loadDefaultScenario();
}

export function example(name: string): Scenario {
  return loadScenarioFile(path.join(REPO, 'docs/examples', name));
}

export function tmpdir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `qnxemu-${prefix}-`));
}

export function run(s: Scenario, opts: RunOptions = {}): RunResult {
  return runScenario(s, opts);
}

/** A nicinfo counter from a console ("Receive Overruns ..... 3" → 3). */
export function nicinfoCounter(consoleText: string, label: string): number {
  const m = new RegExp(`${label} \\.+ (\\d+)`).exec(consoleText);
  if (!m) throw new Error(`no '${label}' in console:\n${consoleText}`);
  return Number(m[1]);
}
