/**
 * One function's type-0 configuration space (emulator/machine/board/pci-config.ts) at the boundaries the board's
 * mutation run (docs/testing.md) showed no test pinned, after the PCI Local Bus Specification 3.0:
 * - §6.2.5.1: a BAR's size is a power of two, at least 4 bytes of I/O or 16 of memory (at most 2 GiB in a
 *   32-bit BAR); the size's low bits read 0 and the type bits read back: bit 0 = 1 for I/O, bit 3 = prefetchable;
 *   a base address is the BAR with the 2 (I/O) or 4 (memory) type bits removed; a type-0 header has 6 BARs;
 * - §6.2.4: Interrupt Pin is 0 (none) or 1–4 (INTA#–INTD#); Subsystem Vendor ID and Subsystem ID read back;
 * - §6.7: capabilities are a linked list from 0x34 inside the 256-byte space, each entry's body intact;
 * - byte, word and dword accesses touch exactly their bytes;
 * - the host learns of writes that can move a decode window (Command, the BARs) and of no other;
 * - RST# restores the power-on contents; a saved space of another size is refused.
 */
import type { PciBarSpec, PciFunctionSpec } from '../../emulator/machine/bus/types';
import { PciConfigSpace } from '../../emulator/machine/board/pci-config';
import { FakePciFunction, RecordingHandler } from './fake-pci';

const regs = new RecordingHandler(0x10);
const io = (size: number): PciBarSpec => ({ kind: 'io', size, handler: regs });
const mem = (size: number, prefetchable = false): PciBarSpec => ({ kind: 'mem32', size, prefetchable, handler: regs });

function space(extra: Partial<PciFunctionSpec> = {}): PciConfigSpace {
  const spec: PciFunctionSpec = { vendorId: 0x10ec, deviceId: 0x8029, revision: 0, classCode: 0x020000, interruptPin: 1, bars: [], ...extra };
  return new PciConfigSpace(new FakePciFunction(spec), '00:03.0');
}

describe('PCI BAR specs are checked when the function is built (§6.2.5.1)', () => {
  test.each([
    ['a 4-byte I/O BAR', [io(4)]],
    ['a 16-byte memory BAR', [mem(16)]],
    ['a 2 GiB memory BAR', [mem(0x8000_0000)]],
    ['six BARs', [io(4), io(8), mem(16), mem(32), io(256), mem(4096)]],
  ])('%s is accepted', (_what, bars) => {
    expect(space({ bars }).bars).toEqual(bars);
  });

  test.each([
    ['a 2-byte I/O BAR', [io(2)], '00:03.0: BAR0 size 2 is not a power of two >= 4'],
    ['an 8-byte memory BAR', [io(4), mem(8)], '00:03.0: BAR1 size 8 is not a power of two >= 16'],
    ['a 24-byte memory BAR', [mem(24)], '00:03.0: BAR0 size 24 is not a power of two >= 16'],
    ['a 4 GiB memory BAR', [mem(0x1_0000_0000)], '00:03.0: BAR0 size 4294967296 is not a power of two >= 16'],
    ['seven BARs', [io(4), io(4), io(4), io(4), io(4), io(4), io(4)], '00:03.0: 7 BARs (at most 6)'],
  ])('%s is refused', (_what, bars, message) => {
    expect(() => space({ bars })).toThrow(message);
  });

  test.each([0, 4])('Interrupt Pin %i is accepted (§6.2.4)', (pin) => {
    expect(space({ interruptPin: pin }).read(0x3d, 1)).toBe(pin);
  });

  test.each([-1, 5])('Interrupt Pin %i is refused', (pin) => {
    expect(() => space({ interruptPin: pin })).toThrow(`00:03.0: interrupt pin ${pin}`);
  });
});

describe('PCI BAR sizing and decoding (§6.2.5.1)', () => {
  test('writing all ones reads back the size mask with the type bits; the base drops the type bits', () => {
    const cs = space({ bars: [io(4), io(8), mem(16, true), mem(0x1000)] });
    for (let i = 0; i < 4; i++) cs.write(0x10 + 4 * i, 4, 0xffffffff);
    expect([0, 1, 2, 3].map((i) => cs.read(0x10 + 4 * i, 4))).toEqual([0xfffffffd, 0xfffffff9, 0xfffffff8, 0xfffff000]);
    cs.write(0x10, 4, 0xc004);
    cs.write(0x14, 4, 0xc108);
    cs.write(0x18, 4, 0xfebf0010);
    cs.write(0x1c, 4, 0xfebe1000);
    expect([0, 1, 2, 3].map((i) => cs.barBase(i))).toEqual([0xc004, 0xc108, 0xfebf0010, 0xfebe1000]);
    expect(cs.read(0x18, 4)).toBe(0xfebf0018); // prefetchable bit reads back, not part of the base
    expect(cs.barBase(4)).toBe(0); // not implemented
    expect(cs.barBase(5)).toBe(0);
  });

  test('unimplemented BARs read 0 whatever is written', () => {
    const cs = space({ bars: [io(32)] });
    for (let off = 0x14; off < 0x28; off += 4) cs.write(off, 4, 0xffffffff);
    for (let off = 0x14; off < 0x28; off += 4) expect(cs.read(off, 4)).toBe(0);
  });
});

describe('PCI header fields (§6.2.4)', () => {
  test('Subsystem Vendor ID and Subsystem ID read back as given, 0 when not given; both read only', () => {
    const cs = space({ subsystemVendorId: 0x1af4, subsystemId: 0x1100 });
    expect(cs.read(0x2c, 4)).toBe(0x1100_1af4);
    cs.write(0x2c, 4, 0);
    expect(cs.read(0x2c, 4)).toBe(0x1100_1af4);
    expect(space().read(0x2c, 4)).toBe(0);
  });

  test('byte and word accesses touch exactly their bytes', () => {
    const cs = space();
    cs.write(0x0d, 1, 0x40); // Latency Timer
    cs.write(0x0c, 1, 0x10); // Cache Line Size: the latency timer beside it keeps its value
    expect(cs.read(0x0c, 1)).toBe(0x10);
    expect(cs.read(0x0c, 2)).toBe(0x4010);
    expect(cs.read(0x00, 1)).toBe(0xec);
    expect(cs.read(0x00, 2)).toBe(0x10ec);
    expect(cs.read(0x02, 2)).toBe(0x8029);
    expect(cs.read(0x3c, 2)).toBe(0x0100); // line 0, pin INTA#
  });
});

describe('PCI capability list (§6.7)', () => {
  test('entries are linked from 0x34 with their bodies intact; a writable body byte maps to its own offset', () => {
    const cs = space({
      capabilities: [
        { id: 0x01, body: [0x22, 0x33] }, // ends at 0x43: the next entry starts at 0x44
        { id: 0x05, body: [0x80, 0x01, 0x02, 0x03], writable: [2, 3] },
      ],
    });
    expect(cs.read(0x34, 1)).toBe(0x40);
    expect(cs.read(0x40, 4)).toBe(0x3322_4401);
    expect(cs.read(0x44, 4)).toBe(0x0180_0005);
    cs.write(0x48, 2, 0xbbaa); // body bytes 2 and 3
    cs.write(0x46, 2, 0xffff); // body bytes 0 and 1: read only
    expect(cs.read(0x44, 4)).toBe(0x0180_0005);
    expect(cs.read(0x48, 2)).toBe(0xbbaa);
  });

  test('a capability must fit in the 256-byte space; one that ends exactly at 0xFF fits', () => {
    expect(space({ capabilities: [{ id: 0x09, body: new Array<number>(190).fill(7) }] }).read(0xff, 1)).toBe(7);
    expect(() => space({ capabilities: [{ id: 0x09, body: new Array<number>(191).fill(7) }] })).toThrow(
      '00:03.0: capability #0 (id 9) does not fit in config space',
    );
    expect(() => space({ capabilities: [{ id: 0x01, body: [0, 0] }, { id: 0x09, body: new Array<number>(187).fill(7) }] })).toThrow(
      'capability #1 (id 9) does not fit',
    );
  });

  test.each([-1, 4])('a writable byte %i outside a 4-byte body is refused', (j) => {
    expect(() => space({ capabilities: [{ id: 0x05, body: [0, 0, 0, 0], writable: [j] }] })).toThrow(
      `00:03.0: capability 5 writable byte ${j} outside body`,
    );
  });
});

describe('PCI decode-change notice', () => {
  const touching: [string, number, 1 | 2 | 4, boolean][] = [
    ['Device ID (0x02, word)', 0x02, 2, false],
    ['Command high byte (0x05)', 0x05, 1, true],
    ['Command and Status (0x04, dword)', 0x04, 4, true],
    ['Status (0x06, word)', 0x06, 2, false],
    ['Cache Line Size .. BIST (0x0c, dword)', 0x0c, 4, false],
    ['BAR5 (0x24)', 0x24, 4, true],
    ['BAR0 top byte (0x13)', 0x13, 1, true],
    ['CardBus CIS pointer (0x28)', 0x28, 4, false],
  ];
  test.each(touching)('a write to %s: notice %p', (_what, offset, size, notice) => {
    const cs = space({ bars: [io(32)] });
    let n = 0;
    cs.onDecodeChange = () => n++;
    cs.write(offset, size, 0);
    expect(n).toBe(notice ? 1 : 0);
  });

  test('without a listener, writes to Command and BARs do not throw', () => {
    const cs = space({ bars: [io(32)] });
    cs.write(0x04, 2, 1);
    cs.write(0x10, 4, 0xc000);
    expect(cs.command).toBe(1);
  });
});

describe('PCI RST# and snapshots', () => {
  test('reset restores the power-on contents', () => {
    const cs = space({ bars: [io(32)], capabilities: [{ id: 0x05, body: [0, 0], writable: [0] }] });
    const powerOn = cs.save();
    cs.write(0x04, 2, 0x0007);
    cs.write(0x0c, 2, 0x4010);
    cs.write(0x10, 4, 0xc000);
    cs.write(0x3c, 1, 11);
    cs.write(0x42, 1, 0x5a);
    cs.raiseStatus(0x2000);
    cs.setMultiFunction(true);
    expect(cs.save()).not.toEqual(powerOn);
    cs.reset();
    expect(cs.save()).toEqual(powerOn);
  });

  test('a saved space of another size is refused', () => {
    const cs = space();
    expect(() => cs.load(new Array<number>(255).fill(0))).toThrow('00:03.0: config snapshot of 255 bytes');
    expect(() => cs.load(new Array<number>(257).fill(0))).toThrow('config snapshot of 257 bytes');
  });
});
