/**
 * Worlds for the generic snapshot test: both NE2000 variants (an ISA NE2000 and a PCI RTL8029) exchanging
 * frames over each medium, driven by interrupt-driven Linux-8390-style drivers, with traffic in flight at the
 * save points (a frame in the chip's FIFO or on the wire, a receive commit pending, a backoff running).
 */
import { componentContext, Priority, SimEvent, type Simulation } from '../../../emulator/machine/sim';
import type { SnapshotPart } from '../../../emulator/machine/sim/snapshot';
import { Wire } from '../../../emulator/machine/bus/wire';
import { Cable } from '../../../emulator/machine/net/cable';
import { Hub } from '../../../emulator/machine/net/hub';
import { Switch } from '../../../emulator/machine/net/switch';
import { Ne2000Isa } from '../../../nic-models/ne2000/ne2000-isa';
import { Rtl8029Pci } from '../../../nic-models/ne2000/rtl8029-pci';
import { MAC_A, MAC_B, TestBus, makeFrame } from '../../ne2000/helpers';
import { LinuxDriver } from '../../ne2000/linux-driver';
import { BROADCAST, Station, ethFrame, mac, type Rig } from '../../net/helpers';
import { Traffic, part, worldBase, type World } from '../snapshot-harness';

/** ISR bits (DP8390 datasheet, ISR): PRX, PTX, RXE, TXE. */
const PRX_RXE = 0x05;
const PTX_TXE = 0x0a;

/** Sends `total` frames to `dst` one at a time (the next on PTX/TXE) and drains the ring on PRX/RXE. */
class IrqDriver implements SnapshotPart {
  sent = 0;
  received: number[] = [];
  private readonly drv: LinuxDriver;
  private readonly isrEv: SimEvent;

  constructor(private readonly sim: Simulation, name: string, bus: TestBus, line: Wire, io: 'word' | 'dword', readonly mac: number[], readonly dst: number[], readonly total: number) {
    this.drv = new LinuxDriver(bus, io);
    this.isrEv = new SimEvent(`${name}.isr`, () => this.isr(), Priority.Cpu);
    // Interrupt latency of the host: the handler runs 5 µs after the line rises.
    line.onChange((level) => level && !this.isrEv.scheduled && sim.queue.scheduleIn(this.isrEv, 5000));
  }
  start(): void {
    this.drv.open(this.mac);
    this.sendNext();
  }
  private sendNext(): void {
    if (this.sent >= this.total) return;
    const f = makeFrame(this.dst, this.mac, 60 + ((this.sent * 397) % 1400), this.sent);
    this.sent++;
    this.drv.upload(0x40, f);
    this.drv.trigger(0x40, f.length);
  }
  private isr(): void {
    const isr = this.drv.ack(0xff);
    if (isr & PRX_RXE) this.received.push(...this.drv.receive().frames.map((f) => f.length));
    if (isr & PTX_TXE) this.sendNext();
  }
  saveState(): { v: 1; sent: number; received: number[]; isr: number } {
    return { v: 1, sent: this.sent, received: [...this.received], isr: this.isrEv.when };
  }
  loadState(saved: { v: number }): void {
    const s = saved as ReturnType<IrqDriver['saveState']>;
    this.sent = s.sent;
    this.received = [...s.received];
    this.sim.queue.deschedule(this.isrEv);
    if (s.isr >= 0) this.sim.queue.schedule(this.isrEv, s.isr);
  }
}

type MediumKind = 'cable' | 'hub' | 'switch';

function ne2000World(seed: number, kind: MediumKind): World {
  const b = worldBase(seed);
  const sim = b.sim;
  const m =
    kind === 'cable'
      ? new Cable(componentContext(sim, '', 'wire0'))
      : kind === 'hub'
        ? new Hub(componentContext(sim, '', 'hub0'))
        : new Switch(componentContext(sim, '', 'sw0'));
  const isa = new Ne2000Isa(componentContext(sim, 'alpha', 'alpha.en0'), { mac: MAC_A });
  // On the switch the RTL8029 runs with CONFIG3.FUDUP (full duplex) next to the half-duplex NE2000.
  const pci = new Rtl8029Pci(componentContext(sim, 'beta', 'beta.en0'), { mac: MAC_B, fullDuplex: kind === 'switch' });
  const la = new Wire('alpha.irq');
  const lb = new Wire('beta.irq');
  isa.attachIrq(la);
  pci.attachIntx(lb);
  isa.connect(m);
  pci.connect(m);
  b.tapAll(m);
  const da = new IrqDriver(sim, 'alpha.drv', new TestBus(isa), la, 'word', MAC_A, MAC_B, 14);
  const db = new IrqDriver(sim, 'beta.drv', new TestBus(pci.spec.bars[0]!.handler), lb, 'dword', MAC_B, MAC_A, 11);
  const parts: [string, SnapshotPart][] = [
    ['alpha.en0', isa],
    ['beta.en0', pci],
    [m.name, m],
    ['alpha.drv', da],
    ['beta.drv', db],
  ];
  const starts = [() => da.start(), () => db.start()];
  if (kind === 'hub') {
    // A third station on the hub, broadcasting now and then: collisions with the NICs.
    const rig: Rig = { sim, recs: [], ctx: (n, node = '') => componentContext(sim, node, n), at: () => undefined, find: () => [] };
    const c = new Station(rig, 'gamma', m);
    const t = new Traffic(sim, 'gamma.traffic', 1, 12, 400_000, (_i, k) => c.send(ethFrame(BROADCAST, mac(9), 60 + 40 * k, 900 + k)));
    parts.push(['gamma', part(c)], ['gamma.traffic', t]);
    starts.push(() => t.start());
  }
  const busy = (): boolean => sim.queue.list().some((e) => e.name.startsWith(`${m.name}.`) || /\.(ifg|backoff|commit|start)/.test(e.name));
  const mustSee = ['nic/tx-done', 'wire/deliver', ...(kind === 'switch' ? [] : ['wire/collision', 'mac/backoff'])];
  return { ...b, parts, start: () => starts.forEach((f) => f()), busy, mustSee };
}

export const ne2000Worlds: Record<string, (seed: number) => World> = {
  'NE2000 (ISA) and RTL8029 (PCI) on a half-duplex cable, both sending': (seed) => ne2000World(seed, 'cable'),
  'NE2000 (ISA) and RTL8029 (PCI) on a hub with a third station': (seed) => ne2000World(seed, 'hub'),
  'NE2000 (ISA, half-duplex port) and RTL8029 (PCI, FUDUP) on a switch': (seed) => ne2000World(seed, 'switch'),
};
