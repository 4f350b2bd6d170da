/**
 * Mount and unmount requests to io-pkt's resource manager: `mount -T io-pkt module` loads a driver or
 * protocol module (the type must be one this instance answers, else ENOENT); `umount /dev/io-net/enN`
 * detaches a legacy (shim) interface.
 */
import { Errno, type Co, type ThreadCtx } from '../kernel/api';
import { instanceNames } from './cmdline';
import type { Loader } from './loader';
import { IO_CONNECT } from './msg';
import type { IoPktProcess, QueuedMessage } from './process';

export function* mountMessage(p: IoPktProcess, loader: Loader, ctx: ThreadCtx, q: QueuedMessage): Co<void> {
  const m = q.msg;
  if (m.type !== IO_CONNECT) return;
  if (m.subtype === 'mount') {
    if (!instanceNames(p.cl.instance).includes(m.mountType)) {
      ctx.MsgError(q.rcvid, Errno.ENOENT);
      return;
    }
    const ret = yield* loader.load(m.special, m.data, false);
    if (ret) ctx.MsgError(q.rcvid, ret);
    else ctx.MsgReply(q.rcvid, { status: 0 });
    return;
  }
  const ionet = `${p.cl.tcpip.prefix}/dev/io-net/`;
  if (m.subtype === 'unmount') {
    const full = m.rest ? `${m.path}/${m.rest}` : m.path;
    if (!full.startsWith(ionet)) {
      ctx.MsgError(q.rcvid, Errno.ENOENT);
      return;
    }
    const ifp = p.stack.ifs.list.find((i) => i.name === full.slice(ionet.length) && i.driver === 'shim');
    if (!ifp) {
      ctx.MsgError(q.rcvid, Errno.ENOENT);
      return;
    }
    if (!ifp.ops.detach) {
      ctx.MsgError(q.rcvid, Errno.EOPNOTSUPP);
      return;
    }
    const e = yield* ifp.ops.detach(ifp);
    p.stack.detachInterface(ifp);
    if (e) ctx.MsgError(q.rcvid, e);
    else ctx.MsgReply(q.rcvid, { status: 0 });
  }
}
