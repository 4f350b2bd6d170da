/** The 8259A pair and the I/O APIC build their windows from the one register-table type, readable by a debugger. */
import { Simulation, componentContext, type TraceRecord } from '../../emulator/machine/sim';
import { RegisterTable } from '../../emulator/machine/bus/register-table';
import { Pic8259Pair } from '../../emulator/machine/board/pic8259';
import { IoApic } from '../../emulator/machine/board/ioapic';

function recorder(sim: Simulation): TraceRecord[] {
  const t: TraceRecord[] = [];
  sim.tracer.addSink((r) => t.push(r));
  return t;
}

describe('8259A pair tables', () => {
  test('each port has a read register and a write register with datasheet names; ELCR bits name their IRQs', () => {
    const sim = new Simulation(1);
    const pic = new Pic8259Pair(componentContext(sim, 'alpha', 'alpha.pic'));
    expect(pic.tables.master.registerNames).toEqual(['IRR/ISR', 'ICW1/OCW2/OCW3', 'IMR', 'ICW2-4/OCW1']);
    expect(pic.tables.master.reader(0)!.readEffect).toMatch(/poll/);
    expect(pic.tables.elcr.registerNames).toEqual(['ELCR1', 'ELCR2']);
    expect(Object.keys(pic.tables.elcr.byName('ELCR2')!.bits!)).toEqual(['IRQ9', 'IRQ10', 'IRQ11', 'IRQ12', 'IRQ14', 'IRQ15']);
  });

  test('peek shows IMR and the OCW3-selected IRR/ISR without a poll acknowledge or a trace record', () => {
    const sim = new Simulation(1);
    const pic = new Pic8259Pair(componentContext(sim, 'alpha', 'alpha.pic'));
    const out = (off: number, v: number) => pic.master.write(off, 1, v);
    [0x11, 0x20, 0x04, 0x01].forEach((v, i) => out(i === 0 ? 0 : 1, v));
    out(1, 0xfb); // OCW1: only the cascade open
    pic.setIrq(0, true); // IR0 requested (masked: stays in IRR)
    out(0, 0x0c); // OCW3 poll command: the next read acknowledges
    sim.tracer.verbose = true;
    const trace = recorder(sim);
    const imr = pic.tables.master.byName('IMR')!;
    const irr = pic.tables.master.byName('IRR/ISR')!;
    expect(RegisterTable.peekValue(imr)).toBe(0xfb);
    expect(RegisterTable.peekValue(irr)).toBe(0x01);
    expect(RegisterTable.peekValue(irr)).toBe(0x01);
    expect(trace).toEqual([]);
    // A real read is the poll word (the read path has the side effect peek avoids).
    expect(pic.master.read(0, 1)).toBe(0x00);
    expect(trace.some((r) => r.probe === 'poll')).toBe(true);
  });
});

describe('I/O APIC table', () => {
  test('IOREGSEL, IOWIN, EOI as 32-bit registers; EOI is write only (a read is open bus, traced)', () => {
    const sim = new Simulation(1);
    const apic = new IoApic(componentContext(sim, 'alpha', 'alpha.ioapic'), () => {});
    expect(apic.table.regs.map((r) => [r.name, r.offset, r.width, r.access])).toEqual([
      ['IOREGSEL', 0x00, 4, 'rw'],
      ['IOWIN', 0x10, 4, 'rw'],
      ['EOI', 0x40, 4, 'wo'],
    ]);
    const trace = recorder(sim);
    expect(apic.mmio.read(0x40, 4)).toBe(0xffffffff);
    expect(trace.map((r) => [r.probe, r.f])).toEqual([['bad-access', { dev: 'ioapic', dir: 'read', offset: 0x40, size: 4 }]]);
    apic.mmio.write(0x00, 4, 0x01);
    expect(RegisterTable.peekValue(apic.table.byName('IOWIN')!)).toBe(0x00170020);
  });
});
