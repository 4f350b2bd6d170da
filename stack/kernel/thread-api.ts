/**
 * ThreadCtx: what a program's thread calls. Each call charges its CPU cost (costs.ts) to the thread; calls
 * with effects on other threads (replies, pulses, events, timers, path attach, spawn start, print) place the
 * effect at its point on the thread's CPU timeline, i.e. after the CPU time charged before it. Blocking calls
 * yield an op that the kernel executes once the owed CPU time has been consumed.
 */
import type { NodeBus } from '../../emulator/machine/bus/node-bus';
import {
  Errno, KernelError,
  type Co, type Message, type ProcessInfo, type Received, type Reply, type SigEvent, type SpawnOptions, type ThreadBody, type ThreadCtx,
} from './api';
import { copyCost } from './costs';
import type { Kernel } from './kernel';
import type { Op, OpResult, Thread } from './types';

function op(kernelOp: string, exec: (t: Thread) => OpResult): Op {
  return { kernelOp, exec };
}

export class ThreadApi implements ThreadCtx {
  constructor(private readonly k: Kernel, private readonly t: Thread) {}

  get pid(): number {
    return this.t.proc.pid;
  }
  get tid(): number {
    return this.t.tid;
  }
  get procName(): string {
    return this.t.proc.name;
  }
  get node(): string {
    return this.k.ctx.node;
  }
  get bus(): NodeBus {
    return this.k.bus;
  }
  get env(): Record<string, string> {
    return this.t.proc.env;
  }
  get local(): Map<string, unknown> {
    return this.t.proc.local;
  }
  now(): number {
    return this.k.ctx.queue.now;
  }

  /** Place an effect on this thread's timeline (or do it now when called outside its own code). */
  private defer(fn: () => void): void {
    if (this.k.sched.stepping === this.t) this.t.deferred.push({ at: this.t.charge, fn });
    else fn();
  }

  /** A deferred effect whose target may have gone meanwhile (detached, destroyed): traced, not thrown. */
  private deferSafe(what: string, fn: () => void): void {
    this.defer(() => {
      try {
        fn();
      } catch (e) {
        this.k.trace('call-failed', { pid: this.t.proc.pid, call: what, error: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  private get c() {
    return this.k.costs;
  }

  print(text: string): void {
    const out = this.t.proc.stdout;
    this.defer(() => out(text));
  }

  charge(ns: number): void {
    if (!(ns > 0)) return;
    if (this.k.intr.isrCharge !== null) this.k.intr.isrCharge += ns;
    else this.t.charge += ns;
  }

  *work(ns: number): Co<void> {
    this.charge(Math.round(ns));
    yield op('work', () => ({ value: undefined }));
  }

  *sleep(ns: number): Co<void> {
    this.charge(this.c.kernelCall);
    yield op('nanosleep', (t) => {
      this.k.timers.sleep(t, ns);
      return 'blocked';
    });
  }

  *yieldCpu(): Co<void> {
    this.charge(this.c.kernelCall);
    yield op('sched_yield', (t) => (this.k.sched.readyAtOrAbove(t.prio) ? 'requeued' : { value: undefined }));
  }

  getPriority(): number {
    return this.t.prio;
  }

  setPriority(prio: number): void {
    this.charge(this.c.kernelCall);
    const p = Math.min(255, Math.max(1, Math.round(prio)));
    this.t.basePrio = p;
    this.k.sched.setPriority(this.t, p);
  }

  ThreadCreate(name: string, priority: number, body: ThreadBody): number {
    this.charge(this.c.kernelCall + this.c.threadCreate);
    const nt = this.k.procs.newThread(this.t.proc, name, priority, body, 0);
    this.defer(() => this.k.sched.makeReady(nt));
    return nt.tid;
  }

  *exit(status: number): Co<never> {
    this.charge(this.c.kernelCall);
    yield op('exit', (t) => {
      this.k.procs.exit(t.proc, status);
      return 'dead';
    });
    throw new Error('exit returned');
  }

  daemonize(): void {
    this.charge(this.c.kernelCall + this.c.msgPassBase);
    const proc = this.t.proc;
    this.defer(() => this.k.procs.daemonize(proc));
  }

  ChannelCreate(): number {
    this.charge(this.c.kernelCall);
    return this.k.msg.channelCreate(this.t.proc);
  }

  ConnectAttach(pid: number, chid: number): number {
    this.charge(this.c.kernelCall);
    return this.k.msg.connectAttach(this.t.proc, pid, chid);
  }

  ConnectDetach(coid: number): void {
    this.charge(this.c.kernelCall);
    this.k.msg.connectDetach(this.t.proc, coid);
  }

  *MsgSend(coid: number, msg: Message): Co<Reply> {
    this.charge(this.c.kernelCall + this.c.msgPassBase + copyCost(this.c, msg.bytes));
    const r = yield op('MsgSend', (t) => this.k.msg.send(t, coid, msg));
    return r as Reply;
  }

  *MsgReceive(chid: number): Co<Received> {
    this.charge(this.c.kernelCall);
    const r = yield op('MsgReceive', (t) => this.k.msg.receive(t, chid));
    return r as Received;
  }

  MsgReply(rcvid: number, reply: Reply): void {
    this.charge(this.c.kernelCall + this.c.msgReplyBase + copyCost(this.c, reply.bytes));
    const proc = this.t.proc;
    this.defer(() => this.k.msg.reply(proc, rcvid, reply));
  }

  MsgError(rcvid: number, errno: number): void {
    this.charge(this.c.kernelCall + this.c.msgReplyBase);
    const proc = this.t.proc;
    this.defer(() => this.k.msg.reply(proc, rcvid, { status: -1, errno }));
  }

  MsgSendPulse(coid: number, priority: number, code: number, value: number): void {
    this.charge(this.c.kernelCall + this.c.pulse);
    const ch = this.k.msg.target(this.t.proc, coid, 'MsgSendPulse');
    const prio = Math.min(255, Math.max(1, Math.round(priority)));
    this.defer(() => {
      if (ch.proc.alive && ch.proc.channels.get(ch.chid) === ch) this.k.msg.pulse(ch, prio, code, value);
    });
  }

  MsgDeliverEvent(event: SigEvent): void {
    this.charge(this.c.kernelCall + this.c.pulse);
    const t = this.t;
    this.defer(() => this.k.deliverEvent(event, t));
  }

  InterruptAttach(irq: number, isr: () => SigEvent | null): number {
    this.charge(this.c.kernelCall);
    return this.k.intr.attach(this.t, irq, isr, null);
  }

  InterruptAttachEvent(irq: number, event: SigEvent): number {
    this.charge(this.c.kernelCall);
    return this.k.intr.attach(this.t, irq, null, event);
  }

  InterruptDetach(id: number): void {
    this.charge(this.c.kernelCall);
    this.k.intr.detach(this.t.proc, id);
  }

  InterruptMask(irq: number, id: number): void {
    this.charge(this.c.kernelCall + this.maskCost());
    this.k.intr.validate(this.t.proc, irq, id, 'InterruptMask');
    const proc = this.t.proc;
    this.deferSafe('InterruptMask', () => this.k.intr.mask(proc, irq, id));
  }

  InterruptUnmask(irq: number, id: number): void {
    this.charge(this.c.kernelCall + this.maskCost());
    this.k.intr.validate(this.t.proc, irq, id, 'InterruptUnmask');
    const proc = this.t.proc;
    this.deferSafe('InterruptUnmask', () => this.k.intr.unmask(proc, irq, id));
  }

  private maskCost(): number {
    return this.k.intr.controller?.kind === 'ioapic' ? 2 * this.c.apicAccess : this.c.picPortAccess;
  }

  *InterruptWait(): Co<void> {
    this.charge(this.c.kernelCall);
    yield op('InterruptWait', (t) => {
      if (t.intrPending > 0) {
        t.intrPending = 0;
        return { value: undefined };
      }
      t.state = 'INTR';
      return 'blocked';
    });
  }

  TimerCreate(event: SigEvent): number {
    this.charge(this.c.kernelCall);
    return this.k.timers.create(this.t, event);
  }

  TimerSettime(id: number, initial: number, interval: number): void {
    this.charge(this.c.kernelCall);
    const proc = this.t.proc;
    this.k.timers.validate(proc, id, 'TimerSettime');
    this.deferSafe('TimerSettime', () => this.k.timers.settime(proc, id, initial, interval));
  }

  TimerDestroy(id: number): void {
    this.charge(this.c.kernelCall);
    this.k.timers.destroy(this.t.proc, id);
  }

  pathAttach(path: string, chid: number, opts?: { dir?: boolean }): void {
    this.charge(this.c.kernelCall + this.c.pathResolve);
    if (!this.t.proc.channels.has(chid)) throw new KernelError(Errno.EINVAL, `resmgr_attach(${path}): no channel ${chid}`);
    const pid = this.t.proc.pid;
    this.defer(() => {
      if (this.t.proc.alive) this.k.paths.attach(path, pid, chid, opts?.dir ?? false);
    });
  }

  pathDetach(path: string): void {
    this.charge(this.c.kernelCall + this.c.pathResolve);
    const pid = this.t.proc.pid;
    this.defer(() => this.k.paths.detach(path, pid));
  }

  pathResolve(path: string): { pid: number; chid: number; prefix: string; rest: string } | null {
    this.charge(this.c.pathResolve);
    return this.k.paths.resolve(path);
  }

  pathList(prefix: string): string[] {
    this.charge(this.c.pathResolve);
    return this.k.paths.list(prefix);
  }

  spawn(opts: SpawnOptions): number {
    this.charge(this.c.kernelCall + this.c.msgPassBase);
    return this.k.procs.spawn(opts, this.t, (start) => this.defer(start));
  }

  *waitpid(pid: number): Co<number> {
    this.charge(this.c.kernelCall);
    const r = yield op('waitpid', (t) => this.k.procs.waitpid(t, pid));
    return r as number;
  }

  kill(pid: number): boolean {
    this.charge(this.c.kernelCall + this.c.msgPassBase);
    const p = this.k.procs.get(pid);
    if (!p || !p.alive) return false;
    this.defer(() => this.k.procs.kill(pid));
    return true;
  }

  onTerminate(fn: () => void): void {
    this.t.proc.terminateHooks.push(fn);
  }

  confstr(name: string): string | null {
    return this.k.conf.get(name) ?? null;
  }

  setconf(name: string, value: string): void {
    this.charge(this.c.kernelCall);
    this.k.conf.set(name, value);
  }

  processes(): ProcessInfo[] {
    this.charge(this.c.msgPassBase);
    return this.k.processes;
  }

  allocPhys(bytes: number, align?: number): number {
    this.charge(this.c.kernelCall);
    return this.k.allocPhys(bytes, align);
  }

  /** A fresh, simulation-wide packet id (trace only). */
  newPacketId(): number {
    return this.k.ctx.tracer.newPacketId();
  }

  /** Observation only: the packet id the trace layer associates with these bytes. */
  identify(bytes: Uint8Array): number {
    return this.k.ctx.tracer.provenance.lookup(bytes);
  }

  /** Observation only: associate these bytes with a packet id for the trace layer. */
  tagPacket(bytes: Uint8Array, pkt: number): void {
    this.k.ctx.tracer.provenance.tag(bytes, pkt);
  }

  trace(layer: string, probe: string, pkt: number, f?: Record<string, string | number | boolean>): void {
    this.k.ctx.tracer.emit(this.k.ctx.node, layer, probe, pkt, f);
  }
}
