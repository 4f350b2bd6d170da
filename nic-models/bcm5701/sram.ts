/**
 * The 128 KiB on-chip SRAM (tg3.h NIC_SRAM_*; the size follows from `tg3_test_memory`, which tests up to
 * 0x1e000 on 570x). Little-endian dwords as the host sees them through the memory window with the byte-order
 * bits both x86 drivers set. Accesses at or beyond 128 KiB read 0 and drop writes, latching
 * MEMARB_TRAP_ADDR and tracing `sram-out-of-range` *(I)*.
 */
import { SRAM_SIZE } from './regs';

export interface SramHooks {
  /** Before a host read of [addr, addr+len): the statistics block materialises its counters there (stats.ts). */
  beforeRead?(addr: number, len: number): void;
  /** An access outside the SRAM. */
  outOfRange?(dir: 'read' | 'write', addr: number): void;
}

export class Sram {
  readonly bytes = new Uint8Array(SRAM_SIZE);
  private readonly view = new DataView(this.bytes.buffer);
  hooks: SramHooks = {};

  /** Host access of `size` bytes at `addr` (memory window, indirect data register, BAR window). */
  hostRead(addr: number, size: 1 | 2 | 4): number {
    if (!this.inRange(addr, size)) {
      this.hooks.outOfRange?.('read', addr);
      return 0;
    }
    this.hooks.beforeRead?.(addr, size);
    return this.get(addr, size);
  }

  hostWrite(addr: number, size: 1 | 2 | 4, v: number): void {
    if (!this.inRange(addr, size)) {
      this.hooks.outOfRange?.('write', addr);
      return;
    }
    this.put(addr, size, v);
  }

  /** Chip-internal dword read (boot code, RCB fetch); out of range reads 0. */
  read32(addr: number): number {
    return this.inRange(addr, 4) ? this.view.getUint32(addr, true) : 0;
  }

  write32(addr: number, v: number): void {
    if (this.inRange(addr, 4)) this.view.setUint32(addr, v >>> 0, true);
  }

  /** Copy out of / into the SRAM, clipped to its size (the internal DMA engine, the status-block copy). */
  copyOut(addr: number, dst: Uint8Array): number {
    const n = Math.max(0, Math.min(dst.length, SRAM_SIZE - addr));
    if (addr >= 0 && n > 0) dst.set(this.bytes.subarray(addr, addr + n));
    return n;
  }

  copyIn(addr: number, src: Uint8Array): number {
    const n = Math.max(0, Math.min(src.length, SRAM_SIZE - addr));
    if (addr >= 0 && n > 0) this.bytes.set(src.subarray(0, n), addr);
    return n;
  }

  private inRange(addr: number, size: number): boolean {
    return Number.isInteger(addr) && addr >= 0 && addr + size <= SRAM_SIZE;
  }

  private get(addr: number, size: 1 | 2 | 4): number {
    if (size === 4) return this.view.getUint32(addr, true);
    if (size === 2) return this.view.getUint16(addr, true);
    return this.bytes[addr]!;
  }

  private put(addr: number, size: 1 | 2 | 4, v: number): void {
    if (size === 4) this.view.setUint32(addr, v >>> 0, true);
    else if (size === 2) this.view.setUint16(addr, v & 0xffff, true);
    else this.bytes[addr] = v & 0xff;
  }
}
