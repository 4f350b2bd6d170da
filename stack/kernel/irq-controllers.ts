/**
 * How the kernel programs the interrupt controller named in the system page — the role of QNX's interrupt
 * callouts in startup (mask, unmask, EOI, identify). Port and register layouts:
 *  - 8259A pair (Intel 8259A datasheet, order no. 231468): master at 0x20/0x21, slave at 0xA0/0xA1.
 *    ICW1 0x11 (edge, cascade, ICW4), ICW2 vector base, ICW3 0x04/0x02 (slave on IR2), ICW4 0x01 (8086 mode,
 *    normal EOI); OCW1 = IMR; OCW2 0x20 = non-specific EOI; OCW3 0x0B/0x0A = read ISR/IRR next.
 *  - I/O APIC (Intel 82093AA datasheet, order no. 290566): IOREGSEL at +0x00, IOWIN at +0x10; IOAPICVER
 *    (index 1) bits 23:16 = highest redirection entry; entry n at index 0x10 + 2n (low) and 0x11 + 2n (high).
 */
import type { NodeBus } from '../../emulator/machine/bus/node-bus';
import type { CostTable } from './costs';

export interface Identified {
  irq: number;
  spurious: boolean;
  /** CPU time spent identifying (port/MMIO accesses), ns. */
  cost: number;
}

export interface IrqController {
  readonly kind: '8259' | 'ioapic';
  readonly irqCount: number;
  /** Program the controller at boot: every IRQ masked (except the 8259 cascade). Returns the cost. */
  init(): number;
  setMasked(irq: number, masked: boolean): number;
  /** Which IRQ a vector is, and whether it is spurious (any EOI a spurious one needs is done here). */
  identify(vector: number): Identified;
  /** End of interrupt for a handled IRQ. Returns the cost. */
  eoi(irq: number, vector: number): number;
}

const MASTER_CMD = 0x20;
const MASTER_DATA = 0x21;
const SLAVE_CMD = 0xa0;
const SLAVE_DATA = 0xa1;
const OCW2_NONSPECIFIC_EOI = 0x20;
const OCW3_READ_ISR = 0x0b;
const OCW3_READ_IRR = 0x0a;
const CASCADE_IRQ = 2;

export class Pic8259Controller implements IrqController {
  readonly kind = '8259' as const;
  readonly irqCount = 16;
  /** Shadow of both IMRs (bit n = IRQ n): the kernel never reads the IMR back. */
  private imr = 0xffff;

  constructor(private readonly bus: NodeBus, private readonly costs: CostTable, readonly vectorBase: number) {}

  init(): number {
    const b = this.bus;
    // Re-run the ICW sequence (as OSes do) so that the vector base is the one we decode with.
    b.out8(MASTER_CMD, 0x11);
    b.out8(MASTER_DATA, this.vectorBase);
    b.out8(MASTER_DATA, 1 << CASCADE_IRQ);
    b.out8(MASTER_DATA, 0x01);
    b.out8(SLAVE_CMD, 0x11);
    b.out8(SLAVE_DATA, this.vectorBase + 8);
    b.out8(SLAVE_DATA, CASCADE_IRQ);
    b.out8(SLAVE_DATA, 0x01);
    this.imr = 0xffff & ~(1 << CASCADE_IRQ);
    b.out8(MASTER_DATA, this.imr & 0xff);
    b.out8(SLAVE_DATA, this.imr >> 8);
    return 10 * this.costs.picPortAccess;
  }

  setMasked(irq: number, masked: boolean): number {
    if (irq === CASCADE_IRQ) return 0;
    const bit = 1 << irq;
    const next = masked ? this.imr | bit : this.imr & ~bit;
    if (next === this.imr) return 0;
    this.imr = next;
    if (irq < 8) this.bus.out8(MASTER_DATA, this.imr & 0xff);
    else this.bus.out8(SLAVE_DATA, this.imr >> 8);
    return this.costs.picPortAccess;
  }

  /** Read a chip's ISR with OCW3 and restore IRR reads (Linux and QNX do the same for IRQ7/15). */
  private readIsr(cmd: number): number {
    this.bus.out8(cmd, OCW3_READ_ISR);
    const isr = this.bus.in8(cmd);
    this.bus.out8(cmd, OCW3_READ_IRR);
    return isr;
  }

  identify(vector: number): Identified {
    const off = vector - this.vectorBase;
    if (off < 0 || off > 15) return { irq: -1, spurious: true, cost: 0 };
    const port = this.costs.picPortAccess;
    if (off === 7 && (this.readIsr(MASTER_CMD) & 0x80) === 0) return { irq: 7, spurious: true, cost: 3 * port };
    if (off === 15 && (this.readIsr(SLAVE_CMD) & 0x80) === 0) {
      // The master did put IR2 in service for the cascade: it alone gets an EOI.
      this.bus.out8(MASTER_CMD, OCW2_NONSPECIFIC_EOI);
      return { irq: 15, spurious: true, cost: 4 * port };
    }
    return { irq: off, spurious: false, cost: off === 7 || off === 15 ? 3 * port : 0 };
  }

  eoi(irq: number): number {
    if (irq >= 8) {
      this.bus.out8(SLAVE_CMD, OCW2_NONSPECIFIC_EOI);
      this.bus.out8(MASTER_CMD, OCW2_NONSPECIFIC_EOI);
      return 2 * this.costs.picPortAccess;
    }
    this.bus.out8(MASTER_CMD, OCW2_NONSPECIFIC_EOI);
    return this.costs.picPortAccess;
  }
}

const IOREGSEL = 0x00;
const IOWIN = 0x10;
const IOAPICVER = 0x01;
const REDIR_MASK = 1 << 16;
const REDIR_LEVEL = 1 << 15;
const REDIR_ACTIVE_LOW = 1 << 13;
/** Vector of I/O APIC pin n. */
export const APIC_VECTOR_BASE = 0x30;
/** First pin wired to PCI INTx# (PIRQA–D) on PIIX-style boards. */
const FIRST_PCI_PIN = 16;

export class IoApicController implements IrqController {
  readonly kind = 'ioapic' as const;
  irqCount = 24;
  private lo: number[] = [];

  constructor(private readonly bus: NodeBus, private readonly costs: CostTable, private readonly base: number) {}

  private write(index: number, value: number): void {
    this.bus.mmioWrite(this.base + IOREGSEL, 4, index);
    this.bus.mmioWrite(this.base + IOWIN, 4, value >>> 0);
  }

  private read(index: number): number {
    this.bus.mmioWrite(this.base + IOREGSEL, 4, index);
    return this.bus.mmioRead(this.base + IOWIN, 4) >>> 0;
  }

  init(): number {
    const ver = this.read(IOAPICVER);
    // An absent I/O APIC reads open bus: fall back to the 82093AA's 24 pins.
    this.irqCount = ver === 0xffffffff ? 24 : ((ver >>> 16) & 0xff) + 1;
    this.lo = [];
    for (let pin = 0; pin < this.irqCount; pin++) {
      const polarity = pin >= FIRST_PCI_PIN ? REDIR_LEVEL | REDIR_ACTIVE_LOW : 0;
      const lo = (APIC_VECTOR_BASE + pin) | polarity | REDIR_MASK;
      this.lo.push(lo);
      this.write(0x11 + 2 * pin, 0); // destination: APIC id 0 (the boot CPU)
      this.write(0x10 + 2 * pin, lo);
    }
    return (2 + 4 * this.irqCount) * this.costs.apicAccess;
  }

  setMasked(irq: number, masked: boolean): number {
    const cur = this.lo[irq];
    if (cur === undefined) return 0;
    const next = masked ? cur | REDIR_MASK : cur & ~REDIR_MASK;
    if (next === cur) return 0;
    this.lo[irq] = next;
    this.write(0x10 + 2 * irq, next);
    return 2 * this.costs.apicAccess;
  }

  identify(vector: number): Identified {
    const irq = vector - APIC_VECTOR_BASE;
    if (irq < 0 || irq >= this.irqCount) return { irq: -1, spurious: true, cost: 0 };
    return { irq, spurious: false, cost: 0 };
  }

  eoi(_irq: number, vector: number): number {
    this.bus.apicEoi(vector);
    return this.costs.apicAccess;
  }
}
