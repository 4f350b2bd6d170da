/**
 * One stack fuzz target = a frame generator run in episodes (fuzz/target.ts). An episode builds a fresh stack
 * (env.ts, seeded from the run's seed and the episode number), then feeds it frames: before each, virtual time
 * moves (timers fire: reassembly timeouts, retransmissions, ARP and ND timers) and the frames the stack sent are
 * checked; after each, check.ts's invariants run. The frames are recorded (as hex) so a failure replays without
 * the generator: `replay(input)` rebuilds the same stack and feeds the same frames.
 */
import { Rng } from '../../emulator/machine/sim/rng';
import type { Mbuf } from '../../stack/net/mbuf';
import type { EpisodeResult, FuzzTarget } from '../target';
import { FrameChecker, type FrameCase } from './check';
import { StackRig, type RigOptions } from './env';

/** What a generator sees: the stack (read-only use), its seeded stream, and the frames the stack last sent. */
export interface GenCtx {
  readonly rig: StackRig;
  readonly rng: Rng;
  /** Index of the frame being made in this episode. */
  readonly i: number;
  /** Frames the stack sent since the previous frame (answers, timer output): a peer reads its ISN there. */
  readonly lastSent: readonly Mbuf[];
}

export type FrameGen = (ctx: GenCtx) => FrameCase;

export interface StackTargetSpec {
  name: string;
  description: string;
  defaultInputs: number;
  quickInputs: number;
  /** Frames per episode (an episode is one stack's life). */
  episodeFrames: number;
  rig(rng: Rng): RigOptions;
  /** A generator for one episode (its closure keeps the peer's view: sequence numbers, fragment ids). */
  makeGen(rig: StackRig, rng: Rng): FrameGen;
}

/** A recorded frame: kind, label, time advance, hex, expected counter deltas, layers it must not reach. */
export interface StepRecord {
  k: FrameCase['kind'];
  l: string;
  a: number;
  h: string;
  e?: Record<string, number>;
  n?: string[];
}

/** The JSON-safe input of one episode (a reproducer's `input`). */
export interface StackEpisodeInput {
  rigSeed: number;
  opts: RigOptions;
  steps: StepRecord[];
}

function record(c: FrameCase): StepRecord {
  const r: StepRecord = { k: c.kind, l: c.label, a: c.adv, h: Buffer.from(c.frame).toString('hex') };
  if (c.expect) r.e = { ...c.expect };
  if (c.notReached) r.n = [...c.notReached];
  return r;
}

function unrecord(r: StepRecord): FrameCase {
  const c: FrameCase = { kind: r.k, label: r.l, adv: r.a, frame: Uint8Array.from(Buffer.from(r.h, 'hex')) };
  if (r.e) c.expect = r.e;
  if (r.n) c.notReached = r.n;
  return c;
}

/** Hooks tests use: a wrapper around the rig (a planted bug) and the frames sent (tshark samples). */
export interface RunHooks {
  wrapRig?: (rig: StackRig) => void;
  sampleSent?: number;
  /** Record the episode's input even when it passes. */
  record?: boolean;
  onDone?: (checker: FrameChecker, cases: readonly FrameCase[]) => void;
}

/** Feed `next()`'s frames to a fresh rig; stop at the first failure. */
function drive(rigSeed: number, opts: RigOptions, count: number, next: (rig: StackRig, i: number, lastSent: readonly Mbuf[]) => FrameCase, hooks: RunHooks = {}):
  { inputs: number; failure: string | null; cases: FrameCase[] } {
  const cases: FrameCase[] = [];
  let where = 'building the stack';
  try {
    const rig = new StackRig(rigSeed, opts);
    hooks.wrapRig?.(rig);
    const checker = new FrameChecker(rig, hooks.sampleSent ?? 0);
    let lastSent: Mbuf[] = rig.takeSent();
    const finish = (inputs: number, failure: string | null) => {
      hooks.onDone?.(checker, cases);
      return { inputs, failure, cases };
    };
    for (let i = 0; i < count; i++) {
      where = `generating frame ${i}`;
      const c = next(rig, i, lastSent);
      cases.push(c);
      where = `frame ${i} (${c.label}): timers`;
      rig.env.traces.length = 0;
      rig.advance(c.adv);
      const pre = checker.bounds() ?? checker.checkSent();
      if (pre) return finish(i + 1, `frame ${i} (${c.label}), after ${c.adv} ns of timers: ${pre}`);
      rig.env.traces.length = 0;
      checker.snapshot();
      where = `frame ${i} (${c.label})`;
      const sentBefore = rig.en0.snd.length;
      // The stack gets its own copy (a driver's receive buffer): ip_dooptions and friends edit packets in place,
      // and the recorded frame must stay as it was sent.
      const pkt = rig.input(c.frame.slice());
      lastSent = rig.en0.snd.slice(sentBefore);
      const bad = checker.check(c, pkt);
      if (bad) return finish(i + 1, `frame ${i} ${bad}`);
    }
    return finish(count, null);
  } catch (e) {
    const msg = e instanceof Error ? `${e.message} at ${(e.stack ?? '').split('\n')[1]?.trim() ?? '?'}` : String(e);
    return { inputs: cases.length, failure: `exception: ${msg} (${where})`, cases };
  }
}

/** Run one episode of `spec` (exported for tests: the frames, for hashing, come back in `cases`). */
export function runEpisode(spec: StackTargetSpec, seed: number, episode: number, budget: number, hooks: RunHooks = {}) {
  const rng = new Rng(seed >>> 0, `${spec.name}#${episode}`);
  const rigSeed = rng.u32();
  const opts = spec.rig(rng);
  const count = Math.max(0, Math.min(budget, spec.episodeFrames));
  let gen: FrameGen | null = null;
  const res = drive(rigSeed, opts, count, (rig, i, lastSent) => {
    gen ??= spec.makeGen(rig, rng);
    return gen({ rig, rng, i, lastSent });
  }, hooks);
  // Hex-encoding every frame costs: only a failure (or a test asking for it) records the episode.
  const input: StackEpisodeInput | undefined = res.failure || hooks.record ? { rigSeed, opts, steps: res.cases.map(record) } : undefined;
  return { ...res, input };
}

/** Redo a recorded episode: the failure it still produces, or null. */
export function replayEpisode(input: unknown, hooks: RunHooks = {}): string | null {
  const inp = input as Partial<StackEpisodeInput> | null;
  if (!inp || typeof inp.rigSeed !== 'number' || !Array.isArray(inp.steps)) return 'not a stack episode input';
  const steps = inp.steps.map(unrecord);
  return drive(inp.rigSeed, inp.opts ?? {}, steps.length, (_rig, i) => steps[i]!, hooks).failure;
}

export function stackTarget(spec: StackTargetSpec): FuzzTarget {
  return {
    name: spec.name,
    description: spec.description,
    defaultInputs: spec.defaultInputs,
    quickInputs: spec.quickInputs,
    episode(seed: number, episode: number, budget: number): EpisodeResult {
      const r = runEpisode(spec, seed, episode, budget);
      return r.failure ? { inputs: r.inputs, failure: r.failure, input: r.input } : { inputs: r.inputs, failure: null };
    },
    replay(input: unknown): string | null {
      return replayEpisode(input);
    },
  };
}
