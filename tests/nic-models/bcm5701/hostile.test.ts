/**
 * Hostile-driver vectors (design §1.18, §6.5): bogus ring indices, DMA to unmapped addresses (beyond RAM and at
 * or above 4 GiB), zero-length BDs, a chain without END, bus mastering turned off mid-traffic, status block in
 * nowhere, MI_COM and EEPROM start storms, an interrupt never acknowledged, and a seeded fuzz of 10⁵ register
 * writes followed by tg3's probe and open. Each: no exception, a bounded number of events per virtual
 * millisecond, the expected trace, and the chip usable afterwards. The same vectors twice give the same trace.
 */
import { createHash } from 'node:crypto';
import { Rng } from '../../../emulator/machine/sim/rng';
import { Host, MAC, MS, US } from './fixture';
import { cabled, linkedTg3 } from './linked';
import { PARTNER_MAC, udpFrame } from './partner';
import { Tg3 } from './tg3';

const linked = (seed = 1) => linkedTg3({ seed });

/** Run `ns` and return the events per virtual millisecond. */
function eventRate(h: Host, ns: number): number {
  const before = h.sim.queue.executed;
  h.delay(ns);
  return ((h.sim.queue.executed - before) * MS) / ns;
}

/** Write one raw send BD at ring slot `i`. */
function sendBd(h: Host, t: Tg3, i: number, hi: number, lo: number, len: number, flags: number): void {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, hi, true);
  dv.setUint32(4, lo, true);
  dv.setUint32(8, ((len << 16) | flags) >>> 0, true);
  h.memW(t.txRing + 16 * i, b);
}

function vectors(seed: number): Host {
  const { h, t, partner } = linked(seed);
  // Bogus producer/consumer values: reduced modulo the ring, traced.
  h.w(0x304, 9999);
  h.w(0x26c, 70000);
  h.w(0x284, 5000);
  expect(h.traced('bogus-index').map((r) => r.f!['mbox'])).toEqual([0x304, 0x26c, 0x284]);
  expect(eventRate(h, 2 * MS)).toBeLessThan(2000);
  // Reset the rings the way tg3 recovers: a full halt and reopen.
  t.open();
  t.run(10 * MS);
  // Send BDs into nowhere: beyond RAM, at 4 GiB and above, zero length, and a good frame after them.
  const base = t.txProd;
  sendBd(h, t, base, 0, 0xfffff000, 100, 0x4);
  sendBd(h, t, base + 1, 1, 0x1000, 100, 0x4);
  sendBd(h, t, base + 2, 0, 0x2000, 0, 0x4);
  t.txProd = base + 3;
  t.xmit(udpFrame(PARTNER_MAC, MAC, 80));
  t.run(MS);
  expect(h.traced('tx-drop', 'master-abort').length).toBe(2);
  expect(h.traced('tx-drop', 'empty').length).toBe(1);
  expect(partner.got.length).toBe(1);
  expect(h.r(0x4804) & 0x8).toBe(0x8); // RDMAC_STATUS.MSTABORT
  expect(t.errors).toBeGreaterThan(0); // status ERROR reached tg3_process_error
  expect(h.cr(0x06, 2) & 0x2000).toBe(0x2000); // received master abort
  // A chain of 600 BDs without END: discarded at 512, SNDBDI error attention.
  for (const n of [300, 300]) {
    for (let i = 0; i < n; i++) sendBd(h, t, (t.txProd + i) % 512, 0, t.txBuf, 64, 0);
    t.txProd = (t.txProd + n) % 512;
    h.w(0x304, t.txProd);
    expect(eventRate(h, 2 * MS)).toBeLessThan(2000);
  }
  expect(h.traced('tx-drop', 'no-end-bd').length).toBeGreaterThan(0);
  return h;
}

describe('hostile driver input', () => {
  test('bogus indices, DMA into nowhere, zero-length BDs, chains without END: traced, bounded, no exception', () => {
    vectors(1);
  });

  test('zero-length receive BD: returned with ERROR/NO_RESOURCES and consumed', () => {
    const { h, t, partner } = linked();
    const slot = t.stdProd;
    const b = new Uint8Array(32);
    const dv = new DataView(b.buffer);
    dv.setUint32(4, t.rxBufs[0]!, true);
    dv.setUint32(8, 0, true); // length 0
    dv.setUint32(12, 4, true);
    h.memW(t.stdRing + 32 * slot, b);
    t.stdProd = (slot + 1) % 512;
    h.w(0x26c, t.stdProd);
    // The chip serves frames from its prefetched BDs first; frames until the planted one comes up.
    for (let i = 0; i < 400 && h.traced('rx-reject', 'zero-length-bd').length === 0; i++) {
      partner.send(udpFrame(MAC, PARTNER_MAC, 60, i));
      t.run(30 * US);
    }
    const before = t.received.length;
    partner.send(udpFrame(MAC, PARTNER_MAC, 60));
    t.run(MS);
    expect(t.received.length).toBeGreaterThan(before);
    expect(h.traced('rx-reject', 'zero-length-bd').length).toBe(1);
    expect(t.received.some((r) => r.err & 0x800000)).toBe(true);
  });

  test('status block in nowhere, bus mastering off mid-traffic, interrupt never acknowledged', () => {
    const { h, t, partner } = linked();
    h.wr(0x3c3c, 0xfffff000);
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    h.delay(MS);
    expect(h.traced('status-update').at(-1)!.t).toBeGreaterThan(h.now - MS);
    h.wr(0x3c3c, t.status);
    h.cw(0x04, 0x0002, 2); // BME off
    for (let i = 0; i < 20; i++) partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    expect(eventRate(h, 5 * MS)).toBeLessThan(2000);
    expect(h.recs.some((r) => r.layer === 'dma' && r.probe === 'master-abort' && r.f!['reason'] === 'bus-master-disabled')).toBe(true);
    h.cw(0x04, 0x0006, 2);
    // Nobody acknowledges: INTA# stays asserted, nothing loops.
    partner.send(udpFrame(MAC, PARTNER_MAC, 100));
    h.delay(MS);
    expect(h.irq).toBe(true);
    expect(eventRate(h, 10 * MS)).toBeLessThan(100);
    expect(h.irq).toBe(true);
  });

  test('MI_COM and EEPROM start storms are ignored while busy and traced', () => {
    const h = new Host();
    h.delay(2 * MS);
    for (let i = 0; i < 100; i++) h.w(0x44c, 0x28000000 | (1 << 21) | (i & 0x1f) << 16);
    for (let i = 0; i < 100; i++) h.w(0x6838, 0x82600000 | (i * 4));
    expect(h.recs.filter((r) => r.probe === 'mi-busy').length).toBeGreaterThan(90);
    expect(h.traced('eeprom-busy').length).toBeGreaterThan(90);
    expect(eventRate(h, 5 * MS)).toBeLessThan(100);
  });

  test('10⁵ seeded random register writes, then tg3 probes and opens the chip', () => {
    const h = new Host({ seed: 3 });
    const partner = cabled(h);
    const rng = new Rng(1234, 'fuzz');
    for (let i = 0; i < 100_000; i++) {
      const off = rng.below(0x10000) & ~3;
      const v = rng.u32();
      h.board.mmio.write(0xe0000000 + off, 4, v >>> 0);
      if (i % 1000 === 0) h.delay(10 * US);
    }
    // Whatever the fuzz did to PCI state, a driver's probe starts from enabling the device (and RST#-free D0).
    h.cw(0x4c, 0x8000, 2);
    h.cw(0x04, 0x0006, 2);
    h.cw(0x10, 0xe0000000);
    h.w(0x6804, 1); // tg3_init_one finds the chip running (HOSTCC/WDMAC enabled) and halts it
    h.delay(2 * MS);
    h.cw(0x04, 0x0006, 2);
    const t = new Tg3(h);
    t.probe();
    t.open();
    t.run(20 * MS);
    expect(t.linkUp).toBe(true);
    partner.echo = true;
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    t.run(MS);
    expect(t.received.length).toBe(1);
  });

  test('determinism: the same vectors twice give the same trace', () => {
    const hash = (h: Host): string => createHash('sha256').update(h.recs.map((r) => JSON.stringify(r)).join('\n')).digest('hex');
    expect(hash(vectors(5))).toBe(hash(vectors(5)));
  });
});
