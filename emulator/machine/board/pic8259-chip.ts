import type { ComponentContext } from '../sim/context';
import { ICW1, ICW4, OCW3 } from '../bus/pc-platform';

/**
 * One Intel 8259A Programmable Interrupt Controller (Intel 8259A/8259A-2 datasheet, order no. 231468).
 * This is the chip core only: registers, priority resolver and the INTA response for its eight inputs. The
 * master/slave wiring of a PC/AT, the ELCR and tracing of interrupts live in `Pic8259Pair` (pic8259.ts).
 *
 * Input model (datasheet, "Edge and Level Triggered Modes"): the IRR bit of an input is set by a rising edge
 * (edge mode) or by a high level (level mode). In both modes the request is ANDed with the input level, so an
 * input that falls before INTA withdraws its request and the INTA returns the default IR7 (spurious).
 * Exception: inputs in `latchMask` (the master's IR2, wired to the slave's INT) keep an edge request latched
 * when they fall; that is how the spurious IRQ15 of a PC/AT arises with an atomic INTA (see Pic8259Pair).
 */

/** ICW1, ICW4 and OCW3 bits: emulator/machine/bus/pc-platform.ts (shared with firmware and the kernel). */
export { ICW1, ICW4, OCW3 };

/** Where the chip is in the ICW sequence: 0 = initialized (A0=1 writes are OCW1), else the next ICW expected. */
type InitStep = 0 | 2 | 3 | 4;

/** Saved state of one chip. All registers are bytes; `lowest` is the level with the lowest priority (0–7). */
export interface PicChipState {
  icw1: number;
  icw2: number;
  icw3: number;
  icw4: number;
  initStep: number;
  imr: number;
  irr: number;
  isr: number;
  /** Current levels of the eight IR inputs. */
  lines: number;
  lowest: number;
  readIsr: boolean;
  poll: boolean;
  specialMask: boolean;
  rotateOnAeoi: boolean;
  /** Level-triggered inputs selected by the board's ELCR (0 on a chip without one). */
  elcr: number;
}

/** OCW2 commands by R/SL/EOI (bits 7–5), datasheet Figure "OCW2". */
const OCW2_NAMES: readonly string[] = [
  'rotate-in-aeoi-clear', // 000
  'non-specific-eoi', // 001
  'nop', // 010
  'specific-eoi', // 011
  'rotate-in-aeoi-set', // 100
  'rotate-on-non-specific-eoi', // 101
  'set-priority', // 110
  'rotate-on-specific-eoi', // 111
];

export class Pic8259 {
  private icw1 = 0;
  private icw2 = 0;
  private icw3 = 0;
  private icw4 = 0;
  private initStep: InitStep = 0;
  /**
   * Power-on state is undefined in the datasheet; we start with every input masked so that nothing reaches
   * the CPU before software runs the ICW sequence (ICW1 then clears the IMR, as the datasheet says).
   */
  private imr = 0xff;
  private irr = 0;
  private isr = 0;
  private lines = 0;
  private lowest = 7;
  private readIsr = false;
  private poll = false;
  private specialMask = false;
  private rotateOnAeoi = false;
  private elcr = 0;

  /**
   * @param label "master" or "slave", for traces and describe()
   * @param irqOffset system IRQ number of input 0 (0 for the master, 8 for the slave), for traces
   * @param latchMask inputs driven by a cascaded slave's INT output (edge request stays latched on fall)
   */
  constructor(
    private readonly ctx: ComponentContext,
    readonly label: string,
    private readonly irqOffset: number,
    private readonly latchMask: number,
  ) {}

  /** Interrupt vector of input 0 in 8086 mode (ICW2 bits T7–T3). */
  get vectorBase(): number {
    return this.icw2 & 0xf8;
  }
  /** Slave identification (ICW3 ID2–ID0): the cascade address this chip answers as a slave. */
  get slaveId(): number {
    return this.icw3 & 0x07;
  }
  /** True if the master has a slave on input `level` (cascade mode and the ICW3 bit set). */
  hasSlaveOn(level: number): boolean {
    return (this.icw1 & ICW1.SNGL) === 0 && (this.icw3 & (1 << level)) !== 0;
  }
  /** Current level of input `level`. */
  inputHigh(level: number): boolean {
    return (this.lines & (1 << level)) !== 0;
  }
  get elcrValue(): number {
    return this.elcr;
  }

  /** Inputs currently level triggered: all of them with ICW1.LTIM, else the ELCR's selection. */
  private levelMask(): number {
    return this.icw1 & ICW1.LTIM ? 0xff : this.elcr;
  }

  setElcr(value: number): void {
    this.elcr = value & 0xff;
    const lv = this.levelMask();
    this.irr = (this.irr & ~lv) | (this.lines & lv);
  }

  /** Drive input `level` (0–7) of the chip. */
  setInput(level: number, high: boolean): void {
    const bit = 1 << level;
    if (((this.lines & bit) !== 0) === high) return;
    if (high) {
      this.lines |= bit;
      this.irr |= bit;
    } else {
      this.lines &= ~bit;
      if (this.levelMask() & bit || !(this.latchMask & bit)) this.irr &= ~bit;
    }
  }

  /** Priority rank of a level: 0 is the highest (the level after `lowest`), 7 the lowest. */
  private rank(level: number): number {
    return (level - this.lowest - 1) & 7;
  }

  /** Highest-priority level set in `bits`, or -1. */
  private highest(bits: number): number {
    for (let k = 0; k < 8; k++) {
      const level = (this.lowest + 1 + k) & 7;
      if (bits & (1 << level)) return level;
    }
    return -1;
  }

  /**
   * The priority resolver: the request that may interrupt now, or -1. Fully nested mode: an unmasked request
   * must outrank every level in service. Special mask mode (datasheet, "Special Mask Mode"): every unmasked
   * level not itself in service may interrupt, lower as well as higher.
   */
  resolve(): number {
    const req = this.irr & ~this.imr & 0xff;
    if (req === 0) return -1;
    if (this.specialMask) return this.highest(req & ~this.isr);
    const r = this.highest(req);
    const s = this.highest(this.isr);
    if (s >= 0 && this.rank(r) >= this.rank(s)) return -1;
    return r;
  }

  /** INT output. */
  intOutput(): boolean {
    return this.resolve() >= 0;
  }

  /**
   * The INTA response: sets the ISR bit of the resolved request (or, in AEOI mode, performs the EOI at the
   * end of the sequence) and clears its edge request. Returns the level, or -1 when no request is left
   * (the caller then supplies the default IR7 vector without an ISR bit: a spurious interrupt).
   */
  acknowledge(): number {
    const level = this.resolve();
    if (level < 0) return -1;
    const bit = 1 << level;
    this.irr = (this.irr & ~bit) | (this.lines & this.levelMask() & bit);
    if (this.icw4 & ICW4.AEOI) {
      if (this.rotateOnAeoi) this.lowest = level;
    } else {
      this.isr |= bit;
    }
    return level;
  }

  /** Port read. A0=0: IRR or ISR (OCW3 RR/RIS); A0=1: IMR. A pending poll command answers either port. */
  read(a0: number): number {
    if (this.poll) return this.pollRead();
    const value = a0 === 0 ? (this.readIsr ? this.isr : this.irr) : this.imr;
    this.traceReg('read', a0 === 0 ? (this.readIsr ? 'ISR' : 'IRR') : 'IMR', value);
    return value;
  }

  /** Poll command (datasheet, "The Poll Command"): the read acknowledges; word = I (bit 7) | W2–W0. */
  private pollRead(): number {
    this.poll = false;
    const level = this.acknowledge();
    this.ctx.tracer.emit(this.ctx.node, 'irq', 'poll', 0, { chip: this.label, irq: level < 0 ? -1 : this.irqOffset + level });
    return level < 0 ? 0x00 : 0x80 | level;
  }

  write(a0: number, value: number): void {
    value &= 0xff;
    if (a0 === 0) {
      if (value & ICW1.INIT) this.writeIcw1(value);
      else if (value & 0x08) this.writeOcw3(value);
      else this.writeOcw2(value);
      return;
    }
    switch (this.initStep) {
      case 2:
        this.icw2 = value;
        this.traceReg('write', 'ICW2', value);
        this.initStep = this.icw1 & ICW1.SNGL ? (this.icw1 & ICW1.IC4 ? 4 : 0) : 3;
        break;
      case 3:
        this.icw3 = value;
        this.traceReg('write', 'ICW3', value);
        this.initStep = this.icw1 & ICW1.IC4 ? 4 : 0;
        break;
      case 4:
        this.icw4 = value & 0x1f;
        this.traceReg('write', 'ICW4', value);
        this.initStep = 0;
        break;
      default:
        this.imr = value;
        this.traceReg('write', 'OCW1', value);
        return;
    }
    if (this.initStep === 0 && !(this.icw4 & ICW4.UPM)) {
      // MCS-80/85 mode: the chip would answer INTA with a CALL instruction. An x86 CPU cannot use that; we
      // keep answering with 8086-style vectors and say so.
      this.ctx.tracer.emit(this.ctx.node, 'irq', 'mcs80-mode', 0, { chip: this.label, icw4: this.icw4 });
    }
  }

  /** ICW1 starts the initialization sequence (datasheet, "Initialization Command Words", a–f). */
  private writeIcw1(value: number): void {
    this.traceReg('write', 'ICW1', value);
    this.icw1 = value;
    this.initStep = 2;
    this.imr = 0; // b. the IMR is cleared
    this.lowest = 7; // c. IR7 gets the lowest priority
    this.icw3 = 0x07; // d. slave mode address set to 7
    this.specialMask = false; // e. special mask mode cleared, status read set to IRR
    this.readIsr = false;
    if (!(value & ICW1.IC4)) this.icw4 = 0; // f. ICW4 functions zeroed when IC4 = 0
    // a. the edge sense circuit is reset: edge inputs need a new rising edge. The datasheet does not list
    // the ISR; we clear it too, as PC BIOSes and OSes reinitializing the chip expect a clean state.
    this.irr = this.lines & this.levelMask();
    this.isr = 0;
    this.poll = false;
    this.rotateOnAeoi = false;
  }

  private writeOcw2(value: number): void {
    const cmd = value >> 5;
    const level = value & 7;
    this.traceReg('write', 'OCW2', value, OCW2_NAMES[cmd] ?? '?');
    switch (cmd) {
      case 0b001:
      case 0b101: {
        // Non-specific EOI resets the highest-priority ISR bit; the rotating variant makes it lowest.
        const top = this.highest(this.isr);
        if (top < 0) return;
        this.isr &= ~(1 << top);
        if (cmd === 0b101) this.lowest = top;
        return;
      }
      case 0b011:
        this.isr &= ~(1 << level);
        return;
      case 0b111:
        this.isr &= ~(1 << level);
        this.lowest = level;
        return;
      case 0b110:
        this.lowest = level;
        return;
      case 0b100:
        this.rotateOnAeoi = true;
        return;
      case 0b000:
        this.rotateOnAeoi = false;
        return;
      default:
        return; // 010: no operation
    }
  }

  private writeOcw3(value: number): void {
    this.traceReg('write', 'OCW3', value);
    if (value & OCW3.ESMM) this.specialMask = (value & OCW3.SMM) !== 0;
    if (value & OCW3.RR) this.readIsr = (value & OCW3.RIS) !== 0;
    // "If both P and RR are set in the same OCW3, poll takes precedence": the next read is the poll word.
    if (value & OCW3.P) this.poll = true;
  }

  private traceReg(dir: 'read' | 'write', reg: string, value: number, cmd?: string): void {
    if (!this.ctx.tracer.verbose) return;
    const f: Record<string, string | number> = { chip: this.label, reg, value };
    if (cmd !== undefined) f.cmd = cmd;
    this.ctx.tracer.emit(this.ctx.node, 'irq', dir === 'read' ? 'reg-read' : 'reg-write', 0, f);
  }

  saveState(): PicChipState {
    return {
      icw1: this.icw1,
      icw2: this.icw2,
      icw3: this.icw3,
      icw4: this.icw4,
      initStep: this.initStep,
      imr: this.imr,
      irr: this.irr,
      isr: this.isr,
      lines: this.lines,
      lowest: this.lowest,
      readIsr: this.readIsr,
      poll: this.poll,
      specialMask: this.specialMask,
      rotateOnAeoi: this.rotateOnAeoi,
      elcr: this.elcr,
    };
  }

  loadState(s: PicChipState): void {
    this.icw1 = s.icw1 & 0xff;
    this.icw2 = s.icw2 & 0xff;
    this.icw3 = s.icw3 & 0xff;
    this.icw4 = s.icw4 & 0x1f;
    this.initStep = s.initStep === 2 || s.initStep === 3 || s.initStep === 4 ? s.initStep : 0;
    this.imr = s.imr & 0xff;
    this.irr = s.irr & 0xff;
    this.isr = s.isr & 0xff;
    this.lines = s.lines & 0xff;
    this.lowest = s.lowest & 7;
    this.readIsr = s.readIsr === true;
    this.poll = s.poll === true;
    this.specialMask = s.specialMask === true;
    this.rotateOnAeoi = s.rotateOnAeoi === true;
    this.elcr = s.elcr & 0xff;
  }

  /** One line for a debugger: registers in hex with the IRQ numbers they hold. */
  describe(): string {
    const list = (bits: number): string => {
      const out: number[] = [];
      for (let i = 0; i < 8; i++) if (bits & (1 << i)) out.push(this.irqOffset + i);
      return `0x${bits.toString(16).padStart(2, '0')}[${out.join(',')}]`;
    };
    const mode = [
      this.initStep ? `init(ICW${this.initStep} next)` : 'ready',
      `vec=0x${this.vectorBase.toString(16).padStart(2, '0')}`,
      `icw3=0x${this.icw3.toString(16).padStart(2, '0')}`,
      `lowest=${this.lowest}`,
      this.icw1 & ICW1.LTIM ? 'ltim' : '',
      this.icw4 & ICW4.AEOI ? 'aeoi' : '',
      this.rotateOnAeoi ? 'rotate-aeoi' : '',
      this.icw4 & ICW4.SFNM ? 'sfnm' : '',
      this.specialMask ? 'smm' : '',
      this.poll ? 'poll' : '',
      `read=${this.readIsr ? 'ISR' : 'IRR'}`,
    ].filter((s) => s !== '');
    return (
      `${this.label}: IRR=${list(this.irr)} ISR=${list(this.isr)} IMR=${list(this.imr)} ` +
      `ELCR=${list(this.elcr)} lines=${list(this.lines)} ${mode.join(' ')}`
    );
  }
}
