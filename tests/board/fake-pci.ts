import type { AccessSize, IrqLine, PciFunction, PciFunctionSpec, RegisterHandler } from '../../emulator/machine/bus/types';
import { Simulation, componentContext, type TraceRecord } from '../../emulator/machine/sim';

/** A register window that records every access and answers reads from a byte array. */
export class RecordingHandler implements RegisterHandler {
  readonly log: string[] = [];
  readonly regs: Uint8Array;
  constructor(size: number, readonly tag = 'dev') {
    this.regs = new Uint8Array(size).map((_, i) => (i * 17 + 3) & 0xff);
  }
  read(offset: number, size: AccessSize): number {
    this.log.push(`r${size}@${offset}`);
    let v = 0;
    for (let i = 0; i < size; i++) v += (this.regs[offset + i] ?? 0xff) * 2 ** (8 * i);
    return v;
  }
  write(offset: number, size: AccessSize, value: number): void {
    this.log.push(`w${size}@${offset}=${value.toString(16)}`);
    for (let i = 0; i < size; i++) this.regs[offset + i] = (value >>> (8 * i)) & 0xff;
  }
}

/** A PCI function for tests: given spec, keeps the INTx line it was handed. */
export class FakePciFunction implements PciFunction {
  intx: IrqLine | null = null;
  constructor(readonly spec: PciFunctionSpec) {}
  attachIntx(line: IrqLine): void {
    this.intx = line;
  }
}

/** A fake RTL8029-like NIC: 10ec:8029, Ethernet, INTA#, one 32-port I/O BAR. */
export function fakeNic(deviceId = 0x8029, extra: Partial<PciFunctionSpec> = {}): { fn: FakePciFunction; regs: RecordingHandler } {
  const regs = new RecordingHandler(0x20);
  const fn = new FakePciFunction({
    vendorId: 0x10ec,
    deviceId,
    revision: 0,
    classCode: 0x020000,
    interruptPin: 1,
    bars: [{ kind: 'io', size: 0x20, handler: regs }],
    ...extra,
  });
  return { fn, regs };
}

/** A simulation with a trace recorder. */
export function testSim(verbose = false): { sim: Simulation; records: TraceRecord[]; ctx: (name: string) => ReturnType<typeof componentContext> } {
  const sim = new Simulation(1);
  sim.tracer.verbose = verbose;
  const records: TraceRecord[] = [];
  sim.tracer.addSink((r) => records.push(r));
  return { sim, records, ctx: (name: string) => componentContext(sim, 'n0', `n0.${name}`) };
}
