/**
 * Truncated binary exponential backoff at its cap (IEEE 802.3 clause 4.2.3.2.5; facts/ne2000.md §4): after
 * the n-th collision the MAC waits r slot times, r uniform in [0, 2^k) with k = min(n, backOffLimit = 10),
 * and gives the frame up after attemptLimit = 16 attempts (DP8390 TSR.ABT, NCR reads 0). A medium that
 * collides with every attempt drives one CsmaCdMac through all 16; the random stream is replaced by one that
 * always answers its largest value (n - 1), so each wait is exactly (2^k - 1) slots and the range the MAC
 * asked for is visible both in the `backoff` trace and in the virtual time of the next attempt.
 *
 * Kills (csma-mac.ts): BACKOFF_LIMIT 10 → 11 or 9; `Math.min(this.attempts, BACKOFF_LIMIT)` →
 * `Math.min(this.attempts + 1, ...)` or `Math.max(...)`; ATTEMPT_LIMIT 16 → 15 or 17;
 * `this.attempts >= ATTEMPT_LIMIT` → `>`.
 */
import { CsmaCdMac, type TxOutcome } from '../../emulator/machine/net/csma-mac';
import type { Frame, Medium, NetPort, NetPortListener } from '../../emulator/machine/net/link';
import { SimEvent } from '../../emulator/machine/sim';
import { ethFrame, mac, rig } from './helpers';

const SLOT_NS = 51_200; // 512 bit times at 10 Mb/s
const JAM_NS = 3_200; // 32 bit times
const HIT_NS = 2_000; // the other station's signal reaches us 2 µs into each attempt

/** A half-duplex 10 Mb/s segment on which every transmission collides (a station that always talks back). */
class JammedMedium implements Medium {
  readonly name = 'jammed';
  readonly starts: number[] = [];
  private listener: NetPortListener | null = null;
  constructor(private readonly r: ReturnType<typeof rig>) {}
  attach(listener: NetPortListener): NetPort {
    this.listener = listener;
    const q = this.r.sim.queue;
    const hit = new SimEvent('jammed.collision', () => this.listener!.collision());
    return {
      bitRate: 10_000_000,
      fullDuplex: false,
      carrier: () => false,
      linkUp: () => true,
      transmit: (_f: Frame) => {
        this.starts.push(q.now);
        q.scheduleIn(hit, HIT_NS + JAM_NS);
      },
    };
  }
  tap(): void {}
}

function run(seed = 5) {
  const r = rig(seed);
  const medium = new JammedMedium(r);
  const m = new CsmaCdMac(r.ctx('st0', 'st0'), () => undefined);
  m.connect(medium);
  const rng = r.sim.rngs.streams().get('st0.backoff')!;
  const asked: number[] = [];
  jest.spyOn(rng, 'below').mockImplementation((n: number) => {
    asked.push(n);
    return n - 1;
  });
  const outcomes: TxOutcome[] = [];
  m.transmit(ethFrame(mac(2), mac(1), 60, 1), (o) => outcomes.push(o));
  r.sim.queue.runUntilIdle(10_000);
  const slots = r.find('mac', 'backoff').map((t) => t.f!['slots']);
  return { r, medium, asked, outcomes, slots };
}

describe('CSMA/CD backoff cap and attempt limit', () => {
  test('the range doubles up to 2^10 and stays there; 16 attempts, then the frame is given up', () => {
    const { medium, asked, outcomes, slots } = run();
    const bound = (n: number): number => 2 ** Math.min(n, 10);
    expect(asked).toEqual(Array.from({ length: 15 }, (_, i) => bound(i + 1)));
    expect(medium.starts).toHaveLength(16);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ ok: false, aborted: true, collisions: 16 });
    // The boundary attempts the issue names: 9, 10, 11, 15 back off; 16 does not.
    const at = (n: number): number | undefined => slots[n - 1] as number | undefined;
    expect([at(9), at(10), at(11), at(15), at(16)]).toEqual([511, 1023, 1023, 1023, undefined]);
  });

  test('each retry starts (2^min(n,10) - 1) slot times after the n-th collision', () => {
    const { medium } = run();
    const gaps = medium.starts.slice(1).map((t, i) => t - (medium.starts[i]! + HIT_NS + JAM_NS));
    const want = (n: number): number => (2 ** Math.min(n, 10) - 1) * SLOT_NS;
    expect(gaps).toEqual(Array.from({ length: 15 }, (_, i) => want(i + 1)));
    expect([gaps[8], gaps[9], gaps[10], gaps[14]]).toEqual([511 * SLOT_NS, 1023 * SLOT_NS, 1023 * SLOT_NS, 1023 * SLOT_NS]);
  });

  test('with the real seeded stream every draw lies in [0, 2^min(n,10)), and the same seed repeats it', () => {
    const draws = (seed: number): number[] => {
      const r = rig(seed);
      const medium = new JammedMedium(r);
      const m = new CsmaCdMac(r.ctx('st0', 'st0'), () => undefined);
      m.connect(medium);
      let done: TxOutcome | null = null;
      m.transmit(ethFrame(mac(2), mac(1), 60, 1), (o) => (done = o));
      r.sim.queue.runUntilIdle(10_000);
      expect(done).toMatchObject({ aborted: true, collisions: 16 });
      return r.find('mac', 'backoff').map((t) => t.f!['slots'] as number);
    };
    for (const seed of [1, 2, 3]) {
      const d = draws(seed);
      expect(d).toHaveLength(15);
      d.forEach((s, i) => {
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThan(2 ** Math.min(i + 1, 10));
      });
      expect(draws(seed)).toEqual(d);
    }
  });
});
