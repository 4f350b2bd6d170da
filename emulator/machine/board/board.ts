import { componentContext, type ComponentContext } from '../sim/context';
import { readState, stateVersions } from '../sim/snapshot';
import type { DmaMemory, IrqLine, PciFunction, PciSegmentConfig, RegisterHandler } from '../bus/types';
import type { NodeBus, SystemPage } from '../bus/node-bus';
import { ISA_8BIT_TARGET, type IsaTargetTiming } from '../bus/timing';
import {
  ELCR1_PORT, IOAPIC_BASE, IOAPIC_PIRQ_PIN_BASE, IOAPIC_WINDOW, PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_DATA_PORT,
  PIC_IRQS, PIC_MASTER_CMD, PIC_PORTS, PIC_SLAVE_CMD, pirqOf,
} from '../bus/pc-platform';
import { Wire, WiredOr } from '../bus/wire';
import { PhysicalMemory, type RamState } from './ram';
import { IoSpace } from './io-space';
import { MmioSpace } from './mmio-space';
import { bdf, HOST_BRIDGE_DEVICE, PciHost, type PciHostState } from './pci-host';
import { Piix3, type PirqState } from './piix-bridge';
import { isaIoTiming, XBUS_MEMORY } from './isa-bus';
import { PciBusMaster } from './dma';
import { unclaimedMemoryTiming } from './pci-bus';
import { PCI_SEGMENT_DEFAULT, PciSegment } from './pci-segment';
import { Pic8259Pair } from './pic8259';
import { IoApic } from './ioapic';
import { BoardNodeBus } from './node-bus';
import { hex } from './address-space';

export interface BoardConfig {
  ramBytes: number;
  cpus: number;
  /** Which controller the OS is told to use; both are on the board (as on a PIIX3 board with an 82093AA). */
  interruptController: '8259' | 'ioapic';
  /** The PCI segment of the slots: clock and data path (pci-segment.ts). Default 33 MHz, 32 bits. */
  pci?: PciSegmentConfig;
}

/** Fixed chipset resources (ports and addresses: emulator/machine/bus/pc-platform.ts). */
export { IOAPIC_BASE, IOAPIC_WINDOW, HOST_BRIDGE_DEVICE };
/** Device number of the PIIX3 on bus 0 (as on QEMU's "pc" machine). */
export const ISA_BRIDGE_DEVICE = 1;
/** First device number handed out by `addPciDevice` when the caller does not name a slot. */
export const FIRST_PLUG_IN_DEVICE = 2;
export const ISA_IRQS = PIC_IRQS;
/**
 * The PIIX3's ISA-compatible registers (8259A pair, ELCR): positively decoded on PCI, each access run with
 * standard 8-bit ISA timing (isa-bus.ts).
 */
const PIIX3_REGISTER_TIMING = isaIoTiming(ISA_8BIT_TARGET, 'piix3');

export const BOARD_STATE = stateVersions('board', 1);

export interface BoardState {
  v: 1;
  ram: RamState;
  pci: PciHostState;
  piix: PirqState;
  pic: ReturnType<Pic8259Pair['saveState']>;
  ioapic: ReturnType<IoApic['saveState']>;
}

/**
 * A PC-style board: RAM, I/O port space, MMIO space, an i440FX host bridge with PCI configuration mechanism
 * #1, a PIIX3 PCI-to-ISA bridge with its PIRQ router and ELCR, an 8259A pair, and an I/O APIC.
 *
 * Interrupt wiring:
 *   ISA IRQ n  = wired-OR of its ISA devices and the PIRQs steered to n → PIC input n and I/O APIC pin n.
 *   PCI INTx   → PIRQ[(device + pin − 1) mod 4] (wired-OR) → PIRQRC-selected ISA IRQ, and I/O APIC pin 16+x
 *                (electrically active low there: program those redirection entries level, INTPOL = 1).
 *
 * The OS sees the board only through `nodeBus(syspage)`; firmware start-up through `ports`.
 */
export class Board {
  readonly ram: PhysicalMemory;
  readonly io: IoSpace;
  readonly mmio: MmioSpace;
  readonly pic: Pic8259Pair;
  readonly ioapic: IoApic;
  readonly pci: PciHost;
  readonly piix: Piix3;
  /** Port I/O for firmware start-up (the same path the OS's in/out take). */
  readonly ports: Pick<NodeBus, 'in8' | 'in16' | 'in32' | 'out8' | 'out16' | 'out32'>;
  private readonly isaLines: WiredOr[] = [];
  private readonly apicListeners: ((cpu: number, vector: number) => void)[] = [];

  constructor(private readonly ctx: ComponentContext, readonly cfg: BoardConfig) {
    if (!Number.isInteger(cfg.cpus) || cfg.cpus < 1) throw new Error(`${ctx.name}: cpus must be >= 1 (got ${cfg.cpus})`);
    if (cfg.interruptController !== '8259' && cfg.interruptController !== 'ioapic') {
      throw new Error(`${ctx.name}: interruptController must be '8259' or 'ioapic'`);
    }
    this.ram = new PhysicalMemory(this.sub('ram'), cfg.ramBytes);
    if (cfg.ramBytes > IOAPIC_BASE) throw new Error(`${ctx.name}: RAM above ${hex(IOAPIC_BASE)} is not supported`);
    this.io = new IoSpace(this.sub('io'));
    const segment = new PciSegment(this.sub('pci'), cfg.pci ?? PCI_SEGMENT_DEFAULT);
    this.mmio = new MmioSpace(this.sub('mmio'), unclaimedMemoryTiming(segment));

    this.pic = new Pic8259Pair(this.sub('pic'));
    this.io.map(PIC_MASTER_CMD, PIC_PORTS, this.pic.master, 'pic-master', PIIX3_REGISTER_TIMING);
    this.io.map(PIC_SLAVE_CMD, PIC_PORTS, this.pic.slave, 'pic-slave', PIIX3_REGISTER_TIMING);
    this.io.map(ELCR1_PORT, 2, this.pic.elcr, 'elcr', PIIX3_REGISTER_TIMING);

    this.ioapic = new IoApic(this.sub('ioapic'), (dest, vector) => {
      for (const l of this.apicListeners) l(dest, vector);
    });
    this.mmio.map(IOAPIC_BASE, IOAPIC_WINDOW, this.ioapic.mmio, 'ioapic', XBUS_MEMORY);

    for (let n = 0; n < ISA_IRQS; n++) {
      const w = new WiredOr(`${ctx.name}.irq${n}`);
      w.out.onChange((level) => {
        this.pic.setIrq(n, level);
        this.ioapic.setIrq(n, level);
      });
      this.isaLines.push(w);
    }

    this.pci = new PciHost(this.sub('pci'), this.io, this.mmio, segment);
    this.io.map(PCI_CONFIG_ADDRESS_PORT, 4, this.pci.configAddressPort, 'pci-config-address', this.pci.configAddressTiming);
    this.io.map(PCI_CONFIG_DATA_PORT, 4, this.pci.configDataPort, 'pci-config-data', this.pci.configDataTiming);
    // PIRQ lines are active-low open-drain (INTx#): the I/O APIC pin sees high while idle, low while any
    // device asserts; the OS programs those entries level-triggered, INTPOL = 1 (active low).
    this.piix = new Piix3(this.sub('piix3'), (irq) => this.isaIrq(irq), (pin, level) => this.ioapic.setIrq(pin, !level));
    for (let x = 0; x < 4; x++) this.ioapic.setIrq(IOAPIC_PIRQ_PIN_BASE + x, true);
    this.pci.add(this.piix, ISA_BRIDGE_DEVICE, 0, { chipset: true });

    const io = this.io;
    this.ports = {
      in8: (p) => io.read(p, 1),
      in16: (p) => io.read(p, 2),
      in32: (p) => io.read(p, 4),
      out8: (p, v) => io.write(p, 1, v),
      out16: (p, v) => io.write(p, 2, v),
      out32: (p, v) => io.write(p, 4, v),
    };
  }

  /**
   * Plug a PCI function into bus 0 at `slot` (device number; default: the lowest free from 2), function
   * `func` (default 0), and wire its INTx pin to its PIRQ line. The function joins the board's PCI segment and is
   * told about it (`PciFunction.attachBus`). Returns the slot and the function's bus-master view of memory.
   */
  addPciDevice(fn: PciFunction, slot?: number, func = 0): { slot: number; dma: DmaMemory } {
    const device = slot ?? this.pci.firstFreeDevice(FIRST_PLUG_IN_DEVICE);
    this.pci.add(fn, device, func);
    const pin = fn.spec.interruptPin;
    const pirq = pin > 0 ? this.piix.pirq[pirqOf(device, pin)] : undefined;
    // A function without an interrupt pin still gets a line to drive; it is connected to nothing.
    fn.attachIntx(pirq ? pirq.input() : new Wire(`${this.ctx.name}.${bdf(device, func)}.nc`));
    return { slot: device, dma: this.busMaster(device, func) };
  }

  /** The bus-master DMA view for the function at (device, func); usable before the device is plugged in. */
  busMaster(device: number, func = 0): DmaMemory {
    const label = bdf(device, func);
    return new PciBusMaster(this.sub(`dma.${label}`), this.ram, () => this.pci.get(device, func), label, this.pci.segment);
  }

  /**
   * Claim fixed I/O ports for a legacy ISA device (throws on overlap: a configuration error). `timing` is the
   * card's side of its bus cycles (IOCS16#, IOCHRDY wait states); the ISA bus turns it into access costs.
   */
  mapIsaDevice(name: string, ioport: number, length: number, handler: RegisterHandler, timing: IsaTargetTiming): void {
    this.io.map(ioport, length, handler, name, isaIoTiming(timing, 'subtractive'));
  }

  /**
   * A new input on ISA IRQ line `n` (0–15) for a device to drive. IRQ2 is the cascade input on an AT; the ISA
   * slot's IRQ2 pin is wired to IRQ9, so asking for 2 gives an input of 9 (Linux ne.c makes the same swap).
   */
  isaIrq(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 0 || n >= ISA_IRQS) throw new Error(`${this.ctx.name}: ISA IRQ ${n} out of range`);
    return this.isaLines[n === 2 ? 9 : n]!.input();
  }

  /** Listen for I/O APIC interrupt messages (destination APIC id, vector). */
  onApicMessage(listener: (cpu: number, vector: number) => void): void {
    this.apicListeners.push(listener);
  }

  /** The hardware interface of this node for the OS, with what start-up found. */
  nodeBus(syspage: SystemPage): NodeBus {
    return new BoardNodeBus(this, syspage);
  }

  /** A short human-readable map of the board (debugger, `--describe`). */
  describe(): string {
    const lines = [`board ${this.ctx.name}: ${this.cfg.ramBytes} bytes RAM, ${this.cfg.cpus} CPU(s), ${this.cfg.interruptController}`];
    lines.push(`  pci  segment ${this.pci.segment.describe()}`);
    for (const r of this.io.list()) lines.push(`  io   ${hex(r.base)}-${hex(r.base + r.length - 1)} ${r.name}`);
    for (const r of this.mmio.list()) lines.push(`  mmio ${hex(r.base)}-${hex(r.base + r.length - 1)} ${r.name}`);
    for (const f of this.pci.functions()) {
      const s = f.cs.fn.spec;
      lines.push(`  pci  ${bdf(f.device, f.func)} ${hex4(s.vendorId)}:${hex4(s.deviceId)} cmd ${hex4(f.cs.command)}`);
    }
    return lines.join('\n');
  }

  saveState(): BoardState {
    return {
      v: 1,
      ram: this.ram.saveState(),
      pci: this.pci.saveState(),
      piix: this.piix.saveState(),
      pic: this.pic.saveState(),
      ioapic: this.ioapic.saveState(),
    };
  }

  loadState(saved: BoardState): void {
    const s = readState<BoardState>(this.ctx.name, BOARD_STATE, saved);
    this.ram.loadState(s.ram);
    this.pci.loadState(s.pci);
    this.piix.loadState(s.piix);
    this.pic.loadState(s.pic);
    this.ioapic.loadState(s.ioapic);
  }

  private sub(part: string): ComponentContext {
    return componentContext(this.ctx, this.ctx.node, `${this.ctx.name}.${part}`);
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
