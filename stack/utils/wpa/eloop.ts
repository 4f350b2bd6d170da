/**
 * The event loop of hostapd and wpa_supplicant (src/utils/eloop.c) on a Neutrino thread: one channel the
 * main thread receives on; timers are one kernel timer (TimerCreate, a pulse on that channel) armed for the
 * earliest registered timeout; blocking readers (the BPF device, the routing socket) run in their own threads
 * and post what they read as pulses; messages arriving on the channel (the control interface wpa_cli talks
 * to) go to `onMessage`. Callbacks run one at a time on the main thread, so the state machines never see
 * two events at once — the single-threaded shape of the real programs.
 *
 * The state machines are synchronous; what they ask for (BPF writes, ioctls) is queued with `defer` and run
 * by the loop, in order, after each callback.
 */
import type { Co, Received, ThreadCtx } from '../../kernel/api';
import type { TimerHandle } from './sm-host';

const PULSE_TIMER = 1;
const PULSE_POST = 2;

interface Tmo {
  at: number;
  seq: number;
  fn: () => void;
  dead: boolean;
}

export class Eloop {
  readonly chid: number;
  private readonly coid: number;
  private readonly timerId: number;
  private timers: Tmo[] = [];
  private seq = 0;
  private armedAt = -1;
  private posted: (() => void)[] = [];
  private work: (() => Co<void>)[] = [];
  terminate = false;
  onMessage: ((ctx: ThreadCtx, m: Extract<Received, { kind: 'msg' }>) => Co<void>) | null = null;

  constructor(private readonly ctx: ThreadCtx) {
    this.chid = ctx.ChannelCreate();
    this.coid = ctx.ConnectAttach(0, this.chid);
    this.timerId = ctx.TimerCreate({ notify: 'pulse', coid: this.coid, priority: ctx.getPriority(), code: PULSE_TIMER, value: 0 });
  }

  /** eloop_register_timeout. */
  timeout(ns: number, fn: () => void): TimerHandle {
    const t: Tmo = { at: this.ctx.now() + Math.max(0, ns), seq: this.seq++, fn, dead: false };
    this.timers.push(t);
    this.rearm();
    return { cancel: () => void (t.dead = true) };
  }

  private rearm(): void {
    this.timers = this.timers.filter((t) => !t.dead);
    let first: Tmo | null = null;
    for (const t of this.timers) if (!first || t.at < first.at || (t.at === first.at && t.seq < first.seq)) first = t;
    if (!first) {
      if (this.armedAt >= 0) this.ctx.TimerSettime(this.timerId, 0, 0);
      this.armedAt = -1;
      return;
    }
    if (first.at === this.armedAt) return;
    this.armedAt = first.at;
    this.ctx.TimerSettime(this.timerId, Math.max(1, first.at - this.ctx.now()), 0);
  }

  /** Queue I/O a callback asked for; the loop runs it after the callback returns. */
  defer(fn: () => Co<void>): void {
    this.work.push(fn);
  }

  /** From a reader thread: run `fn` on the main thread (eloop's socket callbacks). */
  post(from: ThreadCtx, fn: () => void): void {
    this.posted.push(fn);
    from.MsgSendPulse(this.coid, from.getPriority(), PULSE_POST, 0);
  }

  private *flush(): Co<void> {
    while (this.work.length > 0) yield* this.work.shift()!();
  }

  *run(): Co<void> {
    yield* this.flush();
    while (!this.terminate) {
      const now = this.ctx.now();
      const due = this.timers.filter((t) => !t.dead && t.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
      for (const t of due) {
        if (t.dead) continue;
        t.dead = true;
        t.fn();
        yield* this.flush();
      }
      while (this.posted.length > 0) {
        this.posted.shift()!();
        yield* this.flush();
      }
      if (due.length > 0) this.armedAt = -1;
      this.rearm();
      if (this.terminate) break;
      const r = yield* this.ctx.MsgReceive(this.chid);
      if (r.kind === 'msg') {
        if (this.onMessage) yield* this.onMessage(this.ctx, r);
        else this.ctx.MsgError(r.rcvid, 89 /* ENOSYS */);
        yield* this.flush();
      }
    }
  }
}
