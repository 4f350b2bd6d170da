/**
 * The fuzz runner's core (docs/fuzzing.md): runs one target's budget as episodes, in order, from one seed —
 * episode k of seed s is the same input wherever and whenever it runs — and collects failures as reproducers.
 * A failure ends only its episode; the run goes on. main.ts spreads targets over worker threads and prints.
 */
import type { FuzzTarget, Reproducer } from './target';
import { exceptionLine } from './runner-errors';

/** The seed of a run without --seed (printed with the totals; issue 14). */
export const DEFAULT_SEED = 14;
/** Reproducers written per target; further failing episodes are only counted. */
export const MAX_REPRODUCERS = 10;

export interface TargetRun {
  target: FuzzTarget;
  seed: number;
  /** The input budget of this run. */
  inputs: number;
  /** Called now and then with the inputs done so far. */
  onProgress?: (inputs: number) => void;
}

export interface TargetResult {
  name: string;
  inputs: number;
  episodes: number;
  /** Failing episodes (all of them). */
  failed: number;
  /** The first MAX_REPRODUCERS failures, each with its reproducer. */
  reproducers: Reproducer[];
  /** Wall time of the run in ms (reporting only). */
  ms: number;
}

/** Run a target's budget. Never throws: a target that throws is a failure of its episode. */
export function runTarget(run: TargetRun): TargetResult {
  const { target, seed } = run;
  const budget = Math.max(0, Math.floor(run.inputs));
  // Wall clock for the report's time and inputs/s only; nothing in the run depends on it.
  const t0 = performance.now();
  const reproducers: Reproducer[] = [];
  let used = 0;
  let episode = 0;
  let failed = 0;
  let lastReport = 0;
  while (used < budget) {
    let r: { inputs: number; failure: string | null; input?: unknown };
    try {
      r = target.episode(seed, episode, budget - used);
    } catch (e) {
      r = { inputs: 1, failure: `the target threw: ${exceptionLine(e)}`, input: null };
    }
    used += Math.max(1, Math.min(r.inputs, budget - used));
    if (r.failure !== null) {
      failed++;
      if (reproducers.length < MAX_REPRODUCERS) {
        const small = shrunk(target, r.input ?? null, r.failure);
        reproducers.push({ format: 'qnxemu-fuzz-reproducer', v: 1, target: target.name, seed, episode, failure: small.failure, input: small.input });
      }
    }
    episode++;
    if (run.onProgress && used - lastReport >= 10_000) {
      lastReport = used;
      run.onProgress(used);
    }
  }
  run.onProgress?.(used);
  return { name: target.name, inputs: used, episodes: episode, failed, reproducers, ms: performance.now() - t0 };
}

/** The target's smaller input for a reproducer, if it can shrink (a throwing shrink keeps the original). */
function shrunk(target: FuzzTarget, input: unknown, failure: string): { input: unknown; failure: string } {
  if (!target.shrink || input === null) return { input, failure };
  try {
    return target.shrink(input, failure);
  } catch {
    return { input, failure };
  }
}

/** A reproducer's file name: `<target with / → ->-s<seed>-e<episode>.json`. */
export function reproducerName(r: Pick<Reproducer, 'target' | 'seed' | 'episode'>): string {
  return `${r.target.replace(/\//g, '-')}-s${r.seed}-e${r.episode}.json`;
}

/** A reproducer as written: pretty-printed JSON with a final newline. */
export function reproducerText(r: Reproducer): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** Checks a parsed reproducer file: the problem, or null. */
export function reproducerProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null) return 'not a JSON object';
  const o = x as Record<string, unknown>;
  if (o['format'] !== 'qnxemu-fuzz-reproducer') return "format is not 'qnxemu-fuzz-reproducer'";
  if (o['v'] !== 1) return `version ${JSON.stringify(o['v'])} (this build reads 1)`;
  if (typeof o['target'] !== 'string') return 'target is not a string';
  if (!Number.isInteger(o['seed']) || !Number.isInteger(o['episode'])) return 'seed and episode must be integers';
  if (!('input' in o)) return 'no input';
  return null;
}

/** Redo a reproducer: the failure line it still produces, or null. Never throws. */
export function replayReproducer(target: FuzzTarget, r: Reproducer): string | null {
  try {
    return target.replay(r.input);
  } catch (e) {
    return `the target threw: ${exceptionLine(e)}`;
  }
}

/** Targets whose name matches a pattern (`*` within a path segment, `**` across). */
export function matchTargets(all: readonly FuzzTarget[], pattern: string): FuzzTarget[] {
  const re = new RegExp(
    `^${pattern
      .split('**')
      .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
      .join('.*')}$`,
  );
  return all.filter((t) => re.test(t.name));
}
