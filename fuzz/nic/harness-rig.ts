/**
 * A NIC fuzz rig: one device of a registered kind built and plugged in as the assembler does
 * (emulator/app/assembly/nics.ts `createNic`, board.ts for PCI), with real board pieces around it — a PCI
 * configuration space programmed as firmware start-up leaves it (BARs assigned, I/O, memory and bus-master
 * decode on), RAM behind a `PciBusMaster` (Bus Master Enable and master aborts as on the board) that the device
 * reaches through a `DmaTap` (harness-dma.ts: every transfer reported to the harness), an interrupt
 * `Wire`, and a real medium (a `Cable`, or a `WirelessChannel` for wireless kinds) whose far end is a peer
 * station: `rx` ops make the peer send, and what the device sends reaches the peer and is kept (bounded).
 *
 * Accesses decode as on the board (emulator/machine/board/address-space.ts): an access wholly inside a window
 * goes to the handler; one straddling its end is split into bytes and the bytes past it read open bus; one past
 * the end reads open bus. A PCI BAR decodes only while its space's command bit is on (PCI 3.0 §6.2.2). Reads
 * return the handler's raw value so the harness can check a model never answers out of range.
 */
import type { IsaNicDevice, NicDevice, NicKind, PciNicDevice } from '../../nic-models/kind';
import type { AccessSize, RegisterHandler } from '../../emulator/machine/bus/types';
import { openBus } from '../../emulator/machine/bus/types';
import { Wire } from '../../emulator/machine/bus/wire';
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { PhysicalMemory } from '../../emulator/machine/board/ram';
import { PciBusMaster } from '../../emulator/machine/board/dma';
import { PCI_BAR0, PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PciConfigSpace } from '../../emulator/machine/board/pci-config';
import type { NicOp, NicRig } from './harness';
import { DMA_RAM_BYTES, MAX_EVENTS_PER_RUN } from './harness-limits';
import { attachPeer, type Peer } from './harness-peer';
import { hexToBytes } from './hex';
import { DmaTap } from './harness-dma';

/** The rig's station address (a locally administered unicast MAC) and the card's ISA jumpers. */
export const RIG_MAC = Uint8Array.of(0x02, 0x00, 0x5e, 0x10, 0x20, 0x30);
export const RIG_ISA = { ioport: 0x300, irq: 5 } as const;
/** Where firmware start-up would put PCI BARs (I/O from 0xc000, memory from 0xf000_0000, each aligned to its size). */
const PCI_IO_BASE = 0xc000;
const PCI_MEM_BASE = 0xf000_0000;
/** Frames of the device kept for checks (the rest are only counted). */
const KEEP_TX = 4;

interface Window {
  space: 'io' | 'mem';
  base: number;
  size: number;
  handler: RegisterHandler;
}

export class FuzzRig implements NicRig {
  readonly sim: Simulation;
  readonly device: NicDevice;
  private memory: PhysicalMemory | null;
  readonly transmitted: Uint8Array[] = [];
  txCount = 0;
  /** Events the last `run` op executed, and whether it stopped at MAX_EVENTS_PER_RUN. */
  lastRunEvents = 0;
  runaway = false;
  /** Frames `rx` ops could not send because the peer was still sending the previous one. */
  rxDeferred = 0;
  lastOp: NicOp | undefined = undefined;
  lastResult: number | undefined = undefined;
  lastDecoded = false;
  readonly config: PciConfigSpace | null;
  private readonly irq = new Wire('fuzz.irq');
  private readonly windows: Window[];
  private readonly master: PciBusMaster | null;
  /** The device's bus master as the harness sees it: every transfer reported (harness-dma.ts); null without DMA. */
  readonly tap: DmaTap | null;
  private readonly peer: Peer;

  /**
   * `startNs`: the clock's start (a snapshot twin starts where the original is). `twin`: a rig built only to load
   * a snapshot into (no host RAM).
   */
  constructor(readonly kind: NicKind, simSeed: number, fields: Readonly<Record<string, unknown>> = {}, opts: { startNs?: number; twin?: boolean } = {}) {
    const startNs = opts.startNs ?? 0;
    this.sim = new Simulation(simSeed);
    if (startNs > 0) this.sim.queue.setNow(startNs);
    const ctx = componentContext(this.sim, 'fuzz', 'fuzz.nic0');
    this.memory = null;
    if (kind.bus === 'isa') {
      const dev: IsaNicDevice = kind.create(ctx, { mac: RIG_MAC, resources: { bus: 'isa', ...RIG_ISA }, fields: { ...RIG_ISA, ...fields } });
      dev.attachIrq(this.irq);
      this.device = dev;
      this.config = null;
      this.master = null;
      this.tap = null;
      this.windows = [{ space: 'io', base: RIG_ISA.ioport, size: dev.ports, handler: dev.window }];
    } else {
      const dev: PciNicDevice = kind.create(ctx, { mac: RIG_MAC, resources: { bus: 'pci', slot: 2 }, fields: { slot: 2, ...fields } });
      const cs = new PciConfigSpace(dev.fn, '00:02.0');
      dev.fn.attachConfig?.(cs);
      dev.fn.attachBus?.({ clockMhz: 33, slotWidth: 32 });
      dev.fn.attachIntx(this.irq);
      // RAM where the device can master the bus (a twin only loads a snapshot: it gets a token page); a device
      // that cannot never reads it, and gets it when a `dma` op first writes it.
      if (dev.attachDma) {
        const ram = new PhysicalMemory(componentContext(this.sim, 'fuzz', 'fuzz.ram'), opts.twin === true ? 4096 : DMA_RAM_BYTES);
        if (opts.twin !== true) this.memory = ram;
        this.master = new PciBusMaster(componentContext(this.sim, 'fuzz', 'fuzz.dma'), ram, () => cs, 'nic0');
        this.tap = new DmaTap(this.master);
        dev.attachDma(this.tap);
      } else {
        this.master = null;
        this.tap = null;
      }
      this.device = dev;
      this.config = cs;
      this.windows = firmwareAssign(cs);
    }
    this.peer = attachPeer(this.sim, kind, this.device, (f) => this.sent(f));
  }

  /** Host memory (DMA_RAM_BYTES); for a device that cannot master the bus, allocated when first used. */
  get ram(): Uint8Array {
    if (!this.memory) this.memory = new PhysicalMemory(componentContext(this.sim, 'fuzz', 'fuzz.ram'), DMA_RAM_BYTES);
    return this.memory.bytes;
  }

  get dmaOutside(): number {
    return this.master?.aborts ?? 0;
  }
  get irqLevel(): boolean {
    return this.irq.level;
  }

  bar(i: number): { space: 'io' | 'mem'; base: number; size: number } | undefined {
    const w = this.windows[i];
    if (!w) return undefined;
    const base = this.config ? this.config.barBase(i) : w.base;
    return { space: w.space, base, size: w.size };
  }

  apply(op: NicOp): number {
    this.lastOp = op;
    this.lastResult = 0;
    this.lastDecoded = false;
    return (this.lastResult = this.perform(op));
  }

  private perform(op: NicOp): number {
    switch (op.op) {
      case 'rd':
        return op.space === 'cfg' ? this.cfgRead(op.off, op.size) : this.read(op.space, op.bar, op.off, op.size);
      case 'wr':
        if (op.space === 'cfg') this.config?.write(op.off & 0xff, op.size, op.value);
        else this.write(op.space, op.bar, op.off, op.size, op.value);
        return 0;
      case 'dma': {
        const bytes = hexToBytes(op.hex);
        const n = Math.max(0, Math.min(bytes.length, this.ram.length - op.addr));
        if (op.addr >= 0 && n > 0) this.ram.set(bytes.subarray(0, n), op.addr);
        return 0;
      }
      case 'rx':
        if (!this.peer.send(hexToBytes(op.hex))) this.rxDeferred++;
        return 0;
      case 'run':
        this.run(op.ns);
        return 0;
      case 'irq-ack':
        return this.irq.level ? 1 : 0;
    }
  }

  /** Lets `ns` of virtual time pass, running at most MAX_EVENTS_PER_RUN events (more sets `runaway`). */
  private run(ns: number): void {
    const q = this.sim.queue;
    let n = 0;
    const until = q.now + Math.max(0, Math.floor(ns));
    const ran = q.runUntil(until, () => ++n >= MAX_EVENTS_PER_RUN);
    this.lastRunEvents = ran;
    this.runaway = ran >= MAX_EVENTS_PER_RUN && (q.peekTime() ?? Infinity) <= until;
  }

  private decodes(w: Window): boolean {
    if (!this.config) return true;
    return (this.config.command & (w.space === 'io' ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) !== 0;
  }

  private target(space: 'io' | 'mem', bar: number): Window | undefined {
    const w = this.windows[bar];
    const hit = w && w.space === space && this.decodes(w) ? w : undefined;
    this.lastDecoded = hit !== undefined;
    return hit;
  }

  private read(space: 'io' | 'mem', bar: number, off: number, size: AccessSize): number {
    const w = this.target(space, bar);
    if (!w || off < 0 || off >= w.size) return this.miss(size);
    if (off + size <= w.size) return w.handler.read(off, size);
    let v = 0;
    for (let i = 0; i < size; i++) v += (off + i < w.size ? w.handler.read(off + i, 1) & 0xff : 0xff) * 2 ** (8 * i);
    return v;
  }

  private write(space: 'io' | 'mem', bar: number, off: number, size: AccessSize, value: number): void {
    const w = this.target(space, bar);
    if (!w || off < 0 || off >= w.size) return void this.miss(size);
    const masked = (value & openBus(size)) >>> 0;
    if (off + size <= w.size) {
      w.handler.write(off, size, masked);
      return;
    }
    for (let i = 0; i < size && off + i < w.size; i++) w.handler.write(off + i, 1, (masked >>> (8 * i)) & 0xff);
  }

  /** An access nothing decodes: reads float high. */
  private miss(size: AccessSize): number {
    this.lastDecoded = false;
    return openBus(size);
  }

  /** A config read of a function that is not there (ISA) master-aborts: all ones. */
  private cfgRead(off: number, size: AccessSize): number {
    return this.config ? this.config.read(off & 0xff, size) : openBus(size);
  }

  private sent(frame: Uint8Array): void {
    this.txCount++;
    this.transmitted.push(frame);
    if (this.transmitted.length > KEEP_TX) this.transmitted.shift();
  }
}

/** Program the BARs and the command register as firmware start-up does (each BAR aligned to its size). */
function firmwareAssign(cs: PciConfigSpace): Window[] {
  let io = PCI_IO_BASE;
  let mem = PCI_MEM_BASE;
  const windows = cs.bars.map((b, i): Window => {
    const space = b.kind === 'io' ? 'io' : 'mem';
    const align = (x: number): number => Math.ceil(x / b.size) * b.size;
    const base = space === 'io' ? (io = align(io)) : (mem = align(mem));
    if (space === 'io') io += b.size;
    else mem += b.size;
    cs.write(PCI_BAR0 + 4 * i, 4, base);
    return { space, base, size: b.size, handler: b.handler };
  });
  cs.write(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
  return windows;
}
