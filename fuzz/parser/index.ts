/** The parser fuzz targets (docs/fuzzing.md "The parsers"): mutated scenarios and buildfiles. */
import type { FuzzTarget } from '../target';
import { scenarioTarget } from './scenario';
import { buildfileTarget } from './buildfile';

export const PARSER_TARGETS: readonly FuzzTarget[] = [scenarioTarget, buildfileTarget];
