/** `inspect()` of the NE2000 family: the debugger's view, read without side effects (nic-models/ne2000/inspect.ts). */
import { Simulation, componentContext, type TraceRecord } from '../../emulator/machine/sim';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';
import { Rtl8029Pci } from '../../nic-models/ne2000/rtl8029-pci';
import type { NicInspection } from '../../nic-models/kind';

const MAC = [0x00, 0x00, 0xe8, 0x11, 0x22, 0x33];

function card(sim: Simulation): { nic: Ne2000Isa; out: (off: number, v: number) => void; inb: (off: number) => number } {
  const nic = new Ne2000Isa(componentContext(sim, 'alpha', 'alpha.nic0'), { mac: MAC });
  return { nic, out: (off, v) => nic.window.write(off, 1, v), inb: (off) => nic.window.read(off, 1) };
}

const reg = (v: NicInspection, group: string, name: string) => v.registers.find((g) => g.group === group)?.regs.find((r) => r.name === name);

describe('inspect() of a DP8390', () => {
  test('has no side effects: the tally counters and the FIFO pointer stay, no register access is traced', () => {
    const sim = new Simulation(1);
    const { nic, inb } = card(sim);
    const c = nic.core;
    c.counters.bump(0);
    c.counters.bump(0);
    c.counters.bump(2);
    c.regs.setFifo(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    const fifoIdx = c.regs.fifoIdx;
    sim.tracer.verbose = true;
    const recs: TraceRecord[] = [];
    sim.tracer.addSink((r) => recs.push(r));
    const before = c.saveState();
    const v1 = nic.inspect();
    const v2 = nic.inspect();
    expect(v2).toEqual(v1);
    expect(recs).toEqual([]);
    expect(c.saveState()).toEqual(before);
    expect(c.regs.fifoIdx).toBe(fifoIdx);
    expect(reg(v1, 'page 0 (read side)', 'CNTR0')).toEqual({ name: 'CNTR0', value: 2, width: 1 });
    expect(reg(v1, 'page 0 (read side)', 'CNTR2')?.value).toBe(1);
    expect(v1.counters).toEqual([
      { name: 'CNTR0 (frame alignment errors)', value: 2 },
      { name: 'CNTR1 (CRC errors)', value: 0 },
      { name: 'CNTR2 (missed packets)', value: 1 },
    ]);
    // The read path would have cleared it: the guest's read gets 2, and the next inspect shows 0.
    expect(inb(0x0d)).toBe(2);
    expect(recs.some((r) => r.probe === 'reg-read' && r.f?.['reg'] === 'CNTR0')).toBe(true);
    expect(reg(nic.inspect(), 'page 0 (read side)', 'CNTR0')?.value).toBe(0);
  });

  test('registers by page with datasheet names, set bits, and the write-only ones as last written', () => {
    const sim = new Simulation(1);
    const { nic, out } = card(sim);
    // Linux __NS8390_init order (facts/ne2000.md §2): stop, DCR, ring, PAR on page 1, start.
    out(0x00, 0x21);
    out(0x0e, 0x49);
    out(0x04, 0x40);
    out(0x01, 0x4c);
    out(0x03, 0x7f);
    out(0x02, 0x80);
    out(0x07, 0xff);
    out(0x0f, 0x3f);
    out(0x00, 0x61);
    MAC.forEach((b, i) => out(0x01 + i, b));
    out(0x07, 0x4c);
    out(0x00, 0x22);
    const v = nic.inspect();
    expect(v.summary).toBe('running, page 0, interrupt output low (ISR & IMR = 0x00)');
    expect(v.registers.map((g) => g.group)).toEqual([
      'page 0 (read side)', 'page 0 (write side, as last written)', 'page 1', 'page 2 (read side)', 'page 2 (write side, as last written)',
    ]);
    expect(reg(v, 'page 0 (read side)', 'CR')).toEqual({ name: 'CR', value: 0x22, width: 1, bits: ['STA', 'RD=4', 'PS=0'] });
    expect(reg(v, 'page 0 (write side, as last written)', 'PSTART')?.value).toBe(0x4c);
    expect(reg(v, 'page 0 (write side, as last written)', 'DCR')).toEqual({ name: 'DCR', value: 0x49, width: 1, bits: ['WTS', 'LS', 'FT=2'] });
    expect(reg(v, 'page 0 (write side, as last written)', 'IMR')?.bits).toEqual(['PRX', 'PTX', 'RXE', 'TXE', 'OVW', 'CNT']);
    expect(reg(v, 'page 1', 'CURR')?.value).toBe(0x4c);
    expect(v.registers.find((g) => g.group === 'page 1')!.regs.map((r) => r.value).slice(0, 6)).toEqual(MAC);
    expect(v.rings[0]).toEqual({ name: 'receive ring', summary: 'PSTART 0x4c PSTOP 0x80 (52 pages), BNRY 0x7f, CURR 0x4c: 0 frame(s) not yet read by the driver', entries: [] });
    expect(v.rings.map((r) => r.name)).toEqual(['receive ring', 'transmitter', 'remote DMA']);
  });

  test('the RTL8029 shows its page 3 and its chip ID', () => {
    const sim = new Simulation(1);
    const nic = new Rtl8029Pci(componentContext(sim, 'beta', 'beta.nic0'), { mac: MAC });
    const v = nic.inspect();
    expect(v.registers.map((g) => g.group)).toContain('page 3 (RTL8029)');
    expect(reg(v, 'page 3 (RTL8029)', 'CONFIG3')?.bits).toContain('LEDS=0');
    expect(reg(v, 'page 0 (read side)', 'ID0')?.value).toBe(0x50);
    expect(reg(v, 'page 0 (read side)', 'ID1')?.value).toBe(0x43);
    expect(v.summary).toMatch(/^stopped, page 0, interrupt output low/);
  });
});
