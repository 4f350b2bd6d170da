/**
 * The generic NIC fuzz harness (docs/fuzzing.md "NIC targets"): a hostile driver that reaches a NIC model only
 * the way a real driver does — register accesses through its BARs or ISA window, host memory it may DMA, frames
 * from the medium and the passing of virtual time — and checks invariants after every operation. A model plugs
 * in with a `NicFuzzModel` (a driver-like bring-up, model-aware hostile bursts, its own invariants and its CVE
 * corpus, and the host regions the driver gave it for DMA); `nicTarget` turns it into a `FuzzTarget` for the runner.
 *
 * The rig is built as the assembler builds a node's NIC (emulator/app/assembly/nics.ts: the kind's factory with
 * a ComponentContext, then plugged in by bus): a real PCI configuration space (emulator/machine/board/pci-config.ts),
 * real RAM behind a real bus-master view (board/ram.ts, board/dma.ts), a real interrupt wire (bus/wire.ts) and a
 * real medium (a Cable or a WirelessChannel) with a peer station that sends the frames `rx` ops give.
 */
import type { NicDevice, NicKind } from '../../nic-models/kind';
import type { Rng } from '../../emulator/machine/sim/rng';
import type { Simulation } from '../../emulator/machine/sim/simulation';
import type { FuzzTarget } from '../target';
import { runEpisode, replayNicInput } from './harness-episode';
import { shrinkNicInput } from './harness-shrink';
import type { NicDmaModel } from './harness-dma';

/** One operation of a hostile driver; JSON-safe so a reproducer replays it without the generator. */
export type NicOp =
  | { op: 'rd'; space: 'io' | 'mem' | 'cfg'; bar: number; off: number; size: 1 | 2 | 4 } // bar: BAR index (ISA: 0 = the I/O window; cfg: ignored)
  | { op: 'wr'; space: 'io' | 'mem' | 'cfg'; bar: number; off: number; size: 1 | 2 | 4; value: number }
  | { op: 'dma'; addr: number; hex: string } // the driver writes host memory (descriptors, buffers)
  | { op: 'rx'; hex: string } // a frame arrives from the wire/air (as the medium delivers it)
  | { op: 'run'; ns: number } // virtual time passes (events run, bounded)
  | { op: 'irq-ack' }; // the driver's interrupt handler entry: the line is sampled (for edge/level checks)

export { DMA_RAM_BYTES, NIC_EPISODE_OPS } from './harness-limits';
export type { GiveFn, NicDmaModel } from './harness-dma';

export interface NicRig {
  readonly kind: NicKind;
  readonly device: NicDevice;
  readonly sim: Simulation;
  /** Host memory the device can DMA (size DMA_RAM_BYTES; accesses outside are master aborts, counted). */
  readonly ram: Uint8Array;
  /** DMA accesses that fell outside ram (or were refused with Bus Master Enable clear). */
  readonly dmaOutside: number;
  /** The device's interrupt output now (INTx or ISA line). */
  readonly irqLevel: boolean;
  /** Frames the device sent (bounded: only the last few are kept; `txCount` counts them all). */
  readonly transmitted: Uint8Array[];
  readonly txCount: number;
  /** Where BAR `i` is (ISA: 0 = the I/O window at the card's port); undefined if there is no such BAR. */
  bar(i: number): { space: 'io' | 'mem'; base: number; size: number } | undefined;
  /** Performs one op; returns a read's value (or 0); throws only on a model bug. */
  apply(op: NicOp): number;
  /** The op `apply` last performed and what it returned (for a model's `check`; undefined before the first). */
  readonly lastOp?: NicOp;
  readonly lastResult?: number;
  /** Whether the last register access reached the device (not if its BAR's decode is off or it fell past the window). */
  readonly lastDecoded?: boolean;
}

export interface NicFuzzModel {
  /** From nic-models/registry.ts. */
  readonly kind: NicKind;
  /** A driver-like bring-up as ops (reset, ring setup, enable rx/tx, unmask) so episodes reach deep states. */
  bringUp(rng: Rng, rig: NicRig): NicOp[];
  /** Model-aware hostile ops (descriptor rings, ring pointers, page registers): a short burst, drawn from rng. */
  hostile(rng: Rng, rig: NicRig): NicOp[];
  /** Invariants beyond the generic ones (e.g. IRQ line == (ISR & IMR) != 0): a failure line or null. */
  check(rig: NicRig): string | null;
  /** The seed corpus (CVE vectors), each an op list run as the first episodes. */
  readonly corpus: readonly { name: string; ops: NicOp[] }[];
  /** Scenario fields beyond model/link/mac for the kind's factory (optional; default: the card at io 0x300 irq 5, or PCI slot 2). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /**
   * Share of bursts drawn from `hostile` (optional; default 0.5, the rest are the harness's generic ops). A model
   * whose generic accesses reset it too often (the NE2000's reset port is a quarter of its window) takes more.
   */
  readonly hostileShare?: number;
  /** Operations per episode (optional; default NIC_EPISODE_OPS). A fresh device starts each episode. */
  readonly episodeOps?: number;
  /**
   * The host regions the driver gave the chip (optional; harness-dma.ts): with it, every bus-master transfer must lie
   * inside one of them, else the op fails naming the transfer and the nearest region.
   */
  readonly dma?: NicDmaModel;
}

/** A fuzz target named `nic/<model>` over `model`. */
export function nicTarget(model: NicFuzzModel, inputs: { default: number; quick: number }): FuzzTarget {
  const name = `nic/${model.kind.model}`;
  return {
    name,
    description: `hostile driver ops (registers, DMA, frames, time) on the ${model.kind.title} model; CVE corpus of ${model.corpus.length}`,
    defaultInputs: inputs.default,
    quickInputs: inputs.quick,
    episode: (seed, episode, budget) => runEpisode(name, model, seed, episode, budget),
    replay: (input) => replayNicInput(model, input),
    shrink: (input, failure) => shrinkNicInput(model, input, failure),
  };
}
