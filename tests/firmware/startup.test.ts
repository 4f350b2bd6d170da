import { Board } from '../../emulator/machine/board/board';
import type { PortIo } from '../../firmware/port-io';
import { runStartup, type StartupConfig } from '../../firmware/startup';
import { startupListing } from '../../firmware/listing';
import { FakePciFunction, RecordingHandler, fakeNic, testSim } from '../board/fake-pci';

const RAM = 32 << 20;

/** Two NICs: an RTL8029-like card in slot 3 and a BCM-like card (I/O + memory BAR) in slot 4. */
function twoNicBoard(interruptController: '8259' | 'ioapic' = '8259') {
  const t = testSim();
  const board = new Board(t.ctx('board'), { ramBytes: RAM, cpus: 1, interruptController });
  const ne = fakeNic();
  const bcmMem = new RecordingHandler(0x100);
  const bcmIo = new RecordingHandler(0x100);
  const bcm = new FakePciFunction({
    vendorId: 0x14e4, deviceId: 0x1644, revision: 0x12, classCode: 0x020000, interruptPin: 1,
    bars: [{ kind: 'mem32', size: 0x10000, handler: bcmMem }, { kind: 'io', size: 0x100, handler: bcmIo }],
  });
  const neSlot = board.addPciDevice(ne.fn, 3);
  const bcmSlot = board.addPciDevice(bcm, 4);
  // Count every port access start-up makes: it must reach the board through ports only.
  let accesses = 0;
  const counted: PortIo = {
    in8: (p) => (accesses++, board.ports.in8(p)),
    in16: (p) => (accesses++, board.ports.in16(p)),
    in32: (p) => (accesses++, board.ports.in32(p)),
    out8: (p, v) => (accesses++, board.ports.out8(p, v)),
    out16: (p, v) => (accesses++, board.ports.out16(p, v)),
    out32: (p, v) => (accesses++, board.ports.out32(p, v)),
  };
  const cfg: StartupConfig = {
    cpus: 1, ramBytes: RAM, interruptController,
    isa: [{ name: 'ne2000', ioport: 0x300, irq: 5 }],
  };
  return { ...t, board, ne, bcm, bcmMem, bcmIo, neSlot, bcmSlot, counted, cfg, accesses: () => accesses };
}

describe('runStartup', () => {
  test('enumerates bus 0, assigns BARs, routes PIRQs and returns the system page', () => {
    const { board, counted, cfg, accesses } = twoNicBoard();
    const sp = runStartup(counted, cfg);
    expect(accesses()).toBeGreaterThan(100);
    expect(sp).toEqual({
      cpus: 1,
      ramBytes: RAM,
      freeMemBase: 0x100000,
      freeMemEnd: RAM,
      interruptController: '8259',
      ioapicBase: 0,
      picVectorBase: 0x30,
      pci: [
        { bus: 0, device: 0, function: 0, vendorId: 0x8086, deviceId: 0x1237, classCode: 0x060000, revision: 2, bars: [], irq: 0xff },
        { bus: 0, device: 1, function: 0, vendorId: 0x8086, deviceId: 0x7000, classCode: 0x060100, revision: 0, bars: [], irq: 0xff },
        // slot 3, INTA# → PIRQD → IRQ10
        { bus: 0, device: 3, function: 0, vendorId: 0x10ec, deviceId: 0x8029, classCode: 0x020000, revision: 0,
          bars: [{ index: 0, kind: 'io', base: 0xc000, size: 0x20 }], irq: 10 },
        // slot 4, INTA# → PIRQA → IRQ11; I/O BAR aligned to its size after the first card's window
        { bus: 0, device: 4, function: 0, vendorId: 0x14e4, deviceId: 0x1644, classCode: 0x020000, revision: 0x12,
          bars: [{ index: 0, kind: 'mem32', base: 0xe000_0000, size: 0x10000 }, { index: 1, kind: 'io', base: 0xc100, size: 0x100 }], irq: 11 },
      ],
      isa: [{ name: 'ne2000', ioport: 0x300, irq: 5 }],
    });
    // What it left in the hardware: PIRQRC A=11, B/C off, D=10; ELCR level for IRQ10 and 11; decode on.
    const p = board.ports;
    p.out32(0xcf8, 0x8000_0860);
    expect(p.in32(0xcfc)).toBe(0x0a80_800b);
    expect([p.in8(0x4d0), p.in8(0x4d1)]).toEqual([0x00, 0x0c]);
    expect(board.pci.get(3)!.command).toBe(0x0005); // I/O + bus master
    expect(board.pci.get(4)!.command).toBe(0x0007);
    expect(board.pci.get(3)!.bytes[0x3c]).toBe(10);
    expect([p.in8(0x21), p.in8(0xa1)]).toEqual([0xfb, 0xff]);
  });

  test('after start-up the devices answer at their windows and interrupt at base + IRQ', () => {
    const { board, ne, bcm, bcmMem, counted, cfg } = twoNicBoard();
    const sp = runStartup(counted, cfg);
    const bus = board.nodeBus(sp);
    bus.out8(0xc005, 0x5a);
    expect(ne.regs.log).toEqual(['w1@5=5a']);
    bus.mmioWrite(0xe000_0010, 4, 1);
    expect(bcmMem.log).toEqual(['w4@16=1']);
    bus.out8(0xa1, 0xff & ~(1 << 2) & ~(1 << 3)); // the OS unmasks IRQ10 and IRQ11
    ne.fn.intx!.set(true);
    expect(bus.interruptAcknowledge()).toBe(0x30 + 10);
    ne.fn.intx!.set(false);
    bus.out8(0xa0, 0x20);
    bus.out8(0x20, 0x20);
    bcm.intx!.set(true);
    expect(bus.interruptAcknowledge()).toBe(0x30 + 11);
  });

  test('network functions may master the bus after start-up', () => {
    const { board, neSlot, counted, cfg } = twoNicBoard();
    runStartup(counted, cfg);
    board.ram.write(0x200000, Uint8Array.of(0xde, 0xad));
    const buf = new Uint8Array(2);
    neSlot.dma.read(0x200000, buf);
    expect([...buf]).toEqual([0xde, 0xad]);
  });

  test('the boot listing', () => {
    const { counted, cfg } = twoNicBoard();
    const sp = runStartup(counted, cfg);
    expect(startupListing(sp)).toEqual([
      'startup: 1 CPU, RAM 32768 KiB, free 0x100000-0x1ffffff',
      '8259A pair: IRQ0-7 vectors 0x30-0x37, IRQ8-15 vectors 0x38-0x3f',
      'interrupt controller: 8259',
      'PCI 00:00.0 8086:1237 class 060000 (host bridge)',
      'PCI 00:01.0 8086:7000 class 060100 (ISA bridge)',
      'PCI 00:03.0 10ec:8029 class 020000 IO 0xc000-0xc01f IRQ 10',
      'PCI 00:04.0 14e4:1644 class 020000 MEM 0xe0000000-0xe000ffff IO 0xc100-0xc1ff IRQ 11',
      'ISA ne2000 IO 0x300 IRQ 5',
    ]);
  });

  test('I/O APIC mode: IRQs are I/O APIC pins 16 + PIRQ and the base is reported', () => {
    const { board, counted, cfg } = twoNicBoard('ioapic');
    const sp = runStartup(counted, cfg);
    expect(sp.ioapicBase).toBe(0xfec0_0000);
    expect(sp.pci.map((d) => d.irq)).toEqual([0xff, 0xff, 16 + 3, 16 + 0]);
    expect(board.pci.get(3)!.bytes[0x3c]).toBe(19);
    expect(startupListing(sp)[2]).toBe('I/O APIC at 0xfec00000 (interrupt controller: ioapic)');
  });

  test('a configurable PIRQ map and vector base', () => {
    const { board, ne, counted, cfg, records } = twoNicBoard();
    const sp = runStartup(counted, { ...cfg, pirqMap: [9, 10, 11, 12], picVectorBase: 0x40 });
    expect(sp.pci.slice(2).map((d) => d.irq)).toEqual([12, 9]);
    expect(sp.picVectorBase).toBe(0x40);
    const bus = board.nodeBus(sp);
    expect([bus.in8(0x4d0), bus.in8(0x4d1)]).toEqual([0x00, 0x12]); // IRQ9 and IRQ12 level-triggered
    bus.out8(0xa1, 0xff & ~(1 << 4));
    ne.fn.intx!.set(true); // slot 3 → PIRQD → IRQ12
    expect(bus.interruptAcknowledge()).toBe(0x40 + 12);
    expect(records.filter((r) => r.probe === 'pirq-route').map((r) => [r.f!.pirq, r.f!.irq])).toEqual([['A', 9], ['D', 12]]);
  });

  test('configuration errors throw; BARs that do not fit are logged and left unassigned', () => {
    const { counted, cfg } = twoNicBoard();
    expect(() => runStartup(counted, { ...cfg, pirqMap: [11, 10, 11, 13] })).toThrow(/PIRQD .* IRQ 13/);
    expect(() => runStartup(counted, { ...cfg, isa: [{ name: 'ne2000', ioport: 0x300, irq: 10 }] })).toThrow(/ISA ne2000 uses IRQ 10/);

    const t = testSim();
    const board = new Board(t.ctx('b'), { ramBytes: RAM, cpus: 2, interruptController: '8259' });
    board.addPciDevice(fakeNic().fn, 3);
    const big = new FakePciFunction({ vendorId: 0x1234, deviceId: 1, revision: 0, classCode: 0x020000, interruptPin: 0,
      bars: [{ kind: 'io', size: 0x8000, handler: new RecordingHandler(4) }] });
    board.addPciDevice(big, 5);
    const log: string[] = [];
    const sp = runStartup(board.ports, { cpus: 2, ramBytes: RAM, interruptController: '8259', log: (l) => log.push(l) });
    expect(log).toEqual(['startup: PCI 00:05.0 BAR0: no room for 32768 I/O ports at 0x10000']);
    expect(sp.pci[3]!.bars).toEqual([]);
    expect(sp.pci[3]!.irq).toBe(0xff);
    expect(startupListing(sp)[0]).toBe('startup: 2 CPUs, RAM 32768 KiB, free 0x100000-0x1ffffff');
  });

  test('deterministic: two boots leave byte-identical traces', () => {
    const run = () => {
      const t = twoNicBoard();
      t.sim.tracer.verbose = true;
      runStartup(t.board.ports, t.cfg);
      return t.sim.tracer.digest();
    };
    expect(run()).toBe(run());
  });
});
