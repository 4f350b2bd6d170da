/**
 * Episodes of a NIC target: a fresh rig, the model's bring-up (or, for the first episodes, one CVE vector of
 * its corpus), then hostile bursts — the model's own and the generic ones (harness-ops.ts), half each — with the
 * invariants checked after every op (harness-check.ts, every DMA transfer inside what the driver gave the chip
 * (harness-dma.ts), and the model's `check`). A failure ends the episode and
 * returns the ops run so far (the failing one last) with the rig's seed: `replay` redoes exactly that.
 */
import { Rng } from '../../emulator/machine/sim/rng';
import type { EpisodeResult } from '../target';
import type { NicFuzzModel, NicOp } from './harness';
import { checkOp, checkSnapshot } from './harness-check';
import { NIC_EPISODE_OPS, SNAPSHOT_EVERY } from './harness-limits';
import { describeOp, genericOp } from './harness-ops';
import { FuzzRig } from './harness-rig';
import { DmaWatch } from './harness-dma';
import { exceptionLine } from '../runner-errors';

/** What a NIC reproducer holds. */
export interface NicInput {
  model: string;
  simSeed: number;
  ops: NicOp[];
}

const OP_NAMES = new Set(['rd', 'wr', 'dma', 'rx', 'run', 'irq-ack']);

/** Runs ops on one rig, checking after each; the ops it ran are kept for a reproducer. */
class OpRunner {
  readonly ops: NicOp[] = [];
  readonly rig: FuzzRig;
  /** Every DMA transfer inside what the driver gave the chip (when the model declares it and the device masters the bus). */
  private readonly dma: DmaWatch | null;
  constructor(
    private readonly model: NicFuzzModel,
    readonly simSeed: number,
  ) {
    this.rig = new FuzzRig(model.kind, simSeed, model.fields ?? {});
    this.dma = model.dma && this.rig.tap ? new DmaWatch(this.rig, model.dma, this.rig.tap) : null;
  }

  get count(): number {
    return this.ops.length;
  }

  /** Apply `op` and check: a failure line, or null. */
  step(op: NicOp): string | null {
    this.ops.push(op);
    const n = this.ops.length;
    let problem: string | null;
    try {
      const result = this.rig.apply(op);
      problem = checkOp(this.rig, op, result) ?? this.dma?.take(op) ?? this.model.check(this.rig);
      if (problem === null && n % SNAPSHOT_EVERY === 0) problem = checkSnapshot(this.rig, this.simSeed, this.model.fields ?? {});
    } catch (e) {
      problem = exceptionLine(e);
    }
    return problem === null ? null : `op ${n} (${describeOp(op)}): ${problem}`;
  }

  /** The end-of-episode snapshot check. */
  finish(): string | null {
    try {
      const problem = checkSnapshot(this.rig, this.simSeed, this.model.fields ?? {});
      return problem === null ? null : `after op ${this.ops.length}: ${problem}`;
    } catch (e) {
      return `after op ${this.ops.length}: ${exceptionLine(e)}`;
    }
  }

  input(): NicInput {
    return { model: this.model.kind.model, simSeed: this.simSeed, ops: this.ops };
  }
}

export function runEpisode(name: string, model: NicFuzzModel, seed: number, episode: number, budget: number): EpisodeResult {
  const rng = new Rng(seed >>> 0, `${name}#${episode}`);
  const runner = new OpRunner(model, rng.u32());
  const limit = Math.max(1, Math.min(budget, model.episodeOps ?? NIC_EPISODE_OPS));
  const vector = model.corpus[episode];
  let burst: NicOp[] = vector ? vector.ops : rng.chance(0.85) ? model.bringUp(rng, runner.rig) : [];
  let i = 0;
  while (runner.count < limit) {
    if (i >= burst.length) {
      burst = rng.chance(model.hostileShare ?? 0.5) ? model.hostile(rng, runner.rig) : genericBurst(rng, runner.rig);
      i = 0;
      if (burst.length === 0) continue;
    }
    const failure = runner.step(burst[i++]!);
    if (failure) return { inputs: runner.count, failure, input: runner.input() };
  }
  const failure = runner.finish();
  return failure ? { inputs: runner.count, failure, input: runner.input() } : { inputs: runner.count, failure: null };
}

function genericBurst(rng: Rng, rig: FuzzRig): NicOp[] {
  const n = 1 + rng.below(8);
  const ops: NicOp[] = [];
  for (let k = 0; k < n; k++) ops.push(genericOp(rng, rig));
  return ops;
}

/** Redo a NIC reproducer's ops with the same checks: the failure line it still produces, or null. */
export function replayNicInput(model: NicFuzzModel, input: unknown): string | null {
  const bad = invalidInput(input);
  if (bad) return `not a NIC reproducer input: ${bad}`;
  const { simSeed, ops } = input as NicInput;
  let runner: OpRunner;
  try {
    runner = new OpRunner(model, simSeed);
  } catch (e) {
    return `building the rig: ${exceptionLine(e)}`;
  }
  for (const op of ops) {
    const failure = runner.step(op);
    if (failure) return failure;
  }
  return runner.finish();
}

function invalidInput(x: unknown): string | null {
  if (typeof x !== 'object' || x === null) return 'not an object';
  const o = x as Record<string, unknown>;
  if (typeof o['simSeed'] !== 'number' || !Number.isInteger(o['simSeed'])) return 'simSeed is not an integer';
  if (!Array.isArray(o['ops'])) return 'ops is not a list';
  const i = o['ops'].findIndex((op: unknown) => typeof op !== 'object' || op === null || !OP_NAMES.has(String((op as { op?: unknown }).op)));
  return i >= 0 ? `ops[${i}] is not a NIC op` : null;
}
