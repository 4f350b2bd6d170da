/**
 * io-pkt's multi-threaded layer 2 (facts/io-pkt.md §4; QNX's ether_input running in the receiving nw_work_thread,
 * NetBSD's bridge_input and ipflow_fastforward): a frame a driver hands up on an io-pkt thread is offered to
 * NetStack.fastInput on that thread, without the stack context. While it runs, the protocol environment (NetEnv
 * charge/trace/kick/thread) points at that thread; the interfaces it queued frames on are started by the same
 * thread (if_start with its ctx) after the driver's interrupt function returns, in process_interrupts.
 *
 * Shared state: real io-pkt guards if_snd with a per-interface spin lock (`ifp->if_snd_ex`) and gives ipflow a
 * cache per thread, because the fast path runs on several CPUs at once and beside the stack context. In this
 * simulation the fast path is synchronous JavaScript between two kernel calls of its thread, so no other thread
 * can observe or change anything half-way through it, and stack-context code only yields between whole
 * operations; the drivers' own softc locks (taken in if_start) still serialize register access across threads.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import type { Ifnet } from '../net/if';
import type { Mbuf } from '../net/mbuf';
import type { NetStack } from '../net/stack';
import type { InterruptEntry } from './interrupt';
import type { WorkThread, WorkThreads } from './work-thread';

export interface Layer2Host {
  readonly stack: NetStack;
  readonly threads: WorkThreads;
  /** Hand interfaces to the stack context's if_start pass and wake it from thread `ctx`. */
  startInStack(ctx: ThreadCtx, ifps: Iterable<Ifnet>): void;
}

export class Layer2 {
  /** The thread running the fast path right now (set only inside input()). */
  private fast: { ctx: ThreadCtx; wt: WorkThread } | null = null;
  /** Threads servicing an interrupt entry now (they start their kicks when the driver's func returns). */
  private readonly servicing = new Set<number>();
  /** Entry id → the thread servicing it now. */
  private readonly entryOwner = new Map<number, number>();
  /**
   * Times a thread started an entry another thread was still servicing: 0 while the kernel keeps each source
   * masked until InterruptUnmask (each interrupt source serviced by one thread at a time). Tests read it.
   */
  sharedEntry = 0;

  constructor(private readonly h: Layer2Host) {}

  /** The thread the fast path runs on now, or null (protocol code then belongs to the stack context). */
  get current(): { readonly ctx: ThreadCtx; readonly wt: WorkThread } | null {
    return this.fast;
  }

  /** NetEnv.kick while the fast path runs: the receiving thread owes if_start. False when not in the fast path. */
  kick(ifp: Ifnet): boolean {
    if (!this.fast) return false;
    this.fast.wt.kicks.add(ifp);
    return true;
  }

  /** NetStack.fastInput on thread `ctx` (bridge, then ipflow). True: consumed; false: for pkt_rx_q. */
  input(ctx: ThreadCtx, wt: WorkThread, ifp: Ifnet, m: Mbuf): boolean {
    const stack = this.h.stack;
    const outer = this.fast;
    this.fast = { ctx, wt };
    let consumed: boolean;
    try {
      consumed = stack.fastInput(ifp, m);
    } finally {
      this.fast = outer;
    }
    // A thread outside process_interrupts (a legacy driver's own receive thread) does not come back through
    // runEntry: the stack context starts what it queued.
    if (!this.servicing.has(ctx.tid) && wt.kicks.size > 0) {
      const ifps = [...wt.kicks];
      wt.kicks.clear();
      this.h.startInStack(ctx, ifps);
    }
    return consumed;
  }

  /**
   * process_interrupts for entry `e` on thread `ctx`: call func until the source is done; after each call start
   * the interfaces the fast path queued on (if_start on this thread, the drivers taking their own locks); then
   * enable() and InterruptUnmask (unless the entry was removed meanwhile).
   */
  *runEntry(ctx: ThreadCtx, e: InterruptEntry, attached: () => boolean): Co<void> {
    const wt = this.h.threads.of(ctx.tid);
    this.servicing.add(ctx.tid);
    if (this.entryOwner.has(e.id)) this.sharedEntry++;
    this.entryOwner.set(e.id, ctx.tid);
    try {
      for (;;) {
        const done = yield* e.func(ctx);
        yield* this.startKicks(ctx, wt);
        if (done) break;
        // Not done: the source is serviced again by this thread (requeued).
      }
      wt.interrupts++;
      e.enable(ctx);
      if (attached()) ctx.InterruptUnmask(e.irq, e.kid);
    } finally {
      this.servicing.delete(ctx.tid);
      if (this.entryOwner.get(e.id) === ctx.tid) this.entryOwner.delete(e.id);
    }
  }

  private *startKicks(ctx: ThreadCtx, wt: WorkThread): Co<void> {
    while (wt.kicks.size > 0) {
      const ifp = wt.kicks.values().next().value as Ifnet;
      wt.kicks.delete(ifp);
      if (!this.h.stack.ifs.has(ifp) || ifp.snd.length === 0) continue;
      wt.fastStarts++;
      yield* ifp.ops.start(ifp, ctx);
    }
  }
}
