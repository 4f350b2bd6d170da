/**
 * IPv6 multicast between io-pkt-v6-hc nodes: IPV6_JOIN_GROUP on a UDP6 socket programs the interface's
 * multicast list (33:33 + the group's low 32 bits) and sends an MLD report; datagrams to the group reach every
 * member socket with the hop limit the sender set (IPV6_MULTICAST_IF/HOPS); before the join they are dropped
 * (not a member); closing the last member sends an MLD Done and takes the address off the list.
 */
import type { Co, ProgramMain, ThreadCtx } from '../../stack/kernel/api';
import { IPPROTO_IPV6, IPV6_JOIN_GROUP, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, sockaddrIn6, type SockAddrIn6 } from '../../stack/include/netinet/in';
import { AF_INET6, SOCK_DGRAM, SOL_SOCKET, SO_REUSEADDR } from '../../stack/include/sys/socket';
import { bind, close, errno, recvfrom, sendto, setsockopt, socket } from '../../stack/lib/socket';
import type { Ipv6Mreq } from '../../stack/net/ip6/sock6';
import { ipv6ToString, parseIpv6 } from '../../stack/net/wire/addr6';
import { macToString } from '../../stack/net/wire/addr';
import { Ipv6Packet } from '../../stack/net/wire/ipv6';
import { connect } from './fake-net';
import { makeNode, newSim } from './rig';

/** `m6recv NAME GROUP IFINDEX PORT COUNT`: join, print COUNT datagrams with their hop limit, close. */
const m6recv: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const [name, group, ifindex, port, count] = [argv[1]!, parseIpv6(argv[2]!)!, Number(argv[3]), Number(argv[4]), Number(argv[5])];
  const s = yield* socket(ctx, AF_INET6, SOCK_DGRAM, 0);
  // Several listeners on one port (NetBSD: SO_REUSEADDR on each, for a multicast bind).
  if ((yield* setsockopt(ctx, s, SOL_SOCKET, SO_REUSEADDR, 1)) < 0) return 1;
  if ((yield* bind(ctx, s, sockaddrIn6(new Uint8Array(16), port))) < 0) {
    ctx.print(`${name}: bind: errno ${errno(ctx)}\n`);
    return 1;
  }
  const mreq: Ipv6Mreq = { multiaddr: group, interface: ifindex };
  // The library's value type lists ints and struct linger; the message carries the ipv6_mreq as it is.
  if ((yield* setsockopt(ctx, s, IPPROTO_IPV6, IPV6_JOIN_GROUP, mreq as unknown as number)) < 0) {
    ctx.print(`${name}: IPV6_JOIN_GROUP: errno ${errno(ctx)}\n`);
    return 1;
  }
  ctx.print(`${name}: joined\n`);
  for (let i = 0; i < count; i++) {
    const r = yield* recvfrom(ctx, s, 200, 0);
    const from = r.from as SockAddrIn6;
    ctx.print(`${name}: ${r.n} bytes from [${ipv6ToString(from.addr)}] hlim=${r.hlim}: ${new TextDecoder().decode(r.data)}\n`);
  }
  yield* close(ctx, s);
  return 0;
};

/** `m6send GROUP IFINDEX PORT HOPS TEXT...`: one datagram per TEXT to the group out of the interface. */
const m6send: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const [group, ifindex, port, hops] = [parseIpv6(argv[1]!)!, Number(argv[2]), Number(argv[3]), Number(argv[4])];
  const s = yield* socket(ctx, AF_INET6, SOCK_DGRAM, 0);
  if ((yield* setsockopt(ctx, s, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex)) < 0) return 1;
  if ((yield* setsockopt(ctx, s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hops)) < 0) return 1;
  for (const text of argv.slice(5)) {
    const n = yield* sendto(ctx, s, new TextEncoder().encode(text), 0, sockaddrIn6(group, port, ifindex));
    ctx.print(`m6send: ${n}\n`);
  }
  yield* close(ctx, s);
  return 0;
};

describe('IPv6 multicast sockets', () => {
  test('IPV6_JOIN_GROUP: MLD report, NIC filter, delivery to every member socket with the sender\'s hop limit, Done on close', () => {
    const sim = newSim(5);
    const a = makeNode(sim, 'alpha', { macBase: 1, programs: { m6recv, m6send } });
    const b = makeNode(sim, 'beta', { macBase: 2, programs: { m6recv, m6send } });
    connect(a.nics[0]!, b.nics[0]!, 200_000);
    const multi: string[] = [];
    sim.tracer.addSink((r) => {
      if (r.node === 'beta' && r.layer === 'ifnet' && (r.probe === 'addmulti' || r.probe === 'delmulti')) multi.push(`${r.probe} ${String(r.f?.['mac'])}`);
    });
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'sleep 3', 'm6recv r1 ff12::1234 2 9000 2']);
    b.run(['sleep 3', 'm6recv r2 ff12::1234 2 9000 2']);
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'sleep 2', 'm6send ff12::1234 2 9000 5 early',
      'sleep 2', 'm6send ff12::1234 2 9000 5 one two']);
    sim.queue.runUntil(8_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(b.k.crashes).toEqual([]);
    expect(a.console()).toBe('m6send: 5\nm6send: 3\nm6send: 3\n');
    const out = b.console();
    for (const r of ['r1', 'r2']) {
      expect(out).toContain(`${r}: joined\n`);
      const lines = out.split('\n').filter((l) => l.startsWith(`${r}: 3 bytes`));
      expect(lines).toEqual([`${r}: 3 bytes from [fe80::250:c2ff:fe00:1] hlim=5: one`, `${r}: 3 bytes from [fe80::250:c2ff:fe00:1] hlim=5: two`]);
    }
    expect(out).not.toContain('early');
    const st = b.iopkt().stack;
    expect(st.ip6!.stats.ip6.notmember).toBeGreaterThanOrEqual(1); // "early", before anyone joined
    // The group's MAC went on the list once (two sockets, one in6_multi) and came off when the last closed.
    expect(multi.filter((x) => x.endsWith('33:33:00:00:12:34'))).toEqual(['addmulti 33:33:00:00:12:34', 'delmulti 33:33:00:00:12:34']);
    expect(st.ifs.byName('en0')!.multicast.map(macToString)).not.toContain('33:33:00:00:12:34');
    // What beta sent about the group: MLD reports (to the group) and one Done (to ff02::2), hop limit 1.
    const mld = b.nics[0]!.sent.map((f) => f.data).filter((d) => d[12] === 0x86 && d[13] === 0xdd && d[20] === 0 && d[54] === 58)
      .map((d) => ({ type: d[62]!, group: ipv6ToString(d.subarray(70, 86)), dst: ipv6ToString(new Ipv6Packet(d.subarray(14)).dst), hlim: d[21]! }))
      .filter((m) => m.group === 'ff12::1234');
    expect(mld.length).toBeGreaterThanOrEqual(2);
    expect(mld[0]).toEqual({ type: 131, group: 'ff12::1234', dst: 'ff12::1234', hlim: 1 });
    expect(mld[mld.length - 1]).toEqual({ type: 132, group: 'ff12::1234', dst: 'ff02::2', hlim: 1 });
    expect(mld.filter((m) => m.type === 132)).toHaveLength(1);
  });
});
