/**
 * QnetTransport between two nodes on the l4-rig wire: the TCS handshake (frames parsed with the wire
 * Reprs), fragmentation at mtu_en and reassembly, retransmission after one tick, duplicate and reordered
 * frames, the send window, TCS_INIT failure, and NR pings (answers, idle heartbeat).
 */
import { Errno } from '../../stack/kernel/api';
import { QnetCost } from '../../stack/net/qnet/defaults';
import { QnetL4Flag, QnetL4Type, QnetLayer, QnetNrRepr, QnetTcsInitRepr, QNET_L4_HDR_LEN } from '../../stack/net/wire/qnet';
import { WireError } from '../../stack/net/wire/view';
import { L4Net, MS, bytes, type L4Node } from './l4-rig';

const LB = { type: 'loadbalance' } as const;
const KIF = QnetLayer.KIF;

function pair(tun = {}): { net: L4Net; a: L4Node; b: L4Node } {
  const net = new L4Net(tun);
  const a = net.add('alpha');
  const b = net.add('beta');
  a.know(b, 2); // alpha's ND for beta
  b.know(a, 5); // beta's ND for alpha
  return { net, a, b };
}

describe('QnetTransport: session set-up', () => {
  it('opens with TCS_INIT / TCS_UP, then data and its ACK; NDs and session ids cross over', () => {
    const { net, a, b } = pair();
    const done: number[] = [];
    expect(a.t.send(a.peers.get('beta')!, LB, KIF, bytes(100), (e) => done.push(e))).toBe(0);
    net.runUntil(10 * MS);
    const [init, up, data, ack] = net.frames;
    expect(net.frames.map((f) => [f.from, f.l4.type])).toEqual([
      ['alpha', QnetL4Type.TcsInit], ['beta', QnetL4Type.TcsUp], ['alpha', QnetL4Type.Data], ['beta', QnetL4Type.Ack],
    ]);
    const tcs = QnetTcsInitRepr.parse(init!.l4.payload);
    expect(tcs).toEqual({ srcName: 'alpha', srcDomain: 'qnet', dstName: 'beta', dstDomain: 'qnet' });
    // beta's transport had no state for alpha's MAC → it asked its upper for the peer by name.
    expect(b.peerForCalls).toEqual(['alpha']);
    expect(up!.l4).toMatchObject({ dconn: init!.l4.sconn, srcNdForDst: 5, dstNdForSrc: 2, payload: new Uint8Array(0) });
    expect(up!.l4.sconn).not.toBe(0);
    expect(data!.l4).toMatchObject({
      sconn: init!.l4.sconn, dconn: up!.l4.sconn, seq: 1, flags: QnetL4Flag.FIRST | QnetL4Flag.LAST | QnetL4Flag.CRC,
      srcNdForDst: 2, dstNdForSrc: 5, qosType: 0, srcQosIdx: 0, offset: 0, layer: KIF,
    });
    expect(data!.bytes).toBe(QNET_L4_HDR_LEN + 100);
    expect(ack!.l4).toMatchObject({ seq: 1, sconn: up!.l4.sconn, dconn: init!.l4.sconn, payload: new Uint8Array(0) });
    expect(b.delivered.map((d) => [d.from, d.payload])).toEqual([['alpha', bytes(100)]]);
    expect(done).toEqual([0]);
    expect(a.peers.get('beta')!.remoteNd).toBe(5);
    expect(b.peers.get('alpha')!.remoteNd).toBe(2);
    expect(a.stats.qos.tx_conn_created).toBe(1);
    expect(b.stats.qos.rx_conn_created).toBe(1);
    // CPU: alpha built INIT (control + its 8 + "alpha\0qnet\0beta\0qnet\0" = 29 bytes) and the data (frame +
    // 100 B), and parsed UP and ACK (a frame each, no payload).
    expect(init!.l4.payload.length).toBe(29);
    expect(a.cpuNs).toBe(QnetCost.control + 29 * QnetCost.perByte + (QnetCost.frame + 100 * QnetCost.perByte) + 2 * QnetCost.frame);
    expect(net.parseErrors).toEqual([]);
  });

  it('do_crc=0 leaves the CRC flag clear and the field 0', () => {
    const { net, a } = pair({ doCrc: false });
    a.t.send(a.peers.get('beta')!, LB, KIF, bytes(10));
    net.runUntil(10 * MS);
    expect(net.frames.every((f) => (f.l4.flags & QnetL4Flag.CRC) === 0)).toBe(true);
    expect(net.data('alpha')).toHaveLength(1);
  });

  it('gives up after conn_est_retries repeats of TCS_INIT: EHOSTUNREACH, peerDown', () => {
    const { net, a } = pair();
    net.cut.add(0).add(1);
    const done: number[] = [];
    a.t.send(a.peers.get('beta')!, LB, KIF, bytes(10), (e) => done.push(e));
    // INIT at 0 on en0, the repeat at tick 1 (conn_est_timeout 1 × 200 ms) on the next link, en1;
    // conn_est_retries = 1 repeat, so at tick 2 (400 ms) the session fails.
    net.runUntil(1000 * MS);
    const inits = net.frames.filter((f) => f.l4.type === QnetL4Type.TcsInit);
    expect(inits.map((f) => [f.at / MS, f.hub])).toEqual([[0, 0], [200, 1]]);
    expect(done).toEqual([Errno.EHOSTUNREACH]);
    expect(a.downs).toEqual([{ at: 400 * MS, peer: 'beta', errno: Errno.EHOSTUNREACH }]);
    expect(a.stats.qos.tx_failed).toBe(1);
  });
});

describe('QnetTransport: data', () => {
  it('fragments at mtu_en and reassembles once', () => {
    const { net, a, b } = pair();
    const msg = bytes(5000, 3);
    a.t.send(a.peers.get('beta')!, LB, KIF, msg);
    net.runUntil(10 * MS);
    // mtu_en 1500 − 38 (pad + LwL4 header) = 1462 bytes a frame: ceil(5000 / 1462) = 4 frames, the last 5000 − 3 × 1462 = 614.
    const per = 1500 - QNET_L4_HDR_LEN;
    const frames = net.data('alpha');
    expect(frames.map((f) => [f.l4.seq, f.l4.offset, f.l4.payload.length, f.l4.flags & 3])).toEqual([
      [1, 0, per, QnetL4Flag.FIRST], [2, per, per, 0], [3, 2 * per, per, 0], [4, 3 * per, 5000 - 3 * per, QnetL4Flag.LAST],
    ]);
    expect(frames.every((f) => f.bytes <= 1500)).toBe(true);
    expect(b.delivered.map((d) => d.payload)).toEqual([msg]);
    expect(a.stats.l4.tx_frags).toBe(4);
    expect(b.stats.l4.rx_reassembled).toBe(1);
    expect(net.frames.filter((f) => f.l4.type === QnetL4Type.Ack)).toHaveLength(4);
  });

  it('retransmits a lost frame at the next tick, same seq and link; delivered once', () => {
    const { net, a, b } = pair();
    const beta = a.peers.get('beta')!;
    a.t.send(beta, LB, KIF, bytes(1));
    net.runUntil(200 * MS); // session up, tick 1 done
    let dropped = false;
    net.tamper = (f) => (f.l4.type === QnetL4Type.Data && !dropped ? ((dropped = true), 'drop') : undefined);
    const done: number[] = [];
    a.t.send(beta, LB, KIF, bytes(64, 9), (e) => done.push(now(net, e)));
    net.runUntil(1000 * MS);
    // Sent at 200 ms; unacknowledged for tx_timeout 1 tick (200 ms) at the 400 ms tick → sent again then.
    const sends = net.data('alpha').filter((f) => f.l4.seq === 2);
    expect(sends.map((f) => [f.at / MS, f.hub, f.fate])).toEqual([[200, 0, 'dropped'], [400, 0, 'delivered']]);
    expect(a.stats.l4.tx_retrans).toBe(1);
    expect(b.delivered.map((d) => d.payload)).toEqual([bytes(1), bytes(64, 9)]);
    // done when the ACK is back: 400 ms + 2 × 0.1 ms latency.
    expect(done).toEqual([400.2]);
  });

  it('drops duplicated frames (re-acknowledging them) and holds reordered ones', () => {
    const { net, a, b } = pair();
    const beta = a.peers.get('beta')!;
    net.tamper = (f) => (f.l4.type === QnetL4Type.Data ? 'dup' : undefined);
    const msgs = [bytes(3000, 1), bytes(10, 2)];
    for (const m of msgs) a.t.send(beta, LB, KIF, m);
    net.runUntil(10 * MS);
    // 3000 B → 3 frames, 10 B → 1: each delivered twice on the wire.
    expect(b.delivered.map((d) => d.payload)).toEqual(msgs);
    expect(b.stats.l4.rx_dups).toBe(4);
    expect(b.stats.l4.tx_acks).toBe(8);
    // Now delay the first frame of a two-frame message by 1 ms: its second frame is held, then both go up.
    net.tamper = (f) => (f.l4.type === QnetL4Type.Data && f.l4.flags & QnetL4Flag.FIRST && f.l4.payload.length > 100 ? { delayNs: MS } : undefined);
    a.t.send(beta, LB, KIF, bytes(2000, 4));
    a.t.send(beta, LB, KIF, bytes(5, 5));
    net.runUntil(20 * MS);
    expect(b.delivered.map((d) => d.payload).slice(2)).toEqual([bytes(2000, 4), bytes(5, 5)]);
    expect(b.stats.qos.rx_seq_order).toBe(2); // frames 2 and 3 of the stream arrived ahead of the delayed one
  });

  it('keeps at most max_tx_bufs frames past the oldest unacknowledged one', () => {
    const { net, a, b } = pair({ maxTxBufs: 4 });
    const beta = a.peers.get('beta')!;
    a.t.send(beta, LB, KIF, bytes(1));
    net.runUntil(10 * MS);
    net.cut.add(0).add(1);
    for (let i = 0; i < 10; i++) a.t.send(beta, LB, KIF, bytes(1, i));
    expect(net.data('alpha').map((f) => f.l4.seq)).toEqual([1, 2, 3, 4, 5]);
    net.cut.clear();
    net.runUntil(1000 * MS);
    expect(b.delivered).toHaveLength(11);
  });
});

describe('QnetTransport: NR pings', () => {
  it('answers a ping request and polls an idle session after conn_up_idle ticks', () => {
    const { net, a, b } = pair({ connUpIdle: 5 });
    a.t.send(a.peers.get('beta')!, LB, KIF, bytes(1));
    net.runUntil(10 * MS);
    net.runUntil(1100 * MS);
    // Alpha last heard beta at 0.2 ms (the ACK), beta alpha at 0.1 ms (the data). Idle ≥ 5 ticks (1 s) is
    // first true at the 1200 ms tick (at 1000 ms only 999.8 / 999.9 ms have passed): both nodes tick at
    // 1200 ms, so both ping on both up links, and each answers the other's pings 0.1 ms later.
    expect(net.frames.filter((f) => f.l4.layer === QnetLayer.NR)).toHaveLength(0);
    net.runUntil(1300 * MS);
    const nr = net.frames.filter((f) => f.l4.layer === QnetLayer.NR);
    const kinds = nr.map((f) => {
      const r = QnetNrRepr.parse(f.l4.payload);
      return r instanceof WireError ? 'bad' : `${f.at / MS} ${f.from} en${f.hub} ${r.type === 0 ? 'request' : 'reply'}`;
    });
    expect(kinds).toEqual([
      '1200 alpha en0 request', '1200 alpha en1 request', '1200 beta en0 request', '1200 beta en1 request',
      '1200.1 beta en0 reply', '1200.1 beta en1 reply', '1200.1 alpha en0 reply', '1200.1 alpha en1 reply',
    ]);
    expect(nr.every((f) => f.l4.seq === 0)).toBe(true);
    expect(a.stats.qos.link_down + b.stats.qos.link_down).toBe(0);
  });
  it('declares an idle peer that stopped answering heartbeats down after tx_retries + 1 more ticks', () => {
    const { net, a } = pair({ connUpIdle: 5 });
    a.t.send(a.peers.get('beta')!, LB, KIF, bytes(1));
    net.runUntil(10 * MS);
    net.cut.add(0).add(1);
    net.runUntil(5000 * MS);
    // Heartbeats at the 1200 ms tick (as above), unanswered: timed out at 1400 ms (1) … 3400 ms (11 > tx_retries 10)
    // on both links: both down at 1200 + 11 × 200 = 3400 ms, the second leaving none up.
    expect(a.downs).toEqual([{ at: 3400 * MS, peer: 'beta', errno: Errno.EHOSTDOWN }]);
    const hb = net.frames.filter((f) => f.from === 'alpha' && f.hub === 0 && f.l4.layer === QnetLayer.NR && f.at <= 3400 * MS);
    expect(hb.map((f) => f.at / MS)).toEqual([1200, 1400, 1600, 1800, 2000, 2200, 2400, 2600, 2800, 3000, 3200, 3400]);
  });
});

function now(net: L4Net, e: number): number {
  return e === 0 ? net.now / MS : -e;
}
