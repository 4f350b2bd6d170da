/**
 * The RT2560's transmit side: the TX, ATIM and PRIO rings walked on TXCSR0 kicks, the beacon ring at each TBTT
 * (tsf.ts); the cipher engine's encrypt walk of the TX ring (SECCSR1) is cipher.ts.
 *
 * A kick makes the engine walk that ring from its own index while the descriptor is NIC-owned (W0 OWNER_NIC and
 * VALID; CIPHER_OWNER is ignored then: rt2500pci sets it on every descriptor). For each: the descriptor and the
 * frame are read by bus-master DMA; the frame contends for the medium (dcf.ts) with the descriptor's AIFS and
 * CWmin/CWmax (CSR11 when CW_SELECT = 1); it goes out at the rate of the PLCP SIGNAL in W3 (W0.OFDM chooses the
 * table); with TXD ACK the MAC waits for the ACK and retransmits with the Retry bit set (IEEE 802.11-2012 8.2.4.1.8),
 * CW doubled (9.3.3), up to CSR11.SHORT_RETRY retransmissions (LONG_RETRY with RETRY_MODE) *(I: limits counted as
 * retransmissions)*. Then W0 is written back with RESULT, RETRY_COUNT and OWNER_NIC = 0 (VALID stays: NetBSD
 * rt2560_tx_intr checks it), the index advances (wrapping at the ring's count), and CSR7 TXDONE_TXRING,
 * TXDONE_ATIMRING or TXDONE_PRIORING is raised once the write-back has reached memory. Priority between rings:
 * beacon, PRIO, TX, ATIM. A descriptor with a zero or oversize length or an unknown SIGNAL completes at once with
 * RESULT = FAIL_INVALID; a frame the bus cannot read, FAIL_OTHER.
 *
 * Beacons: at TBTT with CSR14.BEACON_GEN the single beacon descriptor (TXCSR6) is sent if NIC-owned, its backoff
 * drawn from BCNCSR1.BEACON_CWMIN; the chip leaves the descriptor NIC-owned (*(I)*: both drivers rewrite it on each
 * TBCN_EXPIRE) and sets CSR15.BEACON_SENT. TIMESTAMP (W0 b10): the TSF at the first bit of byte TXCSR1.TSF_OFFSET
 * is written there as the frame goes out (802.11-2012 10.1.3.1).
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Rng } from '../../emulator/machine/sim/rng';
import type { WifiRate } from '../../emulator/machine/net/wireless/radio';
import type { Rt2560Core } from './core';
import { byteOffsetNs, decodeTxSignal } from './phy';
import { BCNCSR1_BITS, CSR, CSR11_BITS, CSR15_BITS, IFS, INT, MIN_DESC_SIZE, TX_RESULT, TXCSR0_BITS, TXCSR1_BITS, TXD_W0, TXD_W10, TXD_W2 } from './regs';
import { entryAddr, le32, TX_RINGS, txGeometry, word32, type TxRingId } from './rings';

/** The largest MPDU the engine sends (IEEE 802.11-2012 8.2.3: 2346-byte MSDU + header) plus 8 bytes of IV/EIV. */
export const MAX_TX_MPDU = 2354;
/** Bytes of a descriptor the engine reads: W0–W3 and up to W10 (44: the rt2500pci stride). */
const DESC_READ = 44;

const DONE_BIT: Readonly<Record<TxRingId, number>> = { tx: INT.TXDONE_TXRING, atim: INT.TXDONE_ATIMRING, prio: INT.TXDONE_PRIORING, beacon: 0 };

interface TxJob {
  ring: TxRingId;
  index: number;
  addr: number;
  w0: number;
  mpdu: Uint8Array;
  rate: WifiRate;
  shortPreamble: boolean;
  retries: number;
  cw: number;
  cwMax: number;
  /** AIFSN of the descriptor (W2 AIFS). */
  aifsn: number;
  /** W10.RTS (rt2500pci's 44-byte descriptors): the frame is an RTS expecting a CTS. */
  rtsFlag: boolean;
  /** 'fetch' (DMA of descriptor and frame), 'contend', 'air', 'ack', 'writeback'. */
  stage: 'fetch' | 'contend' | 'air' | 'ack' | 'writeback';
  result: number;
  /**
   * The trace's packet id of the frame as read from the ring (Tracer.provenance: the bytes the driver tagged, or the
   * cipher engine's output for them). Observation only: it labels the nic and air records, never changes what the
   * chip does.
   */
  pktId: number;
}

export interface TxState {
  idx: Record<TxRingId, number>;
  pending: TxRingId[];
  beaconPending: boolean;
  job: (Omit<TxJob, 'mpdu'> & { mpdu: number[] }) | null;
  stageEnd: number;
  /** The backoff stream's state (the chip owns its draws). */
  rng: [number, number, number, number];
}

export class TxEngine {
  readonly idx: Record<TxRingId, number> = { tx: 0, atim: 0, prio: 0, beacon: 0 };
  private readonly pending = new Set<TxRingId>();
  private beaconPending = false;
  job: TxJob | null = null;
  private readonly rng: Rng;
  /** DMA of the current job's descriptor and frame, or of its write-back, completes. */
  private readonly stageEv: SimEvent;

  constructor(private readonly c: Rt2560Core) {
    this.rng = c.ctx.rngs.stream(`${c.ctx.name}.backoff`);
    this.stageEv = new SimEvent(`${c.ctx.name}.tx-dma`, () => this.stageDone(), Priority.Device);
    c.dcf.onGrant = () => this.granted();
    c.dcf.onTxDone = () => this.airDone();
    c.dcf.onAck = (ok) => this.ackOutcome(ok);
  }

  reset(): void {
    for (const r of TX_RINGS) this.idx[r] = 0;
    this.pending.clear();
    this.beaconPending = false;
    this.job = null;
    this.c.ctx.queue.deschedule(this.stageEv);
  }

  /** A ring base register was written: the ring starts over at entry 0. */
  baseWritten(ring: TxRingId): void {
    this.idx[ring] = 0;
    if (ring === 'tx') this.c.cipher.txRingChanged();
  }

  geometryChanged(): void {
    for (const r of TX_RINGS) this.idx[r] = 0;
    this.c.cipher.txRingChanged();
  }

  pointer(ring: TxRingId): number {
    return entryAddr(txGeometry((o) => this.c.get(o), ring), this.idx[ring]);
  }

  /** TXCSR0 written. ABORT drops the pending kicks (the frame on the air finishes) *(I)*. */
  kick(v: number): void {
    if (v & TXCSR0_BITS.ABORT) {
      this.pending.clear();
      this.c.trace('tx-abort', {});
    }
    if (v & TXCSR0_BITS.KICK_PRIO) this.pending.add('prio');
    if (v & TXCSR0_BITS.KICK_TX) this.pending.add('tx');
    if (v & TXCSR0_BITS.KICK_ATIM) this.pending.add('atim');
    this.next();
  }

  beaconAtTbtt(): void {
    this.beaconPending = true;
    this.next();
  }

  private next(): void {
    while (!this.job) {
      const ring: TxRingId | undefined = this.beaconPending ? 'beacon' : (['prio', 'tx', 'atim'] as const).find((r) => this.pending.has(r));
      if (!ring) return;
      if (ring === 'beacon') this.beaconPending = false;
      if (!this.fetch(ring) && ring !== 'beacon') this.pending.delete(ring);
    }
  }

  /** Read the ring's current descriptor; start a job when it is NIC-owned. False: nothing to send. */
  private fetch(ring: TxRingId): boolean {
    const g = txGeometry((o) => this.c.get(o), ring);
    if (g.count === 0 || g.stride < MIN_DESC_SIZE) {
      this.c.trace('tx-ring-unusable', { ring, count: g.count, stride: g.stride });
      return false;
    }
    const index = this.idx[ring] % g.count;
    const addr = entryAddr(g, index);
    const d = new Uint8Array(Math.min(g.stride, DESC_READ));
    const rd = this.c.dma('read', addr, d);
    const w0 = le32(d, 0);
    if (!rd.ok || (w0 & (TXD_W0.OWNER_NIC | TXD_W0.VALID)) !== (TXD_W0.OWNER_NIC | TXD_W0.VALID)) return false;
    const len = (w0 & TXD_W0.DATABYTE_COUNT) >>> 16;
    const w2 = le32(d, 8);
    const sig = decodeTxSignal(d[12]!, (w0 & TXD_W0.OFDM) !== 0);
    const csr11 = this.c.get(CSR.CSR11);
    const cwSel = (csr11 & CSR11_BITS.CW_SELECT) !== 0;
    let cwMinExp = cwSel ? csr11 & 0xf : (w2 & TXD_W2.CWMIN) >>> 8;
    const cwMaxExp = cwSel ? (csr11 >>> 4) & 0xf : (w2 & TXD_W2.CWMAX) >>> 12;
    if (ring === 'beacon') cwMinExp = (this.c.get(CSR.BCNCSR1) & BCNCSR1_BITS.BEACON_CWMIN) >>> 16;
    const job: TxJob = {
      ring, index, addr, w0, mpdu: new Uint8Array(0), rate: sig?.rate ?? 1, shortPreamble: sig?.shortPreamble ?? false, retries: 0,
      cw: (1 << Math.min(cwMinExp, 10)) - 1, cwMax: (1 << Math.min(cwMaxExp, 10)) - 1, aifsn: (w2 & TXD_W2.AIFS) >>> 6, rtsFlag: d.length >= 44 && (le32(d, 40) & TXD_W10.RTS) !== 0, stage: 'fetch', result: TX_RESULT.SUCCESS,
      pktId: 0,
    };
    this.job = job;
    if (len < 10 || len > MAX_TX_MPDU || !sig) {
      this.c.trace('tx-invalid', { ring, index, len, signal: d[12]!, reason: !sig ? 'signal' : 'length' });
      this.finish(TX_RESULT.FAIL_INVALID);
      return true;
    }
    job.mpdu = new Uint8Array(len);
    const buf = this.c.dma('read', le32(d, 4), job.mpdu);
    if (!buf.ok) {
      this.finish(TX_RESULT.FAIL_OTHER);
      return true;
    }
    job.pktId = this.c.ctx.tracer.provenance.lookup(job.mpdu);
    this.c.ctx.queue.schedule(this.stageEv, buf.end);
    return true;
  }

  private stageDone(): void {
    const j = this.job;
    if (!j) return;
    if (j.stage === 'fetch') this.contend(true);
    else if (j.stage === 'writeback') this.completed();
  }

  /** Ask the DCF for the medium: the descriptor's IFS on the first attempt, AIFS + backoff on retries. */
  private contend(first: boolean): void {
    const j = this.job!;
    j.stage = 'contend';
    const csr11 = this.c.get(CSR.CSR11);
    const ifsField = (j.w0 & TXD_W0.IFS) >>> 13;
    let ifs: number;
    let slots: number;
    if (first && ifsField === IFS.SIFS) [ifs, slots] = [this.c.dcf.sifsNs, 0];
    else if (first && ifsField === IFS.NONE) [ifs, slots] = [0, 0];
    else {
      ifs = csr11 & CSR11_BITS.CW_SELECT ? (this.c.get(CSR.CSR19) & 0xffff) * 1000 : this.c.dcf.aifsNs(j.aifsn);
      slots = this.rng.below(j.cw + 1);
    }
    this.c.dcf.request(ifs, slots);
  }

  /** The medium is ours: stamp the TSF if asked, set the Retry bit on a retransmission, send. */
  private granted(): void {
    const j = this.job;
    if (!j || j.stage !== 'contend') return;
    j.stage = 'air';
    const f = j.mpdu.slice();
    if (j.retries > 0) f[1] = f[1]! | 0x08;
    if (j.w0 & TXD_W0.TIMESTAMP) {
      const off = ((this.c.get(CSR.TXCSR1) & TXCSR1_BITS.TSF_OFFSET) >>> 18) || 24;
      if (f.length >= off + 8) {
        let t = this.c.tsf.stamp(byteOffsetNs(off, j.rate, j.shortPreamble));
        for (let i = 0; i < 8; i++, t >>= 8n) f[off + i] = Number(t & 0xffn);
      }
    }
    if (j.ring === 'beacon') this.c.counters.beacons++;
    this.c.trace('tx-start', { ring: j.ring, index: j.index, len: f.length, rate: j.rate, retry: j.retries }, j.pktId);
    this.c.dcf.transmit({ mpdu: f, pktId: j.pktId, rate: j.rate, shortPreamble: j.shortPreamble });
  }

  private airDone(): void {
    const j = this.job;
    if (!j || j.stage !== 'air') return;
    if (j.ring === 'beacon') {
      this.c.set(CSR.CSR15, this.c.get(CSR.CSR15) | CSR15_BITS.BEACON_SENT);
      this.job = null;
      this.next();
      return;
    }
    // An RTS (software-built: NetBSD rt2560_tx_data marks it ACK | MORE_FRAG, rt2500pci sets W10.RTS) waits for its
    // CTS; the data frame behind it follows with IFS_SIFS.
    const isRts = j.mpdu[0] === 0xb4;
    if (j.w0 & TXD_W0.ACK || (isRts && j.rtsFlag)) {
      j.stage = 'ack';
      this.c.dcf.awaitAck(isRts ? 'cts' : 'ack');
      return;
    }
    this.finish(TX_RESULT.SUCCESS);
  }

  private ackOutcome(ok: boolean): void {
    const j = this.job;
    if (!j || j.stage !== 'ack') return;
    if (ok) {
      this.finish(j.retries > 0 ? TX_RESULT.SUCCESS_RETRY : TX_RESULT.SUCCESS);
      return;
    }
    const csr11 = this.c.get(CSR.CSR11);
    const limit = j.w0 & TXD_W0.RETRY_MODE ? (csr11 >>> 16) & 0xff : csr11 >>> 24;
    if (j.retries >= limit) {
      this.c.counters.txFailed++;
      this.finish(TX_RESULT.FAIL_RETRY);
      return;
    }
    j.retries++;
    this.c.counters.txRetries++;
    j.cw = Math.min(j.cw * 2 + 1, Math.max(j.cw, j.cwMax));
    this.contend(false);
  }

  /** Write W0 back (RESULT, RETRY_COUNT, OWNER_NIC = 0); the TXDONE interrupt follows the write. */
  private finish(result: number): void {
    const j = this.job!;
    j.result = result;
    j.stage = 'writeback';
    if (result === TX_RESULT.SUCCESS || result === TX_RESULT.SUCCESS_RETRY) this.c.counters.txFrames++;
    const w0 = ((j.w0 & ~(TXD_W0.OWNER_NIC | TXD_W0.RESULT | TXD_W0.RETRY_COUNT)) | (result << 2) | (Math.min(j.retries, 7) << 5)) >>> 0;
    const wr = this.c.dma('write', j.addr, word32(w0));
    this.c.trace('tx-done', { ring: j.ring, index: j.index, result, retries: j.retries }, j.pktId);
    this.c.ctx.queue.deschedule(this.stageEv);
    this.c.ctx.queue.schedule(this.stageEv, wr.end);
  }

  private completed(): void {
    const j = this.job!;
    const g = txGeometry((o) => this.c.get(o), j.ring);
    this.idx[j.ring] = g.count > 0 ? (j.index + 1) % g.count : 0;
    this.job = null;
    if (DONE_BIT[j.ring]) this.c.raise(DONE_BIT[j.ring]);
    this.next();
  }

  saveState(): TxState {
    const j = this.job;
    return {
      idx: { ...this.idx }, pending: [...this.pending], beaconPending: this.beaconPending,
      job: j ? { ...j, mpdu: Array.from(j.mpdu) } : null,
      stageEnd: this.stageEv.scheduled ? this.stageEv.when : -1,
      rng: this.rng.state(),
    };
  }

  loadState(s: TxState): void {
    Object.assign(this.idx, s.idx);
    this.pending.clear();
    for (const r of s.pending) this.pending.add(r);
    this.beaconPending = s.beaconPending;
    this.rng.setState(s.rng);
    // Snapshots from before packet ids were carried have no pktId: the frame is then unlabelled (0).
    this.job = s.job ? { ...s.job, mpdu: Uint8Array.from(s.job.mpdu), pktId: s.job.pktId ?? 0 } : null;
    const q = this.c.ctx.queue;
    q.deschedule(this.stageEv);
    if (s.stageEnd >= 0) q.schedule(this.stageEv, s.stageEnd);
  }
}
