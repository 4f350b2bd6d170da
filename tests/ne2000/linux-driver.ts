/**
 * A test driver doing what Linux lib8390.c + ne.c / ne2k-pci.c do, in their order (facts/ne2000.md §2).
 * Synchronous: "waits" are either immediate polls (the model completes remote DMA at once) or the caller runs
 * the simulation.
 */
import type { Simulation } from '../../emulator/machine/sim';
import {
  BNRY, CMD, CNTR0_TCR, CNTR1_DCR, CNTR2_IMR, DATA, ISR_, NCR_TBCR0, P1_CURR, PSTART, PSTOP, RBCR0, RBCR1,
  RSAR0, RSAR1, RSR_RCR, TBCR1, TSR_TPSR, type TestBus,
} from './helpers';

export interface RingConfig {
  txStart: number;
  rxStart: number;
  stop: number;
}
export const LINUX_RING: RingConfig = { txStart: 0x40, rxStart: 0x4c, stop: 0x80 };

export interface RxHeader {
  status: number;
  next: number;
  count: number;
}

export class LinuxDriver {
  /** 'word' (ne.c word-wide: insw/outsw), 'byte' (insb/outsb), 'dword' (ne2k-pci: insl/outsl, inl header). */
  constructor(
    readonly bus: TestBus,
    readonly io: 'word' | 'byte' | 'dword' = 'word',
    readonly ring: RingConfig = LINUX_RING,
  ) {}

  get dcr(): number {
    return this.io === 'byte' ? 0x48 : 0x49;
  }

  /** __NS8390_init(dev, startp = 1) as listed in the facts, then the multicast/RCR setup. */
  open(mac: number[], rcr = 0x04, mar?: number[]): void {
    const b = this.bus;
    const r = this.ring;
    b.outb(CMD, 0x21);
    b.outb(CNTR1_DCR, this.dcr);
    b.outb(RBCR0, 0);
    b.outb(RBCR1, 0);
    b.outb(RSR_RCR, 0x20);
    b.outb(CNTR0_TCR, 0x02);
    b.outb(TSR_TPSR, r.txStart);
    b.outb(PSTART, r.rxStart);
    b.outb(BNRY, r.stop - 1);
    b.outb(PSTOP, r.stop);
    b.outb(ISR_, 0xff);
    b.outb(CNTR2_IMR, 0);
    b.outb(CMD, 0x61);
    for (let i = 0; i < 6; i++) b.outb(1 + i, mac[i]!);
    b.outb(P1_CURR, r.rxStart);
    b.outb(CMD, 0x21);
    b.outb(ISR_, 0xff);
    b.outb(CNTR2_IMR, 0x3f);
    b.outb(CMD, 0x22);
    b.outb(CNTR0_TCR, 0);
    if (mar) {
      b.outb(CMD, 0x60);
      for (let i = 0; i < 8; i++) b.outb(8 + i, mar[i]!);
      b.outb(CMD, 0x20);
    }
    b.outb(RSR_RCR, rcr);
  }

  /** ne_block_output: ack RDC, RBCR (rounded for the I/O width), RSAR, CR 0x12, data, poll RDC. */
  upload(page: number, data: Uint8Array): boolean {
    const b = this.bus;
    let count = data.length;
    if (this.io === 'word' && count & 1) count++;
    if (this.io === 'dword') count = (count + 3) & ~3;
    const buf = new Uint8Array(count);
    buf.set(data);
    b.outb(CMD, 0x22);
    b.outb(ISR_, 0x40);
    b.outb(RBCR0, count & 0xff);
    b.outb(RBCR1, count >> 8);
    b.outb(RSAR0, 0);
    b.outb(RSAR1, page);
    b.outb(CMD, 0x12);
    if (this.io === 'word') b.outsw(DATA, buf);
    else if (this.io === 'dword') b.outsl(DATA, buf);
    else b.outsb(DATA, buf);
    for (let i = 0; i < 20; i++) if (b.inb(ISR_) & 0x40) break;
    const ok = (b.inb(ISR_) & 0x40) !== 0;
    b.outb(ISR_, 0x40);
    return ok;
  }

  /** ei_start_xmit's trigger: CR 0x20, read CR (TXP must be clear), TBCR, TPSR, CR 0x26. Returns CR as read. */
  trigger(page: number, len: number): number {
    const b = this.bus;
    b.outb(CMD, 0x20);
    const cr = b.inb(CMD);
    b.outb(NCR_TBCR0, len & 0xff);
    b.outb(TBCR1, len >> 8);
    b.outb(TSR_TPSR, page);
    b.outb(CMD, 0x26);
    return cr;
  }

  /** A remote read of `len` bytes at `addr` with the driver's I/O width (ne_block_input). */
  blockInput(addr: number, len: number): Uint8Array {
    const b = this.bus;
    b.outb(CMD, 0x22);
    b.outb(RBCR0, len & 0xff);
    b.outb(RBCR1, len >> 8);
    b.outb(RSAR0, addr & 0xff);
    b.outb(RSAR1, addr >> 8);
    b.outb(CMD, 0x0a);
    let out: Uint8Array;
    if (this.io === 'word') {
      out = new Uint8Array(len);
      out.set(b.insw(DATA, len >> 1));
      if (len & 1) out[len - 1] = b.inb(DATA);
    } else if (this.io === 'dword') {
      out = new Uint8Array(len);
      out.set(b.insl(DATA, len >> 2));
      const rest = len & 3;
      if (rest >= 2) {
        const w = b.inw(DATA);
        out[len - rest] = w & 0xff;
        out[len - rest + 1] = w >> 8;
      }
      if (rest & 1) out[len - 1] = b.inb(DATA);
    } else {
      out = b.insb(DATA, len);
    }
    b.outb(ISR_, 0x40);
    return out;
  }

  readHeader(page: number): RxHeader {
    const h = this.blockInput(page << 8, 4);
    return { status: h[0]!, next: h[1]!, count: h[2]! | (h[3]! << 8) };
  }

  curr(): number {
    const b = this.bus;
    b.outb(CMD, 0x62);
    const c = b.inb(P1_CURR);
    b.outb(CMD, 0x22);
    return c;
  }

  /** ei_receive: drain up to `max` packets; returns the frames (without FCS) in ring order. */
  receive(max = 64): { frames: Uint8Array[]; headers: RxHeader[]; errors: string[] } {
    const b = this.bus;
    const { rxStart, stop } = this.ring;
    const frames: Uint8Array[] = [];
    const headers: RxHeader[] = [];
    const errors: string[] = [];
    for (let n = 0; n < max; n++) {
      const curr = this.curr();
      let thisPage = b.inb(BNRY) + 1;
      if (thisPage >= stop) thisPage = rxStart;
      if (thisPage === curr) break;
      const h = this.readHeader(thisPage);
      const pktLen = h.count - 4;
      const size = stop - rxStart;
      const n1 = thisPage + 1 + (h.count >> 8);
      const okNext = [n1, n1 + 1, n1 - size, n1 + 1 - size].includes(h.next);
      if (!okNext) errors.push(`bad next ${JSON.stringify(h)}`);
      if (pktLen < 60 || pktLen > 1518) errors.push(`bogus length ${pktLen}`);
      else if ((h.status & 0x0f) === 0x01) frames.push(this.blockInput((thisPage << 8) + 4, pktLen));
      else errors.push(`status ${h.status.toString(16)}`);
      headers.push(h);
      b.outb(BNRY, h.next - 1);
    }
    b.outb(ISR_, 0x05);
    return { frames, headers, errors };
  }

  /** The interrupt acknowledge the test needs: read and clear ISR bits. */
  ack(bits: number): number {
    const isr = this.bus.inb(ISR_);
    this.bus.outb(ISR_, bits);
    return isr;
  }

  /** ei_rx_overrun: the datasheet recovery sequence (the 10 ms wait is run on the simulation). */
  overrunRecovery(sim: Simulation): { frames: Uint8Array[] } {
    const b = this.bus;
    const wasTx = (b.inb(CMD) & 0x04) !== 0;
    b.outb(CMD, 0x21);
    sim.queue.runUntil(sim.queue.now + 10_000_000);
    b.outb(RBCR0, 0);
    b.outb(RBCR1, 0);
    const mustResend = wasTx && (b.inb(ISR_) & 0x0a) === 0;
    b.outb(CNTR0_TCR, 0x02);
    b.outb(CMD, 0x22);
    const { frames } = this.receive();
    b.outb(ISR_, 0x10);
    b.outb(CNTR0_TCR, 0);
    if (mustResend) b.outb(CMD, 0x26);
    return { frames };
  }
}
