import { Errno } from '../../stack/kernel/api';
import { AF_INET6, SOCK_DGRAM, SOCK_RAW } from '../../stack/include/sys/socket';
import { IPPROTO_ICMPV6, sockaddrIn6, type SockAddrIn6 } from '../../stack/include/netinet/in';
import { ND6_LLINFO_DELAY, ND6_LLINFO_INCOMPLETE, ND6_LLINFO_PROBE, ND6_LLINFO_REACHABLE, ND6_LLINFO_STALE } from '../../stack/net/ip6/nd6';
import type { Socket } from '../../stack/net/socket';
import { ipv6ToString, parseIpv6 } from '../../stack/net/wire/addr6';
import { Icmp6Type } from '../../stack/net/wire/icmpv6';
import { makeStack6, run, MS, S, type Node6 } from './ip6-harness';

const LL_A = new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x50, 0xc2, 0xff, 0xfe, 0, 0, 0x01]); // fe80::250:c2ff:fe00:1
const LL_B = new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x50, 0xc2, 0xff, 0xfe, 0, 0, 0x02]); // fe80::250:c2ff:fe00:2

function echo(seq: number, data = 8): Uint8Array {
  const m = new Uint8Array(8 + data);
  m[0] = Icmp6Type.EchoRequest;
  m[4] = 0x12;
  m[5] = 0x34;
  m[7] = seq;
  return m;
}

function setup(): { a: Node6; b: Node6; so: Socket } {
  const a = makeStack6('00:50:c2:00:00:01', 11);
  const b = makeStack6('00:50:c2:00:00:02', 22);
  run([a, b], 3 * S); // DAD done on both
  a.env.traces.length = 0;
  b.env.traces.length = 0;
  const so = a.s.sockets.create(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) as Socket;
  return { a, b, so };
}

describe('neighbour discovery between two stacks', () => {
  test('echo to a link-local address: NS/NA resolves, the held request goes, the reply comes back', () => {
    const { a, b, so } = setup();
    const scope = a.s.ip6!.indexOf(a.en0);
    expect(a.s.sockets.send(so, echo(0), sockaddrIn6(LL_B, 0, scope), 1)).toBe(16);
    const ln = a.s.ip6!.nd6.lookup(a.en0, LL_B)!;
    expect(ln.state).toBe(ND6_LLINFO_INCOMPLETE);
    run([a, b], a.env.t + 10 * MS);
    // a: NS (multicast to ff02::1:ff00:2), b answers NA (solicited, override), a sends the held echo.
    const nsA = a.sent.filter((f) => f.data[54] === Icmp6Type.NeighborSolicit);
    expect(nsA.at(-1)!.data.subarray(0, 6)).toEqual(Uint8Array.of(0x33, 0x33, 0xff, 0, 0, 2));
    expect(ln.state).toBe(ND6_LLINFO_REACHABLE);
    // b learnt a from the NS's source link-layer option: STALE, then DELAY when it sends the reply.
    const lnB = b.s.ip6!.nd6.lookup(b.en0, LL_A)!;
    expect(lnB.state).toBe(ND6_LLINFO_DELAY);
    const recs = so.rcv.records.filter((r) => r.data[0] === Icmp6Type.EchoReply);
    expect(recs).toHaveLength(1);
    expect((recs[0]!.from as SockAddrIn6).scopeId).toBe(scope);
    expect(ipv6ToString((recs[0]!.from as SockAddrIn6).addr)).toBe('fe80::250:c2ff:fe00:2');
    expect((recs[0] as unknown as { hlim: number }).hlim).toBe(64);
    expect(b.s.ip6!.stats.icmp6.inhist[Icmp6Type.EchoRequest]).toBe(1);
  });

  test('STALE → DELAY → PROBE → REACHABLE: after DELAY_FIRST_PROBE_TIME a unicast NS confirms', () => {
    const { a, b, so } = setup();
    const scope = a.s.ip6!.indexOf(a.en0);
    a.s.sockets.send(so, echo(0), sockaddrIn6(LL_B, 0, scope), 1);
    run([a, b], a.env.t + 10 * MS);
    const lnB = b.s.ip6!.nd6.lookup(b.en0, LL_A)!;
    const tDelay = b.env.traces.find((r) => r.probe === 'state' && r.f!.to === 'D')!;
    expect(tDelay).toBeDefined();
    // b's DELAY expires 5 s later: PROBE with a unicast NS to a; a answers solicited → REACHABLE.
    const t0 = b.env.t;
    run([a, b], t0 + 6 * S);
    const probe = b.sent.find((f) => f.data[54] === Icmp6Type.NeighborSolicit && f.data[0] === 0x00);
    expect(probe).toBeDefined();
    expect(b.env.traces.some((r) => r.probe === 'state' && r.f!.to === 'P')).toBe(true);
    expect(lnB.state).toBe(ND6_LLINFO_REACHABLE);
    void ND6_LLINFO_PROBE;
  });

  test('REACHABLE becomes STALE after ReachableTime (randomized 15..45 s)', () => {
    const { a, b, so } = setup();
    const scope = a.s.ip6!.indexOf(a.en0);
    a.s.sockets.send(so, echo(0), sockaddrIn6(LL_B, 0, scope), 1);
    run([a, b], a.env.t + 10 * MS);
    const ln = a.s.ip6!.nd6.lookup(a.en0, LL_B)!;
    expect(ln.state).toBe(ND6_LLINFO_REACHABLE);
    const reach = a.s.ip6!.nd6.ndi(a.en0).reachable;
    expect(reach).toBeGreaterThanOrEqual(15_000);
    expect(reach).toBeLessThanOrEqual(45_000);
    const tr = a.env.traces.filter((r) => r.probe === 'state' && r.f!.to === 'R').at(-1)!;
    expect(tr).toBeDefined();
    const t1 = ln.expire!;
    run([a, b], t1 - 1);
    expect(ln.state).toBe(ND6_LLINFO_REACHABLE);
    run([a, b], t1);
    expect(ln.state).toBe(ND6_LLINFO_STALE);
  });

  test('no answer: 3 NS one RetransTimer apart, then the held packet bounces as address unreachable', () => {
    const { a, so } = setup();
    const scope = a.s.ip6!.indexOf(a.en0);
    const ghost = parseIpv6('fe80::99')!;
    const t0 = a.env.t;
    a.s.sockets.send(so, echo(0), sockaddrIn6(ghost, 0, scope), 1);
    run([a], t0 + 5 * S);
    const ns = a.sent.filter((f) => f.t >= t0 && f.data[54] === Icmp6Type.NeighborSolicit);
    expect(ns.map((f) => f.t - t0)).toEqual([0, 1 * S, 2 * S]);
    expect(a.s.ip6!.nd6.lookup(a.en0, ghost)).toBeUndefined();
    // icmp6_error about our own packet comes back to us through lo0: raw socket sees DstUnreach code 3.
    const err = so.rcv.records.find((r) => r.data[0] === Icmp6Type.DstUnreach);
    expect(err).toBeDefined();
    expect(err!.data[1]).toBe(3);
    expect(a.s.ip6!.stats.icmp6.outerrhist.dst_unreach_addr).toBe(1);
  });

  test('UDP over IPv6: datagram delivered with its source; no socket → port unreachable quoting the packet', () => {
    const { a, b } = setup();
    const scope = a.s.ip6!.indexOf(a.en0);
    const rx = b.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
    expect(b.s.sockets.bindAddr(rx, sockaddrIn6(new Uint8Array(16), 7000))).toBe(0);
    const tx = a.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
    expect(a.s.sockets.send(tx, Uint8Array.of(1, 2, 3), sockaddrIn6(LL_B, 7000, scope), 5)).toBe(3);
    run([a, b], a.env.t + 10 * MS);
    const r = rx.rcv.records[0]!;
    expect([...r.data]).toEqual([1, 2, 3]);
    expect((r.from as SockAddrIn6).port).toBe(tx.lport);
    // Connected socket to a closed port: ICMPv6 port unreachable → ECONNREFUSED.
    const c = a.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
    expect(a.s.sockets.connectAddr(c, sockaddrIn6(LL_B, 7001, scope))).toBe(0);
    expect(a.s.sockets.send(c, Uint8Array.of(9), null, 6)).toBe(1);
    run([a, b], a.env.t + 10 * MS);
    expect(b.s.ip6!.stats.udp6.noport).toBe(1);
    const unreach = b.sent.find((f) => f.data[54] === Icmp6Type.DstUnreach)!;
    expect(unreach.data[55]).toBe(4);
    // The quote: the offending IPv6 header starts 8 bytes into the message.
    expect(unreach.data.subarray(62, 62 + 8)[0]! >> 4).toBe(6);
    expect(c.error).toBe(Errno.ECONNREFUSED);
  });
});
