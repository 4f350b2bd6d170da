/**
 * ipflow (stack/net/ip-flow.ts) on a router stack: the first datagram of a flow takes the stack path and makes the
 * flow, later ones are fast-forwarded by the receiving thread; what declines (TTL 1, options, big fragments, bad
 * checksums, link broadcasts, pfil hooks, forwarding off, fastforward=0, ICMP); counters folded in at slowtimo.
 */
import { NetCost, bytesCost } from '../../stack/net/costs';
import { M_CSUM_IPv4, M_CSUM_IPv4_BAD } from '../../stack/net/mbuf';
import { IFCAP_CSUM_IPv4_Rx, IFF_UP } from '../../stack/net/if';
import { ttlDecrementChecksum } from '../../stack/net/ip-flow';
import { IcmpPacket, IcmpType, IpProto, macToString } from '../../stack/net/wire';
import { take } from '../net-stack/harness';
import { MAC_EN1, MAC_GAMMA, deliver, frameTo, ipOf, makeRouter, runUntil } from './harness';

describe('the first datagram makes the flow, the rest are fast-forwarded', () => {
  test('N datagrams: 1 by ip_forward, N-1 by ipflow; ipstat catches up at the next slowtimo', () => {
    const r = makeRouter();
    const N = 10;
    const took: boolean[] = [];
    for (let i = 0; i < N; i++) took.push(deliver(r, r.en0, frameTo(100, { ident: i }), 100 + i));
    expect(took).toEqual([false, ...Array<boolean>(N - 1).fill(true)]);
    expect(r.s.ipflow.inuse).toBe(1);
    const out = take(r.en1).map((m) => m.data);
    expect(out).toHaveLength(N);
    for (const f of out) {
      const p = ipOf(f);
      expect([p.ttl, p.verifyChecksum(), p.totalLen]).toEqual([63, true, 128]);
      expect(macToString(f.subarray(0, 6))).toBe(MAC_GAMMA);
      expect(macToString(f.subarray(6, 12))).toBe(MAC_EN1);
    }
    const st = r.s.stats.ip;
    // ip_input counted the first; the flow's uses (N-1) reach ipstat only in ipflow_slowtimo (500 ms).
    expect([st.total, st.forward, st.fastforward]).toEqual([1, 1, 0]);
    runUntil(r, 500_000_000);
    expect([st.total, st.forward, st.fastforward]).toEqual([N, N, N - 1]);
    // The route's use count: 1 from ip_forward's rtalloc, N-1 folded in from the flow.
    expect(r.s.routes.lookup(0x0a580009)!.use).toBe(N);
    const ff = r.env.traces.filter((t) => t.probe === 'fastforward');
    expect(ff).toHaveLength(N - 1);
    expect(ff[0]!.f).toEqual({ dst: '10.88.0.9', via: 'en1', ttl: 63, thread: 'io-pkt#1', stk: false });
    expect(r.env.traces.filter((t) => t.probe === 'forward')).toHaveLength(1);
  });

  test('CPU: a fast-forwarded frame costs ether_input + the ipflow lookup and forward + the header sum + ether_output', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100));
    const before = r.env.charged;
    expect(deliver(r, r.en0, frameTo(100))).toBe(true);
    // 400 + 150 + 150 + ceil(20 × 0.6) + 450 = 1162 ns.
    const want = NetCost.etherInput + NetCost.ipflowLookup + NetCost.ipflowForward + bytesCost(20, NetCost.checksumPerByte) + NetCost.etherOutput;
    expect(r.env.charged - before).toBe(want);
    expect(want).toBe(1162);
  });

  test('the TTL decrement updates the checksum incrementally (RFC 1141) to what a full recomputation gives', () => {
    let x = 0x1234567;
    for (let i = 0; i < 2000; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      const ttl = 2 + (x % 254);
      const f = frameTo(x % 300, { ttl, tos: (x >>> 8) & 0xff, ident: x & 0xffff, src: `10.77.${(x >>> 16) & 0xff}.1` });
      const p = ipOf(f);
      const inc = ttlDecrementChecksum(p.checksum);
      p.ttl = ttl - 1;
      p.fillChecksum();
      // Ones'-complement: 0x0000 and 0xffff are the same number.
      expect(inc % 0xffff).toBe(p.checksum % 0xffff);
    }
  });
});

describe('what takes the stack path', () => {
  test('TTL 1: the fast path declines and ip_forward answers time exceeded', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100));
    expect(deliver(r, r.en0, frameTo(100, { ttl: 1 }))).toBe(false);
    const [icmp] = take(r.en0).map((m) => new IcmpPacket(ipOf(m.data).payload));
    expect(icmp?.type).toBe(IcmpType.TimeExceeded);
    expect(take(r.en1)).toHaveLength(1); // only the first datagram went on
  });

  test('ICMP never makes a flow (ipflow_create): every echo goes through ip_forward', () => {
    const r = makeRouter();
    for (let i = 0; i < 3; i++) expect(deliver(r, r.en0, frameTo(56, { proto: IpProto.ICMP, ident: i }))).toBe(false);
    expect(r.s.ipflow.inuse).toBe(0);
    expect(r.s.stats.ip.forward).toBe(3);
  });

  test('options (ip_hl > 5) decline; fragments within the MTU are fast-forwarded, larger ones are cut by ip_forward', () => {
    const r = makeRouter({ mtu1: 576 });
    deliver(r, r.en0, frameTo(100));
    take(r.en1);
    expect(deliver(r, r.en0, frameTo(100, { options: 4 }))).toBe(false);
    // ipflow_fastforward does not look at MF/offset: a fragment of the flow that fits goes like any datagram.
    expect(deliver(r, r.en0, frameTo(96, { mf: true, ident: 7 }))).toBe(true);
    // 1008 bytes of UDP > 576: the slow path fragments (552 + 456 bytes of payload).
    expect(deliver(r, r.en0, frameTo(1000, { ident: 8 }))).toBe(false);
    const out = take(r.en1).map((m) => ipOf(m.data));
    expect(out.map((p) => [p.headerLen, p.totalLen, p.moreFrags])).toEqual([[24, 132, false], [20, 124, true], [20, 572, true], [20, 476, false]]);
    expect(r.s.stats.ip.fragmented).toBe(1);
  });

  test('bad header checksum (software or the hardware verdict) declines, and ip_input counts it', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100));
    const bad = frameTo(100);
    bad[14 + 10]! ^= 0xff;
    expect(deliver(r, r.en0, bad)).toBe(false);
    expect(r.s.stats.ip.badsum).toBe(1);
    r.en0.capenable = IFCAP_CSUM_IPv4_Rx;
    r.env.cur = { tid: 1, name: 'io-pkt#1', stack: false };
    expect(r.s.fastInput(r.en0, { data: frameTo(100), pktId: 5, csumFlags: M_CSUM_IPv4 | M_CSUM_IPv4_BAD })).toBe(false);
    expect(r.s.fastInput(r.en0, { data: frameTo(100), pktId: 6, csumFlags: M_CSUM_IPv4 })).toBe(true);
  });

  test('a link broadcast or multicast frame declines', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100));
    r.env.cur = { tid: 1, name: 'io-pkt#1', stack: false };
    expect(r.s.fastInput(r.en0, { data: frameTo(100, { dstMac: 'ff:ff:ff:ff:ff:ff' }), pktId: 2 })).toBe(false);
    expect(r.s.fastInput(r.en0, { data: frameTo(100, { dstMac: '01:00:5e:00:00:01' }), pktId: 3 })).toBe(false);
  });

  test('pfil hooks active: no fast path and no new flows (pf clears M_CANFASTFWD); removed: flows again', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100));
    r.s.pfil.inet.add('pf', (m, pkt) => ({ m, pkt }));
    expect(deliver(r, r.en0, frameTo(100))).toBe(false);
    expect(deliver(r, r.en0, frameTo(100, { dst: '10.88.0.10' }))).toBe(false);
    expect(r.s.ipflow.tables.list.map((f) => f.dst)).toEqual([0x0a580009]);
    r.s.pfil.inet.remove('pf');
    expect(deliver(r, r.en0, frameTo(100, { dst: '10.88.0.10' }))).toBe(false);
    expect(deliver(r, r.en0, frameTo(100, { dst: '10.88.0.10' }))).toBe(true);
    expect(r.s.ipflow.inuse).toBe(2);
  });

  test('forwarding off (sysctl net.inet.ip.forwarding=0): flows stay but nothing is forwarded', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100));
    r.s.ip.forwarding = false;
    expect(deliver(r, r.en0, frameTo(100))).toBe(false);
    expect(r.s.stats.ip.cantforward).toBe(1);
    expect(take(r.en1)).toHaveLength(1);
    r.s.ip.forwarding = true;
    expect(deliver(r, r.en0, frameTo(100))).toBe(true);
  });

  test('a router started without forwarding forwards nothing and makes no flows', () => {
    const r = makeRouter({ forward: false });
    for (let i = 0; i < 3; i++) expect(deliver(r, r.en0, frameTo(100))).toBe(false);
    expect([r.s.stats.ip.cantforward, r.s.ipflow.inuse, take(r.en1).length]).toEqual([3, 0, 0]);
  });

  test('fastforward=0: ip_forward forwards every datagram and makes no flow', () => {
    const r = makeRouter();
    r.s.ipflow.fastforward = false;
    for (let i = 0; i < 3; i++) expect(deliver(r, r.en0, frameTo(100))).toBe(false);
    expect([r.s.stats.ip.forward, r.s.ipflow.inuse, take(r.en1).length]).toEqual([3, 0, 3]);
  });

  test('the outgoing interface down: the flow is not used', () => {
    const r = makeRouter();
    deliver(r, r.en0, frameTo(100));
    r.en1.flags &= ~IFF_UP;
    expect(deliver(r, r.en0, frameTo(100))).toBe(false);
  });

  test('a next hop not yet resolved by ARP: the datagram is held and no flow is made until ARP has answered', () => {
    const r = makeRouter();
    expect(deliver(r, r.en0, frameTo(100, { dst: '10.88.0.20' }))).toBe(false);
    expect(r.s.ipflow.inuse).toBe(0);
    const [req] = take(r.en1);
    expect(new DataView(req!.data.buffer, req!.data.byteOffset).getUint16(12)).toBe(0x0806);
    r.s.arp.addPermanent(r.en1, 0x0a580014, new Uint8Array([0, 0x50, 0xc2, 0, 1, 0x14]));
    expect(deliver(r, r.en0, frameTo(100, { dst: '10.88.0.20' }))).toBe(false);
    expect(deliver(r, r.en0, frameTo(100, { dst: '10.88.0.20' }))).toBe(true);
  });
});

describe('ICMP redirects (net.inet.ip.redirect)', () => {
  function hairpin() {
    const r = makeRouter();
    // 10.99/16 through 10.77.0.254, on the sender's own subnet: forwarding goes back out en0.
    r.s.arp.addPermanent(r.en0, 0x0a4d00fe, new Uint8Array([0, 0x50, 0xc2, 0, 0, 0xfe]));
    expect(r.s.routes.addStatic(0x0a630000, 0xffff0000, 0x0a4d00fe)).toBe(0);
    return r;
  }
  const redirects = (frames: { data: Uint8Array }[]) =>
    frames.map((m) => ipOf(m.data)).filter((p) => p.protocol === IpProto.ICMP).map((p) => new IcmpPacket(p.payload)).filter((c) => c.type === IcmpType.Redirect);

  test('off by default: the datagram goes back out en0 without a redirect, and makes a flow', () => {
    const r = hairpin();
    expect(r.s.ip.sendRedirects).toBe(false);
    expect([deliver(r, r.en0, frameTo(100, { dst: '10.99.1.1' })), deliver(r, r.en0, frameTo(100, { dst: '10.99.1.1' }))]).toEqual([false, true]);
    const out = take(r.en0);
    expect(redirects(out)).toHaveLength(0);
    expect(out.map((m) => ipOf(m.data).dst)).toEqual([0x0a630101, 0x0a630101]);
    expect(r.s.stats.ip.redirectsent).toBe(0);
  });

  test('on: each datagram is forwarded with a host redirect to 10.77.0.254, and no flow is made (ip_forward skips ipflow_create)', () => {
    const r = hairpin();
    r.s.ip.sendRedirects = true;
    for (let i = 0; i < 2; i++) expect(deliver(r, r.en0, frameTo(100, { dst: '10.99.1.1', ident: i }))).toBe(false);
    const rd = redirects(take(r.en0));
    expect(rd.map((c) => [c.code, c.rest >>> 0])).toEqual([[1, 0x0a4d00fe], [1, 0x0a4d00fe]]);
    expect([r.s.stats.ip.redirectsent, r.s.ipflow.inuse]).toEqual([2, 0]);
  });
});
