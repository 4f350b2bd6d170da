/**
 * Wireshark's QNX6 QNET dissector (packet-qnet6.c, the tshark installed here; docs/design/qnet-wire.md) on
 * every Qnet frame the two example scenarios put on their hubs:
 * - every EtherType 0x8204 frame decodes as LwL4 (qnet6.*), nothing is malformed or expert-flagged, and no
 *   LwL4 CRC is labelled incorrect;
 * - frame by frame, the header fields tshark shows are the ones our own wire views read from the same bytes
 *   (and the KIF type of every first fragment);
 * - what the frames say matches what the simulation did: one KIF MsgSend carrying `_IO_MSG` (mgrid 0xf000)
 *   per msgping message, its sequence number in the payload, one MsgReply carrying it back; QoS types and
 *   links as the paths asked (loadbalance on alpha's client, preferred:en1 on beta's), answers with the QoS of
 *   their request.
 */
import { QnetL4Flag, QnetL4Type, QnetLayer, QnetQosType } from '../../stack/net/wire/qnet';
import { IoMsgType } from '../../stack/net/wire/qnet-kif';
import { MSGECHO_MGRID } from '../../stack/utils/msgecho';
import { sharedRun } from '../helpers/shared-run';
import { msgpingReplies, qnetFrames, runExample, tshark, tsharkFields, type ExampleRun, type QnetFrame } from './scenario-run';

/** Header fields tshark shows, and how our parse names them. */
const HEADER: [string, (f: QnetFrame) => number][] = [
  ['qnet6.l4.type', (f) => f.l4.type],
  ['qnet6.l4.flags', (f) => f.l4.flags],
  ['qnet6.l4.layer', (f) => f.l4.layer],
  ['qnet6.qos.src_nd_for_dst', (f) => f.l4.srcNdForDst],
  ['qnet6.qos.dst_nd_for_src', (f) => f.l4.dstNdForSrc],
  ['qnet6.qos.sconn', (f) => f.l4.sconn],
  ['qnet6.qos.dconn', (f) => f.l4.dconn],
  ['qnet6.qos.seq', (f) => f.l4.seq],
  ['qnet6.qos.qos_type', (f) => f.l4.qosType],
  ['qnet6.qos.src_qos_idx', (f) => f.l4.srcQosIdx],
  ['qnet6.l4.offset', (f) => f.l4.offset],
  ['qnet6.l4.length', (f) => f.l4.payload.length],
];

/** KIF type word of a frame whose payload tshark parses as KIF (layer 0, first fragment, ≥ 4 bytes). */
function kifType(f: QnetFrame): number | null {
  const p = f.l4.payload;
  const dataLike = f.l4.type === QnetL4Type.Data || f.l4.type === 0;
  if (!dataLike || f.l4.layer !== QnetLayer.KIF || !(f.l4.flags & QnetL4Flag.FIRST) || p.length < 4) return null;
  return new DataView(p.buffer, p.byteOffset, 4).getUint16(0, true);
}

const KIF_MSGSEND = 5;
const KIF_MSGREPLY = 9;
/** KIF MsgSend: type/size 4, server_id, client_handle, vinfo 32, nbytes → the message at 48. */
const MSGSEND_MSG_AT = 48;
/** struct _io_msg is 8 bytes; msgping's sequence number starts the payload behind it. */
const IO_MSG_HDR = 8;
/** KIF MsgReply: type/size 4, status, handle, offset, nbytes → the data at 20. */
const MSGREPLY_DATA_AT = 20;

function u16(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset + at, 2).getUint16(0, true);
}
function u32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset + at, 4).getUint32(0, true);
}

/** The msgping messages a pcap carries: KIF MsgSend frames (first fragments) whose message is _IO_MSG with msgecho's mgrid. */
function echoSends(frames: QnetFrame[]): { f: QnetFrame; seq: number }[] {
  return frames.filter((f) => kifType(f) === KIF_MSGSEND && f.l4.payload.length >= MSGSEND_MSG_AT + IO_MSG_HDR + 4 &&
    u16(f.l4.payload, MSGSEND_MSG_AT) === IoMsgType.MSG && u16(f.l4.payload, MSGSEND_MSG_AT + 4) === MSGECHO_MGRID)
    .map((f) => ({ f, seq: u32(f.l4.payload, MSGSEND_MSG_AT + IO_MSG_HDR) }));
}

function checkLink(x: ExampleRun, link: string): QnetFrame[] {
  const file = x.pcap(link);
  const ours = qnetFrames(file);
  expect(ours.length).toBeGreaterThan(0);
  // Every 0x8204 frame is Qnet to the dissector.
  const protos = tsharkFields(file, 'eth.type == 0x8204', ['frame.number', 'frame.protocols']);
  expect(protos.map((r) => Number(r[0]))).toEqual(ours.map((f) => f.no));
  expect(protos.filter((r) => !r[1]!.includes(':lwl4'))).toEqual([]);
  // Nothing malformed, no expert item, no CRC called incorrect.
  expect(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert']).trim()).toBe('');
  expect(tshark(['-r', file, '-Y', 'eth.type == 0x8204', '-V']).match(/\[incorrect[^\]]*\]/g) ?? []).toEqual([]);
  // The header as tshark reads it is the header as we read it.
  const rows = tsharkFields(file, 'eth.type == 0x8204', ['frame.number', ...HEADER.map(([n]) => n), 'qnet6.kif.type']);
  const theirs = rows.map((r) => ({ no: Number(r[0]), h: HEADER.map((_, i) => Number(r[i + 1])), kif: r[HEADER.length + 1] ? Number(r[HEADER.length + 1]) & 0x7f : null }));
  expect(theirs).toEqual(ours.map((f) => ({ no: f.no, h: HEADER.map(([, get]) => get(f)), kif: kifType(f) === null ? null : kifType(f)! & 0x7f })));
  return ours;
}

describe('docs/examples/qnet.yaml through tshark', () => {
  const run = sharedRun(() => runExample('qnet.yaml'));

  test('the run met its expectations', () => {
    const x = run();
    expect(x.r.failures).toEqual([]);
  });

  test('every Qnet frame on hub0 decodes cleanly and as our views read it', () => {
    const x = run();
    checkLink(x, 'hub0');
  });

  test('session set-up as traced: TCS_INIT and TCS_UP carry the connection ids the transport chose', () => {
    const x = run();
    const inits = x.recs.filter((r) => r.layer === 'qnet' && r.probe === 'tcs-init');
    const ups = x.recs.filter((r) => r.layer === 'qnet' && r.probe === 'tcs-up');
    expect(inits.length).toBeGreaterThan(0);
    const t = tsharkFields(x.pcap('hub0'), 'qnet6.l4.type == 1', ['qnet6.qos.sconn', 'qnet6.qos.src_name', 'qnet6.qos.dst_name']);
    expect(t.map((r) => [Number(r[0]), r[1], r[2]])).toEqual(inits.map((r) => [r.f!['sconn'], r.node, r.f!['peer']]));
    const u = tsharkFields(x.pcap('hub0'), 'qnet6.l4.type == 3', ['qnet6.qos.sconn', 'qnet6.qos.dconn']);
    expect(u.map((r) => [Number(r[0]), Number(r[1])])).toEqual(ups.map((r) => [r.f!['sconn'], r.f!['dconn']]));
  });

  test('one KIF MsgSend per msgping message, each carried back by one MsgReply', () => {
    const x = run();
    const frames = qnetFrames(x.pcap('hub0'));
    const alpha = '00:00:e8:0a:00:01';
    const beta = '00:00:e8:0b:00:02';
    const retrans = x.recs.filter((r) => r.layer === 'qnet' && r.probe === 'retrans').length;
    const sends = echoSends(frames);
    expect(sends.every((s) => s.f.src === alpha && s.f.dst === beta)).toBe(true);
    // On a quiet hub nothing is retransmitted: exactly the 20 messages msgping sent, in order.
    expect(retrans).toBe(0);
    expect(sends.map((s) => s.seq)).toEqual([...Array(20).keys()]);
    // What tshark names them: MsgSend of _IO_MSG with mgrid 0xf000 and msgping's subtype.
    const nos = new Set(sends.map((s) => s.f.no));
    const t = tsharkFields(x.pcap('hub0'), 'qnet6.kif.msgsend.msg.type == 0x0113', ['frame.number', 'qnet6.kif.msgsend.msg.iomsg.mgrid', '_ws.col.Info']);
    expect(t.map((r) => Number(r[0]))).toEqual([...nos]);
    expect(new Set(t.map((r) => Number(r[1])))).toEqual(new Set([MSGECHO_MGRID]));
    // The replies: MsgReply from beta whose data is the 64-byte payload, sequence number first.
    const replies = frames.filter((f) => f.src === beta && kifType(f) === KIF_MSGREPLY && u32(f.l4.payload, 16) === 64)
      .map((f) => u32(f.l4.payload, MSGREPLY_DATA_AT));
    expect(replies).toEqual([...Array(20).keys()]);
    // msgping printed a reply for each, in the same order.
    expect(msgpingReplies(x.lines('alpha'), '/net/beta/dev/echo').map((r) => r.seq)).toEqual([...Array(20).keys()]);
  });
});

describe('docs/examples/qnet-qos.yaml through tshark', () => {
  const run = sharedRun(() => runExample('qnet-qos.yaml'));

  test('the run met its expectations', () => {
    const x = run();
    expect(x.r.failures).toEqual([]);
  });

  test.each(['hub0', 'hub1'])('every Qnet frame on %s decodes cleanly and as our views read it', (link) => {
    const x = run();
    checkLink(x, link);
  });

  test('the QoS on the wire is what each path asked for', () => {
    const x = run();
    const onHub = (l: string) => echoSends(qnetFrames(x.pcap(l)));
    const all = [...onHub('hub0').map((s) => ({ ...s, link: 'hub0' })), ...onHub('hub1').map((s) => ({ ...s, link: 'hub1' }))];
    const fromAlpha = all.filter((s) => s.f.src.startsWith('00:00:e8:0a'));
    const fromBeta = all.filter((s) => s.f.src.startsWith('00:00:e8:0b'));
    // beta's client opened /net/alpha~preferred:en1/...: every message goes on en1 (hub1), QoS type preferred.
    expect(fromBeta.length).toBeGreaterThanOrEqual(100);
    expect(new Set(fromBeta.map((s) => `${s.link} ${s.f.l4.qosType}`))).toEqual(new Set([`hub1 ${QnetQosType.Preferred}`]));
    expect(new Set(fromBeta.map((s) => s.seq)).size).toBe(100);
    // alpha's client used the default, loadbalance, and every sequence number reached the wire.
    expect(new Set(fromAlpha.map((s) => s.f.l4.qosType))).toEqual(new Set([QnetQosType.LoadBalance]));
    expect(new Set(fromAlpha.map((s) => s.seq)).size).toBe(100);
    // A message seen more than once on the wire was a retransmission the transport traced (the receiver
    // dropped the copies: msgecho counted each sequence number once, an expectation of the scenario).
    const copies = fromAlpha.length - 100;
    const retrans = x.recs.filter((r) => r.node === 'alpha' && r.layer === 'qnet' && r.probe === 'retrans').length;
    expect(copies).toBeLessThanOrEqual(retrans);
  });

  test('answers travel with the QoS of the request: alpha answers beta\'s preferred:en1 client preferred on its en1', () => {
    const x = run();
    // MsgReply frames carrying msgping's 64 bytes, with the hub they were on.
    const replies = ['hub0', 'hub1'].flatMap((link) => qnetFrames(x.pcap(link))
      .filter((f) => kifType(f) === KIF_MSGREPLY && u32(f.l4.payload, 16) === 64)
      .map((f) => ({ f, link, seq: u32(f.l4.payload, MSGREPLY_DATA_AT) })));
    const fromAlpha = replies.filter((r) => r.f.src.startsWith('00:00:e8:0a'));
    const fromBeta = replies.filter((r) => r.f.src.startsWith('00:00:e8:0b'));
    // alpha's answers to beta: all on hub1, qos_type preferred, src_qos_idx 1 (alpha's en1, where the requests
    // came in): a stream of their own, numbered apart from alpha's loadbalance one.
    expect(new Set(fromAlpha.map((r) => `${r.link} ${r.f.l4.qosType} ${r.f.l4.srcQosIdx}`))).toEqual(new Set([`hub1 ${QnetQosType.Preferred} 1`]));
    expect(new Set(fromAlpha.map((r) => r.seq)).size).toBe(100);
    // beta's answers to alpha's loadbalance client: loadbalance.
    expect(new Set(fromBeta.map((r) => r.f.l4.qosType))).toEqual(new Set([QnetQosType.LoadBalance]));
    expect(new Set(fromBeta.map((r) => r.seq)).size).toBe(100);
  });
});
