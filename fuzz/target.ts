/**
 * The fuzz target contract (`npm run fuzz`, docs/fuzzing.md). A target throws seeded hostile inputs at one
 * part of qnxemu (a NIC model through its registers and DMA, the stack through malformed frames, the scenario
 * and buildfile parsers through mutated files) and checks invariants after each. Everything is a function of
 * the seed: the same seed gives the same inputs, the same failures and the same reproducer files.
 *
 * Inputs run in episodes: an episode starts from a fresh instance (a new device, a new stack, one mutated
 * file) seeded from (seed, episode), so a failure is reproduced by replaying one episode's recorded input,
 * never the whole run.
 */

/** What one episode did. `inputs` counts operations (register accesses, frames, files) as the totals report them. */
export interface EpisodeResult {
  inputs: number;
  /** The first invariant that broke (one line), or null. */
  failure: string | null;
  /**
   * On failure: the episode's input as JSON-safe data, enough for `replay` to redo it without the generator
   * (for a NIC, the operation list up to and including the failing one; for a parser, the mutated text).
   */
  input?: unknown;
}

export interface FuzzTarget {
  /** `nic/ne2000-isa`, `stack/ipv4`, `parser/scenario`: <area>/<name>, lower case. */
  readonly name: string;
  /** One line for `npm run fuzz -- --list` and docs/fuzzing.md. */
  readonly description: string;
  /** Inputs in a default run (the whole default run of every target stays under 10 minutes on 2 cores). */
  readonly defaultInputs: number;
  /** Inputs in the short pass CI runs (`--quick`). */
  readonly quickInputs: number;
  /**
   * Runs episode `episode` of the run seeded `seed`, stopping after at most `budget` inputs. Never throws:
   * an exception from the code under test is a failure ("exception: <message> at <frame>").
   */
  episode(seed: number, episode: number, budget: number): EpisodeResult;
  /** Redoes a recorded input: the failure line it still produces, or null once fixed. Never throws. */
  replay(input: unknown): string | null;
  /**
   * Optional: a smaller input that still fails the same way, and its failure line (deterministic; the runner
   * calls it only for the reproducers it writes, so a bug every episode hits costs little). Never throws.
   */
  shrink?(input: unknown, failure: string): { input: unknown; failure: string };
}

/** A reproducer file: written on failure, replayed by tests/fuzz/reproducers.test.ts from fuzz/reproducers/. */
export interface Reproducer {
  format: 'qnxemu-fuzz-reproducer';
  v: 1;
  target: string;
  seed: number;
  episode: number;
  failure: string;
  input: unknown;
}
