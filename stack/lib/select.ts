/**
 * select() and poll() over ionotify, as QNX's libc does them: each descriptor's server gets an _IO_NOTIFY
 * (_NOTIFY_ACTION_POLLARM) with the conditions wanted and a sigevent — a pulse to a channel private to the
 * calling thread. A server answers with the conditions already true, or arms the event. If something is
 * ready the call collects and returns at once; otherwise the thread waits on its channel for a notify pulse
 * or the timeout (a kernel timer armed for the absolute deadline, which delivers its own pulse), then asks every descriptor again with
 * _NOTIFY_ACTION_POLL, which also disarms. A wakeup that finds nothing ready (another reader took the data)
 * waits again for the rest of the timeout. Each call uses a fresh generation number in its pulses so that
 * a late pulse of an earlier call is recognised and ignored.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import { LocalKey } from '../kernel/local';
import { Errno, TIMER_ABSTIME } from '../kernel/api';
import { FD_SETSIZE, POLLNVAL, type FdSet, type PollFd } from '../include/sys/poll';
import {
  _NOTIFY_ACTION_POLL, _NOTIFY_ACTION_POLLARM, _NOTIFY_COND_EXTEN, _NOTIFY_COND_INPUT, _NOTIFY_COND_OBAND,
  _NOTIFY_COND_OUTPUT,
} from '../io-pkt/msg';
import { file, ionotify, setErrno } from './socket';

/** Pulse codes on the private channel (user codes, 0.._PULSE_CODE_MAXAVAIL). */
export const SELECT_NOTIFY_CODE = 1;
export const SELECT_TIMER_CODE = 2;

/** The thread's notification channel and its connection to it. */
interface NotifyChannel {
  chid: number;
  coid: number;
  gen: number;
}

const CHANNELS = new LocalKey<Map<number, NotifyChannel>>('libc.select.channels');

function channel(ctx: ThreadCtx): NotifyChannel {
  let m = ctx.local.get(CHANNELS);
  if (!m) {
    m = new Map();
    ctx.local.set(CHANNELS, m);
  }
  let c = m.get(ctx.tid);
  if (!c) {
    const chid = ctx.ChannelCreate();
    c = { chid, coid: ctx.ConnectAttach(0, chid), gen: 0 };
    m.set(ctx.tid, c);
  }
  return c;
}

/** One descriptor's request: the conditions asked and, after a pass, those that hold. */
interface Want {
  fd: number;
  flags: number;
  got: number;
}

/**
 * The common engine: arm every descriptor, wait for a pulse or `timeoutNs` (null = forever), collect.
 * Returns false with errno set if a descriptor is bad (EBADF).
 */
function* waitFor(ctx: ThreadCtx, wants: Want[], timeoutNs: number | null): Co<boolean> {
  const ch = channel(ctx);
  const gen = ++ch.gen;
  const event = { notify: 'pulse' as const, coid: ch.coid, priority: ctx.getPriority(), code: SELECT_NOTIFY_CODE, value: gen };
  const deadline = timeoutNs === null ? null : ctx.now() + Math.max(0, timeoutNs);
  // First pass: POLLARM everywhere.
  let ready = false;
  for (const w of wants) {
    const r = yield* ionotify(ctx, w.fd, _NOTIFY_ACTION_POLLARM, w.flags, event);
    if (r < 0) {
      yield* collect(ctx, wants);
      return false;
    }
    w.got = r;
    if (r !== 0) ready = true;
  }
  for (;;) {
    if (ready) {
      // Disarm the rest (and refresh what holds on all of them) before returning.
      yield* collect(ctx, wants);
      return true;
    }
    const left = deadline === null ? null : deadline - ctx.now();
    if (left !== null && left <= 0) {
      yield* collect(ctx, wants);
      return true;
    }
    let timer = -1;
    if (left !== null) {
      timer = ctx.TimerCreate({ notify: 'pulse', coid: ch.coid, priority: ctx.getPriority(), code: SELECT_TIMER_CODE, value: gen });
      ctx.TimerSettime(timer, deadline!, 0, TIMER_ABSTIME);
    }
    let timedOut = false;
    for (;;) {
      const p = yield* ctx.MsgReceive(ch.chid);
      if (p.kind !== 'pulse' || p.value !== gen) continue; // a late pulse of an earlier call
      if (p.code === SELECT_TIMER_CODE) timedOut = true;
      break;
    }
    if (timer >= 0) ctx.TimerDestroy(timer);
    yield* collect(ctx, wants);
    ready = wants.some((w) => w.got !== 0);
    if (ready || timedOut) return true;
    // Woken but nothing holds any more: arm again for the time left.
    for (const w of wants) {
      const r = yield* ionotify(ctx, w.fd, _NOTIFY_ACTION_POLLARM, w.flags, event);
      if (r < 0) return false;
      w.got = r;
      if (r !== 0) ready = true;
    }
  }
}

/** _NOTIFY_ACTION_POLL on every descriptor: what holds now, and no arm left behind. */
function* collect(ctx: ThreadCtx, wants: Want[]): Co<void> {
  for (const w of wants) {
    const r = yield* ionotify(ctx, w.fd, _NOTIFY_ACTION_POLL, w.flags, null);
    w.got = r < 0 ? 0 : r;
  }
}

/**
 * select(): on return the three sets hold only the ready descriptors; the count of bits set, 0 on timeout,
 * -1 with errno (EBADF: a descriptor in a set is not open; EINVAL: nfds out of range or a negative timeout).
 * `timeoutNs` null blocks until something is ready; 0 polls.
 */
export function* select(
  ctx: ThreadCtx, nfds: number, readfds: FdSet | null, writefds: FdSet | null, exceptfds: FdSet | null, timeoutNs: number | null,
): Co<number> {
  if (nfds < 0 || nfds > FD_SETSIZE || (timeoutNs !== null && timeoutNs < 0)) {
    setErrno(ctx, Errno.EINVAL);
    return -1;
  }
  const wants: Want[] = [];
  const all = new Set<number>([...(readfds ?? []), ...(writefds ?? []), ...(exceptfds ?? [])]);
  for (const fd of [...all].sort((a, b) => a - b)) {
    if (fd < 0 || fd >= nfds) continue;
    if (!file(ctx, fd)) return -1;
    const flags = (readfds?.has(fd) ? _NOTIFY_COND_INPUT : 0) | (writefds?.has(fd) ? _NOTIFY_COND_OUTPUT : 0) | (exceptfds?.has(fd) ? _NOTIFY_COND_OBAND : 0);
    wants.push({ fd, flags, got: 0 });
  }
  if (!(yield* waitFor(ctx, wants, timeoutNs))) return -1;
  let n = 0;
  const keep = (set: FdSet | null, cond: number) => {
    if (!set) return;
    for (const fd of [...set]) {
      const w = wants.find((x) => x.fd === fd);
      if (w && (w.got & cond) !== 0) n++;
      else set.delete(fd);
    }
  };
  keep(readfds, _NOTIFY_COND_INPUT);
  keep(writefds, _NOTIFY_COND_OUTPUT);
  keep(exceptfds, _NOTIFY_COND_OBAND);
  return n;
}

/**
 * poll(): fills each entry's revents (POLLNVAL for a descriptor that is not open, POLLERR/POLLHUP whether
 * asked or not; a negative fd is skipped); returns how many entries have revents, 0 on timeout.
 * `timeoutMs` < 0 blocks until something is ready.
 */
export function* poll(ctx: ThreadCtx, fds: PollFd[], timeoutMs: number): Co<number> {
  const wants: Want[] = [];
  for (const p of fds) {
    p.revents = 0;
    if (p.fd < 0) continue;
    if (!file(ctx, p.fd)) {
      p.revents = POLLNVAL;
      continue;
    }
    wants.push({ fd: p.fd, flags: (_NOTIFY_COND_EXTEN | (p.events & 0xffff)) >>> 0, got: 0 });
  }
  const nval = fds.some((p) => p.revents === POLLNVAL);
  // A descriptor that is not open counts as ready: no waiting then.
  const timeoutNs = nval ? 0 : timeoutMs < 0 ? null : Math.round(timeoutMs * 1_000_000);
  if (wants.length > 0 && !(yield* waitFor(ctx, wants, timeoutNs))) return -1;
  let n = 0;
  for (const p of fds) {
    const w = wants.find((x) => x.fd === p.fd);
    if (w) p.revents = w.got & ~_NOTIFY_COND_EXTEN & 0xffff;
    if (p.revents !== 0) n++;
  }
  return n;
}
