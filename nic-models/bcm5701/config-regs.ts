/**
 * The BCM5701's device-specific configuration registers 0x64–0xff (tg3.h TG3PCI_*; design §1.3.3) and its
 * power-management control/status (PMCSR at 0x4c). They answer config cycles through the PciFunction hooks
 * and BAR0 0x00–0xff through the config mirror; the plain ones keep their value in the register file at their
 * config offset.
 *
 * Byte and word config accesses to these dword registers are served by read-modify-write of the dword *(I)*.
 * Indirect register access (REG_BASE_ADDR/REG_DATA) reaches BAR0 0x200–0x7fff with the same side effects as
 * MMIO; a base below 0x200 (the config mirror itself) or at/above 0x8000 accesses nothing and is traced
 * (`indirect-out-of-range`) — the mirror would otherwise recurse into REG_DATA.
 */
import type { RegisterDef } from '../../emulator/machine/bus/register-table';
import type { AccessSize } from '../../emulator/machine/bus/types';
import { computed, stored, type RegFile } from './reg-file';
import type { Sram } from './sram';
import {
  CFG, CHIP_REV_ID, CLOCK_CTRL_BITS, GRC, MISC_HOST_CTRL_BITS as MHC, PCISTATE_BITS as PS, PCISTATE_WRITABLE,
} from './regs';

export interface ConfigHooks {
  readonly sram: Sram;
  /** The interrupt latch and INTA# (irq.ts). */
  clearInt(): void;
  updateIrq(): void;
  readonly intAsserted: () => boolean;
  /** Core reset (PCISTATE.FORCE_RESET, D3hot → D0). */
  coreReset(): void;
  /** A 32-bit register access at BAR0 offset `off` (0x200–0x7fff), as MMIO would make it. */
  regRead(off: number): number;
  regWrite(off: number, v: number): void;
  /** The slot: 66 MHz clock, 64-bit data path. */
  readonly bus: { readonly mhz66: boolean; readonly wide64: boolean };
  trace(probe: string, f: Record<string, number | string | boolean>): void;
}

/** PMCSR (PCI PM 1.1 §3.2.4): PowerState b1:0 RW, PME_En b8 RW, PME_Status b15 RW1C. */
export const PM_CSR_OFFSET = 0x4c;

export class ConfigRegs {
  /** PowerState: 0 = D0, 3 = D3hot. In D3hot the BAR does not decode (PCI PM 1.1 §5.4). */
  pmcsr = 0;
  private swapWarned = false;
  readonly defs: RegisterDef[];

  constructor(private readonly f: RegFile, private readonly h: ConfigHooks) {
    this.defs = this.build();
  }

  get d3(): boolean {
    return (this.pmcsr & 3) === 3;
  }

  /** Config-cycle read hook: undefined lets the standard config space answer. */
  read(offset: number, size: AccessSize, table: { reader(off: number): RegisterDef | undefined; read(off: number, size: AccessSize): number }): number | undefined {
    if ((offset & ~3) === PM_CSR_OFFSET) return this.pmcsr >>> (8 * (offset & 3));
    if (offset < CFG.MSI_DATA) return undefined;
    const dw = offset & ~3;
    const v = table.reader(dw) ? table.read(dw, 4) : 0;
    return size === 4 && dw === offset ? v : (v >>> (8 * (offset & 3)));
  }

  /** Config-cycle write hook: true when handled here. */
  write(offset: number, size: AccessSize, value: number, table: { reader(off: number): RegisterDef | undefined; writer(off: number): RegisterDef | undefined; read(off: number, size: AccessSize): number; write(off: number, size: AccessSize, v: number): void }): boolean {
    const dw = offset & ~3;
    if (dw === PM_CSR_OFFSET) {
      this.writePmcsr(merge(this.pmcsr, offset, size, value));
      return true;
    }
    if (offset < CFG.MSI_DATA) return false;
    if (!table.writer(dw)) {
      this.h.trace('cfg-ignored', { off: offset, size, value });
      return true;
    }
    const old = size === 4 && dw === offset ? 0 : table.reader(dw) ? RegisterPeek.peek(table, dw) : 0;
    table.write(dw, 4, size === 4 && dw === offset ? value : merge(old, offset, size, value));
    return true;
  }

  private writePmcsr(v: number): void {
    const prev = this.pmcsr & 3;
    const state = v & 3;
    const status = this.pmcsr & 0x8000 & ~(v & 0x8000);
    this.pmcsr = (v & 0x0103) | status;
    if (state !== prev) this.h.trace('pm-state', { from: prev, to: state });
    // D3hot → D0 with NoSoftReset = 0: the function is reset (PCI PM 1.1 §5.4) *(I)*.
    if (prev === 3 && state === 0) this.h.coreReset();
  }

  private build(): RegisterDef[] {
    const f = this.f;
    const h = this.h;
    f.declare(CFG.MISC_HOST_CTRL, 0);
    f.declare(CFG.PCISTATE, 0, true);
    const alias = (off: number, name: string, target: number): RegisterDef => ({
      offset: off, name, width: 4, access: 'rw', read: () => h.regRead(target), write: (v) => h.regWrite(target, v),
    });
    const indirectOk = (base: number): boolean => {
      if (base >= 0x200 && base < 0x8000) return true;
      h.trace('indirect-out-of-range', { base });
      return false;
    };
    return [
      stored(f, CFG.MSI_DATA, 'MSI_DATA'),
      {
        offset: CFG.MISC_HOST_CTRL, name: 'MISC_HOST_CTRL', width: 4, access: 'rw', reset: CHIP_REV_ID << 16, bits: MHC,
        read: () => ((CHIP_REV_ID << 16) | (f.get(CFG.MISC_HOST_CTRL) & 0xfffe)) >>> 0,
        write: (v) => {
          f.set(CFG.MISC_HOST_CTRL, v & 0xfffe);
          // tg3 and bge both select a little-endian host with word swap (0x8): the only layout implemented (R7).
          if ((v & (MHC.BYTE_SWAP | MHC.WORD_SWAP | MHC.REGWORD_SWAP)) !== MHC.WORD_SWAP && !this.swapWarned) {
            this.swapWarned = true;
            h.trace('unsupported-swap', { reg: 'MISC_HOST_CTRL', value: v });
          }
          if (v & MHC.CLEAR_INT) h.clearInt();
          h.updateIrq();
        },
      },
      stored(f, CFG.DMA_RW_CTRL, 'DMA_RW_CTRL', { keep: true }),
      {
        offset: CFG.PCISTATE, name: 'PCISTATE', width: 4, access: 'rw', bits: PS,
        read: () =>
          (f.get(CFG.PCISTATE) & PCISTATE_WRITABLE) | (h.intAsserted() ? 0 : PS.INT_NOT_ACTIVE) | PS.CONV_PCI_MODE
          | (h.bus.mhz66 ? PS.BUS_SPEED_HIGH : 0) | (h.bus.wide64 ? 0 : PS.BUS_32BIT),
        write: (v) => {
          if (f.get(CFG.MISC_HOST_CTRL) & MHC.PCISTATE_RW) f.set(CFG.PCISTATE, v & PCISTATE_WRITABLE);
          if (v & PS.FORCE_RESET) h.coreReset();
        },
      },
      stored(f, CFG.CLOCK_CTRL, 'CLOCK_CTRL', { keep: true, bits: CLOCK_CTRL_BITS }),
      stored(f, CFG.REG_BASE_ADDR, 'REG_BASE_ADDR'),
      stored(f, CFG.MEM_WIN_BASE_ADDR, 'MEM_WIN_BASE_ADDR'),
      {
        offset: CFG.REG_DATA, name: 'REG_DATA', width: 4, access: 'rw',
        read: () => {
          const base = f.get(CFG.REG_BASE_ADDR) & ~3;
          return indirectOk(base) ? h.regRead(base) : 0;
        },
        write: (v) => {
          const base = f.get(CFG.REG_BASE_ADDR) & ~3;
          if (indirectOk(base)) h.regWrite(base, v);
        },
      },
      {
        offset: CFG.MEM_WIN_DATA, name: 'MEM_WIN_DATA', width: 4, access: 'rw',
        read: () => h.sram.hostRead(f.get(CFG.MEM_WIN_BASE_ADDR) & ~3, 4),
        write: (v) => h.sram.hostWrite(f.get(CFG.MEM_WIN_BASE_ADDR) & ~3, 4, v),
      },
      alias(CFG.MODE_CTRL, 'PCI_MODE_CTRL', GRC.MODE),
      alias(CFG.MISC_CFG, 'PCI_MISC_CFG', GRC.MISC_CFG),
      alias(CFG.MISC_LOCAL_CTRL, 'MISC_LOCAL_CTRL', GRC.LOCAL_CTRL),
      alias(CFG.STD_RING_PROD_IDX, 'STD_RING_PROD_IDX_HIGH', 0x268),
      alias(CFG.STD_RING_PROD_IDX + 4, 'STD_RING_PROD_IDX', 0x26c),
      alias(CFG.RCV_RET_RING_CON_IDX, 'RCV_RET_RING_CON_IDX_HIGH', 0x280),
      alias(CFG.RCV_RET_RING_CON_IDX + 4, 'RCV_RET_RING_CON_IDX', 0x284),
      alias(CFG.SND_PROD_IDX, 'SND_PROD_IDX_HIGH', 0x300),
      alias(CFG.SND_PROD_IDX + 4, 'SND_PROD_IDX', 0x304),
      alias(CFG.INT_MBOX, 'INT_MBOX_HIGH', 0x200),
      alias(CFG.INT_MBOX + 4, 'INT_MBOX', 0x204),
      computed(CFG.DUAL_MAC_CTRL, 'DUAL_MAC_CTRL', () => 0),
      computed(CFG.PRODID_ASICREV, 'PRODID_ASICREV', () => 0),
    ];
  }
}

/** A dword's value without side effects (the table's peek), for byte/word read-modify-write. */
const RegisterPeek = {
  peek(table: { reader(off: number): RegisterDef | undefined; read(off: number, size: AccessSize): number }, off: number): number {
    const r = table.reader(off);
    if (!r) return 0;
    return r.peek ? r.peek() : r.read ? r.read() : 0;
  },
};

/** Merge a `size`-byte write at `offset` into dword `old` (whose base is offset & ~3). */
function merge(old: number, offset: number, size: AccessSize, value: number): number {
  const shift = 8 * (offset & 3);
  const mask = (size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff) * 2 ** shift;
  const m = (mask >>> 0) & 0xffffffff;
  return ((old & ~m) | ((value * 2 ** shift) & m)) >>> 0;
}
