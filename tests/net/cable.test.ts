import { Cable } from '../../emulator/machine/net/cable';
import { frameWireTimeNs } from '../../emulator/machine/net/link';
import { Station, RawEnd, ethFrame, mac, rig } from './helpers';

describe('wire time', () => {
  test('64-byte frame (60 + FCS) at 10 Mb/s: 8 + 64 bytes = 576 bits = 57600 ns', () => {
    expect(frameWireTimeNs(60, 10_000_000)).toBe(57_600);
  });
  test('1518-byte frame (1514 + FCS) at 10 Mb/s: 8 + 1518 bytes = 12208 bits = 1220800 ns', () => {
    expect(frameWireTimeNs(1514, 10_000_000)).toBe(1_220_800);
  });
  test('at 100 Mb/s and 1 Gb/s', () => {
    expect(frameWireTimeNs(60, 100_000_000)).toBe(5_760);
    expect(frameWireTimeNs(1514, 1_000_000_000)).toBe(12_208);
  });
});

describe('Cable', () => {
  test('full duplex (both ends capable): delivers in both directions after wire time + propagation, independently', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'), { lengthM: 100 }); // 500 ns
    const a = new RawEnd(r, cable, 'a', true);
    const b = new RawEnd(r, cable, 'b', true);
    expect(cable.propagation).toBe(500);
    expect(a.port.fullDuplex).toBe(true);
    const fa = ethFrame(mac(2), mac(1), 60, 1);
    const fb = ethFrame(mac(1), mac(2), 1514, 2);
    r.at(1000, () => a.port.transmit(fa));
    r.at(1000, () => b.port.transmit(fb)); // same instant, other direction: no interaction
    r.sim.queue.runUntilIdle();
    expect(a.of('done').map((e) => e.t)).toEqual([1000 + 57_600]);
    expect(b.of('rx').map((e) => [e.t, e.frame!.pktId])).toEqual([[1000 + 57_600 + 500, 1]]);
    expect(b.of('done').map((e) => e.t)).toEqual([1000 + 1_220_800]);
    expect(a.of('rx').map((e) => [e.t, e.frame!.pktId])).toEqual([[1000 + 1_220_800 + 500, 2]]);
    expect(a.of('collision')).toEqual([]);
    const deliver = r.find('wire', 'deliver');
    expect(deliver.map((d) => [d.t, d.pkt, d.f!.to, d.f!.len])).toEqual([
      [59_100, 1, 'b', 60],
      [1_222_300, 2, 'a', 1514],
    ]);
    expect(r.find('wire', 'tx-start').map((d) => d.f)).toEqual([
      { port: 'a', len: 60 },
      { port: 'b', len: 1514 },
    ]);
  });

  test('several frames in flight on a long cable arrive in order', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'), { propagationNs: 200_000 }); // longer than a short frame
    const a = new RawEnd(r, cable, 'a', true);
    const b = new RawEnd(r, cable, 'b', true);
    for (let i = 0; i < 3; i++) r.at(i * 60_000, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 10 + i)));
    r.sim.queue.runUntilIdle();
    expect(b.of('rx').map((e) => [e.t, e.frame!.pktId])).toEqual([
      [257_600, 10],
      [317_600, 11],
      [377_600, 12],
    ]);
    expect(a.events.filter((e) => e.what === 'done')).toHaveLength(3);
  });

  test('transmitting while the direction is busy is a MAC bug: traced and dropped', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new RawEnd(r, cable, 'a', true);
    const b = new RawEnd(r, cable, 'b', true);
    r.at(0, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 1)));
    r.at(100, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 2)));
    r.sim.queue.runUntilIdle();
    expect(b.of('rx').map((e) => e.frame!.pktId)).toEqual([1]);
    expect(r.find('wire', 'drop').map((d) => [d.pkt, d.f!.reason])).toEqual([[2, 'busy']]);
    expect(a.of('done')).toHaveLength(1);
  });

  test('full-duplex MACs: IFG between own frames, no deferral', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new Station(r, 'a', cable, { fullDuplex: true });
    const b = new Station(r, 'b', cable, { fullDuplex: true });
    a.send(ethFrame(mac(2), mac(1), 60, 1), ethFrame(mac(2), mac(1), 60, 2));
    b.send(ethFrame(mac(1), mac(2), 60, 3));
    r.sim.queue.runUntilIdle();
    const starts = r.find('wire', 'tx-start').map((d) => [d.t, d.pkt]);
    expect(starts).toEqual([
      [0, 1],
      [0, 3],
      [57_600 + 9_600, 2],
    ]);
    expect(b.received.map((x) => [x.t, x.frame.pktId])).toEqual([
      [57_650, 1],
      [57_600 + 9_600 + 57_600 + 50, 2],
    ]);
    expect(a.outcomes.map((x) => x.o)).toEqual([
      { ok: true, collisions: 0, aborted: false, carrierLost: false, deferred: false, lateCollision: false },
      { ok: true, collisions: 0, aborted: false, carrierLost: false, deferred: false, lateCollision: false },
    ]);
  });

  test('pulled cable: link down at both ends, MAC reports carrier lost, frame not delivered', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new Station(r, 'a', cable);
    const b = new RawEnd(r, cable, 'b');
    expect(b.of('link')).toEqual([{ t: 0, what: 'link', v: true }]);
    cable.setLinkUp(false);
    expect(b.port.linkUp()).toBe(false);
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    r.sim.queue.runUntilIdle();
    expect(a.outcomes).toEqual([
      { t: 57_600, pktId: 1, o: { ok: true, collisions: 0, aborted: false, carrierLost: true, deferred: false, lateCollision: false } },
    ]);
    expect(b.of('rx')).toEqual([]);
    expect(r.find('mac', 'carrier-lost').map((x) => x.pkt)).toEqual([1]);
  });

  test('a third attachment is refused', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    new RawEnd(r, cable, 'a');
    new RawEnd(r, cable, 'b');
    expect(() => new RawEnd(r, cable, 'c')).toThrow(/two ends/);
  });
});

describe('Cable duplex: resolved from both ends', () => {
  const W60 = 57_600;
  const W1514 = 1_220_800;
  const IFG = 9_600;
  const JAM = 3_200;
  const P = 50; // 10 m at 5 ns/m

  test('one end half duplex: the cable is a CSMA/CD segment; the other end defers to its carrier', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new Station(r, 'a', cable, { fullDuplex: true });
    const b = new Station(r, 'b', cable); // a DP8390: half duplex only
    expect(cable.fullDuplex).toBe(false);
    expect([a.mac.port!.fullDuplex, b.mac.port!.fullDuplex]).toEqual([false, false]);
    expect(r.find('wire', 'duplex').map((x) => x.f)).toEqual([
      { port: 'a', mode: 'half' },
      { port: 'b', mode: 'half' },
    ]);
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    b.sendAt(10_000, ethFrame(mac(1), mac(2), 60, 2));
    r.sim.queue.runUntilIdle();
    // b hears a's frame from P to W60 + P, then waits the gap.
    const bStart = W60 + P + IFG;
    expect(r.find('mac', 'defer').map((x) => [x.t, x.node])).toEqual([[10_000, 'b']]);
    expect(r.find('wire', 'tx-start').map((x) => [x.t, x.pkt])).toEqual([
      [0, 1],
      [bStart, 2],
    ]);
    expect(b.received.map((x) => [x.t, x.frame.pktId])).toEqual([[W60 + P, 1]]);
    expect(a.received.map((x) => [x.t, x.frame.pktId])).toEqual([[bStart + W60 + P, 2]]);
    expect(b.outcomes.map((x) => x.o.deferred)).toEqual([true]);
  });

  test('half duplex: ends starting less than one propagation delay apart collide; each hears only the other', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new RawEnd(r, cable, 'a');
    const b = new RawEnd(r, cable, 'b');
    r.at(0, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 1)));
    r.at(20, () => b.port.transmit(ethFrame(mac(1), mac(2), 60, 2)));
    r.sim.queue.runUntilIdle();
    // a detects when b's first bit arrives (20 + P), b when a's does (0 + P); each then sends 32 jam bits.
    const aEnd = 20 + P + JAM;
    const bEnd = 0 + P + JAM;
    expect(a.of('collision').map((e) => e.t)).toEqual([aEnd]);
    expect(b.of('collision').map((e) => e.t)).toEqual([bEnd]);
    // No repeater: a station's carrier is the other end's signal (jam included), one propagation delay later.
    expect(a.of('carrier').map((e) => [e.t, e.v])).toEqual([
      [20 + P, true],
      [bEnd + P, false],
    ]);
    expect(b.of('carrier').map((e) => [e.t, e.v])).toEqual([
      [P, true],
      [aEnd + P, false],
    ]);
    expect([...a.of('rx'), ...b.of('rx')]).toEqual([]);
    expect(r.find('wire', 'collision').map((x) => [x.t, x.f!.port])).toEqual([
      [20, 'a'],
      [20, 'b'],
    ]);
    expect(r.find('wire', 'drop').map((x) => [x.pkt, x.f!.reason])).toEqual([
      [2, 'collision'],
      [1, 'collision'],
    ]);
  });

  test('two half-duplex MACs sending at once collide, back off from their own streams, and both frames arrive', () => {
    const r = rig(3);
    const cable = new Cable(r.ctx('c0'));
    const a = new Station(r, 'a', cable);
    const b = new Station(r, 'b', cable);
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    b.send(ethFrame(mac(1), mac(2), 60, 2));
    r.sim.queue.runUntilIdle();
    expect(r.find('mac', 'collision').length).toBeGreaterThanOrEqual(2);
    expect(b.received.map((x) => x.frame.pktId)).toEqual([1]);
    expect(a.received.map((x) => x.frame.pktId)).toEqual([2]);
    for (const s of [a, b]) {
      expect(s.outcomes).toHaveLength(1);
      expect(s.outcomes[0]!.o.ok).toBe(true);
      expect(s.outcomes[0]!.o.collisions).toBeGreaterThanOrEqual(1);
    }
  });

  test('renegotiation: when the half-duplex end becomes capable both ends go full duplex, and back', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new Station(r, 'a', cable, { fullDuplex: true });
    const b = new Station(r, 'b', cable);
    b.mac.setFullDuplexCapable(true); // RTL8029: the driver set CONFIG3.FUDUP
    expect(cable.fullDuplex).toBe(true);
    expect(r.find('mac', 'duplex').map((x) => [x.node, x.f!.mode])).toEqual([
      ['a', 'half'], // when b attached: a was full-duplex capable on its own
      ['a', 'full'],
      ['b', 'full'],
    ]);
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    b.send(ethFrame(mac(1), mac(2), 60, 2));
    r.sim.queue.runUntilIdle();
    expect(r.find('wire', 'collision')).toEqual([]);
    expect(a.received.map((x) => x.t)).toEqual([W60 + P]);
    b.mac.setFullDuplexCapable(false);
    expect(cable.fullDuplex).toBe(false);
    expect(r.find('wire', 'duplex').slice(-2).map((x) => x.f!.mode)).toEqual(['half', 'half']);
  });

  test('a transmission in progress keeps its mode; a MAC deferring to it goes ahead once the cable is full duplex', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'));
    const a = new Station(r, 'a', cable, { fullDuplex: true });
    const b = new Station(r, 'b', cable);
    a.send(ethFrame(mac(2), mac(1), 1514, 1)); // half duplex: on the segment until W1514
    b.sendAt(10_000, ethFrame(mac(1), mac(2), 60, 2)); // defers to a's carrier
    r.at(20_000, () => b.mac.setFullDuplexCapable(true));
    r.sim.queue.runUntilIdle();
    expect(r.find('mac', 'defer').map((x) => [x.t, x.node])).toEqual([[10_000, 'b']]);
    expect(r.find('wire', 'tx-start').map((x) => [x.t, x.pkt])).toEqual([
      [0, 1],
      [20_000, 2],
    ]);
    expect(a.received.map((x) => [x.t, x.frame.pktId])).toEqual([[20_000 + W60 + P, 2]]);
    expect(b.received.map((x) => [x.t, x.frame.pktId])).toEqual([[W1514 + P, 1]]);
    expect(r.find('wire', 'collision')).toEqual([]);
  });
});
