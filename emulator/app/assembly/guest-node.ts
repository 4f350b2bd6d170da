/**
 * A guest node: a real Linux kernel under v86 whose NICs are our models (nic-models/), attached through the
 * v86 adapter (emulator/machine/v86/), on the same event queue and media as the simulated QNX nodes. The guest's
 * serial console is the node's console; the scenario's `commands` are typed at its shell.
 *
 * v86 instances are created asynchronously (they load their wasm core and images), scenarios are assembled
 * synchronously: `prepareGuests(scenario)` makes one instance per guest node beforehand (building the guest
 * image if needed) and returns them as `PreparedGuests`, which `assemble` takes in `RunOptions.guests`.
 */
import * as fs from 'node:fs';
import { componentContext } from '../../machine/sim/context';
import { RngFactory } from '../../machine/sim/rng';
import type { Simulation } from '../../machine/sim/simulation';
import type { NodeSpec, Scenario } from '../scenario/types';
import { V86_INITRD_AT } from '../scenario/guest-checks';
import type { NicConfig } from '../../../nic-models/kind';
import { nicKind } from '../../../nic-models/registry';
import { GuestMachine } from '../../machine/v86/guest-machine';
import type { GuestLog } from '../../machine/v86/guest-log';
import { GuestDmaMemory } from '../../machine/v86/guest-dma';
import { ShellDriver } from './shell-driver';
import { V86IsaAttachment } from '../../machine/v86/v86-isa';
import { V86PciAttachment } from '../../machine/v86/v86-pci';
import { createV86, GUEST_EPOCH_MS, type V86Host, type V86Instance } from '../../machine/v86/v86-runtime';
import { ensureGuestImage, GuestBuildError, GUEST_PROMPT, guestCmdline, type GuestImage } from '../guest-image';
import { CliError } from '../cli/errors';
import { connectNic, type Network } from './network';
import { NodeConsole } from './console';
import { createNic, type NicInstance } from './nics';

export interface GuestNode {
  readonly name: string;
  readonly spec: NodeSpec;
  readonly console: NodeConsole;
  readonly machine: GuestMachine;
  readonly shell: ShellDriver;
  readonly nics: NicInstance[];
  /**
   * Guest RAM as a bus master without a function of its own sees it (tests, tools); each PCI NIC gets its own
   * view, gated by its Bus Master Enable bit (V86PciAttachment.dma).
   */
  readonly dma: GuestDmaMemory;
  powerOn(): void;
}

/** Where a guest's CPU comes from: a prepared v86 instance, or a replay log (snapshot restore). */
export type GuestSource = { kind: 'live'; instance: V86Instance } | { kind: 'replay'; log: GuestLog };

/** v86's VGA memory (its linear frame buffer at 0xe0000000): small, the guests have no screen. */
export const GUEST_VGA_BYTES = 2 * 1024 * 1024;

/** PCI device numbers given to guest NICs without a `slot`, avoiding v86's own devices (0, 1, 5, 7, 10–12, 18, 30). */
const FREE_SLOTS = [6, 8, 9, 13, 14, 15, 16, 17, 19, 20];

export function buildGuestNode(sim: Simulation, spec: NodeSpec, network: Network, source: GuestSource): GuestNode {
  const ctx = (name: string) => componentContext(sim, spec.name, `${spec.name}.${name}`);
  const machine = new GuestMachine(ctx('v86'), sim.rngs.stream(`${spec.name}.v86`), { ramBytes: spec.ramBytes, vgaBytes: GUEST_VGA_BYTES });
  // The guest's output is at its CPU's time: inside a quantum the CPU runs ahead of the queue. (Single-threaded,
  // the queue has caught up to it before each serial byte, so this is the queue's time; in a worker thread the
  // serial port does not wait for the world: emulator/machine/parallel/guest-gate.ts.)
  const outputClock = { get now() { return machine.inQuantum ? Math.max(sim.queue.now, machine.guestTime) : sim.queue.now; } };
  const console = new NodeConsole(spec.name, sim.tracer, outputClock);
  const nics: GuestNode['nics'] = [];
  const dma = new GuestDmaMemory(machine);
  const used = new Set(spec.nics.flatMap((n) => (n.resources.bus === 'pci' && n.resources.slot !== null ? [n.resources.slot] : [])));
  spec.nics.forEach((n, i) => {
    if (!network.media.has(n.link) && !network.air.has(n.link)) throw new Error(`node ${spec.name}: no link ${n.link}`);
    const label = `${spec.name}.nic${i}`;
    const nic = createNic(ctx(`nic${i}`), n);
    const dev = nic.device;
    const r = n.resources;
    if (dev.bus === 'isa' && r.bus === 'isa') {
      const att = new V86IsaAttachment(machine, dev.window, r.ioport, dev.ports, r.irq, label, dev.timing);
      dev.attachIrq(att.irqLine);
    } else if (dev.bus === 'pci' && r.bus === 'pci') {
      const slot = r.slot ?? FREE_SLOTS.find((s) => !used.has(s))!;
      used.add(slot);
      const att = new V86PciAttachment(machine, dev.fn, slot, label);
      dev.attachDma?.(att.dma);
    }
    connectNic(network, spec.name, nic);
    nics.push(nic);
  });
  const shell = new ShellDriver(
    ctx('console'),
    GUEST_PROMPT,
    { line: (t) => console.write(t + '\n') },
    (text) => machine.poke(() => machine.v86?.starter.serial0_send(text)),
    spec.guest?.commands ?? [],
    outputClock,
  );
  machine.onSerial((t) => shell.output(t));
  if (source.kind === 'live') machine.bind(source.instance);
  else machine.startReplay(source.log);
  return { name: spec.name, spec, console, machine, shell, nics, dma, powerOn: () => machine.powerOn() };
}

/** The kernel command line for a guest node: its NICs' drivers and addresses (docs/guest-images.md). */
export function guestNodeCmdline(spec: NodeSpec): string {
  const g = spec.guest;
  const { modules, params } = guestNicDrivers(spec);
  return guestCmdline({
    modules,
    params,
    ip: g?.ip ?? [],
    ...(g?.gateway ? { gateway: g.gateway } : {}),
    hostname: spec.hostname,
    // The kernel's crypto self-tests cost ≈3·10⁹ guest instructions (RSA in mpihelp_divrem) and test nothing here.
    extra: ['cryptomgr.notests', ...(g?.cmdline ?? [])],
  });
}

/**
 * The Linux driver of each NIC kind on the node (the kind's `linuxDriver`), loaded in the order the scenario
 * lists the NICs so that eth0 is the first NIC, with the module parameters the kind derives from its cards'
 * resources (ISA `ne`: io=0x300,0x320 irq=5,10).
 */
export function guestNicDrivers(spec: NodeSpec): { modules: string[]; params: Record<string, Record<string, string>> } {
  const byModule = new Map<string, { kind: ReturnType<typeof nicKind>; cfgs: NicConfig[] }>();
  for (const n of spec.nics) {
    const kind = nicKind(n.model);
    const drv = kind.linuxDriver;
    if (!drv) throw new Error(`node ${spec.name}: model ${n.model} has no Linux driver to bind it in a guest`);
    const entry = byModule.get(drv.module) ?? { kind, cfgs: [] };
    entry.cfgs.push({ mac: n.mac, resources: n.resources, fields: n.fields });
    byModule.set(drv.module, entry);
  }
  const params: Record<string, Record<string, string>> = {};
  for (const [module, { kind, cfgs }] of byModule) {
    const p = kind.linuxDriver?.params?.(cfgs);
    if (p && Object.keys(p).length > 0) params[module] = p;
  }
  return { modules: [...byModule.keys()], params };
}

/** Where a guest image comes from (the builder by default; tests and users may give their own). */
export type GuestImageProvider = (opts: { log?: (line: string) => void; signal?: AbortSignal }) => Promise<GuestImage>;

export interface PrepareOptions {
  /** Progress lines of an image build (default: the builder's own display on stderr). */
  log?: (line: string) => void;
  /** Instances per guest node (a test that restores a snapshot several times needs one each). Default 1. */
  count?: number;
  /** The guest image (default: `ensureGuestImage`, built from Debian packages and cached). */
  images?: GuestImageProvider;
  /** Stops an image build (the CLI's Ctrl-C): the promise rejects with GuestBuildInterrupted (guest-image/host.ts). */
  signal?: AbortSignal;
}

/**
 * v86 instances made ahead of assembly, per guest node (v86 starts asynchronously, assembly is synchronous).
 * Hand it to `assemble` in `RunOptions.guests`; each instance is taken once.
 */
export class PreparedGuests {
  private readonly byNode = new Map<string, V86Instance[]>();

  add(name: string, inst: V86Instance): void {
    const list = this.byNode.get(name) ?? [];
    list.push(inst);
    this.byNode.set(name, list);
  }

  /** Take a prepared instance for guest node `name`. */
  take(name: string): V86Instance {
    const inst = this.byNode.get(name)?.shift();
    if (!inst) throw new Error(`node ${name} is a guest: prepare it first (prepareGuests) and pass the result as RunOptions.guests (v86 starts asynchronously)`);
    return inst;
  }

  /** Instances still available for node `name`. */
  left(name: string): number {
    return this.byNode.get(name)?.length ?? 0;
  }
}

/** The files a guest boots from: kernel, initrd, BIOS, VGA BIOS. */
export interface GuestFiles {
  kernel: string;
  initrd: string;
  bios: string;
  vgaBios: string | null;
}

/** Create the v86 instances of every guest node of `scenario` (building the guest image on first use). */
export async function prepareGuests(scenario: Scenario, opts: PrepareOptions = {}): Promise<PreparedGuests> {
  const out = new PreparedGuests();
  for (const [spec, files] of await guestFiles(scenario, opts))
    for (let i = 0; i < (opts.count ?? 1); i++) out.add(spec.name, await createGuestV86(spec, files, scenario.seed));
  return out;
}

/** Each guest node of `scenario` with the files it boots from (the guest image is built on first use). */
export async function guestFiles(scenario: Scenario, opts: PrepareOptions = {}): Promise<[NodeSpec, GuestFiles][]> {
  const guests = scenario.nodes.filter((n) => n.kind === 'guest');
  const images = opts.images ?? ensureGuestImage;
  let image: GuestImage | null = null;
  const out: [NodeSpec, GuestFiles][] = [];
  for (const spec of guests) {
    const g = spec.guest!;
    if (!g.kernel || !g.initrd || !g.bios || !g.vgaBios) image ??= await imageFor(scenario, guests, images, opts);
    const files = {
      kernel: g.kernel ?? image!.kernel,
      initrd: g.initrd ?? image!.initrd,
      bios: g.bios ?? image!.bios,
      vgaBios: g.vgaBios ?? image?.vgaBios ?? null,
    };
    checkInitrdFits(scenario, spec, files.initrd);
    out.push([spec, files]);
  }
  return out;
}

/**
 * The guest's memory must hold its initrd where v86 puts it (at 64 MiB): a smaller one made v86 throw while it built
 * the machine. One line naming the node and the memory it needs instead. (The kernel then needs room to unpack it
 * too: the built image's 22 MiB archive unpacks with 100M and fails with 99M; a run whose guest says so fails with
 * its own line: emulator/app/testing/guest-boot.ts. The default 128M is enough.)
 */
function checkInitrdFits(scenario: Scenario, spec: NodeSpec, initrd: string): void {
  let size: number;
  try {
    size = fs.statSync(initrd).size;
  } catch {
    return; // v86's own loading reports a file it cannot read
  }
  if (V86_INITRD_AT + size <= spec.ramBytes) return;
  const need = Math.ceil((V86_INITRD_AT + size) / 2 ** 20);
  throw new CliError(
    scenario.file,
    `nodes.${spec.name}.memory: ${spec.ramBytes / 2 ** 20}M cannot hold the guest's initrd (${(size / 2 ** 20).toFixed(1)} MiB, which v86 loads at 64M): give it at least ${need}M, and room to unpack it (128M, the default, holds the built image)`,
  );
}

/**
 * The image from `images`; a build that cannot be done here (no apt, offline, a tool killed) becomes one line naming
 * the scenario and its guest nodes (CliError: `qnxemu run`, `debug`, `test`, `console` print it as it is).
 */
async function imageFor(scenario: Scenario, guests: NodeSpec[], images: GuestImageProvider, opts: PrepareOptions): Promise<GuestImage> {
  try {
    return await images({ ...(opts.log ? { log: opts.log } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (e) {
    if (!(e instanceof GuestBuildError)) throw e;
    const names = guests.filter((n) => !n.guest?.kernel || !n.guest.initrd || !n.guest.bios || !n.guest.vgaBios).map((n) => n.name);
    const err = new CliError(
      scenario.file,
      `${names.join(', ')} (kind: guest) ${names.length === 1 ? 'needs' : 'need'} the guest image, which cannot be built here: ${e.problem} ` +
        `(docs/guest-images.md "Host requirements and errors"; \`qnxemu guest build\` says what is missing)`,
    );
    err.cause = e;
    throw err;
  }
}

function arrayBuffer(file: string): { buffer: ArrayBuffer } {
  const b = fs.readFileSync(file);
  return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
}

export async function createGuestV86(spec: NodeSpec, files: GuestFiles, seed: number): Promise<V86Instance> {
  // What v86 reads while it builds its devices (the RTC's date, any random draw): fixed, so every instance
  // of this node starts identical. The node's own clock and random stream take over at power-on.
  const rng = new RngFactory(seed).stream(`${spec.name}.v86-construct`);
  const host: V86Host = {
    microtick: () => 0,
    dateNow: () => GUEST_EPOCH_MS,
    random: () => rng.float(),
    fillRandom: (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength).forEach((_, i, a) => (a[i] = rng.u32() & 0xff)),
  };
  return createV86(
    {
      memory_size: spec.ramBytes,
      vga_memory_size: GUEST_VGA_BYTES,
      bios: arrayBuffer(files.bios),
      ...(files.vgaBios ? { vga_bios: arrayBuffer(files.vgaBios) } : {}),
      bzimage: arrayBuffer(files.kernel),
      initrd: arrayBuffer(files.initrd),
      cmdline: guestNodeCmdline(spec),
      autostart: false,
      disable_jit: spec.guest?.jit === false,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      acpi: false,
      // No v86 NIC: the guest's NICs are ours. ('none' matches neither of v86's NIC types.)
      net_device: { type: 'none' },
    },
    host,
  );
}
