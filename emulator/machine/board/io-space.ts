import type { ComponentContext } from '../sim/context';
import { ISA_8BIT_TARGET } from '../bus/timing';
import { AddressSpace } from './address-space';
import { isaIoTiming } from './isa-bus';

/** Size of the x86 I/O port space: ports 0x0000–0xFFFF. */
export const IO_SPACE_SIZE = 0x1_0000;

/**
 * The x86 I/O port space (64 KiB of ports). ISA devices are mapped at fixed ports by the board
 * configuration; PCI I/O BARs are mapped by the PCI host when the OS enables I/O decode. Unclaimed ports read
 * as open bus (0xFF per byte), as on a PC where no device drives the data lines: the PIIX3 claims the
 * unclaimed cycle subtractively and runs an 8-bit ISA cycle nobody answers, which costs its full length.
 */
export class IoSpace extends AddressSpace {
  constructor(ctx: ComponentContext) {
    super(ctx, 'io', IO_SPACE_SIZE, isaIoTiming(ISA_8BIT_TARGET, 'subtractive'));
  }
}
