/**
 * libsocket: the BSD socket API over io-pkt's resource manager, as generator functions on a ThreadCtx.
 * C conventions: calls return -1 (or null) and set errno (`errno(ctx)`); descriptors are the connection
 * ids to io-pkt (QNX fds are coids). socket() opens `$SOCK/dev/socket/<domain>` (ENOENT → EAFNOSUPPORT).
 * Each send gets a packet id, traced as ("app", "send"); each datagram received is traced ("app", "recv")
 * with the id it carried through the stack. The constants (AF_*, SOCK_*, SO_*, IPPROTO_*, sockaddr_in) are
 * the headers' in stack/include, which applications import as a C program includes <sys/socket.h>.
 *
 * Stream sockets: listen, accept (a devctl on the listener names the new connection; the library opens a
 * new connection to io-pkt that claims it, so the new fd is a new coid — QNX's _IO_OPENFD), connect
 * (blocks until established or failed), partial writes and reads (io-pkt's sosend/soreceive). O_NONBLOCK
 * (fcntl F_SETFL or ioctl FIONBIO) is a per-descriptor flag here: every message of that fd carries
 * MSG_DONTWAIT (or `nonblock`), and io-pkt answers EWOULDBLOCK/EINPROGRESS instead of blocking. There are no
 * signals: EPIPE is returned, never raised. select/poll are in select.ts.
 */
import { KernelError, Errno, type Co, type Reply, type ThreadCtx } from '../kernel/api';
import { LocalKey } from '../kernel/local';
import { newPacketId } from './pktid';
import type { SockAddr } from '../include/netinet/in';
import { MSG_DONTWAIT, SOL_SOCKET, SO_LINGER, type Linger } from '../include/sys/socket';
import { FIONBIO, F_GETFL, F_SETFL, O_NONBLOCK, O_RDWR } from '../include/fcntl';
import {
  IO_CLOSE, IO_CONNECT, IO_DEVCTL, IO_MSG, IO_NOTIFY, IO_READ, IO_WRITE, type AcceptReply, type ReadReplyData, type RtMsg,
} from '../io-pkt/msg';
import type { SigEvent } from '../kernel/api';

export interface SockFile {
  coid: number;
  domain: number;
  type: number;
  protocol: number;
  /** The stack's channel (accept opens the new descriptor's connection there). */
  server: { pid: number; chid: number };
  /** File status flags (O_NONBLOCK). */
  flags: number;
}

/** The process's socket descriptors (fd = coid). */
const FDS = new LocalKey<Map<number, SockFile>>('libsocket.fds');
/** errno as the socket calls leave it. */
const ERRNO = new LocalKey<number>('errno');

function fds(ctx: ThreadCtx): Map<number, SockFile> {
  let m = ctx.local.get(FDS);
  if (!m) {
    m = new Map();
    ctx.local.set(FDS, m);
  }
  return m;
}

export function errno(ctx: ThreadCtx): number {
  return ctx.local.get(ERRNO) ?? 0;
}

export function setErrno(ctx: ThreadCtx, e: number): void {
  ctx.local.set(ERRNO, e);
}


function fail(ctx: ThreadCtx, e: number): -1 {
  setErrno(ctx, e);
  return -1;
}

/** MsgSend that turns a KernelError into a Reply with errno (io-pkt went away: EBADF/ESRCH). */
function* rpc(ctx: ThreadCtx, coid: number, msg: Parameters<ThreadCtx['MsgSend']>[1]): Co<Reply> {
  try {
    return yield* ctx.MsgSend(coid, msg);
  } catch (e) {
    if (e instanceof KernelError) return { status: -1, errno: e.errno };
    throw e;
  }
}

function failed(r: Reply): number {
  return r.status < 0 || (r.errno !== undefined && r.errno !== 0) ? (r.errno ?? Errno.EIO) : 0;
}

/** The descriptor's entry, or null with errno EBADF. */
export function file(ctx: ThreadCtx, fd: number): SockFile | null {
  const f = fds(ctx).get(fd);
  if (!f) setErrno(ctx, Errno.EBADF);
  return f ?? null;
}

/** The message flags a call on `f` carries: MSG_DONTWAIT on a non-blocking descriptor. */
function ioflags(f: SockFile, flags: number): number {
  return (f.flags & O_NONBLOCK) !== 0 ? flags | MSG_DONTWAIT : flags;
}

export function* socket(ctx: ThreadCtx, domain: number, type: number, protocol: number): Co<number> {
  const path = `${ctx.env.SOCK ?? ''}/dev/socket/${domain}`;
  const res = ctx.pathResolve(path);
  if (!res || res.rest !== '') return fail(ctx, Errno.EAFNOSUPPORT);
  let coid: number;
  try {
    coid = ctx.ConnectAttach(res.pid, res.chid);
  } catch (e) {
    if (e instanceof KernelError) return fail(ctx, e.errno === Errno.ESRCH ? Errno.EAFNOSUPPORT : e.errno);
    throw e;
  }
  const r = yield* rpc(ctx, coid, { type: IO_CONNECT, subtype: 'open', path: res.prefix, rest: res.rest, ftype: 'socket', domain, socktype: type, protocol, bytes: 80 });
  const e = failed(r);
  if (e) {
    ctx.ConnectDetach(coid);
    return fail(ctx, e === Errno.ENOENT ? Errno.EAFNOSUPPORT : e);
  }
  fds(ctx).set(coid, { coid, domain, type, protocol, server: { pid: res.pid, chid: res.chid }, flags: 0 });
  return coid;
}

function* devctl(ctx: ThreadCtx, fd: number, dcmd: string, data: Record<string, unknown>): Co<Reply | null> {
  const f = file(ctx, fd);
  if (!f) return null;
  const r = yield* rpc(ctx, f.coid, { type: IO_DEVCTL, dcmd, data, bytes: 64 });
  const e = failed(r);
  if (e) {
    setErrno(ctx, e);
    return null;
  }
  return r;
}

export function* bind(ctx: ThreadCtx, fd: number, addr: SockAddr): Co<number> {
  return (yield* devctl(ctx, fd, 'DCMD_IP_SSRCADDR', { sa: addr })) ? 0 : -1;
}

/**
 * connect(): on a stream socket blocks until the connection is established or failed (ECONNREFUSED,
 * ETIMEDOUT, EHOSTUNREACH); on a non-blocking one fails with EINPROGRESS at once (select for writing, then
 * SO_ERROR says how it ended).
 */
export function* connect(ctx: ThreadCtx, fd: number, addr: SockAddr): Co<number> {
  const f = file(ctx, fd);
  if (!f) return -1;
  return (yield* devctl(ctx, fd, 'DCMD_IP_SDESTADDR', { sa: addr, nonblock: (f.flags & O_NONBLOCK) !== 0 })) ? 0 : -1;
}

/** listen(): a negative or too large backlog is io-pkt's somaxconn. */
export function* listen(ctx: ThreadCtx, fd: number, backlog: number): Co<number> {
  return (yield* devctl(ctx, fd, 'DCMD_IP_LISTEN', { backlog })) ? 0 : -1;
}

/**
 * accept(): the new connection's descriptor and the peer's address; blocks until a connection is complete
 * (EWOULDBLOCK on a non-blocking listener). The new descriptor is a new connection to io-pkt whose OCB is
 * the accepted socket; it starts blocking (BSD: accept does not inherit O_NONBLOCK).
 */
export function* accept(ctx: ThreadCtx, fd: number): Co<{ fd: number; addr: SockAddr | null }> {
  const f = file(ctx, fd);
  if (!f) return { fd: -1, addr: null };
  const r = yield* devctl(ctx, fd, 'DCMD_IP_ACCEPT', { nonblock: (f.flags & O_NONBLOCK) !== 0 });
  if (!r) return { fd: -1, addr: null };
  const a = r.data as AcceptReply;
  let coid: number;
  try {
    coid = ctx.ConnectAttach(f.server.pid, f.server.chid);
  } catch (e) {
    if (e instanceof KernelError) return { fd: fail(ctx, e.errno), addr: null };
    throw e;
  }
  const o = yield* rpc(ctx, coid, { type: IO_CONNECT, subtype: 'openfd', token: a.token, bytes: 32 });
  const e = failed(o);
  if (e) {
    ctx.ConnectDetach(coid);
    return { fd: fail(ctx, e), addr: null };
  }
  fds(ctx).set(coid, { coid, domain: f.domain, type: f.type, protocol: f.protocol, server: f.server, flags: 0 });
  return { fd: coid, addr: a.addr };
}

/**
 * fcntl(F_GETFL / F_SETFL): only O_NONBLOCK changes. The library keeps it per descriptor (no message; a
 * generator so that it is called like the other calls).
 */
export function* fcntl(ctx: ThreadCtx, fd: number, cmd: number, arg = 0): Co<number> {
  const f = file(ctx, fd);
  if (!f) return -1;
  if (cmd === F_GETFL) return O_RDWR | f.flags;
  if (cmd === F_SETFL) {
    f.flags = (f.flags & ~O_NONBLOCK) | (arg & O_NONBLOCK);
    return 0;
  }
  return fail(ctx, Errno.EINVAL);
}

export function* getsockname(ctx: ThreadCtx, fd: number): Co<SockAddr | null> {
  const r = yield* devctl(ctx, fd, 'DCMD_IP_GSRCADDR', {});
  return r ? (r.data as SockAddr) : null;
}

export function* getpeername(ctx: ThreadCtx, fd: number): Co<SockAddr | null> {
  const r = yield* devctl(ctx, fd, 'DCMD_IP_GDESTADDR', {});
  return r ? (r.data as SockAddr) : null;
}

export function* shutdown(ctx: ThreadCtx, fd: number, how: number): Co<number> {
  return (yield* devctl(ctx, fd, 'DCMD_IP_SHUTDOWN', { how })) ? 0 : -1;
}

/** ioctl(): the reply data, or null with errno set. FIONBIO ({ on }) sets O_NONBLOCK as fcntl does. */
export function* ioctl(ctx: ThreadCtx, fd: number, request: string, arg: Record<string, unknown>): Co<{ data: unknown } | null> {
  if (request === FIONBIO) {
    const f = file(ctx, fd);
    if (!f) return null;
    f.flags = arg.on ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
    return { data: 0 };
  }
  const r = yield* devctl(ctx, fd, request, arg);
  return r ? { data: r.data } : null;
}

export function* sendto(ctx: ThreadCtx, fd: number, data: Uint8Array, flags = 0, to: SockAddr | null = null): Co<number> {
  const f = file(ctx, fd);
  if (!f) return -1;
  const pktId = newPacketId(ctx);
  ctx.trace('app', 'send', pktId, { pid: ctx.pid, fd, len: data.length });
  const r = yield* rpc(ctx, f.coid, { type: IO_WRITE, data, to, flags: ioflags(f, flags), pktId, bytes: data.length + 32 });
  const e = failed(r);
  return e ? fail(ctx, e) : r.status;
}

export function* send(ctx: ThreadCtx, fd: number, data: Uint8Array, flags = 0): Co<number> {
  return yield* sendto(ctx, fd, data, flags, null);
}

/** Write a routing message on an AF_ROUTE socket. */
export function* writeRtm(ctx: ThreadCtx, fd: number, rtm: RtMsg): Co<number> {
  const f = file(ctx, fd);
  if (!f) return -1;
  const r = yield* rpc(ctx, f.coid, { type: IO_WRITE, data: new Uint8Array(92), to: null, flags: 0, pktId: 0, rtm, bytes: 92 });
  const e = failed(r);
  return e ? fail(ctx, e) : r.status;
}

export interface RecvResult {
  /** Bytes received, or -1 (errno set). */
  n: number;
  data: Uint8Array;
  from: SockAddr | null;
  truncated: boolean;
  pktId: number;
  /** AF_INET6 datagram and raw sockets: the hop limit the packet arrived with (IPV6_RECVHOPLIMIT). */
  hlim?: number;
}

export function* recvfrom(ctx: ThreadCtx, fd: number, nbytes: number, flags = 0): Co<RecvResult> {
  const f = file(ctx, fd);
  if (!f) return { n: -1, data: new Uint8Array(0), from: null, truncated: false, pktId: 0 };
  const r = yield* rpc(ctx, f.coid, { type: IO_READ, nbytes, flags: ioflags(f, flags), bytes: 32 });
  const e = failed(r);
  if (e) {
    setErrno(ctx, e);
    return { n: -1, data: new Uint8Array(0), from: null, truncated: false, pktId: 0 };
  }
  const d = r.data as ReadReplyData;
  ctx.trace('app', 'recv', d.pktId, { pid: ctx.pid, fd, len: d.data.length });
  return { n: d.data.length, data: d.data, from: d.from, truncated: d.truncated, pktId: d.pktId, ...(d.hlim !== undefined ? { hlim: d.hlim } : {}) };
}

/** setsockopt(): `value` is the option's int, or struct linger for SO_LINGER. */
export function* setsockopt(ctx: ThreadCtx, fd: number, level: number, name: number, value: number | Linger): Co<number> {
  const f = file(ctx, fd);
  if (!f) return -1;
  const r = yield* rpc(ctx, f.coid, { type: IO_MSG, subtype: 'setsockopt', level, name, value, bytes: 32 });
  const e = failed(r);
  return e ? fail(ctx, e) : 0;
}

export function* getsockopt(ctx: ThreadCtx, fd: number, level: number, name: number): Co<number | null> {
  const f = file(ctx, fd);
  if (!f) return null;
  const r = yield* rpc(ctx, f.coid, { type: IO_MSG, subtype: 'getsockopt', level, name, bytes: 32 });
  const e = failed(r);
  if (e) {
    setErrno(ctx, e);
    return null;
  }
  return r.data as number;
}

/** getsockopt(SOL_SOCKET, SO_LINGER): struct linger, or null with errno set. */
export function* getsockoptLinger(ctx: ThreadCtx, fd: number): Co<Linger | null> {
  const f = file(ctx, fd);
  if (!f) return null;
  const r = yield* rpc(ctx, f.coid, { type: IO_MSG, subtype: 'getsockopt', level: SOL_SOCKET, name: SO_LINGER, bytes: 32 });
  const e = failed(r);
  if (e) {
    setErrno(ctx, e);
    return null;
  }
  return r.data as Linger;
}

/**
 * ionotify(): the asked conditions that hold now; with _NOTIFY_ACTION_POLLARM, `event` is armed when none
 * does. -1 with errno on a bad descriptor.
 */
export function* ionotify(ctx: ThreadCtx, fd: number, action: number, flags: number, event: SigEvent | null): Co<number> {
  const f = file(ctx, fd);
  if (!f) return -1;
  const r = yield* rpc(ctx, f.coid, { type: IO_NOTIFY, action, flags, event, bytes: 40 });
  const e = failed(r);
  return e ? fail(ctx, e) : (r.data as { flags: number }).flags >>> 0;
}

/** sysctl(3) through a socket of the stack: the node's value, or null with errno set. */
export function* sysctl(ctx: ThreadCtx, fd: number, name: string[], value?: number): Co<unknown> {
  const f = file(ctx, fd);
  if (!f) return null;
  const r = yield* rpc(ctx, f.coid, { type: IO_MSG, subtype: 'sysctl', name, ...(value !== undefined ? { value } : {}), bytes: 64 });
  const e = failed(r);
  if (e) {
    setErrno(ctx, e);
    return null;
  }
  return r.data;
}

export function* close(ctx: ThreadCtx, fd: number): Co<number> {
  const f = file(ctx, fd);
  if (!f) return -1;
  fds(ctx).delete(fd);
  // A blocking close of a stream socket with SO_LINGER waits here until the linger is over.
  yield* rpc(ctx, f.coid, { type: IO_CLOSE, flags: ioflags(f, 0), bytes: 16 });
  try {
    ctx.ConnectDetach(f.coid);
  } catch {
    /* io-pkt gone */
  }
  return 0;
}

/** SO_RCVTIMEO/SO_SNDTIMEO take a timeval; here nanoseconds. */
export function timevalNs(sec: number, usec = 0): number {
  return Math.round(sec * 1e9 + usec * 1e3);
}
