import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { TraceFields } from '../../emulator/machine/sim/trace';
import type { BufferMemory } from './buffer-memory';
import type { TallyCounters } from './counters';

/**
 * The DP8390's programmer-visible registers as plain fields, shared by the parts of the core (receive path,
 * transmit path, register pages). Values are kept masked to their widths.
 */
export class ChipRegs {
  /** CR bits other than TXP (which the transmitter owns) and RD (kept as written). */
  cr = 0x21;
  isr = 0x80;
  imr = 0;
  dcr = 0x04;
  tcr = 0;
  rcr = 0;
  pstart = 0;
  pstop = 0;
  curr = 0;
  tpsr = 0;
  tbcr = 0;
  rsr = 0;
  tsr = 0;
  ncr = 0;
  readonly par = new Uint8Array(6);
  readonly mar = new Uint8Array(8);
  /** Current local DMA address (CLDA0/1; page-2 writable). */
  clda = 0;
  /** Page-2 diagnostic registers: remote next packet pointer, local next packet pointer, address counter. */
  rnpp = 0;
  lnpp = 0;
  ac = 0;
  /** The last 8 bytes that went through the FIFO (page 0 register 06 reads them in turn). */
  readonly fifo = new Uint8Array(8);
  fifoIdx = 0;

  private _bnry = 0;
  /**
   * Runs when BNRY changes value (a host write, or a Send Packet advancing it): packets were removed from the
   * ring, which ends a receive overflow (datasheet ISR bit 7, RST). Set by the core.
   */
  onBoundaryMoved: (() => void) | null = null;

  /** Boundary pointer: the last ring page the host still owns. */
  get bnry(): number {
    return this._bnry;
  }
  set bnry(v: number) {
    const old = this._bnry;
    this._bnry = v & 0xff;
    if (this._bnry !== old) this.onBoundaryMoved?.();
  }

  get stopped(): boolean {
    return (this.cr & 0x01) !== 0;
  }
  get wordMode(): boolean {
    return (this.dcr & 0x01) !== 0;
  }

  /** Remember the last up-to-8 bytes of a frame as the FIFO's contents. */
  setFifo(bytes: Uint8Array): void {
    this.fifo.fill(0);
    const n = Math.min(8, bytes.length);
    this.fifo.set(bytes.subarray(bytes.length - n), 0);
    this.fifoIdx = 0;
  }
}

/** What the receive and transmit paths use of the chip. */
export interface ChipServices {
  readonly ctx: ComponentContext;
  readonly regs: ChipRegs;
  readonly mem: BufferMemory;
  readonly counters: TallyCounters;
  /** OR bits into ISR and re-evaluate the interrupt line. */
  raise(bits: number): void;
  /** Trace on layer "nic" (always on). */
  trace(probe: string, pkt: number, fields?: TraceFields): void;
}
