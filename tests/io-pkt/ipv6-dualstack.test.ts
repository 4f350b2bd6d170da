/**
 * Dual-stack sockets on io-pkt-v6-hc: an AF_INET6 TCP listener with IPV6_V6ONLY 0 accepts an IPv4 client and
 * reports it as ::ffff:a.b.c.d (accept, getpeername) with its own address mapped (getsockname), the
 * connection running over IPv4; a dual-stack UDP socket answers an IPv4 datagram; with V6ONLY left at
 * NetBSD's default (net.inet6.ip6.v6only=1) the IPv4 client is refused.
 */
import { Errno, type Co, type ProgramMain, type ThreadCtx } from '../../stack/kernel/api';
import { IPPROTO_IPV6, IPV6_V6ONLY, sockaddrIn, sockaddrIn6, sockaddrToString, type SockAddr } from '../../stack/include/netinet/in';
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM } from '../../stack/include/sys/socket';
import {
  accept, bind, close, connect, errno, getpeername, getsockname, getsockopt, listen, recvfrom, send, sendto, setsockopt, socket,
} from '../../stack/lib/socket';
import { parseIpv4 } from '../../stack/net/wire/addr';
import { parseIpv6 } from '../../stack/net/wire/addr6';
import { Ipv4Packet } from '../../stack/net/wire/ipv4';
import { connect as cable } from './fake-net';
import { makeNode, newSim } from './rig';

const name = (sa: SockAddr | null): string => (sa ? sockaddrToString(sa) : '?');

/** `srv6 PROTO V6ONLY PORT`: an AF_INET6 server on [::]:PORT; one client (tcp) or datagram (udp), echoed. */
const srv6: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const [proto, v6only, port] = [argv[1]!, argv[2]!, Number(argv[3])];
  const s = yield* socket(ctx, AF_INET6, proto === 'tcp' ? SOCK_STREAM : SOCK_DGRAM, 0);
  // "-": keep what the socket started with (net.inet6.ip6.v6only).
  if (v6only !== '-' && (yield* setsockopt(ctx, s, IPPROTO_IPV6, IPV6_V6ONLY, Number(v6only))) < 0) return 1;
  ctx.print(`srv6: IPV6_V6ONLY ${yield* getsockopt(ctx, s, IPPROTO_IPV6, IPV6_V6ONLY)}\n`);
  if ((yield* bind(ctx, s, sockaddrIn6(new Uint8Array(16), port))) < 0) return 1;
  if (proto === 'udp') {
    const r = yield* recvfrom(ctx, s, 100);
    ctx.print(`srv6: ${r.n} bytes from ${name(r.from)}\n`);
    yield* sendto(ctx, s, r.data, 0, r.from);
    yield* close(ctx, s);
    return 0;
  }
  if ((yield* listen(ctx, s, 5)) < 0) return 1;
  const c = yield* accept(ctx, s);
  if (c.fd < 0) return 1;
  ctx.print(`srv6: accepted ${name(c.addr)}; sockname ${name(yield* getsockname(ctx, c.fd))} peername ${name(yield* getpeername(ctx, c.fd))}\n`);
  const r = yield* recvfrom(ctx, c.fd, 100);
  ctx.print(`srv6: read "${new TextDecoder().decode(r.data)}"\n`);
  yield* send(ctx, c.fd, r.data);
  yield* close(ctx, c.fd);
  yield* close(ctx, s);
  return 0;
};

/** `cli4 PROTO ADDR PORT TEXT`: an AF_INET client, or AF_INET6 with V6ONLY 0 for an IPv6 (mapped) ADDR; prints what comes back. */
const cli4: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const [proto, port, text] = [argv[1]!, Number(argv[3]), argv[4]!];
  const v6 = argv[2]!.includes(':');
  const to = v6 ? sockaddrIn6(parseIpv6(argv[2]!)!, port) : sockaddrIn(parseIpv4(argv[2]!)!, port);
  const s = yield* socket(ctx, v6 ? AF_INET6 : AF_INET, proto === 'tcp' ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (v6 && (yield* setsockopt(ctx, s, IPPROTO_IPV6, IPV6_V6ONLY, 0)) < 0) return 1;
  if ((yield* connect(ctx, s, to)) < 0) {
    ctx.print(`cli4: connect: errno ${errno(ctx)}\n`);
    return 1;
  }
  yield* send(ctx, s, new TextEncoder().encode(text));
  const r = yield* recvfrom(ctx, s, 100);
  ctx.print(`cli4: got "${new TextDecoder().decode(r.data)}" from ${name(yield* getpeername(ctx, s))} as ${name(yield* getsockname(ctx, s))}\n`);
  yield* close(ctx, s);
  return 0;
};

function setup() {
  const sim = newSim(5);
  const a = makeNode(sim, 'alpha', { macBase: 1, programs: { srv6, cli4 } });
  const b = makeNode(sim, 'beta', { macBase: 2, programs: { srv6, cli4 } });
  cable(a.nics[0]!, b.nics[0]!, 200_000);
  return { sim, a, b };
}

describe('dual-stack AF_INET6 sockets (IPV6_V6ONLY 0)', () => {
  test('an AF_INET6 TCP listener accepts an IPv4 client as ::ffff:10.0.0.1, over IPv4 on the wire', () => {
    const { sim, a, b } = setup();
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'srv6 tcp 0 8000']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'cli4 tcp 10.0.0.2 8000 hello']);
    sim.queue.runUntil(4_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(b.k.crashes).toEqual([]);
    const out = b.console();
    expect(out).toMatch(/srv6: accepted ::ffff:10\.0\.0\.1\.\d+; sockname ::ffff:10\.0\.0\.2\.8000 peername ::ffff:10\.0\.0\.1\.\d+\n/);
    expect(out).toContain('srv6: read "hello"\n');
    expect(a.console()).toMatch(/cli4: got "hello" from 10\.0\.0\.2\.8000 as 10\.0\.0\.1\.\d+\n/);
    // Everything beta sent was IPv4 or ARP: no IPv6 header carried a mapped address.
    const types = new Set(b.nics[0]!.sent.map((f) => (f.data[12]! << 8) | f.data[13]!));
    const v4 = b.nics[0]!.sent.filter((f) => f.data[12] === 0x08 && f.data[13] === 0);
    expect(v4.some((f) => new Ipv4Packet(f.data.subarray(14)).protocol === 6)).toBe(true);
    expect([...types].every((t) => t === 0x0800 || t === 0x0806 || t === 0x86dd)).toBe(true);
    for (const f of b.nics[0]!.sent.filter((x) => x.data[12] === 0x86 && x.data[13] === 0xdd)) {
      expect(f.data.subarray(22, 34).join(',')).not.toBe('0,0,0,0,0,0,0,0,0,0,255,255'); // no mapped source
      expect(f.data.subarray(38, 50).join(',')).not.toBe('0,0,0,0,0,0,0,0,0,0,255,255'); // no mapped destination
    }
    expect(b.iopkt().stack.tcp.stats.accepts).toBe(1);
  });

  test('a dual-stack UDP socket answers an IPv4 datagram; V6ONLY=1 (the default) refuses the TCP client', () => {
    const { sim, a, b } = setup();
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'srv6 udp 0 9000', 'srv6 tcp 1 8001']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'cli4 udp 10.0.0.2 9000 ping', 'cli4 tcp 10.0.0.2 8001 x']);
    sim.queue.runUntil(4_000_000_000);
    expect(b.console()).toMatch(/srv6: 4 bytes from ::ffff:10\.0\.0\.1\.\d+\n/);
    expect(a.console()).toMatch(/cli4: got "ping" from 10\.0\.0\.2\.9000 as /);
    expect(a.console()).toContain(`cli4: connect: errno ${Errno.ECONNREFUSED}\n`); // a RST: no listener takes IPv4
  });

  test('an AF_INET6 client connects to ::ffff:10.0.0.2: the connection runs over IPv4, both ends see mapped names', () => {
    const { sim, a, b } = setup();
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'srv6 tcp 0 8000']);
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'cli4 tcp ::ffff:10.0.0.2 8000 mapped']);
    sim.queue.runUntil(4_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(b.console()).toMatch(/srv6: accepted ::ffff:10\.0\.0\.1\.\d+; sockname ::ffff:10\.0\.0\.2\.8000/);
    expect(b.console()).toContain('srv6: read "mapped"\n');
    expect(a.console()).toMatch(/cli4: got "mapped" from ::ffff:10\.0\.0\.2\.8000 as ::ffff:10\.0\.0\.1\.\d+\n/);
    const tcp6out = a.nics[0]!.sent.filter((f) => f.data[12] === 0x86 && f.data[13] === 0xdd && f.data[20] === 6);
    expect(tcp6out).toHaveLength(0);
  });

  test('net.inet6.ip6.v6only: 1 by default (NetBSD); sysctl -w net.inet6.ip6.v6only=0 makes new AF_INET6 sockets dual-stack', () => {
    const { sim, a, b } = setup();
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'sysctl net.inet6.ip6.v6only',
      'sysctl -w net.inet6.ip6.v6only=0', 'srv6 tcp - 8000']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'cli4 tcp 10.0.0.2 8000 viasysctl']);
    sim.queue.runUntil(4_000_000_000);
    const out = b.console();
    expect(out).toContain('net.inet6.ip6.v6only = 1\nnet.inet6.ip6.v6only: 1 -> 0\nsrv6: IPV6_V6ONLY 0\n');
    expect(out).toContain('srv6: read "viasysctl"\n');
  });
});
