import type { RegisterHandler } from '../bus/types';
import type { BusTiming } from '../bus/timing';
import { GuestWindow } from './guest-window';
import { V86_MMAP_BLOCK, V86_MMAP_BLOCK_BITS, type V86Cpu, type V86MmapRead, type V86MmapWrite } from './v86-types';

/**
 * A device's memory BAR in a v86 instance's physical address space: `size` bytes at a movable base, answered by
 * the model's `RegisterHandler` with the offset in the window.
 *
 * v86 dispatches memory-mapped I/O per 128 KiB block (`cpu.memory_map_read8[addr >>> 17]` and its 8/32-bit
 * read/write siblings, filled by `io.mmap_register`), has no way to unregister, and a BAR may be smaller than a
 * block (the BCM5701's is 64 KiB) or share one with other windows. So each block any of our windows touches gets
 * one `V86MmioBlock`: it saves the four handlers v86 had there, installs its own, routes each access to the
 * window that covers it and everything else to the saved handlers, and puts the saved handlers back when its
 * last window leaves.
 *
 * What reaches a window (v86 `src/rust/cpu/memory.rs`, `src/io.js`):
 * - an aligned 32-bit access inside the window: one 32-bit access to the handler;
 * - an 8-bit access: one 8-bit access;
 * - a 16-bit access: two 8-bit accesses (v86 has no 16-bit MMIO read and splits 16-bit writes); an unaligned
 *   or window-straddling 32-bit access: four 8-bit accesses (neither is done by the drivers we run; a real
 *   CPU would make one or two transactions with byte enables);
 * - a 64- or 128-bit write: two or four 32-bit writes.
 *
 * Each access first stalls the guest's CPU for what the PCI transaction costs it (`timing`: a read waits for
 * the data phase; a memory write is posted and costs only the posting, emulator/machine/board/pci-bus.ts), then
 * lets the world catch up (`sync`), then reaches the device, exactly as port windows do (port-window.ts).
 */
export class V86MmioWindow extends GuestWindow {
  private base: number | null = null;

  constructor(private readonly cpu: V86Cpu, size: number, handler: RegisterHandler, label: string, timing: BusTiming) {
    super(size, handler, label, timing);
  }

  get mappedAt(): number | null {
    return this.base;
  }

  /** Decode [base, base + size). The caller has checked that v86 does not own the range (v86-pci.ts). */
  map(base: number): void {
    if (this.base === base) return;
    this.unmap();
    this.base = base;
    for (const b of blocksOf(base, this.size)) V86MmioBlock.of(this.cpu, b).add(this);
  }

  unmap(): void {
    const base = this.base;
    if (base === null) return;
    this.base = null;
    for (const b of blocksOf(base, this.size)) V86MmioBlock.of(this.cpu, b).remove(this);
  }

  covers(addr: number, len: number): boolean {
    return this.base !== null && addr >= this.base && addr + len <= this.base + this.size;
  }

}

/** Block numbers (addr >>> 17) that [base, base + size) touches. */
function blocksOf(base: number, size: number): number[] {
  const out: number[] = [];
  for (let b = Math.floor(base / V86_MMAP_BLOCK); b * V86_MMAP_BLOCK < base + size; b++) out.push(b);
  return out;
}

interface SavedHandlers {
  r8: V86MmapRead | undefined;
  w8: V86MmapWrite | undefined;
  r32: V86MmapRead | undefined;
  w32: V86MmapWrite | undefined;
}

const blocksByCpu = new WeakMap<V86Cpu, Map<number, V86MmioBlock>>();

/** One 128 KiB block of v86's memory map shared by our windows and whatever v86 had there (see above). */
class V86MmioBlock {
  private readonly windows: V86MmioWindow[] = [];
  private saved: SavedHandlers | null = null;

  private constructor(
    private readonly cpu: V86Cpu,
    readonly block: number,
  ) {}

  static of(cpu: V86Cpu, block: number): V86MmioBlock {
    let table = blocksByCpu.get(cpu);
    if (!table) {
      table = new Map();
      blocksByCpu.set(cpu, table);
    }
    let b = table.get(block);
    if (!b) {
      b = new V86MmioBlock(cpu, block);
      table.set(block, b);
    }
    return b;
  }

  add(w: V86MmioWindow): void {
    if (this.windows.includes(w)) return;
    this.windows.push(w);
    if (this.saved) return;
    const c = this.cpu;
    const i = this.block;
    this.saved = { r8: c.memory_map_read8[i], w8: c.memory_map_write8[i], r32: c.memory_map_read32[i], w32: c.memory_map_write32[i] };
    c.io.mmap_register(this.start, V86_MMAP_BLOCK, this.r8, this.w8, this.r32, this.w32);
  }

  remove(w: V86MmioWindow): void {
    const k = this.windows.indexOf(w);
    if (k >= 0) this.windows.splice(k, 1);
    if (this.windows.length > 0 || !this.saved) return;
    const s = this.saved;
    this.saved = null;
    const c = this.cpu;
    const i = this.block;
    c.memory_map_read8[i] = s.r8;
    c.memory_map_write8[i] = s.w8;
    c.memory_map_read32[i] = s.r32;
    c.memory_map_write32[i] = s.w32;
  }

  private get start(): number {
    return (this.block << V86_MMAP_BLOCK_BITS) >>> 0;
  }

  private find(addr: number, len: number): V86MmioWindow | undefined {
    for (const w of this.windows) if (w.covers(addr, len)) return w;
    return undefined;
  }

  private touchesAny(addr: number, len: number): boolean {
    return this.windows.some((w) => w.mappedAt !== null && addr < w.mappedAt + w.size && addr + len > w.mappedAt);
  }

  private readonly r8 = (addr: number): number => {
    addr >>>= 0;
    const w = this.find(addr, 1);
    if (w) return w.read(addr - w.mappedAt!, 1) & 0xff;
    return this.saved?.r8?.(addr) ?? 0xff;
  };

  private readonly w8 = (addr: number, value: number): void => {
    addr >>>= 0;
    const w = this.find(addr, 1);
    if (w) w.write(addr - w.mappedAt!, 1, value & 0xff);
    else this.saved?.w8?.(addr, value & 0xff);
  };

  private readonly r32 = (addr: number): number => {
    addr >>>= 0;
    const w = (addr & 3) === 0 ? this.find(addr, 4) : undefined;
    if (w) return w.read(addr - w.mappedAt!, 4) | 0;
    if (!this.touchesAny(addr, 4) && this.saved?.r32) return this.saved.r32(addr);
    // Unaligned, or straddling a window edge: byte by byte, each through whatever maps that byte.
    let v = 0;
    for (let k = 0; k < 4; k++) v |= byteRead(this.cpu, addr + k) << (8 * k);
    return v;
  };

  private readonly w32 = (addr: number, value: number): void => {
    addr >>>= 0;
    const w = (addr & 3) === 0 ? this.find(addr, 4) : undefined;
    if (w) return w.write(addr - w.mappedAt!, 4, value >>> 0);
    if (!this.touchesAny(addr, 4) && this.saved?.w32) return this.saved.w32(addr, value);
    for (let k = 0; k < 4; k++) byteWrite(this.cpu, addr + k, (value >>> (8 * k)) & 0xff);
  };
}

function byteRead(cpu: V86Cpu, addr: number): number {
  const a = addr >>> 0;
  return (cpu.memory_map_read8[a >>> V86_MMAP_BLOCK_BITS]?.(a) ?? 0xff) & 0xff;
}

function byteWrite(cpu: V86Cpu, addr: number, v: number): void {
  const a = addr >>> 0;
  cpu.memory_map_write8[a >>> V86_MMAP_BLOCK_BITS]?.(a, v);
}
