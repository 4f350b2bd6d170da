/**
 * The board's wiring (emulator/machine/board/board.ts) at the boundaries the board's mutation run
 * (docs/testing.md) showed no test pinned:
 * - PCI Local Bus Specification 3.0 §6.2.4: Interrupt Pin 0 means the function uses no INTx# line, so it reaches
 *   neither a PIRQ nor an I/O APIC pin, whatever the PIRQ routing;
 * - the four PIRQ pins of the I/O APIC (16–19) idle high (INTx# is active low); pin 20 and up are not PIRQs and
 *   idle low;
 * - ISA IRQ inputs exist for IRQ 0–15 (2 is redirected to 9, as an AT wires the slot's IRQ2 pin);
 * - the board is built with 8259 or I/O APIC interrupt delivery and RAM below the I/O APIC window;
 * - describe() lists each window with its inclusive end and each function with four-digit IDs and command; the
 *   PCI segment line names the clock it runs at and, when a 66 MHz segment fell back to 33 MHz (PCI 3.0
 *   chapter 7, M66EN), the functions that held it back.
 */
import { Board, IOAPIC_BASE } from '../../emulator/machine/board/board';
import { REDIR } from '../../emulator/machine/board/ioapic';
import { PciSegment } from '../../emulator/machine/board/pci-segment';
import { FakePciFunction, fakeNic, testSim } from './fake-pci';

function mkBoard(interruptController: '8259' | 'ioapic' = 'ioapic') {
  const t = testSim();
  const board = new Board(t.ctx('board'), { ramBytes: 1 << 20, cpus: 1, interruptController });
  const apic: [number, number][] = [];
  board.onApicMessage((cpu, vector) => apic.push([cpu, vector]));
  /** Program I/O APIC entry `pin` through its MMIO window, as an OS does. */
  const route = (pin: number, lo: number) => {
    board.mmio.write(IOAPIC_BASE, 4, 0x10 + 2 * pin);
    board.mmio.write(IOAPIC_BASE + 0x10, 4, lo);
  };
  return { ...t, board, apic, route };
}

describe('INTx wiring', () => {
  test('a function with Interrupt Pin 0 reaches no PIRQ and no I/O APIC pin', () => {
    const { board, apic, route } = mkBoard();
    board.ports.out32(0xcf8, 0x8000_0860); // 00:01.0 register 0x60: PIRQRC A–D
    board.ports.out32(0xcfc, 0x0b0b0b0b);
    for (let pin = 16; pin < 20; pin++) route(pin, REDIR.TRIGGER_LEVEL | REDIR.INTPOL | (0x60 + pin));
    const noPin = fakeNic(0x1111, { interruptPin: 0 });
    board.addPciDevice(noPin.fn, 9);
    noPin.fn.intx!.set(true);
    expect(apic).toEqual([]);
    expect(board.ioapic.saveState().lines.slice(16, 20)).toEqual([true, true, true, true]);
    expect(board.pic.saveState().slave.lines).toBe(0);
  });

  test('the PIRQ pins 16–19 idle high, pin 20 and up idle low', () => {
    const { board, apic, route } = mkBoard();
    const lines = board.ioapic.saveState().lines;
    expect(lines.slice(16, 24)).toEqual([true, true, true, true, false, false, false, false]);
    route(20, REDIR.TRIGGER_LEVEL | 0x70); // active high, level: would fire at once if the pin idled high
    expect(apic).toEqual([]);
  });
});

describe('ISA IRQ inputs', () => {
  test('IRQ 0 and 15 are inputs; -1, 16 and 1.5 are refused with the number', () => {
    const { board } = mkBoard('8259');
    board.isaIrq(0).set(true);
    board.isaIrq(15).set(true);
    expect(board.pic.saveState().master.lines & 1).toBe(1);
    expect(board.pic.saveState().slave.lines & 0x80).toBe(0x80);
    for (const n of [-1, 16, 1.5]) expect(() => board.isaIrq(n)).toThrow(`n0.board: ISA IRQ ${n} out of range`);
  });
});

describe('board configuration', () => {
  test('an interrupt controller other than 8259 or ioapic is refused', () => {
    const { ctx } = testSim();
    const cfg = { ramBytes: 1 << 20, cpus: 1, interruptController: 'apic' as unknown as 'ioapic' };
    expect(() => new Board(ctx('b'), cfg)).toThrow("n0.b: interruptController must be '8259' or 'ioapic'");
  });

  test('RAM may reach the I/O APIC window but not overlap it', () => {
    const { ctx } = testSim();
    expect(new Board(ctx('a'), { ramBytes: IOAPIC_BASE, cpus: 1, interruptController: '8259' }).ram.size).toBe(IOAPIC_BASE);
    expect(() => new Board(ctx('b'), { ramBytes: IOAPIC_BASE + 4096, cpus: 1, interruptController: '8259' })).toThrow(
      'n0.b: RAM above 0xfec00000 is not supported',
    );
  });
});

describe('board describe()', () => {
  test('windows with inclusive ends, functions with four-digit IDs and command', () => {
    const { board } = mkBoard();
    board.addPciDevice(fakeNic().fn, 2); // a 33 MHz function on a 33 MHz segment: nothing held back
    const text = board.describe().split('\n');
    expect(text[0]).toBe('board n0.board: 1048576 bytes RAM, 1 CPU(s), ioapic');
    expect(text[1]).toBe('  pci  segment 33 MHz, 32-bit slots');
    expect(text).toContain('  io   0x20-0x21 pic-master');
    expect(text).toContain('  io   0xcf8-0xcfb pci-config-address');
    expect(text).toContain('  mmio 0xfec00000-0xfec00fff ioapic'); // a 4 KiB window
    expect(text).toContain('  pci  00:00.0 8086:1237 cmd 0000');
    expect(text).toContain('  pci  00:01.0 8086:7000 cmd 0000');
  });
});

describe('PCI segment describe()', () => {
  test('a 66 MHz segment held at 33 MHz names the function, IDs in four hex digits', () => {
    const { ctx } = testSim();
    const seg = new PciSegment(ctx('pci'), { clock: 66, width: 64 });
    expect(seg.describe()).toBe('66 MHz, 64-bit slots');
    seg.join(new FakePciFunction({ vendorId: 0x0e11, deviceId: 0x00ff, revision: 0, classCode: 0x020000, interruptPin: 1, bars: [] }), '00:05.0');
    expect(seg.describe()).toBe('33 MHz (built for 66; 00:05.0 0e11:00ff not 66 MHz capable), 64-bit slots');
    seg.join(new FakePciFunction({ vendorId: 0x10ec, deviceId: 0x8029, revision: 0, classCode: 0x020000, interruptPin: 1, bars: [] }), '00:06.0');
    expect(seg.describe()).toBe('33 MHz (built for 66; 00:05.0 0e11:00ff, 00:06.0 10ec:8029 not 66 MHz capable), 64-bit slots');
  });
});
