/** Worlds for the generic snapshot test: each medium with CSMA/CD stations, frames in flight, collisions and faults. */
import { componentContext, SimEvent, Priority, type Simulation } from '../../../emulator/machine/sim';
import type { SnapshotPart } from '../../../emulator/machine/sim/snapshot';
import { Cable } from '../../../emulator/machine/net/cable';
import { Hub } from '../../../emulator/machine/net/hub';
import { Switch } from '../../../emulator/machine/net/switch';
import { LinkFaults } from '../../../emulator/machine/net/fault';
import { BROADCAST, Station, ethFrame, mac, type Rig } from '../../net/helpers';
import { Traffic, part, worldBase, type World } from '../snapshot-harness';

/** Runs fixed actions at fixed times (link faults); its state is how far it got. */
export class Schedule implements SnapshotPart {
  private next = 0;
  private readonly ev: SimEvent;
  constructor(private readonly sim: Simulation, name: string, private readonly steps: readonly [number, () => void][]) {
    this.ev = new SimEvent(name, () => this.fire(), Priority.Scenario);
  }
  start(): void {
    if (this.steps[0]) this.sim.queue.schedule(this.ev, this.steps[0][0]);
  }
  private fire(): void {
    this.steps[this.next++]![1]();
    const s = this.steps[this.next];
    if (s) this.sim.queue.schedule(this.ev, s[0]);
  }
  saveState(): { v: 1; next: number; at: number } {
    return { v: 1, next: this.next, at: this.ev.when };
  }
  loadState(saved: { v: number }): void {
    const s = saved as ReturnType<Schedule['saveState']>;
    this.next = s.next;
    this.sim.queue.deschedule(this.ev);
    if (s.at >= 0) this.sim.queue.schedule(this.ev, s.at);
  }
}

/** A Rig as the net helpers want it, over a world's simulation. */
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

interface StationSpec {
  name: string;
  fullDuplex?: boolean;
}

/** Stations on `medium`, traffic among them (unicast to the next station, every fifth frame broadcast), faults. */
function stationsWorld(
  seed: number,
  medium: (sim: Simulation) => Hub | Cable | Switch,
  specs: StationSpec[],
  opts: { count: number; gap: number; faults?: boolean; flap?: string; mustSee: string[] },
): World {
  const b = worldBase(seed);
  const m = medium(b.sim);
  const r = rigOf(b.sim);
  const st = specs.map((s) => new Station(r, s.name, m, { fullDuplex: s.fullDuplex ?? false }));
  b.tapAll(m);
  const parts: [string, SnapshotPart][] = st.map((s) => [s.name, part(s)]);
  parts.push([m.name, m]);
  const starts: (() => void)[] = [];
  if (opts.faults) {
    const lf = new LinkFaults(componentContext(b.sim, '', `${m.name}.faults`), m);
    for (const s of specs) lf.knownPorts.add(s.name);
    lf.addFrameFault('loss', 'loss', null, 0.15).active = true;
    lf.addFrameFault('corrupt', 'corrupt', [specs[0]!.name], 0.3).active = true;
    parts.push([`${m.name}.faults`, lf]);
    if (opts.flap) {
      const ports = m instanceof Cable ? null : [opts.flap];
      const sch = new Schedule(b.sim, `${m.name}.flap`, [
        [300_000, () => lf.down(ports, 'test')],
        [900_000, () => lf.up(ports, 'test')],
      ]);
      parts.push([`${m.name}.flap`, sch]);
      starts.push(() => sch.start());
    }
  }
  const n = st.length;
  const traffic = new Traffic(b.sim, `${m.name}.traffic`, n, opts.count, opts.gap, (i, k) => {
    const dst = k % 5 === 4 ? BROADCAST : mac(((i + 1) % n) + 1);
    st[i]!.send(ethFrame(dst, mac(i + 1), 60 + ((k * 97) % 400), k + 1));
  });
  parts.push(['traffic', traffic]);
  starts.push(() => traffic.start());
  // Busy: one of the medium's own events is pending (a frame serializing or propagating, carrier, a jam).
  const busy = (): boolean => b.sim.queue.list().some((e) => e.name.startsWith(`${m.name}.`) && !e.name.endsWith('.flap'));
  return { ...b, parts, start: () => starts.forEach((f) => f()), busy, mustSee: opts.mustSee };
}

export const mediaWorlds: Record<string, (seed: number) => World> = {
  'hub: three stations colliding, loss and corruption, a port down for a while': (seed) =>
    stationsWorld(seed, (sim) => new Hub(componentContext(sim, '', 'hub0')), [{ name: 'a' }, { name: 'b' }, { name: 'c' }], {
      count: 40,
      gap: 40_000,
      faults: true,
      flap: 'b',
      mustSee: ['wire/collision', 'mac/backoff', 'mac/defer', 'fault/loss', 'fault/corrupt', 'fault/down', 'fault/up', 'wire/deliver'],
    }),
  'cable, half duplex: two DP8390-like ends colliding, faults, the cable pulled for a while': (seed) =>
    stationsWorld(seed, (sim) => new Cable(componentContext(sim, '', 'wire0')), [{ name: 'a' }, { name: 'b' }], {
      count: 30,
      gap: 30_000,
      faults: true,
      flap: 'a',
      mustSee: ['wire/collision', 'mac/backoff', 'mac/defer', 'fault/loss', 'fault/down', 'mac/carrier-lost', 'wire/deliver'],
    }),
  'cable, full duplex: a long cable with several frames in flight each way': (seed) =>
    stationsWorld(
      seed,
      (sim) => new Cable(componentContext(sim, '', 'wire0'), { propagationNs: 300_000 }),
      [
        { name: 'a', fullDuplex: true },
        { name: 'b', fullDuplex: true },
      ],
      { count: 80, gap: 70_000, mustSee: ['wire/deliver'] },
    ),
  'switch: full- and half-duplex ports, collisions on the half ones, short queues, faults, a port down': (seed) =>
    stationsWorld(
      seed,
      (sim) => new Switch(componentContext(sim, '', 'sw0'), { queueFrames: 2 }),
      [{ name: 'a', fullDuplex: true }, { name: 'b' }, { name: 'c', fullDuplex: true }, { name: 'd' }],
      {
        count: 60,
        gap: 25_000,
        faults: true,
        flap: 'c',
        mustSee: ['wire/collision', 'mac/defer', 'switch/flood', 'switch/forward', 'wire/drop:queue-full', 'wire/drop:link-down', 'fault/loss'],
      },
    ),
};
