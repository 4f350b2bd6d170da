/**
 * stack/net/qnet/iomsg.ts: every carried message and reply at its <sys/iomsg.h> offsets (written out below),
 * round trips to the same structured Message/Reply the local path uses, the dissector's fixed lengths
 * (ioMsgMinLen) satisfied, and what is refused (ENOSYS: not carried; EINVAL/EIO: malformed).
 */
import { Errno, type Message } from '../../stack/kernel/api';
import { IO_STAT, redirectReply, type RawIoMsg } from '../../stack/include/sys/iomsg';
import { MSG_DONTWAIT } from '../../stack/include/sys/socket';
import { IO_CLOSE, IO_CONNECT, IO_DEVCTL, IO_MSG, IO_READ, IO_WRITE, type OpenMsg } from '../../stack/io-pkt/msg';
import { IoMsgType, ioMsgMinLen } from '../../stack/net/wire/qnet-kif';
import {
  IoCodecError, _IO_XFLAG_NONBLOCK, decodeIoMsg, decodeIoReply, encodeIoMsg, encodeIoReply, ioReplyMax, joinOpenPath,
} from '../../stack/net/qnet/iomsg';
import { IO_CONNECT_REPLY_MAX, IO_CONNECT_RET_LINK_STATUS } from '../../stack/net/qnet/iomsg-layout';

const open = (path: string, rest: string): OpenMsg =>
  ({ type: IO_CONNECT, subtype: 'open', path, rest, ftype: 'any', domain: 0, socktype: 0, protocol: 0 });
function ok<T>(r: T | IoCodecError): T {
  if (r instanceof IoCodecError) throw new Error(`unexpected IoCodecError ${r.errno}: ${r.reason}`);
  return r;
}
function err(r: unknown): number {
  if (!(r instanceof IoCodecError)) throw new Error('expected an IoCodecError');
  return r.errno;
}
const le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

describe('requests: byte layout (struct offsets from <sys/iomsg.h>)', () => {
  it('_IO_CONNECT open: 40-byte struct _io_connect, then the joined path and its NUL', () => {
    const b = ok(encodeIoMsg(open('/', 'etc/hosts')));
    const dv = le(b);
    // "/etc/hosts" = 10 bytes + NUL = path_len 11; 40 + 11 = 51 bytes.
    expect(b.length).toBe(51);
    expect(dv.getUint16(0, true)).toBe(0x100); // type _IO_CONNECT
    expect(dv.getUint16(2, true)).toBe(2); // subtype _IO_CONNECT_OPEN
    expect(dv.getUint32(4, true)).toBe(0); // file_type _FTYPE_ANY
    expect(dv.getUint16(8, true)).toBe(20 + 32 * 16 + 1024 + 1); // reply_max: link reply + SYMLOOP_MAX entries + PATH_MAX + 1 = 1557
    expect(dv.getUint16(10, true)).toBe(16); // entry_max SYMLOOP_MAX
    expect(dv.getUint32(20, true)).toBe(1); // ioflag _IO_FLAG_RD (open O_RDONLY)
    expect(dv.getUint16(28, true)).toBe(0x40); // sflag SH_DENYNO
    expect(dv.getUint16(34, true)).toBe(11); // path_len includes the NUL
    expect([b[36], b[37], dv.getUint16(38, true)]).toEqual([0, 0, 0]); // eflag, extra_type, extra_len
    expect(ascii(b, 40, 50)).toBe('/etc/hosts');
    expect(b[50]).toBe(0);
    expect(ioMsgMinLen(b)).toBe(40);
  });

  it('_IO_READ / _IO_WRITE: type, combine_len 16, nbytes at 4, xtype at 8; write data from 16', () => {
    const r = ok(encodeIoMsg({ type: IO_READ, nbytes: 4096, flags: 0 }));
    expect([...r]).toEqual([0x01, 0x01, 16, 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const nb = ok(encodeIoMsg({ type: IO_READ, nbytes: 1, flags: MSG_DONTWAIT }));
    expect(le(nb).getUint32(8, true)).toBe(_IO_XFLAG_NONBLOCK); // 0x4000
    const w = ok(encodeIoMsg({ type: IO_WRITE, data: Uint8Array.from([104, 105]), to: null, flags: 0, pktId: 7 }));
    expect([...w]).toEqual([0x02, 0x01, 16, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 104, 105]);
    for (const m of [r, nb, w]) expect(ioMsgMinLen(m)).toBe(16);
  });

  it('_IO_STAT (8), _IO_CLOSE (4), _IO_MSG (8 + payload: mgrid at 4, subtype at 6)', () => {
    expect([...ok(encodeIoMsg({ type: IO_STAT }))]).toEqual([0x04, 0x01, 8, 0, 0, 0, 0, 0]);
    expect([...ok(encodeIoMsg({ type: IO_CLOSE }))]).toEqual([0x16, 0x01, 4, 0]);
    const m: RawIoMsg = { type: IO_MSG, mgrid: 0x1234, subtype: 7, data: Uint8Array.from([1, 0, 0, 0, 0xaa]) };
    const b = ok(encodeIoMsg(m));
    expect([...b]).toEqual([0x13, 0x01, 8, 0, 0x34, 0x12, 7, 0, 1, 0, 0, 0, 0xaa]);
    expect(ioMsgMinLen(b)).toBe(8);
    expect(ioMsgMinLen(ok(encodeIoMsg({ type: IO_STAT })))).toBe(8);
    expect(ioMsgMinLen(ok(encodeIoMsg({ type: IO_CLOSE })))).toBe(4);
  });
});

describe('requests: round trips give the local structured message', () => {
  it('open: path and rest come back joined, rest empty; bytes = the wire length', () => {
    expect(ok(decodeIoMsg(ok(encodeIoMsg(open('/', 'dev/echo')))))).toEqual({ ...open('/dev/echo', ''), bytes: 50 });
    expect(joinOpenPath('/dev', 'echo')).toBe('/dev/echo');
    expect(joinOpenPath('/', '')).toBe('/');
    expect((ok(decodeIoMsg(ok(encodeIoMsg(open('/net/beta', 'etc'))))) as OpenMsg).path).toBe('/net/beta/etc');
  });

  it('read, write, stat, msg, close', () => {
    const cases: [Message, Message][] = [
      [{ type: IO_READ, nbytes: 64, flags: MSG_DONTWAIT }, { type: IO_READ, nbytes: 64, flags: MSG_DONTWAIT, bytes: 16 }],
      [{ type: IO_WRITE, data: Uint8Array.from([1, 2, 3]), to: null, flags: 0, pktId: 9 },
        { type: IO_WRITE, data: Uint8Array.from([1, 2, 3]), to: null, flags: 0, pktId: 0, bytes: 19 }],
      [{ type: IO_STAT }, { type: IO_STAT, bytes: 8 }],
      [{ type: IO_MSG, mgrid: 5, subtype: 1, data: Uint8Array.from([9, 8]) }, { type: IO_MSG, mgrid: 5, subtype: 1, data: Uint8Array.from([9, 8]), bytes: 10 }],
      [{ type: IO_CLOSE }, { type: IO_CLOSE, bytes: 4 }],
    ];
    for (const [m, back] of cases) expect(ok(decodeIoMsg(ok(encodeIoMsg(m))))).toEqual(back);
  });

  it('dstmsglen: the reply buffer a client offers (open: reply_max; read: nbytes; stat: struct stat; msg: the payload)', () => {
    expect(ioReplyMax(open('/', 'x'))).toBe(IO_CONNECT_REPLY_MAX);
    expect(ioReplyMax({ type: IO_READ, nbytes: 4096, flags: 0 })).toBe(4096);
    expect(ioReplyMax({ type: IO_STAT })).toBe(72);
    expect(ioReplyMax({ type: IO_MSG, mgrid: 0, subtype: 0, data: new Uint8Array(64) })).toBe(64);
    expect(ioReplyMax({ type: IO_CLOSE })).toBe(0);
  });
});

describe('requests that are not carried or are malformed', () => {
  it('sockets and other connects: ENOSYS', () => {
    expect(err(encodeIoMsg({ ...open('/dev/socket', '2'), ftype: 'socket' }))).toBe(Errno.ENOSYS);
    expect(err(encodeIoMsg({ type: IO_CONNECT, subtype: 'mount', path: '/', mountType: 'io-pkt', special: 'x', data: null }))).toBe(Errno.ENOSYS);
    expect(err(encodeIoMsg({ type: IO_DEVCTL, dcmd: 'SIOCGIFFLAGS' }))).toBe(Errno.ENOSYS);
    expect(err(encodeIoMsg({ type: IO_MSG, subtype: 'setsockopt', level: 0xffff, name: 4, value: 1 }))).toBe(Errno.ENOSYS);
    expect(err(encodeIoMsg({ type: IO_WRITE, data: new Uint8Array(1), to: { family: 2 }, flags: 0, pktId: 0 }))).toBe(Errno.ENOSYS);
    expect(err(encodeIoMsg({ type: IO_READ, nbytes: 1, flags: 0x2 }))).toBe(Errno.ENOSYS); // MSG_PEEK
    expect(err(encodeIoMsg({ type: IO_CLOSE, flags: MSG_DONTWAIT }))).toBe(Errno.ENOSYS);
  });

  it('decoding: too short or inconsistent → EINVAL; unknown type, xtype or subtype → ENOSYS', () => {
    expect(err(decodeIoMsg(new Uint8Array(1)))).toBe(Errno.EINVAL);
    expect(err(decodeIoMsg(Uint8Array.from([0x01, 0x01, 16, 0])))).toBe(Errno.EINVAL); // _IO_READ cut at 4 bytes
    const c = ok(encodeIoMsg(open('/', 'x')));
    le(c).setUint16(34, 40, true); // path_len past the end
    expect(err(decodeIoMsg(c))).toBe(Errno.EINVAL);
    const w = ok(encodeIoMsg({ type: IO_WRITE, data: new Uint8Array(2), to: null, flags: 0, pktId: 0 }));
    le(w).setInt32(4, 3, true); // nbytes 3 but 2 follow
    expect(err(decodeIoMsg(w))).toBe(Errno.EINVAL);
    const r = ok(encodeIoMsg({ type: IO_READ, nbytes: 1, flags: 0 }));
    le(r).setUint32(8, 5, true); // _IO_XTYPE_OFFSET
    expect(err(decodeIoMsg(r))).toBe(Errno.ENOSYS);
    const u = ok(encodeIoMsg(open('/', 'x')));
    le(u).setUint16(2, 3, true); // _IO_CONNECT_UNLINK
    expect(err(decodeIoMsg(u))).toBe(Errno.ENOSYS);
    const sock = ok(encodeIoMsg(open('/', 'x')));
    le(sock).setUint32(4, 7, true); // file_type _FTYPE_SOCKET
    expect(err(decodeIoMsg(sock))).toBe(Errno.ENOSYS);
    expect(err(decodeIoMsg(Uint8Array.from([0x06, 0x01, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])))).toBe(Errno.ENOSYS); // _IO_DEVCTL
    expect(err(decodeIoMsg(Uint8Array.from([0x34, 0x12])))).toBe(Errno.ENOSYS); // a user message type
  });
});

describe('replies', () => {
  it('a redirect is _IO_CONNECT_RET_FLAG|_IO_CONNECT_RET_LINK with a link reply, one entry and the path', () => {
    const req = open('/', 'dev/echo');
    const enc = ok(encodeIoReply(req, redirectReply({ nd: 0, pid: 4099, chid: 2, prefix: '/dev/echo', rest: '' })));
    expect(enc.status).toBe(IO_CONNECT_RET_LINK_STATUS);
    expect(enc.status >>> 0).toBe(0x80010000);
    const dv = le(enc.data);
    // struct _io_connect_link_reply (20) + struct _io_connect_entry (32) + "/dev/echo" (9) + NUL = 62 bytes.
    expect(enc.data.length).toBe(62);
    expect(dv.getUint16(16, true)).toBe(1); // nentries
    expect(dv.getUint16(18, true)).toBe(10); // path_len with the NUL
    expect([dv.getUint32(20, true), dv.getInt32(24, true), dv.getInt32(28, true)]).toEqual([0, 4099, 2]); // nd, pid, chid
    expect(dv.getUint16(44, true)).toBe(9); // prefix_len: the whole path is the prefix
    expect(ascii(enc.data, 52, 61)).toBe('/dev/echo');
    expect(ok(decodeIoReply(req, enc.status, enc.data))).toEqual({ ...redirectReply({ nd: 0, pid: 4099, chid: 2, prefix: '/dev/echo', rest: '' }) });
  });

  it('redirect prefix/rest splits survive the trip: prefix_len counts the prefix and its "/"', () => {
    const req = open('/net', 'beta/dev');
    for (const [prefix, rest, plen] of [['/', 'dev/echo', 1], ['/dev', 'echo', 5], ['/', '', 1], ['/net/beta', 'etc/hosts', 10]] as const) {
      const r = redirectReply({ nd: 3, pid: 1, chid: 1, prefix, rest });
      const enc = ok(encodeIoReply(req, r));
      expect([prefix, rest, le(enc.data).getUint16(44, true)]).toEqual([prefix, rest, plen]);
      expect(ok(decodeIoReply(req, enc.status, enc.data))).toEqual(r);
    }
  });

  it('open status 0, read bytes, stat as struct stat (st_size at 8, st_mode at 44), msg payload, close/write status', () => {
    expect(ok(decodeIoReply(open('/', 'x'), 0, new Uint8Array(0)))).toEqual({ status: 0 });
    const rd = { type: IO_READ, nbytes: 16, flags: 0 };
    const enc = ok(encodeIoReply(rd, { status: 3, data: Uint8Array.from([97, 98, 99]) }));
    expect(ok(decodeIoReply(rd, enc.status, enc.data))).toEqual({ status: 3, data: Uint8Array.from([97, 98, 99]), bytes: 3 });
    const eof = ok(encodeIoReply(rd, { status: 0 }));
    expect(ok(decodeIoReply(rd, eof.status, eof.data))).toEqual({ status: 0, data: new Uint8Array(0), bytes: 0 });
    const st = ok(encodeIoReply({ type: IO_STAT }, { status: 0, data: { mode: 0o100644, size: 0x1_0000_0005 } }));
    expect(st.data.length).toBe(72);
    expect([le(st.data).getUint32(8, true), le(st.data).getUint32(12, true), le(st.data).getUint32(44, true)]).toEqual([5, 1, 0o100644]);
    expect(le(st.data).getUint32(48, true)).toBe(1); // st_nlink
    expect(ok(decodeIoReply({ type: IO_STAT }, 0, st.data))).toEqual({ status: 0, data: { mode: 0o100644, size: 0x1_0000_0005 }, bytes: 72 });
    const msg = { type: IO_MSG, mgrid: 1, subtype: 0, data: new Uint8Array(4) };
    const me = ok(encodeIoReply(msg, { status: 0, data: Uint8Array.from([1, 2]) }));
    expect(ok(decodeIoReply(msg, me.status, me.data))).toEqual({ status: 0, data: Uint8Array.from([1, 2]), bytes: 2 });
    expect(ok(encodeIoReply({ type: IO_CLOSE }, { status: 0 })).data.length).toBe(0);
    expect(ok(encodeIoReply({ type: IO_WRITE }, { status: 7 }))).toEqual({ status: 7, data: new Uint8Array(0) });
  });

  it('refuses replies it cannot carry (ENOSYS) and malformed ones (EIO)', () => {
    const rd = { type: IO_READ, nbytes: 16, flags: 0 };
    expect(err(encodeIoReply(rd, { status: 3, data: { data: new Uint8Array(3), from: null, pktId: 0, truncated: false } }))).toBe(Errno.ENOSYS);
    expect(err(encodeIoReply({ type: IO_STAT }, { status: 0 }))).toBe(Errno.ENOSYS);
    expect(err(decodeIoReply({ type: IO_STAT }, 0, new Uint8Array(40)))).toBe(Errno.EIO);
    const req = open('/', 'x');
    expect(err(decodeIoReply(req, IO_CONNECT_RET_LINK_STATUS, new Uint8Array(30)))).toBe(Errno.EIO);
    const enc = ok(encodeIoReply(req, redirectReply({ nd: 0, pid: 1, chid: 1, prefix: '/', rest: 'x' })));
    le(enc.data).setUint16(44, 60, true); // prefix_len beyond the path
    expect(err(decodeIoReply(req, enc.status, enc.data))).toBe(Errno.EIO);
    le(enc.data).setUint16(16, 2, true); // two entries: not modelled
    expect(err(decodeIoReply(req, enc.status, enc.data))).toBe(Errno.ENOSYS);
  });

  it('every request type we send has the _IO_* number tshark knows', () => {
    const types = [open('/', 'a'), { type: IO_READ, nbytes: 1, flags: 0 }, { type: IO_STAT }, { type: IO_CLOSE },
      { type: IO_MSG, mgrid: 0, subtype: 0, data: new Uint8Array(0) }].map((m) => le(ok(encodeIoMsg(m))).getUint16(0, true));
    expect(types).toEqual([IoMsgType.CONNECT, IoMsgType.READ, IoMsgType.STAT, IoMsgType.CLOSE, IoMsgType.MSG]);
  });
});
