/**
 * REP OUTS as one batch (stack/kernel/string-io.ts): the same observations as one deferred write per transfer,
 * with O(1) CPU events per string. A FakeBus with a device on port 0x310 that serves quiet bursts
 * (NodeBus.outsQuiet): every word is quiet except those with bit 15 set, which "have an effect" (like the
 * DP8390's last word raising RDC) and, in one test, raise INTR. Observers are events at many instants, an
 * interrupt arriving mid-string and an ISR, each recording how many words the device has; the batch path
 * (stringIo.batch = true, with CPU pieces run inline: cpuPieces.inline) must give exactly the per-transfer path's
 * records (both false: a CPU event per transfer and per piece).
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { ProgramMain } from '../../stack/kernel/api';
import { stringIo } from '../../stack/kernel/string-io';
import { cpuPieces } from '../../stack/kernel/scheduler';
import { rig, type Rig } from './helpers';

const PORT = 0x310;
const EFFECT = 0x8000;

interface Device {
  words: number[];
  /** Words with an effect, with the time they landed. */
  marks: string[];
}

/** Give the rig's bus a device at PORT: quiet words in bursts; a marked word only through out16 (its own time). */
function attachDevice(r: Rig, onMark?: (word: number) => void): Device {
  const dev: Device = { words: [], marks: [] };
  const b = r.bus;
  const out16 = b.out16.bind(b);
  b.out16 = (p, v) => {
    if (p !== PORT) return out16(p, v);
    dev.words.push(v);
    if (v & EFFECT) {
      dev.marks.push(`${v & 0x7fff}@${r.sim.queue.now}`);
      onMark?.(v);
    }
  };
  (b as { outsQuiet?: unknown }).outsQuiet = (p: number, size: number, src: Uint8Array, start: number, count: number): number => {
    if (p !== PORT || size !== 2) return 0;
    let k = 0;
    for (; k < count; k++) {
      const v = src[start + 2 * k]! | (src[start + 2 * k + 1]! << 8);
      if (v & EFFECT) break;
      dev.words.push(v);
    }
    return k;
  };
  return dev;
}

/** Words 0..n-1, those in `marked` with bit 15 set. */
function words(n: number, marked: number[]): Uint8Array {
  const buf = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) {
    const v = i | (marked.includes(i) ? EFFECT : 0);
    buf[2 * i] = v & 0xff;
    buf[2 * i + 1] = v >> 8;
  }
  return buf;
}

interface Outcome {
  log: string[];
  marks: string[];
  words: number;
  events: number;
}

/**
 * One driver thread: 3 µs of CPU, a string of `n` words (cycle 1000 ns), then a register write and the end.
 * Observers: events every `every` ns (three priorities) and optionally an interrupt at `irqAt` with an ISR.
 */
function scenario(batch: boolean, opts: { n: number; marked: number[]; every: number; irqAt?: number[]; markRaises?: boolean }): Outcome {
  const saved = stringIo.batch;
  const savedInline = cpuPieces.inline;
  // The reference path: one CPU event per transfer and per piece of CPU time (no inline pieces either).
  stringIo.batch = batch;
  cpuPieces.inline = batch;
  try {
    const log: string[] = [];
    let dev: Device | null = null;
    const drv: ProgramMain = function* (ctx) {
      if (opts.irqAt || opts.markRaises) {
        ctx.InterruptAttach(5, () => {
          log.push(`isr@${ctx.now()} words=${dev!.words.length}`);
          return null;
        });
      }
      ctx.charge(3000);
      ctx.out16s(PORT, words(opts.n, opts.marked));
      ctx.out8(0x300, 1);
      yield* ctx.work(0);
      log.push(`done@${ctx.now()} words=${dev!.words.length}`);
      return 0;
    };
    const r = rig({ drv }, { ioNs: 1000, costs: { interruptEntry: 2500, interruptExit: 700, interruptHandler: 300 } });
    dev = attachDevice(r, opts.markRaises ? () => r.bus.interrupt(0x35) : undefined);
    const q = r.sim.queue;
    const prios = [Priority.Device, Priority.Cpu, Priority.Scenario];
    for (let t = 0, i = 0; t < 3000 + 1000 * opts.n + 20_000; t += opts.every, i++) {
      const prio = prios[i % prios.length]!;
      q.schedule(new SimEvent(`obs${i}`, () => log.push(`obs@${q.now}/${prio} words=${dev!.words.length}`), prio), t);
    }
    for (const t of opts.irqAt ?? []) q.schedule(new SimEvent(`irq@${t}`, () => r.bus.interrupt(0x35), Priority.Interrupt), t);
    r.k.spawn({ argv: ['drv'], priority: 10 });
    const before = q.executed;
    q.runUntil(10_000_000);
    return { log, marks: dev.marks, words: dev.words.length, events: q.executed - before };
  } finally {
    stringIo.batch = saved;
    cpuPieces.inline = savedInline;
  }
}

describe('REP OUTS as one batch', () => {
  test('sparse observers: the same records as one write per transfer, and far fewer CPU events', () => {
    const opts = { n: 1000, marked: [999], every: 97_000 };
    const ref = scenario(false, opts);
    const got = scenario(true, opts);
    expect(got.log).toEqual(ref.log);
    expect(got.marks).toEqual(ref.marks);
    expect(got.words).toBe(1000);
    // The last word lands at the end of its own cycle: 3000 + 1000 · 1000 (boot at 0, no other CPU time).
    expect(ref.marks).toEqual([`999@${3000 + 1000 * 1000}`]);
    expect(ref.events - got.events).toBeGreaterThan(900);
  });

  test('observers at every instant a word lands (and between): each sees exactly the words due by then', () => {
    for (const every of [1000, 500, 333, 1001]) {
      const opts = { n: 60, marked: [20, 59], every };
      expect(scenario(true, opts)).toEqual({ ...scenario(false, opts), events: expect.any(Number) });
    }
  });

  test('an interrupt mid-string splits the string where per-transfer writes would, the ISR sees the same words', () => {
    for (const irqAt of [[3000 + 400 * 1000 + 500], [3000 + 400 * 1000], [3000 + 10 * 1000, 3000 + 11 * 1000 - 1, 3000 + 700 * 1000]]) {
      const opts = { n: 1000, marked: [999], every: 250_000, irqAt };
      const ref = scenario(false, opts);
      const got = scenario(true, opts);
      expect(got.log).toEqual(ref.log);
      expect(got.marks).toEqual(ref.marks);
      expect(ref.log.filter((l) => l.startsWith('isr')).length).toBe(irqAt.length);
      expect(got.events).toBeLessThan(ref.events / 10);
    }
  });

  test('a word whose effect raises INTR at once: the rest of the string waits for the interrupt, as it would', () => {
    const opts = { n: 300, marked: [100, 101, 299], every: 50_000, markRaises: true };
    const ref = scenario(false, opts);
    const got = scenario(true, opts);
    expect(got.log).toEqual(ref.log);
    expect(got.marks).toEqual(ref.marks);
    expect(ref.log.filter((l) => l.startsWith('isr')).length).toBeGreaterThan(0);
  });

  test('outside its own step (no timeline) every transfer is done at once, in order', () => {
    let ctxRef: { out16s(p: number, b: Uint8Array): void } | null = null;
    const keep: ProgramMain = function* (ctx) {
      ctxRef = ctx;
      yield* ctx.sleep(1_000_000);
      return 0;
    };
    const r = rig({ keep });
    const dev = attachDevice(r);
    r.k.spawn({ argv: ['keep'], priority: 10 });
    r.sim.queue.runUntil(1000);
    ctxRef!.out16s(PORT, words(10, [4]));
    expect(dev.words).toEqual([0, 1, 2, 3, 4 | EFFECT, 5, 6, 7, 8, 9]);
    expect(dev.marks).toEqual(['4@1000']);
  });

  test('a string whose byte count is not a whole number of transfers is a programming error', () => {
    const r = rig({
      drv: function* (ctx) {
        ctx.out16s(PORT, new Uint8Array(3));
        yield* ctx.work(0);
        return 0;
      },
    });
    r.k.spawn({ argv: ['drv'], priority: 10 });
    r.sim.queue.runUntil(1_000_000);
    expect(r.trace.join('\n')).toContain('3 bytes is not a whole number of 2-byte transfers');
  });
});
