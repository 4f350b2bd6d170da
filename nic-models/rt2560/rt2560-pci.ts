/**
 * The RT2560 as a PCI function: 1814:0201 revision 1, class 0x0280 (other network controller), INTA#, one 32-bit
 * non-prefetchable memory BAR of 8 KiB *(I)* decoding the CSR window (csr.ts) at 0x000–0x1ff; the rest of the BAR
 * reads 0 and drops writes (traced as unmapped). RST# is a power-on reset of the chip. Wireless: `connect` refuses
 * a wire; `connectRadio` puts the radio on the air.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { AccessSize, DmaMemory, IrqLine, PciConfigAccess, PciFunction, PciFunctionSpec, RegisterHandler } from '../../emulator/machine/bus/types';
import type { PciTargetTiming } from '../../emulator/machine/bus/timing';
import type { Medium } from '../../emulator/machine/net/link';
import type { Position, WirelessMedium } from '../../emulator/machine/net/wireless/radio';
import type { NicInspection, PciNicDevice } from '../kind';
import { Rt2560Core, type Rt2560Options } from './core';
import { CSR_SPAN } from './csr';
import { inspectRt2560 } from './inspect';
import { BAR0_SIZE, PCI_ID } from './regs';
import { loadRt2560, saveRt2560, type Rt2560State } from './snapshot';
import { PCI_WAIT_CSR } from './timing';

export const RT2560_PCI_TIMING: PciTargetTiming = { devsel: 'medium', waitClocks: () => PCI_WAIT_CSR };

export class Rt2560Pci implements PciFunction, PciNicDevice {
  readonly bus = 'pci';
  readonly core: Rt2560Core;
  readonly spec: PciFunctionSpec;

  constructor(ctx: ComponentContext, opts: Rt2560Options) {
    this.core = new Rt2560Core(ctx, opts);
    const c = this.core;
    const bar0: RegisterHandler = {
      read: (off: number, size: AccessSize) => (off < CSR_SPAN ? c.table.read(off, size) : 0),
      write: (off: number, size: AccessSize, v: number) => {
        if (off < CSR_SPAN) c.table.write(off, size, v);
        else c.trace('reg-unmapped', { dir: 'write', off, size, value: v >>> 0 });
      },
    };
    this.spec = {
      vendorId: PCI_ID.VENDOR,
      deviceId: PCI_ID.DEVICE,
      revision: PCI_ID.REVISION,
      classCode: PCI_ID.CLASS,
      subsystemVendorId: PCI_ID.VENDOR,
      subsystemId: PCI_ID.DEVICE,
      interruptPin: 1,
      bars: [{ kind: 'mem32', size: BAR0_SIZE, handler: bar0 }],
      timing: RT2560_PCI_TIMING,
    };
  }

  attachIntx(line: IrqLine): void {
    this.core.attachIrq(line);
  }

  attachConfig(cfg: PciConfigAccess): void {
    this.core.cfg = cfg;
  }

  attachDma(dma: DmaMemory): void {
    this.core.dmaMem = dma;
  }

  reset(): void {
    this.core.powerOnReset();
  }

  get fn(): PciFunction {
    return this;
  }

  connect(medium: Medium): void {
    this.core.trace('connect-refused', { medium: medium.name, reason: 'a wireless NIC attaches to a type: wireless link' });
    throw new Error(`${this.core.ctx.name}: the RT2560 is a wireless NIC; give it a 'type: wireless' link`);
  }

  connectRadio(medium: WirelessMedium, position: () => Position): void {
    this.core.connectRadio(medium, position);
  }

  inspect(): NicInspection {
    return inspectRt2560(this.core);
  }

  saveState(): Rt2560State {
    return saveRt2560(this.core);
  }

  loadState(s: { v: number }): void {
    loadRt2560(this.core, s);
  }
}
