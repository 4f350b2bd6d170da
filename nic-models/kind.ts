/**
 * A NIC model kind describes itself once (DESIGN.md "A NIC is a plug-in"): bus and resources, factory, the
 * scenario fields it takes (JSON Schema fragments, for ajv and for docs/formats/scenario.md), its register
 * names, the trace probes expectations may count, the Linux driver that binds it in a guest, and an
 * `inspect()` view of each instance for the debugger. The registry (registry.ts) is the only list of kinds;
 * the scenario loader, the assembler, the v86 adapter and the debugger read descriptions and never name a chip.
 * docs/contributing.md "Adding a NIC model" walks through it with the NE2000.
 */
import type { ComponentContext } from '../emulator/machine/sim/context';
import type { Snapshottable } from '../emulator/machine/sim/snapshot';
import type { AccessSize, DmaMemory, IrqLine, PciFunction, RegisterHandler } from '../emulator/machine/bus/types';
import type { IsaTargetTiming } from '../emulator/machine/bus/timing';
import type { Medium } from '../emulator/machine/net/link';
import type { Position, WirelessMedium } from '../emulator/machine/net/wireless/radio';

/** A JSON Schema fragment (plain data; ajv compiles it). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One scenario field a kind takes beyond the common `model`, `link` and `mac`. */
export interface NicField {
  schema: JsonSchema;
  /** One line for docs/formats/scenario.md. */
  doc: string;
}

/**
 * The bus fields every ISA kind takes: ISA has no enumeration, so the scenario gives the card's jumpers (base
 * port and IRQ line). The loader reads them for every ISA kind (port overlap checks, the board's decode).
 */
export const ISA_RESOURCE_FIELDS: Readonly<Record<'ioport' | 'irq', NicField>> = {
  ioport: { schema: { type: 'integer', minimum: 0, maximum: 0xffff }, doc: 'base I/O port, required (the card\'s jumpers: ISA has no enumeration)' },
  irq: { schema: { type: 'integer', minimum: 0, maximum: 15 }, doc: 'ISA IRQ line 0–15, required (2 is wired to 9, as on an AT)' },
};

/** The bus field every PCI kind takes: where it is plugged in. Ports, memory and IRQ come from firmware start-up. */
export const PCI_RESOURCE_FIELDS: Readonly<Record<'slot', NicField>> = {
  slot: { schema: { type: 'integer', minimum: 2, maximum: 31 }, doc: 'PCI device number 2–31 (default: the lowest free one)' },
};

/** Where a NIC instance sits, from the scenario: ISA jumpers, or a PCI slot (null: the board picks). */
export type NicResources = { bus: 'isa'; ioport: number; irq: number } | { bus: 'pci'; slot: number | null };

/** What the scenario gives a NIC instance (validated). */
export interface NicConfig {
  mac: Uint8Array;
  resources: NicResources;
  /** Every field the scenario gave beyond model/link/mac (the resources included), as validated. */
  fields: Readonly<Record<string, unknown>>;
}

/** One register as the debugger shows it, read through the table's `peek` (never through the read path). */
export interface NicRegisterView {
  name: string;
  value: number;
  width: AccessSize;
  /** Names of the bits set (and multi-bit fields as NAME=n), from the register table. */
  bits?: string[];
}

/** The debugger's view of one NIC instance, read without side effects (no read-to-clear, no FIFO pops). */
export interface NicInspection {
  /** One line: state in the chip's own terms ("running, page 0, interrupt output low"). */
  summary: string;
  /** Register groups (pages, blocks) with datasheet names. */
  registers: { group: string; regs: NicRegisterView[] }[];
  /** Rings, buffers and engines (receive ring, transmitter, DMA): a summary line and one line per entry of interest. */
  rings: { name: string; summary: string; entries: string[] }[];
  counters: { name: string; value: number }[];
}

interface NicDeviceBase extends Snapshottable<{ v: number }> {
  /** A wired NIC (kind `medium` 'wired'): attach its MAC to a cable, hub or switch. */
  connect(medium: Medium): void;
  /**
   * A wireless NIC (kind `medium` 'wireless'): attach its radio to the air, at the position of the node it sits in
   * (read when the medium needs it: a `move` action changes it). Wireless devices implement this; their `connect`
   * refuses a wire.
   */
  connectRadio?(medium: WirelessMedium, position: () => Position): void;
  inspect(): NicInspection;
}

export interface IsaNicDevice extends NicDeviceBase {
  readonly bus: 'isa';
  /** The I/O window (mapped at the scenario's `ioport`) and its length in ports. */
  readonly window: RegisterHandler;
  readonly ports: number;
  readonly timing: IsaTargetTiming;
  attachIrq(line: IrqLine): void;
  /** RESET DRV: the ISA bus's reset line, asserted at power-on (a power-cycle fault: emulator/app/testing/node-faults.ts). */
  reset?(): void;
}

export interface PciNicDevice extends NicDeviceBase {
  readonly bus: 'pci';
  readonly fn: PciFunction;
  /** Bus-master view of memory (models that do DMA). */
  attachDma?(dma: DmaMemory): void;
}

export type NicDevice = IsaNicDevice | PciNicDevice;

/** A trace probe the model emits on layer "nic" that an expectation may count (`counter: rx-reject.overflow`). */
export interface NicCounterProbe {
  probe: string;
  /** Values of the record's `reason` field, countable as `<probe>.<reason>`. */
  reasons?: readonly string[];
}

interface NicKindBase {
  /** Scenario model name ("ne2000-isa"). */
  readonly model: string;
  /** Human name ("Novell NE2000, ISA"). */
  readonly title: string;
  /** Scenario fields beyond model/link/mac, bus resources included (spread `ISA_RESOURCE_FIELDS` / `PCI_RESOURCE_FIELDS`). */
  readonly fields: Readonly<Record<string, NicField>>;
  /**
   * Semantic checks ajv cannot express, on every field the scenario gave beyond model/link/mac (also fields of
   * other kinds, so it can say why they do not apply). A message (the loader locates it) or null.
   */
  check(fields: Readonly<Record<string, unknown>>): string | null;
  /** Every register name `break reg` may use (from the model's register tables). */
  readonly registerNames: readonly string[];
  /** Trace probes (layer "nic") expectations may count. */
  readonly counters: readonly NicCounterProbe[];
  /**
   * What the NIC attaches to: 'wired' (default: a cable, hub or switch through `connect`) or 'wireless' (a
   * `type: wireless` link through `connectRadio`). The scenario loader checks a NIC's link is of this kind.
   */
  readonly medium?: 'wired' | 'wireless';
  /** The unmodified Linux driver that binds it in a guest, with module parameters for ISA resources. */
  readonly linuxDriver?: { module: string; params?(cfgs: readonly NicConfig[]): Record<string, string> };
}

export interface IsaNicKind extends NicKindBase {
  readonly bus: 'isa';
  /** Length of the card's I/O window in ports, from the scenario's `ioport` up. */
  readonly ports: number;
  /** The name firmware start-up lists the card under in the system page (QNX drivers look it up by port). */
  readonly startupName: string;
  create(ctx: ComponentContext, cfg: NicConfig): IsaNicDevice;
}

export interface PciNicKind extends NicKindBase {
  readonly bus: 'pci';
  create(ctx: ComponentContext, cfg: NicConfig): PciNicDevice;
}

export type NicKind = IsaNicKind | PciNicKind;
