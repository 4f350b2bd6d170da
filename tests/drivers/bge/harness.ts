/**
 * Test assembly for devnp-bge without the whole QNX kernel: per station a Board brought up by firmware
 * start-up with a BCM5701 in a PCI slot (its DMA and config access from the board, as node assembly does),
 * the drivers' mini kernel with a physical-memory allocator, and the fake io-pkt. Stations share one
 * simulation and are connected by a cable or a switch.
 */
import { Simulation } from '../../../emulator/machine/sim/simulation';
import { componentContext } from '../../../emulator/machine/sim/context';
import { Wire } from '../../../emulator/machine/bus/wire';
import type { IrqLine, PciFunction } from '../../../emulator/machine/bus/types';
import type { SystemPage } from '../../../emulator/machine/bus/node-bus';
import { Board } from '../../../emulator/machine/board/board';
import { Cable } from '../../../emulator/machine/net/cable';
import type { Medium } from '../../../emulator/machine/net/link';
import { runStartup } from '../../../firmware/startup';
import { Bcm5701Pci } from '../../../nic-models/bcm5701/bcm5701-pci';
import { Errno, KernelError } from '../../../stack/kernel/api';
import { MiniKernel } from '../harness/mini-kernel';
import { FakeIoPkt } from '../harness/fake-iopkt';

export const MAC_A = [0x00, 0x10, 0x18, 0x01, 0x57, 0x01];
export const MAC_B = [0x00, 0x10, 0x18, 0x01, 0x57, 0x02];

function tee(a: IrqLine, b: IrqLine): IrqLine {
  return {
    get level() {
      return a.level;
    },
    set(level: boolean) {
      a.set(level);
      b.set(level);
    },
  };
}

export interface Station {
  name: string;
  board: Board;
  syspage: SystemPage;
  nic: Bcm5701Pci;
  k: MiniKernel;
  iopkt: FakeIoPkt;
  irq: number;
  /** BAR0 base start-up assigned. */
  bar0: number;
}

/** A node: board, BCM5701 in a PCI slot, start-up, mini kernel with allocPhys, fake io-pkt. */
export function makeStation(sim: Simulation, name: string, mac: number[], opts: { phyTimeScale?: number; ramBytes?: number } = {}): Station {
  const ramBytes = opts.ramBytes ?? 32 << 20;
  const board = new Board(componentContext(sim, name, `${name}.board`), { ramBytes, cpus: 1, interruptController: '8259' });
  const nic = new Bcm5701Pci(componentContext(sim, name, `${name}.bge0`), { mac, phyTimeScale: opts.phyTimeScale ?? 0.01 });
  const tap = new Wire(`${name}.inta`);
  const fn: PciFunction = {
    spec: nic.spec,
    attachIntx: (line) => nic.attachIntx(tee(line, tap)),
    configRead: (o, s) => nic.configRead(o, s),
    configWrite: (o, s, v) => nic.configWrite(o, s, v),
    attachConfig: (c) => nic.attachConfig(c),
    reset: () => nic.reset(),
  };
  const { dma } = board.addPciDevice(fn);
  nic.attachDma(dma);
  const syspage = runStartup(board.ports, { cpus: 1, ramBytes, interruptController: '8259' });
  const info = syspage.pci.find((d) => d.vendorId === 0x14e4)!;
  const irq = info.irq;
  const k = new MiniKernel(sim, board.nodeBus(syspage), new Map([[irq, tap]]), name);
  const iopkt = new FakeIoPkt(k);
  // mmap(MAP_PHYS|MAP_ANON): a bump allocator over the free memory start-up reported.
  let next = syspage.freeMemBase;
  for (const ctx of [iopkt.ctx, iopkt.intrThread.ctx]) {
    Object.assign(ctx, {
      allocPhys(bytes: number, align = 4096): number {
        const base = Math.ceil(next / align) * align;
        if (base + bytes > syspage.freeMemEnd) throw new KernelError(Errno.ENOMEM, `allocPhys(${bytes})`);
        next = base + bytes;
        return base;
      },
    });
  }
  return { name, board, syspage, nic, k, iopkt, irq, bar0: info.bars[0]!.base };
}

/** Two stations on one cable. */
export function makePair(seed = 1, opts: { phyTimeScale?: number; medium?: (sim: Simulation) => Medium } = {}): { sim: Simulation; a: Station; b: Station; medium: Medium } {
  const sim = new Simulation(seed);
  const a = makeStation(sim, 'alpha', MAC_A, opts);
  const b = makeStation(sim, 'beta', MAC_B, opts);
  const medium = opts.medium ? opts.medium(sim) : new Cable(componentContext(sim, '', 'cable0'));
  a.nic.connect(medium);
  b.nic.connect(medium);
  return { sim, a, b, medium };
}

/** Run until `cond` holds or `limitNs` of virtual time passes. */
export function runUntil(sim: Simulation, cond: () => boolean, limitNs = 5_000_000_000): boolean {
  const end = sim.queue.now + limitNs;
  while (!cond()) {
    const t = sim.queue.peekTime();
    if (t === null || t > end) return cond();
    sim.queue.step();
  }
  return true;
}

/** An Ethernet II frame with a local experimental ethertype and a patterned payload. */
export function frame(dst: number[], src: number[], len: number, seed = 0): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  for (let i = 14; i < len; i++) f[i] = (i * 7 + seed * 13) & 0xff;
  return f;
}
