import type { AccessSize, IrqLine, PciFunction, RegisterHandler } from '../bus/types';
import { PCI_DEFAULT_TARGET } from '../bus/timing';
import { PCI_COMMAND_IO, PciConfigSpace } from '../board/pci-config';
import { configCycleNs, pciBarTiming } from '../board/pci-bus';
import type { GuestAttachment, GuestMachine } from './guest-machine';
import { V86PortWindow } from './port-window';
import type { V86Cpu, V86Pci } from './v86-types';

/** Bus/device/function numbers of v86's own devices we must not take (src/pci.js and the device files). */
export function v86SlotTaken(pci: V86Pci, device: number): boolean {
  return pci.devices[device << 3] !== undefined;
}

/**
 * Config-space dispatch per v86 PCI bus: functions the adapter owns are answered by our `PciConfigSpace`
 * (full 256 bytes: write masks, RW1C status bits, BAR sizing, capability list, the device's own hooks);
 * every other function goes to v86. v86 answers a CONFIG_DATA read from the dword it fetched when
 * CONFIG_ADDRESS was written (`pci_query`), and routes CONFIG_DATA writes to `pci_write8/16/32`; those are
 * the three places hooked.
 */
const owned = new WeakMap<V86Pci, Map<number, V86PciAttachment>>();

function hookConfig(pci: V86Pci): Map<number, V86PciAttachment> {
  let table = owned.get(pci);
  if (table) return table;
  const t = new Map<number, V86PciAttachment>();
  table = t;
  owned.set(pci, t);
  const query = pci.pci_query.bind(pci);
  const w8 = pci.pci_write8.bind(pci);
  const w16 = pci.pci_write16.bind(pci);
  const w32 = pci.pci_write32.bind(pci);
  pci.pci_query = () => {
    const a = t.get((pci.pci_addr[2]! << 8) | pci.pci_addr[1]!);
    if (!a) return query();
    pci.pci_status32[0] = 0x80000000 | 0;
    pci.pci_response32[0] = a.configAccess(pci.pci_addr[0]! & 0xfc, 4, false, 0) | 0;
  };
  const write = (size: AccessSize, orig: (addr: number, v: number) => void) => (address: number, value: number) => {
    const a = t.get((address >>> 8) & 0xffff);
    if (!a) return orig(address, value);
    a.configAccess(address & 0xff, size, true, value);
  };
  pci.pci_write8 = write(1, w8);
  pci.pci_write16 = write(2, w16);
  pci.pci_write32 = write(4, w32);
  return t;
}

/**
 * A `PciFunction` (one of our NIC models) plugged into a v86 instance's PCI bus at device number `slot`.
 * BARs are decoded by us: when the guest programs a BAR with decoding enabled, the BAR's register handler is
 * mapped into v86's I/O space there (memory BARs are not mapped yet: traced). The function's INTx output
 * drives v86's PCI interrupt routing (`pci.raise_irq/lower_irq`, through the PIIX3 PIRQ registers).
 *
 * The function exists before any CPU is bound (replay builds the world without one); binding registers it
 * with v86 and maps whatever the configuration space says.
 *
 * Bus time: every access to an I/O BAR stalls the guest for the PCI I/O transaction the function's timing
 * gives (emulator/machine/board/pci-bus.ts), and every configuration access that reaches the function for a
 * configuration transaction. v86 fetches a configuration dword when the guest writes CONFIG_ADDRESS (its
 * `pci_query`), so the read transaction is charged there rather than at the CONFIG_DATA read.
 */
export class V86PciAttachment implements GuestAttachment {
  readonly cs: PciConfigSpace;
  readonly pciId: number;
  private readonly configTarget: number;
  private readonly windows: (V86PortWindow | null)[] = [];
  /** Where each BAR is decoded (null: off). Tracked with or without a CPU, so replay traces the same. */
  private readonly decoded: (number | null)[] = [];
  private readonly barTargets: number[] = [];
  private pci: V86Pci | null = null;
  private space: Int32Array | null = null;
  private level = false;

  constructor(private readonly guest: GuestMachine, readonly fn: PciFunction, readonly slot: number, readonly label: string) {
    this.pciId = slot << 3;
    this.cs = new PciConfigSpace(fn, label);
    this.cs.onDecodeChange = () => this.remap();
    const cs = this.cs;
    this.configTarget = guest.addTarget({
      read: (o, s) => cs.read(o, s),
      write: (o, s, v) => {
        cs.write(o, s, v);
        this.syncSpace();
      },
    });
    fn.spec.bars.forEach((bar) => {
      const h: RegisterHandler = bar.handler;
      this.barTargets.push(guest.addTarget(h));
      this.windows.push(null);
      this.decoded.push(null);
    });
    const self = this;
    const line: IrqLine = {
      set: (level: boolean) => {
        if (level === this.level) return;
        this.level = level;
        this.guest.poke(() => {
          const pci = this.pci;
          if (!pci) return;
          if (level) pci.raise_irq(this.pciId);
          else pci.lower_irq(this.pciId);
        });
      },
      get level() {
        return self.level;
      },
    };
    fn.attachIntx(line);
    guest.addAttachment(this);
  }

  bind(cpu: V86Cpu): void {
    const pci = cpu.devices.pci;
    const table = hookConfig(pci);
    if (table.has(this.pciId) || v86SlotTaken(pci, this.slot)) throw new Error(`${this.label}: PCI device ${this.slot} is taken in v86`);
    this.pci = pci;
    this.space = pci.register_device({ pci_id: this.pciId, pci_space: Array.from(this.cs.bytes), pci_bars: [], name: this.label });
    table.set(this.pciId, this);
    this.fn.spec.bars.forEach((bar, i) => {
      if (bar.kind !== 'io') return;
      const timing = pciBarTiming(this.fn.spec.timing ?? PCI_DEFAULT_TARGET, i, 'io');
      const w = new V86PortWindow(cpu.io, bar.size, bar.handler, `${this.label} BAR${i}`, timing);
      const target = this.barTargets[i]!;
      w.sync = () => this.guest.sync();
      w.stall = (ns) => this.guest.stall(ns);
      w.hook = (write, offset, size, value) => this.guest.record(target, offset, size, write, value);
      this.windows[i] = w;
      this.apply(i);
    });
  }

  /** A configuration access by the guest (through the hooked v86 PCI bus). */
  configAccess(reg: number, size: AccessSize, write: boolean, value: number): number {
    this.guest.stall(configCycleNs((this.fn.spec.timing ?? PCI_DEFAULT_TARGET).devsel, write));
    this.guest.sync();
    if (write) {
      const v = (size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff)) >>> 0;
      this.guest.record(this.configTarget, reg, size, true, v);
      this.cs.write(reg, size, v);
      this.syncSpace();
      return 0;
    }
    const v = this.cs.read(reg, size);
    this.guest.record(this.configTarget, reg, size, false, v);
    return v;
  }

  /** v86 keeps its own copy (its snapshots, and `raise_irq` reads the interrupt pin from it). */
  private syncSpace(): void {
    this.space?.set(new Int32Array(this.cs.bytes.buffer, this.cs.bytes.byteOffset, 64));
  }

  private remap(): void {
    const io = (this.cs.command & PCI_COMMAND_IO) !== 0;
    this.fn.spec.bars.forEach((bar, i) => {
      const base = this.cs.barBase(i);
      const want = io && bar.kind === 'io' && base !== 0 ? base : null;
      if (bar.kind !== 'io' && base !== 0 && this.decoded[i] !== base) {
        this.decoded[i] = base;
        this.trace('bar-unsupported', { dev: this.label, bar: i, kind: bar.kind, base });
        return;
      }
      if (want === this.decoded[i]) return;
      this.decoded[i] = want;
      this.trace(want === null ? 'bar-unmap' : 'bar-map', { dev: this.label, bar: i, base: want ?? 0, size: bar.size });
      this.apply(i);
    });
  }

  /** Make v86's I/O space match `decoded[i]` (nothing without a CPU). */
  private apply(i: number): void {
    const w = this.windows[i];
    if (!w) return;
    const want = this.decoded[i] ?? null;
    if (want === w.mappedAt) return;
    w.unmap();
    if (want !== null) w.map(want);
  }

  private trace(probe: string, f: Record<string, string | number | boolean>): void {
    this.guest.ctx.tracer.emit(this.guest.ctx.node, 'pci', probe, 0, f);
  }
}
