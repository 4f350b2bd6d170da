/**
 * procnto's `_PROC_SPAWN` sessions: what `on -n node command` (stack/shell/utils/on.ts) asks a node's procnto
 * over an ordinary connection to procnto's channel (PROCNTO_PID/PROCNTO_CHID, local or over Qnet).
 *
 * QNX (utilities/o/on.html; openqnx utils/o/on/nto/on.c): `on` calls spawnp() with SPAWN_SETND, procnto of
 * the remote node creates the child with `on`'s file descriptors (remote connections back to the terminal's
 * server) and `on` waits with __waitid_net(); signals `on` gets (SIGHUP, SIGINT, SIGTERM, …) are passed to the
 * child with SignalKill(nd, pid). qnxemu's programs have no file descriptors to inherit, so this is a
 * [modelling choice]: the child's stdout is captured into a buffer bound to the requesting connection (an OCB
 * of kind 'spawn') and the requester reads it with `_IO_READ`; the session ends with the connection.
 *
 * Messages on a connection (procnto-server.ts dispatches; `later` is the deferred reply):
 * - `{type: '_PROC_SPAWN', subtype: 'start', argv, prio?, detach?}` → status = the child's pid (spawned by
 *   the program table's basename lookup: ENOENT if unknown, EINVAL for an empty argv; EBUSY if this
 *   connection already has a session [ours]). prio defaults to the requester's priority (QNX's spawn
 *   inheritance). `detach` (on -d, SPAWN_NOZOMBIE): the child is not bound to the connection; its output goes
 *   to the node's console [ours: there is no terminal to inherit].
 * - `_IO_READ {nbytes}` → the captured output so far (up to nbytes); none yet and the child runs: deferred
 *   until output appears or the child ends; 0 bytes once it ended and everything was read.
 * - `{type: '_PROC_SPAWN', subtype: 'wait'}` → the exit status (deferred until it ends); QNX: _PROC_WAIT.
 * - `_IO_CLOSE`, ConnectDetach, the client's exit, vdetach, nodeDown: the connection goes; a child still
 *   running is killed (SIGTERM, status 143) — QNX delivers the session's SIGHUP or `on`'s forwarded signal
 *   [inferred from on.c's net_signal_deliver]. Deferred requests on it are dropped without a reply.
 * procnto learns of the child's end through the child's own connection to procnto's channel (every QNX
 * process holds one: SYSMGR_COID), which goes when the process ends (messaging.ts processGone → disconnected).
 */
import { Errno, KernelError, type Message, type Reply } from './api';
import { PROCNTO_CHID, PROCNTO_PID } from './kif';
import type { Kernel } from './kernel';

/** How the requester is answered later, where its spawn starts, and its priority (procnto-server.ts ServeCtx). */
export interface ServeCtx {
  /** The requester's priority (the child's default). */
  readonly prio: number;
  /** Run `fn` at the request's point on the requester's timeline (a spawned child becomes ready there). */
  readonly start: (fn: () => void) => void;
  /** Deliver a reply that was deferred. */
  readonly later: (r: Reply) => void;
}

/** A request that waits for output or the child's end; `cancel` drops it (the requester went away). */
export interface Deferred {
  readonly deferred: true;
  cancel(): void;
}

interface Waiting {
  readonly later: (r: Reply) => void;
  readonly nbytes: number;
}

interface Session {
  readonly coid: number;
  readonly pid: number;
  /** The child's connection to procnto (its SYSMGR_COID): it goes when the child ends. */
  readonly watch: number;
  out: Uint8Array;
  ended: boolean;
  status: number;
  readers: Waiting[];
  waiters: Waiting[];
}

const utf8 = new TextEncoder();
const fail = (errno: number): Reply => ({ status: -1, errno });

export function isSpawnMsg(msg: Message): boolean {
  return msg.type === '_PROC_SPAWN';
}

export class SpawnSessions {
  private readonly byCoid = new Map<number, Session>();
  private readonly byWatch = new Map<number, Session>();

  constructor(private readonly k: Kernel) {}

  has(coid: number): boolean {
    return this.byCoid.has(coid);
  }

  /** `_PROC_SPAWN` start/wait. */
  serve(coid: number, msg: Message, ctx: ServeCtx): Reply | Deferred {
    if (msg.subtype === 'start') return this.start(coid, msg, ctx);
    if (msg.subtype === 'wait') {
      const s = this.byCoid.get(coid);
      if (!s) return fail(Errno.ECHILD);
      if (s.ended) return { status: s.status };
      return this.defer(s.waiters, { later: ctx.later, nbytes: 0 });
    }
    return fail(Errno.ENOSYS);
  }

  private start(coid: number, msg: Message, ctx: ServeCtx): Reply {
    if (this.byCoid.has(coid)) return fail(Errno.EBUSY);
    const argv = Array.isArray(msg.argv) ? msg.argv.filter((a): a is string => typeof a === 'string') : [];
    if (argv.length === 0) return fail(Errno.EINVAL);
    const prio = typeof msg.prio === 'number' && msg.prio > 0 ? msg.prio : ctx.prio;
    const detach = msg.detach === true;
    let session: Session | null = null;
    const stdout = detach ? this.k.console : (text: string): void => {
      if (session) this.output(session, text);
    };
    let pid: number;
    try {
      pid = this.k.procs.spawn({ argv, priority: prio, ppid: PROCNTO_PID, env: this.k.env, stdout }, null, ctx.start);
    } catch (e) {
      if (e instanceof KernelError) return fail(e.errno);
      throw e;
    }
    if (detach) return { status: pid };
    const child = this.k.procs.get(pid)!;
    const watch = this.k.msg.connectAttach(child, PROCNTO_PID, PROCNTO_CHID);
    session = { coid, pid, watch, out: new Uint8Array(0), ended: false, status: 0, readers: [], waiters: [] };
    this.byCoid.set(coid, session);
    this.byWatch.set(watch, session);
    return { status: pid };
  }

  /** `_IO_READ` on a spawn OCB. */
  read(coid: number, msg: Message, ctx: ServeCtx): Reply | Deferred {
    const s = this.byCoid.get(coid)!;
    const nbytes = typeof msg.nbytes === 'number' && msg.nbytes > 0 ? Math.floor(msg.nbytes) : 0;
    if (s.out.length > 0 || s.ended || nbytes === 0) return take(s, nbytes);
    return this.defer(s.readers, { later: ctx.later, nbytes });
  }

  /** `_IO_CLOSE` on a spawn OCB: the session ends (a running child is killed). */
  close(coid: number): Reply {
    this.gone(coid);
    return { status: 0 };
  }

  /** A connection to procnto went: a requester's (the session ends) or a child's own (the child ended). */
  connectionGone(coid: number): void {
    const w = this.byWatch.get(coid);
    if (w) {
      this.byWatch.delete(coid);
      const proc = this.k.procs.get(w.pid);
      this.ended(w, proc?.status ?? w.status);
      return;
    }
    this.gone(coid);
  }

  private gone(coid: number): void {
    const s = this.byCoid.get(coid);
    if (!s) return;
    this.byCoid.delete(coid);
    s.readers = [];
    s.waiters = [];
    if (s.ended) return;
    this.byWatch.delete(s.watch);
    s.ended = true;
    this.k.trace('spawn-hangup', { coid, pid: s.pid });
    this.k.procs.kill(s.pid);
  }

  private defer(list: Waiting[], w: Waiting): Deferred {
    list.push(w);
    return {
      deferred: true,
      cancel: () => {
        const i = list.indexOf(w);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  private output(s: Session, text: string): void {
    if (s.ended || text.length === 0) return;
    const b = utf8.encode(text);
    const out = new Uint8Array(s.out.length + b.length);
    out.set(s.out);
    out.set(b, s.out.length);
    s.out = out;
    const r = s.readers.shift();
    if (r) this.answer(s, r.later, take(s, r.nbytes));
  }

  private ended(s: Session, status: number): void {
    if (s.ended) return;
    s.ended = true;
    s.status = status;
    this.k.trace('spawn-exit', { coid: s.coid, pid: s.pid, status });
    for (const r of s.readers.splice(0)) this.answer(s, r.later, take(s, r.nbytes));
    for (const w of s.waiters.splice(0)) this.answer(s, w.later, { status });
  }

  private answer(s: Session, later: (r: Reply) => void, r: Reply): void {
    this.k.trace('procnto', { coid: s.coid, type: 'deferred', status: r.status });
    later(r);
  }
}

/** Up to nbytes of the captured output (consumed). */
function take(s: Session, nbytes: number): Reply {
  const n = Math.min(nbytes, s.out.length);
  const data = s.out.slice(0, n);
  s.out = s.out.slice(n);
  return { status: n, data, bytes: n };
}
