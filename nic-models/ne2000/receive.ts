import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Frame } from '../../emulator/machine/net/link';
import type { ChipServices } from './chip';
import { fcs32 } from './crc';
import { ISR, RCR, RSR } from './regs';
import { localDmaTime, RX_TAIL_BYTES } from './timing';
import { acceptAddress, receiveStatus } from './address-filter';
import { checkLoopback, loopbackMode, serialize, type LoopedFrame } from './loopback';

/** Why a frame was not stored (the `reason` of an `rx-reject` trace record). */
export type RxRejectReason =
  | 'stopped' // CR.STP: the receiver is off
  | 'loopback' // TCR loopback: modes 1/2 do not listen to the wire; mode 3 checks wire frames but stores nothing
  | 'runt' // shorter than 64 bytes with FCS and RCR.AR clear (or too short to hold an address)
  | 'filter' // destination not accepted by PAR / AB / AM hash / PRO
  | 'crc' // CRC or alignment error and RCR.SEP clear
  | 'monitor' // RCR.MON: checked and counted as missed, never stored
  | 'ring' // PSTART >= PSTOP or CURR outside [PSTART, PSTOP): nowhere to put it (counted as missed)
  | 'overflow'; // the ring would overrun BNRY, or the receiver is still in overflow

/** A stored frame whose ring header is written but whose completion (CURR, PRX) is still pending. */
interface PendingCommit {
  next: number;
  status: number;
  page: number;
  count: number;
  pkt: number;
}

export interface ReceiverState {
  overflow: boolean;
  commitAt: number;
  pending: PendingCommit | null;
}

/**
 * Receive path (datasheet section 8 "Packet Reception" and "Buffer Management"). The frame is judged when its
 * last bit arrives; an accepted frame is written into the ring at once — 4-byte header
 * [status, next page, count low, count high], the data, then the 4-byte FCS the chip stores as well, so
 * count = length + 4 and the frame takes ceil((count + 4) / 256) pages, wrapping from PSTOP to PSTART — and CURR,
 * RSR and ISR.PRX change RX_TAIL_BYTES of local DMA later (the FIFO drain and header write).
 *
 * Ring full (datasheet "Buffer Ring Overflow"): the local DMA checks BNRY each time it advances to a new page,
 * including the advance past the frame's last page that yields the next CURR. So a frame overflows if any page
 * after its first, or the page after it, equals BNRY — CURR can never advance onto BNRY — or if it needs more
 * pages than the ring has. This serves both ring conventions: the datasheet's (BNRY = CURR = next packet when
 * empty; Send Packet reads at BNRY) and Linux/NetBSD's (empty when CURR = BNRY + 1, BNRY page consumed).
 * Letting CURR land on BNRY would make a full ring look empty to Linux/NetBSD drivers (found by the
 * devnp-ne2000 overrun tests with one-page frames). The model decides before
 * writing, so an overflowing frame leaves no partial data. Then ISR.OVW and ISR.RST are set and the frame is
 * counted in CNTR2. The datasheet's ISR bit 7: RST "is also set when a Receive Buffer Ring overflow occurs and is
 * cleared when one or more packets have been removed from the ring" (quoted the same in NetBSD dp8390reg.h and
 * FreeBSD if_edreg.h). While RST is set the receiver misses every frame; it resumes when the host moves BNRY
 * (a packet removed, by a BNRY write or a Send Packet), or when the chip is stopped (STP, the first step of the
 * datasheet's and Linux ei_rx_overrun's recovery; the Start command that follows clears RST). A Start command to
 * the running chip does not end it: Linux and NetBSD write STA with every page switch. So a driver that drains
 * the ring and acks OVW without a stop is not stalled; one that only acks OVW stays in overflow.
 */
export class Receiver {
  private overflow = false;
  private pending: PendingCommit | null = null;
  private readonly commitEv: SimEvent;
  /** The 4-byte ring header being stored (status, next page, count), reused. */
  private readonly hdr = new Uint8Array(4);

  constructor(private readonly chip: ChipServices) {
    this.commitEv = new SimEvent(`${chip.ctx.name}.rxCommit`, () => this.commit(), Priority.Device);
  }

  get inOverflow(): boolean {
    return this.overflow;
  }

  /** A frame's last bit arrived from the medium. */
  fromWire(frame: Frame): void {
    this.flush();
    if (this.chip.regs.stopped) return this.reject(frame, 'stopped');
    const mode = loopbackMode(this.chip.regs.tcr);
    if (mode === 3) checkLoopback(this.chip, frame, serialize(frame.data, frame.badFcs), false);
    if (mode !== 0) return this.reject(frame, 'loopback', { mode });
    this.receive(frame);
  }

  /** A frame came round a loopback path (loopback.ts): checked, never stored. */
  fromLoopback(looped: LoopedFrame): void {
    this.flush();
    if (this.chip.regs.stopped) return this.reject(looped.frame, 'stopped');
    checkLoopback(this.chip, looped.frame, looped.wire, looped.nicCrc);
  }

  /** CR.STP: entering the reset state ends an overflow (recovery step 1). */
  endOverflow(): void {
    this.overflow = false;
  }

  /**
   * BNRY moved (a host write or a Send Packet): packets were removed from the ring, so an overflow ends and
   * ISR.RST clears (datasheet ISR bit 7). Frames that arrive from now on are stored again if they fit.
   */
  boundaryMoved(): void {
    if (!this.overflow) return;
    this.overflow = false;
    this.chip.regs.isr &= ~ISR.RST;
    this.chip.trace('rx-resume', 0, { bnry: this.chip.regs.bnry });
  }

  /** Hardware reset: no completion is delivered for a frame in progress. */
  reset(): void {
    this.overflow = false;
    this.pending = null;
    this.chip.ctx.queue.deschedule(this.commitEv);
  }

  private receive(frame: Frame): void {
    const { regs, counters } = this.chip;
    const data = frame.data;
    const len = data.length;
    const rcr = regs.rcr;
    if (len < 6 || (len < 60 && (rcr & RCR.AR) === 0)) return this.reject(frame, 'runt');
    const kind = acceptAddress(data, regs);
    if (kind === null) return this.reject(frame, 'filter');
    const crcBad = frame.badFcs === true;
    const fae = frame.alignmentError === true;
    let status = receiveStatus(kind, crcBad, fae, counters);
    const bad = crcBad || fae;
    if (bad) {
      regs.rsr = status;
      this.chip.raise(ISR.RXE);
      if ((rcr & RCR.SEP) === 0) return this.reject(frame, 'crc', { fcs: crcBad, fae });
    } else {
      status |= RSR.PRX;
    }
    if (rcr & RCR.MON) return this.missed(frame, 'monitor', status | RSR.DIS);
    if (this.overflow) return this.missed(frame, 'overflow', status);
    const { pstart, pstop, curr, bnry } = regs;
    if (pstart >= pstop || curr < pstart || curr >= pstop) return this.missed(frame, 'ring', status);
    const count = (len + 4) & 0xffff;
    const pages = Math.ceil((len + 8) / 256);
    const ringPages = pstop - pstart;
    let fits = pages <= ringPages;
    let page = curr;
    for (let i = 1; fits && i <= pages; i++) {
      page = page + 1 === pstop ? pstart : page + 1;
      if (page === bnry) fits = false;
    }
    if (!fits) {
      this.overflow = true;
      this.chip.raise(ISR.OVW | ISR.RST);
      return this.missed(frame, 'overflow', status, { pages, ringPages });
    }
    let next = curr + pages;
    if (next >= pstop) next -= ringPages;
    this.store(frame, status, count, next);
  }

  /** Write header, data and FCS into the ring starting at CURR; completion follows after the FIFO drains. */
  private store(frame: Frame, status: number, count: number, next: number): void {
    const { regs, mem, ctx } = this.chip;
    const data = frame.data;
    const { pstart, pstop, curr } = regs;
    // Byte by byte from CURR's first byte, wrapping PSTOP -> PSTART (BufferMemory.writeRing, a copy per stretch).
    const hdr = this.hdr;
    hdr[0] = status;
    hdr[1] = next;
    hdr[2] = count & 0xff;
    hdr[3] = count >> 8;
    let addr = mem.writeRing(curr << 8, hdr, 0, 4, pstart, pstop);
    addr = mem.writeRing(addr, data, 0, data.length, pstart, pstop);
    let fcs = fcs32(data);
    if (status & RSR.CRC) fcs = ~fcs >>> 0;
    const tail = new Uint8Array([fcs & 0xff, (fcs >>> 8) & 0xff, (fcs >>> 16) & 0xff, fcs >>> 24]);
    addr = mem.writeRing(addr, tail, 0, 4, pstart, pstop);
    regs.clda = addr;
    regs.lnpp = curr;
    const fifo = new Uint8Array(Math.min(8, data.length + 4));
    fifo.set(data.subarray(Math.max(0, data.length - (fifo.length - 4))), 0);
    fifo.set(tail, fifo.length - 4);
    regs.setFifo(fifo);
    ctx.tracer.provenance.tag(data, frame.pktId);
    this.chip.trace('rx-accept', frame.pktId, { len: data.length, status });
    this.pending = { next, status, page: curr, count, pkt: frame.pktId };
    ctx.queue.scheduleIn(this.commitEv, localDmaTime(RX_TAIL_BYTES, regs.wordMode));
  }

  /** Complete a stored frame now if one is pending (a new frame arrives, or the event fires). */
  private flush(): void {
    if (this.pending) {
      this.chip.ctx.queue.deschedule(this.commitEv);
      this.commit();
    }
  }

  private commit(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const regs = this.chip.regs;
    regs.curr = p.next;
    regs.rsr = p.status;
    this.chip.trace('rx-ring', p.pkt, { page: p.page, count: p.count, next: p.next });
    this.chip.raise(p.status & RSR.PRX ? ISR.PRX : ISR.RXE);
  }

  private missed(frame: Frame, reason: RxRejectReason, status: number, extra?: Record<string, number>): void {
    this.chip.regs.rsr = (status & ~RSR.PRX) | RSR.MPA;
    this.chip.counters.bump(2);
    this.reject(frame, reason, extra);
  }

  private reject(frame: Frame, reason: RxRejectReason, extra?: Record<string, number | boolean>): void {
    this.chip.trace('rx-reject', frame.pktId, { reason, len: frame.data.length, ...extra });
  }

  saveState(): ReceiverState {
    return {
      overflow: this.overflow,
      commitAt: this.commitEv.scheduled ? this.commitEv.when : -1,
      pending: this.pending ? { ...this.pending } : null,
    };
  }

  loadState(s: ReceiverState): void {
    this.chip.ctx.queue.deschedule(this.commitEv);
    this.overflow = s.overflow;
    this.pending = s.pending ? { ...s.pending } : null;
    if (this.pending && s.commitAt >= 0) this.chip.ctx.queue.schedule(this.commitEv, s.commitAt);
  }
}
