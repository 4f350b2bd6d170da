import { zeroPad } from './util';
import {
  CMD, CNTR0_TCR, CNTR1_DCR, CNTR2_IMR, DATA, ISR_, MAC_A, MAC_B, RBCR0, RBCR1, RESET, RSAR0, RSAR1, RSR_RCR,
  Simulation, collect, isaCard, pciCard, type TestBus,
} from './helpers';

/** ne.c step 2–3: the MAR5 / CNTR0 test. Returns the second CNTR0 read. */
function counterTest(b: TestBus): number {
  b.outb(CMD, 0x61);
  const saved = b.inb(0x0d);
  b.outb(0x0d, 0xff);
  b.outb(CMD, 0x20);
  b.inb(0x0d);
  const second = b.inb(0x0d);
  b.outb(CMD, 0x61);
  expect(b.inb(0x0d)).toBe(0xff);
  b.outb(0x0d, saved);
  b.outb(CMD, 0x20);
  return second;
}

/** ne.c step 4: reset handshake; returns the number of polls until ISR.RST. */
function resetHandshake(b: TestBus): number {
  b.outb(RESET, b.inb(RESET));
  let polls = 0;
  while ((b.inb(ISR_) & 0x80) === 0 && polls < 100) polls++;
  b.outb(ISR_, 0xff);
  return polls;
}

/** ne.c step 5–6 with the given DCR: 32 inb of the PROM. */
function readProm(b: TestBus, dcr: number): number[] {
  b.outb(CMD, 0x21);
  b.outb(CNTR1_DCR, dcr);
  b.outb(RBCR0, 0);
  b.outb(RBCR1, 0);
  b.outb(CNTR2_IMR, 0);
  b.outb(ISR_, 0xff);
  b.outb(RSR_RCR, 0x20);
  b.outb(CNTR0_TCR, 0x02);
  b.outb(RBCR0, 32);
  b.outb(RBCR1, 0);
  b.outb(RSAR0, 0);
  b.outb(RSAR1, 0);
  b.outb(CMD, 0x0a);
  return Array.from(b.insb(DATA, 32));
}

describe('Linux ne.c probe (ISA NE2000)', () => {
  test('CR reads 0x21 at power-on, not 0xFF', () => {
    const { bus } = isaCard(new Simulation(1));
    expect(bus.inb(CMD)).toBe(0x21);
  });

  test('counter test: MAR5 and CNTR0 are separate, counters clear on read', () => {
    const { bus } = isaCard(new Simulation(1));
    expect(counterTest(bus)).toBe(0);
  });

  test('reset handshake: a reset-port read sets ISR.RST at once; the ISR write cannot clear RST', () => {
    const { bus, irq } = isaCard(new Simulation(1));
    bus.outb(CMD, 0x22); // start: clears RST
    expect(bus.inb(ISR_) & 0x80).toBe(0);
    expect(resetHandshake(bus)).toBe(0);
    expect(bus.inb(ISR_)).toBe(0x80); // 0xFF written, RST stays
    expect(bus.inb(CMD)).toBe(0x21);
    expect(irq.rises).toBe(0); // RST never drives the line
  });

  test('PROM: byte mode gives doubled bytes (word-wide card), MAC and the 0x57 signature', () => {
    const { bus } = isaCard(new Simulation(1));
    resetHandshake(bus);
    const prom = readProm(bus, 0x48);
    let wordWide = true;
    for (let i = 0; i < 32; i += 2) if (prom[i] !== prom[i + 1]) wordWide = false;
    expect(wordWide).toBe(true);
    const sa = Array.from({ length: 16 }, (_, i) => prom[2 * i]!);
    expect(sa.slice(0, 6)).toEqual(MAC_A);
    expect(sa[14]).toBe(0x57);
    expect(sa[15]).toBe(0x57);
    expect(bus.inb(ISR_) & 0x40).toBe(0x40); // RDC after 32 bytes
  });

  test('IRQ autoprobe: IMR 0x50 then a zero-length remote read raises RDC and the line at once', () => {
    const sim = new Simulation(1);
    const { bus, irq } = isaCard(sim);
    resetHandshake(bus);
    readProm(bus, 0x49);
    bus.outb(ISR_, 0xff);
    bus.outb(CNTR2_IMR, 0x50);
    expect(irq.level).toBe(false);
    bus.outb(RBCR0, 0);
    bus.outb(RBCR1, 0);
    bus.outb(CMD, 0x0a);
    expect(irq.level).toBe(true);
    expect(bus.inb(ISR_) & 0x40).toBe(0x40);
    bus.outb(CNTR2_IMR, 0);
    expect(irq.level).toBe(false);
    bus.outb(ISR_, 0xff);
  });
});

describe('Linux ne2k-pci probe (RTL8029)', () => {
  test('PCI identity and a 32-byte I/O BAR', () => {
    const { nic } = pciCard(new Simulation(1));
    expect(nic.spec.vendorId).toBe(0x10ec);
    expect(nic.spec.deviceId).toBe(0x8029);
    expect(nic.spec.classCode).toBe(0x020000);
    expect(nic.spec.interruptPin).toBe(1);
    expect(nic.spec.bars).toHaveLength(1);
    expect(nic.spec.bars[0]!.kind).toBe('io');
    expect(nic.spec.bars[0]!.size).toBe(32);
  });

  test('counter test, reset, word-mode PROM read with inb (address +2 per byte), RTL8029 ID bytes', () => {
    const { bus } = pciCard(new Simulation(2));
    expect(counterTest(bus)).toBe(0);
    expect(resetHandshake(bus)).toBe(0);
    const sa = readProm(bus, 0x49);
    expect(sa.slice(0, 6)).toEqual(MAC_B);
    expect(sa[14]).toBe(0x57);
    expect(sa.slice(16)).toEqual(new Array(16).fill(0xff)); // count exhausted after 16 word transfers
    bus.outb(CMD, 0x21);
    expect(bus.inb(0x0a)).toBe(0x50);
    expect(bus.inb(0x0b)).toBe(0x43);
  });

  test('32-bit inl on the data port: two word transfers per access', () => {
    const { bus } = pciCard(new Simulation(3));
    resetHandshake(bus);
    readProm(bus, 0x49); // leaves DCR word mode
    bus.outb(RBCR0, 32);
    bus.outb(RBCR1, 0);
    bus.outb(RSAR0, 0);
    bus.outb(RSAR1, 0);
    bus.outb(CMD, 0x0a);
    const words = Array.from({ length: 8 }, () => bus.inl(DATA));
    const m = MAC_B;
    expect(words[0]).toBe((m[0]! | (m[0]! << 8) | (m[1]! << 16) | (m[1]! << 24)) >>> 0);
    expect(words[7]).toBe(0x57575757);
    expect(bus.inb(ISR_) & 0x40).toBe(0x40);
  });

  test('full duplex via page 3: CONFIG3.FUDUP needs 9346CR config-write enable', () => {
    const { bus, core } = pciCard(new Simulation(4));
    bus.outb(CMD, 0xe0);
    bus.outb(0x06, 0x40); // write-protected
    expect(bus.inb(0x06) & 0x40).toBe(0);
    bus.outb(0x01, 0xc0);
    bus.outb(0x06, 0x40);
    bus.outb(0x01, 0x00);
    expect(bus.inb(0x06) & 0x40).toBe(0x40);
    expect(core.rtl!.fullDuplex).toBe(true);
    bus.outb(CMD, 0x20);
  });

  test('page 2 RCR reads bits 7:6 as 1 on the RTL8029, not on the NE2000', () => {
    const sim = new Simulation(5);
    const p = pciCard(sim);
    const i = isaCard(sim);
    for (const b of [p.bus, i.bus]) {
      b.outb(CMD, 0x21);
      b.outb(RSR_RCR, 0x04);
      b.outb(CMD, 0xa1);
    }
    expect(p.bus.inb(0x0c)).toBe(0xc4);
    expect(i.bus.inb(0x0c)).toBe(0x04);
    expect(i.bus.inb(0x0a)).toBe(0xff); // page 2 0x0A is reserved
    i.bus.outb(CMD, 0x21);
    expect(i.bus.inb(0x0a)).toBe(0xff); // NE2000: no RTL8029 ID bytes on page 0
    expect(i.bus.inb(0x0b)).toBe(0xff);
  });
});

describe('NetBSD ne2000_detect', () => {
  function detect(b: TestBus, sim: Simulation): 'ne1000' | 'ne2000' | 'none' {
    const tmp = b.inb(RESET);
    sim.queue.runUntil(sim.queue.now + 10_000_000);
    b.outb(RESET, tmp);
    sim.queue.runUntil(sim.queue.now + 5_000_000);
    b.outb(CMD, 0x21);
    if ((b.inb(CMD) & 0x27) !== 0x21) return 'none';
    if ((b.inb(ISR_) & 0x80) === 0) return 'none';
    b.outb(CMD, 0x22);
    if (b.inb(ISR_) & 0x80) return 'none'; // START cleared RST
    b.outb(ISR_, 0xff);
    const pattern = zeroPad(Uint8Array.from('THIS is A memory TEST pattern!!!', (c) => c.charCodeAt(0)), 32);
    b.outb(RSR_RCR, 0x20);
    b.outb(CNTR1_DCR, 0x48);
    if (roundTrip(b, 0x2000, pattern, 1)) return 'ne1000';
    b.outb(CNTR1_DCR, 0x49);
    if (roundTrip(b, 0x4000, pattern, 2)) return 'ne2000';
    return 'none';
  }

  function roundTrip(b: TestBus, addr: number, data: Uint8Array, width: 1 | 2): boolean {
    b.outb(ISR_, 0x40);
    b.outb(RBCR0, data.length);
    b.outb(RBCR1, 0);
    b.outb(RSAR0, addr & 0xff);
    b.outb(RSAR1, addr >> 8);
    b.outb(CMD, 0x12);
    if (width === 2) b.outsw(DATA, data);
    else b.outsb(DATA, data);
    if ((b.inb(ISR_) & 0x40) === 0) return false;
    b.outb(ISR_, 0x40);
    b.outb(RBCR0, data.length);
    b.outb(RBCR1, 0);
    b.outb(RSAR0, addr & 0xff);
    b.outb(RSAR1, addr >> 8);
    b.outb(CMD, 0x0a);
    const back = width === 2 ? b.insw(DATA, data.length / 2) : b.insb(DATA, data.length);
    return Buffer.from(back).equals(Buffer.from(data));
  }

  test('an NE2000: CR & 0x27 == 0x21 after reset, 0x2000 is not RAM, 0x4000 is', () => {
    const sim = new Simulation(7);
    const { bus } = isaCard(sim);
    expect(detect(bus, sim)).toBe('ne2000');
  });

  test('an NE1000 variant is told apart by RAM at 0x2000', () => {
    const sim = new Simulation(7);
    const { bus } = isaCard(sim, 'n1', MAC_A, 'ne1000');
    expect(detect(bus, sim)).toBe('ne1000');
  });

  test('the RTL8029 passes as an NE2000', () => {
    const sim = new Simulation(7);
    const { bus } = pciCard(sim);
    expect(detect(bus, sim)).toBe('ne2000');
  });
});

describe('board ports and register tracing', () => {
  test('0x10–0x17 alias the data port, 0x18–0x1F the reset port', () => {
    const { bus } = isaCard(new Simulation(8));
    resetHandshake(bus);
    readProm(bus, 0x48);
    bus.outb(RBCR0, 4);
    bus.outb(RSAR0, 0);
    bus.outb(CMD, 0x0a);
    expect([bus.inb(0x13), bus.inb(0x17), bus.inb(0x10), bus.inb(0x11)]).toEqual([MAC_A[0], MAC_A[0], MAC_A[1], MAC_A[1]]);
    bus.outb(CMD, 0x22);
    expect(bus.inb(ISR_) & 0x80).toBe(0);
    bus.inb(0x18);
    expect(bus.inb(ISR_) & 0x80).toBe(0x80);
    expect(bus.inb(CMD)).toBe(0x21);
  });

  test('register accesses are traced only when the tracer is verbose', () => {
    const sim = new Simulation(9);
    const { bus } = isaCard(sim);
    const recs = collect(sim);
    bus.inb(ISR_);
    expect(recs).toEqual([]);
    sim.tracer.verbose = true;
    bus.outb(CMD, 0x61);
    bus.inb(0x07);
    expect(recs.map((r) => [r.probe, r.f!['reg'], r.f!['value']])).toEqual([
      ['reg-write', 'CR', 0x61],
      ['reg-read', 'CURR', 0],
    ]);
  });
});
