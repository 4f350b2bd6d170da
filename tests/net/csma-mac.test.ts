import { Hub } from '../../emulator/machine/net/hub';
import type { TxOutcome } from '../../nic-models/common/csma-mac';
import { Station, ethFrame, mac, rig } from './helpers';

/** Two stations collide on a hub; at T both are backing off (or in the gap) and the hub is idle. */
function collidingPair(seed: number) {
  const r = rig(seed);
  const hub = new Hub(r.ctx('hub0'));
  const a = new Station(r, 'a', hub);
  const b = new Station(r, 'b', hub);
  return { r, hub, a, b };
}

const T = 5_000; // after the first collision's jam has cleared (4.4 µs), before any retry can start (14 µs)

describe('CsmaCdMac snapshots', () => {
  test('save → load into a fresh MAC → save is identical', () => {
    const x = collidingPair(11);
    x.a.send(ethFrame(mac(2), mac(1), 60, 1));
    x.b.sendAt(200, ethFrame(mac(1), mac(2), 60, 2));
    x.r.sim.queue.runUntil(T);
    const s = x.a.mac.saveState();
    expect(s.attempts).toBe(1);
    expect(['backoff', 'ifg', 'defer']).toContain(s.phase);
    const y = collidingPair(99);
    y.r.sim.queue.setNow(T);
    y.a.mac.loadState(JSON.parse(JSON.stringify(s)), () => undefined);
    expect(y.a.mac.saveState()).toEqual(s);
    expect(y.a.mac.transmitting).toBe(true);
  });

  test('run to the end equals run to T, save, restore into a fresh simulation, run to the end', () => {
    for (const seed of [1, 2, 3, 4]) {
      const x = collidingPair(seed);
      x.a.send(ethFrame(mac(2), mac(1), 60, 1));
      x.b.sendAt(200, ethFrame(mac(1), mac(2), 60, 2));
      x.r.sim.queue.runUntil(T);
      const sa = JSON.parse(JSON.stringify(x.a.mac.saveState()));
      const sb = JSON.parse(JSON.stringify(x.b.mac.saveState()));
      // Ties at equal (time, priority) run in scheduling order: a whole-system restore reschedules pending
      // events in the order the queue lists them, so do the same here.
      const order = x.r.sim.queue.list().map((ev) => ev.name.split('.')[0]!).filter((n) => n === 'a' || n === 'b');
      x.r.sim.queue.runUntilIdle();

      const y = collidingPair(12345); // a different seed: the restored generators must carry the run
      y.r.sim.queue.setNow(T);
      const outcomes: { t: number; node: string; o: TxOutcome }[] = [];
      expect(order).toHaveLength(2);
      for (const n of order) {
        const st = n === 'a' ? y.a : y.b;
        st.mac.loadState(n === 'a' ? sa : sb, (o) => outcomes.push({ t: y.r.sim.queue.now, node: n, o }));
      }
      y.r.sim.queue.runUntilIdle();

      const after = (recs: typeof x.r.recs) => recs.filter((q) => q.t >= T && q.layer !== 'test').map((q) => JSON.stringify(q));
      expect(after(y.r.recs)).toEqual(after(x.r.recs));
      const orig = [...x.a.outcomes.map((q) => ({ t: q.t, node: 'a', o: q.o })), ...x.b.outcomes.map((q) => ({ t: q.t, node: 'b', o: q.o }))];
      expect([...outcomes].sort((p, q) => p.t - q.t)).toEqual(orig.sort((p, q) => p.t - q.t));
    }
  });

  test('transmit() while a transmit is in progress is a model bug and throws', () => {
    const x = collidingPair(1);
    x.a.mac.transmit(ethFrame(mac(2), mac(1), 60, 1), () => undefined);
    expect(() => x.a.mac.transmit(ethFrame(mac(2), mac(1), 60, 2), () => undefined)).toThrow(/in progress/);
  });
});
