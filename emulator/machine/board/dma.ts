import type { ComponentContext } from '../sim/context';
import { ClockDomain, type Time } from '../sim/time';
import type { DmaMemory, PciDataWidth, PciFunctionSpec } from '../bus/types';
import { PCI_COMMAND_MASTER, PCI_STATUS_REC_MASTER_ABORT, type PciConfigSpace } from './pci-config';
import type { PhysicalMemory } from './ram';

/** Conventional PCI clock: 33⅓ MHz (30 ns per cycle). */
export const PCI_CLOCK = new ClockDomain('pci33', 33_333_333);
/**
 * The clock of a segment running at 66 MHz: 66⅔ MHz (15 ns per cycle). Exactly twice PCI_CLOCK's frequency, so
 * every other edge of it is an edge of PCI_CLOCK.
 */
export const PCI_CLOCK_66 = new ClockDomain('pci66', 66_666_666);

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
 * Bus cycles one burst transfer of `len` bytes at `addr` takes, with data phases `width` bits wide:
 *
 *   cycles = arbitration (2) + address (1) + data phases
 *   data phases = number of (width / 8)-byte units the burst touches = ceil(((addr mod w) + len) / w), w = width / 8
 *
 * i.e. zero-wait-state memory behind the host bridge, one data phase per clock, no disconnects. A 64-bit
 * transfer (REQ64#/ACK64#, PCI 3.0 §3.8) starts at a quadword address, the byte enables of the lower dword off
 * when the data starts at an odd dword, so it touches quadwords as a 32-bit one touches dwords. A 1514-byte
 * aligned frame: 2 + 1 + 379 = 382 cycles at 32 bits (11.46 µs at 33 MHz, ≈ 132 MB/s peak, as the bus is rated),
 * 2 + 1 + 190 = 193 cycles at 64 bits (2.895 µs at 66 MHz). A master abort costs 2 + 1 + 5 cycles regardless
 * of length and width.
 */
export function pciBurstCycles(addr: number, len: number, width: PciDataWidth = 32): number {
  if (len <= 0) return 0;
  const lane = width / 8;
  return PCI_ARBITRATION_CYCLES + PCI_ADDRESS_CYCLES + Math.ceil(((addr % lane) + len) / lane);
}

/** Cycles of a master abort: arbitration, address, and the five clocks nobody claims the address in. */
export const PCI_MASTER_ABORT_TOTAL_CYCLES = PCI_ARBITRATION_CYCLES + PCI_ADDRESS_CYCLES + PCI_MASTER_ABORT_CYCLES;

/**
 * Time (ns) from `now` until `cycles` bus cycles of `clock` have elapsed, the transaction starting on the next
 * clock edge at or after `now`. Counting in whole cycles of the domain keeps back-to-back transfers drift-free.
 */
export function pciTransferTime(now: Time, cycles: number, clock: ClockDomain = PCI_CLOCK): Time {
  if (cycles <= 0) return 0;
  let start = clock.timeToCycles(now);
  if (clock.cyclesToTime(start) < now) start++;
  return clock.cyclesToTime(start + cycles) - now;
}

/**
 * The segment a master's transfers run on, as they are timed: its clock (a ClockDomain per clock rate), and
 * the data path a function gets on it (64 bits only when the slot and the function are both 64-bit).
 * `PciSegment` (pci-segment.ts) is one; `CONVENTIONAL_PCI_BUS` is a 33 MHz, 32-bit bus.
 */
export interface PciMasterBus {
  readonly clock: ClockDomain;
  dataWidth(spec: PciFunctionSpec | undefined): PciDataWidth;
}

/** A 33 MHz, 32-bit bus (the i440FX board's default, v86's bus). */
export const CONVENTIONAL_PCI_BUS: PciMasterBus = { clock: PCI_CLOCK, dataWidth: () => 32 };

/**
 * A PCI bus master's view of memory (the `DmaMemory` handed to a NIC model on this board).
 *
 * - Bus Master Enable (command bit 2) clear: the device may not own the bus. The model's transfer does not
 *   happen — reads return all ones, writes are dropped — and a "master-abort" record with reason
 *   "bus-master-disabled" is traced, because a driver that forgot to set BME is a classic bug.
 * - Address (partly) beyond RAM: nothing claims it; the in-range part transfers, the rest reads 0xFF / is
 *   dropped, the device's status register gets Received Master Abort (bit 13, RW1C), and it is traced.
 *
 * Returns the bus time of the transfer (see `pciBurstCycles`) on `bus` — its clock, and 8-byte data phases when
 * the slot and the function are 64-bit — which the model adds to its completion event. `config` (and with it the
 * function's spec) is looked up at each access so the view may be created before the device is plugged in.
 */
export class PciBusMaster implements DmaMemory {
  /** Master aborts so far (DmaMemory.aborts). */
  aborts = 0;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly ram: PhysicalMemory,
    private readonly config: () => PciConfigSpace | undefined,
    readonly label: string,
    private readonly bus: PciMasterBus = CONVENTIONAL_PCI_BUS,
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
    const width = this.bus.dataWidth(this.config()?.fn.spec);
    const t = pciTransferTime(this.ctx.queue.now, pciBurstCycles(addr, len, width), this.bus.clock);
    if (this.ctx.tracer.verbose) this.ctx.tracer.emit(this.ctx.node, 'dma', op, 0, { dev: this.label, addr, len, ns: t });
    return t;
  }

  private abort(op: 'read' | 'write', addr: number, len: number, reason: string): Time {
    this.aborts++;
    this.ctx.tracer.emit(this.ctx.node, 'dma', 'master-abort', 0, { dev: this.label, op, addr, len, reason });
    return pciTransferTime(this.ctx.queue.now, PCI_MASTER_ABORT_TOTAL_CYCLES, this.bus.clock);
  }
}
