import { Switch } from '../../emulator/machine/net/switch';
import { macAt, macToString } from '../../emulator/machine/net/mac-table';
import { SEC } from '../../emulator/machine/sim';
import { BROADCAST, Station, ethFrame, mac, rig } from './helpers';

const W60 = 57_600;
const PROP = 50;
const LAT = 2_000;

function setup(opts: ConstructorParameters<typeof Switch>[1] = {}) {
  const r = rig();
  const sw = new Switch(r.ctx('sw0'), opts);
  const [a, b, c] = ['a', 'b', 'c'].map((n) => new Station(r, n, sw)) as [Station, Station, Station];
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
