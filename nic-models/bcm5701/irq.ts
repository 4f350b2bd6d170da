/**
 * The BCM5701's interrupt output (design §1.14): an interrupt latch set by host-coalescing interrupt requests
 * and GRC_LOCAL_CTRL.SETINT, cleared by any write to mailbox 0x204, by GRC_LOCAL_CTRL.CLEARINT and by
 * MISC_HOST_CTRL.CLEAR_INT; INTA# = latch && !MISC_HOST_CTRL.MASK_PCI_INT, a level.
 *
 * Mailbox 0x204 semantics follow tg3's own description in `tg3_interrupt`: writing any value clears INTA#
 * and the chip's pending interrupt; a non-zero value in the low 24 bits engages "in-interrupt" coalescing
 * (no interrupt requests until it is written with 0 in those bits). In tagged-status mode the top byte is the
 * last status tag the host has processed (`tg3_int_reenable`: "The last_tag we write above tells the chip
 * which piece of work we've completed"): when it differs from the tag of the latest status update, the
 * interrupt re-asserts at once. In non-tagged mode nothing re-asserts (tg3 forces HOSTCC NOW itself when work
 * remains; bge relies on the next coalescing event).
 */
import type { IrqLine } from '../../emulator/machine/bus/types';

export interface IrqHooks {
  /** MISC_HOST_CTRL.MASK_PCI_INT and .TAGGED_STATUS as written. */
  readonly maskPciInt: () => boolean;
  readonly tagged: () => boolean;
  /** The tag of the latest status update (host-coal.ts). */
  readonly statusTag: () => number;
  /** Mailbox 0 went from masked to unmasked or back: coalescing switches thresholds. */
  readonly maskChanged: (masked: boolean) => void;
  /** HC statistics: an interrupt was raised / avoided because mailbox 0 masked it. */
  readonly counted: (raised: boolean) => void;
  readonly trace: (probe: string, f: Record<string, number | string | boolean>) => void;
}

export interface IrqState {
  latch: boolean;
  mbox0: number;
  level: boolean;
}

export class Bcm5701Irq {
  /** The interrupt latch (GRC_LOCAL_CTRL.INT_ACTIVE). */
  latch = false;
  /** Last value written to mailbox 0x204. */
  mbox0 = 0;
  private level = false;
  private line: IrqLine | null = null;

  constructor(private readonly h: IrqHooks) {}

  attach(line: IrqLine): void {
    this.line = line;
    line.set(this.level);
  }

  /** Mailbox 0 holds a non-zero low 24 bits: the host is in its handler ("in-intr" coalescing). */
  get masked(): boolean {
    return (this.mbox0 & 0x00ffffff) !== 0;
  }

  /** INTA# as driven now. */
  get asserted(): boolean {
    return this.level;
  }

  /** Host coalescing asks for an interrupt after a status update. */
  request(): void {
    if (this.masked) {
      this.h.counted(false);
      return;
    }
    this.h.counted(true);
    this.latch = true;
    this.updateIrq();
  }

  /** A write to mailbox 0x204 (or its aliases). */
  mailboxWrite(v: number): void {
    const wasMasked = this.masked;
    this.latch = false;
    this.mbox0 = v >>> 0;
    if (!this.masked && this.h.tagged() && v >>> 24 !== (this.h.statusTag() & 0xff)) this.latch = true;
    this.updateIrq();
    if (wasMasked !== this.masked) this.h.maskChanged(this.masked);
  }

  setInt(): void {
    this.latch = true;
    this.updateIrq();
  }

  clearInt(): void {
    this.latch = false;
    this.updateIrq();
  }

  /** Core reset or RST#: latch and mailbox 0 clear. */
  reset(): void {
    this.latch = false;
    this.mbox0 = 0;
    this.updateIrq();
  }

  /** The one place INTA# is driven. */
  updateIrq(): void {
    const level = this.latch && !this.h.maskPciInt();
    if (level === this.level) return;
    this.level = level;
    this.h.trace('irq', { level });
    this.line?.set(level);
  }

  saveState(): IrqState {
    return { latch: this.latch, mbox0: this.mbox0, level: this.level };
  }

  loadState(s: IrqState): void {
    this.latch = s.latch;
    this.mbox0 = s.mbox0 >>> 0;
    this.level = s.level;
    this.line?.set(s.level);
  }
}
