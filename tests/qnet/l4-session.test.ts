/**
 * QnetTransport session corner cases: both sides opening at once, a lost TCS_UP, a peer that restarted
 * (TCS_REM_DOWN → a new session), hostile frames (counted, never thrown), and per-peer link state with
 * three nodes.
 */
import { QnetL4Flag, QnetL4Type, QnetLayer, type QnetL4Repr } from '../../stack/net/wire/qnet';
import { L4Net, MS, bytes } from './l4-rig';

const LB = { type: 'loadbalance' } as const;
const KIF = QnetLayer.KIF;
const PREF0 = { type: 'preferred', ifname: 'en0' } as const;

function trio() {
  const net = new L4Net();
  const a = net.add('alpha');
  const b = net.add('beta');
  const g = net.add('gamma');
  a.know(b, 2);
  a.know(g, 3);
  b.know(a, 5);
  g.know(a, 7);
  return { net, a, b, g };
}

describe('QnetTransport sessions', () => {
  it('both sides opening at once end with one session each way', () => {
    const { net, a, b } = trio();
    a.t.send(a.peers.get('beta')!, LB, KIF, bytes(10, 1));
    b.t.send(b.peers.get('alpha')!, LB, KIF, bytes(10, 2));
    net.runUntil(10 * MS);
    expect(net.frames.filter((f) => f.l4.type === QnetL4Type.TcsInit)).toHaveLength(2);
    expect(a.delivered.map((d) => d.payload)).toEqual([bytes(10, 2)]);
    expect(b.delivered.map((d) => d.payload)).toEqual([bytes(10, 1)]);
    expect(a.t.sessions.size + b.t.sessions.size).toBe(2);
    expect([a.stats.qos.rx_conn_created, b.stats.qos.rx_conn_created]).toEqual([1, 1]);
  });

  it('a lost TCS_UP: the repeated TCS_INIT (same sconn) is answered again without a new session', () => {
    const { net, a, b } = trio();
    let lost = false;
    net.tamper = (f) => (f.l4.type === QnetL4Type.TcsUp && !lost ? ((lost = true), 'drop') : undefined);
    a.t.send(a.peers.get('beta')!, LB, KIF, bytes(10));
    net.runUntil(500 * MS);
    const inits = net.frames.filter((f) => f.l4.type === QnetL4Type.TcsInit);
    expect(inits.map((f) => [f.at / MS, f.l4.sconn])).toEqual([[0, inits[0]!.l4.sconn], [200, inits[0]!.l4.sconn]]);
    expect(b.stats.qos.rx_conn_created).toBe(1);
    expect(b.delivered).toHaveLength(1);
  });

  it('a restarted peer answers TCS_REM_DOWN; the sender opens a new session and sends the message again', () => {
    const { net, a, b } = trio();
    const beta = a.peers.get('beta')!;
    a.t.send(beta, LB, KIF, bytes(1));
    net.runUntil(1000 * MS);
    b.restart();
    const done: number[] = [];
    a.t.send(beta, LB, KIF, bytes(2), (e) => done.push(e));
    net.runUntil(1010 * MS);
    expect(net.frames.filter((f) => f.at >= 1000 * MS).map((f) => `${f.from} ${f.l4.type}`)).toEqual([
      `alpha ${QnetL4Type.Data}`, `beta ${QnetL4Type.TcsRemDown}`, `alpha ${QnetL4Type.TcsInit}`, `beta ${QnetL4Type.TcsUp}`,
      `alpha ${QnetL4Type.Data}`, `beta ${QnetL4Type.Ack}`,
    ]);
    expect(b.stats.qos.pkts_rxd_noL4).toBe(1);
    expect(a.stats.qos.rx_conn_deleted).toBe(1);
    expect(b.delivered.map((d) => d.payload)).toEqual([bytes(1), bytes(2)]);
    expect(done).toEqual([0]);
    // The restarted beta's session id differs from its first one (clock-seeded).
    const ups = net.frames.filter((f) => f.l4.type === QnetL4Type.TcsUp);
    expect(ups[1]!.l4.sconn).not.toBe(ups[0]!.l4.sconn);
  });

  it('counts and drops hostile frames', () => {
    const { net, a, b } = trio();
    a.t.send(a.peers.get('beta')!, LB, KIF, bytes(1));
    net.runUntil(10 * MS);
    const base: QnetL4Repr = {
      bigEndian: false, type: QnetL4Type.TcsInit, flags: QnetL4Flag.FIRST | QnetL4Flag.LAST, layer: 0, srcNdForDst: 0, dstNdForSrc: 0,
      sconn: 99, dconn: 0, seq: 0, qosType: 0, srcQosIdx: 0, offset: 0, payload: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0x41),
    };
    const src = a.links[0]!.mac;
    const before = { ...b.stats.l4 };
    b.t.input(b.links[0]!, src, base); // TCS_INIT whose string has no NUL
    b.t.input(b.links[0]!, src, { ...base, type: 0x0c }); // unknown type
    b.t.input(b.links[0]!, src, { ...base, type: QnetL4Type.Data, layer: QnetLayer.NR, payload: Uint8Array.of(9) }); // NR type 9
    b.t.input(b.links[0]!, src, { ...base, type: QnetL4Type.Data, dconn: 0x1234, seq: 5 }); // no such session
    b.t.input(b.links[0]!, src, { ...base, type: QnetL4Type.Ack, dconn: 0x1234 });
    expect(b.stats.l4.rx_bad - before.rx_bad).toBe(3);
    expect(b.stats.qos.pkts_rxd_noL4).toBe(2);
    expect(b.traces.filter((t) => t.probe === 'drop').map((t) => t.f.reason)).toEqual([
      'TCS_INIT srcName at 0 has no NUL before the end', 'LwL4 type 12 not handled by the transport', 'NR type 9 is not 0..4',
      'no session 0x1234 for sconn 0x63',
    ]);
  });

  it('keeps link state per peer: gamma unreachable on en0 does not touch beta', () => {
    const { net, a, b, g } = trio();
    net.tamper = (f) => (f.hub === 0 && (f.from === 'gamma' || f.to === 'gamma') && f.at > 100 * MS ? 'drop' : undefined);
    const done: string[] = [];
    a.t.send(a.peers.get('beta')!, LB, KIF, bytes(1));
    a.t.send(a.peers.get('gamma')!, LB, KIF, bytes(1));
    net.runUntil(10 * MS);
    for (let i = 0; i < 4; i++) {
      net.schedule(200 * MS + i * 10 * MS, () => {
        a.t.send(a.peers.get('beta')!, LB, KIF, bytes(4, i), (e) => done.push(`b${i} ${e}`));
        a.t.send(a.peers.get('gamma')!, PREF0, KIF, bytes(4, i), (e) => done.push(`g${i} ${e}`));
      });
    }
    net.runUntil(3000 * MS);
    // Beta's traffic shares en0 (loadbalance), gamma's prefers en0: its first frame at 200 ms is lost on en0 → first expiry at the 400 ms tick, down at 400 + 10 × 200 = 2400 ms.
    expect(a.logs).toEqual([`${2400 * MS} qnet: link en0 to gamma down after 10 retries`]);
    expect(b.delivered).toHaveLength(5);
    expect(g.delivered.map((d) => d.payload)).toEqual([bytes(1), ...[0, 1, 2, 3].map((i) => bytes(4, i))]);
    expect(done.filter((d) => d.startsWith('g')).length).toBe(4);
    const d = a.t.describe();
    expect(d.find((l) => l.startsWith('beta'))).toMatch(/en0 up, en1 up$/);
    expect(d.find((l) => l.startsWith('gamma'))).toMatch(/en0 down, en1 up$/);
  });
});
