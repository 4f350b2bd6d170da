import { driverModules } from '../../../stack/drivers';
import type { NativeDriverModule } from '../../../stack/io-pkt/driver-api';
import { Errno } from '../../../stack/kernel/api';
import { IFF_UP, type Ifnet } from '../../../stack/net/if';
import { frame, MAC_A, MAC_B, makePair, makeStation, runUntil } from './harness';
import { Simulation } from '../../../emulator/machine/sim/simulation';
import { componentContext } from '../../../emulator/machine/sim/context';
import { Cable } from '../../../emulator/machine/net/cable';

const bge = driverModules['devnp-bge.so'] as NativeDriverModule;

function up(st: { iopkt: { call<T>(g: Generator<unknown, T, unknown>): T } }, ifp: Ifnet): number {
  ifp.flags |= IFF_UP;
  return st.iopkt.call(ifp.ops.init(ifp) as Generator<unknown, number, unknown>);
}

describe('devnp-bge attach', () => {
  test('finds the BCM5701, reads the station address, attaches bge0 with the brgphy at MII address 1', () => {
    const sim = new Simulation(1);
    const st = makeStation(sim, 'alpha', MAC_A);
    expect(st.iopkt.call(bge.drvrInit(st.iopkt, ''))).toBe(0);
    const ifp = st.iopkt.ifaces[0]!;
    expect(ifp.name).toBe('bge0');
    expect(Array.from(ifp.lladdr)).toEqual(MAC_A);
    expect(st.iopkt.logs).toContain('bge0: Broadcom BCM5701 Gigabit Ethernet, ASIC BCM5701 B5 (0x105), Ethernet address 00:10:18:01:57:01');
    expect(st.iopkt.logs).toContain('brgphy0 at bge0 phy 1: BCM5701 1000BASE-T media interface, rev. 2');
    const cfg = ifp.ops.config(ifp);
    expect(cfg).toMatchObject({ description: 'Broadcom BCM5701 Gigabit Ethernet', connector: 'MII', phyAddress: 1, irq: [st.irq], mtu: 1514 });
    expect(cfg.memWindows).toEqual([{ base: st.bar0, length: 0x10000 }]);
    expect(Array.from(cfg.permanentMac)).toEqual(MAC_A);
    // Checksum offload offered and enabled (IPv4, TCPv4, UDPv4 both ways).
    expect(ifp.capenable).toBe(0x3f00);
  });

  test('no BCM5701 on the bus: ENODEV; a wrong pci= index too', () => {
    const sim = new Simulation(1);
    const st = makeStation(sim, 'alpha', MAC_A);
    expect(st.iopkt.call(bge.drvrInit(st.iopkt, 'pci=1'))).toBe(Errno.ENODEV);
    expect(st.iopkt.call(bge.drvrInit(st.iopkt, 'did=0x1647'))).toBe(Errno.ENODEV);
    expect(st.iopkt.ifaces).toHaveLength(0);
    expect(st.iopkt.logs.some((l) => l.includes('no PCI device 14e4:1647'))).toBe(true);
  });
});

describe('devnp-bge on a cable', () => {
  test('both ends negotiate 1000 Mb/s full duplex, then frames flow both ways', () => {
    const { sim, a, b } = makePair(1);
    a.iopkt.call(bge.drvrInit(a.iopkt, ''));
    b.iopkt.call(bge.drvrInit(b.iopkt, ''));
    const ia = a.iopkt.ifaces[0]!;
    const ib = b.iopkt.ifaces[0]!;
    const an: { probe: string; f?: Record<string, unknown> }[] = [];
    sim.tracer.addSink((rec) => {
      if (rec.layer === 'autoneg') an.push(rec);
    });
    expect(up(a, ia)).toBe(0);
    expect(up(b, ib)).toBe(0);
    expect(runUntil(sim, () => ia.media.linkUp && ib.media.linkUp)).toBe(true);
    runUntil(sim, () => false, 1_000_000); // bge_miibus_statchg finishes after the link announcement
    // Both ends advertise 1000BASE-T with automatic master/slave (CTRL1000 0x0300, tg3's rule for a 5701 B5):
    // no master/slave configuration fault, one end resolves master (NetBSD brgphy's 0x1b00 on both would fault).
    expect(an.filter((r) => r.probe === 'fault')).toEqual([]);
    expect(an.filter((r) => r.probe === 'negotiated').map((r) => r.f?.['mode'])).toContain('1000F');
    expect(a.k.traces.concat(b.k.traces).filter((t) => t.probe === 'media').map((t) => t.f?.['media']).sort())
      .toEqual(['1000baseT full-duplex', '1000baseT full-duplex, master']);
    expect(ia.media).toEqual({ subtype: '1000baseT', fullDuplex: true, linkUp: true });
    expect(ib.media).toEqual({ subtype: '1000baseT', fullDuplex: true, linkUp: true });
    expect(a.iopkt.links.at(-1)).toEqual({ name: 'bge0', up: true });
    expect(ia.ops.config(ia)).toMatchObject({ mediaRateKbps: 1_000_000, fullDuplex: true });

    a.iopkt.send(ia, [{ data: frame(MAC_B, MAC_A, 1000, 1), pktId: 11 }, { data: frame(MAC_B, MAC_A, 60, 2), pktId: 12 }]);
    expect(runUntil(sim, () => b.iopkt.input.length === 2, 10_000_000)).toBe(true);
    expect(Array.from(b.iopkt.input[0]!.m.data)).toEqual(Array.from(frame(MAC_B, MAC_A, 1000, 1)));
    expect(Array.from(b.iopkt.input[1]!.m.data)).toEqual(Array.from(frame(MAC_B, MAC_A, 60, 2)));
    b.iopkt.send(ib, [{ data: frame(MAC_A, MAC_B, 1514, 3), pktId: 13 }]);
    expect(runUntil(sim, () => a.iopkt.input.length === 1, 10_000_000)).toBe(true);
    expect(Array.from(a.iopkt.input[0]!.m.data)).toEqual(Array.from(frame(MAC_A, MAC_B, 1514, 3)));
    // Send completions reach the driver (bge_txeof) within the 300 µs send-coalescing tick.
    expect(runUntil(sim, () => ia.data.opackets === 2, 1_000_000)).toBe(true);
    expect(ib.data.ipackets).toBe(2);

    // nicinfo's counters come from the chip's statistics block.
    a.iopkt.call(ia.ops.refreshStats!(ia));
    const s = ia.ops.stats(ia);
    expect(s).toMatchObject({ txOk: 2, txBytes: 1000 + 60, rxOk: 1, rxBytes: 1514 });
  });
});

describe('devnp-bge without a link partner', () => {
  test('bge_tick runs mii_tick: autonegotiation restarts every 6 s (mii_anegticks 5) while there is no link', () => {
    const sim = new Simulation(1);
    const st = makeStation(sim, 'alpha', MAC_A);
    const cable = new Cable(componentContext(sim, '', 'cable0'));
    st.nic.connect(cable);
    st.iopkt.call(bge.drvrInit(st.iopkt, ''));
    const ifp = st.iopkt.ifaces[0]!;
    const restarts: number[] = [];
    sim.tracer.addSink((rec) => {
      if (rec.layer === 'autoneg' && rec.probe === 'restart') restarts.push(rec.t);
    });
    const t0 = sim.queue.now;
    expect(up(st, ifp)).toBe(0);
    runUntil(sim, () => false, 20_000_000_000);
    expect(ifp.media.linkUp).toBe(false);
    // bge_ifmedia_upd's restart at ifconfig time, then mii_phy_tick's: the first tick without link announces it
    // (mii_ticks 0 → 1), ticks 2–5 wait, the 6th restarts (mii_ticks > mii_anegticks): at 6, 12 and 18 s.
    const rel = restarts.map((t) => Math.round((t - t0) / 1e9));
    // (Each restart is a PHY reset followed by the ANAR/CTRL1000/BMCR writes: several segment records at once.)
    expect([...new Set(rel)]).toEqual([0, 6, 12, 18]);
  });
});

describe('devnp-bge timing on a gigabit cable', () => {
  test('one 1000-byte frame: mailbox write to the receiver\'s if_input is dominated by bge\'s 150 µs receive coalescing', () => {
    const { sim, a, b } = makePair(1);
    a.iopkt.call(bge.drvrInit(a.iopkt, ''));
    b.iopkt.call(bge.drvrInit(b.iopkt, ''));
    const ia = a.iopkt.ifaces[0]!;
    const ib = b.iopkt.ifaces[0]!;
    up(a, ia);
    up(b, ib);
    expect(runUntil(sim, () => ia.media.linkUp && ib.media.linkUp)).toBe(true);
    runUntil(sim, () => false, 10_000_000); // let the link-up status updates and interrupts settle
    const t0 = sim.queue.now;
    a.iopkt.send(ia, [{ data: frame(MAC_B, MAC_A, 1000, 1), pktId: 5 }]);
    expect(runUntil(sim, () => b.iopkt.input.length === 1, 10_000_000)).toBe(true);
    const latency = b.iopkt.input[0]!.t - t0;
    // The parts that cannot overlap, from the timing model (PCI 33⅓ MHz = 30 ns per cycle, 32-bit):
    const PCI_NS = 30;
    const gather = (2 + 1 + Math.ceil(1000 / 4)) * PCI_NS; // send: frame read by bus-master DMA: 7.59 µs
    const wire = (8 + 1000 + 4) * 8; // preamble/SFD + frame + FCS at 1 Gb/s: 8.096 µs
    const place = (2 + 1 + Math.ceil((2 + 1004) / 4)) * PCI_NS; // receive: frame + FCS written at a 2-mod-4 address: 7.65 µs
    const coalesce = 150_000; // bge's HCC_RX_COAL_TICKS (150 ticks of 1 µs): the status update waits for it
    const floor = gather + wire + place + coalesce; // 173.34 µs
    expect(latency).toBeGreaterThanOrEqual(floor);
    // The rest — send and std BD fetches, the return BD and status block writes, MMIO, the ISR — is small.
    expect(latency).toBeLessThan(floor + 10_000);
  });
});
