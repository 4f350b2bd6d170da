/**
 * devnp-bge's per-device state (NetBSD struct bge_softc, if_bgevar.h): the PCI function and its BAR0, the
 * chip id and flags, the ring memory in physical RAM (struct bge_ring_data plus the buffers), the ring
 * indices, the MII data, the watchdog timer, counters, and the lock that serialises io-pkt's threads (the
 * stack thread's if_start/ioctl/callouts against the interrupt thread) the way splnet serialises NetBSD.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import type { IoPkt, SlogSeverity } from '../../io-pkt/driver-api';
import type { PciDevice } from '../../lib/pci';
import type { Ifnet } from '../../net/if';
import { BGE_LOCK_RETRY_NS } from './costs';
import type { BgeCsr } from './csr';
import { MiiData } from './mii-bus';
import type { BgeOptions } from './options';
import {
  BGE_JUMBO_RX_RING_CNT, BGE_RETURN_RING_CNT, BGE_RX_BD_SIZE, BGE_STATS_SZ, BGE_STD_RX_RING_CNT, BGE_TX_BD_SIZE,
  BGE_TX_RING_CNT, MCLBYTES,
} from './regs';

/**
 * Where the driver's DMA memory lives (physical addresses). One block holds the rings, the status block and
 * the statistics block (bge_ring_data); receive buffers are MCLBYTES clusters, one per standard-ring slot;
 * transmit buffers, one per send-ring slot, hold the frame the BD points at.
 */
export class BgeRingMem {
  readonly stdRing: number;
  readonly jumboRing: number;
  readonly returnRing: number;
  readonly txRing: number;
  readonly statusBlock: number;
  readonly statsBlock: number;
  static readonly RING_DATA_BYTES = 0x10880;

  constructor(readonly ringData: number, readonly rxBufs: number, readonly txBufs: number) {
    this.stdRing = ringData;
    this.jumboRing = this.stdRing + BGE_STD_RX_RING_CNT * BGE_RX_BD_SIZE;
    this.returnRing = this.jumboRing + BGE_JUMBO_RX_RING_CNT * BGE_RX_BD_SIZE;
    this.txRing = this.returnRing + BGE_RETURN_RING_CNT * BGE_RX_BD_SIZE;
    this.statusBlock = this.txRing + BGE_TX_RING_CNT * BGE_TX_BD_SIZE;
    this.statsBlock = this.statusBlock + 0x80;
  }

  /** The cluster of standard-ring slot `i`. */
  rxBuf(i: number): number {
    return this.rxBufs + (i % BGE_STD_RX_RING_CNT) * MCLBYTES;
  }

  /** The buffer of send-ring slot `i`. */
  txBuf(i: number): number {
    return this.txBufs + (i % BGE_TX_RING_CNT) * MCLBYTES;
  }

  /** Allocate everything with `allocPhys` (page aligned). Throws KernelError ENOMEM. */
  static alloc(ctx: ThreadCtx): BgeRingMem {
    const ringData = ctx.allocPhys(BgeRingMem.RING_DATA_BYTES, 4096);
    const rx = ctx.allocPhys(BGE_STD_RX_RING_CNT * MCLBYTES, 4096);
    const tx = ctx.allocPhys(BGE_TX_RING_CNT * MCLBYTES, 4096);
    return new BgeRingMem(ringData, rx, tx);
  }
}
// The statistics block must fit in the ring-data block.
if (new BgeRingMem(0, 0, 0).statsBlock + BGE_STATS_SZ > BgeRingMem.RING_DATA_BYTES) throw new Error('bge ring data layout');

/** What the driver remembers about a frame it handed the chip (bge_cdata.bge_tx_chain). */
export interface TxSlot {
  pktId: number;
  len: number;
}

/** Counts the driver keeps itself (the chip's statistics block has the rest). */
export interface BgeDriverCounters {
  intr: number;
  intrSpurious: number;
  rxFailedAllocs: number;
  txFailedAllocs: number;
  watchdogResets: number;
}

export class BgeSoftc {
  ifp: Ifnet | null = null;
  intrId = -1;
  /** Chip id: MISC_CTL bits 31:16 (0x0105 = BCM5701 B5). */
  chipid = 0;
  hwcfg = 0;
  /** BGEF_NO_EEPROM, BGEF_PCIX. */
  noEeprom = false;
  pcix = false;
  /** BGE_STS_AUTOPOLL, BGE_STS_LINK, BGE_STS_LINK_EVT. */
  autopoll = false;
  link = false;
  linkEvt = false;
  detaching = false;
  detached = false;
  /** The station address the chip came with (EEPROM / boot code). */
  readonly eaddr = new Uint8Array(6);
  mem!: BgeRingMem;
  readonly mii: MiiData;
  irq = 0;

  // send ring (bge_tx_prodidx, bge_tx_saved_considx, bge_txcnt, bge_cdata.bge_tx_chain)
  txProdIdx = 0;
  txSavedConsIdx = 0;
  txCnt = 0;
  readonly txChain: (TxSlot | null)[] = new Array<TxSlot | null>(BGE_TX_RING_CNT).fill(null);
  // receive rings (bge_std, bge_rx_saved_considx)
  std = 0;
  rxSavedConsIdx = 0;
  /** if_timer: seconds until bge_watchdog, 0 = off (decremented by the 1 s tick). */
  ifTimer = 0;
  /** IFF_* as last programmed (bge_if_flags, for bge_ifflags_cb). */
  ifFlags = 0;
  cancelTick: (() => void) | null = null;
  readonly counters: BgeDriverCounters = { intr: 0, intrSpurious: 0, rxFailedAllocs: 0, txFailedAllocs: 0, watchdogResets: 0 };
  /** Statistics accumulated before the last chip reset (a core reset zeroes the chip's counters). */
  readonly statsBase = new Map<string, number>();
  /** The chip's counters as last read (bge_stats_update). */
  readonly statsChip = new Map<string, number>();
  private locked = false;

  constructor(
    readonly iopkt: IoPkt,
    readonly dev: PciDevice,
    readonly csr: BgeCsr,
    readonly bar0Size: number,
    readonly opts: BgeOptions,
    miiHost: (sc: BgeSoftc) => ConstructorParameters<typeof MiiData>[0],
  ) {
    this.mii = new MiiData(miiHost(this));
  }

  /** The lock (splnet): io-pkt threads take turns at the chip. */
  *lock(ctx: ThreadCtx): Co<void> {
    while (this.locked) yield* ctx.sleep(BGE_LOCK_RETRY_NS);
    this.locked = true;
  }

  unlock(): void {
    this.locked = false;
  }

  *withLock<T>(ctx: ThreadCtx, fn: () => Co<T>): Co<T> {
    yield* this.lock(ctx);
    try {
      return yield* fn();
    } finally {
      this.unlock();
    }
  }

  /** Log with the interface name once there is one (aprint_*_dev), at the severity of the NetBSD call. */
  log(text: string, severity: SlogSeverity): void {
    this.iopkt.log(`${this.ifp?.name ?? 'bge'}: ${text}`, severity);
  }
}
