/**
 * The RT2560's two serial side interfaces: the baseband processor (BBP, 128 × 8-bit registers behind BBPCSR) and
 * the RF synthesizer (four write-only 20-bit registers behind RFCSR).
 *
 * BBPCSR (rt2500pci_bbp_read/_write, NetBSD rt2560_bbp_read/_write): a write with BUSY set starts a transaction
 * on REGNUM, WRITE_CONTROL choosing write (VALUE) or read; BUSY stays high for BBP_SERIAL_NS, after which a read
 * leaves the register's value in VALUE. A write while BUSY is dropped (the serial engine is shifting). R0 is the
 * read-only version; while the BBP is held in or just out of reset it answers 0x00, the value both drivers wait
 * to go away.
 *
 * RFCSR (rt2500pci_rf_write, NetBSD rt2560_rf_write): a write with BUSY shifts NUMBER_OF_BITS (20) bits of VALUE
 * to the RF chip (IF_SELECT = 0) in RF_SERIAL_NS; the word is `data18 << 2 | register`, registers R1 = 0,
 * R2 = 2, R3 = 1, R4 = 3. An R2 word retunes the synthesizer: the channel is the R2 value's index in the RF type's
 * table (NetBSD rt2560_rf25xx_r2; rt2500pci rf_vals_bg_25xx carry the same words). R3 bits 11:7 of the data
 * carry the TX power (rt2500pci RF3_TXPOWER, TXPOWER_TO_DEV: dBm, 0–31; NetBSD `power << 7`).
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { BBP_VERSION, BBPCSR_BITS as B, RF_TYPE, RFCSR_BITS as R } from './regs';
import { BBP_RESET_NS, BBP_SERIAL_NS, RF_SERIAL_NS } from './timing';

/** R2 data words of channels 1–14 by RF type (NetBSD rt2560.c tables; rt2500pci.c rf_vals_bg_* R2 >> 2). */
const R2_TABLES: ReadonlyMap<number, readonly number[]> = new Map([
  [RF_TYPE.RF2522, [0x307f6, 0x307fb, 0x30800, 0x30805, 0x3080a, 0x3080f, 0x30814, 0x30819, 0x3081e, 0x30823, 0x30828, 0x3082d, 0x30832, 0x3083e]],
  [RF_TYPE.RF2523, [0x00327, 0x00328, 0x00329, 0x0032a, 0x0032b, 0x0032c, 0x0032d, 0x0032e, 0x0032f, 0x00340, 0x00341, 0x00342, 0x00343, 0x00346]],
  [RF_TYPE.RF2524, [0x00327, 0x00328, 0x00329, 0x0032a, 0x0032b, 0x0032c, 0x0032d, 0x0032e, 0x0032f, 0x00340, 0x00341, 0x00342, 0x00343, 0x00346]],
  [RF_TYPE.RF2525, [0x20327, 0x20328, 0x20329, 0x2032a, 0x2032b, 0x2032c, 0x2032d, 0x2032e, 0x2032f, 0x20340, 0x20341, 0x20342, 0x20343, 0x20346]],
  [RF_TYPE.RF2525E, [0x2044d, 0x2044e, 0x2044f, 0x20460, 0x20461, 0x20462, 0x20463, 0x20464, 0x20465, 0x20466, 0x20467, 0x20468, 0x20469, 0x2046b]],
  [RF_TYPE.RF5222, [0x0044d, 0x0044e, 0x0044f, 0x00460, 0x00461, 0x00462, 0x00463, 0x00464, 0x00465, 0x00466, 0x00467, 0x00468, 0x00469, 0x0046b]],
]);

/** The channel an R2 data word selects for `rfType`, or null (a value outside the table: the PLL is off-channel). */
export function channelOfR2(rfType: number, data: number): number | null {
  const i = R2_TABLES.get(rfType)?.indexOf(data) ?? -1;
  return i >= 0 ? i + 1 : null;
}

/** The R2 word (with its register bits) rt2500pci writes for `channel` on an RF2525, for tests: `data << 2 | 2`. */
export function r2Word(channel: number, rfType: number = RF_TYPE.RF2525): number {
  return ((R2_TABLES.get(rfType)![channel - 1]! << 2) | 2) >>> 0;
}

export interface BbpRfHooks {
  /** The synthesizer settled on `channel` (null: off every channel). */
  tune(channel: number | null): void;
  txPower(dbm: number): void;
  trace(probe: string, f: Record<string, number | string | boolean>): void;
}

export interface BbpRfState {
  bbp: number[];
  bbpcsr: number;
  rfcsr: number;
  rf: number[];
  bbpReadyAt: number;
  bbpDone: number;
  rfDone: number;
  bbpHeld: boolean;
}

export class BbpRf {
  readonly bbp = new Uint8Array(128);
  /** BBPCSR and RFCSR as the host reads them. */
  bbpcsr = 0;
  rfcsr = 0;
  /** Last data word written to each RF register, by register bits (R1 = 0, R3 = 1, R2 = 2, R4 = 3). */
  readonly rf = [0, 0, 0, 0];
  /** R0 answers 0x00 until then (reset). */
  private bbpReadyAt = 0;
  /** CSR1.BBP_RESET held high. */
  private bbpHeld = false;
  private readonly bbpDoneEv: SimEvent;
  private readonly rfDoneEv: SimEvent;

  constructor(private readonly ctx: ComponentContext, readonly rfType: number, private readonly h: BbpRfHooks) {
    this.bbpDoneEv = new SimEvent(`${ctx.name}.bbp`, () => this.bbpDone(), Priority.Device);
    this.rfDoneEv = new SimEvent(`${ctx.name}.rf`, () => this.rfDone(), Priority.Device);
    this.resetBbp();
  }

  /** BBP registers to their power-on values (zero but the version), not ready for BBP_RESET_NS. */
  resetBbp(): void {
    this.bbp.fill(0);
    this.bbp[0] = BBP_VERSION;
    this.bbpReadyAt = this.ctx.queue.now + BBP_RESET_NS;
  }

  /** CSR1.BBP_RESET: held high keeps the BBP in reset; the falling edge starts its ready time. */
  holdBbp(held: boolean): void {
    if (held) this.resetBbp();
    else if (this.bbpHeld) this.bbpReadyAt = this.ctx.queue.now + BBP_RESET_NS;
    this.bbpHeld = held;
  }

  private get bbpReady(): boolean {
    return !this.bbpHeld && this.ctx.queue.now >= this.bbpReadyAt;
  }

  writeBbpcsr(v: number): void {
    if (this.bbpDoneEv.scheduled) {
      this.h.trace('bbp-busy', { value: v >>> 0 });
      return;
    }
    this.bbpcsr = v >>> 0;
    if (!(v & B.BUSY)) return;
    this.ctx.queue.schedule(this.bbpDoneEv, this.ctx.queue.now + BBP_SERIAL_NS);
  }

  private bbpDone(): void {
    const v = this.bbpcsr;
    const reg = (v & B.REGNUM) >>> 8;
    let value = v & B.VALUE;
    if (v & B.WRITE_CONTROL) {
      if (!this.bbpReady) this.h.trace('bbp-not-ready', { reg, dir: 'write' });
      else if (reg !== 0) this.bbp[reg] = value;
    } else {
      value = this.bbpReady ? this.bbp[reg]! : 0;
    }
    this.bbpcsr = ((v & ~(B.BUSY | B.VALUE)) | value) >>> 0;
  }

  writeRfcsr(v: number): void {
    if (this.rfDoneEv.scheduled) {
      this.h.trace('rf-busy', { value: v >>> 0 });
      return;
    }
    this.rfcsr = v >>> 0;
    if (!(v & R.BUSY)) return;
    this.ctx.queue.schedule(this.rfDoneEv, this.ctx.queue.now + RF_SERIAL_NS);
  }

  private rfDone(): void {
    const v = this.rfcsr;
    // PLL_LD: the synthesizer reports lock once the word is in *(I: locking time not modelled)*.
    this.rfcsr = ((v & ~R.BUSY) | R.PLL_LD) >>> 0;
    if (v & R.IF_SELECT) return; // the IF chip: nothing on the RT2525's path depends on it
    const nbits = (v & R.NUMBER_OF_BITS) >>> 24;
    if (nbits !== 20) {
      this.h.trace('rf-bad-length', { bits: nbits, value: v & R.VALUE });
      return;
    }
    const addr = v & 3;
    const data = (v >>> 2) & 0x3ffff;
    this.rf[addr] = data;
    if (addr === 2) this.h.tune(channelOfR2(this.rfType, data));
    if (addr === 1) this.h.txPower((data >>> 7) & 0x1f);
  }

  saveState(): BbpRfState {
    return {
      bbp: Array.from(this.bbp), bbpcsr: this.bbpcsr, rfcsr: this.rfcsr, rf: [...this.rf], bbpReadyAt: this.bbpReadyAt,
      bbpDone: this.bbpDoneEv.scheduled ? this.bbpDoneEv.when : -1, rfDone: this.rfDoneEv.scheduled ? this.rfDoneEv.when : -1,
      bbpHeld: this.bbpHeld,
    };
  }

  loadState(s: BbpRfState): void {
    this.bbp.set(s.bbp);
    this.bbpcsr = s.bbpcsr;
    this.rfcsr = s.rfcsr;
    s.rf.forEach((x, i) => (this.rf[i] = x));
    this.bbpReadyAt = s.bbpReadyAt;
    this.bbpHeld = s.bbpHeld;
    const q = this.ctx.queue;
    q.deschedule(this.bbpDoneEv);
    q.deschedule(this.rfDoneEv);
    if (s.bbpDone >= 0) q.schedule(this.bbpDoneEv, s.bbpDone);
    if (s.rfDone >= 0) q.schedule(this.rfDoneEv, s.rfDone);
  }
}
