import type { AccessSize, PciBarSpec, PciFunction } from '../bus/types';
import { sizeMask } from '../bus/types';

/**
 * Type-0 configuration header offsets and command bits (PCI Local Bus Specification 3.0, §6.1, §6.2.2): one
 * definition for the board, firmware and the OS's PCI library, in emulator/machine/bus/pci-header.ts.
 */
export {
  PCI_VENDOR_ID, PCI_DEVICE_ID, PCI_COMMAND, PCI_STATUS, PCI_REVISION_ID, PCI_CLASS_PROG, PCI_CACHE_LINE_SIZE,
  PCI_LATENCY_TIMER, PCI_HEADER_TYPE, PCI_BAR0, PCI_SUBSYSTEM_VENDOR_ID, PCI_SUBSYSTEM_ID, PCI_CAPABILITY_LIST,
  PCI_INTERRUPT_LINE, PCI_INTERRUPT_PIN, PCI_CAP_START, PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PCI_COMMAND_MASTER,
  PCI_BAR_IO, PCI_BAR_MEM_PREFETCH,
} from '../bus/pci-header';
import {
  PCI_BAR0, PCI_BAR_IO, PCI_BAR_MEM_PREFETCH, PCI_CACHE_LINE_SIZE, PCI_CAP_START, PCI_CAPABILITY_LIST,
  PCI_CLASS_PROG, PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_DEVICE_ID,
  PCI_HEADER_TYPE, PCI_INTERRUPT_LINE, PCI_INTERRUPT_PIN, PCI_LATENCY_TIMER, PCI_REVISION_ID, PCI_STATUS,
  PCI_STATUS_DEVSEL_SHIFT, PCI_SUBSYSTEM_ID, PCI_SUBSYSTEM_VENDOR_ID, PCI_VENDOR_ID,
} from '../bus/pci-header';
import { PCI_DEFAULT_TARGET, type DevselSpeed } from '../bus/timing';

/** Status register bits (§6.2.3). */
export const PCI_STATUS_CAP_LIST = 0x0010;
/** 66MHZ_CAPABLE: the function can run at 66 MHz (`PciFunctionSpec.capable66MHz`; PCI 3.0 chapter 7). */
export const PCI_STATUS_66MHZ_CAPABLE = 0x0020;
/** DEVSEL# timing = medium (bits 10:9 = 01), what most 33 MHz parts (RTL8029AS, PIIX3) report. */
export const PCI_STATUS_DEVSEL_MEDIUM = 0x0200;
export const PCI_STATUS_MASTER_DATA_PARITY = 0x0100;
export const PCI_STATUS_SIG_TARGET_ABORT = 0x0800;
export const PCI_STATUS_REC_TARGET_ABORT = 0x1000;
export const PCI_STATUS_REC_MASTER_ABORT = 0x2000;
export const PCI_STATUS_SIG_SYSTEM_ERROR = 0x4000;
export const PCI_STATUS_DETECTED_PARITY = 0x8000;
/** Error bits are "write 1 to clear" (§6.2.3). */
const STATUS_RW1C = 0xf900;
/** Status bits 10:9 for each DEVSEL# timing (§6.2.3): 00 fast, 01 medium, 10 slow. */
const DEVSEL_STATUS: Readonly<Record<DevselSpeed, number>> = { fast: 0, medium: 1 << PCI_STATUS_DEVSEL_SHIFT, slow: 2 << PCI_STATUS_DEVSEL_SHIFT };

export const PCI_CONFIG_SIZE = 256;
const MAX_BARS = 6;

/**
 * One function's 256-byte type-0 configuration space, built from its `PciFunctionSpec`.
 *
 * Bytes are stored with a per-byte write mask and a per-byte write-1-to-clear mask, so every register obeys
 * the same rule: new = (old & ~wmask) | (value & wmask), then w1c bits written as 1 clear. BARs fall out of
 * this naturally: a BAR of size S has its low log2(S) bits read-only (0, plus the type bits), so writing
 * 0xFFFFFFFF reads back the size mask (§6.2.5.1). The device may answer any access first through its optional
 * configRead/configWrite hooks (device-specific registers).
 *
 * `onDecodeChange` fires after writes touching the command register or a BAR so the host can remap windows.
 */
export class PciConfigSpace {
  readonly bytes = new Uint8Array(PCI_CONFIG_SIZE);
  private readonly wmask = new Uint8Array(PCI_CONFIG_SIZE);
  private readonly w1c = new Uint8Array(PCI_CONFIG_SIZE);
  /** BAR specs by BAR index (0–5). */
  readonly bars: readonly PciBarSpec[];
  onDecodeChange: (() => void) | null = null;

  constructor(readonly fn: PciFunction, readonly label: string) {
    const spec = fn.spec;
    if (spec.bars.length > MAX_BARS) throw new Error(`${label}: ${spec.bars.length} BARs (at most ${MAX_BARS})`);
    if (!(spec.interruptPin >= 0 && spec.interruptPin <= 4)) throw new Error(`${label}: interrupt pin ${spec.interruptPin}`);
    spec.bars.forEach((b, i) => {
      const min = b.kind === 'io' ? 4 : 16;
      if (b.size < min || (b.size & (b.size - 1)) !== 0 || b.size > 0x8000_0000) {
        throw new Error(`${label}: BAR${i} size ${b.size} is not a power of two >= ${min}`);
      }
    });
    this.bars = spec.bars;
    this.build();
  }

  /** Restore power-on contents (RST#). */
  reset(): void {
    this.bytes.fill(0);
    this.build();
  }

  get command(): number {
    return this.get16(PCI_COMMAND);
  }

  /** Set bits the hardware raises itself (received master abort, …). */
  raiseStatus(bits: number): void {
    this.set16(PCI_STATUS, this.get16(PCI_STATUS) | bits);
  }

  /** Header type bit 7: the host sets it when the device has more than one function. */
  setMultiFunction(on: boolean): void {
    const v = this.bytes[PCI_HEADER_TYPE]!;
    this.bytes[PCI_HEADER_TYPE] = on ? v | 0x80 : v & 0x7f;
  }

  /** Decoded base address of BAR `i` (type bits removed). */
  barBase(i: number): number {
    const raw = this.get32(PCI_BAR0 + 4 * i);
    const bar = this.bars[i];
    if (!bar) return 0;
    return (bar.kind === 'io' ? raw & ~0x3 : raw & ~0xf) >>> 0;
  }

  read(offset: number, size: AccessSize): number {
    const dev = this.fn.configRead?.(offset, size);
    if (dev !== undefined) return (dev & sizeMask(size)) >>> 0;
    let v = 0;
    for (let i = 0; i < size; i++) v += (this.bytes[(offset + i) & 0xff] ?? 0) * 2 ** (8 * i);
    return v;
  }

  write(offset: number, size: AccessSize, value: number): void {
    value = (value & sizeMask(size)) >>> 0;
    if (this.fn.configWrite?.(offset, size, value)) return;
    for (let i = 0; i < size; i++) {
      const o = (offset + i) & 0xff;
      const b = (value >>> (8 * i)) & 0xff;
      const m = this.wmask[o]!;
      let n = (this.bytes[o]! & ~m) | (b & m);
      n &= ~(b & this.w1c[o]!);
      this.bytes[o] = n & 0xff;
    }
    const end = offset + size;
    const touchesCommand = offset < PCI_COMMAND + 2 && end > PCI_COMMAND;
    const touchesBars = offset < PCI_BAR0 + 4 * MAX_BARS && end > PCI_BAR0;
    if ((touchesCommand || touchesBars) && this.onDecodeChange) this.onDecodeChange();
  }

  /** Save only the bytes: masks and layout are rebuilt from the spec. */
  save(): number[] {
    return Array.from(this.bytes);
  }

  load(bytes: readonly number[]): void {
    if (bytes.length !== PCI_CONFIG_SIZE) throw new Error(`${this.label}: config snapshot of ${bytes.length} bytes`);
    this.bytes.set(bytes);
  }

  private build(): void {
    const s = this.fn.spec;
    this.wmask.fill(0);
    this.w1c.fill(0);
    this.set16(PCI_VENDOR_ID, s.vendorId);
    this.set16(PCI_DEVICE_ID, s.deviceId);
    this.setMask16(PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    const caps = s.capabilities ?? [];
    // DEVSEL# timing as the function's bus timing says (the bus charges accesses by the same figure).
    const devsel = DEVSEL_STATUS[(s.timing ?? PCI_DEFAULT_TARGET).devsel];
    this.set16(PCI_STATUS, devsel | (caps.length > 0 ? PCI_STATUS_CAP_LIST : 0) | (s.capable66MHz === true ? PCI_STATUS_66MHZ_CAPABLE : 0));
    this.w1c[PCI_STATUS] = STATUS_RW1C & 0xff;
    this.w1c[PCI_STATUS + 1] = STATUS_RW1C >>> 8;
    this.bytes[PCI_REVISION_ID] = s.revision & 0xff;
    this.bytes[PCI_CLASS_PROG] = s.classCode & 0xff;
    this.set16(PCI_CLASS_PROG + 1, (s.classCode >>> 8) & 0xffff);
    // Cache line size and latency timer are plain read/write scratch registers firmware and Linux program.
    this.wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    this.wmask[PCI_LATENCY_TIMER] = 0xff;
    this.bytes[PCI_HEADER_TYPE] = 0x00;
    this.bars.forEach((b, i) => {
      const off = PCI_BAR0 + 4 * i;
      const type = b.kind === 'io' ? PCI_BAR_IO : b.prefetchable ? PCI_BAR_MEM_PREFETCH : 0;
      const low = b.kind === 'io' ? 0x3 : 0xf;
      this.set32(off, type);
      this.setMask32(off, ~(b.size - 1) & ~low);
    });
    this.set16(PCI_SUBSYSTEM_VENDOR_ID, s.subsystemVendorId ?? 0);
    this.set16(PCI_SUBSYSTEM_ID, s.subsystemId ?? 0);
    // Interrupt line: scratch for firmware/OS; resets to 0 like most silicon (the routing is start-up's job).
    this.wmask[PCI_INTERRUPT_LINE] = 0xff;
    this.bytes[PCI_INTERRUPT_PIN] = s.interruptPin;
    this.layoutCapabilities();
  }

  /** Capabilities from 0x40 upward, each dword-aligned: [id, next, body…]; next = 0 ends the list (§6.7). */
  private layoutCapabilities(): void {
    const caps = this.fn.spec.capabilities ?? [];
    let off = PCI_CAP_START;
    let prevNext = PCI_CAPABILITY_LIST;
    for (const [n, cap] of caps.entries()) {
      if (off + 2 + cap.body.length > PCI_CONFIG_SIZE) {
        throw new Error(`${this.label}: capability #${n} (id ${cap.id}) does not fit in config space`);
      }
      this.bytes[prevNext] = off;
      this.bytes[off] = cap.id & 0xff;
      this.bytes[off + 1] = 0;
      cap.body.forEach((b, j) => (this.bytes[off + 2 + j] = b & 0xff));
      for (const j of cap.writable ?? []) {
        if (j < 0 || j >= cap.body.length) throw new Error(`${this.label}: capability ${cap.id} writable byte ${j} outside body`);
        this.wmask[off + 2 + j] = 0xff;
      }
      prevNext = off + 1;
      off = (off + 2 + cap.body.length + 3) & ~3;
    }
  }

  private get16(o: number): number {
    return this.bytes[o]! | (this.bytes[o + 1]! << 8);
  }
  private get32(o: number): number {
    return (this.get16(o) | (this.get16(o + 2) << 16)) >>> 0;
  }
  private set16(o: number, v: number): void {
    this.bytes[o] = v & 0xff;
    this.bytes[o + 1] = (v >>> 8) & 0xff;
  }
  private set32(o: number, v: number): void {
    this.set16(o, v & 0xffff);
    this.set16(o + 2, (v >>> 16) & 0xffff);
  }
  private setMask16(o: number, m: number): void {
    this.wmask[o] = m & 0xff;
    this.wmask[o + 1] = (m >>> 8) & 0xff;
  }
  private setMask32(o: number, m: number): void {
    this.setMask16(o, m & 0xffff);
    this.setMask16(o + 2, (m >>> 16) & 0xffff);
  }
}
