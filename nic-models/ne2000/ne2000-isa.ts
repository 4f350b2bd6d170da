import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { Snapshottable } from '../../emulator/machine/sim/snapshot';
import type { AccessSize, IrqLine, RegisterHandler } from '../../emulator/machine/bus/types';
import type { Medium } from '../../emulator/machine/net/link';
import { Dp8390Core, type Dp8390State } from './dp8390-core';
import { NE2000_WINDOW_SIZE, Ne2000Window } from './ne2000-window';

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
export class Ne2000Isa implements RegisterHandler, Snapshottable<Dp8390State> {
  static readonly PORTS = NE2000_WINDOW_SIZE;
  readonly core: Dp8390Core;
  private readonly window: Ne2000Window;

  constructor(ctx: ComponentContext, opts: Ne2000IsaOptions) {
    this.core = new Dp8390Core(ctx, { mac: opts.mac, variant: opts.variant ?? 'ne2000' });
    this.window = new Ne2000Window(this.core);
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

  connect(medium: Medium): void {
    this.core.connect(medium);
  }

  saveState(): Dp8390State {
    return this.core.saveState();
  }

  loadState(s: Dp8390State): void {
    this.core.loadState(s);
  }
}
