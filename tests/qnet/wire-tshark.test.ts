/**
 * Every Qnet frame stack/net/wire/qnet*.ts emits, written to a pcap and read by the installed tshark
 * (Wireshark 4.0, packet-qnet6.c `dissect_qnet6` and the qos/lr/nr/kif parsers it calls): each frame is
 * decoded as QNX6 QNET with the field values we put in, its LwL4 CRC labelled correct, and nothing
 * malformed or expert-flagged. Little-endian (0x2a, what lsm-qnet on x86 sends) and big-endian (0xaa).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapFileWriter } from '../../emulator/machine/net/pcap';
import { QnetL4Type, QnetLayer, QnetTcsInitRepr, type QnetL4Repr } from '../../stack/net/wire/qnet';
import { QnetKifPacket, QnetKifRepr } from '../../stack/net/wire/qnet-kif';
import { QnetLrPacket, QnetLrRepr } from '../../stack/net/wire/qnet-lr';
import { WireError } from '../../stack/net/wire/view';
import { sharedRun } from '../helpers/shared-run';
import {
  ALPHA, BETA, IO_READ_MSG, KIF_SAMPLES, LR_REQUEST, TCS_SAMPLE, VINFO, emitKif, emitL4, emitLr, emitTcs, ethernetFrame, l4,
  qnetSamples, tshark, type QnetSample,
} from './wire-fixtures';


function writePcap(samples: QnetSample[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnet-wire-'));
  const file = path.join(dir, 'qnet.pcap');
  const w = new PcapFileWriter(file);
  samples.forEach((s, i) => w.writeRecord(1_000_000 * (i + 1), s.frame));
  w.close();
  return file;
}

describe.each([
  ['little-endian (0x2a)', false],
  ['big-endian (0xaa)', true],
])('tshark decodes every Qnet frame we emit, %s', (_label, bigEndian) => {
  const capture = sharedRun(() => {
    const samples = qnetSamples(bigEndian);
    return { samples, file: writePcap(samples) };
  });

  it('shows the field values we put in, frame by frame', () => {
    const { samples, file } = capture();
    const names = [...new Set(samples.flatMap((s) => Object.keys(s.fields)))];
    const out = tshark(['-r', file, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', ...names.flatMap((n) => ['-e', n])]);
    const rows = out.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
    expect(rows).toHaveLength(samples.length);
    const got = samples.map((s, i) => {
      const g: Record<string, string> = { frame: s.name };
      for (const k of Object.keys(s.fields)) g[k] = rows[i]![names.indexOf(k)]!;
      return g;
    });
    expect(got).toEqual(samples.map((s) => ({ frame: s.name, ...s.fields })));
  });

  it('names every message as the dissector does (protocol and Info columns)', () => {
    const { file } = capture();
    const out = tshark(['-r', file, '-T', 'fields', '-E', 'separator=/t', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info']);
    const kif = ['Connect', '_IO_CONNECT_OPEN', 'Connect Success', 'Connect Fail', 'Unblock', 'MsgSend _IO_READ', 'MsgRead', 'MsgRead_Xfer', 'MsgWrite',
      'MsgReply', 'MsgError', 'Event', 'Pulse', 'Signal', 'Disconnect', 'Connect Death', 'MsgRead Error', 'Connect Pulse'];
    expect(out.replace(/\n$/, '').split('\n')).toEqual([
      ...['TCS_INIT', 'TCS_REM_UP', 'TCS_UP', 'TCS_DOWN', 'TCS_REM_DOWN'].map((t) => `QNET_QOS\tQos ${t} Message`),
      'QNET_LR\tWho is "beta.qnet"? Tell "alpha.qnet"@02:00:00:00:00:01',
      'QNET_LR\tTo "alpha.qnet", "beta.qnet" is at 02:00:00:00:00:02',
      ...['Ping Request', 'Ping Reply', 'Remote Request', 'Remote Reply', 'Remote Error'].map((t) => `QNET_NR\tNetwork Resolver ${t}`),
      ...kif.map((t) => `QNET_KIF\t${t}`),
      'QNET_KIF\t_IO_CONNECT_OPEN', 'QNET_KIF\tFirst fragmented MsgWrite', 'QNET_LWL4\tLast Fragmented LWL4 Data packet',
      'QNET_LWL4\tAck', 'QNET_LWL4\tNack',
    ]);
  });

  it('labels every CRC correct (the dissector checks unfragmented frames only)', () => {
    const { samples, file } = capture();
    const v = tshark(['-r', file, '-V']);
    expect(v.match(/\[incorrect/g) ?? []).toEqual([]);
    expect((v.match(/\[correct\]/g) ?? []).length).toBe(samples.filter((s) => s.fields['qnet6.l4.flags'] === '0x07').length);
  });

  it('finds nothing malformed and no expert items', () => {
    const { file } = capture();
    expect(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert']).trim()).toBe('');
    const protos = tshark(['-r', file, '-T', 'fields', '-e', 'frame.protocols']).trim().split('\n');
    expect(protos.filter((p) => !p.includes('lwl4'))).toEqual([]);
  });
});

describe('what our Reprs reject for being cut short, tshark calls malformed', () => {
  const send = (msg: Uint8Array) => emitKif({ kind: 'msgSend', values: { serverId: 3, clientHandle: 9, ...VINFO }, data: msg });
  const event = () => emitKif(KIF_SAMPLES.find((k) => k.kind === 'event')!);
  const tcs = () => emitTcs(TCS_SAMPLE);
  const lr = () => {
    const b = emitLr(LR_REQUEST);
    new QnetLrPacket(b).setItem('dstDomain', 40, 9);
    return b;
  };
  const checkOf = (r: unknown) => (r instanceof WireError ? r.check : 'accepted');
  // The headers are built by the test that checks them (not while the file loads).
  const cases: { name: string; l4: () => Partial<QnetL4Repr>; check: string }[] = [
    { name: 'Event with 16 body bytes', l4: () => ({ payload: event().subarray(0, 20) }), check: 'short' },
    { name: 'MsgSend with no message', l4: () => ({ payload: send(new Uint8Array(0)) }), check: 'iomsg' },
    { name: 'MsgSend with a 15-byte _IO_READ', l4: () => ({ payload: send(IO_READ_MSG.subarray(0, 15)) }), check: 'iomsg' },
    { name: 'TCS_INIT string without its NUL', l4: () => { const t = tcs(); return { type: QnetL4Type.TcsInit, payload: t.subarray(0, t.length - 1) }; }, check: 'unterminated' },
    { name: 'LR item past the end', l4: () => ({ type: QnetL4Type.Lr, layer: QnetLayer.LR, payload: lr() }), check: 'item' },
  ];

  it.each(cases)('$name', (c) => {
    const r = l4(c.l4());
    const ours = r.type === QnetL4Type.TcsInit ? QnetTcsInitRepr.parse(r.payload)
      : r.layer === QnetLayer.LR ? QnetLrRepr.parse(new QnetLrPacket(r.payload))
        : QnetKifRepr.parse(new QnetKifPacket(r.payload));
    expect(checkOf(ours)).toBe(c.check);
    const file = writePcap([{ name: c.name, frame: ethernetFrame(BETA, ALPHA, emitL4(r)), fields: {} }]);
    expect(tshark(['-r', file, '-T', 'fields', '-e', '_ws.malformed']).trim()).not.toBe('');
  });
});
