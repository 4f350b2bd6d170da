/**
 * Every kind of frame QnetTransport sends — TCS_INIT, TCS_UP, TCS_REM_DOWN, data (whole and fragmented),
 * ACK, NR ping request/reply, the SEQ hole filler — as the installed tshark (Wireshark 4.0 packet-qnet6.c)
 * decodes them: the header fields we traced, CRCs labelled correct, nothing malformed or expert-flagged.
 * The messages carried are KIF MsgReply messages, so the dissector's KIF parser has something real to read.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapFileWriter } from '../../emulator/machine/net/pcap';
import { QnetL4Type, QnetLayer } from '../../stack/net/wire/qnet';
import { QnetKifPacket, QnetKifRepr } from '../../stack/net/wire/qnet-kif';
import { sharedRun } from '../helpers/shared-run';
import { L4Net, MS, bytes, type WireFrame } from './l4-rig';
import { ethernetFrame, tshark } from './wire-fixtures';


/** A KIF MsgReply carrying `n` bytes of data. */
function reply(n: number, seed: number): Uint8Array {
  const r = { kind: 'msgReply', values: { status: n, handle: seed, offset: 0 }, data: bytes(n, seed) } as unknown as QnetKifRepr;
  const b = new Uint8Array(QnetKifRepr.bufferLen(r));
  QnetKifRepr.emit(r, new QnetKifPacket(b, true));
  return b;
}

function run(): WireFrame[] {
  const net = new L4Net();
  const a = net.add('alpha');
  const b = net.add('beta');
  a.know(b, 2);
  b.know(a, 5);
  const beta = a.peers.get('beta')!;
  a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, reply(40, 1));
  a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, reply(4000, 2)); // 3 fragments
  net.runUntil(10 * MS);
  net.cut.add(0);
  a.t.send(beta, { type: 'exclusive', ifname: 'en0' }, QnetLayer.KIF, reply(8, 3)); // lost, then a hole filler
  net.runUntil(3000 * MS); // en0 down at 2400 ms; maintenance pings on en0
  net.cut.delete(0);
  net.runUntil(3300 * MS); // a ping answered: NR reply
  b.restart();
  a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, reply(16, 4)); // TCS_REM_DOWN, new session
  net.runUntil(3400 * MS);
  return net.frames;
}

describe('tshark decodes the transport’s frames', () => {
  const capture = sharedRun(() => {
    const frames = run();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnet-l4-'));
    const file = path.join(dir, 'l4.pcap');
    const w = new PcapFileWriter(file);
    frames.forEach((f) => w.writeRecord(f.at / 1000, ethernetFrame(f.dst, f.src, f.raw)));
    w.close();
    return { frames, file };
  });

  it('covers every frame kind the transport sends', () => {
    const { frames } = capture();
    const kinds = new Set(frames.map((f) => `${f.l4.type}/${f.l4.layer}`));
    for (const k of [
      `${QnetL4Type.TcsInit}/0`, `${QnetL4Type.TcsUp}/0`, `${QnetL4Type.TcsRemDown}/0`, `${QnetL4Type.Data}/${QnetLayer.KIF}`,
      `${QnetL4Type.Ack}/${QnetLayer.KIF}`, `${QnetL4Type.Data}/${QnetLayer.NR}`, `${QnetL4Type.Data}/${QnetLayer.SEQ}`,
    ]) expect(kinds).toContain(k);
  });

  it('shows the header fields we sent, frame by frame', () => {
    const { frames, file } = capture();
    const fields = ['qnet6.l4.type', 'qnet6.l4.layer', 'qnet6.l4.flags', 'qnet6.qos.sconn', 'qnet6.qos.dconn', 'qnet6.qos.seq', 'qnet6.l4.offset', 'qnet6.l4.length', 'qnet6.qos.src_qos_idx'];
    const out = tshark(['-r', file, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((n) => ['-e', n])]);
    const rows = out.replace(/\n$/, '').split('\n');
    const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
    expect(rows).toEqual(frames.map((f) => [
      `0x${f.l4.type.toString(16).padStart(2, '0')}`, f.l4.layer, `0x${f.l4.flags.toString(16).padStart(2, '0')}`, hex(f.l4.sconn), hex(f.l4.dconn), f.l4.seq, f.l4.offset, f.l4.payload.length, f.l4.srcQosIdx,
    ].join('\t')));
  });

  it('finds nothing malformed, and every checked CRC correct', () => {
    const { frames, file } = capture();
    expect(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert'])).toBe('');
    const v = tshark(['-r', file, '-V']);
    expect(v).not.toMatch(/incorrect/);
    expect((v.match(/\[correct\]/g) ?? []).length).toBe(frames.filter((f) => (f.l4.flags & 3) === 3).length);
  });
});
