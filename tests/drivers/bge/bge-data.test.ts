/**
 * devnp-bge's data path on two BCM5701 models cabled back to back: ring wrap in both rings, the multicast
 * hash and promiscuous mode, checksum offload both ways, detach.
 */
import { driverModules } from '../../../stack/drivers';
import type { NativeDriverModule } from '../../../stack/io-pkt/driver-api';
import { IFF_PROMISC, IFF_UP, type Ifnet } from '../../../stack/net/if';
import { M_CSUM_DATA, M_CSUM_IPv4, M_CSUM_TCPv4, M_CSUM_UDPv4 } from '../../../stack/net/mbuf';
import { pseudoHeaderSeed } from '../../../stack/net/csum-offload';
import { Ipv4Packet, IpProto } from '../../../stack/net/wire/ipv4';
import { UdpPacket } from '../../../stack/net/wire/udp';
import { etherCrc32Le } from '../../../stack/drivers/bge/init';
import { frame, MAC_A, MAC_B, makePair, runUntil, type Station } from './harness';

const bge = driverModules['devnp-bge.so'] as NativeDriverModule;

/** Attach on both stations and bring both up; run until the link is up at both ends. */
function linkedPair(seed = 1, options = '') {
  const p = makePair(seed);
  const ifs: Ifnet[] = [];
  for (const st of [p.a, p.b]) {
    expect(st.iopkt.call(bge.drvrInit(st.iopkt, options))).toBe(0);
    const ifp = st.iopkt.ifaces[0]!;
    ifp.flags |= IFF_UP;
    expect(st.iopkt.call(ifp.ops.init(ifp))).toBe(0);
    ifs.push(ifp);
  }
  const [ia, ib] = ifs as [Ifnet, Ifnet];
  expect(runUntil(p.sim, () => ia.media.linkUp && ib.media.linkUp)).toBe(true);
  return { ...p, ia, ib };
}

/** An IPv4/UDP frame from A to B with `payload` bytes; checksums left for the hardware when `offload`. */
function udpFrame(payload: number, offload: boolean): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload);
  f.set(MAC_B, 0);
  f.set(MAC_A, 6);
  f[12] = 0x08;
  f[13] = 0x00;
  const ip = new Ipv4Packet(f.subarray(14));
  f[14] = 0x45;
  ip.totalLen = 20 + 8 + payload;
  ip.ttl = 64;
  ip.protocol = IpProto.UDP;
  ip.src = 0x0a000101;
  ip.dst = 0x0a000102;
  const u = new UdpPacket(f.subarray(34));
  u.srcPort = 1234;
  u.dstPort = 9000;
  u.length = 8 + payload;
  for (let i = 0; i < payload; i++) f[42 + i] = (i * 31) & 0xff;
  if (offload) {
    ip.checksum = 0;
    u.checksum = pseudoHeaderSeed(ip.src, ip.dst, IpProto.UDP, u.length);
  } else {
    ip.fillChecksum();
    u.fillChecksum(ip.src, ip.dst);
  }
  return f;
}

function count(st: Station): number {
  return st.iopkt.input.length;
}

describe('devnp-bge data path', () => {
  test('1100 frames A→B wrap the 512-entry send ring and the 1024-entry return ring, in order, none lost', () => {
    const { sim, a, b, ia, ib } = linkedPair();
    const n = 1100;
    for (let i = 0; i < n; i++) ia.snd.push({ data: frame(MAC_B, MAC_A, 200, i), pktId: 1000 + i });
    a.iopkt.call(ia.ops.start(ia));
    expect(runUntil(sim, () => count(b) === n, 200_000_000)).toBe(true);
    expect(b.iopkt.input.map((x) => x.m.data[14]! | 0)).toEqual(Array.from({ length: n }, (_, i) => frame(MAC_B, MAC_A, 200, i)[14]!));
    expect(b.iopkt.input.every((x, i) => x.m.data.length === 200 && x.m.data[20] === frame(MAC_B, MAC_A, 200, i)[20])).toBe(true);
    expect(runUntil(sim, () => ia.data.opackets === n, 10_000_000)).toBe(true);
    expect(ib.data.ipackets).toBe(n);
    expect(ib.data.ierrors).toBe(0);
    expect(ia.snd).toHaveLength(0);
    b.iopkt.call(ib.ops.refreshStats!(ib));
    expect(ib.ops.stats(ib)).toMatchObject({ rxOk: n, rxBytes: 200 * n, rxMissed: 0, rxCrcErrors: 0 });
  });

  test('multicast: joined groups pass the hash filter, others do not; promiscuous passes everything', () => {
    const { sim, a, b, ia, ib } = linkedPair();
    const group = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01];
    const other = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x02];
    const h = (m: number[]) => etherCrc32Le(Uint8Array.from(m)) & 0x7f;
    expect(h(group)).not.toBe(h(other));
    ib.multicast.push(Uint8Array.from(group));
    b.iopkt.call(ib.ops.setFilter!(ib));
    a.iopkt.send(ia, [
      { data: frame(group, MAC_A, 80, 1), pktId: 1 },
      { data: frame(other, MAC_A, 80, 2), pktId: 2 },
      { data: frame([0x02, 0, 0, 0, 0, 0x77], MAC_A, 80, 3), pktId: 3 },
    ]);
    runUntil(sim, () => false, 5_000_000);
    expect(b.iopkt.input.map((x) => x.m.data[20])).toEqual([frame(group, MAC_A, 80, 1)[20]]);
    ib.flags |= IFF_PROMISC;
    b.iopkt.call(ib.ops.setFilter!(ib));
    a.iopkt.send(ia, [{ data: frame(other, MAC_A, 80, 4), pktId: 4 }, { data: frame([0x02, 0, 0, 0, 0, 0x77], MAC_A, 80, 5), pktId: 5 }]);
    expect(runUntil(sim, () => count(b) === 3, 5_000_000)).toBe(true);
    b.iopkt.call(ib.ops.refreshStats!(ib));
    expect(ib.ops.stats(ib).rxMulticast).toBe(2);
  });

  test('checksum offload: the chip fills the IP and UDP checksums A hands it, and B reports them verified', () => {
    const { sim, a, b, ia } = linkedPair();
    for (const [i, len] of [18, 100, 1472].entries()) {
      a.iopkt.send(ia, [{ data: udpFrame(len, true), pktId: 10 + i, csumFlags: M_CSUM_IPv4 | M_CSUM_UDPv4 }]);
    }
    expect(runUntil(sim, () => count(b) === 3, 5_000_000)).toBe(true);
    for (const { m } of b.iopkt.input) {
      const ip = new Ipv4Packet(m.data.subarray(14));
      const u = new UdpPacket(m.data.subarray(34, 14 + ip.totalLen));
      expect(ip.verifyChecksum()).toBe(true);
      expect(u.checksum).not.toBe(0);
      expect(u.verifyChecksum(ip.src, ip.dst)).toBe(true);
      // The IP header check is reported; the transport sum only for frames of 60 bytes or more (bge_rxcsum).
      expect(m.csumFlags! & M_CSUM_IPv4).toBe(M_CSUM_IPv4);
      if (m.data.length >= 60) {
        expect(m.csumFlags).toBe(M_CSUM_IPv4 | M_CSUM_TCPv4 | M_CSUM_UDPv4 | M_CSUM_DATA);
        expect(m.csumData).toBe(0xffff);
      }
    }
    // The runt (18-byte payload: 60 bytes with bge_cksum_pad's zeros) left the wire padded.
    expect(b.iopkt.input[0]!.m.data.length).toBe(60);
    // A frame whose UDP checksum is wrong is reported with a sum that is not 0xffff.
    const bad = udpFrame(100, false);
    bad[41]! ^= 0x5a;
    a.iopkt.send(ia, [{ data: bad, pktId: 20 }]);
    expect(runUntil(sim, () => count(b) === 4, 5_000_000)).toBe(true);
    expect(b.iopkt.input[3]!.m.csumData).not.toBe(0xffff);
  });

  test('speed=100,duplex=1 on both ends: brgphy forces 100BASE-TX full duplex, MAC in MII port mode', () => {
    const { sim, a, b, ia, ib } = linkedPair(1, 'speed=100,duplex=1');
    expect(ia.media).toEqual({ subtype: '100baseTX', fullDuplex: true, linkUp: true });
    expect(ib.ops.config(ib)).toMatchObject({ mediaRateKbps: 100_000, fullDuplex: true });
    const nic: { t: number; node: string; probe: string }[] = [];
    sim.tracer.addSink((rec) => {
      if (rec.layer === 'nic' && (rec.probe === 'tx-start' || rec.probe === 'rx-accept')) nic.push(rec);
    });
    a.iopkt.send(ia, [{ data: frame(MAC_B, MAC_A, 1514, 9), pktId: 9 }]);
    expect(runUntil(sim, () => count(b) === 1, 5_000_000)).toBe(true);
    expect(Array.from(b.iopkt.input[0]!.m.data)).toEqual(Array.from(frame(MAC_B, MAC_A, 1514, 9)));
    // On the wire at 100 Mb/s: preamble/SFD 8 + 1514 + FCS 4 = 1526 bytes = 12208 bit times = 122.08 µs
    // (at 1000 Mb/s it would be 12.208 µs), plus the cable's propagation (well under 1 µs).
    const start = nic.find((r) => r.node === 'alpha' && r.probe === 'tx-start')!;
    const end = nic.find((r) => r.node === 'beta' && r.probe === 'rx-accept')!;
    expect(end.t - start.t).toBeGreaterThanOrEqual(122_080);
    expect(end.t - start.t).toBeLessThan(122_080 + 1000);
  });

  test('down and up again: bge_stop and bge_init reset the chip; nicinfo\'s counters carry over the reset', () => {
    const { sim, a, b, ia, ib } = linkedPair();
    a.iopkt.send(ia, Array.from({ length: 10 }, (_, i) => ({ data: frame(MAC_B, MAC_A, 300, i), pktId: i + 1 })));
    expect(runUntil(sim, () => count(b) === 10, 5_000_000)).toBe(true);
    ia.flags &= ~IFF_UP;
    a.iopkt.call(ia.ops.stop(ia, false));
    expect(ia.flags & 0x40).toBe(0); // IFF_RUNNING
    ia.flags |= IFF_UP;
    expect(a.iopkt.call(ia.ops.init(ia))).toBe(0);
    // bge_ifmedia_upd reset the PHY: the link goes down and is renegotiated.
    expect(runUntil(sim, () => !ib.media.linkUp, 100_000_000)).toBe(true);
    expect(runUntil(sim, () => ia.media.linkUp && ib.media.linkUp)).toBe(true);
    a.iopkt.send(ia, Array.from({ length: 5 }, (_, i) => ({ data: frame(MAC_B, MAC_A, 300, 20 + i), pktId: 20 + i })));
    expect(runUntil(sim, () => count(b) === 15, 5_000_000)).toBe(true);
    a.iopkt.call(ia.ops.refreshStats!(ia));
    expect(ia.ops.stats(ia)).toMatchObject({ txOk: 15, txBytes: 15 * 300 });
  });

  test('detach: the interface and its interrupt go, the PHY powers down and the partner loses the link', () => {
    const { sim, a, b, ia, ib } = linkedPair();
    expect(a.iopkt.call(ia.ops.detach!(ia))).toBe(0);
    expect(a.iopkt.ifaces).toHaveLength(0);
    expect(a.iopkt.entries[0]!.removed).toBe(true);
    expect(runUntil(sim, () => !ib.media.linkUp, 2_000_000_000)).toBe(true);
    expect(b.iopkt.links.at(-1)).toEqual({ name: 'bge0', up: false });
    // The chip no longer interrupts the detached driver.
    const runs = a.iopkt.entries[0]!.runs;
    b.iopkt.send(ib, [{ data: frame(MAC_A, MAC_B, 100), pktId: 1 }]);
    runUntil(sim, () => false, 10_000_000);
    expect(a.iopkt.entries[0]!.runs).toBe(runs);
    expect(count(a)).toBe(0);
  });
});
