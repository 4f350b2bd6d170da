/**
 * Port and MMIO accesses from a simulated thread take effect at their point on the thread's CPU timeline:
 * after the CPU time charged before them and after their own bus cycle, which the node's bus times (here a
 * FakeBus with fixed costs) and the thread is charged. No CPU cost but the ones each test charges.
 */
import type { ProgramMain } from '../../stack/kernel/api';
import { rig, run, type Rig } from './helpers';

/** Record bus writes and reads with the time they reach the bus. */
function recordTimes(r: Rig): [string, number, number, number][] {
  const log: [string, number, number, number][] = [];
  const b = r.bus;
  const out8 = b.out8.bind(b);
  const out16 = b.out16.bind(b);
  const in8 = b.in8.bind(b);
  const in16 = b.in16.bind(b);
  const mmioWrite = b.mmioWrite.bind(b);
  b.out8 = (p, v) => (log.push(['out8', p, v, r.sim.queue.now]), out8(p, v));
  b.out16 = (p, v) => (log.push(['out16', p, v, r.sim.queue.now]), out16(p, v));
  b.in8 = (p) => {
    const v = in8(p);
    log.push(['in8', p, v, r.sim.queue.now]);
    return v;
  };
  b.in16 = (p) => {
    const v = in16(p);
    log.push(['in16', p, v, r.sim.queue.now]);
    return v;
  };
  b.mmioWrite = (a, s, v) => (log.push(['mmio-w', a, v, r.sim.queue.now]), mmioWrite(a, s, v));
  return log;
}

describe('bus accesses on the thread\'s timeline', () => {
  test('a write lands after the CPU time charged before it plus its own cycle; a read returns there', () => {
    const seen: number[] = [];
    const drv: ProgramMain = function* (ctx) {
      ctx.charge(3000);
      ctx.out8(0x300, 0x21); // 3000 of CPU, then a 500 ns cycle: at 3500
      ctx.out8(0x301, 0x22); // at 4000
      const v = yield* ctx.in8(0x302); // its cycle ends at 4500
      seen.push(v, ctx.now());
      ctx.charge(1000);
      ctx.out8(0x303, v); // 4500 + 1000 + 500
      yield* ctx.work(0);
      seen.push(ctx.now());
      return 0;
    };
    const r = rig({ drv }, { ioNs: 500 });
    r.bus.ports.set(0x302, 0x5a);
    const log = recordTimes(r);
    r.k.spawn({ argv: ['drv'], priority: 10 });
    run(r);
    expect(log).toEqual([
      ['out8', 0x300, 0x21, 3500],
      ['out8', 0x301, 0x22, 4000],
      ['in8', 0x302, 0x5a, 4500],
      ['out8', 0x303, 0x5a, 6000],
    ]);
    expect(seen).toEqual([0x5a, 4500, 6000]);
  });

  test('string I/O is one bus operation: every cycle charged, the transfers in order', () => {
    const got: number[] = [];
    const drv: ProgramMain = function* (ctx) {
      ctx.out16s(0x310, new Uint8Array([1, 0, 2, 0, 3, 0])); // three word cycles: at 400, 800, 1200
      const buf = new Uint8Array(8);
      yield* ctx.in16s(0x310, buf); // four more cycles: all read at 2800
      got.push(...buf, ctx.now());
      return 0;
    };
    const r = rig({ drv }, { ioNs: 400 });
    r.bus.ports.set(0x310, 0xbeef);
    const log = recordTimes(r);
    r.k.spawn({ argv: ['drv'], priority: 10 });
    run(r);
    expect(log).toEqual([
      ['out16', 0x310, 1, 400], ['out16', 0x310, 2, 800], ['out16', 0x310, 3, 1200],
      ['in16', 0x310, 0xbeef, 2800], ['in16', 0x310, 0xbeef, 2800], ['in16', 0x310, 0xbeef, 2800], ['in16', 0x310, 0xbeef, 2800],
    ]);
    expect(got).toEqual([0xef, 0xbe, 0xef, 0xbe, 0xef, 0xbe, 0xef, 0xbe, 2800]);
  });

  test('a higher-priority thread that preempts keeps the pending writes at their point of the preempted timeline', () => {
    const log: string[] = [];
    const low: ProgramMain = function* (ctx) {
      ctx.charge(10_000);
      ctx.out8(0x300, 1); // due after 10 µs of low's CPU + 100 ns
      yield* ctx.work(0);
      log.push(`low done@${ctx.now()}`);
      return 0;
    };
    const high: ProgramMain = function* (ctx) {
      yield* ctx.sleep(5000);
      ctx.charge(2000);
      yield* ctx.work(0);
      log.push(`high done@${ctx.now()}`);
      return 0;
    };
    const r = rig({ low, high }, { ioNs: 100 });
    const bus = recordTimes(r);
    r.k.spawn({ argv: ['high'], priority: 20 });
    r.k.spawn({ argv: ['low'], priority: 10 });
    run(r);
    // low runs 0–5000, high 5000–7000, low resumes and reaches its write at 12 100.
    expect(log).toEqual(['high done@7000', 'low done@12100']);
    expect(bus).toEqual([['out8', 0x300, 1, 12_100]]);
  });

  test('MMIO goes through the bus\'s MMIO cost; programs reach only the system page and RAM directly', () => {
    const times: number[] = [];
    const drv: ProgramMain = function* (ctx) {
      ctx.mmioWrite(0xe000_0000, 4, 7);
      const v = yield* ctx.mmioRead(0xe000_0004, 4);
      times.push(v, ctx.now());
      expect(Object.keys(ctx.bus).sort()).toEqual(['memRead', 'memWrite', 'syspage']);
      return 0;
    };
    const r = rig({ drv });
    r.bus.mmioNs = 250;
    const log = recordTimes(r);
    r.k.spawn({ argv: ['drv'], priority: 10 });
    run(r);
    expect(log).toEqual([['mmio-w', 0xe000_0000, 7, 250]]);
    expect(times).toEqual([0xffffffff, 500]);
  });

  test('an ISR\'s port accesses are charged to the interrupt', () => {
    const log: string[] = [];
    const drv: ProgramMain = function* (ctx) {
      ctx.InterruptAttach(10, (io) => {
        log.push(`isr ${io.in8(0x310)} ${io.in8(0x311)}`);
        io.out8(0x312, 1);
        return { notify: 'intr' };
      });
      yield* ctx.InterruptWait();
      log.push(`woke@${ctx.now()}`);
      return 0;
    };
    // INTA 300, entry 400 (ZERO_COSTS otherwise): ISR at 700 with 3 port cycles of 1000; the EOI of the
    // slave IRQ is two more port writes (2000) after them; the thread runs when the interrupt is over.
    const r = rig({ drv }, { ioNs: 1000, costs: { interruptEntry: 400 } });
    r.bus.interruptAcknowledgeNs = 300;
    r.bus.ports.set(0x310, 7).set(0x311, 8);
    r.k.spawn({ argv: ['drv'], priority: 10 });
    run(r, 1000);
    r.bus.interrupt(0x3a);
    run(r);
    expect(log).toEqual(['isr 7 8', `woke@${1000 + 300 + 400 + 3 * 1000 + 2 * 1000}`]);
  });
});
