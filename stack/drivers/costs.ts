/**
 * Virtual CPU costs of the NE2000 drivers (nanoseconds): the C code around the port I/O, charged with
 * `ctx.charge` / `ctx.work`. Port I/O itself is not here: every `inb`/`outb`/`insw` is a ThreadCtx port access
 * whose bus cycle the node's bus times and charges (emulator/machine/board/isa-bus.ts, pci-bus.ts), which is
 * why an ISA NE2000 spends most of its CPU time stalled on the bus.
 */

/** Per received frame, besides port I/O: mbuf/cluster allocation, header checks, handing to ifInput. */
export const DRIVER_RX_PER_FRAME_NS = 2000;

/** Per transmitted frame, besides port I/O: dequeue from if_snd, bookkeeping of transmit slots, mbuf free. */
export const DRIVER_TX_PER_FRAME_NS = 1500;

/** Interrupt handler entry: reading/writing CR and ISR is port I/O; this is the C bookkeeping around it. */
export const DRIVER_INTR_ENTRY_NS = 500;

/** Spin between polls of ISR.RDC after an upload (NetBSD: `maxwait = 100`, "about 120 µs" in total). */
export const RDC_POLL_SPIN_NS = 200;
export const RDC_MAX_POLLS = 100;

/** dp8390_stop waits up to ~5 ms for ISR.RST after writing STP; we poll every 100 µs. */
export const STOP_POLL_NS = 100_000;
export const STOP_MAX_POLLS = 50;

/** ne2000_detect: 10 ms after the reset-port read, 5 ms after the write-back, 5 ms after CR = STP. */
export const RESET_PULSE_NS = 10_000_000;
export const RESET_SETTLE_NS = 5_000_000;
/** ne2000_detect waits up to 100 × 100 µs for ISR.RST after START. */
export const DETECT_RST_POLL_NS = 100_000;
export const DETECT_RST_MAX_POLLS = 100;

/**
 * Overrun recovery (Linux 8390 ei_rx_overrun, facts §2): after STP wait 10 ms so a transmission in progress
 * ends before the chip is reset. QNX drivers use delay(), which sleeps rather than spins.
 */
export const OVERRUN_STOP_WAIT_NS = 10_000_000;

/** Interrupt handler passes before handing the CPU back (io-pkt requeues the handler): Linux uses 12. */
export const INTR_MAX_PASSES = 12;

/** When two io-pkt threads want the NIC at once, the loser sleeps this long before retrying the lock. */
export const LOCK_RETRY_NS = 1000;

/** io-net shim: copying a frame between an npkt and an mbuf (memcpy at ~1 GB/s) plus per-packet overhead. */
export const SHIM_COPY_PER_BYTE_NS = 1;
export const SHIM_PER_PACKET_NS = 800;

/** devn-ne2000 internal transmit queue (npkts waiting for a free transmit buffer). */
export const LEGACY_TXQ_MAX = 64;

/** dp8390_watchdog: a transmit that has not completed within 2 s resets the NIC. */
export const TX_WATCHDOG_NS = 2_000_000_000;
