/**
 * Physical RAM (emulator/machine/board/ram.ts) at its bounds, which the board's mutation run (docs/testing.md)
 * showed no test pinned: a PC decodes RAM from address 0 up to its size; an access past it finds nothing
 * (reads float high, writes vanish) and is traced; an access inside it is not. Sizes are positive integers up
 * to 4 GiB (32-bit physical addresses); a snapshot of another size is refused.
 */
import { PhysicalMemory } from '../../emulator/machine/board/ram';
import { testSim } from './fake-pci';

function ram(size = 4096) {
  const t = testSim();
  const mem = new PhysicalMemory(t.ctx('ram'), size);
  const oor = () => t.records.filter((r) => r.layer === 'mem' && r.probe === 'out-of-range').map((r) => r.f);
  return { mem, oor };
}

describe('RAM size', () => {
  test('4 GiB is the largest RAM; one byte more is refused', () => {
    expect(ram(0x1_0000_0000).mem.size).toBe(0x1_0000_0000);
    expect(() => ram(0x1_0000_0001)).toThrow('n0.ram: RAM size 4294967297 is not a positive byte count below 4 GiB');
  });

  test('a snapshot of another version is refused naming the component', () => {
    const a = ram();
    expect(() => a.mem.loadState({ ...a.mem.saveState(), v: 2 as 1 })).toThrow(/^n0\.ram \(RAM\): /);
  });

  test('a snapshot of another size is refused', () => {
    const a = ram(4096);
    expect(() => a.mem.loadState(ram(8192).mem.saveState())).toThrow('n0.ram: snapshot RAM size 8192 != 4096');
  });
});

describe('RAM address range', () => {
  test('accesses inside RAM, from address 0 to the last byte, are not traced', () => {
    const { mem, oor } = ram();
    mem.write(0, Uint8Array.of(1, 2));
    mem.write(4094, Uint8Array.of(3, 4));
    mem.write8(4095, 5);
    const buf = new Uint8Array(4096);
    mem.read(0, buf);
    expect([buf[0], buf[1], buf[4094], buf[4095], mem.read8(0), mem.read8(4095)]).toEqual([1, 2, 3, 5, 1, 5]);
    expect(oor()).toEqual([]);
  });

  test('an access starting at the size finds nothing: reads 0xFF, writes vanish, both traced', () => {
    const { mem, oor } = ram();
    const buf = new Uint8Array(2);
    mem.read(4096, buf);
    mem.write(4096, Uint8Array.of(9, 9));
    expect([...buf]).toEqual([0xff, 0xff]);
    expect(mem.read8(4096)).toBe(0xff);
    expect(oor()).toEqual([
      { op: 'read', addr: 4096, len: 2, ramBytes: 4096 },
      { op: 'write', addr: 4096, len: 2, ramBytes: 4096 },
      { op: 'read', addr: 4096, len: 1, ramBytes: 4096 },
    ]);
  });

  test('negative and fractional addresses find nothing', () => {
    const { mem, oor } = ram();
    mem.write(-2, Uint8Array.of(7, 7, 7, 7));
    mem.write8(0.5, 7);
    const buf = new Uint8Array(2);
    mem.read(1.5, buf);
    expect([...buf]).toEqual([0xff, 0xff]);
    expect([mem.read8(0), mem.read8(1), mem.read8(-1)]).toEqual([0, 0, 0xff]);
    expect(oor().map((f) => f?.op)).toEqual(['write', 'write', 'read', 'read']);
  });
});
