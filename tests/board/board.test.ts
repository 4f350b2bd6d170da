import { Board } from '../../emulator/machine/board/board';
import type { SystemPage } from '../../emulator/machine/bus/node-bus';
import { ISA_8BIT_TARGET } from '../../emulator/machine/bus/timing';
import { initPics } from '../../firmware/pic-init';
import { RecordingHandler, fakeNic, testSim } from './fake-pci';

const syspage: SystemPage = {
  cpus: 1, ramBytes: 1 << 20, freeMemBase: 0x100000, freeMemEnd: 1 << 20, interruptController: '8259',
  ioapicBase: 0, picVectorBase: 0x30, pci: [], isa: [],
};

function mkBoard(name = 'board', interruptController: '8259' | 'ioapic' = '8259') {
  const t = testSim();
  const board = new Board(t.ctx(name), { ramBytes: 1 << 20, cpus: 1, interruptController });
  return { ...t, board };
}

describe('Board assembly', () => {
  test('chipset windows are in place', () => {
    const { board } = mkBoard();
    expect(board.io.list().map((r) => `${r.base.toString(16)}+${r.length} ${r.name}`)).toEqual([
      '20+2 pic-master', 'a0+2 pic-slave', '4d0+2 elcr', 'cf8+4 pci-config-address', 'cfc+4 pci-config-data',
    ]);
    expect(board.mmio.list().map((r) => [r.base, r.name])).toEqual([[0xfec0_0000, 'ioapic']]);
    expect(board.describe()).toContain('pci  00:01.0 8086:7000');
  });

  test('addPciDevice picks the lowest free slot from 2, refuses taken slots, wires INTx', () => {
    const { board } = mkBoard();
    const a = fakeNic();
    const b = fakeNic();
    expect(board.addPciDevice(a.fn).slot).toBe(2);
    expect(board.addPciDevice(b.fn).slot).toBe(3);
    expect(() => board.addPciDevice(fakeNic().fn, 3)).toThrow(/occupied/);
    expect(a.fn.intx).not.toBeNull();
    const noPin = fakeNic(0x1111, { interruptPin: 0 });
    board.addPciDevice(noPin.fn, 9);
    noPin.fn.intx!.set(true); // connected to nothing: must not disturb anything
    expect(board.pic.intr.level).toBe(false);
  });

  test('configuration errors throw', () => {
    const { ctx } = testSim();
    expect(() => new Board(ctx('b1'), { ramBytes: 1 << 20, cpus: 0, interruptController: '8259' })).toThrow(/cpus/);
    const { board } = mkBoard();
    board.mapIsaDevice('ne2000', 0x300, 0x20, new RecordingHandler(0x20), ISA_8BIT_TARGET);
    expect(() => board.mapIsaDevice('other', 0x310, 4, new RecordingHandler(4), ISA_8BIT_TARGET)).toThrow(/overlaps ne2000/);
    expect(() => board.isaIrq(16)).toThrow();
  });
});

describe('NodeBus of a board', () => {
  test('port I/O, MMIO and RAM', () => {
    const { board } = mkBoard();
    const h = new RecordingHandler(0x20);
    board.mapIsaDevice('ne2000', 0x300, 0x20, h, ISA_8BIT_TARGET);
    const bus = board.nodeBus(syspage);
    bus.out8(0x301, 0x12);
    bus.out16(0x302, 0x3456);
    bus.out32(0x304, 0x789abcde);
    expect([bus.in8(0x301), bus.in16(0x302), bus.in32(0x304)]).toEqual([0x12, 0x3456, 0x789abcde]);
    bus.memWrite(0x5000, Uint8Array.of(1, 2, 3));
    const out = new Uint8Array(3);
    bus.memRead(0x5000, out);
    expect([...out]).toEqual([1, 2, 3]);
    bus.mmioWrite(0xfec0_0000, 4, 1); // IOREGSEL = IOAPICVER
    expect(bus.mmioRead(0xfec0_0010, 4) & 0xff).toBe(0x20);
    expect(bus.syspage).toBe(syspage);
  });

  test('an ISA IRQ reaches INTR and the INTA cycle returns base + irq; IRQ2 means IRQ9', () => {
    const { board } = mkBoard();
    const bus = board.nodeBus(syspage);
    initPics(board.ports, 0x30, []);
    bus.out8(0x21, 0xfb & ~(1 << 5));
    bus.out8(0xa1, 0xff & ~(1 << 1));
    const levels: boolean[] = [];
    bus.onIntr((l) => levels.push(l));
    const irq5 = board.isaIrq(5);
    irq5.set(true);
    expect(levels).toEqual([true]);
    expect(bus.interruptAcknowledge()).toBe(0x35);
    irq5.set(false);
    bus.out8(0x20, 0x20);
    const irq2 = board.isaIrq(2);
    irq2.set(true);
    expect(bus.interruptAcknowledge()).toBe(0x39);
  });

  test('I/O APIC messages and EOI', () => {
    const { board } = mkBoard('b', 'ioapic');
    const bus = board.nodeBus({ ...syspage, interruptController: 'ioapic', ioapicBase: 0xfec0_0000 });
    const got: [number, number][] = [];
    bus.onApicMessage((cpu, v) => got.push([cpu, v]));
    const pin = 5;
    bus.mmioWrite(0xfec0_0000, 4, 0x10 + 2 * pin);
    bus.mmioWrite(0xfec0_0010, 4, 0x61 | 0x8000); // vector 0x61, level, active high, unmasked
    const line = board.isaIrq(5);
    line.set(true);
    expect(got).toEqual([[0, 0x61]]);
    bus.apicEoi(0x61); // still asserted: level-triggered entry fires again after EOI
    expect(got).toEqual([[0, 0x61], [0, 0x61]]);
    line.set(false);
    bus.apicEoi(0x61);
    expect(got.length).toBe(2);
  });
});

describe('Board snapshots', () => {
  test('save → load into a fresh board → save is identical, and BAR windows are restored', () => {
    const one = mkBoard('one');
    const nicA = fakeNic();
    one.board.addPciDevice(nicA.fn, 3);
    const p = one.board.ports;
    initPics(p, 0x30, [11]);
    p.out32(0xcf8, 0x8000_1810);
    p.out32(0xcfc, 0xc000);
    p.out32(0xcf8, 0x8000_1804);
    p.out16(0xcfc, 0x0005);
    p.out32(0xcf8, 0x8000_0860);
    p.out8(0xcfc + 3, 11);
    one.board.ram.write(0x8000, Uint8Array.of(7, 7, 7));
    const saved = one.board.saveState();

    const two = mkBoard('two');
    const nicB = fakeNic();
    two.board.addPciDevice(nicB.fn, 3);
    two.board.loadState(JSON.parse(JSON.stringify(saved)));
    expect(two.board.saveState()).toEqual(saved);
    two.board.ports.out8(0xc001, 0x99);
    expect(nicB.regs.log).toEqual(['w1@1=99']);
    expect(two.board.ram.read8(0x8001)).toBe(7);
  });
});
