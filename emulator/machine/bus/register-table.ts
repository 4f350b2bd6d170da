/**
 * One register-table type for every device with a register window (DESIGN.md "Register maps are data";
 * STYLE.md 5): the 8259A pair, the I/O APIC and the DP8390 pages build their registers as `RegisterDef`s and
 * hand them to a `RegisterTable`, which validates them once, dispatches bus accesses, and lets a debugger list
 * them and read them through `peek` without side effects.
 *
 * Rules (checked at construction, a table that breaks one is a programming error and throws):
 * - names are unique within a table; widths are 1, 2 or 4 bytes; a register is naturally aligned and lies
 *   inside the window;
 * - no two registers read the same byte and no two are written at the same byte. A read-only and a
 *   write-only register may share an offset (DP8390 page 0: CLDA0 is read where PSTART is written);
 * - `access` matches the functions given: 'ro'/'rc' have `read` and no `write`, 'wo' has `write` and no
 *   `read`, 'rw'/'w1c' have both;
 * - a register whose read has a side effect ('rc', or any `readEffect`) has a `peek`.
 *
 * Guest accesses never throw: an offset no register decodes reads open bus and a write there is dropped, and
 * both go to the table's `unmapped` hook so the device can trace them.
 */
import { openBus, sizeMask, type AccessSize } from './types';

/**
 * What a write does and whether the register can be read:
 * - 'rw': read and write; 'ro': read only (writes are ignored); 'wo': write only (reads decode nothing);
 * - 'w1c': readable, a 1 written to a bit clears it; 'rc': read only, and a read clears it (a read side effect).
 */
export type RegisterAccess = 'rw' | 'ro' | 'wo' | 'w1c' | 'rc';

export interface RegisterDef {
  /** Byte offset within the window. */
  readonly offset: number;
  /** Datasheet name ("PSTART", "IOREGSEL", "ELCR1"). Unique within the table. */
  readonly name: string;
  /** Width in bytes. */
  readonly width: AccessSize;
  readonly access: RegisterAccess;
  /** Value after a hardware reset, where the datasheet gives one. */
  readonly reset?: number;
  /**
   * What a read does besides returning the value ("clears the counter", "advances the FIFO read pointer").
   * A debugger must not read such a register through `read`: it uses `peek`.
   */
  readonly readEffect?: string;
  readonly read?: () => number;
  readonly write?: (value: number) => void;
  /**
   * The value without side effects, for a debugger. For a readable register: what `read` would return; for
   * a write-only register: the value as last written, where the device keeps it.
   */
  readonly peek?: () => number;
  /** Named bits or fields of the value (name → mask), from the datasheet. */
  readonly bits?: Readonly<Record<string, number>>;
}

/** A bus access no register answers (an unknown offset, a write-only register read, a width it does not take). */
export interface UnmappedAccess {
  readonly dir: 'read' | 'write';
  readonly offset: number;
  readonly size: AccessSize;
  /** The value written (writes only). */
  readonly value?: number;
  /** The register decoding the other direction at this offset, if any (a write to a read-only register). */
  readonly other?: RegisterDef;
}

export interface RegisterTableOptions {
  /** Window length in bytes; registers lie inside it. */
  readonly span: number;
  /**
   * An access wider than the register at its offset: 'split' answers it as consecutive byte accesses (an
   * 8-bit ISA device: the bus runs one cycle per byte; byte-wide registers only); 'reject' (default) treats
   * it as unmapped (the I/O APIC takes 32-bit accesses only).
   */
  readonly wide?: 'split' | 'reject';
  /** Called after a register is read through the table. */
  readonly onRead?: (reg: RegisterDef, value: number) => void;
  /** Called before a register is written through the table. */
  readonly onWrite?: (reg: RegisterDef, value: number) => void;
  /** Called for every access nothing answers (reads then return open bus, writes are dropped). */
  readonly unmapped?: (a: UnmappedAccess) => void;
}

const WIDTHS: readonly number[] = [1, 2, 4];

export class RegisterTable {
  readonly regs: readonly RegisterDef[];
  private readonly readers = new Map<number, RegisterDef>();
  private readonly writers = new Map<number, RegisterDef>();
  private readonly names = new Map<string, RegisterDef>();

  /** `label` names the device in validation errors ("DP8390 page 0", "8259A master"). */
  constructor(readonly label: string, defs: readonly RegisterDef[], private readonly opts: RegisterTableOptions) {
    if (!Number.isInteger(opts.span) || opts.span < 1) throw new Error(`${label}: window span ${opts.span} is not a positive integer`);
    const readBytes = new Map<number, RegisterDef>();
    const writeBytes = new Map<number, RegisterDef>();
    for (const d of defs) {
      this.validate(d);
      const prev = this.names.get(d.name);
      if (prev) throw new Error(`${label}: register name ${d.name} used twice (offsets 0x${hex(prev.offset)} and 0x${hex(d.offset)})`);
      this.names.set(d.name, d);
      if (d.read) this.claim(readBytes, d, 'read');
      if (d.write) this.claim(writeBytes, d, 'written');
      if (d.read) this.readers.set(d.offset, d);
      if (d.write) this.writers.set(d.offset, d);
    }
    if (opts.wide === 'split' && defs.some((d) => d.width !== 1)) throw new Error(`${label}: 'split' tables hold byte-wide registers only`);
    this.regs = [...defs].sort((a, b) => a.offset - b.offset || Number(!!a.write) - Number(!!b.write));
  }

  private validate(d: RegisterDef): void {
    const at = `${this.label}: register ${d.name || '(unnamed)'}`;
    if (!d.name) throw new Error(`${this.label}: a register at 0x${hex(d.offset)} has no name`);
    if (!WIDTHS.includes(d.width)) throw new Error(`${at}: width ${d.width} is not 1, 2 or 4 bytes`);
    if (!Number.isInteger(d.offset) || d.offset < 0 || d.offset + d.width > this.opts.span)
      throw new Error(`${at}: offset ${d.offset} (width ${d.width}) outside the ${this.opts.span}-byte window`);
    if (d.offset % d.width !== 0) throw new Error(`${at}: offset 0x${hex(d.offset)} not aligned to its width ${d.width}`);
    const readable = d.access !== 'wo';
    const writable = d.access === 'rw' || d.access === 'w1c' || d.access === 'wo';
    if (readable !== !!d.read) throw new Error(`${at}: access '${d.access}' ${readable ? 'needs' : 'must not have'} a read function`);
    if (writable !== !!d.write) throw new Error(`${at}: access '${d.access}' ${writable ? 'needs' : 'must not have'} a write function`);
    if (d.access === 'rc' && !d.readEffect) throw new Error(`${at}: a read-to-clear register must say what its read does (readEffect)`);
    if (d.readEffect && !readable) throw new Error(`${at}: a write-only register has no read effect`);
    if (d.readEffect && !d.peek) throw new Error(`${at}: a read with side effects (${d.readEffect}) needs a peek for the debugger`);
    if (d.reset !== undefined && (!Number.isInteger(d.reset) || d.reset < 0 || d.reset > sizeMask(d.width)))
      throw new Error(`${at}: reset value ${d.reset} does not fit ${d.width} byte(s)`);
  }

  private claim(bytes: Map<number, RegisterDef>, d: RegisterDef, how: string): void {
    for (let b = d.offset; b < d.offset + d.width; b++) {
      const prev = bytes.get(b);
      if (prev) throw new Error(`${this.label}: ${d.name} and ${prev.name} are both ${how} at 0x${hex(b)}`);
      bytes.set(b, d);
    }
  }

  /** The register a read at `offset` decodes (it must start there). */
  reader(offset: number): RegisterDef | undefined {
    return this.readers.get(offset);
  }

  /** The register a write at `offset` decodes (it must start there). */
  writer(offset: number): RegisterDef | undefined {
    return this.writers.get(offset);
  }

  byName(name: string): RegisterDef | undefined {
    return this.names.get(name);
  }

  /** Every register name, in offset order. */
  get registerNames(): string[] {
    return this.regs.map((r) => r.name);
  }

  /** A guest read of `size` bytes at `offset`. */
  read(offset: number, size: AccessSize): number {
    const reg = this.readers.get(offset);
    if (reg && reg.width === size) return this.readReg(reg);
    if (this.opts.wide === 'split' && size > 1) return this.splitRead(offset, size);
    this.opts.unmapped?.(this.miss('read', offset, size));
    return openBus(size);
  }

  /** A guest write of `size` bytes at `offset`. */
  write(offset: number, size: AccessSize, value: number): void {
    const v = (value & sizeMask(size)) >>> 0;
    const reg = this.writers.get(offset);
    if (reg && reg.width === size) return this.writeReg(reg, v);
    if (this.opts.wide === 'split' && size > 1) {
      for (let i = 0; i < size; i++) this.write(offset + i, 1, (v >>> (8 * i)) & 0xff);
      return;
    }
    this.opts.unmapped?.(this.miss('write', offset, size, v));
  }

  /** What a debugger shows for `reg`: `peek` when given, else `read` (a register without read effects). */
  static peekValue(reg: RegisterDef): number | undefined {
    if (reg.peek) return reg.peek();
    if (reg.read && !reg.readEffect && reg.access !== 'rc') return reg.read();
    return undefined;
  }

  private readReg(reg: RegisterDef): number {
    const v = (reg.read!() & sizeMask(reg.width)) >>> 0;
    this.opts.onRead?.(reg, v);
    return v;
  }

  private writeReg(reg: RegisterDef, v: number): void {
    this.opts.onWrite?.(reg, v);
    reg.write!(v);
  }

  private splitRead(offset: number, size: AccessSize): number {
    let value = 0;
    for (let i = 0; i < size; i++) value |= this.read(offset + i, 1) << (8 * i);
    return value >>> 0;
  }

  private miss(dir: 'read' | 'write', offset: number, size: AccessSize, value?: number): UnmappedAccess {
    const other = dir === 'read' ? this.writers.get(offset) : this.readers.get(offset);
    return { dir, offset, size, ...(value !== undefined ? { value } : {}), ...(other ? { other } : {}) };
  }
}

/** Names of the bits of `value` set in a register's `bits` (single-bit names; fields as NAME=n). */
export function bitNames(value: number, bits: Readonly<Record<string, number>> | undefined): string[] {
  if (!bits) return [];
  const out: string[] = [];
  for (const [name, mask] of Object.entries(bits)) {
    if (mask === 0) continue;
    if ((mask & (mask - 1)) === 0) {
      if (value & mask) out.push(name);
    } else {
      const shift = 31 - Math.clz32(mask & -mask);
      out.push(`${name}=${((value & mask) >>> 0) >>> shift}`);
    }
  }
  return out;
}

function hex(n: number): string {
  return n.toString(16);
}
