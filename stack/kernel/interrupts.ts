/**
 * Interrupt handling: InterruptAttach (an ISR run in interrupt context), InterruptAttachEvent (the kernel masks
 * the IRQ and delivers the event), per-IRQ mask counts, and the CPU side of taking an interrupt.
 *
 * Taking an interrupt on a CPU: its thread is paused; INTA (8259: a bus cycle, costed by the node's bus) or
 * the local APIC gives the vector; after interruptEntry the kernel identifies the IRQ (spurious IRQ7/15
 * detected by reading the ISR), runs the handlers in attach order (each interruptHandler + what its
 * controller accesses cost), masks IRQs with attached events and delivers events; once that time has passed
 * it EOIs, and after the EOI's own bus time and interruptExit the CPU goes back to its thread (or a
 * higher-priority one that became ready). Controller accesses cost what NodeBus says (irq-controllers.ts);
 * those made while handling take effect when the handling phase starts, the EOI at its end. The 8259's INTR
 * goes to CPU 0; I/O APIC messages to the CPU they name. Expiring timers are interrupt work on CPU 0 too (the
 * clock interrupt).
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { Errno, KernelError, type InterruptIo, type SigEvent } from './api';
import type { Kernel } from './kernel';
import type { Cpu } from './scheduler';
import { IoApicController, Pic8259Controller, type IrqController } from './irq-controllers';
import type { InterruptAttachment, Process, Thread } from './types';

export interface InterruptStats {
  /** Interrupts taken per IRQ (spurious ones excluded). */
  perIrq: Map<number, number>;
  spurious: number;
  /** Vectors outside the controller's range. */
  badVector: number;
  /** IRQs that fired with no handler attached. */
  unhandled: number;
}

/** Interrupts at one instant after which an IRQ is declared stuck and masked. */
const STORM_LIMIT = 10_000;

interface IrqState {
  handlers: InterruptAttachment[];
  /** Sum of the masks held by attachments plus 1 while no handler is attached. */
  masks: number;
}

export class Interrupts {
  readonly stats: InterruptStats = { perIrq: new Map(), spurious: 0, badVector: 0, unhandled: 0 };
  controller: IrqController | null = null;
  private readonly attachments = new Map<number, InterruptAttachment>();
  private readonly irqs = new Map<number, IrqState>();
  private nextId = 1;
  private intrLevel = false;
  private readonly clockQueue: (() => void)[] = [];
  private readonly checkEv: SimEvent;
  /** Interrupts taken at one instant (per CPU), to catch a storm that would never let time advance. */
  private readonly storm = { t: -1, n: 0 };
  private readonly stuck = new Set<number>();
  /** Set while an ISR runs: CPU time it charges goes to the interrupt. */
  isrCharge: number | null = null;
  /** Port and MMIO access for ISRs: immediate, each bus cycle charged to the interrupt. */
  private readonly isrIo: InterruptIo;

  constructor(private readonly k: Kernel) {
    this.checkEv = new SimEvent(`${k.ctx.name}.intr`, () => this.check(), Priority.Cpu);
    const bus = k.bus;
    const io = (port: number, size: 1 | 2 | 4, write: boolean): void => this.chargeIsr(bus.ioCycleNs(port, size, write));
    this.isrIo = {
      in8: (p) => (io(p, 1, false), bus.in8(p)),
      in16: (p) => (io(p, 2, false), bus.in16(p)),
      in32: (p) => (io(p, 4, false), bus.in32(p)),
      out8: (p, v) => (io(p, 1, true), bus.out8(p, v)),
      out16: (p, v) => (io(p, 2, true), bus.out16(p, v)),
      out32: (p, v) => (io(p, 4, true), bus.out32(p, v)),
      mmioRead: (a, s) => (this.chargeIsr(bus.mmioCycleNs(a, s, false)), bus.mmioRead(a, s)),
      mmioWrite: (a, s, v) => (this.chargeIsr(bus.mmioCycleNs(a, s, true)), bus.mmioWrite(a, s, v)),
    };
  }

  private chargeIsr(ns: number): void {
    if (this.isrCharge !== null) this.isrCharge += ns;
  }

  boot(): void {
    const sp = this.k.bus.syspage;
    const costs = this.k.costs;
    if (sp.interruptController === 'ioapic') {
      this.controller = new IoApicController(this.k.bus, costs, sp.ioapicBase);
      this.k.bus.onApicMessage((cpu, vector) => {
        const c = this.k.sched.cpus[cpu] ?? this.k.sched.cpus[0]!;
        if (!c.apicPending.includes(vector)) c.apicPending.push(vector);
        this.requestCheck();
      });
    } else {
      const base = sp.picVectorBase ?? 0x30;
      this.controller = new Pic8259Controller(this.k.bus, base);
      this.k.bus.onIntr((level) => {
        this.intrLevel = level;
        if (level) this.requestCheck();
      });
    }
    this.controller.init();
  }

  private requestCheck(): void {
    if (!this.checkEv.scheduled) this.k.ctx.queue.schedule(this.checkEv, this.k.ctx.queue.now);
  }

  /** Work for the clock interrupt (timer expiry) on CPU 0. */
  clockWork(fn: () => void): void {
    this.clockQueue.push(fn);
    this.requestCheck();
  }

  /** No interrupt or clock work waiting for a CPU. */
  quiet(): boolean {
    if (this.clockQueue.length > 0 || this.checkEv.scheduled) return false;
    if (this.controller?.kind === '8259' && this.intrLevel) return false;
    return this.k.sched.cpus.every((c) => c.apicPending.length === 0 && c.mode !== 'intr');
  }

  private pending(cpu: Cpu): boolean {
    if (cpu.apicPending.length > 0) return true;
    if (cpu.id !== 0) return false;
    return (this.controller?.kind === '8259' && this.intrLevel) || this.clockQueue.length > 0;
  }

  /** A hung kernel's CPUs came back (halt.ts): look at what is pending now. */
  recheck(): void {
    this.requestCheck();
  }

  private check(): void {
    // Halted CPUs take no interrupt (halt.ts): it stays pending at the controller.
    if (this.k.halt.kind !== null) return;
    for (const cpu of this.k.sched.cpus) {
      if (cpu.mode !== 'intr' && this.pending(cpu)) {
        this.k.sched.enterInterrupt(cpu);
        this.take(cpu);
      }
    }
  }

  /** The CPU (already in interrupt mode) takes the next pending interrupt. */
  private take(cpu: Cpu): void {
    const costs = this.k.costs;
    if (cpu.id === 0 && this.controller?.kind === '8259' && this.intrLevel) {
      // The INTA cycle fetches the vector before the CPU can vector through the IDT.
      const vector = this.k.bus.interruptAcknowledge();
      this.k.sched.intrDelay(cpu, this.k.bus.interruptAcknowledgeNs + costs.interruptEntry, () => this.handle(cpu, vector));
      return;
    }
    const vector = cpu.apicPending.shift();
    if (vector !== undefined) {
      this.k.sched.intrDelay(cpu, costs.interruptEntry, () => this.handle(cpu, vector));
      return;
    }
    const work = this.clockQueue.splice(0);
    this.k.sched.intrDelay(cpu, costs.interruptEntry, () => {
      for (const w of work) w();
      this.k.sched.intrDelay(cpu, work.length * costs.timerFire + costs.interruptExit, () => this.leave(cpu));
    });
  }

  private leave(cpu: Cpu): void {
    if (this.pending(cpu)) this.take(cpu);
    else this.k.sched.leaveInterrupt(cpu);
  }

  private handle(cpu: Cpu, vector: number): void {
    const ctrl = this.controller!;
    const costs = this.k.costs;
    const id = ctrl.identify(vector);
    let cost = id.cost;
    if (id.irq < 0) {
      this.stats.badVector++;
      this.k.trace('bad-vector', { vector, cpu: cpu.id });
    } else if (id.spurious) {
      this.stats.spurious++;
      this.k.trace('spurious', { irq: id.irq, vector, cpu: cpu.id });
    } else {
      const irq = id.irq;
      this.stats.perIrq.set(irq, (this.stats.perIrq.get(irq) ?? 0) + 1);
      this.k.trace('interrupt', { irq, vector, cpu: cpu.id });
      const now = this.k.ctx.queue.now;
      const storm = this.storm;
      if (storm.t === now) storm.n++;
      else {
        storm.t = now;
        storm.n = 1;
      }
      if (storm.n > STORM_LIMIT) {
        // A source nobody clears, with zero-cost interrupts: mask it for good (Linux's "nobody cared").
        if (!this.stuck.has(irq)) {
          this.stuck.add(irq);
          this.k.trace('interrupt-storm', { irq, vector });
          cost += this.adjustMask(irq, +1);
        }
        this.eoiAfter(cpu, cost, irq, vector);
        return;
      }
      const st = this.irqs.get(irq);
      const handlers = st ? [...st.handlers] : [];
      if (handlers.length === 0) {
        this.stats.unhandled++;
        this.k.trace('unhandled', { irq });
      }
      this.k.sched.starvation.irq = irq;
      for (const a of handlers) {
        if (!this.attachments.has(a.id)) continue;
        cost += costs.interruptHandler;
        if (a.isr) {
          this.isrCharge = 0;
          let ev: SigEvent | null = null;
          try {
            ev = a.isr(this.isrIo);
          } catch (e) {
            this.k.trace('isr-fault', { irq, pid: a.proc.pid, error: String(e) });
          }
          cost += this.isrCharge;
          this.isrCharge = null;
          if (ev) cost += this.k.deliverEvent(ev, a.thread);
        } else if (a.event) {
          a.masks++;
          cost += this.adjustMask(irq, +1);
          cost += this.k.deliverEvent(a.event, a.thread);
        }
      }
      this.k.sched.starvation.irq = -1;
      this.eoiAfter(cpu, cost, irq, vector);
      return;
    }
    this.k.sched.intrDelay(cpu, cost + costs.interruptExit, () => this.leave(cpu));
  }

  /** After `ns` of handling, end the interrupt at the controller; its bus time and the exit follow. */
  private eoiAfter(cpu: Cpu, ns: number, irq: number, vector: number): void {
    this.k.sched.intrDelay(cpu, ns, () => {
      const eoi = this.controller!.eoi(irq, vector);
      this.k.sched.intrDelay(cpu, eoi + this.k.costs.interruptExit, () => this.leave(cpu));
    });
  }

  // ---- attach / mask ------------------------------------------------------------------------------------

  private state(irq: number): IrqState {
    let st = this.irqs.get(irq);
    if (!st) {
      st = { handlers: [], masks: 1 };
      this.irqs.set(irq, st);
    }
    return st;
  }

  /** Change an IRQ's mask count; program the controller when it crosses zero. Returns the cost. */
  private adjustMask(irq: number, delta: number): number {
    const st = this.state(irq);
    const was = st.masks;
    st.masks = Math.max(0, st.masks + delta);
    if ((was > 0) !== (st.masks > 0)) return this.controller?.setMasked(irq, st.masks > 0) ?? 0;
    return 0;
  }

  attach(t: Thread, irq: number, isr: ((io: InterruptIo) => SigEvent | null) | null, event: SigEvent | null): number {
    const ctrl = this.controller;
    if (!ctrl) throw new KernelError(Errno.ENXIO, 'InterruptAttach before kernel boot');
    if (!Number.isInteger(irq) || irq < 0 || irq >= ctrl.irqCount || (ctrl.kind === '8259' && irq === 2)) {
      throw new KernelError(Errno.EINVAL, `InterruptAttach(${irq})`);
    }
    const id = this.nextId++;
    const a: InterruptAttachment = { id, irq, proc: t.proc, thread: t, isr, event, masks: 0 };
    this.attachments.set(id, a);
    t.proc.interrupts.add(id);
    const st = this.state(irq);
    st.handlers.push(a);
    if (st.handlers.length === 1) this.adjustMask(irq, -1);
    this.k.trace('attach', { irq, pid: t.proc.pid, id, kind: isr ? 'isr' : 'event' });
    return id;
  }

  private get(proc: Process, id: number, what: string): InterruptAttachment {
    const a = this.attachments.get(id);
    if (!a || a.proc !== proc) throw new KernelError(Errno.EINVAL, `${what}(${id})`);
    return a;
  }

  detach(proc: Process, id: number): void {
    const a = this.get(proc, id, 'InterruptDetach');
    this.remove(a);
  }

  private remove(a: InterruptAttachment): void {
    this.attachments.delete(a.id);
    a.proc.interrupts.delete(a.id);
    const st = this.state(a.irq);
    st.handlers.splice(st.handlers.indexOf(a), 1);
    let delta = -a.masks;
    if (st.handlers.length === 0) delta += 1;
    a.masks = 0;
    this.adjustMask(a.irq, delta);
  }

  /** Argument check of InterruptMask/Unmask, done when the call is made (the effect comes later). */
  validate(proc: Process, irq: number, id: number, what: string): void {
    const ctrl = this.controller;
    if (!ctrl || !Number.isInteger(irq) || irq < 0 || irq >= ctrl.irqCount) throw new KernelError(Errno.EINVAL, `${what}(${irq}, ${id})`);
    if (id >= 0 && this.get(proc, id, what).irq !== irq) throw new KernelError(Errno.EINVAL, `${what}(${irq}, ${id})`);
  }

  /** InterruptMask(irq, id): id may be -1 (a mask not tied to an attachment). Returns the cost. */
  mask(proc: Process, irq: number, id: number): number {
    const a = id >= 0 ? this.get(proc, id, 'InterruptMask') : null;
    if (a && a.irq !== irq) throw new KernelError(Errno.EINVAL, `InterruptMask(${irq}, ${id})`);
    if (a) a.masks++;
    return this.adjustMask(irq, +1);
  }

  /** InterruptUnmask(irq, id). Unmasking more than masked is ignored (QNX clamps the count at zero). */
  unmask(proc: Process, irq: number, id: number): number {
    const a = id >= 0 ? this.get(proc, id, 'InterruptUnmask') : null;
    if (a && a.irq !== irq) throw new KernelError(Errno.EINVAL, `InterruptUnmask(${irq}, ${id})`);
    if (a) {
      if (a.masks === 0) return 0;
      a.masks--;
    }
    return this.adjustMask(irq, -1);
  }

  /** Current mask count of an IRQ (tests, the debugger). */
  maskCount(irq: number): number {
    return this.irqs.get(irq)?.masks ?? 1;
  }

  processGone(proc: Process): void {
    for (const id of [...proc.interrupts]) {
      const a = this.attachments.get(id);
      if (a) this.remove(a);
    }
  }
}
