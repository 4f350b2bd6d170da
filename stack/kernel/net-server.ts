/**
 * The kernel's half of Qnet on the server's node: connections the network manager makes on behalf of remote
 * client processes (vconnect; QNX's KIF CONNECT handled with a net connection owned by a virtual process)
 * and sends on behalf of remote client threads (vsend; QNX's vthreads, sys_arch "Qnet networking").
 *
 * - A remote process is a kernel-only stand-in Process (its remote pid; not in the process table, not in
 *   pidin) owning the vconnect'ed connections, one stand-in per (node, pid).
 * - A vsend is a VThread (types.ts) with the remote tid and priority: it queues on the channel and is
 *   received like a local client (priority inheritance included; MsgInfo.nd = this node's ND for the
 *   client's node). The server's MsgReply/MsgError, or its death (ESRCH), becomes a 'vreply' op.
 * - A vsend to procnto's channel is answered at once by procnto-server.ts (no procnto thread), or later for
 *   `on`'s _PROC_SPAWN session (procnto-spawn.ts): the vreply then goes when the answer exists.
 * - vdetach (KIF DISCONNECT) and nodeDown: the connection goes as a local ConnectDetach would (servers with
 *   _NTO_CHF_DISCONNECT hear _PULSE_CODE_DISCONNECT); sends still pending on it are dropped, so a later
 *   MsgReply to them is 'reply-stale'.
 * MsgRead beyond the first chunk would be a KIF MSGREAD round trip in QNX; qnxemu ships whole messages, so
 * the server's MsgRead/MsgWrite work on the local copy (messaging.ts).
 */
import { Errno, KernelError, type Message, type Reply } from './api';
import { ndNode, type KifOp, type KifResult, type VClient } from './kif';
import type { Kernel } from './kernel';
import { clampPriority } from './processes';
import { isDeferred } from './procnto-server';
import { Process, VThread, type Connection, type Resume } from './types';

/** A remote process as this node knows it. */
interface StandIn {
  readonly proc: Process;
  /** This node's ND for the process's node. */
  readonly nd: number;
}

export class NetServer {
  private readonly standins = new Map<string, StandIn>();
  private readonly byProc = new Map<Process, StandIn>();
  /** Sends in progress per vconnect'ed connection. */
  private readonly vthreads = new Map<number, Set<VThread>>();

  constructor(
    private readonly k: Kernel,
    private readonly queue: (op: KifOp, prio: number) => void,
  ) {}

  vconnect(client: { nd: number; pid: number }, pid: number, chid: number): number {
    const key = `${ndNode(client.nd)}:${client.pid}`;
    let s = this.standins.get(key);
    const fresh = !s;
    if (!s) {
      s = { proc: new Process(client.pid, 0, `vproc(${ndNode(client.nd)},${client.pid})`, [], {}, this.k.console), nd: client.nd };
    }
    let coid: number;
    try {
      coid = this.k.msg.connectAttach(s.proc, pid, chid);
    } catch (e) {
      return -(e instanceof KernelError ? e.errno : Errno.ESRCH);
    }
    if (fresh) {
      this.standins.set(key, s);
      this.byProc.set(s.proc, s);
    }
    this.k.trace('vconnect', { nd: ndNode(client.nd), cpid: client.pid, pid, chid, coid });
    return coid;
  }

  /** A vconnect'ed connection and its stand-in, or null (EBADF). */
  private vconn(coid: number): { c: Connection; s: StandIn } | null {
    const c = this.k.msg.connections.get(coid);
    const s = c ? this.byProc.get(c.owner) : undefined;
    return c && s ? { c, s } : null;
  }

  /** vsend's checks at the call: 0, EBADF or ESRCH. */
  check(coid: number): number {
    const v = this.vconn(coid);
    if (!v) return Errno.EBADF;
    return v.c.server.alive && v.c.server.channels.has(v.c.chid) ? 0 : Errno.ESRCH;
  }

  isProcnto(coid: number): boolean {
    return this.k.msg.connections.get(coid)?.server === this.k.procnto.proc;
  }

  /**
   * procnto answers a vsend on its channel; the vreply op goes at the caller's point (`replied`). An answer
   * procnto gives later (procnto-spawn.ts: null here) goes as a vreply when it exists; `start` places a
   * spawned child's start at the caller's point.
   */
  serveProcnto(coid: number, msg: Message, id: number, prio: number, start: (fn: () => void) => void): Reply | null {
    const r = this.k.procnto.serve(coid, msg, { prio, start, later: (reply) => this.replied(id, prio, reply) });
    return isDeferred(r) ? null : r;
  }

  replied(id: number, prio: number, result: KifResult): void {
    this.queue({ kind: 'vreply', id, prio, result }, prio);
  }

  /** Deliver a vsend (kernel context, at the manager's point). */
  vsend(coid: number, client: VClient, msg: Message, id: number): void {
    const v = this.vconn(coid);
    const prio = clampPriority(client.prio);
    if (!v) {
      this.replied(id, prio, { error: Errno.EBADF });
      return;
    }
    const set = this.vthreads.get(coid) ?? new Set<VThread>();
    this.vthreads.set(coid, set);
    const vt: VThread = new VThread(v.s.proc, client.tid, prio, v.s.nd, id, coid, (r: Resume) => {
      set.delete(vt);
      this.replied(id, prio, 'error' in r ? { error: r.error instanceof KernelError ? r.error.errno : Errno.ESRCH } : (r.value as Reply));
    });
    set.add(vt);
    const r = this.k.msg.send(vt, coid, msg);
    if (r !== 'blocked') this.k.msg.wakeClient(vt, r === 'requeued' || r === 'dead' ? { error: new KernelError(Errno.ESRCH, 'vsend') } : r);
  }

  vpulse(coid: number, prio: number, code: number, value: number): number {
    const v = this.vconn(coid);
    if (!v) return Errno.EBADF;
    const ch = v.c.server.alive ? v.c.server.channels.get(v.c.chid) : undefined;
    if (!ch) return Errno.ESRCH;
    this.k.msg.pulse(ch, clampPriority(prio), code, value);
    return 0;
  }

  vdetach(coid: number): void {
    const v = this.vconn(coid);
    if (!v) {
      this.k.trace('vdetach-stale', { coid });
      return;
    }
    for (const vt of this.vthreads.get(coid) ?? []) {
      vt.unblock?.();
      vt.unblock = null;
      vt.alive = false;
      this.k.trace('vsend-dropped', { coid, id: vt.id });
    }
    this.vthreads.delete(coid);
    this.k.msg.connections.delete(coid);
    v.s.proc.coids.delete(coid);
    this.k.msg.disconnected(v.c);
    if (v.s.proc.coids.size === 0) {
      this.standins.delete(`${ndNode(v.s.nd)}:${v.s.proc.pid}`);
      this.byProc.delete(v.s.proc);
    }
  }

  /** Everything remote processes of node `node` (node part of an ND) held here goes. */
  nodeDown(node: number): void {
    for (const s of [...this.standins.values()]) {
      if (ndNode(s.nd) !== node) continue;
      for (const coid of [...s.proc.coids]) this.vdetach(coid);
    }
  }

  /** The manager went: every remote process's connections go. */
  dropAll(): void {
    for (const s of [...this.standins.values()]) for (const coid of [...s.proc.coids]) this.vdetach(coid);
  }
}
