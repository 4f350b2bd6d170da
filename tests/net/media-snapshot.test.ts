/**
 * Snapshots of the gigabit media: the generic checks (save → load → save; run 2N ≡ run N, save, restore, run N)
 * over worlds with negotiating PHYs, per-port rates and PAUSE, and the upgrade of version-1 media states.
 */
import { componentContext, type Simulation } from '../../emulator/machine/sim';
import type { SnapshotPart } from '../../emulator/machine/sim/snapshot';
import { Mode } from '../../emulator/machine/net/autoneg';
import { Cable, CABLE_STATE } from '../../emulator/machine/net/cable';
import { StaticEndpoint } from '../../emulator/machine/net/endpoints';
import { Hub, HUB_STATE } from '../../emulator/machine/net/hub';
import { Switch, SWITCH_STATE } from '../../emulator/machine/net/switch';
import { snapshotChecks, Traffic, part, worldBase, type BuildWorld, type World } from '../sim/snapshot-harness';
import { Schedule } from '../sim/worlds/media';
import { BROADCAST, Station, ethFrame, mac, rig, type Rig } from './helpers';

function rigOf(sim: Simulation): Rig {
  return {
    sim,
    recs: [],
    ctx: (name, node = '') => componentContext(sim, node, name),
    at: () => {
      throw new Error('worlds schedule through parts');
    },
    find: () => [],
  };
}

interface Spec {
  name: string;
  /** A PHY (StaticEndpoint) with these modes; absent: a DP8390-like station. */
  modes?: number;
  pause?: boolean;
}

function world(seed: number, medium: (sim: Simulation) => Switch | Cable | Hub, specs: Spec[], opts: { count: number; gap: number; restart?: string; mustSee: string[] }): World {
  const b = worldBase(seed);
  const m = medium(b.sim);
  const r = rigOf(b.sim);
  const eps = new Map<string, StaticEndpoint>();
  const st = specs.map((s) => {
    if (s.modes === undefined) return new Station(r, s.name, m);
    const ep = new StaticEndpoint({ modes: s.modes, pause: s.pause ?? false }, { timeScale: 0.001 });
    eps.set(s.name, ep);
    return new Station(r, s.name, m, { fullDuplex: true, autoneg: ep, pause: s.pause ?? false });
  });
  b.tapAll(m);
  const parts: [string, SnapshotPart][] = st.map((s) => [s.name, part(s)]);
  parts.push([m.name, m]);
  const starts: (() => void)[] = [];
  if (opts.restart) {
    const ep = eps.get(opts.restart)!;
    const sch = new Schedule(b.sim, `${m.name}.renegotiate`, [[3_200_000, () => ep.restart()]]);
    parts.push([`${m.name}.renegotiate`, sch]);
    starts.push(() => sch.start());
  }
  const n = st.length;
  const traffic = new Traffic(b.sim, `${m.name}.traffic`, n, opts.count, opts.gap, (i, k) => {
    const dst = k % 7 === 6 ? BROADCAST : mac(((i + 1) % n) + 1);
    st[i]!.send(ethFrame(dst, mac(i + 1), 60 + ((k * 331) % 1455), k + 1));
  });
  parts.push(['traffic', traffic]);
  starts.push(() => traffic.start());
  const busy = (): boolean => b.sim.queue.list().some((e) => e.name.startsWith(`${m.name}.`) && !e.name.endsWith('.renegotiate'));
  return { ...b, parts, start: () => starts.forEach((f) => f()), busy, mustSee: opts.mustSee };
}

const worlds: Record<string, BuildWorld> = {
  'switch: two gigabit PHYs with PAUSE and a 10 Mb/s DP8390 station, flow control, a renegotiation': (seed) =>
    world(
      seed,
      (sim) => new Switch(componentContext(sim, '', 'sw0'), { queueFrames: 8 }),
      [{ name: 'g1', modes: 0x3f, pause: true }, { name: 'g2', modes: 0x3f, pause: true }, { name: 'ne' }],
      { count: 400, gap: 12_000, restart: 'g2', mustSee: ['autoneg/negotiated', 'autoneg/link-up', 'autoneg/restart', 'switch/xoff', 'switch/xon', 'wire/deliver'] },
    ),
  'cable: two 1000BASE-T half-duplex PHYs colliding (carrier extension)': (seed) =>
    world(seed, (sim) => new Cable(componentContext(sim, '', 'wire0')), [{ name: 'a', modes: Mode.T1000H }, { name: 'b', modes: Mode.T1000H }], {
      count: 300,
      gap: 6_000,
      restart: 'a',
      mustSee: ['autoneg/link-up', 'wire/collision', 'mac/backoff', 'wire/deliver'],
    }),
  'hub: a PHY parallel-detecting 10BASE-T among DP8390 stations': (seed) =>
    world(seed, (sim) => new Hub(componentContext(sim, '', 'hub0')), [{ name: 'p', modes: 0x3f }, { name: 'n1' }, { name: 'n2' }], {
      count: 120,
      gap: 60_000,
      mustSee: ['autoneg/link-up', 'wire/collision', 'wire/deliver'],
    }),
};

describe.each(Object.entries(worlds))('%s', (_name, build) => {
  snapshotChecks(build, { seed: 7, at: [1 / 10, 1 / 2, 4 / 5], minEvents: 200, busyAtCuts: false });
});

describe('version-1 media states load into this build', () => {
  /** A v2 state with the fields version 2 added removed, as an older build wrote it. */
  const legacyWorld = () => {
    const r = rig(4);
    const cable = new Cable(r.ctx('wire0'));
    const sw = new Switch(r.ctx('sw0'));
    const hub = new Hub(r.ctx('hub0'));
    const s = [new Station(r, 'a', cable, { fullDuplex: true }), new Station(r, 'b', cable, { fullDuplex: true })];
    const t = [new Station(r, 'c', sw, { fullDuplex: true }), new Station(r, 'd', sw)];
    const u = [new Station(r, 'e', hub), new Station(r, 'f', hub)];
    s[0]!.send(ethFrame(mac(2), mac(1), 1514, 1));
    t[0]!.send(ethFrame(BROADCAST, mac(3), 1514, 2));
    u[0]!.send(ethFrame(mac(6), mac(5), 1514, 3));
    r.sim.queue.runUntil(100_000);
    return { r, cable, sw, hub };
  };

  test('cable, switch, hub: v1 → v2 keeps the link, the duplex and what is on the wire', () => {
    const x = legacyWorld();
    const cable2 = x.cable.saveState();
    const { rate: _r, neg: _n, traced: _t, ...cable1 } = cable2;
    const hub2 = x.hub.saveState();
    const { bitRate: _b, ...hub1rest } = hub2;
    const hub1 = { ...hub1rest, ports: hub1rest.ports.map(({ neg: _x, ...p }) => p) };
    const sw2 = x.sw.saveState();
    const sw1 = {
      ...sw2,
      ports: sw2.ports.map(({ rate: _a, neg: _b2, from: _c, ctrl: _d, pause: _e, counters: _f, held: _g, heldBytes: _h, xoff: _i, refresh: _j, traced: _k, ...p }) => ({
        ...p,
        seg: (({ bitRate: _z, ...h }) => ({ ...h, v: 1 }))(p.seg),
      })),
    };
    expect([CABLE_STATE.version, SWITCH_STATE.version, HUB_STATE.version]).toEqual([2, 2, 2]);
    const y = legacyWorld();
    const { bitRate: _z, ...half1 } = cable1.half;
    y.cable.loadState({ ...cable1, half: { ...half1, v: 1 }, v: 1 } as { v: number });
    y.hub.loadState({ ...hub1, v: 1 });
    y.sw.loadState({ ...sw1, v: 1 });
    expect(y.cable.linkUp()).toBe(true);
    expect(y.sw.portInfo('d')).toMatchObject({ up: true, speedMbps: 10, fullDuplex: false });
    // what a v1 state holds comes back the same; the v2 fields take their pre-negotiation values
    const c = y.cable.saveState();
    expect({ ...c, neg: null }).toEqual({ ...cable2, neg: null });
    expect(c.neg).toMatchObject({ connected: true, phase: 'up', at: -1 });
    expect(y.hub.saveState()).toEqual(hub2);
    const s = y.sw.saveState();
    expect(s.table).toEqual(sw2.table);
    expect(s.ports.map((p) => [p.name, p.up, p.full, p.outq, p.egress, p.neg.phase])).toEqual(sw2.ports.map((p) => [p.name, p.up, p.full, p.outq, p.egress, 'up']));
  });
});
