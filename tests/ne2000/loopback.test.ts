/**
 * DP8390 loopback (nic-models/ne2000/loopback.ts). Expected register values are the ones National documents:
 * AN-937 section 5 (mode 1, TCR 02H: TSR 51H, RSR 02H, ISR 06H for a matching address; RSR unchanged, ISR 02H for
 * a non-matching one) and the DP8390D datasheet section 12 (mode 2, TCR 04H: TSR 43H; mode 3, TCR 06H: TSR 03H,
 * RSR 02H; address/CRC tests with TCR 03H: RSR 01H good, 02H bad, 21H/22H for a group address). The looped-back
 * packet is never stored: CURR, BNRY and the ring stay as they were and ISR.PRX stays 0.
 */
import { crc32 } from 'node:zlib';
import { cablePair } from './cable-pair';
import { frameWireTimeNs } from '../../emulator/machine/net/link';
import { CMD, MAC_A, MAC_B, Simulation, isaCard, makeFrame } from './helpers';
import { LinuxDriver } from './linux-driver';

function setup() {
  const { sim, a, b, da, db, trace } = cablePair(41);
  /** The 8 FIFO bytes as the page-0 FIFO register gives them, one read each. */
  const fifo = (bus: typeof a.bus): number[] => Array.from({ length: 8 }, () => bus.inb(0x06));
  return { sim, a, b, da, db, trace, fifo };
}

/** `data` with its FCS appended least significant byte first (what the chip serializes). */
function withFcs(data: Uint8Array, corrupt = false): Uint8Array {
  const out = new Uint8Array(data.length + 4);
  out.set(data);
  new DataView(out.buffer).setUint32(data.length, (crc32(Buffer.from(data)) ^ (corrupt ? 0xffffffff : 0)) >>> 0, true);
  return out;
}

/** Put the chip in loopback `tcr` with the ISR clear and RSR primed by a known value. */
function loop(s: ReturnType<typeof setup>, tcr: number, data: Uint8Array): { t0: number; ramBefore: Uint8Array } {
  s.a.bus.outb(0x0d, tcr);
  s.da.upload(0x40, data);
  s.a.bus.outb(0x07, 0xff);
  const ramBefore = s.a.core.mem.ram.slice();
  const t0 = s.sim.queue.now;
  s.da.trigger(0x40, data.length);
  s.sim.queue.runUntilIdle(1000);
  return { t0, ramBefore };
}

describe('loopback mode 1 (TCR LB = 01, through the NIC)', () => {
  test('matching address, CRC from the NIC: TSR 51H, RSR 02H, ISR 06H, CNTR1; nothing stored, nothing on the wire', () => {
    const s = setup();
    const data = makeFrame(MAC_A, MAC_A, 128, 5);
    const { t0, ramBefore } = loop(s, 0x02, data);
    expect(s.trace.filter((r) => r.layer === 'wire')).toEqual([]);
    const done = s.trace.find((r) => r.probe === 'tx-done')!;
    // FIFO threshold (DCR 0x49: 8 bytes = 4 word cycles of 200 ns), then the frame's wire time at 10 Mb/s.
    expect(done.t).toBe(t0 + 4 * 200 + frameWireTimeNs(128, 10_000_000));
    expect(s.a.bus.inb(0x04)).toBe(0x51);
    expect(s.a.bus.inb(0x0c)).toBe(0x02);
    expect(s.a.bus.inb(0x07)).toBe(0x06);
    expect(s.a.bus.inb(0x0e)).toBe(1); // CNTR1: the shared CRC logic reported the NIC's own CRC as an error
    expect(s.trace.find((r) => r.probe === 'rx-loopback')!.f).toMatchObject({ match: true, status: 0x02 });
    // The receive FIFO holds the frame's last bytes and the CRC the NIC appended (AN-937: software compares it).
    expect(s.fifo(s.a.bus)).toEqual(Array.from(withFcs(data).subarray(128 + 4 - 8)));
    expect(s.da.curr()).toBe(0x4c);
    expect(s.a.bus.inb(0x03)).toBe(0x7f);
    expect(Buffer.from(s.a.core.mem.ram).equals(Buffer.from(ramBefore))).toBe(true);
    expect(s.da.receive().frames).toHaveLength(0);
    expect(s.db.receive().frames).toHaveLength(0);
  });

  test('non-matching address: RSR keeps its value, ISR 02H only', () => {
    const s = setup();
    const { ramBefore } = loop(s, 0x02, makeFrame(MAC_A, MAC_A, 64));
    expect(s.a.bus.inb(0x0c)).toBe(0x02);
    s.a.bus.outb(0x07, 0xff);
    loop(s, 0x02, makeFrame([0x00, 0x11, 0x22, 0x33, 0x44, 0x55], MAC_A, 64));
    expect(s.a.bus.inb(0x0c)).toBe(0x02);
    expect(s.a.bus.inb(0x07)).toBe(0x02);
    expect(s.trace.filter((r) => r.probe === 'rx-loopback').map((r) => r.f!['match'])).toEqual([true, false]);
    expect(Buffer.from(s.a.core.mem.ram.subarray(0x0c00)).equals(Buffer.from(ramBefore.subarray(0x0c00)))).toBe(true);
  });

  test('the RTL8029 reads TSR 53H: bit 1 always 1', () => {
    const s = setup();
    s.b.bus.outb(0x0d, 0x02);
    s.db.upload(0x40, makeFrame(MAC_B, MAC_B, 100));
    s.db.trigger(0x40, 100);
    s.sim.queue.runUntilIdle(1000);
    expect(s.b.bus.inb(0x04)).toBe(0x53);
    expect(s.b.bus.inb(0x0c)).toBe(0x02);
  });
});

describe('address and CRC recognition (TCR 03H: inhibit CRC, software CRC checked by the receiver)', () => {
  test('good CRC: RSR 01H and no interrupt status but PTX; bad CRC: RSR 02H, RXE', () => {
    const s = setup();
    const data = makeFrame(MAC_A, MAC_B, 100, 6);
    loop(s, 0x03, withFcs(data));
    expect(s.a.bus.inb(0x0c)).toBe(0x01);
    expect(s.a.bus.inb(0x07)).toBe(0x02);
    expect(s.fifo(s.a.bus)).toEqual(Array.from(withFcs(data).subarray(96)));
    loop(s, 0x03, withFcs(data, true));
    expect(s.a.bus.inb(0x0c)).toBe(0x02);
    expect(s.a.bus.inb(0x07)).toBe(0x06);
    expect(s.da.curr()).toBe(0x4c);
  });

  test('a group address sets PHY: 21H good, 22H bad', () => {
    const s = setup();
    const bcast = makeFrame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], MAC_A, 80);
    loop(s, 0x03, withFcs(bcast));
    expect(s.a.bus.inb(0x0c)).toBe(0x21);
    loop(s, 0x03, withFcs(bcast, true));
    expect(s.a.bus.inb(0x0c)).toBe(0x22);
  });
});

describe('loopback modes 2 and 3', () => {
  test('mode 2 (through the ENDEC): TSR 43H, off the wire, not stored', () => {
    const s = setup();
    loop(s, 0x04, makeFrame(MAC_A, MAC_A, 200));
    expect(s.a.bus.inb(0x04)).toBe(0x43);
    expect(s.a.bus.inb(0x0c)).toBe(0x02);
    expect(s.trace.filter((r) => r.layer === 'wire')).toEqual([]);
    expect(s.da.curr()).toBe(0x4c);
  });

  test('mode 3 (external): the frame goes on the medium, the far station stores it, the sender only checks it', () => {
    const s = setup();
    const data = makeFrame(MAC_B, MAC_A, 300, 9);
    loop(s, 0x06, data);
    expect(s.trace.some((r) => r.layer === 'wire')).toBe(true);
    expect(s.a.bus.inb(0x04)).toBe(0x03); // PTX | ND: an ordinary transmission on an idle cable
    // The transceiver's copy: the address (MAC_B) does not match PAR (MAC_A), so RSR is left alone.
    expect(s.trace.find((r) => r.probe === 'rx-loopback' && r.node === 'alpha')!.f).toMatchObject({ match: false });
    expect(s.da.curr()).toBe(0x4c);
    const got = s.db.receive();
    expect(got.errors).toEqual([]);
    expect(got.frames).toHaveLength(1);
    expect(Buffer.from(got.frames[0]!).equals(Buffer.from(data))).toBe(true);
  });

  test('mode 3: frames from the other station update RSR and the FIFO but are not stored', () => {
    const s = setup();
    s.a.bus.outb(0x0d, 0x06);
    const data = makeFrame(MAC_A, MAC_B, 150, 2);
    s.db.upload(0x40, data);
    s.db.trigger(0x40, data.length);
    s.sim.queue.runUntilIdle(1000);
    expect(s.a.bus.inb(0x0c)).toBe(0x01);
    expect(s.fifo(s.a.bus)).toEqual(Array.from(withFcs(data).subarray(146)));
    expect(s.trace.find((r) => r.probe === 'rx-reject' && r.node === 'alpha')!.f).toMatchObject({ reason: 'loopback', mode: 3 });
    expect(s.da.curr()).toBe(0x4c);
    expect(s.a.bus.inb(0x07) & 0x01).toBe(0);
  });
});

describe('drivers that use loopback around initialisation', () => {
  test('Linux (TCR = E8390_TXOFF during init, 0 at the end) and NetBSD (TCR = LB0 during setup) receive afterwards', () => {
    const s = setup();
    // LinuxDriver.open ran __NS8390_init: TCR 02H, then 00H. A frame sent now is stored as usual.
    const data = makeFrame(MAC_A, MAC_B, 90, 4);
    s.db.upload(0x40, data);
    s.db.trigger(0x40, 90);
    s.sim.queue.runUntilIdle(1000);
    expect(s.da.receive().frames).toHaveLength(1);
    // NetBSD dp8390_init order: STP, TCR LB0, ring set up, TCR 0, STA. A frame arriving while LB0 is ignored.
    s.a.bus.outb(CMD, 0x21);
    s.a.bus.outb(0x0d, 0x02);
    s.a.bus.outb(CMD, 0x22);
    s.db.trigger(0x40, 90);
    s.sim.queue.runUntilIdle(1000);
    s.a.bus.outb(0x0d, 0x00);
    s.db.trigger(0x40, 90);
    s.sim.queue.runUntilIdle(1000);
    const r = s.trace.filter((x) => x.node === 'alpha' && (x.probe === 'rx-reject' || x.probe === 'rx-ring'));
    expect(r.map((x) => x.probe)).toEqual(['rx-ring', 'rx-reject', 'rx-ring']);
    expect(s.da.receive().frames).toHaveLength(1);
  });
});

describe('snapshots of a frame in a loopback path', () => {
  for (const tcr of [0x02, 0x04, 0x06]) {
    test(`TCR 0x${tcr.toString(16)}: save mid-loop, restore into a fresh card, same registers at the end`, () => {
      const run = (sim: Simulation) => {
        const c = isaCard(sim, 'en0', MAC_A); // no medium: mode 3 goes out "into nothing" (CRS)
        const d = new LinuxDriver(c.bus, 'word');
        return { c, d };
      };
      const sim = new Simulation(7);
      const { c, d } = run(sim);
      d.open(MAC_A);
      c.bus.outb(0x0d, tcr);
      d.upload(0x40, makeFrame(MAC_A, MAC_A, 300, 1));
      d.trigger(0x40, 300);
      sim.queue.runUntil(sim.queue.now + 100_000); // FIFO threshold passed, the frame is in the loop
      expect(c.core.transmitter.active).toBe(true);
      const saved = JSON.parse(JSON.stringify(c.core.saveState()));
      const sim2 = new Simulation(7);
      const fresh = run(sim2);
      fresh.c.core.loadState(saved);
      expect(JSON.parse(JSON.stringify(fresh.c.core.saveState()))).toEqual(saved);
      sim.queue.runUntilIdle(1000);
      sim2.queue.runUntilIdle(1000);
      for (const off of [0x04, 0x07, 0x0c]) expect(fresh.c.bus.inb(off)).toBe(c.bus.inb(off));
      expect(fresh.c.bus.inb(0x04)).toBe(tcr === 0x02 ? 0x51 : tcr === 0x04 ? 0x43 : 0x13); // mode 3 into nothing: PTX, ND, CRS
    });
  }
});

describe('STP during a transmission', () => {
  test('RST is set when the transmission ends', () => {
    const { sim, a, da } = setup();
    const data = makeFrame(MAC_B, MAC_A, 1000);
    da.upload(0x40, data);
    da.trigger(0x40, data.length);
    sim.queue.runUntil(sim.queue.now + 100_000);
    a.bus.outb(CMD, 0x21);
    expect(a.bus.inb(0x07) & 0x80).toBe(0);
    expect(a.bus.inb(CMD) & 0x04).toBe(0x04);
    sim.queue.runUntilIdle(100);
    expect(a.bus.inb(0x07) & 0x82).toBe(0x82);
    expect(a.bus.inb(CMD) & 0x04).toBe(0);
  });
});
