/** The parser fuzz targets (docs/fuzzing.md "The parsers"): mutated scenarios, buildfiles and command lines. */
import type { FuzzTarget } from '../target';
import { scenarioTarget } from './scenario';
import { buildfileTarget } from './buildfile';
import { cliTarget } from './cli';

export const PARSER_TARGETS: readonly FuzzTarget[] = [scenarioTarget, buildfileTarget, cliTarget];
