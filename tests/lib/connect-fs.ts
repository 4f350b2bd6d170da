/**
 * A test resource manager for the C library's pathname calls (stack/lib/connect.ts): it attaches `mount` as a
 * directory and serves a tree of directories, files, redirects and failures with the messages of
 * include/sys/iomsg.ts (`_IO_CONNECT` open, `_IO_READ` with struct dirent records, `_IO_STAT`, `_IO_CLOSE`),
 * one OCB per connection (scoid), logging every message it gets.
 */
import { Errno, type Message, type ProgramMain, type Reply } from '../../stack/kernel/api';
import { encodeDirents } from '../../stack/include/dirent';
import { IO_STAT, S_IFDIR, S_IFREG, redirectReply, type ConnectRedirect } from '../../stack/include/sys/iomsg';
import { normalizePath } from '../../stack/kernel/pathspace';

export type FsNode =
  | { kind: 'dir' }
  | { kind: 'file'; data: Uint8Array }
  | { kind: 'redirect'; to: () => ConnectRedirect }
  | { kind: 'error'; errno: number };

export interface FsServer {
  main: ProgramMain;
  /** pid and chid once started. */
  where: { pid: number; chid: number };
  /** "type path" for every message, in arrival order. */
  log: string[];
}

export const text = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** `tree` keys are paths relative to the mount ('' = the mount itself). */
export function fsServer(mount: string, tree: Record<string, FsNode>): FsServer {
  const where = { pid: 0, chid: 0 };
  const log: string[] = [];
  const ocbs = new Map<number, { rel: string; offset: number }>();
  const children = (rel: string): string[] =>
    Object.keys(tree)
      .filter((k) => k !== '' && (rel === '' ? !k.includes('/') : k.startsWith(rel + '/') && !k.slice(rel.length + 1).includes('/')))
      .map((k) => k.slice(rel === '' ? 0 : rel.length + 1))
      .sort();

  function serve(scoid: number, msg: Message): Reply {
    const ocb = ocbs.get(scoid);
    switch (msg.type) {
      case '_IO_CONNECT': {
        const joined = normalizePath(msg.rest ? `${String(msg.path)}/${String(msg.rest)}` : String(msg.path));
        log.push(`open ${joined}`);
        const rel = joined === mount ? '' : joined.slice(mount.length + 1);
        const n = tree[rel];
        if (!n) return { status: -1, errno: Errno.ENOENT };
        if (n.kind === 'redirect') return redirectReply(n.to());
        if (n.kind === 'error') return { status: -1, errno: n.errno };
        ocbs.set(scoid, { rel, offset: 0 });
        return { status: 0 };
      }
      case '_IO_READ': {
        log.push(`read ${String(msg.nbytes)}`);
        if (!ocb) return { status: -1, errno: Errno.EBADF };
        const n = tree[ocb.rel]!;
        const nbytes = Number(msg.nbytes);
        if (n.kind === 'dir') {
          const ents = children(ocb.rel).map((name, i) => ({ ino: i + 1, offset: i, name }));
          const { bytes, count } = encodeDirents(ents, ocb.offset, nbytes);
          ocb.offset += count;
          return { status: bytes.length, data: bytes };
        }
        if (n.kind !== 'file') return { status: -1, errno: Errno.EIO };
        const out = n.data.slice(ocb.offset, ocb.offset + nbytes);
        ocb.offset += out.length;
        return { status: out.length, data: out };
      }
      case IO_STAT: {
        log.push('stat');
        if (!ocb) return { status: -1, errno: Errno.EBADF };
        const n = tree[ocb.rel]!;
        return { status: 0, data: n.kind === 'dir' ? { mode: S_IFDIR | 0o755, size: 0 } : { mode: S_IFREG | 0o644, size: n.kind === 'file' ? n.data.length : 0 } };
      }
      case '_IO_CLOSE':
        log.push('close');
        if (!ocb) return { status: -1, errno: Errno.EBADF };
        ocbs.delete(scoid);
        return { status: 0 };
      default:
        return { status: -1, errno: Errno.ENOSYS };
    }
  }

  const main: ProgramMain = function* (ctx) {
    where.pid = ctx.pid;
    where.chid = ctx.ChannelCreate();
    ctx.pathAttach(mount, where.chid, { dir: true });
    for (;;) {
      const r = yield* ctx.MsgReceive(where.chid);
      if (r.kind === 'msg') ctx.MsgReply(r.rcvid, serve(r.info.scoid, r.msg));
    }
  };
  return { main, where, log };
}
