/**
 * The kernel's half of Qnet on the client's node (kif.ts describes the division of labour; QNX sys_arch
 * "Qnet networking", "Behind a simple open()"): remote connections (ConnectAttach with an ND other than
 * ND_LOCAL_NODE), the network manager's registration, and the queue of KifOps it is woken for.
 *
 * - MsgSend on a remote connection: the thread goes NET_SEND (Blocked: the remote server's pid) and a 'send'
 *   op is queued; clientSent → NET_REPLY; clientReply wakes it with the reply (or throws KernelError(errno)).
 * - MsgSendPulse / a pulse sigevent on one: a 'pulse' op; ConnectDetach and process end: 'detach'.
 * - The manager is woken by a pulse on its own connection (NetManager.coid, pulseCode) at the op's priority.
 *   One outstanding wake pulse is enough; an op of higher priority than the outstanding one sends another
 *   (so the manager's receiving thread inherits it). takeOps() clears the outstanding mark.
 * - A client that dies while NET_SEND/NET_REPLY: its op stays with the manager; the late answer is traced
 *   'reply-stale' and ignored.
 * - The manager's process ending unregisters it: blocked remote clients fail with EHOSTDOWN and remote
 *   clients' connections here are dropped (every node is unreachable without it) [inferred: QNX documents no
 *   errno for this; EHOSTDOWN is what Qnet reports for an unreachable node].
 * - MsgSend with no manager registered (it died after the ConnectAttach): EHOSTDOWN, same reasoning.
 *
 * The server's node side (vconnect/vsend/…) is net-server.ts; the calls as ThreadCtx.kif: net-kif.ts.
 */
import { Errno, KernelError, type Message } from './api';
import { DISCONNECT_PULSE_PRIO } from './messaging';
import { ndNode, type KifOp, type KifResult, type NetManager, type RemoteTarget } from './kif';
import type { Kernel } from './kernel';
import { NetServer } from './net-server';
import type { OpResult, Process, Thread } from './types';

/** A connection to a channel on another node. */
export interface RemoteConn {
  readonly coid: number;
  readonly owner: Process;
  readonly target: RemoteTarget;
}

/** A local thread's remote send, until its completion. */
interface NetClient {
  readonly id: number;
  readonly t: Thread;
  readonly target: RemoteTarget;
}

export class KernelNet {
  private mgr: { m: NetManager; proc: Process } | null = null;
  readonly remote = new Map<number, RemoteConn>();
  private ops: KifOp[] = [];
  /** Priority of the outstanding wake pulse (0: none). */
  private wakePrio = 0;
  private readonly clients = new Map<number, NetClient>();
  private nextId = 1;
  readonly server: NetServer;

  constructor(private readonly k: Kernel) {
    this.server = new NetServer(k, (op, prio) => this.queue(op, prio));
  }

  get manager(): NetManager | null {
    return this.mgr?.m ?? null;
  }

  register(proc: Process, m: NetManager): number {
    if (this.mgr && this.mgr.proc.alive) return Errno.EEXIST;
    const c = this.k.msg.connections.get(m.coid);
    if (!c || c.owner !== proc) return Errno.EBADF;
    this.mgr = { m, proc };
    this.ops = [];
    this.wakePrio = 0;
    this.k.trace('netmgr-register', { pid: proc.pid, coid: m.coid, code: m.pulseCode });
    return 0;
  }

  takeOps(): KifOp[] {
    const out = this.ops;
    this.ops = [];
    this.wakePrio = 0;
    return out;
  }

  /** The caller's remote connection `coid`, or undefined. */
  get(owner: Process, coid: number): RemoteConn | undefined {
    const rc = this.remote.get(coid);
    return rc && rc.owner === owner ? rc : undefined;
  }

  connectAttach(owner: Process, pid: number, chid: number, nd: number): number {
    if (!this.mgr) throw new KernelError(Errno.ENOTSUP, `ConnectAttach(${nd}, ${pid}, ${chid})`);
    const coid = this.k.msg.allocCoid();
    this.remote.set(coid, { coid, owner, target: { nd, pid, chid } });
    owner.coids.add(coid);
    return coid;
  }

  /** ConnectDetach of a remote connection; the manager hears of it at the caller's point (`detached`). */
  connectDetach(owner: Process, coid: number): RemoteConn {
    const rc = this.get(owner, coid);
    if (!rc) throw new KernelError(Errno.EBADF, `ConnectDetach(${coid})`);
    this.remote.delete(coid);
    owner.coids.delete(coid);
    return rc;
  }

  detached(rc: RemoteConn, prio: number): void {
    this.queue({ kind: 'detach', coid: rc.coid, target: rc.target, pid: rc.owner.pid }, prio);
  }

  /** MsgSend on a remote connection (kernel context, the client's CPU cost consumed). */
  send(t: Thread, rc: RemoteConn, msg: Message): OpResult {
    if (!this.mgr) return { error: new KernelError(Errno.EHOSTDOWN, `MsgSend(${rc.coid})`) };
    const id = this.nextId++;
    this.clients.set(id, { id, t, target: rc.target });
    t.state = 'NET_SEND';
    t.blockedOn = rc.target.pid;
    t.unblock = () => this.clients.delete(id);
    this.queue({ kind: 'send', id, coid: rc.coid, target: rc.target, pid: t.proc.pid, tid: t.tid, prio: t.prio, msg }, t.prio);
    return 'blocked';
  }

  /** MsgSendPulse or a pulse sigevent on a remote connection. */
  pulse(rc: RemoteConn, prio: number, code: number, value: number): void {
    if (!this.mgr) {
      this.k.trace('event-dropped', { coid: rc.coid, code, why: 'no network manager' });
      return;
    }
    this.queue({ kind: 'pulse', coid: rc.coid, target: rc.target, pid: rc.owner.pid, prio, code, value }, prio);
  }

  clientSent(id: number): void {
    const c = this.clients.get(id);
    if (!c) {
      this.k.trace('reply-stale', { id, what: 'sent' });
      return;
    }
    if (c.t.state === 'NET_SEND') c.t.state = 'NET_REPLY';
  }

  clientReply(id: number, r: KifResult): void {
    const c = this.clients.get(id);
    if (!c) {
      this.k.trace('reply-stale', { id, what: 'reply' });
      return;
    }
    this.clients.delete(id);
    this.k.sched.wake(c.t, 'error' in r ? { error: new KernelError(r.error, 'MsgSend') } : { value: r });
  }

  /** Node `nd` is unreachable: its blocked local clients fail, its remote clients' connections here go. */
  nodeDown(nd: number, errno: number): void {
    const node = ndNode(nd);
    this.k.trace('node-down', { nd: node, errno });
    const failed = new Set<number>();
    for (const c of [...this.clients.values()]) {
      if (ndNode(c.target.nd) !== node) continue;
      failed.add(c.id);
      this.fail(c, errno);
    }
    this.ops = this.ops.filter((op) => !(op.kind === 'send' && failed.has(op.id)));
    this.server.nodeDown(node);
  }

  private fail(c: NetClient, errno: number): void {
    this.clients.delete(c.id);
    this.k.sched.wake(c.t, { error: new KernelError(errno, 'MsgSend') });
  }

  /** A process ends: its remote connections go ('detach'); if it was the manager, Qnet goes with it. */
  processGone(proc: Process): void {
    for (const coid of [...proc.coids]) {
      const rc = this.remote.get(coid);
      if (!rc) continue;
      this.remote.delete(coid);
      proc.coids.delete(coid);
      if (this.mgr && this.mgr.proc !== proc) this.detached(rc, DISCONNECT_PULSE_PRIO);
    }
    if (this.mgr?.proc !== proc) return;
    this.k.trace('netmgr-gone', { pid: proc.pid });
    this.mgr = null;
    this.ops = [];
    this.wakePrio = 0;
    for (const c of [...this.clients.values()]) this.fail(c, Errno.EHOSTDOWN);
    this.server.dropAll();
  }

  private queue(op: KifOp, prio: number): void {
    if (!this.mgr) {
      this.k.trace('kif-dropped', { kind: op.kind, why: 'no network manager' });
      return;
    }
    this.ops.push(op);
    if (prio <= this.wakePrio) return;
    this.wakePrio = prio;
    const { m } = this.mgr;
    try {
      const ch = this.k.msg.target(null, m.coid, 'netmgr wake');
      this.k.msg.pulse(ch, prio, m.pulseCode, 0);
    } catch (e) {
      this.k.trace('netmgr-wake-failed', { coid: m.coid, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
