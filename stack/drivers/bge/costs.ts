/**
 * Virtual CPU costs of devnp-bge (nanoseconds) for the C code around its register and memory accesses.
 * MMIO and configuration cycles are not here: every CSR_READ_4/CSR_WRITE_4 is a ThreadCtx MMIO access and
 * every config cycle a pair of port accesses, which the node's bus times and charges. Descriptor and status
 * block accesses are cached host-memory loads and stores (the rings are ordinary RAM to the CPU).
 *
 * The per-frame figures stand for what NetBSD's zero-copy bge does per frame (mbuf header work, DMA map
 * load/sync, if_input / m_freem); the simulated driver copies frames between JS buffers and its DMA buffers
 * but charges the real driver's work, not a per-byte copy (design §3.2 item 4).
 */

/** bge_rxeof per received frame: new cluster, map, fill the BD, checksum flags, if_percpuq_enqueue. */
export const BGE_RX_FRAME_NS = 1200;
/** bge_encap/bge_start per frame: dequeue, DMA map load, BD fill, chain bookkeeping. */
export const BGE_TX_FRAME_NS = 900;
/** bge_txeof per completed send BD: unload, m_freem. */
export const BGE_TX_DONE_NS = 300;
/** bge_intr entry: the C around its register accesses. */
export const BGE_INTR_NS = 500;
/** One cached host-memory descriptor access (a BD, the status block). */
export const HOST_DESC_ACCESS_NS = 20;
/** bge_newbuf_std when re-posting a buffer (no allocation on this path). */
export const BGE_NEWBUF_NS = 150;

/**
 * DELAY(us) below this spins (nanospin: the CPU is busy), at or above it the thread sleeps (delay()): how
 * QNX drivers treat short and long waits.
 */
export const DELAY_SLEEP_MIN_US = 50;

/** NIC lock contention: the loser sleeps this long before retrying. */
export const BGE_LOCK_RETRY_NS = 1000;
