import type { AccessSize, RegisterHandler } from '../bus/types';
import type { BusTiming } from '../bus/timing';
import type { V86Io, V86PortEntry } from './v86-types';

/** Observes every access the guest makes through a window (the replay log, register traces). */
export type PortAccessHook = (write: boolean, offset: number, size: AccessSize, value: number) => void;

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
export class V86PortWindow {
  private base: number | null = null;
  private saved: V86PortEntry[] = [];
  /** The guest touches the window (set by the owner; runs after `sync`, for reads after the handler). */
  hook: PortAccessHook | null = null;
  /** Runs before every access (the guest machine lets the simulation catch up to the guest's time). */
  sync: (() => void) | null = null;
  /** The guest CPU waits this long for an access's bus cycle (set by the owner: GuestMachine.stall). */
  stall: ((ns: number) => void) | null = null;

  constructor(
    private readonly io: V86Io,
    readonly size: number,
    private readonly handler: RegisterHandler,
    /** Name for traces ("linux1.nic0 BAR0"). */
    readonly label: string,
    /** What an access to this window costs on the bus that carries it. */
    readonly timing: BusTiming,
  ) {}

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
    const h = this.handler;
    const read = (size: AccessSize): number => {
      this.stall?.(this.timing.cycleNs(offset, size, false));
      this.sync?.();
      const v = h.read(offset, size);
      this.hook?.(false, offset, size, v);
      return v;
    };
    const write = (size: AccessSize, v: number): void => {
      const m = size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
      this.stall?.(this.timing.cycleNs(offset, size, true));
      this.sync?.();
      this.hook?.(true, offset, size, m);
      h.write(offset, size, m);
    };
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
