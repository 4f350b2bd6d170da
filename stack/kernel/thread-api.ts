/**
 * ThreadCtx: what a program's thread calls. Each call charges its CPU cost (costs.ts) to the thread; calls
 * with effects on other threads (replies, pulses, events, timers, path attach, spawn start, print) place the
 * effect at its point on the thread's CPU timeline, i.e. after the CPU time charged before it. Blocking calls
 * yield an op that the kernel executes once the owed CPU time has been consumed.
 *
 * Port and MMIO accesses follow the same rule, with the bus cycle's own time (NodeBus.ioCycleNs/mmioCycleNs)
 * charged before the access takes effect: the device sees it at the end of its cycle, as it latches a write
 * or drives read data at the trailing edge of the command. A read yields an op executed at that point; a
 * write is a deferred effect; string I/O is one op (or one run of deferred writes) for all its cycles.
 */
import type { AccessSize } from '../../emulator/machine/bus/types';
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
  get bus(): ProgramBus {
    const b = this.k.bus;
    return { syspage: b.syspage, memRead: (addr, dst) => b.memRead(addr, dst), memWrite: (addr, src) => b.memWrite(addr, src) };
  }
  get env(): Record<string, string> {
    return this.t.proc.env;
  }
  get local(): LocalStore {
    return this.t.proc.local;
  }
  now(): number {
    return this.k.ctx.queue.now;
  }
  clockNow(): number {
    return this.now() + (this.k.sched.stepping === this.t ? this.t.charge : 0);
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

  // ---- bus accesses on the thread's timeline -----------------------------------------------------------

  /** A read of `size` at `port` (io) or `addr` (mmio): its cycle is charged, then the read runs. */
  private *busRead(space: 'io' | 'mmio', addr: number, size: AccessSize): Co<number> {
    const bus = this.k.bus;
    this.charge(space === 'io' ? bus.ioCycleNs(addr, size, false) : bus.mmioCycleNs(addr, size, false));
    const v = yield op(space === 'io' ? 'in' : 'mmioRead', () => ({
      value: space === 'mmio' ? bus.mmioRead(addr, size) : size === 1 ? bus.in8(addr) : size === 2 ? bus.in16(addr) : bus.in32(addr),
    }));
    return v as number;
  }

  /** A write: its cycle is charged, then the write takes effect at that point of the timeline. */
  private busWrite(space: 'io' | 'mmio', addr: number, size: AccessSize, value: number): void {
    const bus = this.k.bus;
    this.charge(space === 'io' ? bus.ioCycleNs(addr, size, true) : bus.mmioCycleNs(addr, size, true));
    this.defer(() => {
      if (space === 'mmio') bus.mmioWrite(addr, size, value);
      else if (size === 1) bus.out8(addr, value);
      else if (size === 2) bus.out16(addr, value);
      else bus.out32(addr, value);
    });
  }

  *in8(port: number): Co<number> {
    return yield* this.busRead('io', port, 1);
  }
  *in16(port: number): Co<number> {
    return yield* this.busRead('io', port, 2);
  }
  *in32(port: number): Co<number> {
    return yield* this.busRead('io', port, 4);
  }
  out8(port: number, value: number): void {
    this.busWrite('io', port, 1, value);
  }
  out16(port: number, value: number): void {
    this.busWrite('io', port, 2, value);
  }
  out32(port: number, value: number): void {
    this.busWrite('io', port, 4, value);
  }
  *mmioRead(addr: number, size: AccessSize): Co<number> {
    return yield* this.busRead('mmio', addr, size);
  }
  mmioWrite(addr: number, size: AccessSize, value: number): void {
    this.busWrite('mmio', addr, size, value);
  }

  /** REP INS: every cycle charged, then all transfers at once, at the end of the last cycle. */
  private *ins(port: number, size: AccessSize, dst: Uint8Array): Co<void> {
    const n = transfers(dst, size, 'ins');
    const bus = this.k.bus;
    this.charge(n * bus.ioCycleNs(port, size, false));
    yield op('ins', () => {
      for (let i = 0; i < n; i++) {
        const v = size === 1 ? bus.in8(port) : size === 2 ? bus.in16(port) : bus.in32(port);
        for (let b = 0; b < size; b++) dst[i * size + b] = (v >>> (8 * b)) & 0xff;
      }
      return { value: undefined };
    });
  }

  /** REP OUTS: each transfer takes effect at the end of its own cycle. */
  private outs(port: number, size: AccessSize, src: Uint8Array): void {
    const n = transfers(src, size, 'outs');
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let b = 0; b < size; b++) v += src[i * size + b]! * 2 ** (8 * b);
      this.busWrite('io', port, size, v);
    }
  }

  *in8s(port: number, dst: Uint8Array): Co<void> {
    yield* this.ins(port, 1, dst);
  }
  *in16s(port: number, dst: Uint8Array): Co<void> {
    yield* this.ins(port, 2, dst);
  }
  *in32s(port: number, dst: Uint8Array): Co<void> {
    yield* this.ins(port, 4, dst);
  }
  out8s(port: number, src: Uint8Array): void {
    this.outs(port, 1, src);
  }
  out16s(port: number, src: Uint8Array): void {
    this.outs(port, 2, src);
  }
  out32s(port: number, src: Uint8Array): void {
    this.outs(port, 4, src);
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
    this.deferSafe('InterruptMask', () => this.k.intr.mask(proc, irq, id));
  }

  InterruptUnmask(irq: number, id: number): void {
    this.charge(this.c.kernelCall + this.maskCost(irq));
    this.k.intr.validate(this.t.proc, irq, id, 'InterruptUnmask');
    const proc = this.t.proc;
    this.deferSafe('InterruptUnmask', () => this.k.intr.unmask(proc, irq, id));
  }

  /** The controller access a mask change makes (charged whether or not the count crosses zero). */
  private maskCost(irq: number): number {
    return this.k.intr.controller?.maskCost(irq) ?? 0;
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

  TimerSettime(id: number, initial: number, interval: number, flags = 0): void {
    this.charge(this.c.kernelCall);
    const proc = this.t.proc;
    this.k.timers.validate(proc, id, 'TimerSettime');
    const abs = (flags & TIMER_ABSTIME) !== 0;
    this.deferSafe('TimerSettime', () => this.k.timers.settime(proc, id, initial, interval, abs));
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

/** Number of `size`-byte transfers in `buf`; a partial transfer is a programming error. */
function transfers(buf: Uint8Array, size: AccessSize, what: string): number {
  if (buf.length % size !== 0) throw new RangeError(`${what}: ${buf.length} bytes is not a whole number of ${size}-byte transfers`);
  return buf.length / size;
}
