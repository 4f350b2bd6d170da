/**
 * ThreadCtx.kif: QNX's Net* kernel calls (NetVtid, NetUnblock, NetCred, … reduced to kif.ts KernelKif) as the
 * network manager's threads make them. Each call charges the calling thread a kernel call (plus the message
 * pass and copy it implies); its effects on other threads land at the caller's point on its CPU timeline,
 * like MsgReply. Checks that decide the return value are made at the call.
 *
 * The caller is the thread running when the call is made (Scheduler.stepping), not the one whose ctx handed
 * out the object: a manager keeps `ctx.kif` from its start-up thread and calls it from whichever of its
 * threads does the work (io-pkt's stack context), and that thread pays. Outside any thread's code (a kernel
 * event) the object's own thread is used.
 */
import { Errno, type Message } from './api';
import { copyCost } from './costs';
import type { KernelKif, KifOp, KifResult, NetManager, VClient } from './kif';
import type { Kernel } from './kernel';
import { clampPriority } from './processes';
import type { Thread } from './types';

/** What a ThreadApi lends the façade: charging its thread and placing effects on its timeline. */
export interface CallSite {
  charge(ns: number): void;
  defer(fn: () => void): void;
}

/** The ThreadApi side of a call site (thread-api.ts ThreadApi.site). */
interface HasSite {
  site(): CallSite;
}

function opBytes(op: KifOp): number {
  return op.kind === 'send' ? (op.msg.bytes ?? 0) : 0;
}

export function kernelKif(k: Kernel, own: Thread): KernelKif {
  const c = k.costs;
  const net = k.net;
  const caller = (): Thread => (k.sched.stepping && k.sched.stepping.proc === own.proc ? k.sched.stepping : own);
  /** Charges and effects go to the calling thread. */
  const at: CallSite = {
    charge: (ns) => (caller().ctx as unknown as HasSite).site().charge(ns),
    defer: (fn) => (caller().ctx as unknown as HasSite).site().defer(fn),
  };
  return {
    register(m: NetManager): number {
      at.charge(c.kernelCall);
      return net.register(caller().proc, m);
    },
    takeOps(): KifOp[] {
      const ops = net.takeOps();
      // Copying the clients' messages out of their address spaces (QNX: the manager's MsgRead of them).
      at.charge(c.kernelCall + copyCost(c, ops.reduce((n, op) => n + opBytes(op), 0)));
      return ops;
    },
    clientSent(id: number): void {
      at.charge(c.kernelCall);
      at.defer(() => net.clientSent(id));
    },
    clientReply(id: number, r: KifResult): void {
      at.charge(c.kernelCall + c.msgReplyBase + ('error' in r ? 0 : copyCost(c, r.bytes)));
      at.defer(() => net.clientReply(id, r));
    },
    vconnect(client: { nd: number; pid: number }, pid: number, chid: number): number {
      at.charge(c.kernelCall);
      return net.server.vconnect(client, pid, chid);
    },
    vsend(coid: number, client: VClient, msg: Message, id: number): number {
      at.charge(c.kernelCall + c.msgPassBase + copyCost(c, msg.bytes));
      const err = net.server.check(coid);
      if (err !== 0) return err;
      if (net.server.isProcnto(coid)) {
        // procnto answers in this call (procnto-server.ts): its work and the reply copy are the caller's; a
        // spawned child (procnto-spawn.ts) becomes ready at the caller's point.
        const prio = clampPriority(client.prio);
        const reply = net.server.serveProcnto(coid, msg, id, prio, at.defer);
        at.charge(c.procntoMsg + c.msgReplyBase + (reply ? copyCost(c, reply.bytes) : 0));
        // A deferred answer (procnto-spawn.ts) goes as its vreply when it exists.
        if (reply) at.defer(() => net.server.replied(id, prio, reply));
        return 0;
      }
      at.defer(() => net.server.vsend(coid, client, msg, id));
      return 0;
    },
    vpulse(coid: number, prio: number, code: number, value: number): number {
      at.charge(c.kernelCall + c.pulse);
      const err = net.server.check(coid);
      if (err !== 0) return err;
      at.defer(() => {
        const e = net.server.vpulse(coid, prio, code, value);
        if (e !== 0) k.trace('vpulse-dropped', { coid, code, errno: e });
      });
      return 0;
    },
    vdetach(coid: number): void {
      at.charge(c.kernelCall);
      at.defer(() => net.server.vdetach(coid));
    },
    nodeDown(nd: number, errno: number): void {
      at.charge(c.kernelCall);
      at.defer(() => net.nodeDown(nd, errno > 0 ? errno : Errno.EHOSTDOWN));
    },
  };
}
