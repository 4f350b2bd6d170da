/**
 * A thread's segment (types.ts Segment) between two steps of its generator: what the scheduler (scheduler.ts) does
 * when a step ends — the effects placed during the step become the segment's actions, due when the CPU time still
 * owed has dropped to their offset — and when a thread starts afresh (woken, requeued). One segment object per
 * thread, refilled here, instead of a new object, an action array and a closure per yield.
 */
import { OutsBatch } from './string-io';
import type { Op, OpResult, Resume, Segment, Thread } from './types';

/**
 * The generator yielded `res` (or returned): the CPU time charged during the step is owed, its effects become the
 * segment's actions (the two arrays swap: no new ones), and `end` says what follows.
 */
export function endStep(t: Thread, res: IteratorResult<unknown, void>): void {
  const charge = t.charge;
  const seg = t.seg;
  const actions = t.deferred;
  for (const d of actions) {
    if (d instanceof OutsBatch) d.seal(charge);
    else d.rem = charge - d.at;
  }
  t.charge = 0;
  const spare = seg.actions;
  if (spare.length !== 0) spare.length = 0;
  t.deferred = spare;
  seg.actions = actions;
  seg.remaining = charge;
  seg.op = null;
  if (res.done) {
    seg.end = 'returned';
    return;
  }
  const op = res.value as { exec?: (t: Thread) => OpResult } | undefined;
  if (!op || typeof op.exec !== 'function') {
    seg.end = 'bad-yield';
    return;
  }
  seg.end = 'exec';
  seg.op = op as Op;
}

/** A segment with no CPU time owed and no actions whose end resumes the generator with `r` (a fresh start). */
export function restart(seg: Segment, r: Resume): void {
  seg.remaining = 0;
  if (seg.actions.length !== 0) seg.actions.length = 0;
  seg.end = 'step';
  seg.resume = r;
  seg.op = null;
}
