import { example, nicinfoCounter, run } from './helpers';

interface Rec { t: number; node: string; layer: string; probe: string; pkt: number; f?: Record<string, unknown> }

describe('a flood that overruns the NE2000 receive ring, and recovery', () => {
  const r = run(example('overrun.yaml'), { keepTrace: true });
  const recs = r.trace.map((l) => JSON.parse(l) as Rec);
  const beta = r.consoles.get('beta')!;
  const alpha = r.consoles.get('alpha')!;

  test('the DP8390 rejects frames with the ring full, counts them missed, and the driver recovers', () => {
    const overflow = recs.filter((x) => x.node === 'beta' && x.layer === 'nic' && x.probe === 'rx-reject' && x.f?.['reason'] === 'overflow');
    expect(overflow.length).toBeGreaterThan(0);
    const recovery = recs.find((x) => x.node === 'beta' && x.layer === 'driver' && x.probe === 'overrun');
    expect(recovery).toBeDefined();
    // Frames are accepted again after the recovery.
    const after = recs.filter((x) => x.node === 'beta' && x.layer === 'nic' && x.probe === 'rx-accept' && x.t > recovery!.t);
    expect(after.length).toBeGreaterThan(50);
    expect(nicinfoCounter(beta, 'Receive Overruns')).toBeGreaterThanOrEqual(1);
    expect(nicinfoCounter(beta, 'Packets Dropped on receive')).toBe(overflow.length);
  });

  test('the flood loses only what the overrun cost and goes on', () => {
    const m = /(\d+) packets transmitted, (\d+) packets received/.exec(alpha);
    expect(m).not.toBeNull();
    const [sent, got] = [Number(m![1]), Number(m![2])];
    expect(sent).toBe(400);
    expect(got).toBeLessThan(sent);
    expect(got).toBeGreaterThan(sent - 30);
  });
});

describe('three nodes colliding on a hub', () => {
  const r = run(example('collisions.yaml'), { keepTrace: true });
  const recs = r.trace.map((l) => JSON.parse(l) as Rec);

  test('every node still gets all its replies', () => {
    for (const n of ['alpha', 'beta', 'gamma'])
      expect(r.consoles.get(n)).toContain('300 packets transmitted, 300 packets received, 0.0% packet loss');
  });

  test('collisions are reported by the NICs, and stations back off by random slot counts', () => {
    for (const n of ['alpha', 'beta', 'gamma']) {
      const c = r.consoles.get(n)!;
      expect(nicinfoCounter(c, 'Single Collisions on Transmit') + nicinfoCounter(c, 'Multiple Collisions on Transmit')).toBeGreaterThan(0);
    }
    const collisions = recs.filter((x) => x.layer === 'wire' && x.probe === 'collision');
    expect(collisions.length).toBeGreaterThan(10);
    const slots = new Set(recs.filter((x) => x.layer === 'mac' && x.probe === 'backoff').map((x) => x.f?.['slots']));
    expect(slots.size).toBeGreaterThan(2);
  });
});
