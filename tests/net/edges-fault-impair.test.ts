/**
 * Edges of fault injection and link impairments that the main tests leave open: overlapping down windows on one
 * port, several loss/corruption injectors on one medium, snapshots restored into other injectors, a corrupted frame
 * held across a snapshot, the report line of a port that lost everything, the reorder-gap check, a frame with no
 * bytes under corruption, and erf (the normal table's CDF) at large negative arguments.
 */
import { LinkFaults } from '../../emulator/machine/net/fault';
import { Hub } from '../../emulator/machine/net/hub';
import { Cable } from '../../emulator/machine/net/cable';
import { Impairments } from '../../emulator/machine/net/impair/impairments';
import { erf } from '../../emulator/machine/net/impair/netem-tables';
import { RawEnd, ethFrame, mac, rig } from './helpers';
import { impair } from './impair/fixture';

/** A hub with raw stations a (sender), b and c, and the link's faults. */
function hubWithFaults(seed = 1) {
  const r = rig(seed);
  const hub = new Hub(r.ctx('hub0'));
  const [a, b, c] = ['a', 'b', 'c'].map((n) => new RawEnd(r, hub, n));
  const lf = new LinkFaults(r.ctx('hub0.fault'), hub);
  for (const n of ['a', 'b', 'c']) lf.knownPorts.add(n);
  return { r, hub, a: a!, b: b!, c: c!, lf };
}

describe('link faults', () => {
  test('overlapping down windows on one port: it comes back when the last one ends (one down, one up record)', () => {
    // docs/faults.md `down`: "Overlapping windows nest (reference-counted per port)": the port stays down until
    // the last window ends, and the station is told once each way.
    const { r, a, b, lf } = hubWithFaults();
    r.at(1_000, () => lf.down(['b'], 'f1'));
    r.at(2_000, () => lf.down(['b'], 'f2'));
    r.at(3_000, () => lf.up(['b'], 'f1'));
    r.at(100_000, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 1))); // b still down (f2)
    r.at(300_000, () => lf.up(['b'], 'f2'));
    r.at(400_000, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 2)));
    r.sim.queue.runUntilIdle();
    expect(r.find('fault', 'down').map((x) => [x.t, x.f])).toEqual([[1_000, { link: 'hub0', port: 'b', why: 'f1' }]]);
    expect(r.find('fault', 'up').map((x) => [x.t, x.f])).toEqual([[300_000, { link: 'hub0', port: 'b', why: 'f2' }]]);
    expect(b.of('link').map((e) => [e.t, e.v])).toEqual([[0, true], [1_000, false], [300_000, true]]);
    expect(b.of('rx').map((e) => e.frame!.pktId)).toEqual([2]);
    expect(r.find('wire', 'drop').map((x) => [x.pkt, x.f])).toEqual([[1, { reason: 'link-down', port: 'b' }]]);
  });

  test('a cable has one link: a down window on either end takes the whole link down', () => {
    // docs/faults.md `down`: "on a cable the whole cable"; both stations see the link go and come back.
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new RawEnd(r, cable, 'a', true);
    const b = new RawEnd(r, cable, 'b', true);
    const lf = new LinkFaults(r.ctx('c0.fault'), cable);
    r.at(1_000, () => lf.down(['a'], 'pull'));
    r.at(5_000, () => lf.up(['a'], 'pull'));
    r.sim.queue.runUntilIdle();
    expect(r.find('fault', 'down').map((x) => [x.t, x.f!.port])).toEqual([[1_000, '*']]);
    for (const s of [a, b]) expect(s.of('link').filter((e) => e.t > 0).map((e) => [e.t, e.v])).toEqual([[1_000, false], [5_000, true]]);
  });

  test('several loss and corruption injectors on one medium each act on their own ports', () => {
    // A scenario may list several `loss`/`corrupt` faults for one link, each with its own stream
    // (docs/faults.md: `<link>.fault.fault<i>`); all share the link's one place in the delivery chain.
    const { r, a, b, c, lf } = hubWithFaults();
    lf.addFrameFault('lose-b', 'loss', ['b'], 1).active = true;
    lf.addFrameFault('spoil-c', 'corrupt', ['c'], 1).active = true;
    a.port.transmit(ethFrame(mac(9), mac(1), 60, 1));
    r.sim.queue.runUntilIdle();
    expect(b.of('rx')).toEqual([]);
    expect(c.of('rx').map((e) => [e.frame!.pktId, e.frame!.badFcs])).toEqual([[1, true]]);
    expect(r.recs.filter((x) => x.layer === 'fault').map((x) => [x.probe, x.f!.fault])).toEqual([['loss', 'lose-b'], ['corrupt', 'spoil-c']]);
  });

  test('a second fault set on the same medium is refused: the chain has one place for faults', () => {
    // delivery-chain.ts: faults, then impairments, once each; a second stage of a rank would make every frame
    // run two fault filters (two draws, two records).
    const { r, hub, lf } = hubWithFaults();
    lf.addFrameFault('one', 'loss', null, 0.5);
    const other = new LinkFaults(r.ctx('hub0.fault2'), hub);
    expect(() => other.addFrameFault('two', 'loss', null, 0.5)).toThrow('hub0: a delivery stage of rank 0 is already installed');
  });

  test('a snapshot restored into faults built otherwise is refused, naming both sets of injectors', () => {
    const { lf } = hubWithFaults();
    lf.addFrameFault('x', 'loss', null, 0.1);
    lf.addFrameFault('y', 'corrupt', null, 0.1);
    const saved = lf.saveState();
    const twin = hubWithFaults();
    twin.lf.addFrameFault('x', 'loss', null, 0.1);
    expect(() => twin.lf.loadState(saved)).toThrow("hub0.fault: the snapshot's faults are [x, y], these are [x]");
  });
});

describe('impairments', () => {
  test('a corrupted frame held by a delay keeps its bad FCS across a snapshot', () => {
    // Faults act first (bad FCS), the delay holds the frame (delivery-chain.ts); a restore mid-hold must deliver
    // the same frame, and the receiving MAC must still count a CRC error for it.
    const { r, hub, a, b, lf } = hubWithFaults();
    lf.addFrameFault('spoil', 'corrupt', ['b'], 1).active = true;
    const imp = new Impairments(r.ctx('hub0.impair'), hub);
    imp.set('b', impair({ delayNs: 1_000_000 }));
    a.port.transmit(ethFrame(mac(2), mac(1), 60, 1));
    r.sim.queue.runUntil(500_000);
    expect(imp.heldCount('b')).toBe(1);
    imp.loadState(JSON.parse(JSON.stringify(imp.saveState()))); // as read back from a file
    r.sim.queue.runUntilIdle();
    expect(b.of('rx').map((e) => [e.frame!.pktId, e.frame!.badFcs === true])).toEqual([[1, true]]);
  });

  test('the report of a port that lost every frame has no mean delay', () => {
    // Impairments.report: "hub0→b: 3 frames, 3 lost (random)" — no frame left, so there is no delay to average.
    const { r, hub, a } = hubWithFaults();
    const imp = new Impairments(r.ctx('hub0.impair'), hub);
    imp.set('b', impair({ loss: { model: 'random', probability: 1 } }));
    for (let k = 0; k < 3; k++) r.at(k * 100_000, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, k + 1)));
    r.sim.queue.runUntilIdle();
    expect(imp.report()).toEqual(['hub0→b: 3 frames, 3 lost (random)']);
  });

  test('a reorder gap below 1 is refused with the field and the value (tc: "gap" is at least 1)', () => {
    const { r, hub } = hubWithFaults();
    const imp = new Impairments(r.ctx('hub0.impair'), hub);
    expect(() => imp.set('b', impair({ delayNs: 1_000_000, reorder: { probability: 0.5, gap: 0 } }))).toThrow(
      'hub0.impair b: reorder gap: 0 must be a whole number, at least 1',
    );
    expect(() => imp.set(null, impair({ delayNs: 1_000_000, reorder: { probability: 0.5, gap: 1.5 } }))).toThrow(
      'hub0.impair: reorder gap: 1.5 must be a whole number, at least 1',
    );
  });

  test('corruption leaves a frame with no bytes alone: nothing to flip, nothing counted', () => {
    // netem's corrupt flips one bit of the packet's data; an empty frame has none. It passes as it is.
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new RawEnd(r, cable, 'a', true);
    const b = new RawEnd(r, cable, 'b', true);
    const imp = new Impairments(r.ctx('c0.impair'), cable);
    imp.set('b', impair({ corrupt: 1 }));
    a.port.transmit({ data: new Uint8Array(0), pktId: 1 });
    r.sim.queue.runUntilIdle();
    expect(b.of('rx').map((e) => [e.frame!.pktId, e.frame!.data.length])).toEqual([[1, 0]]);
    expect(imp.counters('b')).toMatchObject({ frames: 1, corrupted: 0 });
    expect(r.find('impair', 'corrupt')).toEqual([]);
  });
});

test('erf is odd and saturates: erf(−x) = −erf(x), −1 to double precision from x = −6 on (A&S 7.1.16)', () => {
  // The normal table's CDF (netem-tables.ts) evaluates erf over [−7.1, 7.1]; A&S table 7.1: 1 − erf(6) < 2.2e-17.
  for (const x of [0.3, 2.5, 3, 4.5, 6, 7.1, 10]) expect(erf(-x)).toBe(-erf(x));
  expect(erf(-6)).toBe(-1);
  expect(erf(-10)).toBe(-1);
  expect(erf(-4)).toBeCloseTo(-0.999999984582742, 14);
});
