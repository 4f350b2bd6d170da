/**
 * The emulator-vulnerability vectors of facts/ne2000.md §5. Each drives the guest-visible registers into the
 * bad state, runs the simulation for a bounded number of events and checks: no throw, the queue drains, and
 * the hardware-like outcome this model chose.
 */
import { Cable } from '../../emulator/machine/net/cable';
import { componentContext } from '../../emulator/machine/sim';
import { CMD, DATA, MAC_A, MAC_B, Simulation, collect, frameOf, isaCard, makeFrame, pciCard } from './helpers';
import { LinuxDriver } from './linux-driver';

const LIMIT = 10_000;

function setup() {
  const sim = new Simulation(51);
  const cable = new Cable(componentContext(sim, '', 'cab0'));
  const a = isaCard(sim, 'en0', MAC_A);
  const b = pciCard(sim, 'en0', MAC_B);
  a.nic.connect(cable);
  b.nic.connect(cable);
  const da = new LinuxDriver(a.bus, 'word');
  const db = new LinuxDriver(b.bus, 'dword');
  da.open(MAC_A);
  db.open(MAC_B, 0x06); // AB | AR so runts reach the checks under test
  const trace = collect(sim);
  const settle = (): void => {
    const n = sim.queue.runUntilIdle(LIMIT);
    expect(n).toBeLessThan(LIMIT);
    expect(sim.queue.pending).toBe(0);
  };
  const inject = (len: number): void => {
    a.core.mac.frameReceived(frameOf(makeFrame(MAC_A, MAC_B, len), 99));
    settle();
  };
  const reasons = (): unknown[] => trace.filter((r) => r.probe === 'rx-reject').map((r) => r.f!['reason']);
  const setPage1 = (reg: number, v: number): void => {
    a.bus.outb(CMD, 0x62);
    a.bus.outb(reg, v);
    a.bus.outb(CMD, 0x22);
  };
  return { sim, a, b, da, db, trace, settle, inject, reasons, setPage1 };
}

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
    expect(s.da.curr()).toBeGreaterThanOrEqual(0x4c);
    expect(s.da.curr()).toBeLessThan(0x80);
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

  for (const [start, stop] of [[0x60, 0x60], [0x70, 0x50], [0x00, 0x00], [0xff, 0x00]] as const) {
    test(`PSTART 0x${start.toString(16)} PSTOP 0x${stop.toString(16)}: receive rejected, remote DMA still terminates`, () => {
      const s = setup();
      s.a.bus.outb(0x01, start);
      s.a.bus.outb(0x02, stop);
      s.inject(100);
      expect(s.reasons()).toEqual(['ring']);
      const got = s.da.blockInput(0x7f00, 1024); // crosses pages; wrap is never taken
      expect(got.length).toBe(1024);
      expect(s.a.core.remote.mode).toBe('idle');
    });
  }
});

describe('CVE-2018-10839: huge and runt frames', () => {
  test('a 70000-byte frame needs more pages than the ring: OVW, nothing written', () => {
    const s = setup();
    const before = s.a.core.mem.ram.slice();
    s.inject(70000);
    expect(s.reasons()).toEqual(['overflow']);
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

describe('remote DMA edge cases', () => {
  test('RSAR 0xFFFF in byte mode wraps to the PROM; writes outside RAM are dropped', () => {
    const s = setup();
    const b = s.a.bus;
    b.outb(0x0e, 0x48);
    const got = s.da.blockInput(0xffff, 3);
    expect(Array.from(got)).toEqual([0xff, MAC_A[0], MAC_A[0]]);
    b.outb(0x0e, 0x49);
    const before = s.a.core.mem.ram.slice();
    s.da.upload(0xff, new Uint8Array(512).fill(0xaa)); // 0xFF00..0x00FF: PROM and nothing
    expect(Buffer.from(s.a.core.mem.ram).equals(Buffer.from(before))).toBe(true);
    expect(s.da.blockInput(0, 2)[0]).toBe(MAC_A[0]);
  });

  test('odd RSAR in word mode: the aligned word is transferred, the address stays odd', () => {
    const s = setup();
    const b = s.a.bus;
    b.outb(0x0a, 4);
    b.outb(0x0b, 0);
    b.outb(0x08, 0x01);
    b.outb(0x09, 0x50);
    b.outb(CMD, 0x12);
    b.outw(DATA, 0x1234);
    expect(b.inb(0x08)).toBe(0x03);
    b.outl(DATA, 0xdeadbeef); // count had 2 left: first word completes, second is an idle access
    expect(s.a.core.mem.read16(0x5000)).toBe(0x1234);
    expect(s.a.core.mem.read16(0x5002)).toBe(0xbeef);
    expect(s.trace.some((r) => r.probe === 'dma-idle')).toBe(true);
    b.outb(0x0a, 4);
    b.outb(0x08, 0x01);
    b.outb(CMD, 0x0a);
    expect(b.inl(DATA)).toBe(0xbeef1234);
  });

  test('odd RBCR in word mode (NetBSD): the last word write completes the DMA', () => {
    const s = setup();
    const b = s.a.bus;
    b.outb(0x07, 0x40);
    b.outb(0x0a, 61);
    b.outb(0x0b, 0);
    b.outb(0x08, 0);
    b.outb(0x09, 0x40);
    b.outb(CMD, 0x12);
    for (let i = 0; i < 30; i++) b.outw(DATA, 0x0101 * i);
    expect(b.inb(0x07) & 0x40).toBe(0);
    b.outw(DATA, 0xabcd);
    expect(b.inb(0x07) & 0x40).toBe(0x40);
    expect(s.a.core.mem.read16(0x403c)).toBe(0xabcd);
    expect(s.a.core.remote.mode).toBe('idle');
  });

  test('RBCR = 0: RDC at once, data-port reads give 0xFF and writes vanish', () => {
    const s = setup();
    const b = s.a.bus;
    b.outb(0x07, 0x40);
    b.outb(0x0a, 0);
    b.outb(0x0b, 0);
    b.outb(0x08, 0);
    b.outb(0x09, 0x40);
    b.outb(CMD, 0x0a);
    expect(b.inb(0x07) & 0x40).toBe(0x40);
    expect(b.inw(DATA)).toBe(0xffff);
    expect(b.inl(DATA)).toBe(0xffffffff);
    b.outb(CMD, 0x12);
    b.outw(DATA, 0x5555);
    expect(s.a.core.mem.read16(0x4000)).not.toBe(0x5555);
  });

  test('32-bit access at the last word of RAM: wraps PSTOP→PSTART, or reads 0xFFFF without a wrap', () => {
    const s = setup();
    const b = s.a.bus;
    s.a.core.mem.write16(0x7ffe, 0xa1a2);
    s.a.core.mem.write16(0x4c00, 0xb1b2);
    b.outb(0x0a, 4);
    b.outb(0x0b, 0);
    b.outb(0x08, 0xfe);
    b.outb(0x09, 0x7f);
    b.outb(CMD, 0x0a);
    expect(b.inl(DATA)).toBe(0xb1b2a1a2);
    b.outb(0x02, 0x90); // PSTOP beyond RAM: no wrap at 0x8000
    b.outb(0x0a, 4);
    b.outb(0x08, 0xfe);
    b.outb(0x09, 0x7f);
    b.outb(CMD, 0x0a);
    expect(b.inl(DATA)).toBe(0xffffa1a2);
    expect(b.inb(0x09)).toBe(0x80);
  });

  test('Send Packet (RD = 011) reads header and frame from BNRY and advances BNRY', () => {
    const s = setup();
    const b = s.a.bus;
    b.outb(0x03, 0x4c); // datasheet-style: BNRY = CURR = first packet
    s.inject(100);
    b.outb(0x0b, 0x0f);
    b.outb(CMD, 0x1a);
    const got = b.insw(DATA, 52);
    expect(got[0]).toBe(0x01);
    expect(got[1]).toBe(0x4d);
    expect(got[2]! | (got[3]! << 8)).toBe(104);
    expect(Array.from(got.subarray(4, 10))).toEqual(MAC_A);
    expect(b.inb(0x07) & 0x40).toBe(0x40);
    expect(b.inb(0x03)).toBe(0x4d);
  });
});
