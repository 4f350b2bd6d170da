import type { ComponentContext } from '../sim/context';
import { openBus, sizeMask, type AccessSize, type RegisterHandler } from '../bus/types';
import type { BusTiming } from '../bus/timing';

/**
 * One decoded window: [base, base+length) answered by `handler` with offsets relative to base, and what an
 * access to it costs on the bus that carries it (isa-bus.ts, pci-bus.ts).
 */
export interface Region {
  readonly base: number;
  readonly length: number;
  readonly handler: RegisterHandler;
  readonly name: string;
  readonly timing: BusTiming;
}

/**
 * A flat address space of register windows (the common core of I/O port space and MMIO space).
 *
 * Regions are kept sorted by base and found by binary search. An access that lies inside one region goes to
 * its handler at the access size; an access that runs past the region's end (into another region or into
 * nothing) is split into byte accesses, each decoded on its own, and reassembled little-endian, which is what
 * the x86 bus does with a misaligned access over two decoders. Bytes nobody decodes read as open bus (0xFF)
 * and writes to them vanish.
 *
 * Mapping is configuration: `map` throws on overlap or out-of-range (an assembly error). Mappings driven by the
 * guest (PCI BARs) use `tryMap`, which reports a conflict instead of throwing.
 */
export class AddressSpace {
  private regions: Region[] = [];

  /**
   * @param space "io" or "mmio" (names the trace probes)
   * @param limit one past the highest address (0x10000 for ports, 2^32 for memory)
   * @param unclaimed what an access nobody decodes costs (the cycle still runs on the bus)
   */
  constructor(
    protected readonly ctx: ComponentContext,
    readonly space: 'io' | 'mmio',
    readonly limit: number,
    readonly unclaimed: BusTiming,
  ) {}

  /** Map a window; throws on overlap or when the window leaves the space. */
  map(base: number, length: number, handler: RegisterHandler, name: string, timing: BusTiming): void {
    const why = this.tryMap(base, length, handler, name, timing);
    if (why !== null) throw new Error(`${this.ctx.name} ${this.space}: cannot map ${name}: ${why}`);
  }

  /** Map a window unless it conflicts; returns null on success or the reason it was refused. */
  tryMap(base: number, length: number, handler: RegisterHandler, name: string, timing: BusTiming): string | null {
    if (!Number.isInteger(base) || !Number.isInteger(length) || length <= 0) {
      return `bad window base=${base} length=${length}`;
    }
    if (base < 0 || base + length > this.limit) {
      return `window ${hex(base)}+${hex(length)} outside the ${this.space} space (limit ${hex(this.limit)})`;
    }
    const i = this.insertionIndex(base);
    const prev = this.regions[i - 1];
    const next = this.regions[i];
    if (prev && prev.base + prev.length > base) return `overlaps ${prev.name} at ${hex(prev.base)}+${hex(prev.length)}`;
    if (next && base + length > next.base) return `overlaps ${next.name} at ${hex(next.base)}+${hex(next.length)}`;
    this.regions.splice(i, 0, { base, length, handler, name, timing });
    return null;
  }

  /** Remove the window starting at `base`. Returns false if there is none. */
  unmap(base: number): boolean {
    const i = this.insertionIndex(base) - 1;
    const r = this.regions[i];
    if (!r || r.base !== base) return false;
    this.regions.splice(i, 1);
    return true;
  }

  /** The region decoding `addr`, if any. */
  find(addr: number): Region | undefined {
    const r = this.regions[this.insertionIndex(addr) - 1];
    return r && addr < r.base + r.length ? r : undefined;
  }

  /** Mapped windows in address order (for listings and the debugger). */
  list(): readonly Region[] {
    return this.regions;
  }

  /**
   * What the CPU pays for an access, in ns: the timing of the window that decodes it, or of the unclaimed
   * cycle. An access split over decoders (see `read`) is one cycle per byte, each costed on its own.
   */
  cycleNs(addr: number, size: AccessSize, write: boolean): number {
    const r = this.find(addr);
    if (r && addr + size <= r.base + r.length) return r.timing.cycleNs(addr - r.base, size, write);
    if (!r && !this.anyMapped(addr, size)) return this.unclaimed.cycleNs(addr, size, write);
    let ns = 0;
    for (let i = 0; i < size; i++) {
      const a = addr + i;
      const br = this.find(a);
      ns += br ? br.timing.cycleNs(a - br.base, 1, write) : this.unclaimed.cycleNs(a, 1, write);
    }
    return ns;
  }

  read(addr: number, size: AccessSize): number {
    const r = this.find(addr);
    if (r && addr + size <= r.base + r.length) {
      const value = (r.handler.read(addr - r.base, size) & sizeMask(size)) >>> 0;
      if (this.ctx.tracer.verbose) this.traceAccess('read', addr, size, value, r.name);
      return value;
    }
    if (!r && !this.anyMapped(addr, size)) {
      this.traceUnmapped('read', addr, size, openBus(size));
      return openBus(size);
    }
    let value = 0;
    for (let i = 0; i < size; i++) value += this.readByte(addr + i) * 2 ** (8 * i);
    if (this.ctx.tracer.verbose) this.traceAccess('read', addr, size, value, 'split');
    return value;
  }

  write(addr: number, size: AccessSize, value: number): void {
    value = (value & sizeMask(size)) >>> 0;
    const r = this.find(addr);
    if (r && addr + size <= r.base + r.length) {
      if (this.ctx.tracer.verbose) this.traceAccess('write', addr, size, value, r.name);
      r.handler.write(addr - r.base, size, value);
      return;
    }
    if (!r && !this.anyMapped(addr, size)) {
      this.traceUnmapped('write', addr, size, value);
      return;
    }
    if (this.ctx.tracer.verbose) this.traceAccess('write', addr, size, value, 'split');
    for (let i = 0; i < size; i++) {
      const a = addr + i;
      const br = this.find(a);
      if (br) br.handler.write(a - br.base, 1, (value >>> (8 * i)) & 0xff);
    }
  }

  /**
   * A string-I/O burst (RegisterHandler.writeQuiet): only for an access that lies inside one window whose handler
   * serves bursts, and never while accesses are traced one by one (verbose). Returns the writes done.
   */
  writeQuiet(addr: number, size: AccessSize, src: Uint8Array, start: number, count: number): number {
    if (this.ctx.tracer.verbose) return 0;
    const r = this.find(addr);
    if (!r || addr + size > r.base + r.length || !r.handler.writeQuiet) return 0;
    return r.handler.writeQuiet(addr - r.base, size, src, start, count);
  }

  /** The read side of `writeQuiet` (RegisterHandler.readQuiet). */
  readQuiet(addr: number, size: AccessSize, dst: Uint8Array, start: number, count: number): number {
    if (this.ctx.tracer.verbose) return 0;
    const r = this.find(addr);
    if (!r || addr + size > r.base + r.length || !r.handler.readQuiet) return 0;
    return r.handler.readQuiet(addr - r.base, size, dst, start, count);
  }

  private readByte(a: number): number {
    const r = this.find(a);
    return r ? r.handler.read(a - r.base, 1) & 0xff : 0xff;
  }

  private anyMapped(addr: number, size: number): boolean {
    for (let i = 0; i < size; i++) if (this.find(addr + i)) return true;
    return false;
  }

  /** Index of the first region whose base is > addr. */
  private insertionIndex(addr: number): number {
    let lo = 0;
    let hi = this.regions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.regions[mid]!.base <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private traceAccess(op: 'read' | 'write', addr: number, size: number, value: number, dev: string): void {
    this.ctx.tracer.emit(this.ctx.node, 'bus', `${this.space}-${op}`, 0, { addr, size, value, dev });
  }

  /** Unmapped accesses are always traced: a driver touching nothing is worth seeing (e.g. an ISA probe miss). */
  private traceUnmapped(op: 'read' | 'write', addr: number, size: number, value: number): void {
    this.ctx.tracer.emit(this.ctx.node, 'bus', `${this.space}-unmapped`, 0, { op, addr, size, value });
  }
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
