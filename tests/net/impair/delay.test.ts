import { distTable } from '../../../emulator/machine/net/impair/netem-tables';
import type { JitterDistribution } from '../../../emulator/machine/net/impair/config';
import { delays, frames, hubBench, impair, mean, moment, Z } from './fixture';

const N = 20_000;
const D = 5_000_000; // 5 ms

/** Run N broadcast frames from a through the hub, b impaired with `cfg`; b's delays against c's arrivals. */
function measure(over: Parameters<typeof impair>[0], seed = 1): number[] {
  const { r, a, b, c, imp } = hubBench(seed);
  imp.set('b', impair(over));
  a.send(...frames(N));
  r.sim.queue.runUntilIdle();
  expect(c.received.length).toBe(N);
  expect(b.received.length).toBe(N);
  return delays(b, c);
}

/** Sample mean and population variance against the model's within Z standard errors (formulas in the bodies). */
function expectMoments(xs: number[], m: number, v: number, mu4: number): void {
  const n = xs.length;
  // The sample mean has standard error σ/√n.
  expect(Math.abs(mean(xs) - m)).toBeLessThan(Z * Math.sqrt(v / n));
  // The sample variance has standard error √((μ4 − σ⁴)/n).
  expect(Math.abs(moment(xs, 2) - v)).toBeLessThan(Z * Math.sqrt((mu4 - v * v) / n));
}

describe('delay and jitter (netem delay … distribution …)', () => {
  test('a constant delay holds every frame exactly that long, traced as hold {ns}', () => {
    const { r, a, b, c, imp } = hubBench();
    imp.set('b', impair({ delayNs: 3_000_000 }));
    a.send(...frames(50));
    r.sim.queue.runUntilIdle();
    expect(new Set(delays(b, c))).toEqual(new Set([3_000_000]));
    const holds = r.find('impair', 'hold');
    expect(holds.length).toBe(50);
    expect(holds[0]!.f).toEqual({ link: 'hub0', port: 'b', ns: 3_000_000 });
    expect(holds[0]!.node).toBe('');
    // The late delivery is an ordinary one on the wire: a deliver record at b for each frame, at its time.
    const deliverB = r.find('wire', 'deliver').filter((x) => x.f!.to === 'b');
    expect(deliverB.map((x) => x.t)).toEqual(b.received.map((x) => x.t));
  });

  test('uniform: delays uniform on [D − J, D + J), mean D − ½, variance ((2J)² − 1)/12', () => {
    const J = 2 ** 20; // 2J divides 2³²: the 2J values are exactly equally likely
    const xs = measure({ delayNs: D, jitterNs: J, distribution: 'uniform' });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(D - J);
    expect(Math.max(...xs)).toBeLessThan(D + J);
    const n = 2 * J; // a discrete uniform over n values: variance (n² − 1)/12, fourth central moment (n² − 1)(3n² − 7)/240
    expectMoments(xs, D - 0.5, (n * n - 1) / 12, ((n * n - 1) * (3 * n * n - 7)) / 240);
  });

  // With J a multiple of 8192 the kernel's arithmetic is exact: delay = D + (J/8192)·entry, the entry picked
  // uniformly among the table's 4096. Mean, variance and fourth moment follow from the table's own entries.
  const K = 122;
  const J = 8192 * K;
  for (const dist of ['normal', 'pareto', 'paretonormal'] as JitterDistribution[]) {
    test(`${dist}: mean and σ of the delay are those of D + J·entry/8192 over the iproute2 table`, () => {
      const t = Array.from(distTable(dist)!, (e) => D + K * e);
      const xs = measure({ delayNs: D, jitterNs: J, distribution: dist });
      expectMoments(xs, mean(t), moment(t, 2), moment(t, 4));
      if (dist === 'normal') {
        // normal: σ = jitter (the table is a standard normal to 0.1 %, tables.test.ts).
        expect(Math.abs(Math.sqrt(moment(xs, 2)) / J - 1)).toBeLessThan(0.02);
      }
    });
  }

  test('correlation ρ: successive jitter draws have lag-1 autocorrelation ρ and σ shrunk by √((1 − ρ)/(1 + ρ))', () => {
    const rho = 0.75;
    const Jc = 2 ** 20;
    // In frame order (pktId), not arrival order: the draws are made as frames arrive.
    const { r, a, b, c, imp } = hubBench(3);
    imp.set('b', impair({ delayNs: D, jitterNs: Jc, distribution: 'uniform', correlation: rho }));
    a.send(...frames(N));
    r.sim.queue.runUntilIdle();
    const byPkt = new Map(b.received.map((x) => [x.frame.pktId, x.t]));
    const xs = c.received.map((x) => byPkt.get(x.frame.pktId)! - x.t);
    const m = mean(xs);
    const v = moment(xs, 2);
    let cov = 0;
    for (let i = 1; i < xs.length; i++) cov += (xs[i]! - m) * (xs[i - 1]! - m);
    const r1 = cov / (xs.length - 1) / v;
    // u_n = (1 − ρ)·v_n + ρ·u_{n−1} (get_crandom) is AR(1): lag-1 autocorrelation ρ, Bartlett's standard error √((1 − ρ²)/n).
    expect(Math.abs(r1 - rho)).toBeLessThan(Z * Math.sqrt((1 - rho * rho) / N));
    // Its variance is (1 − ρ)/(1 + ρ) of the draws' (uniform on 2J: (2J)²/12); the sample variance of an AR(1)
    // series has standard error about σ²·√(2(1 + ρ²)/((1 − ρ²)·n)).
    const want = (((1 - rho) / (1 + rho)) * (2 * Jc) ** 2) / 12;
    expect(Math.abs(v - want)).toBeLessThan(Z * want * Math.sqrt((2 * (1 + rho * rho)) / ((1 - rho * rho) * N)));
    // The mean stays D − J + J (the draws are still centred): standard error σ·√((1 + ρ)/((1 − ρ)·n)).
    expect(Math.abs(m - D)).toBeLessThan(Z * Math.sqrt((want * (1 + rho)) / ((1 - rho) * N)));
  });

  test('jitter larger than the delay: frames never leave before they came (negative draws are 0)', () => {
    const xs = measure({ delayNs: 100_000, jitterNs: 8192 * 100, distribution: 'normal' }, 5).slice(0, 4000);
    expect(Math.min(...xs)).toBe(0);
    expect(xs.filter((x) => x === 0).length).toBeGreaterThan(0);
  });
});
