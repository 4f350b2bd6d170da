import { packetTimeNs } from '../../../emulator/machine/net/impair/port-impairment';
import { frames, impair, switchBench } from './fixture';

const LEN = 100;
const OVERHEAD = 24;
const RATE = 8_000_000; // bit/s
/** (len + overhead)·8/rate: 124 bytes at 8 Mb/s = 124 µs. */
const PKT = ((LEN + OVERHEAD) * 8 * 1e9) / RATE;

describe('rate (netem rate … packetoverhead …) and limit', () => {
  test('the packet time is (len + overhead)·8/rate in whole ns', () => {
    expect(PKT).toBe(124_000);
    expect(packetTimeNs(LEN, { rateBps: RATE, overheadBytes: OVERHEAD })).toBe(PKT);
    expect(packetTimeNs(60, { rateBps: 3_000_000, overheadBytes: 0 })).toBe(Math.floor((60 * 8e9) / 3e6));
  });

  test('a burst arriving faster than the rate leaves exactly one packet time apart', () => {
    const { r, a, b, c, imp } = switchBench();
    imp.set('b', impair({ rateBps: RATE, overheadBytes: OVERHEAD }));
    a.send(...frames(200, LEN));
    r.sim.queue.runUntilIdle();
    // c (no impairment) sees each frame when b's impairment receives it: the DP8390-like station sends at
    // 10 Mb/s, one frame every 99.2 µs, faster than the 124 µs each takes at the rate.
    expect(b.received.length).toBe(200);
    const t0 = c.received[0]!.t;
    expect(b.received.map((x) => x.t)).toEqual(b.received.map((_, k) => t0 + (k + 1) * PKT));
    expect(b.received.map((x) => x.frame.pktId)).toEqual(c.received.map((x) => x.frame.pktId));
  });

  test('frames spaced wider than the packet time each take just their packet time', () => {
    const { r, a, b, c, imp } = switchBench();
    imp.set('b', impair({ rateBps: RATE, overheadBytes: OVERHEAD }));
    const fs = frames(20, LEN);
    fs.forEach((f, k) => a.sendAt(k * 1_000_000, f));
    r.sim.queue.runUntilIdle();
    const cAt = new Map(c.received.map((x) => [x.frame.pktId, x.t]));
    expect(b.received.map((x) => x.t - cAt.get(x.frame.pktId)!)).toEqual(fs.map(() => PKT));
  });

  test('delay and rate: the first frame waits delay + packet time, the rest queue behind it', () => {
    const { r, a, b, c, imp } = switchBench();
    const DELAY = 1_000_000;
    imp.set('b', impair({ delayNs: DELAY, rateBps: RATE, overheadBytes: OVERHEAD }));
    a.send(...frames(50, LEN));
    r.sim.queue.runUntilIdle();
    const t0 = c.received[0]!.t;
    // netem: send time = max(arrival + delay, the last held frame's send time) + packet time.
    expect(b.received.map((x) => x.t)).toEqual(b.received.map((_, k) => t0 + DELAY + (k + 1) * PKT));
  });

  test('limit: frames arriving to a full queue are dropped and traced queue-full {queued}', () => {
    const { r, a, b, c, imp } = switchBench();
    const SLOW = 80_000; // 124 bytes take 12.4 ms: the whole burst (30 × 99.2 µs) arrives before the first leaves
    const pkt = ((LEN + OVERHEAD) * 8 * 1e9) / SLOW;
    imp.set('b', impair({ rateBps: SLOW, overheadBytes: OVERHEAD, limit: 10 }));
    a.send(...frames(30, LEN));
    r.sim.queue.runUntilIdle();
    expect(c.received[29]!.t).toBeLessThan(c.received[0]!.t + pkt);
    // Frames 1–10 fill the queue, 11–30 are dropped.
    expect(b.received.map((x) => x.frame.pktId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const drops = r.find('impair', 'queue-full');
    expect(drops.map((x) => x.pkt)).toEqual(Array.from({ length: 20 }, (_, k) => k + 11));
    expect(drops[0]!.f).toEqual({ link: 'sw0', port: 'b', queued: 10 });
    // Frame k (from 1) leaves at t0 + k·pkt; its delay is that less its arrival (c's time).
    const t0 = c.received[0]!.t;
    const meanDelay = c.received.slice(0, 10).reduce((s, x, i) => s + t0 + (i + 1) * pkt - x.t, 0) / 10;
    expect(imp.report()).toEqual([`sw0→b: 30 frames, 20 dropped (queue full), mean delay ${(meanDelay / 1e6).toFixed(1)} ms`]);
  });
});
