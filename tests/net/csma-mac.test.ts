import { Hub } from '../../emulator/machine/net/hub';
import type { TxOutcome } from '../../emulator/machine/net/csma-mac';
import { restoreParts, saveParts, type SnapshotPart } from '../../emulator/machine/sim/snapshot';
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
      const macs = (w: ReturnType<typeof collidingPair>, outcomes?: { t: number; node: string; o: TxOutcome }[]): [string, SnapshotPart][] =>
        (['a', 'b'] as const).map((n) => {
          const st = n === 'a' ? w.a : w.b;
          return [n, { saveState: () => st.mac.saveState(), loadState: (s) => st.mac.loadState(s, (o) => outcomes?.push({ t: w.r.sim.queue.now, node: n, o })) }];
        });
      // The saved tie order of the pending events is given back by restoreParts (EventQueue.restoreOrder).
      const snap = JSON.parse(JSON.stringify(saveParts(x.r.sim.queue, macs(x))));
      x.r.sim.queue.runUntilIdle();

      const y = collidingPair(12345); // a different seed: the restored generators must carry the run
      const outcomes: { t: number; node: string; o: TxOutcome }[] = [];
      restoreParts(y.r.sim.queue, macs(y, outcomes), snap);
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
