/**
 * A NIC model kind describes itself once (DESIGN.md "A NIC is a plug-in"): bus and resources, factory, the
 * scenario fields it takes (JSON Schema fragment, for ajv and for docs/formats/scenario.md), its register
 * names, and an `inspect()` view of each instance for the debugger. The registry (registry.ts) is the only
 * list of kinds; the scenario loader, the assembler, the v86 adapter and the debugger read descriptions and
 * never name a chip.
 *
 * DRAFT interface (issue 7 §1): refined by the registry work; keep changes additive where others use it.
 */
import type { ComponentContext } from '../emulator/machine/sim/context';
import type { Snapshottable } from '../emulator/machine/sim/snapshot';
import type { AccessSize, DmaMemory, IrqLine, PciFunction, RegisterHandler } from '../emulator/machine/bus/types';
import type { IsaTargetTiming } from '../emulator/machine/bus/timing';
import type { Medium } from '../emulator/machine/net/link';

/** A JSON Schema fragment (plain data; ajv compiles it). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One scenario field a kind takes beyond the common `model`, `link` and `mac`. */
export interface NicField {
  schema: JsonSchema;
  /** One line for docs/formats/scenario.md. */
  doc: string;
}

/** What the scenario gives a NIC instance (validated). */
export interface NicConfig {
  mac: Uint8Array;
  /** Kind-specific fields, as validated by the kind's schema and `check`. */
  fields: Readonly<Record<string, unknown>>;
}

/** The debugger's view of one NIC instance, read without side effects (no read-to-clear, no FIFO pops). */
export interface NicInspection {
  /** One line: state in the chip's own terms ("running, page 0, interrupt output low"). */
  summary: string;
  /** Register groups (pages, blocks) with datasheet names. */
  registers: { group: string; regs: { name: string; value: number; width: AccessSize; bits?: string[] }[] }[];
  /** Rings and buffers: a summary line and one line per entry of interest. */
  rings: { name: string; summary: string; entries: string[] }[];
  counters: { name: string; value: number }[];
}

interface NicDeviceBase extends Snapshottable<{ v: number }> {
  connect(medium: Medium): void;
  inspect(): NicInspection;
}

export interface IsaNicDevice extends NicDeviceBase {
  readonly bus: 'isa';
  /** The I/O window (mapped at the scenario's `ioport`) and its length in ports. */
  readonly window: RegisterHandler;
  readonly ports: number;
  readonly timing: IsaTargetTiming;
  attachIrq(line: IrqLine): void;
}

export interface PciNicDevice extends NicDeviceBase {
  readonly bus: 'pci';
  readonly fn: PciFunction;
  /** Bus-master view of memory (models that do DMA). */
  attachDma?(dma: DmaMemory): void;
}

export type NicDevice = IsaNicDevice | PciNicDevice;

export interface NicKind {
  /** Scenario model name ("ne2000-isa"). */
  readonly model: string;
  /** Human name ("Novell NE2000, ISA"). */
  readonly title: string;
  readonly bus: 'isa' | 'pci';
  /** Scenario fields beyond model/link/mac. */
  readonly fields: Readonly<Record<string, NicField>>;
  /** Semantic checks ajv cannot express; a message (located by the loader) or null. */
  check(fields: Readonly<Record<string, unknown>>): string | null;
  /** Every register name `break reg` may use (from the model's register tables). */
  readonly registerNames: readonly string[];
  /** The unmodified Linux driver that binds it in a guest, with module parameters for ISA resources. */
  readonly linuxDriver?: { module: string; params?(cfgs: readonly NicConfig[]): Record<string, string> };
  create(ctx: ComponentContext, cfg: NicConfig): NicDevice;
}
