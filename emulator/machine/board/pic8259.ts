import type { ComponentContext } from '../sim/context';
import type { AccessSize, RegisterHandler } from '../bus/types';
import { Wire } from '../bus/wire';
import { PIC_CASCADE_IRQ } from '../bus/pc-platform';
import { RegisterTable, type RegisterDef, type RegisterTableOptions, type UnmappedAccess } from '../bus/register-table';
import { readState, stateVersions, type Snapshottable } from '../sim/snapshot';
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
export const PIC_STATE = stateVersions('8259A pair', PIC_STATE_VERSION);

export interface PicState {
  v: number;
  master: PicChipState;
  slave: PicChipState;
}

/** Master input the slave's INT drives (PC/AT wiring; emulator/machine/bus/pc-platform.ts). */
const CASCADE_INPUT = PIC_CASCADE_IRQ;

/** ELCR bits that may be set (PIIX4: IRQ0, 1, 2, 8 and 13 are always edge triggered). */
const ELCR_WRITABLE: readonly [number, number] = [0xf8, 0xde];

export class Pic8259Pair implements Snapshottable<PicState> {
  readonly master: RegisterHandler;
  readonly slave: RegisterHandler;
  readonly elcr: RegisterHandler;
  /** The register tables behind the three windows, for a debugger (names, access, `peek`). */
  readonly tables: { readonly master: RegisterTable; readonly slave: RegisterTable; readonly elcr: RegisterTable };
  /** INTR output of the master to the CPU. */
  readonly intr: Wire;
  private readonly masterChip: Pic8259;
  private readonly slaveChip: Pic8259;

  constructor(private readonly ctx: ComponentContext) {
    this.masterChip = new Pic8259(ctx, 'master', 0, 1 << CASCADE_INPUT);
    this.slaveChip = new Pic8259(ctx, 'slave', 8, 0);
    this.intr = new Wire(`${ctx.name}.intr`);
    this.tables = {
      master: this.table('master', this.chipPorts(this.masterChip)),
      slave: this.table('slave', this.chipPorts(this.slaveChip)),
      elcr: this.table('elcr', [0, 1].map((i) => this.elcrPort(i)), {
        onRead: (reg, value) => this.traceReg('reg-read', reg.name, value),
        onWrite: (reg, value) => this.traceReg('reg-write', reg.name, value),
      }),
    };
    this.master = this.window(this.tables.master);
    this.slave = this.window(this.tables.slave);
    this.elcr = this.window(this.tables.elcr);
  }

  /**
   * A chip's two ports (datasheet "Programming the 8259A"): A0 = 0 takes ICW1/OCW2/OCW3 and reads IRR or ISR
   * (OCW3 RR/RIS); A0 = 1 takes ICW2–ICW4 during initialization, else OCW1, and reads IMR. After an OCW3 poll
   * command the next read of either port is the poll word and acknowledges the highest request. The chip
   * traces its own accesses.
   */
  private chipPorts(chip: Pic8259): RegisterDef[] {
    const poll = 'after an OCW3 poll command: the poll word, acknowledging the highest request';
    const peek = (a0: number) => (): number => {
      const s = chip.saveState();
      return a0 === 1 ? s.imr : s.readIsr ? s.isr : s.irr;
    };
    return [
      { offset: 0, name: 'IRR/ISR', width: 1, access: 'ro', readEffect: poll, read: () => chip.read(0), peek: peek(0) },
      { offset: 0, name: 'ICW1/OCW2/OCW3', width: 1, access: 'wo', write: (v) => chip.write(0, v) },
      { offset: 1, name: 'IMR', width: 1, access: 'ro', readEffect: poll, read: () => chip.read(1), peek: peek(1) },
      { offset: 1, name: 'ICW2-4/OCW1', width: 1, access: 'wo', write: (v) => chip.write(1, v) },
    ];
  }

  /** ELCR1/ELCR2 (PIIX4 datasheet): one bit per IRQ, 1 = level triggered; fixed-edge IRQs read 0. */
  private elcrPort(i: number): RegisterDef {
    const chip = i === 0 ? this.masterChip : this.slaveChip;
    const writable = ELCR_WRITABLE[i === 0 ? 0 : 1];
    const name = `ELCR${i + 1}`;
    const bits: Record<string, number> = {};
    for (let b = 0; b < 8; b++) if (writable & (1 << b)) bits[`IRQ${i * 8 + b}`] = 1 << b;
    return {
      offset: i,
      name,
      width: 1,
      access: 'rw',
      reset: 0,
      bits,
      read: () => chip.elcrValue,
      write: (v) => {
        if (v & ~writable && this.ctx.tracer.verbose) {
          this.ctx.tracer.emit(this.ctx.node, 'irq', 'reserved-bits', 0, { reg: name, value: v, kept: v & writable });
        }
        chip.setElcr(v & writable);
      },
    };
  }

  /** A byte-wide port table: wider accesses are split into byte cycles; bytes past the window are open bus. */
  private table(label: string, regs: RegisterDef[], hooks: Pick<RegisterTableOptions, 'onRead' | 'onWrite'> = {}): RegisterTable {
    const bad = (a: UnmappedAccess): void => {
      this.ctx.tracer.emit(this.ctx.node, 'irq', 'bad-access', 0, { window: label, dir: a.dir, offset: a.offset });
    };
    return new RegisterTable(`8259A ${label}`, regs, { span: 2, wide: 'split', unmapped: bad, ...hooks });
  }

  /** Bus accesses through a table, then the INT/INTR propagation every access may change. */
  private window(t: RegisterTable): RegisterHandler {
    return {
      read: (offset: number, size: AccessSize): number => {
        const v = t.read(offset, size);
        this.update();
        return v;
      },
      write: (offset: number, size: AccessSize, value: number): void => {
        t.write(offset, size, value);
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

  loadState(saved: PicState): void {
    const s = readState<PicState>(this.ctx.name, PIC_STATE, saved);
    this.masterChip.loadState(s.master);
    this.slaveChip.loadState(s.slave);
    this.update();
  }

  /** IRR/ISR/IMR/ELCR of both chips and the INTR level, for a debugger. */
  describe(): string {
    return `${this.masterChip.describe()}\n${this.slaveChip.describe()}\nINTR=${this.intr.level ? 1 : 0}`;
  }
}
