/**
 * Shrinking a failing NIC op list before it is written as a reproducer (docs/fuzzing.md "Reproducers"): chunks
 * of ops are dropped, halving the chunk size down to single ops (delta debugging's "ddmin" complement tests), and
 * a smaller list is kept while its replay still fails the same way — the same problem text up to its first digit
 * ("interrupt output low with ISR ", "hang: ", "exception: TypeError: …"), since op numbers and register values
 * may change. Replays are counted, not timed, so shrinking is deterministic; it stops after SHRINK_REPLAYS.
 */
import type { NicFuzzModel, NicOp } from './harness';
import { replayNicInput, type NicInput } from './harness-episode';

/** Replays one shrink may spend. */
export const SHRINK_REPLAYS = 200;

/** The kind of a failure: its problem (without the "op N (…): " prefix) up to the first digit. */
export function failureKind(line: string): string {
  const problem = line.replace(/^op \d+ \([^)]*\): /, '').replace(/^after op \d+: /, '');
  const digit = problem.search(/\d/);
  return digit < 0 ? problem : problem.slice(0, digit);
}

/** The op count a failure line names ("op 17 (…)": 17), or null for an end-of-episode failure. */
function failingOp(line: string): number | null {
  const m = /^op (\d+) \(/.exec(line);
  return m ? Number(m[1]) : null;
}

export function shrinkNicInput(model: NicFuzzModel, input: unknown, failure: string): { input: unknown; failure: string } {
  const original = input as NicInput;
  if (!Array.isArray(original?.ops)) return { input, failure };
  const kind = failureKind(failure);
  let ops: NicOp[] = original.ops;
  let line = failure;
  let replays = 0;
  const attempt = (candidate: NicOp[]): boolean => {
    replays++;
    const got = replayNicInput(model, { ...original, ops: candidate });
    if (got === null || failureKind(got) !== kind) return false;
    const at = failingOp(got);
    ops = at === null ? candidate : candidate.slice(0, at);
    line = got;
    return true;
  };
  for (let chunk = Math.max(1, ops.length >> 1); replays < SHRINK_REPLAYS; chunk = Math.max(1, chunk >> 1)) {
    let removed = false;
    // From the end backwards: the failing op stays last, and ops just before it are the likeliest to matter.
    for (let end = ops.length - 1; end > 0 && replays < SHRINK_REPLAYS; end -= chunk) {
      const start = Math.max(0, end - chunk);
      if (attempt([...ops.slice(0, start), ...ops.slice(end)])) removed = true;
    }
    if (chunk === 1 && !removed) break;
  }
  return { input: { ...original, ops }, failure: line };
}
