import type { IsaDeviceInfo, PciDeviceInfo, SystemPage } from '../emulator/machine/bus/node-bus';
import {
  IOAPIC_BASE, IOAPIC_PIRQ_PIN_BASE, PIIX3_DEVICE_ID, PIIX3_VENDOR_ID, PIIX_PIRQRC, PIRQRC_DISABLE, pirqOf,
} from '../emulator/machine/bus/pc-platform';
import {
  PCI_BAR0, PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_INTERRUPT_LINE,
} from '../emulator/machine/bus/pci-header';
import { ConfigCycles, type PortIo } from './port-io';
import { enumerateBus0, type FoundFunction } from './pci-enum';
import { DEFAULT_PIC_VECTOR_BASE, initPics } from './pic-init';

export type { PortIo } from './port-io';

/**
 * Default PIRQ → ISA IRQ map: PIRQA→11, PIRQB→10, PIRQC→11, PIRQD→10. IRQs 10 and 11 are free on a typical
 * PC (no legacy device owns them; SeaBIOS also gives that pair to PCI), and alternating them puts the INTA#
 * of neighbouring slots on different lines.
 */
export const DEFAULT_PIRQ_MAP: readonly [number, number, number, number] = [11, 10, 11, 10];
/** I/O BARs are assigned from here upward (above the ISA range and the 0xCF8 hole). */
export const DEFAULT_IO_BASE = 0xc000;
/** Memory BARs are assigned from here upward; they must stay below the I/O APIC at 0xFEC00000. */
export const DEFAULT_MEM_BASE = 0xe000_0000;
export const DEFAULT_IOAPIC_BASE = IOAPIC_BASE;
/** RAM below 1 MiB (IVT, BIOS data, VGA hole, option ROMs) is not given to the OS's allocator. */
export const DEFAULT_RESERVED_LOW = 0x10_0000;
/** Memory BARs are page aligned at least, so a driver can map one without sharing a page with another. */
const MEM_BAR_MIN_ALIGN = 0x1000;
/** IRQs the PIIX3 can steer a PIRQ to (0, 1, 2, 8, 13 are reserved encodings). */
const ROUTABLE_IRQS = new Set([3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15]);
const NO_IRQ = 0xff;
const CLASS_NETWORK = 0x02;

export interface StartupConfig {
  cpus: number;
  ramBytes: number;
  interruptController: '8259' | 'ioapic';
  /** Legacy ISA devices declared by the board configuration (ISA cannot be enumerated). */
  isa?: IsaDeviceInfo[];
  /** ISA IRQ for PIRQA–D. Default `DEFAULT_PIRQ_MAP`. */
  pirqMap?: readonly [number, number, number, number];
  ioBase?: number;
  memBase?: number;
  picVectorBase?: number;
  ioapicBase?: number;
  reservedLowBytes?: number;
  /** Receives warnings (a BAR that did not fit, no PIRQ router found). */
  log?: (line: string) => void;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * QNX `startup-*` for the board: everything a BIOS and QNX's start-up program do before the kernel runs,
 * done only through port I/O and configuration cycles.
 *
 *  1. Initialize the 8259A pair (vector base 0x30/0x38), mask all but the cascade; ELCR level for PCI IRQs.
 *  2. Enumerate PCI bus 0; size BARs; assign I/O BARs from 0xC000 and memory BARs from 0xE0000000 upward,
 *     each aligned to its size (memory: at least a page); enable I/O/memory decode, and bus mastering for
 *     network-class functions.
 *  3. Program PIIX3 PIRQRC[A–D] for the PIRQs in use and write each function's IRQ into 0x3C.
 *     In 8259 mode that is the ISA IRQ; in I/O APIC mode it is the I/O APIC pin (16 + PIRQ), so the number an
 *     OS reads from 0x3C or the system page is the one it attaches to in either mode. The PIRQ routing to
 *     the 8259s is programmed in both modes; the I/O APIC itself is left for the OS to program.
 *  4. Return the system page.
 *
 * Configuration errors (a PIRQ mapped to an unroutable IRQ, an ISA card sharing a PCI IRQ) throw.
 */
export function runStartup(io: PortIo, cfg: StartupConfig): SystemPage {
  const log = cfg.log ?? (() => {});
  const pirqMap = cfg.pirqMap ?? DEFAULT_PIRQ_MAP;
  const vectorBase = cfg.picVectorBase ?? DEFAULT_PIC_VECTOR_BASE;
  const isa = (cfg.isa ?? []).map((d) => ({ ...d }));
  const reserved = cfg.reservedLowBytes ?? DEFAULT_RESERVED_LOW;
  const apic = cfg.interruptController === 'ioapic';
  if (cfg.ramBytes <= reserved) throw new Error(`startup: RAM ${cfg.ramBytes} bytes leaves nothing above ${reserved}`);
  pirqMap.forEach((irq, x) => {
    if (!ROUTABLE_IRQS.has(irq)) throw new Error(`startup: PIRQ${'ABCD'[x]} mapped to IRQ ${irq}, which the PIIX3 cannot route`);
  });
  for (const d of isa) {
    if (!Number.isInteger(d.irq) || d.irq < 0 || d.irq > 15) throw new Error(`startup: ISA ${d.name} has IRQ ${d.irq}`);
  }

  const cycles = new ConfigCycles(io);
  const found = enumerateBus0(cycles);

  // PIRQs in use, and the ISA IRQs they need.
  const usedPirqs = new Set<number>();
  for (const f of found) if (f.interruptPin >= 1 && f.interruptPin <= 4) usedPirqs.add(pirqOf(f.device, f.interruptPin));
  const pciIrqs = [...new Set([...usedPirqs].sort().map((x) => pirqMap[x]!))].sort((a, b) => a - b);
  for (const d of isa) {
    if (pciIrqs.includes(d.irq)) {
      throw new Error(`startup: ISA ${d.name} uses IRQ ${d.irq}, which PCI interrupts are routed to (edge and level cannot share)`);
    }
  }

  initPics(io, vectorBase, pciIrqs);

  const router = found.find((f) => f.vendorId === PIIX3_VENDOR_ID && f.deviceId === PIIX3_DEVICE_ID && f.func === 0);
  if (router) {
    for (let x = 0; x < 4; x++) {
      cycles.write8(router.device, 0, PIIX_PIRQRC + x, usedPirqs.has(x) ? pirqMap[x]! : PIRQRC_DISABLE);
    }
  } else if (usedPirqs.size > 0) {
    log('startup: no PIIX3 PCI-to-ISA bridge found; PCI interrupts are not routed');
  }

  const next = { io: cfg.ioBase ?? DEFAULT_IO_BASE, mem: cfg.memBase ?? DEFAULT_MEM_BASE };
  const ioapicBase = cfg.ioapicBase ?? DEFAULT_IOAPIC_BASE;
  const pci: PciDeviceInfo[] = [];
  for (const f of found) {
    const bars = assignBars(cycles, f, next, ioapicBase, log);
    let irq = NO_IRQ;
    if (router && f.interruptPin >= 1 && f.interruptPin <= 4) {
      const x = pirqOf(f.device, f.interruptPin);
      irq = apic ? IOAPIC_PIRQ_PIN_BASE + x : pirqMap[x]!;
    }
    if (f.headerType === 0) cycles.write8(f.device, f.func, PCI_INTERRUPT_LINE, irq);
    let command = cycles.read16(f.device, f.func, PCI_COMMAND);
    if (bars.some((b) => b.kind === 'io')) command |= PCI_COMMAND_IO;
    if (bars.some((b) => b.kind === 'mem32')) command |= PCI_COMMAND_MEMORY;
    if (f.classCode >>> 16 === CLASS_NETWORK) command |= PCI_COMMAND_MASTER;
    cycles.write16(f.device, f.func, PCI_COMMAND, command);
    pci.push({
      bus: 0,
      device: f.device,
      function: f.func,
      vendorId: f.vendorId,
      deviceId: f.deviceId,
      classCode: f.classCode,
      revision: f.revision,
      bars,
      irq,
    });
  }

  return {
    cpus: cfg.cpus,
    ramBytes: cfg.ramBytes,
    freeMemBase: reserved,
    freeMemEnd: cfg.ramBytes,
    interruptController: cfg.interruptController,
    ioapicBase: apic ? ioapicBase : 0,
    picVectorBase: vectorBase,
    pci,
    isa,
  };
}

/** Assign addresses to one function's BARs in BAR order; a BAR that does not fit stays 0 (off the bus). */
function assignBars(
  cycles: ConfigCycles,
  f: FoundFunction,
  next: { io: number; mem: number },
  memLimit: number,
  log: (line: string) => void,
): PciDeviceInfo['bars'] {
  const out: PciDeviceInfo['bars'] = [];
  for (const b of f.bars) {
    const reg = PCI_BAR0 + 4 * b.index;
    let base: number;
    if (b.kind === 'io') {
      base = alignUp(next.io, Math.max(b.size, 4));
      if (base + b.size > 0x1_0000) {
        log(`startup: ${where(f)} BAR${b.index}: no room for ${b.size} I/O ports at ${hex(base)}`);
        continue;
      }
      next.io = base + b.size;
    } else {
      base = alignUp(next.mem, Math.max(b.size, MEM_BAR_MIN_ALIGN));
      if (base + b.size > memLimit) {
        log(`startup: ${where(f)} BAR${b.index}: no room for ${b.size} bytes of memory at ${hex(base)}`);
        continue;
      }
      next.mem = base + b.size;
    }
    cycles.write32(f.device, f.func, reg, base);
    if (b.is64) cycles.write32(f.device, f.func, reg + 4, 0);
    out.push({ index: b.index, kind: b.kind, base, size: b.size });
  }
  return out;
}

function where(f: FoundFunction): string {
  return `PCI 00:${f.device.toString(16).padStart(2, '0')}.${f.func}`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
