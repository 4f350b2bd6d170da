/**
 * The boot code the 5701's RX CPU runs from the EEPROM after RST# and after every core reset (design §1.7.2),
 * as behaviour: the RISC CPUs are not emulated. BOOT_NS after the reset it validates the EEPROM image, writes
 * the SRAM signature, hardware configuration and PHY ID words, the "HK" MAC mailbox and MAC_ADDR_0, enables the
 * memory arbiter, and last writes the handshake complement 0xB49A89AB at SRAM 0xb50 (tg3 `tg3_poll_fw`, bge
 * `bge_poll_fw` wait for it) — whatever the driver left there *(I: it acknowledges the driver's pre-reset
 * signature; writing it unconditionally also satisfies a driver that wrote none)*. An image that fails
 * validation sets RX_CPU_MODE.ROMFAIL and leaves the MAC all zeros (bge then takes NO_EEPROM; tg3 finds no
 * valid address and fails its probe, as with a blank part).
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { EE, eepromImageValid } from './eeprom';
import type { RegFile } from './reg-file';
import type { Sram } from './sram';
import { BLOCK, FIRMWARE_ACK, FIRMWARE_MAGIC, MAC, MAC_MBOX_SIG, MODE_ENABLE, SRAM } from './regs';
import { BOOT_NS } from './timing';

/** PHYSID1 << 16 | PHYSID2 of the integrated PHY (BCM5701: OUI 0x001018, model 0x11, revision 2). */
export const DATA_PHY_ID = 0x00206112;

export interface BootHooks {
  readonly f: RegFile;
  readonly sram: Sram;
  readonly image: () => Uint8Array;
  /** MAC_ADDR_0 was written (the receive filter follows). */
  macWritten(): void;
  trace(probe: string, f: Record<string, number | string | boolean>): void;
}

export class BootCode {
  romFail = false;
  private readonly done: SimEvent;

  constructor(private readonly ctx: ComponentContext, private readonly h: BootHooks) {
    this.done = new SimEvent(`${ctx.name}.bootDone`, () => this.run(), Priority.Device);
  }

  get running(): boolean {
    return this.done.scheduled;
  }

  /** A reset happened: the boot code starts over. */
  start(kind: 'rst' | 'core'): void {
    const q = this.ctx.queue;
    q.deschedule(this.done);
    q.scheduleIn(this.done, BOOT_NS);
    this.h.trace('boot-start', { kind });
  }

  private run(): void {
    const { f, sram } = this.h;
    const img = this.h.image();
    this.romFail = !eepromImageValid(img);
    if (!this.romFail) {
      const be = (o: number): number => ((img[o]! << 24) | (img[o + 1]! << 16) | (img[o + 2]! << 8) | img[o + 3]!) >>> 0;
      sram.write32(SRAM.DATA_SIG, FIRMWARE_MAGIC);
      sram.write32(SRAM.DATA_CFG, be(EE.HWCFG));
      sram.write32(SRAM.DATA_VER, 0);
      sram.write32(SRAM.DATA_CFG_2, 0);
      sram.write32(SRAM.DATA_CFG_3, 0);
      sram.write32(SRAM.DATA_PHY_ID, DATA_PHY_ID);
      const m = Array.from({ length: 6 }, (_, i) => img[EE.MAC + i]!);
      const hi = (m[0]! << 8) | m[1]!;
      const lo = ((m[2]! << 24) | (m[3]! << 16) | (m[4]! << 8) | m[5]!) >>> 0;
      sram.write32(SRAM.MAC_ADDR_HIGH_MBOX, ((MAC_MBOX_SIG << 16) | hi) >>> 0);
      sram.write32(SRAM.MAC_ADDR_LOW_MBOX, lo);
      f.set(MAC.ADDR_0_HIGH, hi);
      f.set(MAC.ADDR_0_HIGH + 4, lo);
      this.h.macWritten();
      f.set(BLOCK.MEMARB, f.get(BLOCK.MEMARB) | MODE_ENABLE);
      sram.write32(SRAM.FW_ASF_STATUS_MBOX, FIRMWARE_ACK);
    }
    sram.write32(SRAM.FIRMWARE_MBOX, FIRMWARE_ACK);
    this.h.trace('boot-done', { romfail: this.romFail, ns: BOOT_NS });
  }

  saveState(): { romFail: boolean; done: number } {
    return { romFail: this.romFail, done: this.done.when };
  }

  loadState(s: { romFail: boolean; done: number }): void {
    this.romFail = s.romFail;
    this.ctx.queue.deschedule(this.done);
    if (s.done >= 0) this.ctx.queue.schedule(this.done, s.done);
  }
}
