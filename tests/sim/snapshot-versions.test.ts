import { componentContext, EventQueue, SimEvent, Simulation } from '../../emulator/machine/sim';
import {
  SnapshotVersionError,
  checkVersion,
  readState,
  restoreParts,
  saveParts,
  stateVersions,
  type VersionedState,
} from '../../emulator/machine/sim/snapshot';
import { CsmaCdMac, CSMA_MAC_STATE } from '../../emulator/machine/net/csma-mac';
import { Hub } from '../../emulator/machine/net/hub';
import { Cable, type CableState } from '../../emulator/machine/net/cable';
import { Switch } from '../../emulator/machine/net/switch';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';
import { Board } from '../../emulator/machine/board/board';
import { MAC_A } from '../ne2000/helpers';
import { RawEnd, Station, ethFrame, mac, rig } from '../net/helpers';

describe('versioned state (VMState style)', () => {
  // A device whose state went through three versions: v1 {count}, v2 renamed count → packets, v3 added bytes.
  const V = stateVersions('test device', 3, {
    minimum: 1,
    upgrades: {
      1: (old) => ({ packets: old.count }),
      2: (old) => ({ ...old, bytes: 0 }),
    },
  });

  test('an old state is upgraded step by step to the current version; the saved object is left alone', () => {
    const v1 = { v: 1, count: 7 };
    expect(readState('dev0', V, v1)).toEqual({ v: 3, packets: 7, bytes: 0 });
    expect(readState('dev0', V, { v: 2, packets: 3 } as VersionedState)).toEqual({ v: 3, packets: 3, bytes: 0 });
    expect(readState('dev0', V, { v: 3, packets: 1, bytes: 9 } as VersionedState)).toEqual({ v: 3, packets: 1, bytes: 9 });
    expect(v1).toEqual({ v: 1, count: 7 });
  });

  test('too old, too new and no version at all are refused with the component, the instance and the versions', () => {
    const W = stateVersions('test device', 5, { minimum: 3, upgrades: { 3: (o) => o, 4: (o) => o } });
    const err = (v: number): SnapshotVersionError => {
      try {
        readState('dev0', W, { v });
      } catch (e) {
        return e as SnapshotVersionError;
      }
      throw new Error('no error');
    };
    expect(err(2)).toBeInstanceOf(SnapshotVersionError);
    expect(err(2).message).toBe("dev0 (test device): the snapshot's state is version 2, older than this build can upgrade; this build reads versions 3 to 5");
    expect(err(6).message).toBe("dev0 (test device): the snapshot's state is version 6, newer than this build; this build reads versions 3 to 5");
    expect(err(Number.NaN).message).toMatch(/has no valid version \(NaN\)/);
    expect([err(6).got, err(6).minimum, err(6).version, err(6).component, err(6).instance]).toEqual([6, 3, 5, 'test device', 'dev0']);
    expect(() => checkVersion('old helper', { v: 2 }, 1)).toThrow("old helper: the snapshot's state is version 2, newer than this build; this build reads version 1");
  });

  test('a declaration without every upgrade step is a programming error, caught at declaration', () => {
    expect(() => stateVersions('x', 3, { minimum: 1, upgrades: { 1: (o) => o } })).toThrow('x: no upgrade step from state version 2 to 3');
    expect(() => stateVersions('x', 2, { minimum: 2, upgrades: { 1: (o) => o } })).toThrow(/outside 2\.\.1/);
    expect(() => stateVersions('x', 1, { minimum: 2 })).toThrow(/bad state versions/);
  });
});

describe('device states and their versions', () => {
  test('CsmaCdMac reads version 1 states (before duplex): upgraded to half duplex only', () => {
    const r = rig();
    const st = new Station(r, 'a', new Hub(r.ctx('hub0')), { fullDuplex: true });
    const v2 = st.mac.saveState();
    expect(v2.v).toBe(CSMA_MAC_STATE.version);
    const { fullDuplexCapable: _dropped, ...rest } = v2;
    const v1 = { ...rest, v: 1 };
    st.mac.loadState(v1);
    expect(st.mac.fullDuplexCapable).toBe(false);
    expect(st.mac.saveState()).toEqual({ ...v2, fullDuplexCapable: false });
  });

  test('too-new states name the device and its component', () => {
    const sim = new Simulation(1);
    const nic = new Ne2000Isa(componentContext(sim, 'alpha', 'alpha.en0'), { mac: MAC_A });
    expect(() => nic.loadState({ ...nic.saveState(), v: 99 } as never)).toThrow(/^alpha\.en0 \(DP8390 core\): the snapshot's state is version 99, newer than this build/);
    const mac0 = new CsmaCdMac(componentContext(sim, 'alpha', 'alpha.mac'), () => undefined);
    expect(() => mac0.loadState({ v: 0 })).toThrow(/^alpha\.mac \(CsmaCdMac\): the snapshot's state is version 0, older than this build can upgrade; this build reads versions 1 to 2$/);
    const board = new Board(componentContext(sim, 'n0', 'n0.board'), { ramBytes: 1 << 20, cpus: 1, interruptController: '8259' });
    expect(() => board.loadState({ ...board.saveState(), v: 2 } as never)).toThrow(/^n0\.board \(board\): .*version 2, newer/);
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    const cable = new Cable(r.ctx('wire0'));
    const sw = new Switch(r.ctx('sw0'));
    expect(() => hub.loadState({ v: 99 })).toThrow(/^hub0 \(hub\)/);
    expect(() => cable.loadState({ v: 99 })).toThrow(/^wire0 \(cable\)/);
    expect(() => sw.loadState({ v: 99 })).toThrow(/^sw0 \(switch\)/);
  });

  test('a medium refuses a state taken with other stations attached', () => {
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    new RawEnd(r, hub, 'a');
    new RawEnd(r, hub, 'b');
    const s = hub.saveState();
    const r2 = rig();
    const other = new Hub(r2.ctx('hub0'));
    new RawEnd(r2, other, 'a');
    new RawEnd(r2, other, 'c');
    expect(() => other.loadState(s)).toThrow("hub0: the snapshot's ports are [a, b], this hub has [a, c]");
  });
});

describe('restoring several parts: the clock and the order of ties', () => {
  /** Two parts, each owning one event; both scheduled at the same time and priority, b first. */
  function world() {
    const q = new EventQueue();
    const log: string[] = [];
    const mk = (name: string) => {
      const ev = new SimEvent(name, () => log.push(name));
      return {
        ev,
        saveState: () => ({ v: 1, at: ev.when }),
        loadState: (s: { v: number }) => {
          const at = (s as { v: number; at: number }).at;
          if (at >= 0) q.schedule(ev, at);
        },
      };
    };
    const a = mk('a');
    const b = mk('b');
    return { q, log, a, b, parts: [['a', a], ['b', b]] as [string, typeof a][] };
  }

  test('restored events fire in the saved order even though the parts load in another', () => {
    const x = world();
    x.q.schedule(x.b.ev, 100);
    x.q.schedule(x.a.ev, 100);
    const snap = saveParts(x.q, x.parts);
    expect(snap.events).toEqual([
      ['b', 100],
      ['a', 100],
    ]);
    const y = world();
    restoreParts(y.q, y.parts, snap); // loads a, then b
    y.q.runUntilIdle();
    expect(y.log).toEqual(['b', 'a']);
  });

  test('a part that forgets an event, or schedules one too many, is caught', () => {
    const x = world();
    x.q.schedule(x.a.ev, 100);
    x.q.schedule(x.b.ev, 200);
    const snap = saveParts(x.q, x.parts);
    const y = world();
    y.b.loadState = () => undefined;
    expect(() => restoreParts(y.q, y.parts, snap)).toThrow('restored events differ from the snapshot\'s (missing: b@200; extra: -)');
    const z = world();
    const stray = new SimEvent('stray', () => undefined);
    z.a.loadState = (s) => {
      z.q.schedule(z.a.ev, (s as { v: number; at: number }).at);
      z.q.schedule(stray, 150);
    };
    expect(() => restoreParts(z.q, z.parts, snap)).toThrow('(missing: -; extra: stray@150)');
  });

  test('the parts must be the snapshot\'s', () => {
    const x = world();
    const snap = saveParts(x.q, x.parts);
    const y = world();
    expect(() => restoreParts(y.q, [['a', y.a]], snap)).toThrow('snapshot parts differ (in the snapshot only: b; here only: -)');
  });

  test('a cable restored mid-collision finishes it as the original did', () => {
    const build = () => {
      const r = rig(3);
      const cable = new Cable(r.ctx('wire0'));
      const a = new Station(r, 'a', cable);
      const b = new Station(r, 'b', cable);
      return { r, cable, a, b };
    };
    const x = build();
    x.a.send(ethFrame(mac(2), mac(1), 60, 1));
    x.b.send(ethFrame(mac(1), mac(2), 60, 2));
    x.r.sim.queue.runUntil(1000); // both transmitting; the collision is detected at 50 ns, the jams end at 3250
    const parts = (w: ReturnType<typeof build>) => [
      ['wire0', w.cable],
      ['a', { saveState: () => ({ v: 1, s: w.a.saveState() }), loadState: (s: { v: number }) => w.a.loadState((s as never as { s: ReturnType<Station['saveState']> }).s) }],
      ['b', { saveState: () => ({ v: 1, s: w.b.saveState() }), loadState: (s: { v: number }) => w.b.loadState((s as never as { s: ReturnType<Station['saveState']> }).s) }],
    ] as const;
    const snap = JSON.parse(JSON.stringify(saveParts(x.r.sim.queue, parts(x))));
    // Saved mid-collision: both signals collided, both senders still jamming.
    const seg = (snap.parts.wire0 as CableState).half;
    expect(seg.signals.map((g) => [g.port, g.collided, g.end])).toEqual([
      [0, true, 50 + 3200],
      [1, true, 50 + 3200],
    ]);
    const mark = x.r.recs.length;
    x.r.sim.queue.runUntilIdle();
    const y = build();
    y.r.recs.length = 0;
    restoreParts(y.r.sim.queue, parts(y), snap);
    y.r.sim.queue.runUntilIdle();
    expect(y.r.recs).toEqual(x.r.recs.slice(mark));
    expect(y.a.received.map((q) => q.frame.pktId)).toEqual([2]);
    expect(y.b.received.map((q) => q.frame.pktId)).toEqual([1]);
  });
});
