import { driverModules } from '../../stack/drivers';
import type { NativeDriverModule } from '../../stack/io-pkt/driver-api';
import { IFF_RUNNING } from '../../stack/net/if';
import { Errno } from '../../stack/kernel/api';
import { frame, makeRig, NIC_MAC, PEER_MAC, runUntil, type Rig } from './harness/rig';

const native = driverModules['devnp-ne2000.so'] as NativeDriverModule;

function attach(r: Rig, options: string): number {
  return r.iopkt.call(native.drvrInit(r.iopkt, options));
}

function up(r: Rig): void {
  const ifp = r.iopkt.ifaces[0]!;
  expect(r.iopkt.call(ifp.ops.init(ifp))).toBe(0);
}

describe('devnp-ne2000 on an ISA NE2000 at 0x300', () => {
  test('probe reads the PROM MAC and attaches en0', () => {
    const r = makeRig('isa');
    expect(attach(r, 'ioport=0x300,irq=5,verbose')).toBe(0);
    const ifp = r.iopkt.ifaces[0]!;
    expect(ifp.name).toBe('en0');
    expect(Array.from(ifp.lladdr)).toEqual(NIC_MAC);
    const cfg = ifp.ops.config(ifp);
    expect(Array.from(cfg.permanentMac)).toEqual(NIC_MAC);
    expect(cfg.ioPorts).toEqual([{ base: 0x300, length: 0x20 }]);
    expect(cfg.irq).toEqual([5]);
    expect(r.iopkt.logs.some((l) => l.includes('en0') && l.includes('00:00:e8:12:34:56'))).toBe(true);
    // The probe took virtual time: reset pulse waits plus port I/O.
    expect(r.sim.queue.now).toBeGreaterThanOrEqual(20_000_000);
  });

  test('irq comes from the system page when not given; nothing at another port gives ENODEV', () => {
    const r = makeRig('isa');
    expect(attach(r, 'ioport=0x300')).toBe(0);
    expect(r.iopkt.ifaces[0]!.ops.config(r.iopkt.ifaces[0]!).irq).toEqual([5]);
    const r2 = makeRig('isa');
    expect(attach(r2, 'ioport=0x280,irq=3')).toBe(Errno.ENODEV);
    expect(r2.iopkt.ifaces).toHaveLength(0);
    expect(attach(r2, 'ioport=0x240')).toBe(Errno.EINVAL);
  });

  test('mac= overrides the station address; lan= picks the unit', () => {
    const r = makeRig('isa');
    expect(attach(r, 'ioport=0x300,irq=5,mac=020406080a0c,lan=3')).toBe(0);
    const ifp = r.iopkt.ifaces[0]!;
    expect(ifp.name).toBe('en3');
    expect(Array.from(ifp.lladdr)).toEqual([2, 4, 6, 8, 10, 12]);
    up(r);
    const f = frame(PEER_MAC, [2, 4, 6, 8, 10, 12], 100);
    r.iopkt.send(ifp, [{ data: f, pktId: 5 }]);
    runUntil(r.sim, () => r.peer.received.length === 1);
    r.peer.send({ data: frame([2, 4, 6, 8, 10, 12], PEER_MAC, 80), pktId: 6 });
    expect(runUntil(r.sim, () => r.iopkt.input.length === 1)).toBe(true);
  });

  test('transmit: the frame reaches the wire, runts are padded, stats count it', () => {
    const r = makeRig('isa');
    attach(r, 'ioport=0x300,irq=5');
    up(r);
    const ifp = r.iopkt.ifaces[0]!;
    expect(ifp.flags & IFF_RUNNING).toBe(IFF_RUNNING);
    const big = frame(PEER_MAC, NIC_MAC, 1514, 1);
    const odd = frame(PEER_MAC, NIC_MAC, 333, 2);
    const runt = frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], NIC_MAC, 42, 3);
    r.iopkt.send(ifp, [{ data: big, pktId: 11 }, { data: odd, pktId: 12 }, { data: runt, pktId: 13 }]);
    expect(runUntil(r.sim, () => r.peer.received.length === 3)).toBe(true);
    const [a, b, c] = r.peer.received;
    expect(Buffer.from(a!.data).equals(Buffer.from(big))).toBe(true);
    expect(Buffer.from(b!.data).equals(Buffer.from(odd))).toBe(true);
    expect(c!.data.length).toBe(60);
    expect(Buffer.from(c!.data.subarray(0, 42)).equals(Buffer.from(runt))).toBe(true);
    expect(Array.from(c!.data.subarray(42))).toEqual(new Array(18).fill(0));
    // The packet id survives the trip through NIC memory.
    expect(a!.pktId).toBe(11);
    runUntil(r.sim, () => ifp.data.opackets === 3);
    const s = ifp.ops.stats(ifp);
    expect(s.txOk).toBe(3);
    expect(s.txBroadcast).toBe(1);
    expect(s.txBytes).toBe(1514 + 333 + 60);
    expect(ifp.snd).toHaveLength(0);
    const tx = r.k.traces.filter((t) => t.layer === 'driver' && t.probe === 'tx');
    expect(tx.map((t) => t.f?.['slot'])).toEqual([0, 1, 0]);
    expect(tx.map((t) => t.pkt)).toEqual([11, 12, 13]);
  });

  test('receive: frames come up through ifInput with their packet ids; the ring wraps', () => {
    const r = makeRig('isa');
    attach(r, 'ioport=0x300,irq=5');
    up(r);
    const ifp = r.iopkt.ifaces[0]!;
    // 52 ring pages (0x4C–0x7F); 1514-byte frames take 6 pages each, so frame 9 wraps PSTOP → PSTART.
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      const f = frame(NIC_MAC, PEER_MAC, i % 3 === 0 ? 1514 : 64 + i * 37, i);
      sent.push(f);
      r.peer.send({ data: f, pktId: 100 + i });
    }
    expect(runUntil(r.sim, () => r.iopkt.input.length === 20)).toBe(true);
    r.iopkt.input.forEach((x, i) => {
      expect(Buffer.from(x.m.data).equals(Buffer.from(sent[i]!))).toBe(true);
      expect(x.m.pktId).toBe(100 + i);
      expect(x.m.rcvif).toBe(ifp);
    });
    const rx = r.k.traces.filter((t) => t.probe === 'rx');
    const pages = rx.map((t) => Number(t.f?.['page']));
    expect(pages.some((p, i) => i > 0 && p < pages[i - 1]!)).toBe(true); // wrapped
    // At least one frame straddles PSTOP and was read in two remote reads.
    expect(rx.some((t) => Number(t.f?.['page']) * 256 + 4 + Number(t.f?.['len']) + 4 > 0x8000)).toBe(true);
    expect(ifp.data.ipackets).toBe(20);
    expect(ifp.data.ierrors).toBe(0);
    expect(ifp.ops.stats(ifp).rxOk).toBe(20);
    // Frames addressed elsewhere are filtered by the chip.
    r.peer.send({ data: frame([0x02, 1, 2, 3, 4, 5], PEER_MAC, 80), pktId: 999 });
    runUntil(r.sim, () => false, 5_000_000);
    expect(r.iopkt.input).toHaveLength(20);
  });

  test('promiscuous option receives foreign unicast; ifconfig destroy detaches', () => {
    const r = makeRig('isa');
    attach(r, 'ioport=0x300,irq=5,promiscuous');
    up(r);
    const ifp = r.iopkt.ifaces[0]!;
    r.peer.send({ data: frame([0x02, 1, 2, 3, 4, 5], PEER_MAC, 80), pktId: 1 });
    expect(runUntil(r.sim, () => r.iopkt.input.length === 1)).toBe(true);
    expect(r.iopkt.call(ifp.ops.detach!(ifp))).toBe(0);
    expect(r.iopkt.ifaces).toHaveLength(0);
    expect(r.iopkt.entries[0]!.removed).toBe(true);
    r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 80), pktId: 2 });
    runUntil(r.sim, () => false, 10_000_000);
    expect(r.iopkt.input).toHaveLength(1);
    expect(r.nic.core.regs.stopped).toBe(true);
  });

  test('an NE1000 (8-bit, 8 KiB at 0x2000) is told apart and driven in byte mode with one transmit buffer', () => {
    const r = makeRig('isa', { variant: 'ne1000' });
    // mac= given: the model stores the PROM doubled on the NE1000 too (see the report), so the PROM read is
    // not asserted here.
    attach(r, 'ioport=0x300,irq=5,mac=0000e8123456');
    up(r);
    const ifp = r.iopkt.ifaces[0]!;
    expect(ifp.ops.config(ifp).description).toMatch(/NE-1000/);
    r.iopkt.send(ifp, [1, 2, 3].map((i) => ({ data: frame(PEER_MAC, NIC_MAC, 200 * i + 1, i), pktId: i })));
    expect(runUntil(r.sim, () => r.peer.received.length === 3)).toBe(true);
    expect(r.k.traces.filter((t) => t.probe === 'tx').map((t) => t.f?.['slot'])).toEqual([0, 0, 0]);
    // Eight back-to-back 1514-byte frames. On the wire one takes (8 + 1514 + 4) × 0.8 µs + 9.6 µs IFG =
    // 1230.4 µs; the NE1000 copies it out byte by byte, 1514 8-bit ISA reads of 1650 ns each (isa-bus.ts:
    // 9 PCI clocks + (1 sync + 6 cycle + 4.5 recovery) BCLKs) ≈ 2498 µs. The 26-page ring holds four such
    // frames (6 pages each), so it fills before the burst ends: one frame is missed (overrun, CNTR2) and the
    // rest come up in order.
    for (let i = 0; i < 8; i++) r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 1514, i), pktId: 10 + i });
    expect(runUntil(r.sim, () => r.iopkt.input.length === 7)).toBe(true);
    runUntil(r.sim, () => false, 20_000_000);
    expect(r.iopkt.input.map((x) => x.m.pktId)).toEqual([10, 11, 12, 13, 14, 15, 17]);
    expect(ifp.ops.stats(ifp)).toMatchObject({ rxOk: 7, rxOverruns: 1, rxMissed: 1 });
    // Paced at 2.6 ms, above the 2.5 ms copy, the NE1000 keeps up with every frame.
    for (let i = 0; i < 4; i++) {
      r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 1514, i), pktId: 20 + i });
      runUntil(r.sim, () => false, 2_600_000);
    }
    expect(runUntil(r.sim, () => r.iopkt.input.length === 11)).toBe(true);
    expect(r.iopkt.input.slice(7).map((x) => x.m.pktId)).toEqual([20, 21, 22, 23]);
    expect(ifp.ops.stats(ifp)).toMatchObject({ rxOverruns: 1, rxMissed: 1 });
  });
});
