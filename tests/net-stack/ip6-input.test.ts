import { AF_INET6, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { sockaddrIn6 } from '../../stack/include/netinet/in';
import { Ip6 } from '../../stack/net/ip6/ip6';
import type { Socket } from '../../stack/net/socket';
import { ipv6ToString, parseIpv6, type Ipv6Addr } from '../../stack/net/wire/addr6';
import { Icmp6Type, Icmpv6Packet } from '../../stack/net/wire/icmpv6';
import { Ipv6FragHeader, Ipv6Packet } from '../../stack/net/wire/ipv6';
import { HOST_MAC, hostWithNeighbours, PEER_MAC, peerFrame, run, S, udp6Datagram, type Node6 } from './ip6-harness';

const PEER: Ipv6Addr = new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09]); // fe80::9
const ME: Ipv6Addr = new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x50, 0xc2, 0xff, 0xfe, 0, 0, 0x02]); // fe80::250:c2ff:fe00:2
const G: Ipv6Addr = new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02]); // 2001:db8::2

const node = (): Node6 => hostWithNeighbours(G, [PEER]);

/** A frame from the peer: IPv6 header (nxt, hlim) + `body` (extension headers and upper layer as given). */
const frame = (dst: Ipv6Addr, nxt: number, body: Uint8Array, hlim = 64, src = PEER): Uint8Array => peerFrame(HOST_MAC, src, dst, nxt, body, hlim);

function echoReq(src: Ipv6Addr, dst: Ipv6Addr, seq: number, len = 8): Uint8Array {
  const m = new Uint8Array(8 + len);
  const p = new Icmpv6Packet(m);
  p.type = Icmp6Type.EchoRequest;
  p.ident = 0x4242;
  p.seq = seq;
  for (let i = 0; i < len; i++) m[8 + i] = i & 0xff;
  p.fillChecksum(src, dst);
  return m;
}

const udp = udp6Datagram;

const rx = (n: Node6, f: Uint8Array) => {
  n.s.input(n.en0, { data: f, pktId: 99 });
  n.s.drainLoopback();
};
const out = (n: Node6) => n.en0.snd.splice(0).map((m) => m.data);
const icmpOut = (n: Node6) => out(n).filter((d) => d[20] === 58).map((d) => d.subarray(54));

describe('ip6_input', () => {
  test('echo request → echo reply from the address it was sent to, same data, hop limit 64', () => {
    const n = node();
    rx(n, frame(G, 58, echoReq(PEER, G, 7, 20)));
    const d = out(n);
    expect(d).toHaveLength(1);
    const ip = new Ipv6Packet(d[0]!.subarray(14));
    expect(ipv6ToString(ip.src)).toBe('2001:db8::2');
    expect(ipv6ToString(ip.dst)).toBe('fe80::9');
    expect(ip.hlim).toBe(64);
    const r = new Icmpv6Packet(ip.payload);
    expect(r.type).toBe(Icmp6Type.EchoReply);
    expect(r.seq).toBe(7);
    expect(r.verifyChecksum(ip.src, ip.dst)).toBe(true);
    expect([...r.data]).toEqual([...Array(20).keys()]);
  });

  test('malformed packets are counted and dropped, never answered', () => {
    const n = node();
    const st = n.s.ip6!.stats.ip6;
    const f1 = frame(G, 58, echoReq(PEER, G, 1));
    rx(n, f1.subarray(0, 14 + 30)); // shorter than a header
    const f2 = frame(G, 58, echoReq(PEER, G, 1));
    f2[14] = 0x40; // version 4 in an IPv6 frame
    rx(n, f2);
    const f3 = frame(G, 58, echoReq(PEER, G, 1));
    f3[14 + 5] = 200; // payload length past the frame
    rx(n, f3);
    const f4 = frame(G, 58, echoReq(PEER, G, 1), 64, parseIpv6('ff02::1')!); // multicast source
    rx(n, f4);
    const f5 = frame(G, 58, echoReq(PEER, G, 1));
    f5[54 + 2] = f5[54 + 2]! ^ 0xff; // ICMPv6 checksum
    rx(n, f5);
    rx(n, frame(parseIpv6('2001:db8::77')!, 58, echoReq(PEER, G, 1))); // not ours
    expect([st.toosmall, st.badvers, st.tooshort, st.badscope, st.cantforward]).toEqual([1, 1, 1, 1, 1]);
    expect(n.s.ip6!.stats.icmp6.checksum).toBe(1);
    expect(out(n)).toHaveLength(0);
    expect(n.env.traces.filter((r) => r.probe === 'drop').every((r) => typeof r.f?.reason === 'string')).toBe(true);
  });

  test('extension headers: hop-by-hop and destination options skipped, then the echo is answered', () => {
    const n = node();
    const echo = echoReq(PEER, G, 3);
    // HBH (nxt=60, len 0: PadN of 4 + Pad1 x2), DSTOPTS (nxt=58, an unknown option with action 00 + padding).
    const hbh = Uint8Array.of(60, 0, 1, 2, 0, 0, 0, 0);
    const dst = Uint8Array.of(58, 0, 0x1e, 1, 0xaa, 1, 0, 0);
    rx(n, frame(G, 0, Uint8Array.from([...hbh, ...dst, ...echo])));
    const r = icmpOut(n);
    expect(r).toHaveLength(1);
    expect(r[0]![0]).toBe(Icmp6Type.EchoReply);
  });

  test('unknown option with action 10 → Parameter Problem code 2 pointing at the option; 01 → silent drop', () => {
    const n = node();
    const echo = echoReq(PEER, G, 3);
    rx(n, frame(G, 60, Uint8Array.from([58, 0, 0x80, 4, 0, 0, 0, 0, ...echo])));
    const r = icmpOut(n);
    expect(r).toHaveLength(1);
    const p = new Icmpv6Packet(r[0]!);
    expect([p.type, p.code, p.rest]).toEqual([Icmp6Type.ParamProb, 2, 40 + 2]);
    // The quote starts with the offending IPv6 header.
    expect(r[0]![8]! >> 4).toBe(6);
    rx(n, frame(G, 60, Uint8Array.from([58, 0, 0x40, 4, 0, 0, 0, 0, ...echo])));
    expect(icmpOut(n)).toHaveLength(0);
    expect(n.s.ip6!.stats.ip6.badoptions).toBe(2);
  });

  test('routing header type 0 with segments left → Parameter Problem code 0 at the type field; hop-by-hop not first → code 1', () => {
    const n = node();
    const echo = echoReq(PEER, G, 3);
    const rh0 = Uint8Array.from([58, 2, 0, 1, 0, 0, 0, 0, ...parseIpv6('2001:db8::5')!]);
    rx(n, frame(G, 43, Uint8Array.from([...rh0, ...echo])));
    let p = new Icmpv6Packet(icmpOut(n)[0]!);
    expect([p.type, p.code, p.rest]).toEqual([Icmp6Type.ParamProb, 0, 42]);
    // Segments left 0: the header is skipped.
    const rhDone = Uint8Array.from([58, 2, 0, 0, 0, 0, 0, 0, ...parseIpv6('2001:db8::5')!]);
    rx(n, frame(G, 43, Uint8Array.from([...rhDone, ...echo])));
    expect(icmpOut(n)[0]![0]).toBe(Icmp6Type.EchoReply);
    // A destination-options header naming hop-by-hop.
    rx(n, frame(G, 60, Uint8Array.from([0, 0, 1, 4, 0, 0, 0, 0, 58, 0, 1, 4, 0, 0, 0, 0, ...echo])));
    p = new Icmpv6Packet(icmpOut(n)[0]!);
    expect([p.type, p.code, p.rest]).toEqual([Icmp6Type.ParamProb, 1, 40]);
  });

  test('unknown next header → Parameter Problem code 1 pointing at the Next Header field', () => {
    const n = node();
    rx(n, frame(G, 253, Uint8Array.of(1, 2, 3, 4)));
    const p = new Icmpv6Packet(icmpOut(n)[0]!);
    expect([p.type, p.code, p.rest]).toEqual([Icmp6Type.ParamProb, 1, 6]);
  });

  test('UDP: zero checksum dropped (RFC 8200 §8.1); closed port → port unreachable; no error for a multicast destination', () => {
    const n = node();
    rx(n, frame(G, 17, udp(PEER, G, 9000, [1], true)));
    expect(n.s.ip6!.stats.udp6.nosum).toBe(1);
    rx(n, frame(G, 17, udp(PEER, G, 9000, [1, 2])));
    let p = new Icmpv6Packet(icmpOut(n)[0]!);
    expect([p.type, p.code]).toEqual([Icmp6Type.DstUnreach, 4]);
    const ff1 = parseIpv6('ff02::1')!;
    const f = frame(ff1, 17, udp(PEER, ff1, 9000, [1, 2]));
    f.set([0x33, 0x33, 0, 0, 0, 1], 0);
    rx(n, f);
    expect(icmpOut(n)).toHaveLength(0);
    expect(n.s.ip6!.stats.udp6.noportmcast).toBe(1);
    // A bound socket gets it.
    const so = n.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
    n.s.sockets.bindAddr(so, sockaddrIn6(new Uint8Array(16), 9000));
    rx(n, frame(G, 17, udp(PEER, G, 9000, [5, 6])));
    expect([...so.rcv.records[0]!.data]).toEqual([5, 6]);
    void p;
    p = new Icmpv6Packet(new Uint8Array(8));
  });

  test('ICMPv6 errors are rate limited to 100 a second', () => {
    const n = node();
    let sent = 0;
    for (let i = 0; i < 150; i++) {
      rx(n, frame(G, 17, udp(PEER, G, 9000, [i & 0xff])));
      sent += icmpOut(n).length;
    }
    expect(sent).toBe(100);
    expect(n.s.ip6!.stats.icmp6.toofreq).toBe(50);
    n.env.t += S;
    rx(n, frame(G, 17, udp(PEER, G, 9000, [1])));
    expect(icmpOut(n)).toHaveLength(1);
  });

  test('fragments: out of order reassembled and delivered; overlap discards the datagram; timeout → Time Exceeded', () => {
    const n = node();
    const echo = echoReq(PEER, G, 9, 64); // 72 bytes of ICMPv6
    const frag = (ident: number, off: number, more: boolean, data: Uint8Array) => {
      const h = new Uint8Array(8);
      const fh = new Ipv6FragHeader(h);
      fh.nxt = 58;
      fh.setOffsetMore(off, more);
      fh.ident = ident;
      return frame(G, 44, Uint8Array.from([...h, ...data]));
    };
    rx(n, frag(1, 32, true, echo.subarray(32, 64)));
    rx(n, frag(1, 64, false, echo.subarray(64)));
    expect(icmpOut(n)).toHaveLength(0);
    rx(n, frag(1, 0, true, echo.subarray(0, 32)));
    const r = icmpOut(n);
    expect(r).toHaveLength(1);
    expect(r[0]![0]).toBe(Icmp6Type.EchoReply);
    expect(r[0]!.length).toBe(72);
    expect(n.s.ip6!.stats.ip6.reassembled).toBe(1);
    // Overlap (RFC 5722).
    rx(n, frag(2, 0, true, echo.subarray(0, 32)));
    rx(n, frag(2, 24, true, echo.subarray(24, 56)));
    rx(n, frag(2, 56, false, echo.subarray(56)));
    expect(icmpOut(n)).toHaveLength(0);
    // A fragment not a multiple of 8 with more following → Parameter Problem pointing at the payload length.
    rx(n, frag(3, 0, true, echo.subarray(0, 20)));
    let p = new Icmpv6Packet(icmpOut(n)[0]!);
    expect([p.type, p.code, p.rest]).toEqual([Icmp6Type.ParamProb, 0, 4]);
    // First fragment only: after 60 s Time Exceeded (reassembly).
    rx(n, frag(4, 0, true, echo.subarray(0, 32)));
    const t0 = n.env.t;
    run([n], t0 + 59 * S);
    // The peer's cache entry went (DELAY → PROBE unanswered); it speaks again before the timeout.
    n.s.ip6!.nd6.cacheLladdr(n.en0, PEER, Uint8Array.from(PEER_MAC), false);
    run([n], t0 + 61 * S);
    const te = icmpOut(n).concat(n.sent.filter((f) => f.data[20] === 58).map((f) => f.data.subarray(54)));
    p = new Icmpv6Packet(te.find((m) => m[0] === Icmp6Type.TimeExceeded)!);
    expect(p.code).toBe(1);
    // Two queues timed out: ident 4, and the tail of ident 2 that arrived after its datagram was discarded.
    expect(n.s.ip6!.stats.ip6.fragtimeout).toBe(2);
  });

  test('Packet Too Big lowers the path MTU; the next big datagram leaves as fragments that fit', () => {
    const n = node();
    const far = parseIpv6('2001:db8::9')!;
    n.s.ip6!.nd6.cacheLladdr(n.en0, far, Uint8Array.from(PEER_MAC), false);
    const so = n.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
    expect(n.s.sockets.send(so, new Uint8Array(1400), sockaddrIn6(far, 5000), 1)).toBe(1400);
    const big = out(n)[0]!;
    expect(big.length).toBe(14 + 40 + 8 + 1400);
    // PTB from a router: MTU 1280, quoting our packet.
    const ptb = new Uint8Array(8 + 1232);
    const pp = new Icmpv6Packet(ptb);
    pp.type = Icmp6Type.PacketTooBig;
    pp.rest = 1280;
    ptb.set(big.subarray(14, 14 + 1232), 8);
    pp.fillChecksum(PEER, G);
    rx(n, frame(G, 58, ptb));
    expect(n.s.ip6!.stats.icmp6.pmtuchg).toBe(1);
    expect(n.s.sockets.send(so, new Uint8Array(1400), sockaddrIn6(far, 5000), 2)).toBe(1400);
    const frags = out(n);
    expect(frags.length).toBe(2);
    for (const f of frags) expect(f.length - 14).toBeLessThanOrEqual(1280);
    expect(frags[0]![20]).toBe(44);
    expect(n.s.ip6!.stats.ip6.ofragments).toBe(2);
    void Ip6;
  });
});

describe('ip6_input under random damage', () => {
  test('mutated and truncated packets of every kind never throw; every drop says why', () => {
    const n = node();
    const seeds: Uint8Array[] = [
      frame(G, 58, echoReq(PEER, G, 1, 40)),
      frame(G, 0, Uint8Array.from([60, 0, 1, 2, 0, 0, 0, 0, 58, 0, 0x1e, 1, 0xaa, 1, 0, 0, ...echoReq(PEER, G, 3)])),
      frame(G, 17, udp(PEER, G, 9000, [1, 2, 3, 4])),
      frame(G, 44, Uint8Array.from([58, 0, 0, 1, 0, 0, 0, 7, ...echoReq(PEER, G, 1, 24).subarray(0, 16)])),
      frame(parseIpv6('ff02::1')!, 58, Uint8Array.of(134, 0, 0, 0, 64, 0, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 64, 0xc0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 255),
      frame(parseIpv6('ff02::1:ff00:2')!, 58, Uint8Array.from([135, 0, 0, 0, 0, 0, 0, 0, ...ME, 1, 1, ...PEER_MAC]), 255),
      frame(G, 58, Uint8Array.from([136, 0, 0, 0, 0x60, 0, 0, 0, ...PEER, 2, 1, ...PEER_MAC]), 255),
    ];
    let x = 12345;
    const rnd = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 4294967296;
    };
    for (let i = 0; i < 3000; i++) {
      const f = seeds[i % seeds.length]!.slice();
      const flips = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < flips; k++) f[14 + Math.floor(rnd() * (f.length - 14))] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? 14 + Math.floor(rnd() * (f.length - 14)) : f.length;
      expect(() => rx(n, f.subarray(0, cut).slice())).not.toThrow();
      n.en0.snd.length = 0;
      if (i % 500 === 0) run([n], n.env.t + 70 * S);
    }
    const drops = n.env.traces.filter((r) => r.probe === 'drop');
    expect(drops.length).toBeGreaterThan(1000);
    expect(drops.every((r) => typeof r.f?.reason === 'string' && (r.f.reason as string).length > 0)).toBe(true);
  });
});
