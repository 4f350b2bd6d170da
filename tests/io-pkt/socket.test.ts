import { Errno, type Co, type ThreadCtx } from '../../stack/kernel/api';
import { strerror } from '../../stack/lib/errno';
import { sockaddrIn, sockaddrIp4 } from '../../stack/include/netinet/in';
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, SO_RCVTIMEO } from '../../stack/include/sys/socket';
import { bind, close, connect as sconnect, errno, getsockname, recvfrom, sendto, setsockopt, socket } from '../../stack/lib/socket';
import { ipToString, parseIpv4 } from '../../stack/net/wire/addr';
import { connect } from './fake-net';
import { makeNode, newSim } from './rig';

interface Ev { what: string; t: number }

function programs(log: Ev[]) {
  const rec = (ctx: ThreadCtx, what: string) => {
    log.push({ what, t: ctx.now() });
    ctx.print(`${what}\n`);
  };
  const udprecv = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    if ((yield* bind(ctx, s, sockaddrIn(0, 7000))) < 0) return 1;
    if (argv[1]) yield* setsockopt(ctx, s, SOL_SOCKET, SO_RCVTIMEO, Number(argv[1]) * 1_000_000);
    if (argv[2] && argv[2] !== '0') yield* setsockopt(ctx, s, SOL_SOCKET, SO_RCVBUF, Number(argv[2]));
    const n = Number(argv[3] ?? 1);
    rec(ctx, 'recv start');
    if (argv[4]) yield* ctx.sleep(Number(argv[4]) * 1_000_000);
    for (let i = 0; i < n; i++) {
      const r = yield* recvfrom(ctx, s, 1500);
      if (r.n < 0) rec(ctx, `recvfrom: ${strerror(errno(ctx))}`);
      else rec(ctx, `got ${r.n} "${Buffer.from(r.data).toString()}" from ${ipToString(sockaddrIp4(r.from))}.${r.from!.port}`);
    }
    yield* close(ctx, s);
    return 0;
  };
  const udpsend = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    const to = sockaddrIn(parseIpv4(argv[1]!)!, Number(argv[2]));
    for (const text of argv.slice(3)) {
      rec(ctx, `send ${text}`);
      const n = yield* sendto(ctx, s, new TextEncoder().encode(text), 0, to);
      if (n < 0) rec(ctx, `sendto: ${strerror(errno(ctx))}`);
    }
    const me = yield* getsockname(ctx, s);
    rec(ctx, `from port ${me!.port}`);
    yield* close(ctx, s);
    return 0;
  };
  const refused = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    yield* sconnect(ctx, s, sockaddrIn(parseIpv4(argv[1]!)!, 9));
    yield* sendto(ctx, s, new Uint8Array([1, 2, 3]));
    yield* setsockopt(ctx, s, SOL_SOCKET, SO_RCVTIMEO, 500_000_000);
    const r = yield* recvfrom(ctx, s, 100);
    rec(ctx, r.n < 0 ? `recv: ${strerror(errno(ctx))}` : 'recv ok');
    return 0;
  };
  const families = function* (ctx: ThreadCtx): Co<number> {
    const a = yield* socket(ctx, AF_INET6, SOCK_DGRAM, 0);
    rec(ctx, `inet6: ${a} ${errno(ctx) === Errno.EAFNOSUPPORT ? 'EAFNOSUPPORT' : errno(ctx)}`);
    const b = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    rec(ctx, `stream: ${b >= 0 ? 'ok' : strerror(errno(ctx))}`);
    const c = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    rec(ctx, `dgram: ${c >= 0 ? 'ok' : strerror(errno(ctx))}`);
    return 0;
  };
  return { udprecv, udpsend, refused, families };
}

function pair() {
  const sim = newSim(11);
  const log: Ev[] = [];
  const a = makeNode(sim, 'alpha', { macBase: 1, programs: programs(log) });
  const b = makeNode(sim, 'beta', { macBase: 2, programs: programs(log) });
  connect(a.nics[0]!, b.nics[0]!, 100_000);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
  return { sim, log, a, b };
}

describe('sockets through the socket library and io-pkt', () => {
  test('recvfrom blocks until a datagram arrives; the reply unblocks the reader at that virtual time', () => {
    const { sim, log, a, b } = pair();
    b.run(['waitfor /dev/socket', 'sleep 0.1', 'udprecv']);
    b.run(['sleep 0.5', 'netstat -an']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'udpsend 10.0.0.2 7000 hello']);
    sim.queue.runUntil(5_000_000_000);
    expect(b.console()).toBe(
      'recv start\n' +
      'Active Internet connections (including servers)\nProto Recv-Q Send-Q  Local Address          Foreign Address        State\n' +
      'udp        0      0  *.7000                 *.*\n' +
      'got 5 "hello" from 10.0.0.1.65535\n',
    );
    const start = log.find((e) => e.what === 'recv start')!.t;
    const sent = log.find((e) => e.what === 'send hello')!.t;
    const got = log.find((e) => e.what.startsWith('got'))!.t;
    expect(sent - start).toBeGreaterThan(500_000_000);
    // The ARP exchange crosses the wire twice before the datagram does: at least 3 × 100 µs.
    expect(got - sent).toBeGreaterThan(300_000);
    expect(got - sent).toBeLessThan(2_000_000);
  });

  test('SO_RCVTIMEO: no data → EWOULDBLOCK when the timeout expires', () => {
    const { sim, log, b } = pair();
    b.run(['waitfor /dev/socket', 'udprecv 250']);
    sim.queue.runUntil(2_000_000_000);
    expect(b.console()).toBe('recv start\nrecvfrom: Resource temporarily unavailable\n');
    const start = log[0]!.t;
    const end = log[1]!.t;
    expect(end - start).toBeGreaterThanOrEqual(250_000_000);
    expect(end - start).toBeLessThan(250_100_000);
  });

  test('a small so_rcvbuf drops datagrams that do not fit; netstat -s counts them', () => {
    const { sim, a, b } = pair();
    // The reader sleeps 500 ms before reading: the three datagrams queue (ARP is primed by a ping first, as
    // an unresolved neighbour would hold only the newest datagram).
    b.run(['waitfor /dev/socket', 'udprecv 300 10 3 500']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'ping -q -c 1 10.0.0.2', 'udpsend 10.0.0.2 7000 aaaaaa bbbbbb cccc']);
    b.run(['sleep 1', 'netstat -s -p udp']);
    sim.queue.runUntil(3_000_000_000);
    const out = b.console();
    expect(out).toContain('got 6 "aaaaaa" from 10.0.0.1.65535\n');
    expect(out).toContain('got 4 "cccc" from 10.0.0.1.65535\n');
    expect(out).not.toContain('bbbbbb');
    expect(out).toContain('\t1 dropped due to full socket buffers\n');
    expect(out).toContain('recvfrom: Resource temporarily unavailable\n');
  });

  test('an unresolved neighbour holds only the newest datagram (ARP hold queue of one)', () => {
    const { sim, a, b } = pair();
    b.run(['waitfor /dev/socket', 'udprecv 300 0 2']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 0.1', 'udpsend 10.0.0.2 7000 first second', 'netstat -s -p arp']);
    sim.queue.runUntil(3_000_000_000);
    expect(b.console()).toBe('recv start\ngot 6 "second" from 10.0.0.1.65535\nrecvfrom: Resource temporarily unavailable\n');
    expect(a.console()).toContain('\t2 packets deferred pending ARP resolution\n\t\t1 sent\n\t\t1 dropped\n');
  });

  test('a connected socket learns ECONNREFUSED from the port unreachable', () => {
    const { sim, a } = pair();
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'refused 10.0.0.2', 'netstat -s -p icmp']);
    sim.queue.runUntil(3_000_000_000);
    expect(a.console()).toContain('recv: Connection refused\n');
    expect(a.console()).toContain('\t\tdestination unreachable: 1\n');
  });

  test('address families: EAFNOSUPPORT for a family io-pkt does not serve', () => {
    const { sim, b } = pair();
    b.run(['waitfor /dev/socket', 'families']);
    sim.queue.runUntil(1_000_000_000);
    expect(b.console()).toBe('inet6: -1 EAFNOSUPPORT\nstream: ok\ndgram: ok\n');
  });

  test('SOCK= selects a stack registered with prefix=', () => {
    const sim = newSim(12);
    const log: Ev[] = [];
    const n = makeNode(sim, 'alpha', { programs: programs(log) });
    n.run(['io-pkt-v4 -dfake -ptcpip prefix=/alt', 'waitfor /alt/dev/socket', 'families', 'SOCK=/alt', 'families']);
    sim.queue.runUntil(1_000_000_000);
    expect(n.console()).toBe(
      'inet6: -1 EAFNOSUPPORT\nstream: Address family not supported by protocol family\ndgram: Address family not supported by protocol family\n' +
      'inet6: -1 EAFNOSUPPORT\nstream: ok\ndgram: ok\n',
    );
  });
});
