import { crc32 } from 'node:zlib';
import { CMD, ISR_, MAC_A, MAC_B, Simulation, collect, frameOf, isaCard, makeFrame } from './helpers';
import { LinuxDriver } from './linux-driver';
import { le32 } from './util';

function setup(rcr: number, mar?: number[]) {
  const sim = new Simulation(21);
  const card = isaCard(sim, 'en0', MAC_A);
  const drv = new LinuxDriver(card.bus, 'word');
  drv.open(MAC_A, rcr, mar);
  const trace = collect(sim);
  const deliver = (data: Uint8Array, extra = {}): void => {
    card.core.mac.frameReceived(frameOf(data, 7, extra));
    sim.queue.runUntilIdle(100);
  };
  const rejects = () => trace.filter((r) => r.probe === 'rx-reject').map((r) => r.f!['reason']);
  return { sim, card, drv, deliver, rejects, trace };
}

const G1 = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01];
const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

describe('receive address filter', () => {
  test('unicast: PAR match accepted, other address rejected with reason "filter"', () => {
    const s = setup(0x04);
    s.deliver(makeFrame(MAC_A, MAC_B, 100));
    s.deliver(makeFrame([0, 1, 2, 3, 4, 5], MAC_B, 100));
    const r = s.drv.receive();
    expect(r.frames).toHaveLength(1);
    expect(r.headers[0]!.status).toBe(0x01);
    expect(s.rejects()).toEqual(['filter']);
  });

  test('broadcast needs AB; RSR.PHY marks it', () => {
    const on = setup(0x04);
    on.deliver(makeFrame(BCAST, MAC_B, 64));
    expect(on.drv.receive().headers[0]!.status).toBe(0x21);
    const off = setup(0x00);
    off.deliver(makeFrame(BCAST, MAC_B, 64));
    expect(off.drv.receive().frames).toHaveLength(0);
    expect(off.rejects()).toEqual(['filter']);
  });

  test('multicast: hash hit accepted with AM, miss rejected, no AM rejected', () => {
    // Known answers (crc.test.ts): 01:00:5e:00:00:01 hashes to 31 (MAR3 bit 7), 01:00:5e:00:00:02 to 8 (MAR1 bit 0).
    const mar = [0, 0, 0, 0x80, 0, 0, 0, 0];
    const G2 = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x02];
    const s = setup(0x0c, mar);
    s.deliver(makeFrame(G1, MAC_B, 80));
    s.deliver(makeFrame(G2, MAC_B, 80));
    expect(s.drv.receive().frames).toHaveLength(1);
    expect(s.rejects()).toEqual(['filter']);
    const noAm = setup(0x04, mar);
    noAm.deliver(makeFrame(G1, MAC_B, 80));
    expect(noAm.rejects()).toEqual(['filter']);
  });

  test('promiscuous accepts any physical address', () => {
    const s = setup(0x14);
    s.deliver(makeFrame([0x02, 9, 9, 9, 9, 9], MAC_B, 70));
    expect(s.drv.receive().frames).toHaveLength(1);
  });

  test('runts: rejected unless RCR.AR; stored count includes the FCS', () => {
    const s = setup(0x04);
    s.deliver(makeFrame(MAC_A, MAC_B, 40));
    expect(s.rejects()).toEqual(['runt']);
    const ar = setup(0x06);
    ar.deliver(makeFrame(MAC_A, MAC_B, 40));
    const h = ar.drv.readHeader(0x4c);
    expect(h).toEqual({ status: 0x01, next: 0x4d, count: 44 });
    ar.deliver(new Uint8Array(5)); // cannot even hold an address
    expect(ar.rejects()).toEqual(['runt']);
  });

  test('the ring holds the FCS after the data', () => {
    const s = setup(0x04);
    const data = makeFrame(MAC_A, MAC_B, 200, 3);
    s.deliver(data);
    const all = s.drv.blockInput(0x4c00 + 4, 204);
    expect(le32(all, 200)).toBe(crc32(Buffer.from(data)) >>> 0);
  });

  test('bad FCS: dropped with CRC/RXE and CNTR1 without SEP; stored with status CRC with SEP', () => {
    const s = setup(0x04);
    s.card.bus.outb(0x0f, 0x3f);
    s.deliver(makeFrame(MAC_A, MAC_B, 100), { badFcs: true });
    expect(s.rejects()).toEqual(['crc']);
    expect(s.card.bus.inb(ISR_) & 0x05).toBe(0x04);
    expect(s.card.bus.inb(0x0c) & 0x02).toBe(0x02);
    expect(s.card.bus.inb(0x0e)).toBe(1); // CNTR1
    expect(s.card.bus.inb(0x0e)).toBe(0); // cleared by the read
    s.deliver(makeFrame(MAC_A, MAC_B, 100), { alignmentError: true });
    expect(s.card.bus.inb(0x0d)).toBe(1); // CNTR0
    expect(s.drv.curr()).toBe(0x4c); // nothing stored
    const sep = setup(0x05);
    sep.deliver(makeFrame(MAC_A, MAC_B, 100), { badFcs: true });
    expect(sep.drv.readHeader(0x4c)).toEqual({ status: 0x02, next: 0x4d, count: 104 });
    expect(sep.drv.curr()).toBe(0x4d);
    const r = sep.drv.receive();
    expect(r.frames).toHaveLength(0);
    expect(r.errors).toEqual(['status 2']);
  });

  test('frames are not received while stopped or in loopback', () => {
    const s = setup(0x04);
    s.card.bus.outb(0x0d, 0x02);
    s.deliver(makeFrame(MAC_A, MAC_B, 100));
    s.card.bus.outb(0x0d, 0x00);
    s.card.bus.outb(CMD, 0x21);
    s.deliver(makeFrame(MAC_A, MAC_B, 100));
    expect(s.rejects()).toEqual(['loopback', 'stopped']);
  });
});
