/**
 * Linux tg3's run-time paths on a BCM5701 (design §2.1.3–§2.1.7: tg3_interrupt_tagged, tg3_poll, tg3_rx,
 * tg3_start_xmit, tg3_close) on top of the probe/open sequences of tg3-init.ts.
 */
import { MS, US } from './fixture';
import { TG3, Tg3Init } from './tg3-init';

export { TG3 };

export class Tg3 extends Tg3Init {
  /** Read the 32-byte status block. */
  statusBlock(): { status: number; tag: number; rxCons: number; retProd: number; txCons: number } {
    const b = this.h.memR(this.status, 0x20);
    const dv = new DataView(b.buffer);
    return { status: dv.getUint32(0, true), tag: dv.getUint32(4, true) & 0xff, rxCons: dv.getUint16(0xa, true), retProd: dv.getUint16(0x10, true), txCons: dv.getUint16(0x12, true) };
  }

  /**
   * tg3_interrupt_tagged + tg3_poll when INTA# is asserted (§2.1.3). Returns false when the interrupt was not
   * ours (shared line check). Processes link change, tx completion and rx, then re-enables with the last tag.
   */
  interrupt(): boolean {
    const h = this.h;
    let sb = this.statusBlock();
    if (sb.tag === this.lastIrqTag && h.r(0x70) & 0x2) return false;
    h.w(0x204, 1);
    h.r(0x204);
    this.interrupts++;
    this.lastIrqTag = sb.tag;
    for (let pass = 0; pass < 16; pass++) {
      sb = this.statusBlock();
      if (sb.status & 0x4) this.processError();
      if (sb.status & 0x2) {
        h.setMem32(this.status, 0x1 | (sb.status & ~0x2));
        this.setupPhy();
      }
      this.txCons = sb.txCons;
      this.rx(sb.retProd);
      this.lastTag = sb.tag;
      const again = this.statusBlock();
      if (again.txCons === this.txCons && again.retProd === this.rxPtr && !(again.status & 0x2)) break;
    }
    h.w(0x204, this.lastTag << 24);
    return true;
  }

  /** tg3_process_error: tg3 dumps state and schedules a reset task; here counted (tests check it). */
  private processError(): void {
    const h = this.h;
    const bad = (h.r(0x3c48) & ~0x40) | h.r(0x6004) | h.r(0x4804) | h.r(0x4c04);
    if (bad) this.errors++;
  }

  /** tg3_rx up to the status block's return producer; re-post buffers; mailboxes. */
  rx(retProd: number): void {
    const h = this.h;
    let n = 0;
    while (this.rxPtr !== retProd) {
      const d = new DataView(h.memR(this.retRing + 32 * this.rxPtr, 32).buffer);
      const opaque = d.getUint32(28, true);
      const idx = opaque & 0xffff;
      const len = d.getUint32(8, true) & 0xffff;
      const flags = d.getUint32(12, true) & 0xffff;
      const errVlan = d.getUint32(20, true);
      const data = h.memR(this.rxBufs[idx]!, Math.max(0, len - 4));
      this.received.push({ data, flags, err: errVlan & 0xffff0000, csum: d.getUint32(16, true), vlan: errVlan & 0xffff });
      // Re-post: tg3 moves the buffer to the std producer slot.
      const slot = this.stdProd;
      const std = new Uint8Array(32);
      const sv = new DataView(std.buffer);
      sv.setUint32(4, this.rxBufs[idx]!, true);
      sv.setUint32(8, TG3.RX_BUF, true);
      sv.setUint32(12, 0x4, true);
      sv.setUint32(28, 0x10000 | idx, true);
      h.memW(this.stdRing + 32 * slot, std);
      this.stdProd = (this.stdProd + 1) % 512;
      this.rxPtr = (this.rxPtr + 1) % 1024;
      n++;
    }
    if (n > 0) {
      h.w(0x284, this.rxPtr);
      h.w(0x26c, this.stdProd);
    }
  }

  /** tg3_start_xmit: one linear frame; `csum` = CHECKSUM_PARTIAL (TCPUDP_CSUM). */
  xmit(frame: Uint8Array, flags = 0, vlan = 0, ring = true): void {
    const h = this.h;
    const buf = this.txBuf + 2048 * this.txProd;
    h.memW(buf, frame);
    const bd = new Uint8Array(16);
    const dv = new DataView(bd.buffer);
    dv.setUint32(4, buf, true);
    dv.setUint32(8, ((frame.length << 16) | flags | 0x4) >>> 0, true);
    dv.setUint32(12, vlan, true);
    h.memW(this.txRing + 16 * this.txProd, bd);
    this.txProd = (this.txProd + 1) % 512;
    if (ring) h.w(0x304, this.txProd);
  }

  /**
   * tg3_close (§2.1.7): tg3_halt (signature, tg3_abort_hw stopping every block and polling each, chip reset, MAC
   * addresses), then tg3_power_down_prepare: interrupts masked, the boot code's ASF status mailbox polled, RX/TX
   * clocks off, the PHY powered down (the partner sees the link go). Returns the stop polls that needed a retry.
   */
  close(): number {
    const h = this.h;
    this.disableInts();
    h.sramW(0xb50, 0x4b657654);
    this.disableInts();
    this.rmw(0x468, (v) => v & ~2);
    h.delay(10 * US);
    let retries = 0;
    const stop = (off: number): void => {
      this.rmw(off, (v) => v & ~2);
      retries += h.poll(() => h.r(off), 2, 0, 100 * US, 1000, `tg3_stop_block 0x${off.toString(16)}`) - 1;
    };
    for (const o of [0x2c00, 0x2000, 0x3400, 0x2400, 0x2800, 0x3000, 0x1400, 0x1800, 0x0c00, 0x4800, 0x1000, 0x6400, 0x1c00]) stop(o);
    this.rmw(0x400, (v) => v & ~0x200000);
    h.delay(40 * US);
    h.wr(0x45c, h.r(0x45c) & ~2);
    retries += h.poll(() => h.r(0x45c), 2, 0, 100 * US, 1000, 'TX_MODE_ENABLE will not clear') - 1;
    for (const o of [0x3c00, 0x4c00, 0x3800]) stop(o);
    h.wr(0x5c00, 0xffffffff);
    h.wr(0x5c00, 0);
    for (const o of [0x4400, 0x4000]) stop(o);
    h.memW(this.status, new Uint8Array(0x50));
    this.chipReset();
    for (let n = 0; n < 4; n++) {
      h.wr(0x410 + 8 * n, 0x0010);
      h.wr(0x414 + 8 * n, 0x18015701);
    }
    // tg3_power_down_prepare
    h.wr(0x68, TG3.MISC_HOST_CTRL);
    h.poll(() => h.sramR(0xc00), 0xffffffff, 0xb49a89ab, MS, 200, 'ASF status mailbox');
    h.wr(0x74, h.r(0x74) | 0xc00 | 0x1000);
    h.delay(40 * US);
    this.writePhy(0x10, 0x0008);
    this.writePhy(0x18, 0x0002 | 0x2);
    this.writePhy(0, this.readPhy(0) | 0x0800);
    this.linkUp = false;
    return retries;
  }

  /** Service interrupts for `ns` of virtual time (the ISR runs when INTA# is asserted). */
  run(ns: number, step = 5 * US): void {
    const end = this.h.now + ns;
    while (this.h.now < end) {
      if (this.h.irq) this.interrupt();
      this.h.delay(Math.min(step, end - this.h.now));
    }
  }
}
