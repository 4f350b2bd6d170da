import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { Snapshottable } from '../../emulator/machine/sim/snapshot';
import type { IrqLine, PciFunction, PciFunctionSpec } from '../../emulator/machine/bus/types';
import type { Medium } from '../../emulator/machine/net/link';
import { Dp8390Core, type Dp8390State } from './dp8390-core';
import { NE2000_WINDOW_SIZE, Ne2000Window } from './ne2000-window';

export interface Rtl8029PciOptions {
  /** Station address from configuration (PROM bytes 0–5). */
  mac: ArrayLike<number>;
  /** Power-on CONFIG3.FUDUP (what the EEPROM would load). Default false. */
  fullDuplex?: boolean;
  /** PCI revision ID. Default 0. */
  revision?: number;
}

/**
 * Realtek RTL8029AS: an NE2000-compatible DP8390 core on PCI (vendor 10ec, device 8029, class 0x020000,
 * INTA#). BAR0 is a 32-byte I/O window with the NE2000 layout (registers, data port 0x10, reset port 0x1F).
 * Chip extras (in the core): ID bytes 0x50 0x43 at page-0 0x0A/0x0B, page-3 9346CR/CONFIG0/2/3/HLTCLK,
 * RCR bits 7:6 reading 1 on page 2, TSR bit 1 always 1.
 */
export class Rtl8029Pci implements PciFunction, Snapshottable<Dp8390State> {
  readonly core: Dp8390Core;
  readonly spec: PciFunctionSpec;

  constructor(ctx: ComponentContext, opts: Rtl8029PciOptions) {
    this.core = new Dp8390Core(ctx, { mac: opts.mac, variant: 'rtl8029', fullDuplex: opts.fullDuplex ?? false });
    const window = new Ne2000Window(this.core);
    this.spec = {
      vendorId: 0x10ec,
      deviceId: 0x8029,
      revision: opts.revision ?? 0,
      classCode: 0x020000,
      subsystemVendorId: 0x10ec,
      subsystemId: 0x8029,
      interruptPin: 1,
      bars: [{ kind: 'io', size: NE2000_WINDOW_SIZE, handler: window }],
    };
  }

  attachIntx(line: IrqLine): void {
    this.core.attachIrq(line);
  }

  /** PCI RST#: the chip's RESET pin. */
  reset(): void {
    this.core.hardwareReset();
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
