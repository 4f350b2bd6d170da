import type { AccessSize, RegisterHandler } from '../bus/types';
import type { BusTiming } from '../bus/timing';
import { GuestWindow } from './guest-window';
import type { V86Io, V86PortEntry } from './v86-types';

export type { PortAccessHook } from './guest-window';

/**
 * A device's register window in a v86 instance's I/O space: `size` consecutive ports at a movable base, each
 * answering 8-, 16- and 32-bit accesses by calling the model's `RegisterHandler` with the offset in the
 * window (v86 dispatches by port and width: `src/io.js`; a 16-bit `in` at port p reaches p's read16 only).
 * Mapping over ports another device holds saves their handlers and puts them back on unmap.
 *
 * Each access first stalls the guest's CPU for the bus cycle `timing` gives (v86 retires the IN/OUT at once;
 * a real CPU waits for the ISA or PCI cycle), then lets the world catch up (`sync`), then reaches the device:
 * the access takes effect at the end of its cycle, as on a simulated node's timeline (stack/kernel/thread-api.ts).
 * A REP INS/OUTS reaches a window once per transfer, so each of its cycles is charged.
 */
export class V86PortWindow extends GuestWindow {
  private base: number | null = null;
  private saved: V86PortEntry[] = [];

  constructor(private readonly io: V86Io, size: number, handler: RegisterHandler, label: string, timing: BusTiming) {
    super(size, handler, label, timing);
  }

  get mappedAt(): number | null {
    return this.base;
  }

  map(base: number): void {
    if (this.base === base) return;
    this.unmap();
    if (base + this.size > 0x10000) return;
    this.base = base;
    this.saved = [];
    for (let i = 0; i < this.size; i++) {
      this.saved.push(this.io.ports[base + i]!);
      this.io.ports[base + i] = this.entry(i);
    }
  }

  unmap(): void {
    if (this.base === null) return;
    for (let i = 0; i < this.size; i++) {
      const prev = this.saved[i];
      this.io.ports[this.base + i] = prev ?? this.io.create_empty_entry();
    }
    this.base = null;
    this.saved = [];
  }

  private entry(offset: number): V86PortEntry {
    const read = (size: AccessSize): number => this.read(offset, size);
    const write = (size: AccessSize, v: number): void => this.write(offset, size, size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff));
    return {
      read8: () => read(1),
      read16: () => read(2),
      read32: () => read(4),
      write8: (v) => write(1, v),
      write16: (v) => write(2, v),
      write32: (v) => write(4, v),
      device: this,
    };
  }
}
