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

/**
 * The board's physical RAM, from address 0 up to `size`. It is the memory behind the host bridge: the CPU
 * side (NodeBus memRead/memWrite) and PCI bus masters (through `PciBusMaster` in dma.ts, which adds bus timing
 * and the Bus Master Enable check) both land here.
 *
 * Accesses past the end behave as on a PC with nothing decoding the address: reads float high (0xFF), writes
 * go nowhere. They are traced (layer "mem", probe "out-of-range") because they almost always mean a driver
 * programmed a bad address. As a DmaMemory the RAM itself costs no bus time (returns 0 ns).
 */
export class PhysicalMemory implements DmaMemory, Snapshottable<RamState> {
  readonly bytes: Uint8Array;

  constructor(private readonly ctx: ComponentContext, readonly size: number) {
    if (!Number.isInteger(size) || size <= 0 || size > 0x1_0000_0000) {
      throw new RangeError(`${ctx.name}: RAM size ${size} is not a positive byte count below 4 GiB`);
    }
    this.bytes = new Uint8Array(size);
  }

  /** Does [addr, addr+len) lie entirely inside RAM? */
  contains(addr: number, len: number): boolean {
    return addr >= 0 && Number.isInteger(addr) && addr + len <= this.size;
  }

  read(addr: number, dst: Uint8Array): number {
    const inRange = this.clip(addr, dst.length);
    if (inRange > 0) dst.set(this.bytes.subarray(addr, addr + inRange));
    if (inRange < dst.length) {
      dst.fill(0xff, Math.max(inRange, 0));
      this.outOfRange('read', addr, dst.length);
    }
    return 0;
  }

  write(addr: number, src: Uint8Array): number {
    const inRange = this.clip(addr, src.length);
    if (inRange > 0) this.bytes.set(src.subarray(0, inRange), addr);
    if (inRange < src.length) this.outOfRange('write', addr, src.length);
    return 0;
  }

  read8(addr: number): number {
    if (!this.contains(addr, 1)) {
      this.outOfRange('read', addr, 1);
      return 0xff;
    }
    return this.bytes[addr]!;
  }

  write8(addr: number, value: number): void {
    if (!this.contains(addr, 1)) {
      this.outOfRange('write', addr, 1);
      return;
    }
    this.bytes[addr] = value & 0xff;
  }

  saveState(): RamState {
    return { v: 1, size: this.size, data: bytesToB64(this.bytes) };
  }

  loadState(saved: RamState): void {
    const s = readState<RamState>(this.ctx.name, RAM_STATE, saved);
    if (s.size !== this.size) throw new Error(`${this.ctx.name}: snapshot RAM size ${s.size} != ${this.size}`);
    this.bytes.fill(0);
    b64ToBytes(s.data, this.bytes);
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
