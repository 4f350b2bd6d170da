/**
 * io-pkt's threads as io-pkt itself sees them (QNX io-pkt's `struct nw_work_thread`, lib/io-pkt/sys/nw_thread.h):
 * a name, what each thread did (interrupt sources serviced, frames its layer 2 consumed without the stack context,
 * frames it queued on pkt_rx_q, times it took the stack context), and the interfaces whose if_start it owes after a
 * fast-path pass (bridge_input / ipflow_fastforward queue on if_snd; the receiving thread starts the driver).
 *
 * The counters replace per-event `io-pkt/stack` trace records (one per packet would double a forwarding trace): the
 * debugger and tests read them with `IoPktProcess.threadSummary()`.
 */
import type { Ifnet } from '../net/if';

export interface WorkThread {
  readonly tid: number;
  /** pidin's thread name: the process name for the main thread, `io-pkt#N` for pool threads. */
  readonly name: string;
  /** Interrupt entries this thread ran (process_interrupts: one per func() call that completed a source). */
  interrupts: number;
  /** Frames the layer-2 fast path consumed on this thread (forwarded, flooded or dropped by bridge/ipflow). */
  fastConsumed: number;
  /** Frames this thread queued on pkt_rx_q for the stack context (fast path declined, or none configured). */
  queued: number;
  /** Times this thread took the stack context (tryStack found it free). */
  stackTakes: number;
  /** Stack passes this thread made right after servicing an interrupt, with no POKE pulse and no context switch. */
  stackAfterIntr: number;
  /** if_start calls this thread made without the stack context, for frames its fast path queued. */
  fastStarts: number;
  /** Interfaces its fast path appended to: their if_start runs on this thread once the driver's func returns. */
  readonly kicks: Set<Ifnet>;
}

export class WorkThreads {
  private readonly byTid = new Map<number, WorkThread>();

  /** Register a thread (ThreadCreate, or the main thread at start). */
  add(tid: number, name: string): WorkThread {
    const w: WorkThread = { tid, name, interrupts: 0, fastConsumed: 0, queued: 0, stackTakes: 0, stackAfterIntr: 0, fastStarts: 0, kicks: new Set() };
    this.byTid.set(tid, w);
    return w;
  }

  /** The record of thread `tid` (a thread io-pkt did not create, e.g. a test's, gets one on first use). */
  of(tid: number): WorkThread {
    return this.byTid.get(tid) ?? this.add(tid, `tid${tid}`);
  }

  list(): WorkThread[] {
    return [...this.byTid.values()].sort((a, b) => a.tid - b.tid);
  }

  /** One line per thread, for the debugger and tests. */
  summary(holderTid: number | null): string[] {
    return this.list().map((w) =>
      `${String(w.tid).padStart(3)} ${w.name.padEnd(14)} intr ${w.interrupts} fast ${w.fastConsumed} queued ${w.queued} ` +
      `if_start ${w.fastStarts} stack ${w.stackTakes} (after intr ${w.stackAfterIntr})${holderTid === w.tid ? ' [stack]' : ''}`);
  }
}
