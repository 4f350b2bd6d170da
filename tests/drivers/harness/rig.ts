/**
 * Test assembly for the NE2000 drivers: a Board brought up by the firmware start-up, an NE2000 ISA card at
 * 0x300/IRQ 5 or an RTL8029 on PCI, a cable to a scripted peer station, the mini kernel and the fake io-pkt.
 * The card's interrupt output drives the board's line and, through a tee, a test wire the mini kernel watches
 * (the mini kernel does not program the 8259s).
 */
import { Simulation } from '../../../emulator/machine/sim/simulation';
import { componentContext } from '../../../emulator/machine/sim/context';
import { Wire } from '../../../emulator/machine/bus/wire';
import type { IrqLine, PciFunction } from '../../../emulator/machine/bus/types';
import type { SystemPage } from '../../../emulator/machine/bus/node-bus';
import { Board } from '../../../emulator/machine/board/board';
import { Cable } from '../../../emulator/machine/net/cable';
import { Hub } from '../../../emulator/machine/net/hub';
import type { Frame, NetPort, NetPortListener } from '../../../emulator/machine/net/link';
import { runStartup } from '../../../firmware/startup';
import { Ne2000Isa, Rtl8029Pci } from '../../../nic-models/ne2000';
import { MiniKernel } from './mini-kernel';
import { FakeIoPkt } from './fake-iopkt';

export const NIC_MAC = [0x00, 0x00, 0xe8, 0x12, 0x34, 0x56];
export const PEER_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x99];

/** Drive two lines with one output. */
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

/** The station at the other end of the cable: records what it receives, sends queued frames back-to-back. */
export class Peer implements NetPortListener {
  port!: NetPort;
  readonly received: Frame[] = [];
  private readonly queue: Frame[] = [];
  private busy = false;

  frameReceived(frame: Frame): void {
    this.received.push(frame);
  }
  transmitDone(): void {
    this.busy = false;
    this.pump();
  }
  collision(): void {
    this.busy = false;
    this.pump();
  }
  send(frame: Frame): void {
    this.queue.push(frame);
    this.pump();
  }
  private pump(): void {
    if (this.busy) return;
    const f = this.queue.shift();
    if (!f) return;
    this.busy = true;
    this.port.transmit(f);
  }
}

export interface Rig {
  sim: Simulation;
  board: Board;
  syspage: SystemPage;
  k: MiniKernel;
  iopkt: FakeIoPkt;
  peer: Peer;
  medium: Cable | Hub;
  irq: number;
  nic: Ne2000Isa | Rtl8029Pci;
}

export function makeRig(kind: 'isa' | 'pci', opts: { seed?: number; fullDuplex?: boolean; medium?: 'cable' | 'hub' | 'none'; variant?: 'ne2000' | 'ne1000' } = {}): Rig {
  const sim = new Simulation(opts.seed ?? 1);
  const board = new Board(componentContext(sim, 'alpha', 'alpha.board'), { ramBytes: 16 << 20, cpus: 1, interruptController: '8259' });
  const wires = new Map<number, Wire>();
  let nic: Ne2000Isa | Rtl8029Pci;
  let syspage: SystemPage;
  let irq: number;
  if (kind === 'isa') {
    irq = 5;
    const w = new Wire('test.irq5');
    wires.set(irq, w);
    const isa = new Ne2000Isa(componentContext(sim, 'alpha', 'alpha.ne0'), { mac: NIC_MAC, variant: opts.variant ?? 'ne2000' });
    board.mapIsaDevice('ne0', 0x300, Ne2000Isa.PORTS, isa, isa.timing);
    isa.attachIrq(tee(board.isaIrq(irq), w));
    nic = isa;
    syspage = runStartup(board.ports, { cpus: 1, ramBytes: 16 << 20, interruptController: '8259', isa: [{ name: 'ne2000', ioport: 0x300, irq }] });
  } else {
    const rtl = new Rtl8029Pci(componentContext(sim, 'alpha', 'alpha.rtl0'), { mac: NIC_MAC, fullDuplex: opts.fullDuplex ?? false });
    const tap = new Wire('test.inta');
    const fn: PciFunction = {
      spec: rtl.spec,
      attachIntx: (line) => rtl.attachIntx(tee(line, tap)),
      reset: () => rtl.reset(),
    };
    board.addPciDevice(fn);
    nic = rtl;
    syspage = runStartup(board.ports, { cpus: 1, ramBytes: 16 << 20, interruptController: '8259' });
    const info = syspage.pci.find((d) => d.vendorId === 0x10ec);
    irq = info?.irq ?? 0xff;
    wires.set(irq, tap);
  }
  const medium = opts.medium === 'hub' ? new Hub(componentContext(sim, '', 'hub0')) : new Cable(componentContext(sim, '', 'cable0'));
  const peer = new Peer();
  if (opts.medium !== 'none') {
    nic.connect(medium);
    peer.port = medium.attach(peer, 'peer');
  }
  const k = new MiniKernel(sim, board.nodeBus(syspage), wires);
  const iopkt = new FakeIoPkt(k);
  return { sim, board, syspage, k, iopkt, peer, medium, irq, nic };
}

/** An Ethernet frame: dst, src, ethertype 0x88B5 (local experimental), payload of `len - 14` patterned bytes. */
export function frame(dst: number[], src: number[], len: number, seed = 0): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  for (let i = 14; i < len; i++) f[i] = (i * 7 + seed * 13) & 0xff;
  return f;
}

/** Run the simulation until `cond` holds (or `limitNs` of virtual time passes). */
export function runUntil(sim: Simulation, cond: () => boolean, limitNs = 2_000_000_000): boolean {
  const end = sim.queue.now + limitNs;
  while (!cond()) {
    const t = sim.queue.peekTime();
    if (t === null || t > end) return cond();
    sim.queue.step();
  }
  return true;
}
