/**
 * Worlds for the generic snapshot test: a board (RAM, PCI host, PIIX3, 8259A pair, I/O APIC) with interrupt
 * sources raising ISA IRQs and a PCI INTx at random times, and a test CPU that takes the interrupts the way an
 * OS does (INTA cycle and EOI to the 8259A pair, or I/O APIC messages and EOI) and services the source.
 */
import { componentContext, Priority, SimEvent, type Rng, type Simulation } from '../../../emulator/machine/sim';
import type { SnapshotPart } from '../../../emulator/machine/sim/snapshot';
import type { IrqLine } from '../../../emulator/machine/bus/types';
import type { NodeBus, SystemPage } from '../../../emulator/machine/bus/node-bus';
import { Board } from '../../../emulator/machine/board/board';
import { REDIR } from '../../../emulator/machine/board/ioapic';
import { initPics } from '../../../firmware/pic-init';
import { fakeNic } from '../../board/fake-pci';
import { worldBase, type World } from '../snapshot-harness';

const VECTOR_BASE = 0x30;
const IOAPIC = 0xfec0_0000;
/** The sources: ISA IRQs 3, 5, 10 and the PCI function in slot 3 (INTA# → PIRQD → IRQ 11 / I/O APIC pin 19). */
const ISA_IRQS = [3, 5, 10];
const PCI_IRQ = 11;
const PCI_PIN = 19;
const APIC_VECTORS = [0x43, 0x45, 0x4a, 0x63];

/** Raises one of its lines (one that is low) at random gaps, `count` times; the CPU's handler lowers it. */
class IrqSources implements SnapshotPart {
  private readonly rng: Rng;
  private readonly ev: SimEvent;
  private raised = 0;
  private readonly levels: boolean[];

  constructor(private readonly sim: Simulation, name: string, private readonly lines: IrqLine[], private readonly count: number) {
    this.rng = sim.rngs.stream(name);
    this.ev = new SimEvent(name, () => this.tick(), Priority.Device);
    this.levels = lines.map(() => false);
  }
  start(): void {
    this.sim.queue.scheduleIn(this.ev, 1000);
  }
  private tick(): void {
    const low = this.levels.map((l, i) => (l ? -1 : i)).filter((i) => i >= 0);
    if (low.length > 0) {
      const i = low[this.rng.below(low.length)]!;
      this.set(i, true);
      this.sim.tracer.emit('n0', 'test', 'raise', 0, { line: i });
    }
    if (++this.raised < this.count) this.sim.queue.scheduleIn(this.ev, 500 + this.rng.below(6000));
  }
  /** The driver serviced the device: it drops its request. */
  service(i: number): void {
    this.set(i, false);
  }
  private set(i: number, level: boolean): void {
    this.levels[i] = level;
    this.lines[i]!.set(level);
  }
  saveState(): { v: 1; raised: number; levels: boolean[]; rng: [number, number, number, number]; at: number } {
    return { v: 1, raised: this.raised, levels: [...this.levels], rng: this.rng.state(), at: this.ev.when };
  }
  /** Re-drives the lines (list this part before the controllers: their own load then settles what that did). */
  loadState(saved: { v: number }): void {
    const s = saved as ReturnType<IrqSources['saveState']>;
    this.raised = s.raised;
    this.rng.setState(s.rng);
    s.levels.forEach((l, i) => this.set(i, l));
    this.sim.queue.deschedule(this.ev);
    if (s.at >= 0) this.sim.queue.schedule(this.ev, s.at);
  }
}

/** An OS's interrupt path, with fixed latencies: take the interrupt, service the source, EOI later. */
class TestCpu implements SnapshotPart {
  /** APIC messages not yet taken (I/O APIC mode). */
  private messages: number[] = [];
  /** Interrupts taken and not yet EOIed: IRQ (8259) or vector (I/O APIC). */
  private inService: number[] = [];
  private readonly takeEv: SimEvent;
  private readonly eoiEv: SimEvent;

  constructor(private readonly sim: Simulation, private readonly bus: NodeBus, private readonly board: Board, private readonly src: IrqSources, readonly mode: '8259' | 'ioapic') {
    this.takeEv = new SimEvent('n0.cpu.take', () => this.take(), Priority.Cpu);
    this.eoiEv = new SimEvent('n0.cpu.eoi', () => this.eoi(), Priority.Cpu);
    if (mode === '8259') bus.onIntr((level) => level && this.soon());
    else
      bus.onApicMessage((_cpu, vector) => {
        this.messages.push(vector);
        this.soon();
      });
  }
  get busy(): boolean {
    return this.inService.length > 0 || this.messages.length > 0 || this.board.pic.intr.level;
  }
  private soon(): void {
    if (!this.takeEv.scheduled) this.sim.queue.scheduleIn(this.takeEv, 1500);
  }
  /** The interrupt is taken (INTA cycle, or the APIC message); the handler runs until the EOI event. */
  private take(): void {
    if (this.mode === '8259') {
      const vector = this.bus.interruptAcknowledge();
      const irq = vector - VECTOR_BASE;
      this.sim.tracer.emit('n0', 'test', 'take', 0, { vector });
      if (irq === PCI_IRQ || ISA_IRQS.includes(irq)) this.inService.push(irq);
    } else {
      const vector = this.messages.shift();
      if (vector === undefined) return;
      this.sim.tracer.emit('n0', 'test', 'take', 0, { vector });
      this.inService.push(vector);
    }
    if (!this.eoiEv.scheduled && this.inService.length > 0) this.sim.queue.scheduleIn(this.eoiEv, 2000);
    if (this.messages.length > 0 || (this.mode === '8259' && this.board.pic.intr.level)) this.soon();
  }
  /** The handler acknowledges the device (its line drops), then sends the EOI. */
  private eoi(): void {
    const x = this.inService.shift();
    if (x !== undefined) {
      if (this.mode === 'ioapic') {
        this.src.service(APIC_VECTORS.indexOf(x));
        this.bus.apicEoi(x);
      } else {
        this.src.service(x === PCI_IRQ ? 3 : ISA_IRQS.indexOf(x));
        if (x >= 8) this.bus.out8(0xa0, 0x20);
        this.bus.out8(0x20, 0x20);
      }
    }
    if (this.inService.length > 0) this.sim.queue.scheduleIn(this.eoiEv, 2000);
    if (this.mode === '8259' && this.board.pic.intr.level) this.soon();
  }
  saveState(): { v: 1; messages: number[]; inService: number[]; take: number; eoi: number } {
    return { v: 1, messages: [...this.messages], inService: [...this.inService], take: this.takeEv.when, eoi: this.eoiEv.when };
  }
  loadState(saved: { v: number }): void {
    const s = saved as ReturnType<TestCpu['saveState']>;
    this.messages = [...s.messages];
    this.inService = [...s.inService];
    for (const ev of [this.takeEv, this.eoiEv]) this.sim.queue.deschedule(ev);
    if (s.take >= 0) this.sim.queue.schedule(this.takeEv, s.take);
    if (s.eoi >= 0) this.sim.queue.schedule(this.eoiEv, s.eoi);
  }
}

function boardWorld(seed: number, mode: '8259' | 'ioapic'): World {
  const b = worldBase(seed);
  const board = new Board(componentContext(b.sim, 'n0', 'n0.board'), { ramBytes: 1 << 20, cpus: 1, interruptController: mode });
  const nic = fakeNic();
  board.addPciDevice(nic.fn, 3);
  const syspage: SystemPage = {
    cpus: 1, ramBytes: 1 << 20, freeMemBase: 0x10_0000, freeMemEnd: 1 << 20, interruptController: mode,
    ioapicBase: mode === 'ioapic' ? IOAPIC : 0, picVectorBase: VECTOR_BASE, pci: [], isa: [],
  };
  const bus = board.nodeBus(syspage);
  // What firmware start-up and the OS would have programmed (the twin's load overwrites it all anyway).
  initPics(board.ports, VECTOR_BASE, [PCI_IRQ]);
  board.ports.out32(0xcf8, 0x8000_0860);
  board.ports.out8(0xcfc + 3, PCI_IRQ); // PIRQRC[D]
  board.ports.out8(0x21, 0xff & ~((1 << 2) | (1 << 3) | (1 << 5)));
  board.ports.out8(0xa1, 0xff & ~((1 << (10 - 8)) | (1 << (PCI_IRQ - 8))));
  board.ram.write(0x8000, Uint8Array.of(1, 2, 3, 4));
  if (mode === 'ioapic') {
    const redir = (pin: number, lo: number) => {
      bus.mmioWrite(IOAPIC, 4, 0x10 + 2 * pin);
      bus.mmioWrite(IOAPIC + 0x10, 4, lo);
    };
    ISA_IRQS.forEach((irq, i) => redir(irq, APIC_VECTORS[i]!));
    redir(PCI_PIN, APIC_VECTORS[3]! | REDIR.TRIGGER_LEVEL | REDIR.INTPOL);
  }
  const src = new IrqSources(b.sim, 'n0.src', [...ISA_IRQS.map((n) => board.isaIrq(n)), nic.fn.intx!], 100);
  const cpu = new TestCpu(b.sim, bus, board, src, mode);
  return {
    ...b,
    parts: [
      ['sources', src],
      ['board', board],
      ['cpu', cpu],
    ],
    start: () => src.start(),
    busy: () => cpu.busy,
    mustSee: [
      'test/raise',
      mode === '8259' ? 'irq/ack' : 'irq/deliver',
      ...(mode === '8259' ? [3, 5, 10, PCI_IRQ].map((irq) => VECTOR_BASE + irq) : APIC_VECTORS).map((v) => `test/take:vector=${v}`),
    ],
  };
}

export const boardWorlds: Record<string, (seed: number) => World> = {
  'board with the 8259A pair: ISA and PCI interrupts taken by INTA and EOI': (seed) => boardWorld(seed, '8259'),
  'board with the I/O APIC: edge ISA pins and a level PCI pin, messages and EOI': (seed) => boardWorld(seed, 'ioapic'),
};
