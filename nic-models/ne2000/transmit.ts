import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { b64ToBytes, bytesToB64 } from '../../emulator/machine/sim/snapshot';
import { frameWireTimeNs, type Frame } from '../../emulator/machine/net/link';
import type { CsmaCdMac, TxOutcome } from '../common/csma-mac';
import type { ChipServices } from './chip';
import { fcs32 } from './crc';
import { loopbackMode, loopbackTsr, serialize, type LoopedFrame } from './loopback';
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
  /** The frame going round a loopback path: in the loop (modes 1, 2) or at the MAC until it comes back (mode 3). */
  loopFrame: SavedFrame | null;
  /**
   * Its loop mode, serialized bytes (base64) and whether the NIC generated its FCS. States saved before these
   * fields existed carry only internal (mode 1) loopback frames with an FCS from the NIC: that is how they load.
   */
  loopMode?: 1 | 2 | 3;
  loopWire?: string;
  loopNicCrc?: boolean;
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
  /** A frame came round the loopback path to the receiver (loopback.ts: checked, never stored). */
  loopback(looped: LoopedFrame): void;
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
 * - TCR loopback (loopback.ts): modes 1 and 2 (LB 01, 10) keep the frame off the wire; after its wire time at
 *   10 Mb/s the receiver checks it (RSR, FIFO; never the ring) and TSR reads 51H / 43H as the application note
 *   and datasheet give. Mode 3 (LB 11) sends it on the medium under CSMA/CD like any frame; when it has gone
 *   out, the transceiver's copy reaches the receiver's check.
 *
 * TSR: PTX, ND (set when the frame was not deferred; RTL8029 always 1), COL, ABT, CRS, FU, OWC; CDH (heartbeat)
 * only in loopback modes 1 and 2 (the transceiver's heartbeat is not modelled). NCR = collisions mod 16 (0 after
 * ABT).
 */
export class Transmitter {
  private busy = false;
  private underrun = false;
  private atMac = false;
  private stale = false;
  private held = false;
  /** Packet id of the frame being transmitted (for tx-done). */
  private pkt = 0;
  private loop: LoopedFrame | null = null;
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

  /**
   * A transmission TXP started whose bytes the local DMA has not taken from buffer memory yet (its start event is
   * pending, or it waits for the MAC): until it has, a host write into its packet could still change the frame.
   */
  get sourcePending(): boolean {
    return this.busy && !this.atMac;
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
    this.loop = null;
    if (this.atMac) this.stale = true;
    this.atMac = false;
    this.held = false;
    this.busy = false;
    this.underrun = false;
    this.pkt = 0;
  }

  private begin(): void {
    const { regs, mem, ctx } = this.chip;
    const mode = loopbackMode(regs.tcr);
    if (this.mac.transmitting && (mode === 0 || mode === 3)) {
      this.held = true;
      return;
    }
    const start = (regs.tpsr << 8) & 0xffff;
    const want = regs.tbcr;
    const limit = Math.min(want, mem.ram.length);
    const bytes = new Uint8Array(limit);
    // The local DMA reads byte by byte from TPSR and stops at the end of RAM; a stretch inside RAM is one copy.
    let n = 0;
    while (n < limit) {
      const a = (start + n) & 0xffff;
      if (a === mem.ramEnd && n > 0) break;
      if (a >= mem.ramStart && a < mem.ramEnd) {
        const r = Math.min(limit - n, mem.ramEnd - a);
        bytes.set(mem.ram.subarray(a - mem.ramStart, a - mem.ramStart + r), n);
        n += r;
      } else {
        bytes[n] = mem.read8(a);
        n++;
      }
    }
    this.underrun = n < want;
    const raw = bytes.subarray(0, n);
    regs.clda = (start + n) & 0xffff;
    regs.setFifo(raw);
    let data: Uint8Array = raw;
    let badFcs = this.underrun;
    const nicCrc = (regs.tcr & TCR.CRC) === 0;
    if (!nicCrc) {
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
    this.chip.trace('tx-start', pktId, { page: regs.tpsr, len: n, ...(this.underrun ? { underrun: true } : {}), ...(mode ? { loopback: mode } : {}) });
    // With TCR.CRC the buffer's last bytes are the FCS as serialized; otherwise the NIC appends it. Only a
    // loopback path looks at the serialized bytes (the medium gets `frame`).
    if (mode !== 0) this.loop = { frame, wire: nicCrc ? serialize(data, this.underrun) : raw.slice(), nicCrc, mode };
    if (mode === 1 || mode === 2) {
      ctx.queue.scheduleIn(this.loopEv, frameWireTimeNs(data.length, DP8390_BIT_RATE));
      return;
    }
    this.atMac = true;
    this.mac.transmit(frame, this.outcome);
  }

  /** Modes 1 and 2: the frame has gone round the NIC or ENDEC loop. */
  private loopDone(): void {
    const l = this.loop;
    this.loop = null;
    if (l) this.host.loopback(l);
    const mode = l?.mode === 2 ? 2 : 1;
    this.complete(loopbackTsr(mode, this.underrun, this.ndAlways), 0);
  }

  private finish(o: TxOutcome): void {
    const l = this.loop;
    this.loop = null;
    // Mode 3: a frame that went out comes back through the transceiver to the receiver's check.
    if (l && !o.aborted && !o.carrierLost) this.host.loopback(l);
    const aborted = o.aborted;
    let tsr = 0;
    if (o.ok && !this.underrun) tsr |= TSR.PTX;
    if (!o.deferred || this.ndAlways) tsr |= TSR.ND;
    if (o.collisions > 0) tsr |= TSR.COL;
    if (aborted) tsr |= TSR.ABT;
    if (o.carrierLost) tsr |= TSR.CRS;
    if (this.underrun) tsr |= TSR.FU;
    if (o.lateCollision) tsr |= TSR.OWC;
    this.complete(tsr, aborted ? 0 : o.collisions & 0x0f);
  }

  private complete(tsr: number, ncr: number): void {
    const regs = this.chip.regs;
    regs.tsr = tsr;
    regs.ncr = ncr;
    this.busy = false;
    this.underrun = false;
    regs.cr &= ~CR.TXP;
    this.chip.trace('tx-done', this.pkt, { tsr, ncr: regs.ncr });
    this.pkt = 0;
    this.chip.raise(tsr & TSR.PTX ? ISR.PTX : ISR.TXE);
    this.host.idle();
  }

  saveState(): TransmitterState {
    const l = this.loop;
    const f = l?.frame;
    return {
      busy: this.busy,
      underrun: this.underrun,
      startAt: this.startEv.scheduled ? this.startEv.when : -1,
      loopAt: this.loopEv.scheduled ? this.loopEv.when : -1,
      loopFrame: f ? { data: bytesToB64(f.data), pktId: f.pktId, badFcs: f.badFcs === true } : null,
      ...(l ? { loopMode: l.mode, loopWire: bytesToB64(l.wire), loopNicCrc: l.nicCrc } : {}),
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
    const frame: Frame | null = lf ? (lf.badFcs ? { data: b64ToBytes(lf.data), pktId: lf.pktId, badFcs: true } : { data: b64ToBytes(lf.data), pktId: lf.pktId }) : null;
    this.loop = frame
      ? {
        frame,
        wire: s.loopWire !== undefined ? b64ToBytes(s.loopWire) : serialize(frame.data, frame.badFcs),
        nicCrc: s.loopNicCrc ?? true,
        mode: s.loopMode ?? 1,
      }
      : null;
    if (s.startAt >= 0) q.schedule(this.startEv, s.startAt);
    if (s.loopAt >= 0) q.schedule(this.loopEv, s.loopAt);
  }
}
