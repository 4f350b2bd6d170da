/**
 * The generic snapshot checks (STYLE.md §9, after 8bitworkshop's testplatforms.js), run over every device by
 * snapshot-every-device.test.ts. A world is a small simulation built the same way every time for a seed: its
 * devices and media, plus test-side parts (drivers, traffic) that save and restore like devices, so that
 * together the parts own every pending event.
 */
import { Rng, SimEvent, Simulation, Priority, type TraceRecord } from '../../emulator/machine/sim';
import { restoreParts, saveParts, type PartsSnapshot, type SnapshotPart } from '../../emulator/machine/sim/snapshot';
import type { Frame, Medium } from '../../emulator/machine/net/link';
import { sharedRun } from '../helpers/shared-run';

export interface World {
  readonly sim: Simulation;
  /** Every trace record since the world was built. */
  readonly recs: TraceRecord[];
  /** Every frame the media completed: "t from pktId bytes". */
  readonly frames: string[];
  /** Everything with state, in restore order (interrupt sources before their controllers, drivers last). */
  readonly parts: [string, SnapshotPart][];
  /** Start the workload (a twin that is about to be restored is not started). */
  start(): void;
  /** Something is in flight now (a frame on a wire, a transmission pending): a save point worth testing. */
  busy(): boolean;
  /** Trace records a whole run must contain (see `sawRecord`): the workload is not trivial. */
  readonly mustSee: readonly string[];
}

export type BuildWorld = (seed: number) => World;

/** A world's common plumbing: a simulation, a trace recorder, and taps on its media. */
export function worldBase(seed: number): { sim: Simulation; recs: TraceRecord[]; frames: string[]; tapAll(...media: Medium[]): void } {
  const sim = new Simulation(seed);
  const recs: TraceRecord[] = [];
  const frames: string[] = [];
  sim.tracer.addSink((r) => recs.push(r));
  const tapAll = (...media: Medium[]): void => {
    for (const m of media) m.tap((f: Frame, from: string) => frames.push(`${sim.queue.now} ${m.name}/${from} ${f.pktId} ${Buffer.from(f.data).toString('hex')}`));
  };
  return { sim, recs, frames, tapAll };
}

/** Save as a snapshot file would hold it (through JSON). */
export function save(w: World): PartsSnapshot {
  return JSON.parse(JSON.stringify(saveParts(w.sim.queue, w.parts))) as PartsSnapshot;
}

/** Build a twin and restore `snap` into it; what the twin traced while being built and loaded is dropped. */
export function restoreTwin(build: BuildWorld, seed: number, snap: PartsSnapshot): World {
  const twin = build(seed);
  restoreParts(twin.sim.queue, twin.parts, snap);
  twin.recs.length = 0;
  twin.frames.length = 0;
  return twin;
}

/** Does a run's trace contain `what`: "layer/probe", "layer/probe:reason" or "layer/probe:field=value"? */
export function sawRecord(recs: readonly TraceRecord[], what: string): boolean {
  const [lp, cond] = what.split(':');
  const [k, v] = cond?.includes('=') ? cond.split('=') : ['reason', cond];
  return recs.some((r) => `${r.layer}/${r.probe}` === lp && (v === undefined || String(r.f?.[k!]) === v));
}

/** Run `n` events, then on until the world is busy (so the save catches something in flight). */
export function runToBusy(w: World, n: number): void {
  w.sim.queue.runUntilIdle(n);
  while (!w.busy() && w.sim.queue.pending > 0) w.sim.queue.step();
}

/** Pending events as "name@time" in firing order. */
export function pending(w: World): string[] {
  return w.sim.queue.list().map((e) => `${e.name}@${e.when}`);
}

/**
 * An event source that makes stations send: at pseudo-random gaps from its own stream it picks a sender and
 * calls `send(i, k)` for the k-th frame, `count` times in all.
 */
export class Traffic implements SnapshotPart {
  private readonly rng: Rng;
  private readonly ev: SimEvent;
  private sent = 0;

  constructor(
    private readonly sim: Simulation,
    readonly name: string,
    private readonly senders: number,
    private readonly count: number,
    private readonly maxGapNs: number,
    private readonly send: (sender: number, k: number) => void,
  ) {
    this.rng = sim.rngs.stream(name);
    this.ev = new SimEvent(name, () => this.tick(), Priority.Default);
  }

  start(): void {
    this.sim.queue.schedule(this.ev, this.sim.queue.now);
  }

  private tick(): void {
    this.send(this.rng.below(this.senders), this.sent++);
    if (this.sent < this.count) this.sim.queue.scheduleIn(this.ev, this.rng.below(this.maxGapNs));
  }

  saveState(): { v: 1; sent: number; rng: [number, number, number, number]; at: number } {
    return { v: 1, sent: this.sent, rng: this.rng.state(), at: this.ev.when };
  }

  loadState(saved: { v: number }): void {
    const s = saved as ReturnType<Traffic['saveState']>;
    this.sent = s.sent;
    this.rng.setState(s.rng);
    this.sim.queue.deschedule(this.ev);
    if (s.at >= 0) this.sim.queue.schedule(this.ev, s.at);
  }
}

/** Wrap a test object whose state has no version of its own. */
export function part<S>(o: { saveState(): S; loadState(s: S): void }): SnapshotPart {
  return {
    saveState: () => ({ v: 1, s: o.saveState() }),
    loadState: (saved) => o.loadState((saved as unknown as { s: S }).s),
  };
}

export interface SnapshotCheckOptions {
  seed: number;
  /** Where to cut the reference run, as fractions of its event count. */
  at: readonly number[];
  /** The reference run must execute more events than this (the workload is not trivial). */
  minEvents: number;
  /** The world must report `busy()` at each cut (something in flight). Default true. */
  busyAtCuts?: boolean;
}

/**
 * The generic checks, as jest tests in the current describe block: the workload ends by itself, sees what it
 * must, and at each cut save → load into a twin → save is identical with the same pending events, and
 * "run 2N" equals "run N, save, restore into a twin, run N" (trace records, frames, final state).
 */
export function snapshotChecks(build: BuildWorld, o: SnapshotCheckOptions): void {
  // The reference run, inside the tests that use it (tests/helpers/shared-run.ts says why).
  const reference = sharedRun(() => {
    const whole = build(o.seed);
    whole.start();
    return { whole, total: whole.sim.queue.runUntilIdle(5_000_000) };
  });
  const cuts = o.at.map((f) => [`${Math.round(f * 100)} %`, f] as const);
  const cutAt = (f: number): number => Math.floor(reference().total * f);

  test('the workload ends by itself and is not trivial', () => {
    const { whole, total } = reference();
    expect(whole.sim.queue.pending).toBe(0);
    expect(total).toBeGreaterThan(o.minEvents);
    expect(whole.mustSee.filter((w) => !sawRecord(whole.recs, w))).toEqual([]);
  });

  test.each(cuts)('save → load into a twin → save is identical (at %s of the events)', (_label, f) => {
    const n = cutAt(f);
    const w = build(o.seed);
    w.start();
    runToBusy(w, n);
    if (o.busyAtCuts !== false) expect(w.busy()).toBe(true);
    const snap = save(w);
    const twin = restoreTwin(build, o.seed, snap);
    expect(JSON.parse(JSON.stringify(saveParts(twin.sim.queue, twin.parts)))).toEqual(snap);
    expect(pending(twin)).toEqual(pending(w));
  });

  test.each(cuts)('run 2N equals run N (N at %s of the events), save, restore into a twin, run N', (_label, f) => {
    const n = cutAt(f);
    const ref = build(o.seed);
    ref.start();
    runToBusy(ref, n);
    const snap = save(ref);
    const recMark = ref.recs.length;
    const frameMark = ref.frames.length;
    ref.sim.queue.runUntilIdle(n);
    const twin = restoreTwin(build, o.seed, snap);
    twin.sim.queue.runUntilIdle(n);
    expect(twin.recs.map((r) => JSON.stringify(r))).toEqual(ref.recs.slice(recMark).map((r) => JSON.stringify(r)));
    expect(twin.frames).toEqual(ref.frames.slice(frameMark));
    expect(save(twin)).toEqual(save(ref));
  });
}
