/**
 * Every time constant of the RT2560 model, with where it comes from. No Ralink datasheet was available: constants
 * marked *(I)* are inferred and bounded by what rt2500pci and NetBSD rt2560 tolerate (docs/models/rt2560.md).
 * Airtimes are not here: they come from the PHY formulas (phy.ts) and the medium.
 */
import type { Time } from '../../emulator/machine/sim/time';

/**
 * One BBP serial transaction (BBPCSR BUSY high) *(I)*. NetBSD polls BUSY 100 × DELAY(1) and rt2500pci
 * 100 × 100 µs (REGISTER_BUSY_COUNT/DELAY), so anything well under 100 µs is tolerated by both.
 */
export const BBP_SERIAL_NS: Time = 1_000;
/** One 20-bit RF serial write (RFCSR BUSY high) *(I)*; same bounds as the BBP. */
export const RF_SERIAL_NS: Time = 2_000;
/**
 * The BBP after a reset (CSR1 SOFT_RESET or BBP_RESET released) answers R0 with 0x00 for this long *(I)*:
 * rt2500pci_wait_bbp_ready and NetBSD rt2560_bbp_init poll R0 until it is not 0 (100 × 100 µs / 100 × 1 µs).
 */
export const BBP_RESET_NS: Time = 5_000;
/**
 * A PWRCSR1 state change of the BBP or RF (SET_STATE) takes effect after this long *(I)*. rt2500pci_set_state
 * reads PWRCSR1 at once and then every 10 ms, 100 times; NetBSD never polls (its default table requests awake).
 */
export const POWER_TRANSITION_NS: Time = 500_000;
/**
 * The PHY's receive-to-transmit turnaround that the MAC adds to the inter-frame spaces it counts from CSR18/CSR19:
 * NetBSD rt2560_update_slot programs SIFS = 10 − RT2560_RXTX_TURNAROUND (10 µs), PIFS and DIFS reduced alike
 * ("values taken from the reference driver"). rt2500pci programs the standard values, so on the air its spaces
 * come out 10 µs longer than the standard's — within every receiver's ACK timeout.
 */
export const RXTX_TURNAROUND_NS: Time = 10_000;
/** Frames the receive FIFO holds between the air and host memory *(I: 2 KiB FIFO, one full-size frame plus)*. */
export const RX_FIFO_FRAMES = 2;
/** PCI target wait states of a CSR access (TRDY# delay, PCI clocks) *(I)*. */
export const PCI_WAIT_CSR = 2;
