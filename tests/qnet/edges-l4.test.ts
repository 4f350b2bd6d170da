/**
 * Edges of QnetTransport (stack/net/qnet/l4.ts, l4-input.ts, l4-liveness.ts, reasm.ts) that the main L4
 * tests do not reach: send() keeping its own copy of the message; a session opened by an exclusive message
 * (its TCS_INIT on the exclusive link); the interface going away while frames wait (pump() finding no link:
 * the peer down for loadbalance, the message failed for exclusive, a late ACK of a given-up frame); why a
 * link is declared down at once ('no MAC', 'interface down'); /proc/qnetstats after a peer is given up; a
 * stray NR ping reply; a FIRST fragment whose offset is not 0.
 * QNX references: sys_arch "Quality of Service (QoS) and multiple paths" (S10), lsm-qnet.so (S1),
 * npm-qnet-l4_lite.so (S2), as docs/qnet.md cites them.
 */
import { Errno } from '../../stack/kernel/api';
import { QnetRxStream } from '../../stack/net/qnet/reasm';
import { QnetL4Flag, QnetL4Type, QnetLayer, QnetNrType, type QnetL4Repr } from '../../stack/net/wire/qnet';
import { L4Net, MS, bytes, type L4Node } from './l4-rig';

const LB = { type: 'loadbalance' } as const;
const KIF = QnetLayer.KIF;

function pair(nlinks: number, tun: ConstructorParameters<typeof L4Net>[0] = {}): { net: L4Net; a: L4Node; b: L4Node } {
  const net = new L4Net(tun);
  const a = net.add('alpha', nlinks);
  const b = net.add('beta', nlinks);
  a.know(b, 2);
  b.know(a, 5);
  return { net, a, b };
}

const inits = (net: L4Net) => net.frames.filter((f) => f.l4.type === QnetL4Type.TcsInit);

describe('QnetTransport: what send() takes', () => {
  it('keeps its own copy of the message: the caller may reuse its buffer as soon as send() returns', () => {
    // S2: L4 "guaranteed, non-duplicate delivery" of the message handed to it; like NetBSD's sosend(), which
    // copies the user's data into mbufs (uiomove) before it returns, the bytes sent are those of the call.
    const { net, a, b } = pair(2);
    const buf = bytes(100, 3);
    expect(a.t.send(a.peers.get('beta')!, LB, KIF, buf)).toBe(0);
    // The frame waits for the session (TCS_INIT / TCS_UP) while the caller already reuses its buffer.
    buf.fill(0xee);
    net.runUntil(10 * MS);
    expect(b.delivered.map((d) => d.payload)).toEqual([bytes(100, 3)]);
    expect(net.data('alpha', KIF).map((f) => f.l4.payload)).toEqual([bytes(100, 3)]);
  });
});

describe('QnetTransport: a session opened by an exclusive message', () => {
  it('sends its TCS_INIT on the exclusive link, so it comes up even while the other network is dead', () => {
    // S10: exclusive:en1 uses en1 only, "even when it fails" — and so it does not depend on en0 either. Hub 0
    // is dead from the start (alpha cannot know yet: nothing has timed out).
    const { net, a, b } = pair(2);
    net.cut.add(0);
    const done: number[] = [];
    a.t.send(a.peers.get('beta')!, { type: 'exclusive', ifname: 'en1' }, KIF, bytes(20, 4), (e) => done.push(e));
    net.runUntil(1000 * MS);
    // One TCS_INIT at once on en1, TCS_UP, the data: 3 wire latencies.
    expect(inits(net).map((f) => [f.at, f.hub])).toEqual([[0, 1]]);
    expect(b.delivered.map((d) => [d.at, d.payload])).toEqual([[3 * net.latencyNs, bytes(20, 4)]]);
    expect(done).toEqual([0]);
    expect(net.frames.filter((f) => f.hub === 0)).toEqual([]);
  });
});

describe('QnetTransport: the interface goes away while frames wait', () => {
  it('a loadbalance message waiting for TCS_UP when the only interface went down: the peer is down (EHOSTDOWN)', () => {
    // l4.ts / docs/qnet.md: "No link up for the peer → every message fails with EHOSTDOWN and
    // upper.peerDown(peer, EHOSTDOWN); send() then answers EHOSTDOWN at once until the peer is heard again".
    const { net, a } = pair(1);
    const beta = a.peers.get('beta')!;
    const done: number[] = [];
    a.t.send(beta, LB, KIF, bytes(10), (e) => done.push(e));
    // The TCS_INIT is on the wire; then the interface stops being usable (not RUNNING) before TCS_UP is taken.
    a.links[0]!.up = false;
    net.runUntil(10 * MS);
    expect(a.downs).toEqual([{ at: 2 * net.latencyNs, peer: 'beta', errno: Errno.EHOSTDOWN }]);
    expect(done).toEqual([Errno.EHOSTDOWN]);
    expect(a.stats.qos.tx_failed).toBe(1);
    expect(net.data('alpha', KIF)).toEqual([]);
    expect(a.t.send(beta, LB, KIF, bytes(1))).toBe(Errno.EHOSTDOWN);
  });

  it('an exclusive message whose interface went down mid-message fails alone, and a late ACK of its frame is taken', () => {
    // S10: exclusive uses only its link, "even when it fails": the message fails (EHOSTDOWN) but the peer is
    // not given up. Two frames of the three are out (max_tx_bufs 2) when en0 stops being usable; their ACKs
    // were already on the way.
    const { net, a, b } = pair(1, { mtuEn: 128, maxTxBufs: 2 });
    const beta = a.peers.get('beta')!;
    a.t.send(beta, LB, KIF, bytes(1));
    net.runUntil(10 * MS);
    const done: number[] = [];
    // 200 bytes at 90 per frame (mtu_en 128 − 38): 3 frames; seq 1 and 2 go at once, seq 3 waits for room.
    expect(a.t.send(beta, { type: 'exclusive', ifname: 'en0' }, KIF, bytes(200, 9), (e) => done.push(e))).toBe(0);
    a.links[0]!.up = false;
    expect(() => net.runUntil(1000 * MS)).not.toThrow();
    // The ACK of seq 1 makes room; seq 3 has no link: the message fails, its frame seq 2 becomes a hole filler
    // that has no link to go on. The ACK of seq 2's first transmission then simply retires it.
    expect(done).toEqual([Errno.EHOSTDOWN]);
    expect(a.stats.qos.tx_failed).toBe(1);
    expect(a.stats.l4.rx_acks).toBe(3);
    expect(a.downs).toEqual([]);
    expect(a.t.describe()[0]).toMatch(/, tx exclusive:en0 seq 3 unacked 0 queued 0; en0 up \(interface down\)$/);
    expect(b.delivered.map((d) => d.payload)).toEqual([bytes(1)]);
  });

  it("a link whose peer MAC went away is declared down at the first timeout, 'no MAC'; an unusable one 'interface down'", () => {
    // S1 tx_retries bounds the retransmissions on a link that still can carry them; with no MAC for the peer
    // there (the node table gave it to another node) or the interface down, nothing can go there, so the
    // link is given up at its first timeout and the frame moves to en1 (S10 failover).
    for (const why of ['no MAC', 'interface down'] as const) {
      const { net, a, b } = pair(2);
      const beta = a.peers.get('beta')!;
      a.t.send(beta, LB, KIF, bytes(1));
      net.runUntil(10 * MS);
      net.cut.add(0);
      a.t.send(beta, LB, KIF, bytes(8, 2));
      if (why === 'no MAC') beta.macs[0] = null;
      else a.links[0]!.up = false;
      net.runUntil(1000 * MS);
      // Sent at 10 ms on en0 (lost); first timeout at the first tick ≥ 210 ms: 400 ms.
      expect(a.logs).toEqual([`${400 * MS} qnet: link en0 to beta down ${why}`]);
      expect(a.traces.filter((t) => t.probe === 'link-down').map((t) => t.f)).toEqual([{ peer: 'beta', link: 'en0', why }]);
      expect(b.delivered.map((d) => [d.at, d.payload])).toEqual([[3 * net.latencyNs, bytes(1)], [400 * MS + net.latencyNs, bytes(8, 2)]]);
      expect(a.stats.qos.failovers).toBe(1);
    }
  });
});

describe('QnetTransport: a peer given up', () => {
  it('/proc/qnetstats shows no frames left unacknowledged or queued once every message failed', () => {
    // docs/qnet.md: no link up → "every message fails with EHOSTDOWN"; a failed message is no longer the
    // transport's, so the down session's streams hold nothing (describe() is the peer's /proc/qnetstats line).
    const { net, a } = pair(2);
    const beta = a.peers.get('beta')!;
    a.t.send(beta, LB, KIF, bytes(1));
    net.runUntil(10 * MS);
    net.cut.add(0).add(1);
    const done: number[] = [];
    a.t.send(beta, LB, KIF, bytes(2), (e) => done.push(e));
    a.t.send(beta, LB, KIF, bytes(3), (e) => done.push(e));
    net.runUntil(2500 * MS);
    expect(done).toEqual([Errno.EHOSTDOWN, Errno.EHOSTDOWN]);
    expect(a.t.describe()).toHaveLength(1);
    expect(a.t.describe()[0]).toMatch(/ DOWN: session down .*, tx loadbalance seq 4 unacked 0 queued 0; en0 down, en1 down$/);
  });
});

describe('QnetTransport: stray input', () => {
  it('an NR ping reply for no session of ours is counted (pkts_rxd_noL4) and dropped', () => {
    // docs/qnet.md "Hostile input": frames for no session count qos pkts_rxd_noL4; nothing throws.
    const { net, a, b } = pair(1);
    a.t.send(a.peers.get('beta')!, LB, KIF, bytes(1));
    net.runUntil(10 * MS);
    const reply = new Uint8Array(1);
    reply[0] = QnetNrType.PingReply;
    const l4: QnetL4Repr = {
      bigEndian: false, type: QnetL4Type.Data, flags: QnetL4Flag.FIRST | QnetL4Flag.LAST, layer: QnetLayer.NR, srcNdForDst: 0,
      dstNdForSrc: 0, sconn: 0x77, dconn: 0x4321, seq: 0, qosType: 0, srcQosIdx: 0, offset: 0, payload: reply,
    };
    const before = b.stats.qos.pkts_rxd_noL4;
    expect(() => b.t.input(b.links[0]!, a.links[0]!.mac, l4)).not.toThrow();
    expect(b.stats.qos.pkts_rxd_noL4 - before).toBe(1);
    expect(net.frames.filter((f) => f.from === 'beta' && f.at >= 10 * MS)).toEqual([]);
  });

  it('a FIRST fragment whose offset is not 0 starts no message: discarded, and the next whole message is delivered', () => {
    // reasm.ts (S2 "guaranteed, non-duplicate delivery"): a message runs from a FIRST frame at offset 0 to a
    // LAST frame, each offset the bytes gathered so far; anything else is discarded, never half delivered.
    const rx = new QnetRxStream(64);
    const bad = rx.accept({ seq: 1, flags: QnetL4Flag.FIRST, layer: KIF, offset: 5, payload: bytes(4), link: 0 });
    expect(bad).toEqual({ verdict: 'new', outOfOrder: false, messages: [], discarded: 1 });
    // Its follow-on piece is a stray (no message being gathered): dropped without counting again.
    const stray = rx.accept({ seq: 2, flags: QnetL4Flag.LAST, layer: KIF, offset: 9, payload: bytes(4), link: 0 });
    expect(stray).toEqual({ verdict: 'new', outOfOrder: false, messages: [], discarded: 0 });
    const good = rx.accept({ seq: 3, flags: QnetL4Flag.FIRST | QnetL4Flag.LAST, layer: KIF, offset: 0, payload: bytes(6, 2), link: 1 });
    expect(good.messages).toEqual([{ layer: KIF, payload: bytes(6, 2), frames: 1, link: 1 }]);
    expect(rx.next).toBe(4);
  });
});
