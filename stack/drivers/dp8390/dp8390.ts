/**
 * The DP8390 driver core shared by devnp-ne2000.so and devn-ne2000.so: init/stop, transmit through two
 * on-card buffers, the interrupt loop, the receive ring walk and overrun recovery. Semantics follow NetBSD's
 * dp8390.c/ne2000.c (the lineage of QNX's io-pkt drivers) with Linux 8390's overrun routine; the facts are in
 * /work/shared/facts/ne2000.md §2. The core knows nothing of io-pkt or io-net: a `Dp8390Host` supplies frames to
 * send and takes frames received.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { _SLOG_ERROR, _SLOG_WARNING, type SlogSeverity } from '../../io-pkt/driver-api';
import {
  DRIVER_INTR_ENTRY_NS, DRIVER_TX_PER_FRAME_NS, INTR_MAX_PASSES, LOCK_RETRY_NS,
  OVERRUN_STOP_WAIT_NS, STOP_MAX_POLLS, STOP_POLL_NS,
} from '../costs';
import { multicastFilter } from './mcast';
import { ringLayout, type Ne2000Io, type Ne2000Type, type RingLayout } from './ne2000-io';
import * as R from './regs';
import { isBroadcast, RingReader } from './ring-reader';
import { emptyStats, type Dp8390Counters, type Dp8390Stats } from './stats';

export interface TxFrame {
  data: Uint8Array;
  pktId: number;
}

/** A receive buffer the driver flavour allocated (an mbuf cluster, an io-net npkt): the frame is copied into `data`. */
export interface RxBuffer {
  readonly data: Uint8Array;
}

/** What the core needs from the driver flavour wrapped around it. */
export interface Dp8390Host<B extends RxBuffer = RxBuffer> {
  /** Next frame to transmit (if_snd dequeue), or null when the queue is empty. */
  dequeue(): TxFrame | null;
  /**
   * A buffer for a received frame of `len` bytes (m_getcl in an io-pkt driver, io-net's alloc in a legacy one), or
   * null when none can be had: the frame is then dropped and counted ("Memory Allocation Failures on Receive").
   */
  allocRx(len: number): B | null;
  /** A good frame was copied into `buf` (FCS stripped). Runs in the thread handling the interrupt. */
  deliver(ctx: ThreadCtx, buf: B, pktId: number): void;
  /** IFF_OACTIVE: both transmit buffers are full (true) / room again (false). */
  setOactive(on: boolean): void;
  /** Carrier heuristic changed (the NE2000 has no link status; see Dp8390.carrierCheck). */
  link(up: boolean): void;
  /** A transmission is outstanding (arm the watchdog) or none is (disarm). */
  watchdog?(arm: boolean): void;
  /** slogf at `severity` (driver-api.ts IoPkt.log): errors reach the console. */
  log(text: string, severity?: SlogSeverity): void;
}

/** Receive filter settings programmed into RCR and MAR0–7. */
export interface RxFilter {
  promiscuous: boolean;
  allMulticast: boolean;
  multicast: readonly Uint8Array[];
  /** `nomulticast` option: never accept multicast frames. */
  noMulticast: boolean;
}

export class Dp8390<B extends RxBuffer = RxBuffer> {
  readonly layout: RingLayout;
  readonly stats: Dp8390Stats = emptyStats();
  /** if_data counters the driver owns (NetBSD: ipackets, ierrors, opackets, oerrors, collisions). */
  counters: Dp8390Counters = { ipackets: 0, ierrors: 0, opackets: 0, oerrors: 0, collisions: 0 };
  running = false;
  linkUp = true;
  private readonly rx: RingReader<B>;
  private txbInuse = 0;
  private txbNew = 0;
  private txbNextTx = 0;
  private readonly txbLen: number[];
  private readonly txbInfo: { pktId: number; dst0: number; bcast: boolean }[];
  private locked = false;
  private mac = new Uint8Array(6);
  private filter: RxFilter = { promiscuous: false, allMulticast: false, multicast: [], noMulticast: false };

  constructor(readonly io: Ne2000Io, readonly type: Ne2000Type, readonly host: Dp8390Host<B>) {
    this.layout = ringLayout(type);
    this.txbLen = new Array<number>(this.layout.txbCount).fill(0);
    this.txbInfo = Array.from({ length: this.layout.txbCount }, () => ({ pktId: 0, dst0: 0, bcast: false }));
    this.rx = new RingReader(io, this.layout, this);
  }

  /** Serialise NIC access between io-pkt threads (the stack thread's start vs. the interrupt thread). */
  private *lock(ctx: ThreadCtx): Co<void> {
    while (this.locked) yield* ctx.sleep(LOCK_RETRY_NS);
    this.locked = true;
  }
  private unlock(): void {
    this.locked = false;
  }

  /** Run `fn` with the NIC lock held (register-page switches outside the core, e.g. RTL8029 page 3). */
  *withLock<T>(ctx: ThreadCtx, fn: () => Co<T>): Co<T> {
    yield* this.lock(ctx);
    try {
      return yield* fn();
    } finally {
      this.unlock();
    }
  }

  private cr(ctx: ThreadCtx, bits: number): void {
    this.io.out8(ctx, R.CR, R.CR_RD2 | bits);
  }

  /** if_init: NetBSD dp8390_init order ("mandatory" per the NS manual), then start output. */
  *init(ctx: ThreadCtx, mac: Uint8Array, filter: RxFilter): Co<void> {
    yield* this.lock(ctx);
    try {
      this.mac = mac.slice(0, 6);
      this.filter = filter;
      yield* this.stopLocked(ctx);
      yield* this.initLocked(ctx);
      yield* this.startLocked(ctx);
    } finally {
      this.unlock();
    }
  }

  private *initLocked(ctx: ThreadCtx): Co<void> {
    const L = this.layout;
    const io = this.io;
    this.txbInuse = this.txbNew = this.txbNextTx = 0;
    this.host.watchdog?.(false);
    this.cr(ctx, R.CR_PAGE0 | R.CR_STP);
    io.out8(ctx, R.P0_DCR, R.DCR_FT1 | R.DCR_LS | (io.useWord ? R.DCR_WTS : 0));
    io.out8(ctx, R.P0_RBCR0, 0);
    io.out8(ctx, R.P0_RBCR1, 0);
    io.out8(ctx, R.P0_RCR, R.RCR_MON);
    io.out8(ctx, R.P0_TCR, R.TCR_LB0);
    io.out8(ctx, R.P0_BNRY, L.recPageStart);
    io.out8(ctx, R.P0_PSTART, L.recPageStart);
    io.out8(ctx, R.P0_PSTOP, L.recPageStop);
    // NetBSD enables PRX|PTX|RXE|TXE|OVW; CNT is added so the tally counters reach nicinfo (Linux uses 0x3F).
    io.out8(ctx, R.P0_IMR, R.ISR_PRX | R.ISR_PTX | R.ISR_RXE | R.ISR_TXE | R.ISR_OVW | R.ISR_CNT);
    io.out8(ctx, R.P0_ISR, 0xff);
    this.cr(ctx, R.CR_PAGE1 | R.CR_STP);
    for (let i = 0; i < 6; i++) io.out8(ctx, R.P1_PAR0 + i, this.mac[i]!);
    this.writeMar(ctx);
    this.rx.nextPacket = L.recPageStart + 1;
    io.out8(ctx, R.P1_CURR, this.rx.nextPacket);
    this.cr(ctx, R.CR_PAGE0 | R.CR_STP);
    io.out8(ctx, R.P0_RCR, this.rcrValue());
    io.out8(ctx, R.P0_TCR, 0);
    this.cr(ctx, R.CR_PAGE0 | R.CR_STA);
    this.running = true;
    this.host.setOactive(false);
    yield* ctx.work(0);
  }

  private rcrValue(): number {
    const f = this.filter;
    let rcr = R.RCR_AB | (f.noMulticast ? 0 : R.RCR_AM);
    if (f.promiscuous) rcr |= R.RCR_PRO | R.RCR_AR | R.RCR_SEP;
    return rcr;
  }

  /** Page 1 must be selected. */
  private writeMar(ctx: ThreadCtx): void {
    const f = this.filter;
    const mar = f.noMulticast && !f.promiscuous
      ? new Uint8Array(8)
      : multicastFilter(f.multicast, f.promiscuous || f.allMulticast);
    for (let i = 0; i < 8; i++) this.io.out8(ctx, R.P1_MAR0 + i, mar[i]!);
  }

  /** Reprogram MAR and RCR on a running chip (RCR and MAR may change while started; no ring reset). */
  *setFilter(ctx: ThreadCtx, filter: RxFilter): Co<void> {
    yield* this.lock(ctx);
    try {
      this.filter = filter;
      const run = this.running ? R.CR_STA : R.CR_STP;
      this.cr(ctx, R.CR_PAGE1 | run);
      this.writeMar(ctx);
      this.cr(ctx, R.CR_PAGE0 | run);
      this.io.out8(ctx, R.P0_RCR, this.running ? this.rcrValue() : R.RCR_MON);
    } finally {
      this.unlock();
    }
  }

  /** if_stop. */
  *stop(ctx: ThreadCtx): Co<void> {
    yield* this.lock(ctx);
    try {
      yield* this.stopLocked(ctx);
    } finally {
      this.unlock();
    }
  }

  /** NetBSD dp8390_stop: STP, then wait (bounded, ~5 ms) for ISR.RST. */
  private *stopLocked(ctx: ThreadCtx): Co<void> {
    this.running = false;
    this.host.watchdog?.(false);
    this.cr(ctx, R.CR_PAGE0 | R.CR_STP);
    for (let n = 0; n < STOP_MAX_POLLS; n++) {
      if ((yield* this.io.in8(ctx, R.P0_ISR)) & R.ISR_RST) break;
      yield* ctx.work(STOP_POLL_NS);
    }
    // Mask and ack everything (as Linux's close does): a stopped chip must not hold a level-triggered
    // PCI line asserted, or the interrupt would fire forever with nobody to serve it.
    this.io.out8(ctx, R.P0_IMR, 0);
    this.io.out8(ctx, R.P0_ISR, 0xff);
  }

  /**
   * Stop and re-init after a fatal condition (NetBSD dp8390_reset), with a trace saying why. Lock held. The log
   * line has the severity of NetBSD's message for the cause: log(LOG_ERR) for a device timeout or a corrupt
   * ring (dp8390_watchdog, dp8390_rint: _SLOG_ERROR), log(LOG_WARNING) for a remote DMA that did not complete
   * (ne2000_write_mbuf: _SLOG_WARNING); vlog_ext maps LOG_x to slog's x − 1.
   */
  *resetLocked(ctx: ThreadCtx, reason: string, severity: SlogSeverity = _SLOG_ERROR): Co<void> {
    ctx.trace('driver', 'reset', 0, { reason });
    this.host.log(`ne2000: resetting NIC: ${reason}`, severity);
    yield* this.stopLocked(ctx);
    yield* this.initLocked(ctx);
  }

  /** if_start: fill free transmit buffers from the host queue. */
  *start(ctx: ThreadCtx): Co<void> {
    // lock(), inline: no generator for the lock on the per-packet path.
    while (this.locked) yield* ctx.sleep(LOCK_RETRY_NS);
    this.locked = true;
    try {
      yield* this.startLocked(ctx);
    } finally {
      this.unlock();
    }
  }

  private *startLocked(ctx: ThreadCtx): Co<void> {
    while (this.running) {
      if (this.txbInuse === this.layout.txbCount) {
        this.host.setOactive(true);
        return;
      }
      const m = this.host.dequeue();
      if (!m) return;
      const slot = this.txbNew;
      const len = Math.min(m.data.length, R.ETHER_MAX_NOFCS);
      ctx.trace('driver', 'tx', m.pktId, { len, slot });
      ctx.charge(DRIVER_TX_PER_FRAME_NS);
      // Pad runts with zeros in the upload itself so no stale buffer bytes reach the wire (cf. CVE-2003-0001).
      const buf = new Uint8Array(Math.max(len, R.ETHER_MIN_NOFCS));
      buf.set(m.data.subarray(0, len));
      ctx.tagPacket?.(buf, m.pktId);
      const page = this.layout.txPageStart + slot * R.TXBUF_PAGES;
      if (!(yield* this.io.writeMem(ctx, page * R.PAGE_SIZE, buf))) {
        this.counters.oerrors++;
        yield* this.resetLocked(ctx, 'remote transmit DMA failed to complete', _SLOG_WARNING);
        continue;
      }
      this.txbLen[slot] = buf.length;
      const info = this.txbInfo[slot]!;
      info.pktId = m.pktId;
      info.dst0 = buf[0]!;
      info.bcast = isBroadcast(buf);
      this.txbNew = (slot + 1) % this.layout.txbCount;
      if (this.txbInuse++ === 0) this.xmit(ctx);
    }
  }

  /** NetBSD dp8390_xmit: TPSR, TBCR = max(len, 60), CR = TXP|STA. */
  private xmit(ctx: ThreadCtx): void {
    const slot = this.txbNextTx;
    const len = Math.max(this.txbLen[slot]!, R.ETHER_MIN_NOFCS);
    this.cr(ctx, R.CR_PAGE0 | R.CR_STA);
    this.io.out8(ctx, R.P0_TPSR, this.layout.txPageStart + slot * R.TXBUF_PAGES);
    this.io.out8(ctx, R.P0_TBCR0, len);
    this.io.out8(ctx, R.P0_TBCR1, len >> 8);
    this.cr(ctx, R.CR_PAGE0 | R.CR_TXP | R.CR_STA);
    this.txbNextTx = (slot + 1) % this.layout.txbCount;
    this.host.watchdog?.(true);
  }

  /** Watchdog expiry (NetBSD dp8390_watchdog): count an output error and reset. */
  *watchdogTimeout(ctx: ThreadCtx): Co<void> {
    yield* this.lock(ctx);
    try {
      if (!this.running || this.txbInuse === 0) return;
      this.counters.oerrors++;
      this.host.log('ne2000: device timeout', _SLOG_ERROR); // dp8390_watchdog: log(LOG_ERR, "%s: device timeout")
      yield* this.resetLocked(ctx, 'transmit watchdog');
      yield* this.startLocked(ctx);
    } finally {
      this.unlock();
    }
  }

  /**
   * The interrupt handler loop (NetBSD dp8390_intr with Linux's overrun routine), with the NIC lock held.
   * Returns true when ISR is clear (io-pkt unmasks), false after INTR_MAX_PASSES with work left (io-pkt calls
   * again). The lock is taken inline and the loop is in this one generator: every driver access in it resumes
   * through one generator frame fewer.
   */
  *intr(ctx: ThreadCtx): Co<boolean> {
    while (this.locked) yield* ctx.sleep(LOCK_RETRY_NS);
    this.locked = true;
    try {
      if (!this.running) return true;
      ctx.charge(DRIVER_INTR_ENTRY_NS);
      const io = this.io;
      this.cr(ctx, R.CR_PAGE0 | R.CR_STA);
      // RST never raises the line and cannot be acked by writing ISR: leave it out of the loop condition.
      let isr = (yield* io.in8(ctx, R.P0_ISR)) & 0x7f;
      for (let pass = 0; isr !== 0; pass++) {
        if (pass === INTR_MAX_PASSES) return false;
        ctx.trace('driver', 'intr', 0, { isr });
        // OVW is acked by the overrun routine once the ring has been drained (datasheet recovery sequence).
        io.out8(ctx, R.P0_ISR, isr & ~R.ISR_OVW);
        if (isr & (R.ISR_PTX | R.ISR_TXE) && this.txbInuse !== 0) yield* this.txDone(ctx, isr);
        if (isr & R.ISR_OVW) {
          yield* this.overrun(ctx);
        } else if (isr & (R.ISR_PRX | R.ISR_RXE)) {
          if (isr & R.ISR_RXE) this.counters.ierrors++;
          yield* this.rx.rint(ctx);
        }
        if (!this.running) return true;
        yield* this.startLocked(ctx);
        this.cr(ctx, R.CR_PAGE0 | R.CR_STA);
        if (isr & R.ISR_CNT) yield* this.readCounters(ctx);
        yield* ctx.work(0);
        isr = (yield* io.in8(ctx, R.P0_ISR)) & 0x7f;
      }
      return true;
    } finally {
      this.unlock();
    }
  }

  /** Transmit completion: NCR collisions, TSR status, next buffer out (NetBSD dp8390_intr, tx half). */
  private *txDone(ctx: ThreadCtx, isr: number): Co<void> {
    const io = this.io;
    const s = this.stats;
    // The frame on the wire is the one xmit() started last; later uploads wait at txbNextTx onward.
    const slot = (this.txbNextTx - 1 + this.layout.txbCount) % this.layout.txbCount;
    let collisions = (yield* io.in8(ctx, R.P0_NCR)) & 0x0f;
    const tsr = yield* io.in8(ctx, R.P0_TSR);
    if (isr & R.ISR_TXE) {
      // 16 collisions abort the frame: NCR then reads 0 and TSR.ABT is set.
      if (tsr & R.TSR_ABT && collisions === 0) collisions = 16;
      if (tsr & R.TSR_ABT) s.txExcessiveCollisions++;
      if (tsr & R.TSR_FU) s.txUnderruns++;
      this.counters.oerrors++;
    } else {
      this.counters.opackets++;
      s.txOk++;
      s.txBytes += this.txbLen[slot] ?? 0;
      const info = this.txbInfo[slot];
      if (info?.bcast) s.txBroadcast++;
      else if (info && info.dst0 & 1) s.txMulticast++;
      if (collisions === 1) s.txSingleCollisions++;
      else if (collisions > 1) s.txMultiCollisions++;
    }
    if (tsr & R.TSR_OWC) s.txLateCollisions++;
    // TSR.ND clear: the transmission had to wait for the medium. An RTL8029 always reads ND = 1, so its
    // deferrals are invisible to the driver and the count stays as it is.
    if ((tsr & R.TSR_ND) === 0) s.txDeferred++;
    this.carrierCheck(tsr);
    this.counters.collisions += collisions;
    this.host.setOactive(false);
    if (--this.txbInuse !== 0) this.xmit(ctx);
    else this.host.watchdog?.(false);
  }

  /**
   * The NE2000 has no link-status register. Heuristic: a transmission that ended with TSR.CRS (carrier lost
   * while sending) means no cable/hub; a clean transmission or any received frame means the link is up.
   */
  private carrierCheck(tsr: number): void {
    if (tsr & R.TSR_CRS) {
      this.stats.txCarrierLost++;
      this.setLink(false);
    } else {
      this.setLink(true);
    }
  }

  /** Report a carrier change to the host (once per change). */
  setLink(up: boolean): void {
    if (up === this.linkUp) return;
    this.linkUp = up;
    this.host.link(up);
  }

  /** Tally counters clear on read: frame alignment, CRC, missed packets. */
  private *readCounters(ctx: ThreadCtx): Co<void> {
    this.stats.rxAlignErrors += yield* this.io.in8(ctx, R.P0_CNTR0);
    this.stats.rxCrcErrors += yield* this.io.in8(ctx, R.P0_CNTR1);
    this.stats.rxMissed += yield* this.io.in8(ctx, R.P0_CNTR2);
  }

  /**
   * Receive overrun (Linux ei_rx_overrun; facts §2): remember TXP, stop, wait, clear RBCR, loopback, start,
   * drain the ring, ack OVW, leave loopback, resend the frame that was cut off.
   */
  private *overrun(ctx: ThreadCtx): Co<void> {
    const io = this.io;
    const wasTxing = ((yield* io.in8(ctx, R.CR)) & R.CR_TXP) !== 0;
    this.cr(ctx, R.CR_PAGE0 | R.CR_STP);
    ctx.trace('driver', 'overrun', 0, { txp: wasTxing });
    this.stats.rxOverruns++;
    this.counters.ierrors++;
    yield* ctx.sleep(OVERRUN_STOP_WAIT_NS);
    io.out8(ctx, R.P0_RBCR0, 0);
    io.out8(ctx, R.P0_RBCR1, 0);
    const mustResend = wasTxing && ((yield* io.in8(ctx, R.P0_ISR)) & (R.ISR_PTX | R.ISR_TXE)) === 0;
    io.out8(ctx, R.P0_TCR, R.TCR_LB0);
    this.cr(ctx, R.CR_PAGE0 | R.CR_STA);
    // A corrupt ring during the drain resets and re-inits the chip, which also ends the overrun state.
    if (!(yield* this.rx.rint(ctx))) return;
    io.out8(ctx, R.P0_ISR, R.ISR_OVW);
    io.out8(ctx, R.P0_TCR, 0);
    // Collect the frames missed while the ring was full (CNTR2) now rather than when a counter's MSB sets,
    // as Linux's get_stats does whenever statistics are asked for: nicinfo then shows them right away.
    yield* this.readCounters(ctx);
    if (mustResend) this.cr(ctx, R.CR_PAGE0 | R.CR_TXP | R.CR_STA);
  }

  /** Transmit buffers in use (for tests and nicinfo-style dumps). */
  get txPending(): number {
    return this.txbInuse;
  }
}
