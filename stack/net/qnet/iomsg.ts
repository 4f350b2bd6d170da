/**
 * Qnet's message codec: the structured pathname/file messages of the local path (stack/io-pkt/msg.ts,
 * stack/include/sys/iomsg.ts) ↔ the bytes QNX programs exchange (<sys/iomsg.h>, layouts in iomsg-layout.ts),
 * so that a MsgSend crossing nodes carries what a real client would send and tshark's packet-qnet6 decodes
 * it (`dissect_qnet6_kif_msgsend_msg`: every fixed part whole, see ioMsgMinLen).
 *
 * Carried (requests → replies):
 * - `_IO_CONNECT` `_IO_CONNECT_OPEN` (OpenMsg, ftype 'any'): struct _io_connect + the joined path + NUL →
 *   status 0, or a redirect: status _IO_CONNECT_RET_FLAG|_IO_CONNECT_RET_LINK with struct
 *   _io_connect_link_reply, one struct _io_connect_entry {nd, pid, chid, prefix_len} and the path (prefix
 *   then rest; prefix_len counts the prefix and its '/'), as procnto's pathmgr answers.
 * - `_IO_READ` (ReadMsg) → status = count, the bytes; `_IO_WRITE` (WriteMsg without a destination) + data →
 *   status; `_IO_STAT` → struct stat (st_mode, st_size; the rest 0); `_IO_MSG` RawIoMsg (mgrid, subtype) +
 *   payload → status and payload; `_IO_CLOSE` → status.
 * - `_PROC_SPAWN` start (0x10) / wait (`_PROC_WAIT` 0x11) of `on` (iomsg-proc.ts) → status only.
 * Not carried (ENOSYS, the client sees it): sockets (OpenMsg ftype 'socket', devctl, sockopt/sysctl
 *   `_IO_MSG`, sendto with an address, ReadReplyData), mount/unmount/openfd connects, `_IO_NOTIFY`.
 * [ours] QNX sends a server only the path after its prefix; our messages keep prefix and rest apart and a
 *   server must only use them joined (include/sys/iomsg.ts), so the wire carries the joined path and decoding
 *   gives `path` = that, `rest` = ''. Read/write `flags` MSG_DONTWAIT travels as xtype _IO_XFLAG_NONBLOCK.
 *   A redirect's nd is carried as the server's node gave it (ND_LOCAL_NODE = that node; the library resolves it).
 * Little-endian only: every simulated node is x86.
 */
import { Errno, type Message, type Reply } from '../../kernel/api';
import { MSG_DONTWAIT } from '../../include/sys/socket';
import {
  IO_CLOSE, IO_CONNECT, IO_MSG, IO_READ, IO_STAT, IO_WRITE, redirectReply, replyRedirect,
  type OpenMsg, type RawIoMsg, type ReadMsg, type StatData, type WriteMsg,
} from '../../include/sys/iomsg';
import { IoMsgType } from '../wire/qnet-kif';
import { viewOf } from '../wire/view';
import {
  IO_CLOSE_LEN, IO_CONNECT_ENTRY_LEN, IO_CONNECT_HDR_LEN, IO_CONNECT_REPLY_MAX, IO_CONNECT_RET_LINK_STATUS, IO_LINK_REPLY_LEN,
  IO_MSG_LEN, IO_READ_LEN, IO_STAT_LEN, IoCloseField, IoConnectEntryField, IoConnectField, IoLinkReplyField, IoMsgField,
  IoReadWriteField, IoStatField, STAT_LEN, SH_DENYNO, SYMLOOP_MAX, StatField, _FTYPE_ANY, _IO_CONNECT_OPEN,
  _IO_CONNECT_RET_FLAG, _IO_CONNECT_RET_LINK, _IO_CONNECT_RET_TYPE_MASK, _IO_FLAG_RD, _IO_XTYPE_MASK, _IO_XTYPE_NONE,
  getField, setFields,
} from './iomsg-layout';
import { _PROC_SPAWN, _PROC_WAIT, decodeProcMsg, encodeProcMsg } from './iomsg-proc';

/** <sys/iomsg.h> _IO_XFLAG_NONBLOCK: this request must not block (our MSG_DONTWAIT). */
export const _IO_XFLAG_NONBLOCK = 0x4000;

/** Why a message or reply cannot be carried (errno the client gets) or is malformed (EINVAL/EIO). */
export class IoCodecError {
  constructor(readonly errno: number, readonly reason: string) {}
}
const notCarried = (what: string): IoCodecError => new IoCodecError(Errno.ENOSYS, `${what} is not carried by Qnet`);

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function alloc(n: number): { buf: Uint8Array; dv: DataView } {
  const buf = new Uint8Array(n);
  return { buf, dv: viewOf(buf) };
}

/** The path a server sees: `path` and `rest` joined with one '/'. */
export function joinOpenPath(path: string, rest: string): string {
  if (rest === '') return path;
  return path.endsWith('/') ? path + rest : `${path}/${rest}`;
}

function flagsToXtype(flags: number, what: string): number | IoCodecError {
  if ((flags & ~MSG_DONTWAIT) !== 0) return notCarried(`${what} with flags 0x${flags.toString(16)}`);
  return _IO_XTYPE_NONE | (flags & MSG_DONTWAIT ? _IO_XFLAG_NONBLOCK : 0);
}
function xtypeToFlags(xtype: number, what: string): number | IoCodecError {
  if ((xtype & _IO_XTYPE_MASK) !== _IO_XTYPE_NONE || (xtype & ~(_IO_XTYPE_MASK | _IO_XFLAG_NONBLOCK)) !== 0) {
    return notCarried(`${what} xtype 0x${xtype.toString(16)}`);
  }
  return xtype & _IO_XFLAG_NONBLOCK ? MSG_DONTWAIT : 0;
}

// ---- requests ---------------------------------------------------------------------------------------------

/** A message's bytes as a QNX client would send them, or why it cannot travel. */
export function encodeIoMsg(msg: Message): Uint8Array | IoCodecError {
  switch (msg.type) {
    case IO_CONNECT: {
      const m = msg as unknown as OpenMsg;
      if (m.subtype !== 'open') return notCarried(`_IO_CONNECT subtype ${String(m.subtype)}`);
      if (m.ftype !== 'any') return notCarried(`a ${m.ftype} open`);
      const path = utf8.encode(joinOpenPath(m.path, m.rest));
      const { buf, dv } = alloc(IO_CONNECT_HDR_LEN + path.length + 1);
      setFields(dv, IoConnectField, {
        type: IoMsgType.CONNECT, subtype: _IO_CONNECT_OPEN, file_type: _FTYPE_ANY, reply_max: IO_CONNECT_REPLY_MAX,
        entry_max: SYMLOOP_MAX, ioflag: _IO_FLAG_RD, sflag: SH_DENYNO, path_len: path.length + 1,
      });
      buf.set(path, IO_CONNECT_HDR_LEN);
      return buf;
    }
    case IO_READ: {
      const m = msg as unknown as ReadMsg;
      const xtype = flagsToXtype(m.flags, '_IO_READ');
      if (xtype instanceof IoCodecError) return xtype;
      const { buf, dv } = alloc(IO_READ_LEN);
      setFields(dv, IoReadWriteField, { type: IoMsgType.READ, combine_len: IO_READ_LEN, nbytes: m.nbytes, xtype });
      return buf;
    }
    case IO_WRITE: {
      const m = msg as unknown as WriteMsg;
      if (m.to || m.rtm) return notCarried('a socket _IO_WRITE (destination or routing message)');
      const xtype = flagsToXtype(m.flags, '_IO_WRITE');
      if (xtype instanceof IoCodecError) return xtype;
      const { buf, dv } = alloc(IO_READ_LEN + m.data.length);
      setFields(dv, IoReadWriteField, { type: IoMsgType.WRITE, combine_len: IO_READ_LEN, nbytes: m.data.length, xtype });
      buf.set(m.data, IO_READ_LEN);
      return buf;
    }
    case IO_STAT: {
      const { buf, dv } = alloc(IO_STAT_LEN);
      setFields(dv, IoStatField, { type: IoMsgType.STAT, combine_len: IO_STAT_LEN });
      return buf;
    }
    case IO_MSG: {
      const m = msg as unknown as RawIoMsg;
      if (typeof m.mgrid !== 'number' || typeof m.subtype !== 'number' || !(m.data instanceof Uint8Array)) {
        return notCarried(`_IO_MSG ${String(m.subtype)} (socket options and sysctl)`);
      }
      const { buf, dv } = alloc(IO_MSG_LEN + m.data.length);
      setFields(dv, IoMsgField, { type: IoMsgType.MSG, combine_len: IO_MSG_LEN, mgrid: m.mgrid, subtype: m.subtype });
      buf.set(m.data, IO_MSG_LEN);
      return buf;
    }
    case IO_CLOSE: {
      if (msg.flags) return notCarried('_IO_CLOSE with socket flags');
      const { buf, dv } = alloc(IO_CLOSE_LEN);
      setFields(dv, IoCloseField, { type: IoMsgType.CLOSE, combine_len: IO_CLOSE_LEN });
      return buf;
    }
    case '_PROC_SPAWN': {
      const r = encodeProcMsg(msg);
      return r instanceof Uint8Array ? r : new IoCodecError(r.errno, r.reason);
    }
    default:
      return notCarried(msg.type);
  }
}

/** The structured message a received MsgSend carries, or why not (EINVAL: malformed, ENOSYS: not carried). */
export function decodeIoMsg(buf: Uint8Array): Message | IoCodecError {
  if (buf.length < 2) return new IoCodecError(Errno.EINVAL, `message of ${buf.length} bytes has no type`);
  const dv = viewOf(buf);
  const type = dv.getUint16(0, true);
  const short = (need: number, what: string): IoCodecError | null =>
    buf.length < need ? new IoCodecError(Errno.EINVAL, `${what} of ${buf.length} bytes is shorter than its ${need}-byte header`) : null;
  switch (type) {
    case IoMsgType.CONNECT: {
      const bad = short(IO_CONNECT_HDR_LEN, '_IO_CONNECT');
      if (bad) return bad;
      const subtype = getField(dv, IoConnectField.subtype);
      if (subtype !== _IO_CONNECT_OPEN) return notCarried(`_IO_CONNECT subtype ${subtype}`);
      const ftype = getField(dv, IoConnectField.file_type);
      if (ftype !== _FTYPE_ANY) return notCarried(`_IO_CONNECT file_type ${ftype}`);
      const extra = getField(dv, IoConnectField.extra_len);
      if (extra !== 0) return notCarried(`_IO_CONNECT extra type ${getField(dv, IoConnectField.extra_type)}`);
      const plen = getField(dv, IoConnectField.path_len);
      if (plen < 1 || IO_CONNECT_HDR_LEN + plen > buf.length || buf[IO_CONNECT_HDR_LEN + plen - 1] !== 0) {
        return new IoCodecError(Errno.EINVAL, `_IO_CONNECT path_len ${plen} does not end in a NUL within ${buf.length - IO_CONNECT_HDR_LEN} bytes`);
      }
      const path = fromUtf8.decode(buf.subarray(IO_CONNECT_HDR_LEN, IO_CONNECT_HDR_LEN + plen - 1));
      const m: OpenMsg = { type: IO_CONNECT, subtype: 'open', path, rest: '', ftype: 'any', domain: 0, socktype: 0, protocol: 0, bytes: buf.length };
      return m;
    }
    case IoMsgType.READ:
    case IoMsgType.WRITE: {
      const what = type === IoMsgType.READ ? '_IO_READ' : '_IO_WRITE';
      const bad = short(IO_READ_LEN, what);
      if (bad) return bad;
      const flags = xtypeToFlags(getField(dv, IoReadWriteField.xtype), what);
      if (flags instanceof IoCodecError) return flags;
      const nbytes = getField(dv, IoReadWriteField.nbytes);
      if (type === IoMsgType.READ) {
        if (nbytes < 0) return new IoCodecError(Errno.EINVAL, `_IO_READ of ${nbytes} bytes`);
        const m: ReadMsg = { type: IO_READ, nbytes, flags, bytes: buf.length };
        return m;
      }
      if (nbytes < 0 || IO_READ_LEN + nbytes > buf.length) {
        return new IoCodecError(Errno.EINVAL, `_IO_WRITE nbytes ${nbytes} but ${buf.length - IO_READ_LEN} bytes follow`);
      }
      const m: WriteMsg = { type: IO_WRITE, data: buf.slice(IO_READ_LEN, IO_READ_LEN + nbytes), to: null, flags, pktId: 0, bytes: buf.length };
      return m;
    }
    case IoMsgType.STAT:
      return short(IO_STAT_LEN, '_IO_STAT') ?? { type: IO_STAT, bytes: buf.length };
    case IoMsgType.MSG: {
      const bad = short(IO_MSG_LEN, '_IO_MSG');
      if (bad) return bad;
      const m: RawIoMsg = {
        type: IO_MSG, mgrid: getField(dv, IoMsgField.mgrid), subtype: getField(dv, IoMsgField.subtype),
        data: buf.slice(IO_MSG_LEN), bytes: buf.length,
      };
      return m;
    }
    case IoMsgType.CLOSE:
      return short(IO_CLOSE_LEN, '_IO_CLOSE') ?? { type: IO_CLOSE, bytes: buf.length };
    case _PROC_SPAWN:
    case _PROC_WAIT: {
      const r = decodeProcMsg(buf);
      return 'type' in r ? r : new IoCodecError(r.errno, r.reason);
    }
    default:
      return notCarried(`message type 0x${type.toString(16)}`);
  }
}

/** dstmsglen of a MsgSend: the reply buffer a QNX client would offer for `msg`. */
export function ioReplyMax(msg: Message): number {
  switch (msg.type) {
    case IO_CONNECT: return IO_CONNECT_REPLY_MAX;
    case IO_READ: return Math.max(0, Number(msg.nbytes) || 0);
    case IO_STAT: return STAT_LEN;
    case IO_MSG: return msg.data instanceof Uint8Array ? msg.data.length : 0;
    default: return 0;
  }
}

// ---- replies ----------------------------------------------------------------------------------------------

export interface EncodedReply {
  status: number;
  data: Uint8Array;
}

const NO_DATA = new Uint8Array(0);

/** A successful reply to `req` as MsgReply's status and bytes (errors travel as KIF MsgError, not here). */
export function encodeIoReply(req: Message, r: Reply): EncodedReply | IoCodecError {
  switch (req.type) {
    case IO_CONNECT: {
      const redirect = replyRedirect(r);
      if (!redirect) return { status: r.status, data: NO_DATA };
      const rest = redirect.rest;
      const path = utf8.encode(joinOpenPath(redirect.prefix, rest));
      const prefixLen = rest === '' ? path.length : path.length - utf8.encode(rest).length;
      const { buf, dv } = alloc(IO_LINK_REPLY_LEN + IO_CONNECT_ENTRY_LEN + path.length + 1);
      setFields(dv, IoLinkReplyField, { file_type: _FTYPE_ANY, nentries: 1, path_len: path.length + 1 });
      const entry = viewOf(buf.subarray(IO_LINK_REPLY_LEN));
      setFields(entry, IoConnectEntryField, { nd: redirect.nd, pid: redirect.pid, chid: redirect.chid, file_type: _FTYPE_ANY, prefix_len: prefixLen });
      buf.set(path, IO_LINK_REPLY_LEN + IO_CONNECT_ENTRY_LEN);
      return { status: IO_CONNECT_RET_LINK_STATUS, data: buf };
    }
    case IO_READ:
    case IO_MSG:
      if (r.data === undefined) return { status: r.status, data: NO_DATA };
      if (r.data instanceof Uint8Array) return { status: r.status, data: r.data };
      return notCarried(`a ${req.type} reply that is not bytes (socket data)`);
    case IO_STAT: {
      const s = r.data as Partial<StatData> | undefined;
      if (!s || typeof s.mode !== 'number' || typeof s.size !== 'number') return notCarried('an _IO_STAT reply without mode and size');
      const { buf, dv } = alloc(STAT_LEN);
      setFields(dv, StatField, { st_size: s.size, st_mode: s.mode, st_nlink: 1 });
      return { status: r.status, data: buf };
    }
    default:
      return { status: r.status, data: NO_DATA };
  }
}

/** The Reply a MsgReply (status, bytes) to `req` stands for, or why the bytes are not a valid reply (EIO). */
export function decodeIoReply(req: Message, status: number, data: Uint8Array): Reply | IoCodecError {
  const bad = (why: string): IoCodecError => new IoCodecError(Errno.EIO, `${req.type} reply: ${why}`);
  switch (req.type) {
    case IO_CONNECT: {
      if (!((status & _IO_CONNECT_RET_FLAG) !== 0 && (status & _IO_CONNECT_RET_TYPE_MASK) === _IO_CONNECT_RET_LINK)) {
        return { status };
      }
      if (data.length < IO_LINK_REPLY_LEN + IO_CONNECT_ENTRY_LEN) return bad(`link reply of ${data.length} bytes`);
      const dv = viewOf(data);
      const n = getField(dv, IoLinkReplyField.nentries);
      if (n !== 1) return notCarried(`a link reply with ${n} entries`);
      const plen = getField(dv, IoLinkReplyField.path_len);
      const at = IO_LINK_REPLY_LEN + IO_CONNECT_ENTRY_LEN;
      if (plen < 1 || at + plen > data.length || data[at + plen - 1] !== 0) return bad(`path_len ${plen} of ${data.length - at} bytes`);
      const entry = viewOf(data.subarray(IO_LINK_REPLY_LEN));
      const path = data.subarray(at, at + plen - 1);
      const prefixLen = getField(entry, IoConnectEntryField.prefix_len);
      if (prefixLen > path.length) return bad(`prefix_len ${prefixLen} beyond the ${path.length}-byte path`);
      let prefix = fromUtf8.decode(path.subarray(0, prefixLen));
      if (prefix.length > 1 && prefix.endsWith('/')) prefix = prefix.slice(0, -1);
      return redirectReply({
        nd: getField(entry, IoConnectEntryField.nd), pid: getField(entry, IoConnectEntryField.pid),
        chid: getField(entry, IoConnectEntryField.chid), prefix, rest: fromUtf8.decode(path.subarray(prefixLen)),
      });
    }
    case IO_READ:
    case IO_MSG:
      return { status, data: data.slice(), bytes: data.length };
    case IO_STAT: {
      if (data.length < STAT_LEN) return bad(`struct stat of ${data.length} bytes`);
      const dv = viewOf(data);
      const st: StatData = { mode: getField(dv, StatField.st_mode), size: getField(dv, StatField.st_size) };
      return { status, data: st, bytes: STAT_LEN };
    }
    default:
      return { status };
  }
}
