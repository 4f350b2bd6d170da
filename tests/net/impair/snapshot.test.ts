/**
 * Impairments in the generic snapshot checks (tests/sim/snapshot-harness.ts): frames held mid-flight, the
 * streams' states, Gilbert-Elliott state and reorder counters all survive save → load into a twin, and "run 2N"
 * equals "run N, save, restore, run N".
 */
import { componentContext, type Simulation } from '../../../emulator/machine/sim';
import { Cable } from '../../../emulator/machine/net/cable';
import { LinkFaults } from '../../../emulator/machine/net/fault';
import { Hub } from '../../../emulator/machine/net/hub';
import { Impairments } from '../../../emulator/machine/net/impair/impairments';
import { Switch } from '../../../emulator/machine/net/switch';
import { BROADCAST, Station, ethFrame, mac, type Rig } from '../helpers';
import { part, snapshotChecks, Traffic, worldBase, type World } from '../../sim/snapshot-harness';
import { impair } from './fixture';

function rigOf(sim: Simulation): Rig {
  return { sim, recs: [], ctx: (name, node = '') => componentContext(sim, node, name), at: () => undefined, find: () => [] };
}

function impairedWorld(seed: number, medium: (sim: Simulation) => Hub | Cable | Switch, specs: { name: string; fullDuplex?: boolean }[]): World {
  const b = worldBase(seed);
  const m = medium(b.sim);
  const r = rigOf(b.sim);
  const st = specs.map((s) => new Station(r, s.name, m, { fullDuplex: s.fullDuplex ?? false }));
  b.tapAll(m);
  const lf = new LinkFaults(componentContext(b.sim, '', `${m.name}.fault`), m);
  lf.addFrameFault('loss', 'loss', null, 0.1).active = true;
  const imp = new Impairments(componentContext(b.sim, '', `${m.name}.impair`), m);
  imp.set(null, impair({ delayNs: 200_000, rateBps: 4_000_000, overheadBytes: 20, limit: 4 }));
  imp.set(specs[1]!.name, impair({
    delayNs: 300_000,
    jitterNs: 150_000,
    distribution: 'normal',
    correlation: 0.3,
    loss: { model: 'gilbert-elliott', p: 0.1, r: 0.5, lossBad: 1, lossGood: 0 },
    duplicate: 0.1,
    reorder: { probability: 0.2, gap: 2 },
    corrupt: 0.1,
  }));
  const n = st.length;
  const traffic = new Traffic(b.sim, `${m.name}.traffic`, n, 200, 40_000, (i, k) => {
    const dst = k % 4 === 3 ? BROADCAST : mac(((i + 1) % n) + 1);
    st[i]!.send(ethFrame(dst, mac(i + 1), 60 + ((k * 131) % 300), k + 1));
  });
  const parts: World['parts'] = [...st.map((s) => [s.name, part(s)] as World['parts'][number]), [m.name, m], [`${m.name}.fault`, lf], [`${m.name}.impair`, imp], ['traffic', traffic]];
  const busy = (): boolean => b.sim.queue.list().some((e) => e.name.startsWith(`${m.name}.impair.`));
  return { ...b, parts, start: () => traffic.start(), busy, mustSee: ['impair/hold', 'impair/loss', 'impair/duplicate', 'impair/reorder', 'impair/corrupt', 'impair/queue-full', 'fault/loss', 'wire/deliver'] };
}

const checks = { seed: 11, at: [0.2, 0.5, 0.8], minEvents: 800 };

describe('impairments: snapshot round trips with frames held', () => {
  describe('hub', () => {
    snapshotChecks((seed) => impairedWorld(seed, (sim) => new Hub(componentContext(sim, '', 'hub0')), [{ name: 'a' }, { name: 'b' }, { name: 'c' }]), checks);
  });
  describe('cable, full duplex', () => {
    snapshotChecks(
      (seed) =>
        impairedWorld(seed, (sim) => new Cable(componentContext(sim, '', 'wire0')), [
          { name: 'a', fullDuplex: true },
          { name: 'b', fullDuplex: true },
        ]),
      checks,
    );
  });
  describe('switch, a half-duplex port among full-duplex ones', () => {
    snapshotChecks(
      (seed) =>
        impairedWorld(seed, (sim) => new Switch(componentContext(sim, '', 'sw0')), [
          { name: 'a', fullDuplex: true },
          { name: 'b' },
          { name: 'c', fullDuplex: true },
        ]),
      checks,
    );
  });
});
