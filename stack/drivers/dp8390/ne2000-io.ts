/**
 * Port-level access to an NE2000-compatible card: register reads/writes, remote-DMA transfers through the
 * ASIC data port (string I/O: REP INSW/OUTSW, or INSB/OUTSB on an 8-bit card), the NetBSD `ne2000_detect`
 * probe and the station-address PROM read. Everything here touches the card only through the thread's port
 * I/O (ThreadCtx in8/out8/...), which puts each access on the thread's timeline and charges the bus cycle the
 * node's ISA or PCI bus computes: the driver never charges I/O time itself.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import {
  DETECT_RST_MAX_POLLS, DETECT_RST_POLL_NS, RDC_MAX_POLLS, RDC_POLL_SPIN_NS, RESET_PULSE_NS, RESET_SETTLE_NS,
} from '../costs';
import * as R from './regs';

/** NE1000: 8-bit card, 8 KiB at 0x2000. NE2000: 16-bit card, 16 KiB at 0x4000 (NetBSD ne2000_attach). */
export type Ne2000Type = 'ne1000' | 'ne2000';

/** A card's buffer memory as the driver lays it out (NetBSD dp8390_config). */
export interface RingLayout {
  /** Transmit buffers: 1 on an 8 KiB card, 2 on 16 KiB. */
  txbCount: number;
  txPageStart: number;
  /** Receive ring [recPageStart, recPageStop). */
  recPageStart: number;
  recPageStop: number;
}

export function ringLayout(type: Ne2000Type): RingLayout {
  const memStart = type === 'ne2000' ? 0x4000 : 0x2000;
  const memSize = type === 'ne2000' ? 16384 : 8192;
  const txbCount = memSize < 16384 ? 1 : 2;
  const txPageStart = memStart / R.PAGE_SIZE;
  return {
    txbCount,
    txPageStart,
    recPageStart: txPageStart + txbCount * R.TXBUF_PAGES,
    recPageStop: txPageStart + memSize / R.PAGE_SIZE,
  };
}

/** Bytes written during the memory test; any 32 bytes with no two equal words would do. */
const TEST_PATTERN = new Uint8Array(Array.from({ length: 32 }, (_, i) => (0xa5 ^ (i * 37)) & 0xff));

export class Ne2000Io {
  /** Set once detect() has told an NE1000 from an NE2000. */
  useWord = true;

  /** @param base I/O base (ISA jumper setting or PCI BAR0) */
  constructor(readonly base: number) {}

  *in8(ctx: ThreadCtx, reg: number): Co<number> {
    return (yield* ctx.in8(this.base + reg)) & 0xff;
  }

  out8(ctx: ThreadCtx, reg: number, value: number): void {
    ctx.out8(this.base + reg, value & 0xff);
  }

  /**
   * Remote read: copy `dst.length` bytes of card memory at `src` into `dst` (NetBSD ne2000_readmem: the
   * remote-DMA setup, then `bus_space_read_multi_2` — REP INSW — of the data port).
   */
  *readMem(ctx: ThreadCtx, src: number, dst: Uint8Array): Co<void> {
    let amount = dst.length;
    if (this.useWord && amount & 1) amount++; // word mode moves whole words; the extra byte is dropped
    this.out8(ctx, R.CR, R.CR_RD2 | R.CR_PAGE0 | R.CR_STA);
    this.out8(ctx, R.P0_RBCR0, amount);
    this.out8(ctx, R.P0_RBCR1, amount >> 8);
    this.out8(ctx, R.P0_RSAR0, src);
    this.out8(ctx, R.P0_RSAR1, src >> 8);
    this.out8(ctx, R.CR, R.CR_RD0 | R.CR_PAGE0 | R.CR_STA);
    const port = this.base + R.ASIC_DATA;
    if (!this.useWord) {
      yield* ctx.in8s(port, dst);
      return;
    }
    const words = amount === dst.length ? dst : new Uint8Array(amount);
    yield* ctx.in16s(port, words);
    if (words !== dst) dst.set(words.subarray(0, dst.length));
  }

  /**
   * Remote write of `src` to card memory at `dst` (REP OUTSW, or OUTSB on an 8-bit card), then poll ISR.RDC a
   * bounded number of times, each poll costing virtual time (NetBSD ne2000_write_mbuf: maxwait 100, "about
   * 120 µs"). In word mode the byte count is rounded up to even and an odd tail is padded with a zero byte,
   * so RBCR reaches 0 on the last word. Returns false when RDC never came (the caller resets the NIC, as
   * NetBSD does).
   */
  *writeMem(ctx: ThreadCtx, dst: number, src: Uint8Array): Co<boolean> {
    const amount = this.useWord ? (src.length + 1) & ~1 : src.length;
    this.out8(ctx, R.CR, R.CR_RD2 | R.CR_PAGE0 | R.CR_STA);
    this.out8(ctx, R.P0_ISR, R.ISR_RDC);
    this.out8(ctx, R.P0_RBCR0, amount);
    this.out8(ctx, R.P0_RBCR1, amount >> 8);
    this.out8(ctx, R.P0_RSAR0, dst);
    this.out8(ctx, R.P0_RSAR1, dst >> 8);
    this.out8(ctx, R.CR, R.CR_RD1 | R.CR_PAGE0 | R.CR_STA);
    const port = this.base + R.ASIC_DATA;
    if (this.useWord) {
      const words = amount === src.length ? src : new Uint8Array(amount);
      if (words !== src) words.set(src);
      ctx.out16s(port, words);
    } else {
      ctx.out8s(port, src);
    }
    for (let n = 0; n < RDC_MAX_POLLS; n++) {
      if ((yield* this.in8(ctx, R.P0_ISR)) & R.ISR_RDC) return true;
      yield* ctx.work(RDC_POLL_SPIN_NS);
    }
    return false;
  }

  /**
   * NetBSD ne2000_detect: pulse the reset port, check that CR reads RD2|STP and ISR.RST is set, start the
   * chip and ack RST, then tell the boards apart by buffer memory: a byte-mode pattern at 0x2000 that reads
   * back means NE1000; otherwise a word-mode pattern at 0x4000 must read back (NE2000). Null: no card.
   */
  *detect(ctx: ThreadCtx): Co<Ne2000Type | null> {
    const tmp = yield* this.in8(ctx, R.ASIC_RESET);
    yield* ctx.sleep(RESET_PULSE_NS);
    this.out8(ctx, R.ASIC_RESET, tmp);
    yield* ctx.sleep(RESET_SETTLE_NS);
    this.out8(ctx, R.CR, R.CR_RD2 | R.CR_PAGE0 | R.CR_STP);
    yield* ctx.sleep(RESET_SETTLE_NS);

    const cr = yield* this.in8(ctx, R.CR);
    if ((cr & (R.CR_RD2 | R.CR_TXP | R.CR_STA | R.CR_STP)) !== (R.CR_RD2 | R.CR_STP)) return null;
    if (((yield* this.in8(ctx, R.P0_ISR)) & R.ISR_RST) === 0) return null;

    this.out8(ctx, R.CR, R.CR_RD2 | R.CR_PAGE0 | R.CR_STA);
    for (let i = 0; i < DETECT_RST_MAX_POLLS; i++) {
      if ((yield* this.in8(ctx, R.P0_ISR)) & R.ISR_RST) {
        this.out8(ctx, R.P0_ISR, R.ISR_RST);
        break;
      }
      yield* ctx.work(DETECT_RST_POLL_NS);
    }

    // Monitor mode: the chip is started by the remote-DMA commands but must not store frames meanwhile.
    this.out8(ctx, R.P0_RCR, R.RCR_MON);
    this.out8(ctx, R.P0_DCR, R.DCR_FT1 | R.DCR_LS);
    this.out8(ctx, R.P0_PSTART, 0x2000 >> 8);
    this.out8(ctx, R.P0_PSTOP, 0x4000 >> 8);
    this.useWord = false;
    let type: Ne2000Type | null = null;
    if ((yield* this.patternTest(ctx, 0x2000)) === true) {
      type = 'ne1000';
    } else {
      this.out8(ctx, R.P0_DCR, R.DCR_WTS | R.DCR_FT1 | R.DCR_LS);
      this.out8(ctx, R.P0_PSTART, 0x4000 >> 8);
      this.out8(ctx, R.P0_PSTOP, 0x8000 >> 8);
      this.useWord = true;
      if ((yield* this.patternTest(ctx, 0x4000)) === true) type = 'ne2000';
    }
    if (type === null) return null;
    this.out8(ctx, R.P0_ISR, 0xff);
    return type;
  }

  private *patternTest(ctx: ThreadCtx, addr: number): Co<boolean> {
    yield* this.writeMem(ctx, addr, TEST_PATTERN);
    const back = new Uint8Array(TEST_PATTERN.length);
    yield* this.readMem(ctx, addr, back);
    return back.every((b, i) => b === TEST_PATTERN[i]);
  }

  /**
   * The station address from the PROM at card address 0. In word mode each PROM byte comes doubled, so the
   * MAC is every other byte (NetBSD ne2000_attach reads 16 bytes and takes romdata[i * 2]).
   */
  *readProm(ctx: ThreadCtx): Co<{ mac: Uint8Array; rom: Uint8Array }> {
    const rom = new Uint8Array(32);
    yield* this.readMem(ctx, 0, rom);
    const step = this.useWord ? 2 : 1;
    const mac = new Uint8Array(6);
    for (let i = 0; i < 6; i++) mac[i] = rom[i * step]!;
    this.out8(ctx, R.P0_ISR, 0xff);
    return { mac, rom };
  }

  /**
   * RTL8029AS media status (NetBSD rtl80x9_mediastatus): page 3 CONFIG0.BNC → 10base2, else 10baseT with
   * CONFIG3.FUDUP giving full duplex. `running` keeps STA/STP as they are.
   */
  *rtl8029Media(ctx: ThreadCtx, running: boolean): Co<{ subtype: string; fullDuplex: boolean }> {
    const run = running ? R.CR_STA : R.CR_STP;
    this.out8(ctx, R.CR, R.CR_RD2 | R.CR_PAGE3 | run);
    const bnc = ((yield* this.in8(ctx, R.P3_CONFIG0)) & R.CONFIG0_BNC) !== 0;
    const fdx = !bnc && ((yield* this.in8(ctx, R.P3_CONFIG3)) & R.CONFIG3_FUDUP) !== 0;
    this.out8(ctx, R.CR, R.CR_RD2 | R.CR_PAGE0 | run);
    return { subtype: bnc ? '10base2' : '10baseT', fullDuplex: fdx };
  }
}
