import { LinkFaults } from '../../../emulator/machine/net/fault';
import { Hub } from '../../../emulator/machine/net/hub';
import { Impairments } from '../../../emulator/machine/net/impair/impairments';
import { Switch } from '../../../emulator/machine/net/switch';
import { rig, Station } from '../helpers';
import { cableBench, frames, hubBench, impair } from './fixture';

/** Everything b received: "t pktId bytes". */
const log = (s: Station): string[] => s.received.map((x) => `${x.t} ${x.frame.pktId} ${Buffer.from(x.frame.data).toString('hex')}`);

/** A fixture config (no model code), built where it is used so no statement outside the tests calls anything. */
const rich = () => impair({
  delayNs: 2_000_000,
  jitterNs: 500_000,
  distribution: 'paretonormal',
  correlation: 0.2,
  loss: { model: 'gilbert-elliott', p: 0.05, r: 0.4, lossBad: 0.9, lossGood: 0.01 },
  duplicate: 0.05,
  reorder: { probability: 0.1, gap: 2 },
  corrupt: 0.05,
});

function richRun(seed: number, alsoC = false): { b: string[]; recs: number } {
  const { r, a, b, imp } = hubBench(seed);
  imp.set('b', rich());
  if (alsoC) imp.set('c', impair({ delayNs: 1_000_000, jitterNs: 300_000, loss: { model: 'random', probability: 0.3 } }));
  a.send(...frames(2000));
  r.sim.queue.runUntilIdle();
  return { b: log(b), recs: r.recs.length };
}

describe('determinism, streams, coexistence with faults, link state', () => {
  test('same seed: the same deliveries, byte for byte; another seed: different ones', () => {
    const one = richRun(7);
    expect(richRun(7)).toEqual(one);
    expect(richRun(8).b).not.toEqual(one.b);
  });

  test('impairing another port changes nothing at b (each port and aspect has its own stream)', () => {
    expect(richRun(7, true).b).toEqual(richRun(7).b);
  });

  test('an Impairments with nothing set (or everything removed) leaves the run exactly as without one', () => {
    const plain = () => {
      const r = rig(4);
      const hub = new Hub(r.ctx('hub0'));
      const [a, b] = ['a', 'b'].map((n) => new Station(r, n, hub)) as [Station, Station];
      return { r, hub, a, b };
    };
    const base = plain();
    base.a.send(...frames(300));
    base.r.sim.queue.runUntilIdle();
    const w = plain();
    const imp = new Impairments(w.r.ctx('hub0.impair'), w.hub);
    imp.set('b', null);
    imp.set(null, null);
    expect(w.hub.deliveryFilter).toBeNull();
    w.a.send(...frames(300));
    w.r.sim.queue.runUntilIdle();
    expect(w.r.recs).toEqual(base.r.recs);
    // Installed but configured away again: frames pass, nothing recorded, nothing drawn.
    const v = plain();
    const imp2 = new Impairments(v.r.ctx('hub0.impair'), v.hub);
    imp2.set('b', impair({ delayNs: 1000 }));
    imp2.set('b', null);
    v.a.send(...frames(300));
    v.r.sim.queue.runUntilIdle();
    expect(v.r.recs).toEqual(base.r.recs);
    expect(v.r.sim.rngs.streams().has('hub0.impair.b.delay')).toBe(false);
    expect(imp2.report()).toEqual([]);
  });

  /** A hub with a 30 % loss fault on every port and a delay + 20 % loss impairment at b, made in either order. */
  function withFaults(order: 'faults first' | 'impairments first') {
    const { r, hub, a, b, imp } = hubBench(9);
    const make = () => {
      const lf = new LinkFaults(r.ctx('hub0.fault'), hub);
      lf.addFrameFault('loss', 'loss', null, 0.3).active = true;
    };
    if (order === 'faults first') make();
    imp.set('b', impair({ delayNs: 1_000_000, loss: { model: 'random', probability: 0.2 } }));
    if (order === 'impairments first') make();
    a.send(...frames(500));
    r.sim.queue.runUntilIdle();
    return { r, b };
  }

  for (const order of ['faults first', 'impairments first'] as const) {
    test(`with LinkFaults on the same hub (${order}): faults act first, then the impairment`, () => {
      const { r, b } = withFaults(order);
      const faultLost = new Set(r.find('fault', 'loss').filter((x) => x.f!.port === 'b').map((x) => x.pkt));
      const impairSeen = r.recs.filter((x) => x.layer === 'impair').map((x) => x.pkt);
      expect(faultLost.size).toBeGreaterThan(100);
      // A frame the fault took never reaches the impairment.
      expect(impairSeen.filter((k) => faultLost.has(k))).toEqual([]);
      // Every frame is accounted for: lost to the fault, lost to the impairment, or delivered 1 ms late.
      const impLost = r.find('impair', 'loss').map((x) => x.pkt);
      expect(faultLost.size + impLost.length + b.received.length).toBe(500);
      expect(r.find('impair', 'hold').length).toBe(b.received.length);
    });
  }

  test('the order LinkFaults and Impairments are made in does not matter: identical traces', () => {
    expect(withFaults('impairments first').r.recs).toEqual(withFaults('faults first').r.recs);
  });

  test('a frame due while its port is down is lost (wire drop link-down); after the port is up again frames arrive', () => {
    const { r, hub, a, b, c, imp } = hubBench();
    const DELAY = 5_000_000;
    imp.set('b', impair({ delayNs: DELAY }));
    a.send(...frames(100));
    r.at(6_000_000, () => hub.setLinkUp('b', false));
    r.at(7_000_000, () => hub.setLinkUp('b', true));
    r.sim.queue.runUntilIdle();
    const due = new Map(c.received.map((x) => [x.frame.pktId, x.t + DELAY]));
    const drops = r.find('wire', 'drop').filter((x) => x.f!.port === 'b' && x.f!.reason === 'link-down');
    const held = new Set(r.find('impair', 'hold').map((x) => x.pkt));
    // Held before the port went down, due while it was down: lost at their due time.
    const dueInWindow = [...due].filter(([k, t]) => held.has(k) && t >= 6_000_000 && t < 7_000_000).map(([k]) => k);
    expect(dueInWindow.length).toBeGreaterThan(5);
    expect(drops.filter((x) => held.has(x.pkt)).map((x) => [x.pkt, x.t])).toEqual(dueInWindow.map((k) => [k, due.get(k)]));
    // Reaching the hub while b was down: the hub dropped them before the impairment saw them.
    expect(drops.filter((x) => !held.has(x.pkt)).every((x) => x.t >= 6_000_000 && x.t < 7_000_000)).toBe(true);
    // Everything else arrived, each exactly DELAY after c got it.
    expect(b.received.every((x) => x.t === due.get(x.frame.pktId))).toBe(true);
    expect(b.received.length + drops.length).toBe(100);
    expect(b.received.some((x) => x.t >= 7_000_000)).toBe(true);
  });

  test('a cable pulled while frames are held: those due while it is out are lost, later ones arrive', () => {
    const { r, cable, a, b, imp } = cableBench();
    imp.set('b', impair({ delayNs: 3_000_000 }));
    a.send(...frames(20));
    r.at(3_500_000, () => cable.setLinkUp(false));
    r.at(4_000_000, () => cable.setLinkUp(true));
    r.sim.queue.runUntilIdle();
    const drops = r.find('wire', 'drop').filter((x) => x.f!.reason === 'link-down');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((x) => x.t >= 3_500_000 && x.t < 4_000_000)).toBe(true);
    expect(b.received.length + drops.length).toBe(20);
  });

  test('on a switch, full- and half-duplex ports: held frames arrive exactly the delay later, counted as sent', () => {
    const run = (delayNs: number) => {
      const r = rig(2);
      const sw = new Switch(r.ctx('sw0'));
      const a = new Station(r, 'a', sw, { fullDuplex: true });
      const b = new Station(r, 'b', sw); // half duplex: the switch port's MAC sends on a collision domain
      const c = new Station(r, 'c', sw, { fullDuplex: true });
      if (delayNs > 0) new Impairments(r.ctx('sw0.impair'), sw).set(null, impair({ delayNs }));
      a.send(...frames(40));
      r.sim.queue.runUntilIdle();
      return { b: b.received.map((x) => x.t), c: c.received.map((x) => x.t), tx: [sw.portInfo('b').tx, sw.portInfo('c').tx] };
    };
    const plain = run(0);
    const late = run(2_000_000);
    expect(plain.b.length).toBe(40);
    expect(late.b).toEqual(plain.b.map((t) => t + 2_000_000));
    expect(late.c).toEqual(plain.c.map((t) => t + 2_000_000));
    expect(late.tx).toEqual(plain.tx);
    expect(plain.tx).toEqual([40, 40]);
  });
});
