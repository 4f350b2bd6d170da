/**
 * Register access for devnp-bge, after if_bge.c's macros: CSR_READ_4/CSR_WRITE_4 on BAR0 (MMIO on the calling
 * thread's timeline), BGE_SETBIT/BGE_CLRBIT, the `_FLUSH` variants (write, then read back to push the posted
 * write out), bge_writembx (a plain mailbox write) and bge_writembx_flush, the PCI configuration paths
 * (bge_readmem_ind / bge_writemem_ind through MEMWIN_BASEADDR/MEMWIN_DATA, bge_writereg_ind through
 * REG_BASEADDR/REG_DATA) and the BAR0 memory window onto NIC SRAM. DELAY() spins for short waits and sleeps
 * for long ones (costs.ts).
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { pci_read_config, pci_write_config, type PciDevice } from '../../lib/pci';
import { DELAY_SLEEP_MIN_US } from './costs';
import {
  BGE_MEMWIN_START, BGE_PCI_MEMWIN_BASEADDR, BGE_PCI_MEMWIN_DATA, BGE_PCI_REG_BASEADDR, BGE_PCI_REG_DATA,
} from './regs';

/** DELAY(us): nanospin for short waits, delay() (sleep) for long ones. */
export function* DELAY(ctx: ThreadCtx, us: number): Co<void> {
  if (us < DELAY_SLEEP_MIN_US) yield* ctx.work(us * 1000);
  else yield* ctx.sleep(us * 1000);
}

export class BgeCsr {
  constructor(readonly dev: PciDevice, readonly base: number) {}

  *read(ctx: ThreadCtx, off: number): Co<number> {
    return (yield* ctx.mmioRead(this.base + off, 4)) >>> 0;
  }

  write(ctx: ThreadCtx, off: number, value: number): void {
    ctx.mmioWrite(this.base + off, 4, value >>> 0);
  }

  /** CSR_WRITE_4_FLUSH: the write, then a read of the same register. */
  *writeFlush(ctx: ThreadCtx, off: number, value: number): Co<void> {
    this.write(ctx, off, value);
    yield* this.read(ctx, off);
  }

  *setBit(ctx: ThreadCtx, off: number, bits: number): Co<void> {
    this.write(ctx, off, (yield* this.read(ctx, off)) | bits);
  }

  *clrBit(ctx: ThreadCtx, off: number, bits: number): Co<void> {
    this.write(ctx, off, (yield* this.read(ctx, off)) & ~bits);
  }

  *setBitFlush(ctx: ThreadCtx, off: number, bits: number): Co<void> {
    yield* this.writeFlush(ctx, off, (yield* this.read(ctx, off)) | bits);
  }

  *clrBitFlush(ctx: ThreadCtx, off: number, bits: number): Co<void> {
    yield* this.writeFlush(ctx, off, (yield* this.read(ctx, off)) & ~bits);
  }

  /** bge_writembx: mailboxes are plain posted writes on the 5701. */
  writembx(ctx: ThreadCtx, off: number, value: number): void {
    this.write(ctx, off, value);
  }

  /** bge_writembx_flush: the mailbox write and a read-back. */
  *writembxFlush(ctx: ThreadCtx, off: number, value: number): Co<void> {
    yield* this.writeFlush(ctx, off, value);
  }

  // ---- configuration space ------------------------------------------------------------------------------

  *cfgRead(ctx: ThreadCtx, off: number, size: 1 | 2 | 4 = 4): Co<number> {
    return yield* pci_read_config(ctx, this.dev.bus, this.dev.dev, this.dev.fn, off, size);
  }

  cfgWrite(ctx: ThreadCtx, off: number, value: number, size: 1 | 2 | 4 = 4): void {
    pci_write_config(ctx, this.dev.bus, this.dev.dev, this.dev.fn, off, size, value);
  }

  /** bge_readmem_ind: NIC SRAM through the configuration-space window. */
  *readmemInd(ctx: ThreadCtx, off: number): Co<number> {
    this.cfgWrite(ctx, BGE_PCI_MEMWIN_BASEADDR, off);
    const v = yield* this.cfgRead(ctx, BGE_PCI_MEMWIN_DATA);
    this.cfgWrite(ctx, BGE_PCI_MEMWIN_BASEADDR, 0);
    return v >>> 0;
  }

  /** bge_writemem_ind. */
  writememInd(ctx: ThreadCtx, off: number, value: number): void {
    this.cfgWrite(ctx, BGE_PCI_MEMWIN_BASEADDR, off);
    this.cfgWrite(ctx, BGE_PCI_MEMWIN_DATA, value);
    this.cfgWrite(ctx, BGE_PCI_MEMWIN_BASEADDR, 0);
  }

  /** bge_writereg_ind: a register through REG_BASEADDR/REG_DATA (how bge issues the 5700-family core reset). */
  writeregInd(ctx: ThreadCtx, off: number, value: number): void {
    this.cfgWrite(ctx, BGE_PCI_REG_BASEADDR, off);
    this.cfgWrite(ctx, BGE_PCI_REG_DATA, value);
  }

  // ---- the BAR0 memory window (MEMWIN_BASEADDR left at 0 by bge_blockinit) ---------------------------

  /** NIC SRAM offset `off` (< 0x8000) through BAR0 0x8000 + off. */
  *memwinRead(ctx: ThreadCtx, off: number): Co<number> {
    return yield* this.read(ctx, BGE_MEMWIN_START + (off & 0x7fff));
  }

  memwinWrite(ctx: ThreadCtx, off: number, value: number): void {
    this.write(ctx, BGE_MEMWIN_START + (off & 0x7fff), value);
  }
}
