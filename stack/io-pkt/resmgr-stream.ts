/**
 * Stream-socket requests in io-pkt's resource manager: the user side of kern/uipc_socket.c (soconnect,
 * soaccept, sosend, soreceive, soclose with SO_LINGER) as io-pkt runs it for a client REPLY-blocked in
 * MsgSend. Each request is answered at once when it can be, fails with EWOULDBLOCK/EINPROGRESS when the
 * client asked not to block (MSG_DONTWAIT, set by the library for O_NONBLOCK descriptors), or is parked on
 * the socket (resmgr-wait.ts) and answered from the stack context at the wakeup that lets it finish.
 *
 * The protocol work (segments, windows, FIN/RST) is TCP's, reached through the socket layer's stream calls
 * (stack/net/sockets.ts): listen, accept, connect, sendStream, receiveStream, shutdown, close.
 */
import { Errno, type ThreadCtx } from '../kernel/api';
import { ECONNABORTED, EINPROGRESS, EPIPE } from '../include/errno';
import type { SockAddr } from '../include/netinet/in';
import { MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL } from '../include/sys/socket';
import { NetCost, bytesCost } from '../net/costs';
import type { Socket } from '../net/socket';
import type { ReadMsg, ReadReplyData, WriteMsg } from './msg';
import type { IoPktProcess, QueuedMessage } from './process';
import type { Pending, SocketWaits } from './resmgr-wait';

/** The stream calls of the socket layer the resource manager uses (uipc_socket.c). */
export interface StreamSocketLayer {
  /** solisten: errno. */
  listen(so: Socket, backlog: number): number;
  /** soaccept: the first completed connection of so.q (taken off it), or an errno. */
  accept(so: Socket): Socket | number;
  /** soconnect on a stream socket: starts the handshake; errno. */
  connectStream(so: Socket, to: SockAddr): number;
  /** sosend's protocol step: queue `data` (fitted to so_snd's space) and let TCP send; bytes taken or -errno. */
  sendStream(so: Socket, data: Uint8Array, pktId: number): number;
  /** soreceive's copy-out: up to `n` bytes of so_rcv (PRU_RCVD follows unless peeking), or an errno. */
  receiveStream(so: Socket, n: number, peek: boolean): { data: Uint8Array; pktId: number } | number;
  /** soshutdown: errno. */
  shutdown(so: Socket, how: number): number;
}

/** The socket layer's stream calls (Sockets implements them; checked here by the type). */
export function streamLayer(p: IoPktProcess): StreamSocketLayer | null {
  const st: StreamSocketLayer = p.stack.sockets;
  return st;
}

/** A pending request and its rcvid. */
function pending(q: QueuedMessage, what: string, attempt: (ctx: ThreadCtx) => boolean): Pending {
  return { coid: q.coid, rcvid: q.rcvid, what, attempt };
}

/** so_error, cleared as it is reported. */
function takeError(so: Socket): number {
  const e = so.error;
  so.error = 0;
  return e;
}

export class StreamRequests {
  constructor(private readonly p: IoPktProcess, private readonly waits: SocketWaits, private readonly st: StreamSocketLayer) {}

  /**
   * connect(2) on a stream socket (soconnect + the wait in sys_connect): EISCONN, EALREADY while a connect is
   * in progress, EINPROGRESS when non-blocking; else the reply comes when TCP says established
   * (soisconnected) or failed (so_error: ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH…).
   */
  connect(ctx: ThreadCtx, q: QueuedMessage, so: Socket, to: SockAddr, nonblock: boolean): void {
    if (so.acceptConn) return ctx.MsgError(q.rcvid, Errno.EOPNOTSUPP);
    if (so.isConnected) return ctx.MsgError(q.rcvid, Errno.EISCONN);
    if (so.isConnecting) return ctx.MsgError(q.rcvid, Errno.EALREADY);
    const e = this.st.connectStream(so, to);
    if (e) return ctx.MsgError(q.rcvid, e);
    const done = (c: ThreadCtx): boolean => {
      if (so.isConnected) {
        c.MsgReply(q.rcvid, { status: 0 });
        return true;
      }
      if (so.error !== 0 || !so.isConnecting) {
        c.MsgError(q.rcvid, takeError(so) || Errno.ECONNREFUSED);
        return true;
      }
      return false;
    };
    if (done(ctx)) return;
    if (nonblock) return ctx.MsgError(q.rcvid, EINPROGRESS);
    ctx.trace('socket', 'block', 0, { so: so.id, pid: q.pid, op: 'connect' });
    this.waits.park(so, pending(q, 'connect', done));
  }

  /**
   * accept(2)'s first step: a child from so_q, blocking until there is one (EWOULDBLOCK when non-blocking or
   * when SO_RCVTIMEO passes). `claim` registers the child and replies.
   */
  accept(ctx: ThreadCtx, q: QueuedMessage, so: Socket, nonblock: boolean, claim: (c: ThreadCtx, child: Socket) => void): void {
    if (!so.acceptConn) return ctx.MsgError(q.rcvid, Errno.EINVAL);
    const take = (c: ThreadCtx): boolean => {
      if (so.q.length === 0) {
        if (so.error === 0 && !so.cantRcvMore) return false;
        c.MsgError(q.rcvid, takeError(so) || ECONNABORTED);
        return true;
      }
      const child = this.st.accept(so);
      if (typeof child === 'number') c.MsgError(q.rcvid, child);
      else claim(c, child);
      return true;
    };
    if (this.waits.count(so, 'accept') === 0 && take(ctx)) return;
    if (nonblock) return ctx.MsgError(q.rcvid, Errno.EAGAIN);
    // NetBSD's accept sleeps with so_rcv's timeout (SO_RCVTIMEO): EWOULDBLOCK when it passes.
    ctx.trace('socket', 'block', 0, { so: so.id, pid: q.pid, op: 'accept', timeoutNs: so.rcvTimeo });
    this.waits.park(so, pending(q, 'accept', take), so.rcvTimeo, () => this.p.ctx.MsgError(q.rcvid, Errno.EAGAIN));
  }

  /**
   * write(2)/send(2) (sosend): as much as so_snd has room for goes to TCP at each wakeup; a blocking write is
   * answered when every byte is queued (or with the count so far on an error or SO_SNDTIMEO, EWOULDBLOCK if
   * none); a non-blocking one with what fitted, or EWOULDBLOCK. EPIPE after SHUT_WR or a reset (no SIGPIPE).
   */
  write(ctx: ThreadCtx, q: QueuedMessage, so: Socket, m: WriteMsg): void {
    const buf = so.stream!.snd;
    let off = 0;
    const nonblock = (m.flags & MSG_DONTWAIT) !== 0;
    const step = (c: ThreadCtx): boolean => {
      for (;;) {
        if (so.cantSendMore) return this.finishWrite(c, q.rcvid, off, EPIPE);
        if (so.error !== 0) return this.finishWrite(c, q.rcvid, off, takeError(so));
        if (!so.isConnected) return this.finishWrite(c, q.rcvid, off, Errno.ENOTCONN);
        const left = m.data.length - off;
        if (left === 0) return this.finishWrite(c, q.rcvid, off, 0);
        const space = buf.space();
        // sosend: wait unless the rest fits or at least the low-water mark does.
        if (space < left && space < buf.lowat) {
          if (nonblock) return this.finishWrite(c, q.rcvid, off, Errno.EAGAIN);
          return false;
        }
        const n = Math.min(space, left);
        c.charge(bytesCost(n, NetCost.copyPerByte));
        const r = this.st.sendStream(so, m.data.subarray(off, off + n), m.pktId);
        if (r === -Errno.EAGAIN || r === 0) {
          if (nonblock) return this.finishWrite(c, q.rcvid, off, Errno.EAGAIN);
          return false;
        }
        if (r < 0) return this.finishWrite(c, q.rcvid, off, -r);
        off += r;
      }
    };
    if (this.waits.count(so, 'write') === 0 && step(ctx)) return;
    ctx.trace('socket', 'block', 0, { so: so.id, pid: q.pid, op: 'write', queued: off, timeoutNs: so.sndTimeo });
    this.waits.park(so, pending(q, 'write', step), so.sndTimeo, () => this.finishWrite(this.p.ctx, q.rcvid, off, Errno.EAGAIN));
  }

  /** A write ends: the bytes queued so far if any (BSD returns a partial count before an error), else the error. */
  private finishWrite(c: ThreadCtx, rcvid: number, done: number, errno: number): true {
    if (done > 0 || errno === 0) c.MsgReply(rcvid, { status: done });
    else c.MsgError(rcvid, errno);
    return true;
  }

  /**
   * read(2)/recv(2) (soreceive): what so_rcv holds, up to nbytes; 0 at end of stream; so_error; ENOTCONN on a
   * socket never connected. MSG_PEEK leaves the bytes; MSG_WAITALL waits until nbytes (or EOF, an error, a
   * timeout), taking bytes as they come so the window reopens.
   */
  read(ctx: ThreadCtx, q: QueuedMessage, so: Socket, m: ReadMsg): void {
    const peek = (m.flags & MSG_PEEK) !== 0;
    const waitall = (m.flags & MSG_WAITALL) !== 0 && !peek;
    const nonblock = (m.flags & MSG_DONTWAIT) !== 0;
    const parts: Uint8Array[] = [];
    let got = 0;
    let pktId = 0;
    const reply = (c: ThreadCtx): true => {
      const data = parts.length === 1 ? parts[0]! : concat(parts, got);
      const r: ReadReplyData = { data, from: null, pktId, truncated: false };
      c.trace('socket', 'deliver', pktId, { so: so.id, len: got });
      c.MsgReply(q.rcvid, { status: got, data: r, bytes: got + 16 });
      return true;
    };
    const step = (c: ThreadCtx): boolean => {
      const rcv = so.stream!.rcv;
      if (rcv.cc > 0) {
        const r = this.st.receiveStream(so, m.nbytes - got, peek);
        if (typeof r === 'number') return this.finishRead(c, q.rcvid, r, got, reply);
        c.charge(bytesCost(r.data.length, NetCost.copyPerByte));
        if (got === 0) pktId = r.pktId;
        parts.push(r.data);
        got += r.data.length;
        if (!waitall || got >= m.nbytes) return reply(c);
      }
      if (so.error !== 0) return got > 0 ? reply(c) : this.finishRead(c, q.rcvid, takeError(so), got, reply);
      if (so.cantRcvMore) return reply(c); // end of stream: 0, or what MSG_WAITALL gathered
      if (!so.isConnected && !so.isConnecting) return got > 0 ? reply(c) : this.finishRead(c, q.rcvid, Errno.ENOTCONN, got, reply);
      return false;
    };
    if (m.nbytes <= 0) {
      reply(ctx);
      return;
    }
    if (this.waits.count(so, 'read') === 0 && step(ctx)) return;
    if (nonblock) {
      if (got > 0) reply(ctx);
      else ctx.MsgError(q.rcvid, Errno.EAGAIN);
      return;
    }
    ctx.trace('socket', 'block', 0, { so: so.id, pid: q.pid, op: 'read', timeoutNs: so.rcvTimeo });
    this.waits.park(so, pending(q, 'read', step), so.rcvTimeo, () => {
      this.p.ctx.trace('socket', 'timeout', 0, { so: so.id, pid: q.pid });
      if (got > 0) reply(this.p.ctx);
      else this.p.ctx.MsgError(q.rcvid, Errno.EAGAIN);
    });
  }

  private finishRead(c: ThreadCtx, rcvid: number, errno: number, got: number, reply: (c: ThreadCtx) => true): true {
    if (got > 0) return reply(c);
    c.MsgError(rcvid, errno);
    return true;
  }

  /**
   * close(2) with SO_LINGER on and a linger time, on a connected socket, by a client that may block (soclose):
   * the reply waits until the connection is gone (the data acknowledged and the FIN exchanged) or the time
   * has passed. `close` has already been given to the socket layer.
   */
  lingerWait(ctx: ThreadCtx, q: QueuedMessage, so: Socket): void {
    // soclose: sleep while SS_ISCONNECTED; TCP calls soisdisconnected once its FIN (after the data) is acked.
    const done = (c: ThreadCtx): boolean => {
      if (so.isConnected) return false;
      c.MsgReply(q.rcvid, { status: 0 });
      return true;
    };
    if (done(ctx)) return;
    ctx.trace('socket', 'linger', 0, { so: so.id, pid: q.pid, seconds: so.linger.linger });
    this.waits.park(so, pending(q, 'linger', done), so.linger.linger * 1_000_000_000, () => this.p.ctx.MsgReply(q.rcvid, { status: 0 }));
  }
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
