/**
 * The RT2560's receive side: the RXCSR0 filter, the RX ring (RXCSR1 size and count, RXCSR2 base) filled by
 * bus-master DMA, RXDONE, the FCS-error and overflow counters (the cipher engine's decrypt walk is cipher.ts).
 *
 * Counters (clear on read): CNT0 FCS errors, CNT1 PLCP errors, CNT2 frames longer than CSR9, CNT4 RX overflow.
 *
 * Filter (RXCSR0; rt2500pci_config_filter, NetBSD rt2560_set_rxfilter): DISABLE_RX drops everything; DROP_PHYSICAL
 * frames whose PLCP header failed; DROP_CRC frames with a bad FCS (counted in CNT0 either way); DROP_VERSION_ERROR
 * a protocol version other than 0; DROP_CONTROL control frames; DROP_NOT_TO_ME unicast to another address;
 * DROP_TODS frames with ToDS set; DROP_MCAST/DROP_BCAST group frames. There is no BSSID filter: MY_BSS only flags
 * a frame whose BSSID (by ToDS/FromDS, IEEE 802.11-2012 8.3.2.1) is CSR5/CSR6.
 *
 * A frame that passes goes to the descriptor at the chip's RX index if it is NIC-owned (W0 OWNER_NIC); otherwise it
 * is dropped and counted in CNT4 (the chip has nowhere to put it). The chip writes the frame (FCS excluded) to the
 * W1 buffer, then W2/W3 (SIGNAL: CCK rate in 100 kb/s or the OFDM PLCP code; RSSI = dBm + 121; the transmitter
 * address), then W0 with OWNER_NIC clear, the flags and the length (rt2500pci_fill_rxdone, NetBSD
 * rt2560_decryption_intr), advances (wrapping), and raises CSR7 RXDONE when the last write reached memory.
 * DISABLE_RX keeps the ring index (rt2500pci toggles it on every channel change); only RXCSR2 resets it.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Ppdu, RxInfo } from '../../emulator/machine/net/wireless/radio';
import type { Rt2560Core } from './core';
import { isOfdm, rxSignal } from './phy';
import { CSR, INT, MIN_DESC_SIZE, RSSI_OFFSET, RXCSR0_BITS as F, RXD_W0 } from './regs';
import { entryAddr, le32, rxGeometry, word32 } from './rings';

export interface RxState {
  idx: number;
  done: number;
}

export class RxEngine {
  idx = 0;
  private readonly doneEv: SimEvent;

  constructor(private readonly c: Rt2560Core) {
    this.doneEv = new SimEvent(`${c.ctx.name}.rx-done`, () => c.raise(INT.RXDONE), Priority.Device);
  }

  reset(): void {
    this.idx = 0;
    this.c.ctx.queue.deschedule(this.doneEv);
  }

  get enabled(): boolean {
    return !(this.c.get(CSR.RXCSR0) & F.DISABLE_RX);
  }

  controlChanged(v: number, old: number): void {
    if ((v ^ old) & F.DISABLE_RX) this.c.trace('rx-enable', { on: !(v & F.DISABLE_RX) });
  }

  baseWritten(): void {
    this.idx = 0;
    this.c.cipher.rxRingChanged();
  }

  pointer(): number {
    return entryAddr(rxGeometry((o) => this.c.get(o)), this.idx);
  }

  private drop(reason: string, ppdu: Ppdu): void {
    this.c.counters.rxDropped++;
    this.c.trace('rx-drop', { reason, len: ppdu.mpdu.length }, ppdu.pktId);
  }

  private count(off: number): void {
    this.c.set(off, this.c.get(off) + 1);
  }

  /** A PPDU ended at our antenna (dcf.ts has done the MAC's own business with it). */
  deliver(ppdu: Ppdu, rx: RxInfo): void {
    const ctl = this.c.get(CSR.RXCSR0);
    const m = ppdu.mpdu;
    const phyErr = !rx.headerOk;
    const crcErr = !phyErr && !rx.ok;
    // CNT0 counts FCS errors, CNT1 PLCP errors (NetBSD rt2560reg.h), whatever the filter then does.
    if (crcErr) this.count(CSR.CNT0);
    if (phyErr) this.count(CSR.CNT1);
    if (ctl & F.DISABLE_RX) return this.drop('disabled', ppdu);
    if (phyErr && ctl & F.DROP_PHYSICAL) return this.drop('phy-error', ppdu);
    if (crcErr && ctl & F.DROP_CRC) return this.drop('crc', ppdu);
    if (m.length < 10) return this.drop('short', ppdu);
    const type = (m[0]! >>> 2) & 3;
    const group = (m[4]! & 1) !== 0;
    const bcast = m.subarray(4, 10).every((b) => b === 0xff);
    const toMe = this.c.isOwnAddress(m, 4);
    if (m[0]! & 3 && ctl & F.DROP_VERSION_ERROR) return this.drop('version', ppdu);
    if (type === 1 && ctl & F.DROP_CONTROL) return this.drop('control', ppdu);
    if (!group && !toMe && ctl & F.DROP_NOT_TO_ME) return this.drop('not-to-me', ppdu);
    if (m[1]! & 1 && ctl & F.DROP_TODS) return this.drop('tods', ppdu);
    if (group && !bcast && ctl & F.DROP_MCAST) return this.drop('multicast', ppdu);
    if (bcast && ctl & F.DROP_BCAST) return this.drop('broadcast', ppdu);
    const maxUnit = (this.c.get(CSR.CSR9) >>> 7) & 0x1f;
    if (maxUnit > 0 && m.length > maxUnit * 128) {
      this.count(CSR.CNT2); // NetBSD: "Long error counter"
      return this.drop('too-long', ppdu);
    }

    const g = rxGeometry((o) => this.c.get(o));
    if (g.count === 0 || g.stride < MIN_DESC_SIZE) {
      this.count(CSR.CNT4);
      return this.drop('ring-unusable', ppdu);
    }
    const addr = entryAddr(g, this.idx);
    const d = new Uint8Array(8);
    const rd = this.c.dma('read', addr, d);
    if (!rd.ok || !(le32(d, 0) & RXD_W0.OWNER_NIC)) {
      this.count(CSR.CNT4);
      return this.drop('no-descriptor', ppdu);
    }
    let flags = (toMe ? RXD_W0.UNICAST_TO_ME : 0) | (group && !bcast ? RXD_W0.MULTICAST : 0) | (bcast ? RXD_W0.BROADCAST : 0);
    if (this.myBss(m)) flags |= RXD_W0.MY_BSS;
    if (crcErr) flags |= RXD_W0.CRC_ERROR;
    if (phyErr) flags |= RXD_W0.PHYSICAL_ERROR;
    if (isOfdm(ppdu.rate)) flags |= RXD_W0.OFDM;
    this.c.dma('write', le32(d, 4), m);
    // Observation only: the driver (or the cipher engine) that reads these bytes back can name the packet.
    this.c.ctx.tracer.provenance.tag(m, ppdu.pktId);
    const w23 = new Uint8Array(8);
    const rssi = Math.max(0, Math.min(255, Math.round(rx.rssiDbm + RSSI_OFFSET)));
    w23[0] = rxSignal(ppdu.rate);
    w23[1] = rssi;
    if (m.length >= 16) w23.set(m.subarray(10, 16), 2);
    this.c.dma('write', addr + 8, w23);
    const w0 = (flags | ((m.length & 0xfff) << 16)) >>> 0;
    const end = this.c.dma('write', addr, word32(w0)).end;
    this.c.counters.rxFrames++;
    this.c.trace('rx-accept', { index: this.idx, len: m.length, rssi, flags: w0 & 0xffff }, ppdu.pktId);
    this.idx = (this.idx + 1) % g.count;
    this.c.ctx.queue.deschedule(this.doneEv);
    this.c.ctx.queue.schedule(this.doneEv, end);
  }

  /** The frame's BSSID (8.3.2.1 Table 8-19 for data; Address 3 for management) is ours. */
  private myBss(m: Uint8Array): boolean {
    const type = (m[0]! >>> 2) & 3;
    if (type === 1 || m.length < 24) return false;
    if (type === 0) return this.c.isBssid(m, 16);
    const ds = m[1]! & 3;
    return ds === 0 ? this.c.isBssid(m, 16) : ds === 1 ? this.c.isBssid(m, 4) : ds === 2 ? this.c.isBssid(m, 10) : false;
  }

  saveState(): RxState {
    return {
      idx: this.idx, done: this.doneEv.scheduled ? this.doneEv.when : -1,
    };
  }

  loadState(s: RxState): void {
    this.idx = s.idx;
    const q = this.c.ctx.queue;
    q.deschedule(this.doneEv);
    if (s.done >= 0) q.schedule(this.doneEv, s.done);
  }
}
