/** Shared by the scenario loader tests: the located error a scenario text gives. */
import { parseScenario } from '../../emulator/app/scenario/load';
import { LocatedError } from '../../emulator/app/scenario/errors';

/** The LocatedError parsing `text` (as sc.yaml in /tmp) throws; any other outcome fails the test. */
export function errorOf(text: string): LocatedError {
  try {
    parseScenario(text, 'sc.yaml', '/tmp');
  } catch (e) {
    if (e instanceof LocatedError) return e;
    throw e;
  }
  throw new Error('expected a located error');
}
