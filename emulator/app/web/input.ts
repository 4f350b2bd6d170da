/**
 * What `qnxemu web` shows: a scenario file, made into a scenario bundle (every file it reads, its seed and end:
 * bundleScenario), or a bundle file written earlier (`--out`'s bundle.json, or a failure bundle from
 * `qnxemu test --artifacts`), checked (checkBundle). Every problem is one line (LocatedError or CliError).
 *
 * Node-side only (reads files).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ScenarioBundle } from '../web-page/core/api';
import { bundleScenario, checkBundle } from '../web-page/core/bundle';
import { CliError, osReason } from '../cli/errors';
import { LocatedError } from '../scenario/errors';
import type { Scenario } from '../scenario/types';
import { scenarioOf } from '../web-page/core/session';

export interface InputOptions {
  seed?: number | undefined;
  until?: number | undefined;
}

/** A bundle file is a .json; anything else is a scenario (YAML). */
export function isBundleFile(file: string): boolean {
  return path.extname(file).toLowerCase() === '.json';
}

export function loadInput(file: string, o: InputOptions): ScenarioBundle {
  if (!isBundleFile(file)) return bundleScenario(file, { seed: o.seed, until: o.until });
  const b = readBundle(file);
  if (b.failure && (o.seed !== undefined || o.until !== undefined)) {
    const opt = o.seed !== undefined ? '--seed' : '--until';
    throw new CliError(`${file} ${opt}`, `a failure bundle replays the failed run (seed ${b.seed ?? 'of the scenario'}); open its scenario, ${b.file}, to change it`);
  }
  return { ...b, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.until !== undefined ? { until: o.until } : {}) };
}

/** Read, parse and check a bundle file. */
export function readBundle(file: string): ScenarioBundle {
  let text: string;
  try {
    if (!fs.statSync(file).isFile()) throw new CliError(file, 'is not a file (a scenario bundle is a .json file)');
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(file, `cannot read the scenario bundle: ${osReason(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(file, `not a scenario bundle: not JSON (${(e as Error).message})`);
  }
  try {
    return checkBundle(json);
  } catch (e) {
    if (e instanceof LocatedError || e instanceof CliError) throw e;
    throw new CliError(file, `not a scenario bundle: ${(e as Error).message}`);
  }
}

/**
 * The scenario's name and the run's seed, for the command's line ("ping, seed 1"): the bundle's scenario parsed as
 * the page parses it (core/session.ts scenarioOf), so what the page would refuse (a located error in the scenario,
 * a file missing from the bundle) is refused here first, as one line.
 */
export function describeBundle(b: ScenarioBundle): { name: string; seed: number; scenario: Scenario } {
  let sc: Scenario;
  try {
    sc = scenarioOf(b);
  } catch (e) {
    if (e instanceof LocatedError || e instanceof CliError) throw e;
    throw new CliError(b.file, (e as Error).message);
  }
  return { name: sc.name, seed: b.seed ?? sc.seed, scenario: sc };
}
