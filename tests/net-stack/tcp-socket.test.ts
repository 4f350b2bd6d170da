/**
 * The stream half of the socket layer (stack/net/socket-stream.ts): listen/accept, connect, send and receive
 * errors, shutdown, options (TCP_NODELAY and Nagle, SO_KEEPALIVE, SO_LINGER, SO_ACCEPTCONN, SO_ERROR),
 * closing a listener with connections still queued, the wakeup hooks, and determinism of a lossy run.
 */
import { Errno } from '../../stack/kernel/api';
import { EPIPE } from '../../stack/include/errno';
import { IPPROTO_TCP, sockaddrIn } from '../../stack/include/netinet/in';
import { TCP_MAXSEG, TCP_NODELAY } from '../../stack/include/netinet/tcp';
import { AF_INET, SHUT_RD, SOCK_STREAM, SOL_SOCKET, SO_ACCEPTCONN, SO_ERROR, SO_LINGER } from '../../stack/include/sys/socket';
import type { Socket } from '../../stack/net/socket';
import { TH_ACK, TH_RST, TH_SYN } from '../../stack/net/wire/tcp';
import { Pair } from './tcp-pair';
import { Peer } from './tcp-peer';

describe('stream socket calls', () => {
  it('accept on a listener with nothing queued is EAGAIN; on a non-listener EINVAL', () => {
    const p = new Peer();
    const lis = p.listen(80);
    expect(p.s.sockets.accept(lis)).toBe(Errno.EAGAIN);
    const so = p.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    expect(p.s.sockets.accept(so)).toBe(Errno.EINVAL);
    expect(p.s.sockets.getsockopt(lis, SOL_SOCKET, SO_ACCEPTCONN)).toBe(SO_ACCEPTCONN);
    expect(p.s.sockets.getsockopt(so, SOL_SOCKET, SO_ACCEPTCONN)).toBe(0);
  });

  it('send and receive on an unconnected socket are ENOTCONN; connect twice is EALREADY; on a listener EOPNOTSUPP', () => {
    const p = new Peer();
    const so = p.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    expect(p.s.sockets.sendStream(so, new Uint8Array(1), 1)).toBe(-Errno.ENOTCONN);
    expect(p.s.sockets.receiveStream(so, 1, false)).toBe(Errno.ENOTCONN);
    expect(p.s.sockets.connectStream(so, sockaddrIn(0x0a4d0001, 9))).toBe(0);
    expect(p.s.sockets.connectStream(so, sockaddrIn(0x0a4d0001, 9))).toBe(Errno.EALREADY);
    expect(p.s.sockets.receiveStream(so, 1, false)).toBe(Errno.EAGAIN);
    const lis = p.listen(80);
    expect(p.s.sockets.connectStream(lis, sockaddrIn(0x0a4d0001, 9))).toBe(Errno.EOPNOTSUPP);
  });

  it('binding a port in use is EADDRINUSE unless SO_REUSEADDR; port 0 gives an ephemeral port', () => {
    const p = new Peer();
    p.listen(80);
    const so = p.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    expect(p.s.sockets.bindAddr(so, sockaddrIn(0, 80))).toBe(Errno.EADDRINUSE);
    const so2 = p.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    p.s.sockets.setsockopt(so2, SOL_SOCKET, 0x0004, 1);
    expect(p.s.sockets.bindAddr(so2, sockaddrIn(0, 80))).toBe(0);
    const so3 = p.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    expect(p.s.sockets.bindAddr(so3, sockaddrIn(0, 0))).toBe(0);
    expect(so3.lport).toBe(65535);
  });

  it('a write after SHUT_WR is EPIPE; SHUT_RD discards what arrives', () => {
    const pr = new Pair();
    const { cli, srv } = pr.connect();
    pr.a.s.sockets.shutdown(cli, 1);
    expect(pr.a.s.sockets.sendStream(cli, new Uint8Array(4), 1)).toBe(-EPIPE);
    expect(pr.b.s.sockets.shutdown(srv, SHUT_RD)).toBe(0);
    pr.step(10e6);
    expect(pr.b.s.sockets.receiveStream(srv, 10, false)).toEqual({ data: new Uint8Array(0), pktId: 0 });
  });

  it('a refused connect leaves ECONNREFUSED in SO_ERROR, reported once', () => {
    const p = new Peer();
    const so = p.connect(40000, 1025);
    const [syn] = p.out();
    p.send({ sport: 40000, dport: 1025, seq: 0, ack: (syn!.seq + 1) >>> 0, flags: TH_RST | TH_ACK });
    expect(p.s.sockets.getsockopt(so, SOL_SOCKET, SO_ERROR)).toBe(Errno.ECONNREFUSED);
    expect(p.s.sockets.getsockopt(so, SOL_SOCKET, SO_ERROR)).toBe(0);
  });

  it('SO_LINGER takes struct linger; TCP_MAXSEG can only lower the segment size', () => {
    const p = new Peer();
    const so = p.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    expect(p.s.sockets.setsockopt(so, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 5 })).toBe(0);
    expect(so.linger).toEqual({ onoff: true, linger: 5 });
    expect(p.s.sockets.setsockopt(so, SOL_SOCKET, SO_LINGER, 3)).toBe(Errno.EINVAL);
    expect(p.s.sockets.setsockopt(so, IPPROTO_TCP, TCP_MAXSEG, 500)).toBe(0);
    expect(p.s.sockets.getsockopt(so, IPPROTO_TCP, TCP_MAXSEG)).toBe(500);
    expect(p.s.sockets.setsockopt(so, IPPROTO_TCP, TCP_MAXSEG, 5000)).toBe(Errno.EINVAL);
  });

  it('closing a listener resets the connections nobody accepted', () => {
    const p = new Peer();
    p.env.random32 = () => 1000;
    const lis = p.listen(80);
    p.send({ sport: 40001, seq: 5000, flags: TH_SYN });
    p.send({ sport: 40001, seq: 5001, ack: 1001, flags: TH_ACK });
    p.send({ sport: 40002, seq: 7000, flags: TH_SYN });
    p.out();
    expect(lis.q).toHaveLength(1);
    expect(lis.q0).toHaveLength(1);
    p.s.sockets.close(lis);
    const out = p.out();
    expect(out.map((r) => r.flags & TH_RST)).toEqual([TH_RST, TH_RST]);
    expect(p.s.tcp.cbs).toHaveLength(0);
    expect(p.s.sockets.list).toHaveLength(0);
  });

  it('wakeup hooks run on connection, data and close (so.notify)', () => {
    const pr = new Pair();
    const lis = pr.b.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    pr.b.s.sockets.bindAddr(lis, sockaddrIn(0, 7));
    pr.b.s.sockets.listen(lis, 1);
    let lisWakes = 0;
    lis.notify.add(() => lisWakes++);
    const cli = pr.a.s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
    let cliWakes = 0;
    cli.notify.add(() => cliWakes++);
    pr.a.s.sockets.connectStream(cli, sockaddrIn(pr.B, 7));
    pr.step(10e6);
    expect(lisWakes).toBeGreaterThan(0);
    expect(lis.readable()).toBe(true);
    expect(cliWakes).toBeGreaterThan(0);
    expect(cli.writable()).toBe(true);
  });
});

describe('Nagle (RFC 9293 §3.7.4) and TCP_NODELAY', () => {
  function smallWrites(nodelay: boolean): number[] {
    const p = new Peer();
    p.env.random32 = () => 1000;
    const so = p.connect(40000, 1025);
    p.out();
    p.send({ sport: 40000, dport: 1025, seq: 5000, ack: 1001, flags: TH_SYN | TH_ACK });
    p.out();
    if (nodelay) expect(p.s.sockets.setsockopt(so, IPPROTO_TCP, TCP_NODELAY, 1)).toBe(0);
    const lens: number[] = [];
    for (let i = 0; i < 3; i++) {
      p.s.sockets.sendStream(so, new Uint8Array(10), 1);
      lens.push(...p.out().map((r) => r.payload.length));
    }
    return lens;
  }

  it('holds small writes while data is unacknowledged', () => {
    expect(smallWrites(false)).toEqual([10]);
  });

  it('sends each small write at once with TCP_NODELAY', () => {
    expect(smallWrites(true)).toEqual([10, 10, 10]);
  });
});

describe('tracing', () => {
  it("a segment carries the packet id of the write its first byte came from; the reader gets the segment's", () => {
    const pr = new Pair();
    const { cli, srv } = pr.connect();
    pr.a.s.sockets.sendStream(cli, new Uint8Array(1000), 4242);
    pr.a.s.sockets.sendStream(cli, new Uint8Array(1000), 4343);
    const outs = pr.a.env.traces.filter((t) => t.layer === 'tcp' && t.probe === 'output' && (t.f?.len as number) > 0);
    expect(outs.map((t) => [t.pkt, t.f!.len, t.f!.state])).toEqual([[4242, 1000, 'ESTABLISHED']]);
    pr.step(300e6);
    const later = pr.a.env.traces.filter((t) => t.layer === 'tcp' && t.probe === 'output' && (t.f?.len as number) > 0);
    // Nagle held the second write until the first was acknowledged.
    expect(later.map((t) => t.pkt)).toEqual([4242, 4343]);
    const r = pr.b.s.sockets.receiveStream(srv, 500, false);
    expect(typeof r === 'object' && r.pktId).toBe(4242);
    expect(pr.b.env.traces.some((t) => t.layer === 'tcp' && t.probe === 'input' && t.pkt !== 0)).toBe(true);
  });
});

describe('determinism', () => {
  it('the same seeds give the same segments, with loss', () => {
    const run = () => {
      const p = new Pair();
      let x = 7;
      p.loss = () => ((x = (x * 1103515245 + 12345) >>> 0), (x >>> 24) < 8);
      const { cli, srv } = p.connect();
      const data = new Uint8Array(100_000);
      let sent = 0;
      let got = 0;
      const app = () => {
        while (sent < data.length) {
          const k = p.a.s.sockets.sendStream(cli, data.subarray(sent), 1);
          if (k <= 0) break;
          sent += k;
        }
        const r = p.b.s.sockets.receiveStream(srv, 1 << 20, false);
        if (typeof r === 'object') got += r.data.length;
        return got === data.length;
      };
      while (!app()) p.step(10e6, app);
      return p.segs.map((s) => `${s.t} ${s.from} ${s.flags} ${s.seq} ${s.ack} ${s.len} ${s.win} ${s.dropped}`).join('\n');
    };
    const one = run();
    expect(one.split('\n').length).toBeGreaterThan(100);
    expect(run()).toBe(one);
  });
});

