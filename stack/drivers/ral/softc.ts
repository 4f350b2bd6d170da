/**
 * devnp-ral's per-device state (NetBSD rt2560var.h struct rt2560_softc): BAR0, the EEPROM facts, the RF
 * register shadow, the five rings in physical memory (struct rt2560_tx_ring / rt2560_rx_ring with their
 * cur/next and cipher-engine indices), the transmit timer, counters, and the lock that serialises io-pkt's
 * threads (the stack thread's if_start/ioctl/callouts against the interrupt thread) the way splnet does.
 *
 * The simulated io-pkt's mbufs are not physically addressed, so every ring slot owns an MCLBYTES DMA buffer
 * the frame is copied into or out of (what bus_dmamap_load of a cluster would point the descriptor at).
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import type { IoPkt, SlogSeverity } from '../../io-pkt/driver-api';
import type { Ifnet } from '../../net/if';
import type { BeaconOffsets, Ieee80211Com, Ieee80211State } from '../../net80211/var';
import type { RalRadio } from './bbp-rf';
import type { CryptoRequest } from '../../crypto/api';
import type { RalCrypto } from './crypto';
import { RAL_LOCK_RETRY_NS } from './costs';
import type { RalCsr } from './csr';
import type { RalOptions } from './options';
import { MCLBYTES, RT2560_RX_BUSY, RT2560_RX_DESC_SIZE, RT2560_TX_DESC_SIZE } from './regs';

/** What the driver remembers about a descriptor it filled (struct rt2560_tx_data). */
export interface RalTxData {
  pktId: number;
  len: number;
  /** The 802.11 frame (kept for beacons, which rt2560_beacon_expire updates in place). */
  frame: Uint8Array;
  /** net80211's node reference, released when the descriptor completes (ieee80211_free_node). */
  ni: unknown;
  /**
   * For the rate-adaptation feedback (data->id): the index into the node's rate set the frame went at, -1 when
   * there is none to give (management frames, RTS, a fixed rate), and the node's RSSI when it was queued.
   */
  rateidx: number;
  rssi: number;
  /** An inline CCMP request this descriptor carries (crypto.ts), completed on ENCRYPTION_DONE. */
  crp?: CryptoRequest | null;
}

/** struct rt2560_tx_ring. */
export class RalTxRing {
  queued = 0;
  cur = 0;
  next = 0;
  curEncrypt = 0;
  nextEncrypt = 0;
  readonly data: (RalTxData | null)[];

  constructor(readonly name: string, readonly count: number, readonly physaddr: number, readonly bufs: number) {
    this.data = new Array<RalTxData | null>(count).fill(null);
  }

  desc(i: number): number {
    return this.physaddr + i * RT2560_TX_DESC_SIZE;
  }

  buf(i: number): number {
    return this.bufs + i * MCLBYTES;
  }

  static alloc(ctx: ThreadCtx, name: string, count: number): RalTxRing {
    const desc = ctx.allocPhys(count * RT2560_TX_DESC_SIZE, 4096);
    const bufs = ctx.allocPhys(count * MCLBYTES, 4096);
    ctx.bus.memWrite(desc, new Uint8Array(count * RT2560_TX_DESC_SIZE));
    return new RalTxRing(name, count, desc, bufs);
  }
}

/** struct rt2560_rx_ring (data[i].drop is `drop`). */
export class RalRxRing {
  cur = 0;
  next = 0;
  curDecrypt = 0;
  readonly drop: boolean[];

  constructor(readonly count: number, readonly physaddr: number, readonly bufs: number) {
    this.drop = new Array<boolean>(count).fill(false);
  }

  desc(i: number): number {
    return this.physaddr + i * RT2560_RX_DESC_SIZE;
  }

  buf(i: number): number {
    return this.bufs + i * MCLBYTES;
  }

  /** rt2560_alloc_rx_ring: descriptors zeroed, each pointed at its cluster and handed to the chip (BUSY). */
  static alloc(ctx: ThreadCtx, count: number): RalRxRing {
    const desc = ctx.allocPhys(count * RT2560_RX_DESC_SIZE, 4096);
    const bufs = ctx.allocPhys(count * MCLBYTES, 4096);
    const ring = new RalRxRing(count, desc, bufs);
    const b = new Uint8Array(count * RT2560_RX_DESC_SIZE);
    for (let i = 0; i < count; i++) {
      const o = i * RT2560_RX_DESC_SIZE;
      b[o] = RT2560_RX_BUSY;
      const a = ring.buf(i);
      b[o + 4] = a & 0xff;
      b[o + 5] = (a >>> 8) & 0xff;
      b[o + 6] = (a >>> 16) & 0xff;
      b[o + 7] = (a >>> 24) & 0xff;
    }
    ctx.bus.memWrite(desc, b);
    return ring;
  }
}

/** Counts the driver keeps itself. */
export interface RalCounters {
  intr: number;
  intrNotOurs: number;
  txMgt: number;
  txData: number;
  txBeacon: number;
  txRetries: number;
  txFailRetry: number;
  txFailOther: number;
  rxDropped: number;
  watchdogResets: number;
}

export class RalSoftc implements RalRadio {
  ifp: Ifnet | null = null;
  intrId = -1;
  /** CSR0: the ASIC revision. */
  asicRev = 0;
  rfRev = 0;
  hwRadio = 0;
  ledMode = 0;
  rxAnt = 0;
  txAnt = 0;
  nbAnt = 0;
  txpow: number[] = new Array<number>(14).fill(0);
  bbpProm: { reg: number; val: number }[] = [];
  readonly rfRegs: number[] = [0, 0, 0, 0];
  /** The address the chip came with (CSR3/CSR4, preloaded from the EEPROM). */
  readonly myaddr = new Uint8Array(6);
  irq = 0;
  /** RT2560_ENABLED: init has powered the device (always true on PCI after the first init). */
  enabled = false;
  detached = false;
  txq!: RalTxRing;
  atimq!: RalTxRing;
  prioq!: RalTxRing;
  bcnq!: RalTxRing;
  rxq!: RalRxRing;
  /** sc_tx_timer: seconds until "device timeout", 0 = off. */
  txTimer = 0;
  /** The 1 s if_watchdog callout. */
  cancelTick: (() => void) | null = null;
  /** The 802.11 state shared with io-pkt's net80211 layer (sc_ic). */
  ic!: Ieee80211Com;
  /** net80211's state step the driver chains to (sc_newstate). */
  parentNewstate: ((nstate: Ieee80211State, arg: number) => Co<number>) | null = null;
  /** Where the TIM and friends sit in the beacon (sc_bo). */
  bo: BeaconOffsets | null = null;
  /** scan_ch and rssadapt_ch callouts (their cancel functions). */
  cancelScan: (() => void) | null = null;
  cancelRssadapt: (() => void) | null = null;
  /** The AES engine as registered with the hc stack's crypto API (null: not registered). */
  crypto: RalCrypto | null = null;
  /** Scan dwell time, ms (sc->dwelltime). */
  dwelltime = 200;
  readonly counters: RalCounters = {
    intr: 0, intrNotOurs: 0, txMgt: 0, txData: 0, txBeacon: 0, txRetries: 0, txFailRetry: 0, txFailOther: 0,
    rxDropped: 0, watchdogResets: 0,
  };
  /** The thread holding the lock (pid:tid) and how many times it took it; splnet nests, so this does too. */
  private owner: string | null = null;
  private depth = 0;

  constructor(readonly iopkt: IoPkt, readonly csr: RalCsr, readonly opts: RalOptions) {}

  /**
   * The lock (splnet): io-pkt threads take turns at the chip. The holder may take it again — net80211 calls the
   * driver's newstate hook from inside rt2560_init and the interrupt path calls rt2560_start — as nested splnet
   * calls do.
   */
  *lock(ctx: ThreadCtx): Co<void> {
    const me = `${ctx.pid}:${ctx.tid}`;
    while (this.owner !== null && this.owner !== me) yield* ctx.sleep(RAL_LOCK_RETRY_NS);
    this.owner = me;
    this.depth++;
  }

  unlock(): void {
    if (this.depth > 0 && --this.depth === 0) this.owner = null;
  }

  *withLock<T>(ctx: ThreadCtx, fn: () => Co<T>): Co<T> {
    yield* this.lock(ctx);
    try {
      return yield* fn();
    } finally {
      this.unlock();
    }
  }

  /** aprint_*_dev: with the interface name once there is one, at the severity of the NetBSD call. */
  log(text: string, severity: SlogSeverity): void {
    this.iopkt.log(`${this.ifp?.name ?? 'ral'}: ${text}`, severity);
  }
}
