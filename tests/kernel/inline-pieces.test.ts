/**
 * A thread's pieces of CPU time run inline (stack/kernel/scheduler.ts runLoop with EventQueue.advanceTo): when no
 * event is pending before a piece ends, the clock moves there without a CPU event. Compared with the reference path
 * (cpuPieces.inline = false: a CPU event per piece), the same port writes land at the same times, reads see the same
 * values, observers, timer wake-ups, preemptions and interrupts see the same state — with far fewer events. A long
 * run of inline pieces is not mistaken for a spinning thread, and a stop predicate keeps every piece an event.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { ProgramMain } from '../../stack/kernel/api';
import { cpuPieces } from '../../stack/kernel/scheduler';
import { rig, type Rig } from './helpers';

const REG = 0x320;
const STATUS = 0x321;

/** Port writes with the time they landed (the FakeBus's out8, wrapped). */
function watchWrites(r: Rig, log: string[]): void {
  const out8 = r.bus.out8.bind(r.bus);
  r.bus.out8 = (p, v) => {
    if (p === REG) log.push(`w${v}@${r.sim.queue.now}`);
    out8(p, v);
  };
}

interface Run {
  log: string[];
  events: number;
  end: number;
}

/**
 * A driver (priority 10): 40 rounds of two register writes and a status read, 1 µs per port access, some CPU
 * time between; a timer thread (priority 20) that wakes every 37 µs and writes too (preempting the driver); observer
 * events that change the status port and record what they see; an interrupt with an ISR at two instants.
 */
function scenario(inline: boolean, opts: { observeEvery: number; stop?: boolean }): Run {
  const saved = cpuPieces.inline;
  cpuPieces.inline = inline;
  try {
    const log: string[] = [];
    const drv: ProgramMain = function* (ctx) {
      ctx.InterruptAttach(5, () => {
        log.push(`isr@${ctx.now()}`);
        return null;
      });
      for (let i = 0; i < 40; i++) {
        ctx.out8(REG, i);
        ctx.charge(700 + (i % 3) * 333);
        ctx.out8(REG, 100 + i);
        const s = yield* ctx.in8(STATUS);
        log.push(`read${i}=${s}@${ctx.now()}`);
        if (i % 7 === 0) yield* ctx.work(2_500);
      }
      log.push(`drv-done@${ctx.now()}`);
      return 0;
    };
    const tick: ProgramMain = function* (ctx) {
      for (let i = 0; i < 4; i++) {
        yield* ctx.sleep(37_000);
        ctx.out8(REG, 200 + i);
        yield* ctx.work(1_200);
        log.push(`tick${i}@${ctx.now()}`);
      }
      return 0;
    };
    const r = rig({ drv, tick }, { ioNs: 1000, costs: { contextSwitch: 900, kernelCall: 150, interruptEntry: 2500, interruptExit: 700, interruptHandler: 300 } });
    watchWrites(r, log);
    const q = r.sim.queue;
    r.bus.ports.set(STATUS, 0);
    for (let t = opts.observeEvery, i = 0; t < 200_000; t += opts.observeEvery, i++) {
      q.schedule(new SimEvent(`obs${i}`, () => {
        r.bus.ports.set(STATUS, i & 0xff);
        log.push(`obs${i}@${q.now}`);
      }, i % 2 ? Priority.Device : Priority.Scenario), t);
    }
    for (const t of [52_345, 101_000]) q.schedule(new SimEvent(`irq@${t}`, () => r.bus.interrupt(0x35), Priority.Interrupt), t);
    r.k.spawn({ argv: ['drv'], priority: 10 });
    r.k.spawn({ argv: ['tick'], priority: 20 });
    const before = q.executed;
    if (opts.stop) q.runUntil(1_000_000, () => false);
    else q.runUntil(1_000_000);
    return { log: [...log, ...r.trace.filter((l) => l.includes('"crash"') || l.includes('spun'))], events: q.executed - before, end: q.now };
  } finally {
    cpuPieces.inline = saved;
  }
}

describe('CPU pieces run inline', () => {
  test('sparse observers: the same writes, reads, wake-ups and interrupts at the same times, far fewer events', () => {
    const ref = scenario(false, { observeEvery: 9_001 });
    const got = scenario(true, { observeEvery: 9_001 });
    expect(got.log).toEqual(ref.log);
    expect(ref.log.filter((l) => l.startsWith('isr@'))).toHaveLength(2);
    expect(ref.log.filter((l) => l.startsWith('tick'))).toHaveLength(4);
    expect(ref.log.filter((l) => l.startsWith('w'))).toHaveLength(84);
    expect(ref.log).toContain('drv-done@' + ref.log.find((l) => l.startsWith('drv-done@'))!.slice(9));
    expect(got.events * 2).toBeLessThan(ref.events);
  });

  test('observers at instants that coincide with pieces and between them: the same log for several spacings', () => {
    for (const every of [1000, 333, 700, 1001, 2_500]) {
      const ref = scenario(false, { observeEvery: every });
      const got = scenario(true, { observeEvery: every });
      expect(got.log).toEqual(ref.log);
      expect(got.events).toBeLessThanOrEqual(ref.events);
    }
  });

  test('with a stop predicate every piece is its own event, as before', () => {
    const ref = scenario(false, { observeEvery: 9_001 });
    const got = scenario(true, { observeEvery: 9_001, stop: true });
    expect(got.log).toEqual(ref.log);
    expect(got.events).toBe(ref.events);
  });

  test('a long run of inline pieces (nothing else pending) is not taken for a spinning thread', () => {
    const busy: ProgramMain = function* (ctx) {
      for (let i = 0; i < 150_000; i++) yield* ctx.work(1);
      ctx.print(`busy done@${ctx.now()}\n`);
      return 0;
    };
    const r = rig({ busy });
    r.k.spawn({ argv: ['busy'], priority: 10 });
    const before = r.sim.queue.executed;
    r.sim.queue.runUntil(10_000_000);
    expect(r.console()).toContain('busy done@150000');
    expect(r.trace.join('\n')).not.toContain('spun');
    expect(r.sim.queue.executed - before).toBeLessThan(100);
  });
});
