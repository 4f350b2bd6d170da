/**
 * Virtual CPU costs of devnp-ral (nanoseconds) for the C code around its register and memory accesses.
 * MMIO and configuration cycles are not here: every RAL_READ/RAL_WRITE is a ThreadCtx MMIO access and every
 * config cycle a pair of port accesses, which the node's PCI bus times and charges. Descriptor accesses are
 * cached host-memory loads and stores (the rings are ordinary RAM to the CPU).
 *
 * The per-frame figures stand for what NetBSD's rt2560.c does per frame (mbuf and DMA-map work,
 * ieee80211_find_rxnode/ieee80211_input hand-off, m_freem); the simulated driver copies frames between JS
 * buffers and its DMA buffers but charges the real driver's work, not a per-byte copy.
 */

/** rt2560_decryption_intr per received frame: new cluster, DMA map reload, find_rxnode, hand-off. */
export const RAL_RX_FRAME_NS = 1500;
/** rt2560_rx_intr per descriptor: flag checks, CIPHER_BUSY marked. */
export const RAL_RX_MARK_NS = 150;
/** rt2560_tx_data / rt2560_tx_mgt per frame: DMA map load, duration, descriptor fill. */
export const RAL_TX_FRAME_NS = 1100;
/** rt2560_encryption_intr per descriptor handed to the transmitter. */
export const RAL_TX_ENCRYPT_DONE_NS = 120;
/** rt2560_tx_intr / rt2560_prio_intr per completed descriptor: unload, m_freem, node release. */
export const RAL_TX_DONE_NS = 350;
/** rt2560_intr + rt2560_softintr entry: the C around the CSR7/CSR8 accesses. */
export const RAL_INTR_NS = 600;
/** rt2560_beacon_expire: ieee80211_beacon_update (TIM, counters) and the descriptor rewrite. */
export const RAL_BEACON_UPDATE_NS = 1500;
/**
 * A crypto request handed to the engine (crypto.ts): the key and IV copied into the descriptor (24 bytes), the
 * header moved over the IV gap (≤ 32 bytes, rt2x00crypto_tx_remove_iv's memmove), the DMA map of the mbuf. The
 * frame is DMA'd from the mbuf in the real driver: no per-byte CPU cost.
 */
export const RAL_CRYPTO_SUBMIT_NS = 400;
/** A finished crypto request: status check, bus_dmamap_sync, crypto_done's hand-off. */
export const RAL_CRYPTO_DONE_NS = 250;
/** One cached host-memory descriptor access. */
export const HOST_DESC_ACCESS_NS = 20;

/**
 * DELAY(us) below this spins (nanospin: the CPU is busy), at or above it the thread sleeps (delay()): how
 * QNX drivers treat short and long waits.
 */
export const DELAY_SLEEP_MIN_US = 50;

/** NIC lock contention: the loser sleeps this long before retrying. */
export const RAL_LOCK_RETRY_NS = 1000;

/** The 1 s tick that drives if_watchdog (ifp->if_timer) and ieee80211_watchdog. */
export const RAL_WATCHDOG_TICK_NS = 1_000_000_000;
