import { Hub } from '../../emulator/machine/net/hub';
import { CsmaCdMac } from '../../emulator/machine/net/csma-mac';
import { Jammer, Station, RawEnd, ethFrame, mac, rig } from './helpers';

const W60 = 57_600; // wire time of a 60-byte frame (64 with FCS) at 10 Mb/s
const IFG = 9_600;
const JAM = 3_200;
const P = 500;

const OK = { ok: true, collisions: 0, aborted: false, carrierLost: false, deferred: false, lateCollision: false };

describe('Hub (10BASE-T repeater) with CSMA/CD MACs', () => {
  test('back-to-back frames from one station are spaced by the IFG; carrier at the others follows P', () => {
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    const a = new Station(r, 'a', hub);
    const b = new RawEnd(r, hub, 'b');
    a.send(ethFrame(mac(2), mac(1), 60, 1), ethFrame(mac(2), mac(1), 60, 2));
    r.sim.queue.runUntilIdle();
    const s2 = W60 + IFG;
    expect(r.find('wire', 'tx-start').map((x) => [x.t, x.pkt])).toEqual([
      [0, 1],
      [s2, 2],
    ]);
    expect(b.of('rx').map((e) => [e.t, e.frame!.pktId])).toEqual([
      [W60 + P, 1],
      [s2 + W60 + P, 2],
    ]);
    expect(b.of('carrier').map((e) => [e.t, e.v])).toEqual([
      [P, true],
      [W60 + P, false],
      [s2 + P, true],
      [s2 + W60 + P, false],
    ]);
    expect(a.outcomes.map((x) => [x.t, x.o])).toEqual([
      [W60, OK],
      [s2 + W60, OK],
    ]);
  });

  test('a station that wants to send during another frame defers, then waits the IFG after carrier drops', () => {
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    const a = new Station(r, 'a', hub);
    const b = new Station(r, 'b', hub);
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    b.sendAt(10_000, ethFrame(mac(1), mac(2), 60, 2));
    r.sim.queue.runUntilIdle();
    const bStart = W60 + P + IFG;
    expect(r.find('wire', 'tx-start').map((x) => [x.t, x.pkt])).toEqual([
      [0, 1],
      [bStart, 2],
    ]);
    expect(r.find('mac', 'defer').map((x) => [x.t, x.node, x.pkt])).toEqual([[10_000, 'b', 2]]);
    expect(b.outcomes).toEqual([{ t: bStart + W60, pktId: 2, o: { ...OK, deferred: true } }]);
    expect(b.received.map((x) => [x.t, x.frame.pktId])).toEqual([[W60 + P, 1]]);
    expect(a.received.map((x) => [x.t, x.frame.pktId])).toEqual([[bStart + W60 + P, 2]]);
    expect(r.find('wire', 'collision')).toEqual([]);
  });

  test('carrier returning in the first 64 bits of the gap restarts deferral; in the last 32 bits it is ignored', () => {
    // part 1: the other sender returns 3 µs after its carrier dropped at A (< 6.4 µs)
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    const a = new Station(r, 'a', hub);
    const c = new RawEnd(r, hub, 'c');
    r.at(0, () => c.port.transmit(ethFrame(mac(1), mac(3), 60, 1)));
    a.sendAt(1_000, ethFrame(mac(3), mac(1), 60, 2));
    r.at(W60 + 3_000, () => c.port.transmit(ethFrame(mac(1), mac(3), 60, 3)));
    r.sim.queue.runUntilIdle();
    const aStart = W60 + 3_000 + W60 + P + IFG;
    expect(r.find('mac', 'defer').map((x) => x.t)).toEqual([1_000, W60 + 3_000 + P]);
    expect(r.find('wire', 'tx-start').map((x) => [x.t, x.pkt])).toEqual([
      [0, 1],
      [W60 + 3_000, 3],
      [aStart, 2],
    ]);
    expect(a.outcomes[0]!.o).toEqual({ ...OK, deferred: true });

    // part 2: carrier returns 8 µs after it dropped at A: A sends at the end of the gap anyway and collides
    const r2 = rig();
    const hub2 = new Hub(r2.ctx('hub0'));
    const a2 = new Station(r2, 'a', hub2);
    const c2 = new RawEnd(r2, hub2, 'c');
    r2.at(0, () => c2.port.transmit(ethFrame(mac(1), mac(3), 60, 1)));
    a2.sendAt(1_000, ethFrame(mac(3), mac(1), 60, 2));
    r2.at(W60 + 8_000, () => c2.port.transmit(ethFrame(mac(1), mac(3), 60, 3)));
    r2.sim.queue.runUntilIdle();
    // no second deferral: the carrier arrived in part 2 of the gap
    expect(r2.find('mac', 'defer').filter((x) => x.t < W60 + P + IFG + JAM).map((x) => x.t)).toEqual([1_000]);
    const col = r2.find('wire', 'collision');
    expect(col.map((x) => [x.t, x.pkt, x.f!.ports])).toEqual([
      [W60 + P + IFG, 3, 'c,a'],
      [W60 + P + IFG, 2, 'c,a'],
    ]);
    // A started while C's signal was already at A: detects at once
    expect(r2.find('mac', 'collision').map((x) => [x.t, x.f!.attempt])).toEqual([[W60 + P + IFG + JAM, 1]]);
    expect(a2.outcomes[0]!.o.collisions).toBe(1);
    expect(a2.outcomes[0]!.o.ok).toBe(true);
  });

  test('two stations starting within the propagation window collide, back off and both deliver', () => {
    const r = rig(7);
    const hub = new Hub(r.ctx('hub0'));
    const a = new Station(r, 'a', hub);
    const b = new Station(r, 'b', hub);
    const c = new Station(r, 'c', hub);
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    b.sendAt(200, ethFrame(mac(1), mac(2), 60, 2));
    r.sim.queue.runUntilIdle();
    expect(r.find('wire', 'collision').slice(0, 2).map((x) => [x.t, x.pkt, x.f!.ports])).toEqual([
      [200, 1, 'a,b'],
      [200, 2, 'a,b'],
    ]);
    // B sees A's carrier at 500, A sees B's at 700; each then jams for 32 bits.
    const macCol = r.find('mac', 'collision').slice(0, 2);
    expect(macCol.map((x) => [x.t, x.node, x.f!.attempt])).toEqual([
      [P + JAM, 'b', 1],
      [200 + P + JAM, 'a', 1],
    ]);
    expect(r.find('wire', 'drop').slice(0, 2).map((x) => x.f!.reason)).toEqual(['collision', 'collision']);
    for (const s of [a, b]) {
      expect(s.outcomes).toHaveLength(1);
      expect(s.outcomes[0]!.o.ok).toBe(true);
      expect(s.outcomes[0]!.o.collisions).toBeGreaterThanOrEqual(1);
    }
    expect(a.received.map((x) => x.frame.pktId)).toEqual([2]);
    expect(b.received.map((x) => x.frame.pktId)).toEqual([1]);
    expect(c.received.map((x) => x.frame.pktId).sort()).toEqual([1, 2]);
    // Every backoff after collision n drew from [0, 2^min(n,10) - 1]
    for (const node of ['a', 'b']) {
      const slots = r.find('mac', 'backoff').filter((x) => x.node === node).map((x) => x.f!.slots as number);
      slots.forEach((k, i) => expect(k).toBeLessThan(2 ** Math.min(i + 1, 10)));
    }
  });

  test('two stations starting at the same instant collide; carrier stays up until the jam has propagated', () => {
    const r = rig(3);
    const hub = new Hub(r.ctx('hub0'));
    const a = new RawEnd(r, hub, 'a');
    const b = new RawEnd(r, hub, 'b');
    const c = new RawEnd(r, hub, 'c');
    r.at(0, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 1)));
    r.at(0, () => b.port.transmit(ethFrame(mac(1), mac(2), 60, 2)));
    r.sim.queue.runUntilIdle();
    expect(a.of('collision').map((e) => e.t)).toEqual([P + JAM]);
    expect(b.of('collision').map((e) => e.t)).toEqual([P + JAM]);
    for (const s of [a, b, c]) {
      expect(s.of('carrier').map((e) => [e.t, e.v])).toEqual([
        [P, true],
        [P + JAM + P, false],
      ]);
      expect(s.of('rx')).toEqual([]);
    }
    expect(a.of('done')).toEqual([]);
  });

  test('a later sender that stops first: every port sees the jam from its first arrival to the last jam propagated', () => {
    // a starts at 0, b at 200 (before a's carrier reaches it at P): b detects at P and stops first (P + JAM), a
    // detects at 200 + P and stops at 200 + P + JAM. The medium lists a before b but their ends come the other way
    // round, so each port's next carrier change is the earliest candidate instant, not the first listed.
    const r = rig(5);
    const hub = new Hub(r.ctx('hub0'));
    const a = new RawEnd(r, hub, 'a');
    const b = new RawEnd(r, hub, 'b');
    const c = new RawEnd(r, hub, 'c');
    r.at(0, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 1)));
    r.at(200, () => b.port.transmit(ethFrame(mac(1), mac(2), 60, 2)));
    r.sim.queue.runUntilIdle();
    expect(b.of('collision').map((e) => e.t)).toEqual([P + JAM]);
    expect(a.of('collision').map((e) => e.t)).toEqual([200 + P + JAM]);
    const end = 200 + P + JAM + P;
    expect(a.of('carrier').map((e) => [e.t, e.v])).toEqual([[200 + P, true], [end, false]]);
    expect(b.of('carrier').map((e) => [e.t, e.v])).toEqual([[P, true], [end, false]]);
    expect(c.of('carrier').map((e) => [e.t, e.v])).toEqual([[P, true], [end, false]]);
    for (const s of [a, b, c]) expect(s.of('rx')).toEqual([]);
  });

  function threeStations(seed: number): { sig: string; digest: string } {
    const r = rig(seed);
    const hub = new Hub(r.ctx('hub0'));
    const st = ['a', 'b', 'c'].map((n) => new Station(r, n, hub));
    st.forEach((s, i) => s.send(...[0, 1, 2].map((k) => ethFrame(mac(9), mac(i + 1), 60, 10 * (i + 1) + k))));
    r.sim.queue.runUntilIdle();
    for (const s of st) {
      expect(s.outcomes).toHaveLength(3);
      for (const x of s.outcomes) expect(x.o.ok).toBe(true);
    }
    expect(r.find('mac', 'collision').length).toBeGreaterThan(0);
    const sig = st.map((s) => s.outcomes.map((x) => `${x.pktId}@${x.t}/${x.o.collisions}`).join(' ')).join(' | ');
    return { sig, digest: r.sim.tracer.digest() };
  }

  test('three stations colliding: identical under the same seed, different under different seeds', () => {
    const one = threeStations(1);
    expect(threeStations(1)).toEqual(one);
    const sigs = new Set([1, 2, 3, 4, 5, 6].map((s) => threeStations(s).sig));
    expect(sigs.size).toBeGreaterThan(1);
  });

  test('16 collisions abort the frame (a jabbering station transmits whenever it senses carrier)', () => {
    const r = rig(5);
    const hub = new Hub(r.ctx('hub0'));
    const hooks: number[] = [];
    const a = new CsmaCdMac(r.ctx('a', 'a'), () => undefined, { collision: (n) => hooks.push(n) });
    a.connect(hub);
    new Jammer(r, hub, 'jam', 'carrier');
    const watcher = new RawEnd(r, hub, 'w');
    let outcome: unknown = null;
    a.transmit(ethFrame(mac(2), mac(1), 60, 1), (o) => (outcome = o));
    r.sim.queue.runUntilIdle();
    expect(outcome).toEqual({ ok: false, collisions: 16, aborted: true, carrierLost: false, deferred: true, lateCollision: false });
    expect(hooks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(r.find('mac', 'abort').map((x) => [x.node, x.pkt, x.f!.attempts])).toEqual([['a', 1, 16]]);
    const slots = r.find('mac', 'backoff').map((x) => x.f!.slots as number);
    expect(slots).toHaveLength(15);
    slots.forEach((s, i) => expect(s).toBeLessThan(2 ** Math.min(i + 1, 10)));
    expect(watcher.of('rx')).toEqual([]);
  });

  test('a collision later than one slot time is reported as late; the retry succeeds', () => {
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    const a = new Station(r, 'a', hub);
    const jam = new Jammer(r, hub, 'jam', 'never');
    a.send(ethFrame(mac(2), mac(1), 1514, 1));
    r.at(60_000, () => jam.fire());
    r.sim.queue.runUntilIdle();
    expect(a.outcomes.map((x) => x.o)).toEqual([{ ...OK, collisions: 1, lateCollision: true, deferred: expect.any(Boolean) }]);
    expect(r.find('mac', 'collision').map((x) => x.t)).toEqual([60_000 + P + JAM]);
  });

  test('link down: the MAC completes after the frame time with carrier lost; nothing is delivered', () => {
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    const a = new Station(r, 'a', hub);
    const b = new Station(r, 'b', hub);
    hub.setLinkUp('a', false);
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    r.sim.queue.runUntilIdle();
    expect(a.outcomes).toEqual([{ t: W60, pktId: 1, o: { ...OK, carrierLost: true } }]);
    expect(b.received).toEqual([]);
    hub.setLinkUp('a', true);
    a.send(ethFrame(mac(2), mac(1), 60, 2));
    r.sim.queue.runUntilIdle();
    expect(a.outcomes[1]!.o).toEqual(OK);
    expect(b.received.map((x) => x.frame.pktId)).toEqual([2]);
  });

  test('a repeater is half duplex whatever the station can do', () => {
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    const a = new Station(r, 'a', hub, { fullDuplex: true });
    const b = new Station(r, 'b', hub, { fullDuplex: true });
    expect([a.mac.port!.fullDuplex, b.mac.port!.fullDuplex]).toEqual([false, false]);
    a.mac.setFullDuplexCapable(false);
    a.mac.setFullDuplexCapable(true);
    expect(r.find('mac', 'duplex')).toEqual([]);
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    b.sendAt(10_000, ethFrame(mac(1), mac(2), 60, 2));
    r.sim.queue.runUntilIdle();
    expect(r.find('mac', 'defer').map((x) => [x.t, x.node])).toEqual([[10_000, 'b']]);
  });

  test('no medium at all: carrier lost after the frame time', () => {
    const r = rig();
    const a = new Station(r, 'a', null);
    a.send(ethFrame(mac(2), mac(1), 1514, 1));
    r.sim.queue.runUntilIdle();
    expect(a.outcomes).toEqual([{ t: 1_220_800, pktId: 1, o: { ...OK, carrierLost: true } }]);
  });
});
