/**
 * The stream half of the socket layer (kern/uipc_socket.c, uipc_socket2.c for SOCK_STREAM): listen, accept,
 * connect, send and receive on byte streams, shutdown and close with linger, and the so*() upcalls TCP makes
 * (soisconnected, sonewconn, sorwakeup, …). Sockets (sockets.ts) exposes these as its methods.
 *
 * Wakeups: a state change runs every hook in so.waiters (the resource manager's, which re-checks what its
 * blocked clients wait for: data, send space, a connection, an error) and every function in so.notify
 * (select/poll/ionotify), once the CPU time of this stack pass has been spent (NetEnv.defer).
 */
import { Errno } from '../kernel/api';
import { EPIPE } from '../include/errno';
import type { SockAddr } from '../include/netinet/in';
import { SHUT_RD, SHUT_RDWR, SHUT_WR, SOMAXCONN, SO_ACCEPTCONN } from '../include/sys/socket';
import { NetCost } from './costs';
import { Socket } from './socket';
import type { NetStack } from './stack';
import { StreamBuf } from './streambuf';

/** sb_lowat of so_snd (NetBSD's sowriteable uses 2048) and so_rcv (1). */
export const SND_LOWAT = 2048;
export const RCV_LOWAT = 1;

/** Give a new stream socket its buffers and its TCP control block. Returns an errno. */
export function streamAttach(s: NetStack, so: Socket, sndHiwat: number, rcvHiwat: number): number {
  so.stream = { snd: new StreamBuf(sndHiwat, SND_LOWAT), rcv: new StreamBuf(rcvHiwat, RCV_LOWAT) };
  so.sndHiwat = sndHiwat;
  so.rcv.hiwat = rcvHiwat;
  return s.tcp.attach(so);
}

/** Run the wakeup hooks of `so` after this pass (sowakeup + selwakeup). */
export function streamWakeup(s: NetStack, so: Socket): void {
  if (so.waiters.length === 0 && so.notify.size === 0) return;
  if (s.tcp.holdWakeup(so)) return; // TCP is mid-segment: it wakes the socket when it is done
  s.env.charge(NetCost.socketWakeup);
  s.env.defer(() => {
    for (const w of [...so.waiters]) {
      if (w.wake(so)) {
        const i = so.waiters.indexOf(w);
        if (i >= 0) so.waiters.splice(i, 1);
      }
    }
    for (const fn of [...so.notify]) fn();
  });
}

/** solisten: backlog below 0 counts as 0, above SOMAXCONN as SOMAXCONN (so_qlimit). */
export function soListen(s: NetStack, so: Socket, backlog: number): number {
  if (!so.stream) return Errno.EOPNOTSUPP;
  if (so.isConnected || so.isConnecting || so.isDisconnecting) return Errno.EINVAL;
  const e = s.tcp.listen(so);
  if (e) return e;
  so.acceptConn = true;
  so.options |= SO_ACCEPTCONN;
  so.qlimit = Math.min(Math.max(backlog, 0), SOMAXCONN);
  return 0;
}

/** soaccept: the first completed connection (taken off so_q), EAGAIN when none, EINVAL when not listening. */
export function soAccept(so: Socket): Socket | number {
  if (!so.acceptConn) return Errno.EINVAL;
  if (so.error) {
    const e = so.error;
    so.error = 0;
    return e;
  }
  const child = so.q.shift();
  if (!child) return Errno.EAGAIN;
  child.head = null;
  return child;
}

/** soconnect for streams: starts the handshake (0: the SYN went out; wait for isConnected or so.error). */
export function soConnectStream(s: NetStack, so: Socket, to: SockAddr): number {
  if (so.acceptConn) return Errno.EOPNOTSUPP;
  if (so.isConnected) return Errno.EISCONN;
  if (so.isConnecting) return Errno.EALREADY;
  if (to.family !== so.domain) return Errno.EAFNOSUPPORT;
  so.error = 0;
  return s.tcp.connect(so, to);
}

/** sosend's protocol step: take what fits in so_snd (bytes, or -errno; -EAGAIN when there is no room). */
export function soSendStream(s: NetStack, so: Socket, data: Uint8Array, pktId: number): number {
  if (so.cantSendMore) return -EPIPE;
  if (so.error) {
    const e = so.error;
    so.error = 0;
    return -e;
  }
  if (!so.isConnected) return -Errno.ENOTCONN;
  const snd = so.stream!.snd;
  const n = Math.min(snd.space(), data.length);
  if (n === 0) return data.length === 0 ? 0 : -Errno.EAGAIN;
  s.env.trace('socket', 'send', pktId, { so: so.id, len: n, queued: snd.cc + n });
  s.tcp.send(so, data.slice(0, n), pktId);
  return n;
}

/**
 * soreceive's copy-out: up to `n` bytes of so_rcv (PRU_RCVD follows unless peeking); an empty array at end
 * of stream; else so_error, ENOTCONN, or EAGAIN when nothing is there yet.
 */
export function soReceiveStream(s: NetStack, so: Socket, n: number, peek: boolean): { data: Uint8Array; pktId: number } | number {
  const rcv = so.stream!.rcv;
  if (rcv.cc > 0) {
    if (peek) return { data: rcv.copyOut(0, Math.min(n, rcv.cc)), pktId: rcv.pktIdAt(0) };
    const r = rcv.read(n);
    s.tcp.rcvd(so);
    return r;
  }
  if (so.error) {
    const e = so.error;
    so.error = 0;
    return e;
  }
  if (so.cantRcvMore) return { data: new Uint8Array(0), pktId: 0 };
  if (!so.isConnected && !so.isConnecting) return Errno.ENOTCONN;
  return Errno.EAGAIN;
}

/** soshutdown: SHUT_RD flushes so_rcv and drops later data; SHUT_WR queues a FIN after the data. */
export function soShutdown(s: NetStack, so: Socket, how: number): number {
  if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) return Errno.EINVAL;
  if (so.stream && !so.isConnected && !so.isConnecting && !so.isDisconnecting) return Errno.ENOTCONN;
  if (how !== SHUT_WR) {
    // sorflush
    so.cantRcvMore = true;
    if (so.stream) so.stream.rcv.flush();
    else {
      so.rcv.records.length = 0;
      so.rcv.cc = 0;
    }
  }
  let e = 0;
  if (how !== SHUT_RD && so.stream) e = s.tcp.shutdown(so);
  streamWakeup(s, so);
  return e;
}

/**
 * soclose for a stream socket: a listener aborts its unaccepted connections; a connection is handed to TCP
 * (FIN after the queued data, or RST with SO_LINGER 0 or unread data). The socket stays in the list until
 * TCP frees it (sofree). Waiting for a linger time is the resource manager's (it watches isConnected).
 */
export function soCloseStream(s: NetStack, so: Socket): void {
  if (so.acceptConn) {
    for (const c of [...so.q0, ...so.q]) {
      c.closed = true;
      s.tcp.abort(c);
    }
    so.q0.length = 0;
    so.q.length = 0;
  }
  if (so.pcb) s.tcp.disconnect(so);
  else sofree(s, so);
}

// ---- upcalls (uipc_socket2.c) ----

export function soisconnecting(so: Socket): void {
  so.isConnected = false;
  so.isDisconnecting = false;
  so.isConnecting = true;
}

export function soisconnected(s: NetStack, so: Socket): void {
  so.isConnecting = false;
  so.isDisconnecting = false;
  so.isConnected = true;
  const head = so.head;
  if (head) {
    const i = head.q0.indexOf(so);
    if (i >= 0) {
      head.q0.splice(i, 1);
      head.q.push(so);
      s.env.trace('socket', 'connected', 0, { so: so.id, head: head.id, qlen: head.q.length });
      streamWakeup(s, head);
    }
    return;
  }
  s.env.trace('socket', 'connected', 0, { so: so.id });
  streamWakeup(s, so);
}

export function soisdisconnecting(s: NetStack, so: Socket): void {
  so.isConnecting = false;
  so.isDisconnecting = true;
  so.cantRcvMore = true;
  so.cantSendMore = true;
  streamWakeup(s, so);
}

export function soisdisconnected(s: NetStack, so: Socket): void {
  so.isConnecting = false;
  so.isConnected = false;
  so.isDisconnecting = false;
  so.cantRcvMore = true;
  so.cantSendMore = true;
  streamWakeup(s, so);
}

/**
 * sonewconn: a socket for a connection arriving on listener `head`, in head.q0, with the listener's options
 * and buffer sizes; null when q + q0 already exceed 3/2 of the backlog (BSD's test).
 */
export function sonewconn(s: NetStack, head: Socket, nextId: () => number, add: (so: Socket) => void): Socket | null {
  if (head.closed || head.q.length + head.q0.length > Math.floor((3 * head.qlimit) / 2)) return null;
  const so = new Socket(nextId(), head.domain, head.type, head.protocol, head.rcv.hiwat, head.sndHiwat);
  so.options = head.options & ~SO_ACCEPTCONN;
  so.linger = { ...head.linger };
  so.v6only = head.v6only;
  so.ttl = head.ttl;
  so.tos = head.tos;
  if (streamAttach(s, so, head.stream!.snd.hiwat, head.stream!.rcv.hiwat) !== 0) return null;
  so.head = head;
  head.q0.push(so);
  add(so);
  return so;
}

/** The protocol let go of its control block: an unaccepted child leaves its listener; a closed socket goes. */
export function sofree(s: NetStack, so: Socket, remove?: (so: Socket) => void): void {
  so.pcb = null;
  const head = so.head;
  if (head) {
    for (const q of [head.q0, head.q]) {
      const i = q.indexOf(so);
      if (i >= 0) q.splice(i, 1);
    }
    so.head = null;
    so.closed = true;
  }
  if (so.closed) remove?.(so);
  streamWakeup(s, so);
}
