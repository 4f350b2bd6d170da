/**
 * libsocket: the BSD socket API over io-pkt's resource manager, as generator functions on a ThreadCtx.
 * C conventions: calls return -1 (or null) and set errno (`errno(ctx)`); descriptors are the connection
 * ids to io-pkt (QNX fds are coids). socket() opens `$SOCK/dev/socket/<domain>` (ENOENT → EAFNOSUPPORT).
 * Each send gets a packet id, traced as ("app", "send"); each datagram received is traced ("app", "recv")
 * with the id it carried through the stack. The constants (AF_*, SOCK_*, SO_*, IPPROTO_*, sockaddr_in) are
 * the headers' in stack/include, which applications import as a C program includes <sys/socket.h>.
 */
import { KernelError, Errno, type Co, type Reply, type ThreadCtx } from '../kernel/api';
import { LocalKey } from '../kernel/local';
import { newPacketId } from './pktid';
import type { SockAddr } from '../include/netinet/in';
import {
  IO_CLOSE, IO_CONNECT, IO_DEVCTL, IO_MSG, IO_READ, IO_WRITE, type ReadReplyData, type RtMsg,
} from '../io-pkt/msg';

interface SockFile {
  coid: number;
  domain: number;
  type: number;
  protocol: number;
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

function file(ctx: ThreadCtx, fd: number): SockFile | null {
  const f = fds(ctx).get(fd);
  if (!f) setErrno(ctx, Errno.EBADF);
  return f ?? null;
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
  fds(ctx).set(coid, { coid, domain, type, protocol });
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
  return (yield* devctl(ctx, fd, 'DCMD_IP_SSRCADDR', { addr: addr.addr, port: addr.port })) ? 0 : -1;
}

export function* connect(ctx: ThreadCtx, fd: number, addr: SockAddr): Co<number> {
  return (yield* devctl(ctx, fd, 'DCMD_IP_SDESTADDR', { addr: addr.addr, port: addr.port })) ? 0 : -1;
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

/** ioctl(): the reply data, or null with errno set. */
export function* ioctl(ctx: ThreadCtx, fd: number, request: string, arg: Record<string, unknown>): Co<{ data: unknown } | null> {
  const r = yield* devctl(ctx, fd, request, arg);
  return r ? { data: r.data } : null;
}

export function* sendto(ctx: ThreadCtx, fd: number, data: Uint8Array, flags = 0, to: SockAddr | null = null): Co<number> {
  const f = file(ctx, fd);
  if (!f) return -1;
  const pktId = newPacketId(ctx);
  ctx.trace('app', 'send', pktId, { pid: ctx.pid, fd, len: data.length });
  const r = yield* rpc(ctx, f.coid, { type: IO_WRITE, data, to, flags, pktId, bytes: data.length + 32 });
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
}

export function* recvfrom(ctx: ThreadCtx, fd: number, nbytes: number, flags = 0): Co<RecvResult> {
  const f = file(ctx, fd);
  if (!f) return { n: -1, data: new Uint8Array(0), from: null, truncated: false, pktId: 0 };
  const r = yield* rpc(ctx, f.coid, { type: IO_READ, nbytes, flags, bytes: 32 });
  const e = failed(r);
  if (e) {
    setErrno(ctx, e);
    return { n: -1, data: new Uint8Array(0), from: null, truncated: false, pktId: 0 };
  }
  const d = r.data as ReadReplyData;
  ctx.trace('app', 'recv', d.pktId, { pid: ctx.pid, fd, len: d.data.length });
  return { n: d.data.length, data: d.data, from: d.from, truncated: d.truncated, pktId: d.pktId };
}

export function* setsockopt(ctx: ThreadCtx, fd: number, level: number, name: number, value: number): Co<number> {
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
  yield* rpc(ctx, f.coid, { type: IO_CLOSE, bytes: 16 });
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
