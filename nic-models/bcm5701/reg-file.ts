/**
 * The BCM5701's plain register storage and the small constructors its register tables are written with.
 * Every 32-bit register at BAR0 0x0000–0x7fff that just holds a value lives in one word array indexed by
 * offset (config registers 0x64–0xff at their config offsets: BAR0 0x00–0xff mirrors config space). Registers
 * with behaviour are `RegisterDef`s whose functions live in the block that owns them; they may still keep
 * their value here. Each register declares its reset value and whether a core reset (GRC_MISC_CFG bit 0)
 * leaves it alone (design §1.17); RST# resets everything declared.
 */
import type { RegisterDef } from '../../emulator/machine/bus/register-table';

const WORDS = 0x8000 >> 2;

export type ResetKind = 'rst' | 'core';

export class RegFile {
  private readonly w = new Uint32Array(WORDS);
  private readonly resets = new Map<number, { value: number; keep: boolean }>();

  get(off: number): number {
    return this.w[(off & 0x7fff) >> 2]!;
  }

  set(off: number, v: number): void {
    this.w[(off & 0x7fff) >> 2] = v >>> 0;
  }

  /** Register `off` has reset value `value`; `keep`: a core reset does not touch it. */
  declare(off: number, value = 0, keep = false): void {
    this.resets.set(off, { value: value >>> 0, keep });
  }

  reset(kind: ResetKind): void {
    for (const [off, r] of this.resets) if (kind === 'rst' || !r.keep) this.set(off, r.value);
  }

  /** Non-zero words as [offset, value] pairs (snapshot). */
  save(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < WORDS; i++) if (this.w[i] !== 0) out.push([i << 2, this.w[i]!]);
    return out;
  }

  load(words: readonly (readonly [number, number])[]): void {
    this.w.fill(0);
    for (const [off, v] of words) this.set(off, v);
  }
}

export interface RegOpts {
  reset?: number;
  /** Bits a write changes (default all). */
  mask?: number;
  /** Survives a core reset. */
  keep?: boolean;
  bits?: Readonly<Record<string, number>>;
  /** Called after the write stored the new value (old value given). */
  after?: (value: number, old: number) => void;
}

/** A read/write register that stores `(old & ~mask) | (v & mask)`. */
export function stored(f: RegFile, off: number, name: string, o: RegOpts = {}): RegisterDef {
  const mask = o.mask ?? 0xffffffff;
  f.declare(off, o.reset ?? 0, o.keep ?? false);
  return {
    offset: off, name, width: 4, access: 'rw', reset: o.reset ?? 0, ...(o.bits ? { bits: o.bits } : {}),
    read: () => f.get(off),
    write: (v) => {
      const old = f.get(off);
      f.set(off, (old & ~mask) | (v & mask));
      o.after?.(f.get(off), old);
    },
  };
}

/** A read-only register whose value the chip keeps in the file. Writes are traced by the table as ignored. */
export function readOnly(f: RegFile, off: number, name: string, o: RegOpts = {}): RegisterDef {
  f.declare(off, o.reset ?? 0, o.keep ?? false);
  return { offset: off, name, width: 4, access: 'ro', reset: o.reset ?? 0, ...(o.bits ? { bits: o.bits } : {}), read: () => f.get(off) };
}

/** A read-only register computed from chip state. */
export function computed(off: number, name: string, read: () => number, bits?: Readonly<Record<string, number>>): RegisterDef {
  return { offset: off, name, width: 4, access: 'ro', read, ...(bits ? { bits } : {}) };
}

/** A status register whose bits the chip sets and a written 1 clears. */
export function w1c(f: RegFile, off: number, name: string, o: RegOpts = {}): RegisterDef {
  f.declare(off, o.reset ?? 0, o.keep ?? false);
  return {
    offset: off, name, width: 4, access: 'w1c', reset: o.reset ?? 0, ...(o.bits ? { bits: o.bits } : {}),
    read: () => f.get(off),
    write: (v) => {
      const old = f.get(off);
      f.set(off, old & ~v);
      o.after?.(f.get(off), old);
    },
  };
}

/** `n` consecutive stored registers NAME_0..NAME_{n-1}, `stride` bytes apart. */
export function storedArray(f: RegFile, off: number, name: string, n: number, stride = 4, o: RegOpts = {}): RegisterDef[] {
  const out: RegisterDef[] = [];
  for (let i = 0; i < n; i++) out.push(stored(f, off + i * stride, `${name}_${i}`, o));
  return out;
}
