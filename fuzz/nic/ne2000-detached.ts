/**
 * `nic/ne2000-detached` (docs/fuzzing.md): the claim behind the threaded engine's detached accesses, tested on the
 * model itself. A guest CPU in a thread of its own makes an NE2000 access the card calls detached
 * (RegisterHandler.detached → Dp8390Core.dataDetached, regDetached; docs/guest-time-model.md "Detached accesses")
 * before the card's pending events up to the CPU's clock have run; the single-threaded engine runs them first. The
 * two orders must give the same run.
 *
 * An episode drives an NE2000 (ISA) as the NE2000 targets do (bring-up, hostile bursts, frames from the wire, time
 * passing). Every few operations it draws an access a CPU could make `δ` ns from now — data-port transfers, the
 * remote DMA and transmit registers, BNRY and CRDA reads, CR commands — and, when the card says the access is
 * detached, makes it on two copies of the rig, the second rebuilt by replaying the episode's operations: one the
 * threaded way (the access now, then the events up to now + δ), one the single-threaded way (the events, then the
 * access). The value read, the interrupt output, the card's snapshot and the trace records must be the same.
 */
import { Rng } from '../../emulator/machine/sim/rng';
import type { Time } from '../../emulator/machine/sim/time';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import type { IsaNicDevice, NicKind } from '../../nic-models/kind';
import { ne2000IsaKind } from '../../nic-models/ne2000/description';
import { exceptionLine } from '../runner-errors';
import type { EpisodeResult, FuzzTarget } from '../target';
import type { NicOp } from './harness';
import { describeOp, frame, genericOp, pick } from './harness-ops';
import { coreOf } from './ne2000-check';
import { FuzzRig, RIG_MAC } from './harness-rig';
import { bytesToHex } from './hex';
import { ne2000Model } from './ne2000';
import { BNRY, CR, DATAPORT, RBCR0, RBCR1, RSAR0, RSAR1, TBCR0, TBCR1, TPSR, inb, inp, ns8390Init, out, outb } from './ne2000-ops';

/** Operations per episode (each check replays the episode so far: shorter than the NE2000 targets' 4000). */
const EPISODE_OPS = 600;
/** CRDA0/1 (page 0, read side). */
const CRDA0 = 0x08;
const CRDA1 = 0x09;
/** How far ahead of the queue the CPU may be when it makes the access: within a quantum, up to about a millisecond. */
const DELTAS: readonly Time[] = [0, 1, 200, 1_000, 5_000, 20_000, 120_000, 1_000_000];

/** What a reproducer holds: the episode's operations, then the access checked and how far ahead the CPU was. */
interface DetachedInput {
  simSeed: number;
  ops: NicOp[];
  access: NicOp;
  delta: Time;
}

/**
 * A remote DMA of `rd` (1 read, 2 write) set up where the check is sharpest: in the pages between CURR and BNRY a
 * frame may be stored into (not detached), in those it may not (detached), just before PSTOP, or anywhere.
 */
function remoteSetup(rng: Rng, rig: FuzzRig, rd: 1 | 2): NicOp[] {
  const r = coreOf(rig).regs;
  const page = rng.chance(0.4) ? r.curr : pick(rng, [(r.curr + 1) & 0xff, r.bnry, (r.bnry + 1) & 0xff, (r.pstop - 1) & 0xff, rng.below(256)]);
  const addr = ((page << 8) | (rng.chance(0.5) ? 0 : rng.below(256))) & 0xffff;
  const count = pick(rng, [2, 4, 6, 60, 256, 1514, rng.below(0x800)]);
  return [outb(RBCR0, count & 0xff), outb(RBCR1, count >> 8), outb(RSAR0, addr & 0xff), outb(RSAR1, addr >> 8), outb(CR, 0x02 | (rd << 3))];
}

/**
 * Operations that make a check sharper, made first (and kept in the episode): a frame on its way to the card (to
 * its address, mostly) and a remote DMA for a data-port access; with how long the frame takes to arrive (0: none).
 */
function prelude(rng: Rng, rig: FuzzRig, access: NicOp): { ops: NicOp[]; arrives: Time } {
  // Now and then a fresh, running card (Linux's bring-up) first: the hostile bursts leave it stopped or its ring
  // unusable much of the time, and then no data-port access is detached.
  const ops: NicOp[] = rng.chance(0.25) ? ns8390Init(0x40 + rng.below(0x10), pick(rng, [0x60, 0x80]), pick(rng, [0x04, 0x0c, 0x1c])) : [];
  let arrives = 0;
  if (rng.chance(0.5)) {
    const f = frame(rng, rig);
    if (f.op === 'rx' && rng.chance(0.7)) f.hex = bytesToHex(RIG_MAC) + f.hex.slice(12);
    ops.push(f);
    // The frame's last bit and the ring header's write: its bytes, preamble and FCS at 0.8 µs each, and some more.
    arrives = f.op === 'rx' ? (f.hex.length / 2 + 12) * 800 + 6_000 : 0;
  }
  if ((access.op === 'rd' || access.op === 'wr') && access.off === DATAPORT && rng.chance(0.7)) ops.push(...remoteSetup(rng, rig, access.op === 'rd' ? 1 : 2));
  return { ops, arrives };
}

/** An access of the kinds the card may call detached (and some it must not), drawn from `rng`. */
function candidate(rng: Rng): NicOp {
  switch (rng.below(8)) {
    case 0:
    case 1:
      return inp(DATAPORT, pick(rng, [1, 2, 2, 4] as const));
    case 2:
    case 3:
      return out(DATAPORT, pick(rng, [1, 2, 2, 4] as const), rng.u32());
    case 4:
      return outb(pick(rng, [RSAR0, RSAR1, RBCR0, RBCR1, TPSR, TBCR0, TBCR1]), rng.below(256));
    case 5:
      return inb(pick(rng, [BNRY, CRDA0, CRDA1]));
    default:
      return outb(CR, pick(rng, [0x22, 0x0a, 0x12, 0x1a, 0x62, 0x26, 0x2a, 0x32, 0x3a, 0xa2, rng.below(256)]));
  }
}

/** The card's answer: may a CPU make `op` without catching up first? */
function isDetached(rig: FuzzRig, op: NicOp): boolean {
  if (op.op !== 'rd' && op.op !== 'wr') return false;
  const w = (rig.device as IsaNicDevice).window;
  return w.detached?.(op.off, op.size, op.op === 'wr', op.op === 'wr' ? op.value : 0) === true;
}

interface Outcome {
  value: number;
  irq: boolean;
  state: string;
  records: string;
}

/** Make `access` and let `delta` pass, in the order given, recording what the card traces meanwhile. */
function diverge(rig: FuzzRig, access: NicOp, delta: Time, accessFirst: boolean): Outcome {
  const records: TraceRecord[] = [];
  const remove = rig.sim.tracer.addSink((r) => void records.push(r));
  const passes: NicOp = { op: 'run', ns: delta };
  let value: number;
  if (accessFirst) {
    value = rig.apply(access);
    rig.apply(passes);
  } else {
    rig.apply(passes);
    value = rig.apply(access);
  }
  remove();
  return { value, irq: rig.irqLevel, state: JSON.stringify(rig.device.saveState()), records: JSON.stringify(records) };
}

/** The two orders of `access` on `live` (already in the state `ops` make) and on a replay of `ops`: a failure or null. */
function compare(live: FuzzRig, simSeed: number, ops: readonly NicOp[], access: NicOp, delta: Time): string | null {
  const twin = new FuzzRig(live.kind, simSeed);
  for (const op of ops) twin.apply(op);
  if (JSON.stringify(twin.device.saveState()) !== JSON.stringify(live.device.saveState())) return 'the replay did not rebuild the card (the rig is not deterministic)';
  const threaded = diverge(live, access, delta, true);
  const single = diverge(twin, access, delta, false);
  const what = `${describeOp(access)} ${delta} ns ahead, detached`;
  if (threaded.value !== single.value) return `${what}: read ${threaded.value} made at once, ${single.value} after the events`;
  if (threaded.irq !== single.irq) return `${what}: interrupt output ${threaded.irq ? 'high' : 'low'} made at once, ${single.irq ? 'high' : 'low'} after the events`;
  if (threaded.records !== single.records) return `${what}: trace made at once ${threaded.records.slice(0, 300)} / after the events ${single.records.slice(0, 300)}`;
  if (threaded.state !== single.state) return `${what}: the card's state differs (${firstDifference(threaded.state, single.state)})`;
  return null;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at once …${a.slice(Math.max(0, i - 60), i + 40)}… after the events …${b.slice(Math.max(0, i - 60), i + 40)}…`;
}

function episode(kind: NicKind, seed: number, n: number, budget: number): EpisodeResult {
  const model = ne2000Model(kind, false);
  const rng = new Rng(seed >>> 0, `nic/ne2000-detached#${n}`);
  const simSeed = rng.u32();
  const rig = new FuzzRig(kind, simSeed);
  const ops: NicOp[] = [];
  const limit = Math.max(1, Math.min(budget, EPISODE_OPS));
  let burst = model.bringUp(rng, rig);
  let i = 0;
  let nextCheck = 5 + rng.below(20);
  try {
    while (ops.length < limit) {
      if (ops.length >= nextCheck) {
        nextCheck = ops.length + 5 + rng.below(30);
        const access = candidate(rng);
        const pre = prelude(rng, rig, access);
        for (const op of pre.ops) {
          rig.apply(op);
          ops.push(op);
        }
        if (isDetached(rig, access)) {
          // Often just long enough for the frame to be stored: the events the access must not interfere with.
          const delta = pre.arrives > 0 && rng.chance(0.6) ? pre.arrives + rng.below(20_000) : pick(rng, DELTAS);
          const failure = compare(rig, simSeed, ops, access, delta);
          if (failure) return { inputs: ops.length + 1, failure, input: { simSeed, ops, access, delta } satisfies DetachedInput };
          // The live rig went the threaded way: record it so a later replay rebuilds it.
          ops.push(access, { op: 'run', ns: delta });
          continue;
        }
      }
      if (i >= burst.length) {
        burst = rng.chance(model.hostileShare ?? 0.5) ? model.hostile(rng, rig) : [genericOp(rng, rig)];
        i = 0;
        if (burst.length === 0) continue;
      }
      const op = burst[i++]!;
      rig.apply(op);
      ops.push(op);
    }
  } catch (e) {
    return { inputs: ops.length, failure: `op ${ops.length}: ${exceptionLine(e)}`, input: { simSeed, ops, access: { op: 'irq-ack' }, delta: 0 } satisfies DetachedInput };
  }
  return { inputs: ops.length, failure: null };
}

function replay(kind: NicKind, input: unknown): string | null {
  const x = input as Partial<DetachedInput> | null;
  if (typeof x !== 'object' || x === null || typeof x.simSeed !== 'number' || !Array.isArray(x.ops) || typeof x.access !== 'object' || typeof x.delta !== 'number') {
    return 'not an nic/ne2000-detached reproducer input (simSeed, ops, access, delta)';
  }
  try {
    const rig = new FuzzRig(kind, x.simSeed);
    for (const op of x.ops) rig.apply(op);
    if (!isDetached(rig, x.access!)) return null;
    return compare(rig, x.simSeed, x.ops, x.access!, x.delta);
  } catch (e) {
    return exceptionLine(e);
  }
}

/** The target over an NE2000 ISA `kind` (tests plant bugs in a wrapped one). */
export function detachedTarget(kind: NicKind): FuzzTarget {
  return {
    name: 'nic/ne2000-detached',
    description: "an NE2000 access the card calls detached gives the same run made before the card's pending events as after them",
    defaultInputs: 1_000_000,
    quickInputs: 30_000,
    episode: (seed, n, budget) => episode(kind, seed, n, budget),
    replay: (input) => replay(kind, input),
  };
}

export const ne2000DetachedTarget: FuzzTarget = detachedTarget(ne2000IsaKind);
