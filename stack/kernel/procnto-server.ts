/**
 * procnto's own channel (PROCNTO_PID 1, PROCNTO_CHID 1): the pathname resolver and the resource manager of
 * procnto's files, reached by ConnectAttach(1, 1) on the node and by remote nodes through Qnet (a redirect
 * from lsm-qnet's /net/<node> names the node's procnto, sys_arch "Behind a simple open()"). No procnto thread
 * exists in qnxemu: the kernel answers in the sender's MsgSend (or the manager's vsend) and charges that thread
 * the message pass plus `procntoMsg` (costs.ts).
 *
 * Messages (include/sys/iomsg.ts, io-pkt/msg.ts shapes):
 * - `_IO_CONNECT` 'open' of `path/rest`: a path another server owns (PathSpace.resolve, links followed) →
 *   a redirect to it (nd 0: on this node); a path procnto serves → an OCB on this connection, status 0:
 *   a file (image file, /dev/shmem file, /dev/null|zero|text), procnto's directories (/proc, /proc/boot,
 *   /dev/shmem) and synthesized directories (anything with registered paths below it, and '/'); else ENOENT.
 * - `_IO_READ`: file bytes from the OCB offset; on a directory, struct dirent records (include/dirent.ts) of
 *   the names `ls` shows (first components of the registered paths below it, C-locale order) from the OCB's
 *   entry index; 0 bytes at the end.
 * - `_IO_STAT` (mode and size), `_IO_CLOSE` (drop the OCB); anything else ENOSYS. No OCB: EBADF.
 * - `_PROC_SPAWN` start/wait and the `_IO_READ`/`_IO_CLOSE` of a spawn OCB: procnto-spawn.ts (`on`). Those
 *   may answer later (a Deferred): a local sender stays REPLY-blocked (serveThread), a remote one's vreply
 *   goes when the answer exists (net-server.ts serveProcnto).
 * One OCB per connection, as the C library opens one connection per descriptor.
 */
import { encodeDirents, type Dirent } from '../include/dirent';
import { IO_STAT, S_IFCHR, S_IFDIR, S_IFREG, redirectReply, type StatData } from '../include/sys/iomsg';
import { Errno, type Message, type Reply } from './api';
import { PROCNTO_CHID, PROCNTO_PID } from './kif';
import type { Kernel } from './kernel';
import { normalizePath } from './pathspace';
import { SpawnSessions, isSpawnMsg, type Deferred, type ServeCtx } from './procnto-spawn';
import { Process, type OpResult, type Thread } from './types';

export type { Deferred, ServeCtx };

/** Requests that cannot wait (callers without a way to answer later) get ENOSYS for what would defer. */
const NO_LATER: ServeCtx = { prio: 10, start: (fn) => fn(), later: () => undefined };

export function isDeferred(r: Reply | Deferred): r is Deferred {
  return (r as Partial<Deferred>).deferred === true;
}

/** Name procnto shows in pidin. */
export const PROCNTO_NAME = 'procnto-smp-instr';

/** procnto's character devices (QNX: /dev/null, /dev/zero, /dev/text are procnto's). */
const DEVICES = new Set(['/dev/null', '/dev/zero', '/dev/text']);
/** Directories procnto itself serves (registered by boot()). */
const DIRS = new Set(['/proc', '/proc/boot', '/dev/shmem']);

/** An open control block: what one connection opened and how far it has read. */
interface Ocb {
  path: string;
  dir: boolean;
  /** Byte offset (file) or entry index (directory). */
  offset: number;
}

function fail(errno: number): Reply {
  return { status: -1, errno };
}

function sortC(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ProcntoServer {
  /** The kernel-only stand-in process owning procnto's channel (not in the process table). */
  readonly proc: Process;
  private readonly ocbs = new Map<number, Ocb>();
  readonly spawns: SpawnSessions;

  constructor(private readonly k: Kernel) {
    this.spawns = new SpawnSessions(k);
    this.proc = new Process(PROCNTO_PID, 0, PROCNTO_NAME, [PROCNTO_NAME], {}, k.console);
    const chid = k.msg.channelCreate(this.proc);
    if (chid !== PROCNTO_CHID) throw new Error(`procnto channel is ${chid}, expected ${PROCNTO_CHID}`);
  }

  /** A connection to procnto went away: its OCB goes with it. */
  connectionGone(coid: number): void {
    this.ocbs.delete(coid);
    this.spawns.connectionGone(coid);
  }

  /**
   * Serve one message that came on connection `coid`: the reply, or a Deferred whose answer goes to
   * `ctx.later` (only `_PROC_SPAWN` sessions defer). Without a ctx nothing may wait.
   */
  serve(coid: number, msg: Message, ctx: ServeCtx = NO_LATER): Reply | Deferred {
    const r = this.dispatch(coid, msg, ctx);
    if (isDeferred(r)) {
      this.k.trace('procnto', { coid, type: msg.type, deferred: true });
      return r;
    }
    this.k.trace('procnto', { coid, type: msg.type, status: r.status, ...(r.errno !== undefined ? { errno: r.errno } : {}) });
    return r;
  }

  /**
   * A local thread's MsgSend to procnto (thread-api.ts procntoSend, at the send's point): the answer now, or
   * the thread stays REPLY-blocked on procnto until the deferred answer wakes it (its death cancels it).
   */
  serveThread(t: Thread, coid: number, msg: Message): OpResult {
    const r = this.serve(coid, msg, { prio: t.prio, start: (fn) => fn(), later: (reply) => this.k.sched.wake(t, { value: reply }) });
    if (!isDeferred(r)) return { value: r };
    t.state = 'REPLY';
    t.blockedOn = PROCNTO_PID;
    t.unblock = () => r.cancel();
    return 'blocked';
  }

  private dispatch(coid: number, msg: Message, ctx: ServeCtx): Reply | Deferred {
    if (isSpawnMsg(msg)) {
      if (ctx === NO_LATER) return fail(Errno.ENOSYS);
      // A session replaces what the connection had open (`on` opens /net/<node>: procnto's '/').
      if (msg.subtype === 'start' && msg.detach !== true) this.ocbs.delete(coid);
      return this.spawns.serve(coid, msg, ctx);
    }
    if (this.spawns.has(coid) && msg.type === '_IO_READ') return this.spawns.read(coid, msg, ctx);
    if (this.spawns.has(coid) && msg.type === '_IO_CLOSE') return this.spawns.close(coid);
    if (msg.type === '_IO_CONNECT') return msg.subtype === 'open' ? this.open(coid, msg) : fail(Errno.ENOSYS);
    const ocb = this.ocbs.get(coid);
    switch (msg.type) {
      case '_IO_READ':
        return ocb ? this.read(ocb, msg) : fail(Errno.EBADF);
      case IO_STAT:
        return ocb ? this.stat(ocb) : fail(Errno.EBADF);
      case '_IO_CLOSE':
        if (!ocb) return fail(Errno.EBADF);
        this.ocbs.delete(coid);
        return { status: 0 };
      default:
        return fail(Errno.ENOSYS);
    }
  }

  private open(coid: number, msg: Message): Reply {
    const path = typeof msg.path === 'string' ? msg.path : '/';
    const rest = typeof msg.rest === 'string' ? msg.rest : '';
    const joined = normalizePath(rest ? `${path}/${rest}` : path);
    const r = this.k.paths.resolve(joined);
    if (r && r.pid !== PROCNTO_PID) return redirectReply({ nd: 0, pid: r.pid, chid: r.chid, prefix: r.prefix, rest: r.rest });
    const at = r ? normalizePath(r.rest ? `${r.prefix}/${r.rest}` : r.prefix) : joined;
    const dir = this.isDir(at);
    if (!dir && this.k.files.read(at) === null) return fail(Errno.ENOENT);
    this.ocbs.set(coid, { path: at, dir, offset: 0 });
    return { status: 0 };
  }

  /** procnto's directory, '/', or a synthesized directory (something registered below it). */
  private isDir(path: string): boolean {
    return path === '/' || DIRS.has(path) || this.names(path).length > 0;
  }

  /** What `ls` lists for a directory: first components of registered paths below it, C-locale sorted. */
  private names(dir: string): string[] {
    const base = dir === '/' ? '' : dir;
    const out = new Set<string>();
    for (const p of this.k.paths.list(dir)) {
      if (!p.startsWith(base + '/')) continue;
      const first = p.slice(base.length + 1).split('/')[0];
      if (first) out.add(first);
    }
    return [...out].sort(sortC);
  }

  private read(ocb: Ocb, msg: Message): Reply {
    const nbytes = typeof msg.nbytes === 'number' && msg.nbytes > 0 ? Math.floor(msg.nbytes) : 0;
    if (ocb.dir) {
      // d_ino: the entry's index + 1 (procnto's synthesized entries have no inode; qnxemu's choice).
      const entries: Dirent[] = this.names(ocb.path).map((name, i) => ({ ino: i + 1, offset: i, name }));
      const { bytes, count } = encodeDirents(entries, ocb.offset, nbytes);
      // A buffer too small for the next record is EINVAL (as readdir's _IO_READ on QNX's own filesystems) [inferred].
      if (count === 0 && ocb.offset < entries.length && nbytes > 0) return fail(Errno.EINVAL);
      ocb.offset += count;
      return { status: bytes.length, data: bytes, bytes: bytes.length };
    }
    if (ocb.path === '/dev/zero') return { status: nbytes, data: new Uint8Array(nbytes), bytes: nbytes };
    const data = this.k.files.read(ocb.path) ?? new Uint8Array(0);
    const from = Math.min(ocb.offset, data.length);
    const out = data.slice(from, Math.min(data.length, from + nbytes));
    ocb.offset = from + out.length;
    return { status: out.length, data: out, bytes: out.length };
  }

  private stat(ocb: Ocb): Reply {
    let st: StatData;
    if (ocb.dir) st = { mode: S_IFDIR | 0o755, size: 0 };
    else if (DEVICES.has(ocb.path)) st = { mode: S_IFCHR | 0o666, size: 0 };
    else st = { mode: S_IFREG | 0o644, size: this.k.files.read(ocb.path)?.length ?? 0 };
    return { status: 0, data: st, bytes: 72 };
  }
}
