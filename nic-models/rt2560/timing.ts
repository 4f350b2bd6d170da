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
/**
 * The cipher engine's clock *(I: Ralink publishes no datasheet; the figure is chosen so that the engine keeps up with
 * 54 Mb/s with a wide margin, as an inline engine must)*: 40 MHz, one clock every 25 ns.
 */
export const CIPHER_CLOCK_NS: Time = 25;
/**
 * Clocks per AES-128 block *(I)*: an iterative core doing one round per clock (10 rounds) plus the initial key
 * addition. CCM needs a CBC-MAC and a CTR encryption of every block; the engine is taken to run the two in
 * parallel (two cores, or one pipelined core), so each 16-byte block costs one AES time.
 */
export const AES_BLOCK_CYCLES = 11;
/** Clocks to expand the 128-bit key of a descriptor into the round keys before the first block *(I)*: one per round. */
export const AES_KEY_EXPANSION_CYCLES = 10;
/**
 * Processing time of one CCMP MPDU in the engine: key expansion, then B0, the AAD blocks, the payload blocks and the
 * MIC's counter block A0 (ccmp.ts ccmpBlocks). A 1500-byte payload: 98 blocks → (10 + 98 · 11) · 25 ns = 27.2 µs,
 * 18 ns per byte — 4.4 times 54 Mb/s line rate (148 ns per byte).
 */
export function cipherProcessNs(blocks: number): Time {
  return (AES_KEY_EXPANSION_CYCLES + blocks * AES_BLOCK_CYCLES) * CIPHER_CLOCK_NS;
}
