import { arrivals, cableBench, frames, hubBench, impair, Z } from './fixture';

const N = 20_000;

describe('duplicate, reorder, corrupt (netem duplicate / reorder … gap / corrupt)', () => {
  test('duplicate: the number duplicated is binomial; each such frame arrives twice, traced once', () => {
    const p = 0.05;
    const { r, a, b, imp } = cableBench();
    imp.set('b', impair({ duplicate: p }));
    a.send(...frames(N));
    r.sim.queue.runUntilIdle();
    const at = arrivals(b);
    const twice = [...at].filter(([, ts]) => ts.length === 2).map(([id]) => id);
    expect([...at.values()].every((ts) => ts.length <= 2)).toBe(true);
    expect(at.size).toBe(N);
    expect(b.received.length).toBe(N + twice.length);
    // Binomial(N, p): within Z·√(Np(1 − p)) of Np.
    expect(Math.abs(twice.length - N * p)).toBeLessThan(Z * Math.sqrt(N * p * (1 - p)));
    expect(r.find('impair', 'duplicate').map((x) => x.pkt)).toEqual(twice.sort((x, y) => x - y));
    // Both copies are ordinary deliveries on the wire.
    expect(r.find('wire', 'deliver').filter((x) => x.f!.to === 'b').length).toBe(b.received.length);
  });

  test('a frame both duplicated and lost goes once (netem counts copies: 1 + 1 − 1)', () => {
    const { r, a, b, imp } = cableBench();
    imp.set('b', impair({ duplicate: 1, loss: { model: 'random', probability: 1 } }));
    a.send(...frames(100));
    r.sim.queue.runUntilIdle();
    expect(b.received.map((x) => x.frame.pktId)).toEqual(Array.from({ length: 100 }, (_, k) => k + 1));
    expect(r.find('impair', 'loss').length + r.find('impair', 'duplicate').length).toBe(0);
  });

  test('reorder p, gap 1: each frame goes at once with probability p, the others after the delay', () => {
    const p = 0.25;
    const DELAY = 10_000_000;
    const { r, a, b, c, imp } = hubBench();
    imp.set('b', impair({ delayNs: DELAY, reorder: { probability: p, gap: 1 } }));
    a.send(...frames(N));
    r.sim.queue.runUntilIdle();
    const cAt = new Map(c.received.map((x) => [x.frame.pktId, x.t]));
    const d = b.received.map((x) => [x.frame.pktId, x.t - cAt.get(x.frame.pktId)!] as const);
    const atOnce = d.filter(([, x]) => x === 0).map(([id]) => id);
    expect(d.every(([, x]) => x === 0 || x === DELAY)).toBe(true);
    expect(Math.abs(atOnce.length - N * p)).toBeLessThan(Z * Math.sqrt(N * p * (1 - p)));
    expect(r.find('impair', 'reorder').map((x) => x.pkt)).toEqual(atOnce.sort((x, y) => x - y));
    // They overtake: b's arrival order is not the sending order.
    const order = b.received.map((x) => x.frame.pktId);
    expect(order.some((id, i) => i > 0 && id < order[i - 1]!)).toBe(true);
  });

  test('reorder gap 3: at most every third frame goes at once (netem counter)', () => {
    const { r, a, b, c, imp } = hubBench();
    imp.set('b', impair({ delayNs: 1_000_000, reorder: { probability: 1, gap: 3 } }));
    a.send(...frames(30));
    r.sim.queue.runUntilIdle();
    const cAt = new Map(c.received.map((x) => [x.frame.pktId, x.t]));
    const atOnce = b.received.filter((x) => x.t === cAt.get(x.frame.pktId)).map((x) => x.frame.pktId);
    expect(atOnce).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
  });

  test('reorder needs a delay; a bad configuration is refused with the field named', () => {
    const { imp } = hubBench();
    expect(() => imp.set('b', impair({ reorder: { probability: 0.1, gap: 1 } }))).toThrow(
      'hub0.impair b: reorder: reordering needs a delay (frames not reordered are delayed)',
    );
    expect(() => imp.set(null, impair({ duplicate: 1.5 }))).toThrow('hub0.impair: duplicate: 1.5 is not a probability in [0, 1]');
    expect(() => imp.set('b', impair({ delayNs: 1.5 }))).toThrow('delay: 1.5 is not a whole, non-negative number of ns');
  });

  test('corrupt: the number corrupted is binomial; each has exactly the traced bit flipped and a good FCS', () => {
    const p = 0.1;
    const { r, a, b, imp } = cableBench();
    const sent = frames(N, 80);
    imp.set('b', impair({ corrupt: p }));
    a.send(...sent);
    r.sim.queue.runUntilIdle();
    const bitOf = new Map(r.find('impair', 'corrupt').map((x) => [x.pkt, x.f!.bit as number]));
    let corrupted = 0;
    const wrong: string[] = [];
    for (const { frame } of b.received) {
      const orig = sent[frame.pktId - 1]!.data;
      const flipped: number[] = [];
      for (let i = 0; i < orig.length; i++) {
        const x = orig[i]! ^ frame.data[i]!;
        for (let k = 0; k < 8; k++) if (x & (1 << k)) flipped.push(i * 8 + k);
      }
      const want = bitOf.get(frame.pktId);
      if (frame.badFcs !== undefined || flipped.join() !== (want === undefined ? '' : String(want))) wrong.push(`${frame.pktId}: ${flipped.join()}`);
      if (flipped.length) corrupted++;
    }
    expect(wrong).toEqual([]);
    expect(b.received.length).toBe(N);
    expect(corrupted).toBe(bitOf.size);
    expect(Math.abs(corrupted - N * p)).toBeLessThan(Z * Math.sqrt(N * p * (1 - p)));
    // The sender's frames are untouched (the impairment copies before flipping).
    expect(sent.every((f, k) => new DataView(f.data.buffer).getUint32(14) === k + 1)).toBe(true);
  });
});
