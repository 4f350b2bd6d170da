/**
 * mount / umount, for io-pkt's use of them: `mount -T io-pkt[N] [-o opts] module` loads a driver or
 * protocol module into a running io-pkt (sent to the `/proc/mount/<type>` handler io-pkt attached, see
 * io-pkt/msg.ts); `umount /dev/io-net/enN` removes a legacy (shim) interface.
 */
import { KernelError, type Co, type ProgramMain, type Reply, type ThreadCtx } from '../kernel/api';
import { Errno } from '../kernel/api';
import { strerror } from '../lib/errno';
import { getopt } from '../lib/getopt';
import { IO_CONNECT, MOUNT_DIR } from '../io-pkt/msg';

function* connectSend(ctx: ThreadCtx, path: string, msg: (prefix: string, rest: string) => Record<string, unknown> & { type: string }): Co<number> {
  const res = ctx.pathResolve(path);
  if (!res) return Errno.ENOENT;
  let coid: number;
  try {
    coid = ctx.ConnectAttach(res.pid, res.chid);
  } catch (e) {
    if (e instanceof KernelError) return e.errno === Errno.ESRCH ? Errno.ENOENT : e.errno;
    throw e;
  }
  let r: Reply;
  try {
    r = yield* ctx.MsgSend(coid, msg(res.prefix, res.rest));
  } catch (e) {
    if (e instanceof KernelError) r = { status: -1, errno: e.errno };
    else throw e;
  }
  try {
    ctx.ConnectDetach(coid);
  } catch {
    /* server gone */
  }
  return r.status < 0 ? (r.errno ?? Errno.EIO) : 0;
}

export const mount: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const g = getopt(argv, 'abeEo:rt:T:uvw');
  let type: string | null = null;
  let data: string | null = null;
  for (const o of g.opts) {
    if (o.opt === 't' || o.opt === 'T') type = o.arg;
    else if (o.opt === 'o') data = data ? `${data},${o.arg}` : o.arg;
  }
  if (g.errors.length || g.operands.length < 1 || type === null) {
    for (const e of g.errors) ctx.print(`mount: ${e}\n`);
    ctx.print('usage: mount [-abruvw] [-o options] [-t|T type] [special] [mountpoint]\n');
    return 1;
  }
  const special = g.operands[0]!;
  const mountpoint = g.operands[1] ?? '/';
  const path = `${MOUNT_DIR}/${type}`;
  const res = ctx.pathResolve(path);
  const e = !res || res.rest !== ''
    ? Errno.ENOENT
    : yield* connectSend(ctx, path, (prefix, rest) => ({ type: IO_CONNECT, subtype: 'mount', path: prefix + (rest ? `/${rest}` : ''), mountType: type!, special, data, bytes: 128 }));
  if (e) {
    ctx.print(`mount: Can't mount ${mountpoint} (type ${type})\nmount: Possible reason: ${strerror(e)}\n`);
    return 1;
  }
  return 0;
};

export const umount: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const g = getopt(argv, 'fv');
  if (g.errors.length || g.operands.length !== 1) {
    ctx.print('usage: umount [-fv] special | node\n');
    return 1;
  }
  const path = g.operands[0]!;
  const e = yield* connectSend(ctx, path, (prefix, rest) => ({ type: IO_CONNECT, subtype: 'unmount', path: prefix, rest, bytes: 64 }));
  if (e) {
    ctx.print(`umount: Can't unmount ${path}: ${strerror(e)}\n`);
    return 1;
  }
  return 0;
};
