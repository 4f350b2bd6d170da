import type { DmaMemory } from '../bus/types';
import { PCI_ADDRESS_CYCLES, PCI_ARBITRATION_CYCLES, PCI_MASTER_ABORT_CYCLES, pciBurstCycles, pciTransferTime } from '../board/dma';
import { PCI_COMMAND_MASTER, PCI_STATUS_REC_MASTER_ABORT, type PciConfigSpace } from '../board/pci-config';
import type { Time } from '../sim/time';
import type { GuestMachine } from './guest-machine';

/**
 * A v86 guest's RAM as a PCI bus master sees it (the `DmaMemory` handed to models that do DMA: BCM57xx,
 * RT2560), with the same rules as the board's `PciBusMaster` (emulator/machine/board/dma.ts):
 *
 * - Bus Master Enable (command bit 2) clear: the function may not own the bus; nothing transfers (reads all
 *   ones, writes dropped), traced `master-abort` with reason `bus-master-disabled`. Linux's `pci_set_master`
 *   sets it; `pci_disable_device` (rmmod) clears it, and from then on the chip cannot scribble on RAM.
 * - An address (partly) beyond guest RAM: nothing claims it; the in-range part transfers, the rest reads 0xFF
 *   or is dropped, the function's status register gets Received Master Abort, traced `beyond-ram`.
 *   Both cases count in `aborts`.
 * - Timing: the board's PCI burst model (2 arbitration + 1 address + one data phase per dword touched, at
 *   33⅓ MHz; v86's PIIX bus is 33 MHz, 32 bits); a master abort costs 2 + 1 + 5 clocks.
 * - JIT coherence: before RAM is written, v86's compiled code for those pages is dropped
 *   (`cpu.jit_dirty_cache`, what v86's own `write_blob` does), so a page that held code and is reused as a
 *   receive buffer never runs stale translations.
 *
 * v86 keeps guest RAM inside its wasm memory (`cpu.mem8`, a view that must be re-made whenever the wasm
 * memory grows, which detaches the old buffer); this class re-makes it on demand.
 *
 * Reads that transfer are part of the guest's log (guest-log.ts): during a replay, with no RAM present, they
 * return the recorded bytes, so the model sees exactly what it saw; writes are dropped then. Decisions (range,
 * BME) use the node's layout and the function's configuration space, which a replay rebuilds, so both runs
 * decide alike.
 */
export class GuestDmaMemory implements DmaMemory {
  private view: Uint8Array | null = null;
  /** Master aborts so far (DmaMemory.aborts). */
  aborts = 0;

  constructor(
    private readonly guest: GuestMachine,
    /** The bus master's configuration space (BME, status); null: a view without a function (tests, tools). */
    private readonly config: (() => PciConfigSpace | undefined) | null = null,
    readonly label = `${guest.ctx.name}.dma`,
  ) {}

  read(addr: number, dst: Uint8Array): number {
    const len = dst.length;
    if (len === 0) return 0;
    dst.fill(0xff);
    if (!this.mayMaster()) return this.abort('read', addr, len, 'bus-master-disabled');
    const n = this.inRange(addr, len);
    if (n > 0) {
      if (this.guest.mode === 'replay') {
        const rec = this.guest.replayDma();
        if (rec) dst.set(rec.subarray(0, n));
      } else {
        const ram = this.ram();
        if (ram) {
          dst.set(ram.subarray(addr, addr + n));
          this.guest.log.dma.push(dst.slice(0, n));
        }
      }
    }
    if (n < len) return this.beyondRam('read', addr, len);
    return this.cost('read', addr, len);
  }

  write(addr: number, src: Uint8Array): number {
    const len = src.length;
    if (len === 0) return 0;
    if (!this.mayMaster()) return this.abort('write', addr, len, 'bus-master-disabled');
    const n = this.inRange(addr, len);
    const cpu = this.guest.mode === 'live' ? this.guest.cpu : null;
    const ram = cpu ? this.ram() : null;
    if (cpu && ram && n > 0) {
      cpu.jit_dirty_cache(addr, addr + n);
      ram.set(src.subarray(0, n), addr);
    }
    if (n < len) return this.beyondRam('write', addr, len);
    return this.cost('write', addr, len);
  }

  private mayMaster(): boolean {
    if (!this.config) return true;
    const cs = this.config();
    return cs !== undefined && (cs.command & PCI_COMMAND_MASTER) !== 0;
  }

  /** Bytes of [addr, addr + len) that are guest RAM, counted from addr (0 if addr itself is not). */
  private inRange(addr: number, len: number): number {
    const size = this.guest.layout.ramBytes;
    if (!Number.isInteger(addr) || addr < 0 || addr >= size) return 0;
    return Math.min(len, size - addr);
  }

  private cost(op: 'read' | 'write', addr: number, len: number): Time {
    const t = pciTransferTime(this.guest.ctx.queue.now, pciBurstCycles(addr, len));
    const tr = this.guest.ctx.tracer;
    if (tr.verbose) tr.emit(this.guest.ctx.node, 'dma', op, 0, { dev: this.label, addr, len, ns: t });
    return t;
  }

  private beyondRam(op: 'read' | 'write', addr: number, len: number): Time {
    this.config?.()?.raiseStatus(PCI_STATUS_REC_MASTER_ABORT);
    return this.abort(op, addr, len, 'beyond-ram');
  }

  private abort(op: 'read' | 'write', addr: number, len: number, reason: string): Time {
    this.aborts++;
    this.guest.ctx.tracer.emit(this.guest.ctx.node, 'dma', 'master-abort', 0, { dev: this.label, op, addr, len, reason });
    return pciTransferTime(this.guest.ctx.queue.now, PCI_ARBITRATION_CYCLES + PCI_ADDRESS_CYCLES + PCI_MASTER_ABORT_CYCLES);
  }

  private ram(): Uint8Array | null {
    const cpu = this.guest.cpu;
    if (!cpu) return null;
    const buf = cpu.wasm_memory.buffer;
    if (!this.view || this.view.buffer !== buf) {
      const m = cpu.mem8;
      this.view = new Uint8Array(buf, m.byteOffset, m.length);
    }
    return this.view;
  }
}
