import type { AccessSize, PciConfigAccess, PciFunction, PciSegmentView, RegisterHandler } from '../bus/types';
import { PCI_DEFAULT_TARGET } from '../bus/timing';
import { PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PciConfigSpace } from '../board/pci-config';
import { configCycleNs, pciBarTiming } from '../board/pci-bus';
import { GuestDmaMemory } from './guest-dma';
import { GuestIrqLine } from './guest-irq';
import type { GuestAttachment, GuestMachine } from './guest-machine';
import { memoryBarConflict, MemoryClaims } from './mem-claims';
import { V86MmioWindow } from './mmio-window';
import { V86PortWindow } from './port-window';
import type { V86Cpu, V86Pci } from './v86-types';

/** Bus/device/function numbers of v86's own devices we must not take (src/pci.js and the device files). */
export function v86SlotTaken(pci: V86Pci, device: number): boolean {
  return pci.devices[device << 3] !== undefined;
}

/**
 * Config-space dispatch per v86 PCI bus: functions the adapter owns are answered by our `PciConfigSpace`
 * (full 256 bytes: write masks, RW1C status bits, BAR sizing, capability list, the device's own hooks);
 * every other function goes to v86. Hooked: v86's `pci_query` (run when the guest writes CONFIG_ADDRESS; for
 * its own devices it fetches the addressed dword there), `pci_write8/16/32` (CONFIG_DATA writes), and the read
 * handlers of CONFIG_DATA (ports 0xcfc–0xcff). For our functions a read happens when the guest reads
 * CONFIG_DATA, with the size it reads, as a configuration transaction on a real bus does: v86's early fetch
 * would read registers the guest never read (before every configuration write, too), which matters for
 * registers with read side effects (BCM57xx's indirect register window, 0x80).
 */
const owned = new WeakMap<V86Pci, Map<number, V86PciAttachment>>();

/**
 * v86's PCI bus as a function sees it: conventional 33 MHz, 32 bits (v86 emulates an i440FX/PIIX3 machine; its
 * bus has no M66EN or 64-bit slots). Bus-master transfers into guest RAM are timed alike (guest-dma.ts).
 */
export const V86_PCI_SEGMENT: PciSegmentView = { clockMhz: 33, slotWidth: 32 };

/** v86's CONFIG_DATA port (mechanism #1). */
const CONFIG_DATA = 0xcfc;

function hookConfig(cpu: V86Cpu): Map<number, V86PciAttachment> {
  const pci = cpu.devices.pci;
  let table = owned.get(pci);
  if (table) return table;
  const t = new Map<number, V86PciAttachment>();
  table = t;
  owned.set(pci, t);
  const selected = (): V86PciAttachment | undefined => t.get((pci.pci_addr[2]! << 8) | pci.pci_addr[1]!);
  const query = pci.pci_query.bind(pci);
  const w8 = pci.pci_write8.bind(pci);
  const w16 = pci.pci_write16.bind(pci);
  const w32 = pci.pci_write32.bind(pci);
  pci.pci_query = () => {
    if (!selected()) return query();
    pci.pci_status32[0] = 0x80000000 | 0; // a function answers at this address; its data is read at CONFIG_DATA
  };
  const response = new Uint8Array(pci.pci_response32.buffer, pci.pci_response32.byteOffset, 4);
  for (let k = 0; k < 4; k++) {
    const entry = cpu.io.ports[CONFIG_DATA + k];
    if (!entry) continue;
    const wrap = (size: AccessSize, orig: (this: unknown) => number) =>
      function (this: unknown): number {
        const a = selected();
        if (a) {
          const v = a.configAccess((pci.pci_addr[0]! & 0xfc) + k, size, false, 0);
          for (let i = 0; i < size; i++) response[k + i] = (v >>> (8 * i)) & 0xff;
        }
        return orig.call(this);
      };
    entry.read8 = wrap(1, entry.read8);
    if (k % 2 === 0) entry.read16 = wrap(2, entry.read16);
    if (k === 0) entry.read32 = wrap(4, entry.read32);
  }
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
 * BARs are decoded by us: when the guest programs a BAR with its decode enabled (command I/O or Memory
 * Space), the BAR's register handler is mapped there — into v86's I/O space (port-window.ts) or its
 * memory-mapped I/O (mmio-window.ts) — and moved whenever the guest moves the BAR. A memory BAR over one of
 * v86's own regions or another of our windows is refused (mem-claims.ts). The function's INTx output drives
 * v86's PCI interrupt routing (`pci.raise_irq/lower_irq`, through the PIIX3 PIRQ registers); as a bus master
 * it reaches guest RAM through `dma` (guest-dma.ts), gated by its Bus Master Enable bit.
 *
 * The function exists before any CPU is bound (replay builds the world without one); binding registers it
 * with v86 and maps whatever the configuration space says.
 *
 * Bus time: every access to a BAR stalls the guest for the PCI transaction the function's timing gives
 * (emulator/machine/board/pci-bus.ts: I/O and memory reads wait for the data phase, a memory write is posted
 * and costs the posting), and every configuration access that reaches the function for a configuration
 * transaction: a read when the guest reads CONFIG_DATA, a write when it writes it (hookConfig).
 */
export class V86PciAttachment implements GuestAttachment {
  readonly cs: PciConfigSpace;
  readonly pciId: number;
  private readonly configTarget: number;
  private readonly windows: (V86PortWindow | V86MmioWindow | null)[] = [];
  /** Where the configuration space asks each BAR to be decoded (null: off). */
  private readonly requested: (number | null)[] = [];
  /** Where each BAR is decoded (null: off, or refused). Tracked with or without a CPU, so replay traces the same. */
  private readonly decoded: (number | null)[] = [];
  /** Bus-master view of guest RAM for this function (Bus Master Enable, master-abort status from `cs`). */
  readonly dma: GuestDmaMemory;
  private readonly barTargets: number[] = [];
  private space: Int32Array | null = null;
  /** The function's INTx output as v86's PCI interrupt routing sees it (guest-irq.ts). */
  readonly intx: GuestIrqLine;

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
      this.requested.push(null);
      this.decoded.push(null);
    });
    this.dma = new GuestDmaMemory(guest, () => this.cs, label);
    this.intx = new GuestIrqLine(guest);
    fn.attachIntx(this.intx);
    fn.attachConfig?.(this.functionView());
    fn.attachBus?.(V86_PCI_SEGMENT);
    guest.addAttachment(this);
  }

  /**
   * The function's own view of its configuration space (PciConfigAccess: BCM57xx mirrors it in BAR0 and clears
   * command bits at core reset). Writes keep v86's copy in step, as guest configuration writes do.
   */
  private functionView(): PciConfigAccess {
    const cs = this.cs;
    return {
      read: (o, s) => cs.read(o, s),
      write: (o, s, v) => {
        cs.write(o, s, v);
        this.syncSpace();
      },
      get command() {
        return cs.command;
      },
      raiseStatus: (bits) => {
        cs.raiseStatus(bits);
        this.syncSpace();
      },
    };
  }

  bind(cpu: V86Cpu): void {
    const pci = cpu.devices.pci;
    const table = hookConfig(cpu);
    if (table.has(this.pciId) || v86SlotTaken(pci, this.slot)) throw new Error(`${this.label}: PCI device ${this.slot} is taken in v86`);
    this.space = pci.register_device({ pci_id: this.pciId, pci_space: Array.from(this.cs.bytes), pci_bars: [], name: this.label });
    table.set(this.pciId, this);
    this.intx.connect((level) => (level ? pci.raise_irq(this.pciId) : pci.lower_irq(this.pciId)));
    this.fn.spec.bars.forEach((bar, i) => {
      const timing = pciBarTiming(this.fn.spec.timing ?? PCI_DEFAULT_TARGET, i, bar.kind);
      const name = `${this.label} BAR${i}`;
      const w = bar.kind === 'io' ? new V86PortWindow(cpu.io, bar.size, bar.handler, name, timing) : new V86MmioWindow(cpu, bar.size, bar.handler, name, timing);
      const target = this.barTargets[i]!;
      w.sync = () => this.guest.sync();
      w.threaded = () => this.guest.threaded;
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

  /**
   * Follow the configuration space: an I/O BAR decodes while command.IO is set and its base is not 0, a memory
   * BAR while command.MEMORY is set and its base is not 0 and v86 lets it (mem-claims.ts).
   */
  private remap(): void {
    const cmd = this.cs.command;
    const claims = MemoryClaims.of(this.guest);
    this.fn.spec.bars.forEach((bar, i) => {
      const base = this.cs.barBase(i);
      const on = (cmd & (bar.kind === 'io' ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) !== 0;
      const want = on && base !== 0 ? base : null;
      if (want === this.requested[i]) return;
      this.requested[i] = want;
      let at = want;
      if (want !== null && bar.kind === 'mem32') {
        const other = claims.overlapping(this, i, want, bar.size);
        const refused = other !== null ? { reason: 'overlap', holder: other } : memoryBarConflict(this.guest.layout, want, bar.size);
        if (refused) {
          this.trace('bar-conflict', { dev: this.label, bar: i, space: 'mmio', base: want, size: bar.size, why: refused.reason, holder: refused.holder });
          at = null;
        }
      }
      if (bar.kind === 'mem32') {
        if (at === null) claims.release(this, i);
        else claims.claim(this, i, at, bar.size, `${this.label} BAR${i}`);
      }
      const was = this.decoded[i] ?? null;
      if (at === was) return;
      this.decoded[i] = at;
      const space = bar.kind === 'io' ? 'io' : 'mmio';
      if (at === null) this.trace('bar-unmap', { dev: this.label, bar: i, space, base: was ?? 0 });
      else this.trace('bar-map', { dev: this.label, bar: i, space, base: at, size: bar.size });
      this.apply(i);
    });
  }

  /** Make v86's I/O or memory space match `decoded[i]` (nothing without a CPU). */
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
