/**
 * A minimal PCI library for simulated QNX drivers (the role of QNX's `pci_find_device`, `pci_read_config`,
 * `pci_attach_device`): everything goes through PCI configuration mechanism #1 on the node's ports —
 * CONFIG_ADDRESS (0xCF8, 32-bit) then CONFIG_DATA (0xCFC–0xCFF) — exactly as an x86 OS does it
 * (PCI Local Bus Specification 3.0 §3.2.2.3.2). No shortcut through the system page. Each access is a port
 * access on the calling thread's timeline and costs what the host bridge's configuration cycle costs, so the
 * reads are blocking calls (`yield* pci_read_config(...)`).
 */
import type { Co, ThreadCtx } from '../kernel/api';
import { PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_DATA_PORT, pciConfigAddress } from '../../emulator/machine/bus/pc-platform';
import {
  PCI_BAR0, PCI_CLASS_REV, PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_HEADER_TYPE,
  PCI_INTERRUPT_LINE, PCI_SECONDARY_BUS, PCI_VENDOR_ID,
} from '../../emulator/machine/bus/pci-header';

/** The configuration ports and header offsets (shared with the board and firmware). */
export const PCI_CONFIG_ADDRESS = PCI_CONFIG_ADDRESS_PORT;
export const PCI_CONFIG_DATA = PCI_CONFIG_DATA_PORT;
export {
  PCI_BAR0, PCI_CLASS_REV, PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_HEADER_TYPE,
  PCI_INTERRUPT_LINE, PCI_SECONDARY_BUS, PCI_VENDOR_ID,
};

export type PciBarKind = 'io' | 'mem32' | 'mem64';

export interface PciBar {
  index: number;
  kind: PciBarKind;
  /** Decoded base (type bits removed). 0 = not assigned. */
  base: number;
  /** Size found by the all-ones probe (§6.2.5.1). */
  size: number;
  prefetchable: boolean;
}

/** One function found on the bus (QNX `struct pci_dev_info` reduced). */
export interface PciDevice {
  bus: number;
  dev: number;
  fn: number;
  vendorId: number;
  deviceId: number;
  /** 24-bit class code (base, sub, prog-if). */
  classCode: number;
  revision: number;
  headerType: number;
  bars: PciBar[];
  /** Interrupt line from config register 0x3C (what start-up routed INTx to); 0xFF = none. */
  irq: number;
}

/** Read `size` bytes of configuration space at `offset` (naturally aligned). */
export function* pci_read_config(ctx: ThreadCtx, bus: number, dev: number, fn: number, offset: number, size: 1 | 2 | 4): Co<number> {
  ctx.out32(PCI_CONFIG_ADDRESS, pciConfigAddress(bus, dev, fn, offset));
  const port = PCI_CONFIG_DATA + (offset & 3);
  if (size === 1) return yield* ctx.in8(port);
  if (size === 2) return yield* ctx.in16(port);
  return (yield* ctx.in32(port)) >>> 0;
}

/** Write `size` bytes of configuration space at `offset`. */
export function pci_write_config(
  ctx: ThreadCtx, bus: number, dev: number, fn: number, offset: number, size: 1 | 2 | 4, value: number,
): void {
  ctx.out32(PCI_CONFIG_ADDRESS, pciConfigAddress(bus, dev, fn, offset));
  const port = PCI_CONFIG_DATA + (offset & 3);
  if (size === 1) ctx.out8(port, value & 0xff);
  else if (size === 2) ctx.out16(port, value & 0xffff);
  else ctx.out32(port, value >>> 0);
}

/**
 * Enumerate every function: bus 0 first, then buses behind PCI-PCI bridges (header type 1, secondary bus at
 * 0x19) in discovery order; functions 1–7 only when header type bit 7 (multi-function) is set on function 0.
 */
export function* pci_enumerate(ctx: ThreadCtx): Co<PciDevice[]> {
  const found: PciDevice[] = [];
  const buses = [0];
  const seen = new Set<number>([0]);
  for (let b = 0; b < buses.length; b++) {
    const bus = buses[b]!;
    for (let dev = 0; dev < 32; dev++) {
      const id0 = yield* pci_read_config(ctx, bus, dev, 0, PCI_VENDOR_ID, 4);
      if ((id0 & 0xffff) === 0xffff || (id0 & 0xffff) === 0) continue;
      const multi = ((yield* pci_read_config(ctx, bus, dev, 0, PCI_HEADER_TYPE, 1)) & 0x80) !== 0;
      for (let fn = 0; fn < (multi ? 8 : 1); fn++) {
        const id = fn === 0 ? id0 : yield* pci_read_config(ctx, bus, dev, fn, PCI_VENDOR_ID, 4);
        if ((id & 0xffff) === 0xffff || (id & 0xffff) === 0) continue;
        const d = yield* describe(ctx, bus, dev, fn, id);
        found.push(d);
        if ((d.headerType & 0x7f) === 1) {
          const sec = yield* pci_read_config(ctx, bus, dev, fn, PCI_SECONDARY_BUS, 1);
          if (sec !== 0 && !seen.has(sec)) {
            seen.add(sec);
            buses.push(sec);
          }
        }
      }
    }
  }
  return found;
}

/** The `index`-th function (0-based, enumeration order) with this vendor and device id, or null. */
export function* pci_find_device(ctx: ThreadCtx, vendor: number, device: number, index: number): Co<PciDevice | null> {
  let n = 0;
  for (const d of yield* pci_enumerate(ctx)) {
    if (d.vendorId === vendor && d.deviceId === device && n++ === index) return d;
  }
  return null;
}

/** The `index`-th function of a 24-bit class code, or null. */
export function* pci_find_class(ctx: ThreadCtx, classCode: number, index: number): Co<PciDevice | null> {
  let n = 0;
  for (const d of yield* pci_enumerate(ctx)) {
    if (d.classCode === classCode && n++ === index) return d;
  }
  return null;
}

/** Set command-register bits (I/O decode, memory decode, bus master), as pci_attach_device does. */
export function* pci_enable(ctx: ThreadCtx, d: PciDevice, bits: number): Co<void> {
  const cmd = yield* pci_read_config(ctx, d.bus, d.dev, d.fn, PCI_COMMAND, 2);
  if ((cmd & bits) !== bits) pci_write_config(ctx, d.bus, d.dev, d.fn, PCI_COMMAND, 2, cmd | bits);
}

function* describe(ctx: ThreadCtx, bus: number, dev: number, fn: number, id: number): Co<PciDevice> {
  const classRev = yield* pci_read_config(ctx, bus, dev, fn, PCI_CLASS_REV, 4);
  const headerType = yield* pci_read_config(ctx, bus, dev, fn, PCI_HEADER_TYPE, 1);
  const irq = yield* pci_read_config(ctx, bus, dev, fn, PCI_INTERRUPT_LINE, 1);
  const d: PciDevice = {
    bus, dev, fn,
    vendorId: id & 0xffff,
    deviceId: id >>> 16,
    classCode: classRev >>> 8,
    revision: classRev & 0xff,
    headerType,
    bars: [],
    irq,
  };
  // Type 0 headers have six BARs, bridges two.
  const nbars = (headerType & 0x7f) === 0 ? 6 : (headerType & 0x7f) === 1 ? 2 : 0;
  if (nbars > 0) yield* sizeBars(ctx, d, nbars);
  return d;
}

/**
 * Decode BARs and size them with the all-ones probe. Decode is switched off in the command register during
 * the probe so the device never answers at the transient all-ones address (what OSes do, §6.2.5.1).
 */
function* sizeBars(ctx: ThreadCtx, d: PciDevice, nbars: number): Co<void> {
  const { bus, dev, fn } = d;
  const cmd = yield* pci_read_config(ctx, bus, dev, fn, PCI_COMMAND, 2);
  const decode = cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
  if (decode) pci_write_config(ctx, bus, dev, fn, PCI_COMMAND, 2, cmd & ~decode);
  for (let i = 0; i < nbars; i++) {
    const off = PCI_BAR0 + 4 * i;
    const raw = yield* pci_read_config(ctx, bus, dev, fn, off, 4);
    pci_write_config(ctx, bus, dev, fn, off, 4, 0xffff_ffff);
    const mask = yield* pci_read_config(ctx, bus, dev, fn, off, 4);
    pci_write_config(ctx, bus, dev, fn, off, 4, raw);
    if (mask === 0 || mask === 0xffff_ffff) continue; // unimplemented BAR (or nothing answering)
    if (raw & 1) {
      const m = (mask & ~0x3) >>> 0;
      d.bars.push({ index: i, kind: 'io', base: (raw & ~0x3) >>> 0, size: sizeFromMask(m | 0xffff_0000), prefetchable: false });
      continue;
    }
    const type = (raw >>> 1) & 0x3;
    const prefetchable = (raw & 0x8) !== 0;
    const m = (mask & ~0xf) >>> 0;
    if (type === 2 && i + 1 < nbars) {
      // 64-bit BAR: the upper half lives in the next BAR; bases above 4 GiB are not reachable here.
      const hi = yield* pci_read_config(ctx, bus, dev, fn, off + 4, 4);
      d.bars.push({ index: i, kind: 'mem64', base: hi * 2 ** 32 + ((raw & ~0xf) >>> 0), size: sizeFromMask(m), prefetchable });
      i++;
      continue;
    }
    d.bars.push({ index: i, kind: 'mem32', base: (raw & ~0xf) >>> 0, size: sizeFromMask(m), prefetchable });
  }
  if (decode) pci_write_config(ctx, bus, dev, fn, PCI_COMMAND, 2, cmd);
}

function sizeFromMask(mask: number): number {
  return mask === 0 ? 0 : (~mask >>> 0) + 1;
}
