/**
 * select/poll through io_notify, non-blocking descriptors and client-death cleanup, on datagram and raw
 * sockets (two simulated nodes with io-pkt on a test wire).
 */
import { Errno, type Co, type ThreadCtx } from '../../stack/kernel/api';
import { DEFAULT_COSTS } from '../../stack/kernel/costs';
import { strerror } from '../../stack/lib/errno';
import { sockaddrIn } from '../../stack/include/netinet/in';
import { F_GETFL, F_SETFL, FIONBIO, O_NONBLOCK } from '../../stack/include/fcntl';
import { POLLIN, POLLNVAL, POLLOUT } from '../../stack/include/sys/poll';
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_RAW, SOL_SOCKET, SO_RCVTIMEO } from '../../stack/include/sys/socket';
import { IPPROTO_ICMP } from '../../stack/include/netinet/in';
import { poll, select } from '../../stack/lib/select';
import { bind, close, errno, fcntl, getsockname, ioctl, recvfrom, sendto, setsockopt, socket } from '../../stack/lib/socket';
import { IcmpPacket, IcmpType } from '../../stack/net/wire/icmp';
import { parseIpv4 } from '../../stack/net/wire/addr';
import { SELECT_TIMER_CODE } from '../../stack/lib/select';
import { connect } from './fake-net';
import { makeNode, newSim, type TestNode } from './rig';

interface Ev { what: string; t: number }

function programs(log: Ev[]) {
  const rec = (ctx: ThreadCtx, what: string) => {
    log.push({ what, t: ctx.now() });
    ctx.print(`${what}\n`);
  };
  /** Two UDP sockets (7000, 7001); select for reading with a timeout (ms, or "inf"), then read what is ready. */
  const selrd = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const a = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    const b = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    yield* bind(ctx, a, sockaddrIn(0, 7000));
    yield* bind(ctx, b, sockaddrIn(0, 7001));
    const rounds = Number(argv[2] ?? 1);
    for (let i = 0; i < rounds; i++) {
      const rd = new Set([a, b]);
      rec(ctx, 'select');
      const n = yield* select(ctx, Math.max(a, b) + 1, rd, null, null, argv[1] === 'inf' ? null : Number(argv[1]) * 1_000_000);
      const ports = [...rd].map((fd) => (fd === a ? 7000 : 7001));
      rec(ctx, n < 0 ? `select: ${strerror(errno(ctx))}` : `select ${n} [${ports.join(',')}]`);
      for (const fd of rd) {
        const r = yield* recvfrom(ctx, fd, 100);
        rec(ctx, `read ${Buffer.from(r.data).toString()}`);
      }
    }
    return 0;
  };
  const udpsend = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    const to = sockaddrIn(parseIpv4(argv[1]!)!, Number(argv[2]));
    for (const text of argv.slice(3)) yield* sendto(ctx, s, new TextEncoder().encode(text), 0, to);
    yield* close(ctx, s);
    return 0;
  };
  /** poll: a UDP socket is writable at once; POLLIN waits for a datagram; a closed fd is POLLNVAL. */
  const pollrd = function* (ctx: ThreadCtx): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    yield* bind(ctx, s, sockaddrIn(0, 7000));
    const p1 = [{ fd: s, events: POLLIN | POLLOUT, revents: 0 }];
    rec(ctx, `poll ${yield* poll(ctx, p1, 1000)} in=${(p1[0]!.revents & POLLIN) !== 0} out=${(p1[0]!.revents & POLLOUT) !== 0}`);
    const p2 = [{ fd: s, events: POLLIN, revents: 0 }, { fd: 999, events: POLLIN, revents: 0 }, { fd: -1, events: POLLIN, revents: 0 }];
    rec(ctx, `poll ${yield* poll(ctx, p2, 1000)} nval=${p2[1]!.revents === POLLNVAL} skipped=${p2[2]!.revents === 0} in=${p2[0]!.revents !== 0}`);
    const p3 = [{ fd: s, events: POLLIN, revents: 0 }];
    rec(ctx, `poll ${yield* poll(ctx, p3, -1)} in=${(p3[0]!.revents & POLLIN) !== 0}`);
    const r = yield* recvfrom(ctx, s, 100);
    rec(ctx, `read ${Buffer.from(r.data).toString()}`);
    return 0;
  };
  /** O_NONBLOCK through fcntl and FIONBIO. */
  const nbrecv = function* (ctx: ThreadCtx): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    yield* bind(ctx, s, sockaddrIn(0, 7000));
    const fl = yield* fcntl(ctx, s, F_GETFL);
    yield* fcntl(ctx, s, F_SETFL, fl | O_NONBLOCK);
    rec(ctx, `flags ${(yield* fcntl(ctx, s, F_GETFL)) & O_NONBLOCK ? 'nonblock' : 'block'}`);
    let r = yield* recvfrom(ctx, s, 100);
    rec(ctx, `recv ${r.n} ${errno(ctx) === Errno.EAGAIN ? 'EWOULDBLOCK' : errno(ctx)}`);
    yield* ioctl(ctx, s, FIONBIO, { on: 0 });
    yield* setsockopt(ctx, s, SOL_SOCKET, SO_RCVTIMEO, 100_000_000);
    r = yield* recvfrom(ctx, s, 100);
    rec(ctx, `recv ${r.n} ${strerror(errno(ctx))}`);
    rec(ctx, `badfd ${yield* fcntl(ctx, 999, F_GETFL)} ${errno(ctx) === Errno.EBADF ? 'EBADF' : errno(ctx)}`);
    return 0;
  };
  /** A raw ICMP socket as ping uses one: send an echo request, select for the reply (1 s). */
  const rawping = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_RAW, IPPROTO_ICMP);
    const pkt = new Uint8Array(16);
    const icp = new IcmpPacket(pkt);
    icp.type = IcmpType.Echo;
    icp.ident = 0x1234;
    icp.seq = 1;
    icp.fillChecksum();
    yield* sendto(ctx, s, pkt, 0, sockaddrIn(parseIpv4(argv[1]!)!, 0));
    for (;;) {
      const rd = new Set([s]);
      const n = yield* select(ctx, s + 1, rd, null, null, 1_000_000_000);
      if (n <= 0) {
        rec(ctx, `select ${n}`);
        return 1;
      }
      const r = yield* recvfrom(ctx, s, 200);
      const reply = new IcmpPacket(r.data.subarray((r.data[0]! & 0x0f) * 4));
      if (reply.type === IcmpType.EchoReply && reply.ident === 0x1234) {
        rec(ctx, `echo reply seq ${reply.seq}`);
        return 0;
      }
    }
  };
  /** Opens UDP sockets (one bound to 7002, one blocked reading on 7003 in a second thread), then exits. */
  const leaver = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const a = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    yield* bind(ctx, a, sockaddrIn(0, 7002));
    const b = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    yield* bind(ctx, b, sockaddrIn(0, 7003));
    rec(ctx, `bound ${(yield* getsockname(ctx, a))!.port} ${(yield* getsockname(ctx, b))!.port}`);
    if (argv[1] === 'block') {
      yield* recvfrom(ctx, b, 100); // killed while blocked here
      return 0;
    }
    return 0; // exits without closing
  };
  const families = function* (ctx: ThreadCtx): Co<number> {
    const a = yield* socket(ctx, AF_INET6, SOCK_DGRAM, 0);
    rec(ctx, `inet6: ${a < 0 ? strerror(errno(ctx)) : 'ok'}`);
    return 0;
  };
  return { selrd, udpsend, pollrd, nbrecv, rawping, leaver, families };
}

function pair(seed = 21) {
  const sim = newSim(seed);
  const log: Ev[] = [];
  const a = makeNode(sim, 'alpha', { macBase: 1, programs: programs(log) });
  const b = makeNode(sim, 'beta', { macBase: 2, programs: programs(log) });
  connect(a.nics[0]!, b.nics[0]!, 100_000);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24']);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
  return { sim, log, a, b };
}

const at = (log: Ev[], what: string): number => {
  const e = log.find((x) => x.what === what);
  if (!e) throw new Error(`no "${what}" in ${JSON.stringify(log.map((x) => x.what))}`);
  return e.t;
};

/** UDP sockets on the node's io-pkt bound to `port`. */
function boundTo(n: TestNode, port: number): number {
  return n.iopkt().stack.sockets.list.filter((so) => so.lport === port).length;
}

describe('select() and poll() through io_notify', () => {
  test('select on two UDP sockets: the one a datagram reaches is reported, the other is cleared', () => {
    const { sim, log, a, b } = pair();
    b.run(['sleep 0.1', 'selrd 2000']);
    a.run(['sleep 0.5', 'udpsend 10.0.0.2 7001 hello']);
    sim.queue.runUntil(3_000_000_000);
    expect(b.console()).toBe('select\nselect 1 [7001]\nread hello\n');
    const dt = at(log, 'select 1 [7001]') - at(log, 'select');
    expect(dt).toBeGreaterThan(300_000_000); // it waited for the datagram, not for the timeout
    expect(dt).toBeLessThan(500_000_000);
  });

  test('select that times out returns 0 at the deadline: the timer fires at exactly start + timeout', () => {
    const { sim, log, b } = pair();
    const pulses: number[] = [];
    sim.tracer.addSink((r) => {
      const f = r.f as Record<string, unknown> | undefined;
      if (r.node === 'beta' && r.probe === 'event' && f?.kind === 'pulse' && f.code === SELECT_TIMER_CODE) pulses.push(r.t);
    });
    b.run(['sleep 0.1', 'selrd 250']);
    sim.queue.runUntil(2_000_000_000);
    expect(b.console()).toBe('select\nselect 0 []\n');
    const start = at(log, 'select');
    // TIMER_ABSTIME at the deadline; the clock interrupt delivers the pulse at the end of its entry
    // (stack/kernel/timers.ts), before its timer work and exit.
    expect(pulses).toEqual([start + 250_000_000 + DEFAULT_COSTS.interruptEntry]);
    const end = at(log, 'select 0 []');
    expect(end).toBeGreaterThan(pulses[0]!);
    expect(end - pulses[0]!).toBeLessThan(100_000); // the final POLL pass: two short messages to io-pkt
  });

  test('a datagram already queued makes select return at once; a second round waits for the next one', () => {
    const { sim, log, a, b } = pair();
    b.run(['sleep 0.1', 'selrd inf 2']);
    a.run(['sleep 0.5', 'udpsend 10.0.0.2 7000 one', 'sleep 0.5', 'udpsend 10.0.0.2 7000 two']);
    sim.queue.runUntil(3_000_000_000);
    expect(b.console()).toBe('select\nselect 1 [7000]\nread one\nselect\nselect 1 [7000]\nread two\n');
    expect(log.filter((e) => e.what === 'select 1 [7000]')).toHaveLength(2);
  });

  test('poll: POLLOUT at once on UDP, POLLNVAL for a bad fd, POLLIN when the datagram arrives', () => {
    const { sim, log, a, b } = pair();
    b.run(['sleep 0.1', 'pollrd']);
    a.run(['sleep 2', 'udpsend 10.0.0.2 7000 late']);
    sim.queue.runUntil(4_000_000_000);
    expect(b.console()).toBe('poll 1 in=false out=true\npoll 1 nval=true skipped=true in=false\npoll 1 in=true\nread late\n');
    expect(at(log, 'poll 1 in=true')).toBeGreaterThan(2_000_000_000);
  });

  test('a raw ICMP socket read with select: the echo reply of the peer', () => {
    const { sim, a } = pair();
    a.run(['sleep 0.5', 'rawping 10.0.0.2']);
    sim.queue.runUntil(2_000_000_000);
    expect(a.console()).toBe('echo reply seq 1\n');
  });

  test('prefix=: select works on a stack registered under /alt', () => {
    const sim = newSim(5);
    const log: Ev[] = [];
    const n = makeNode(sim, 'alpha', { programs: programs(log) });
    n.run(['io-pkt-v4 -dfake -ptcpip prefix=/alt', 'waitfor /alt/dev/socket', 'SOCK=/alt', 'selrd 100']);
    sim.queue.runUntil(1_000_000_000);
    expect(n.console()).toBe('select\nselect 0 []\n');
  });
});

describe('non-blocking descriptors', () => {
  test('fcntl O_NONBLOCK: EWOULDBLOCK at once; FIONBIO off: blocking again (SO_RCVTIMEO)', () => {
    const { sim, log, b } = pair();
    b.run(['sleep 0.1', 'nbrecv']);
    sim.queue.runUntil(1_000_000_000);
    expect(b.console()).toBe('flags nonblock\nrecv -1 EWOULDBLOCK\nrecv -1 Resource temporarily unavailable\nbadfd -1 EBADF\n');
    const waited = at(log, 'recv -1 Resource temporarily unavailable') - at(log, 'recv -1 EWOULDBLOCK');
    expect(waited).toBeGreaterThanOrEqual(100_000_000);
    expect(waited).toBeLessThan(100_200_000);
  });
});

describe('a client that goes without closing its sockets', () => {
  test('exit: the kernel\'s disconnect pulse makes io-pkt close every socket of the process', () => {
    const { sim, b } = pair();
    const closed: string[] = [];
    sim.tracer.addSink((r) => {
      if (r.node === 'beta' && r.layer === 'socket' && r.probe === 'close') closed.push(String(r.f?.why ?? 'close'));
    });
    b.run(['sleep 0.1', 'leaver']);
    sim.queue.runUntil(1_000_000_000);
    expect(b.console()).toBe('bound 7002 7003\n');
    expect(closed.filter((w) => w === 'disconnect')).toHaveLength(2); // (ifconfig's socket was closed by close())
    expect(boundTo(b, 7002)).toBe(0);
    expect(boundTo(b, 7003)).toBe(0);
  });

  test('killed while blocked in recvfrom: the socket is closed and the port free again', () => {
    const { sim, b } = pair();
    b.run(['sleep 0.1', 'leaver block']);
    sim.queue.runUntil(500_000_000);
    expect(boundTo(b, 7003)).toBe(1);
    const pid = b.k.procs.list().find((p) => p.name === 'leaver')!.pid;
    b.k.procs.kill(pid);
    sim.queue.runUntil(600_000_000);
    expect(boundTo(b, 7002)).toBe(0);
    expect(boundTo(b, 7003)).toBe(0);
    b.run(['leaver']); // the ports can be bound again
    sim.queue.runUntil(1_000_000_000);
    expect(b.console()).toBe('bound 7002 7003\nbound 7002 7003\n');
  });
});

describe('AF_INET6 sockets', () => {
  test('io-pkt-v4 and io-pkt-v4-hc refuse them (no /dev/socket/24): EAFNOSUPPORT', () => {
    const sim = newSim(3);
    const log: Ev[] = [];
    const v4 = makeNode(sim, 'v4', { programs: programs(log) });
    const hc = makeNode(sim, 'hc', { programs: programs(log) });
    v4.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'families']);
    hc.run(['io-pkt-v4-hc -dfake', 'waitfor /dev/socket', 'families']);
    sim.queue.runUntil(1_000_000_000);
    expect(v4.console()).toBe('inet6: Address family not supported by protocol family\n');
    expect(hc.console()).toBe('inet6: Address family not supported by protocol family\n');
  });

  test('io-pkt-v6-hc attaches /dev/socket/24', () => {
    const sim = newSim(3);
    const v6 = makeNode(sim, 'v6', {});
    v6.run(['io-pkt-v6-hc -dfake']);
    sim.queue.runUntil(1_000_000_000);
    expect(v6.k.paths.resolve('/dev/socket/24')?.rest).toBe('');
    expect(v6.k.paths.resolve('/dev/socket/2')?.rest).toBe('');
  });
});
