/** Simulated QNX nodes (real Kernel on a FakeBus) with io-pkt and a fake NIC each, joined by test wires. */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import type { ProgramMain } from '../../stack/kernel/api';
import { Kernel } from '../../stack/kernel/kernel';
import type { LoadableModule } from '../../stack/io-pkt/driver-api';
import { makeIoPkt, IOPKT_LOCAL_KEY } from '../../stack/io-pkt/main';
import type { IoPktProcess } from '../../stack/io-pkt/process';
import { netPrograms } from '../../stack/net-programs';
import { shellPrograms } from '../../stack/shell/utils/index';
import { FakeBus } from '../kernel/helpers';
import { createShim } from '../../stack/drivers/shim/shim';
import { FakeNic, fakeDriver, fakeLegacy } from './fake-net';

export interface TestNode {
  name: string;
  bus: FakeBus;
  nics: FakeNic[];
  k: Kernel;
  out: string[];
  modules: Record<string, LoadableModule>;
  console(): string;
  run(lines: string[]): number;
  /** The io-pkt process state of the first io-pkt started (white-box checks). */
  iopkt(): IoPktProcess;
}

export function mac(n: number): Uint8Array {
  return new Uint8Array([0x00, 0x50, 0xc2, 0x00, 0x00, n]);
}

export function makeNode(sim: Simulation, name: string, opts: { nics?: number; cpus?: number; macBase?: number; extraModules?: Record<string, LoadableModule>; withShim?: boolean; programs?: Record<string, ProgramMain> } = {}): TestNode {
  const cpus = opts.cpus ?? 1;
  const bus = new FakeBus('8259', cpus);
  const nics: FakeNic[] = [];
  for (let i = 0; i < (opts.nics ?? 1); i++) nics.push(new FakeNic(`${name}.nic${i}`, mac((opts.macBase ?? 1) + i), bus, 5 + i, sim.queue));
  const modules: Record<string, LoadableModule> = {
    'devnp-fake.so': fakeDriver(() => nics),
    'devn-oldfake.so': fakeLegacy(() => nics),
    ...(opts.withShim ? { 'devnp-shim.so': createShim((n) => modules[n]) } : {}),
    ...(opts.extraModules ?? {}),
  };
  const iopkt = (v: 'io-pkt-v4' | 'io-pkt-v4-hc' | 'io-pkt-v6-hc') => makeIoPkt(v, () => modules);
  const programs = new Map<string, ProgramMain>(Object.entries({
    ...shellPrograms, ...netPrograms,
    'io-pkt-v4': iopkt('io-pkt-v4'), 'io-pkt-v4-hc': iopkt('io-pkt-v4-hc'), 'io-pkt-v6-hc': iopkt('io-pkt-v6-hc'),
    ...(opts.programs ?? {}),
  }));
  const out: string[] = [];
  const k = new Kernel(componentContext(sim, name, `${name}.procnto`), bus, { cpus, programs, console: (t) => out.push(t) });
  k.boot();
  const node: TestNode = {
    name, bus, nics, k, out, modules,
    console: () => out.join(''),
    run: (lines) => k.spawn({ argv: ['sh'], script: lines.map((text, i) => ({ text, line: i + 1, file: 'test' })) }),
    iopkt: () => {
      for (const p of k.procs.list()) {
        const x = p.local.get(IOPKT_LOCAL_KEY);
        if (x) return x;
      }
      throw new Error(`${name}: no io-pkt running`);
    },
  };
  return node;
}

export function newSim(seed = 1): Simulation {
  return new Simulation(seed);
}
