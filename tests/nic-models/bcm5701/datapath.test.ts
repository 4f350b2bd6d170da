/**
 * The data path (design §1.10, §1.11, §6.2 item 4): ring wrap on the send (512) and return (1024) rings, checksum
 * insertion verified by recomputing the sums independently here, the receive checksum report, VLAN insertion and
 * stripping, runt padding, NO_CRC, address filtering (unicast slots, multicast hash, promiscuous), and the
 * statistics block.
 */
import { crc32 as zcrc } from 'node:zlib';
import { MAC, MS, US } from './fixture';
import { ethFrame, PARTNER_MAC, udpFrame } from './partner';
import { linkedTg3 } from './linked';

const linked = (): ReturnType<typeof linkedTg3> => linkedTg3();

/** RFC 1071 sum over 16-bit big-endian words, folded (independent of the model's helpers). */
function sum16(b: Uint8Array, from: number, to: number, init = 0): number {
  let s = init;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** An IPv4/TCP frame with payload; checksum field holds the pseudo-header sum as Linux CHECKSUM_PARTIAL leaves it. */
function tcpPartial(len: number): Uint8Array {
  const tcpLen = 20 + len;
  const p = new Uint8Array(20 + tcpLen);
  p[0] = 0x45;
  p[2] = (20 + tcpLen) >> 8;
  p[3] = (20 + tcpLen) & 0xff;
  p[6] = 0x40; // DF
  p[8] = 64;
  p[9] = 6;
  p.set([192, 168, 1, 10], 12);
  p.set([192, 168, 1, 20], 16);
  p[20] = 0x9c;
  p[21] = 0x40;
  p[22] = 0x00;
  p[23] = 0x50;
  p[32] = 0x50; // data offset 5
  p[33] = 0x18;
  for (let i = 0; i < len; i++) p[40 + i] = (i * 13 + 5) & 0xff;
  let ip = sum16(p, 0, 20);
  p[10] = ~ip >> 8 & 0xff;
  p[11] = ~ip & 0xff;
  ip = sum16(p, 12, 20, 6 + tcpLen);
  p[36] = ip >> 8;
  p[37] = ip & 0xff;
  return ethFrame(PARTNER_MAC, MAC, 0x0800, p);
}

describe('send and receive rings', () => {
  test('600 frames wrap the 512-entry send ring; echoes wrap the 1024-entry return ring twice', () => {
    const { h, t, partner } = linked();
    partner.echo = true;
    let sent = 0;
    while (sent < 2100) {
      while (sent < 2100 && (t.txProd - t.txCons + 512) % 512 < 400) {
        t.xmit(udpFrame(PARTNER_MAC, MAC, 64 + (sent % 200), sent));
        sent++;
      }
      t.run(200 * US);
    }
    t.run(5 * MS);
    expect(partner.got.length).toBe(2100);
    expect(t.received.length).toBe(2100);
    expect(partner.got.map((g) => g.frame.data[14 + 28 + 1])).toEqual(Array.from({ length: 2100 }, (_, i) => ((1 * 7 + i) & 0xff)));
    expect(t.rxPtr).toBe(2100 % 1024);
    expect(h.traced('bogus-index')).toEqual([]);
  });
});

describe('checksum offload', () => {
  test('transmit: TCP (pseudo-header preloaded) and IP checksums inserted; recomputed here', () => {
    const { t, partner } = linked();
    for (const len of [0, 1, 100, 1460]) {
      const f = tcpPartial(len);
      t.xmit(f, 0x1 | 0x2); // TCPUDP_CSUM | IP_CSUM
    }
    t.run(MS);
    expect(partner.got.length).toBe(4);
    for (const g of partner.got) {
      const d = g.frame.data;
      expect(sum16(d, 14, 34)).toBe(0xffff);
      const tcpLen = ((d[16]! << 8) | d[17]!) - 20;
      expect(sum16(d, 34, 34 + tcpLen, sum16(d, 26, 34) + 6 + tcpLen)).toBe(0xffff);
    }
  });

  test('receive: IP and TCP/UDP sums reported uncomplemented (0xffff good), a corrupted segment is not', () => {
    const { t, partner } = linked();
    const good = tcpPartial(300);
    // Make it a finished segment: complete the checksum here.
    const tcpLen = 320;
    good[50] = good[51] = 0;
    const c = ~sum16(good, 34, 34 + tcpLen, sum16(good, 26, 34) + 6 + tcpLen) & 0xffff;
    good[50] = c >> 8;
    good[51] = c & 0xff;
    const bad = good.slice();
    bad[60] = bad[60]! ^ 0xff;
    good.set(MAC, 0);
    bad.set(MAC, 0);
    partner.send(good);
    partner.send(bad);
    t.run(MS);
    const [g, b] = t.received;
    expect(g!.flags & 0x7000).toBe(0x7000); // IP_CSUM | TCPUDP_CSUM | IS_TCP
    expect(g!.csum).toBe(0xffffffff);
    expect(b!.csum & 0xffff).not.toBe(0xffff);
    expect(b!.csum >>> 16).toBe(0xffff);
  });
});

describe('frame edits and filters', () => {
  test('VLAN insertion on send, stripping on receive; runts padded to 60; NO_CRC sends the host FCS', () => {
    const { h, t, partner } = linked();
    t.xmit(udpFrame(PARTNER_MAC, MAC, 20), 0x40, 0x0123);
    t.xmit(ethFrame(PARTNER_MAC, MAC, 0x88b5, Uint8Array.of(1, 2, 3)));
    t.run(MS);
    const [v, r] = partner.got.map((g) => g.frame.data);
    expect([...v!.subarray(12, 16)]).toEqual([0x81, 0x00, 0x01, 0x23]);
    expect(r!.length).toBe(60);
    expect([...r!.subarray(17, 60)].every((x) => x === 0)).toBe(true);
    // NO_CRC: the last four bytes the host gave are the FCS (zlib's CRC-32, little-endian on the wire).
    const body = udpFrame(PARTNER_MAC, MAC, 40);
    const withFcs = new Uint8Array(body.length + 4);
    withFcs.set(body);
    new DataView(withFcs.buffer).setUint32(body.length, zcrc(body), true);
    const wrongFcs = withFcs.slice();
    wrongFcs[wrongFcs.length - 1] = wrongFcs[wrongFcs.length - 1]! ^ 1;
    t.xmit(withFcs, 0x8000);
    t.xmit(wrongFcs, 0x8000);
    t.run(MS);
    const [ok, badf] = partner.got.slice(2).map((g) => g.frame);
    expect(ok!.data).toEqual(body);
    expect(ok!.badFcs).toBeUndefined();
    expect(badf!.badFcs).toBe(true);
    const tagged = new Uint8Array(100);
    tagged.set(MAC, 0);
    tagged.set(PARTNER_MAC, 6);
    tagged.set([0x81, 0x00, 0x20, 0x07, 0x08, 0x00], 12);
    partner.send(tagged);
    t.run(MS);
    const got = t.received.at(-1)!;
    expect(got.flags & 0x40).toBe(0x40);
    expect(got.vlan).toBe(0x2007);
    expect(got.data.length).toBe(96);
    void h;
  });

  test('address filter: other unicast dropped, multicast by hash, broadcast, promiscuous; bad FCS delivered with ERROR', () => {
    const { h, t, partner } = linked();
    const to = (dst: number[]) => ethFrame(dst, PARTNER_MAC, 0x88b5, new Uint8Array(50));
    partner.send(to([0x00, 0x10, 0x18, 0x99, 0x99, 0x99]));
    partner.send(to([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]));
    partner.send(to([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    t.run(MS);
    expect(t.received.length).toBe(1); // broadcast only: hash registers are 0
    expect(h.traced('rx-reject', 'address').length).toBe(2);
    for (let i = 0; i < 4; i++) h.wr(0x470 + 4 * i, 0xffffffff);
    partner.send(to([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]));
    h.wr(0x468, h.r(0x468) | 0x100);
    partner.send(to([0x00, 0x10, 0x18, 0x99, 0x99, 0x99]));
    partner.send(to([...MAC]), 0, true);
    t.run(MS);
    expect(t.received.length).toBe(4);
    expect(t.received[3]!.err & 0x10000).toBe(0x10000);
    expect(t.received[3]!.flags & 0x400).toBe(0x400);
  });
});

describe('MAC internal loopback (tg3 ethtool -t)', () => {
  test('MAC_MODE.PORT_INT_LPBACK: a frame to our own address comes back after its wire time, none reaches the cable', () => {
    const { h, t, partner } = linked();
    h.wr(0x400, h.r(0x400) | 0x10);
    const f = udpFrame(MAC, MAC, 1000);
    t.xmit(f);
    const t0 = h.now;
    t.run(MS);
    expect(partner.got.length).toBe(0);
    expect(t.received.length).toBe(1);
    expect(t.received[0]!.data).toEqual(f);
    const accept = h.traced('rx-accept').at(-1)!.t;
    expect(accept - t0).toBeGreaterThanOrEqual((8 + f.length + 4 + 12) * 8);
  });
});

describe('statistics', () => {
  test('counters in SRAM (as bge reads them) and in the DMA-ed host block', () => {
    const { h, t, partner } = linked();
    partner.echo = true;
    for (let i = 0; i < 5; i++) t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    t.run(MS);
    const st = (sram: number): number => h.sramR(sram + 4, 'bge-win');
    expect(st(0x6d8)).toBe(5); // tx_ucast_packets
    expect(st(0x418)).toBe(5); // rx_ucast_packets
    expect(st(0x600)).toBe(5 * (142 + 4)); // tx_octets with FCS
    // tg3 enabled the 1 s statistics DMA when the link came up.
    h.delay(1100 * MS);
    const blk = h.memR(t.stats, 0x800);
    const dv = new DataView(blk.buffer);
    expect(dv.getUint32(0x6d8 - 0x300 + 4, true)).toBe(5);
    expect(dv.getUint32(0x9a0 - 0x300 + 4, true)).toBeGreaterThan(0); // ring_status_update
  });
});
