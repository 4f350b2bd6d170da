/**
 * A simulated QNX node: a board (emulator/machine/board) with NIC models plugged in (nic-models/), firmware start-up
 * (firmware/), and the Neutrino runtime with io-pkt and utilities (stack/) booting the node's script.
 */
import { componentContext, type ComponentContext } from '../../machine/sim/context';
import { RngFactory, type Rng } from '../../machine/sim/rng';
import type { Time } from '../../machine/sim/time';
import type { Simulation } from '../../machine/sim/simulation';
import { SimEvent } from '../../machine/sim/event';
import { Priority } from '../../machine/sim/priority';
import { Board } from '../../machine/board/board';
import type { SystemPage } from '../../machine/bus/node-bus';
import { runStartup } from '../../../firmware/startup';
import { startupListing } from '../../../firmware/listing';
import { Kernel } from '../../../stack/kernel/kernel';
import { defaultPrograms } from '../../../stack/programs';
import type { NodeSpec } from '../scenario/types';
import { connectNic, type Network } from './network';
import { NodeConsole } from './console';
import { createNic, isaStartupList, type NicInstance } from './nics';

export interface SimNode {
  readonly name: string;
  readonly spec: NodeSpec;
  readonly board: Board;
  readonly nics: NicInstance[];
  readonly console: NodeConsole;
  kernel: Kernel | null;
  syspage: SystemPage | null;
  /** When each boot's kernel started (a power-cycle fault boots the node again: emulator/app/testing/node-faults.ts). */
  readonly bootTimes: Time[];
  /** Schedule power-on (start-up, then the kernel boots and runs the boot script). */
  powerOn(): void;
  /**
   * Power off: the kernel stops for good (stack/kernel/halt.ts) and `kernel` becomes null; a boot still pending
   * is cancelled. The caller resets the hardware before the next powerOn().
   */
  powerOff(): void;
}

/**
 * Virtual time from power-on to the kernel running (BIOS POST and startup-* reduced to one delay), plus a
 * seeded jitter of up to STARTUP_JITTER_NS: real machines never come up in lock step, and it makes a different
 * seed give a different run even where nothing else draws random numbers.
 */
export const STARTUP_NS = 5_000_000;
export const STARTUP_JITTER_NS = 2_000_000;

export function buildNode(sim: Simulation, spec: NodeSpec, network: Network): SimNode {
  const ctx = (name: string) => componentContext(sim, spec.name, `${spec.name}.${name}`);
  const board = new Board(ctx('board'), {
    ramBytes: spec.ramBytes, cpus: spec.cpus, interruptController: spec.interruptController, ...(spec.pci ? { pci: spec.pci } : {}),
  });
  const console = new NodeConsole(spec.name, sim.tracer, sim.queue);
  const power = sim.rngs.stream(`${spec.name}.power-on`);
  const nics: SimNode['nics'] = [];
  spec.nics.forEach((n, i) => {
    if (!network.media.has(n.link) && !network.air.has(n.link)) throw new Error(`node ${spec.name}: no link ${n.link}`);
    const nic = createNic(ctx(`nic${i}`), n);
    const dev = nic.device;
    const r = n.resources;
    if (dev.bus === 'isa' && r.bus === 'isa') {
      // ISA: the card decodes its jumpered ports and drives its IRQ line; the bus times it by the card's side.
      board.mapIsaDevice(`${spec.name}.nic${i}`, r.ioport, dev.ports, dev.window, dev.timing);
      dev.attachIrq(board.isaIrq(r.irq));
    } else if (dev.bus === 'pci' && r.bus === 'pci') {
      // PCI: start-up enumerates it, assigns its BARs and routes its INTx (firmware/startup.ts).
      const { dma } = board.addPciDevice(dev.fn, r.slot ?? undefined);
      dev.attachDma?.(dma);
    }
    connectNic(network, spec.name, nic);
    nics.push(nic);
  });

  const node: SimNode = {
    name: spec.name,
    spec,
    board,
    nics,
    console,
    kernel: null,
    syspage: null,
    bootTimes: [],
    powerOn() {
      sim.queue.schedule(boot, sim.queue.now + STARTUP_NS + power.below(STARTUP_JITTER_NS));
    },
    powerOff() {
      sim.queue.deschedule(boot);
      node.kernel?.halt.stop('off');
      node.kernel = null;
      node.syspage = null;
    },
  };

  const boot = new SimEvent(
    `${spec.name}.boot`,
    () => {
      const isa = isaStartupList(spec);
      const syspage = runStartup(board.ports, {
        cpus: spec.cpus,
        ramBytes: spec.ramBytes,
        interruptController: spec.interruptController,
        isa,
        log: (l) => console.write(`startup: ${l}\n`),
      });
      node.syspage = syspage;
      for (const l of startupListing(syspage)) sim.tracer.emit(spec.name, 'firmware', 'found', 0, { text: l });
      node.bootTimes.push(sim.queue.now);
      const kctx = ctx('procnto');
      // A later boot's kernel and programs draw from streams of their own (a stream is issued once: rng.ts).
      const kernel = new Kernel(node.bootTimes.length === 1 ? kctx : { ...kctx, rngs: new BootRngs(sim.rngs, node.bootTimes.length) }, board.nodeBus(syspage), {
        cpus: spec.cpus,
        programs: defaultPrograms(),
        console: (t) => console.write(t),
        hostname: spec.hostname,
      });
      node.kernel = kernel;
      kernel.boot();
      if (spec.imageFiles.length > 0) kernel.addBootFiles(spec.imageFiles, spec.imageContents);
      kernel.spawn({ argv: ['sh'], script: spec.script, env: { PATH: '/proc/boot:/bin:/usr/bin' } });
    },
    Priority.Scenario,
  );
  return node;
}

/** Random streams of a node's n-th boot (n > 1): the first boot's names with "@boot<n>" appended. */
class BootRngs extends RngFactory {
  constructor(private readonly parent: ComponentContext['rngs'], private readonly boot: number) {
    super(parent.seed);
  }
  override stream(name: string): Rng {
    return this.parent.stream(`${name}@boot${this.boot}`);
  }
}
