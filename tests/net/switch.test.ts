import { Switch } from '../../emulator/machine/net/switch';
import { macAt, macToString } from '../../emulator/machine/net/mac-table';
import { SEC } from '../../emulator/machine/sim';
import { BROADCAST, Jammer, RawEnd, Station, ethFrame, mac, rig } from './helpers';

const W60 = 57_600;
const PROP = 50;
const LAT = 2_000;

/** Three full-duplex stations (a half-duplex port is tested on its own below). */
function setup(opts: ConstructorParameters<typeof Switch>[1] = {}) {
  const r = rig();
  const sw = new Switch(r.ctx('sw0'), opts);
  const [a, b, c] = ['a', 'b', 'c'].map((n) => new Station(r, n, sw, { fullDuplex: true })) as [Station, Station, Station];
  return { r, sw, a, b, c };
}

const ids = (s: Station) => s.received.map((x) => x.frame.pktId);

describe('Switch (store-and-forward learning bridge)', () => {
  test('unknown unicast floods; once learned, frames go only to the learned port', () => {
    const { r, sw, a, b, c } = setup();
    a.send(ethFrame(mac(2), mac(1), 60, 1)); // B unknown: flood
    r.sim.queue.runUntilIdle();
    expect(ids(b)).toEqual([1]);
    expect(ids(c)).toEqual([1]);
    // timing: serialize in, propagate, forwarding latency, serialize out, propagate
    expect(b.received[0]!.t).toBe(W60 + PROP + LAT + W60 + PROP);
    b.send(ethFrame(mac(1), mac(2), 60, 2)); // A learned on port a
    r.sim.queue.runUntilIdle();
    expect(ids(a)).toEqual([2]);
    expect(ids(c)).toEqual([1]);
    a.send(ethFrame(mac(2), mac(1), 60, 3)); // B learned by now
    r.sim.queue.runUntilIdle();
    expect(ids(b)).toEqual([1, 3]);
    expect(ids(c)).toEqual([1]);
    expect(r.find('switch', 'flood').map((x) => [x.pkt, x.f!.to])).toEqual([[1, 'b,c']]);
    expect(r.find('switch', 'forward').map((x) => [x.pkt, x.f!.to])).toEqual([
      [2, 'a'],
      [3, 'b'],
    ]);
    expect(sw.table.list(r.sim.queue.now).map((e) => [e.mac, e.port])).toEqual([
      ['02:00:00:00:00:01', 0],
      ['02:00:00:00:00:02', 1],
    ]);
  });

  test('broadcast and multicast flood to every port but the ingress one; group sources are not learned', () => {
    const { r, sw, a, b, c } = setup();
    a.send(ethFrame(BROADCAST, mac(1), 60, 1));
    c.send(ethFrame([0x01, 0x00, 0x5e, 0, 0, 1], mac(3), 60, 2));
    b.send(ethFrame(mac(1), [0x03, 0, 0, 0, 0, 9], 60, 3)); // group source: bogus, not learned
    r.sim.queue.runUntilIdle();
    expect(ids(a).sort()).toEqual([2, 3]);
    expect(ids(b).sort()).toEqual([1, 2]);
    expect(ids(c).sort()).toEqual([1]);
    expect(sw.table.list(r.sim.queue.now).map((e) => e.mac)).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:03']);
  });

  test('entries age out after 300 s: the destination floods again', () => {
    const { r, a, b, c } = setup();
    b.send(ethFrame(BROADCAST, mac(2), 60, 1)); // learn B
    r.sim.queue.runUntilIdle();
    a.sendAt(299 * SEC, ethFrame(mac(2), mac(1), 60, 2));
    r.sim.queue.runUntilIdle();
    expect(ids(c)).toEqual([1]); // still learned at 299 s
    a.sendAt(301 * SEC, ethFrame(mac(2), mac(1), 60, 3));
    r.sim.queue.runUntilIdle();
    expect(ids(b)).toEqual([2, 3]);
    expect(ids(c)).toEqual([1, 3]); // aged: flooded
    expect(r.find('switch', 'flood').map((x) => x.pkt)).toEqual([1, 3]);
  });

  test('a frame for the port it came from is filtered', () => {
    const { r, a, b } = setup();
    a.send(ethFrame(BROADCAST, mac(1), 60, 1));
    r.sim.queue.runUntilIdle();
    a.send(ethFrame(mac(1), mac(7), 60, 2)); // to an address learned on port a
    r.sim.queue.runUntilIdle();
    expect(ids(b)).toEqual([1]);
    expect(r.find('wire', 'drop').map((x) => [x.pkt, x.f!.reason])).toEqual([[2, 'filtered']]);
  });

  test('output queue is bounded: drop tail, traced; egress frames are spaced by the IFG', () => {
    const { r, sw, a, b, c } = setup({ queueFrames: 2, latencyNs: 0 });
    c.send(ethFrame(BROADCAST, mac(3), 60, 100)); // learn C
    r.sim.queue.runUntilIdle();
    const t0 = r.sim.queue.now;
    const burst = (s: Station, base: number, src: number) =>
      s.sendAt(t0, ...[0, 1, 2, 3].map((k) => ethFrame(mac(3), mac(src), 60, base + k)));
    burst(a, 10, 1);
    burst(b, 20, 2);
    r.sim.queue.runUntilIdle();
    const drops = r.find('wire', 'drop').filter((x) => x.f!.reason === 'queue-full');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((x) => x.f!.port === 'c')).toBe(true);
    expect(c.received.length + drops.length).toBe(8);
    const ts = c.received.map((x) => x.t);
    for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBeGreaterThanOrEqual(W60 + 9_600);
    expect(sw.queueLength('c')).toBe(0);
  });

  test('bad FCS and runts are dropped at the switch with a reason', () => {
    const { r, a, b } = setup();
    a.send({ ...ethFrame(BROADCAST, mac(1), 60, 1), badFcs: true }, { data: new Uint8Array(10).fill(0xff), pktId: 2 });
    r.sim.queue.runUntilIdle();
    expect(b.received).toEqual([]);
    expect(r.find('wire', 'drop').map((x) => [x.pkt, x.f!.reason])).toEqual([
      [1, 'bad-fcs'],
      [2, 'runt'],
    ]);
  });

  test('port link down: MAC reports carrier lost, learned addresses on it are forgotten', () => {
    const { r, sw, a, b } = setup();
    b.send(ethFrame(BROADCAST, mac(2), 60, 1));
    r.sim.queue.runUntilIdle();
    sw.setLinkUp('b', false);
    expect(sw.table.list(r.sim.queue.now).map((e) => e.mac)).toEqual([]);
    b.send(ethFrame(mac(1), mac(2), 60, 2));
    a.send(ethFrame(mac(2), mac(1), 60, 3));
    r.sim.queue.runUntilIdle();
    expect(b.outcomes[1]!.o.carrierLost).toBe(true);
    expect(ids(a)).toEqual([1]); // B's first frame only
    expect(ids(b)).toEqual([]);
    expect(r.find('wire', 'drop').map((x) => [x.pkt, x.f!.reason])).toEqual([[3, 'link-down']]);
  });

  test('MAC addresses as numbers', () => {
    const m = new Uint8Array([0xff, 0x02, 0xde, 0xad, 0xbe, 0xef, 0x01]);
    expect(macToString(macAt(m, 1))).toBe('02:de:ad:be:ef:01');
    expect(macAt(m, 0)).toBe(0xff02deadbeef);
  });
});

describe('Switch ports follow their station\'s duplex', () => {
  const W1514 = 1_220_800;
  const IFG = 9_600;
  const JAM = 3_200;

  test('a full-duplex-capable station gets a full-duplex port, a DP8390-like one a half-duplex port', () => {
    const r = rig();
    const sw = new Switch(r.ctx('sw0'));
    const a = new Station(r, 'a', sw, { fullDuplex: true });
    const b = new Station(r, 'b', sw);
    expect([sw.portFullDuplex('a'), sw.portFullDuplex('b')]).toEqual([true, false]);
    expect([a.mac.port!.fullDuplex, b.mac.port!.fullDuplex]).toEqual([true, false]);
    expect(r.find('wire', 'duplex').map((x) => x.f)).toEqual([
      { port: 'a', mode: 'full' },
      { port: 'b', mode: 'half' },
    ]);
  });

  test('half-duplex port: the switch defers to the station\'s carrier, then keeps the gap', () => {
    const r = rig();
    const sw = new Switch(r.ctx('sw0'));
    const a = new Station(r, 'a', sw, { fullDuplex: true });
    const b = new Station(r, 'b', sw);
    b.send(ethFrame(mac(1), mac(2), 1514, 1)); // on b's segment from 0 to W1514
    a.send(ethFrame(mac(2), mac(1), 60, 2)); // unknown: flooded to b
    r.sim.queue.runUntilIdle();
    const queued = W60 + PROP + LAT; // a's frame is queued at port b
    const carrierOff = W1514 + PROP; // b's last bit reaches the switch
    const start = carrierOff + IFG;
    expect(r.find('mac', 'defer').map((x) => [x.t, x.node, x.pkt])).toEqual([[queued, '', 2]]);
    expect(b.received.map((x) => [x.t, x.frame.pktId])).toEqual([[start + W60 + PROP, 2]]);
    expect(a.received.map((x) => [x.t, x.frame.pktId])).toEqual([[carrierOff + LAT + W1514 + PROP, 1]]);
    expect(r.find('wire', 'collision')).toEqual([]);
    // Taps and the pcap see each frame once, when it left its station.
    const seen: number[] = [];
    const r2 = rig();
    const sw2 = new Switch(r2.ctx('sw0'));
    sw2.tap((f) => seen.push(f.pktId));
    const a2 = new Station(r2, 'a', sw2, { fullDuplex: true });
    const b2 = new Station(r2, 'b', sw2);
    b2.send(ethFrame(mac(1), mac(2), 1514, 1));
    a2.send(ethFrame(mac(2), mac(1), 60, 2));
    r2.sim.queue.runUntilIdle();
    expect(seen).toEqual([2, 1]);
  });

  test('half-duplex port: the switch and the station collide, both back off, both frames get through', () => {
    const r = rig(4);
    const sw = new Switch(r.ctx('sw0'));
    const a = new Station(r, 'a', sw, { fullDuplex: true });
    const b = new Station(r, 'b', sw);
    a.send(ethFrame(mac(2), mac(1), 60, 1)); // queued at port b at W60 + PROP + LAT, sent at once
    b.sendAt(W60 + PROP + LAT + 20, ethFrame(mac(1), mac(2), 60, 2)); // 20 ns later: the switch's signal is not here yet
    r.sim.queue.runUntilIdle();
    const cols = r.find('mac', 'collision');
    expect(cols.map((x) => [x.node, x.pkt]).slice(0, 2).sort()).toEqual([
      ['', 1],
      ['b', 2],
    ]);
    // The first collision: each side detects it when the other's first bit arrives, then jams.
    const t0 = W60 + PROP + LAT;
    expect(cols.filter((x) => x.node === '')[0]!.t).toBe(t0 + 20 + PROP + JAM);
    expect(cols.filter((x) => x.node === 'b')[0]!.t).toBe(t0 + PROP + JAM);
    expect(b.received.map((x) => x.frame.pktId)).toEqual([1]);
    expect(a.received.map((x) => x.frame.pktId)).toEqual([2]);
    expect(b.outcomes[0]!.o).toMatchObject({ ok: true, aborted: false });
  });

  test('half-duplex port: 16 collisions and the switch gives the frame up (excessive-collisions)', () => {
    const r = rig(5);
    const sw = new Switch(r.ctx('sw0'));
    const a = new Station(r, 'a', sw, { fullDuplex: true });
    new Jammer(r, sw, 'jam', 'carrier'); // half duplex: transmits whenever it hears the switch
    a.send(ethFrame(BROADCAST, mac(1), 60, 1));
    r.sim.queue.runUntilIdle();
    expect(r.find('mac', 'collision').filter((x) => x.pkt === 1)).toHaveLength(16);
    expect(r.find('mac', 'abort').map((x) => [x.node, x.pkt, x.f!.attempts])).toEqual([['', 1, 16]]);
    expect(r.find('wire', 'drop').filter((x) => x.f!.reason === 'excessive-collisions').map((x) => [x.pkt, x.f!.port])).toEqual([[1, 'jam']]);
  });

  test('renegotiation: the port follows the station; in full duplex the switch no longer defers to it', () => {
    const r = rig();
    const sw = new Switch(r.ctx('sw0'));
    const a = new Station(r, 'a', sw, { fullDuplex: true });
    const b = new RawEnd(r, sw, 'b');
    expect(sw.portFullDuplex('b')).toBe(false);
    b.fullDuplexCapable = true;
    b.port.renegotiate!();
    expect(sw.portFullDuplex('b')).toBe(true);
    expect(b.of('duplex').map((e) => e.v)).toEqual([true]);
    b.port.transmit(ethFrame(mac(1), mac(2), 1514, 1)); // full duplex: on the ingress lane
    a.send(ethFrame(mac(2), mac(1), 60, 2)); // no deferral on a full-duplex port
    r.sim.queue.runUntilIdle();
    expect(b.of('rx').map((e) => [e.t, e.frame!.pktId])).toEqual([[W60 + PROP + LAT + W60 + PROP, 2]]);
    expect(r.find('mac', 'defer')).toEqual([]);
  });
});
