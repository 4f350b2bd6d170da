import type { AccessSize } from '../bus/types';
import type { NodeBus, SystemPage } from '../bus/node-bus';
import type { Board } from './board';
import { INTERRUPT_ACKNOWLEDGE_NS } from './isa-bus';

/**
 * The NodeBus of a simulated-QNX node on a `Board`: port I/O and MMIO through the board's address spaces,
 * each with what it costs on the ISA or PCI bus that carries it (isa-bus.ts, pci-bus.ts); physical memory
 * straight to RAM (cached CPU memory accesses: no bus time, the OS charges its own CPU costs); INTR from the
 * master 8259A; I/O APIC messages. Nothing else of the board is reachable from stack/.
 */
export class BoardNodeBus implements NodeBus {
  readonly interruptAcknowledgeNs = INTERRUPT_ACKNOWLEDGE_NS;

  constructor(private readonly board: Board, readonly syspage: SystemPage) {}

  ioCycleNs(port: number, size: AccessSize, write: boolean): number {
    return this.board.io.cycleNs(port, size, write);
  }
  mmioCycleNs(addr: number, size: AccessSize, write: boolean): number {
    return this.board.mmio.cycleNs(addr, size, write);
  }

  in8(port: number): number {
    return this.board.io.read(port, 1);
  }
  in16(port: number): number {
    return this.board.io.read(port, 2);
  }
  in32(port: number): number {
    return this.board.io.read(port, 4);
  }
  out8(port: number, value: number): void {
    this.board.io.write(port, 1, value);
  }
  out16(port: number, value: number): void {
    this.board.io.write(port, 2, value);
  }
  out32(port: number, value: number): void {
    this.board.io.write(port, 4, value);
  }

  outsQuiet(port: number, size: AccessSize, src: Uint8Array, start: number, count: number): number {
    return this.board.io.writeQuiet(port, size, src, start, count);
  }
  insQuiet(port: number, size: AccessSize, dst: Uint8Array, start: number, count: number): number {
    return this.board.io.readQuiet(port, size, dst, start, count);
  }

  mmioRead(addr: number, size: AccessSize): number {
    return this.board.mmio.read(addr, size);
  }
  mmioWrite(addr: number, size: AccessSize, value: number): void {
    this.board.mmio.write(addr, size, value);
  }

  memRead(addr: number, dst: Uint8Array): void {
    this.board.ram.read(addr, dst);
  }
  memWrite(addr: number, src: Uint8Array): void {
    this.board.ram.write(addr, src);
  }

  onIntr(listener: (level: boolean) => void): void {
    this.board.pic.intr.onChange(listener);
  }
  interruptAcknowledge(): number {
    return this.board.pic.acknowledge();
  }
  onApicMessage(listener: (cpu: number, vector: number) => void): void {
    this.board.onApicMessage(listener);
  }
  apicEoi(vector: number): void {
    this.board.ioapic.eoi(vector);
  }
}
