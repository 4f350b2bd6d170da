import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { Snapshottable } from '../../emulator/machine/sim/snapshot';
import type { AccessSize, IrqLine, RegisterHandler } from '../../emulator/machine/bus/types';
import { isaTarget, type IsaTargetTiming } from '../../emulator/machine/bus/timing';
import type { Medium } from '../../emulator/machine/net/link';
import type { IsaNicDevice, NicInspection } from '../kind';
import { Dp8390Core, type Dp8390State } from './dp8390-core';
import { inspectDp8390 } from './inspect';
import { NE2000_WINDOW_SIZE, NE_DATAPORT, Ne2000Window } from './ne2000-window';

/**
 * The card's side of its ISA cycles. The NE2000 is a 16-bit card whose ASIC asserts IOCS16# for the data
 * port (0x10–0x17; Linux ne.c and NetBSD ne2000.c move packet data there with insw/outsw) while the DP8390's
 * registers stay byte wide; the NE1000 is an 8-bit card. No IOCHRDY wait states: the DP8390's remote DMA moves
 * a word in one 200 ns local cycle (DP8390D datasheet, "DMA Operations"), shorter than the I/O recovery the
 * bus leaves between two data-port cycles, so the next word is latched before the CPU asks for it.
 */
export function ne2000IsaTiming(variant: 'ne2000' | 'ne1000'): IsaTargetTiming {
  return isaTarget({ io16: (offset) => variant === 'ne2000' && (offset & 0x18) === NE_DATAPORT });
}

export interface Ne2000IsaOptions {
  /** Station address from configuration (PROM bytes 0–5). */
  mac: ArrayLike<number>;
  /** 'ne2000' (16 KiB at 0x4000, default) or 'ne1000' (8 KiB at 0x2000). */
  variant?: 'ne2000' | 'ne1000';
}

/**
 * A Novell NE2000 (or NE1000) ISA card: a 32-port I/O window at a base the board chooses (0x300 is typical) and
 * one interrupt output the board wires to an ISA IRQ (edge-triggered at the PIC; the card drives a level).
 */
export class Ne2000Isa implements RegisterHandler, Snapshottable<Dp8390State>, IsaNicDevice {
  static readonly PORTS = NE2000_WINDOW_SIZE;
  readonly bus = 'isa';
  readonly ports = NE2000_WINDOW_SIZE;
  readonly core: Dp8390Core;
  /** What the board's ISA bus needs to time accesses to this card. */
  readonly timing: IsaTargetTiming;
  /** The 32-port window the board maps at the card's base port. */
  readonly window: Ne2000Window;

  constructor(ctx: ComponentContext, opts: Ne2000IsaOptions) {
    this.core = new Dp8390Core(ctx, { mac: opts.mac, variant: opts.variant ?? 'ne2000' });
    this.window = new Ne2000Window(this.core);
    this.timing = ne2000IsaTiming(opts.variant ?? 'ne2000');
  }

  read(offset: number, size: AccessSize): number {
    return this.window.read(offset, size);
  }

  write(offset: number, size: AccessSize, value: number): void {
    this.window.write(offset, size, value);
  }

  attachIrq(line: IrqLine): void {
    this.core.attachIrq(line);
  }

  /** RESET DRV at power-on: the card's RESET pin follows it (the DP8390's hardware reset). */
  reset(): void {
    this.core.hardwareReset();
  }

  connect(medium: Medium): void {
    this.core.connect(medium);
  }

  inspect(): NicInspection {
    return inspectDp8390(this.core);
  }

  saveState(): Dp8390State {
    return this.core.saveState();
  }

  loadState(s: Dp8390State): void {
    this.core.loadState(s);
  }
}
