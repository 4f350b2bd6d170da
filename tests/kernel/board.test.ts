/** The kernel on the real board (emulator/machine/board) with its 8259A pair and I/O APIC, after firmware start-up. */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { Board } from '../../emulator/machine/board/board';
import { runStartup } from '../../firmware/startup';
import { Kernel } from '../../stack/kernel/kernel';
import type { ProgramMain } from '../../stack/kernel/api';

function boot(controller: '8259' | 'ioapic', irq: number, drv: ProgramMain) {
  const sim = new Simulation(1);
  const board = new Board(componentContext(sim, 'n', 'n.board'), { ramBytes: 16 << 20, cpus: 1, interruptController: controller });
  const line = board.isaIrq(irq);
  const syspage = runStartup(board.ports, { cpus: 1, ramBytes: 16 << 20, interruptController: controller, isa: [{ name: 'dev', ioport: 0x300, irq }] });
  const out: string[] = [];
  const k = new Kernel(componentContext(sim, 'n', 'n.procnto'), board.nodeBus(syspage), { cpus: 1, programs: new Map([['drv', drv]]), console: (t) => out.push(t) });
  k.boot();
  k.spawn({ argv: ['drv'], priority: 10 });
  return { sim, board, line, k, out };
}

/** A driver: InterruptAttachEvent, and on each pulse "clears the device" (drops the line) and unmasks. */
function driver(irq: number, log: string[], clear: () => void): ProgramMain {
  return function* (ctx) {
    const chid = ctx.ChannelCreate();
    const id = ctx.InterruptAttachEvent(irq, { notify: 'pulse', coid: ctx.ConnectAttach(0, chid), priority: 21, code: 7, value: 0 });
    for (;;) {
      const r = yield* ctx.MsgReceive(chid);
      if (r.kind !== 'pulse') continue;
      log.push(`pulse@${ctx.now()}`);
      yield* ctx.work(2000);
      clear();
      ctx.InterruptUnmask(irq, id);
    }
  };
}

describe('kernel on the real board', () => {
  test('8259A pair: an ISA IRQ on the slave reaches the driver as a pulse; EOIs leave nothing in service', () => {
    const log: string[] = [];
    let lineRef: { set(l: boolean): void } | null = null;
    const b = boot('8259', 10, driver(10, log, () => lineRef!.set(false)));
    lineRef = b.line;
    b.sim.queue.runUntil(1_000_000);
    b.line.set(true);
    b.sim.queue.runUntil(2_000_000);
    b.line.set(true);
    b.sim.queue.runUntil(3_000_000);
    expect(log.length).toBe(2);
    expect(b.k.intr.stats.perIrq.get(10)).toBe(2);
    expect(b.k.intr.stats.spurious).toBe(0);
    expect(b.board.pic.intr.level).toBe(false);
    // ISR of both chips clear after the EOIs (read back through OCW3 as the kernel does).
    const bus = b.k.bus;
    bus.out8(0x20, 0x0b);
    bus.out8(0xa0, 0x0b);
    expect([bus.in8(0x20), bus.in8(0xa0)]).toEqual([0, 0]);
    expect(b.k.intr.maskCount(10)).toBe(0);
  });

  test('8259A pair: a slave request withdrawn before INTA is a spurious IRQ15: counted, EOI to the master only', () => {
    const log: string[] = [];
    const b = boot('8259', 10, driver(10, log, () => undefined));
    b.sim.queue.runUntil(1_000_000);
    b.line.set(true);
    b.line.set(false); // the master keeps IR2 latched (edge), so INTR stays up and INTA finds no slave request
    b.sim.queue.runUntil(2_000_000);
    expect(b.k.intr.stats.spurious).toBe(1);
    expect(log).toEqual([]);
    const bus = b.k.bus;
    bus.out8(0x20, 0x0b);
    expect(bus.in8(0x20)).toBe(0); // the cascade's ISR bit was cleared by the kernel's master EOI
    expect(b.board.pic.intr.level).toBe(false);
  });

  test('8259A pair: a master request withdrawn before the CPU samples INTR causes no interrupt at all', () => {
    const log: string[] = [];
    const b = boot('8259', 5, driver(5, log, () => undefined));
    b.sim.queue.runUntil(1_000_000);
    b.line.set(true);
    b.line.set(false);
    b.sim.queue.runUntil(2_000_000);
    expect(b.k.intr.stats.spurious + (b.k.intr.stats.perIrq.get(5) ?? 0)).toBe(0);
  });

  test('I/O APIC: an ISA pin delivers vector 0x30+pin to CPU 0 and the driver gets its pulse', () => {
    const log: string[] = [];
    let lineRef: { set(l: boolean): void } | null = null;
    const b = boot('ioapic', 5, driver(5, log, () => lineRef!.set(false)));
    lineRef = b.line;
    b.sim.queue.runUntil(1_000_000);
    b.line.set(true);
    b.sim.queue.runUntil(2_000_000);
    expect(log.length).toBe(1);
    expect(b.k.intr.stats.perIrq.get(5)).toBe(1);
  });
});
