/**
 * Option values shared by several subcommands, parsed as commander argument parsers: a bad value is commander's
 * one-line "option … argument … is invalid" error (program.ts) before anything runs.
 */
import { InvalidArgumentError } from 'commander';
import { MAX_THREADS, machineThreads } from '../assembly/guest-threads';

/**
 * `--seed <n>` (run, boot, test, debug, console): the scenario's own `seed:` range, an integer 0..2^32−1
 * (emulator/app/scenario/schema.ts). The Rng hashes the seed as a 32-bit word (emulator/machine/sim/rng.ts),
 * so a larger or fractional value would not be the seed the summary prints.
 */
export function seedArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new InvalidArgumentError('the seed is an integer 0..4294967295');
  return Number(v);
}

/**
 * `--threads <n>` (run, test, console, debug, web): how many guests may execute at once, each in its own worker thread;
 * 1..256, or `auto`: the machine's cores (os.availableParallelism, at most 256), which is also the default for a
 * scenario with two or more guests (emulator/app/assembly/guest-threads.ts). Any n gives the same run (the threaded
 * engine's result does not depend on it), so `auto` is as reproducible across machines as a number.
 */
export function threadsArg(v: string): number {
  if (v === 'auto') return machineThreads();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_THREADS) throw new InvalidArgumentError(`--threads is an integer 1..${MAX_THREADS}, or auto`);
  return Number(v);
}

/** `--threads`'s help (run, test, console). */
export const THREADS_HELP =
  "run each guest node in a worker thread (the last on the main thread when n covers them all), at most n at once; auto: the machine's cores, the default with two or more guests (docs/guest-time-model.md)";

/** `--no-threads`'s help: the single-threaded engine, whatever the number of guests. */
export const NO_THREADS_HELP = 'run every guest node on the main thread (the single-threaded engine: another run than the threaded one; the default with one guest)';

