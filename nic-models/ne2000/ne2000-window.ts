import type { AccessSize, RegisterHandler } from '../../emulator/machine/bus/types';
import type { Dp8390Core } from './dp8390-core';

/** Size of the NE2000 I/O window: 16 DP8390 registers, the data port and the reset port. */
export const NE2000_WINDOW_SIZE = 0x20;
export const NE_DATAPORT = 0x10;
export const NE_RESET = 0x1f;

/**
 * The NE2000 board's I/O window (the ASIC around the DP8390), shared by the ISA card and the RTL8029:
 * - 0x00–0x0F: the DP8390's registers, byte wide. A wider access is split into byte accesses at consecutive
 *   offsets (what the ISA bus does for a device that does not claim 16-bit I/O there).
 * - 0x10–0x17: the data port (remote DMA), any access size; 0x10 is the documented address, the ASIC decodes
 *   only A4/A3 so 0x11–0x17 alias it [facts: inferred].
 * - 0x18–0x1F: the reset port. A read asserts RESET (returns 0xFF: nothing drives the bus); a write ends the
 *   pulse and has no further effect (Linux: outb(inb(base + 0x1f), base + 0x1f)).
 */
export class Ne2000Window implements RegisterHandler {
  constructor(private readonly core: Dp8390Core) {}

  read(offset: number, size: AccessSize): number {
    const off = offset & 0x1f;
    if (off >= 0x10 && off < 0x18) {
      const v = this.core.dataRead(size);
      if (this.core.ctx.tracer.verbose) this.core.trace('data-read', 0, { reg: 'DATA', size, value: v });
      return v;
    }
    if (size === 1) return this.readByte(off);
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readByte((off + i) & 0x1f) << (8 * i);
    return v >>> 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    const off = offset & 0x1f;
    if (off >= 0x10 && off < 0x18) {
      if (this.core.ctx.tracer.verbose) this.core.trace('data-write', 0, { reg: 'DATA', size, value });
      return this.core.dataWrite(size, value);
    }
    if (size === 1) return this.writeByte(off, value & 0xff);
    for (let i = 0; i < size; i++) this.writeByte((off + i) & 0x1f, (value >>> (8 * i)) & 0xff);
  }

  /**
   * An access a guest CPU may make without letting the simulation catch up first (RegisterHandler.detached): a
   * data-port transfer (Dp8390Core.dataDetached) or a byte access to a DP8390 register (Dp8390Core.regDetached);
   * never the reset port, and never while register accesses are traced (their records must come in time order).
   */
  detached(offset: number, size: AccessSize, write: boolean, value: number): boolean {
    const off = offset & 0x1f;
    if (this.core.ctx.tracer.verbose) return false;
    if (off < 0x10) return size === 1 && this.core.regDetached(off, write, value);
    return off < 0x18 && this.core.dataDetached(write, size);
  }

  /**
   * REP OUTS/INS to the data port served as one batch (RegisterHandler.writeQuiet/readQuiet): the remote-DMA
   * transfers that neither finish the DMA nor find it idle. Never while data-port accesses are traced.
   */
  writeQuiet(offset: number, size: AccessSize, src: Uint8Array, start: number, count: number): number {
    const off = offset & 0x1f;
    if (off < 0x10 || off >= 0x18 || this.core.ctx.tracer.verbose) return 0;
    return this.core.dataWriteQuiet(size, src, start, count);
  }

  readQuiet(offset: number, size: AccessSize, dst: Uint8Array, start: number, count: number): number {
    const off = offset & 0x1f;
    if (off < 0x10 || off >= 0x18 || this.core.ctx.tracer.verbose) return 0;
    return this.core.dataReadQuiet(size, dst, start, count);
  }

  private readByte(off: number): number {
    if (off < 0x10) return this.core.readReg(off);
    if (off < 0x18) return this.core.dataRead(1);
    if (this.core.ctx.tracer.verbose) this.core.trace('reg-read', 0, { off, reg: 'RESET', value: 0xff });
    this.core.hardwareReset();
    return 0xff;
  }

  private writeByte(off: number, v: number): void {
    if (off < 0x10) return this.core.writeReg(off, v);
    if (off < 0x18) return this.core.dataWrite(1, v);
    if (this.core.ctx.tracer.verbose) this.core.trace('reg-write', 0, { off, reg: 'RESET', value: v });
  }
}
