/**
 * One I/O APIC on a fresh simulation, driven the way an OS does it (IOREGSEL then IOWIN), with the messages it
 * sends and the trace it writes recorded: the fixture of the ioapic-*.test.ts files.
 */
import { Simulation, componentContext, type TraceRecord } from '../../emulator/machine/sim';
import { IoApic } from '../../emulator/machine/board/ioapic';

export interface IoApicBench {
  sim: Simulation;
  apic: IoApic;
  /** Every message sent, as [destination APIC ID, vector]. */
  got: [number, number][];
  trace: TraceRecord[];
  /** Indirect register read / write through IOREGSEL and IOWIN. */
  read(index: number): number;
  write(index: number, value: number): void;
  /** Program redirection entry `pin`: destination (high dword) first, then the low dword. */
  route(pin: number, lo: number, dest?: number): void;
  /** Called inside each delivery, after it is recorded (an interrupt handler). */
  onDeliver(fn: ((dest: number, vector: number) => void) | null): void;
  /** The `irq`-layer trace records as [probe, fields]. */
  irqTrace(): [string, unknown][];
}

export function ioapicBench(pins?: number, verbose = false): IoApicBench {
  const sim = new Simulation(3);
  sim.tracer.verbose = verbose;
  const got: [number, number][] = [];
  let handler: ((dest: number, vector: number) => void) | null = null;
  const apic = new IoApic(
    componentContext(sim, 'alpha', 'alpha.ioapic'),
    (dest, vector) => {
      got.push([dest, vector]);
      handler?.(dest, vector);
    },
    pins,
  );
  const trace: TraceRecord[] = [];
  sim.tracer.addSink((r) => trace.push(r));
  const read = (index: number): number => {
    apic.mmio.write(0x00, 4, index);
    return apic.mmio.read(0x10, 4);
  };
  const write = (index: number, value: number): void => {
    apic.mmio.write(0x00, 4, index);
    apic.mmio.write(0x10, 4, value);
  };
  return {
    sim, apic, got, trace, read, write,
    route: (pin, lo, dest = 0) => {
      write(0x11 + 2 * pin, dest << 24);
      write(0x10 + 2 * pin, lo);
    },
    onDeliver: (fn) => (handler = fn),
    irqTrace: () => trace.filter((r) => r.layer === 'irq').map((r) => [r.probe, r.f]),
  };
}
