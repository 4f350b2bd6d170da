import type { NodeBus } from '../emulator/machine/bus/node-bus';
import { PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_DATA_PORT, pciConfigAddress } from '../emulator/machine/bus/pc-platform';

/** The only access firmware start-up has to the board: x86 IN/OUT. */
export type PortIo = Pick<NodeBus, 'in8' | 'in16' | 'in32' | 'out8' | 'out16' | 'out32'>;

const CONFIG_ADDRESS = PCI_CONFIG_ADDRESS_PORT;
const CONFIG_DATA = PCI_CONFIG_DATA_PORT;

/**
 * PCI configuration cycles through mechanism #1, as a BIOS issues them: a dword write of
 * (enable | bus | device | function | register) to 0xCF8, then an access of the wanted width at
 * 0xCFC + (register & 3). Bus 0 only.
 */
export class ConfigCycles {
  constructor(private readonly io: PortIo) {}

  read8(dev: number, fn: number, reg: number): number {
    this.select(dev, fn, reg);
    return this.io.in8(CONFIG_DATA + (reg & 3));
  }
  read16(dev: number, fn: number, reg: number): number {
    this.select(dev, fn, reg);
    return this.io.in16(CONFIG_DATA + (reg & 2));
  }
  read32(dev: number, fn: number, reg: number): number {
    this.select(dev, fn, reg);
    return this.io.in32(CONFIG_DATA) >>> 0;
  }
  write8(dev: number, fn: number, reg: number, value: number): void {
    this.select(dev, fn, reg);
    this.io.out8(CONFIG_DATA + (reg & 3), value);
  }
  write16(dev: number, fn: number, reg: number, value: number): void {
    this.select(dev, fn, reg);
    this.io.out16(CONFIG_DATA + (reg & 2), value);
  }
  write32(dev: number, fn: number, reg: number, value: number): void {
    this.select(dev, fn, reg);
    this.io.out32(CONFIG_DATA, value);
  }

  private select(dev: number, fn: number, reg: number): void {
    this.io.out32(CONFIG_ADDRESS, pciConfigAddress(0, dev, fn, reg));
  }
}
