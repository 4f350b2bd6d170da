/**
 * Bus-level interfaces shared by the board (emulator/machine/board), the NIC models (nic-models/) and the v86
 * adapter. A model sees only these: it never knows which host it is plugged into.
 */

import type { PciTargetTiming } from './timing';

export type AccessSize = 1 | 2 | 4;

/**
 * A device's register window in I/O or memory space. Offsets are relative to the window base. Reads return
 * the value zero-extended to `size` bytes; writes pass the value masked to `size`. A handler must never
 * throw on guest input: unknown registers read open-bus and writes are traced and ignored.
 */
export interface RegisterHandler {
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
  /**
   * String I/O served as one burst (optional; a simulated CPU's REP OUTS, stack/kernel/string-io.ts):
   * do up to `count` writes of `size` bytes at `offset`, the values taken little-endian from `src` at byte
   * `start`, exactly as that many `write` calls would, but stop BEFORE the first write whose effect could be seen
   * outside the device's own registers and memory (a trace record, an interrupt line, an event). Returns how
   * many writes were done (0: the next one must go through `write`, at its own time).
   */
  writeQuiet?(offset: number, size: AccessSize, src: Uint8Array, start: number, count: number): number;
  /** The read side of `writeQuiet` (REP INS): up to `count` quiet reads stored little-endian into `dst` from `start`. */
  readQuiet?(offset: number, size: AccessSize, dst: Uint8Array, start: number, count: number): number;
  /**
   * Whether the access of `size` at `offset` (a write of `value`; 0 for a read), made now, is detached from the rest of the simulation (optional): it
   * reads and changes only the device's own state, nothing an event of the device or a message to it can read or
   * change before the next access that is not detached, and it has no effect outside the device (a trace record, an
   * interrupt line, an event). A guest CPU running ahead of the simulation (emulator/machine/v86/guest-window.ts)
   * makes such an access without letting the simulation catch up first: the outcome is the same, and in a worker
   * thread it does not wait for the other threads. Answered from the device's state before that catch-up, so it must
   * hold whatever the pending events do.
   */
  detached?(offset: number, size: AccessSize, write: boolean, value: number): boolean;
}

/** A level-driven wire (interrupt line, INTR pin). Devices drive it; consumers listen. */
export interface IrqLine {
  /** Drive the line to a level (true = asserted). Idempotent. */
  set(level: boolean): void;
  readonly level: boolean;
}

/**
 * Memory a bus master reaches by DMA (board RAM, or a v86 guest's RAM through the adapter). Addresses are
 * bus/physical addresses. Accesses past the end of memory read as 0xFF and drop writes (master abort) —
 * never a throw. Returns the time the transfer occupies the bus, in ns, so a model can schedule completion.
 */
export interface DmaMemory {
  read(addr: number, dst: Uint8Array): number;
  write(addr: number, src: Uint8Array): number;
  /**
   * Master aborts so far (incremented on every transfer that was not, or not wholly, claimed — including
   * transfers refused because Bus Master Enable is clear). A model compares it before and after a transfer to
   * learn that it failed (BCM57xx RDMAC/WDMAC_STATUS.MSTABORT) without a changed return type. Optional.
   */
  readonly aborts?: number;
}

/**
 * A function's own configuration space as the function may use it: BCM57xx mirrors config space in BAR0
 * (0x00-0xff), its core reset clears command-register bits, a master abort sets status bits. The board and the
 * v86 adapter hand it over right after creating the space (`PciFunction.attachConfig`).
 */
export interface PciConfigAccess {
  /** A configuration read/write exactly as a config cycle would make it (device hooks included). */
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
  readonly command: number;
  /** Set status bits the hardware raises itself (received master abort, …). */
  raiseStatus(bits: number): void;
}

/** Configuration-space description of one PCI function (nic-models describe themselves with this). */
export interface PciFunctionSpec {
  /**
   * The function's side of bus cycles (DEVSEL# speed, target wait states per BAR); the bus computes what an
   * access costs from it (emulator/machine/board/pci-bus.ts). Default: medium DEVSEL#, no wait states.
   */
  timing?: PciTargetTiming;
  vendorId: number;
  deviceId: number;
  revision: number;
  /** 24-bit class code (0x020000 = Ethernet, 0x028000 = other network). */
  classCode: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** 1 = INTA#, 2 = INTB#, …; 0 = none. */
  interruptPin: number;
  bars: PciBarSpec[];
  /** Capabilities in list order (id + body bytes after the id/next header); placed from 0x40 upward. */
  capabilities?: PciCapabilitySpec[];
  /**
   * 66 MHz capable (PCI 3.0 chapter 7: the function leaves M66EN floating; it reports 66MHZ_CAPABLE, status bit 5, §6.2.3).
   * Default false: a 33 MHz function, which grounds M66EN and so holds its whole segment at 33 MHz.
   */
  capable66MHz?: boolean;
  /**
   * 64-bit data path (PCI 3.0 §3.8: REQ64#/ACK64#, AD[63:32]). A master's transfers use 8-byte data phases only
   * when the slot is 64 bits wide too. Default false.
   */
  bus64?: boolean;
}

/** PCI clock of a bus segment in MHz (PCI 3.0 §4.2.3.1 and chapter 7: 30 or 15 ns cycle time). */
export type PciClockMhz = 33 | 66;
/** Width of a PCI data path in bits (PCI 3.0 §3.8). */
export type PciDataWidth = 32 | 64;

/** A PCI bus segment as a board is built with it (its slots' clock and data path). Default: 33 MHz, 32 bits. */
export interface PciSegmentConfig {
  clock: PciClockMhz;
  width: PciDataWidth;
}

/**
 * The bus segment a function is plugged into, as the function's pins see it (`PciFunction.attachBus`). Read it
 * when needed, not once: the clock is the segment's M66EN, which falls to 33 MHz when a 33 MHz function joins.
 */
export interface PciSegmentView {
  /**
   * The clock the segment runs at (PCI 3.0 chapter 7, M66EN): 66 only when the segment is built for 66 MHz and every
   * function on it is 66 MHz capable; otherwise 33.
   */
  readonly clockMhz: PciClockMhz;
  /** The slot's data path: 64 when it wires AD[63:32] and REQ64#/ACK64# (the central resource asserts REQ64# during RST#, PCI 3.0 §3.8). */
  readonly slotWidth: PciDataWidth;
}

export interface PciBarSpec {
  kind: 'io' | 'mem32';
  /** Power of two, >= 4 for I/O and >= 16 for memory. */
  size: number;
  prefetchable?: boolean;
  /** The registers behind the BAR; offsets are relative to the BAR base. */
  handler: RegisterHandler;
}

export interface PciCapabilitySpec {
  id: number;
  /** Bytes following the 2-byte header (ID, next pointer). */
  body: number[];
  /** Byte offsets within body that the OS may write. Default: none. */
  writable?: number[];
}

/**
 * A PCI function as a bus sees it: the device hands over its spec and an INTx line the host routes.
 * `configRead`/`configWrite` let a device add behaviour to device-specific config registers
 * (RTL8029 has none; BCM57xx has many). Return undefined to let the standard config space answer.
 */
export interface PciFunction {
  readonly spec: PciFunctionSpec;
  /** The device drives this with its interrupt output; the host connects it. */
  attachIntx(line: IrqLine): void;
  configRead?(offset: number, size: AccessSize): number | undefined;
  configWrite?(offset: number, size: AccessSize, value: number): boolean;
  /** The host hands over the function's configuration space once it exists (optional; see PciConfigAccess). */
  attachConfig?(cfg: PciConfigAccess): void;
  /** The host resets the function (RST#). */
  reset?(): void;
  /**
   * The host tells the function which bus segment it is plugged into, once, at plug-in (the board's PCI host;
   * the v86 adapter with v86's 33 MHz 32-bit bus). Optional: a function that does not report its bus ignores it.
   */
  attachBus?(segment: PciSegmentView): void;
}

/** Open-bus value for an unmapped read of the given size. */
export function openBus(size: AccessSize): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
}

export function sizeMask(size: AccessSize): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}
