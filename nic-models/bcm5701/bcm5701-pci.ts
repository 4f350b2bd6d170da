/**
 * The BCM5701 as a PCI function (design §1.3): 14e4:1645 revision B5, class Ethernet, INTA#, one 64 KiB 32-bit
 * non-prefetchable memory BAR (a real 5701's BAR0 is 64-bit *(I)*; neither tg3 nor bge cares, and a 32-bit BAR
 * keeps firmware from placing it above 4 GiB), the PCI-X capability pre-5705 tg3 insists on ("Cannot find PCI-X
 * capability, aborting") followed by PCI power management, and the device-specific configuration registers
 * 0x64–0xff through the config hooks. RST# is a power-on reset of the chip.
 *
 * The 5701 is a 64-bit, 66 MHz conventional PCI device that also runs PCI-X (its PCI-X status below says
 * "64-bit device, 133 MHz capable"; tg3_get_invariants reads PCISTATE.BUS_SPEED_HIGH and BUS_32BIT and
 * tg3_bus_string prints "PCI:66MHz:64-bit" for such a slot): it declares both in its spec, so its status
 * register reports 66MHZ_CAPABLE, and learns its slot at plug-in (`attachBus`), which PCISTATE reports.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { AccessSize, DmaMemory, IrqLine, PciConfigAccess, PciFunction, PciFunctionSpec, PciSegmentView } from '../../emulator/machine/bus/types';
import type { PciTargetTiming } from '../../emulator/machine/bus/timing';
import type { Medium } from '../../emulator/machine/net/link';
import type { NicInspection, PciNicDevice } from '../kind';
import { BAR0_SIZE } from './bar0';
import { Bcm5701Core, type Bcm5701Options } from './core';
import { inspectBcm5701 } from './inspect';
import { PCI_ID } from './regs';
import { loadBcm5701, saveBcm5701, type Bcm5701State } from './snapshot';
import { PCI_WAIT_MAILBOX, PCI_WAIT_REGISTER, PCI_WAIT_SRAM } from './timing';

/** Target timing: DEVSEL# medium; wait states by region (timing.ts). */
export const BCM5701_PCI_TIMING: PciTargetTiming = {
  devsel: 'medium',
  waitClocks: (_bar, off) =>
    off >= 0x8000 ? PCI_WAIT_SRAM : (off >= 0x200 && off < 0x400) || (off >= 0x5800 && off < 0x5a00) ? PCI_WAIT_MAILBOX : PCI_WAIT_REGISTER,
};

export interface Bcm5701PciOptions extends Bcm5701Options {
  /** Subsystem vendor and device (default 14e4:0001, the BCM95701A5 board tg3 maps to the BCM5701 PHY). */
  subsystem?: { vendor: number; device: number };
}

export class Bcm5701Pci implements PciFunction, PciNicDevice {
  readonly bus = 'pci';
  readonly core: Bcm5701Core;
  readonly spec: PciFunctionSpec;

  constructor(ctx: ComponentContext, opts: Bcm5701PciOptions) {
    this.core = new Bcm5701Core(ctx, opts);
    this.spec = {
      vendorId: PCI_ID.VENDOR,
      deviceId: PCI_ID.DEVICE,
      revision: PCI_ID.REVISION,
      classCode: PCI_ID.CLASS,
      subsystemVendorId: opts.subsystem?.vendor ?? PCI_ID.SUBSYS_VENDOR,
      subsystemId: opts.subsystem?.device ?? PCI_ID.SUBSYS_ID,
      interruptPin: 1,
      bars: [{ kind: 'mem32', size: BAR0_SIZE, handler: this.core.bar0 }],
      capabilities: [
        // PCI-X (0x40): command 0x0002 (ERO) *(I)*, writable; status: 64-bit, 133 MHz capable, bus/dev/fn all ones.
        { id: 0x07, body: [0x02, 0x00, 0xff, 0xff, 0x03, 0x00], writable: [0, 1] },
        // Power management (0x48): PMC 0xc002 (PM 1.1, PME from D3hot/D3cold); PMCSR answered by the config hook.
        { id: 0x01, body: [0x02, 0xc0, 0x00, 0x00, 0x00, 0x00] },
      ],
      timing: BCM5701_PCI_TIMING,
      capable66MHz: true,
      bus64: true,
    };
  }

  attachIntx(line: IrqLine): void {
    this.core.irq.attach(line);
  }

  configRead(offset: number, size: AccessSize): number | undefined {
    return this.core.config.read(offset, size, this.core.table);
  }

  configWrite(offset: number, size: AccessSize, value: number): boolean {
    return this.core.config.write(offset, size, value, this.core.table);
  }

  attachConfig(cfg: PciConfigAccess): void {
    this.core.cfg = cfg;
  }

  /** The slot the chip is plugged into: M66EN and REQ64# for PCISTATE, the clock for its own master aborts. */
  attachBus(segment: PciSegmentView): void {
    this.core.segment = segment;
  }

  attachDma(dma: DmaMemory): void {
    this.core.dmaMem = dma;
  }

  /** PCI RST#: power-on reset of the whole chip. */
  reset(): void {
    this.core.powerOnReset();
  }

  connect(medium: Medium): void {
    this.core.connect(medium);
  }

  get fn(): PciFunction {
    return this;
  }

  inspect(): NicInspection {
    return inspectBcm5701(this.core);
  }

  saveState(): Bcm5701State {
    return saveBcm5701(this.core);
  }

  loadState(s: Bcm5701State): void {
    loadBcm5701(this.core, s);
  }
}
