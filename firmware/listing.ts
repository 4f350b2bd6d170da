import type { PciDeviceInfo, SystemPage } from '../emulator/machine/bus/node-bus';

/** Short names for the PCI base classes/subclasses a board listing meets. */
const CLASS_NAMES: Record<number, string> = {
  0x0600: 'host bridge',
  0x0601: 'ISA bridge',
  0x0604: 'PCI bridge',
  0x0200: 'Ethernet',
  0x0280: 'network',
};

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function h(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

/** "PCI 00:03.0 10ec:8029 class 020000 IO 0xc000-0xc01f IRQ 11" */
export function pciListingLine(d: PciDeviceInfo): string {
  const parts = [`PCI ${h(d.bus, 2)}:${h(d.device, 2)}.${d.function} ${h(d.vendorId, 4)}:${h(d.deviceId, 4)} class ${h(d.classCode, 6)}`];
  for (const b of d.bars) parts.push(`${b.kind === 'io' ? 'IO' : 'MEM'} ${hex(b.base)}-${hex(b.base + b.size - 1)}`);
  if (d.irq !== 0xff) parts.push(`IRQ ${d.irq}`);
  const name = CLASS_NAMES[d.classCode >>> 8];
  if (name && d.bars.length === 0 && d.irq === 0xff) parts.push(`(${name})`);
  return parts.join(' ');
}

/**
 * What start-up prints with -v: one line per fact the OS will rely on, in a fixed order, so a boot log is
 * comparable run to run.
 */
export function startupListing(sp: SystemPage): string[] {
  const lines = [
    `startup: ${sp.cpus} CPU${sp.cpus === 1 ? '' : 's'}, RAM ${sp.ramBytes >>> 10} KiB, free ${hex(sp.freeMemBase)}-${hex(sp.freeMemEnd - 1)}`,
    `8259A pair: IRQ0-7 vectors ${hex(sp.picVectorBase)}-${hex(sp.picVectorBase + 7)}, IRQ8-15 vectors ${hex(sp.picVectorBase + 8)}-${hex(sp.picVectorBase + 15)}`,
  ];
  if (sp.interruptController === 'ioapic') lines.push(`I/O APIC at ${hex(sp.ioapicBase)} (interrupt controller: ioapic)`);
  else lines.push('interrupt controller: 8259');
  for (const d of sp.pci) lines.push(pciListingLine(d));
  for (const d of sp.isa) lines.push(`ISA ${d.name} IO ${hex(d.ioport)} IRQ ${d.irq}`);
  return lines;
}
