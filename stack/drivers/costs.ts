/**
 * Virtual CPU costs of the NE2000 drivers (nanoseconds). A driver charges these with `ctx.charge` / `ctx.work`
 * so that a port-I/O NIC costs what it did on a PC of the era: every `inb`/`outb`/`inw` stalls the CPU for a
 * full bus cycle, which is why an NE2000 moves a 1514-byte frame in roughly 0.8 ms of CPU.
 */

/**
 * One I/O cycle to an ISA card. An 8 MHz ISA bus I/O cycle is 4 bus clocks plus one wait state by default
 * (≈ 625 ns), and the CPU-to-ISA bridge adds synchronisation; measured `inb` from ISA on 486/Pentium boards is
 * commonly quoted near 1 µs. Word I/O to a 16-bit card costs the same single cycle.
 */
export const ISA_IO_ACCESS_NS = 1000;

/**
 * One I/O cycle to a PCI NE2000 clone (RTL8029AS). Reads are not posted: the host bridge runs a PCI I/O cycle
 * (address, medium DEVSEL, the chip's wait states) of ~15–20 clocks at 33 MHz ≈ 0.5–0.6 µs.
 */
export const PCI_IO_ACCESS_NS = 600;

/** One configuration-mechanism-#1 access is two port cycles on the host bridge (0xCF8 then 0xCFC). */
export const PCI_CONFIG_ACCESS_NS = 2 * PCI_IO_ACCESS_NS;

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
