/**
 * Edges of IPv6 input, forwarding, reassembly, MLD and the default route (stack/net/ip6: ext6, forward6, frag6,
 * mld6, route6): the extension-header chain limit and a truncated Fragment header, a router's Packet Too Big for
 * a packet larger than the next link's MTU, a dropped fragment's trace record, the MLD repeat timer's record,
 * detaching an interface that never ran IPv6, and a refreshed Router Advertisement leaving the default route be.
 */
import { AF_INET6, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { IPPROTO_IPV6, IPV6_JOIN_GROUP, sockaddrIn6 } from '../../stack/include/netinet/in';
import { IFF_RUNNING, IFF_UP, type Ifnet } from '../../stack/net/if';
import { IP6_HDRNESTLIMIT } from '../../stack/net/ip6/ext6';
import { MLD_TICK_NS, MLD_UNSOLICITED_REPORT_INTERVAL_S } from '../../stack/net/ip6/mld6';
import type { Socket } from '../../stack/net/socket';
import { ipv6ToString, parseIpv6, type Ipv6Addr } from '../../stack/net/wire/addr6';
import { Icmp6Type, Icmpv6Packet } from '../../stack/net/wire/icmpv6';
import { Ipv6Packet } from '../../stack/net/wire/ipv6';
import { fakeEther } from './harness';
import { HOST_MAC, hostWithNeighbours, makeStack6, PEER_MAC, peerFrame, run, S, udp6Datagram, type Node6 } from './ip6-harness';

const PEER: Ipv6Addr = parseIpv6('fe80::9')!;
const G: Ipv6Addr = parseIpv6('2001:db8::2')!;

/** A host with 2001:db8::2/64 on en0, DAD over, fe80::9 a known neighbour; nothing queued or traced. */
const host = (): Node6 => hostWithNeighbours(G, [PEER]);

const frame = peerFrame;
const TO_HOST = HOST_MAC;

const udp = udp6Datagram;

/** `count` Destination Options headers (each 8 bytes: PadN of 4) chained in front of `upper` (next header `nxt`). */
function dstoptsChain(count: number, nxt: number, upper: Uint8Array): Uint8Array {
  const b = new Uint8Array(count * 8 + upper.length);
  for (let i = 0; i < count; i++) b.set([i === count - 1 ? nxt : 60, 0, 1, 4, 0, 0, 0, 0], i * 8);
  b.set(upper, count * 8);
  return b;
}

function udpSock(n: Node6, port: number): Socket {
  const so = n.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
  expect(n.s.sockets.bindAddr(so, sockaddrIn6(new Uint8Array(16), port))).toBe(0);
  return so;
}

const drops = (n: Node6, layer = 'ip6') =>
  n.env.traces.filter((r) => r.layer === layer && r.probe === 'drop').map((r) => String(r.f?.reason));

describe('extension headers (RFC 8200 §4; ip6_input)', () => {
  test('more chained extension headers than the nesting limit: dropped as toomanyhdr, the limit itself still delivered', () => {
    const n = host();
    const so = udpSock(n, 7777);
    const ip6 = n.s.ip6!;
    // ip6_input's nesting limit (ip6_hdrnestlimit, 50 in NetBSD) counts every header it hands on, UDP included:
    // 49 destination-options headers and UDP make 50 and pass, 50 of them are one too many (RFC 8200 §4.1 sets
    // no number; the limit guards the walk against endless chains).
    const at = (k: number) => dstoptsChain(k, 17, udp(PEER, G, 7777, [k]));
    n.s.input(n.en0, { data: frame(TO_HOST, PEER, G, 60, at(IP6_HDRNESTLIMIT - 1)), pktId: 1 });
    expect(so.rcv.records.map((r) => r.data[0])).toEqual([49]);
    n.s.input(n.en0, { data: frame(TO_HOST, PEER, G, 60, at(IP6_HDRNESTLIMIT)), pktId: 2 });
    expect(so.rcv.records).toHaveLength(1);
    expect(ip6.stats.ip6.toomanyhdr).toBe(1);
    expect(drops(n)).toEqual(['too many extension headers']);
    // Not an ICMPv6 error: NetBSD just counts and frees it.
    expect(n.en0.snd).toHaveLength(0);
  });

  test('a Fragment header cut short by the packet end is dropped as too short, with its reason traced', () => {
    const n = host();
    // RFC 8200 §4.5: the Fragment header is 8 bytes; here only 4 follow the fixed header.
    n.s.input(n.en0, { data: frame(TO_HOST, PEER, G, 44, Uint8Array.of(17, 0, 0, 1)), pktId: 3 });
    expect(n.s.ip6!.stats.ip6.tooshort).toBe(1);
    expect(n.s.ip6!.stats.ip6.fragments).toBe(0);
    expect(drops(n)).toEqual(['truncated fragment header']);
  });
});

describe('reassembly drops (frag6_input)', () => {
  test('a non-final fragment whose length is not a multiple of 8 is an ip6 drop record and a Parameter Problem at the payload length', () => {
    const n = host();
    const fh = new Uint8Array(8 + 12);
    fh.set([17, 0, 0, 1, 0, 0, 0x12, 0x34]); // offset 0, M set, 12 bytes of data
    n.s.input(n.en0, { data: frame(TO_HOST, PEER, G, 44, fh), pktId: 4 });
    expect(n.s.ip6!.stats.ip6.fragdropped).toBe(1);
    // The trace record of the drop belongs to the ip6 layer, like every other IPv6 input drop.
    expect(drops(n)).toEqual(['fragment of 12 bytes (not a multiple of 8) with more following']);
    // RFC 8200 §4.5: Parameter Problem code 0 pointing at the Payload Length field.
    const errs = n.en0.snd.map((m) => m.data).filter((d) => d[20] === 58).map((d) => new Icmpv6Packet(d.subarray(54)));
    expect(errs.map((p) => [p.type, p.code, p.rest])).toEqual([[Icmp6Type.ParamProb, 0, 4]]);
  });
});

describe('ip6_forward and the next link MTU', () => {
  test('a router answers a packet bigger than the outgoing link MTU with Packet Too Big carrying that MTU, and does not forward it', () => {
    const r = makeStack6('00:50:c2:00:00:01', 3);
    const en1: Ifnet = fakeEther('en1', '00:50:c2:00:01:01');
    en1.mtu = 1280;
    r.s.attachInterface(en1, 'ether');
    en1.flags |= IFF_UP | IFF_RUNNING;
    r.s.ip6!.ifUp(en1);
    r.s.ip6!.setForwarding(true);
    r.s.ip6!.in6.add(r.en0, parseIpv6('2001:db8:1::1')!, 64);
    r.s.ip6!.in6.add(en1, parseIpv6('2001:db8:2::1')!, 64);
    run([r], 3 * S);
    const H1 = parseIpv6('2001:db8:1::11')!;
    const H2 = parseIpv6('2001:db8:2::22')!;
    r.s.ip6!.nd6.cacheLladdr(r.en0, H1, Uint8Array.from(PEER_MAC), false);
    r.s.ip6!.nd6.cacheLladdr(en1, H2, Uint8Array.of(0x00, 0x50, 0xc2, 0, 0, 0x22), false);
    r.en0.snd.length = 0;
    en1.snd.length = 0;
    const TO_R = [0x00, 0x50, 0xc2, 0, 0, 1];
    // 1200 bytes fit en1 (1280): forwarded.
    r.s.input(r.en0, { data: frame(TO_R, H1, H2, 17, udp(H1, H2, 9, new Array<number>(1200 - 48).fill(1))), pktId: 5 });
    expect(en1.snd.map((m) => m.data.length - 14)).toEqual([1200]);
    en1.snd.length = 0;
    // 1400 bytes do not: RFC 8200 §5 (routers never fragment), RFC 4443 §3.2; NetBSD ip6_forward's icmp6_error(PACKET_TOO_BIG, mtu).
    r.s.input(r.en0, { data: frame(TO_R, H1, H2, 17, udp(H1, H2, 9, new Array<number>(1400 - 48).fill(2))), pktId: 6 });
    expect(en1.snd).toHaveLength(0);
    const back = r.en0.snd.map((m) => m.data).filter((d) => d[20] === 58);
    expect(back).toHaveLength(1);
    const ip = new Ipv6Packet(back[0]!.subarray(14));
    expect(ipv6ToString(ip.dst)).toBe('2001:db8:1::11');
    const ptb = new Icmpv6Packet(ip.payload);
    expect([ptb.type, ptb.code, ptb.rest]).toEqual([Icmp6Type.PacketTooBig, 0, 1280]);
    expect(r.s.ip6!.stats.ip6.forward).toBe(1);
    expect(r.s.ip6!.stats.ip6.cantforward).toBe(1);
  });
});

describe('MLD listener timers (RFC 2710 §4; mld6.c)', () => {
  test('joining a group records the unsolicited repeat timer (interface, group, delay) and the repeat goes out when it says', () => {
    const n = makeStack6('00:50:c2:00:00:02', 11);
    run([n], 12 * S);
    n.sent.length = 0;
    n.env.traces.length = 0;
    const so = n.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
    const group = parseIpv6('ff12::1234')!;
    const t0 = n.env.t;
    expect(n.s.sockets.setsockopt(so, IPPROTO_IPV6, IPV6_JOIN_GROUP, { multiaddr: group, interface: 2 } as unknown as number)).toBe(0);
    const timers = n.env.traces.filter((r) => r.layer === 'mld' && r.probe === 'timer');
    expect(timers).toHaveLength(1);
    const f = timers[0]!.f as { if: string; group: string; ns: number };
    expect(f.if).toBe('en0');
    expect(f.group).toBe('ff12::1234');
    // The repeat comes within the Unsolicited Report Interval, in whole ticks.
    expect(f.ns).toBeGreaterThan(0);
    expect(f.ns).toBeLessThan(MLD_UNSOLICITED_REPORT_INTERVAL_S * S);
    expect(f.ns % MLD_TICK_NS).toBe(0);
    run([n], t0 + MLD_UNSOLICITED_REPORT_INTERVAL_S * S);
    const reports = n.sent.filter((x) => x.data[20] === 0 && x.data[62] === Icmp6Type.MldReport && x.data[85] === 0x34);
    expect(reports.map((x) => x.t - t0)).toEqual([0, f.ns]);
  });
});

describe('interface detach', () => {
  test('an interface attached but never brought up detaches quietly, the others keep working', () => {
    const n = makeStack6('00:50:c2:00:00:02', 7);
    const en1 = fakeEther('en1', '00:50:c2:00:01:02');
    n.s.attachInterface(en1, 'ether');
    run([n], 3 * S);
    // in6_ifdetach / mld: nothing was ever joined on en1, so there is nothing to stop.
    expect(() => n.s.detachInterface(en1)).not.toThrow();
    expect(n.s.ifs.list.map((i) => i.name)).not.toContain('en1');
    expect(n.s.ip6!.in6.isMember(n.en0, parseIpv6('ff02::1')!)).toBe(true);
  });
});

describe('default router selection (defrouter_select, RFC 4861 §6.3.6)', () => {
  test('further Router Advertisements from the installed default router leave the default route as it is', () => {
    const r = makeStack6('00:50:c2:00:00:01', 3);
    r.s.ip6!.setForwarding(true);
    r.s.ip6!.in6.add(r.en0, parseIpv6('2001:db8:1::1')!, 64);
    run([r], 3 * S);
    const h = makeStack6('00:50:c2:00:00:02', 4);
    h.env.t = r.env.t;
    r.s.ip6!.nd6.rtr.rtadv.start(r.en0);
    run([r, h], r.env.t + 10 * S);
    const routes = h.s.ip6!.routes;
    const def = routes.routes.find((x) => x.plen === 0)!;
    expect(ipv6ToString(def.gateway!)).toBe('fe80::250:c2ff:fe00:1');
    // Traffic through it counts on the entry (netstat -r's Use).
    const so = h.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
    expect(h.s.sockets.send(so, Uint8Array.of(1), sockaddrIn6(parseIpv6('2001:db8:99::5')!, 9), 1)).toBe(1);
    const use = def.use;
    expect(use).toBeGreaterThan(0);
    const mark = h.env.traces.length;
    run([r, h], h.env.t + 60 * S);
    const later = h.env.traces.slice(mark);
    expect(later.filter((x) => x.layer === 'nd6' && x.probe === 'ra-input').length).toBeGreaterThanOrEqual(1);
    // Same router still first: the route is neither deleted nor re-added.
    expect(later.filter((x) => x.layer === 'ip6' && (x.probe === 'route-add' || x.probe === 'route-delete') && String(x.f?.dst) === '::/0')).toEqual([]);
    expect(routes.routes.filter((x) => x.plen === 0)).toEqual([def]);
    expect(routes.routes.find((x) => x.plen === 0)).toBe(def);
    expect(def.use).toBe(use);
  });
});
