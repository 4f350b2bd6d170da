/**
 * Priority-based preemptive FIFO scheduling on N simulated CPUs.
 *
 * - Priorities 1–255 (0 is the idle thread); higher runs first; FIFO within a priority, no time slicing.
 * - Preemption is immediate: when a thread becomes ready and every CPU runs something of lower priority, the
 *   lowest-priority CPU is interrupted at once; its thread's remaining CPU time is split, and it goes back to
 *   the HEAD of its priority's ready queue (as QNX does for a preempted thread).
 * - Switching a CPU to a different thread costs `contextSwitch`; resuming the thread a CPU last ran is free.
 * - Each CPU owns one SimEvent (Priority.Cpu) that ends its current piece of work (a context switch, a piece
 *   of a thread's CPU time, a phase of interrupt handling). Placement decisions are made in one dispatch
 *   event so that nothing reschedules while a thread's generator is executing.
 * - Thread code only runs from a CPU event (never synchronously from a wake-up), so a generator is never
 *   re-entered.
 * - A thread's next piece of CPU time is run without an event when nothing could tell the difference
 *   (EventQueue.advanceTo: no event pending at or before the piece's end, within the run's horizon, nobody
 *   watching each event): the clock moves to the piece's end and the CPU goes on as its event would have.
 *   Most pieces end at a port access of a driver, and most of them have no other event in between.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { Cpu, cpuPieces } from './cpu';
import type { Kernel } from './kernel';
import { endStep, restart } from './segment';
import { earlyLimit, OutsBatch } from './string-io';
import { StarvationWatch } from './starvation';
import { RESUME_VOID } from './thread-ops';
import type { Op, Resume, Thread } from './types';

export { Cpu, cpuPieces, type CpuMode } from './cpu';

/** Number of back-to-back zero-time continuations after which a thread is declared to be spinning. */
const SPIN_LIMIT = 100_000;

export class Scheduler {
  readonly cpus: Cpu[] = [];
  private readonly ready: Thread[][] = Array.from({ length: 256 }, () => []);
  private readyCount = 0;
  /**
   * Bit p set while ready[p] holds a thread (8 words: priorities 0–255), so the highest ready priority is a
   * clz32 away instead of a scan down from 255 (dispatch asks for it at every placement).
   */
  private readonly readyBits = new Uint32Array(8);
  private readonly dispatchEv: SimEvent;
  /** The thread whose generator is executing right now (effects it makes are deferred). */
  stepping: Thread | null = null;
  /** Interrupt threads kept off every CPU by higher priorities (kernel/starved, kernel/ran-late records). */
  readonly starvation: StarvationWatch;

  constructor(private readonly k: Kernel, n: number) {
    for (let i = 0; i < n; i++) this.cpus.push(new Cpu(i, (c) => this.onCpuEvent(c), k.ctx.name));
    this.starvation = new StarvationWatch(k);
    this.dispatchEv = new SimEvent(`${k.ctx.name}.dispatch`, () => this.dispatch(), Priority.Cpu);
  }

  get now(): number {
    return this.k.ctx.queue.now;
  }

  /** No thread ready or on a CPU, no CPU busy. */
  quiescent(): boolean {
    return this.readyCount === 0 && this.cpus.every((c) => c.mode === 'idle');
  }

  // ---- ready queues -------------------------------------------------------------------------------------

  makeReady(t: Thread, head = false): void {
    if (!t.alive) return;
    t.state = 'READY';
    const q = this.ready[t.prio]!;
    if (head) q.unshift(t);
    else q.push(t);
    this.readyBits[t.prio >>> 5]! |= 1 << (t.prio & 31);
    this.readyCount++;
    this.kick();
  }

  private removeReady(t: Thread): boolean {
    const q = this.ready[t.prio]!;
    const i = q.indexOf(t);
    if (i < 0) return false;
    if (i === 0) q.shift();
    else q.splice(i, 1);
    if (q.length === 0) this.readyBits[t.prio >>> 5]! &= ~(1 << (t.prio & 31));
    this.readyCount--;
    return true;
  }

  private highestReady(): Thread | null {
    if (this.readyCount === 0) return null;
    const bits = this.readyBits;
    for (let w = 7; w >= 0; w--) {
      const b = bits[w]!;
      if (b !== 0) return this.ready[(w << 5) + 31 - Math.clz32(b)]![0] ?? null;
    }
    return null;
  }

  /** Change a thread's effective priority (ThreadCtx.setPriority, priority inheritance). */
  setPriority(t: Thread, prio: number): void {
    if (prio === t.prio) return;
    if (t.state === 'READY' && this.removeReady(t)) {
      t.prio = prio;
      this.makeReady(t);
      return;
    }
    t.prio = prio;
    if (t.state === 'RUNNING') this.kick();
  }

  /** Schedule a dispatch pass at the current instant (idempotent). */
  kick(): void {
    if (!this.dispatchEv.scheduled) this.k.ctx.queue.schedule(this.dispatchEv, this.now);
  }

  // ---- continuations ------------------------------------------------------------------------------------

  /** Make a blocked thread ready to continue with `r`. */
  wake(t: Thread, r: Resume): void {
    if (!t.alive) return;
    t.unblock = null;
    t.blockedOn = 0;
    restart(t.seg, r);
    this.starvation.woke(t);
    this.makeReady(t);
  }

  /** Run a thread's generator up to its next op (or its end). Called only from a CPU event. */
  step(t: Thread, r: Resume): void {
    let res: IteratorResult<unknown, void>;
    this.stepping = t;
    try {
      res = 'error' in r ? t.gen.throw(r.error) : t.gen.next(r.value);
    } catch (e) {
      this.stepping = null;
      this.flushDeferred(t);
      if (t.alive) this.k.procs.crash(t, e);
      return;
    } finally {
      this.stepping = null;
    }
    if (!t.alive) return;
    endStep(t, res);
  }

  /** The segment's CPU time is consumed: what follows it (Segment.end). */
  private segmentDone(t: Thread): void {
    const seg = t.seg;
    switch (seg.end) {
      case 'step':
        this.step(t, seg.resume);
        return;
      case 'exec': {
        const op = seg.op!;
        seg.op = null;
        this.execOp(t, op);
        return;
      }
      case 'returned':
        this.k.procs.threadReturned(t);
        return;
      case 'bad-yield':
        this.k.procs.crash(t, new Error('yielded a value that is not a kernel op'));
        return;
    }
  }

  private flushDeferred(t: Thread): void {
    const d = t.deferred;
    t.deferred = [];
    t.charge = 0;
    for (const a of d) a.fn();
  }

  private execOp(t: Thread, op: Op): void {
    const r = op.exec(t);
    if (r === 'dead') return;
    if (r === 'blocked') {
      this.releaseCpu(t);
      return;
    }
    if (r === 'requeued') {
      this.releaseCpu(t);
      restart(t.seg, RESUME_VOID);
      this.makeReady(t);
      return;
    }
    restart(t.seg, r);
  }

  /** True if a thread of priority >= prio is ready (sched_yield has someone to yield to). */
  readyAtOrAbove(prio: number): boolean {
    const top = this.highestReady();
    return top !== null && top.prio >= prio;
  }

  // ---- CPUs ---------------------------------------------------------------------------------------------

  private cpuOf(t: Thread): Cpu | null {
    const c = t.cpu >= 0 ? this.cpus[t.cpu] : undefined;
    return c && c.thread === t ? c : null;
  }

  /** The thread left the CPU (blocked or died). */
  releaseCpu(t: Thread): void {
    const cpu = this.cpuOf(t);
    if (!cpu) return;
    cpu.thread = null;
    if (cpu.mode === 'run' || cpu.mode === 'switch') {
      this.k.ctx.queue.deschedule(cpu.ev);
      cpu.mode = 'idle';
    }
    this.kick();
  }

  /** Remove a dying thread from wherever it is. */
  drop(t: Thread): void {
    if (t.state === 'READY') this.removeReady(t);
    if (t.unblock) t.unblock();
    t.unblock = null;
    this.releaseCpu(t);
    t.alive = false;
    t.state = 'DEAD';
    this.starvation.gone(t);
  }

  private dispatch(): void {
    // A halted kernel (crash, hang, power off: halt.ts) places nothing; KernelHalt.resume kicks again.
    if (this.k.halt.kind !== null) return;
    for (;;) {
      const t = this.highestReady();
      if (!t) return;
      let cpu = this.idleCpuFor(t);
      if (!cpu) {
        cpu = this.victimFor(t.prio);
        // The best CPU to take is busy with an interrupt: leaveInterrupt decides when it is done.
        if (!cpu || cpu.mode === 'intr') {
          this.starvation.check(this.cpus);
          return;
        }
        this.preempt(cpu);
      }
      this.removeReady(t);
      this.start(cpu, t);
    }
  }

  private idleCpuFor(t: Thread): Cpu | null {
    let first: Cpu | null = null;
    for (const c of this.cpus) {
      if (c.mode !== 'idle') continue;
      if (c.lastThread === t) return c;
      first ??= c;
    }
    return first;
  }

  /**
   * The CPU running the lowest-priority thread below `prio` (lowest id on ties). A CPU in an interrupt counts
   * with its paused thread's priority (-1 if it was idle): if it is the best choice, the caller waits for it.
   */
  private victimFor(prio: number): Cpu | null {
    let best: Cpu | null = null;
    let bestPrio = prio;
    for (const c of this.cpus) {
      let p: number;
      if (c.mode === 'intr') p = c.thread ? c.thread.prio : -1;
      else if ((c.mode === 'run' || c.mode === 'switch') && c.thread) p = c.thread.prio;
      else continue;
      if (p < bestPrio) {
        best = c;
        bestPrio = p;
      }
    }
    return best;
  }

  private account(cpu: Cpu): void {
    const t = cpu.thread!;
    const used = this.now - cpu.pieceStart;
    t.seg.remaining -= used;
    t.cpuTime += used;
    cpu.busyNs += used;
    cpu.pieceStart = this.now;
  }

  private preempt(cpu: Cpu): void {
    const t = cpu.thread!;
    if (cpu.mode === 'run') this.account(cpu);
    this.k.ctx.queue.deschedule(cpu.ev);
    cpu.thread = null;
    cpu.mode = 'idle';
    if (this.k.ctx.tracer.verbose) this.k.trace('preempt', { cpu: cpu.id, pid: t.proc.pid, tid: t.tid });
    this.makeReady(t, true);
  }

  private start(cpu: Cpu, t: Thread): void {
    t.state = 'RUNNING';
    t.cpu = cpu.id;
    cpu.thread = t;
    const cs = cpu.lastThread === t ? 0 : this.k.costs.contextSwitch;
    cpu.mode = cs > 0 ? 'switch' : 'run';
    cpu.pieceStart = this.now;
    if (cs > 0) cpu.busyNs += cs;
    this.starvation.started(t, cpu);
    if (this.k.ctx.tracer.verbose) this.k.trace('dispatch', { cpu: cpu.id, pid: t.proc.pid, tid: t.tid, prio: t.prio });
    this.k.ctx.queue.schedule(cpu.ev, this.now + cs);
  }

  private onCpuEvent(cpu: Cpu): void {
    switch (cpu.mode) {
      case 'switch':
        cpu.mode = 'run';
        cpu.lastThread = cpu.thread;
        cpu.pieceStart = this.now;
        this.runLoop(cpu);
        return;
      case 'run':
        this.account(cpu);
        this.runLoop(cpu);
        return;
      case 'intr': {
        const next = cpu.intrNext;
        cpu.intrNext = null;
        if (next) next();
        return;
      }
      default:
        return;
    }
  }

  /** Advance the thread on `cpu`: fire due effects, finish its segment, run its next step, until time is owed. */
  private runLoop(cpu: Cpu): void {
    let spins = 0;
    for (;;) {
      const t = cpu.thread;
      if (!t || cpu.mode !== 'run') return;
      const seg = t.seg;
      while (seg.actions.length > 0 && seg.actions[0]!.rem >= seg.remaining) {
        const a = seg.actions[0]!;
        if (a instanceof OutsBatch) {
          if (!a.fire(seg.remaining, () => earlyLimit(this.k.ctx.queue), () => cpu.thread === t && cpu.mode === 'run')) return;
          if (a.done) seg.actions.shift();
          continue;
        }
        seg.actions.shift();
        a.fn();
        if (cpu.thread !== t || cpu.mode !== 'run') return;
      }
      if (seg.remaining > 0) {
        const nextAction = seg.actions[0];
        const piece = nextAction ? seg.remaining - nextAction.rem : seg.remaining;
        const q = this.k.ctx.queue;
        const now = q.now;
        cpu.pieceStart = now;
        // Nothing can happen before the piece ends: run on as the CPU event would (onCpuEvent, mode 'run').
        if (cpuPieces.inline && q.advanceTo(now + piece)) {
          this.account(cpu);
          spins = 0;
          continue;
        }
        q.schedule(cpu.ev, now + piece);
        return;
      }
      if (++spins > SPIN_LIMIT) {
        this.k.procs.crash(t, new Error(`thread spun ${SPIN_LIMIT} times without consuming CPU time`));
        return;
      }
      this.segmentDone(t);
    }
  }

  // ---- interrupts ---------------------------------------------------------------------------------------

  /** The CPU takes an interrupt: its thread's work is paused (a context switch in progress is abandoned). */
  enterInterrupt(cpu: Cpu): void {
    if (cpu.mode === 'run') {
      this.account(cpu);
      this.k.ctx.queue.deschedule(cpu.ev);
    } else if (cpu.mode === 'switch') {
      this.k.ctx.queue.deschedule(cpu.ev);
      const t = cpu.thread!;
      cpu.thread = null;
      this.makeReady(t, true);
    }
    cpu.mode = 'intr';
  }

  /** Spend `ns` in interrupt context, then continue with `next`. */
  intrDelay(cpu: Cpu, ns: number, next: () => void): void {
    cpu.intrNext = next;
    cpu.intrNs += ns;
    cpu.busyNs += ns;
    this.k.ctx.queue.schedule(cpu.ev, this.now + Math.max(0, Math.round(ns)));
  }

  /** Interrupt done: resume the paused thread unless a higher-priority thread became ready meanwhile. */
  leaveInterrupt(cpu: Cpu): void {
    const t = cpu.thread;
    if (!t) {
      cpu.mode = 'idle';
      this.kick();
      return;
    }
    cpu.mode = 'run';
    cpu.pieceStart = this.now;
    const top = this.highestReady();
    if (top && top.prio > t.prio) {
      this.preempt(cpu);
      this.kick();
      return;
    }
    this.runLoop(cpu);
  }
}

