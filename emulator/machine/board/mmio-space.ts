import type { ComponentContext } from '../sim/context';
import { AddressSpace } from './address-space';
import type { BusTiming } from '../bus/timing';
import { UNCLAIMED_MEMORY } from './pci-bus';

/** 32-bit physical address space. */
export const MMIO_SPACE_SIZE = 0x1_0000_0000;

/**
 * Memory-mapped register windows in the 32-bit physical address space above RAM: PCI memory BARs (assigned by
 * start-up from 0xE0000000) and the I/O APIC at 0xFEC00000. RAM itself is not a region here; the node's bus
 * sends memRead/memWrite straight to `PhysicalMemory`. Unclaimed addresses read all-ones (master abort on the
 * host bridge's PCI side; such a read costs the master-abort time, a write only its posting, at the clock of the
 * board's PCI segment: `unclaimed`, 33 MHz by default).
 */
export class MmioSpace extends AddressSpace {
  constructor(ctx: ComponentContext, unclaimed: BusTiming = UNCLAIMED_MEMORY) {
    super(ctx, 'mmio', MMIO_SPACE_SIZE, unclaimed);
  }
}
