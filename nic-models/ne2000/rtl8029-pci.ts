import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { Snapshottable } from '../../emulator/machine/sim/snapshot';
import type { IrqLine, PciFunction, PciFunctionSpec } from '../../emulator/machine/bus/types';
import type { PciTargetTiming } from '../../emulator/machine/bus/timing';
import type { Medium } from '../../emulator/machine/net/link';
import type { NicInspection, PciNicDevice } from '../kind';
import { Dp8390Core, type Dp8390State } from './dp8390-core';
import { inspectDp8390 } from './inspect';
import { NE2000_WINDOW_SIZE, NE_DATAPORT, Ne2000Window } from './ne2000-window';

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
/**
 * The chip's side of its PCI cycles. DEVSEL# medium, as its configuration status register reports. Target wait
 * states are an estimate, not a datasheet figure (the RTL8029AS datasheet gives no target-latency timing): a
 * DP8390 register access is handed to the core's 20 MHz BSCK domain and completes in one local bus cycle of
 * 4 BSCK = 200 ns (DP8390D datasheet, "DMA Operations"), about 6 PCI clocks; the data port is served from the
 * remote DMA's prefetched word, so it waits only for the clock-domain crossing, 2 BSCK = 100 ns ≈ 3 clocks.
 */
export const RTL8029_PCI_TIMING: PciTargetTiming = {
  devsel: 'medium',
  waitClocks: (_bar, offset) => ((offset & 0x1f) >= NE_DATAPORT && (offset & 0x1f) < 0x18 ? 3 : 6),
};

export class Rtl8029Pci implements PciFunction, Snapshottable<Dp8390State>, PciNicDevice {
  readonly bus = 'pci';
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
      timing: RTL8029_PCI_TIMING,
      // A 33 MHz, 32-bit PCI target (no bus mastering at all): on a 66 MHz segment it grounds M66EN and the
      // segment runs at 33 (emulator/machine/board/pci-segment.ts).
      capable66MHz: false,
      bus64: false,
    };
  }

  attachIntx(line: IrqLine): void {
    this.core.attachIrq(line);
  }

  /** PCI RST#: the chip's RESET pin; CONFIG2/3 reload from the EEPROM (rtl8029-config.ts). */
  reset(): void {
    this.core.rtl?.autoLoad();
    this.core.hardwareReset();
  }

  connect(medium: Medium): void {
    this.core.connect(medium);
  }

  /** The PCI function the board (or the v86 adapter) plugs in: the chip itself. */
  get fn(): PciFunction {
    return this;
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
