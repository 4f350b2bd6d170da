/**
 * ThreadCtx: what a program's thread calls. Each call charges its CPU cost (costs.ts) to the thread; calls
 * with effects on other threads (replies, pulses, events, timers, path attach, spawn start, print) place the
 * effect at its point on the thread's CPU timeline, i.e. after the CPU time charged before it. Blocking calls
 * yield an op that the kernel executes once the owed CPU time has been consumed. The timeline itself and the
 * port and MMIO accesses are in thread-timeline.ts.
 */
import {
  Errno, KernelError, TIMER_ABSTIME,
  type Co, type InterruptIo, type Message, type ProcessInfo, type ProgramBus, type Received, type Reply, type SigEvent,
  type SlogEntry, type SpawnOptions, type ThreadBody, type ThreadCtx,
} from './api';
import { copyCost } from './costs';
import { ndNode, type KernelKif, type NetManager } from './kif';
import { kernelKif, type CallSite } from './net-kif';
import { validSlog } from './slog';
import type { LocalStore } from './local';
import { op, ThreadTimeline } from './thread-timeline';
import { INTERRUPT_WAIT_OP, RESUME_VOID, WORK_OP } from './thread-ops';
import type { Op } from './types';

export class ThreadApi extends ThreadTimeline implements ThreadCtx {
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
  get bus(): ProgramBus {
    if (!this.programBus) {
      const b = this.k.bus;
      this.programBus = { syspage: b.syspage, memRead: (addr, dst) => b.memRead(addr, dst), memWrite: (addr, src) => b.memWrite(addr, src) };
    }
    return this.programBus;
  }
  private programBus: ProgramBus | undefined;
  get env(): Record<string, string> {
    return this.t.proc.env;
  }
  get local(): LocalStore {
    return this.t.proc.local;
  }
  print(text: string): void {
    const out = this.t.proc.stdout;
    this.defer(() => out(text));
  }


  *work(ns: number): Co<void> {
    this.charge(Math.round(ns));
    yield WORK_OP;
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
    // No arguments: one op per thread, not one per call.
    yield (this.yieldOp ??= op('sched_yield', (t) => (this.k.sched.readyAtOrAbove(t.prio) ? 'requeued' : RESUME_VOID)));
  }
  private yieldOp: Op | undefined;

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

  ChannelCreate(flags = 0): number {
    this.charge(this.c.kernelCall);
    return this.k.msg.channelCreate(this.t.proc, flags);
  }

  ConnectAttach(pid: number, chid: number, nd = 0): number {
    this.charge(this.c.kernelCall);
    if (ndNode(nd) !== 0) return this.k.net.connectAttach(this.t.proc, pid, chid, nd);
    return this.k.msg.connectAttach(this.t.proc, pid, chid);
  }

  ConnectDetach(coid: number): void {
    this.charge(this.c.kernelCall);
    const rc = this.k.net.get(this.t.proc, coid);
    if (rc) {
      this.k.net.connectDetach(this.t.proc, coid);
      const prio = this.t.prio;
      this.defer(() => this.k.net.detached(rc, prio));
      return;
    }
    const c = this.k.msg.connectDetach(this.t.proc, coid);
    if (this.k.msg.notifiesDisconnect(c)) this.charge(this.c.pulse);
    this.defer(() => this.k.msg.disconnected(c));
  }

  *MsgSend(coid: number, msg: Message): Co<Reply> {
    this.charge(this.c.kernelCall + this.c.msgPassBase + copyCost(this.c, msg.bytes));
    const rc = this.k.net.get(this.t.proc, coid);
    if (rc) return (yield op('MsgSend', (t) => this.k.net.send(t, rc, msg))) as Reply;
    if (this.k.msg.isProcnto(this.t.proc, coid)) return yield* this.procntoSend(coid, msg);
    const r = yield op('MsgSend', (t) => this.k.msg.send(t, coid, msg));
    return r as Reply;
  }

  /** A message to procnto's channel, answered in the kernel (procnto-server.ts); its work is charged here. */
  private *procntoSend(coid: number, msg: Message): Co<Reply> {
    this.charge(this.c.procntoMsg + this.c.msgReplyBase);
    // procnto may answer later (procnto-spawn.ts): the thread stays REPLY-blocked until then.
    const r = (yield op('MsgSend', (t) => this.k.procnto.serveThread(t, coid, msg))) as Reply;
    this.charge(copyCost(this.c, r.bytes));
    yield* this.work(0);
    return r;
  }

  MsgRead(rcvid: number, offset: number, nbytes: number): Uint8Array {
    const d = this.k.msg.msgRead(this.t.proc, rcvid, offset, nbytes);
    this.charge(this.c.kernelCall + copyCost(this.c, d.length));
    return d;
  }

  MsgWrite(rcvid: number, src: Uint8Array, offset: number): number {
    this.charge(this.c.kernelCall + copyCost(this.c, src.length));
    return this.k.msg.msgWrite(this.t.proc, rcvid, src, offset);
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
    const rc = this.k.net.get(this.t.proc, coid);
    if (rc) {
      const p = Math.min(255, Math.max(1, Math.round(priority)));
      this.defer(() => this.k.net.pulse(rc, p, code, value));
      return;
    }
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

  InterruptAttach(irq: number, isr: (io: InterruptIo) => SigEvent | null): number {
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
    this.charge(this.c.kernelCall + this.maskCost(irq));
    this.k.intr.validate(this.t.proc, irq, id, 'InterruptMask');
    const proc = this.t.proc;
    this.defer(() => {
      try {
        this.k.intr.mask(proc, irq, id);
      } catch (e) {
        this.callFailed('InterruptMask', e);
      }
    });
  }

  InterruptUnmask(irq: number, id: number): void {
    this.charge(this.c.kernelCall + this.maskCost(irq));
    this.k.intr.validate(this.t.proc, irq, id, 'InterruptUnmask');
    const proc = this.t.proc;
    this.defer(() => {
      try {
        this.k.intr.unmask(proc, irq, id);
      } catch (e) {
        this.callFailed('InterruptUnmask', e);
      }
    });
  }

  /** The controller access a mask change makes (charged whether or not the count crosses zero). */
  private maskCost(irq: number): number {
    return this.k.intr.controller?.maskCost(irq) ?? 0;
  }

  *InterruptWait(): Co<void> {
    this.charge(this.c.kernelCall);
    yield INTERRUPT_WAIT_OP;
  }

  TimerCreate(event: SigEvent): number {
    this.charge(this.c.kernelCall);
    return this.k.timers.create(this.t, event);
  }

  TimerSettime(id: number, initial: number, interval: number, flags = 0): void {
    this.charge(this.c.kernelCall);
    const proc = this.t.proc;
    this.k.timers.validate(proc, id, 'TimerSettime');
    const abs = (flags & TIMER_ABSTIME) !== 0;
    this.defer(() => {
      try {
        this.k.timers.settime(proc, id, initial, interval, abs);
      } catch (e) {
        this.callFailed('TimerSettime', e);
      }
    });
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

  getrandom(n: number): Uint8Array {
    this.charge(this.c.kernelCall + this.c.msgPassBase + this.c.msgReplyBase + copyCost(this.c, n));
    return this.k.random(n);
  }

  *fileRead(path: string): Co<Uint8Array | null> {
    this.charge(this.c.kernelCall + this.c.pathResolve + this.c.msgPassBase + this.c.msgReplyBase);
    const d = this.k.files.read(path);
    if (d) this.charge(copyCost(this.c, d.length));
    yield* this.work(0);
    return d ? d.slice() : null;
  }

  *fileWrite(path: string, data: Uint8Array, append: boolean): Co<number> {
    this.charge(this.c.kernelCall + this.c.pathResolve + this.c.msgPassBase + this.c.msgReplyBase + copyCost(this.c, data.length));
    yield* this.work(0);
    return this.k.files.write(path, data, append);
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

  get kif(): KernelKif {
    this.kifCalls ??= kernelKif(this.k, this.t);
    return this.kifCalls;
  }
  private kifCalls: KernelKif | undefined;

  /** Charging this thread and placing effects on its timeline, for kernel-call façades (net-kif.ts). */
  site(): CallSite {
    return { charge: (ns) => this.charge(ns), defer: (fn) => this.defer(fn) };
  }

  netmgr(): Pick<NetManager, 'ndToName' | 'nameToNd'> | null {
    this.charge(this.c.kernelCall);
    const m = this.k.net.manager;
    return m ? { ndToName: (nd) => m.ndToName(nd), nameToNd: (name) => m.nameToNd(name) } : null;
  }

  slogf(major: number, severity: number, text: string): void {
    // slogf is a message to slogger: a pass plus copying the text.
    this.charge(this.c.kernelCall + this.c.msgPassBase + copyCost(this.c, text.length));
    if (!validSlog(major, severity)) throw new KernelError(Errno.EINVAL, `slogf(${major}, ${severity})`);
    this.defer(() => this.k.slog.append({ time: this.k.ctx.queue.now, major, severity, text }));
  }

  slogRead(): SlogEntry[] {
    const e = this.k.slog.entries();
    this.charge(this.c.kernelCall + this.c.msgPassBase + copyCost(this.c, e.reduce((n, x) => n + x.text.length, 0)));
    return e;
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

  /** A probe at its point on this thread's timeline (after the CPU time charged before it), like print. */
  trace(layer: string, probe: string, pkt: number, f?: Record<string, string | number | boolean>): void {
    const { tracer, node } = this.k.ctx;
    this.defer(() => tracer.emit(node, layer, probe, pkt, f));
  }
}
