import type { ComponentContext } from '../sim/context';
import { ClockDomain, type Time } from '../sim/time';
import type { DmaMemory } from '../bus/types';
import { PCI_COMMAND_MASTER, PCI_STATUS_REC_MASTER_ABORT, type PciConfigSpace } from './pci-config';
import type { PhysicalMemory } from './ram';

/** Conventional PCI clock: 33⅓ MHz (30 ns per cycle), 32-bit data path. */
export const PCI_CLOCK = new ClockDomain('pci33', 33_333_333);

/**
 * Cycles a master waits between asserting REQ# and driving FRAME#: one clock for the arbiter to answer with
 * GNT#, one for the bus to go idle (turnaround) before the master may start — the minimum on an otherwise
 * idle bus. Contention from other masters is not modelled.
 */
export const PCI_ARBITRATION_CYCLES = 2;
/** One address phase per transaction (32-bit addressing, no dual-address cycle). */
export const PCI_ADDRESS_CYCLES = 1;
/**
 * Master abort: no target claims the address with DEVSEL# by the end of the subtractive-decode clock, i.e. five
 * clocks after FRAME# (PCI 3.0 §3.3.3.1), and the master ends the transaction.
 */
export const PCI_MASTER_ABORT_CYCLES = 5;

/**
 * Bus cycles one burst transfer of `len` bytes at `addr` takes:
 *
 *   cycles = arbitration (2) + address (1) + data phases
 *   data phases = number of 32-bit dwords the burst touches = ceil(((addr mod 4) + len) / 4)
 *
 * i.e. zero-wait-state memory behind the host bridge, one dword per clock, no disconnects. A 1514-byte
 * aligned frame: 2 + 1 + 379 = 382 cycles = 11.46 µs (≈ 132 MB/s peak, as the bus is rated).
 * A master abort costs 2 + 1 + 5 cycles regardless of length.
 */
export function pciBurstCycles(addr: number, len: number): number {
  if (len <= 0) return 0;
  return PCI_ARBITRATION_CYCLES + PCI_ADDRESS_CYCLES + Math.ceil(((addr % 4) + len) / 4);
}

/**
 * Time (ns) from `now` until `cycles` bus cycles have elapsed, the transaction starting on the next PCI clock
 * edge at or after `now`. Counting in whole cycles of the domain keeps back-to-back transfers drift-free.
 */
export function pciTransferTime(now: Time, cycles: number): Time {
  if (cycles <= 0) return 0;
  let start = PCI_CLOCK.timeToCycles(now);
  if (PCI_CLOCK.cyclesToTime(start) < now) start++;
  return PCI_CLOCK.cyclesToTime(start + cycles) - now;
}

/**
 * A PCI bus master's view of memory (the `DmaMemory` handed to a NIC model on this board).
 *
 * - Bus Master Enable (command bit 2) clear: the device may not own the bus. The model's transfer does not
 *   happen — reads return all ones, writes are dropped — and a "master-abort" record with reason
 *   "bus-master-disabled" is traced, because a driver that forgot to set BME is a classic bug.
 * - Address (partly) beyond RAM: nothing claims it; the in-range part transfers, the rest reads 0xFF / is
 *   dropped, the device's status register gets Received Master Abort (bit 13, RW1C), and it is traced.
 *
 * Returns the bus time of the transfer (see `pciBurstCycles`), which the model adds to its completion event.
 * `config` is looked up at each access so the view may be created before the device is plugged in.
 */
export class PciBusMaster implements DmaMemory {
  /** Master aborts so far (DmaMemory.aborts). */
  aborts = 0;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly ram: PhysicalMemory,
    private readonly config: () => PciConfigSpace | undefined,
    readonly label: string,
  ) {}

  read(addr: number, dst: Uint8Array): number {
    if (dst.length === 0) return 0;
    if (!this.mayMaster()) {
      dst.fill(0xff);
      return this.abort('read', addr, dst.length, 'bus-master-disabled');
    }
    if (!this.inRange(addr, dst.length)) {
      this.ram.read(addr, dst);
      this.config()?.raiseStatus(PCI_STATUS_REC_MASTER_ABORT);
      return this.abort('read', addr, dst.length, 'beyond-ram');
    }
    this.ram.read(addr, dst);
    return this.cost('read', addr, dst.length);
  }

  write(addr: number, src: Uint8Array): number {
    if (src.length === 0) return 0;
    if (!this.mayMaster()) return this.abort('write', addr, src.length, 'bus-master-disabled');
    if (!this.inRange(addr, src.length)) {
      this.ram.write(addr, src);
      this.config()?.raiseStatus(PCI_STATUS_REC_MASTER_ABORT);
      return this.abort('write', addr, src.length, 'beyond-ram');
    }
    this.ram.write(addr, src);
    return this.cost('write', addr, src.length);
  }

  private mayMaster(): boolean {
    const cs = this.config();
    return cs !== undefined && (cs.command & PCI_COMMAND_MASTER) !== 0;
  }

  private inRange(addr: number, len: number): boolean {
    return Number.isInteger(addr) && addr >= 0 && addr + len <= Math.min(this.ram.size, 0x1_0000_0000);
  }

  private cost(op: 'read' | 'write', addr: number, len: number): Time {
    const t = pciTransferTime(this.ctx.queue.now, pciBurstCycles(addr, len));
    if (this.ctx.tracer.verbose) this.ctx.tracer.emit(this.ctx.node, 'dma', op, 0, { dev: this.label, addr, len, ns: t });
    return t;
  }

  private abort(op: 'read' | 'write', addr: number, len: number, reason: string): Time {
    this.aborts++;
    this.ctx.tracer.emit(this.ctx.node, 'dma', 'master-abort', 0, { dev: this.label, op, addr, len, reason });
    return pciTransferTime(this.ctx.queue.now, PCI_ARBITRATION_CYCLES + PCI_ADDRESS_CYCLES + PCI_MASTER_ABORT_CYCLES);
  }
}
