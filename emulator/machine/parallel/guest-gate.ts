/**
 * A guest worker's side of the synchronisation (main-gate.ts has the protocol). The guest's queue runs an event
 * once it is at or before the *effective horizon*: the main thread's horizon, but no later than 1 ns after the
 * guest's own oldest message the main thread had not yet taken in when it computed that horizon (the answer to it
 * could come then). The guest's CPU, inside a quantum, waits at each access to a device or its serial port until
 * the horizon is past the access's time (guest-machine.ts `sync`), so what it reads is what the world was then.
 *
 * The guest's own time, sent to the main thread when it waits (and while its CPU runs, whenever the main thread
 * waits for it): the earliest of its next event and its CPU's clock inside a quantum — what it could send without
 * being sent anything first — with the number of the main thread's messages it had taken in.
 */
import type { EventQueue, QueueGate } from '../sim/event-queue';
import { MESSAGE_SEQ_BASE } from '../sim/event-queue';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import type { Time } from '../sim/time';
import { EventTally } from './event-tally';
import { horizonFor } from './horizon';
import { readGuestState, readMainState, writeGuestState, type MainState } from './shared-clocks';
import {
  isCausal,
  loadTime,
  ring,
  storeTime,
  guestBell,
  syncGuestNeed,
  syncGuestStuck,
  syncGuestWaiting,
  SYNC_MAIN_BELL,
  SYNC_MAIN_NEED_HI,
  SYNC_MAIN_NEED_LO,
  SYNC_MAIN_WAITING,
  SYNC_TOKENS,
  WAIT_ARMED,
  WAIT_RUNNING,
  WAIT_WATCHING,
  type Endpoint,
  type RecordTuple,
  isTimedToGuest,
  type TimedToGuest,
  type ToGuest,
  type ToMain,
} from './messages';

/** Thrown out of the guest's run when the main thread says stop (the worker then reports and ends). */
export class StopWorker extends Error {
  constructor() {
    super('stop');
  }
}

export interface GuestGateOptions {
  name: string;
  index: number;
  queue: EventQueue;
  sync: Int32Array;
  endpoint: Endpoint<ToGuest, ToMain>;
  /** The guest's CPU clock while it is inside a quantum, else null. */
  cpuTime: () => Time | null;
  /** Carry out a timed message (a medium's call, a line typed at the shell, …) when its event runs. */
  apply: (m: TimedToGuest, at?: Time) => void;
  /**
   * Every station of the guest says a carrier change may be taken late (RemoteMedia.quiet): its events may then run
   * to the relaxed horizon, counted with the media's frame lookahead (docs/guest-time-model.md "The carrier taken
   * late"). Absent: never.
   */
  quiet?: () => boolean;
  /** `--threads` lower than the number of guests: hold a token while executing. */
  tokens: boolean;
  /** How many guests the run has (their states are read from shared memory: shared-clocks.ts). */
  guests: number;
  /**
   * The run has ended (MainState.final) and what we wait for is past it: nothing will ever let us go on (the main
   * thread stops us). Called once; a pending snapshot says it cannot be taken (guest-worker.ts).
   */
  onStuck?: () => void;
  /** The run has ended at `until`: the main thread asks how many events we ran up to then (`eventsUpTo`). */
  onEnd?: (until: Time) => void;
  /**
   * A sleep ended by SLEEP_CHECK_MS with nobody having rung our bell, and the look after it found we could go on: a
   * wake-up that never came (`count`: how many so far). The run goes on as it would have; the worker says so.
   */
  onLateWake?: (count: number) => void;
  /**
   * The main thread hosts this guest (hosted-guest.ts): instead of spinning and sleeping alone, a wait runs what the
   * main thread's simulation can run meanwhile, and sleeps for both.
   */
  host?: GuestHost;
}

/** What a guest hosted on the main thread waits with (main-gate.ts implements it). */
export interface GuestHost {
  /** Run the main thread's events that may run now, without waiting; true if anything ran or came in. */
  pump(): boolean;
  /**
   * Neither the guest nor the main thread can go on: sleep until a ring on the shared bell after `seen` (a message,
   * another guest passing what either needs), the main thread having said what it waits for.
   */
  sleep(seen: number): void;
}

/** How many times a guest re-reads the others' published states before it sleeps (microseconds of spinning). */
const SPIN_READS = 200;
/**
 * A hosted guest's reads before it sleeps: each look also runs the main thread's events that may run (pump), so fewer
 * looks span the same moment (measured: 20 against 0, 50 and 200 for the two-guest bench).
 */
const HOSTED_SPIN_READS = 20;
/**
 * While nobody watches (no thread waits), a guest republishes its CPU's clock only after it moved this far: v86 reads
 * its clock tens of millions of times in a boot, and each publication is a handful of atomic writes.
 */
const PUBLISH_STEP: Time = 1000;
/**
 * While its CPU runs, a guest looks whether to publish its clock or tell the main thread at most once per this much
 * of its clock (poll). What waits for it learns its clock up to this much later (a fraction of a microsecond of
 * wall time); the run does not depend on when anyone learns it.
 */
const POLL_STEP: Time = 200;
/**
 * A sleeping guest (or one waiting for a token) looks again after this long even if nobody rang. Every change that
 * lets it go on rings its bell, so this only matters if a ring went missing: then it costs this much wall time
 * instead of stopping the run for good (and the guest reports it: `onLateWake`). A look at the shared states and
 * messages is what any wake-up leads to, so when it happens does not change the run.
 */
export const SLEEP_CHECK_MS = 1000;
/**
 * How long a ring may still be on its way after the state it announces is visible (checkLate). It takes microseconds;
 * this is long enough that a publisher the OS paused between writing its state and ringing (a loaded machine) is not
 * taken for a missed ring, and it is waited only after a sleep timed out.
 */
const RING_GRACE_MS = 250;

/**
 * Internal switch for tests (not a user option), as guest-window.ts `guestDetach`: false = every guest waits for the
 * exact horizon, quiet or not (the reference path). `late` counts the carrier changes taken late in this thread.
 */
export const relaxedHorizon = { enabled: true, late: 0 };

export class GuestGate implements QueueGate {
  private h = 0;
  private cap = 0;
  private keys = 0;
  private sent = 0;
  private confirmed = 0;
  /** Times of causal messages sent and not yet accounted for by a horizon (index = confirmed + i). */
  private readonly unconfirmed: Time[] = [];
  private lastOwn = -1;
  /** The CPU clock before which poll() does not look again (POLL_STEP). */
  private nextPoll = -Infinity;
  private pubOwn = -1;
  private pubSent = -1;
  private pubRecv = -1;
  private lastRecv = -1;
  private received = 0;
  private records: RecordTuple[] = [];
  /** A hosted guest's event-level wait gave up so the main thread could go on (runSlice: not the end). */
  yielded = false;
  /** A hosted guest that yielded stays armed until its next admit goes on. */
  private armedOut = false;
  private outNeed: Time = -1;
  /** A hosted guest's poll: the bell's count when it last ran the main thread's events. */
  private pumped = -1;
  private readonly bell: number;
  private readonly waiting: number;
  private holding = false;
  /** Our last arm generation (messages.ts WAIT_ARMED), and per guest the generation we last rang it for. */
  private armGen = WAIT_ARMED - 1;
  private readonly rung: number[];
  /** Per guest: the media's lookahead after its messages (main-gate.ts `lookahead`); zeros until 'go' says. */
  private lookahead: readonly Time[];
  /** Per guest: the media's frame lookahead (Medium.frameLookahead), for the relaxed horizon; zeros until 'go'. */
  private frameLookahead: readonly Time[];
  /** fastHorizon's per-guest own times (reused: it runs at every access of the CPU). */
  private readonly owns: Time[];
  private stuck = false;
  /** The events run, for the summary's count up to the run's end (event-tally.ts). */
  private readonly tally = new EventTally();
  /** Sleeps that timed out with our bell never rung and were followed by going on (onLateWake). */
  private lateWakes = 0;

  constructor(private readonly o: GuestGateOptions) {
    this.bell = guestBell(o.sync, o.index);
    this.waiting = syncGuestWaiting(o.index);
    this.lookahead = new Array<Time>(o.guests).fill(0);
    this.frameLookahead = new Array<Time>(o.guests).fill(0);
    this.rung = new Array<number>(o.guests).fill(0);
    this.owns = new Array<Time>(o.guests).fill(Infinity);
  }

  /** The media's lookahead per guest (the 'go' message carries it). */
  setLookahead(la: readonly Time[], frame: readonly Time[] = la): void {
    this.lookahead = la;
    this.frameLookahead = frame;
  }

  /** Start executing (take a token when `--threads` limits them). */
  start(): void {
    this.acquire();
  }

  admit(until: Time, mayYield = false): boolean {
    this.yielded = false;
    for (let spins = 0, armed = false, watching = false, silent = false; ; ) {
      const seen = Atomics.load(this.o.sync, this.bell); // before draining: a message after this rings again
      const main = readMainState(this.o.sync, this.o.guests); // before draining: what it counts as sent is then in
      this.drain();
      this.publish();
      // After the run's end the main thread runs nothing more; a longer run would send us nothing before end + 1.
      const fin = main.final ? main.end! + 1 : -Infinity;
      const exact = Math.max(this.heff(), this.fastHorizon(main), fin);
      const cap = Math.max(this.cap, main.cap);
      const top = this.o.queue.peek();
      // Nothing the run can still do comes at or before this: the main thread's end is not before it.
      this.tally.settle(Math.min(exact - 1, cap));
      // With every station quiet, what can still reach us before the relaxed horizon is a carrier change, taken late.
      // Looked at only when the exact horizon is not enough: the next event (or, with none by `until`, until + 1).
      const want = top && top.when <= until ? top.when : until + 1;
      const heff = exact < want && this.quiet() ? Math.max(exact, this.relaxedHorizon(main)) : exact;
      if (top && top.when <= until && top.when <= heff && top.when <= cap) {
        if (silent) this.checkLate(seen);
        if (watching || silent || this.armedOut) this.running();
        this.poll();
        this.tally.count(top.when);
        return true;
      }
      if ((!top || top.when > until) && until < heff && until <= cap) {
        if (silent) this.checkLate(seen);
        if (watching || silent || this.armedOut) this.running();
        return false;
      }
      const host = this.o.host;
      if (host) {
        // The run has ended and we would wait for more: nothing here matters any more (what a guest does after the
        // end is dropped; the 'end' report went out when drained). A hosted guest takes no snapshot part.
        if (main.final) throw new StopWorker();
        // On the main thread: between events, give the thread back (armed: a guest that passes our need rings the
        // bell the main thread sleeps on); inside the CPU's access, run the main thread's events meanwhile.
        if (mayYield) {
          // Armed once per need: each arming is a new generation that the other guests ring the bell for.
          const need = top && top.when <= until ? top.when : until;
          if (!this.armedOut || need !== this.outNeed) this.arm(need);
          this.outNeed = need;
          this.armedOut = true;
          this.yielded = true;
          return false;
        }
        if (host.pump()) continue;
        if (!watching) {
          Atomics.store(this.o.sync, this.waiting, WAIT_WATCHING);
          watching = true;
          continue;
        }
        if (spins++ < HOSTED_SPIN_READS) continue;
        if (!armed) {
          this.arm(top && top.when <= until ? top.when : until);
          armed = true;
          continue;
        }
        host.sleep(seen);
        armed = false;
        watching = false;
        spins = 0;
        this.running();
        continue;
      }
      // Only the first look after a sleep that timed out can tell a missed ring: later ones see what others did since.
      silent = false;
      if (!watching) {
        // The others now publish every step of their clocks (we may be held back by any of them).
        Atomics.store(this.o.sync, this.waiting, WAIT_WATCHING);
        watching = true;
        continue;
      }
      // Spin only with a core of our own: holding one of fewer tokens than guests, spinning keeps the others out.
      if (!this.o.tokens && spins++ < SPIN_READS) continue;
      if (main.final && !this.stuck) {
        // What we wait for against the best the rest could ever give now that the main thread runs nothing more.
        const event = !!top && top.when <= until;
        const wantH = event ? top.when : until + 1;
        const wantCap = event ? top.when : until;
        if (wantH > this.finalBound(main, fin) || wantCap > cap) this.becomeStuck();
      }
      if (!armed) {
        // What would let us go on: the others' own times past the access (a CPU's sync), or at our next event. Say
        // so, then look once more before sleeping: whoever changes something after that look rings our bell.
        this.arm(top && top.when <= until ? top.when : until);
        armed = true;
        continue;
      }
      silent = this.sleep(seen);
      spins = 0;
      armed = false;
      watching = false;
    }
  }

  /** Running again: neither watching nor armed. */
  private running(): void {
    this.armedOut = false;
    Atomics.store(this.o.sync, this.waiting, WAIT_RUNNING);
  }

  /**
   * Our sleep timed out (still armed: whoever let us go on since should have rung) and this look lets us go on. If
   * the bell has not rung since `seen`, give a ring in flight a moment to land — a publisher writes its state, then
   * rings — and if none comes, the wake-up was missed: report it.
   */
  private checkLate(seen: number): void {
    const s = this.o.sync;
    if (Atomics.load(s, this.bell) !== seen) return;
    if (Atomics.wait(s, this.bell, seen, RING_GRACE_MS) !== 'timed-out') return;
    this.lateWakes++;
    this.o.onLateWake?.(this.lateWakes);
  }

  /** A record of this guest's trace, sent in order before anything that lets the main thread go past its time. */
  record(r: RecordTuple): void {
    this.records.push(r);
    if (this.records.length >= 512) this.flushRecords();
  }

  /** Send a message to the main thread (causal ones are counted and remembered until accounted for). */
  send(m: ToMain): void {
    this.flushRecords();
    if (isCausal(m)) {
      this.sent++;
      this.unconfirmed.push((m as { t: Time }).t);
    }
    this.o.endpoint.post(m);
    ring(this.o.sync, SYNC_MAIN_BELL);
  }

  /**
   * While the CPU runs: publish our clock (see `publish`), and if the main thread waits for an own time we have
   * reached, send ours. `cpu`: the CPU's clock just read inside a quantum (what `cpuTime` would say now), given by a
   * clock read so that this, run at every one of them, need not read the clock again.
   */
  poll(cpu?: Time): void {
    if (cpu !== undefined) {
      // At most one look per POLL_STEP of the CPU's clock: v86 reads it every ≈ 40 ns of guest time in a boot.
      if (cpu < this.nextPoll) return;
      this.nextPoll = cpu + POLL_STEP;
    }
    const own = cpu === undefined ? this.ownTime() : this.ownAt(cpu);
    this.publish(false, own);
    const s = this.o.sync;
    const host = this.o.host;
    if (host) {
      // Hosted: the main thread's events run only when we let them. A ring (a worker waits for one of them, sent
      // something, or passed what the main thread needs) says one may be due: run what may run now.
      const b = Atomics.load(s, this.bell);
      if (cpu !== undefined && b !== this.pumped) {
        this.pumped = b;
        host.pump();
      }
      return;
    }
    if (Atomics.load(s, SYNC_MAIN_WAITING) !== 1) return;
    const need = loadTime(s, SYNC_MAIN_NEED_HI, SYNC_MAIN_NEED_LO);
    // Once per need: when our own time first reaches it (the main thread asks again with a new need).
    if (own >= need && (this.lastOwn < need || this.received !== this.lastRecv)) this.sendOwn(own);
  }

  /**
   * After the run's end: the largest horizon we could ever get. The main thread's next event, end, and held messages
   * (with their lookahead) no longer move, nor do the own times of guests that are stuck; the others' may still grow,
   * so they do not bound it. At least `fin`, the end + 1.
   */
  private finalBound(main: MainState, fin: Time): Time {
    const me = this.o.index;
    let h = Math.min(main.top, main.cap, main.heads[me]!);
    for (let g = 0; g < this.o.guests; g++) {
      if (g === me) continue;
      const la = this.lookahead[g]!;
      h = Math.min(h, main.heads[g]! + la);
      if (Atomics.load(this.o.sync, syncGuestStuck(g)) === 1) h = Math.min(h, readGuestState(this.o.sync, g).own + 1 + la);
    }
    return Math.max(h, fin);
  }

  /** We will never go on: say so in shared memory (the others' bounds count on our own time now) and wake them. */
  private becomeStuck(): void {
    this.stuck = true;
    this.publish(true);
    Atomics.store(this.o.sync, syncGuestStuck(this.o.index), 1);
    for (let g = 0; g < this.o.guests; g++) if (g !== this.o.index) ring(this.o.sync, guestBell(this.o.sync, g));
    this.o.onStuck?.();
  }

  /** Events this guest ran of time `end` or before (asked when the run has ended at `end`). */
  eventsUpTo(end: Time): number {
    return this.tally.upTo(end);
  }

  /**
   * A time the run's end cannot come before: a horizon we had (the main thread's next event was not before it) within
   * the run's limit.
   */
  get settled(): Time {
    return this.tally.settled;
  }

  /** Stopped: give back the token (the main thread ends the worker). */
  finish(): void {
    this.release();
  }

  /**
   * The horizon from the shared states (shared-clocks.ts), when no message is in flight to or from anyone: the main
   * thread's next local event and end, our own messages it has not run, and, for every other guest, its messages
   * not run and 1 ns after its own time, each plus its media's lookahead (`la`; the frame lookahead for the relaxed
   * horizon). -Infinity when it cannot be used.
   */
  private fastHorizon(main: MainState, la: readonly Time[] = this.lookahead): Time {
    const me = this.o.index;
    if (main.sentTo[me] !== this.received || main.drained[me] !== this.sent) return -Infinity;
    const owns = this.owns;
    for (let g = 0; g < this.o.guests; g++) {
      if (g === me) continue;
      const st = readGuestState(this.o.sync, g);
      if (st.sent !== main.drained[g] || st.recv !== main.sentTo[g]) return -Infinity;
      owns[g] = st.own;
    }
    return horizonFor(me, { top: main.top, cap: main.cap, heads: main.heads, lookahead: la }, (o) => owns[o]!);
  }

  /** Every station of ours is quiet (GuestGateOptions.quiet), and the relaxed horizon is on. */
  private quiet(): boolean {
    return relaxedHorizon.enabled && !this.exactOnly && this.o.quiet?.() === true;
  }

  /**
   * Run only to exact horizons (true) or relaxed ones too. A snapshot's or a restore's point (guest-worker.ts) is
   * where no message of its time or before can still come, a carrier change included: the run to it is exact.
   */
  exactOnly = false;

  /**
   * fastHorizon counted with the media's frame lookahead: before it, another guest's transmission reaches us only as
   * carrier (Medium.frameLookahead); the main thread's own events, our held messages and the answers to ours still
   * bound it as they are. -Infinity when a message is in flight.
   */
  private relaxedHorizon(main: MainState): Time {
    const h = this.fastHorizon(main, this.frameLookahead);
    return this.unconfirmed.length > 0 ? Math.min(h, this.unconfirmed[0]! + 1) : h;
  }

  /**
   * Publish our own time and counts (records first: the main thread may go past their times once it sees it). A
   * clock that moved less than PUBLISH_STEP is published only while some thread waits (a stale own time is a lower
   * bound all the same).
   */
  private publish(force = false, own = this.ownTime()): void {
    if (!force && this.sent === this.pubSent && this.received === this.pubRecv) {
      if (own === this.pubOwn) return;
      if (own - this.pubOwn < PUBLISH_STEP && !this.watched()) return;
    }
    this.flushRecords();
    this.pubOwn = own;
    this.pubSent = this.sent;
    this.pubRecv = this.received;
    writeGuestState(this.o.sync, this.o.index, { own, sent: this.sent, recv: this.received });
    // Another guest asleep waiting for our own time (+ 1 + lookahead) to pass its need: wake it (once per arming).
    const la = this.lookahead[this.o.index]!;
    for (let g = 0; g < this.o.guests; g++) {
      if (g === this.o.index) continue;
      const w = Atomics.load(this.o.sync, syncGuestWaiting(g));
      if (w < WAIT_ARMED || w === this.rung[g]) continue;
      const [hi, lo] = syncGuestNeed(g);
      if (own + la < loadTime(this.o.sync, hi, lo)) continue;
      this.rung[g] = w;
      ring(this.o.sync, guestBell(this.o.sync, g));
    }
  }

  /**
   * Another guest waits for our clock and could go on at once if it moved: one spinning over our state (it holds a
   * token, if there are tokens), or one armed or asleep while a token is free. With fewer tokens than guests and none
   * free, a sleeper could not run even if rung: a holder gives its token back only when it waits, and publishes first
   * (`sleep`), so until then our clock is published every PUBLISH_STEP only (with `--threads 1` the other guest always
   * waits, and publishing at each of v86's clock reads cost seconds per guest). The main thread, which waits most of
   * the time, is not counted: it reads our state when it wakes, and `poll` wakes it when we pass what it needs.
   */
  private watched(): boolean {
    const s = this.o.sync;
    const sleepersCount = !this.o.tokens || Atomics.load(s, SYNC_TOKENS) > 0;
    for (let g = 0; g < this.o.guests; g++) {
      if (g === this.o.index) continue;
      const w = Atomics.load(s, syncGuestWaiting(g));
      if (w === WAIT_WATCHING || (w >= WAIT_ARMED && sleepersCount)) return true;
    }
    return false;
  }

  private heff(): Time {
    return this.unconfirmed.length > 0 ? Math.min(this.h, this.unconfirmed[0]! + 1) : this.h;
  }

  /** The earliest time we could send anything unprompted: the next event, the CPU's clock inside a quantum. */
  private ownTime(): Time {
    const cpu = this.o.cpuTime();
    return cpu !== null ? this.ownAt(cpu) : this.o.queue.peekTime() ?? Infinity;
  }

  /** ownTime with the CPU inside a quantum at `cpu`. */
  private ownAt(cpu: Time): Time {
    const top = this.o.queue.peekTime();
    return top !== null && top < cpu ? top : cpu;
  }

  private sendOwn(own: Time): void {
    this.flushRecords();
    this.lastOwn = own;
    this.lastRecv = this.received;
    this.o.endpoint.post({ k: 'safe', own, recv: this.received });
    ring(this.o.sync, SYNC_MAIN_BELL);
  }

  private flushRecords(): void {
    if (this.records.length === 0) return;
    const r = this.records;
    this.records = [];
    this.o.endpoint.post({ k: 'recs', r });
  }

  private drain(): void {
    const ep = this.o.endpoint;
    for (let m = ep.receive(); m !== undefined; m = ep.receive()) {
      if (isTimedToGuest(m)) {
        const timed = m;
        if (m.t < this.o.queue.now && m.k === 'port' && m.call === 'carrier') {
          // A carrier change in our past: we ran there on the relaxed horizon, every station quiet, so nothing read
          // the carrier since; taken now with its time, it leaves what taking it then would have (its event counted).
          this.received++;
          this.keys++;
          this.tally.count(m.t);
          relaxedHorizon.late++;
          this.o.apply(timed, m.t);
          continue;
        }
        const ev = new SimEvent(`${this.o.name}.${timed.k === 'port' ? `port${timed.port}` : timed.k}.msg`, () => this.o.apply(timed), Priority.Message);
        this.received++;
        if (m.t < this.o.queue.now) throw new Error(`${this.o.name}: a message of time ${m.t} arrived at ${this.o.queue.now} (h ${this.h}, unconfirmed ${this.unconfirmed.join(',')})`);
        this.o.queue.scheduleMessage(ev, m.t, MESSAGE_SEQ_BASE + this.keys++);
        continue;
      }
      switch (m.k) {
        case 'h':
          // Not a maximum: a horizon accounts for the messages of ours the main thread had taken in (m.drained), and
          // those can bring it back down (our transmission's answer is earlier than the main thread's next event).
          this.h = m.h;
          if (m.cap > this.cap) this.cap = m.cap;
          while (this.confirmed < m.drained) {
            this.unconfirmed.shift();
            this.confirmed++;
          }
          break;
        case 'end':
          this.o.onEnd?.(m.until);
          break;
        case 'stop':
          throw new StopWorker();
        case 'go':
          break;
      }
    }
  }

  /** We are about to wait: publish what for, tell the main thread how far we are, and wake it. */
  private arm(want: Time): void {
    const s = this.o.sync;
    // Quiet, we go on once another guest's own time + 1 + its frame lookahead passes what we want; the others ring at
    // their own time + lookahead, so ask for that much less.
    let need = want;
    if (this.quiet()) {
      let d = Infinity;
      for (let g = 0; g < this.o.guests; g++) if (g !== this.o.index) d = Math.min(d, this.frameLookahead[g]! - this.lookahead[g]!);
      if (d > 0 && d < Infinity) need = want - d;
    }
    const [hi, lo] = syncGuestNeed(this.o.index);
    storeTime(s, hi, lo, need);
    const own = this.ownTime();
    if (own !== this.lastOwn || this.received !== this.lastRecv) this.sendOwn(own);
    else this.flushRecords();
    this.armGen = this.armGen >= 0x3fffffff ? WAIT_ARMED : this.armGen + 1;
    Atomics.store(s, this.waiting, this.armGen);
    ring(s, SYNC_MAIN_BELL);
  }

  /**
   * Sleep until our bell rings (anything rung after `seen` was read wakes us at once), or SLEEP_CHECK_MS passed. True
   * when it timed out: we then stay armed for the look that follows (admit's `silent`), so that a change it finds was
   * one a ring should have announced (checkLate).
   */
  private sleep(seen: number): boolean {
    const s = this.o.sync;
    // Our clock as it is now, ringing whoever it lets go on, before a token we give back lets them run (watched).
    if (this.o.tokens) this.publish(true);
    this.release();
    const silent = Atomics.wait(s, this.bell, seen, SLEEP_CHECK_MS) === 'timed-out';
    if (!silent) Atomics.store(s, this.waiting, WAIT_RUNNING);
    this.acquire();
    return silent;
  }

  private acquire(): void {
    if (!this.o.tokens || this.holding) return;
    const s = this.o.sync;
    for (;;) {
      const v = Atomics.load(s, SYNC_TOKENS);
      if (v > 0 && Atomics.compareExchange(s, SYNC_TOKENS, v, v - 1) === v) break;
      Atomics.wait(s, SYNC_TOKENS, v, SLEEP_CHECK_MS);
    }
    this.holding = true;
  }

  private release(): void {
    if (!this.o.tokens || !this.holding) return;
    this.holding = false;
    Atomics.add(this.o.sync, SYNC_TOKENS, 1);
    Atomics.notify(this.o.sync, SYNC_TOKENS, 1);
  }
}
