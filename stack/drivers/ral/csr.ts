/**
 * Register access for devnp-ral, after rt2560reg.h's macros: RAL_READ/RAL_WRITE are 32-bit accesses to BAR0
 * (MMIO on the calling thread's timeline); RT2560_EEPROM_CTL is a CSR21 write followed by the EEPROM hold
 * time; the PCI configuration paths are mechanism #1 cycles (stack/lib/pci). DELAY() spins for short waits
 * and sleeps for long ones (costs.ts).
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { pci_read_config, pci_write_config, type PciDevice } from '../../lib/pci';
import { DELAY_SLEEP_MIN_US } from './costs';
import { RT2560_CSR21, RT2560_EEPROM_DELAY } from './regs';

/** DELAY(us): nanospin for short waits, delay() (sleep) for long ones. */
export function* DELAY(ctx: ThreadCtx, us: number): Co<void> {
  if (us < DELAY_SLEEP_MIN_US) yield* ctx.work(us * 1000);
  else yield* ctx.sleep(us * 1000);
}

export class RalCsr {
  constructor(readonly dev: PciDevice, readonly base: number, readonly size: number) {}

  /** RAL_READ. */
  *read(ctx: ThreadCtx, off: number): Co<number> {
    return (yield* ctx.mmioRead(this.base + off, 4)) >>> 0;
  }

  /** RAL_WRITE (a posted write: placed on the thread's timeline, returns at once). */
  write(ctx: ThreadCtx, off: number, value: number): void {
    ctx.mmioWrite(this.base + off, 4, value >>> 0);
  }

  /** RT2560_EEPROM_CTL: drive the EEPROM pins, then hold them RT2560_EEPROM_DELAY µs. */
  *eepromCtl(ctx: ThreadCtx, pins: number): Co<void> {
    this.write(ctx, RT2560_CSR21, pins);
    yield* DELAY(ctx, RT2560_EEPROM_DELAY);
  }

  *cfgRead(ctx: ThreadCtx, off: number, size: 1 | 2 | 4 = 4): Co<number> {
    return yield* pci_read_config(ctx, this.dev.bus, this.dev.dev, this.dev.fn, off, size);
  }

  cfgWrite(ctx: ThreadCtx, off: number, value: number, size: 1 | 2 | 4 = 4): void {
    pci_write_config(ctx, this.dev.bus, this.dev.dev, this.dev.fn, off, size, value);
  }
}
