import type { ProgramMain, SigEvent } from '../../stack/kernel/api';
import { rig, run } from './helpers';

/** A driver that attaches `irq` with InterruptAttachEvent (pulse to itself) and unmasks after each pulse. */
function eventDriver(irq: number, log: string[], opts: { unmask?: boolean; workNs?: number } = {}): ProgramMain {
  return function* (ctx) {
    const chid = ctx.ChannelCreate();
    const coid = ctx.ConnectAttach(0, chid);
    const ev: SigEvent = { notify: 'pulse', coid, priority: 21, code: 1, value: irq };
    const id = ctx.InterruptAttachEvent(irq, ev);
    for (;;) {
      const r = yield* ctx.MsgReceive(chid);
      if (r.kind !== 'pulse') continue;
      log.push(`pulse irq=${r.value} prio=${r.priority} run=${ctx.getPriority()}@${ctx.now()}`);
      yield* ctx.work(opts.workNs ?? 1000);
      if (opts.unmask !== false) ctx.InterruptUnmask(irq, id);
    }
  };
}

describe('interrupts (8259)', () => {
  test('boot runs the ICW sequence with the system page vector base and masks everything but the cascade', () => {
    const r = rig({});
    expect(r.bus.picWrites()).toEqual([
      [0x20, 0x11], [0x21, 0x30], [0x21, 0x04], [0x21, 0x01],
      [0xa0, 0x11], [0xa1, 0x38], [0xa1, 0x02], [0xa1, 0x01],
      [0x21, 0xfb], [0xa1, 0xff],
    ]);
  });

  test('InterruptAttachEvent: unmask on attach; on the interrupt mask, EOI, deliver the pulse; the driver unmasks', () => {
    const log: string[] = [];
    const r = rig({ drv: eventDriver(5, log) }, { costs: { interruptEntry: 400, interruptExit: 200, interruptHandler: 100 }, ioNs: 500 });
    r.k.spawn({ argv: ['drv'], priority: 10 });
    run(r, 1_000_000);
    const mark = r.bus.writes.length;
    expect(r.bus.picWrites(mark - 1)).toEqual([[0x21, 0xfb & ~0x20]]);
    r.bus.interrupt(0x35);
    run(r, 2_000_000);
    // INTA at 1 ms; after the 400 ns entry the kernel masks IRQ5 and EOIs (and queues the pulse); the CPU is
    // back from the interrupt after 100 handler + 2 × 500 port + 200 exit, when the driver runs at prio 21.
    expect(r.bus.picWrites(mark)).toEqual([[0x21, 0xfb], [0x20, 0x20], [0x21, 0xdb]]);
    expect(log).toEqual(['pulse irq=5 prio=21 run=21@1001700']);
    expect(r.bus.acks).toBe(1);
    const rec = r.trace.map((l) => JSON.parse(l)).find((t) => t.probe === 'interrupt');
    expect(rec).toMatchObject({ t: 1_000_400, layer: 'kernel', f: { irq: 5, vector: 0x35, cpu: 0 } });
    expect(r.trace.some((l) => l.includes('"probe":"event"') && l.includes('"code":1'))).toBe(true);
    expect(r.k.intr.maskCount(5)).toBe(0);
  });

  test('the interrupt steals time from the running thread: entry + handlers + port accesses + exit', () => {
    let done = 0;
    const hog: ProgramMain = function* (ctx) {
      yield* ctx.work(1_000_000);
      done = ctx.now();
      return 0;
    };
    const log: string[] = [];
    const r = rig({ hog, drv: eventDriver(3, log, { workNs: 0 }) }, { costs: { interruptEntry: 400, interruptExit: 200, interruptHandler: 100 }, ioNs: 500 });
    r.k.spawn({ argv: ['drv'], priority: 20 });
    r.k.spawn({ argv: ['hog'], priority: 5 });
    run(r, 100_000);
    r.bus.interrupt(0x33);
    run(r);
    // Interrupt: 400 entry + 100 handler + 500 mask + 500 EOI + 200 exit = 1700 ns; the driver (prio 21 by
    // the pulse) then preempts the hog and unmasks (500 ns for the port access).
    expect(done).toBe(1_000_000 + 1700 + 500);
  });

  test('InterruptAttach: the ISR runs in interrupt context and its event wakes InterruptWait', () => {
    const log: string[] = [];
    const drv: ProgramMain = function* (ctx) {
      ctx.InterruptAttach(10, (io) => {
        log.push(`isr status=${io.in8(0x310)}@${ctx.now()}`);
        return { notify: 'intr' };
      });
      for (let i = 0; i < 2; i++) {
        yield* ctx.InterruptWait();
        log.push(`woke@${ctx.now()}`);
      }
      return 0;
    };
    const r = rig({ drv });
    r.bus.ports.set(0x310, 0x42);
    r.k.spawn({ argv: ['drv'], priority: 10 });
    run(r, 1000);
    const mark = r.bus.writes.length;
    r.bus.interrupt(0x3a);
    run(r, 5000);
    // Slave IRQ: EOI to the slave, then to the master.
    expect(r.bus.picWrites(mark)).toEqual([[0xa0, 0x20], [0x20, 0x20]]);
    r.bus.interrupt(0x3a);
    run(r, 10_000);
    expect(log).toEqual(['isr status=66@1000', 'woke@1000', 'isr status=66@5000', 'woke@5000']);
    // The driver has exited after its second wake-up: its attachment is gone and IRQ10 masked again.
    expect(r.k.intr.maskCount(10)).toBe(1);
  });

  test('spurious IRQ7 (ISR bit clear) is counted and not EOIed; a real IRQ7 is handled', () => {
    const log: string[] = [];
    const r = rig({ drv: eventDriver(7, log) });
    r.k.spawn({ argv: ['drv'], priority: 10 });
    run(r, 1000);
    let mark = r.bus.writes.length;
    r.bus.isr.master = 0x00;
    r.bus.interrupt(0x37);
    run(r, 2000);
    expect(r.k.intr.stats.spurious).toBe(1);
    expect(log).toEqual([]);
    // OCW3 read-ISR, then back to IRR; no EOI.
    expect(r.bus.picWrites(mark)).toEqual([[0x20, 0x0b], [0x20, 0x0a]]);
    mark = r.bus.writes.length;
    r.bus.isr.master = 0x80;
    r.bus.interrupt(0x37);
    run(r, 3000);
    expect(r.k.intr.stats.spurious).toBe(1);
    expect(log).toEqual(['pulse irq=7 prio=21 run=21@2000']);
    expect(r.bus.picWrites(mark)).toEqual([[0x20, 0x0b], [0x20, 0x0a], [0x21, 0xfb], [0x20, 0x20], [0x21, 0x7b]]);
  });

  test('spurious IRQ15 gets an EOI to the master only', () => {
    const log: string[] = [];
    const r = rig({ drv: eventDriver(15, log) });
    r.k.spawn({ argv: ['drv'], priority: 10 });
    run(r, 1000);
    const mark = r.bus.writes.length;
    r.bus.isr.slave = 0;
    r.bus.interrupt(0x3f);
    run(r, 2000);
    expect(r.k.intr.stats.spurious).toBe(1);
    expect(r.bus.picWrites(mark)).toEqual([[0xa0, 0x0b], [0xa0, 0x0a], [0x20, 0x20]]);
  });

  test('InterruptMask/Unmask nest per IRQ; detaching the last handler masks the IRQ', () => {
    const drv: ProgramMain = function* (ctx) {
      const id = ctx.InterruptAttach(4, () => null);
      ctx.InterruptMask(4, id);
      ctx.InterruptMask(4, id);
      ctx.InterruptUnmask(4, id);
      yield* ctx.work(10);
      ctx.InterruptUnmask(4, id);
      yield* ctx.work(10);
      ctx.InterruptDetach(id);
      yield* ctx.work(10);
      return 0;
    };
    const r = rig({ drv });
    const mark = r.bus.writes.length;
    r.k.spawn({ argv: ['drv'] });
    run(r);
    expect(r.bus.picWrites(mark)).toEqual([[0x21, 0xeb], [0x21, 0xfb], [0x21, 0xeb], [0x21, 0xfb]]);
  });

  test('a process that dies loses its attachments; its IRQ is masked again', () => {
    const log: string[] = [];
    const r = rig({ drv: eventDriver(5, log) });
    const pid = r.k.spawn({ argv: ['drv'] });
    run(r, 1000);
    expect(r.k.intr.maskCount(5)).toBe(0);
    r.k.kill(pid);
    expect(r.k.intr.maskCount(5)).toBe(1);
    expect(r.bus.picWrites().pop()).toEqual([0x21, 0xfb]);
  });
});

describe('interrupts (I/O APIC)', () => {
  test('boot programs every redirection entry masked; PCI pins level/active-low; vectors 0x30+pin; EOI via the local APIC', () => {
    const log: string[] = [];
    const r = rig({ drv: eventDriver(17, log) }, { controller: 'ioapic', cpus: 2 });
    const lo = (pin: number) => r.bus.ioapicRegs.get(0x10 + 2 * pin)!;
    expect(lo(4)).toBe(0x34 | 0x10000);
    expect(lo(17)).toBe(0x41 | 0x8000 | 0x2000 | 0x10000);
    expect(lo(23)).toBe(0x47 | 0x8000 | 0x2000 | 0x10000);
    expect(r.bus.ioapicRegs.get(0x11 + 2 * 17)).toBe(0);
    r.k.spawn({ argv: ['drv'] });
    run(r, 1000);
    r.bus.sendApic(1, 0x41);
    run(r, 5000);
    expect(log).toEqual(['pulse irq=17 prio=21 run=21@1000']);
    expect(r.bus.apicEois).toEqual([0x41]);
    expect(lo(17) & 0x10000).toBe(0); // unmasked again by the driver
    const rec = r.trace.map((l) => JSON.parse(l)).find((t) => t.probe === 'interrupt');
    expect(rec.f).toEqual({ irq: 17, vector: 0x41, cpu: 1 });
  });
});

test('a stuck level interrupt with zero-cost handling is masked instead of hanging the simulation', () => {
  const r = rig({
    drv: function* (ctx) {
      ctx.InterruptAttach(6, () => null); // never clears the source
      yield* ctx.sleep(1_000_000_000);
      return 0;
    },
  });
  r.k.spawn({ argv: ['drv'] });
  run(r, 1000);
  r.bus.vectors = new Array(20_000).fill(0x36);
  r.bus.setIntr(true);
  run(r, 2000);
  expect(r.trace.some((l) => l.includes('interrupt-storm'))).toBe(true);
  expect(r.k.intr.maskCount(6)).toBe(1);
});
