/** Every fuzz target, in the order `npm run fuzz` runs and lists them. */
import type { FuzzTarget } from './target';
import { NIC_TARGETS } from './nic';
import { STACK_TARGETS } from './stack';
import { PARSER_TARGETS } from './parser';

export const FUZZ_TARGETS: readonly FuzzTarget[] = [...NIC_TARGETS, ...STACK_TARGETS, ...PARSER_TARGETS];
