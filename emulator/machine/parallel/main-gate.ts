/**
 * The main thread's side of running guests in worker threads (docs/guest-time-model.md "Guests in worker threads"):
 * conservative synchronisation over a star (the main thread in the middle), with the global bound computed here.
 *
 * Every guest reports its *own time*: the earliest time it could send anything without being sent something first
 * (its next event; its CPU's clock inside a quantum), with the number of our messages it had taken in. Counting the
 * messages we sent it since, which it will act on at their times, a guest sends nothing before
 * `own'` = min(own time, the earliest of those). A guest's message sent at s arrives here at s + 1 ns (the partition
 * boundary is a 1 ns wire). An event at t (local, or a guest's message: after local events of t, Priority.Message)
 * may run once every guest's own' >= t: then no message can still arrive at or before t, and no trace record before
 * t can still come from a guest (they are merged in before it: record-merge.ts). Each guest gets a *horizon*: we
 * send it nothing before the earliest of our next local event, the run's end, its own messages not yet run, and for
 * each other guest its messages not yet run and its own' + 1, each plus that guest's media's lookahead (a hub's
 * propagation delay: `Medium.lookahead`); with it the number of its messages we had taken in, so that it
 * knows its later messages are not yet accounted for (guest-gate.ts). Whoever holds the earliest time can always go
 * on: the bound is the global minimum, not a chain of promises that grows a nanosecond per exchange.
 */
import type { EventQueue, QueueGate } from '../sim/event-queue';
import { MESSAGE_SEQ_BASE } from '../sim/event-queue';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import type { Time } from '../sim/time';
import type { Tracer } from '../sim/trace';
import {
  isCausal,
  isTimedToGuest,
  loadTime,
  ring,
  syncGuestNeed,
  storeTime,
  guestBell,
  syncGuestWaiting,
  SYNC_MAIN_BELL,
  SYNC_MAIN_NEED_HI,
  SYNC_MAIN_NEED_LO,
  SYNC_MAIN_WAITING,
  WAIT_ARMED,
  type Endpoint,
  type ToGuest,
  type ToMain,
} from './messages';
import { horizonFor } from './horizon';
import { RecordMerge } from './record-merge';
import { readGuestState, writeMainState } from './shared-clocks';

/** Message keys: origin (1 + guest index) above this, each origin's own count below. */
export const ORIGIN_SPAN = 2 ** 40;

export interface MainGuest {
  readonly name: string;
  readonly endpoint: Endpoint<ToMain, ToGuest>;
  /** A causal message's effect here (a transmission, a renegotiation), at its arrival time. */
  apply(m: ToMain): void;
  /** A console line of the guest, at its time (merged with the trace records). */
  line(text: string, t: Time): void;
  /**
   * The least time from one of its messages arriving here (a transmission, a renegotiation) to any call of its media
   * on another station because of it (`Medium.lookahead`: a hub's propagation delay; 0 when a medium has none).
   */
  readonly lookahead: Time;
  /**
   * The least time from its call to any call other than a carrier change on another station (Medium.frameLookahead).
   * Absent: `lookahead`.
   */
  readonly frameLookahead?: Time;
  /** Why the guest's thread ended early (it crashed), or null. */
  failure(): string | null;
}

/** How long one wait may last before admit() lets the caller's event loop turn (ms of wall time, not simulated). */
const WAIT_SLICE_MS = 25;
/** How many times wait() runs the hosted guest and reads the guests' states before sleeping (microseconds). */
const HOST_SPINS = 20;

export class MainGate implements QueueGate {
  /** Per guest: its own time as last reported, and how many of our messages it had taken in then. */
  private readonly own: Time[];
  private readonly recv: number[];
  /** Per guest: times of the messages we sent it and it had not yet reported taking in (index recv + i). */
  private readonly unacked: Time[][];
  private readonly sentTo: number[];
  private readonly drained: number[];
  /** Every guest's causal messages taken in (the sum of `drained`): a wait that saw it change got something. */
  private taken = 0;
  private readonly keys: number[];
  private readonly sentH: Time[];
  private readonly sentCap: Time[];
  private readonly sentDrained: number[];
  /**
   * Per guest: its messages taken in, in order, not yet run. One goes into the queue only when it is the next thing
   * to run (before every local event; at a local event's time the local event runs first, as `Priority.Message` and
   * the keys would order them), so the queue's top is always the next *local* event and a horizon can add the media's
   * lookahead to the held messages' times. The run is the one an eager insertion gives.
   */
  private readonly held: { ev: SimEvent; at: Time; key: number }[][];
  /** Per guest (MainGuest.lookahead); the guests get it in their 'go' message. */
  readonly lookahead: readonly Time[];
  /** Per guest (MainGuest.frameLookahead), for the guests' relaxed horizons: sent in 'go'. */
  readonly frameLookahead: readonly Time[];
  private readonly minLookahead: Time;
  readonly merge: RecordMerge;
  private cap = 0;
  /** admit() gave up a wait so the caller could yield: runSlice counts it as a full slice. */
  yielded = false;
  /** What a guest reports beside the protocol: its snapshot part or why not, its events at the end, its console output. */
  onReport: ((g: number, m: Extract<ToMain, { k: 'snap' | 'snap-failed' | 'end' | 'out' }>) => void) | null = null;
  /**
   * A guest this thread hosts (hosted-guest.ts): `run` runs its events that may run now (false: none ran). While it
   * runs, our waits do not block (`inHost`): its CPU waits inside an access, running our events meanwhile (`pump`).
   */
  host: { run(): boolean } | null = null;
  private inHost = false;
  /**
   * The run's stop condition, asked after each event (testing/execute.ts: the grace for observers at the end). The run's
   * own loop asks it between the events it runs; `pump` asks it after each event it runs for the hosted guest, and
   * when it holds, sets `stopped`: nothing more runs here, and the run's loop is told so (admit yields).
   */
  stopWhen: (() => boolean) | null = null;
  stopped = false;
  /** The run has ended: nothing more runs here (serveUntil); everything up to `end` ran. */
  private final = false;
  private end = 0;

  constructor(
    private readonly queue: EventQueue,
    tracer: Tracer,
    private readonly sync: Int32Array,
    private readonly guests: readonly MainGuest[],
  ) {
    const n = guests.length;
    this.own = new Array<Time>(n).fill(0);
    this.recv = new Array<number>(n).fill(0);
    this.unacked = Array.from({ length: n }, () => []);
    this.sentTo = new Array<number>(n).fill(0);
    this.drained = new Array<number>(n).fill(0);
    this.keys = new Array<number>(n).fill(0);
    this.sentH = new Array<Time>(n).fill(-1);
    this.sentCap = new Array<Time>(n).fill(-1);
    this.sentDrained = new Array<number>(n).fill(-1);
    this.held = Array.from({ length: n }, () => []);
    this.lookahead = guests.map((g) => g.lookahead);
    this.frameLookahead = guests.map((g) => g.frameLookahead ?? g.lookahead);
    this.minLookahead = Math.min(...this.lookahead);
    this.merge = new RecordMerge(tracer, (g, text, t) => this.guests[g]!.line(text, t));
  }

  admit(until: Time, mayYield: boolean): boolean {
    this.cap = Math.max(this.cap, until);
    this.yielded = false;
    for (;;) {
      // The stop condition held after an event the hosted guest's wait ran (pump): run nothing more.
      if (this.stopped || this.final) {
        this.yielded = true;
        return false;
      }
      this.update();
      const held = this.nextHeld();
      const local = this.queue.peek();
      const next = held !== null && (!local || this.held[held]![0]!.at < local.when) ? this.held[held]![0]!.at : local?.when ?? null;
      if (next !== null && next <= until && this.minOwn() >= next) {
        this.merge.flushBefore(next);
        this.publishState();
        this.publish();
        // A held message goes into the queue only now, when it is the next thing to run (before every local event).
        if (held !== null && next < (local?.when ?? Infinity)) {
          const m = this.held[held]!.shift()!;
          this.queue.scheduleMessage(m.ev, m.at, m.key);
        }
        return true;
      }
      if ((next === null || next > until) && this.minOwn() > until) {
        this.merge.flushBefore(until + 1);
        this.publishState();
        this.publish();
        return false;
      }
      const need = this.need(next !== null && next <= until ? next : until + 1);
      for (const g of this.guests) {
        const why = g.failure();
        if (why !== null) throw new Error(`guest ${g.name}: its worker thread ended: ${why}`);
      }
      if (!this.wait(need) && mayYield) {
        this.yielded = true;
        return false;
      }
    }
  }


  /** What we wait for the guests' own times to reach: our next event's time, or what a waiting guest needs. */
  private need(ours: Time): Time {
    let n = ours;
    for (let g = 0; g < this.guests.length; g++) {
      if (Atomics.load(this.sync, syncGuestWaiting(g)) < WAIT_ARMED) continue;
      const [hi, lo] = syncGuestNeed(g);
      const its = loadTime(this.sync, hi, lo);
      // Told a horizon that reaches its need (and rung): it goes on when it wakes; nothing to wait for on its behalf
      // (waiting for it kept this thread looping until the guest's thread had woken and said so).
      if (this.sentH[g]! >= its && this.sentDrained[g] === this.drained[g]) continue;
      // It goes on once every other guest's own time + 1 + lookahead passes its need.
      n = Math.min(n, its - this.minLookahead);
    }
    return n;
  }

  /**
   * Guest g's own time with the number of our messages it had taken in (a 'safe' message, or its published state),
   * unless we know a later one: with as many messages taken in, its own time only grows.
   */
  private report(g: number, own: Time, recv: number): void {
    if (recv < this.recv[g]! || (recv === this.recv[g]! && own < this.own[g]!)) return;
    this.own[g] = own;
    const acked = recv - this.recv[g]!;
    if (acked > 0) this.unacked[g]!.splice(0, acked);
    this.recv[g] = recv;
  }

  /**
   * Take in everything the guests sent, and their published own times (shared-clocks.ts): each state is read before
   * draining, and a guest posts its messages and records before it publishes, so what the state counts is then in.
   */
  private update(): void {
    const states = this.guests.map((_, g) => readGuestState(this.sync, g));
    this.drain();
    states.forEach((st, g) => this.report(g, st.own, st.recv));
  }

  /** Take in everything the guests sent (records, safe times, causal messages as events). */
  drain(): void {
    for (let g = 0; g < this.guests.length; g++) {
      const guest = this.guests[g]!;
      for (let m = guest.endpoint.receive(); m !== undefined; m = guest.endpoint.receive()) this.take(g, guest, m);
    }
  }

  private take(g: number, guest: MainGuest, m: ToMain): void {
    switch (m.k) {
      case 'recs':
        this.merge.push(g, m.r);
        return;
      case 'line':
        this.merge.pushLine(g, m.t, m.text);
        return;
      case 'safe':
        this.report(g, m.own, m.recv);
        return;
      case 'snap':
      case 'snap-failed':
      case 'end':
      case 'out':
        if (!this.onReport) throw new Error(`guest ${guest.name}: a '${m.k}' report nobody asked for`);
        this.onReport(g, m);
        return;
      case 'error':
        throw new Error(`guest ${guest.name}: ${m.message}`);
      case 'hello':
        throw new Error(`guest ${guest.name}: hello after start`);
      default: {
        if (!isCausal(m)) return;
        this.drained[g]!++;
        this.taken++;
        const ev = new SimEvent(`${guest.name}.msg`, () => guest.apply(m), Priority.Message);
        const key = MESSAGE_SEQ_BASE + (g + 1) * ORIGIN_SPAN + this.keys[g]!++;
        const at = (m as { t: Time }).t + 1;
        if (at < this.queue.now) throw new Error(`guest ${guest.name}: a message of time ${at} arrived at ${this.queue.now}`);
        this.held[g]!.push({ ev, at, key });
      }
    }
  }

  /** The guest whose held message comes first (by arrival time, then key), or null. */
  private nextHeld(): number | null {
    let best: number | null = null;
    for (let g = 0; g < this.held.length; g++) {
      const m = this.held[g]![0];
      if (!m) continue;
      const b = best === null ? null : this.held[best]![0]!;
      if (b === null || m.at < b.at || (m.at === b.at && m.key < b.key)) best = g;
    }
    return best;
  }

  /**
   * What runs here next as far as is known now, without letting it come: a held guest message if it comes strictly
   * before the queue's next event (the rule `admit` follows), else that event; null if neither. For the debugger's
   * stop at a time, which names what comes after it.
   */
  nextKnown(): { name: string; at: Time } | null {
    const held = this.nextHeld();
    const local = this.queue.peek();
    const m = held !== null ? this.held[held]![0]! : null;
    if (m && (!local || m.at < local.when)) return { name: m.ev.name, at: m.at };
    return local ? { name: local.name, at: local.when } : null;
  }

  /**
   * The guests' messages taken in and not yet due — held aside until nothing local comes before them — in the order
   * they will run (time, then key): what a debugger lists beside the queue's pending events.
   */
  heldMessages(): { name: string; at: Time; priority: number }[] {
    const all = this.held.flatMap((h) => h.map((m) => ({ name: m.ev.name, at: m.at, priority: m.ev.priority, key: m.key })));
    all.sort((a, b) => a.at - b.at || a.key - b.key);
    return all.map(({ name, at, priority }) => ({ name, at, priority }));
  }

  /** Arrival time of guest g's earliest held message (Infinity: none). */
  private head(g: number): Time {
    return this.held[g]![0]?.at ?? Infinity;
  }

  /** Per guest, its earliest held message's arrival time (what horizons and the shared state count). */
  private heads(): Time[] {
    return this.held.map((_, g) => this.head(g));
  }

  /** Our next event, held messages included. */
  private nextTime(): Time {
    let t = this.queue.peekTime() ?? Infinity;
    for (let g = 0; g < this.held.length; g++) t = Math.min(t, this.head(g));
    return t;
  }

  /** Guest g's own': nothing it sends arrives before this + 1, no record of it is before this. */
  private ownEff(g: number): Time {
    const u = this.unacked[g]!;
    return u.length > 0 && u[0]! < this.own[g]! ? u[0]! : this.own[g]!;
  }

  private minOwn(): Time {
    let s = Infinity;
    for (let g = 0; g < this.own.length; g++) s = Math.min(s, this.ownEff(g));
    return s;
  }

  /** The horizon of guest g: nothing from here before it (horizon.ts). */
  private horizon(g: number): Time {
    return horizonFor(g, { top: this.queue.peekTime() ?? Infinity, cap: this.cap, heads: this.heads(), lookahead: this.lookahead }, (o) => this.ownEff(o));
  }

  /** Send waiting guests their new horizon (and how many of their messages it accounts for). */
  publish(): void {
    for (let g = 0; g < this.guests.length; g++) {
      if (Atomics.load(this.sync, syncGuestWaiting(g)) < WAIT_ARMED) continue;
      const h = this.horizon(g);
      if (h === this.sentH[g] && this.cap === this.sentCap[g] && this.drained[g] === this.sentDrained[g]) continue;
      this.sentH[g] = h;
      this.sentCap[g] = this.cap;
      this.sentDrained[g] = this.drained[g]!;
      this.guests[g]!.endpoint.post({ k: 'h', h, cap: this.cap, drained: this.drained[g]! });
      ring(this.sync, guestBell(this.sync, g));
    }
  }

  /** What guests read without asking (shared-clocks.ts): our next event, the run's end, the message counts. */
  private publishState(): void {
    writeMainState(this.sync, { top: this.queue.peekTime() ?? Infinity, cap: this.cap, drained: this.drained, sentTo: this.sentTo, heads: this.heads(), final: this.final, end: this.end });
  }

  /** The end serveUntil will publish: everything before our next event (or held message) has run, within the run's limit. */
  peekEnd(): Time {
    return this.final ? this.end : Math.min(this.cap, this.nextTime() - 1);
  }

  /**
   * The run has ended (at its end, or interrupted between two events), and nothing more will run here: keep taking in
   * what the guests send and keep them informed until `done` (a snapshot's parts, the guests' event counts are in). A
   * guest may count on a horizon of `end` + 1 now, `end` being the last time up to which everything here ran
   * (shared-clocks.ts `final`): a longer run would send it nothing earlier. Returns `end`. A guest that needs more says so itself
   * (guest-gate.ts `onStuck`), so this ends whatever the guests do.
   */
  serveUntil(done: () => boolean, end?: Time): Time {
    if (!this.final) this.finalize(end);
    for (;;) {
      this.update();
      if (done()) return this.end;
      for (const g of this.guests) {
        const why = g.failure();
        if (why !== null) throw new Error(`guest ${g.name}: its worker thread ended: ${why}`);
      }
      this.wait(Infinity);
    }
  }

  /**
   * Wait until a guest sends something or passes `need` (true) or the slice ends (false). `need`: what the guests'
   * own times must reach for us to go on (our next event, or the end of the slice) or to give a waiting guest a
   * horizon it waits for and has not been told (need(), never later than ours).
   */
  private wait(need: Time): boolean {
    // Inside the hosted guest (its CPU waits for us: pump): give the slice back instead of sleeping.
    if (this.inHost) return false;
    if (this.host) {
      this.inHost = true;
      try {
        // The hosted guest waits for a worker's clock (two busy guests follow each other within the lookahead): look
        // again for a moment before sleeping, as a worker spins before it sleeps (guest-gate.ts SPIN_READS).
        for (let spins = 0; spins < HOST_SPINS; spins++) {
          // It ran: a slice's worth of work was done (its events run for up to milliseconds each), so give the caller's
          // event loop its turn as a slice of our own events would (false: a runSlice ends here and goes on).
          if (this.host.run()) return false;
          const taken = this.taken;
          this.update();
          const next = this.nextTime();
          if ((next <= this.cap && this.minOwn() >= next) || this.taken !== taken) return true;
        }
      } finally {
        this.inHost = false;
      }
    }
    // Before publishing: a horizon posted to a guest we host rings this bell, and must end the sleep.
    return this.sleep(need, Atomics.load(this.sync, SYNC_MAIN_BELL));
  }

  /**
   * Publish what the guests read, say we wait for their own times to reach `need`, and sleep on our bell unless it
   * rang after `seen`; false if the slice ended with nobody ringing.
   */
  private sleep(need: Time, seen: number): boolean {
    const s = this.sync;
    this.publishState();
    // Guests' records (and console lines) before every guest's own time and our next event can go out now: nothing
    // can come before them any more. So a guests-only run shows its consoles as it goes.
    this.merge.flushBefore(Math.min(this.minOwn(), this.nextTime(), this.cap + 1, this.final ? this.end + 1 : Infinity));
    this.publish();
    storeTime(s, SYNC_MAIN_NEED_HI, SYNC_MAIN_NEED_LO, need);
    Atomics.store(s, SYNC_MAIN_WAITING, 1);
    // One more look now that we are marked waiting (a guest that passes `need` from now on rings): sleep unless it
    // lets us go on or brought messages. Not "unless any own time moved": a guest's own time moves at every one of its
    // CPU's clock reads while another guest watches it, and waking for each kept this thread spinning (2.2 s of CPU
    // in a 15 s two-guest boot, on a machine whose two cores the guests need). A waiting guest that needs a horizon
    // from us (messages in flight) is served when the others pass its need less the lookahead, which `need` holds.
    const taken = this.taken;
    this.update();
    let woke = true;
    if (this.minOwn() < need && this.taken === taken) woke = Atomics.wait(s, SYNC_MAIN_BELL, seen, WAIT_SLICE_MS) !== 'timed-out';
    Atomics.store(s, SYNC_MAIN_WAITING, 0);
    return woke;
  }

  /**
   * GuestHost.pump for the hosted guest, whose CPU waits inside an access: run what may run now without blocking (a
   * wait gives the slice back), up to the run's limit. True if an event ran or a guest's message came in.
   */
  pump(): boolean {
    if (this.final) return false;
    if (this.stopped) {
      // Stopped between two events while the hosted guest waited: the run ends as soon as its end is known.
      if (this.settled()) this.finalize();
      return false;
    }
    const q = this.queue;
    const ran = q.executed;
    const took = this.taken;
    if (!this.stopWhen) q.runSlice(this.cap, 64);
    else {
      // The run's stop condition is asked after every event here as after every event of the run's own loop.
      for (let i = 0; i < 64 && q.runSlice(this.cap, 1) === 1 && !this.yielded; i++) {
        if (this.stopWhen()) {
          this.stopped = true;
          break;
        }
      }
    }
    this.yielded = false;
    return q.executed !== ran || this.taken !== took;
  }

  /**
   * Nothing a guest still sends can come before our next event (or held message), nor a record of its before then:
   * every guest's own time has reached it. Then what runs next here no longer depends on when messages arrived, and
   * neither does the end (`peekEnd`) of a run stopped now, nor the records up to that end.
   */
  private settled(): boolean {
    this.update();
    return this.minOwn() >= Math.min(this.nextTime(), this.cap + 1);
  }

  /** The run has ended: nothing more runs here; the guests may count on a horizon of the end + 1 (serveUntil). */
  private finalize(end = this.peekEnd()): void {
    this.end = end;
    this.final = true;
    // The guests' records up to the end, all of them (settled: none can still come), and none after it.
    this.merge.flushBefore(this.end + 1);
    this.publishState();
    // Wake every guest: one asleep reads `final` only when it wakes.
    for (let g = 0; g < this.guests.length; g++) ring(this.sync, guestBell(this.sync, g));
  }

  /**
   * The end of a run stopped by a signal, without waiting: everything here up to our next event (less 1 ns) has run,
   * and every guest has run, and sent us, everything before its own time.
   */
  reachedEnd(): Time {
    if (this.final) return this.end;
    this.update();
    return Math.max(this.queue.now, Math.min(this.peekEnd(), this.minOwn() - 1));
  }

  /**
   * Stop the run where it is, with an end that does not depend on the threads: first let every guest's own time pass
   * our next event (the messages that could still come before it are then in), as an end after a stop condition
   * needs (a run that reached its limit has that already). Returns the end (peekEnd).
   */
  settleEnd(): Time {
    while (!this.final && !this.settled()) this.wait(this.nextTime() - 1);
    return this.peekEnd();
  }

  /**
   * GuestHost.sleep: the hosted guest waits (armed, its bell is ours) and nothing here can run: say what we wait for
   * and sleep on our bell, as `wait` does, unless something already came after `seen`.
   */
  sleepHosted(seen: number): void {
    const next = this.nextTime();
    this.sleep(this.need(next <= this.cap ? next : this.cap + 1), seen);
  }

  /** Post a message to guest g (a medium's call: station-proxy.ts; a timed one is counted) and wake it. */
  send(g: number, m: ToGuest): void {
    if (isTimedToGuest(m)) {
      this.unacked[g]!.push(m.t);
      this.sentTo[g]!++;
    }
    this.guests[g]!.endpoint.post(m);
    ring(this.sync, guestBell(this.sync, g));
  }
}
