/**
 * The C library's pathname calls over messages: open(), read(), readdir(), fstat(), stat(), close(), as QNX's
 * libc does them in `_connect` (sys_arch "Behind a simple open()"; docs/design/qnet-behaviour.md §1.5):
 *
 * 1. The first hop is the process manager. We ask procnto's path table (ctx.pathResolve) which server owns
 *    the longest registered prefix; a path procnto serves itself (its image files, /dev/null, the
 *    synthesized directories, a path nobody registered) goes to procnto's own channel (PROCNTO_PID,
 *    PROCNTO_CHID), which answers ENOENT for what does not exist.
 * 2. ConnectAttach(pid, chid, nd) and `_IO_CONNECT` open {path: prefix, rest}.
 * 3. A redirect reply (include/sys/iomsg.ts: QNX's _IO_CONNECT_RET_LINK) says "ask (nd, pid, chid) for
 *    prefix/rest instead": detach and follow. An ND of ND_LOCAL_NODE in a redirect that came over a
 *    connection to node N means N itself (netmgr_remote_nd(N, ND_LOCAL_NODE) is N; netmgr_remote_nd.c); any
 *    other ND is taken as already relative to this node (the network manager rewrites what it carries).
 *    At most MAX_REDIRECTS redirects are followed; one more fails with ELOOP, as a prefix loop does in QNX.
 * 4. Any other reply: success leaves the connection open as the file descriptor; an error detaches and
 *    returns -1 with errno.
 *
 * C conventions: -1 (or null) with errno set (libsocket's errno, lib/socket.ts). A KernelError from
 * ConnectAttach/MsgSend (ESRCH: server gone; ENOTSUP: remote ND without a network manager; EHOSTDOWN: node
 * down) becomes that errno. Time: only the kernel calls' own charges (ConnectAttach, MsgSend, the copies).
 */
import { Errno, KernelError, type Co, type Message, type Reply, type ThreadCtx } from '../kernel/api';
import { ND_LOCAL_NODE, ND_NODE_CMP, PROCNTO_CHID, PROCNTO_PID } from '../kernel/kif';
import { normalizePath } from '../kernel/pathspace';
import { IO_CLOSE, IO_CONNECT, IO_READ, IO_STAT, S_IFDIR, S_IFMT, replyRedirect, type OpenMsg, type StatData } from '../include/sys/iomsg';
import { decodeDirents } from '../include/dirent';
import { errno, setErrno } from './socket';
import { strerror as netStrerror } from './errno';

/** QNX <errno.h> values the pathname calls return. */
export const ENOTDIR = Errno.ENOTDIR;
export const EISDIR = Errno.EISDIR;
/** "Too many symbolic link or prefix loops". */
export const ELOOP = Errno.ELOOP;

/** Redirects followed before ELOOP (QNX follows at most 8 links per resolution, as pathspace.ts does). */
export const MAX_REDIRECTS = 8;

/** The read size readdir() and cat use (one page, as libc's opendir buffer). */
export const DIRBUF = 4096;

/** sizeof the fixed part of the messages (QNX 6 <sys/iomsg.h>): struct _io_connect 40 + path, _io_read 16, _io_stat 8, _io_close 4. */
const IO_CONNECT_HDR = 40;
const IO_READ_BYTES = 16;
const IO_STAT_BYTES = 8;
const IO_CLOSE_BYTES = 4;

/** strerror() for the pathname calls' errors (the socket library's table over the kernel's). */
export function pathStrerror(e: number): string {
  return netStrerror(e);
}

export interface OpenOpts {
  /** The _IO_CONNECT file type (_FTYPE_ANY unless a socket is wanted). */
  ftype?: OpenMsg['ftype'];
}

/** MsgSend; a KernelError (server gone: ESRCH/EBADF; node down: EHOSTDOWN) becomes a Reply with its errno. */
export function* ioRpc(ctx: ThreadCtx, coid: number, msg: Message): Co<Reply> {
  try {
    return yield* ctx.MsgSend(coid, msg);
  } catch (e) {
    if (e instanceof KernelError) return { status: -1, errno: e.errno };
    throw e;
  }
}

/** The errno a reply carries (0 = success). */
export function ioFailed(r: Reply): number {
  return r.status < 0 || (r.errno !== undefined && r.errno !== 0) ? (r.errno ?? Errno.EIO) : 0;
}

function detach(ctx: ThreadCtx, coid: number): void {
  try {
    ctx.ConnectDetach(coid);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
  }
}

interface Hop {
  nd: number;
  pid: number;
  chid: number;
  prefix: string;
  rest: string;
}

/** The first hop: the owner procnto's table names, or procnto itself for what it serves (or nobody does). */
function firstHop(ctx: ThreadCtx, path: string): Hop {
  const res = ctx.pathResolve(path);
  if (res && res.pid !== PROCNTO_PID) return { nd: ND_LOCAL_NODE, ...res };
  if (res) return { nd: ND_LOCAL_NODE, pid: PROCNTO_PID, chid: PROCNTO_CHID, prefix: res.prefix, rest: res.rest };
  return { nd: ND_LOCAL_NODE, pid: PROCNTO_PID, chid: PROCNTO_CHID, prefix: '/', rest: path.slice(1) };
}

/** open(path, O_RDONLY): the connection id (the fd), or -1 with errno. Relative paths are taken from the root. */
export function* open(ctx: ThreadCtx, path: string, opts: OpenOpts = {}): Co<number> {
  let hop = firstHop(ctx, normalizePath(path));
  for (let redirects = 0; ; redirects++) {
    let coid: number;
    try {
      coid = ctx.ConnectAttach(hop.pid, hop.chid, hop.nd);
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      setErrno(ctx, e.errno);
      return -1;
    }
    const joined = hop.rest === '' ? hop.prefix : `${hop.prefix}/${hop.rest}`;
    const msg: OpenMsg = {
      type: IO_CONNECT, subtype: 'open', path: hop.prefix, rest: hop.rest, ftype: opts.ftype ?? 'any',
      domain: 0, socktype: 0, protocol: 0, bytes: IO_CONNECT_HDR + joined.length + 1,
    };
    const r = yield* ioRpc(ctx, coid, msg);
    const e = ioFailed(r);
    if (e) {
      detach(ctx, coid);
      setErrno(ctx, e);
      return -1;
    }
    const red = replyRedirect(r);
    if (!red) return coid;
    detach(ctx, coid);
    if (redirects >= MAX_REDIRECTS) {
      setErrno(ctx, ELOOP);
      return -1;
    }
    // netmgr_remote_nd: ND_LOCAL_NODE as the far node said it means the far node.
    const nd = ND_NODE_CMP(red.nd, ND_LOCAL_NODE) === 0 ? hop.nd : red.nd;
    hop = { nd, pid: red.pid, chid: red.chid, prefix: red.prefix, rest: red.rest };
  }
}

/** The bytes a read reply carries: a Uint8Array as data, or io-pkt's ReadReplyData shape. */
function replyBytes(r: Reply): Uint8Array | null {
  const d = r.data as unknown;
  if (d instanceof Uint8Array) return d;
  if (d && typeof d === 'object' && (d as { data?: unknown }).data instanceof Uint8Array) return (d as { data: Uint8Array }).data;
  return r.status === 0 ? new Uint8Array(0) : null;
}

/** read(fd, buf, nbytes): up to nbytes from the OCB's offset (empty at the end), or null with errno. */
export function* read(ctx: ThreadCtx, fd: number, nbytes: number): Co<Uint8Array | null> {
  const r = yield* ioRpc(ctx, fd, { type: IO_READ, nbytes, flags: 0, bytes: IO_READ_BYTES });
  const e = ioFailed(r);
  if (e) {
    setErrno(ctx, e);
    return null;
  }
  const b = replyBytes(r);
  if (!b) {
    setErrno(ctx, Errno.EIO);
    return null;
  }
  const n = Math.min(r.status > 0 ? r.status : b.length, b.length, nbytes);
  return b.subarray(0, n);
}

/** Every name readdir() returns for an open directory: _IO_READ of DIRBUF until 0; null with errno on error. */
export function* readdir(ctx: ThreadCtx, fd: number): Co<string[] | null> {
  const names: string[] = [];
  for (;;) {
    const b = yield* read(ctx, fd, DIRBUF);
    if (!b) return null;
    if (b.length === 0) return names;
    const ents = decodeDirents(b);
    // A server that returns bytes but no whole record would loop forever: readdir stops (EIO-free end).
    if (ents.length === 0) return names;
    for (const d of ents) names.push(d.name);
  }
}

/** fstat(fd): the mode and size, or null with errno. */
export function* fstat(ctx: ThreadCtx, fd: number): Co<StatData | null> {
  const r = yield* ioRpc(ctx, fd, { type: IO_STAT, bytes: IO_STAT_BYTES });
  const e = ioFailed(r);
  if (e) {
    setErrno(ctx, e);
    return null;
  }
  const d = r.data as Partial<StatData> | undefined;
  if (!d || typeof d !== 'object' || typeof d.mode !== 'number' || typeof d.size !== 'number') {
    setErrno(ctx, Errno.EIO);
    return null;
  }
  return { mode: d.mode, size: d.size };
}

/** close(fd): _IO_CLOSE, then ConnectDetach. 0, or -1 with errno (EBADF for a connection not ours). */
export function* close(ctx: ThreadCtx, fd: number): Co<number> {
  const r = yield* ioRpc(ctx, fd, { type: IO_CLOSE, bytes: IO_CLOSE_BYTES });
  try {
    ctx.ConnectDetach(fd);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    setErrno(ctx, e.errno);
    return -1;
  }
  const e = ioFailed(r);
  if (e) {
    setErrno(ctx, e);
    return -1;
  }
  return 0;
}

/** stat(path): open, fstat, close. */
export function* stat(ctx: ThreadCtx, path: string): Co<StatData | null> {
  const fd = yield* open(ctx, path);
  if (fd < 0) return null;
  const st = yield* fstat(ctx, fd);
  const e = errno(ctx);
  yield* close(ctx, fd);
  if (!st) setErrno(ctx, e);
  return st;
}

/** S_ISDIR. */
export function isDir(st: StatData): boolean {
  return (st.mode & S_IFMT) === S_IFDIR;
}
