/**
 * Host coalescing (HOSTCC 0x3c00–0x3fff; design §1.12): when to write the status block to host memory and ask
 * for an interrupt, and the periodic statistics-block DMA.
 *
 * Events: a return BD written (rx), a send BD completed (tx), an attention, HOSTCC_MODE.NOW, a send BD with
 * COAL_NOW. Thresholds are the normal ones (RXCOL_TICKS, RXMAX_FRAMES, …) or, while mailbox 0 masks the
 * interrupt (the host is in its handler), the _INT ones. Max-frames reached → update now; else a tick timer of
 * `ticks` µs, armed at the first event (or re-armed at every event with CLRTICK_RXBD/TXBD — "clear ticks on
 * BD events"). 0 disables that trigger. When the mask changes the counts persist, the thresholds switch and the
 * tick re-arms from its original start *(I: design R5; pinned by tests/nic-models/bcm5701/coalescing.test.ts)*.
 * Updates are serialised: a request while a status DMA is in flight becomes one follow-up update.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Time } from '../../emulator/machine/sim/time';
import type { RegisterDef } from '../../emulator/machine/bus/register-table';
import { computed, stored, w1c, type RegFile } from './reg-file';
import type { Sram } from './sram';
import type { Stats } from './stats';
import { GRC_MODE_BITS as GM, HOSTCC as HC, HOSTCC_MODE_BITS as HM, SD_STATUS, STATS_BLOCK_BYTES, STATUS_BLOCK_BYTES } from './regs';

export interface HcHooks {
  readonly f: RegFile;
  readonly sram: Sram;
  readonly stats: Stats;
  /** Status and statistics DMA need the write DMA engine. */
  readonly wdmaEnabled: () => boolean;
  readonly tickNs: () => number;
  /** Mailbox 0 masks interrupts now. */
  readonly masked: () => boolean;
  /** Chip indices reported in the status block. */
  readonly indices: () => { stdCons: number; retProd: number; sendCompl: number };
  /** MAC_STATUS & MAC_EVENT & LNKSTATE_CHANGED (the status word's LINK_CHG). */
  readonly linkChg: () => boolean;
  /** An error attention is pending (the status word's ERROR). */
  readonly errorPending: () => boolean;
  readonly grcMode: () => number;
  dma(addr: number, buf: Uint8Array): Time;
  requestIrq(): void;
  trace(probe: string, f: Record<string, number | string | boolean>): void;
}

type Dir = 'rx' | 'tx';
const REGS = {
  rx: { ticks: HC.RXCOL_TICKS, max: HC.RXMAX_FRAMES, ticksInt: HC.RXCOAL_TICK_INT, maxInt: HC.RXCOAL_MAXF_INT, clr: HM.CLRTICK_RXBD, noIrq: GM.NOIRQ_ON_RCV },
  tx: { ticks: HC.TXCOL_TICKS, max: HC.TXMAX_FRAMES, ticksInt: HC.TXCOAL_TICK_INT, maxInt: HC.TXCOAL_MAXF_INT, clr: HM.CLRTICK_TXBD, noIrq: GM.NOIRQ_ON_SENDS },
} as const;

export interface HostCoalState {
  tag: number;
  count: { rx: number; tx: number };
  armedAt: { rx: number; tx: number };
  tick: { rx: number; tx: number };
  statsTick: number;
  done: number;
  inFlight: boolean;
  inFlightIrq: boolean;
  again: boolean;
  againIrq: boolean;
  reported: { stdCons: number; retProd: number; sendCompl: number };
}

export class HostCoal {
  /** Tag of the latest status update (status block +4; tagged interrupt mode). */
  tag = 0;
  private count = { rx: 0, tx: 0 };
  /** When the pending tick of each direction was armed (-1: none). */
  private armedAt = { rx: -1, tx: -1 };
  private readonly tick: Record<Dir, SimEvent>;
  private readonly statsTick: SimEvent;
  private readonly done: SimEvent;
  private inFlight = false;
  private inFlightIrq = false;
  private again = false;
  private againIrq = false;
  /** Indices as the last status update reported them (HOSTCC_*_CON_IDX / RET_PROD_IDX registers). */
  private reported = { stdCons: 0, retProd: 0, sendCompl: 0 };

  constructor(private readonly ctx: ComponentContext, private readonly h: HcHooks) {
    const ev = (n: string, cb: () => void): SimEvent => new SimEvent(`${ctx.name}.${n}`, cb, Priority.Device);
    this.tick = { rx: ev('hcRxTick', () => this.tickFired('rx')), tx: ev('hcTxTick', () => this.tickFired('tx')) };
    this.statsTick = ev('hcStatsTick', () => this.statsDma());
    this.done = ev('hcDone', () => this.statusDone());
  }

  get enabled(): boolean {
    return (this.h.f.get(HC.MODE) & HM.ENABLE) !== 0;
  }

  defs(): RegisterDef[] {
    const f = this.h.f;
    const armStats = (): void => this.armStats();
    const idx = (name: string, off: number, v: () => number): RegisterDef => computed(off, name, v);
    f.declare(HC.MODE, 0);
    return [
      {
        offset: HC.MODE, name: 'HOSTCC_MODE', width: 4, access: 'rw', bits: HM,
        read: () => f.get(HC.MODE),
        write: (v) => this.writeMode(v),
      },
      w1c(f, HC.STATUS, 'HOSTCC_STATUS', { bits: { ERROR_ATTN: 0x4 } }),
      stored(f, HC.RXCOL_TICKS, 'HOSTCC_RXCOL_TICKS'),
      stored(f, HC.TXCOL_TICKS, 'HOSTCC_TXCOL_TICKS'),
      stored(f, HC.RXMAX_FRAMES, 'HOSTCC_RXMAX_FRAMES'),
      stored(f, HC.TXMAX_FRAMES, 'HOSTCC_TXMAX_FRAMES'),
      stored(f, HC.RXCOAL_TICK_INT, 'HOSTCC_RXCOAL_TICK_INT'),
      stored(f, HC.TXCOAL_TICK_INT, 'HOSTCC_TXCOAL_TICK_INT'),
      stored(f, HC.RXCOAL_MAXF_INT, 'HOSTCC_RXCOAL_MAXF_INT'),
      stored(f, HC.TXCOAL_MAXF_INT, 'HOSTCC_TXCOAL_MAXF_INT'),
      stored(f, HC.STAT_COAL_TICKS, 'HOSTCC_STAT_COAL_TICKS', { after: armStats }),
      stored(f, HC.STATS_BLK_HOST_ADDR, 'HOSTCC_STATS_BLK_HOST_ADDR_HIGH'),
      stored(f, HC.STATS_BLK_HOST_ADDR + 4, 'HOSTCC_STATS_BLK_HOST_ADDR_LOW'),
      stored(f, HC.STATUS_BLK_HOST_ADDR, 'HOSTCC_STATUS_BLK_HOST_ADDR_HIGH'),
      stored(f, HC.STATUS_BLK_HOST_ADDR + 4, 'HOSTCC_STATUS_BLK_HOST_ADDR_LOW'),
      stored(f, HC.STATS_BLK_NIC_ADDR, 'HOSTCC_STATS_BLK_NIC_ADDR'),
      stored(f, HC.STATUS_BLK_NIC_ADDR, 'HOSTCC_STATUS_BLK_NIC_ADDR'),
      w1c(f, HC.FLOW_ATTN, 'HOSTCC_FLOW_ATTN', { bits: { MBUF_LWM: 0x40, MEMARB: 0x80, HOSTCOAL: 0x8000, RCB_INVAL: 0x20000, SBDI: 0x80000000 } }),
      idx('HOSTCC_JUMBO_CON_IDX', HC.JUMBO_CON_IDX, () => 0),
      idx('HOSTCC_STD_CON_IDX', HC.STD_CON_IDX, () => this.reported.stdCons),
      idx('HOSTCC_MINI_CON_IDX', HC.MINI_CON_IDX, () => 0),
      idx('HOSTCC_RET_PROD_IDX_0', HC.RET_PROD_IDX_0, () => this.reported.retProd),
      idx('HOSTCC_SND_CON_IDX_0', HC.SND_CON_IDX_0, () => this.reported.sendCompl),
    ];
  }

  private writeMode(v: number): void {
    const f = this.h.f;
    const was = f.get(HC.MODE);
    f.set(HC.MODE, v & ~(HM.RESET | HM.NOW));
    if (!(v & HM.ENABLE) || v & HM.RESET) {
      // tg3_reset_hw / bge_blockinit write 0 and poll for ENABLE clear: stopping is immediate; ticks cancelled.
      for (const d of ['rx', 'tx'] as const) this.disarm(d);
      this.ctx.queue.deschedule(this.statsTick);
      if (v & HM.RESET) this.count = { rx: 0, tx: 0 };
    }
    if (v & HM.ENABLE && !(was & HM.ENABLE)) this.armStats();
    if (v & HM.NOW && v & HM.ENABLE) this.update('now', !(v & HM.NOINT_ON_NOW));
  }

  /** `n` return BDs written (rx) or send BDs completed (tx). */
  event(d: Dir, n: number): void {
    if (n <= 0) return;
    this.count[d] += n;
    this.evaluate(d, true);
  }

  /** An attention, HOSTCC NOW or a COAL_NOW BD: an update now. */
  now(reason: string, irq: boolean): void {
    this.update(reason, irq);
  }

  /** Mailbox 0 masked or unmasked: thresholds switch (design §1.12.3). */
  maskChanged(): void {
    for (const d of ['rx', 'tx'] as const) this.evaluate(d, false);
  }

  private thresholds(d: Dir): { ticks: number; max: number } {
    const r = REGS[d];
    const f = this.h.f;
    return this.h.masked() ? { ticks: f.get(r.ticksInt), max: f.get(r.maxInt) } : { ticks: f.get(r.ticks), max: f.get(r.max) };
  }

  private evaluate(d: Dir, fresh: boolean): void {
    if (!this.enabled || this.count[d] === 0) return;
    const { ticks, max } = this.thresholds(d);
    if (max !== 0 && this.count[d] >= max) {
      if (d === 'tx') this.h.stats.add('nic_tx_threshold_hit', 'hc');
      this.update(`${d}-max`, true);
      return;
    }
    if (ticks === 0) {
      this.disarm(d);
      return;
    }
    const now = this.ctx.queue.now;
    const clr = (this.h.f.get(HC.MODE) & REGS[d].clr) !== 0;
    if (fresh && (clr || this.armedAt[d] < 0)) this.armedAt[d] = now;
    if (this.armedAt[d] < 0) this.armedAt[d] = now;
    const at = Math.max(now, this.armedAt[d] + ticks * this.h.tickNs());
    this.ctx.queue.deschedule(this.tick[d]);
    this.ctx.queue.schedule(this.tick[d], at);
  }

  private disarm(d: Dir): void {
    this.ctx.queue.deschedule(this.tick[d]);
    this.armedAt[d] = -1;
  }

  private tickFired(d: Dir): void {
    this.armedAt[d] = -1;
    if (this.count[d] > 0) this.update(`${d}-tick`, true);
  }

  /**
   * A status update: tag + 1, the block DMA'd to STATUS_BLK_HOST_ADDR and copied to SRAM STATUS_BLK_NIC_ADDR,
   * counts and ticks reset; the interrupt request follows at DMA completion. GRC_MODE NOIRQ_ON_SENDS/RCV
   * suppress it for updates caused only by that kind of event.
   */
  update(reason: string, irq: boolean): void {
    if (!this.enabled) return;
    if (this.inFlight) {
      this.again = true;
      this.againIrq ||= irq;
      return;
    }
    if (!this.h.wdmaEnabled()) {
      this.h.trace('status-update-blocked', { reason, why: 'wdmac-disabled' });
      return;
    }
    const gm = this.h.grcMode();
    if ((reason.startsWith('rx') && gm & GM.NOIRQ_ON_RCV) || (reason.startsWith('tx') && gm & GM.NOIRQ_ON_SENDS)) irq = false;
    const f = this.h.f;
    this.tag = (this.tag + 1) & 0xff;
    const size = (f.get(HC.MODE) & HM.STATUS_SIZE) === 0x100 ? STATUS_BLOCK_BYTES.B32 : (f.get(HC.MODE) & HM.STATUS_SIZE) === 0x80 ? STATUS_BLOCK_BYTES.B64 : STATUS_BLOCK_BYTES.FULL;
    const blk = new Uint8Array(size);
    const dv = new DataView(blk.buffer);
    const ix = this.h.indices();
    const err = this.h.errorPending();
    dv.setUint32(0, SD_STATUS.UPDATED | (this.h.linkChg() ? SD_STATUS.LINK_CHG : 0) | (err ? SD_STATUS.ERROR : 0), true);
    dv.setUint32(4, this.tag, true);
    dv.setUint16(0xa, ix.stdCons, true);
    dv.setUint16(0x10, ix.retProd, true);
    dv.setUint16(0x12, ix.sendCompl, true);
    this.reported = ix;
    this.h.sram.copyIn(f.get(HC.STATUS_BLK_NIC_ADDR), blk);
    const addr = f.get(HC.STATUS_BLK_HOST_ADDR) * 0x1_0000_0000 + f.get(HC.STATUS_BLK_HOST_ADDR + 4);
    const end = this.h.dma(addr, blk);
    this.count = { rx: 0, tx: 0 };
    this.disarm('rx');
    this.disarm('tx');
    this.h.stats.add('ring_status_update', 'hc');
    this.inFlight = true;
    this.inFlightIrq = irq;
    this.h.trace('status-update', { reason, tag: this.tag, ret: ix.retProd, std: ix.stdCons, snd: ix.sendCompl, irq, err });
    this.ctx.queue.schedule(this.done, Math.max(end, this.ctx.queue.now));
  }

  private statusDone(): void {
    this.inFlight = false;
    if (this.inFlightIrq) this.h.requestIrq();
    if (this.again) {
      const irq = this.againIrq;
      this.again = false;
      this.againIrq = false;
      this.update('merged', irq);
    }
  }

  /** (Re)arm the statistics-block timer: every STAT_COAL_TICKS ticks while HOSTCC is enabled. */
  armStats(): void {
    const q = this.ctx.queue;
    q.deschedule(this.statsTick);
    const ticks = this.h.f.get(HC.STAT_COAL_TICKS);
    if (this.enabled && ticks !== 0) q.scheduleIn(this.statsTick, ticks * this.h.tickNs());
  }

  private statsDma(): void {
    const f = this.h.f;
    if (this.h.wdmaEnabled()) {
      const nic = f.get(HC.STATS_BLK_NIC_ADDR);
      this.h.stats.materialise(nic);
      const blk = new Uint8Array(STATS_BLOCK_BYTES);
      this.h.sram.copyOut(nic, blk);
      this.h.dma(f.get(HC.STATS_BLK_HOST_ADDR) * 0x1_0000_0000 + f.get(HC.STATS_BLK_HOST_ADDR + 4), blk);
      this.h.trace('stats-dma', { bytes: STATS_BLOCK_BYTES });
    }
    this.armStats();
  }

  /** Core reset / RST#: tag 0, counts and timers cleared. */
  reset(): void {
    const q = this.ctx.queue;
    for (const e of [this.tick.rx, this.tick.tx, this.statsTick, this.done]) q.deschedule(e);
    this.tag = 0;
    this.count = { rx: 0, tx: 0 };
    this.armedAt = { rx: -1, tx: -1 };
    this.inFlight = this.inFlightIrq = this.again = this.againIrq = false;
    this.reported = { stdCons: 0, retProd: 0, sendCompl: 0 };
  }

  saveState(): HostCoalState {
    return {
      tag: this.tag, count: { ...this.count }, armedAt: { ...this.armedAt },
      tick: { rx: this.tick.rx.when, tx: this.tick.tx.when }, statsTick: this.statsTick.when, done: this.done.when,
      inFlight: this.inFlight, inFlightIrq: this.inFlightIrq, again: this.again, againIrq: this.againIrq,
      reported: { ...this.reported },
    };
  }

  loadState(s: HostCoalState): void {
    this.reset();
    const q = this.ctx.queue;
    Object.assign(this, { tag: s.tag, count: { ...s.count }, armedAt: { ...s.armedAt }, inFlight: s.inFlight, inFlightIrq: s.inFlightIrq, again: s.again, againIrq: s.againIrq, reported: { ...s.reported } });
    if (s.tick.rx >= 0) q.schedule(this.tick.rx, s.tick.rx);
    if (s.tick.tx >= 0) q.schedule(this.tick.tx, s.tick.tx);
    if (s.statsTick >= 0) q.schedule(this.statsTick, s.statsTick);
    if (s.done >= 0) q.schedule(this.done, s.done);
  }
}
