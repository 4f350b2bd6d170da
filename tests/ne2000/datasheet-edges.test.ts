/**
 * Edges of the DP8390/NE2000 that a sampled mutation run (docs/testing.md "Scores") showed no test pinned down:
 * - DP8390D "Buffer Ring Overflow": once the ring has overflowed the receiver takes nothing until the driver
 *   has removed a packet (BNRY moves) or stopped the NIC — not even a frame small enough for the pages left.
 * - DP8390D "Remote DMA": the address counter wraps from PSTOP to PSTART only when it *enters* page PSTOP from
 *   below; a transfer that starts inside page PSTOP (a transmit buffer placed above the ring) runs on linearly.
 *   Past the end of the card's buffer RAM nothing answers on the local bus: reads give 0xFF.
 * - NE1000 (8-bit board): the station-address PROM is 16 bytes, byte-wide, mirrored at 16–31, so Linux ne.c's
 *   probe finds no doubled bytes and takes the card as 8-bit.
 * - DP8390D register map, page 2: reads give back TPSR, LNPP and TCR as written.
 * - Reset (facts/ne2000.md): "TCR loopback bits clear" — the other TCR bits stay.
 * - The tally counters are part of the chip's snapshot.
 * - With the verbose trace on, a reserved register read, a data-port write and a reset-port write are traced.
 * - String I/O (REP INS/OUTS) is served as one burst only at the data port 0x10–0x17, never at a register or
 *   the reset port.
 * - RTL8029 PCI target wait states (rtl8029-pci.ts): 3 clocks at the data port, 6 at the registers and the
 *   reset port.
 * - A reset while a frame is on the wire: that frame finishes (nothing reports it); a transmit the re-opened
 *   driver starts meanwhile waits for the wire and then goes out.
 */
import { RTL8029_PCI_TIMING } from '../../nic-models/ne2000/rtl8029-pci';
import {
  BNRY, CMD, CNTR0_TCR, CNTR1_DCR, DATA, MAC_A, MAC_B, PSTOP, RBCR0, RBCR1, RESET, RSAR0, RSAR1, Simulation, TSR_TPSR,
  TestBus, isaCard, makeFrame,
} from './helpers';
import { LinuxDriver } from './linux-driver';
import { linuxIsaBench } from './linux-bench';
import { cablePair } from './cable-pair';
import { frameWireTimeNs } from '../../emulator/machine/net/link';

const opened = (seed = 41) => linuxIsaBench(seed);

/** A remote-DMA write of `data` (byte mode) at `addr`. */
function remoteWrite(bus: TestBus, addr: number, data: number[]): void {
  startRemote(bus, addr, data.length, 0x12);
  for (const v of data) bus.outb(DATA, v);
}
/** Starts a remote DMA of `count` bytes at `addr`: CR 0x22, RBCR, RSAR, then CR `cr` (0x12 write, 0x0A read). */
function startRemote(bus: TestBus, addr: number, count: number, cr: number): void {
  bus.outb(CMD, 0x22);
  bus.outb(RBCR0, count & 0xff);
  bus.outb(RBCR1, count >> 8);
  bus.outb(RSAR0, addr & 0xff);
  bus.outb(RSAR1, addr >> 8);
  bus.outb(CMD, cr);
}
/** A remote-DMA read of `n` bytes (byte mode) from `addr` (ne_block_input). */
const remoteRead = (bus: TestBus, addr: number, n: number): number[] => Array.from(new LinuxDriver(bus, 'byte').blockInput(addr, n));

describe('DP8390 edges', () => {
  test('in overflow the receiver misses even a frame that would fit in the pages left (BNRY has not moved)', () => {
    const { card, drv, deliver, trace } = opened();
    deliver(60); // 1 page: 0x4C
    for (let i = 0; i < 24; i++) deliver(300); // 2 pages each: 0x4D..0x7C
    expect(drv.curr()).toBe(0x7d);
    deliver(300); // needs 0x7D, 0x7E and would make CURR = 0x7F = BNRY: overflow
    expect(card.bus.inb(0x07) & 0x10).toBe(0x10);
    deliver(60); // one page, 0x7D: it would fit, but the ring is in overflow
    expect(drv.curr()).toBe(0x7d);
    expect(card.core.counters.peek(2)).toBe(2);
    expect(trace.filter((r) => r.probe === 'rx-reject').map((r) => r.f!['reason'])).toEqual(['overflow', 'overflow']);
  });

  test('remote DMA wraps at PSTOP only when it enters page PSTOP from below', () => {
    const { card } = opened();
    const b = card.bus;
    b.outb(CMD, 0x21);
    b.outb(CNTR1_DCR, 0x48); // byte-wide transfers
    b.outb(PSTOP, 0x60); // ring 0x4C..0x5F; a transmit buffer at 0x60 lies above it
    b.outb(BNRY, 0x5f);
    b.outb(CMD, 0x22);
    remoteWrite(b, 0x6000, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(remoteRead(b, 0x6000, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(remoteRead(b, 0x4c00, 2)).toEqual([0, 0]);
    // Across the boundary into page PSTOP: 0x5FFE, 0x5FFF, then PSTART's first bytes.
    remoteWrite(b, 0x5ffe, [0xa1, 0xa2, 0xa3, 0xa4]);
    expect(remoteRead(b, 0x5ffe, 2)).toEqual([0xa1, 0xa2]);
    expect(remoteRead(b, 0x4c00, 2)).toEqual([0xa3, 0xa4]);
    expect(remoteRead(b, 0x6000, 2)).toEqual([1, 2]);
  });

  test('past the end of the 16 KiB buffer RAM a remote read gives 0xFF and a write is lost', () => {
    const { card } = opened();
    const b = card.bus;
    b.outb(CMD, 0x21);
    b.outb(CNTR1_DCR, 0x48);
    b.outb(PSTOP, 0x70); // no wrap at 0x8000 (PSTOP is below it)
    b.outb(BNRY, 0x6f);
    b.outb(CMD, 0x22);
    remoteWrite(b, 0x7ffe, [0x11, 0x22, 0x33, 0x44]);
    expect(remoteRead(b, 0x7ffe, 4)).toEqual([0x11, 0x22, 0xff, 0xff]);
    expect(card.core.mem.ram.length).toBe(0x4000);
  });

  test('NE1000: a byte-wide 16-byte PROM, mirrored at 16–31 (ne.c sees no doubled bytes: 8-bit card)', () => {
    const sim = new Simulation(3);
    const card = isaCard(sim, 'en0', MAC_A, 'ne1000');
    const b = card.bus;
    b.outb(CMD, 0x21);
    b.outb(CNTR1_DCR, 0x48);
    b.outb(CMD, 0x22);
    const prom = remoteRead(b, 0, 32);
    expect(prom.slice(0, 6)).toEqual(MAC_A);
    expect(prom.slice(14, 16)).toEqual([0x57, 0x57]);
    expect(prom.slice(16)).toEqual(prom.slice(0, 16));
    expect(prom.slice(0, 6).some((v, i) => i % 2 === 0 && v !== prom[i + 1])).toBe(true);
  });

  test('page 2 reads back TPSR, LNPP and TCR', () => {
    const { card } = opened();
    const b = card.bus;
    b.outb(TSR_TPSR, 0x46); // page 0 write: TPSR
    b.outb(CNTR0_TCR, 0x18); // page 0 write: TCR = ATD | OFST
    b.outb(CMD, 0xa2); // page 2
    b.outb(0x05, 0x5a); // LNPP
    expect(b.inb(0x04)).toBe(0x46);
    expect(b.inb(0x05)).toBe(0x5a);
    expect(b.inb(0x0d) & 0x1f).toBe(0x18);
    b.outb(CMD, 0x22);
  });

  test('a reset clears the TCR loopback bits and keeps the others', () => {
    const { card } = opened();
    const b = card.bus;
    b.outb(CNTR0_TCR, 0x1b); // CRC | LB0 | ATD | OFST
    b.outb(RESET, b.inb(RESET)); // Linux ne_reset_8390: read the reset port, write it back
    b.outb(CMD, 0xa1);
    expect(b.inb(0x0d) & 0x1f).toBe(0x19);
  });

  test('the tally counters are in the snapshot', () => {
    const sim = new Simulation(5);
    const a = isaCard(sim, 'en0', MAC_A);
    a.core.counters.bump(0);
    a.core.counters.bump(0);
    a.core.counters.bump(1);
    a.core.counters.bump(2);
    a.core.counters.bump(2);
    a.core.counters.bump(2);
    const state = a.core.saveState();
    const sim2 = new Simulation(5);
    const c = isaCard(sim2, 'en0', MAC_A);
    c.core.loadState(state);
    c.bus.outb(CMD, 0x21);
    expect([c.bus.inb(0x0d), c.bus.inb(0x0e), c.bus.inb(0x0f)]).toEqual([2, 1, 3]);
  });

  test('verbose trace: a reserved register read, a data-port write and a reset-port write', () => {
    const { sim, card, trace } = opened();
    sim.tracer.verbose = true;
    const b = card.bus;
    expect(b.inb(0x0a)).toBe(0xff); // page 0 0x0A read: reserved on a National part
    startRemote(b, 0x4000, 2, 0x12);
    b.outw(DATA, 0x1234);
    b.outb(RESET, 0); // ends the reset pulse: nothing else happens
    const f = (probe: string) => trace.filter((r) => r.probe === probe).map((r) => r.f);
    expect(f('reg-read')).toContainEqual(expect.objectContaining({ reg: 'reserved', value: 0xff }));
    expect(f('data-write')).toContainEqual(expect.objectContaining({ reg: 'DATA', size: 2, value: 0x1234 }));
    expect(f('reg-write')).toContainEqual(expect.objectContaining({ reg: 'RESET', off: 0x1f, value: 0 }));
  });

  test('string I/O is one burst at the data port 0x10–0x17 only', () => {
    const { nic, bus } = isaCard(new Simulation(7), 'en0', MAC_A);
    const w = nic.window;
    bus.outb(CMD, 0x21);
    bus.outb(CNTR1_DCR, 0x49);
    startRemote(bus, 0x4000, 0x40, 0x12);
    const src = new Uint8Array(64).fill(0x5a);
    for (const off of [0x00, 0x0f, 0x18, 0x1f]) expect(w.writeQuiet(off, 2, src, 0, 8)).toBe(0);
    expect(w.writeQuiet(0x17, 2, src, 0, 8)).toBeGreaterThan(0);
    expect(w.writeQuiet(0x10, 2, src, 0, 8)).toBeGreaterThan(0);
    startRemote(bus, 0x4000, 0x40, 0x0a);
    const dst = new Uint8Array(16);
    for (const off of [0x00, 0x0f, 0x18, 0x1f]) expect(w.readQuiet(off, 2, dst, 0, 8)).toBe(0);
    expect(w.readQuiet(0x17, 2, dst, 0, 8)).toBeGreaterThan(0);
    expect(Array.from(dst)).toEqual(Array(16).fill(0x5a));
  });

  test('RTL8029 PCI wait states: 3 clocks at the data port, 6 at the registers and the reset port', () => {
    const waits = Array.from({ length: 0x20 }, (_, off) => RTL8029_PCI_TIMING.waitClocks(0, off, false));
    expect(waits).toEqual([...Array(16).fill(6), ...Array(8).fill(3), ...Array(8).fill(6)]);
  });

  test('a reset while a frame is on the wire: it finishes; the next transmit waits for it, then goes out', () => {
    const { sim, a, b, da, db } = cablePair(43, { propagationNs: 50 });
    const big = makeFrame(MAC_B, MAC_A, 1514, 1);
    const small = makeFrame(MAC_B, MAC_A, 60, 2);
    expect(da.upload(0x40, big)).toBe(true);
    const t0 = sim.queue.now;
    da.trigger(0x40, 1514);
    sim.queue.runUntil(t0 + frameWireTimeNs(1514, 10_000_000) / 2);
    a.bus.outb(RESET, a.bus.inb(RESET));
    da.open(MAC_A);
    expect(da.upload(0x40, small)).toBe(true);
    da.trigger(0x40, 60);
    expect(a.bus.inb(CMD) & 0x04).toBe(0x04); // TXP: held, not lost
    sim.queue.runUntil(sim.queue.now + 2_000_000);
    expect(a.bus.inb(CMD) & 0x04).toBe(0);
    expect(a.bus.inb(0x07) & 0x02).toBe(0x02); // PTX for the small frame
    const { frames } = db.receive();
    expect(frames.map((f) => f.length)).toEqual([1514, 60]);
  });
});
