import type { ComponentContext } from '../sim/context';
import { readState, stateVersions } from '../sim/snapshot';
import { openBus, type AccessSize, type IrqLine, type PciFunction, type RegisterHandler } from '../bus/types';
import { ISA_8BIT_TARGET, PCI_DEFAULT_TARGET, type BusTiming } from '../bus/timing';
import { PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_DATA_PORT, PCI_CONFIG_ENABLE } from '../bus/pc-platform';
import { PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PciConfigSpace } from './pci-config';
import type { AddressSpace } from './address-space';
import type { IoSpace } from './io-space';
import type { MmioSpace } from './mmio-space';
import { configCycleNs, hostInternalNs, pciBarTiming } from './pci-bus';
import { isaIoNs } from './isa-bus';
import { PciSegment } from './pci-segment';

/** Configuration mechanism #1 ports: emulator/machine/bus/pc-platform.ts. */
export { PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_DATA_PORT, PCI_CONFIG_ENABLE };
/** Writable CONFIG_ADDRESS bits: enable, bus (23:16), device (15:11), function (10:8), register (7:2). */
const CONFIG_ADDRESS_MASK = 0x80ff_fffc;

export const PCI_DEVICES = 32;
/** The host bridge's own device number on bus 0 (as on QEMU's "pc" machine). */
export const HOST_BRIDGE_DEVICE = 0;
export const PCI_FUNCTIONS = 8;

/** The i440FX PMC (host bridge) at 00:00.0: 8086:1237, rev 02, class 060000 (Intel 82441FX PMC datasheet). */
class I440fxHostBridge implements PciFunction {
  readonly spec = { vendorId: 0x8086, deviceId: 0x1237, revision: 0x02, classCode: 0x060000, interruptPin: 0, bars: [] };
  attachIntx(_line: IrqLine): void {}
}

interface Slot {
  cs: PciConfigSpace;
  device: number;
  func: number;
  /** Base each BAR is currently mapped at, or null. */
  windows: (number | null)[];
}

export const PCI_HOST_STATE = stateVersions('PCI host', 1);

export interface PciHostState {
  v: 1;
  configAddress: number;
  functions: { device: number; func: number; bytes: number[] }[];
}

/**
 * The host-to-PCI bridge of bus 0: configuration mechanism #1 on ports 0xCF8/0xCFC, the table of functions on
 * bus 0, and BAR decoding. When the OS programs a BAR while the matching command decode bit (I/O space or
 * memory space) is set, the BAR's register handler is mapped into I/O or MMIO space at that base; it is
 * remapped when the BAR moves and unmapped when decode is turned off. A BAR the guest points at an occupied
 * window is left unmapped and traced (no throw: that is guest input).
 *
 * Bus 0 is one segment (pci-segment.ts): a function plugged in joins it (its M66EN counts) and learns it
 * (`PciFunction.attachBus`); the chipset's own functions are added with `{ chipset: true }` and do neither. Every
 * CPU-side cost (configuration cycles, BAR windows, the host bridge's own registers) is charged in the segment's
 * clock period.
 */
export class PciHost {
  private configAddress = 0;
  private readonly slots: (Slot | undefined)[] = new Array<Slot | undefined>(PCI_DEVICES * PCI_FUNCTIONS);

  /** Handler for the 4 ports at 0xCF8 (only 32-bit accesses reach CONFIG_ADDRESS). */
  readonly configAddressPort: RegisterHandler = {
    read: (offset, size) => this.readAddress(offset, size),
    write: (offset, size, value) => this.writeAddress(offset, size, value),
  };
  /** Handler for the 4 ports at 0xCFC: byte k of the selected configuration dword. */
  readonly configDataPort: RegisterHandler = {
    read: (offset, size) => this.readData(offset, size),
    write: (offset, size, value) => this.writeData(offset, size, value),
  };
  /**
   * Cost of the 0xCF8 ports: a dword access is a register of the host bridge (no PCI transaction); narrower
   * ones are ordinary ISA I/O through the PIIX3 (see readAddress).
   */
  readonly configAddressTiming: BusTiming = {
    cycleNs: (offset, size, write) =>
      offset === 0 && size === 4 ? hostInternalNs(write, this.segment.periodNs) : isaIoNs(ISA_8BIT_TARGET, 'subtractive', offset, size, write),
  };
  /**
   * Cost of the 0xCFC ports with CONFIG_ADDRESS as it is now: a configuration transaction the selected
   * function claims at its DEVSEL# speed, a master abort when nobody answers, the host bridge's own
   * configuration space (device 0) without a PCI transaction, and ordinary ISA I/O while the enable bit is off.
   */
  readonly configDataTiming: BusTiming = {
    cycleNs: (offset, size, write) => this.configDataNs(offset, size, write),
  };

  constructor(
    private readonly ctx: ComponentContext,
    private readonly io: IoSpace,
    private readonly mmio: MmioSpace,
    /** The segment of bus 0 (default: 33 MHz, 32 bits). */
    readonly segment: PciSegment = new PciSegment(ctx),
  ) {
    this.add(new I440fxHostBridge(), HOST_BRIDGE_DEVICE, 0, { chipset: true });
  }

  /**
   * Plug a function into bus 0. Throws if the slot is taken (configuration error). A plug-in function joins the
   * segment and is told about it; `chipset` marks the board's own functions (host bridge, PIIX3), which do not.
   */
  add(fn: PciFunction, device: number, func = 0, opts: { chipset?: boolean } = {}): PciConfigSpace {
    if (!Number.isInteger(device) || device < 0 || device >= PCI_DEVICES) throw new Error(`PCI device number ${device} out of range`);
    if (!Number.isInteger(func) || func < 0 || func >= PCI_FUNCTIONS) throw new Error(`PCI function number ${func} out of range`);
    const idx = device * PCI_FUNCTIONS + func;
    if (this.slots[idx]) throw new Error(`PCI ${bdf(device, func)} is already occupied`);
    const cs = new PciConfigSpace(fn, bdf(device, func));
    const slot: Slot = { cs, device, func, windows: cs.bars.map(() => null) };
    cs.onDecodeChange = () => this.remap(slot);
    this.slots[idx] = slot;
    this.updateMultiFunction(device);
    fn.attachConfig?.(cs);
    if (opts.chipset !== true) {
      this.segment.join(fn, bdf(device, func));
      fn.attachBus?.(this.segment);
    }
    return cs;
  }

  get(device: number, func = 0): PciConfigSpace | undefined {
    return this.slots[device * PCI_FUNCTIONS + func]?.cs;
  }

  /** Lowest device number >= `from` with no function 0. */
  firstFreeDevice(from = 0): number {
    for (let d = from; d < PCI_DEVICES; d++) if (!this.get(d, 0)) return d;
    throw new Error('PCI bus 0 is full');
  }

  /** All functions in (device, function) order. */
  functions(): { device: number; func: number; cs: PciConfigSpace }[] {
    return this.slots.filter((s): s is Slot => s !== undefined).map((s) => ({ device: s.device, func: s.func, cs: s.cs }));
  }

  saveState(): PciHostState {
    return {
      v: 1,
      configAddress: this.configAddress,
      functions: this.functions().map((f) => ({ device: f.device, func: f.func, bytes: f.cs.save() })),
    };
  }

  loadState(saved: PciHostState): void {
    const s = readState<PciHostState>(this.ctx.name, PCI_HOST_STATE, saved);
    this.configAddress = s.configAddress >>> 0;
    for (const f of s.functions) {
      const slot = this.slots[f.device * PCI_FUNCTIONS + f.func];
      if (!slot) throw new Error(`${this.ctx.name}: snapshot has PCI ${bdf(f.device, f.func)}, this board does not`);
      slot.cs.load(f.bytes);
      this.remap(slot);
    }
  }

  private updateMultiFunction(device: number): void {
    let n = 0;
    for (let f = 0; f < PCI_FUNCTIONS; f++) if (this.get(device, f)) n++;
    this.get(device, 0)?.setMultiFunction(n > 1);
  }

  private readAddress(offset: number, size: AccessSize): number {
    if (offset === 0 && size === 4) return this.configAddress;
    // Byte/word accesses to 0xCF8–0xCFB are not configuration cycles; on a PIIX3 they are ordinary ISA I/O
    // (0xCF9 is its reset control register, not modelled).
    this.trace('cf8-narrow', { op: 'read', offset, size });
    return openBus(size);
  }

  private writeAddress(offset: number, size: AccessSize, value: number): void {
    if (offset === 0 && size === 4) {
      this.configAddress = (value & CONFIG_ADDRESS_MASK) >>> 0;
      return;
    }
    this.trace('cf8-narrow', { op: 'write', offset, size, value });
  }

  /** The function and register selected by CONFIG_ADDRESS, or null (disabled, other bus, empty slot). */
  private target(offset: number): { slot: Slot; reg: number } | null {
    const a = this.configAddress;
    if ((a & PCI_CONFIG_ENABLE) === 0) return null;
    if (((a >>> 16) & 0xff) !== 0) return null; // no bridges behind bus 0
    const slot = this.slots[((a >>> 11) & 0x1f) * PCI_FUNCTIONS + ((a >>> 8) & 0x7)];
    if (!slot) return null;
    return { slot, reg: (a & 0xfc) + offset };
  }

  private configDataNs(offset: number, size: AccessSize, write: boolean): number {
    const a = this.configAddress;
    if ((a & PCI_CONFIG_ENABLE) === 0) return isaIoNs(ISA_8BIT_TARGET, 'subtractive', offset, size, write);
    const t = this.target(offset);
    const clockNs = this.segment.periodNs;
    if (!t) return configCycleNs(null, write, clockNs);
    if (t.slot.device === HOST_BRIDGE_DEVICE && t.slot.func === 0) return hostInternalNs(write, clockNs);
    return configCycleNs((t.slot.cs.fn.spec.timing ?? PCI_DEFAULT_TARGET).devsel, write, clockNs);
  }

  private readData(offset: number, size: AccessSize): number {
    const t = this.target(offset);
    // No DEVSEL#: the host bridge completes the read with all ones (master abort), so vendor ID reads 0xFFFF.
    const value = t ? t.slot.cs.read(t.reg, size) : openBus(size);
    if (this.ctx.tracer.verbose) this.traceCycle('cfg-read', offset, size, value);
    return value;
  }

  private writeData(offset: number, size: AccessSize, value: number): void {
    if (this.ctx.tracer.verbose) this.traceCycle('cfg-write', offset, size, value);
    const t = this.target(offset);
    if (t) t.slot.cs.write(t.reg, size, value);
  }

  /** Bring the I/O and memory windows of one function in line with its command register and BARs. */
  private remap(slot: Slot): void {
    const { cs } = slot;
    const label = bdf(slot.device, slot.func);
    cs.bars.forEach((bar, i) => {
      const isIo = bar.kind === 'io';
      const space: AddressSpace = isIo ? this.io : this.mmio;
      const decode = (cs.command & (isIo ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) !== 0;
      const base = cs.barBase(i);
      // A BAR left at 0 is "not assigned" by convention (start-up never assigns 0): keep it off the bus.
      const want = decode && base !== 0 ? base : null;
      const cur = slot.windows[i] ?? null;
      if (cur === want) return;
      if (cur !== null) {
        space.unmap(cur);
        slot.windows[i] = null;
        this.trace('bar-unmap', { dev: label, bar: i, space: space.space, base: cur });
      }
      if (want === null) return;
      const timing = pciBarTiming(cs.fn.spec.timing ?? PCI_DEFAULT_TARGET, i, bar.kind, this.segment);
      const why = space.tryMap(want, bar.size, bar.handler, `${label} BAR${i}`, timing);
      if (why === null) {
        slot.windows[i] = want;
        this.trace('bar-map', { dev: label, bar: i, space: space.space, base: want, size: bar.size });
      } else {
        this.trace('bar-conflict', { dev: label, bar: i, space: space.space, base: want, size: bar.size, why });
      }
    });
  }

  private traceCycle(probe: string, offset: number, size: number, value: number): void {
    const a = this.configAddress;
    this.trace(probe, {
      enabled: (a & PCI_CONFIG_ENABLE) !== 0,
      bus: (a >>> 16) & 0xff,
      dev: (a >>> 11) & 0x1f,
      fn: (a >>> 8) & 7,
      reg: (a & 0xfc) + offset,
      size,
      value,
    });
  }

  private trace(probe: string, f: Record<string, string | number | boolean>): void {
    this.ctx.tracer.emit(this.ctx.node, 'pci', probe, 0, f);
  }
}

/** "00:03.0" */
export function bdf(device: number, func: number, bus = 0): string {
  const h2 = (n: number) => n.toString(16).padStart(2, '0');
  return `${h2(bus)}:${h2(device)}.${func}`;
}
