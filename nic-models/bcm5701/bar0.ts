/**
 * The 64 KiB BAR0 decoder (design §1.3.4): 0x0000–0x00ff mirror PCI configuration space (through the config
 * access the host handed over, so standard registers, capabilities and device registers behave exactly as
 * config cycles), 0x0100–0x01ff read 0, 0x0200–0x7fff the chip's registers (one table; 0x5800–0x59ff alias the
 * mailboxes at 0x0200–0x03ff), 0x8000–0xffff the SRAM window (base MEM_WIN_BASE_ADDR, 32 KiB steps *(I)*).
 *
 * Registers are 32 bits: any other width or an unaligned access, and an offset no register decodes, reads 0
 * (the chip claims its whole BAR; there is no floating bus behind it *(I)*) and drops the write, traced as
 * `reg-unmapped` (or `reg-ignored` for a write to a read-only register). While the function is in D3hot the
 * BAR does not decode: reads return all ones.
 */
import { RegisterTable } from '../../emulator/machine/bus/register-table';
import type { AccessSize, PciConfigAccess, RegisterHandler } from '../../emulator/machine/bus/types';
import type { Sram } from './sram';
import { CFG, GRCMBOX_BASE } from './regs';
import type { RegFile } from './reg-file';

export const BAR0_SIZE = 0x10000;

export interface Bar0Hooks {
  readonly table: RegisterTable;
  readonly f: RegFile;
  readonly sram: Sram;
  /** The function's config space (null before the host attached it: the mirror then answers only 0x64–0xff). */
  readonly cfg: () => PciConfigAccess | null;
  /** Device-specific config registers answered directly when no config space is attached. */
  readonly cfgFallback: (off: number, size: AccessSize) => number | undefined;
  readonly cfgFallbackWrite: (off: number, size: AccessSize, v: number) => boolean;
  readonly d3: () => boolean;
  readonly verbose: () => boolean;
  trace(probe: string, f: Record<string, number | string | boolean>): void;
}

export class Bar0 implements RegisterHandler {
  constructor(private readonly h: Bar0Hooks) {}

  read(off: number, size: AccessSize): number {
    if (this.h.d3()) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    if (off < 0x100) {
      const cfg = this.h.cfg();
      if (cfg) return cfg.read(off, size);
      return this.h.cfgFallback(off, size) ?? 0;
    }
    if (off >= 0x8000) return this.h.sram.hostRead(this.windowBase() + (off & 0x7fff), size);
    if (off < 0x200) return 0;
    return this.regRead(off, size);
  }

  write(off: number, size: AccessSize, v: number): void {
    if (this.h.d3()) return;
    if (off < 0x100) {
      const cfg = this.h.cfg();
      if (cfg) cfg.write(off, size, v);
      else this.h.cfgFallbackWrite(off, size, v);
      return;
    }
    if (off >= 0x8000) {
      this.h.sram.hostWrite(this.windowBase() + (off & 0x7fff), size, v);
      return;
    }
    if (off < 0x200) {
      this.h.trace('reg-unmapped', { off, size, dir: 'write', value: v });
      return;
    }
    this.regWrite(off, size, v);
  }

  /** A register access at BAR0 0x200–0x7fff (MMIO, or REG_BASE_ADDR/REG_DATA). */
  regRead(off: number, size: AccessSize = 4): number {
    const o = off >= GRCMBOX_BASE + 0x200 && off < GRCMBOX_BASE + 0x400 ? off - GRCMBOX_BASE : off;
    const reg = this.h.table.reader(o);
    if (!reg || reg.width !== size) {
      this.h.trace('reg-unmapped', { off, size, dir: 'read' });
      return 0;
    }
    const v = this.h.table.read(o, size);
    if (this.h.verbose()) this.h.trace('reg-read', { off, reg: reg.name, value: v });
    return v;
  }

  regWrite(off: number, size: AccessSize, v: number): void {
    const o = off >= GRCMBOX_BASE + 0x200 && off < GRCMBOX_BASE + 0x400 ? off - GRCMBOX_BASE : off;
    const reg = this.h.table.writer(o);
    if (!reg || reg.width !== size) {
      const ro = this.h.table.reader(o);
      this.h.trace(ro && ro.width === size ? 'reg-ignored' : 'reg-unmapped', { off, size, dir: 'write', value: v >>> 0, ...(ro ? { reg: ro.name } : {}) });
      return;
    }
    if (this.h.verbose()) this.h.trace('reg-write', { off, reg: reg.name, value: v >>> 0 });
    this.h.table.write(o, size, v);
  }

  private windowBase(): number {
    return this.h.f.get(CFG.MEM_WIN_BASE_ADDR) & 0x18000;
  }
}
