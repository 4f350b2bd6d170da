/**
 * A kernel that stops making progress, as node faults inject it (emulator/app/testing/node-faults.ts,
 * docs/faults.md):
 *
 * - `crash`: procnto took a fault in kernel mode. Its fault handler prints the "Shutdown[cpu,cpu] S/C/F=…"
 *   message on the debug device and the kernel never returns to a thread (QNX Technotes, "Reading a Shutdown
 *   Message"): no thread runs again, no interrupt is serviced, no timer is programmed.
 * - `hung`: every CPU spins with interrupts disabled (a kernel spinlock deadlock, or an ISR or
 *   InterruptDisable() section that never ends: QNX Programmer's Guide, "Writing an Interrupt Handler" — while
 *   interrupts are disabled, no interrupt is serviced and no thread is scheduled). Interrupts stay pending at the
 *   controller, timers expire into the clock work queue; when the CPUs come back (`resume`), pending interrupts
 *   are taken and the late timers fire, and each CPU finishes the piece of work it was in.
 * - `off`: the power went (a power-cycle): as `crashed`, without a message; the node builds a new kernel.
 *
 * How: each CPU's pending event is taken off the queue (its remaining time kept); while halted, dispatch and
 * interrupt checks do nothing (scheduler.ts `dispatch`, interrupts.ts `check`) and a crashed kernel re-arms no
 * periodic timer (timers.ts `expire`). The hardware goes on: NICs receive, IRQ lines stay asserted.
 */
import type { Cpu } from './cpu';
import type { Kernel } from './kernel';

export type HaltKind = 'hung' | 'crashed' | 'off';

export class KernelHalt {
  /** Why the kernel makes no progress (null: it runs). */
  kind: HaltKind | null = null;
  /** When the current halt began. */
  since = 0;
  /** Time spent hung so far (completed hangs). */
  hungNs = 0;
  private frozen: { cpu: Cpu; remaining: number }[] = [];

  constructor(private readonly k: Kernel) {}

  /**
   * Stop the CPUs. A hung kernel can still crash or lose power (the halt becomes that); a crashed or powered-off
   * one stays as it is. Returns false when nothing changed.
   */
  stop(kind: HaltKind): boolean {
    const q = this.k.ctx.queue;
    if (this.kind !== null) {
      if (this.kind !== 'hung' || kind === 'hung') return false;
      this.kind = kind;
      return true;
    }
    this.kind = kind;
    this.since = q.now;
    for (const cpu of this.k.sched.cpus) {
      if (!cpu.ev.scheduled) continue;
      this.frozen.push({ cpu, remaining: cpu.ev.when - q.now });
      q.deschedule(cpu.ev);
    }
    return true;
  }

  /** A hung kernel's CPUs go on where they stopped. Returns the hang's length (0: it was not hung). */
  resume(): number {
    if (this.kind !== 'hung') return 0;
    const q = this.k.ctx.queue;
    const ns = q.now - this.since;
    this.kind = null;
    this.hungNs += ns;
    for (const { cpu, remaining } of this.frozen) {
      if (cpu.mode === 'idle' || cpu.ev.scheduled) continue;
      // The piece in progress ends `remaining` after the hang; its CPU time does not include the hang.
      cpu.pieceStart += ns;
      q.schedule(cpu.ev, q.now + remaining);
    }
    this.frozen = [];
    this.k.sched.kick();
    this.k.intr.recheck();
    return ns;
  }
}
