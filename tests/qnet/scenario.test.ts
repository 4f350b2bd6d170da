/**
 * The two Qnet examples (docs/examples/qnet.yaml, qnet-qos.yaml) meet their expectations, and what the
 * expectations only bound is checked here against figures computed from the models: the failover time from
 * Qnet's tunables (stack/net/qnet/defaults.ts), the idle round trip from wire times and cost tables.
 */
import { QNET_DEFAULTS } from '../../stack/net/qnet/defaults';
import { sharedRun } from '../helpers/shared-run';
import { msgpingReplies, runExample } from './scenario-run';

const MS = 1e6;
const US = 1e3;

describe('docs/examples/qnet.yaml', () => {
  const run = sharedRun(() => runExample('qnet.yaml'));
  const alpha = () => run().r.consoles.get('alpha') ?? '';

  test('every expectation holds', () => {
    const x = run();
    expect(x.r.failures).toEqual([]);
  });

  test('/net, a remote directory and a remote file, read from alpha', () => {
    expect(alpha()).toMatch(/^alpha\s+beta\s+gamma$/m);
    expect(alpha()).toMatch(/\becho\b/);
    expect(alpha()).toContain('127.0.0.1 localhost\n10.0.0.2 beta\n');
  });

  test('20 round trips, in order, within the bound; the wire and PCI terms of the derivation are the run\'s', () => {
    const x = run();
    const replies = msgpingReplies(x.lines('alpha'), '/net/beta/dev/echo');
    expect(replies.map((r) => r.seq)).toEqual([...Array(20).keys()]);
    // The example's terms (10 Mb/s: 0.8 µs a byte with preamble and FCS).
    const wire = (bytes: number) => (8 + Math.max(60, bytes) + 4) * 800;
    const msgSend = 14 + 2 + 36 + 48 + 8 + 64;
    const ack = 14 + 38;
    const msgReply = 14 + 2 + 36 + 20 + 64;
    expect([msgSend, msgReply, wire(msgSend), wire(ack), wire(msgReply)]).toEqual([172, 136, 147_200, 57_600, 118_400]);
    const pci = 23_220 + 26_400 + 21_000;
    expect(86 * 270 + 88 * 300 + 70 * 300).toBe(pci);
    const fixed = wire(msgSend) + 500 + wire(ack) + wire(msgReply) + 500 + pci;
    expect(fixed).toBe(394_820);
    // Each frame's time on the wire in the trace (nic tx-start → tx-done, by length) is the computed one.
    const nic = x.recs.filter((r) => r.layer === 'nic' && (r.probe === 'tx-start' || r.probe === 'tx-done'));
    const onWire = new Map<number, Set<number>>();
    for (const st of nic.filter((r) => r.probe === 'tx-start' && r.t > 3.5e9)) {
      const done = nic.find((r) => r.probe === 'tx-done' && r.node === st.node && r.t >= st.t)!;
      const len = Number(st.f?.['len']);
      onWire.set(len, (onWire.get(len) ?? new Set()).add(done.t - st.t));
    }
    expect(onWire.get(172)).toEqual(new Set([wire(msgSend)]));
    // Acks may also wait for the hub to fall silent (carrier sense: a station defers to a frame on the wire),
    // which the NIC counts from its tx-start; undisturbed, they take the computed time.
    expect(Math.min(...onWire.get(60)!)).toBe(wire(ack));
    expect(onWire.get(136)).toEqual(new Set([wire(msgReply)]));
    // Every round trip holds the fixed part and stays under the example's 600 µs bound.
    for (const r of replies) {
      expect(r.rttNs).toBeGreaterThan(fixed);
      expect(r.rttNs).toBeLessThanOrEqual(600_000);
    }
  });
});

describe('docs/examples/qnet-qos.yaml', () => {
  const run = sharedRun(() => runExample('qnet-qos.yaml'));
  const tick = QNET_DEFAULTS.tickNs;
  /**
   * The longest a frame lost on en0 waits: up to 2 ticks to its first retransmission (it must have waited a
   * whole tick, and ticks come every tick), tx_retries - 1 more retransmissions a tick apart, and the tick after
   * the last one declares en0 down and moves it: (tx_retries + 1) ticks + 1 tick.
   */
  const failoverBound = (QNET_DEFAULTS.txRetries + 1) * tick + tick;
  /**
   * …plus the answer: beta, which sent nothing on en0 during the outage, answers on en0 and retransmits on the
   * first tick at which the answer has waited a whole tick (at most 2 ticks), when hub0 is back; plus the
   * round trip of the moved message (qnet.yaml: under 600 µs). The scenario's 2801 ms.
   */
  const rttBound = failoverBound + 2 * tick + 1 * MS;
  const interval = 20 * MS;
  const downAt = 1.5e9;
  const upAt = 4e9;

  test('every expectation holds', () => {
    const x = run();
    expect(x.r.failures).toEqual([]);
  });

  test('the failover bound is (10 + 1) x 200 ms + 200 ms = 2.4 s, shorter than the 2.5 s outage; a round trip 2.801 s', () => {
    const x = run();
    expect(failoverBound).toBe(2_400 * MS);
    expect(failoverBound).toBeLessThan(upAt - downAt);
    expect(rttBound).toBe(2_801 * MS);
    expect(x.r.scenario.expect!.flatMap((e) => (e.kind === 'latency' ? [e.max] : []))).toEqual([rttBound, prefBound]);
  });

  test('loadbalance: every message answered once, in order; the longest gap between replies within the bound', () => {
    const x = run();
    const replies = msgpingReplies(x.lines('alpha'), '/net/beta/dev/echo');
    expect(replies.map((r) => r.seq)).toEqual([...Array(100).keys()]);
    // Between two replies: at most one interval of waiting for the next message to be due, then its round trip.
    const gaps = replies.slice(1).map((r, i) => r.t - replies[i]!.t);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(interval + rttBound);
    // The failover was exercised: one message waited for it, far longer than a quiet round trip.
    const slowest = Math.max(...replies.map((r) => r.rttNs));
    expect(slowest).toBeGreaterThan(QNET_DEFAULTS.txRetries * tick);
    expect(slowest).toBeLessThanOrEqual(rttBound);
  });

  test('en0 is declared down for beta after hub0 fails and before the bound, and back after hub0 returns', () => {
    const x = run();
    const q = x.recs.filter((r) => r.node === 'alpha' && r.layer === 'qnet');
    const down = q.find((r) => r.probe === 'link-down' && r.f?.['link'] === 'en0');
    const up = q.find((r) => r.probe === 'link-up' && r.f?.['link'] === 'en0' && r.t > (down?.t ?? Infinity));
    expect(down).toBeDefined();
    expect(down!.t).toBeGreaterThan(downAt);
    // The lost message left within one interval of the outage's start (msgping sends every 20 ms).
    expect(down!.t).toBeLessThanOrEqual(downAt + interval + failoverBound);
    expect(up).toBeDefined();
    expect(up!.t).toBeGreaterThan(upAt);
    // Maintenance packets go out every tick while en0 is down: one of the first two after hub0 returns is answered.
    expect(up!.t).toBeLessThanOrEqual(upAt + 2 * tick);
  });

  /**
   * preferred:en1 has its own sequence stream both ways (beta's requests, alpha's answers on the interface they
   * came in on), so it never waits for hub0: qnet.yaml's round trip (the same frames on 10 Mb/s: 394.82 µs on
   * the wire and in PCI copies + ≈160 µs of software) plus ≈160 µs for alpha's exchange, served by the same CPUs
   * while both msgpings fire at the same instants: 714.82 µs, under the scenario's 800 µs.
   */
  const prefBound = 800 * US;

  test('preferred:en1: every message answered once, in order, each in a normal round trip during the outage too', () => {
    const x = run();
    const replies = msgpingReplies(x.lines('beta'), '/net/alpha~preferred:en1/dev/echo');
    expect(replies.map((r) => r.seq)).toEqual([...Array(100).keys()]);
    expect(394_820 + 160 * US + 160 * US).toBeLessThan(prefBound);
    expect(Math.max(...replies.map((r) => r.rttNs))).toBeLessThanOrEqual(prefBound);
    // Messages sent during the outage (1.5 … 4 s) were answered too, none waiting for a tick.
    const during = replies.filter((r) => r.t - r.rttNs > downAt && r.t < upAt);
    expect(during.length).toBeGreaterThan(50);
    expect(Math.max(...during.map((r) => r.rttNs))).toBeLessThan(tick);
  });
});
