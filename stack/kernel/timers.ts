/**
 * Timers (TimerCreate/TimerSettime/TimerDestroy) and nanosleep. There is no periodic clock tick: each armed
 * timer owns a SimEvent (Priority.OsTimer) at its exact expiry. An expiry is handled the way the clock
 * interrupt would handle it: as interrupt work on CPU 0, costing interruptEntry + timerFire + interruptExit,
 * and the event is delivered (or the sleeper woken) at the end of the entry.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { Errno, KernelError, type SigEvent } from './api';
import type { Kernel } from './kernel';
import type { Process, Thread } from './types';

interface Timer {
  readonly id: number;
  readonly proc: Process;
  readonly owner: Thread;
  readonly event: SigEvent;
  interval: number;
  readonly ev: SimEvent;
  /** Expiries so far (timer_getoverrun-like, for tests and the debugger). */
  fired: number;
}

export class Timers {
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;
  private readonly sleepEvents = new WeakMap<Thread, SimEvent>();

  constructor(private readonly k: Kernel) {}

  create(owner: Thread, event: SigEvent): number {
    const id = this.nextId++;
    const t: Timer = {
      id,
      proc: owner.proc,
      owner,
      event,
      interval: 0,
      fired: 0,
      ev: new SimEvent(`${this.k.ctx.name}.timer${id}`, () => this.expire(t), Priority.OsTimer),
    };
    this.timers.set(id, t);
    owner.proc.timers.add(id);
    return id;
  }

  private get(proc: Process, id: number, what: string): Timer {
    const t = this.timers.get(id);
    if (!t || t.proc !== proc) throw new KernelError(Errno.EINVAL, `${what}(${id})`);
    return t;
  }

  validate(proc: Process, id: number, what: string): void {
    this.get(proc, id, what);
  }

  /**
   * Arm: first expiry `initial` ns from now (0 disarms), or at time `initial` when `abs` (TIMER_ABSTIME; a
   * time already past expires at once), then every `interval` ns (0 = one-shot).
   */
  settime(proc: Process, id: number, initial: number, interval: number, abs = false): void {
    const t = this.get(proc, id, 'TimerSettime');
    const now = this.k.ctx.queue.now;
    this.k.ctx.queue.deschedule(t.ev);
    t.interval = Math.max(0, Math.round(interval));
    if (initial <= 0) return;
    this.k.ctx.queue.schedule(t.ev, abs ? Math.max(now, Math.round(initial)) : now + Math.max(1, Math.round(initial)));
  }

  destroy(proc: Process, id: number): void {
    const t = this.get(proc, id, 'TimerDestroy');
    this.remove(t);
  }

  private remove(t: Timer): void {
    this.k.ctx.queue.deschedule(t.ev);
    this.timers.delete(t.id);
    t.proc.timers.delete(t.id);
  }

  /** Times a timer has fired (tests, debugger). */
  firedCount(id: number): number {
    return this.timers.get(id)?.fired ?? 0;
  }

  private expire(t: Timer): void {
    // A crashed or powered-off kernel programs no further expiry (halt.ts); a hung one's expiries wait for a CPU.
    if (this.k.halt.kind === 'crashed' || this.k.halt.kind === 'off') return;
    if (t.interval > 0) this.k.ctx.queue.schedule(t.ev, this.k.ctx.queue.now + t.interval);
    this.k.intr.clockWork(() => {
      if (!this.timers.has(t.id)) return;
      t.fired++;
      this.k.deliverEvent(t.event, t.owner);
    });
  }

  /** nanosleep: block the thread until `ns` from now. */
  sleep(th: Thread, ns: number): void {
    let ev = this.sleepEvents.get(th);
    if (!ev) {
      ev = new SimEvent(`${this.k.ctx.name}.sleep.${th.proc.pid}.${th.tid}`, () => {
        this.k.intr.clockWork(() => {
          if (th.alive && th.state === 'NANOSLEEP') this.k.sched.wake(th, { value: undefined });
        });
      }, Priority.OsTimer);
      this.sleepEvents.set(th, ev);
    }
    const sleepEv = ev;
    th.state = 'NANOSLEEP';
    th.unblock = () => this.k.ctx.queue.deschedule(sleepEv);
    this.k.ctx.queue.schedule(sleepEv, this.k.ctx.queue.now + Math.max(0, Math.round(ns)));
  }

  processGone(proc: Process): void {
    for (const id of [...proc.timers]) {
      const t = this.timers.get(id);
      if (t) this.remove(t);
    }
  }
}
