/**
 * Test programs for stream sockets through libsocket and io-pkt (used by tests/io-pkt/stream-*.test.ts).
 * Each records what it sees with its virtual time in `log` and prints it.
 */
import { Errno, type Co, type ProgramMain, type ThreadCtx } from '../../stack/kernel/api';
import { strerror } from '../../stack/lib/errno';
import { EINPROGRESS } from '../../stack/include/errno';
import { sockaddrIn, sockaddrToString } from '../../stack/include/netinet/in';
import { F_SETFL, O_NONBLOCK } from '../../stack/include/fcntl';
import { POLLHUP, POLLIN, POLLOUT } from '../../stack/include/sys/poll';
import {
  AF_INET, MSG_PEEK, MSG_WAITALL, SHUT_WR, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_ERROR, SO_LINGER, SO_RCVTIMEO, SO_SNDBUF, SO_SNDTIMEO,
} from '../../stack/include/sys/socket';
import { poll, select } from '../../stack/lib/select';
import {
  accept, bind, close, connect, errno, fcntl, getpeername, getsockname, getsockopt, listen, recvfrom, send, setsockopt,
  shutdown, socket,
} from '../../stack/lib/socket';
import { parseIpv4 } from '../../stack/net/wire/addr';

export interface Ev { what: string; t: number }

export function streamPrograms(log: Ev[]): Record<string, ProgramMain> {
  const rec = (ctx: ThreadCtx, what: string) => {
    log.push({ what, t: ctx.now() });
    ctx.print(`${what}\n`);
  };
  const err = (ctx: ThreadCtx) => strerror(errno(ctx));
  const to = (ip: string, port: string) => sockaddrIn(parseIpv4(ip)!, Number(port));

  /** tcpserv PORT [sleepMs]: accept one connection, (sleep,) echo everything back until EOF, close. */
  const tcpserv = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if ((yield* bind(ctx, s, sockaddrIn(0, Number(argv[1])))) < 0) return rec(ctx, `bind: ${err(ctx)}`), 1;
    if ((yield* listen(ctx, s, 5)) < 0) return rec(ctx, `listen: ${err(ctx)}`), 1;
    rec(ctx, 'listening');
    const a = yield* accept(ctx, s);
    if (a.fd < 0) return rec(ctx, `accept: ${err(ctx)}`), 1;
    const me = yield* getsockname(ctx, a.fd);
    rec(ctx, `accepted ${sockaddrToString(a.addr!)} on ${sockaddrToString(me!)}`);
    if (argv[2]) yield* ctx.sleep(Number(argv[2]) * 1_000_000);
    let total = 0;
    let bad = 0;
    for (;;) {
      const r = yield* recvfrom(ctx, a.fd, 4096);
      if (r.n < 0) {
        rec(ctx, `read: ${err(ctx)}`);
        break;
      }
      if (r.n === 0) {
        rec(ctx, `eof after ${total}${argv[3] === 'sink' && bad > 0 ? ` (${bad} bytes out of place)` : ''}`);
        break;
      }
      // bigwrite's bytes are (offset & 0xff): count the ones out of place.
      for (let i = 0; i < r.n; i++) if (r.data[i] !== ((total + i) & 0xff)) bad++;
      total += r.n;
      if (argv[3] !== 'sink') yield* send(ctx, a.fd, r.data);
    }
    yield* close(ctx, a.fd);
    yield* close(ctx, s);
    return 0;
  };

  /** tcpcli IP PORT TEXT: connect, send TEXT, read the echo, close. */
  const tcpcli = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    rec(ctx, 'connect');
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    const peer = yield* getpeername(ctx, s);
    rec(ctx, `connected to ${sockaddrToString(peer!)}`);
    const text = new TextEncoder().encode(argv[3] ?? 'hello');
    rec(ctx, `sent ${yield* send(ctx, s, text)}`);
    let got = '';
    while (got.length < text.length) {
      const r = yield* recvfrom(ctx, s, 4096);
      if (r.n <= 0) break;
      got += Buffer.from(r.data).toString();
    }
    rec(ctx, `echo ${got}`);
    yield* close(ctx, s);
    return 0;
  };

  /** tcpsend IP PORT TEXT: connect, send TEXT, close. */
  const tcpsend = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    rec(ctx, `sent ${yield* send(ctx, s, new TextEncoder().encode(argv[3] ?? 'x'))}`);
    yield* close(ctx, s);
    return 0;
  };

  /** tcpconn IP PORT: a blocking connect and its outcome. */
  const tcpconn = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    rec(ctx, 'connect');
    const r = yield* connect(ctx, s, to(argv[1]!, argv[2]!));
    rec(ctx, r < 0 ? `connect: ${err(ctx)}` : 'connected');
    yield* close(ctx, s);
    return 0;
  };

  /** nbconn IP PORT: non-blocking connect, select for writability, SO_ERROR. */
  const nbconn = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    yield* fcntl(ctx, s, F_SETFL, O_NONBLOCK);
    const r = yield* connect(ctx, s, to(argv[1]!, argv[2]!));
    rec(ctx, `connect ${r} ${errno(ctx) === EINPROGRESS ? 'EINPROGRESS' : err(ctx)}`);
    const again = yield* connect(ctx, s, to(argv[1]!, argv[2]!));
    rec(ctx, `again ${again} ${errno(ctx) === Errno.EALREADY ? 'EALREADY' : err(ctx)}`);
    const wr = new Set([s]);
    const n = yield* select(ctx, s + 1, null, wr, null, 5_000_000_000);
    const e = yield* getsockopt(ctx, s, SOL_SOCKET, SO_ERROR);
    rec(ctx, `select ${n} writable=${wr.has(s)} so_error=${e === 0 ? 0 : strerror(e!)}`);
    const third = yield* connect(ctx, s, to(argv[1]!, argv[2]!));
    rec(ctx, `third ${third} ${errno(ctx) === Errno.EISCONN ? 'EISCONN' : err(ctx)}`);
    const r2 = yield* recvfrom(ctx, s, 10);
    rec(ctx, `read ${r2.n} ${r2.n < 0 && errno(ctx) === Errno.EAGAIN ? 'EWOULDBLOCK' : ''}`);
    yield* close(ctx, s);
    return 0;
  };

  /**
   * bigwrite IP PORT BYTES [SNDBUF [SNDTIMEO_MS]]: one write of BYTES (blocks while the window and so_snd are
   * full; with SO_SNDTIMEO it returns what was queued when the time passes).
   */
  const bigwrite = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if (argv[4] && argv[4] !== '0') yield* setsockopt(ctx, s, SOL_SOCKET, SO_SNDBUF, Number(argv[4]));
    if (argv[5]) yield* setsockopt(ctx, s, SOL_SOCKET, SO_SNDTIMEO, Number(argv[5]) * 1_000_000);
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    const data = new Uint8Array(Number(argv[3]));
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    rec(ctx, 'write');
    const n = yield* send(ctx, s, data);
    rec(ctx, `wrote ${n}`);
    yield* close(ctx, s);
    rec(ctx, 'closed');
    return 0;
  };

  /** chunkwrite IP PORT TOTAL CHUNK: bigwrite's pattern in writes of CHUNK bytes, then close. */
  const chunkwrite = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    const total = Number(argv[3]);
    const chunk = Number(argv[4]);
    for (let off = 0; off < total; off += chunk) {
      const b = new Uint8Array(Math.min(chunk, total - off));
      for (let i = 0; i < b.length; i++) b[i] = (off + i) & 0xff;
      const n = yield* send(ctx, s, b);
      if (n !== b.length) return rec(ctx, `send ${n}: ${err(ctx)}`), 1;
    }
    rec(ctx, `wrote ${total}`);
    yield* close(ctx, s);
    return 0;
  };

  /**
   * reader PORT: accept; MSG_PEEK 4 (twice the same), MSG_WAITALL 10, then SO_RCVTIMEO 200 ms with nothing
   * coming (EWOULDBLOCK), then the rest until EOF; then a write after SHUT_WR (EPIPE). A non-blocking
   * accept before any connection fails with EWOULDBLOCK.
   */
  const reader = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    yield* bind(ctx, s, sockaddrIn(0, Number(argv[1])));
    yield* listen(ctx, s, 1);
    yield* fcntl(ctx, s, F_SETFL, O_NONBLOCK);
    const nb = yield* accept(ctx, s);
    rec(ctx, `accept ${nb.fd} ${errno(ctx) === Errno.EAGAIN ? 'EWOULDBLOCK' : err(ctx)}`);
    yield* fcntl(ctx, s, F_SETFL, 0);
    const a = yield* accept(ctx, s);
    const text = (r: { n: number; data: Uint8Array }) => (r.n < 0 ? `-1 ${err(ctx)}` : `${r.n} "${Buffer.from(r.data).toString()}"`);
    rec(ctx, `peek ${text(yield* recvfrom(ctx, a.fd, 4, MSG_PEEK))}`);
    rec(ctx, `peek ${text(yield* recvfrom(ctx, a.fd, 4, MSG_PEEK))}`);
    rec(ctx, `waitall ${text(yield* recvfrom(ctx, a.fd, 10, MSG_WAITALL))}`);
    yield* setsockopt(ctx, a.fd, SOL_SOCKET, SO_RCVTIMEO, 200_000_000);
    rec(ctx, `timeo ${text(yield* recvfrom(ctx, a.fd, 100))}`);
    yield* setsockopt(ctx, a.fd, SOL_SOCKET, SO_RCVTIMEO, 0);
    for (;;) {
      const r = yield* recvfrom(ctx, a.fd, 100);
      rec(ctx, `read ${text(r)}`);
      if (r.n <= 0) break;
    }
    yield* shutdown(ctx, a.fd, SHUT_WR);
    const w = yield* send(ctx, a.fd, new Uint8Array(1));
    rec(ctx, `write after SHUT_WR ${w} ${err(ctx)}`);
    yield* close(ctx, a.fd);
    return 0;
  };

  /** listenonly PORT: listen and never accept (connections complete in the listen queue). */
  const listenonly = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    yield* bind(ctx, s, sockaddrIn(0, Number(argv[1])));
    yield* listen(ctx, s, 5);
    rec(ctx, 'listening');
    yield* ctx.sleep(1_000_000_000_000);
    return 0;
  };

  /** waitreply IP PORT: connect, send one byte, print what the read gets (data, EOF or the error). */
  const waitreply = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    rec(ctx, 'connected');
    yield* send(ctx, s, new Uint8Array([0x78]));
    const r = yield* recvfrom(ctx, s, 100);
    rec(ctx, r.n < 0 ? `read: ${err(ctx)}` : `read ${r.n}`);
    yield* close(ctx, s);
    return 0;
  };

  /** pieces IP PORT GAP_MS TEXT...: connect, send each TEXT GAP_MS apart, close. */
  const pieces = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    for (const t of argv.slice(4)) {
      yield* ctx.sleep(Number(argv[3]) * 1_000_000);
      yield* send(ctx, s, new TextEncoder().encode(t));
    }
    yield* close(ctx, s);
    return 0;
  };

  /** nbwrite IP PORT BYTES: non-blocking writes until EWOULDBLOCK, then select for writability. */
  const nbwrite = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    yield* fcntl(ctx, s, F_SETFL, O_NONBLOCK);
    const chunk = new Uint8Array(Number(argv[3]));
    let total = 0;
    for (;;) {
      const n = yield* send(ctx, s, chunk);
      if (n < 0) {
        rec(ctx, `send -1 ${errno(ctx) === Errno.EAGAIN ? 'EWOULDBLOCK' : err(ctx)} after ${total}`);
        break;
      }
      total += n;
      if (n < chunk.length) rec(ctx, `partial ${n}`);
    }
    const p = [{ fd: s, events: POLLOUT, revents: 0 }];
    const n = yield* poll(ctx, p, 10_000);
    rec(ctx, `poll ${n} out=${(p[0]!.revents & POLLOUT) !== 0}`);
    yield* close(ctx, s);
    return 0;
  };

  /** rstclose IP PORT: connect, send, SO_LINGER {on, 0}, close (RST). */
  const rstclose = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    yield* send(ctx, s, new TextEncoder().encode('bye'));
    yield* ctx.sleep(50_000_000);
    yield* setsockopt(ctx, s, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 0 });
    yield* close(ctx, s);
    rec(ctx, 'closed');
    return 0;
  };

  /** lingerclose IP PORT BYTES SECS: write, then a close that lingers up to SECS. */
  const lingerclose = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    yield* setsockopt(ctx, s, SOL_SOCKET, SO_LINGER, { onoff: true, linger: Number(argv[4]) });
    yield* send(ctx, s, new Uint8Array(Number(argv[3])));
    rec(ctx, 'close');
    yield* close(ctx, s);
    rec(ctx, 'closed');
    return 0;
  };

  /** hupwatch PORT: accept, poll until EOF, shut down writing, poll for POLLHUP. */
  const hupwatch = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    yield* bind(ctx, s, sockaddrIn(0, Number(argv[1])));
    yield* listen(ctx, s, 1);
    const p0 = [{ fd: s, events: POLLIN, revents: 0 }];
    rec(ctx, `listener poll ${yield* poll(ctx, p0, -1)} in=${(p0[0]!.revents & POLLIN) !== 0}`);
    const a = yield* accept(ctx, s);
    const p = [{ fd: a.fd, events: POLLIN, revents: 0 }];
    for (;;) {
      const n = yield* poll(ctx, p, 5000);
      const r = yield* recvfrom(ctx, a.fd, 100);
      rec(ctx, `poll ${n} in=${(p[0]!.revents & POLLIN) !== 0} hup=${(p[0]!.revents & POLLHUP) !== 0} read ${r.n}`);
      if (r.n <= 0) break;
    }
    yield* shutdown(ctx, a.fd, SHUT_WR);
    const n = yield* poll(ctx, p, 5000);
    rec(ctx, `after shutdown poll ${n} hup=${(p[0]!.revents & POLLHUP) !== 0}`);
    yield* close(ctx, a.fd);
    yield* close(ctx, s);
    return 0;
  };

  /** leaver IP PORT: a TCP connection (some data sent) and a UDP socket, then exit without closing. */
  const tcpleaver = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
    const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
    if ((yield* connect(ctx, s, to(argv[1]!, argv[2]!))) < 0) return rec(ctx, `connect: ${err(ctx)}`), 1;
    yield* send(ctx, s, new TextEncoder().encode('partial'));
    const u = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    yield* bind(ctx, u, sockaddrIn(0, 7777));
    rec(ctx, 'leaving');
    return 0;
  };

  return { tcpserv, tcpcli, tcpsend, tcpconn, nbconn, bigwrite, chunkwrite, reader, pieces, listenonly, waitreply, nbwrite, rstclose, lingerclose, hupwatch, tcpleaver };
}
