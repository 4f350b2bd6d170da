import type { LossModel } from '../../../emulator/machine/net/impair/config';
import { cableBench, frames, impair, Z } from './fixture';

const N = 20_000;

/** N frames a → b over a full-duplex cable, b's deliveries lossy: which pktIds were lost, in order. */
function lost(loss: LossModel, seed = 1): { ids: number[]; r: ReturnType<typeof cableBench>['r']; report: string[] } {
  const { r, a, b, imp } = cableBench(seed);
  imp.set('b', impair({ loss }));
  a.send(...frames(N));
  r.sim.queue.runUntilIdle();
  const got = new Set(b.received.map((x) => x.frame.pktId));
  const ids: number[] = [];
  for (let k = 1; k <= N; k++) if (!got.has(k)) ids.push(k);
  return { ids, r, report: imp.report() };
}

/** Lengths of the runs of consecutive lost pktIds. */
function bursts(ids: number[]): number[] {
  const out: number[] = [];
  let run = 0;
  ids.forEach((id, i) => {
    run = i > 0 && ids[i - 1] === id - 1 ? run + 1 : 1;
    if (i === ids.length - 1 || ids[i + 1] !== id + 1) out.push(run);
  });
  return out;
}

describe('loss (netem loss random / loss gemodel)', () => {
  test('Bernoulli: the loss count is within the binomial bound, each loss traced with its model', () => {
    const p = 0.1;
    const { ids, r } = lost({ model: 'random', probability: p });
    // Binomial(N, p): mean Np, standard deviation √(Np(1 − p)).
    expect(Math.abs(ids.length - N * p)).toBeLessThan(Z * Math.sqrt(N * p * (1 - p)));
    const recs = r.find('impair', 'loss');
    expect(recs.map((x) => x.pkt)).toEqual(ids);
    expect(recs[0]!.f).toEqual({ link: 'wire0', port: 'b', model: 'random' });
    // A lost frame is never delivered: no wire deliver record for it.
    const delivered = new Set(r.find('wire', 'deliver').map((x) => x.pkt));
    expect(ids.some((k) => delivered.has(k))).toBe(false);
  });

  test('Gilbert (lossBad 1, lossGood 0): rate p/(p + r), mean burst 1/r', () => {
    const p = 0.02;
    const rr = 0.25;
    const { ids, report } = lost({ model: 'gilbert-elliott', p, r: rr, lossBad: 1, lossGood: 0 });
    const piB = p / (p + rr);
    // A frame is lost iff the chain is in Bad. The time the two-state chain spends in Bad over N steps has
    // asymptotic variance N·πB·πG·(1 + λ)/(1 − λ), λ = 1 − p − r its second eigenvalue.
    const lambda = 1 - p - rr;
    const sd = Math.sqrt((N * piB * (1 - piB) * (1 + lambda)) / (1 - lambda));
    expect(Math.abs(ids.length - N * piB)).toBeLessThan(Z * sd);
    // A stay in Bad lasts a geometric number of frames: mean 1/r, variance (1 − r)/r²; the mean over the bursts
    // seen has standard error √((1 − r)/r² / bursts).
    const b = bursts(ids);
    const meanBurst = b.reduce((s, x) => s + x, 0) / b.length;
    expect(Math.abs(meanBurst - 1 / rr)).toBeLessThan(Z * Math.sqrt((1 - rr) / (rr * rr) / b.length));
    expect(report).toEqual([`wire0→b: ${N} frames, ${ids.length} lost (gilbert-elliott), mean delay 0 ns`]);
  });

  test('Gilbert-Elliott (lossBad 1-h = 0.8, lossGood 1-k = 0.01): rate πB·0.8 + πG·0.01', () => {
    const p = 0.05;
    const rr = 0.3;
    const lb = 0.8;
    const lg = 0.01;
    const { ids } = lost({ model: 'gilbert-elliott', p, r: rr, lossBad: lb, lossGood: lg }, 2);
    const piB = p / (p + rr);
    const piG = 1 - piB;
    const lambda = 1 - p - rr;
    // Given the states, losses are independent Bernoulli draws: variance N·(πB·lb(1 − lb) + πG·lg(1 − lg)),
    // plus the states' own: (lb − lg)²·N·πB·πG·(1 + λ)/(1 − λ).
    const variance = N * (piB * lb * (1 - lb) + piG * lg * (1 - lg)) + ((lb - lg) ** 2 * N * piB * piG * (1 + lambda)) / (1 - lambda);
    expect(Math.abs(ids.length - N * (piB * lb + piG * lg))).toBeLessThan(Z * Math.sqrt(variance));
  });

  test('loss 0 and loss 1', () => {
    expect(lost({ model: 'random', probability: 0 }).ids.length).toBe(0);
    const all = lost({ model: 'random', probability: 1 });
    expect(all.ids.length).toBe(N);
  });
});
