/**
 * The board's PCI segment (emulator/machine/board/pci-segment.ts): 33 or 66 MHz, 32 or 64 bits; M66EN (a
 * 33 MHz function holds a 66 MHz segment at 33, traced); 8-byte data phases only when slot and function are
 * 64-bit; bus-master DMA and CPU-side cycle costs in the segment's clock. Expected figures are computed here
 * from the PCI rules, not taken from the code under test.
 */
import { Board } from '../../emulator/machine/board/board';
import type { PciClockMhz, PciDataWidth, PciFunctionSpec, PciSegmentView } from '../../emulator/machine/bus/types';
import { Rtl8029Pci } from '../../nic-models/ne2000/rtl8029-pci';
import { componentContext } from '../../emulator/machine/sim';
import { FakePciFunction, RecordingHandler, testSim } from './fake-pci';

const ENABLE = 0x8000_0000;
const cfgAddr = (dev: number, reg: number) => (ENABLE | (dev << 11) | reg) >>> 0;

/** Clock frequency the board's ClockDomain uses for each segment clock (33⅓ and 66⅔ MHz, whole Hz). */
const HZ: Record<PciClockMhz, number> = { 33: 33_333_333, 66: 66_666_666 };
/** Nominal period (PCI 3.0: Tcyc 30 ns at 33 MHz, 15 ns at 66 MHz). */
const PERIOD: Record<PciClockMhz, number> = { 33: 30, 66: 15 };

/** Cycles of one burst: 2 arbitration + 1 address + one data phase per (width/8)-byte unit touched. */
function burstCycles(addr: number, len: number, width: PciDataWidth): number {
  const w = width / 8;
  const first = Math.floor(addr / w);
  const last = Math.floor((addr + len - 1) / w);
  return 2 + 1 + (last - first + 1);
}

/** ns from `now` to the end of `cycles` clocks starting at the first clock edge at or after `now` (edge k at ⌊k·10⁹/hz⌋). */
function busNs(now: number, cycles: number, mhz: PciClockMhz): number {
  const hz = HZ[mhz];
  let k = Math.floor((now * hz) / 1e9);
  while (Math.floor((k * 1e9) / hz) < now) k++;
  return Math.floor(((k + cycles) * 1e9) / hz) - now;
}

/** A bus master for tests: one 32-port I/O BAR, Ethernet class, with the 66 MHz / 64-bit declarations given. */
function master(extra: Partial<PciFunctionSpec> = {}): FakePciFunction {
  return new FakePciFunction({
    vendorId: 0x14e4, deviceId: 0x1645, revision: 0, classCode: 0x020000, interruptPin: 1,
    bars: [{ kind: 'io', size: 0x20, handler: new RecordingHandler(0x20) }],
    ...extra,
  });
}

function board(pci?: { clock: PciClockMhz; width: PciDataWidth }) {
  const t = testSim();
  const b = new Board(t.ctx('board'), { ramBytes: 1 << 20, cpus: 1, interruptController: '8259', ...(pci ? { pci } : {}) });
  const cfgR16 = (dev: number, reg: number) => (b.ports.out32(0xcf8, cfgAddr(dev, reg & 0xfc)), b.ports.in16(0xcfc + (reg & 2)));
  const cfgW16 = (dev: number, reg: number, v: number) => (b.ports.out32(0xcf8, cfgAddr(dev, reg & 0xfc)), b.ports.out16(0xcfc + (reg & 2), v));
  return { ...t, b, cfgR16, cfgW16 };
}

const SEGMENTS: { clock: PciClockMhz; width: PciDataWidth }[] = [
  { clock: 33, width: 32 }, { clock: 66, width: 32 }, { clock: 33, width: 64 }, { clock: 66, width: 64 },
];

describe('the segment: clock (M66EN) and slot width', () => {
  test('default is the i440FX board\'s 33 MHz, 32 bits; the chipset alone does not hold a 66 MHz segment down', () => {
    expect(board().b.pci.segment.clockMhz).toBe(33);
    expect(board().b.pci.segment.slotWidth).toBe(32);
    const { b, records } = board({ clock: 66, width: 64 });
    expect([b.pci.segment.clockMhz, b.pci.segment.slotWidth]).toEqual([66, 64]);
    expect(b.describe()).toContain('pci  segment 66 MHz, 64-bit slots');
    expect(records.filter((r) => r.probe === 'segment-fallback')).toEqual([]);
  });

  test('a function learns its slot at plug-in, and reads the clock live', () => {
    const { b } = board({ clock: 66, width: 64 });
    const fast = master({ capable66MHz: true, bus64: true });
    let seen: PciSegmentView | null = null;
    (fast as FakePciFunction & { attachBus(s: PciSegmentView): void }).attachBus = (s) => (seen = s);
    b.addPciDevice(fast, 3);
    expect(seen).not.toBeNull();
    expect([seen!.clockMhz, seen!.slotWidth]).toEqual([66, 64]);
    b.addPciDevice(master({ capable66MHz: false }), 4);
    expect(seen!.clockMhz).toBe(33);
  });

  test('66MHZ_CAPABLE (status bit 5) as the function declares it', () => {
    const { b, cfgR16 } = board({ clock: 66, width: 64 });
    b.addPciDevice(master({ capable66MHz: true }), 3);
    b.addPciDevice(master(), 4);
    expect(cfgR16(3, 0x06) & 0x20).toBe(0x20);
    expect(cfgR16(4, 0x06) & 0x20).toBe(0);
    expect(cfgR16(0, 0x06) & 0x20).toBe(0); // i440FX: a 33 MHz part, board logic
  });

  test('an RTL8029 on a 66 MHz segment: the segment runs at 33, traced; its status does not claim 66 MHz', () => {
    const { b, sim, records, cfgR16 } = board({ clock: 66, width: 64 });
    b.addPciDevice(master({ capable66MHz: true, bus64: true }), 3);
    expect(b.pci.segment.clockMhz).toBe(66);
    const rtl = new Rtl8029Pci(componentContext(sim, 'n0', 'n0.nic1'), { mac: [0, 0, 0xe8, 0, 0, 1] });
    b.addPciDevice(rtl.fn, 4);
    expect(b.pci.segment.clockMhz).toBe(33);
    expect(b.pci.segment.slotWidth).toBe(64);
    const fb = records.filter((r) => r.layer === 'pci' && r.probe === 'segment-fallback');
    expect(fb.map((r) => r.f)).toEqual([{ dev: '00:04.0', id: '10ec:8029', configured: 66, clock: 33, reason: 'not-66mhz-capable' }]);
    expect(cfgR16(4, 0x06) & 0x20).toBe(0);
    expect(b.describe()).toContain('33 MHz (built for 66; 00:04.0 10ec:8029 not 66 MHz capable), 64-bit slots');
    // The 64-bit master still gets 8-byte data phases (width is per slot and function), at 33 MHz.
    const dma = b.busMaster(3);
    b.pci.get(3)!.write(0x04, 2, 0x0004);
    expect(dma.write(0x1000, new Uint8Array(1514))).toBe(busNs(0, burstCycles(0x1000, 1514, 64), 33));
  });

  test('a 33 MHz segment records no fall-back', () => {
    const { b, sim, records } = board({ clock: 33, width: 64 });
    b.addPciDevice(new Rtl8029Pci(componentContext(sim, 'n0', 'n0.nic1'), { mac: [0, 0, 0xe8, 0, 0, 1] }).fn, 4);
    expect(records.filter((r) => r.probe === 'segment-fallback')).toEqual([]);
  });

  test('nonsense configurations are refused', () => {
    const { ctx } = testSim();
    const mk = (pci: unknown) => () => new Board(ctx('b'), { ramBytes: 1 << 20, cpus: 1, interruptController: '8259', pci: pci as { clock: 33; width: 32 } });
    expect(mk({ clock: 50, width: 32 })).toThrow(/PCI clock must be 33 or 66 MHz \(got 50\)/);
    expect(mk({ clock: 66, width: 16 })).toThrow(/PCI data path must be 32 or 64 bits \(got 16\)/);
  });
});

describe('bus-master DMA on each segment', () => {
  /** A 66 MHz-capable, 64-bit master in slot 3 with Bus Master Enable set. */
  function dmaOn(seg: { clock: PciClockMhz; width: PciDataWidth }, fn = master({ capable66MHz: true, bus64: true }), bme = true) {
    const t = board(seg);
    const { dma } = t.b.addPciDevice(fn, 3);
    if (bme) t.cfgW16(3, 0x04, 0x0004);
    return { ...t, dma };
  }

  test.each(SEGMENTS)('%j: aligned and unaligned bursts, mid-cycle starts', (seg) => {
    const { dma, sim } = dmaOn(seg);
    const w = seg.width; // the function is 64-bit: the slot decides
    const cases: [number, number][] = [[0x1000, 1514], [0x1000, 4], [0x1002, 4], [0x1004, 8], [0x1006, 4], [0x1002, 1514], [0x1007, 1518], [0x1000, 16]];
    for (const [addr, len] of cases) {
      const cycles = burstCycles(addr, len, w);
      const ns = dma.write(addr, new Uint8Array(len));
      expect([addr, len, ns]).toEqual([addr, len, busNs(0, cycles, seg.clock)]);
      expect(ns).toBe(cycles * PERIOD[seg.clock]); // at t = 0 every clock is whole nanoseconds
    }
    // Figures worth writing down: a 1514-byte aligned frame.
    const frame = { '33/32': 11_460, '66/32': 5_730, '33/64': 5_790, '66/64': 2_895 }[`${seg.clock}/${seg.width}`];
    expect(busNs(0, burstCycles(0x1000, 1514, w), seg.clock)).toBe(frame);
    // Not on a clock edge: the transfer waits for the next one.
    sim.queue.runUntil(1_000_007);
    const now = sim.queue.now;
    const cycles = burstCycles(0x1002, 1514, w);
    const got = dma.read(0x1002, new Uint8Array(1514));
    expect(got).toBe(busNs(now, cycles, seg.clock));
    expect(got).toBeGreaterThanOrEqual(cycles * PERIOD[seg.clock]);
    expect(got).toBeLessThan((cycles + 1) * PERIOD[seg.clock] + 1);
  });

  test.each(SEGMENTS)('%j: a 32-bit function gets 4-byte data phases in any slot', (seg) => {
    const { dma } = dmaOn(seg, master({ capable66MHz: true, bus64: false }));
    expect(dma.write(0x1000, new Uint8Array(1514))).toBe(busNs(0, burstCycles(0x1000, 1514, 32), seg.clock));
  });

  test.each(SEGMENTS)('%j: master abort (Bus Master Enable clear) costs 2 + 1 + 5 clocks', (seg) => {
    const { dma, sim, records } = dmaOn(seg, undefined, false);
    expect(dma.read(0x2000, new Uint8Array(64))).toBe(busNs(0, 8, seg.clock));
    expect(busNs(0, 8, seg.clock)).toBe(8 * PERIOD[seg.clock]);
    sim.queue.runUntil(100);
    expect(dma.write(0x2000, new Uint8Array(4))).toBe(busNs(100, 8, seg.clock));
    expect(records.filter((r) => r.probe === 'master-abort').length).toBe(2);
  });

  test('beyond RAM on a 66 MHz segment: a master abort at 66 MHz', () => {
    const { dma } = dmaOn({ clock: 66, width: 64 });
    expect(dma.read((1 << 20) - 4, new Uint8Array(8))).toBe(busNs(0, 8, 66));
  });
});

describe('CPU-side cycle costs in the segment\'s clock', () => {
  /** Host-bridge clocks (pci-bus.ts assumptions): request 2, read return 1, posting 2; §3.3.1 address 1, turnaround 1. */
  const MEDIUM_READ = 2 + 1 + 2 + 1 + 1; // request, address, DEVSEL# medium (read turnaround ≥ 2), return, turnaround
  const MEDIUM_WRITE = 2 + 1 + 2 + 1;
  const ABORT_READ = 2 + 5 + 1 + 1;

  test.each([33, 66] as const)('%d MHz: configuration, BAR, posted and unclaimed accesses', (clock) => {
    const { b } = board({ clock, width: 32 });
    const io = b.ports;
    const p = PERIOD[clock];
    b.addPciDevice(master({ capable66MHz: true }), 3);
    expect(b.io.cycleNs(0xcf8, 4, true)).toBe(2 * p); // CONFIG_ADDRESS: inside the host bridge
    expect(b.io.cycleNs(0xcf8, 4, false)).toBe(3 * p);
    io.out32(0xcf8, cfgAddr(3, 0));
    expect(b.io.cycleNs(0xcfc, 4, false)).toBe(MEDIUM_READ * p);
    expect(b.io.cycleNs(0xcfc, 4, true)).toBe(MEDIUM_WRITE * p);
    io.out32(0xcf8, cfgAddr(9, 0));
    expect(b.io.cycleNs(0xcfc, 4, false)).toBe(ABORT_READ * p); // nobody at 00:09.0
    io.out32(0xcf8, cfgAddr(0, 0));
    expect(b.io.cycleNs(0xcfc, 4, false)).toBe(3 * p); // the host bridge's own space
    // BAR0 (I/O) at 0xc000 with decode on: a medium-DEVSEL# transaction, no wait states.
    const cs = b.pci.get(3)!;
    cs.write(0x10, 4, 0xc000);
    cs.write(0x04, 2, 0x0001);
    expect(b.io.cycleNs(0xc000, 1, false)).toBe(MEDIUM_READ * p);
    expect(b.io.cycleNs(0xc000, 2, true)).toBe(MEDIUM_WRITE * p);
    // Unclaimed memory: a read master-aborts, a write is posted.
    expect(b.mmio.cycleNs(0xd000_0000, 4, false)).toBe(ABORT_READ * p);
    expect(b.mmio.cycleNs(0xd000_0000, 4, true)).toBe(2 * p);
    // The PIIX3's ISA cycles keep their 33 MHz figures (an 8-bit ISA write through the PIIX3: 1620 ns).
    expect(b.io.cycleNs(0x80, 1, true)).toBe(1620);
  });

  test('a 66 MHz segment held at 33 by an RTL8029 charges 30 ns clocks', () => {
    const { b, sim } = board({ clock: 66, width: 64 });
    b.addPciDevice(new Rtl8029Pci(componentContext(sim, 'n0', 'n0.nic1'), { mac: [0, 0, 0xe8, 0, 0, 1] }).fn, 4);
    expect(b.io.cycleNs(0xcf8, 4, true)).toBe(2 * 30);
    expect(b.mmio.cycleNs(0xd000_0000, 4, true)).toBe(2 * 30);
  });
});
