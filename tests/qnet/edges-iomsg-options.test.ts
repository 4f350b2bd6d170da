/**
 * Edges of Qnet's message codec and option parser not pinned elsewhere: the reason a refused _IO_READ is
 * reported with names _IO_READ (not _IO_WRITE), and a bad domain= is refused with its own one-line reason.
 */
import { Errno } from '../../stack/kernel/api';
import { IO_READ, IO_WRITE } from '../../stack/io-pkt/msg';
import { IoCodecError, decodeIoMsg, encodeIoMsg } from '../../stack/net/qnet/iomsg';
import { parseQnetOptions } from '../../stack/net/qnet/options';

function refusal(r: unknown): [number, string] {
  if (!(r instanceof IoCodecError)) throw new Error('expected an IoCodecError');
  return [r.errno, r.reason];
}
function bytesOf(r: Uint8Array | IoCodecError): Uint8Array {
  if (r instanceof IoCodecError) throw new Error(r.reason);
  return r;
}

describe('Qnet message codec: refusals name the message', () => {
  it('a short or unsupported _IO_READ is reported as _IO_READ, the same faults of _IO_WRITE as _IO_WRITE', () => {
    // <sys/iomsg.h>: struct _io_read and struct _io_write are 16 bytes (type 0x101 / 0x102); the reason goes
    // into the server's 'kif-msg-bad' trace record, so it must say which message was refused.
    expect(refusal(decodeIoMsg(Uint8Array.of(0x01, 0x01, 16, 0)))).toEqual([Errno.EINVAL, '_IO_READ of 4 bytes is shorter than its 16-byte header']);
    expect(refusal(decodeIoMsg(Uint8Array.of(0x02, 0x01, 16, 0)))).toEqual([Errno.EINVAL, '_IO_WRITE of 4 bytes is shorter than its 16-byte header']);
    // xtype _IO_XTYPE_OFFSET (5): not carried.
    const r = bytesOf(encodeIoMsg({ type: IO_READ, nbytes: 1, flags: 0 }));
    new DataView(r.buffer, r.byteOffset, r.byteLength).setUint32(8, 5, true);
    expect(refusal(decodeIoMsg(r))).toEqual([Errno.ENOSYS, '_IO_READ xtype 0x5 is not carried by Qnet']);
    const w = bytesOf(encodeIoMsg({ type: IO_WRITE, data: new Uint8Array(1), to: null, flags: 0, pktId: 0 }));
    new DataView(w.buffer, w.byteOffset, w.byteLength).setUint32(8, 5, true);
    expect(refusal(decodeIoMsg(w))).toEqual([Errno.ENOSYS, '_IO_WRITE xtype 0x5 is not carried by Qnet']);
  });
});

describe('lsm-qnet.so options: domain=', () => {
  it("a domain with '/' or '~', or without a value, is refused with one line each; a plain one is taken", () => {
    // docs/qnet.md "Loading": each problem is reported on one line, then the module fails with EINVAL. A
    // domain is part of the FQNN in /net paths, where '/' separates components and '~' starts the QoS part.
    expect(parseQnetOptions('domain=lab/x,domain=a~b,domain')).toEqual({
      errors: [
        "option 'domain=lab/x': domain takes a name without '/' or '~'",
        "option 'domain=a~b': domain takes a name without '/' or '~'",
        "option 'domain': domain takes a name without '/' or '~'",
      ],
    });
    const ok = parseQnetOptions('domain=qnx.com');
    expect('ok' in ok && ok.ok.domain).toBe('qnx.com');
  });
});
