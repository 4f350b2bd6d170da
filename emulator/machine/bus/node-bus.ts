import type { AccessSize } from './types';

/**
 * The hardware interface a simulated OS (stack/) sees of its node: port I/O, MMIO, physical memory, the
 * CPU's interrupt inputs, and what start-up found (the system page). This is the only way software in a
 * simulated node touches hardware.
 */
export interface NodeBus {
  in8(port: number): number;
  in16(port: number): number;
  in32(port: number): number;
  out8(port: number, value: number): void;
  out16(port: number, value: number): void;
  out32(port: number, value: number): void;

  /**
   * String-I/O bursts (optional): up to `count` quiet port writes/reads of `size` bytes from/into the buffer at byte
   * `start`, served by the device in one call (RegisterHandler.writeQuiet/readQuiet); returns how many were done,
   * 0 when the device does not serve bursts, the access is traced (verbose) or the next one has visible effects.
   * The OS performs the rest one by one (stack/kernel/string-io.ts). Never changes what the device ends up with.
   */
  outsQuiet?(port: number, size: AccessSize, src: Uint8Array, start: number, count: number): number;
  insQuiet?(port: number, size: AccessSize, dst: Uint8Array, start: number, count: number): number;

  mmioRead(addr: number, size: AccessSize): number;
  mmioWrite(addr: number, size: AccessSize, value: number): void;

  /**
   * What a port or MMIO access costs the CPU that issues it, in ns, as the buses that carry it time it
   * (emulator/machine/bus/timing.ts): the OS charges this, it never guesses. A posted write costs its posting.
   */
  ioCycleNs(port: number, size: AccessSize, write: boolean): number;
  mmioCycleNs(addr: number, size: AccessSize, write: boolean): number;
  /** What the CPU's interrupt-acknowledge cycle (`interruptAcknowledge`) costs, in ns. */
  readonly interruptAcknowledgeNs: number;

  /** Physical memory (RAM) for DMA buffers: copy out / copy in. Out-of-range reads give 0xFF. */
  memRead(addr: number, dst: Uint8Array): void;
  memWrite(addr: number, src: Uint8Array): void;

  /**
   * CPU interrupt inputs. With the 8259A pair, `onIntr` reports INTR level changes of the master PIC and
   * `interruptAcknowledge()` performs the INTA cycle, returning the vector (spurious 7/15 included).
   * With the I/O APIC, `onApicMessage` delivers a vector to a CPU (local APIC) and `apicEoi(vector)` is the
   * local APIC EOI broadcast.
   */
  onIntr(listener: (level: boolean) => void): void;
  interruptAcknowledge(): number;
  onApicMessage(listener: (cpu: number, vector: number) => void): void;
  apicEoi(vector: number): void;

  readonly syspage: SystemPage;
}

/** What firmware start-up hands the OS (QNX's system page, reduced to what io-pkt and drivers need). */
export interface SystemPage {
  cpus: number;
  ramBytes: number;
  /** Physical memory the OS may allocate from (after firmware's own use). */
  freeMemBase: number;
  freeMemEnd: number;
  /** Which interrupt controller the OS should program. */
  interruptController: '8259' | 'ioapic';
  /** I/O APIC MMIO base (when present). */
  ioapicBase: number;
  /**
   * Vector start-up programmed into the master 8259A's ICW2 for IRQ0; IRQ8–15 (slave) use base+8.
   * Interrupt-acknowledge cycles return vectors in [base, base+16).
   */
  picVectorBase: number;
  pci: PciDeviceInfo[];
  /** Legacy ISA devices declared by the board configuration (no enumeration on ISA). */
  isa: IsaDeviceInfo[];
}

export interface PciDeviceInfo {
  bus: number;
  device: number;
  function: number;
  vendorId: number;
  deviceId: number;
  classCode: number;
  revision: number;
  /** Assigned BARs (index, kind, base, size). */
  bars: { index: number; kind: 'io' | 'mem32'; base: number; size: number }[];
  /** IRQ number start-up routed INTx to (also in config register 0x3C); 0xFF = none. */
  irq: number;
}

export interface IsaDeviceInfo {
  name: string;
  ioport: number;
  irq: number;
}
