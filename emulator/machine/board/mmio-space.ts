import type { ComponentContext } from '../sim/context';
import { AddressSpace } from './address-space';
import { UNCLAIMED_MEMORY } from './pci-bus';

/** 32-bit physical address space. */
export const MMIO_SPACE_SIZE = 0x1_0000_0000;

/**
 * Memory-mapped register windows in the 32-bit physical address space above RAM: PCI memory BARs (assigned by
 * start-up from 0xE0000000) and the I/O APIC at 0xFEC00000. RAM itself is not a region here; the node's bus
 * sends memRead/memWrite straight to `PhysicalMemory`. Unclaimed addresses read all-ones (master abort on the
 * host bridge's PCI side; such a read costs the master-abort time, a write only its posting).
 */
export class MmioSpace extends AddressSpace {
  constructor(ctx: ComponentContext) {
    super(ctx, 'mmio', MMIO_SPACE_SIZE, UNCLAIMED_MEMORY);
  }
}
