import { Board } from '../../emulator/machine/board/board';
import { PciBusMaster } from '../../emulator/machine/board/dma';
import { PhysicalMemory } from '../../emulator/machine/board/ram';
import { initPics } from '../../firmware/pic-init';
import { FakePciFunction, RecordingHandler, fakeNic, testSim } from './fake-pci';

const ENABLE = 0x8000_0000;
const addr = (dev: number, reg: number, fn = 0, bus = 0) => (ENABLE | (bus << 16) | (dev << 11) | (fn << 8) | reg) >>> 0;

function setup(verbose = false) {
  const t = testSim(verbose);
  const board = new Board(t.ctx('board'), { ramBytes: 1 << 20, cpus: 1, interruptController: '8259' });
  const p = board.ports;
  const cfg32 = (dev: number, reg: number, fn = 0) => (p.out32(0xcf8, addr(dev, reg, fn)), p.in32(0xcfc));
  const cfgw32 = (dev: number, reg: number, v: number, fn = 0) => (p.out32(0xcf8, addr(dev, reg, fn)), p.out32(0xcfc, v));
  const cfgw16 = (dev: number, reg: number, v: number) => (p.out32(0xcf8, addr(dev, reg & 0xfc)), p.out16(0xcfc + (reg & 2), v));
  const cfgw8 = (dev: number, reg: number, v: number) => (p.out32(0xcf8, addr(dev, reg & 0xfc)), p.out8(0xcfc + (reg & 3), v));
  const cfg8 = (dev: number, reg: number) => (p.out32(0xcf8, addr(dev, reg & 0xfc)), p.in8(0xcfc + (reg & 3)));
  return { ...t, board, p, cfg32, cfgw32, cfgw16, cfgw8, cfg8 };
}

describe('configuration mechanism #1', () => {
  test('enable bit, host bridge and PIIX3 identity, empty slots and other buses', () => {
    const { p, cfg32 } = setup();
    p.out32(0xcf8, 0x0000_0000); // enable clear: data port is not a config cycle
    expect(p.in32(0xcfc)).toBe(0xffffffff);
    expect(cfg32(0, 0)).toBe(0x1237_8086);
    expect(cfg32(0, 0x08) >>> 8).toBe(0x060000);
    expect(cfg32(1, 0)).toBe(0x7000_8086);
    expect(cfg32(1, 0x08) >>> 8).toBe(0x060100);
    expect(cfg32(5, 0)).toBe(0xffffffff); // nothing at 00:05.0
    expect(cfg32(0, 0, 1)).toBe(0xffffffff); // no function 1
    p.out32(0xcf8, addr(0, 0, 0, 1));
    expect(p.in32(0xcfc)).toBe(0xffffffff); // bus 1 does not exist
  });

  test('CONFIG_ADDRESS reads back without the reserved bits; narrow accesses do not touch it', () => {
    const { p } = setup();
    p.out32(0xcf8, 0xffff_ffff);
    expect(p.in32(0xcf8)).toBe(0x80ff_fffc);
    p.out8(0xcf8, 0);
    p.out16(0xcfa, 0);
    expect(p.in32(0xcf8)).toBe(0x80ff_fffc);
    expect(p.in8(0xcf9)).toBe(0xff);
  });

  test('byte and word accesses at 0xCFD/0xCFE/0xCFF select bytes of the dword', () => {
    const { p } = setup();
    p.out32(0xcf8, addr(0, 0));
    expect(p.in8(0xcfc)).toBe(0x86);
    expect(p.in8(0xcfd)).toBe(0x80);
    expect(p.in16(0xcfe)).toBe(0x1237);
    expect(p.in8(0xcff)).toBe(0x12);
    p.out32(0xcf8, addr(0, 0x08));
    expect(p.in16(0xcfe)).toBe(0x0600); // class 06, subclass 00
    p.out32(0xcf8, addr(1, 0x3c));
    expect(p.in8(0xcfd)).toBe(0); // PIIX3 has no interrupt pin
  });
});

describe('type-0 header', () => {
  test('BAR sizing for I/O and memory BARs; unused BARs read 0', () => {
    const { board, cfg32, cfgw32 } = setup();
    const io = new RecordingHandler(0x20);
    const mem = new RecordingHandler(0x100);
    const fn = new FakePciFunction({
      vendorId: 0x14e4, deviceId: 0x1644, revision: 0x12, classCode: 0x020000, interruptPin: 1,
      bars: [{ kind: 'io', size: 0x20, handler: io }, { kind: 'mem32', size: 0x10000, prefetchable: true, handler: mem }],
    });
    board.addPciDevice(fn, 4);
    expect(cfg32(4, 0x10)).toBe(0x0000_0001);
    expect(cfg32(4, 0x14)).toBe(0x0000_0008);
    cfgw32(4, 0x10, 0xffff_ffff);
    expect(cfg32(4, 0x10)).toBe(0xffff_ffe1);
    cfgw32(4, 0x14, 0xffff_ffff);
    expect(cfg32(4, 0x14)).toBe(0xffff_0008);
    cfgw32(4, 0x18, 0xffff_ffff);
    expect(cfg32(4, 0x18)).toBe(0);
    cfgw32(4, 0x10, 0xc123);
    expect(cfg32(4, 0x10)).toBe(0xc121); // low 5 bits are the size + I/O flag
    expect(cfg32(4, 0x08)).toBe(0x0200_0012);
  });

  test('command register keeps only I/O, memory and bus-master bits; status is RW1C; line R/W, pin RO', () => {
    const { board, cfg32, cfgw16, cfgw8, cfg8 } = setup();
    const { fn } = fakeNic();
    board.addPciDevice(fn, 3);
    cfgw16(3, 0x04, 0xffff);
    expect(cfg32(3, 0x04) & 0xffff).toBe(0x0007);
    expect(cfg32(3, 0x04) >>> 16).toBe(0x0200); // DEVSEL medium, no capability list
    board.pci.get(3)!.raiseStatus(0x2000);
    expect(cfg32(3, 0x04) >>> 16).toBe(0x2200);
    cfgw16(3, 0x06, 0x0000);
    expect(cfg32(3, 0x04) >>> 16).toBe(0x2200);
    cfgw16(3, 0x06, 0xffff); // write ones: clears error bits, leaves DEVSEL timing
    expect(cfg32(3, 0x04) >>> 16).toBe(0x0200);
    cfgw8(3, 0x3c, 11);
    cfgw8(3, 0x3d, 4);
    expect(cfg8(3, 0x3c)).toBe(11);
    expect(cfg8(3, 0x3d)).toBe(1);
    cfgw8(3, 0x00, 0); // vendor ID is read only
    expect(cfg32(3, 0) & 0xffff).toBe(0x10ec);
  });

  test('capability list: status bit, pointer at 0x34, entries from 0x40 with next pointers', () => {
    const { board, cfg32, cfg8, cfgw8 } = setup();
    const fn = new FakePciFunction({
      vendorId: 0x1814, deviceId: 0x0201, revision: 1, classCode: 0x028000, interruptPin: 1, bars: [],
      capabilities: [
        { id: 0x01, body: [0x02, 0x06, 0x00, 0x00, 0x00, 0x00] }, // PCI power management
        { id: 0x05, body: [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0], writable: [0, 2, 3] }, // MSI
      ],
    });
    board.addPciDevice(fn, 6);
    expect((cfg32(6, 0x04) >>> 16) & 0x10).toBe(0x10);
    const walk: [number, number][] = [];
    for (let ptr = cfg8(6, 0x34); ptr !== 0; ptr = cfg8(6, ptr + 1)) walk.push([ptr, cfg8(6, ptr)]);
    expect(walk).toEqual([[0x40, 0x01], [0x48, 0x05]]);
    expect(cfg8(6, 0x42)).toBe(0x02);
    cfgw8(6, 0x4a, 0x5a); // writable MSI body byte 0 → offset 0x48 + 2
    cfgw8(6, 0x4b, 0x77); // body byte 1: read only
    expect(cfg8(6, 0x4a)).toBe(0x5a);
    expect(cfg8(6, 0x4b)).toBe(0);
    cfgw8(6, 0x49, 0x99); // next pointer is read only
    expect(cfg8(6, 0x49)).toBe(0);
  });

  test('device hooks answer device-specific registers first', () => {
    const { board, cfg32, cfgw32 } = setup();
    const seen: number[] = [];
    const fn = new FakePciFunction({ vendorId: 0x1234, deviceId: 0x5678, revision: 0, classCode: 0x020000, interruptPin: 0, bars: [] });
    Object.assign(fn, {
      configRead: (off: number) => (off === 0x68 ? 0xcafe0000 : undefined),
      configWrite: (off: number, _s: number, v: number) => (off === 0x68 ? (seen.push(v), true) : false),
    });
    board.addPciDevice(fn, 9);
    expect(cfg32(9, 0x68)).toBe(0xcafe0000);
    cfgw32(9, 0x68, 0x1);
    expect(seen).toEqual([1]);
    expect(cfg32(9, 0x00)).toBe(0x5678_1234);
  });

  test('multi-function devices set header type bit 7 on function 0', () => {
    const { board, cfg32 } = setup();
    board.pci.add(fakeNic().fn, 10, 0);
    expect((cfg32(10, 0x0c) >>> 16) & 0xff).toBe(0x00);
    board.pci.add(fakeNic(0x8030).fn, 10, 2);
    expect((cfg32(10, 0x0c) >>> 16) & 0xff).toBe(0x80);
    expect(cfg32(10, 0x00, 2)).toBe(0x8030_10ec);
  });
});

describe('BAR decode', () => {
  test('I/O BAR is mapped only with I/O decode on, follows the BAR, unmaps when decode is off', () => {
    const { board, p, cfgw32, cfgw16, records } = setup();
    const { fn, regs } = fakeNic();
    board.addPciDevice(fn, 3);
    cfgw32(3, 0x10, 0xc000);
    expect(p.in8(0xc000)).toBe(0xff);
    expect(regs.log).toEqual([]);
    cfgw16(3, 0x04, 0x0001);
    p.out8(0xc010, 0x42);
    expect(p.in8(0xc010)).toBe(0x42);
    expect(regs.log).toEqual(['w1@16=42', 'r1@16']);
    cfgw32(3, 0x10, 0xc100); // move it
    expect(p.in8(0xc010)).toBe(0xff);
    expect(p.in8(0xc110)).toBe(0x42);
    cfgw16(3, 0x04, 0x0002); // memory decode only: the I/O window goes away
    expect(p.in8(0xc110)).toBe(0xff);
    expect(regs.log.length).toBe(3);
    const mapRecs = records.filter((r) => r.layer === 'pci' && r.probe.startsWith('bar-')).map((r) => `${r.probe}:${(r.f!.base as number).toString(16)}`);
    expect(mapRecs).toEqual(['bar-map:c000', 'bar-unmap:c000', 'bar-map:c100', 'bar-unmap:c100']);
  });

  test('memory BAR is mapped into MMIO space; a clash with another window is traced, not thrown', () => {
    const { board, cfgw32, cfgw16, records } = setup();
    const mem = new RecordingHandler(0x1000);
    const fn = new FakePciFunction({ vendorId: 0x14e4, deviceId: 0x1644, revision: 0, classCode: 0x020000, interruptPin: 1, bars: [{ kind: 'mem32', size: 0x1000, handler: mem }] });
    board.addPciDevice(fn, 5);
    cfgw32(5, 0x10, 0xe000_0000);
    cfgw16(5, 0x04, 0x0002);
    board.mmio.write(0xe000_0040, 4, 0x12345678);
    expect(board.mmio.read(0xe000_0040, 4)).toBe(0x12345678);
    expect(mem.log).toEqual(['w4@64=12345678', 'r4@64']);
    cfgw32(5, 0x10, 0xfec0_0000); // onto the I/O APIC
    expect(records.some((r) => r.probe === 'bar-conflict')).toBe(true);
    expect(board.mmio.read(0xe000_0040, 4)).toBe(0xffffffff);
  });
});

describe('PIRQ routing', () => {
  /** The slave 8259A's IRR (OCW3 read-IRR command, then read port 0xA0): bit n-8 follows ISA IRQ n. */
  const slaveIrr = (p: ReturnType<typeof setup>['p']) => (p.out8(0xa0, 0x0a), p.in8(0xa0));

  test('two devices share PIRQD through a wired-OR into the routed PIC input', () => {
    const { board, p, cfgw8, cfg8 } = setup();
    const a = fakeNic();
    const b = fakeNic(0x8030);
    board.addPciDevice(a.fn, 3); // INTA# of device 3 → PIRQ (3+1-1)%4 = D
    board.addPciDevice(b.fn, 7); // INTA# of device 7 → PIRQ D as well
    initPics(p, 0x30, [11]);
    p.out8(0xa1, 0xff & ~(1 << 3)); // unmask IRQ11 on the slave
    expect(cfg8(1, 0x63)).toBe(0x80); // PIRQRC reset: routing disabled
    a.fn.intx!.set(true);
    expect(slaveIrr(p)).toBe(0); // not routed yet
    a.fn.intx!.set(false);
    cfgw8(1, 0x63, 0x0b);
    expect(cfg8(1, 0x63)).toBe(0x0b);
    a.fn.intx!.set(true);
    expect(board.pic.intr.level).toBe(true);
    expect(slaveIrr(p)).toBe(1 << 3);
    b.fn.intx!.set(true);
    a.fn.intx!.set(false);
    expect(slaveIrr(p)).toBe(1 << 3); // B still holds the shared line
    expect(board.pic.acknowledge()).toBe(0x3b);
    p.out8(0xa0, 0x20);
    p.out8(0x20, 0x20);
    b.fn.intx!.set(false);
    expect(slaveIrr(p)).toBe(0); // level-triggered (ELCR): the request goes with the line
  });

  test('rerouting or disabling a PIRQ moves an asserted line at once; reserved IRQs do not route', () => {
    const { board, p, cfgw8 } = setup();
    const a = fakeNic();
    board.addPciDevice(a.fn, 4); // PIRQA
    initPics(p, 0x30, [10, 11]);
    p.out8(0xa1, 0xff & ~(1 << 2) & ~(1 << 3)); // unmask IRQ10 and IRQ11
    cfgw8(1, 0x60, 10);
    a.fn.intx!.set(true);
    expect(slaveIrr(p)).toBe(1 << 2);
    expect(board.pic.acknowledge()).toBe(0x3a);
    p.out8(0xa0, 0x20);
    p.out8(0x20, 0x20);
    cfgw8(1, 0x60, 0x80); // disable: IRQ10 drops
    expect(slaveIrr(p)).toBe(0);
    cfgw8(1, 0x60, 11);
    expect(slaveIrr(p)).toBe(1 << 3);
    cfgw8(1, 0x60, 13); // reserved encoding: not routed anywhere
    expect(slaveIrr(p)).toBe(0);
  });

  test('PIRQs also drive I/O APIC pins 16–19 (active low, level)', () => {
    const { board, cfgw8 } = setup();
    const a = fakeNic();
    board.addPciDevice(a.fn, 2); // PIRQ (2+1-1)%4 = C → pin 18
    const got: [number, number][] = [];
    board.onApicMessage((cpu, v) => got.push([cpu, v]));
    const pin = 18;
    board.mmio.write(0xfec0_0000, 4, 0x10 + 2 * pin + 1);
    board.mmio.write(0xfec0_0010, 4, 0x0000_0000);
    board.mmio.write(0xfec0_0000, 4, 0x10 + 2 * pin);
    board.mmio.write(0xfec0_0010, 4, 0x50 | 0x8000 | 0x2000); // vector 0x50, level, active low, unmasked
    expect(got).toEqual([]);
    cfgw8(1, 0x62, 0x80); // PIC routing off; the APIC path does not depend on it
    a.fn.intx!.set(true);
    expect(got).toEqual([[0, 0x50]]);
    a.fn.intx!.set(false);
    board.ioapic.eoi(0x50);
    expect(got.length).toBe(1);
  });
});

describe('bus-master DMA', () => {
  function dmaSetup() {
    const t = setup();
    const { fn } = fakeNic();
    const { dma } = t.board.addPciDevice(fn, 3);
    return { ...t, dma };
  }

  test('cost: arbitration + address + one data phase per dword touched, on 33 MHz clock edges', () => {
    const { dma, cfgw16, sim } = dmaSetup();
    cfgw16(3, 0x04, 0x0004);
    expect(dma.write(0x1000, new Uint8Array(1514))).toBe(11460); // (2+1+379) cycles × 30 ns
    expect(dma.read(0x1000, new Uint8Array(4))).toBe(120); // 4 cycles
    expect(dma.read(0x1002, new Uint8Array(4))).toBe(150); // misaligned: 2 dwords
    expect(dma.read(0x1000, new Uint8Array(0))).toBe(0);
    sim.queue.runUntil(45); // mid-cycle: wait for the edge at 60 ns, then 5 cycles → 210 ns
    expect(dma.read(0x1002, new Uint8Array(4))).toBe(165);
  });

  test('bus master disabled: master abort — reads all ones, writes dropped, traced', () => {
    const { dma, board, cfgw16, records } = dmaSetup();
    board.ram.write(0x2000, Uint8Array.of(1, 2, 3, 4));
    const buf = new Uint8Array(4);
    const cost = dma.read(0x2000, buf);
    expect([...buf]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(cost).toBe(240); // 2 + 1 + 5 cycles
    dma.write(0x2000, Uint8Array.of(9, 9, 9, 9));
    expect(board.ram.read8(0x2000)).toBe(1);
    const aborts = records.filter((r) => r.layer === 'dma' && r.probe === 'master-abort');
    expect(aborts.map((r) => r.f!.reason)).toEqual(['bus-master-disabled', 'bus-master-disabled']);
    cfgw16(3, 0x04, 0x0004);
    dma.read(0x2000, buf);
    expect([...buf]).toEqual([1, 2, 3, 4]);
  });

  test('beyond RAM: received master abort in status, RW1C', () => {
    const { dma, board, cfgw16, cfg32 } = dmaSetup();
    cfgw16(3, 0x04, 0x0004);
    const buf = new Uint8Array(8);
    dma.read((1 << 20) - 4, buf);
    expect([...buf.subarray(4)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect((cfg32(3, 0x04) >>> 16) & 0x2000).toBe(0x2000);
    cfgw16(3, 0x06, 0x2000);
    expect((cfg32(3, 0x04) >>> 16) & 0x2000).toBe(0);
    expect(board.ram.size).toBe(1 << 20);
  });

  test('a view made before the device is plugged in resolves it at access time', () => {
    const { sim, ctx } = testSim();
    const ram = new PhysicalMemory(ctx('ram'), 4096);
    let cs: ReturnType<Board['pci']['get']>;
    const dma = new PciBusMaster(ctx('dma'), ram, () => cs, '00:03.0');
    expect(dma.read(0, new Uint8Array(1))).toBe(240);
    const t = setup();
    t.board.addPciDevice(fakeNic().fn, 3);
    cs = t.board.pci.get(3);
    t.cfgw16(3, 0x04, 0x0004);
    expect(dma.read(0, new Uint8Array(1))).toBe(120);
    expect(sim.queue.now).toBe(0);
  });
});
