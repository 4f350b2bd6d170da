/**
 * I/O and MMIO address decoding (emulator/machine/board/address-space.ts) at the boundaries the board's mutation
 * run (docs/testing.md) showed no test pinned:
 * - a window is an integer base ≥ 0 and a positive integer length inside the space: port 0 (the 8237 DMA
 *   controller's) is a valid base; a zero or fractional length, a fractional or negative base are refused;
 * - unmapping names a window by its base; an address inside it is not a base;
 * - an access that starts in a hole and runs into a window is split into byte accesses, as the x86 does over two
 *   decoders: the hole's bytes read 0xFF, the window's bytes come from it, and a split write touches exactly
 *   the bytes of the access; each byte is charged at the timing of what decodes it;
 * - the verbose trace records every decoded access (split ones as "split"); unmapped accesses always, named
 *   by the space;
 * - an MMIO space built without a PCI segment charges unclaimed memory as a 33 MHz segment does (master abort
 *   on reads, a posted write).
 */
import { IoSpace } from '../../emulator/machine/board/io-space';
import { MmioSpace } from '../../emulator/machine/board/mmio-space';
import { unclaimedMemoryTiming } from '../../emulator/machine/board/pci-bus';
import type { BusTiming } from '../../emulator/machine/bus/timing';
import { RecordingHandler, testSim } from './fake-pci';

/** Timing that says where it was asked: 1000 + offset for a window. */
const tagged = (tag: number): BusTiming => ({ cycleNs: (offset, size) => tag + 10 * offset + size });

function space(verbose = false) {
  const t = testSim(verbose);
  const io = new IoSpace(t.ctx('io'));
  const bus = () => t.records.filter((r) => r.layer === 'bus').map((r) => [r.probe, r.f]);
  return { ...t, io, bus };
}

describe('window checks', () => {
  test('port 0 is a valid base', () => {
    const { io } = space();
    expect(io.tryMap(0x00, 0x10, new RecordingHandler(0x10), 'dma1', tagged(0))).toBeNull();
    expect(io.find(0x0f)?.name).toBe('dma1');
  });

  test.each([
    [0x100, 0, 'bad window base=256 length=0'],
    [0x100, 1.5, 'bad window base=256 length=1.5'],
    [0.5, 4, 'bad window base=0.5 length=4'],
    [-4, 4, 'outside the io space (limit 0x10000)'],
  ])('base %p length %p is refused', (base, length, why) => {
    const { io } = space();
    expect(io.tryMap(base, length, new RecordingHandler(4), 'x', tagged(0))).toContain(why);
    expect(io.list()).toEqual([]);
  });

  test('unmap takes a window base; an address inside the window removes nothing', () => {
    const { io } = space();
    io.map(0x300, 0x20, new RecordingHandler(0x20), 'ne2000', tagged(0));
    expect(io.unmap(0x310)).toBe(false);
    expect(io.list().map((r) => r.name)).toEqual(['ne2000']);
    expect(io.unmap(0x300)).toBe(true);
    expect(io.list()).toEqual([]);
  });
});

describe('accesses from a hole into a window', () => {
  test('read: the hole byte is 0xFF, the window bytes are the window\'s', () => {
    const { io } = space();
    const h = new RecordingHandler(4);
    io.map(0x100, 4, h, 'dev', tagged(1000));
    expect(io.read(0x0ff, 2)).toBe((h.regs[0]! << 8) | 0xff);
    expect(io.read(0x0fe, 4)).toBe(((h.regs[1]! << 24) | (h.regs[0]! << 16) | 0xffff) >>> 0);
  });

  test('write: only the window bytes of the access are written', () => {
    const { io } = space();
    const h = new RecordingHandler(4);
    io.map(0x100, 4, h, 'dev', tagged(1000));
    io.write(0x0fe, 4, 0x44332211);
    expect(h.log).toEqual(['w1@0=33', 'w1@1=44']);
  });

  test('a split access is charged byte by byte at the timing of what decodes each byte', () => {
    const { io } = space();
    io.map(0x100, 4, new RecordingHandler(4), 'dev', tagged(1000));
    const hole = io.cycleNs(0x0ff, 1, false);
    expect(io.cycleNs(0x0ff, 2, false)).toBe(hole + 1000 + 1);
    expect(io.cycleNs(0x0fe, 4, true)).toBe(io.cycleNs(0x0fe, 1, true) + io.cycleNs(0x0ff, 1, true) + 1001 + 1011);
    expect(io.cycleNs(0x102, 4, false)).toBe(1021 + 1031 + 2 * io.cycleNs(0x104, 1, false));
  });
});

describe('accesses that end where a window begins', () => {
  test('are unmapped: open bus, traced as such, no byte of the window is touched', () => {
    const { io, bus } = space();
    const h = new RecordingHandler(4);
    io.map(0x100, 4, h, 'dev', tagged(1000));
    expect(io.read(0x0fe, 2)).toBe(0xffff);
    io.write(0x0fc, 4, 0x12345678);
    expect(h.log).toEqual([]);
    expect(bus()).toEqual([
      ['io-unmapped', { op: 'read', addr: 0x0fe, size: 2, value: 0xffff }],
      ['io-unmapped', { op: 'write', addr: 0x0fc, size: 4, value: 0x12345678 }],
    ]);
  });
});

describe('access trace', () => {
  test('verbose: decoded and split accesses are recorded with the device; unmapped ones with the operation', () => {
    const { io, bus } = space(true);
    io.map(0x100, 4, new RecordingHandler(4), 'dev', tagged(1000));
    io.write(0x100, 1, 0x5a);
    io.read(0x100, 1);
    io.write(0x0ff, 2, 0x1234);
    io.read(0x0ff, 2);
    io.read(0x200, 1);
    io.write(0x200, 2, 0xbeef);
    expect(bus()).toEqual([
      ['io-write', { addr: 0x100, size: 1, value: 0x5a, dev: 'dev' }],
      ['io-read', { addr: 0x100, size: 1, value: 0x5a, dev: 'dev' }],
      ['io-write', { addr: 0x0ff, size: 2, value: 0x1234, dev: 'split' }],
      ['io-read', { addr: 0x0ff, size: 2, value: 0x12ff, dev: 'split' }],
      ['io-unmapped', { op: 'read', addr: 0x200, size: 1, value: 0xff }],
      ['io-unmapped', { op: 'write', addr: 0x200, size: 2, value: 0xbeef }],
    ]);
  });

  test('not verbose: decoded and split accesses leave no records', () => {
    const { io, bus } = space();
    io.map(0x100, 4, new RecordingHandler(4), 'dev', tagged(1000));
    io.write(0x100, 1, 0x5a);
    io.read(0x0ff, 2);
    io.write(0x0ff, 2, 0);
    expect(bus()).toEqual([]);
  });
});

describe('MMIO space without a segment', () => {
  test('unclaimed accesses cost what they cost on a 33 MHz segment, and are traced as mmio', () => {
    const { ctx, records } = testSim();
    const mmio = new MmioSpace(ctx('mmio'));
    const at33 = unclaimedMemoryTiming({ periodNs: 30 });
    expect(mmio.cycleNs(0xe000_0000, 4, false)).toBe(at33.cycleNs(0, 4, false));
    expect(mmio.cycleNs(0xe000_0000, 4, true)).toBe(at33.cycleNs(0, 4, true));
    expect(mmio.read(0xe000_0000, 4)).toBe(0xffffffff);
    expect(records.map((r) => r.probe)).toEqual(['mmio-unmapped']);
  });
});
