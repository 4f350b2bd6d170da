/**
 * A PCI function's bus-master view of memory (emulator/machine/board/dma.ts) at the boundaries the board's
 * mutation run (docs/testing.md) showed no test pinned, after the PCI Local Bus Specification 3.0:
 * - a transfer of no bytes is no transaction: it costs nothing and cannot abort, even with Bus Master Enable
 *   clear; a burst of no cycles takes no time, wherever the clock is;
 * - a transfer that ends exactly at the top of RAM is claimed; one that starts below 0, at a fractional address
 *   or runs past the top master-aborts (§3.3.3.1): the in-range part of a write lands, the function's status
 *   gets Received Master Abort (bit 13), and the record names the operation, the range and the reason;
 * - every master abort counts; the verbose trace records each claimed transfer with its bus time.
 */
import { PciBusMaster, pciBurstCycles, pciTransferTime, PCI_CLOCK } from '../../emulator/machine/board/dma';
import { PciConfigSpace } from '../../emulator/machine/board/pci-config';
import { PhysicalMemory } from '../../emulator/machine/board/ram';
import { fakeNic, testSim } from './fake-pci';

function master(verbose = false, bme = true) {
  const t = testSim(verbose);
  const ram = new PhysicalMemory(t.ctx('ram'), 4096);
  const cs = new PciConfigSpace(fakeNic().fn, '00:03.0');
  if (bme) cs.write(0x04, 2, 0x0004);
  const dma = new PciBusMaster(t.ctx('dma'), ram, () => cs, '00:03.0');
  const dmaTrace = () => t.records.filter((r) => r.layer === 'dma').map((r) => [r.probe, r.f]);
  return { ...t, ram, cs, dma, dmaTrace };
}

describe('PCI bus timing of nothing', () => {
  test('a burst of no bytes is no cycles; no cycles take no time, on or off a clock edge', () => {
    expect(pciBurstCycles(0, 0)).toBe(0);
    expect(pciBurstCycles(3, 0, 64)).toBe(0);
    expect(pciTransferTime(0, 0)).toBe(0);
    expect(pciTransferTime(7, 0, PCI_CLOCK)).toBe(0);
  });

  test('zero-length reads and writes cost nothing and never abort, even with Bus Master Enable clear', () => {
    const m = master(false, false);
    expect(m.dma.read(0x100, new Uint8Array(0))).toBe(0);
    expect(m.dma.write(0x100, new Uint8Array(0))).toBe(0);
    expect(m.dma.aborts).toBe(0);
    expect(m.dmaTrace()).toEqual([]);
  });
});

describe('PCI bus-master address range', () => {
  test('a transfer ending exactly at the top of RAM is claimed', () => {
    const m = master();
    m.ram.write(4092, Uint8Array.of(1, 2, 3, 4));
    const buf = new Uint8Array(4);
    expect(m.dma.read(4092, buf)).toBe(120); // 2 + 1 + 1 cycles at 30 ns
    expect([...buf]).toEqual([1, 2, 3, 4]);
    expect(m.dma.aborts).toBe(0);
  });

  test('a write running past the top: the in-range part lands, status bit 13, traced, counted', () => {
    const m = master();
    expect(m.dma.write(4094, Uint8Array.of(7, 8, 9, 10))).toBe(240); // master abort: 2 + 1 + 5 cycles
    expect([m.ram.read8(4094), m.ram.read8(4095)]).toEqual([7, 8]);
    expect((m.cs.read(0x06, 2) & 0x2000)).toBe(0x2000);
    expect(m.dma.aborts).toBe(1);
    expect(m.dmaTrace()).toEqual([['master-abort', { dev: '00:03.0', op: 'write', addr: 4094, len: 4, reason: 'beyond-ram' }]]);
  });

  test.each([-4, 1.5])('address %p master-aborts', (addr) => {
    const m = master();
    const buf = new Uint8Array(2);
    expect(m.dma.read(addr, buf)).toBe(240);
    expect(m.dma.aborts).toBe(1);
    expect(m.dmaTrace()).toEqual([['master-abort', { dev: '00:03.0', op: 'read', addr, len: 2, reason: 'beyond-ram' }]]);
  });

  test('each abort counts: reads and writes, disabled and beyond RAM', () => {
    const m = master(false, false);
    m.dma.read(0, new Uint8Array(1));
    m.dma.write(0, new Uint8Array(1));
    m.cs.write(0x04, 2, 0x0004);
    m.dma.read(4096, new Uint8Array(1));
    expect(m.dma.aborts).toBe(3);
    expect(m.dmaTrace().map(([, f]) => [(f as { op: string }).op, (f as { reason: string }).reason])).toEqual([
      ['read', 'bus-master-disabled'],
      ['write', 'bus-master-disabled'],
      ['read', 'beyond-ram'],
    ]);
  });
});

describe('PCI bus-master trace', () => {
  test('verbose: each claimed transfer is recorded with its bus time; not verbose: none', () => {
    const m = master(true);
    m.dma.read(0x10, new Uint8Array(8));
    m.dma.write(0x22, new Uint8Array(4));
    expect(m.dmaTrace()).toEqual([
      ['read', { dev: '00:03.0', addr: 0x10, len: 8, ns: 150 }], // 2 + 1 + 2 cycles at 30 ns
      ['write', { dev: '00:03.0', addr: 0x22, len: 4, ns: 150 }], // bytes 0x22–0x25 span two dwords: 2 + 1 + 2 cycles
    ]);
    const q = master(false);
    q.dma.read(0x10, new Uint8Array(8));
    expect(q.dmaTrace()).toEqual([]);
  });
});
