/**
 * Who kept an interrupt's thread off the CPU: the records `qnxemu trace --drops` (docs/drops.md) explains a chip's
 * ring overrun with. QNX delivers an interrupt's sigevent (a pulse at the attach's priority, or an interrupt event
 * for InterruptWait) by making the servicing thread ready; under priority-preemptive FIFO scheduling
 * (scheduler.ts) it runs only when no CPU holds a thread of higher priority. When every CPU does, the kernel
 * records `kernel/starved` once (the thread, its priority and what holds each CPU), and `kernel/ran-late` when
 * the thread is finally dispatched (its latency since the interrupt made it ready). A thread that gets a CPU
 * without waiting behind a higher priority emits nothing, so runs without starvation keep their trace.
 */
import type { Cpu } from './cpu';
import type { Kernel } from './kernel';
import type { Thread } from './types';

interface Wake {
  irq: number;
  /** When the interrupt's event made the thread ready. */
  t: number;
  /** `kernel/starved` was recorded for this wake. */
  starved: boolean;
}

export class StarvationWatch {
  /** Interrupt being handled while its events are delivered (Interrupts.handle), else -1. */
  irq = -1;
  /** Threads an interrupt's event made ready that have not run since. Usually empty: bounded by the threads. */
  private readonly woken = new Map<Thread, Wake>();

  constructor(private readonly k: Kernel) {}

  /** Scheduler.wake: remember a thread made ready by the interrupt being handled. */
  woke(t: Thread): void {
    if (this.irq >= 0) this.woken.set(t, { irq: this.irq, t: this.k.ctx.queue.now, starved: false });
  }

  /** End of a dispatch pass: a woken thread still ready while every CPU holds a higher priority is starved. */
  check(cpus: readonly Cpu[]): void {
    if (this.woken.size === 0) return;
    for (const [t, w] of this.woken) {
      if (w.starved || t.state !== 'READY') continue;
      const held: string[] = [];
      for (const c of cpus) {
        const h = c.thread;
        // A CPU that is idle, or runs (or was interrupted in) a thread of no higher priority, is not holding it off.
        if (c.mode === 'idle' || !h || h.prio <= t.prio) break;
        held.push(`cpu${c.id} ${h.proc.name} (pid ${h.proc.pid} tid ${h.tid} prio ${h.prio})`);
      }
      if (held.length !== cpus.length) continue;
      w.starved = true;
      this.k.trace('starved', { irq: w.irq, pid: t.proc.pid, tid: t.tid, name: t.proc.name, prio: t.prio, held: held.join('; ') });
    }
  }

  /** The thread got a CPU (Scheduler.start): record its latency when it had been starved. */
  started(t: Thread, cpu: Cpu): void {
    if (this.woken.size === 0) return;
    const w = this.woken.get(t);
    if (!w) return;
    this.woken.delete(t);
    if (w.starved) this.k.trace('ran-late', { irq: w.irq, pid: t.proc.pid, tid: t.tid, name: t.proc.name, prio: t.prio, cpu: cpu.id, latency: this.k.ctx.queue.now - w.t });
  }

  /** The thread died. */
  gone(t: Thread): void {
    this.woken.delete(t);
  }
}
