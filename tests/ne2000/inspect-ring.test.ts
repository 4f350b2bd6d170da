/**
 * The debugger's view of the receive ring (`inspect()`, nic-models/ne2000/inspect.ts): the frames the driver has
 * not yet taken (BNRY+1 … CURR) with their ring headers, wrapping from PSTOP to PSTART; a header that does not
 * parse stops the walk; the last frame stored (LNPP); an unset ring; the overflow state; the counters and the
 * remote DMA. Found missing by the sampled mutation run of the `ne2000` area (docs/testing.md "Scores").
 */
import { MAC_A, MAC_B, Simulation, frameOf, isaCard, makeFrame } from './helpers';
import type { RingConfig } from './linux-driver';
import { linuxIsaBench } from './linux-bench';

function setup(ring?: RingConfig) {
  const bench = linuxIsaBench(17, ring);
  const ring0 = () => bench.card.nic.inspect().rings.find((r) => r.name === 'receive ring')!;
  return { ...bench, ring0 };
}

describe('inspect(): the receive ring', () => {
  test('frames not yet read, each with status, next page and count; the last one stored', () => {
    const { deliver, ring0 } = setup();
    deliver(60);
    deliver(300);
    const r = ring0();
    expect(r.summary).toBe('PSTART 0x4c PSTOP 0x80 (52 pages), BNRY 0x7f, CURR 0x4f: 2 frame(s) not yet read by the driver');
    expect(r.entries).toEqual([
      'page 0x4c: status 0x01[PRX] next 0x4d count 64 (60 + FCS)',
      'page 0x4d: status 0x01[PRX] next 0x4f count 304 (300 + FCS) pkt 1', // the bench's frames carry their number as packet id
      'last stored: page 0x4d: status 0x01[PRX] next 0x4f count 304 (300 + FCS) pkt 1',
    ]);
  });

  test('the walk wraps from PSTOP to PSTART', () => {
    // A 4-page ring 0x4C..0x4F: the second 300-byte frame starts at 0x4E and its second page is 0x4C.
    const { drv, deliver, ring0 } = setup({ txStart: 0x40, rxStart: 0x4c, stop: 0x50 });
    deliver(300);
    drv.receive(); // the driver takes the first: BNRY 0x4D
    deliver(300);
    expect(drv.curr()).toBe(0x4c);
    const r = ring0();
    expect(r.summary).toBe('PSTART 0x4c PSTOP 0x50 (4 pages), BNRY 0x4d, CURR 0x4c: 1 frame(s) not yet read by the driver');
    expect(r.entries[0]).toBe('page 0x4e: status 0x01[PRX] next 0x4c count 304 (300 + FCS) pkt 1');
  });

  test('a header that does not parse stops the walk; overflow is shown', () => {
    const { card, deliver, ring0 } = setup();
    deliver(60);
    deliver(60);
    card.core.mem.ram[(0x4d << 8) - 0x4000 + 1] = 0x20; // next page below PSTART
    const r = ring0();
    expect(r.entries.slice(0, 2)).toEqual(['page 0x4c: status 0x01[PRX] next 0x4d count 64 (60 + FCS)', 'page 0x4d: header does not parse (ring inconsistent)']);
    for (let i = 0; i < 60; i++) deliver(300);
    expect(ring0().summary).toMatch(/, RECEIVER IN OVERFLOW$/);
  });

  test("a frame's packet id, from its bytes in the ring (the tracer's provenance)", () => {
    const { sim, card, ring0 } = setup();
    const data = makeFrame(MAC_A, MAC_B, 100, 9);
    const pkt = sim.tracer.newPacketId();
    sim.tracer.provenance.tag(data, pkt);
    card.core.mac.frameReceived(frameOf(data, pkt));
    sim.queue.runUntil(sim.queue.now + 200_000);
    expect(ring0().entries[0]).toBe(`page 0x4c: status 0x01[PRX] next 0x4d count 104 (100 + FCS) pkt ${pkt}`);
  });

  test('counts outside 4..1522 do not parse', () => {
    const { card, deliver, ring0 } = setup();
    deliver(60);
    const at = (0x4c << 8) - 0x4000;
    card.core.mem.ram[at + 2] = 3;
    card.core.mem.ram[at + 3] = 0;
    expect(ring0().entries[0]).toBe('page 0x4c: header does not parse (ring inconsistent)');
    card.core.mem.ram[at + 2] = 1523 & 0xff;
    card.core.mem.ram[at + 3] = 1523 >> 8;
    expect(ring0().entries[0]).toBe('page 0x4c: header does not parse (ring inconsistent)');
    card.core.mem.ram[at + 2] = 1522 & 0xff;
    card.core.mem.ram[at + 3] = 1522 >> 8;
    expect(ring0().entries[0]).toMatch(/^page 0x4c: status 0x01\[PRX\] next 0x4d count 1522 \(1518 \+ FCS\)/);
  });

  test('a ring not set up; the counters and the remote DMA', () => {
    const sim = new Simulation(2);
    const card = isaCard(sim, 'en0', MAC_A);
    const v = card.nic.inspect();
    expect(v.rings[0]!.summary).toMatch(/^not set up \(PSTART 0x[0-9a-f]{2} PSTOP 0x[0-9a-f]{2} CURR 0x[0-9a-f]{2}\)$/);
    // PSTART < PSTOP but CURR below the ring: not set up either.
    card.bus.outb(0x01, 0x4c);
    card.bus.outb(0x02, 0x80);
    card.bus.outb(0x00, 0x61);
    card.bus.outb(0x07, 0x40);
    card.bus.outb(0x00, 0x21);
    expect(card.nic.inspect().rings[0]!.summary).toBe('not set up (PSTART 0x4c PSTOP 0x80 CURR 0x40)');
    expect(v.rings.find((r) => r.name === 'remote DMA')!.summary).toBe('idle, address 0x0000, 0 bytes left');
    expect(v.counters.map((c) => c.name)).toEqual(['CNTR0 (frame alignment errors)', 'CNTR1 (CRC errors)', 'CNTR2 (missed packets)']);
  });
});
