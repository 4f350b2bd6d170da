/**
 * What the C library does for every device a program opens by path (/dev/bpf, /dev/pf): open(2) as
 * `_connect` (resolve the path, ConnectAttach, `_IO_CONNECT` open), and MsgSend that turns a kernel error into a
 * reply carrying its errno. C conventions: -1 with errno set (libsocket's errno).
 */
import { Errno, KernelError, type Co, type Reply, type ThreadCtx } from '../kernel/api';
import { IO_CONNECT } from '../io-pkt/msg';
import { setErrno } from './socket';

/** MsgSend; a KernelError (the server went away: EBADF/ESRCH) becomes a Reply with its errno. */
export function* devRpc(ctx: ThreadCtx, coid: number, msg: Parameters<ThreadCtx['MsgSend']>[1]): Co<Reply> {
  try {
    return yield* ctx.MsgSend(coid, msg);
  } catch (e) {
    if (e instanceof KernelError) return { status: -1, errno: e.errno };
    throw e;
  }
}

/** The errno a reply carries (0 = success). */
export function devFailed(r: Reply): number {
  return r.status < 0 || (r.errno !== undefined && r.errno !== 0) ? (r.errno ?? Errno.EIO) : 0;
}

/** open(path, O_RDWR) on a device: the connection id, or -1 with errno (ENOENT: nobody serves the path). `$SOCK` prefixes it. */
export function* devOpen(ctx: ThreadCtx, path: string): Co<number> {
  const res = ctx.pathResolve(`${ctx.env.SOCK ?? ''}${path}`);
  if (!res || res.rest !== '') {
    setErrno(ctx, Errno.ENOENT);
    return -1;
  }
  let coid: number;
  try {
    coid = ctx.ConnectAttach(res.pid, res.chid);
  } catch (e) {
    if (e instanceof KernelError) {
      setErrno(ctx, e.errno);
      return -1;
    }
    throw e;
  }
  const r = yield* devRpc(ctx, coid, { type: IO_CONNECT, subtype: 'open', path: res.prefix, rest: res.rest, ftype: 'any', domain: 0, socktype: 0, protocol: 0, bytes: 80 });
  const e = devFailed(r);
  if (e) {
    ctx.ConnectDetach(coid);
    setErrno(ctx, e);
    return -1;
  }
  return coid;
}
