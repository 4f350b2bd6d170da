import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { b64ToBytes, bytesToB64 } from '../../emulator/machine/sim/snapshot';
import { frameWireTimeNs, type Frame } from '../../emulator/machine/net/link';
import type { CsmaCdMac, TxOutcome } from '../common/csma-mac';
import type { ChipServices } from './chip';
import { fcs32 } from './crc';
import { CR, ISR, TCR, TSR } from './regs';
import { DP8390_BIT_RATE, fifoThresholdBytes, localDmaTime } from './timing';

interface SavedFrame {
  data: string;
  pktId: number;
  badFcs: boolean;
}

export interface TransmitterState {
  busy: boolean;
  underrun: boolean;
  startAt: number;
  loopAt: number;
  loopFrame: SavedFrame | null;
  /** A frame is with the MAC and its outcome belongs to this transmission. */
  atMac: boolean;
  /** The MAC still carries a frame from before a hardware reset: its outcome is discarded. */
  stale: boolean;
  /** A new transmission waits for the stale one to leave the MAC. */
  held: boolean;
  pkt: number;
}

/** What the transmitter needs besides the chip: loopback delivery and a hook when the transmitter goes idle. */
export interface TransmitterHost {
  loopback(frame: Frame): void;
  idle(): void;
}

/**
 * Transmit path (datasheet section 9 "Packet Transmission"). CR.TXP starts it and stays set until the
 * transmission completes (writing 0 does not clear it). The local DMA fills the FIFO to the threshold, then the
 * frame is handed to the CSMA/CD MAC (deferral, collisions, backoff, 16-attempt abort). The frame is
 * TBCR bytes at TPSR·256, read through the buffer-memory map with a 16-bit address:
 *
 * - The chip neither pads nor checks the length: TBCR 0 sends an empty frame (receivers discard it as a runt).
 * - A frame that runs into the end of RAM (address 0x8000, 0x4000 on an NE1000) or is longer than the RAM
 *   (TBCR > 16 KiB, e.g. 0xFFFF) is cut there: the FIFO underruns, the truncated frame goes out with a bad
 *   FCS, TSR.FU and ISR.TXE are set, PTX is not. Bytes come from wherever the address points (RAM, the PROM,
 *   0xFF where nothing decodes), so TPSR 0x00 sends PROM bytes.
 * - TCR.CRC (inhibit CRC): the last 4 bytes of the buffer are the FCS; the wire frame is the bytes before
 *   them, with badFcs when they do not match.
 * - TCR loopback (any LB ≠ 00; the NE2000 has no external loopback plug): nothing reaches the wire; after the
 *   frame's wire time at 10 Mb/s it enters the chip's own receive path and PTX is set.
 *
 * TSR: PTX, ND (set when the frame was not deferred; RTL8029 always 1), COL, ABT, CRS, FU, OWC; CDH (heartbeat)
 * is never set. NCR = collisions mod 16 (0 after ABT).
 */
export class Transmitter {
  private busy = false;
  private underrun = false;
  private atMac = false;
  private stale = false;
  private held = false;
  /** Packet id of the frame being transmitted (for tx-done). */
  private pkt = 0;
  private loopFrame: Frame | null = null;
  private readonly startEv: SimEvent;
  private readonly loopEv: SimEvent;
  /** RTL8029: TSR bit 1 always reads 1. */
  ndAlways = false;

  constructor(
    private readonly chip: ChipServices,
    private readonly mac: CsmaCdMac,
    private readonly host: TransmitterHost,
  ) {
    this.startEv = new SimEvent(`${chip.ctx.name}.txStart`, () => this.begin(), Priority.Device);
    this.loopEv = new SimEvent(`${chip.ctx.name}.txLoop`, () => this.loopDone(), Priority.Device);
  }

  /** TXP reads 1 while a transmission is in progress. */
  get active(): boolean {
    return this.busy;
  }

  /** CR written with TXP = 1 (the chip running). */
  command(): void {
    const { regs, ctx } = this.chip;
    if (this.busy) {
      this.chip.trace('tx-ignored', 0, { reason: 'busy' });
      return;
    }
    this.busy = true;
    regs.tsr = 0;
    ctx.queue.scheduleIn(this.startEv, localDmaTime(fifoThresholdBytes(regs.dcr), regs.wordMode));
  }

  /** The outcome callback handed to the MAC (also re-supplied on restore). */
  readonly outcome = (o: TxOutcome): void => {
    if (this.stale) {
      this.stale = false;
      this.chip.trace('tx-discard', 0, { reason: 'reset' });
      if (this.held) {
        this.held = false;
        this.begin();
      }
      return;
    }
    if (!this.atMac) return;
    this.atMac = false;
    this.finish(o);
  };

  /** Hardware reset: the transmission in progress reports nothing; a frame already on the wire finishes. */
  reset(): void {
    const q = this.chip.ctx.queue;
    q.deschedule(this.startEv);
    q.deschedule(this.loopEv);
    this.loopFrame = null;
    if (this.atMac) this.stale = true;
    this.atMac = false;
    this.held = false;
    this.busy = false;
    this.underrun = false;
    this.pkt = 0;
  }

  private begin(): void {
    if (this.mac.transmitting && !this.chip.regs.loopback) {
      this.held = true;
      return;
    }
    const { regs, mem, ctx } = this.chip;
    const start = (regs.tpsr << 8) & 0xffff;
    const want = regs.tbcr;
    const limit = Math.min(want, mem.ram.length);
    const bytes = new Uint8Array(limit);
    let n = 0;
    for (; n < limit; n++) {
      const a = (start + n) & 0xffff;
      if (a === mem.ramEnd && n > 0) break;
      bytes[n] = mem.read8(a);
    }
    this.underrun = n < want;
    const raw = bytes.subarray(0, n);
    regs.clda = (start + n) & 0xffff;
    regs.setFifo(raw);
    let data: Uint8Array = raw;
    let badFcs = this.underrun;
    if (regs.tcr & TCR.CRC) {
      if (n >= 4) {
        data = raw.slice(0, n - 4);
        const want32 = (raw[n - 4]! | (raw[n - 3]! << 8) | (raw[n - 2]! << 16) | (raw[n - 1]! << 24)) >>> 0;
        if (fcs32(data) !== want32) badFcs = true;
      } else {
        badFcs = true;
      }
    } else {
      data = raw.slice();
    }
    const pktId = ctx.tracer.provenance.lookup(raw) || ctx.tracer.provenance.lookup(data);
    const frame: Frame = badFcs ? { data, pktId, badFcs: true } : { data, pktId };
    this.pkt = pktId;
    this.chip.trace('tx-start', pktId, { page: regs.tpsr, len: n, ...(this.underrun ? { underrun: true } : {}) });
    if (regs.loopback) {
      this.loopFrame = frame;
      ctx.queue.scheduleIn(this.loopEv, frameWireTimeNs(data.length, DP8390_BIT_RATE));
      return;
    }
    this.atMac = true;
    this.mac.transmit(frame, this.outcome);
  }

  private loopDone(): void {
    const f = this.loopFrame;
    this.loopFrame = null;
    const o: TxOutcome = { ok: true, collisions: 0, aborted: false, carrierLost: false, deferred: false, lateCollision: false };
    if (f) this.host.loopback(f);
    this.finish(o);
  }

  private finish(o: TxOutcome): void {
    const regs = this.chip.regs;
    const aborted = o.aborted;
    let tsr = 0;
    if (o.ok && !this.underrun) tsr |= TSR.PTX;
    if (!o.deferred || this.ndAlways) tsr |= TSR.ND;
    if (o.collisions > 0) tsr |= TSR.COL;
    if (aborted) tsr |= TSR.ABT;
    if (o.carrierLost) tsr |= TSR.CRS;
    if (this.underrun) tsr |= TSR.FU;
    if (o.lateCollision) tsr |= TSR.OWC;
    regs.tsr = tsr;
    regs.ncr = aborted ? 0 : o.collisions & 0x0f;
    this.busy = false;
    this.underrun = false;
    regs.cr &= ~CR.TXP;
    this.chip.trace('tx-done', this.pkt, { tsr, ncr: regs.ncr });
    this.pkt = 0;
    this.chip.raise(tsr & TSR.PTX ? ISR.PTX : ISR.TXE);
    this.host.idle();
  }

  saveState(): TransmitterState {
    const f = this.loopFrame;
    return {
      busy: this.busy,
      underrun: this.underrun,
      startAt: this.startEv.scheduled ? this.startEv.when : -1,
      loopAt: this.loopEv.scheduled ? this.loopEv.when : -1,
      loopFrame: f ? { data: bytesToB64(f.data), pktId: f.pktId, badFcs: f.badFcs === true } : null,
      atMac: this.atMac,
      stale: this.stale,
      held: this.held,
      pkt: this.pkt,
    };
  }

  loadState(s: TransmitterState): void {
    const q = this.chip.ctx.queue;
    q.deschedule(this.startEv);
    q.deschedule(this.loopEv);
    this.busy = s.busy;
    this.underrun = s.underrun;
    this.atMac = s.atMac;
    this.stale = s.stale;
    this.held = s.held;
    this.pkt = s.pkt;
    const lf = s.loopFrame;
    this.loopFrame = lf ? (lf.badFcs ? { data: b64ToBytes(lf.data), pktId: lf.pktId, badFcs: true } : { data: b64ToBytes(lf.data), pktId: lf.pktId }) : null;
    if (s.startAt >= 0) q.schedule(this.startEv, s.startAt);
    if (s.loopAt >= 0) q.schedule(this.loopEv, s.loopAt);
  }
}
