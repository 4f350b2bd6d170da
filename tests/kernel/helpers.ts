/** Test fixtures for the kernel: a fake NodeBus that records port writes, and a kernel on a Simulation. */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import type { NodeBus, SystemPage } from '../../emulator/machine/bus/node-bus';
import type { AccessSize } from '../../emulator/machine/bus/types';
import { Kernel } from '../../stack/kernel/kernel';
import type { CostTable } from '../../stack/kernel/costs';
import type { ProgramMain } from '../../stack/kernel/api';

/** Every cost zero: tests add exactly the costs they reason about. */
export const ZERO_COSTS: CostTable = {
  kernelCall: 0, msgPassBase: 0, msgPerByte: 0, msgReplyBase: 0, contextSwitch: 0, interruptEntry: 0,
  interruptExit: 0, interruptHandler: 0, localApicEoi: 0, pulse: 0, timerFire: 0,
  threadCreate: 0, processSpawn: 0, processExit: 0, pathResolve: 0, procntoMsg: 0,
};

/**
 * A NodeBus with an 8259 pair reduced to what the kernel touches: port writes are recorded; reads of 0x20/0xA0
 * after OCW3 "read ISR" return `isr.master` / `isr.slave`; INTR is driven by the test; INTA returns the next
 * vector from `vectors`. The I/O APIC is a register file behind IOREGSEL/IOWIN.
 */
export class FakeBus implements NodeBus {
  readonly writes: { port: number; value: number }[] = [];
  readonly isr = { master: 0, slave: 0 };
  vectors: number[] = [];
  acks = 0;
  private readIsrSel = new Map<number, boolean>();
  private intrListeners: ((level: boolean) => void)[] = [];
  private apicListeners: ((cpu: number, vector: number) => void)[] = [];
  readonly apicEois: number[] = [];
  readonly mmioWrites: { addr: number; value: number }[] = [];
  private ioregsel = 0;
  readonly ioapicRegs = new Map<number, number>();
  readonly ports = new Map<number, number>();
  readonly syspage: SystemPage;
  /** What every port access, MMIO access and INTA cycle costs (ns): 0 unless a test is about bus time. */
  ioNs = 0;
  mmioNs = 0;
  interruptAcknowledgeNs = 0;

  constructor(controller: '8259' | 'ioapic' = '8259', cpus = 1) {
    this.syspage = {
      cpus,
      ramBytes: 16 << 20,
      freeMemBase: 0x100000,
      freeMemEnd: 0x400000,
      interruptController: controller,
      ioapicBase: 0xfec00000,
      picVectorBase: 0x30,
      pci: [],
      isa: [],
    };
    this.ioapicRegs.set(1, (23 << 16) | 0x20);
  }

  in8(port: number): number {
    if ((port === 0x20 || port === 0xa0) && this.readIsrSel.get(port)) return port === 0x20 ? this.isr.master : this.isr.slave;
    return this.ports.get(port) ?? 0xff;
  }
  in16(port: number): number {
    return this.ports.get(port) ?? 0xffff;
  }
  in32(port: number): number {
    return this.ports.get(port) ?? 0xffffffff;
  }
  out8(port: number, value: number): void {
    this.writes.push({ port, value });
    if ((port === 0x20 || port === 0xa0) && (value & 0x18) === 0x08 && value & 0x02) this.readIsrSel.set(port, (value & 1) === 1);
  }
  out16(port: number, value: number): void {
    this.writes.push({ port, value });
  }
  out32(port: number, value: number): void {
    this.writes.push({ port, value });
  }
  ioCycleNs(_port: number, _size: AccessSize, _write: boolean): number {
    return this.ioNs;
  }
  mmioCycleNs(_addr: number, _size: AccessSize, _write: boolean): number {
    return this.mmioNs;
  }
  mmioRead(addr: number, _size: AccessSize): number {
    if (addr === this.syspage.ioapicBase + 0x10) return this.ioapicRegs.get(this.ioregsel) ?? 0;
    return 0xffffffff;
  }
  mmioWrite(addr: number, _size: AccessSize, value: number): void {
    this.mmioWrites.push({ addr, value });
    if (addr === this.syspage.ioapicBase) this.ioregsel = value;
    else if (addr === this.syspage.ioapicBase + 0x10) this.ioapicRegs.set(this.ioregsel, value);
  }
  memRead(_addr: number, dst: Uint8Array): void {
    dst.fill(0xff);
  }
  memWrite(): void {}
  onIntr(listener: (level: boolean) => void): void {
    this.intrListeners.push(listener);
  }
  interruptAcknowledge(): number {
    this.acks++;
    const v = this.vectors.shift() ?? 0x37;
    this.setIntr(this.vectors.length > 0);
    return v;
  }
  onApicMessage(listener: (cpu: number, vector: number) => void): void {
    this.apicListeners.push(listener);
  }
  apicEoi(vector: number): void {
    this.apicEois.push(vector);
  }

  setIntr(level: boolean): void {
    for (const l of this.intrListeners) l(level);
  }
  /** Raise INTR with the vectors INTA will return. */
  interrupt(...vectors: number[]): void {
    this.vectors.push(...vectors);
    this.setIntr(true);
  }
  sendApic(cpu: number, vector: number): void {
    for (const l of this.apicListeners) l(cpu, vector);
  }
  /** Port writes since boot to the PIC command/data ports, as [port, value] pairs. */
  picWrites(from = 0): [number, number][] {
    return this.writes.slice(from).filter((w) => [0x20, 0x21, 0xa0, 0xa1].includes(w.port)).map((w) => [w.port, w.value]);
  }
}

export interface Rig {
  sim: Simulation;
  bus: FakeBus;
  k: Kernel;
  out: string[];
  trace: string[];
  console(): string;
}

export interface RigOptions {
  cpus?: number;
  costs?: Partial<CostTable>;
  controller?: '8259' | 'ioapic';
  seed?: number;
  hostname?: string;
  /** Bus time of every port access (ns; FakeBus.ioNs). */
  ioNs?: number;
}

export function rig(programs: Record<string, ProgramMain>, opts: RigOptions = {}): Rig {
  const sim = new Simulation(opts.seed ?? 1);
  const bus = new FakeBus(opts.controller ?? '8259', opts.cpus ?? 1);
  bus.ioNs = opts.ioNs ?? 0;
  const out: string[] = [];
  const trace: string[] = [];
  sim.tracer.addLineSink((_r, line) => trace.push(line));
  const k = new Kernel(componentContext(sim, 'n1', 'n1.procnto'), bus, {
    cpus: opts.cpus ?? 1,
    programs: new Map(Object.entries(programs)),
    console: (t) => out.push(t),
    costs: { ...ZERO_COSTS, ...(opts.costs ?? {}) },
    ...(opts.hostname ? { hostname: opts.hostname } : {}),
  });
  k.boot();
  return { sim, bus, k, out, trace, console: () => out.join('') };
}

/** Run until the queue is empty or `until` (ns). */
export function run(r: Rig, until = 10_000_000_000): void {
  r.sim.queue.runUntil(until);
}
