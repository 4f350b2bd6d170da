/**
 * Kernel ops that carry no arguments, built once instead of once per call (thread-api.ts): `work` and
 * `InterruptWait` need nothing but the thread that yields them. They are made with the same `op()` as every
 * other op, so the scheduler's accesses to an op keep seeing one object shape. `RESUME_VOID` is the result of a
 * call that returns nothing, shared (the scheduler only reads a Resume).
 */
import { op } from './thread-timeline';
import type { Op, Resume } from './types';

export const RESUME_VOID: Resume = { value: undefined };

/** ctx.work(ns): the charged time passes, then the thread continues. */
export const WORK_OP: Op = op('work', () => RESUME_VOID);

/** InterruptWait: continue at once if an interrupt event is pending (and consume it), else block in INTR. */
export const INTERRUPT_WAIT_OP: Op = op('InterruptWait', (t) => {
  if (t.intrPending > 0) {
    t.intrPending = 0;
    return RESUME_VOID;
  }
  t.state = 'INTR';
  return 'blocked';
});
