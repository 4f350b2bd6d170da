/**
 * Data-port accesses a guest CPU in a thread of its own may make without catching up with the rest of the simulation
 * first (Ne2000Window.detached → Dp8390Core.dataDetached; docs/guest-time-model.md "Detached accesses"): quiet remote
 * DMA transfers (no RDC, no trace, no interrupt) into pages no event can write — not the receive ring's pages from CURR
 * up to BNRY — and, for writes, not while a started transmission has yet to take its packet from the buffer.
 */
import { Simulation, componentContext } from '../../emulator/machine/sim';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';

const DATA = 0x10;
const CR_STA = 0x02;
const RD_READ = 1 << 3;
const RD_WRITE = 2 << 3;

/** A word-mode NE2000 with the receive ring PSTART..PSTOP, BNRY and CURR as given, started. */
function chip(ring: { pstart: number; pstop: number; bnry: number; curr: number }) {
  const sim = new Simulation(1);
  const nic = new Ne2000Isa(componentContext(sim, 'n', 'n.en0'), { mac: [0, 0x50, 0xc2, 0, 0, 9] });
  const w = nic.window;
  w.write(0x0e, 1, 0x49); // DCR: word transfers, normal mode, FIFO threshold 8 bytes
  w.write(0x01, 1, ring.pstart);
  w.write(0x02, 1, ring.pstop);
  w.write(0x03, 1, ring.bnry);
  w.write(0x00, 1, 0x61); // page 1
  w.write(0x07, 1, ring.curr); // CURR
  w.write(0x00, 1, 0x21); // page 0, stopped
  w.write(0x0d, 1, 0x00); // TCR: normal
  w.write(0x00, 1, 0x22); // start
  /** Set up a remote DMA of `count` bytes from `addr` in direction rd. */
  const remote = (addr: number, count: number, rd: number): void => {
    w.write(0x0a, 1, count & 0xff);
    w.write(0x0b, 1, count >> 8);
    w.write(0x08, 1, addr & 0xff);
    w.write(0x09, 1, addr >> 8);
    w.write(0x00, 1, CR_STA | rd);
  };
  return { sim, nic, w, remote };
}

// Linux's convention: frames in pages 0x4d..0x4f waiting to be read (BNRY 0x4c = the last page read), CURR 0x50:
// the receiver may store into 0x50..0x7f and 0x46..0x4b, never into 0x4c..0x4f.
const LINUX = { pstart: 0x46, pstop: 0x80, bnry: 0x4c, curr: 0x50 };

describe('reads', () => {
  test('from a received frame (between BNRY and CURR): detached, up to but not including the access that ends the DMA', () => {
    const { w, remote } = chip(LINUX);
    remote(0x4d00, 6, RD_READ);
    expect(w.detached(DATA, 2, false, 0)).toBe(true);
    w.read(DATA, 2);
    expect(w.detached(DATA, 2, false, 0)).toBe(true);
    w.read(DATA, 2);
    // The last word brings the count to zero: RDC, perhaps an interrupt: it syncs.
    expect(w.detached(DATA, 2, false, 0)).toBe(false);
    // Not a write, nor another register.
    expect(w.detached(DATA, 2, true, 0)).toBe(false);
    expect(w.detached(0x07, 1, false, 0)).toBe(false);
  });

  test('the BNRY page itself (read, not storable) is detached; a page the receiver may store into is not', () => {
    const { w, remote } = chip(LINUX);
    remote(0x4c00, 64, RD_READ);
    expect(w.detached(DATA, 2, false, 0)).toBe(true);
    remote(0x5000, 64, RD_READ);
    expect(w.detached(DATA, 2, false, 0)).toBe(false);
    remote(0x4600, 64, RD_READ); // round the ring: free too
    expect(w.detached(DATA, 2, false, 0)).toBe(false);
    // A dword read whose second word is on the first storable page.
    remote(0x4ffe, 64, RD_READ);
    expect(w.detached(DATA, 4, false, 0)).toBe(false);
    expect(w.detached(DATA, 2, false, 0)).toBe(true);
  });

  test('the read wraps from PSTOP to PSTART as the DMA does: a frame that wraps is read detached', () => {
    const { w, remote } = chip({ pstart: 0x46, pstop: 0x80, bnry: 0x7e, curr: 0x48 }); // frames in 0x7f, 0x46, 0x47
    remote(0x7ffe, 64, RD_READ);
    expect(w.detached(DATA, 4, false, 0)).toBe(true); // 0x7ffe, then 0x4600 (wrapped)
    remote(0x47fe, 64, RD_READ);
    expect(w.detached(DATA, 4, false, 0)).toBe(false); // 0x47fe, then 0x4800 = CURR
  });

  test('CURR = BNRY: the receiver may store anywhere in the ring; outside the ring still detached', () => {
    const { w, remote } = chip({ pstart: 0x46, pstop: 0x80, bnry: 0x50, curr: 0x50 });
    remote(0x4d00, 64, RD_READ);
    expect(w.detached(DATA, 2, false, 0)).toBe(false);
    remote(0x4000, 64, RD_READ); // the transmit buffer, below PSTART
    expect(w.detached(DATA, 2, false, 0)).toBe(true);
  });

  test('a ring the receiver cannot use (PSTART >= PSTOP): never detached', () => {
    const { w, remote } = chip({ pstart: 0x80, pstop: 0x46, bnry: 0x4c, curr: 0x50 });
    remote(0x4000, 64, RD_READ);
    expect(w.detached(DATA, 2, false, 0)).toBe(false);
  });

  test('while data-port accesses are traced (--verbose-trace): never (their records come in time order)', () => {
    const { sim, w, remote } = chip(LINUX);
    remote(0x4d00, 64, RD_READ);
    sim.tracer.verbose = true;
    expect(w.detached(DATA, 2, false, 0)).toBe(false);
  });
});

describe('writes', () => {
  test('into the transmit buffer: detached, until TXP starts a transmission that has not taken its packet yet', () => {
    const { sim, nic, w, remote } = chip(LINUX);
    remote(0x4000, 64, RD_WRITE);
    expect(w.detached(DATA, 2, true, 0)).toBe(true);
    expect(w.detached(DATA, 2, false, 0)).toBe(false); // the other direction
    w.write(0x04, 1, 0x40); // TPSR
    w.write(0x05, 1, 60); // TBCR0
    w.write(0x06, 1, 0);
    w.write(0x00, 1, 0x26); // TXP, with RD = 100: the remote DMA is aborted (Linux's E8390_NODMA)
    expect(w.detached(DATA, 2, true, 0)).toBe(false);
    remote(0x4200, 64, RD_WRITE); // the next packet, into the other transmit buffer
    expect(nic.core.transmitter.sourcePending).toBe(true);
    expect(w.detached(DATA, 2, true, 0)).toBe(false);
    // Once the local DMA has taken the packet (the FIFO threshold's fetch, then the MAC), writes are detached again.
    sim.queue.runUntil(sim.queue.now + 10_000);
    expect(nic.core.transmitter.sourcePending).toBe(false);
    expect(w.detached(DATA, 2, true, 0)).toBe(true);
  });

  test('into a page the receiver may store into: not detached', () => {
    const { w, remote } = chip(LINUX);
    remote(0x5000, 64, RD_WRITE);
    expect(w.detached(DATA, 2, true, 0)).toBe(false);
  });
});

test('a stored frame only moves CURR on towards BNRY: what was detached stays so', () => {
  const { nic, w, remote } = chip(LINUX);
  remote(0x4d00, 600, RD_READ);
  expect(w.detached(DATA, 2, false, 0)).toBe(true);
  nic.core.regs.curr = 0x4b; // as if frames filled the free pages up to BNRY
  expect(w.detached(DATA, 2, false, 0)).toBe(true);
});

describe('registers', () => {
  test('page 0: RSAR/RBCR writes and BNRY/CRDA reads are detached; TPSR/TBCR writes unless a packet is yet to be taken', () => {
    const { nic, w, remote } = chip(LINUX);
    for (const off of [0x08, 0x09, 0x0a, 0x0b, 0x04, 0x05, 0x06]) expect(w.detached(off, 1, true, 0x12)).toBe(true);
    for (const off of [0x03, 0x08, 0x09]) expect(w.detached(off, 1, false, 0)).toBe(true);
    // What events read or change, or what drives the interrupt line: ISR, IMR, BNRY writes, PSTART/PSTOP, RCR, TCR, DCR.
    for (const off of [0x01, 0x02, 0x03, 0x07, 0x0c, 0x0d, 0x0e, 0x0f]) expect(w.detached(off, 1, true, 0)).toBe(false);
    for (const off of [0x04, 0x07, 0x0a, 0x0c, 0x0d, 0x0e, 0x0f]) expect(w.detached(off, 1, false, 0)).toBe(false);
    // A wider access is split into byte accesses (some of which may not be detached): not answered.
    expect(w.detached(0x08, 2, true, 0x1234)).toBe(false);
    // The reset port never.
    expect(w.detached(0x1f, 1, false, 0)).toBe(false);
    // A transmission not yet at the MAC: its TPSR and TBCR are still to be read.
    w.write(0x04, 1, 0x40);
    w.write(0x05, 1, 60);
    w.write(0x06, 1, 0);
    w.write(0x00, 1, 0x26);
    expect(nic.core.transmitter.sourcePending).toBe(true);
    for (const off of [0x04, 0x05, 0x06]) expect(w.detached(off, 1, true, 0)).toBe(false);
    expect(w.detached(0x08, 1, true, 0)).toBe(true);
  });

  test('page 1 (PAR, CURR, MAR): never', () => {
    const { w } = chip(LINUX);
    w.write(0x00, 1, 0x62);
    for (let off = 1; off < 16; off++) {
      expect(w.detached(off, 1, true, 0)).toBe(false);
      expect(w.detached(off, 1, false, 0)).toBe(false);
    }
  });

  test('CR: page selects and remote DMA commands to the running chip; not TXP, STP, Send Packet, an empty remote DMA, a stopped chip', () => {
    const { w, remote } = chip(LINUX);
    expect(w.detached(0x00, 1, false, 0)).toBe(false); // a read: TXP follows the transmitter
    expect(w.detached(0x00, 1, true, 0x22)).toBe(true); // page 0, abort remote DMA, start
    expect(w.detached(0x00, 1, true, 0x62)).toBe(true); // page 1
    expect(w.detached(0x00, 1, true, 0x02)).toBe(true); // RD = 0: leaves the remote DMA alone
    remote(0x4d00, 64, 0); // RBCR = 64, RSAR = 0x4d00 (RD = 0)
    expect(w.detached(0x00, 1, true, 0x0a)).toBe(true); // remote read of 64 bytes
    expect(w.detached(0x00, 1, true, 0x12)).toBe(true); // remote write of 64 bytes
    expect(w.detached(0x00, 1, true, 0x1a)).toBe(false); // Send Packet
    expect(w.detached(0x00, 1, true, 0x26)).toBe(false); // TXP
    expect(w.detached(0x00, 1, true, 0x21)).toBe(false); // STP
    remote(0x4d00, 0, 0);
    expect(w.detached(0x00, 1, true, 0x0a)).toBe(false); // a remote read of 0 bytes completes at once: RDC
    w.write(0x00, 1, 0x21); // stop
    expect(w.detached(0x00, 1, true, 0x22)).toBe(false); // starting a stopped chip clears RST
  });
});
