/**
 * Option values shared by several subcommands, parsed as commander argument parsers: a bad value is commander's
 * one-line "option … argument … is invalid" error (program.ts) before anything runs.
 */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, Option } from 'commander';
import { CliError } from './errors';

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
 * `--threads <n>` (run, test, console): how many guests may execute at once, each in its own worker thread; 1..256,
 * or `auto`: the machine's cores (os.availableParallelism, at most 256). Any n gives the same run (the threaded
 * engine's result does not depend on it), so `auto` is as reproducible across machines as a number.
 */
export function threadsArg(v: string): number {
  if (v === 'auto') return Math.max(1, Math.min(256, availableParallelism()));
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) throw new InvalidArgumentError('--threads is an integer 1..256, or auto');
  return Number(v);
}

/**
 * `--threads` where it is not available (web): accepted by the parser (hidden from --help) so that the answer is
 * why, not "unknown option". The web page replays guest nodes on its own thread, which is the single-threaded
 * engine's run, not the threaded one (docs/guest-time-model.md "What runs threaded, and what not yet").
 */
export function threadsNotHereOption(): Option {
  return new Option('--threads <n>').hideHelp();
}

/** The error for a `--threads` given to `command` (one line; exit status 1). */
export function threadsNotHere(command: string): CliError {
  return new CliError(
    '--threads',
    `qnxemu ${command} runs guest nodes on one thread, and that is another run than \`run --threads\`'s; ` +
      'to look into a threaded run, debug it (qnxemu debug <scenario> --threads N) or write its trace (qnxemu run <scenario> --threads N --trace FILE) and read it with qnxemu trace FILE',
  );
}
