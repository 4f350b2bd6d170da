/**
 * Byte fixtures for stack/net/wire/qnet*.ts: field values at their offsets (docs/design/qnet-wire.md §2–§6),
 * the CRC check value and the CRCs of the §9 examples (checked there with tshark 4.0.17), round trips of
 * every Repr in both byte orders, and every length check by name.
 */
import { WireError } from '../../stack/net/wire/view';
import {
  QNET_L4_HDR_LEN, QnetL4Field, QnetL4Packet, QnetL4Repr, QnetL4Type, QnetLayer, QnetNrRepr, QnetTcsInitRepr, qnetCrc32,
} from '../../stack/net/wire/qnet';
import {
  IO_XTYPE_OFFSET, IoMsgType, QnetKifLayout, QnetKifPacket, QnetKifRepr, ioMsgMinLen, qnetKifFixedLen, type QnetKifKind,
} from '../../stack/net/wire/qnet-kif';
import { QNET_LR_HDR_LEN, QnetLrPacket, QnetLrRepr } from '../../stack/net/wire/qnet-lr';
import {
  BACK, IO_READ_MSG, KIF_SAMPLES, LR_REPLY, LR_REQUEST, NR_SAMPLES, TCS_SAMPLE, VINFO, ascii, emitKif, emitL4, emitLr,
  emitNr, emitTcs, kifSamples, l4,
} from './wire-fixtures';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const crcOnWire = (frame: Uint8Array): string => hex(frame.subarray(34, 38));
function ok<T>(r: T | WireError): T {
  if (r instanceof WireError) throw new Error(`unexpected WireError ${r.check}: ${r.reason}`);
  return r;
}
function check(r: unknown): string {
  if (!(r instanceof WireError)) throw new Error('expected a WireError');
  return r.check;
}

describe('LwL4 CRC', () => {
  it('is CRC-32 0x04C11DB7 MSB-first, init 0, no final xor: check value 0x89A1897F', () => {
    expect(qnetCrc32(ascii('123456789'))).toBe(0x89a1897f);
    expect(qnetCrc32(new Uint8Array(0))).toBe(0);
    // Running register: two halves give the whole.
    expect(qnetCrc32(ascii('6789'), qnetCrc32(ascii('12345')))).toBe(0x89a1897f);
  });

  it('matches the CRCs of the frames tshark marked correct (qnet-wire.md §9)', () => {
    const kif = (k: QnetKifKind) => emitKif(KIF_SAMPLES.find((s) => s.kind === k)!);
    const lr0 = { type: QnetL4Type.Lr, layer: QnetLayer.LR, srcNdForDst: 0, dstNdForSrc: 0, sconn: 0, dconn: 0, seq: 0 };
    const cases: [string, Uint8Array, string][] = [
      ['LR request', emitL4(l4({ ...lr0, payload: emitLr(LR_REQUEST) })), '0b5b8b4e'],
      ['LR reply', emitL4(l4({ ...lr0, payload: emitLr(LR_REPLY) })), '58414e53'],
      ['TCS_INIT', emitL4(l4({ type: QnetL4Type.TcsInit, srcNdForDst: 0, dstNdForSrc: 0, dconn: 0, seq: 0, payload: emitTcs(TCS_SAMPLE) })), '734fa5cd'],
      ['TCS_UP', emitL4(l4({ type: QnetL4Type.TcsUp, srcNdForDst: 0, dstNdForSrc: 0, sconn: 0x22, dconn: 0x11, seq: 0 })), 'c362263d'],
      ['Connect', emitL4(l4({ payload: kif('connect') })), '99c43f3e'],
      ['Ack', emitL4(l4({ type: QnetL4Type.Ack, ...BACK })), 'e2cc0401'],
      ['Connect Success', emitL4(l4({ ...BACK, payload: kif('connectSuccess') })), '90ca6ef9'],
      ['MsgSend _IO_READ', emitL4(l4({ seq: 2, payload: kif('msgSend') })), 'dcdff80c'],
      ['MsgReply', emitL4(l4({ ...BACK, seq: 2, payload: kif('msgReply') })), 'fcffbf6b'],
      ['NR request', emitL4(l4({ layer: QnetLayer.NR, seq: 4, payload: emitNr(NR_SAMPLES[2]!) })), '111827cc'],
      ['NR answer', emitL4(l4({ layer: QnetLayer.NR, ...BACK, seq: 3, payload: emitNr(NR_SAMPLES[3]!) })), '81c6c242'],
      ['Pulse', emitL4(l4({ seq: 3, payload: kif('pulse') })), '7142095a'],
      ['Disconnect', emitL4(l4({ seq: 5, payload: kif('disconnect') })), 'a06105cc'],
    ];
    expect(cases.map(([n, f]) => [n, crcOnWire(f)])).toEqual(cases.map(([n, , c]) => [n, c]));
  });

  it('covers header bytes 2..33 and the payload, not the pad nor bytes past `length`', () => {
    const f = emitL4(l4({ payload: emitKif(KIF_SAMPLES[0]!) }));
    const p = new QnetL4Packet(f);
    const crc = p.crc;
    f[0] = 0xff; // pad
    expect(p.computeCrc()).toBe(crc);
    const padded = new Uint8Array(f.length + 8).fill(0xee);
    padded.set(f);
    expect(new QnetL4Packet(padded).computeCrc()).toBe(crc);
    f[QNET_L4_HDR_LEN + 1]! ^= 1;
    expect(p.computeCrc()).not.toBe(crc);
  });
});

describe('LwL4 header', () => {
  /** The header every test here starts from, built by the test. */
  const header = () => l4({
    type: QnetL4Type.Data, flags: 0x05, layer: QnetLayer.NR, srcNdForDst: 0x0102, dstNdForSrc: 0x0304, sconn: 0x05060708,
    dconn: 0x090a0b0c, seq: 0x0d0e0f10, qosType: 3, srcQosIdx: 0x1112, offset: 0x13141516, payload: Uint8Array.from([0xaa, 0xbb]),
  });

  it('puts each field at its offset, little-endian for version 0x2a', () => {
    const r = header();
    const f = emitL4(r);
    expect(f.length).toBe(40);
    const at = (k: keyof typeof QnetL4Field) => hex(f.subarray(QnetL4Field[k].offset, QnetL4Field[k].offset + QnetL4Field[k].length));
    expect({
      pad: at('pad'), version: at('version'), type: at('type'), flags: at('flags'), layer: at('layer'), srcNdForDst: at('srcNdForDst'),
      dstNdForSrc: at('dstNdForSrc'), sconn: at('sconn'), dconn: at('dconn'), seq: at('seq'), qosType: at('qosType'),
      srcQosIdx: at('srcQosIdx'), offset: at('offset'), length: at('length'),
    }).toEqual({
      pad: '0000', version: '2a', type: '08', flags: '05', layer: '01', srcNdForDst: '0201', dstNdForSrc: '0403', sconn: '08070605',
      dconn: '0c0b0a09', seq: '100f0e0d', qosType: '0300', srcQosIdx: '1211', offset: '16151413', length: '02000000',
    });
    expect(hex(f.subarray(38))).toBe('aabb');
    const p = new QnetL4Packet(f);
    expect(p.littleEndian).toBe(true);
    expect(p.crc).toBe(new DataView(f.buffer).getUint32(34, true));
  });

  it('writes big-endian fields after version 0xaa, with the same CRC register stored big-endian', () => {
    const r = header();
    const f = emitL4({ ...r, bigEndian: true });
    expect(hex(f.subarray(0, 14))).toBe('0000aa0805010102030405060708');
    expect(hex(f.subarray(30, 34))).toBe('00000002');
    const p = new QnetL4Packet(f);
    expect(p.littleEndian).toBe(false);
    expect(p.verifyCrc()).toBe(true);
    expect(p.crc).toBe(new DataView(f.buffer).getUint32(34, false));
  });

  it.each([false, true])('round-trips (bigEndian %s), leaving Ethernet padding out of the payload', (be) => {
    const r = header();
    const f = emitL4({ ...r, bigEndian: be });
    const padded = new Uint8Array(60);
    padded.set(f);
    const back = ok(QnetL4Repr.parse(new QnetL4Packet(padded)));
    expect({ ...back, payload: hex(back.payload) }).toEqual({ ...r, bigEndian: be, payload: 'aabb' });
  });

  it('names each failed check', () => {
    const r = header();
    const f = emitL4(r);
    expect(check(QnetL4Repr.parse(new QnetL4Packet(f.subarray(0, 37))))).toBe('short');
    expect(new QnetL4Packet(f.subarray(0, 37)).checkLen()).toMatch(/shorter/);
    expect(check(QnetL4Repr.parse(new QnetL4Packet(f.subarray(0, 39))))).toBe('length');
    const v = f.slice();
    v[2] = 0x2b;
    expect(check(QnetL4Repr.parse(new QnetL4Packet(v)))).toBe('version');
    const c = emitL4({ ...r, flags: 0x07 });
    c[39]! ^= 0xff;
    expect(check(QnetL4Repr.parse(new QnetL4Packet(c)))).toBe('crc');
    expect(ok(QnetL4Repr.parse(new QnetL4Packet(c), { verifyCrc: false })).seq).toBe(r.seq);
    c[4] = 0x03; // CRC flag clear: not verified (do_crc off)
    expect(QnetL4Repr.parse(new QnetL4Packet(c))).not.toBeInstanceOf(WireError);
    expect(new QnetL4Packet(f).checkLen()).toBeNull();
  });
});

describe('TCS_INIT', () => {
  it('lays out four offsets into a NUL-terminated string area (qnet-wire.md §9)', () => {
    expect(hex(emitTcs(TCS_SAMPLE))).toBe('000006000b001000' + hex(ascii('alpha\0qnet\0beta\0qnet\0')));
    expect(hex(emitTcs(TCS_SAMPLE, false)).slice(0, 16)).toBe('000000060' + '00b0010');
  });
  it.each([true, false])('round-trips (littleEndian %s)', (le) => {
    expect(ok(QnetTcsInitRepr.parse(emitTcs(TCS_SAMPLE, le), le))).toEqual(TCS_SAMPLE);
  });
  it('names each failed check', () => {
    const b = emitTcs(TCS_SAMPLE);
    expect(check(QnetTcsInitRepr.parse(b.subarray(0, 7)))).toBe('short');
    expect(check(QnetTcsInitRepr.parse(b.subarray(0, 8 + 16)))).toBe('offset'); // dst domain at 16 is gone
    expect(check(QnetTcsInitRepr.parse(b.subarray(0, b.length - 1)))).toBe('unterminated');
  });
});

describe('NR', () => {
  it('encodes each type (qnet-wire.md §5, §9)', () => {
    expect(NR_SAMPLES.map((r) => hex(emitNr(r)))).toEqual(['00', '01', '020534126761' + '6d6d61', '0300341203000000', '0400341203000000']);
    expect(hex(emitNr(NR_SAMPLES[3]!, false))).toBe('0300123400000003');
  });
  it.each([true, false])('round-trips every type (littleEndian %s)', (le) => {
    expect(NR_SAMPLES.map((r) => ok(QnetNrRepr.parse(emitNr(r, le), le)))).toEqual(NR_SAMPLES);
  });
  it('names each failed check', () => {
    expect(check(QnetNrRepr.parse(new Uint8Array(0)))).toBe('short');
    expect(check(QnetNrRepr.parse(Uint8Array.from([5])))).toBe('type');
    for (const r of NR_SAMPLES.slice(2)) {
      const b = emitNr(r);
      for (let n = 1; n < b.length; n++) expect([r.type, n, check(QnetNrRepr.parse(b.subarray(0, n)))]).toEqual([r.type, n, 'short']);
    }
  });
});

describe('LR', () => {
  it('lays out the 56-byte header with offsets from its end and sockaddr MACs (qnet-wire.md §9)', () => {
    const b = emitLr(LR_REQUEST);
    expect(b.length).toBe(104);
    expect(hex(b.subarray(0, 8))).toBe('0100010068000000');
    const pairs = new Uint32Array(b.slice(8, 56).buffer);
    expect([...pairs]).toEqual([0, 6, 8, 5, 16, 16, 32, 5, 40, 5, 0, 0]);
    expect(hex(b.subarray(56))).toBe(
      hex(ascii('alpha\0\0\0qnet\0\0\0\0')) + '10010200000000010000000000000000' + hex(ascii('beta\0\0\0\0qnet\0\0\0\0')),
    );
    expect(emitLr(LR_REPLY).length).toBe(120);
    expect(new QnetLrPacket(emitLr(LR_REPLY)).item('dstAddr')).toEqual({ off: 48, len: 16 });
  });
  it.each([true, false])('round-trips request and reply (littleEndian %s)', (le) => {
    for (const r of [LR_REQUEST, LR_REPLY]) expect(ok(QnetLrRepr.parse(new QnetLrPacket(emitLr(r, le), le)))).toEqual(r);
  });
  it('names each failed check', () => {
    const b = emitLr(LR_REQUEST);
    const parse = (x: Uint8Array) => check(QnetLrRepr.parse(new QnetLrPacket(x)));
    expect(parse(b.subarray(0, QNET_LR_HDR_LEN - 1))).toBe('short');
    expect(parse(b.subarray(0, 100))).toBe('length');
    const v = b.slice();
    v[0] = 2;
    expect(parse(v)).toBe('version');
    const t = b.slice();
    t[2] = 3;
    expect(parse(t)).toBe('type');
    const i = b.slice();
    new QnetLrPacket(i).setItem('dstDomain', 40, 9); // off ≤ R and len ≤ R, but off+len past the end
    expect(parse(i)).toBe('item');
    const a = b.slice();
    a[QNET_LR_HDR_LEN + 16 + 1] = 2; // family 2 (interface name)
    expect(parse(a)).toBe('addr');
    const s = b.slice();
    new QnetLrPacket(s).setItem('srcAddr', 16, 4);
    expect(parse(s)).toBe('addr');
  });
});

describe('KIF', () => {
  it('has field tables without overlaps or holes after the type word', () => {
    for (const [kind, layout] of Object.entries(QnetKifLayout)) {
      const fields = (Object.values(layout.fields) as { offset: number; length: number }[]).sort((a, b) => a.offset - b.offset);
      let end = 4;
      for (const f of fields) {
        expect([kind, f.offset]).toEqual([kind, end]);
        end = f.offset + f.length;
      }
      expect([kind, end]).toEqual([kind, qnetKifFixedLen(kind as QnetKifKind)]);
    }
  });

  it('has the fixed lengths of the dissector table (type word + size + body)', () => {
    expect(Object.fromEntries(KIF_SAMPLES.map((k) => [k.kind, qnetKifFixedLen(k.kind)]))).toEqual({
      connect: 24, connectMsgSend: 72, connectSuccess: 24, connectFail: 16, unblock: 16, msgSend: 48, msgRead: 20, msgReadXfer: 20, msgWrite: 20,
      msgReply: 20, msgError: 20, event: 24, pulse: 64, signal: 28, disconnect: 8, connectDeath: 8, msgReadError: 20, connectPulse: 4,
    });
  });

  it('encodes the §9 examples byte for byte', () => {
    const get = (k: QnetKifKind) => emitKif(KIF_SAMPLES.find((s) => s.kind === k)!);
    expect(hex(get('connect'))).toBe('00001800' + '01000000' + '04100000' + '01000000' + '07000000' + '08200000');
    expect(hex(get('connectSuccess'))).toBe('02001800' + '01000000' + '03000000' + '07000000' + '05000000' + '00040000');
    expect(hex(get('msgSend'))).toBe(
      '05003000' + '03000000' + '09000000' + '01000000030000400a0000001000000000000000010000004000000000000000' + '10000000' + hex(IO_READ_MSG),
    );
    expect(hex(get('msgReply'))).toBe('09001400' + '0f000000' + '09000000' + '00000000' + '0f000000' + hex(ascii('127.0.0.1 beta\n')));
    expect(hex(get('pulse'))).toBe(
      '0c004000' + '03000000' + '0a000000' + '01000000030000400a000000000000000000000001000000' + '0000000000000000' +
      '00000000' + '05000000' + 'adde0000' + '00000000' + '0a000000',
    );
    expect(hex(get('disconnect'))).toBe('0e000800' + '03000000');
    expect(hex(get('event')).length).toBe(48);
  });

  it('sets 0x8080 in the type word and swaps every field for a big-endian sender', () => {
    const b = emitKif(KIF_SAMPLES[0]!, false);
    expect(hex(b)).toBe('80800018' + '00000001' + '00001004' + '00000001' + '00000007' + '00002008');
    const p = emitKif(kifSamples(false).find((s) => s.kind === 'pulse')!, false);
    expect(hex(p.subarray(44, 56))).toBe('00000000' + '05000000' + '0000dead');
  });

  it.each([true, false])('round-trips every kind (littleEndian %s)', (le) => {
    const samples = kifSamples(le);
    const back = samples.map((k) => ok(QnetKifRepr.parse(new QnetKifPacket(emitKif(k, le), le))));
    expect(back.map((r) => ({ ...r, data: hex(r.data) }))).toEqual(samples.map((r) => ({ ...r, data: hex(r.data) })));
  });

  it('keeps signed fields signed', () => {
    const r: QnetKifRepr = { kind: 'connectFail', values: { version: 1, clientId: -1, status: -22 }, data: new Uint8Array(0) };
    expect(ok(QnetKifRepr.parse(new QnetKifPacket(emitKif(r))))).toEqual(r);
  });

  it('names each failed check', () => {
    const parse = (b: Uint8Array, le = true) => check(QnetKifRepr.parse(new QnetKifPacket(b, le)));
    expect(parse(new Uint8Array(3))).toBe('short');
    for (const k of KIF_SAMPLES) {
      const b = emitKif(k);
      if (qnetKifFixedLen(k.kind) > 4) expect([k.kind, parse(b.subarray(0, qnetKifFixedLen(k.kind) - 1))]).toEqual([k.kind, 'short']);
    }
    const cms = emitKif(KIF_SAMPLES.find((k) => k.kind === 'connectMsgSend')!);
    expect(hex(cms.subarray(0, 4))).toBe('01004800');
    expect(hex(cms.subarray(24, 28))).toBe('05003000'); // the inner MsgSend type word and size
    const inner = cms.slice();
    inner[24] = 6;
    expect(parse(inner)).toBe('type');
    inner[24] = 5;
    inner[25] = 0x80;
    expect(parse(inner)).toBe('endian');
    expect(parse(Uint8Array.from([0x12, 0, 4, 0]))).toBe('type');
    const cred = emitKif(KIF_SAMPLES[0]!);
    cred[1] = 0x01;
    expect(parse(cred)).toBe('cred');
    expect(parse(emitKif(KIF_SAMPLES[0]!), false)).toBe('endian');
    expect(parse(emitKif(KIF_SAMPLES[0]!, false), true)).toBe('endian');
    const reply = emitKif(KIF_SAMPLES.find((s) => s.kind === 'msgReply')!);
    expect(parse(reply.subarray(0, reply.length - 1))).toBe('nbytes');
    const send = (msg: Uint8Array) => emitKif({ kind: 'msgSend', values: { serverId: 3, clientHandle: 9, ...VINFO }, data: msg });
    expect(parse(send(new Uint8Array(0)))).toBe('iomsg');
    expect(parse(send(Uint8Array.from([1])))).toBe('iomsg');
    expect(parse(send(IO_READ_MSG.subarray(0, 15)))).toBe('iomsg');
    expect(QnetKifRepr.parse(new QnetKifPacket(send(Uint8Array.from([0x34, 0x12]))))).not.toBeInstanceOf(WireError);
    const readAt = IO_READ_MSG.slice();
    readAt[8] = IO_XTYPE_OFFSET;
    expect(parse(send(readAt))).toBe('iomsg');
    const withOffset = new Uint8Array(24);
    withOffset.set(readAt);
    expect(QnetKifRepr.parse(new QnetKifPacket(send(withOffset)))).not.toBeInstanceOf(WireError);
  });

  it('knows the `_IO_*` fixed parts the dissector reads unchecked', () => {
    const msg = (type: number, len: number) => {
      const b = new Uint8Array(len);
      new DataView(b.buffer).setUint16(0, type, true);
      return b;
    };
    expect(ioMsgMinLen(new Uint8Array(0))).toBe(2);
    expect(ioMsgMinLen(msg(0x0200, 2))).toBe(2);
    expect(ioMsgMinLen(msg(0x0103, 2))).toBe(2); // not parsed by the dissector
    expect(ioMsgMinLen(msg(IoMsgType.CONNECT, 4))).toBe(40);
    expect(ioMsgMinLen(msg(IoMsgType.CLOSE, 4))).toBe(4);
    expect(ioMsgMinLen(msg(IoMsgType.MSG, 4))).toBe(8);
    expect(ioMsgMinLen(msg(IoMsgType.DEVCTL, 4))).toBe(16);
  });
});
