/**
 * How many threads a scenario's guests get when nobody says (issue 17; docs/guest-time-model.md "Threads by
 * default"): a scenario with two or more guest nodes runs them in worker threads, at most the machine's cores
 * executing at once; one with a single guest (or none) runs on the single-threaded engine, which is the one-thread
 * engine there is (a lone guest gains nothing from a thread, and the debugger shows its registers only there).
 * The threaded engine's run does not depend on the number of threads, so the default is as reproducible across
 * machines as a number: two and eight cores give the same trace-hash.
 */
import { availableParallelism } from 'node:os';
import type { Scenario } from '../scenario/types';

/** What a user asked for: `--threads N` (a number), `--no-threads` (false), nothing (undefined). */
export type ThreadsChoice = number | false | undefined;

/** The most threads `--threads` takes (args.ts). */
export const MAX_THREADS = 256;

/** The machine's cores (`--threads auto`, and the default with two or more guests), 1..MAX_THREADS. */
export function machineThreads(): number {
  return Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
}

/** The scenario's guest nodes. */
export function guestCount(scenario: Scenario): number {
  return scenario.nodes.filter((n) => n.kind === 'guest').length;
}

/**
 * The threads the run uses for its guests: a number (the threaded engine, at most that many guests executing at
 * once) or undefined (the single-threaded engine: no guests, `--no-threads`, or one guest and no `--threads`).
 */
export function guestThreads(scenario: Scenario, choice: ThreadsChoice): number | undefined {
  const guests = guestCount(scenario);
  if (guests === 0 || choice === false) return undefined;
  if (choice !== undefined) return choice;
  return guests >= 2 ? machineThreads() : undefined;
}

/** A command's options with `threads` resolved for the scenario (guestThreads): absent for the single-threaded engine. */
export function withGuestThreads<T extends { threads?: ThreadsChoice }>(scenario: Scenario, given: T): Omit<T, 'threads'> & { threads?: number } {
  const { threads: choice, ...rest } = given;
  const threads = guestThreads(scenario, choice);
  return threads === undefined ? rest : { ...rest, threads };
}
