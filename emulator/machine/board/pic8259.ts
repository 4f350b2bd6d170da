import type { ComponentContext } from '../sim/context';
import type { AccessSize, RegisterHandler } from '../bus/types';
import { Wire } from '../bus/wire';
import { checkVersion, type Snapshottable } from '../sim/snapshot';
import { Pic8259, type PicChipState } from './pic8259-chip';

export { Pic8259, type PicChipState } from './pic8259-chip';

/**
 * The PC/AT interrupt controller: two Intel 8259A chips (datasheet order no. 231468), the slave's INT output
 * wired to the master's IR2, plus the PIIX-style Edge/Level Control Registers at 0x4D0/0x4D1 (Intel 82371AB
 * PIIX4 datasheet, "ELCR1/ELCR2"). Port windows: master 0x20–0x21, slave 0xA0–0xA1, ELCR 0x4D0–0x4D1; wider
 * accesses are split into byte cycles as the ISA bus does for 8-bit devices.
 *
 * Interrupt sources call `setIrq(irq, level)` and must hold the line until the driver clears the cause: a
 * request that falls before INTA is withdrawn (datasheet: "a default IR7 will occur"). The CPU watches
 * `intr` and calls `acknowledge()` for the INTA cycle. Listeners of `intr` should not acknowledge from
 * inside the notification (a CPU model schedules its interrupt entry).
 *
 * Spurious IRQ15: on hardware the slave's request can vanish after the master committed to IR2 in the INTA
 * cycle. Our INTA is atomic, so the master keeps an edge request on IR2 latched when the slave's INT falls;
 * the INTA then sets the master's ISR bit 2 and the slave answers with its IR7 vector (base+7) without an ISR
 * bit — the OS must EOI the master only, as Linux and QNX do.
 */

export const PIC_STATE_VERSION = 1;

export interface PicState {
  v: number;
  master: PicChipState;
  slave: PicChipState;
}

/** Master input the slave's INT drives (PC/AT wiring). */
const CASCADE_INPUT = 2;

/** ELCR bits that may be set (PIIX4: IRQ0, 1, 2, 8 and 13 are always edge triggered). */
const ELCR_WRITABLE: readonly [number, number] = [0xf8, 0xde];

/** One byte-wide register of a port window, as data (name from the datasheet). */
interface PortReg {
  offset: number;
  name: string;
  read: () => number;
  write: (value: number) => void;
}

export class Pic8259Pair implements Snapshottable<PicState> {
  readonly master: RegisterHandler;
  readonly slave: RegisterHandler;
  readonly elcr: RegisterHandler;
  /** INTR output of the master to the CPU. */
  readonly intr: Wire;
  private readonly masterChip: Pic8259;
  private readonly slaveChip: Pic8259;

  constructor(private readonly ctx: ComponentContext) {
    this.masterChip = new Pic8259(ctx, 'master', 0, 1 << CASCADE_INPUT);
    this.slaveChip = new Pic8259(ctx, 'slave', 8, 0);
    this.intr = new Wire(`${ctx.name}.intr`);
    this.master = this.window('master', this.chipPorts(this.masterChip, 'master'));
    this.slave = this.window('slave', this.chipPorts(this.slaveChip, 'slave'));
    this.elcr = this.window('elcr', [0, 1].map((i) => this.elcrPort(i)));
  }

  private chipPorts(chip: Pic8259, label: string): PortReg[] {
    return [
      {
        offset: 0,
        name: `${label} ICW1/OCW2/OCW3 | IRR/ISR/poll`,
        read: () => chip.read(0),
        write: (v) => chip.write(0, v),
      },
      { offset: 1, name: `${label} ICW2-4/OCW1 | IMR`, read: () => chip.read(1), write: (v) => chip.write(1, v) },
    ];
  }

  private elcrPort(i: number): PortReg {
    const chip = i === 0 ? this.masterChip : this.slaveChip;
    const writable = ELCR_WRITABLE[i === 0 ? 0 : 1];
    const name = `ELCR${i + 1}`;
    return {
      offset: i,
      name,
      read: () => {
        this.traceReg('reg-read', name, chip.elcrValue);
        return chip.elcrValue;
      },
      write: (v) => {
        this.traceReg('reg-write', name, v);
        if (v & ~writable && this.ctx.tracer.verbose) {
          this.ctx.tracer.emit(this.ctx.node, 'irq', 'reserved-bits', 0, { reg: name, value: v, kept: v & writable });
        }
        chip.setElcr(v & writable);
      },
    };
  }

  /** A byte-wide port window: wider accesses are split into byte cycles; bytes past the window are open bus. */
  private window(label: string, regs: PortReg[]): RegisterHandler {
    const at = (offset: number): PortReg | undefined => regs.find((r) => r.offset === offset);
    const bad = (dir: string, offset: number): void =>
      this.ctx.tracer.emit(this.ctx.node, 'irq', 'bad-access', 0, { window: label, dir, offset });
    return {
      read: (offset: number, size: AccessSize): number => {
        let value = 0;
        for (let i = 0; i < size; i++) {
          const reg = at(offset + i);
          let b = 0xff;
          if (reg) b = reg.read() & 0xff;
          else bad('read', offset + i);
          value |= b << (8 * i);
        }
        this.update();
        return value >>> 0;
      },
      write: (offset: number, size: AccessSize, value: number): void => {
        for (let i = 0; i < size; i++) {
          const reg = at(offset + i);
          if (reg) reg.write((value >>> (8 * i)) & 0xff);
          else bad('write', offset + i);
        }
        this.update();
      },
    };
  }

  /** Propagate the slave's INT to the master's IR2 and the master's INT to the CPU. */
  private update(): void {
    this.masterChip.setInput(CASCADE_INPUT, this.slaveChip.intOutput());
    this.intr.set(this.masterChip.intOutput());
  }

  /** Drive ISA IRQ input 0–15. Input 2 is the cascade and cannot be driven from outside. */
  setIrq(irq: number, level: boolean): void {
    if (!Number.isInteger(irq) || irq < 0 || irq > 15 || irq === CASCADE_INPUT) {
      this.ctx.tracer.emit(this.ctx.node, 'irq', 'bad-input', 0, { irq, level });
      return;
    }
    const chip = irq < 8 ? this.masterChip : this.slaveChip;
    const rising = level && !chip.inputHigh(irq & 7);
    chip.setInput(irq & 7, level);
    if (rising) {
      this.ctx.tracer.emit(this.ctx.node, 'irq', 'raise', 0, { irq, vector: chip.vectorBase | (irq & 7) });
    }
    this.update();
  }

  /**
   * The INTA cycle. The master resolves; if its level has a slave (ICW3) it puts the level on the cascade
   * lines and the slave whose ICW3 ID matches supplies the vector. No request left: spurious IR7 of the chip
   * that answers. A cascade address no slave answers leaves the data bus floating (0xFF).
   */
  acknowledge(): number {
    const m = this.masterChip.acknowledge();
    let irq: number;
    let vector: number;
    let spurious = false;
    if (m < 0) {
      irq = 7;
      vector = this.masterChip.vectorBase | 7;
      spurious = true;
    } else if (!this.masterChip.hasSlaveOn(m)) {
      irq = m;
      vector = this.masterChip.vectorBase | m;
    } else if (this.slaveChip.slaveId !== m) {
      irq = m;
      vector = 0xff;
      this.ctx.tracer.emit(this.ctx.node, 'irq', 'no-slave', 0, { cascade: m, slaveId: this.slaveChip.slaveId });
    } else {
      const s = this.slaveChip.acknowledge();
      spurious = s < 0;
      irq = 8 + (spurious ? 7 : s);
      vector = this.slaveChip.vectorBase | (irq & 7);
    }
    this.update();
    this.ctx.tracer.emit(this.ctx.node, 'irq', 'ack', 0, spurious ? { irq, vector, spurious } : { irq, vector });
    return vector;
  }

  private traceReg(probe: string, reg: string, value: number): void {
    if (this.ctx.tracer.verbose) this.ctx.tracer.emit(this.ctx.node, 'irq', probe, 0, { reg, value });
  }

  saveState(): PicState {
    return { v: PIC_STATE_VERSION, master: this.masterChip.saveState(), slave: this.slaveChip.saveState() };
  }

  loadState(s: PicState): void {
    checkVersion(`${this.ctx.name} (8259A pair)`, s, PIC_STATE_VERSION);
    this.masterChip.loadState(s.master);
    this.slaveChip.loadState(s.slave);
    this.update();
  }

  /** IRR/ISR/IMR/ELCR of both chips and the INTR level, for a debugger. */
  describe(): string {
    return `${this.masterChip.describe()}\n${this.slaveChip.describe()}\nINTR=${this.intr.level ? 1 : 0}`;
  }
}
