/**
 * PhysicalMemory's sparse storage (emulator/machine/board/ram.ts): 64 KiB pages made on first write. A page
 * never written reads as zeros, accesses across page boundaries land in both pages, reads allocate nothing,
 * and a snapshot is the whole memory as before (a restored RAM keeps only the pages holding data).
 */
import { PhysicalMemory } from '../../emulator/machine/board/ram';
import { testSim } from './fake-pci';

const PAGE = 64 * 1024;

describe('PhysicalMemory sparse pages', () => {
  test('a fresh 64 MiB RAM holds no pages and reads zeros', () => {
    const { ctx } = testSim();
    const ram = new PhysicalMemory(ctx('ram'), 64 * 1024 * 1024);
    const out = new Uint8Array(3 * PAGE + 5).fill(0x55);
    ram.read(PAGE - 1, out);
    expect(out.every((b) => b === 0)).toBe(true);
    expect(ram.read8(40_000_000)).toBe(0);
    expect(ram.residentBytes).toBe(0);
  });

  test('a write across a page boundary lands in both pages and reads back whole', () => {
    const { ctx } = testSim();
    const ram = new PhysicalMemory(ctx('ram'), 4 * PAGE);
    const data = Uint8Array.from({ length: PAGE + 10 }, (_, i) => (i * 7 + 1) & 0xff);
    ram.write(2 * PAGE - 5, data);
    expect(ram.residentBytes).toBe(3 * PAGE);
    const back = new Uint8Array(data.length + 10);
    ram.read(2 * PAGE - 10, back);
    expect([...back.subarray(0, 5)]).toEqual([0, 0, 0, 0, 0]);
    expect(back.subarray(5, 5 + data.length)).toEqual(data);
    expect([...back.subarray(5 + data.length)]).toEqual([0, 0, 0, 0, 0]);
    expect(ram.read8(2 * PAGE - 5)).toBe(1);
    ram.write8(1, 0x1ff);
    expect(ram.read8(1)).toBe(0xff);
    expect(ram.residentBytes).toBe(4 * PAGE);
  });

  test('a size that is not a whole number of pages: the last page is short, the end still floats high', () => {
    const { ctx } = testSim();
    const ram = new PhysicalMemory(ctx('ram'), PAGE + 100);
    ram.write(PAGE + 98, Uint8Array.of(1, 2, 3));
    expect(ram.residentBytes).toBe(100);
    const out = new Uint8Array(3);
    ram.read(PAGE + 98, out);
    expect([...out]).toEqual([1, 2, 0xff]);
  });

  test('snapshot: the whole memory; restored, only pages with data are kept, and writes after restore stay', () => {
    const { ctx } = testSim();
    const a = new PhysicalMemory(ctx('a'), 8 * PAGE);
    a.write(5 * PAGE + 3, Uint8Array.of(9, 8, 7));
    a.write(PAGE, new Uint8Array(16)); // written, but zeros: not kept on restore
    const saved = a.saveState();
    expect(Buffer.from(saved.data, 'base64').length).toBe(8 * PAGE);
    const b = new PhysicalMemory(ctx('b'), 8 * PAGE);
    b.write(7 * PAGE, Uint8Array.of(1)); // gone after the restore
    b.loadState(saved);
    expect(b.residentBytes).toBe(PAGE);
    expect(b.read8(5 * PAGE + 4)).toBe(8);
    expect(b.read8(7 * PAGE)).toBe(0);
    expect(b.saveState()).toEqual(saved);
    b.write8(5 * PAGE + 3, 1);
    expect(a.read8(5 * PAGE + 3)).toBe(9);
  });

  test('bytes: one live array from then on, holding what was written before and seeing (and making) writes after', () => {
    const { ctx } = testSim();
    const ram = new PhysicalMemory(ctx('ram'), 3 * PAGE);
    ram.write(PAGE - 1, Uint8Array.of(4, 5));
    const all = ram.bytes;
    expect(all.length).toBe(3 * PAGE);
    expect([...all.subarray(PAGE - 1, PAGE + 1)]).toEqual([4, 5]);
    ram.write8(2 * PAGE, 6);
    expect(all[2 * PAGE]).toBe(6);
    all[10] = 7;
    expect(ram.read8(10)).toBe(7);
    expect(ram.bytes).toBe(all);
    const saved = ram.saveState();
    ram.write8(10, 0);
    ram.loadState(saved);
    expect(all[10]).toBe(7);
    expect(ram.bytes).toBe(all);
  });
});
