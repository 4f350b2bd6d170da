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
import type { SockAddr } from '../netinet/in';
import type { Ipv4Addr } from '../../net/wire/addr';

export const IO_CONNECT = '_IO_CONNECT';
export const IO_READ = '_IO_READ';
export const IO_WRITE = '_IO_WRITE';
export const IO_DEVCTL = '_IO_DEVCTL';
export const IO_MSG = '_IO_MSG';
export const IO_CLOSE = '_IO_CLOSE';
export const IO_NOTIFY = '_IO_NOTIFY';

export type OpenMsg = {
  type: typeof IO_CONNECT;
  subtype: 'open';
  /** The registered path that matched and what was left of the opened path. */
  path: string;
  rest: string;
  ftype: 'socket' | 'any';
  domain: number;
  socktype: number;
  protocol: number;
  bytes?: number;
};
/** A routing message written on an AF_ROUTE socket (struct rt_msghdr + sockaddrs, reduced). */
export type RtMsg = {
  rtmType: 'RTM_ADD' | 'RTM_DELETE' | 'RTM_GET';
  dst: Ipv4Addr;
  mask: Ipv4Addr;
  gateway: Ipv4Addr;
  host: boolean;
  reject?: boolean;
};
export type WriteMsg = {
  type: typeof IO_WRITE;
  data: Uint8Array;
  to: SockAddr | null;
  flags: number;
  /** Packet id the sending application gave the data (trace). */
  pktId: number;
  rtm?: RtMsg;
  bytes?: number;
};
export type ReadMsg = {
  type: typeof IO_READ;
  nbytes: number;
  flags: number;
  bytes?: number;
};
/** close(): a stream socket with SO_LINGER (time > 0) and no MSG_DONTWAIT answers once the linger is over. */
export type CloseMsg = { type: typeof IO_CLOSE; flags?: number; bytes?: number };

export const IO_STAT = '_IO_STAT';

/** A reply as MsgReply gives it (structurally the kernel's `Reply`; headers import no program code). */
export interface IoReply {
  status: number;
  errno?: number;
  data?: unknown;
  bytes?: number;
}

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
export function redirectReply(r: ConnectRedirect): IoReply {
  return { status: 0, data: { redirect: r }, bytes: 24 + r.prefix.length + r.rest.length };
}

/** The redirect a reply carries, or null. */
export function replyRedirect(r: IoReply): ConnectRedirect | null {
  const d = r.data as { redirect?: ConnectRedirect } | undefined;
  return r.status >= 0 && d && typeof d === 'object' && d.redirect ? d.redirect : null;
}
