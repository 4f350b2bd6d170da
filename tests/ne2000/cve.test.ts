/**
 * The receive- and transmit-path vectors of facts/ne2000.md §5 (the remote-DMA ones are in
 * cve-remote-dma.test.ts). Each drives the guest-visible registers into the bad state, checks from trace records
 * and registers that the vulnerable path was taken (the ring write, the wrap, the cut transmission), that the
 * simulation drains, and that the model did what the hardware does.
 */
import { CMD, frameOf } from './helpers';
import { cveSetup as setup } from './cve-fixture';

describe('CVE-2015-5279: CURR/BNRY >= 0xC0', () => {
  test('CURR = 0xC0 outside the ring: the frame is missed with reason "ring"', () => {
    const s = setup();
    s.setPage1(0x07, 0xc0);
    s.inject(100);
    expect(s.reasons()).toEqual(['ring']);
    expect(s.a.core.counters.peek(2)).toBe(1);
  });

  test('BNRY = 0xFF never matches a ring page: frames are stored, all writes stay in RAM', () => {
    const s = setup();
    s.a.bus.outb(0x03, 0xff);
    for (let i = 0; i < 30; i++) s.inject(1514);
    expect(s.reasons()).toEqual([]);
    // 30 frames of 6 pages go round the 52-page ring three times: the store wraps PSTOP→PSTART each time and
    // overwrites frames the driver never read (nothing tells the chip otherwise), always inside the ring.
    const stored = s.trace.filter((r) => r.probe === 'rx-ring').map((r) => ({ page: r.f!['page'] as number, next: r.f!['next'] as number }));
    expect(stored).toHaveLength(30);
    expect(stored.filter((x) => x.next < x.page)).toHaveLength(3);
    for (const x of stored) for (const p of [x.page, x.next]) expect(p >= 0x4c && p < 0x80).toBe(true);
    expect(s.da.curr()).toBe(stored[29]!.next);
  });

  test('a ring placed entirely above RAM (0xC0–0xFF): writes fall on nothing, RAM untouched', () => {
    const s = setup();
    s.a.bus.outb(CMD, 0x21);
    s.a.bus.outb(0x01, 0xc0);
    s.a.bus.outb(0x02, 0xff);
    s.a.bus.outb(0x03, 0xfe);
    s.setPage1(0x07, 0xc0);
    const before = s.a.core.mem.ram.slice();
    s.inject(1000);
    expect(Buffer.from(s.a.core.mem.ram).equals(Buffer.from(before))).toBe(true);
    // The frame was accepted and written "into" pages 0xC0–0xC3, where nothing decodes.
    expect(s.trace.find((r) => r.probe === 'rx-ring')!.f).toMatchObject({ page: 0xc0, next: 0xc4, count: 1004 });
    expect(s.da.curr()).toBe(0xc4);
    expect(s.da.readHeader(0xc0)).toEqual({ status: 0xff, next: 0xff, count: 0xffff });
  });
});

describe('CVE-2015-5278 / CVE-2016-2841: PSTOP below CURR, PSTOP <= PSTART', () => {
  test('PSTOP lowered below CURR: reason "ring", no write', () => {
    const s = setup();
    s.setPage1(0x07, 0x70);
    s.a.bus.outb(0x02, 0x60);
    s.inject(100);
    expect(s.reasons()).toEqual(['ring']);
  });

  // The remote DMA crossing into page PSTOP of such a ring is in cve-remote-dma.test.ts.
  for (const [start, stop] of [[0x60, 0x60], [0x70, 0x50], [0x00, 0x00], [0xff, 0x00]] as const) {
    test(`PSTART 0x${start.toString(16)} PSTOP 0x${stop.toString(16)}: the frame is missed (reason "ring"), nothing written`, () => {
      const s = setup();
      s.a.bus.outb(0x01, start);
      s.a.bus.outb(0x02, stop);
      const before = s.a.core.mem.ram.slice();
      s.inject(100);
      expect(s.reasons()).toEqual(['ring']);
      expect(s.a.bus.inb(0x0c) & 0x10).toBe(0x10); // RSR.MPA
      expect(s.a.core.counters.peek(2)).toBe(1);
      expect(s.da.curr()).toBe(0x4c);
      expect(Buffer.from(s.a.core.mem.ram).equals(Buffer.from(before))).toBe(true);
    });
  }
});

describe('CVE-2018-10839: huge and runt frames', () => {
  test('a 70000-byte frame needs more pages than the ring: OVW, nothing written', () => {
    const s = setup();
    const before = s.a.core.mem.ram.slice();
    s.inject(70000);
    expect(s.reasons()).toEqual(['overflow']);
    // Decided on the page count before any byte is written: ceil((70000 + 8) / 256) pages, a 52-page ring.
    expect(s.trace.find((r) => r.probe === 'rx-reject')!.f).toMatchObject({ pages: 274, ringPages: 52 });
    expect(s.a.bus.inb(0x07) & 0x10).toBe(0x10);
    expect(Buffer.from(s.a.core.mem.ram).equals(Buffer.from(before))).toBe(true);
  });

  test('0-, 1- and 59-byte frames are runts', () => {
    const s = setup();
    for (const len of [0, 1, 59]) {
      s.a.core.mac.frameReceived(frameOf(new Uint8Array(len), 1));
      s.settle();
    }
    expect(s.reasons()).toEqual(['runt', 'runt', 'runt']);
  });
});

describe('CVE-2007-5729: TBCR 0, 0xFFFF, past the end; TPSR 0x00 / 0xFF', () => {
  test('TBCR 0 sends an empty frame: PTX here, a runt at the receiver', () => {
    const s = setup();
    s.da.trigger(0x40, 0);
    s.settle();
    expect(s.a.bus.inb(0x04) & 0x01).toBe(1);
    expect(s.b.bus.inb(0x0c) & 0x01).toBe(0);
    expect(s.trace.filter((r) => r.probe === 'rx-reject').map((r) => [r.node, r.f!['reason']])).toEqual([['beta', 'runt']]);
  });

  test('TBCR 0xFFFF: cut at the RAM size, FIFO underrun (FU, TXE), truncated frame has a bad FCS', () => {
    const s = setup();
    s.b.bus.outb(0x0c, 0x16); // PRO: the all-zero destination passes the filter, the FCS check decides
    s.da.trigger(0x40, 0xffff);
    s.settle();
    expect(s.a.bus.inb(0x04)).toBe(0x22); // FU | ND
    expect(s.a.bus.inb(0x07) & 0x0a).toBe(0x08);
    const start = s.trace.find((r) => r.probe === 'tx-start')!;
    expect(start.f).toMatchObject({ len: 0x4000, underrun: true });
    expect(s.trace.filter((r) => r.probe === 'rx-reject').map((r) => r.f!['reason'])).toEqual(['crc']);
  });

  test('TPSR 0x7F, TBCR 1514: the frame stops at 0x8000 (256 bytes, FU)', () => {
    const s = setup();
    s.da.trigger(0x7f, 1514);
    s.settle();
    expect(s.trace.find((r) => r.probe === 'tx-start')!.f).toMatchObject({ len: 256, underrun: true });
    expect(s.a.bus.inb(0x04) & 0x20).toBe(0x20);
  });

  test('TPSR 0x00 sends PROM bytes then 0xFF; TPSR 0xFF wraps through 0xFFFF to the PROM', () => {
    const s = setup();
    s.b.bus.outb(0x0c, 0x16); // PRO | AB | AR: see what arrives
    s.da.trigger(0x00, 64);
    s.settle();
    s.da.trigger(0xff, 0x200);
    s.settle();
    const r = s.db.receive();
    expect(r.errors).toEqual([]);
    expect(r.frames).toHaveLength(2);
    expect(s.a.bus.inb(0x04) & 0x01).toBe(1);
    const [prom, wrapped] = r.frames as [Uint8Array, Uint8Array];
    expect(Array.from(prom.subarray(0, 6))).toEqual([0x00, 0x00, 0x00, 0x00, 0xe8, 0xe8]);
    expect(Array.from(prom.subarray(28, 36))).toEqual([0x57, 0x57, 0x57, 0x57, 0xff, 0xff, 0xff, 0xff]);
    expect(wrapped.length).toBe(0x200);
    expect(wrapped.subarray(0, 256).every((x) => x === 0xff)).toBe(true); // 0xFF00–0xFFFF: broadcast dst
    expect(Array.from(wrapped.subarray(256, 260))).toEqual([0x00, 0x00, 0x00, 0x00]);
  });
});
