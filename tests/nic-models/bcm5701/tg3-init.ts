/**
 * Linux tg3's register-level sequences for a BCM5701 B5 on conventional PCI (design §2.1, from tg3.c
 * `tg3_init_one`, `tg3_open`, `tg3_reset_hw`, `tg3_setup_copper_phy`, `tg3_interrupt_tagged`, `tg3_poll`,
 * `tg3_start_xmit`, `tg3_rx`, `tg3_close`), as a test-side driver over the fixture's timed bus. This part: probe,
 * open (reset_hw) and PHY setup; tg3.ts adds the interrupt, receive, transmit and close paths. Written from the
 * documented order, not copied. Where a poll would time out in tg3 this throws.
 */
import { Host, MS, US } from './fixture';

export const TG3 = {
  MISC_HOST_CTRL: 0x0105029a,
  GRC_MODE: 0x04130034,
  MAC_MODE_OPEN: 0x00e0dc00,
  MAC_MODE_GMII: 0x00e04c08,
  HOSTCC_MODE: 0x702,
  RX_PENDING: 200,
  RX_BUF: 1536,
} as const;

export class Tg3Init {
  status = 0;
  stats = 0;
  txRing = 0;
  stdRing = 0;
  retRing = 0;
  rxBufs: number[] = [];
  txBuf = 0;
  lastTag = 0;
  lastIrqTag = 0;
  txProd = 0;
  txCons = 0;
  rxPtr = 0;
  stdProd = 0;
  received: { data: Uint8Array; flags: number; err: number; csum: number; vlan: number }[] = [];
  interrupts = 0;
  errors = 0;
  linkUp = false;
  /** PCISTATE as tg3_get_invariants read it at probe. */
  pciState = 0;

  constructor(readonly h: Host) {}

  /**
   * tg3_bus_string for conventional PCI (tg3_get_invariants: PCISTATE.BUS_SPEED_HIGH → PCI_HIGH_SPEED,
   * BUS_32BIT → PCI_32BIT), as the probe message prints it: "PCI:33MHz:32-bit".
   */
  busString(): string {
    return `PCI:${this.pciState & 0x8 ? '66MHz' : '33MHz'}${this.pciState & 0x10 ? ':32-bit' : ':64-bit'}`;
  }

  protected rmw(off: number, f: (v: number) => number): void {
    this.h.wr(off, f(this.h.r(off)) >>> 0);
  }

  readPhy(reg: number): number {
    return this.h.miiR(reg).value;
  }

  writePhy(reg: number, v: number): void {
    this.h.miiW(reg, v);
  }

  /** tg3_init_one through tg3_get_invariants, the PHY probe, the device address and the DMA test (§2.1.1). */
  probe(): void {
    const h = this.h;
    h.cw(0x04, h.cr(0x04, 2) & ~0x10, 2);
    if (h.cr(0x68) >>> 16 !== 0x0105) throw new Error('not a 5701 B5');
    h.cw(0x68, 0x0105009a);
    const pciState = h.cr(0x70);
    if ((pciState & 0x4) === 0) throw new Error('PCI-X mode');
    this.pciState = pciState;
    if (h.cr(0x34, 1) !== 0x40 || h.cr(0x40, 1) !== 0x07) throw new Error('Cannot find PCI-X capability, aborting');
    this.rmw(0x4000, (v) => v | 2);
    h.wr(0x6808, 0x01000008);
    h.delay(100 * US);
    h.wr(0x454, 0x000c0000);
    h.delay(80 * US);
    this.rmw(0x6800, (v) => (v & 0x10000) | 0x34);
    this.rmw(0x74, (v) => v & 0x0060001f);
    h.delay(40 * US);
    h.wr(0x7c, 0);
    h.wr(0x78, 0);
    h.cr(0x70);
    h.delay(50 * US);
    h.wr(0x6838, 0x20600000);
    h.delay(MS);
    this.rmw(0x6808, (v) => v | 0x01000000);
    h.delay(100 * US);
    if (h.eeR(0) !== 0x669955aa) throw new Error('no EEPROM magic');
    let size = 0x10;
    while (size < 0x10000 && h.eeR(size) !== 0x669955aa) size <<= 1;
    if (size !== 0x400) throw new Error(`EEPROM size ${size}`);
    h.r(0x6804);
    h.cw(0x68, TG3.MISC_HOST_CTRL);
    // tg3_phy_probe: IDs, then reset (link is down at first probe) and autoneg configuration.
    const id = (this.readPhy(2) << 10) | ((this.readPhy(3) & 0xfc00) << 16) | (this.readPhy(3) & 0x3ff);
    if ((id & 0xfffffff0) >>> 0 !== 0x60008110) throw new Error(`PHY id 0x${id.toString(16)}`);
    this.readPhy(1);
    this.readPhy(1);
    this.phyReset();
    if (this.readPhy(4) !== 0x05e1) {
      this.writePhy(4, 0x05e1);
      this.writePhy(9, 0x0300);
      this.writePhy(0, 0x1200);
    }
    for (let a = 0x100; a < 0x200; a += 4) h.eeR(a); // tg3_read_vpd
    if (h.eeR(0x94) !== 0x00000224) throw new Error('boot code version');
    if (h.sramR(0xc14) >>> 16 !== 0x484b) throw new Error('No valid MAC');
    if (h.r(0x3c00) & 2 || h.r(0x4c00) & 2) throw new Error('chip left running');
  }

  /** tg3_phy_reset on a 5701: BMCR reset, then EXTPKTLEN, FIFO_ELASTIC, wirespeed (§2.1.1 step 19). */
  phyReset(): void {
    const h = this.h;
    this.readPhy(1);
    this.readPhy(1);
    this.writePhy(0, 0x8000);
    h.poll(() => this.readPhy(0), 0x8000, 0, 10 * US, 5000, 'tg3_bmcr_reset');
    h.delay(40 * US);
    this.writePhy(0x18, 0x0007);
    this.writePhy(0x18, this.readPhy(0x18) | 0x4000);
    this.writePhy(0x10, this.readPhy(0x10) | 0x0001);
    this.writePhy(0x18, 0x7007);
    this.writePhy(0x18, this.readPhy(0x18) | 0x8017);
  }

  /** Host memory for rings and buffers (tg3_alloc_consistent). */
  alloc(): void {
    const h = this.h;
    this.status = h.alloc(0x50, 64);
    this.stats = h.alloc(0x800, 64);
    this.txRing = h.alloc(512 * 16);
    this.stdRing = h.alloc(512 * 32);
    this.retRing = h.alloc(1024 * 32);
    this.txBuf = h.alloc(512 * 2048);
    this.rxBufs = Array.from({ length: 512 }, () => h.alloc(TG3.RX_BUF + 64, 64) + 2);
  }

  /** tg3_open → tg3_init_hw → tg3_reset_hw (§2.1.2), then the first setup_phy and enable_ints. */
  open(): void {
    const h = this.h;
    if (!this.status) this.alloc();
    h.cw(0x68, TG3.MISC_HOST_CTRL);
    h.wr(0x6808, 0x01000008);
    h.delay(100 * US);
    this.disableInts();
    h.poll(() => h.sramR(0xb50), 0xffffffff, 0xb49a89ab, 10 * US, 100000, 'tg3_poll_fw');
    this.rmw(0x74, (v) => v & 0x0060001f);
    h.delay(40 * US);
    h.wr(0x7c, 0);
    // tg3_reset_hw
    this.disableInts();
    h.sramW(0xb50, 0x4b657654);
    this.phyReset();
    this.chipReset();
    this.rmw(0x74, (v) => v | 0x80000000);
    this.initRings();
    h.wr(0x6c, 0x76ff000f);
    h.wr(0x6800, TG3.GRC_MODE);
    this.rmw(0x6804, (v) => (v & ~0xff) | 0x82);
    for (const [o, v] of [[0x4408, 0x8000], [0x440c, 0x18000], [0x442c, 0x2000], [0x4430, 0x2000], [0x4410, 0x50], [0x4414, 0x20], [0x4418, 0x60], [0x4434, 5], [0x4438, 10]] as const) h.wr(o, v);
    h.wr(0x4400, 0x6);
    h.poll(() => h.r(0x4400), 0x2, 0x2, 10 * US, 2000, 'cannot enable BUFMGR');
    h.wr(0x2c18, 25);
    h.wr(0x2450, 0);
    h.wr(0x2454, this.stdRing);
    h.wr(0x245c, 0x6000);
    h.wr(0x2468, 2);
    h.wr(0x2448, 2);
    h.wr(0x2458, 0x06000000);
    h.w(0x26c, TG3.RX_PENDING);
    this.stdProd = TG3.RX_PENDING;
    h.w(0x274, 0);
    this.ringsReset();
    for (let n = 0; n < 4; n++) {
      h.wr(0x410 + 8 * n, 0x0010);
      h.wr(0x414 + 8 * n, 0x18015701);
    }
    h.wr(0x438, 0x81);
    h.wr(0x43c, 1522);
    h.wr(0x464, 0x2620);
    h.wr(0x500, 0x8);
    h.wr(0x2010, 0x181);
    h.wr(0x2018, 0xffffff);
    h.wr(0x2014, 1);
    h.wr(0x0c0c, 0xffffff);
    h.wr(0x0c08, 3);
    h.wr(0x3c00, 0);
    h.poll(() => h.r(0x3c00), 0x2, 0, 10 * US, 2000, 'HOSTCC stop');
    for (const [o, v] of [[0x3c0c, 72], [0x3c14, 53], [0x3c24, 5], [0x3c08, 20], [0x3c10, 5], [0x3c20, 5], [0x3c18, 20], [0x3c1c, 20], [0x3c28, 0]] as const) h.wr(o, v);
    h.wr(0x3c30, 0);
    h.wr(0x3c34, this.stats);
    h.wr(0x3c40, 0x300);
    h.wr(0x3c44, 0xb00);
    for (let a = 0x300; a < 0xb50; a += 4) {
      h.sramW(a, 0);
      h.delay(40 * US);
    }
    h.wr(0x3c00, TG3.HOSTCC_MODE);
    h.wr(0x3000, 6);
    h.wr(0x2000, 2);
    h.wr(0x3400, 6);
    h.wr(0x400, TG3.MAC_MODE_OPEN | 0x9000); // RXSTAT_CLEAR | TXSTAT_CLEAR with the enables
    h.delay(40 * US);
    h.wr(0x6808, 0x01000008);
    h.delay(100 * US);
    h.wr(0x6400, 2);
    h.delay(40 * US);
    h.wr(0x4c00, 0x3fe);
    h.delay(40 * US);
    h.wr(0x4800, 0x3fe);
    h.delay(40 * US);
    for (const [o, v] of [[0x2800, 6], [0x3800, 2], [0x1000, 2], [0x1c00, 6], [0x2c00, 6], [0x2400, 0x12], [0x0c00, 2], [0x1800, 6], [0x1400, 6]] as const) h.wr(o, v);
    h.wr(0x45c, 2);
    h.delay(100 * US);
    h.wr(0x468, 2);
    h.delay(10 * US);
    h.wr(0x40c, 0x800);
    h.wr(0x450, 1);
    h.wr(0x468, 2);
    h.delay(10 * US);
    h.wr(0x504, 2);
    this.setupPhy();
    this.writePhy(0x1e, this.readPhy(0x1e) | 0x8000);
    this.readPhy(0x14);
    for (let i = 0; i < 4; i++) h.wr(0x470 + 4 * i, 0);
    h.wr(0x480, 0x42000000);
    h.wr(0x484, 0x7fffffff);
    h.wr(0x488, 0x06000004);
    h.wr(0x48c, 0x7fffffff);
    for (let n = 15; n >= 4; n--) {
      h.wr(0x480 + 8 * n, 0);
      h.wr(0x484 + 8 * n, 0);
    }
    this.enableInts();
  }

  /** tg3_chip_reset (§2.1.2 5.4). */
  chipReset(): void {
    const h = this.h;
    const cmd = h.cr(0x04, 2);
    this.h.setMem32(this.status, 0);
    h.w(0x6804, 1);
    h.delay(120 * US);
    h.cr(0x04);
    h.delay(120 * US);
    h.cw(0x68, TG3.MISC_HOST_CTRL);
    h.cw(0x70, 0x60);
    h.cw(0x04, cmd, 2);
    h.cw(0x0c, 0, 1);
    h.cw(0x0d, 64, 1);
    h.wr(0x4000, 2);
    h.poll(() => h.sramR(0xb50), 0xffffffff, 0xb49a89ab, 10 * US, 100000, 'tg3_poll_fw');
    h.wr(0x6800, 0x34);
    h.wr(0x400, 0);
    h.delay(40 * US);
    h.wr(0x454, 0x000c0000);
    h.delay(80 * US);
    if (h.sramR(0xb54) !== 0x4b657654 || h.sramR(0xb58) & 0x80) throw new Error('ASF');
    this.lastTag = 0;
    this.lastIrqTag = 0;
  }

  /** tg3_init_rings: zero the status block, tx and return rings; post RX_PENDING std buffers. */
  protected initRings(): void {
    const h = this.h;
    h.memW(this.status, new Uint8Array(0x50));
    h.memW(this.txRing, new Uint8Array(512 * 16));
    h.memW(this.retRing, new Uint8Array(1024 * 32));
    const std = new Uint8Array(512 * 32);
    const dv = new DataView(std.buffer);
    for (let i = 0; i < 512; i++) {
      dv.setUint32(32 * i + 4, this.rxBufs[i]!, true);
      dv.setUint32(32 * i + 8, TG3.RX_BUF, true);
      dv.setUint32(32 * i + 12, 0x4, true);
      dv.setUint32(32 * i + 28, 0x10000 | i, true);
    }
    h.memW(this.stdRing, std);
    this.txProd = this.txCons = this.rxPtr = 0;
  }

  /** tg3_rings_reset (§2.1.2 5.14). */
  protected ringsReset(): void {
    const h = this.h;
    for (let n = 1; n < 16; n++) h.sramW(0x108 + 16 * n, 2);
    for (let n = 1; n < 16; n++) h.sramW(0x208 + 16 * n, 2);
    h.w(0x204, 1);
    h.r(0x204);
    h.w(0x304, 0);
    h.w(0x284, 0);
    for (let n = 0; n < 16; n++) h.w(0x384 + 8 * n, 0);
    h.wr(0x3c38, 0);
    h.wr(0x3c3c, this.status);
    h.sramW(0x100, 0);
    h.sramW(0x104, this.txRing);
    h.sramW(0x108, 0x02000000);
    h.sramW(0x10c, 0x4000);
    h.sramW(0x200, 0);
    h.sramW(0x204, this.retRing);
    h.sramW(0x208, 0x04000000);
    h.sramW(0x20c, 0);
  }

  disableInts(): void {
    this.h.wr(0x68, TG3.MISC_HOST_CTRL);
    this.h.w(0x204, 1);
    this.h.r(0x204);
  }

  /** tg3_enable_ints (tagged): unmask, mailbox = last_tag << 24, HOSTCC NOW. */
  enableInts(): void {
    const h = this.h;
    h.wr(0x68, TG3.MISC_HOST_CTRL & ~2);
    h.w(0x204, this.lastTag << 24);
    h.r(0x204);
    h.wr(0x3c00, TG3.HOSTCC_MODE | 0x8);
  }

  /** tg3_setup_copper_phy (§2.1.5). Returns whether the link is up. */
  setupPhy(): boolean {
    const h = this.h;
    h.wr(0x408, 0);
    h.wr(0x404, 0x00401018);
    h.delay(40 * US);
    this.writePhy(0x18, 0x0002);
    this.readPhy(0x1a);
    this.readPhy(0x1a);
    this.writePhy(0x1b, 0xffff);
    this.writePhy(0x10, 0x0002);
    let up = false;
    for (let i = 0; i < 100; i++) {
      this.readPhy(1);
      if (this.readPhy(1) & 4) {
        up = true;
        break;
      }
      h.delay(40 * US);
    }
    let speed = 0;
    let full = false;
    if (up) {
      const aux = (() => {
        for (let i = 0; i < 2000; i++) {
          const v = this.readPhy(0x19);
          if (v) return v;
          h.delay(10 * US);
        }
        return 0;
      })();
      const code = (aux >> 8) & 7;
      speed = code >= 6 ? 1000 : code >= 3 ? 100 : 10;
      full = code === 7 || code === 5 || code === 2;
      for (let i = 0; i < 200; i++) {
        const b = this.readPhy(0);
        if (b !== 0 && b !== 0x7fff) break;
        h.delay(10 * US);
      }
      up = this.readPhy(4) === 0x05e1 && (this.readPhy(9) & 0x300) === 0x300;
      this.readPhy(0x0a);
      const lpa = this.readPhy(5);
      if (up && full) {
        const pause = (lpa & 0x400) !== 0;
        h.wr(0x468, 0x2 | (pause ? 0x4 : 0));
        h.wr(0x45c, 0x2 | (pause ? 0x10 : 0));
      }
    }
    if (!up) {
      // tg3_phy_copper_begin: advertise and restart negotiation.
      this.writePhy(4, 0x05e1);
      this.writePhy(9, 0x0300);
      this.writePhy(0, 0x1200);
      this.readPhy(1);
      this.readPhy(1);
    }
    h.wr(0x400, (up && speed !== 1000 ? 0x00e04c04 : TG3.MAC_MODE_GMII) | (up && !full ? 0x2 : 0));
    h.delay(40 * US);
    h.wr(0x408, 0x1000);
    h.delay(40 * US);
    if (up !== this.linkUp) h.wr(0x3c28, up ? 1000000 : 0);
    this.linkUp = up;
    return up;
  }
}
