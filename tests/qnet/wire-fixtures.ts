/**
 * One Qnet frame of each kind we emit, shared by the unit tests and the tshark test: the LwL4 header values,
 * the payload built by the Reprs, and the field values tshark's qnet6 dissector must show for it.
 * The alpha/beta/gamma exchange follows docs/design/qnet-wire.md §9.
 */
import { execFileSync } from 'node:child_process';
import { EtherType } from '../../stack/net/wire/ethernet';
import {
  QNET_FLAGS_WHOLE, QnetL4Flag, QnetL4Packet, QnetL4Repr, QnetL4Type, QnetLayer, QnetNrRepr, QnetTcsInitRepr,
  type QnetTcsInitRepr as TcsRepr,
} from '../../stack/net/wire/qnet';
import { IoMsgType, QnetKifPacket, QnetKifRepr, type QnetKifKind } from '../../stack/net/wire/qnet-kif';
import { QnetLrPacket, QnetLrRepr, QnetLrType } from '../../stack/net/wire/qnet-lr';

export const ALPHA = Uint8Array.from([2, 0, 0, 0, 0, 1]);
export const BETA = Uint8Array.from([2, 0, 0, 0, 0, 2]);
export const BROADCAST = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** An L4 header alpha → beta (nd 1/2, sconn 0x11, dconn 0x22), whole frame, KIF data; override as needed. */
export function l4(over: Partial<QnetL4Repr> = {}): QnetL4Repr {
  return {
    bigEndian: false, type: QnetL4Type.Data, flags: QNET_FLAGS_WHOLE, layer: QnetLayer.KIF, srcNdForDst: 1,
    dstNdForSrc: 2, sconn: 0x11, dconn: 0x22, seq: 1, qosType: 0, srcQosIdx: 0, offset: 0, payload: new Uint8Array(0),
    ...over,
  };
}
/** beta → alpha. */
export const BACK = { srcNdForDst: 2, dstNdForSrc: 1, sconn: 0x22, dconn: 0x11 } as const;

export function emitL4(r: QnetL4Repr): Uint8Array {
  const b = new Uint8Array(QnetL4Repr.bufferLen(r));
  QnetL4Repr.emit(r, new QnetL4Packet(b));
  return b;
}
export function emitKif(r: QnetKifRepr, littleEndian = true): Uint8Array {
  const b = new Uint8Array(QnetKifRepr.bufferLen(r));
  QnetKifRepr.emit(r, new QnetKifPacket(b, littleEndian));
  return b;
}
export function emitLr(r: QnetLrRepr, littleEndian = true): Uint8Array {
  const b = new Uint8Array(QnetLrRepr.bufferLen(r));
  QnetLrRepr.emit(r, new QnetLrPacket(b, littleEndian));
  return b;
}
export function emitTcs(r: TcsRepr, littleEndian = true): Uint8Array {
  const b = new Uint8Array(QnetTcsInitRepr.bufferLen(r));
  QnetTcsInitRepr.emit(r, b, littleEndian);
  return b;
}
export function emitNr(r: QnetNrRepr, littleEndian = true): Uint8Array {
  const b = new Uint8Array(QnetNrRepr.bufferLen(r));
  QnetNrRepr.emit(r, b, littleEndian);
  return b;
}

/** Ethernet II frame carrying `qnet` (pad + L4 + payload), zero-padded to 60 bytes. */
export function ethernetFrame(dst: Uint8Array, src: Uint8Array, qnet: Uint8Array): Uint8Array {
  const f = new Uint8Array(Math.max(60, 14 + qnet.length));
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = EtherType.QNET >> 8;
  f[13] = EtherType.QNET & 0xff;
  f.set(qnet, 14);
  return f;
}

export const VINFO = { tid: 1, coid: 0x40000003, priority: 10, srcmsglen: 16, keydata: 0, srcnd: 1, dstmsglen: 64, vinfoZero: 0 };
/** `_IO_READ`: combine_len 0, nbytes 64, xtype NONE, zero (in the sender's byte order). */
export function ioReadMsg(littleEndian = true): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 0x101, littleEndian);
  dv.setInt32(4, 64, littleEndian);
  return b;
}
export const IO_READ_MSG = ioReadMsg();
/** `_IO_CONNECT` subtype `_IO_CONNECT_OPEN` (2) for `path` (sys/iomsg.h: a 40-byte head, then the path with its NUL). */
export function ioConnectMsg(path: string, littleEndian = true): Uint8Array {
  const b = new Uint8Array(40 + path.length + 1);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, IoMsgType.CONNECT, littleEndian);
  dv.setUint16(2, 2, littleEndian);
  dv.setUint16(8, 0x400, littleEndian); // reply_max
  dv.setUint32(24, 0o644, littleEndian); // mode
  dv.setUint16(34, path.length + 1, littleEndian); // path_len
  b.set(ascii(path), 40);
  return b;
}

/** Every KIF kind with distinct values (all < 2^31 so signed and unsigned print alike). */
export const KIF_SAMPLES: QnetKifRepr[] = kifSamples();
export function kifSamples(littleEndian = true): QnetKifRepr[] {
  return [
    { kind: 'connect', values: { version: 1, serverPid: 4100, serverChid: 1, clientId: 7, clientPid: 8200 }, data: new Uint8Array(0) },
    {
      kind: 'connectMsgSend',
      values: {
        version: 1, serverPid: 4100, serverChid: 1, clientId: 8, clientPid: 8200, serverId: 0, clientHandle: 11, ...VINFO,
        coid: 0x40000004, srcmsglen: 50, dstmsglen: 512,
      },
      data: ioConnectMsg('etc/hosts', littleEndian),
    },
    { kind: 'connectSuccess', values: { version: 1, serverId: 3, clientId: 7, scoid: 5, nbytes: 1024 }, data: new Uint8Array(0) },
    { kind: 'connectFail', values: { version: 1, clientId: 7, status: 3 }, data: new Uint8Array(0) },
    { kind: 'unblock', values: { serverId: 3, clientHandle: 9, tid: 2 }, data: new Uint8Array(0) },
    { kind: 'msgSend', values: { serverId: 3, clientHandle: 9, ...VINFO }, data: ioReadMsg(littleEndian) },
    { kind: 'msgRead', values: { msgreadHandle: 12, clientHandle: 9, offset: 16, nbytes: 32 }, data: new Uint8Array(0) },
    { kind: 'msgReadXfer', values: { status: 0, handle: 12, offset: 16 }, data: ascii('xyz') },
    { kind: 'msgWrite', values: { status: 0, handle: 12, offset: 0 }, data: ascii('hello') },
    { kind: 'msgReply', values: { status: 15, handle: 9, offset: 0 }, data: ascii('127.0.0.1 beta\n') },
    { kind: 'msgError', values: { status: 2, handle: 9, offset: 0 }, data: new Uint8Array(0) },
    { kind: 'event', values: { clientHandle: 9, sigevNotify: 4, sigevUnion1: 6, sigevValue: 77, sigevUnion2: 8 }, data: new Uint8Array(0) },
    {
      kind: 'pulse', values: {
        serverId: 3, clientHandle: 10, ...VINFO, srcmsglen: 0, dstmsglen: 0, pulseType: 0, pulseSubtype: 0, pulseCode: 5,
        pulseReserved: 0, pulseValue: 0xdead, pulseScoid: 0, pulsePriority: 10,
      }, data: new Uint8Array(0),
    },
    { kind: 'signal', values: { clientHandle: 9, pid: 8200, tid: 1, signo: 15, code: 0, value: 42 }, data: new Uint8Array(0) },
    { kind: 'disconnect', values: { serverId: 3 }, data: new Uint8Array(0) },
    { kind: 'connectDeath', values: { clientId: 7 }, data: new Uint8Array(0) },
    { kind: 'msgReadError', values: { status: 14, handle: 12, offset: 0 }, data: new Uint8Array(0) },
    { kind: 'connectPulse', values: {}, data: new Uint8Array(0) },
  ];
}

export const TCS_SAMPLE: TcsRepr = { srcName: 'alpha', srcDomain: 'qnet', dstName: 'beta', dstDomain: 'qnet' };
export const LR_REQUEST: QnetLrRepr = {
  type: QnetLrType.Request, srcName: 'alpha', srcDomain: 'qnet', srcMac: ALPHA, dstName: 'beta', dstDomain: 'qnet', dstMac: null,
};
export const LR_REPLY: QnetLrRepr = {
  type: QnetLrType.Reply, srcName: 'beta', srcDomain: 'qnet', srcMac: BETA, dstName: 'alpha', dstDomain: 'qnet', dstMac: ALPHA,
};
export const NR_SAMPLES: QnetNrRepr[] = [
  { type: 0 }, { type: 1 }, { type: 2, id: 0x1234, name: 'gamma' }, { type: 3, id: 0x1234, nd: 3 }, { type: 4, id: 0x1234, status: 3 },
];

/** A frame for the capture: its Ethernet bytes, and what tshark must print for some qnet6 fields. */
export interface QnetSample {
  name: string;
  frame: Uint8Array;
  fields: Record<string, string>;
}

const KIF = 'qnet6.kif.';
/** What tshark must show for each KIF sample (besides the L4 fields and the KIF size). */
const KIF_FIELDS: Partial<Record<QnetKifKind, Record<string, string>>> = {
  connect: { 'connect.server_pid': '4100', 'connect.client_pid': '8200', 'connect.client_id': '0x00000007' },
  connectMsgSend: {
    'connect.client_id': '0x00000008', 'msgsend.client_handle': '11', 'msgsend.nbytes': '50', 'msgsend.msg.connect.path': 'etc/hosts',
  },
  connectSuccess: {
    'connect_success.server_id': '3', 'connect_success.client_id': '7', 'connect_success.scoid': '5', 'connect_success.nbytes': '1024',
  },
  connectFail: { 'connect_fail.client_id': '7', 'connect_fail.status': '3' },
  unblock: { 'unblock.server_id': '3', 'unblock.client_handle': '9', 'unblock.tid': '2' },
  msgSend: {
    'msgsend.server_id': '3', 'msgsend.nbytes': '16', 'msgsend.vtid_info.dstmsglen': '64', 'msgsend.msg.type': '0x0101',
    'msgsend.msg.read.nbytes': '64',
  },
  msgRead: { 'msgread.msgread_handle': '12', 'msgread.offset': '16', 'msgread.nbytes': '32' },
  msgReply: { 'msgwrite.status': '15', 'msgwrite.nbytes': '15', 'msgwrite.data': '3132372e302e302e3120626574610a' },
  msgWrite: { 'msgwrite.nbytes': '5', 'msgwrite.data': '68656c6c6f' },
  event: { 'event.client_handle': '9', 'event.sigevent_sigvalue': '77', 'event.sigevent_union2': '8' },
  pulse: { 'pulse.pulse.code': '5', 'pulse.pulse.value': '0x0000dead', 'pulse.priority': '10' },
  signal: { 'signal.pid': '8200', 'signal.signo': '15', 'signal.value': '42' },
  disconnect: { 'disconnect.server_id': '3' },
  connectDeath: { 'connect_death.client_id': '7' },
};
const hex2 = (v: number): string => `0x${v.toString(16).padStart(2, '0')}`;

/** One frame per message we emit; `bigEndian` builds the same set as an 0xaa sender would. */
export function qnetSamples(bigEndian = false): QnetSample[] {
  const le = !bigEndian;
  const out: QnetSample[] = [];
  const add = (name: string, r: QnetL4Repr, fields: Record<string, string>, dst = BETA, src = ALPHA) => {
    const l4Fields = {
      'qnet6.l4.ver': bigEndian ? '170' : '42', 'qnet6.l4.type': hex2(r.type), 'qnet6.l4.layer': String(r.layer),
      'qnet6.l4.flags': hex2(r.flags), 'qnet6.qos.seq': String(r.seq), 'qnet6.l4.length': String(r.payload.length),
    };
    out.push({ name, frame: ethernetFrame(dst, src, emitL4({ ...r, bigEndian })), fields: { ...l4Fields, ...fields } });
  };
  const lr0 = { type: QnetL4Type.Lr, layer: QnetLayer.LR, srcNdForDst: 0, dstNdForSrc: 0, sconn: 0, dconn: 0, seq: 0 };

  add('TCS_INIT', l4({ type: QnetL4Type.TcsInit, srcNdForDst: 0, dstNdForSrc: 0, dconn: 0, seq: 0, payload: emitTcs(TCS_SAMPLE, le) }), {
    'qnet6.qos.src_name': 'alpha', 'qnet6.qos.src_domain': 'qnet', 'qnet6.qos.dst_name': 'beta', 'qnet6.qos.dst_domain': 'qnet',
  });
  const tcs = [[QnetL4Type.TcsRemUp, 'TCS_REM_UP'], [QnetL4Type.TcsUp, 'TCS_UP'], [QnetL4Type.TcsDown, 'TCS_DOWN'], [QnetL4Type.TcsRemDown, 'TCS_REM_DOWN']] as const;
  for (const [t, name] of tcs) add(name, l4({ type: t, ...BACK, seq: 0 }), {}, ALPHA, BETA);
  add('LR request', l4({ ...lr0, payload: emitLr(LR_REQUEST, le) }), {
    'qnet6.lr.type': '0x01', 'qnet6.lr.src.name.name': 'alpha', 'qnet6.lr.src.domain': 'qnet', 'qnet6.lr.src.addr': '02:00:00:00:00:01',
    'qnet6.lr.dst.name': 'beta',
  }, BROADCAST);
  add('LR reply', l4({ ...lr0, payload: emitLr(LR_REPLY, le) }), {
    'qnet6.lr.type': '0x02', 'qnet6.lr.src.addr': '02:00:00:00:00:02', 'qnet6.lr.dst.addr': '02:00:00:00:00:01',
  }, ALPHA, BETA);
  NR_SAMPLES.forEach((nr, i) => {
    const f: Record<string, string> = { 'qnet6.nr.type': String(nr.type) };
    if (nr.type === 2) Object.assign(f, { 'qnet6.nr.req_len': '5', 'qnet6.nr.req_id': '0x1234', 'qnet6.nr.req_name': 'gamma' });
    if (nr.type === 3) Object.assign(f, { 'qnet6.nr.rep_id': '0x1234', 'qnet6.nr.rep_nd': '0x00000003' });
    if (nr.type === 4) Object.assign(f, { 'qnet6.nr.rep_status': '0x00000003' });
    add(`NR ${nr.type}`, l4({ layer: QnetLayer.NR, seq: 10 + i, payload: emitNr(nr, le) }), f);
  });
  kifSamples(le).forEach((k, i) => {
    const f: Record<string, string> = { 'qnet6.kif.size': `0x${emitKifSize(k)}` };
    for (const [name, v] of Object.entries(KIF_FIELDS[k.kind] ?? {})) f[KIF + name] = v;
    add(`KIF ${k.kind}`, l4({ seq: 20 + i, payload: emitKif(k, le) }), f);
  });
  const open = emitKif({ kind: 'msgSend', values: { serverId: 3, clientHandle: 9, ...VINFO }, data: ioConnectMsg('etc/hosts', le) }, le);
  add('KIF msgSend _IO_CONNECT', l4({ seq: 40, payload: open }), {
    'qnet6.kif.msgsend.msg.type': '0x0100', 'qnet6.kif.msgsend.msg.connect.subtype': '0x0002', 'qnet6.kif.msgsend.msg.connect.path': 'etc/hosts',
  });
  // A MsgWrite of 1500 data bytes in two fragments (offset = where this piece starts in the KIF message).
  const big = emitKif({ kind: 'msgWrite', values: { status: 0, handle: 12, offset: 0 }, data: new Uint8Array(1500).fill(0x61) }, le);
  const first = l4({ flags: QnetL4Flag.FIRST | QnetL4Flag.CRC, seq: 41, payload: big.subarray(0, 1000) });
  add('first fragment', first, { 'qnet6.kif.msgwrite.nbytes': '1500' });
  add('last fragment', l4({ flags: QnetL4Flag.LAST | QnetL4Flag.CRC, seq: 42, offset: 1000, payload: big.subarray(1000) }), { 'qnet6.l4.offset': '1000' });
  add('Ack', l4({ type: QnetL4Type.Ack, ...BACK, seq: 1 }), {}, ALPHA, BETA);
  add('Nack', l4({ type: QnetL4Type.Nack, ...BACK, seq: 2 }), {}, ALPHA, BETA);
  return out;
}

function emitKifSize(k: QnetKifRepr): string {
  return new QnetKifPacket(emitKif(k)).size.toString(16).padStart(4, '0');
}

/** Run tshark with `args`; its stdout. A missing tshark is a clear failure (.ci/run installs it), never a skip. */
export function tshark(args: string[]): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (.ci/run does this)');
    throw new Error(`tshark failed: ${err.stderr ?? err.message}`);
  }
}
