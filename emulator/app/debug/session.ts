/**
 * A debugging session over one scenario run: the run itself (a SimInstance driven event by event), the
 * breakpoints, a cursor on the trace record the session is stopped at, the packet under focus, the lookahead
 * timeline and the packet index. Commands (commands.ts) print what the methods here return.
 *
 * Execution is event-granular: an event runs to completion, then the records it emitted are checked against
 * breakpoints in order; a stop leaves the cursor on the matching record and the rest of that event's records
 * are checked by the next `continue`. Stepping back rebuilds the run from the scenario and seed and replays
 * it silently (breakpoints off) to the earlier event count: the run is deterministic, so the replayed history
 * is the history. The run is `qnxemu run`'s (SimInstance arms it the same way): it ends at `until`, or later
 * while the end-of-run tools are busy (SimInstance.limit), and the `end` stop comes after them.
 *
 * Guest nodes (Linux under v86): their CPUs run once, in the recording run before the session (the lookahead;
 * with `lookahead: false` the run is still made, only not indexed). Every instance the session steps through
 * — the first and each rebuild for `back` — replays the guests from that run's logs (emulator/machine/v86/
 * guest-log.ts): no second boot, and `back` costs what the QNX side costs. Build such a session with
 * `await DebugSession.create(scenario, opts)` (it prepares the guests' v86 instances).
 */
import type { Time } from '../../machine/sim/time';
import type { Scenario } from '../scenario/types';
import { prepareGuests, type PreparedGuests } from '../assembly/guest-node';
import type { GuestLogState } from '../../machine/v86/guest-log';
import { BreakpointTable, type Breakpoint } from './breakpoints';
import { SimInstance } from './instance';
import { PacketIndex } from './packet-index';
import { timeText, type DebugRecord } from './records';
import { Timeline, type LookaheadOptions } from './timeline';
import type { GuestRecording } from '../assembly/guest-recording';
import { recordThreadedRun, type ThreadedRecording } from './threaded';

/** What a replay is checked against, and the banner shows: the threaded run's own trace-hash and event count. */
export type ThreadedCheck = Pick<ThreadedRecording, 'traceHash' | 'events'>;

export interface SessionOptions {
  seed?: number | undefined;
  until?: Time | undefined;
  /** Run the scenario once ahead of the session (default true); see timeline.ts. */
  lookahead?: boolean | undefined;
  /** v86 instances for the guest nodes' recording run (`DebugSession.create` prepares them). */
  guests?: PreparedGuests | undefined;
  /** The lookahead's record cap (0: none; default DEFAULT_LOOKAHEAD_RECORDS) and progress callback: timeline.ts. */
  lookaheadRecords?: number | undefined;
  onLookaheadProgress?: LookaheadOptions['onProgress'];
  /** Called with every instance the session builds, before it runs: the lookahead's, then the session's own (each `back`/`restart` builds one). */
  onInstance?: ((inst: SimInstance, role: 'lookahead' | 'session') => void) | undefined;
  /**
   * Debug the scenario as `qnxemu run --threads N` runs it (`DebugSession.create` records that run first): every
   * instance replays its guests from the recording (threaded.ts).
   */
  threads?: number | undefined;
  /** With `threads`: the script the guests' workers run (the CLI bundle; default this process's). */
  workerScript?: string | undefined;
  /** A threaded run's recording (what `create` makes with `threads`): the guests are replayed from it. */
  recording?: readonly GuestRecording[] | null | undefined;
  /** The threaded run's own trace-hash and event count, to check the replays against (`create` with `threads`). */
  threaded?: ThreadedCheck | undefined;
}

export type StopReason = 'start' | 'breakpoint' | 'time' | 'step' | 'next' | 'until' | 'end' | 'back' | 'no-hop';

export interface Stop {
  reason: StopReason;
  bp: Breakpoint | null;
  /** The record the cursor is on, or null (stopped between events). */
  cursor: DebugRecord | null;
  /** Records to list with the stop (step and back: every record of the event). */
  shown: DebugRecord[];
  /** Name of the last event run (or about to run, for a time breakpoint). */
  event: string | null;
  message: string | null;
  /** Console lines the nodes printed while running to this stop. */
  console: DebugRecord[];
}

interface AdvanceOptions {
  reason: StopReason;
  breaks: boolean;
  maxEvents?: number;
  untilTime?: Time;
  want?: (r: DebugRecord) => boolean;
  skipPending?: boolean;
}

export class DebugSession {
  readonly seed: number;
  readonly until: Time;
  readonly packets = new PacketIndex();
  readonly timeline: Timeline | null;
  readonly breaks = new BreakpointTable();
  inst: SimInstance;
  /** Index in inst.records of the record the session is stopped at, or -1. */
  cursor = -1;
  /** The packet `next`, `path` and `show packet` default to. */
  focusPkt = 0;
  /** Records before this index have been checked against breakpoints. */
  private checked = 0;
  /** What the guests did in the recording run (null: the scenario has no guests, or they ran in worker threads). */
  readonly guestLogs: Map<string, GuestLogState> | null;
  /** The threaded run's recording its guests are replayed from (`threads`), or null. */
  readonly recording: readonly GuestRecording[] | null;
  /** The threaded run's trace-hash and events (`threads`): a replay that ends must give the same. */
  readonly threaded: ThreadedCheck | null;
  private readonly onInstance: SessionOptions['onInstance'];

  /**
   * A session. A scenario with guest nodes needs its guests prepared first (`opts.guests`, from
   * `await prepareGuests(scenario)`), or use `DebugSession.create`.
   */
  constructor(readonly scenario: Scenario, opts: SessionOptions = {}) {
    this.seed = opts.seed ?? scenario.seed;
    this.until = opts.until ?? scenario.until;
    const lookahead = opts.lookahead !== false;
    this.recording = opts.recording ?? null;
    this.threaded = opts.threaded ?? null;
    // Live guests run once, here; a threaded run's were recorded before (create) and are replayed like the rest.
    const liveGuests = scenario.nodes.some((n) => n.kind === 'guest') && !this.recording;
    if (lookahead || liveGuests) {
      // Without a lookahead the recording run must not teach the session's packet index about the future.
      const rec = Timeline.record(scenario, this.seed, this.until, lookahead ? this.packets : new PacketIndex(), opts.guests, {
        maxRecords: opts.lookaheadRecords,
        onProgress: opts.onLookaheadProgress,
        onInstance: opts.onInstance ? (inst) => opts.onInstance!(inst, 'lookahead') : undefined,
        recording: this.recording,
      });
      this.timeline = lookahead ? Timeline.of(rec) : null;
      this.guestLogs = liveGuests ? rec.inst.guestLogs() : null;
    } else {
      this.timeline = null;
      this.guestLogs = null;
    }
    this.onInstance = opts.onInstance;
    this.inst = this.build();
  }

  /**
   * A session on any scenario: guest nodes' v86 instances are prepared first (for the recording run); with
   * `threads`, the scenario first runs as `qnxemu run --threads N` runs it, recorded (threaded.ts), and the session
   * replays that run.
   */
  static async create(scenario: Scenario, opts: SessionOptions = {}): Promise<DebugSession> {
    if (opts.threads !== undefined && scenario.nodes.some((n) => n.kind === 'guest')) {
      const threaded = await recordThreadedRun(scenario, {
        threads: opts.threads,
        seed: opts.seed ?? scenario.seed,
        until: opts.until ?? scenario.until,
        script: opts.workerScript,
        onProgress: opts.onLookaheadProgress,
      });
      return new DebugSession(scenario, { ...opts, recording: threaded.guests, threaded });
    }
    const guests = await prepareGuests(scenario);
    return new DebugSession(scenario, { ...opts, guests });
  }

  private build(): SimInstance {
    const onBuilt = this.onInstance;
    return new SimInstance(this.scenario, {
      seed: this.seed,
      until: this.until,
      verbose: this.breaks.needsVerbose,
      packets: this.packets,
      guestLogs: this.guestLogs,
      recording: this.recording,
      onBuilt: onBuilt ? (inst) => onBuilt(inst, 'session') : undefined,
    });
  }

  /** A guest replay met something its log does not have: the session's run is no longer the recorded one. */
  get divergence(): string | null {
    return this.inst.divergence;
  }

  get records(): DebugRecord[] {
    return this.inst.records;
  }
  get executed(): number {
    return this.inst.executed;
  }
  get now(): Time {
    return this.inst.now;
  }
  get cursorRecord(): DebugRecord | null {
    return this.cursor >= 0 ? this.inst.records[this.cursor] ?? null : null;
  }

  /** Every record of `pkt` known: the whole run's with a lookahead (past a capped one's horizon, what ran), else what ran. */
  packetRecords(pkt: number): DebugRecord[] {
    return this.timeline ? this.timeline.known(pkt, this.records) : this.records.filter((r) => r.pkt === pkt);
  }

  /** Records of other packets caused by `pkt` (reqPkt, forPkt), as known (see packetRecords). */
  causedRecords(pkt: number): DebugRecord[] {
    return this.timeline ? this.timeline.knownCausedBy(pkt, this.records) : this.records.filter((r) => r.f?.['reqPkt'] === pkt || r.f?.['forPkt'] === pkt);
  }

  /** The packet under focus: the cursor's, else the last one stopped at. */
  get currentPkt(): number {
    const c = this.cursorRecord;
    return c && c.pkt > 0 ? c.pkt : this.focusPkt;
  }

  /** Keep the tracer's verbosity in step with the breakpoints (register records need it). */
  syncVerbose(): void {
    this.inst.verbose = this.breaks.needsVerbose;
  }

  continue(): Stop {
    return this.advance({ reason: 'end', breaks: true });
  }

  /** Run `n` events (stopping early at a breakpoint). */
  step(n = 1): Stop {
    return this.advance({ reason: 'step', breaks: true, maxEvents: Math.max(1, n), skipPending: true });
  }

  /** Run until the virtual time `t` (every event at or before it), or a breakpoint. */
  untilTime(t: Time): Stop {
    return this.advance({ reason: 'until', breaks: true, untilTime: t });
  }

  /** Go to the focused packet's next hop: the next record with its packet id. */
  next(): Stop {
    const pkt = this.currentPkt;
    if (pkt <= 0) return this.noMove('no packet under the cursor: stop at a packet record first, or use `path <pkt>`');
    this.focusPkt = pkt;
    const after = this.records.findIndex((r, i) => i > this.cursor && r.pkt === pkt);
    if (after >= 0 && after < this.checked) {
      // Already emitted and checked (the event under the cursor emitted it too): just move the cursor.
      this.cursor = after;
      return this.makeStop('next', null, [], this.checked, null);
    }
    // Only a lookahead that saw the whole run knows there is no further hop (a capped one stops at its horizon).
    if (after < 0 && this.timeline?.complete && !this.timeline.hasAfter(pkt, this.executed)) {
      const last = this.timeline.of(pkt).at(-1);
      const where = last ? ` (its last hop: ${last.node || 'the network'} ${last.layer}/${last.probe})` : '';
      return this.noMove(`packet ${pkt} has no further hop${where}`);
    }
    return this.advance({ reason: 'next', breaks: true, want: (r) => r.pkt === pkt });
  }

  /** Step back `n` events: rebuild, replay silently to `executed − n`. */
  back(n = 1): Stop {
    const target = Math.max(0, this.executed - Math.max(1, n));
    this.replayTo(target);
    const shown = this.records.filter((r) => r.ev === target && target > 0);
    this.cursor = this.pickCursor(shown);
    this.noteFocus();
    return this.makeStop('back', null, shown, this.records.length, null);
  }

  /** Back to power-on (nothing run). */
  restart(): Stop {
    this.replayTo(0);
    this.cursor = -1;
    return this.makeStop('start', null, [], this.records.length, 'restarted: the run is at its beginning');
  }

  private replayTo(target: number): void {
    this.inst = this.build();
    this.breaks.resetStops();
    while (this.inst.executed < target && this.inst.stepOne());
    this.checked = this.inst.records.length;
  }

  /** Where the cursor goes in an event's records: the focused packet's first record, else any packet's, else the first. */
  private pickCursor(shown: DebugRecord[]): number {
    const pick = shown.find((r) => r.pkt > 0 && r.pkt === this.focusPkt) ?? shown.find((r) => r.pkt > 0) ?? shown[0];
    return pick ? this.records.indexOf(pick) : -1;
  }

  private noMove(message: string): Stop {
    return { reason: 'no-hop', bp: null, cursor: this.cursorRecord, shown: [], event: null, message, console: [] };
  }

  private noteFocus(): void {
    const c = this.cursorRecord;
    if (c && c.pkt > 0) this.focusPkt = c.pkt;
  }

  private advance(o: AdvanceOptions): Stop {
    const inst = this.inst;
    if (o.skipPending) this.checked = inst.records.length;
    const from = this.checked;
    let ran = 0;
    for (;;) {
      const recs = inst.records;
      while (this.checked < recs.length) {
        const i = this.checked++;
        const r = recs[i]!;
        if (o.want && o.want(r)) return this.stopAt(i, o.reason, null, from);
        if (o.breaks) {
          const bp = this.breaks.matchRecord(r, this.packets);
          if (bp) return this.stopAt(i, 'breakpoint', bp, from);
        }
      }
      if (o.maxEvents !== undefined && ran >= o.maxEvents) {
        const shown = recs.slice(from);
        const last = shown.filter((r) => r.ev === inst.executed);
        this.cursor = this.pickCursor(last.length > 0 ? last : shown);
        this.noteFocus();
        return this.makeStop('step', null, shown, from, null);
      }
      // Bounded by the stop's time: a threaded run's replay then hands over the guests' records only up to it.
      const next = inst.peekNext(o.untilTime);
      if (!next) {
        const ahead = o.untilTime !== undefined ? inst.nextKnown() : null;
        if (!ahead) return this.makeStop('end', null, [], from, this.endMessage());
        return this.makeStop('until', null, [], from, `ran every event up to ${timeText(o.untilTime!)}; next event ${ahead.name} at ${timeText(ahead.at)}`);
      }
      if (o.breaks) {
        const bp = this.breaks.matchTime(inst.now, next.when, inst.executed);
        if (bp) {
          this.cursor = -1;
          const s = this.makeStop('time', bp, [], from, `next event ${next.name} at ${timeText(next.when)}`);
          s.event = next.name;
          return s;
        }
      }
      inst.queue.step();
      ran++;
    }
  }

  /** The end stop's text; past `until`, when the end-of-run tools (`expect:` counters read by netstat…) ran on. */
  private endMessage(): string {
    const past = this.inst.now > this.until ? `; the end-of-run tools finished at ${timeText(this.inst.now)}` : '';
    return `end of the run: no event left before the time limit ${timeText(this.until)}${past}${this.threadedCheck()}`;
  }

  /** At the end of a threaded run's replay: is its trace the threaded run's? (It must be: guest-recording.ts.) */
  private threadedCheck(): string {
    const t = this.threaded;
    if (!t) return '';
    // Register breakpoints turn register records on (verbose): such a trace is not the plain run's to compare.
    if (this.inst.wasVerbose) return '; register records were on, so its trace-hash is not compared with the threaded run\'s';
    const hash = this.inst.a.sim.tracer.digest();
    if (hash === t.traceHash) return `; the same trace-hash as the threaded run (${hash.slice(0, 16)}…)`;
    return `; DIVERGED: this replay's trace-hash ${hash.slice(0, 16)}… is not the threaded run's ${t.traceHash.slice(0, 16)}… (a bug in qnxemu: please report it with the scenario)`;
  }

  private stopAt(i: number, reason: StopReason, bp: Breakpoint | null, from: number): Stop {
    this.cursor = i;
    this.noteFocus();
    return this.makeStop(reason, bp, [], from, null);
  }

  private makeStop(reason: StopReason, bp: Breakpoint | null, shown: DebugRecord[], from: number, message: string | null): Stop {
    const upto = Math.max(from, this.checked);
    const console = this.inst.records.slice(from, upto).filter((r) => r.layer === 'console');
    return { reason, bp, cursor: this.cursorRecord, shown, event: this.inst.lastEvent?.name ?? null, message, console };
  }
}
