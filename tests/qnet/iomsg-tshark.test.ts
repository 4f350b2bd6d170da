/**
 * The codec's messages (stack/net/qnet/iomsg.ts) inside KIF MsgSend / Connect MsgSend / MsgReply frames,
 * read by the installed tshark (packet-qnet6.c `dissect_qnet6_kif_msgsend_msg`): each `_IO_*` header shows
 * the values we encoded, the Info column names the message, and nothing is malformed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapFileWriter } from '../../emulator/machine/net/pcap';
import { IO_STAT, redirectReply } from '../../stack/include/sys/iomsg';
import { IO_CLOSE, IO_CONNECT, IO_MSG, IO_READ, IO_WRITE, type OpenMsg } from '../../stack/io-pkt/msg';
import type { Message } from '../../stack/kernel/api';
import { IoCodecError, encodeIoMsg, encodeIoReply, ioReplyMax } from '../../stack/net/qnet/iomsg';
import { sharedRun } from '../helpers/shared-run';
import { ALPHA, BACK, BETA, VINFO, emitKif, emitL4, ethernetFrame, l4, tshark } from './wire-fixtures';

function bytes(r: Uint8Array | IoCodecError): Uint8Array {
  if (r instanceof IoCodecError) throw new Error(r.reason);
  return r;
}

const open: OpenMsg = { type: IO_CONNECT, subtype: 'open', path: '/', rest: 'etc/hosts', ftype: 'any', domain: 0, socktype: 0, protocol: 0 };
const sends: { name: string; msg: Message; info: string; fields: Record<string, string> }[] = [
  { name: 'open', msg: open, info: '_IO_CONNECT_OPEN', fields: { 'qnet6.kif.msgsend.msg.type': '0x0100', 'qnet6.kif.msgsend.msg.connect.subtype': '0x0002', 'qnet6.kif.msgsend.msg.connect.path': '/etc/hosts' } },
  { name: 'read', msg: { type: IO_READ, nbytes: 4096, flags: 0 }, info: 'MsgSend _IO_READ', fields: { 'qnet6.kif.msgsend.msg.type': '0x0101', 'qnet6.kif.msgsend.msg.read.nbytes': '4096' } },
  { name: 'write', msg: { type: IO_WRITE, data: Uint8Array.from([104, 105]), to: null, flags: 0, pktId: 0 }, info: 'MsgSend _IO_WRITE', fields: { 'qnet6.kif.msgsend.msg.type': '0x0102', 'qnet6.kif.msgsend.msg.write.nbytes': '2', 'qnet6.kif.msgsend.msg.write.data': '6869' } },
  { name: 'stat', msg: { type: IO_STAT }, info: 'MsgSend _IO_STAT', fields: { 'qnet6.kif.msgsend.msg.type': '0x0104' } },
  { name: 'msg', msg: { type: IO_MSG, mgrid: 0x4d45, subtype: 1, data: Uint8Array.from([1, 0, 0, 0]) }, info: 'MsgSend _IO_MSG', fields: { 'qnet6.kif.msgsend.msg.type': '0x0113', 'qnet6.kif.msgsend.msg.iomsg.mgrid': '0x4d45', 'qnet6.kif.msgsend.msg.iomsg.subtype': '0x0001' } },
  { name: 'close', msg: { type: IO_CLOSE }, info: 'MsgSend _IO_CLOSE', fields: { 'qnet6.kif.msgsend.msg.type': '0x0116' } },
];

describe('tshark decodes the _IO_* messages Qnet carries', () => {
  const pcap = sharedRun(() => {
    const frames: Uint8Array[] = [];
    sends.forEach((s, i) => {
      const data = bytes(encodeIoMsg(s.msg));
      const values = { serverId: 3, clientHandle: 20 + i, ...VINFO, srcmsglen: data.length, dstmsglen: ioReplyMax(s.msg) };
      frames.push(ethernetFrame(BETA, ALPHA, emitL4(l4({ seq: 1 + i, payload: emitKif({ kind: 'msgSend', values, data }) }))));
    });
    // The first send of a connection: Connect MsgSend carrying the open.
    const openBytes = bytes(encodeIoMsg(open));
    frames.push(ethernetFrame(BETA, ALPHA, emitL4(l4({ seq: 10, payload: emitKif({
      kind: 'connectMsgSend',
      values: { version: 1, serverPid: 1, serverChid: 1, clientId: 4, clientPid: 8200, serverId: 0, clientHandle: 30, ...VINFO, srcmsglen: openBytes.length },
      data: openBytes,
    }) }))));
    // The redirect answering it (opaque MsgReply data to the dissector).
    const red = encodeIoReply(open, redirectReply({ nd: 0, pid: 4099, chid: 2, prefix: '/etc/hosts', rest: '' }));
    if (red instanceof IoCodecError) throw new Error(red.reason);
    frames.push(ethernetFrame(ALPHA, BETA, emitL4(l4({ ...BACK, seq: 1, payload: emitKif({ kind: 'msgReply', values: { status: red.status, handle: 30, offset: 0 }, data: red.data }) }))));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnet-iomsg-'));
    const file = path.join(dir, 'iomsg.pcap');
    const w = new PcapFileWriter(file);
    frames.forEach((f, i) => w.writeRecord(1_000_000 * (i + 1), f));
    w.close();
    return file;
  });

  it('shows each header field we encoded', () => {
    const file = pcap();
    const names = [...new Set(sends.flatMap((s) => Object.keys(s.fields)))];
    const out = tshark(['-r', file, '-c', String(sends.length), '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', ...names.flatMap((n) => ['-e', n])]);
    const rows = out.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
    const got = sends.map((s, i) => Object.fromEntries([['name', s.name], ...Object.keys(s.fields).map((k) => [k, rows[i]![names.indexOf(k)]!])]));
    expect(got).toEqual(sends.map((s) => ({ name: s.name, ...s.fields })));
  });

  it('names them in the Info column; the Connect MsgSend shows the open, the reply its status', () => {
    const file = pcap();
    const out = tshark(['-r', file, '-T', 'fields', '-E', 'separator=/t', '-e', '_ws.col.Info', '-e', 'qnet6.kif.msgsend.msg.connect.path', '-e', 'qnet6.kif.msgwrite.status']);
    expect(out.replace(/\n$/, '').split('\n')).toEqual([
      ...sends.map((s) => `${s.info}\t${s.fields['qnet6.kif.msgsend.msg.connect.path'] ?? ''}\t`),
      '_IO_CONNECT_OPEN\t/etc/hosts\t',
      // _IO_CONNECT_RET_FLAG | _IO_CONNECT_RET_LINK as a signed 32-bit status.
      `MsgReply\t\t${0x80010000 | 0}`,
    ]);
  });

  it('finds nothing malformed and no expert items', () => {
    const file = pcap();
    expect(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert']).trim()).toBe('');
  });
});
