import type { ComponentContext } from '../sim/context';
import { b64ToBytes, bytesToB64, readState, stateVersions, type Snapshottable } from '../sim/snapshot';
import type { DmaMemory } from '../bus/types';

export const RAM_STATE = stateVersions('RAM', 1);

export interface RamState {
  v: 1;
  size: number;
  /** Base64 of the whole memory (snapshots of a 32 MiB node are ~43 MiB of text; compression is the writer's job). */
  data: string;
}

/** RAM is kept in pages of 2^PAGE_SHIFT bytes (64 KiB), each allocated when first written. */
const PAGE_SHIFT = 16;
const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;
/** A page of zeros to compare restored pages with (memcmp through Buffer.equals). */
const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);

/**
 * The board's physical RAM, from address 0 up to `size`. It is the memory behind the host bridge: the CPU
 * side (NodeBus memRead/memWrite) and PCI bus masters (through `PciBusMaster` in dma.ts, which adds bus timing
 * and the Bus Master Enable check) both land here.
 *
 * Accesses past the end behave as on a PC with nothing decoding the address: reads float high (0xFF), writes
 * go nowhere. They are traced (layer "mem", probe "out-of-range") because they almost always mean a driver
 * programmed a bad address. As a DmaMemory the RAM itself costs no bus time (returns 0 ns).
 *
 * Storage is sparse: a 64 KiB page exists once something wrote into it, and a page never written reads as
 * zeros, as the whole RAM did when it was one zero-filled array. A simulated node touches a few hundred KiB of
 * its 64 MiB (DMA rings and buffers), so a fleet of 1000 nodes does not reserve 64 GiB of host memory.
 */
export class PhysicalMemory implements DmaMemory, Snapshottable<RamState> {
  private pages: (Uint8Array | undefined)[];
  /** The whole RAM as one array, once someone asked for it (`bytes`); the pages are then views into it. */
  private dense: Uint8Array | null = null;

  constructor(private readonly ctx: ComponentContext, readonly size: number) {
    if (!Number.isInteger(size) || size <= 0 || size > 0x1_0000_0000) {
      throw new RangeError(`${ctx.name}: RAM size ${size} is not a positive byte count below 4 GiB`);
    }
    this.pages = new Array<Uint8Array | undefined>(Math.ceil(size / PAGE_SIZE));
  }

  /**
   * The whole RAM as one contiguous array that stays live (test and fuzz harnesses that read and poke host memory
   * directly): from the first call on, every page is a view into it, so it costs the full size once.
   */
  get bytes(): Uint8Array {
    if (this.dense) return this.dense;
    const all = new Uint8Array(this.size);
    this.copyOut(0, all, this.size);
    for (let i = 0; i < this.pages.length; i++) this.pages[i] = all.subarray(i * PAGE_SIZE, Math.min(this.size, (i + 1) * PAGE_SIZE));
    this.dense = all;
    return all;
  }

  /** Bytes of host memory holding pages (what was written so far, in whole pages). */
  get residentBytes(): number {
    let n = 0;
    for (const p of this.pages) if (p) n += p.length;
    return n;
  }

  /** Does [addr, addr+len) lie entirely inside RAM? */
  contains(addr: number, len: number): boolean {
    return addr >= 0 && Number.isInteger(addr) && addr + len <= this.size;
  }

  read(addr: number, dst: Uint8Array): number {
    const inRange = this.clip(addr, dst.length);
    if (inRange > 0) this.copyOut(addr, dst, inRange);
    if (inRange < dst.length) {
      dst.fill(0xff, Math.max(inRange, 0));
      this.outOfRange('read', addr, dst.length);
    }
    return 0;
  }

  write(addr: number, src: Uint8Array): number {
    const inRange = this.clip(addr, src.length);
    if (inRange > 0) this.copyIn(addr, src, inRange);
    if (inRange < src.length) this.outOfRange('write', addr, src.length);
    return 0;
  }

  read8(addr: number): number {
    if (!this.contains(addr, 1)) {
      this.outOfRange('read', addr, 1);
      return 0xff;
    }
    const p = this.pages[addr >>> PAGE_SHIFT];
    return p ? p[addr & PAGE_MASK]! : 0;
  }

  write8(addr: number, value: number): void {
    if (!this.contains(addr, 1)) {
      this.outOfRange('write', addr, 1);
      return;
    }
    this.page(addr >>> PAGE_SHIFT)[addr & PAGE_MASK] = value & 0xff;
  }

  saveState(): RamState {
    const all = this.dense ?? new Uint8Array(this.size);
    if (!this.dense) this.copyOut(0, all, this.size);
    return { v: 1, size: this.size, data: bytesToB64(all) };
  }

  loadState(saved: RamState): void {
    const s = readState<RamState>(this.ctx.name, RAM_STATE, saved);
    if (s.size !== this.size) throw new Error(`${this.ctx.name}: snapshot RAM size ${s.size} != ${this.size}`);
    if (this.dense) {
      this.dense.fill(0);
      b64ToBytes(s.data, this.dense);
      return;
    }
    const all = b64ToBytes(s.data, new Uint8Array(this.size));
    this.pages = new Array<Uint8Array | undefined>(this.pages.length);
    for (let i = 0; i < this.pages.length; i++) {
      const chunk = all.subarray(i * PAGE_SIZE, Math.min(this.size, (i + 1) * PAGE_SIZE));
      const zero = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).equals(ZERO_PAGE.subarray(0, chunk.length));
      if (!zero) this.pages[i] = chunk.slice();
    }
  }

  private page(i: number): Uint8Array {
    let p = this.pages[i];
    if (!p) {
      p = new Uint8Array(Math.min(PAGE_SIZE, this.size - i * PAGE_SIZE));
      this.pages[i] = p;
    }
    return p;
  }

  /** Copy `len` bytes from RAM at `addr` (all inside) into dst[0..len). */
  private copyOut(addr: number, dst: Uint8Array, len: number): void {
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const off = a & PAGE_MASK;
      const n = Math.min(len - done, PAGE_SIZE - off);
      const p = this.pages[a >>> PAGE_SHIFT];
      if (p) dst.set(p.subarray(off, off + n), done);
      else dst.fill(0, done, done + n);
      done += n;
    }
  }

  /** Copy src[0..len) into RAM at `addr` (all inside). */
  private copyIn(addr: number, src: Uint8Array, len: number): void {
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const off = a & PAGE_MASK;
      const n = Math.min(len - done, PAGE_SIZE - off);
      this.page(a >>> PAGE_SHIFT).set(src.subarray(done, done + n), off);
      done += n;
    }
  }

  /** Number of leading bytes of [addr, addr+len) inside RAM (0 when addr itself is outside). */
  private clip(addr: number, len: number): number {
    if (!Number.isInteger(addr) || addr < 0 || addr >= this.size) return 0;
    return Math.min(len, this.size - addr);
  }

  private outOfRange(op: 'read' | 'write', addr: number, len: number): void {
    this.ctx.tracer.emit(this.ctx.node, 'mem', 'out-of-range', 0, { op, addr, len, ramBytes: this.size });
  }
}
