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
  test('delivers in both directions after wire time + propagation, independently', () => {
    const r = rig();
    const cable = new Cable(r.ctx('c0'), { lengthM: 100 }); // 500 ns
    const a = new RawEnd(r, cable, 'a');
    const b = new RawEnd(r, cable, 'b');
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
    const a = new RawEnd(r, cable, 'a');
    const b = new RawEnd(r, cable, 'b');
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
    const a = new RawEnd(r, cable, 'a');
    const b = new RawEnd(r, cable, 'b');
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
    const a = new Station(r, 'a', cable);
    const b = new Station(r, 'b', cable);
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
