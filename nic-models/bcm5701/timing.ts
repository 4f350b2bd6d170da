/**
 * Every time constant of the BCM5701 model, with where it comes from. No Broadcom datasheet was available:
 * constants marked *(I)* are inferred (from how tg3/bge wait for them, or from the standards the chip
 * follows) and are bounded by what both drivers tolerate. docs/models/bcm5701.md lists them.
 */
import type { Time } from '../../emulator/machine/sim/time';

/** Core clock of the 570x family: 66 MHz *(I: GRC_MISC_CFG prescaler 65 → 1 µs, what tg3 and bge program)*. */
export const CORE_CLOCK_HZ = 66_000_000;
const CORE_NS = 1e9 / CORE_CLOCK_HZ;

/**
 * Boot code run time after RST# or a core reset until SRAM 0xb50 holds the handshake complement *(I)*. Must
 * be < 10 ms (old bge `bge_poll_fw`: 1000 × 10 µs) and < 1 s (tg3 `tg3_poll_fw`).
 */
export const BOOT_NS: Time = 1_000_000;

/**
 * One coalescing/statistics tick: (GRC_MISC_CFG.PRESCALAR + 1) core clocks; 65 → 1 µs *(I)*. tg3 and bge both
 * program 0x82 (prescaler 65) and then give every HOSTCC time in µs.
 */
export function tickNs(prescaler: number): Time {
  return Math.max(1, Math.round((prescaler + 1) * CORE_NS));
}

/**
 * One random read of a serial EEPROM dword: start, device address, two address bytes, restart, device address,
 * four data bytes with ACKs, stop ≈ 75 SCL clocks; SCL period = 2 × CLKPERD core clocks *(I)*. CLKPERD 0x60
 * (tg3) → ≈ 218 µs; 0x180 (bge) → ≈ 873 µs. tg3 polls with msleep(1), bge with DELAY(10).
 */
export const EEPROM_CLOCKS_PER_OP = 75;
export function eepromOpNs(clkperd: number): Time {
  return Math.round(EEPROM_CLOCKS_PER_OP * 2 * Math.max(1, clkperd) * CORE_NS);
}
/** Internal write cycle of a 24Cxx after a write (tWR, 5 ms max in 24C02–24C64 datasheets). */
export const EEPROM_WRITE_CYCLE_NS: Time = 5_000_000;

/** At most this many send BDs are fetched by one `txFetch` event (bounds one event; tg3 batches of 32 *(I)*). */
export const TX_FETCH_MAX_BDS = 32;
/** A send chain without END that stops growing for this long is discarded (`no-end-bd`) *(I)*. */
export const TX_NO_END_IDLE_NS: Time = 1_000_000_000;
/** At most this many frames are placed by one `rxPlace` event *(I)*. */
export const RX_PLACE_MAX_FRAMES = 32;
/** Frames the TX FIFO holds at most besides the mbuf budget (a bound, never reached with 96 KiB) *(I)*. */
export const TX_FIFO_MAX_FRAMES = 64;

/**
 * PCI target wait states (TRDY# delay, PCI clocks) *(I — no figure is published; a register read then costs
 * 11 clocks = 330 ns with pci-bus.ts's host-bridge assumptions)*: mailboxes are a simple latch, registers
 * cross into the core clock domain, the SRAM window goes through the memory arbiter.
 */
export const PCI_WAIT_MAILBOX = 1;
export const PCI_WAIT_REGISTER = 4;
export const PCI_WAIT_SRAM = 6;
