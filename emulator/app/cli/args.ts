/**
 * Option values shared by several subcommands, parsed as commander argument parsers: a bad value is commander's
 * one-line "option … argument … is invalid" error (program.ts) before anything runs.
 */
import { InvalidArgumentError } from 'commander';

/**
 * `--seed <n>` (run, boot, test, debug, console): the scenario's own `seed:` range, an integer 0..2^32−1
 * (emulator/app/scenario/schema.ts). The Rng hashes the seed as a 32-bit word (emulator/machine/sim/rng.ts),
 * so a larger or fractional value would not be the seed the summary prints.
 */
export function seedArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new InvalidArgumentError('the seed is an integer 0..4294967295');
  return Number(v);
}

/** `--threads <n>` (run, test): how many guests may execute at once, each in its own worker thread; 1..256. */
export function threadsArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) throw new InvalidArgumentError('--threads is an integer 1..256');
  return Number(v);
}
