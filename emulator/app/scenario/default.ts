/**
 * The built-in default VM run by `qnxemu boot` / `npm start`: the scenario shipped as
 * docs/examples/default/default.yaml with its buildfiles (two simulated QNX nodes on a 10BASE-T hub, alpha
 * pings beta). It is read from the repository the program runs from, like any other scenario: which NIC models
 * the default VM uses is data in that file, not code here (nic-models/registry.ts is the only list of models).
 */
import * as path from 'node:path';
import { repoRoot } from '../guest-image/cache';
import { loadScenarioFile } from './load';
import type { Scenario } from './types';

/** Where the default VM's files live, relative to the repository root. */
export const DEFAULT_SCENARIO = 'docs/examples/default/default.yaml';

/** The default VM's scenario file (absolute). */
export function defaultScenarioFile(): string {
  const root = repoRoot(__dirname);
  if (!root) throw new Error(`cannot find the qnxemu repository above ${__dirname} (the default VM is ${DEFAULT_SCENARIO} in it)`);
  return path.join(root, DEFAULT_SCENARIO);
}

/** Load the default VM (located errors as for any scenario file). */
export function loadDefaultScenario(): Scenario {
  return loadScenarioFile(defaultScenarioFile());
}
