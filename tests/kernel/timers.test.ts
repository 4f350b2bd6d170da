import type { ProgramMain } from '../../stack/kernel/api';
import { rig, run } from './helpers';

describe('timers and sleep', () => {
  test('one-shot and periodic timers deliver pulses at their expiry (plus the clock interrupt on CPU 0)', () => {
    const got: string[] = [];
    const p: ProgramMain = function* (ctx) {
      const chid = ctx.ChannelCreate();
      const coid = ctx.ConnectAttach(0, chid);
      const once = ctx.TimerCreate({ notify: 'pulse', coid, priority: 15, code: 1, value: 0 });
      const tick = ctx.TimerCreate({ notify: 'pulse', coid, priority: 15, code: 2, value: 0 });
      ctx.TimerSettime(once, 250_000, 0);
      ctx.TimerSettime(tick, 100_000, 100_000);
      for (let i = 0; i < 5; i++) {
        const r = yield* ctx.MsgReceive(chid);
        if (r.kind === 'pulse') got.push(`${r.code}@${ctx.now()}`);
      }
      ctx.TimerSettime(tick, 0, 0); // disarm
      yield* ctx.sleep(1_000_000);
      return 0;
    };
    const r = rig({ p }, { costs: { interruptEntry: 300, timerFire: 500, interruptExit: 200 } });
    r.k.spawn({ argv: ['p'] });
    run(r);
    // Pulse queued at expiry + 300 (entry); the receiver runs after the interrupt: +500 fire +200 exit.
    expect(got).toEqual(['2@101000', '2@201000', '1@251000', '2@301000', '2@401000']);
    expect(r.trace.filter((l) => l.includes('"probe":"event"')).length).toBe(5);
  });

  test('nanosleep wakes at the requested time; fractional and zero sleeps work', () => {
    const got: number[] = [];
    const p: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1_500_000);
      got.push(ctx.now());
      yield* ctx.sleep(0);
      got.push(ctx.now());
      yield* ctx.sleep(2);
      got.push(ctx.now());
      return 0;
    };
    const r = rig({ p });
    r.k.spawn({ argv: ['p'] });
    run(r);
    expect(got).toEqual([1_500_000, 1_500_000, 1_500_002]);
  });

  test('a timer of a process that exits is gone', () => {
    const p: ProgramMain = function* (ctx) {
      const chid = ctx.ChannelCreate();
      const t = ctx.TimerCreate({ notify: 'pulse', coid: ctx.ConnectAttach(0, chid), priority: 10, code: 1, value: 0 });
      ctx.TimerSettime(t, 1000, 1000);
      yield* ctx.work(10);
      return 0;
    };
    const r = rig({ p });
    r.k.spawn({ argv: ['p'] });
    run(r, 1_000_000);
    expect(r.sim.queue.pending).toBe(0);
    expect(r.trace.filter((l) => l.includes('"probe":"event"')).length).toBe(0);
  });
});
