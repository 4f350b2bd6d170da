/**
 * The pathname and file messages every resource manager may get, shared by procnto (stack/kernel), io-pkt's
 * protocol modules (lsm-qnet's /net), the C library's open/read/readdir/stat (stack/lib/connect.ts) and Qnet's
 * codec that carries them between nodes (stack/net/qnet/iomsg.ts). Structured stand-ins for <sys/iomsg.h>:
 *
 * - `_IO_CONNECT` subtype 'open' (io-pkt/msg.ts OpenMsg): `path` + '/' + `rest` is the opened path as the
 *   server sees it. A server must only use the joined path: across nodes the split is not kept.
 * - A redirect (QNX's _IO_CONNECT_RET_LINK reply with one _io_connect_entry): "ask (nd, pid, chid) for
 *   prefix/rest instead". procnto answers one for a path another server owns; lsm-qnet for /net/<node>/…
 *   (nd = its ND for the node, pid/chid = that node's procnto). An nd of ND_LOCAL_NODE in a redirect that
 *   came over a connection to node N means N itself (netmgr_remote_nd); the library follows at most 8.
 * - `_IO_READ` on a file: the bytes from the OCB's offset (reply status = count, data = the bytes); on a
 *   directory: whole `struct dirent` records (include/dirent.ts), as many as fit in nbytes; 0 at the end.
 * - `_IO_STAT`: struct stat reduced to mode (S_IF* type bits | permissions) and size.
 * - `_IO_MSG` with `mgrid` (RawIoMsg): a manager-specific message with opaque payload bytes; msgecho replies
 *   with the payload. (io-pkt's socket options use `_IO_MSG` with a string subtype: SockoptMsg.)
 */
import type { Reply } from '../../kernel/api';

export const IO_STAT = '_IO_STAT';

/** <sys/stat.h> file type bits, QNX values. */
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFREG = 0o100000;
export const S_IFNAM = 0o050000;

export interface ConnectRedirect {
  nd: number;
  pid: number;
  chid: number;
  /** The registered path at (nd, pid, chid) and what is left of the opened path after it ('' for none). */
  prefix: string;
  rest: string;
}

export type StatMsg = { type: typeof IO_STAT; bytes?: number };

export interface StatData {
  mode: number;
  size: number;
}

/** A manager-specific `_IO_MSG` (struct _io_msg: mgrid, subtype) with its payload. */
export type RawIoMsg = { type: '_IO_MSG'; mgrid: number; subtype: number; data: Uint8Array; bytes?: number };

/** The reply that redirects an open. */
export function redirectReply(r: ConnectRedirect): Reply {
  return { status: 0, data: { redirect: r }, bytes: 24 + r.prefix.length + r.rest.length };
}

/** The redirect a reply carries, or null. */
export function replyRedirect(r: Reply): ConnectRedirect | null {
  const d = r.data as { redirect?: ConnectRedirect } | undefined;
  return r.status >= 0 && d && typeof d === 'object' && d.redirect ? d.redirect : null;
}
