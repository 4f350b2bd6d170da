import { linuxIsaBench } from './linux-bench';

const setup = () => linuxIsaBench(31);

describe('ring overflow', () => {
  test('OVW when the ring would overrun BNRY, no partial write, MPA in CNTR2, CNT at the counter MSB', () => {
    const { card, drv, deliver, trace } = setup();
    const b = card.bus;
    for (let i = 0; i < 25; i++) deliver(300); // 2 pages each: 0x4C..0x7D
    expect(drv.curr()).toBe(0x7e);
    expect(b.inb(0x07) & 0x10).toBe(0);
    const ramBefore = card.core.mem.ram.slice();
    deliver(300); // needs 0x7E and 0x7F = BNRY
    expect(b.inb(0x07) & 0x90).toBe(0x90); // OVW, and RST (datasheet ISR bit 7: set on a ring overflow)
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
    // counter MSB → CNT. Acking OVW neither clears RST nor ends the overflow: no packet was removed.
    b.outb(0x07, 0x10);
    expect(b.inb(0x07) & 0x90).toBe(0x80);
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

  test('draining the ring without a stop clears RST at the first BNRY move; reception resumes', () => {
    const { card, drv, deliver, trace } = setup();
    const b = card.bus;
    for (let i = 0; i < 26; i++) deliver(300);
    expect(b.inb(0x07) & 0x90).toBe(0x90);
    deliver(300);
    expect(trace.filter((r) => r.probe === 'rx-reject').map((r) => r.f!['reason'])).toEqual(['overflow', 'overflow']);
    // An ei_receive-style drain: read each packet, BNRY = next - 1; no STP, no Start command.
    const curr = drv.curr();
    let page = b.inb(0x03) + 1;
    if (page >= 0x80) page = 0x4c;
    const h = drv.readHeader(page);
    b.outb(0x03, h.next - 1);
    expect(b.inb(0x07) & 0x80).toBe(0); // one packet removed: RST clear
    expect(card.core.receiver.inOverflow).toBe(false);
    expect(trace.filter((r) => r.probe === 'rx-resume')).toHaveLength(1);
    expect(b.inb(0x00) & 0x03).toBe(0x02); // still running: the driver never stopped the chip
    const rest = drv.receive();
    expect(rest.frames).toHaveLength(24);
    b.outb(0x07, 0x10); // ack OVW
    expect(drv.curr()).toBe(curr);
    deliver(300);
    const r = drv.receive();
    expect(r.errors).toEqual([]);
    expect(r.frames).toHaveLength(1);
    expect(b.inb(0x07) & 0x90).toBe(0);
  });

  test('a Start command to the running chip leaves the overflow alone; the stop/start recovery ends it', () => {
    const { card, drv, deliver } = setup();
    const b = card.bus;
    for (let i = 0; i < 26; i++) deliver(300);
    expect(b.inb(0x07) & 0x80).toBe(0x80);
    b.outb(0x00, 0x22); // STA while running (every Linux/NetBSD page switch writes this)
    expect(b.inb(0x07) & 0x80).toBe(0x80);
    expect(card.core.receiver.inOverflow).toBe(true);
    b.outb(0x00, 0x21);
    expect(card.core.receiver.inOverflow).toBe(false);
    expect(b.inb(0x07) & 0x80).toBe(0x80); // the reset state's RST
    b.outb(0x00, 0x22);
    expect(b.inb(0x07) & 0x80).toBe(0);
    // The ring is still full: the next frame that does not fit overflows again.
    deliver(300);
    expect(b.inb(0x07) & 0x80).toBe(0x80);
    expect(drv.receive().frames).toHaveLength(25);
  });

  test('Send Packet removing a packet ends the overflow too', () => {
    const { card, deliver } = setup();
    const b = card.bus;
    b.outb(0x03, 0x4c); // datasheet convention: BNRY = the next packet to remove
    for (let i = 0; i < 26; i++) deliver(300);
    expect(b.inb(0x07) & 0x90).toBe(0x90);
    b.outb(0x0b, 0x0f);
    b.outb(0x00, 0x1a); // RD = 011 Send Packet
    b.insw(0x10, (300 + 8) / 2); // header + frame + FCS: the header's byte count, read out by the host
    expect(b.inb(0x07) & 0x40).toBe(0x40);
    expect(b.inb(0x03)).toBe(0x4e);
    expect(b.inb(0x07) & 0x80).toBe(0);
    expect(card.core.receiver.inOverflow).toBe(false);
  });

  test('a snapshot keeps the overflow and its RST together, whichever state it is loaded over', () => {
    const over = setup();
    for (let i = 0; i < 26; i++) over.deliver(300);
    const overflowed = JSON.parse(JSON.stringify(over.card.core.saveState()));
    const calm = setup();
    calm.card.bus.outb(0x03, 0x50); // a different BNRY from the overflowed card's
    const quiet = JSON.parse(JSON.stringify(calm.card.core.saveState()));
    const x = setup();
    x.card.core.loadState(overflowed);
    expect(x.card.core.receiver.inOverflow).toBe(true);
    expect(x.card.bus.inb(0x07) & 0x80).toBe(0x80);
    x.card.core.loadState(quiet); // BNRY changes during the load: not a packet removal
    expect(x.card.core.receiver.inOverflow).toBe(false);
    expect(x.card.core.saveState()).toEqual(quiet);
    const y = setup();
    y.card.bus.outb(0x03, 0x60); // overflows with BNRY 0x60, not the saved card's 0x7F
    for (let i = 0; i < 12; i++) y.deliver(300);
    expect(y.card.core.receiver.inOverflow).toBe(true);
    expect(y.card.bus.inb(0x03)).toBe(0x60);
    y.card.core.loadState(overflowed);
    expect(y.card.bus.inb(0x07) & 0x80).toBe(0x80);
    expect(y.card.core.saveState()).toEqual(overflowed);
  });
});
