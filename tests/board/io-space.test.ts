import { IoSpace } from '../../emulator/machine/board/io-space';
import { MmioSpace } from '../../emulator/machine/board/mmio-space';
import { NO_BUS_TIME } from '../../emulator/machine/bus/timing';
import { RecordingHandler, testSim } from './fake-pci';

describe('IoSpace', () => {
  test('routes accesses to the handler at window-relative offsets', () => {
    const { ctx } = testSim();
    const io = new IoSpace(ctx('io'));
    const h = new RecordingHandler(8);
    io.map(0x300, 8, h, 'ne2000', NO_BUS_TIME);
    io.write(0x302, 2, 0xbeef);
    expect(io.read(0x302, 2)).toBe(0xbeef);
    expect(io.read(0x303, 1)).toBe(0xbe);
    expect(h.log).toEqual(['w2@2=beef', 'r2@2', 'r1@3']);
  });

  test('unmapped ports read open bus and are traced; writes vanish', () => {
    const { ctx, records } = testSim();
    const io = new IoSpace(ctx('io'));
    expect(io.read(0x80, 1)).toBe(0xff);
    expect(io.read(0x80, 2)).toBe(0xffff);
    expect(io.read(0x80, 4)).toBe(0xffffffff);
    io.write(0x80, 1, 0x12);
    expect(records.filter((r) => r.probe === 'io-unmapped').length).toBe(4);
  });

  test('overlapping or out-of-range maps throw; tryMap reports why', () => {
    const { ctx } = testSim();
    const io = new IoSpace(ctx('io'));
    io.map(0x300, 0x20, new RecordingHandler(0x20), 'a', NO_BUS_TIME);
    expect(() => io.map(0x31f, 2, new RecordingHandler(2), 'b', NO_BUS_TIME)).toThrow(/overlaps a/);
    expect(() => io.map(0x2f0, 0x11, new RecordingHandler(2), 'c', NO_BUS_TIME)).toThrow(/overlaps a/);
    expect(() => io.map(0xfff0, 0x20, new RecordingHandler(2), 'd', NO_BUS_TIME)).toThrow(/outside/);
    expect(io.tryMap(0x310, 4, new RecordingHandler(4), 'e', NO_BUS_TIME)).toMatch(/overlaps a/);
    io.map(0x2f0, 0x10, new RecordingHandler(0x10), 'adjacent-below', NO_BUS_TIME);
    io.map(0x320, 0x10, new RecordingHandler(0x10), 'adjacent-above', NO_BUS_TIME);
    expect(io.list().map((r) => r.name)).toEqual(['adjacent-below', 'a', 'adjacent-above']);
  });

  test('unmap removes the window', () => {
    const { ctx } = testSim();
    const io = new IoSpace(ctx('io'));
    const h = new RecordingHandler(4);
    io.map(0x100, 4, h, 'x', NO_BUS_TIME);
    expect(io.read(0x100, 1)).toBe(h.regs[0]);
    expect(io.unmap(0x100)).toBe(true);
    expect(io.unmap(0x100)).toBe(false);
    expect(io.read(0x100, 1)).toBe(0xff);
    io.map(0x100, 4, h, 'again', NO_BUS_TIME);
  });

  test('an access running into another window or into nothing is split into bytes', () => {
    const { ctx } = testSim();
    const io = new IoSpace(ctx('io'));
    const a = new RecordingHandler(2, 'a');
    const b = new RecordingHandler(2, 'b');
    a.regs.set([0x11, 0x22]);
    b.regs.set([0x33, 0x44]);
    io.map(0x10, 2, a, 'a', NO_BUS_TIME);
    io.map(0x12, 2, b, 'b', NO_BUS_TIME);
    expect(io.read(0x11, 2)).toBe(0x3322);
    expect(io.read(0x10, 4)).toBe(0x44332211);
    expect(io.read(0x13, 2)).toBe(0xff44);
    io.write(0x11, 4, 0xaabbccdd);
    expect(a.log.slice(-1)).toEqual(['w1@1=dd']);
    expect(b.log.slice(-2)).toEqual(['w1@0=cc', 'w1@1=bb']);
  });

  test('register-level records only when the tracer is verbose', () => {
    const quiet = testSim(false);
    const io = new IoSpace(quiet.ctx('io'));
    io.map(0x10, 2, new RecordingHandler(2), 'a', NO_BUS_TIME);
    io.read(0x10, 1);
    expect(quiet.records.length).toBe(0);
    const loud = testSim(true);
    const io2 = new IoSpace(loud.ctx('io'));
    io2.map(0x10, 2, new RecordingHandler(2), 'a', NO_BUS_TIME);
    io2.write(0x10, 1, 5);
    expect(loud.records.map((r) => [r.probe, r.f?.dev])).toEqual([['io-write', 'a']]);
  });
});

describe('MmioSpace', () => {
  test('many regions, binary search, high addresses', () => {
    const { ctx } = testSim();
    const mmio = new MmioSpace(ctx('mmio'));
    const hs: RecordingHandler[] = [];
    // Map in scrambled order; lookups must still find each.
    for (const i of [5, 1, 7, 3, 0, 6, 2, 4]) {
      const h = new RecordingHandler(16);
      hs[i] = h;
      mmio.map(0xe000_0000 + i * 0x1000, 16, h, `r${i}`, NO_BUS_TIME);
    }
    mmio.map(0xffff_fff0, 16, new RecordingHandler(16), 'top', NO_BUS_TIME);
    expect(mmio.list().map((r) => r.name)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'top']);
    for (let i = 0; i < 8; i++) {
      mmio.write(0xe000_0000 + i * 0x1000 + 4, 4, 0x1000 + i);
      expect(mmio.read(0xe000_0000 + i * 0x1000 + 4, 4)).toBe(0x1000 + i);
    }
    expect(mmio.read(0xe000_0010, 4)).toBe(0xffffffff);
    expect(mmio.read(0xffff_fffc, 4)).toBeGreaterThanOrEqual(0);
    expect(() => mmio.map(0xffff_fff0, 0x20, new RecordingHandler(4), 'wrap', NO_BUS_TIME)).toThrow();
  });
});
