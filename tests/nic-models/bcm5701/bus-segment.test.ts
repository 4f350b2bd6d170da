/**
 * The BCM5701 in each PCI slot (issue 8: "every descriptor, status block and frame moves by bus-master DMA that
 * costs PCI cycles (33/66 MHz, 32/64-bit as configured)"): a 64-bit 66 MHz device reporting its slot in PCISTATE
 * (BUS_SPEED_HIGH = M66EN, BUS_32BIT = no REQ64# at reset), 66MHZ_CAPABLE in its status register, tg3's bus
 * string, v86's 33 MHz 32-bit bus, and a line-rate receive whose frame DMA takes what the PCI formula says.
 */
import { GuestMachine } from '../../../emulator/machine/v86/guest-machine';
import { V86PciAttachment } from '../../../emulator/machine/v86/v86-pci';
import type { DmaMemory, PciClockMhz, PciDataWidth } from '../../../emulator/machine/bus/types';
import { componentContext, Simulation } from '../../../emulator/machine/sim';
import { Bcm5701Pci } from '../../../nic-models/bcm5701/bcm5701-pci';
import { Rtl8029Pci } from '../../../nic-models/ne2000/rtl8029-pci';
import { Host, MAC, MS } from './fixture';
import { linkedTg3 } from './linked';
import { PARTNER_MAC, udpFrame } from './partner';
import { Tg3 } from './tg3';

type Seg = { clock: PciClockMhz; width: PciDataWidth };
const SEGMENTS: Seg[] = [{ clock: 33, width: 32 }, { clock: 66, width: 32 }, { clock: 33, width: 64 }, { clock: 66, width: 64 }];

/** PCISTATE bits (tg3.h): INT_NOT_ACTIVE 0x2, CONV_PCI_MODE 0x4, BUS_SPEED_HIGH 0x8, BUS_32BIT 0x10. */
const pcistate = (mhz: PciClockMhz, width: PciDataWidth): number => 0x2 | 0x4 | (mhz === 66 ? 0x8 : 0) | (width === 32 ? 0x10 : 0);

/** The ClockDomain edges of each segment clock (33⅓ / 66⅔ MHz in whole Hz), and the nominal period. */
const HZ: Record<PciClockMhz, number> = { 33: 33_333_333, 66: 66_666_666 };
const PERIOD: Record<PciClockMhz, number> = { 33: 30, 66: 15 };

/** 2 arbitration + 1 address + one data phase per (width/8)-byte unit the burst touches. */
function burstCycles(addr: number, len: number, width: PciDataWidth): number {
  const w = width / 8;
  return 3 + Math.floor((addr + len - 1) / w) - Math.floor(addr / w) + 1;
}

/** ns from `now` until `cycles` clocks have run from the first edge at or after `now`. */
function busNs(now: number, cycles: number, mhz: PciClockMhz): number {
  const hz = HZ[mhz];
  let k = Math.floor((now * hz) / 1e9);
  while (Math.floor((k * 1e9) / hz) < now) k++;
  return Math.floor(((k + cycles) * 1e9) / hz) - now;
}

describe('the BCM5701 reports its slot', () => {
  test.each(SEGMENTS)('%j: PCISTATE, 66MHZ_CAPABLE, and tg3\'s bus string', (seg) => {
    const h = new Host({ pci: seg });
    expect(h.cr(0x70)).toBe(pcistate(seg.clock, seg.width));
    expect(h.cr(0x06, 2) & 0x20).toBe(0x20); // 66MHZ_CAPABLE whatever the slot
    h.delay(2 * MS);
    const t = new Tg3(h);
    t.probe();
    expect(t.busString()).toBe(`PCI:${seg.clock}MHz:${seg.width}-bit`);
  });

  test('66/64 with an RTL8029 on the segment: 33 MHz (M66EN grounded), still 64-bit; tg3 says PCI:33MHz:64-bit', () => {
    const h = new Host({ pci: { clock: 66, width: 64 } });
    expect(h.cr(0x70) & 0x18).toBe(0x08);
    const rtl = new Rtl8029Pci(componentContext(h.sim, 'alpha', 'alpha.nic1'), { mac: [0, 0, 0xe8, 0, 0, 1] });
    h.board.addPciDevice(rtl.fn, 4);
    expect(h.cr(0x70)).toBe(pcistate(33, 64));
    h.delay(2 * MS);
    const t = new Tg3(h);
    t.probe();
    expect(t.busString()).toBe('PCI:33MHz:64-bit');
    expect(h.recs.filter((r) => r.probe === 'segment-fallback').map((r) => r.f!['dev'])).toEqual(['00:04.0']);
  });

  test('under v86: its conventional 33 MHz 32-bit bus, whatever the chip was built with', () => {
    const sim = new Simulation(1);
    const machine = new GuestMachine(componentContext(sim, 'g', 'g.v86'), sim.rngs.stream('g.v86'), { ramBytes: 16 << 20, vgaBytes: 2 << 20 });
    const nic = new Bcm5701Pci(componentContext(sim, 'g', 'g.nic0'), { mac: MAC, bus: { mhz66: true, wide64: true } });
    expect(nic.configRead(0x70, 4)).toBe(0x0e); // before plug-in: the option
    const att = new V86PciAttachment(machine, nic.fn, 6, 'g.nic0');
    expect(att.cs.read(0x70, 4)).toBe(pcistate(33, 32));
    expect(att.cs.read(0x06, 2) & 0x20).toBe(0x20);
  });
});

describe('line-rate receive: frame DMA time from the slot', () => {
  /** Wrap the chip's DmaMemory to record every transfer's start time, address, length and bus time. */
  function recordDma(h: Host): { dir: 'read' | 'write'; t: number; addr: number; len: number; ns: number }[] {
    const log: { dir: 'read' | 'write'; t: number; addr: number; len: number; ns: number }[] = [];
    const inner = h.core.dmaMem!;
    const wrapped: DmaMemory = {
      read: (addr, dst) => {
        const ns = inner.read(addr, dst);
        log.push({ dir: 'read', t: h.now, addr, len: dst.length, ns });
        return ns;
      },
      write: (addr, src) => {
        const ns = inner.write(addr, src);
        log.push({ dir: 'write', t: h.now, addr, len: src.length, ns });
        return ns;
      },
      get aborts() {
        return inner.aborts ?? 0;
      },
    };
    h.core.dmaMem = wrapped;
    return log;
  }

  test.each([{ clock: 66, width: 64 }, { clock: 33, width: 32 }] as Seg[])('%j: 400 back-to-back 1514-byte frames', (seg) => {
    const { h, t, partner } = linkedTg3({ pci: seg });
    const log = recordDma(h);
    const N = 400;
    for (let i = 0; i < N; i++) partner.send(udpFrame(MAC, PARTNER_MAC, 1472, i));
    // At 1 Gb/s a 1514-byte frame takes 1538 byte times with FCS, preamble/SFD and inter-frame gap; the test
    // partner has no MAC and sends back to back without the gap (1526 byte times), a little over line rate.
    const lineNs = 1538 * 8;
    const wireNs = 1526 * 8;
    t.run(N * lineNs + 2 * MS);
    expect(t.received.length).toBe(N);
    expect(t.received.every((r) => r.data.length === 1514)).toBe(true);
    expect(h.traced('rx-reject')).toEqual([]);

    // Each frame (with its FCS, 1518 bytes) is one write burst into its receive buffer; tg3's buffers sit 2 bytes
    // past a 64-byte boundary (NET_IP_ALIGN), so it touches ceil((2 + 1518) / (width/8)) data phases.
    const frames = log.filter((d) => d.dir === 'write' && d.len === 1518);
    expect(frames.length).toBe(N);
    const cycles = burstCycles(0x102, 1518, seg.width);
    expect(cycles).toBe(seg.width === 64 ? 3 + 190 : 3 + 380);
    for (const d of frames) {
      expect(burstCycles(d.addr, d.len, seg.width)).toBe(cycles);
      expect(d.ns).toBe(busNs(d.t, cycles, seg.clock));
    }
    // The chip keeps up: frames go to the host as fast as they arrive.
    expect((frames[N - 1]!.t - frames[0]!.t) / (N - 1)).toBe(wireNs);
    const perFrame = frames.reduce((s, d) => s + d.ns, 0) / N;
    expect(perFrame).toBeGreaterThanOrEqual(cycles * PERIOD[seg.clock]);
    expect(perFrame).toBeLessThan((cycles + 1) * PERIOD[seg.clock]);
    // 66/64: 193 clocks = 2.895 µs a frame, under a quarter of its 12.3 µs on the wire; 33/32: 383 clocks = 11.49 µs.
    expect(cycles * PERIOD[seg.clock]).toBe(seg.clock === 66 ? 2_895 : 11_490);
    // Everything the chip moved while receiving (frames, return BDs, standard BD bursts, status blocks).
    const busy = log.reduce((s, d) => s + d.ns, 0) / N;
    if (seg.clock === 66) expect(busy).toBeLessThan(wireNs / 3);
    else expect(busy).toBeLessThan(wireNs);
  });
});
