/** IPv4 fragmentation (ip_fragment) and reassembly (ip_reass) on a NetStack with a fake environment. */
import { AF_INET, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { Errno } from '../../stack/kernel/api';
import { Ip } from '../../stack/net/ip';
import { ipFragment, ipOptCopy } from '../../stack/net/ip-frag';
import { IPFRAGTTL_NS } from '../../stack/net/ip-reass';
import type { Socket, SockRecord } from '../../stack/net/socket';
import type { NetStack } from '../../stack/net/stack';
import { IcmpPacket, IcmpType, Ipv4Packet, IpProto, IP_MF, IP_OFFMASK } from '../../stack/net/wire';
import { ethernetize, pattern, primeArp, shuffle, udpFrame } from './frag-util';
import { ip, makeStack, rx, take, toHex } from './harness';

function udpSock(s: NetStack, port: number): Socket {
  const so = s.sockets.create(AF_INET, SOCK_DGRAM, 0);
  if (typeof so === 'number') throw new Error(`errno ${so}`);
  expect(s.sockets.bind(so, 0, port)).toBe(0);
  return so;
}

function ipOf(frame: Uint8Array): Ipv4Packet {
  return new Ipv4Packet(frame.subarray(14));
}

/** Expected fragment data lengths for `payload` bytes over `mtu` (20-byte header, 8-byte units). */
function expectedLens(payload: number, mtu: number): number[] {
  const per = (mtu - 20) & ~7;
  const out: number[] = [];
  for (let off = 0; off < payload; off += per) out.push(Math.min(per, payload - off));
  return out;
}

describe('ip_fragment', () => {
  // IP payload sizes around multiples of the per-fragment data (1480 at MTU 1500, 552 at MTU 576) and of 8.
  const cases: [number, number][] = [];
  for (const mtu of [1500, 576]) {
    const per = (mtu - 20) & ~7;
    for (const p of [per - 1, per, per + 1, 2 * per - 8, 2 * per - 7, 2 * per, 2 * per + 1, 2 * per + 8, 3 * per + 7]) cases.push([mtu, p]);
  }
  test.each(cases)('mtu %i, %i payload bytes: 8-byte aligned fragments, shared ident, MF/offset, checksums', (mtu, payload) => {
    const frame = udpFrame(payload - 8, { ident: 0x1357 });
    const orig = ipOf(frame);
    if (orig.totalLen <= mtu) {
      expect(payload + 20).toBeLessThanOrEqual(mtu);
      return;
    }
    const frags = ipFragment(frame, mtu);
    if (typeof frags === 'number') throw new Error(`errno ${frags}`);
    const lens = expectedLens(payload, mtu);
    expect(frags.map((f) => ipOf(f).totalLen - 20)).toEqual(lens);
    let off = 0;
    const joined = new Uint8Array(payload);
    frags.forEach((f, i) => {
      const p = ipOf(f);
      expect(p.totalLen).toBeLessThanOrEqual(mtu);
      expect(f.length).toBe(14 + p.totalLen);
      expect(p.ident).toBe(0x1357);
      expect(p.fragOffset).toBe(off);
      expect(p.moreFrags).toBe(i < frags.length - 1);
      if (i < frags.length - 1) expect((p.totalLen - 20) % 8).toBe(0);
      expect(p.verifyChecksum()).toBe(true);
      expect([p.src, p.dst, p.protocol, p.ttl]).toEqual([orig.src, orig.dst, orig.protocol, orig.ttl]);
      joined.set(p.payload, off);
      off += p.totalLen - 20;
    });
    expect(toHex(joined)).toBe(toHex(orig.payload));
  });

  test('DF or an MTU leaving under 8 data bytes: EMSGSIZE', () => {
    expect(ipFragment(udpFrame(2000, { df: true }), 1500)).toBe(Errno.EMSGSIZE);
    expect(ipFragment(udpFrame(100), 27)).toBe(Errno.EMSGSIZE);
    expect(ipFragment(udpFrame(100), 28)).toHaveLength(14); // 108 bytes: 13 fragments of 8 and one of 4
  });

  test('a fragment fragmented again keeps its offset and its MF on the last piece', () => {
    const frags = ipFragment(udpFrame(3000), 1500) as Uint8Array[];
    const middle = frags[1]!; // offset 1480, MF
    const again = ipFragment(middle, 576) as Uint8Array[];
    expect(again.map((f) => ipOf(f).fragOffset)).toEqual([1480, 1480 + 552, 1480 + 1104]);
    expect(again.map((f) => ipOf(f).moreFrags)).toEqual([true, true, true]);
  });

  test('ip_optcopy: only options with the copied flag go into later fragments', () => {
    // Record Route (7, not copied) and a Security-like copied option (0x82), with a NOP between (kept, as NetBSD's
    // ip_optcopy keeps NOPs for alignment), EOL padding to 8.
    const opts = new Uint8Array([7, 7, 4, 0, 0, 0, 0, 1, 0x82, 4, 0xaa, 0xbb]);
    expect(Array.from(ipOptCopy(opts))).toEqual([1, 0x82, 4, 0xaa, 0xbb, 0, 0, 0]);
    expect(Array.from(ipOptCopy(new Uint8Array([0x94, 4, 0, 0, 7, 3, 4])))).toEqual([0x94, 4, 0, 0]);
  });

  test('ip_output fragments a UDP datagram larger than the MTU and counts it', () => {
    const { s, en0 } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    primeArp(s, en0);
    take(en0);
    const so = udpSock(s, 6000);
    const data = pattern(4000);
    expect(s.udp.output(so, data, { addr: ip('10.77.0.1'), port: 7000 }, 5)).toBe(4000);
    const out = take(en0);
    expect(out.map((m) => ipOf(m.data).totalLen)).toEqual([1500, 1500, 20 + 4008 - 2960]);
    expect(s.stats.ip.fragmented).toBe(1);
    expect(s.stats.ip.ofragments).toBe(3);
    expect(out.every((m) => m.pktId === 5)).toBe(true);
    // The UDP checksum was completed before cutting (in_delayed_cksum), so the receiver can verify it.
    const b = makeStack('00:50:c2:00:00:01', '10.77.0.1');
    const rso = udpSock(b.s, 7000);
    for (const m of out) rx(b.s, b.en0, m.data);
    expect(b.s.stats.ip.reassembled).toBe(1);
    expect(rso.rcv.records).toHaveLength(1);
    expect(toHex((rso.rcv.records[0] as SockRecord).data)).toBe(toHex(data));
  });

  test('DF set and too big: EMSGSIZE from ip_output, cantfrag counted, nothing sent', () => {
    const { s, en0 } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    primeArp(s, en0);
    take(en0);
    const frame = Ip.alloc(1481);
    const err = s.ip.output(frame, { src: 0, dst: ip('10.77.0.1'), protocol: 253, ttl: 64, tos: 0, df: true }, 1);
    expect(err).toBe(Errno.EMSGSIZE);
    expect(s.stats.ip.cantfrag).toBe(1);
    expect(take(en0)).toHaveLength(0);
    expect(s.ip.output(Ip.alloc(1480), { src: 0, dst: ip('10.77.0.1'), protocol: 253, ttl: 64, tos: 0, df: true }, 2)).toBe(0);
    expect(take(en0)).toHaveLength(1);
  });
});

describe('ip_reass', () => {
  function setup() {
    const st = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    const so = udpSock(st.s, 5000);
    return { ...st, so };
  }
  const received = (so: Socket): string[] => so.rcv.records.map((r) => toHex((r as SockRecord).data));

  test('fragments in any order (seeded permutations) reassemble to the datagram', () => {
    const data = pattern(3000 - 8); // what udpFrame carries: 3000 IP payload bytes, 12 fragments of up to 272
    for (let seed = 1; seed <= 12; seed++) {
      const { s, en0, so } = setup();
      const frags = ethernetize(ipFragment(udpFrame(data.length, { ident: seed }), 296) as Uint8Array[]);
      expect(frags.length).toBe(12);
      for (const f of shuffle(frags, seed * 7919)) rx(s, en0, f);
      expect(received(so)).toEqual([toHex(data)]);
      expect(s.stats.ip.reassembled).toBe(1);
      expect(s.stats.ip.fragments).toBe(12);
      expect(s.ip.reass.npackets).toBe(0);
    }
  });

  test('duplicates and consistent overlaps never change the data (seeded fuzz)', () => {
    const data = pattern(2400 - 8);
    for (let seed = 1; seed <= 10; seed++) {
      const { s, en0, so } = setup();
      const whole = udpFrame(data.length, { ident: 100 + seed });
      const small = ethernetize(ipFragment(whole, 20 + 200) as Uint8Array[]);
      const big = ethernetize(ipFragment(udpFrame(data.length, { ident: 100 + seed }), 20 + 504) as Uint8Array[]);
      // Both cuttings of the same datagram, plus duplicates, in a seeded order: every byte is consistent.
      const mix = shuffle([...small, ...big, small[2]!, big[1]!], seed);
      for (const f of mix) rx(s, en0, f);
      expect(received(so)[0]).toBe(toHex(data));
      expect(s.stats.ip.reassembled).toBeGreaterThanOrEqual(1);
    }
  });

  test('overlap rule (ip_reass): a new fragment loses what precedes it, later queued data loses what it covers', () => {
    const { s, en0, so } = setup();
    const base = udpFrame(64 - 8, { ident: 9 }); // 64-byte IP payload
    const payload = ipOf(base).payload.slice();
    const frag = (off: number, bytes: Uint8Array, mf: boolean): Uint8Array => {
      const f = udpFrame(0, { ident: 9 });
      const out = new Uint8Array(14 + 20 + bytes.length);
      out.set(f.subarray(0, 34));
      out.set(bytes, 34);
      const p = ipOf(out);
      p.totalLen = 20 + bytes.length;
      p.flagsFrag = (mf ? IP_MF : 0) | ((off >> 3) & IP_OFFMASK);
      p.fillChecksum();
      return out;
    };
    const evil = new Uint8Array(64).fill(0xee);
    rx(s, en0, frag(0, payload.subarray(0, 24), true)); // bytes 0..23 (UDP header + 16)
    rx(s, en0, frag(40, payload.subarray(40, 64), false)); // 40..63, last
    // 16..47 with other bytes: 16..23 are trimmed (preceding data wins), 40..47 replace the queued ones.
    rx(s, en0, frag(16, evil.subarray(0, 32), true));
    expect(so.rcv.records).toHaveLength(0); // UDP checksum now fails: 24..47 differ
    expect(s.stats.udp.badsum).toBe(1);
    // Again with an evil last fragment queued first and an honest 16..63 after it: the honest one is trimmed
    // at the front (0..23 stays) and covers the queued 40..63 entirely, which goes.
    rx(s, en0, frag(0, payload.subarray(0, 24), true));
    rx(s, en0, frag(40, evil.subarray(0, 24), false));
    rx(s, en0, frag(16, payload.subarray(16, 64), false));
    expect(received(so)).toEqual([toHex(payload.subarray(8))]);
  });

  test('a fragment entirely inside queued data is dropped; bad lengths are refused', () => {
    const { s, en0 } = setup();
    const frags = ethernetize(ipFragment(udpFrame(1000), 276) as Uint8Array[]);
    rx(s, en0, frags[0]!);
    rx(s, en0, frags[0]!);
    expect(s.stats.ip.fragdropped).toBe(1);
    // MF with a length not a multiple of 8, and MF with no data.
    const odd = frags[1]!.slice(0, frags[1]!.length - 3);
    const p = ipOf(odd);
    p.totalLen -= 3;
    p.fillChecksum();
    rx(s, en0, odd);
    const empty = frags[1]!.slice(0, 34);
    const q = ipOf(empty);
    q.totalLen = 20;
    q.fillChecksum();
    rx(s, en0, empty);
    expect(s.stats.ip.badfrags).toBe(2);
  });

  test('queue limits: ip_maxfragpackets datagrams at once, ip_maxfrags fragments in all', () => {
    const { s, en0 } = setup();
    s.ip.reass.maxfragpackets = 3;
    for (let id = 1; id <= 5; id++) rx(s, en0, ethernetize(ipFragment(udpFrame(600, { ident: id }), 276) as Uint8Array[])[0]!);
    expect(s.ip.reass.npackets).toBe(3);
    expect(s.stats.ip.fragdropped).toBe(2);
    s.ip.reass.maxfragpackets = 200;
    s.ip.reass.maxfrags = 4;
    for (let id = 6; id <= 8; id++) rx(s, en0, ethernetize(ipFragment(udpFrame(600, { ident: id }), 276) as Uint8Array[])[0]!);
    expect(s.ip.reass.npackets).toBe(4); // the 4th fragment was queued, then the limit refused more
    expect(s.stats.ip.fragdropped).toBe(4);
  });

  test('timeout after 30 s: fragments counted, ICMP time exceeded (code 1) quoting the first fragment', () => {
    const { s, en0, env } = setup();
    primeArp(s, en0);
    take(en0);
    const frags = ethernetize(ipFragment(udpFrame(1000, { ident: 0x77 }), 276) as Uint8Array[]);
    rx(s, en0, frags[0]!);
    rx(s, en0, frags[2]!);
    env.t = IPFRAGTTL_NS - 1;
    s.runTimers();
    expect(s.stats.ip.fragtimeout).toBe(0);
    env.t = IPFRAGTTL_NS;
    s.runTimers();
    expect(s.stats.ip.fragtimeout).toBe(2);
    expect(s.ip.reass.npackets).toBe(0);
    const out = take(en0);
    expect(out).toHaveLength(1);
    const p = ipOf(out[0]!.data);
    expect(p.protocol).toBe(IpProto.ICMP);
    const icp = new IcmpPacket(p.payload);
    expect([icp.type, icp.code]).toEqual([IcmpType.TimeExceeded, 1]);
    // Quote: the first fragment's header and 8 data bytes (its UDP header).
    expect(toHex(icp.data)).toBe(toHex(ipOf(frags[0]!).buf.subarray(0, 28)));
    expect(icp.verifyChecksum()).toBe(true);
  });

  test('timeout without the first fragment sends nothing', () => {
    const { s, en0, env } = setup();
    primeArp(s, en0);
    take(en0);
    const frags = ethernetize(ipFragment(udpFrame(1000), 276) as Uint8Array[]);
    rx(s, en0, frags[1]!);
    env.t = IPFRAGTTL_NS;
    s.runTimers();
    expect(s.stats.ip.fragtimeout).toBe(1);
    expect(take(en0)).toHaveLength(0);
  });
});
