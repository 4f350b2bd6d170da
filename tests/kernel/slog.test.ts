/** The node's system log: slogf at its point on the thread's timeline, sloginfo's view, the bounded ring. */
import { Errno, KernelError, type ProgramMain, type SlogEntry } from '../../stack/kernel/api';
import { SLOG_CAPACITY, Slog, _SLOG_INFO, _SLOG_NOTICE } from '../../stack/kernel/slog';
import { rig, run } from './helpers';

describe('slog', () => {
  test('entries carry the time of their point on the writer timeline and come back oldest first', () => {
    let seen: SlogEntry[] = [];
    let bad: unknown = null;
    const a: ProgramMain = function* (ctx) {
      ctx.slogf!(10, _SLOG_INFO, 'a: one');
      yield* ctx.work(5000);
      ctx.slogf!(10, _SLOG_NOTICE, 'a: two');
      try {
        ctx.slogf!(10, 9, 'bad severity');
      } catch (e) {
        bad = e;
      }
      yield* ctx.work(0);
      return 0;
    };
    const b: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      ctx.slogf!(20, _SLOG_INFO, 'b: hi');
      yield* ctx.sleep(100_000);
      seen = ctx.slogRead!();
      return 0;
    };
    // msgPassBase 1000, kernelCall 100, msgPerByte 1: an slogf of n characters costs 1100 + n.
    const r = rig({ a, b }, { costs: { kernelCall: 100, msgPassBase: 1000, msgPerByte: 1 } });
    r.k.spawn({ argv: ['a'], priority: 10 });
    r.k.spawn({ argv: ['b'], priority: 11 });
    run(r);
    // b (priority 11) runs first: sleep's kernel call 100 → asleep until 1100.
    // a runs from 100: its 'a: one' (6 chars) is at 1106 of CPU on its timeline. At 1100 b wakes and preempts
    // a, which has consumed 1000 of it (106 left). b: 'b: hi' (5 chars) at 1100 + 1105 = 2205; its sleep's
    // kernel call → blocked at 2305. a resumes: 'a: one' at 2305 + 106 = 2411; work 5000 → 7411; 'a: two'
    // (6 chars) at 7411 + 1106 = 8517.
    expect(seen.map((e) => [e.time, e.major, e.severity, e.text])).toEqual([
      [2205, 20, _SLOG_INFO, 'b: hi'],
      [2411, 10, _SLOG_INFO, 'a: one'],
      [8517, 10, _SLOG_NOTICE, 'a: two'],
    ]);
    expect((bad as KernelError).errno).toBe(Errno.EINVAL);
    expect(r.k.slog.entries()).toEqual(seen);
  });

  test('the ring keeps the newest SLOG_CAPACITY entries and counts what it dropped', () => {
    const s = new Slog();
    for (let i = 0; i < SLOG_CAPACITY + 3; i++) s.append({ time: i, major: 1, severity: 5, text: `e${i}` });
    const e = s.entries();
    expect(e).toHaveLength(SLOG_CAPACITY);
    expect(e[0]!.text).toBe('e3');
    expect(e[SLOG_CAPACITY - 1]!.text).toBe(`e${SLOG_CAPACITY + 2}`);
    expect(s.dropped).toBe(3);
  });
});
