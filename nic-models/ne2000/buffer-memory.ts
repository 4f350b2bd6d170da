/**
 * The buffer memory behind the DP8390's 16-bit local bus on an NE2000-style board: the station address PROM
 * and the packet RAM. Addresses wrap at 16 bits. Reads of addresses that decode to nothing return 0xFF (the
 * bus floats); writes there are dropped. Nothing here can throw on a guest-chosen address.
 *
 * - PROM 0x0000–0x001F: 16 bytes, each stored twice on the 16-bit boards (the board wires the 8-bit PROM to
 *   both byte lanes): station address in bytes 0–5, 0x57 0x57 ('W') in bytes 14–15 (Linux ne.c checks them).
 *   The 8-bit NE1000 stores them once (mirrored at 0x10): Linux ne.c tells the boards apart by whether every
 *   pair of PROM bytes is equal, and NetBSD reads romdata[i] on an NE1000.
 * - NE2000 / RTL8029: 16 KiB RAM at 0x4000–0x7FFF (pages 0x40–0x7F). 0x2000 is *not* RAM: NetBSD's
 *   ne2000_detect tells an NE1000 from an NE2000 by a pattern written at 0x2000.
 * - NE1000: 8 KiB RAM at 0x2000–0x3FFF (pages 0x20–0x3F).
 */

export type Ne2000Variant = 'ne2000' | 'ne1000' | 'rtl8029';

export const PROM_SIZE = 32;

export class BufferMemory {
  readonly ramStart: number;
  readonly ramEnd: number;
  readonly ram: Uint8Array;
  readonly prom = new Uint8Array(PROM_SIZE);

  constructor(variant: Ne2000Variant, mac: Uint8Array) {
    if (variant === 'ne1000') {
      this.ramStart = 0x2000;
      this.ramEnd = 0x4000;
    } else {
      this.ramStart = 0x4000;
      this.ramEnd = 0x8000;
    }
    this.ram = new Uint8Array(this.ramEnd - this.ramStart);
    const p16 = new Uint8Array(16);
    p16.set(mac.subarray(0, 6));
    p16[14] = 0x57;
    p16[15] = 0x57;
    for (let i = 0; i < 16; i++) {
      if (variant === 'ne1000') {
        this.prom[i] = p16[i]!;
        this.prom[i + 16] = p16[i]!;
      } else {
        this.prom[2 * i] = p16[i]!;
        this.prom[2 * i + 1] = p16[i]!;
      }
    }
  }

  /** First and one-past-last RAM page. */
  get firstPage(): number {
    return this.ramStart >> 8;
  }
  get endPage(): number {
    return this.ramEnd >> 8;
  }

  isRam(addr: number): boolean {
    const a = addr & 0xffff;
    return a >= this.ramStart && a < this.ramEnd;
  }

  read8(addr: number): number {
    const a = addr & 0xffff;
    if (a >= this.ramStart && a < this.ramEnd) return this.ram[a - this.ramStart]!;
    if (a < PROM_SIZE) return this.prom[a]!;
    return 0xff;
  }

  /** Returns false when nothing is there to take the byte (the write is lost). */
  write8(addr: number, value: number): boolean {
    const a = addr & 0xffff;
    if (a >= this.ramStart && a < this.ramEnd) {
      this.ram[a - this.ramStart] = value & 0xff;
      return true;
    }
    return false;
  }

  /**
   * Local-DMA byte writes of `src[start .. start + len)` from `addr` into the receive ring, each as `write8` does it,
   * the address advancing by one and wrapping from page PSTOP to PSTART (and at 16 bits) as `ringNext` says.
   * Returns the address after the last byte. A stretch that stays in RAM without wrapping is one copy (the
   * receive path stores a whole frame this way instead of a call per byte); the result is the same.
   */
  writeRing(addr: number, src: Uint8Array, start: number, len: number, pstart: number, pstop: number): number {
    let a = addr & 0xffff;
    let p = start;
    const end = start + len;
    // No wrap happens before the address reaches page PSTOP from below (or the 16-bit end).
    const wrapAt = pstop << 8;
    while (p < end) {
      if (a >= this.ramStart && a < this.ramEnd) {
        const limit = Math.min(a < wrapAt ? wrapAt : 0x10000, this.ramEnd);
        const r = Math.min(end - p, limit - a);
        this.ram.set(src.subarray(p, p + r), a - this.ramStart);
        p += r;
        a = ringNext(a + r - 1, pstart, pstop);
      } else {
        p++; // nothing decodes here: the byte is lost (write8 returns false)
        a = ringNext(a, pstart, pstop);
      }
    }
    return a;
  }

  /**
   * A 16-bit local-bus read: the RAM is a word-wide array that ignores A0, so the word at `addr & ~1`
   * (little-endian: even byte on the low lane).
   */
  read16(addr: number): number {
    const a = addr & 0xfffe;
    return this.read8(a) | (this.read8(a + 1) << 8);
  }

  write16(addr: number, value: number): boolean {
    const a = addr & 0xfffe;
    const lo = this.write8(a, value & 0xff);
    const hi = this.write8(a + 1, (value >>> 8) & 0xff);
    return lo && hi;
  }
}

/** The local DMA's next byte address in the receive ring: +1, from the last byte before page PSTOP to PSTART. */
export function ringNext(addr: number, pstart: number, pstop: number): number {
  const a = (addr + 1) & 0xffff;
  return a >> 8 !== addr >> 8 && a >> 8 === pstop ? pstart << 8 : a;
}
