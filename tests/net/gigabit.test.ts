import { Mode } from '../../emulator/machine/net/autoneg';
import { Cable } from '../../emulator/machine/net/cable';
import { StaticEndpoint } from '../../emulator/machine/net/endpoints';
import { Hub } from '../../emulator/machine/net/hub';
import { frameWireTimeNs, halfDuplexWireTimeNs } from '../../emulator/machine/net/link';
import { AN_TIMES } from '../../emulator/machine/net/link-segment';
import { Switch } from '../../emulator/machine/net/switch';
import { AnReplica, BROADCAST, Station, ethFrame, mac, rig } from './helpers';

const G = 1_000_000_000;
// Wire times come from the model under test: functions, so they are computed inside the tests that use them.
const W1514_1G = () => frameWireTimeNs(1514, G); // (8 + 1514 + 4) × 8 ns
const IFG_1G = 96;
const W1514_10 = () => frameWireTimeNs(1514, 10_000_000);
const IFG_10 = 9_600;
const PROP = 50;
const LAT = 2_000;
const phy = (a: ConstructorParameters<typeof StaticEndpoint>[0] = {}) => new StaticEndpoint(a, { timeScale: 0.001 });

describe('wire time at the negotiated rate', () => {
  test('integer ns at every speed; carrier extension to 512 bytes at 1000 Mb/s half duplex', () => {
    expect(W1514_1G()).toBe(12_208);
    expect(frameWireTimeNs(60, G)).toBe(576);
    expect(frameWireTimeNs(60, 100e6)).toBe(5_760);
    expect(halfDuplexWireTimeNs(60, G)).toBe((8 + 512) * 8); // 4160: extended to the 4096-bit slot
    expect(halfDuplexWireTimeNs(1514, G)).toBe(W1514_1G()); // longer than the slot: no extension
    expect(halfDuplexWireTimeNs(60, 100e6)).toBe(5_760);
  });

  test('a gigabit cable: frames serialize in 8 ns per byte, back to back 96 ns apart', () => {
    const r = rig(1);
    const cable = new Cable(r.ctx('c0'));
    const a = new Station(r, 'a', cable, { fullDuplex: true, autoneg: phy() });
    const b = new Station(r, 'b', cable, { fullDuplex: true, autoneg: phy() });
    r.sim.queue.runUntilIdle();
    expect(a.mac.port!.bitRate).toBe(G);
    const t0 = r.sim.queue.now + 1000;
    a.sendAt(t0, ...[1, 2, 3].map((k) => ethFrame(mac(2), mac(1), 1514, k)));
    r.sim.queue.runUntilIdle();
    expect(b.received.map((x) => x.t)).toEqual([0, 1, 2].map((k) => t0 + k * (W1514_1G() + IFG_1G) + W1514_1G() + PROP));
  });

  test('1000BASE-T half duplex: carrier extension on the wire, a 4096-bit slot for backoff', () => {
    const r = rig(11);
    const cable = new Cable(r.ctx('c0'));
    const a = new Station(r, 'a', cable, { autoneg: phy({ modes: Mode.T1000H }) });
    const b = new Station(r, 'b', cable, { autoneg: phy({ modes: Mode.T1000H }) });
    r.sim.queue.runUntilIdle();
    expect([cable.bitRate, cable.fullDuplex]).toEqual([G, false]);
    const t0 = r.sim.queue.now + 1000;
    a.sendAt(t0, ethFrame(mac(2), mac(1), 60, 1));
    r.sim.queue.runUntilIdle();
    expect(b.received.map((x) => x.t)).toEqual([t0 + 4_160 + PROP]);
    // both at once: each detects the other after P, jams 32 bit times, backs off in 4096 ns slots
    const t1 = r.sim.queue.now + 10_000;
    a.sendAt(t1, ethFrame(mac(2), mac(1), 60, 2));
    b.sendAt(t1, ethFrame(mac(1), mac(2), 60, 3));
    r.sim.queue.runUntilIdle();
    const cols = r.find('mac', 'collision').filter((x) => x.pkt === 2 || x.pkt === 3);
    expect(cols.slice(0, 2).map((x) => x.t)).toEqual([t1 + PROP + 32, t1 + PROP + 32]);
    const bo = r.find('mac', 'backoff').filter((x) => x.t === t1 + PROP + 32);
    const starts = r.find('wire', 'tx-start').filter((x) => x.t > t1);
    const first = Math.min(...bo.map((x) => x.f!.slots as number));
    const seenIdle = t1 + PROP + 32 + PROP; // the other's jam has gone by
    expect(starts[0]!.t).toBe(Math.max(t1 + PROP + 32 + first * 4_096, seenIdle + IFG_1G));
    expect(a.received.map((x) => x.frame.pktId)).toEqual([3]);
    expect(b.received.map((x) => x.frame.pktId)).toEqual([1, 2]);
  });
});

describe('a switch with per-port rates', () => {
  test('a 1 Gb/s station and a 10 Mb/s DP8390-like station share a switch; each port at its own rate', () => {
    const r = rig(1);
    const sw = new Switch(r.ctx('sw0'));
    const fast = new Station(r, 'f', sw, { fullDuplex: true, autoneg: phy() });
    const slow = new Station(r, 's', sw);
    expect(sw.portInfo('s')).toMatchObject({ up: true, speedMbps: 10, fullDuplex: false }); // at once, as always
    expect(sw.portInfo('f').up).toBe(false);
    r.sim.queue.runUntilIdle();
    const up = new AnReplica(1, 'sw0.p0', 0.001).timeline(0, AN_TIMES.nextPages, AN_TIMES.linkUp1000).up;
    // end 0, the switch port (a multiport device), resolved MASTER
    expect(r.find('autoneg', 'link-up').map((x) => [x.t, x.f!.mode, x.f!.master])).toEqual([[up, '1000F', 0]]);
    expect(sw.portInfo('f')).toMatchObject({ up: true, speedMbps: 1000, fullDuplex: true });
    const t0 = r.sim.queue.now + 1000;
    slow.sendAt(t0, ethFrame(mac(1), mac(2), 60, 1));
    r.sim.queue.runUntilIdle();
    // 10 Mb/s in, store and forward, 1 Gb/s out
    expect(fast.received.map((x) => x.t)).toEqual([t0 + frameWireTimeNs(60, 10e6) + PROP + LAT + frameWireTimeNs(60, G) + PROP]);
  });

  test('a fast port flooding a slow one fills its bounded queue: the rest is dropped and counted', () => {
    const r = rig(1);
    const sw = new Switch(r.ctx('sw0'), { flowControl: false });
    const fast = new Station(r, 'f', sw, { fullDuplex: true, autoneg: phy() });
    const slow = new Station(r, 's', sw);
    slow.send(ethFrame(BROADCAST, mac(2), 60, 1)); // the switch learns s
    r.sim.queue.runUntilIdle();
    const t0 = r.sim.queue.now + 1000;
    const N = 100;
    fast.sendAt(t0, ...Array.from({ length: N }, (_, k) => ethFrame(mac(2), mac(1), 1514, 10 + k)));
    r.sim.queue.runUntilIdle();
    // Frame k leaves f at t0 + k × (W + IFG) and is queued at s W + P + LAT later; s drains one per 1.23 ms, so the
    // whole burst (99 × 12.3 µs) arrives while the first frame is still on the 10 Mb/s wire: 1 sent, 64 queued.
    const e0 = t0 + W1514_1G() + PROP + LAT;
    expect(e0 + (N - 1) * (W1514_1G() + IFG_1G)).toBeLessThan(e0 + W1514_10());
    const kept = 1 + sw.queueFrames;
    expect(sw.portInfo('s')).toMatchObject({ drops: N - kept, tx: kept, queued: 0 });
    const drops = r.find('wire', 'drop').filter((x) => x.f!.reason === 'queue-full');
    expect(drops.map((x) => x.pkt)).toEqual(Array.from({ length: N - kept }, (_, k) => 10 + kept + k));
    expect(slow.received.map((x) => x.frame.pktId)).toEqual(Array.from({ length: kept }, (_, k) => 10 + k));
    expect(slow.received.at(-1)!.t).toBe(e0 + kept * W1514_10() + (kept - 1) * IFG_10 + PROP);
    expect(fast.outcomes.every((o) => o.o.ok && !o.o.carrierLost)).toBe(true);
  });

  test('the byte bound drops too: a queue of 4 KiB holds two full frames', () => {
    const r = rig(1);
    const sw = new Switch(r.ctx('sw0'), { flowControl: false, queueBytes: 4096 });
    const fast = new Station(r, 'f', sw, { fullDuplex: true, autoneg: phy() });
    const slow = new Station(r, 's', sw);
    slow.send(ethFrame(BROADCAST, mac(2), 60, 1));
    r.sim.queue.runUntilIdle();
    fast.sendAt(r.sim.queue.now + 1000, ...Array.from({ length: 6 }, (_, k) => ethFrame(mac(2), mac(1), 1514, 10 + k)));
    r.sim.queue.runUntilIdle();
    expect(sw.portInfo('s')).toMatchObject({ drops: 3, tx: 3 }); // one on the wire, two queued (3028 ≤ 4096 < 4542)
  });
});

describe('a hub stays 10 Mb/s half duplex', () => {
  test('a PHY on a hub port parallel-detects 10BASE-T half duplex; DP8390-like stations link at once', () => {
    const r = rig(5);
    const hub = new Hub(r.ctx('hub0'));
    const ne = new Station(r, 'ne', hub);
    const bcm = new Station(r, 'bcm', hub, { fullDuplex: true, autoneg: phy() });
    expect(ne.mac.port!.linkUp()).toBe(true);
    expect(bcm.mac.port!.linkUp()).toBe(false);
    r.sim.queue.runUntilIdle();
    const up = new AnReplica(5, 'hub0.bcm', 0.001).timeline(0, AN_TIMES.parallel, AN_TIMES.linkUp10).up;
    expect(r.find('autoneg', 'link-up').map((x) => [x.t, x.f!.mode])).toEqual([[up, '10H']]);
    const ep = bcm.mac.autoneg as StaticEndpoint;
    expect(ep.link).toMatchObject({ speedMbps: 10, fullDuplex: false, parallelDetect: true });
    expect([bcm.mac.port!.bitRate, bcm.mac.port!.fullDuplex]).toEqual([10e6, false]);
    const t0 = r.sim.queue.now + 1000;
    bcm.sendAt(t0, ethFrame(mac(1), mac(2), 60, 1));
    r.sim.queue.runUntilIdle();
    expect(ne.received.map((x) => x.t)).toEqual([t0 + frameWireTimeNs(60, 10e6) + hub.propagation]);
  });
});
