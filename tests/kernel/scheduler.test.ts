import type { ProgramMain } from '../../stack/kernel/api';
import { rig, run } from './helpers';

describe('scheduler', () => {
  test('a higher-priority thread preempts a lower one at once; the preempted one resumes with what it had left', () => {
    const log: [string, number][] = [];
    const low: ProgramMain = function* (ctx) {
      log.push(['low-start', ctx.now()]);
      yield* ctx.work(1_000_000);
      log.push(['low-done', ctx.now()]);
      return 0;
    };
    const high: ProgramMain = function* (ctx) {
      log.push(['high-start', ctx.now()]);
      yield* ctx.sleep(100_000);
      log.push(['high-woke', ctx.now()]);
      yield* ctx.work(200_000);
      log.push(['high-done', ctx.now()]);
      return 0;
    };
    const r = rig({ low, high }, { costs: { contextSwitch: 1000 } });
    r.k.spawn({ argv: ['low'], priority: 10 });
    r.k.spawn({ argv: ['high'], priority: 20 });
    run(r);
    // high runs first (1 µs switch), sleeps; low starts at 2 µs; high wakes at 101 µs and preempts low
    // (which has used 99 µs); high runs 102–302 µs; low resumes at 303 µs with 901 µs to go.
    expect(log).toEqual([
      ['high-start', 1000],
      ['low-start', 2000],
      ['high-woke', 102_000],
      ['high-done', 302_000],
      ['low-done', 1_204_000],
    ]);
  });

  test('threads of one priority run FIFO, in the order they became ready; sched_yield rotates', () => {
    const log: string[] = [];
    const mk = (name: string, yieldFirst: boolean): ProgramMain =>
      function* (ctx) {
        if (yieldFirst) yield* ctx.yieldCpu();
        log.push(`${name}@${ctx.now()}`);
        yield* ctx.work(100_000);
        return 0;
      };
    const r = rig({ a: mk('a', true), b: mk('b', false), c: mk('c', false) });
    r.k.spawn({ argv: ['a'], priority: 10 });
    r.k.spawn({ argv: ['b'], priority: 10 });
    r.k.spawn({ argv: ['c'], priority: 10 });
    run(r);
    expect(log).toEqual(['b@0', 'c@100000', 'a@200000']);
  });

  test('N CPUs run N threads in parallel; the next one waits for a free CPU', () => {
    const done: Record<string, number> = {};
    const mk = (name: string): ProgramMain =>
      function* (ctx) {
        yield* ctx.work(1_000_000);
        done[name] = ctx.now();
        return 0;
      };
    const r = rig({ a: mk('a'), b: mk('b'), c: mk('c') }, { cpus: 2, costs: { contextSwitch: 500 } });
    for (const n of ['a', 'b', 'c']) r.k.spawn({ argv: [n], priority: 10 });
    run(r);
    expect(done).toEqual({ a: 1_000_500, b: 1_000_500, c: 2_001_000 });
    const cpus = r.k.sched.cpus.map((c) => c.busyNs);
    expect(cpus[0]! + cpus[1]!).toBe(3_000_000 + 3 * 500);
  });

  test('a woken high-priority thread preempts the lowest-priority CPU of several', () => {
    const log: string[] = [];
    const spin = (name: string): ProgramMain =>
      function* (ctx) {
        yield* ctx.work(1_000_000);
        log.push(`${name}-done@${ctx.now()}`);
        return 0;
      };
    const urgent: ProgramMain = function* (ctx) {
      yield* ctx.sleep(10_000);
      log.push(`urgent-cpu${ctx.processes().find((p) => p.pid === ctx.pid)!.threads[0]!.cpu}@${ctx.now()}`);
      yield* ctx.work(50_000);
      return 0;
    };
    const r = rig({ p5: spin('p5'), p8: spin('p8'), urgent }, { cpus: 2 });
    r.k.spawn({ argv: ['p8'], priority: 8 });
    r.k.spawn({ argv: ['p5'], priority: 5 });
    r.k.spawn({ argv: ['urgent'], priority: 30 });
    run(r);
    // urgent runs first on cpu0 and sleeps, p8 has cpu1, p5 gets cpu0. At 10 µs the clock interrupt on cpu0
    // wakes urgent, which takes cpu0 from p5 (the lowest priority) rather than cpu1 from p8.
    expect(log[0]).toBe('urgent-cpu0@10000');
    expect(log).toContain('p8-done@1000000');
    expect(log).toContain('p5-done@1050000');
  });

  test('setPriority below a ready thread gives the CPU away', () => {
    const log: string[] = [];
    const a: ProgramMain = function* (ctx) {
      log.push('a1');
      ctx.setPriority(5);
      yield* ctx.work(1000);
      log.push('a2');
      return 0;
    };
    const b: ProgramMain = function* (ctx) {
      log.push('b');
      yield* ctx.work(1000);
      return 0;
    };
    const r = rig({ a, b });
    r.k.spawn({ argv: ['a'], priority: 10 });
    r.k.spawn({ argv: ['b'], priority: 10 });
    run(r);
    expect(log).toEqual(['a1', 'b', 'a2']);
  });

  test('idle() is true once every thread has ended or blocks without a pending wake-up', () => {
    const r = rig({
      w: function* (ctx) {
        yield* ctx.work(5000);
        const chid = ctx.ChannelCreate();
        yield* ctx.MsgReceive(chid);
        return 0;
      },
    });
    r.k.spawn({ argv: ['w'] });
    expect(r.k.idle()).toBe(false);
    run(r);
    expect(r.k.idle()).toBe(true);
    const w = r.k.processes.find((p) => p.name === 'w')!;
    expect(w.threads[0]).toMatchObject({ state: 'RECEIVE', blockedOn: 1, priority: 10, cpuTimeNs: 5000 });
  });
});
