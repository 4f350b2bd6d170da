import { MAC_A, MAC_B, Simulation, collect, frameOf, isaCard, makeFrame } from './helpers';
import { LinuxDriver } from './linux-driver';

function setup() {
  const sim = new Simulation(31);
  const card = isaCard(sim, 'en0', MAC_A);
  const drv = new LinuxDriver(card.bus, 'word');
  drv.open(MAC_A);
  const trace = collect(sim);
  let tag = 0;
  const deliver = (len: number): void => {
    card.core.mac.frameReceived(frameOf(makeFrame(MAC_A, MAC_B, len, tag++), 0));
    sim.queue.runUntil(sim.queue.now + 200_000);
  };
  return { sim, card, drv, deliver, trace };
}

describe('ring overflow', () => {
  test('OVW when the ring would overrun BNRY, no partial write, MPA in CNTR2, CNT at the counter MSB', () => {
    const { card, drv, deliver, trace } = setup();
    const b = card.bus;
    for (let i = 0; i < 25; i++) deliver(300); // 2 pages each: 0x4C..0x7D
    expect(drv.curr()).toBe(0x7e);
    expect(b.inb(0x07) & 0x10).toBe(0);
    const ramBefore = card.core.mem.ram.slice();
    deliver(300); // needs 0x7E and 0x7F = BNRY
    expect(b.inb(0x07) & 0x10).toBe(0x10);
    expect(card.irq.level).toBe(true);
    expect(drv.curr()).toBe(0x7e);
    expect(Buffer.from(card.core.mem.ram).equals(Buffer.from(ramBefore))).toBe(true);
    expect(b.inb(0x0c) & 0x10).toBe(0x10); // RSR.MPA
    expect(card.core.counters.peek(2)).toBe(1);
    // the receiver stays in overflow: even a 1-page frame that would fit is missed
    deliver(60);
    expect(drv.curr()).toBe(0x7e);
    const rej = trace.filter((r) => r.probe === 'rx-reject').map((r) => r.f!['reason']);
    expect(rej).toEqual(['overflow', 'overflow']);
    // counter MSB → CNT
    b.outb(0x07, 0x10);
    for (let i = 2; i < 127; i++) deliver(60);
    expect(card.core.counters.peek(2)).toBe(127);
    expect(b.inb(0x07) & 0x20).toBe(0);
    deliver(60);
    expect(b.inb(0x07) & 0x20).toBe(0x20);
    for (let i = 0; i < 100; i++) deliver(60);
    expect(b.inb(0x0f)).toBe(0xc0); // saturates at 192, cleared by the read
    expect(b.inb(0x0f)).toBe(0);
  });

  test('the Linux overrun recovery sequence drains the ring and restores reception', () => {
    const { sim, card, drv, deliver } = setup();
    const b = card.bus;
    for (let i = 0; i < 26; i++) deliver(300);
    expect(b.inb(0x07) & 0x10).toBe(0x10);
    const { frames } = drv.overrunRecovery(sim);
    expect(frames).toHaveLength(25);
    expect(b.inb(0x07) & 0x10).toBe(0);
    expect(card.core.receiver.inOverflow).toBe(false);
    deliver(300);
    const r = drv.receive();
    expect(r.errors).toEqual([]);
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0]!.length).toBe(300);
  });

  test('RST after STP: set at once when idle; a START clears it', () => {
    const { card } = setup();
    const b = card.bus;
    expect(b.inb(0x07) & 0x80).toBe(0);
    b.outb(0x00, 0x21);
    expect(b.inb(0x07) & 0x80).toBe(0x80);
    b.outb(0x07, 0xff);
    expect(b.inb(0x07) & 0x80).toBe(0x80);
    b.outb(0x00, 0x22);
    expect(b.inb(0x07) & 0x80).toBe(0);
    expect(card.irq.rises).toBe(0);
  });
});
