/** AF_INET6 sockets through libsocket and io-pkt-v6-hc: sockaddr_in6 through bind/connect/accept/getsockname/getpeername, select. */
import type { Co, ThreadCtx } from '../../stack/kernel/api';
import { strerror } from '../../stack/lib/errno';
import { sockaddrIn6, sockaddrToString, type SockAddrIn6 } from '../../stack/include/netinet/in';
import { AF_INET6, SOCK_DGRAM, SOCK_STREAM } from '../../stack/include/sys/socket';
import { select } from '../../stack/lib/select';
import { accept, bind, close, connect, errno, getpeername, getsockname, listen, recvfrom, send, sendto, socket } from '../../stack/lib/socket';
import { parseIpv6 } from '../../stack/net/wire/addr6';
import { connect as wire } from './fake-net';
import { makeNode, newSim } from './rig';

function programs(out: string[]) {
  const rec = (ctx: ThreadCtx, s: string) => {
    out.push(s);
    ctx.print(`${s}\n`);
  };
  const err = (ctx: ThreadCtx) => strerror(errno(ctx));
  /** serv6 PORT: TCP listener on [::]:PORT, accept one, echo one read, close; then UDP on PORT with select. */
  const serv6 = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const port = Number(argv[1]);
    const s = yield* socket(ctx, AF_INET6, SOCK_STREAM, 0);
    if (s < 0) return rec(ctx, `socket: ${err(ctx)}`), 1;
    if ((yield* bind(ctx, s, sockaddrIn6(new Uint8Array(16), port))) < 0) return rec(ctx, `bind: ${err(ctx)}`), 1;
    yield* listen(ctx, s, 1);
    const a = yield* accept(ctx, s);
    if (a.fd < 0) return rec(ctx, `accept: ${err(ctx)}`), 1;
    rec(ctx, `accepted ${sockaddrToString(a.addr!)} on ${sockaddrToString((yield* getsockname(ctx, a.fd))!)}`);
    const r = yield* recvfrom(ctx, a.fd, 100);
    yield* send(ctx, a.fd, r.data);
    yield* close(ctx, a.fd);
    yield* close(ctx, s);
    const u = yield* socket(ctx, AF_INET6, SOCK_DGRAM, 0);
    yield* bind(ctx, u, sockaddrIn6(new Uint8Array(16), port));
    const rd = new Set([u]);
    const n = yield* select(ctx, u + 1, rd, null, null, 2_000_000_000);
    const d = yield* recvfrom(ctx, u, 100);
    rec(ctx, `select ${n} udp "${Buffer.from(d.data).toString()}" from ${d.from ? sockaddrToString(d.from) : '?'}`);
    return 0;
  };
  const cli6 = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const dst = sockaddrIn6(parseIpv6(argv[1]!)!, Number(argv[2]));
    const s = yield* socket(ctx, AF_INET6, SOCK_STREAM, 0);
    if ((yield* connect(ctx, s, dst)) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    const peer = (yield* getpeername(ctx, s)) as SockAddrIn6;
    rec(ctx, `connected to ${sockaddrToString(peer)}`);
    yield* send(ctx, s, new TextEncoder().encode('six'));
    const r = yield* recvfrom(ctx, s, 100);
    rec(ctx, `echo "${Buffer.from(r.data).toString()}"`);
    yield* close(ctx, s);
    yield* ctx.sleep(100_000_000);
    const u = yield* socket(ctx, AF_INET6, SOCK_DGRAM, 0);
    yield* sendto(ctx, u, new TextEncoder().encode('dgram6'), 0, dst);
    return 0;
  };
  return { serv6, cli6 };
}

test('TCP and UDP over IPv6 between two io-pkt-v6-hc nodes', () => {
  const sim = newSim(51);
  const out: string[] = [];
  const a = makeNode(sim, 'alpha', { macBase: 1, programs: programs(out) });
  const b = makeNode(sim, 'beta', { macBase: 2, programs: programs(out) });
  wire(a.nics[0]!, b.nics[0]!, 100_000);
  a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 inet6 fd00::1 prefixlen 64 up']);
  b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 inet6 fd00::2 prefixlen 64 up', 'serv6 6000']);
  a.run(['sleep 3', 'cli6 fd00::2 6000']);
  sim.queue.runUntil(8_000_000_000);
  expect(a.console()).toBe('connected to fd00::2.6000\necho "six"\n');
  expect(b.console()).toMatch(/^accepted fd00::1\.\d+ on fd00::2\.6000\nselect 1 udp "dgram6" from fd00::1\.\d+\n$/);
});
