import { IN6_IFF_AUTOCONF, IN6_IFF_DEPRECATED, IN6_IFF_TENTATIVE } from '../../stack/net/ip6/in6';
import { ADV_DEFAULT_LIFETIME_S, MAX_INITIAL_RTR_ADVERT_INTERVAL_S } from '../../stack/net/ip6/nd6-rtadv';
import { ipv6Equals, ipv6ToString, parseIpv6 } from '../../stack/net/wire/addr6';
import { Icmp6Type } from '../../stack/net/wire/icmpv6';
import { makeStack6, run, MS, S, type Node6 } from './ip6-harness';

/** A router r (forwarding, 2001:db8:1::1/64 on en0, advertising) and a host h. */
function setup(): { r: Node6; h: Node6 } {
  const r = makeStack6('00:50:c2:00:00:01', 3);
  r.s.ip6!.setForwarding(true);
  r.s.ip6!.in6.add(r.en0, parseIpv6('2001:db8:1::1')!, 64);
  run([r], 3 * S); // link-local DAD done (the manual address was added without DAD here)
  const h = makeStack6('00:50:c2:00:00:02', 4);
  h.env.t = r.env.t;
  return { r, h };
}

const RA = (n: Node6) => n.sent.filter((f) => f.data[54] === Icmp6Type.RouterAdvert);
const RS = (n: Node6) => n.sent.filter((f) => f.data[54] === Icmp6Type.RouterSolicit);

describe('router discovery and SLAAC', () => {
  test('host solicits; the answer waits for MIN_DELAY_BETWEEN_RAS (3 s) after the last RA; host forms prefix + EUI-64 and a default route', () => {
    const { r, h } = setup();
    const t0 = h.env.t;
    r.s.ip6!.nd6.rtr.rtadv.start(r.en0);
    run([r, h], t0 + 10 * S);
    expect(RS(h).length).toBeGreaterThanOrEqual(1);
    // RS from the unspecified address or the link-local, to ff02::2.
    expect([...RS(h)[0]!.data.subarray(0, 6)]).toEqual([0x33, 0x33, 0, 0, 0, 2]);
    expect(RA(r).length).toBeGreaterThanOrEqual(2);
    // The first RA went at start (t0); the RS arrived before t0 + 1 s; the answer is held to t0 + 3 s.
    expect(RS(h)[0]!.t - t0).toBeLessThan(1 * S);
    expect(RA(r)[1]!.t - t0).toBe(3 * S);
    const ip6 = h.s.ip6!;
    const g = ip6.in6.addrs(h.en0).find((ia) => (ia.flags & IN6_IFF_AUTOCONF) !== 0)!;
    expect(ipv6ToString(g.addr)).toBe('2001:db8:1:0:250:c2ff:fe00:2');
    expect(g.flags & IN6_IFF_TENTATIVE).toBe(0); // DAD finished within the 10 s
    expect(g.vltime).toBe(2_592_000);
    expect(g.pltime).toBe(604_800);
    const def = ip6.routes.routes.find((x) => x.plen === 0)!;
    expect(ipv6ToString(def.gateway!)).toBe('fe80::250:c2ff:fe00:1');
    expect(ip6.nd6.rtr.defrouters[0]!.lifetime).toBe(ADV_DEFAULT_LIFETIME_S);
    const pr = ip6.nd6.rtr.prefixes[0]!;
    expect(`${ipv6ToString(pr.prefix)}/${pr.plen}`).toBe('2001:db8:1::/64');
    // The host's source toward a global destination is now the SLAAC address.
    const c = ip6.selectSource(parseIpv6('2001:db8:99::5')!);
    expect(typeof c === 'number' ? c : ipv6ToString(c.src)).toBe('2001:db8:1:0:250:c2ff:fe00:2');
  });

  test('unsolicited RAs: the first ones no more than MAX_INITIAL_RTR_ADVERT_INTERVAL apart, then 198..600 s', () => {
    const { r } = setup();
    const t0 = r.env.t;
    r.s.ip6!.nd6.rtr.rtadv.start(r.en0);
    run([r], t0 + 3000 * S);
    const ts = RA(r).map((f) => f.t - t0);
    expect(ts[0]).toBe(0);
    expect(ts[1]! - ts[0]!).toBeLessThanOrEqual(MAX_INITIAL_RTR_ADVERT_INTERVAL_S * S);
    expect(ts[2]! - ts[1]!).toBeLessThanOrEqual(MAX_INITIAL_RTR_ADVERT_INTERVAL_S * S);
    for (let i = 3; i < ts.length; i++) {
      expect(ts[i]! - ts[i - 1]!).toBeGreaterThanOrEqual(198 * S);
      expect(ts[i]! - ts[i - 1]!).toBeLessThanOrEqual(600 * S);
    }
    expect(ts.length).toBeGreaterThanOrEqual(6);
  });

  test('preferred lifetime runs out → deprecated; valid lifetime → removed with its prefix route', () => {
    const { h } = setup();
    // Hand-built RA from fe80::1 with a 2001:db8:2::/64 prefix, valid 20 s, preferred 10 s.
    const ip6 = h.s.ip6!;
    const frame = raFrame(h, parseIpv6('fe80::1')!, parseIpv6('2001:db8:2::')!, 20, 10, 0);
    h.s.input(h.en0, { data: frame, pktId: 77 });
    const t0 = h.env.t;
    const g = ip6.in6.addrs(h.en0).find((ia) => ipv6ToString(ia.addr).startsWith('2001:db8:2:'))!;
    expect(g).toBeDefined();
    run([h], t0 + 10 * S);
    expect(g.flags & IN6_IFF_DEPRECATED).toBe(IN6_IFF_DEPRECATED);
    run([h], t0 + 20 * S);
    expect(ip6.in6.addrs(h.en0).includes(g)).toBe(false);
    expect(ip6.routes.routes.some((x) => x.plen === 64 && ipv6ToString(x.dst) === '2001:db8:2::')).toBe(false);
    // Router lifetime 0: no default router was installed.
    expect(ip6.nd6.rtr.defrouters).toHaveLength(0);
  });

  test('RA with a hop limit other than 255, or from a global source, is dropped and counted', () => {
    const { h } = setup();
    const f1 = raFrame(h, parseIpv6('fe80::1')!, parseIpv6('2001:db8:3::')!, 100, 50, 1800);
    f1[14 + 7] = 64; // hop limit
    refill(f1);
    h.s.input(h.en0, { data: f1, pktId: 1 });
    const f2 = raFrame(h, parseIpv6('2001:db8::1')!, parseIpv6('2001:db8:3::')!, 100, 50, 1800);
    h.s.input(h.en0, { data: f2, pktId: 2 });
    expect(h.s.ip6!.stats.icmp6.badra).toBe(2);
    expect(h.s.ip6!.nd6.rtr.defrouters).toHaveLength(0);
    void ipv6Equals;
    void MS;
  });
});

import { Ip6 } from '../../stack/net/ip6/ip6';
import { IN6ADDR_LINKLOCAL_ALLNODES } from '../../stack/net/wire/addr6';
import { Icmpv6Packet, ND_RA_LEN, emitLladdrOpt, emitPrefixOpt, NdOpt } from '../../stack/net/wire/icmpv6';
import { Ipv6Packet, Ipv6Repr } from '../../stack/net/wire/ipv6';

/** An Ethernet frame carrying an RA from `src` (MAC 00:50:c2:00:00:09) with one prefix and a router lifetime. */
function raFrame(h: Node6, src: Uint8Array, prefix: Uint8Array, vl: number, pl: number, lifetime: number): Uint8Array {
  const f = Ip6.alloc(ND_RA_LEN + 8 + 32);
  f.set([0x33, 0x33, 0, 0, 0, 1, 0x00, 0x50, 0xc2, 0, 0, 9, 0x86, 0xdd]);
  const msg = f.subarray(Ip6.PAYLOAD_OFF);
  msg[0] = Icmp6Type.RouterAdvert;
  msg[4] = 64;
  msg[6] = lifetime >> 8;
  msg[7] = lifetime & 0xff;
  let off = emitLladdrOpt(msg, ND_RA_LEN, NdOpt.SourceLinkaddr, Uint8Array.of(0, 0x50, 0xc2, 0, 0, 9));
  off = emitPrefixOpt(msg, off, { plen: 64, onlink: true, auto: true, vltime: vl, pltime: pl, prefix });
  Ipv6Repr.emit({ src, dst: IN6ADDR_LINKLOCAL_ALLNODES, nxt: 58, hlim: 255, trafficClass: 0, flowLabel: 0, payloadLen: msg.length }, new Ipv6Packet(f.subarray(14)));
  new Icmpv6Packet(msg).fillChecksum(src, IN6ADDR_LINKLOCAL_ALLNODES);
  void h;
  return f;
}

function refill(f: Uint8Array): void {
  const p = new Ipv6Packet(f.subarray(14));
  new Icmpv6Packet(f.subarray(Ip6.PAYLOAD_OFF)).fillChecksum(p.src, p.dst);
}
