/**
 * One LwL4 sequence stream per (peer, QoS) (stack/net/qnet/session.ts): a loadbalance and a preferred:en1
 * stream from alpha to beta on two separate hubs while hub 0 is cut. The loadbalance stream waits for the
 * failover (tx_retries ticks, as in l4-failover.test.ts); the preferred one, whose frames all go on en1, keeps
 * being delivered one wire latency after each send: a frame lost on en0 holds back only its own stream.
 */
import { QnetLayer, QnetQosType } from '../../stack/net/wire/qnet';
import type { QosSpec } from '../../stack/net/qnet/types';
import { L4Net, MS, bytes } from './l4-rig';

const T = 200 * MS;
const RETRIES = 10;
const LB: QosSpec = { type: 'loadbalance' };
const PREF1: QosSpec = { type: 'preferred', ifname: 'en1' };
/** Message payload: stream tag ('L' / 'P') and its number. */
const tagged = (tag: string, i: number): Uint8Array => Uint8Array.of(tag.charCodeAt(0), i >> 8, i & 0xff, 0);
const idOf = (p: Uint8Array): string => `${String.fromCharCode(p[0]!)}${(p[1]! << 8) | p[2]!}`;

describe('QnetTransport: one sequence stream per QoS', () => {
  it('cut hub0: preferred:en1 keeps its normal latency; loadbalance fails over after tx_retries ticks; nothing lost or doubled', () => {
    const net = new L4Net();
    const a = net.add('alpha');
    const b = net.add('beta');
    const beta = a.know(b, 2);
    b.know(a, 5);
    // Open the session first (TCS_INIT / TCS_UP at 0 ms), so every later send goes out at once.
    a.t.send(beta, LB, QnetLayer.KIF, bytes(1));
    const sentAt = new Map<string, number>();
    const done: string[] = [];
    const N = 150;
    for (let i = 0; i < N; i++) {
      net.schedule(1000 * MS + i * 20 * MS, () => {
        for (const [tag, qos] of [['L', LB], ['P', PREF1]] as const) {
          sentAt.set(`${tag}${i}`, net.now);
          const r = a.t.send(beta, qos, QnetLayer.KIF, tagged(tag, i), (e) => done.push(`${tag}${i} ${e}`));
          expect(r).toBe(0);
        }
      });
    }
    net.schedule(1510 * MS, () => net.cut.add(0));
    net.runUntil(8000 * MS);

    const got = b.delivered.slice(1);
    const of = (tag: string) => got.filter((d) => idOf(d.payload).startsWith(tag));
    // Nothing lost, nothing twice, each stream in its order.
    expect(of('L').map((d) => idOf(d.payload))).toEqual(Array.from({ length: N }, (_, i) => `L${i}`));
    expect(of('P').map((d) => idOf(d.payload))).toEqual(Array.from({ length: N }, (_, i) => `P${i}`));
    expect(done.filter((d) => !d.endsWith(' 0'))).toEqual([]);
    expect(done).toHaveLength(2 * N);

    // Preferred: every frame on en1 (hub 1), qos_type preferred, src_qos_idx 1 (alpha's en1), its own sequence
    // numbers 1…150; each message delivered one wire latency (0.1 ms) after it was sent, outage or not.
    const pFrames = net.data('alpha').filter((f) => f.l4.qosType === QnetQosType.Preferred);
    expect(new Set(pFrames.map((f) => `${f.hub} ${f.l4.srcQosIdx}`))).toEqual(new Set(['1 1']));
    expect(pFrames.map((f) => f.l4.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(of('P').map((d) => d.at - sentAt.get(idOf(d.payload))!)).toEqual(Array(N).fill(net.latencyNs));
    // Beta hands them up with alpha's policy on the interface they came in on: what its answers would use.
    expect(new Set(of('P').map((d) => JSON.stringify(d.qos)))).toEqual(new Set([JSON.stringify(PREF1)]));
    expect(new Set(of('L').map((d) => JSON.stringify(d.qos)))).toEqual(new Set([JSON.stringify(LB)]));

    // Loadbalance: as l4-failover.test.ts — message L26, sent at 1520 ms on en0, is lost; it first times out at
    // the 1800 ms tick (the first ≥ 1520 + 200 ms), is resent at 1800 … 3600 ms (timeouts 1 … 10), and the
    // 3800 ms tick (timeouts 11 > tx_retries) declares en0 down and moves it to en1.
    const lost = net.data('alpha').filter((f) => f.fate === 'cut' && f.l4.layer === QnetLayer.KIF);
    expect(lost.every((f) => f.l4.qosType === QnetQosType.LoadBalance)).toBe(true);
    const t0 = 1520 * MS;
    expect(lost[0]!.at).toBe(t0);
    const down = Math.ceil((t0 + T) / T) * T + RETRIES * T;
    expect(down).toBe(3800 * MS);
    expect(a.logs).toContain(`${down} qnet: link en0 to beta down after 10 retries`);
    expect(a.stats.qos.link_down).toBe(1);
    expect(a.stats.qos.failovers).toBe(1);
    // L26 is delivered when moved, one latency after the failover; the ones after it were held behind it.
    expect(of('L').find((d) => idOf(d.payload) === 'L26')!.at).toBe(down + net.latencyNs);
    const lbWait = Math.max(...of('L').map((d) => d.at - sentAt.get(idOf(d.payload))!));
    expect(lbWait).toBe(down + net.latencyNs - t0);
    expect(lbWait).toBeLessThanOrEqual((RETRIES + 2) * T);
    // Meanwhile the preferred messages of 1520 … 3800 ms went through: 114 of them, (3800 − 1520) / 20 = 114.
    expect(of('P').filter((d) => d.at > t0 && d.at < down).length).toBe((3800 - 1520) / 20);
    // Beta holds loadbalance frames behind the gap, in the loadbalance stream only.
    expect(b.stats.qos.rx_seq_order).toBeGreaterThan(0);
    expect(a.t.describe()[0]).toMatch(/tx loadbalance seq \d+ unacked 0 queued 0, tx preferred:en1 seq 151 unacked 0 queued 0; en0 down, en1 up$/);
    expect(b.t.describe()[0]).toMatch(/, rx 0 next \d+ held 0, rx 3:1 next 151 held 0;/);
  });

  it('streams of one peer share its link state: a link declared down is down for every stream', () => {
    const net = new L4Net();
    const a = net.add('alpha');
    const b = net.add('beta');
    const beta = a.know(b, 2);
    b.know(a, 5);
    a.t.send(beta, LB, QnetLayer.KIF, bytes(1));
    net.runUntil(10 * MS);
    net.cut.add(0);
    // A preferred:en0 message is lost on en0: first timeout at the 400 ms tick (the first ≥ 10 + 200 ms),
    // en0 down at 400 + 10 × 200 = 2400 ms, the message moved to en1.
    const done: string[] = [];
    a.t.send(beta, { type: 'preferred', ifname: 'en0' }, QnetLayer.KIF, bytes(2), (e) => done.push(`p0 ${e}`));
    net.runUntil(2500 * MS);
    expect(a.logs).toEqual([`${2400 * MS} qnet: link en0 to beta down after 10 retries`]);
    expect(done).toEqual(['p0 0']);
    // A loadbalance message now never tries en0 (no more link_down, no frame on hub 0), and neither does an
    // exclusive:en0 one: refused at once.
    const before = net.frames.length;
    a.t.send(beta, LB, QnetLayer.KIF, bytes(3), (e) => done.push(`lb ${e}`));
    net.runUntil(2600 * MS);
    expect(net.frames.slice(before).filter((f) => f.from === 'alpha' && f.l4.type === 8 && f.l4.layer === QnetLayer.KIF).map((f) => f.hub)).toEqual([1]);
    expect(done).toEqual(['p0 0', 'lb 0']);
    expect(a.t.send(beta, { type: 'exclusive', ifname: 'en0' }, QnetLayer.KIF, bytes(4))).toBeGreaterThan(0);
    expect(b.delivered.map((d) => d.payload)).toEqual([bytes(1), bytes(2), bytes(3)]);
  });
});
