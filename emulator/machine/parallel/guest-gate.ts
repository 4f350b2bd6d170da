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
import {
  isCausal,
  loadTime,
  ring,
  storeTime,
  syncGuestBell,
  syncGuestNeed,
  syncGuestWaiting,
  SYNC_MAIN_BELL,
  SYNC_MAIN_NEED_HI,
  SYNC_MAIN_NEED_LO,
  SYNC_MAIN_WAITING,
  SYNC_TOKENS,
  type Endpoint,
  type RecordTuple,
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
  /** Apply a medium's call (a 'port' message) when its event runs. */
  apply: (m: Extract<ToGuest, { k: 'port' }>) => void;
  /** `--threads` lower than the number of guests: hold a token while executing. */
  tokens: boolean;
}

export class GuestGate implements QueueGate {
  private h = 0;
  private cap = 0;
  private keys = 0;
  private sent = 0;
  private confirmed = 0;
  /** Times of causal messages sent and not yet accounted for by a horizon (index = confirmed + i). */
  private readonly unconfirmed: Time[] = [];
  private lastOwn = -1;
  private lastRecv = -1;
  private received = 0;
  private records: RecordTuple[] = [];
  readonly yielded = false;
  private readonly bell: number;
  private readonly waiting: number;
  private holding = false;

  constructor(private readonly o: GuestGateOptions) {
    this.bell = syncGuestBell(o.index);
    this.waiting = syncGuestWaiting(o.index);
  }

  /** Start executing (take a token when `--threads` limits them). */
  start(): void {
    this.acquire();
  }

  admit(until: Time): boolean {
    for (;;) {
      const seen = Atomics.load(this.o.sync, this.bell); // before draining: a message after this rings again
      this.drain();
      const heff = this.heff();
      const top = this.o.queue.peek();
      if (top && top.when <= until && top.when <= heff && top.when <= this.cap) {
        this.poll();
        return true;
      }
      if ((!top || top.when > until) && until < heff && until <= this.cap) return false;
      // What would let us go on: the others' own times past the access (a CPU's sync), or at our next event.
      this.block(seen, top && top.when <= until ? top.when : until);
    }
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

  /** While the CPU runs: if the main thread waits for an own time we have reached, send ours. */
  poll(): void {
    const s = this.o.sync;
    if (Atomics.load(s, SYNC_MAIN_WAITING) !== 1) return;
    const own = this.ownTime();
    const need = loadTime(s, SYNC_MAIN_NEED_HI, SYNC_MAIN_NEED_LO);
    // Once per need: when our own time first reaches it (the main thread asks again with a new need).
    if (own >= need && (this.lastOwn < need || this.received !== this.lastRecv)) this.sendOwn(own);
  }

  /** Stopped: give back the token (the main thread ends the worker). */
  finish(): void {
    this.release();
  }

  private heff(): Time {
    return this.unconfirmed.length > 0 ? Math.min(this.h, this.unconfirmed[0]! + 1) : this.h;
  }

  /** The earliest time we could send anything unprompted: the next event, the CPU's clock inside a quantum. */
  private ownTime(): Time {
    let t = Infinity;
    const top = this.o.queue.peekTime();
    if (top !== null) t = top;
    const cpu = this.o.cpuTime();
    if (cpu !== null && cpu < t) t = cpu;
    return t;
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
      switch (m.k) {
        case 'port': {
          const ev = new SimEvent(`${this.o.name}.port${m.port}.msg`, () => this.o.apply(m), Priority.Message);
          this.received++;
          if (m.t < this.o.queue.now) throw new Error(`${this.o.name}: a message of time ${m.t} arrived at ${this.o.queue.now} (h ${this.h}, unconfirmed ${this.unconfirmed.join(',')})`);
          this.o.queue.scheduleMessage(ev, m.t, MESSAGE_SEQ_BASE + this.keys++);
          break;
        }
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
        case 'stop':
          throw new StopWorker();
        case 'go':
          break;
      }
    }
  }

  /** Nothing may run: tell the main thread how far we are, and sleep until it sends something. */
  private block(seen: number, need: Time): void {
    const s = this.o.sync;
    const [hi, lo] = syncGuestNeed(this.o.index);
    storeTime(s, hi, lo, need);
    const own = this.ownTime();
    if (own !== this.lastOwn || this.received !== this.lastRecv) this.sendOwn(own);
    else this.flushRecords();
    Atomics.store(s, this.waiting, 1);
    ring(s, SYNC_MAIN_BELL);
    this.release();
    Atomics.wait(s, this.bell, seen);
    Atomics.store(s, this.waiting, 0);
    this.acquire();
  }

  private acquire(): void {
    if (!this.o.tokens || this.holding) return;
    const s = this.o.sync;
    for (;;) {
      const v = Atomics.load(s, SYNC_TOKENS);
      if (v > 0 && Atomics.compareExchange(s, SYNC_TOKENS, v, v - 1) === v) break;
      Atomics.wait(s, SYNC_TOKENS, v);
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
