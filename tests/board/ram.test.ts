import { PhysicalMemory } from '../../emulator/machine/board/ram';
import { testSim } from './fake-pci';

describe('PhysicalMemory', () => {
  test('reads back what was written, costs no bus time', () => {
    const { ctx } = testSim();
    const ram = new PhysicalMemory(ctx('ram'), 4096);
    expect(ram.write(100, Uint8Array.of(1, 2, 3))).toBe(0);
    const out = new Uint8Array(3);
    expect(ram.read(100, out)).toBe(0);
    expect([...out]).toEqual([1, 2, 3]);
    expect(ram.read8(101)).toBe(2);
  });

  test('reads past the end float high, writes past the end are dropped, both traced', () => {
    const { ctx, records } = testSim();
    const ram = new PhysicalMemory(ctx('ram'), 4096);
    ram.write(4094, Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd));
    expect(ram.read8(4094)).toBe(0xaa);
    expect(ram.read8(4095)).toBe(0xbb);
    const out = new Uint8Array(4);
    ram.read(4094, out);
    expect([...out]).toEqual([0xaa, 0xbb, 0xff, 0xff]);
    const far = new Uint8Array(2).fill(0x11);
    ram.read(1 << 20, far);
    expect([...far]).toEqual([0xff, 0xff]);
    expect(ram.read8(-1)).toBe(0xff);
    ram.write8(5000, 1);
    const oor = records.filter((r) => r.layer === 'mem' && r.probe === 'out-of-range');
    expect(oor.map((r) => r.f?.op)).toEqual(['write', 'read', 'read', 'read', 'write']);
    expect(oor[0]!.f).toMatchObject({ addr: 4094, len: 4, ramBytes: 4096 });
  });

  test('rejects a nonsensical size at construction', () => {
    const { ctx } = testSim();
    expect(() => new PhysicalMemory(ctx('ram'), 0)).toThrow();
    expect(() => new PhysicalMemory(ctx('ram2'), 1.5)).toThrow();
  });

  test('snapshot round trip', () => {
    const { ctx } = testSim();
    const a = new PhysicalMemory(ctx('a'), 1024);
    a.write(10, Uint8Array.of(9, 8, 7));
    const b = new PhysicalMemory(ctx('b'), 1024);
    b.loadState(a.saveState());
    expect(b.saveState()).toEqual(a.saveState());
    expect(b.read8(11)).toBe(8);
  });
});
