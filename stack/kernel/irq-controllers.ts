/**
 * How the kernel programs the interrupt controller named in the system page — the role of QNX's interrupt
 * callouts in startup (mask, unmask, EOI, identify). Port and register layouts (emulator/machine/bus/pc-platform.ts):
 *  - 8259A pair (Intel 8259A datasheet, order no. 231468): master at 0x20/0x21, slave at 0xA0/0xA1.
 *    ICW1 0x11 (edge, cascade, ICW4), ICW2 vector base, ICW3 0x04/0x02 (slave on IR2), ICW4 0x01 (8086 mode,
 *    normal EOI); OCW1 = IMR; OCW2 0x20 = non-specific EOI; OCW3 0x0B/0x0A = read ISR/IRR next.
 *  - I/O APIC (Intel 82093AA datasheet, order no. 290566): IOREGSEL at +0x00, IOWIN at +0x10; IOAPICVER
 *    (index 1) bits 23:16 = highest redirection entry; entry n at index 0x10 + 2n (low) and 0x11 + 2n (high).
 *
 * Every access costs what the node's bus says it costs (NodeBus.ioCycleNs / mmioCycleNs): an 8259A access
 * is an ISA-timed cycle in the PIIX3, an I/O APIC write a posted memory write. Each method returns the CPU
 * time its accesses took; the caller spends it in interrupt or thread context. The local APIC's EOI is a
 * register of the CPU itself (no bus cycle): the kernel cost table's `localApicEoi`.
 */
import type { NodeBus } from '../../emulator/machine/bus/node-bus';
import type { AccessSize } from '../../emulator/machine/bus/types';
import {
  ICW1_INIT_ICW4, ICW3_MASTER_SLAVE_ON_IR2, ICW3_SLAVE_ID, ICW4_8086, IOAPIC_IOREGSEL, IOAPIC_IOWIN,
  IOAPIC_PIRQ_PIN_BASE, IOAPIC_REG_VER, ioapicRedirHi, ioapicRedirLo, OCW2_NONSPECIFIC_EOI, OCW3_READ_IRR,
  OCW3_READ_ISR, PIC_CASCADE_IRQ, PIC_MASTER_CMD, PIC_MASTER_DATA, PIC_SLAVE_CMD, PIC_SLAVE_DATA, REDIR,
} from '../../emulator/machine/bus/pc-platform';
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
  /** What one mask or unmask of `irq` costs when it reaches the controller (charged by InterruptMask/Unmask). */
  maskCost(irq: number): number;
  /** Which IRQ a vector is, and whether it is spurious (any EOI a spurious one needs is done here). */
  identify(vector: number): Identified;
  /** End of interrupt for a handled IRQ. Returns the cost. */
  eoi(irq: number, vector: number): number;
}

/** Port I/O that returns what it cost, so a sequence adds up its own bus time. */
class Ports {
  constructor(private readonly bus: NodeBus) {}
  out8(port: number, value: number): number {
    this.bus.out8(port, value);
    return this.bus.ioCycleNs(port, 1, true);
  }
  in8(port: number): { value: number; cost: number } {
    return { value: this.bus.in8(port), cost: this.bus.ioCycleNs(port, 1, false) };
  }
}

export class Pic8259Controller implements IrqController {
  readonly kind = '8259' as const;
  readonly irqCount = 16;
  /** Shadow of both IMRs (bit n = IRQ n): the kernel never reads the IMR back. */
  private imr = 0xffff;
  private readonly io: Ports;

  constructor(private readonly bus: NodeBus, readonly vectorBase: number) {
    this.io = new Ports(bus);
  }

  init(): number {
    const io = this.io;
    // Re-run the ICW sequence (as OSes do) so that the vector base is the one we decode with.
    let ns = io.out8(PIC_MASTER_CMD, ICW1_INIT_ICW4);
    ns += io.out8(PIC_MASTER_DATA, this.vectorBase);
    ns += io.out8(PIC_MASTER_DATA, ICW3_MASTER_SLAVE_ON_IR2);
    ns += io.out8(PIC_MASTER_DATA, ICW4_8086);
    ns += io.out8(PIC_SLAVE_CMD, ICW1_INIT_ICW4);
    ns += io.out8(PIC_SLAVE_DATA, this.vectorBase + 8);
    ns += io.out8(PIC_SLAVE_DATA, ICW3_SLAVE_ID);
    ns += io.out8(PIC_SLAVE_DATA, ICW4_8086);
    this.imr = 0xffff & ~(1 << PIC_CASCADE_IRQ);
    ns += io.out8(PIC_MASTER_DATA, this.imr & 0xff);
    ns += io.out8(PIC_SLAVE_DATA, this.imr >> 8);
    return ns;
  }

  maskCost(irq: number): number {
    return this.bus.ioCycleNs(irq < 8 ? PIC_MASTER_DATA : PIC_SLAVE_DATA, 1, true);
  }

  setMasked(irq: number, masked: boolean): number {
    if (irq === PIC_CASCADE_IRQ) return 0;
    const bit = 1 << irq;
    const next = masked ? this.imr | bit : this.imr & ~bit;
    if (next === this.imr) return 0;
    this.imr = next;
    return irq < 8 ? this.io.out8(PIC_MASTER_DATA, this.imr & 0xff) : this.io.out8(PIC_SLAVE_DATA, this.imr >> 8);
  }

  /** Read a chip's ISR with OCW3 and restore IRR reads (Linux and QNX do the same for IRQ7/15). */
  private readIsr(cmd: number): { isr: number; cost: number } {
    let cost = this.io.out8(cmd, OCW3_READ_ISR);
    const r = this.io.in8(cmd);
    cost += r.cost + this.io.out8(cmd, OCW3_READ_IRR);
    return { isr: r.value, cost };
  }

  identify(vector: number): Identified {
    const off = vector - this.vectorBase;
    if (off < 0 || off > 15) return { irq: -1, spurious: true, cost: 0 };
    if (off !== 7 && off !== 15) return { irq: off, spurious: false, cost: 0 };
    const r = this.readIsr(off === 7 ? PIC_MASTER_CMD : PIC_SLAVE_CMD);
    if (r.isr & 0x80) return { irq: off, spurious: false, cost: r.cost };
    // A spurious IRQ15: the master did put IR2 in service for the cascade, so it alone gets an EOI.
    const eoi = off === 15 ? this.io.out8(PIC_MASTER_CMD, OCW2_NONSPECIFIC_EOI) : 0;
    return { irq: off, spurious: true, cost: r.cost + eoi };
  }

  eoi(irq: number): number {
    if (irq >= 8) return this.io.out8(PIC_SLAVE_CMD, OCW2_NONSPECIFIC_EOI) + this.io.out8(PIC_MASTER_CMD, OCW2_NONSPECIFIC_EOI);
    return this.io.out8(PIC_MASTER_CMD, OCW2_NONSPECIFIC_EOI);
  }
}

/** Vector of I/O APIC pin n. */
export const APIC_VECTOR_BASE = 0x30;
const DWORD: AccessSize = 4;

export class IoApicController implements IrqController {
  readonly kind = 'ioapic' as const;
  irqCount = 24;
  private lo: number[] = [];

  constructor(private readonly bus: NodeBus, private readonly costs: CostTable, private readonly base: number) {}

  /** IOREGSEL then IOWIN; returns the cost. */
  private write(index: number, value: number): number {
    const b = this.bus;
    b.mmioWrite(this.base + IOAPIC_IOREGSEL, DWORD, index);
    b.mmioWrite(this.base + IOAPIC_IOWIN, DWORD, value >>> 0);
    return b.mmioCycleNs(this.base + IOAPIC_IOREGSEL, DWORD, true) + b.mmioCycleNs(this.base + IOAPIC_IOWIN, DWORD, true);
  }

  private read(index: number): { value: number; cost: number } {
    const b = this.bus;
    b.mmioWrite(this.base + IOAPIC_IOREGSEL, DWORD, index);
    const value = b.mmioRead(this.base + IOAPIC_IOWIN, DWORD) >>> 0;
    return { value, cost: b.mmioCycleNs(this.base + IOAPIC_IOREGSEL, DWORD, true) + b.mmioCycleNs(this.base + IOAPIC_IOWIN, DWORD, false) };
  }

  init(): number {
    const ver = this.read(IOAPIC_REG_VER);
    let ns = ver.cost;
    // An absent I/O APIC reads open bus: fall back to the 82093AA's 24 pins.
    this.irqCount = ver.value === 0xffffffff ? 24 : ((ver.value >>> 16) & 0xff) + 1;
    this.lo = [];
    for (let pin = 0; pin < this.irqCount; pin++) {
      const polarity = pin >= IOAPIC_PIRQ_PIN_BASE ? REDIR.TRIGGER_LEVEL | REDIR.INTPOL : 0;
      const lo = (APIC_VECTOR_BASE + pin) | polarity | REDIR.MASK;
      this.lo.push(lo);
      ns += this.write(ioapicRedirHi(pin), 0); // destination: APIC id 0 (the boot CPU)
      ns += this.write(ioapicRedirLo(pin), lo);
    }
    return ns;
  }

  maskCost(irq: number): number {
    const b = this.bus;
    void irq;
    return b.mmioCycleNs(this.base + IOAPIC_IOREGSEL, DWORD, true) + b.mmioCycleNs(this.base + IOAPIC_IOWIN, DWORD, true);
  }

  setMasked(irq: number, masked: boolean): number {
    const cur = this.lo[irq];
    if (cur === undefined) return 0;
    const next = masked ? cur | REDIR.MASK : cur & ~REDIR.MASK;
    if (next === cur) return 0;
    this.lo[irq] = next;
    return this.write(ioapicRedirLo(irq), next);
  }

  identify(vector: number): Identified {
    const irq = vector - APIC_VECTOR_BASE;
    if (irq < 0 || irq >= this.irqCount) return { irq: -1, spurious: true, cost: 0 };
    return { irq, spurious: false, cost: 0 };
  }

  eoi(_irq: number, vector: number): number {
    this.bus.apicEoi(vector);
    return this.costs.localApicEoi;
  }
}
