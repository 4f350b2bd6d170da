/**
 * Requests io-pkt's resource manager leaves unanswered until a socket's state changes, and ionotify arms —
 * the parts of sys/msg.c and the socket layer's sleep/wakeup (kern/uipc_socket.c sbwait, sowakeup,
 * selwakeup) that decide when a blocked client gets its reply.
 *
 * A blocked client is REPLY-blocked in MsgSend: io-pkt keeps its rcvid in a `Pending` on the socket and
 * answers later from the stack context, when `run(so)` finds its condition true (data, send space, a
 * connection, an error), or when its timeout (SO_RCVTIMEO/SO_SNDTIMEO, SO_LINGER) expires — a stack callout
 * on virtual time. An ionotify arm is kept the same way and, when one of its conditions becomes true,
 * delivers the client's sigevent (a pulse to the client's channel) and disarms (iofunc_notify_trigger).
 *
 * Who calls `run(so)`: the socket layer's wakeups. For datagram sockets the existing reader hook
 * (so.waiters, woken by Sockets.wakeup when a record is appended) carries it; for stream sockets the
 * socket layer's sorwakeup/sowwakeup (and the connection-state upcalls) do; and the resource manager after
 * each request that changed a socket (shutdown, close, a read that freed space…).
 */
import type { SigEvent, ThreadCtx } from '../kernel/api';
import type { Callout } from '../net/callout';
import type { RcvWaiter, Socket } from '../net/socket';
import { POLLERR, POLLHUP, POLLRDNORM, POLLWRNORM } from '../include/sys/poll';
import { _NOTIFY_COND_EXTEN, _NOTIFY_COND_INPUT, _NOTIFY_COND_OUTPUT } from './msg';
import type { IoPktProcess } from './process';

/** An unanswered request on a socket. `attempt` answers it if it can and returns true (then it is removed). */
export interface Pending {
  /** The connection (OCB) that sent it: closing that connection cancels it. */
  readonly coid: number;
  /** The client's message, answered by `attempt`, by the timeout, or with an error when the OCB closes. */
  readonly rcvid: number;
  readonly what: string;
  attempt(ctx: ThreadCtx): boolean;
  /** The request's timeout callout (cancelled when it is answered). */
  timer?: Callout<() => void> | null;
}

/** An armed ionotify: the client's event and the conditions it waits for. */
interface NotifyArm {
  readonly coid: number;
  readonly flags: number;
  readonly event: SigEvent;
}

interface SoWaits {
  pending: Pending[];
  arms: NotifyArm[];
  /** The hook registered in so.waiters (datagram wakeups), while anything waits. */
  hook: RcvWaiter | null;
}

/**
 * The conditions that hold on `so` now, in the encoding asked: _NOTIFY_COND_INPUT/OUTPUT (select), or with
 * _NOTIFY_COND_EXTEN the POLL* bits (poll). ERR and HUP are reported whether asked or not (poll(2)).
 * INPUT: soreadable (data, EOF, an error, a connection to accept); OUTPUT: sowriteable (send space, or a
 * send that would fail at once); HUP: a stream socket that can neither send nor receive (disconnected);
 * ERR: so_error set. Out-of-band data is not kept (urgent data is ignored), so OBAND/PRI never hold.
 */
export function soConditions(so: Socket, extended: boolean): number {
  const rd = so.readable();
  const wr = so.writable();
  if (!extended) return (rd ? _NOTIFY_COND_INPUT : 0) | (wr ? _NOTIFY_COND_OUTPUT : 0);
  let f = (rd ? POLLRDNORM : 0) | (wr ? POLLWRNORM : 0);
  if (so.error !== 0) f |= POLLERR;
  if (so.stream && so.cantRcvMore && so.cantSendMore && !so.acceptConn) f |= POLLHUP;
  return f | _NOTIFY_COND_EXTEN;
}

/** Of the conditions `have`, those an arm or poll asking `want` reports. */
export function matchConditions(want: number, have: number): number {
  if ((want & _NOTIFY_COND_EXTEN) !== 0) {
    const always = POLLERR | POLLHUP;
    const m = have & ((want & ~_NOTIFY_COND_EXTEN) | always);
    return m === 0 ? 0 : (m | _NOTIFY_COND_EXTEN) >>> 0;
  }
  return (have & want & (_NOTIFY_COND_INPUT | _NOTIFY_COND_OUTPUT)) >>> 0;
}

export class SocketWaits {
  private readonly bySocket = new Map<Socket, SoWaits>();
  /** Sockets whose requests are being run, and those woken again meanwhile. */
  private readonly running = new Set<Socket>();
  private readonly again = new Set<Socket>();

  constructor(private readonly p: IoPktProcess) {}

  private get(so: Socket): SoWaits {
    let w = this.bySocket.get(so);
    if (!w) {
      w = { pending: [], arms: [], hook: null };
      this.bySocket.set(so, w);
    }
    return w;
  }

  /** Park a request; it is tried again at every wakeup of `so`. */
  park(so: Socket, r: Pending, timeoutNs = 0, onTimeout?: () => void): void {
    const w = this.get(so);
    w.pending.push(r);
    if (timeoutNs > 0 && onTimeout) {
      r.timer = this.p.stack.schedule(timeoutNs, `so_${r.what}_timeo`, () => {
        if (!this.remove(so, r)) return;
        onTimeout();
        this.run(so);
      });
    }
    this.hook(so, w);
  }

  /** Take a request off the socket (answered elsewhere); false if it was not there. */
  remove(so: Socket, r: Pending): boolean {
    const w = this.bySocket.get(so);
    const i = w ? w.pending.indexOf(r) : -1;
    if (!w || i < 0) return false;
    w.pending.splice(i, 1);
    if (r.timer) this.p.stack.callouts.cancel(r.timer);
    this.tidy(so, w);
    return true;
  }

  /** Requests of a kind waiting on `so` (a reader that must keep its turn, tests). */
  count(so: Socket, what?: string): number {
    const w = this.bySocket.get(so);
    if (!w) return 0;
    return what === undefined ? w.pending.length : w.pending.filter((r) => r.what === what).length;
  }

  /**
   * ionotify: the asked conditions that hold now. `arm` (_NOTIFY_ACTION_POLLARM): if none holds, keep the
   * event (replacing this connection's previous arm on the socket) to deliver when one does. `poll`
   * (_NOTIFY_ACTION_POLL, "poll and disarm" in <sys/iomgr.h>'s table) also removes this connection's arm.
   */
  notify(so: Socket, coid: number, flags: number, event: SigEvent | null, mode: 'poll' | 'arm'): number {
    const w = this.get(so);
    const have = matchConditions(flags, soConditions(so, (flags & _NOTIFY_COND_EXTEN) !== 0));
    w.arms = w.arms.filter((a) => a.coid !== coid);
    if (mode === 'arm' && event && have === 0 && flags !== 0) w.arms.push({ coid, flags, event });
    this.hook(so, w);
    this.tidy(so, w);
    return have;
  }

  /** Everything connection `coid` left waiting on `so` goes (its OCB is closed): the requests get `errno`. */
  dropConnection(so: Socket, coid: number, errno: number): void {
    const w = this.bySocket.get(so);
    if (!w) return;
    w.arms = w.arms.filter((a) => a.coid !== coid);
    for (const r of w.pending.filter((x) => x.coid === coid)) {
      this.remove(so, r);
      this.p.ctx.MsgError(r.rcvid, errno);
    }
    this.tidy(so, w);
  }

  /** The socket is gone: forget it (its requests were answered by the caller). */
  forget(so: Socket): void {
    const w = this.bySocket.get(so);
    if (!w) return;
    for (const r of w.pending) if (r.timer) this.p.stack.callouts.cancel(r.timer);
    w.pending.length = 0;
    w.arms.length = 0;
    this.tidy(so, w);
  }

  /**
   * A wakeup of `so`: answer, in arrival order, every parked request whose condition now holds (a reader
   * that cannot be answered keeps later readers behind it, as sbwait's queue does), then fire the ionotify
   * arms whose conditions hold.
   */
  run(so: Socket): void {
    // A request being answered calls into the protocol (sosend → tcp_output), whose wakeups come back here at
    // once (io-pkt's NetEnv.defer runs them immediately): note them and go round again afterwards, so that
    // no request is ever attempted inside its own attempt.
    if (this.running.has(so)) {
      this.again.add(so);
      return;
    }
    this.running.add(so);
    try {
      do {
        this.again.delete(so);
        this.runOnce(so);
      } while (this.again.has(so));
    } finally {
      this.running.delete(so);
    }
  }

  private runOnce(so: Socket): void {
    const w = this.bySocket.get(so);
    if (!w) return;
    const ctx = this.p.ctx;
    const blocked = new Set<string>();
    for (const r of [...w.pending]) {
      if (blocked.has(r.what)) continue;
      if (!w.pending.includes(r)) continue;
      if (r.attempt(ctx)) {
        const i = w.pending.indexOf(r);
        if (i >= 0) w.pending.splice(i, 1);
        if (r.timer) this.p.stack.callouts.cancel(r.timer);
      } else blocked.add(r.what);
    }
    if (w.arms.length > 0) {
      const plain = soConditions(so, false);
      const ext = soConditions(so, true);
      const fire = w.arms.filter((a) => matchConditions(a.flags, (a.flags & _NOTIFY_COND_EXTEN) !== 0 ? ext : plain) !== 0);
      if (fire.length > 0) {
        w.arms = w.arms.filter((a) => !fire.includes(a));
        for (const a of fire) {
          ctx.trace('socket', 'notify', 0, { so: so.id, coid: a.coid });
          ctx.MsgDeliverEvent(a.event);
        }
      }
    }
    this.tidy(so, w);
  }

  /** While anything waits on a datagram socket, a hook in so.waiters brings Sockets.wakeup here. */
  private hook(so: Socket, w: SoWaits): void {
    if (w.hook || (w.pending.length === 0 && w.arms.length === 0)) return;
    const hook: RcvWaiter = {
      wake: (s) => {
        this.run(s);
        return false; // stays registered until nothing waits (tidy removes it)
      },
    };
    w.hook = hook;
    so.waiters.push(hook);
  }

  private tidy(so: Socket, w: SoWaits): void {
    if (w.pending.length > 0 || w.arms.length > 0) return;
    if (w.hook) {
      const i = so.waiters.indexOf(w.hook);
      if (i >= 0) so.waiters.splice(i, 1);
      w.hook = null;
    }
    this.bySocket.delete(so);
  }
}
