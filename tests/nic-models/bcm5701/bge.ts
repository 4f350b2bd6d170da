/**
 * NetBSD bge's register-level sequences for a BCM5701 B5 (design §2.2, from if_bge.c `bge_attach`, `bge_reset`,
 * `bge_chipinit`, `bge_blockinit`, `bge_init`, `bge_intr`, `bge_rxeof`, `bge_txeof`, `bge_stop`; brgphy from
 * brgphy.c), as a test-side driver: non-tagged status, SRAM through config cycles and the BAR window, the PHY
 * auto-polled, the EEPROM read byte by byte. Written from the documented order, not copied.
 */
import { Host, MS, US } from './fixture';

const BGE_TIMEOUT = 100000;

export class Bge {
  status = 0;
  stats = 0;
  txRing = 0;
  stdRing = 0;
  retRing = 0;
  rxBufs: number[] = [];
  txBuf = 0;
  txProd = 0;
  txCons = 0;
  rxCons = 0;
  stdProd = 0;
  link = false;
  interrupts = 0;
  spurious = 0;
  received: { data: Uint8Array; flags: number; csum: number }[] = [];
  mac: number[] = [];

  constructor(readonly h: Host) {}

  private setbit(off: number, bits: number): void {
    this.h.w(off, this.h.r(off) | bits);
  }

  private clrbit(off: number, bits: number): void {
    this.h.w(off, this.h.r(off) & ~bits);
  }

  /** bge_miibus_readreg: auto-poll off around the frame, BUSY polled every 10 µs. */
  miiR(reg: number): number {
    const h = this.h;
    const mode = h.r(0x454);
    if (mode & 0x10) {
      h.w(0x454, mode & ~0x10);
      h.r(0x454);
      h.delay(80 * US);
    }
    h.w(0x44c, 0x08000000 | 0x20000000 | (1 << 21) | (reg << 16));
    h.r(0x44c);
    h.poll(() => h.r(0x44c), 0x20000000, 0, 10 * US, BGE_TIMEOUT, 'PHY read timed out');
    h.delay(5 * US);
    const v = h.r(0x44c);
    if (mode & 0x10) {
      h.w(0x454, mode);
      h.r(0x454);
      h.delay(80 * US);
    }
    return v & 0x10000000 ? 0 : v & 0xffff;
  }

  miiW(reg: number, value: number): void {
    const h = this.h;
    const mode = h.r(0x454);
    if (mode & 0x10) {
      h.w(0x454, mode & ~0x10);
      h.r(0x454);
      h.delay(80 * US);
    }
    h.w(0x44c, 0x04000000 | 0x20000000 | (1 << 21) | (reg << 16) | value);
    h.r(0x44c);
    h.poll(() => h.r(0x44c), 0x20000000, 0, 10 * US, BGE_TIMEOUT, 'PHY write timed out');
    if (mode & 0x10) {
      h.w(0x454, mode);
      h.r(0x454);
      h.delay(80 * US);
    }
  }

  /** bge_attach (§2.2.1) through the MAC address and the brgphy attach. */
  attach(): void {
    const h = this.h;
    h.cr(0x2c);
    h.cw(0x04, h.cr(0x04) | 0x6);
    if (h.cr(0x68) >>> 16 !== 0x0105) throw new Error('chipid');
    if (!(h.cr(0x70) & 0x4)) throw new Error('PCI-X');
    h.w(0x454, 0x000c0020);
    h.r(0x6804);
    if (h.r(0x5000) & 0x40) throw new Error('ROMFAIL');
    h.w(0x6838, 0x21800000);
    h.delay(1000 * US);
    this.setbit(0x6808, 0x01000000);
    this.reset();
    if (h.sramR(0xb54, 'bge-cfg') !== 0x4b657654) throw new Error('no signature');
    if ((h.sramR(0xb58, 'bge-cfg') & 0x30) !== 0x10) throw new Error('not copper');
    this.chipinit();
    const hi = h.sramR(0xc14, 'bge-cfg');
    const lo = h.sramR(0xc18, 'bge-cfg');
    if (hi >>> 16 === 0x484b) this.mac = [(hi >> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff];
    else this.mac = [0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83].map((a) => h.eeR(a, 'bge'));
    // brgphy attach: IDs, reset, jumbo + wirespeed settings, capabilities.
    if (this.miiR(2) !== 0x0020 || (this.miiR(3) >> 4) !== 0x611) throw new Error('no brgphy');
    this.phyReset();
    this.miiR(1);
    this.miiR(0xf);
    this.alloc();
  }

  private phyReset(): void {
    this.miiW(0, 0x8400);
    this.h.poll(() => this.miiR(0), 0x8000, 0, MS, 100, 'mii_phy_reset');
    this.miiW(0x18, 0x0007);
    this.miiW(0x18, this.miiR(0x18) | 0x4000);
    this.miiW(0x10, this.miiR(0x10) | 0x1);
    this.miiW(0x18, 0x7007);
    this.miiW(0x18, this.miiR(0x18) | 0x8010);
  }

  private alloc(): void {
    const h = this.h;
    this.status = h.alloc(0x50, 64);
    this.stats = h.alloc(0x800, 64);
    this.txRing = h.alloc(512 * 16);
    this.stdRing = h.alloc(512 * 32);
    this.retRing = h.alloc(1024 * 32);
    this.txBuf = h.alloc(512 * 2048);
    this.rxBufs = Array.from({ length: 512 }, () => h.alloc(2048, 64) + 2);
  }

  /** bge_reset (§2.2.2): core reset through REG_BASE/REG_DATA, firmware handshake. */
  reset(): void {
    const h = this.h;
    const macMode = h.r(0x400) & 0xe;
    const cache = h.cr(0x0c);
    const cmd = h.cr(0x04);
    h.cw(0x68, 0x9a);
    h.sramW(0xb50, 0x4b657654, 'bge-cfg');
    h.cw(0x78, 0x6804);
    h.cw(0x80, 0x83);
    h.delay(1000 * US);
    h.cr(0x04);
    h.cw(0x68, 0x9a);
    h.cw(0x70, 0x60);
    h.cw(0x0c, cache);
    h.cw(0x04, cmd);
    h.w(0x4000, 2);
    h.w(0x6800, 0x34);
    h.poll(() => h.sramR(0xb50, 'bge-cfg'), 0xffffffff, 0xb49a89ab, 10 * US, BGE_TIMEOUT, 'firmware handshake timed out');
    h.w(0x400, (h.r(0x400) & ~0xe) | macMode);
    h.r(0x400);
    h.delay(40 * US);
  }

  /** bge_chipinit (§2.2.3). */
  chipinit(): void {
    const h = this.h;
    h.cw(0x68, 0x8b);
    h.w(0x7c, 0);
    for (let a = 0x300; a < 0xb00; a += 4) h.w(0x8000 + a, 0);
    for (let a = 0xb00; a < 0xb50; a += 4) h.w(0x8000 + a, 0);
    h.cw(0x6c, 0x76ff000f);
    h.w(0x6800, 0x04128034);
    h.cw(0x04, h.cr(0x04, 2) & ~0x10, 2);
    h.w(0x6804, 0x82);
  }

  /** bge_blockinit (§2.2.4). */
  blockinit(): void {
    const h = this.h;
    h.cw(0x7c, 0);
    for (const [o, v] of [[0x4408, 0x8000], [0x440c, 0x18000], [0x442c, 0x2000], [0x4430, 0x2000], [0x4410, 0x50], [0x4414, 0x20], [0x4418, 0x60], [0x4434, 5], [0x4438, 10]] as const) h.w(o, v);
    h.w(0x4400, 0x6);
    h.poll(() => h.r(0x4400), 0x2, 0x2, 10 * US, BGE_TIMEOUT * 2, 'buffer manager failed to start');
    h.w(0x5c00, 0xffffffff);
    h.w(0x5c00, 0);
    h.poll(() => h.r(0x5c00), 0xffffffff, 0, 10 * US, BGE_TIMEOUT, 'flow-through queue init failed');
    h.w(0x2450, 0);
    h.w(0x2454, this.stdRing);
    h.w(0x2458, 0x06000000);
    h.w(0x245c, 0x6000);
    h.w(0x26c, 0);
    h.w(0x2448, 3);
    h.w(0x244c, 0x7000);
    h.w(0x274, 0);
    h.w(0x2468, 2);
    h.w(0x27c, 0);
    h.w(0x2c18, 8);
    h.w(0x2c1c, 8);
    for (let n = 0; n < 16; n++) {
      h.w(0x8108 + 16 * n, 2);
      h.w(0x810c + 16 * n, 0);
    }
    h.w(0x8100, 0);
    h.w(0x8104, this.txRing);
    h.w(0x810c, 0x4000);
    h.w(0x8108, 0x02000000);
    for (let n = 0; n < 16; n++) {
      h.w(0x8200 + 16 * n, 0);
      h.w(0x8204 + 16 * n, 0);
      h.w(0x8208 + 16 * n, 0x04000002);
      h.w(0x820c + 16 * n, 0);
      h.w(0x284 + 8 * n, 0);
    }
    h.w(0x8200, 0);
    h.w(0x8204, this.retRing);
    h.w(0x820c, 0);
    h.w(0x8208, 0x04000000);
    h.w(0x438, this.mac.reduce((a, b) => a + b, 0) & 0x3f);
    h.w(0x464, 0x2620);
    h.w(0x500, 8);
    h.w(0x2010, 0x181);
    h.w(0x2018, 0x7fffff);
    h.w(0x2014, 1);
    h.w(0x3c00, 0);
    h.poll(() => h.r(0x3c00), 0x2, 0, 10 * US, BGE_TIMEOUT * 2, 'host coalescing engine failed to idle');
    for (const [o, v] of [[0x3c08, 150], [0x3c0c, 300], [0x3c10, 64], [0x3c14, 400], [0x3c18, 0], [0x3c1c, 0], [0x3c20, 0], [0x3c24, 0]] as const) h.w(o, v);
    h.w(0x3c28, 1000000);
    h.w(0x3c40, 0x300);
    h.w(0x3c30, 0);
    h.w(0x3c34, this.stats);
    h.w(0x3c44, 0xb00);
    h.w(0x3c38, 0);
    h.w(0x3c3c, this.status);
    h.w(0x3c00, 0x102);
    h.w(0x3000, 6);
    h.w(0x2000, 2);
    h.w(0x3400, 2);
    h.w(0x400, 0x00e0d804);
    h.r(0x400);
    h.delay(40 * US);
    this.setbit(0x6808, 0x8);
    h.w(0x6400, 2);
    h.w(0x4c00, 0x3fe);
    h.r(0x4c00);
    h.delay(40 * US);
    h.w(0x4800, 0x3fe);
    h.r(0x4800);
    h.delay(40 * US);
    for (const o of [0x2800, 0x2400, 0x3800, 0x1000, 0x1c00, 0x2c00, 0x0c00, 0x1800, 0x1400]) h.w(o, 2);
    h.w(0x0c0c, 0x7fffff);
    h.w(0x0c08, 3);
    h.w(0x404, 0x00401018);
    h.w(0x450, 0);
    h.w(0x454, 0x000c0030);
    h.w(0x404, 0x00401018);
    this.setbit(0x408, 0x1000);
  }

  /** bge_init (§2.2.5): reset, chip and block init, rings, modes, interrupts on, media change, COAL_NOW. */
  init(): void {
    const h = this.h;
    this.reset();
    this.chipinit();
    this.blockinit();
    h.w(0x43c, 1522);
    h.w(0x410, (this.mac[0]! << 8) | this.mac[1]!);
    h.w(0x414, ((this.mac[2]! << 24) | (this.mac[3]! << 16) | (this.mac[4]! << 8) | this.mac[5]!) >>> 0);
    this.clrbit(0x468, 0x100);
    for (let i = 0; i < 4; i++) h.w(0x470 + 4 * i, 0);
    const std = new Uint8Array(512 * 32);
    const dv = new DataView(std.buffer);
    for (let i = 0; i < 256; i++) {
      dv.setUint32(32 * i + 4, this.rxBufs[i]!, true);
      dv.setUint32(32 * i + 8, (i << 16) | 2046, true);
      dv.setUint32(32 * i + 12, 0x4, true);
    }
    h.memW(this.stdRing, std);
    h.w(0x26c, 255);
    this.stdProd = 255;
    this.rxCons = 0;
    h.memW(this.txRing, new Uint8Array(512 * 16));
    h.w(0x304, 0);
    h.w(0x384, 0);
    this.txProd = this.txCons = 0;
    this.setbit(0x45c, 2);
    h.r(0x45c);
    h.delay(100 * US);
    this.setbit(0x468, 2);
    h.r(0x468);
    h.delay(10 * US);
    h.w(0x504, 2);
    h.r(0x504);
    this.setbit(0x6800, 0x10000);
    h.w(0x68, h.r(0x68) | 0x1);
    h.w(0x68, h.r(0x68) & ~0x2);
    h.w(0x204, 0);
    h.r(0x204);
    // bge_ifmedia_upd → brgphy: reset, autonegotiation with 1000F/H (no manual master, design §2.2.5).
    this.phyReset();
    this.miiW(9, 0x0300);
    this.miiR(9);
    h.delay(MS);
    this.miiW(4, 0x0de1);
    h.delay(MS);
    this.miiW(0, 0x1200);
    this.miiW(0x1b, 0xff00);
    this.setbit(0x3c00, 0x8);
  }

  /** bge_intr (§2.2.6) when INTA# is asserted; returns false for a spurious interrupt. */
  intr(): boolean {
    const h = this.h;
    const pcistate = h.r(0x70);
    const sw = h.mem32(this.status);
    if (!(sw & 1) && pcistate & 0x2) {
      this.spurious++;
      return false;
    }
    h.w(0x204, 1);
    h.r(0x204);
    this.interrupts++;
    h.setMem32(this.status, 0);
    if (sw & 0x2) this.linkUpd();
    const d = new DataView(h.memR(this.status, 0x20).buffer);
    this.rxeof(d.getUint16(0x10, true));
    this.txCons = d.getUint16(0x12, true);
    h.w(0x204, 0);
    h.r(0x204);
    return true;
  }

  /** bge_link_upd with auto-poll: MI_STAT link bit, brgphy status, MAC port mode, W1C MAC_STATUS. */
  private linkUpd(): void {
    const h = this.h;
    const link = (h.r(0x450) & 1) !== 0;
    if (link !== this.link) {
      this.link = link;
      if (link) {
        const aux = this.miiR(0x19);
        const code = (aux >> 8) & 7;
        const mode = (h.r(0x400) & ~0xe) | (code >= 6 ? 0x8 : 0x4) | (code === 7 || code === 5 || code === 2 ? 0 : 0x2);
        h.w(0x400, mode);
        h.r(0x400);
        h.delay(40 * US);
      }
    }
    h.w(0x404, 0x00401018);
  }

  private rxeof(prod: number): void {
    const h = this.h;
    let n = 0;
    while (this.rxCons !== prod) {
      const d = new DataView(h.memR(this.retRing + 32 * this.rxCons, 32).buffer);
      const idx = d.getUint32(8, true) >>> 16;
      const len = d.getUint32(8, true) & 0xffff;
      this.received.push({ data: h.memR(this.rxBufs[idx]!, Math.max(0, len - 4)), flags: d.getUint32(12, true) & 0xffff, csum: d.getUint32(16, true) });
      const s = new Uint8Array(32);
      const sv = new DataView(s.buffer);
      this.stdProd = (this.stdProd + 1) % 512;
      sv.setUint32(4, this.rxBufs[idx]!, true);
      sv.setUint32(8, (idx << 16) | 2046, true);
      sv.setUint32(12, 4, true);
      h.memW(this.stdRing + 32 * this.stdProd, s);
      this.rxCons = (this.rxCons + 1) % 1024;
      n++;
    }
    if (n) {
      h.w(0x284, this.rxCons);
      h.w(0x26c, this.stdProd);
    }
  }

  /** bge_encap + bge_start for one frame. */
  start(frame: Uint8Array, flags = 0): void {
    const h = this.h;
    const buf = this.txBuf + 2048 * this.txProd;
    h.memW(buf, frame);
    const bd = new Uint8Array(16);
    const dv = new DataView(bd.buffer);
    dv.setUint32(4, buf, true);
    dv.setUint32(8, ((frame.length << 16) | flags | 0x4) >>> 0, true);
    h.memW(this.txRing + 16 * this.txProd, bd);
    this.txProd = (this.txProd + 1) % 512;
    h.w(0x304, this.txProd);
  }

  /** bge_stop (§2.2.11) and the reset that follows. */
  stop(): void {
    const h = this.h;
    this.setbit(0x68, 0x2);
    h.w(0x204, 1);
    h.r(0x204);
    const stopBlock = (off: number, bit: number): void => {
      this.clrbit(off, bit);
      h.r(off);
      h.poll(() => h.r(off), bit, 0, 100 * US, 1000, `block failed to stop: reg 0x${off.toString(16)}`);
    };
    stopBlock(0x468, 2);
    for (const o of [0x2c00, 0x2000, 0x3400, 0x2400, 0x2800, 0x3000, 0x1400, 0x1800, 0x0c00, 0x4800, 0x1000, 0x6400, 0x1c00]) stopBlock(o, 2);
    this.clrbit(0x400, 0x200000);
    h.r(0x400);
    h.delay(40 * US);
    stopBlock(0x45c, 2);
    for (const o of [0x3c00, 0x4c00, 0x3800]) stopBlock(o, 2);
    h.w(0x5c00, 0xffffffff);
    h.w(0x5c00, 0);
    stopBlock(0x4400, 2);
    stopBlock(0x4000, 2);
    this.reset();
    this.clrbit(0x6800, 0x10000);
  }

  run(ns: number, step = 5 * US): void {
    const end = this.h.now + ns;
    while (this.h.now < end) {
      if (this.h.irq) this.intr();
      this.h.delay(Math.min(step, end - this.h.now));
    }
  }
}
