/**
 * QnetTransport failover on two separate hubs (S10: "physically separate" networks): a stream of messages
 * every 20 ms while hub 0 is cut. Timings are worked out from the tunables (defaults: tick 200 ms,
 * tx_retries 10, tx_timeout 1 tick) in each test.
 */
import { Errno } from '../../stack/kernel/api';
import { QnetL4Type, QnetLayer, QnetQosType } from '../../stack/net/wire/qnet';
import type { QosSpec } from '../../stack/net/qnet/types';
import { L4Net, MS, bytes, type L4Node } from './l4-rig';

const T = 200 * MS;
const RETRIES = 10;

function pair(): { net: L4Net; a: L4Node; b: L4Node } {
  const net = new L4Net();
  const a = net.add('alpha');
  const b = net.add('beta');
  a.know(b, 2);
  b.know(a, 5);
  return { net, a, b };
}

/** Send message i (4 bytes: its number) every `every` ns from `from` until `until`. */
function stream(net: L4Net, a: L4Node, qos: QosSpec, from: number, every: number, count: number, done: number[]): void {
  for (let i = 0; i < count; i++) {
    net.schedule(from + i * every, () => {
      const r = a.t.send(a.peers.get('beta')!, qos, QnetLayer.KIF, Uint8Array.of(i >> 8, i & 0xff, 0, 0), (e) => done.push(e));
      if (r !== 0) done.push(-r);
    });
  }
}
const seqOf = (p: Uint8Array): number => (p[0]! << 8) | p[1]!;
/** First tick at which a frame sent at `t0` has been unacknowledged for tx_timeout (1 tick). */
const firstExpiry = (t0: number): number => Math.ceil((t0 + T) / T) * T;

describe('QnetTransport failover (loadbalance, two hubs)', () => {
  it('declares en0 down after tx_retries + 1 timed-out ticks and delivers every message once, in order, over en1', () => {
    const { net, a, b } = pair();
    const done: number[] = [];
    stream(net, a, { type: 'loadbalance' }, 1000 * MS, 20 * MS, 150, done);
    net.schedule(1510 * MS, () => net.cut.add(0));
    net.runUntil(8000 * MS);
    // Before the cut every message is acknowledged within 0.2 ms, so en0 (lowest index, nothing queued) carries
    // them all. The first one lost is message 26, sent at 1520 ms.
    const lost = net.data('alpha').filter((f) => f.fate === 'cut');
    const t0 = 1520 * MS;
    expect(lost[0]!.at).toBe(t0);
    // It times out at the first tick ≥ t0 + 200 ms = 1800 ms (timeout 1), is resent on en0 at 1800…3600 ms
    // (timeouts 1…10 = tx_retries), and the 11th timed-out tick, 3800 ms, declares en0 down.
    const down = firstExpiry(t0) + RETRIES * T;
    expect(down).toBe(3800 * MS);
    expect(lost.filter((f) => f.l4.seq === lost[0]!.l4.seq).map((f) => f.at / MS)).toEqual([1520, 1800, 2000, 2200, 2400, 2600, 2800, 3000, 3200, 3400, 3600]);
    expect(a.logs).toContain(`${down} qnet: link en0 to beta down after 10 retries`);
    expect(a.stats.qos.link_down).toBe(1);
    expect(a.stats.qos.failovers).toBe(1);
    // Meanwhile later messages went on en1 (en0 had bytes queued), acknowledged and held by beta past the gap;
    // the lost frame, moved to en1 at 3800 ms, fills it.
    const moved = net.data('alpha').find((f) => f.l4.seq === lost[0]!.l4.seq && f.hub === 1)!;
    expect(moved.at).toBe(down);
    expect(b.stats.qos.rx_seq_order).toBeGreaterThan(0);
    const got = b.delivered.map((d) => seqOf(d.payload));
    expect(got).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(done.filter((e) => e === 0)).toHaveLength(150);
    // The longest wait for a message: from its send to its delivery, bounded by (tx_retries + 2) × tick.
    expect(down + net.latencyNs - t0).toBeLessThanOrEqual((RETRIES + 2) * T);
    expect(b.delivered.find((d) => seqOf(d.payload) === 26)!.at).toBe(down + net.latencyNs);
    expect(a.downs).toEqual([]);
    expect(a.stats.qos.tx_failed).toBe(0);
  });

  it('pings the down link every tick and takes it back when answered; preferred traffic returns to it', () => {
    const { net, a, b } = pair();
    const done: number[] = [];
    stream(net, a, { type: 'preferred', ifname: 'en0' }, 1000 * MS, 20 * MS, 250, done);
    net.schedule(1510 * MS, () => net.cut.add(0));
    net.schedule(4500 * MS, () => net.cut.delete(0));
    net.runUntil(8000 * MS);
    // Preferred: while en0 is up (until 3800 ms) every new frame still goes on en0 and is lost; from 3800 ms
    // they all go on en1.
    const lostAt = net.data('alpha').filter((f) => f.fate === 'cut')[0]!.at;
    const down = firstExpiry(lostAt) + RETRIES * T;
    expect(down).toBe(3800 * MS);
    // Maintenance pings on en0 at every tick from 3800 ms (the tick that declared it down); the first answered is the 4600 ms one (cut until
    // 4500 ms): en0 is up at 4600.2 ms.
    const pings = net.frames.filter((f) => f.from === 'alpha' && f.hub === 0 && f.l4.layer === QnetLayer.NR);
    expect(pings.map((f) => [f.at / MS, f.fate])).toEqual([[3800, 'cut'], [4000, 'cut'], [4200, 'cut'], [4400, 'cut'], [4600, 'delivered']]);
    const up = 4600 * MS + 2 * net.latencyNs;
    expect(a.logs).toContain(`${up} qnet: link en0 to beta up`);
    expect(a.stats.qos.link_up).toBe(1);
    const hubsOf = (from: number, to: number): number[] => [...new Set(net.data('alpha').filter((f) => f.at > from && f.at < to).map((f) => f.hub))];
    expect(hubsOf(down + 1, up)).toEqual([1]);
    expect(hubsOf(up, 8000 * MS)).toEqual([0]);
    expect(b.delivered.map((d) => seqOf(d.payload))).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(done).toEqual(Array(250).fill(0));
  });
});

describe('QnetTransport: exclusive and node down', () => {
  it('exclusive:en0 fails with EHOSTDOWN when en0 goes down; a hole filler keeps the stream going', () => {
    const { net, a, b } = pair();
    const beta = a.peers.get('beta')!;
    a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, bytes(1));
    net.runUntil(10 * MS);
    net.cut.add(0);
    const done: string[] = [];
    a.t.send(beta, { type: 'exclusive', ifname: 'en0' }, QnetLayer.KIF, bytes(8, 1), (e) => done.push(`x ${e}`));
    a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, bytes(8, 2), (e) => done.push(`lb ${e}`));
    net.runUntil(3000 * MS);
    // The exclusive message is seq 1 of alpha's exclusive:en0 stream, lost on en0; the loadbalance one is seq 2
    // of the loadbalance stream, goes on en1 (en0 has bytes queued) and, in its own stream, is delivered at once.
    // en0 goes down at 10 ms + … : first expiry at the 400 ms tick, down at 400 + 10 × 200 = 2400 ms.
    expect(a.logs).toContain(`${2400 * MS} qnet: link en0 to beta down after 10 retries`);
    expect(done).toEqual(['lb 0', `x ${Errno.EHOSTDOWN}`]);
    expect(a.stats.qos.tx_failed).toBe(1);
    const x = net.data('alpha').filter((f) => f.l4.qosType === QnetQosType.Exclusive);
    expect(x.every((f) => f.hub === 0 && f.l4.srcQosIdx === 0 && f.l4.seq === 1)).toBe(true);
    // Its hole filler: seq 1 of the same stream (qos_type exclusive, src_qos_idx 0), sent on en1 when en0 went down.
    const filler = net.frames.find((f) => f.l4.layer === QnetLayer.SEQ)!;
    expect(filler.l4).toMatchObject({ type: QnetL4Type.Data, seq: 1, qosType: QnetQosType.Exclusive, srcQosIdx: 0, payload: new Uint8Array(0) });
    expect([filler.at, filler.hub]).toEqual([2400 * MS, 1]);
    // Beta never sees the exclusive message, and got the loadbalance one one wire latency after it was sent.
    expect(b.delivered.map((d) => [d.at, d.payload])).toEqual([[0.3 * MS, bytes(1)], [10 * MS + net.latencyNs, bytes(8, 2)]]);
    // While en0 is down, exclusive:en0 is refused at once; exclusive:en1 is fine.
    expect(a.t.send(beta, { type: 'exclusive', ifname: 'en0' }, QnetLayer.KIF, bytes(1))).toBe(Errno.EHOSTDOWN);
    expect(a.t.send(beta, { type: 'exclusive', ifname: 'en1' }, QnetLayer.KIF, bytes(1))).toBe(0);
    expect(a.t.send(beta, { type: 'exclusive', ifname: 'en7' }, QnetLayer.KIF, bytes(1))).toBe(Errno.EHOSTUNREACH);
    expect(a.stats.qos.tx_begin_errors).toBe(2);
  });

  it('all links down → peerDown(EHOSTDOWN); an answered maintenance ping → peerUp, and a new session', () => {
    const { net, a, b } = pair();
    const beta = a.peers.get('beta')!;
    a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, bytes(1));
    net.runUntil(10 * MS);
    net.cut.add(0).add(1);
    const done: number[] = [];
    a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, bytes(2), (e) => done.push(e));
    net.runUntil(20 * MS);
    a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, bytes(3), (e) => done.push(e));
    net.runUntil(5000 * MS);
    // Message 2 (seq 2) went on en0 at 10 ms; message 3 on en1 (en0 had bytes queued) at 20 ms. Both time
    // out first at 400 ms; both links go down at 400 + 10 × 200 = 2400 ms; en1, the second, leaves none up.
    expect(a.logs.filter((l) => l.includes('down'))).toEqual([
      `${2400 * MS} qnet: link en0 to beta down after 10 retries`, `${2400 * MS} qnet: link en1 to beta down after 10 retries`,
    ]);
    expect(a.downs).toEqual([{ at: 2400 * MS, peer: 'beta', errno: Errno.EHOSTDOWN }]);
    expect(done).toEqual([Errno.EHOSTDOWN, Errno.EHOSTDOWN]);
    expect(a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, bytes(4))).toBe(Errno.EHOSTDOWN);
    expect(a.t.describe()[0]).toMatch(/^beta\.qnet nd 2 \(its nd for us 5\) DOWN: session down .*; en0 down, en1 down$/);
    // Reconnect: the next tick's maintenance pings (5000 ms… the first after the repair at 5050 ms is 5200 ms).
    net.schedule(5050 * MS, () => net.cut.clear());
    net.runUntil(5300 * MS);
    expect(a.ups).toEqual([{ at: 5200 * MS + 2 * net.latencyNs, peer: 'beta' }]);
    expect(a.stats.qos.link_up).toBe(2);
    const inits = (): number => net.frames.filter((f) => f.l4.type === QnetL4Type.TcsInit).length;
    expect(inits()).toBe(1);
    expect(a.t.send(beta, { type: 'loadbalance' }, QnetLayer.KIF, bytes(5), (e) => done.push(e))).toBe(0);
    net.runUntil(5400 * MS);
    expect(inits()).toBe(2); // a new session: beta restarts its receive side from seq 1
    expect(b.delivered.map((d) => d.payload)).toEqual([bytes(1), bytes(5)]);
    expect(done).toEqual([Errno.EHOSTDOWN, Errno.EHOSTDOWN, 0]);
  });
});
