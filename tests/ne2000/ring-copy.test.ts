/**
 * BufferMemory.writeRing (nic-models/ne2000/buffer-memory.ts): the receive path stores a frame into the ring a
 * stretch at a time instead of one write8 per byte. For seeded random rings (PSTART/PSTOP anywhere, including
 * rings that end past RAM or start below it, CURR near PSTOP, lengths past a whole ring) on both memory layouts,
 * the result must be the per-byte local DMA's: the same RAM and the same next address (+1 per byte, from the
 * last byte before page PSTOP to PSTART, wrapping at 16 bits; bytes where nothing decodes are lost).
 */
import { BufferMemory, ringNext, type Ne2000Variant } from '../../nic-models/ne2000/buffer-memory';

/** The per-byte local DMA, as the receive path did it before (write8 and the wrap rule, byte by byte). */
function reference(mem: BufferMemory, addr: number, src: Uint8Array, pstart: number, pstop: number): number {
  let a = addr & 0xffff;
  for (const b of src) {
    mem.write8(a, b);
    const old = a;
    a = (a + 1) & 0xffff;
    if (a >> 8 !== old >> 8 && a >> 8 === pstop) a = pstart << 8;
  }
  return a;
}

/** The test's own seeded generator (no Math.random). */
function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const MAC = new Uint8Array([0, 0x50, 0xc2, 0, 0, 1]);

describe('BufferMemory.writeRing', () => {
  for (const variant of ['ne2000', 'ne1000'] as Ne2000Variant[]) {
    test(`${variant}: 400 seeded rings give the per-byte local DMA's RAM and next address`, () => {
      const r = lcg(variant === 'ne2000' ? 7 : 11);
      for (let i = 0; i < 400; i++) {
        const fast = new BufferMemory(variant, MAC);
        const slow = new BufferMemory(variant, MAC);
        const first = fast.firstPage;
        const end = fast.endPage;
        // Mostly rings inside RAM; sometimes rings reaching past it, below it, or inverted.
        const pstart = r(4) === 0 ? r(256) : first + r(end - first - 2);
        const pstop = r(4) === 0 ? r(256) : Math.min(0xff, pstart + 1 + r(end - pstart + 2));
        const page = r(3) === 0 ? r(256) : pstop > 0 && r(2) === 0 ? pstop - 1 : pstart + r(Math.max(1, pstop - pstart));
        const addr = (page << 8) | (r(3) === 0 ? r(256) : 0);
        const src = new Uint8Array(r(5) === 0 ? r(0x5000) : r(1600));
        for (let j = 0; j < src.length; j++) src[j] = (j * 31 + i) & 0xff;
        const start = r(3);
        const len = Math.max(0, src.length - start - r(3));
        const got = fast.writeRing(addr, src, start, len, pstart, pstop);
        const want = reference(slow, addr, src.subarray(start, start + len), pstart, pstop);
        expect({ i, got }).toEqual({ i, got: want });
        expect(Buffer.from(fast.ram).equals(Buffer.from(slow.ram))).toBe(true);
      }
    });
  }

  test('a frame that wraps at PSTOP continues at PSTART; one that runs off RAM loses the bytes there', () => {
    const mem = new BufferMemory('ne2000', MAC);
    const src = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    // Ring 0x46..0x80, CURR 0x7f: 256 bytes at 0x7f00, then 44 at 0x4600.
    expect(mem.writeRing(0x7f00, src, 0, 300, 0x46, 0x80)).toBe(0x4600 + 44);
    expect(mem.ram[0x7fff - 0x4000]).toBe(255);
    expect(mem.ram[0x4600 - 0x4000]).toBe(0);
    expect(mem.ram[0x4600 + 43 - 0x4000]).toBe(43);
    // PSTOP 0x90 beyond RAM (ends at 0x8000): bytes from 0x8000 on go nowhere, the address keeps counting.
    const lost = new BufferMemory('ne2000', MAC);
    expect(lost.writeRing(0x7ff0, src, 0, 300, 0x46, 0x90)).toBe(0x7ff0 + 300);
    expect(Array.from(lost.ram.subarray(0x3ff0))).toEqual(Array.from(src.subarray(0, 16)));
  });

  test('ringNext: +1, from the last byte before page PSTOP to PSTART, and at 16 bits', () => {
    expect(ringNext(0x4510, 0x46, 0x80)).toBe(0x4511);
    expect(ringNext(0x7fff, 0x46, 0x80)).toBe(0x4600);
    expect(ringNext(0x80ff, 0x46, 0x80)).toBe(0x8100); // leaving page PSTOP upwards is no wrap
    expect(ringNext(0xffff, 0x46, 0x00)).toBe(0x4600); // 16-bit wrap into page 0 = PSTOP
    expect(ringNext(0xffff, 0x46, 0x80)).toBe(0x0000);
  });
});
