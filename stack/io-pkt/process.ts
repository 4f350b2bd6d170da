/**
 * One running io-pkt: its channel and threads, the stack context, the packet and message queues, timers.
 *
 * Threading (facts/io-pkt.md §4): every io-pkt thread receives on the one channel. Interrupt sources are
 * attached with InterruptAttachEvent and deliver a pulse at rx_prio; the thread that receives it runs the
 * driver's handler (layer 2, any number of threads at once, one per source), then tries to take the
 * "stack context". Only one thread holds it; the holder runs due callouts, the received-packet queue
 * (pkt_rx_q) and queued resource-manager messages until all are empty, then releases it. A message that
 * arrives while another thread holds the stack is queued for the holder. A packet queued while nobody holds
 * the stack and no interrupt thread is about to take it sends a POKE pulse.
 *
 * Layer 2 runs in the receiving thread without the stack context (layer2.ts: bridge, ipflow, if_start there);
 * frames it declines go to pkt_rx_q, and that thread takes the stack itself after the interrupt (no POKE).
 */
import { _NTO_CHF_DISCONNECT, _PULSE_CODE_DISCONNECT, type Co, type Received, type ThreadCtx } from '../kernel/api';
import type { Time } from '../../emulator/machine/sim/time';
import { Callouts, type Callout } from '../net/callout';
import { NetStack } from '../net/stack';
import { newPacketId } from '../lib/pktid';
import type { IoPktCommandLine } from './cmdline';
import type { LoadableModule, SlogSeverity } from './driver-api';
import { _SLOG_ERROR, _SLOG_INFO } from '../kernel/slog';
import type { Ifnet } from '../net/if';
import type { Mbuf } from '../net/mbuf';
import { IO_DISCONNECT, PULSE_INTR, PULSE_POKE, PULSE_TIMER, type IoPktMessage } from './msg';
import { ieee80211_ic_of, ieee80211_mgtq_pending, ieee80211_rx_dispatch } from '../net80211/ieee80211';
import type { Ieee80211Host } from '../net80211/var';
import { Crypto } from '../crypto/crypto';
import { IfBridge } from '../net/bridge/index';
import { IRUPT_PRIO_DEFAULT, InterruptPrio, type InterruptEntry } from './interrupt';
import { WorkThreads } from './work-thread';
import { Layer2 } from './layer2';
import { ieee80211HostOf } from './wlan-host';
import { ioPktNetEnv } from './net-env';

export type { InterruptEntry } from './interrupt';

/** <sys/slogcodes.h> _SLOGC_NETWORK. */
const SLOGC_NETWORK = 10;

export type Variant = 'io-pkt-v4' | 'io-pkt-v4-hc' | 'io-pkt-v6-hc';

/** An attached device (NetBSD struct device): base name + unit, and which module made it. */
export interface Device {
  readonly base: string;
  readonly unit: number;
  readonly module: string;
  readonly ifp: Ifnet;
}

export type DriverCallout = (ctx: ThreadCtx) => Co<void>;

/**
 * Work a protocol module queues for the stack context outside the packet and message queues (lsm-qnet: the
 * kernel's KIF ops, woken by PULSE_NETMGR): drain() runs it while `pending()`.
 */
export interface StackWorkSource {
  pending(): boolean;
  run(ctx: ThreadCtx): Co<void> | void;
}

export interface QueuedMessage {
  rcvid: number;
  msg: IoPktMessage;
  pid: number;
  coid: number;
}

export class IoPktProcess {
  readonly stack: NetStack;
  chid = -1;
  selfCoid = -1;
  private timerId = -1;
  private armedFor: Time | null = null;
  /** The thread holding the stack context, or null. */
  holder: ThreadCtx | null = null;
  readonly rxq: { ifp: Ifnet; m: Mbuf }[] = [];
  readonly msgq: QueuedMessage[] = [];
  private readonly kicks = new Set<Ifnet>();
  /** Interfaces whose multicast list changed: their driver's setFilter runs with the kicks. */
  private readonly filters = new Set<Ifnet>();
  readonly driverCallouts = new Callouts<DriverCallout>();
  readonly intr = new Map<number, InterruptEntry>();
  private nextIntr = 1;
  /** Interrupt handlers running now (their thread will try the stack right after). */
  intrDepth = 0;
  private pokePending = false;
  /** POKE pulses sent (a packet or completion queued while no thread held or was about to take the stack). */
  pokes = 0;
  /** io-pkt's threads: names, counters, fast-path kicks (work-thread.ts). */
  readonly threads = new WorkThreads();
  /** The layer-2 fast path on the receiving threads (layer2.ts). */
  readonly l2: Layer2;
  private readonly intrPrio: InterruptPrio;
  readonly devices: Device[] = [];
  /** Modules loaded (file name → module), in load order. */
  readonly loaded = new Map<string, LoadableModule>();
  /** slog: what log() wrote (the console gets errors, and everything with -v). */
  readonly slog: string[] = [];
  poolThreads = 0;
  alive = true;
  /** The hardware crypto API (stack/crypto): the hc variants only; null in io-pkt-v4. */
  readonly crypto: Crypto | null;
  /** Protocol modules' stack work (StackWorkSource), run by drain() in registration order. */
  readonly workSources: StackWorkSource[] = [];
  /** Handles resource-manager messages (set by resmgr.ts). */
  handleMessage: (ctx: ThreadCtx, q: QueuedMessage) => Co<void> = function* () {};

  constructor(
    readonly main: ThreadCtx,
    readonly variant: Variant,
    readonly cl: IoPktCommandLine,
    readonly modules: Readonly<Record<string, LoadableModule>>,
    readonly cpus: number,
  ) {
    const self = this;
    this.threads.add(main.tid, main.procName);
    this.intrPrio = new InterruptPrio(cl.tcpip.rxPrio, (text, severity) => this.log(text, severity));
    this.l2 = new Layer2(this);
    const env = ioPktNetEnv(this, { kicks: this.kicks, filters: this.filters });
    this.stack = new NetStack(env, { forward: cl.tcpip.forward, enmap: cl.tcpip.enmap, fastforward: cl.tcpip.fastforward, inet6: variant === 'io-pkt-v6-hc' });
    // Completions (crypto_done, any thread) run their callbacks in the stack context, woken like pkt_rx_q.
    this.crypto = variant === 'io-pkt-v4' ? null : new Crypto({ wake: (ctx) => self.wakeStack(ctx) });
    // if_bridge (stack/net/bridge): the hc variants only; io-pkt-v4 has no `bridge` cloner.
    this.stack.bridge = variant === 'io-pkt-v4' ? null : new IfBridge(this.stack);
  }

  get ctx(): ThreadCtx {
    return this.holder ?? this.main;
  }

  /** The thread running protocol code now: the fast path's, else the stack context's. */
  get running(): ThreadCtx {
    return this.l2.current?.ctx ?? this.holder ?? this.main;
  }

  /** One line per io-pkt thread (what it serviced, forwarded, queued, and its stack passes). */
  threadSummary(): string[] {
    return this.threads.summary(this.holder?.tid ?? null);
  }

  /** A packet id from the tracer when the kernel offers one; otherwise a per-process range. */
  newPktId(): number {
    return newPacketId(this.main);
  }

  /** 32 bits of the node's entropy (the kernel's seeded /dev/random stream), without a message's cost. */
  random32(): number {
    const b = this.main.getrandom?.(4);
    if (!b) throw new Error('io-pkt: the kernel offers no random source');
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  /**
   * log(9) at a slogf severity: io-pkt's list and the node's slogger (major _SLOGC_NETWORK). The console gets
   * the line too when `cons` (log_cons: -v) or when the severity is _SLOG_ERROR or worse. Real io-pkt
   * (sys/stubs.c vlog_ext) prints only with log_cons; qnxemu also prints errors so that a failed driver is seen
   * on the console without -v, as issue 14 asks (docs/io-pkt.md "Driver messages and severities").
   */
  log(text: string, severity: SlogSeverity = _SLOG_INFO, cons = false): void {
    this.slog.push(text);
    this.main.trace('io-pkt', 'log', 0, { text, sev: severity });
    this.ctx.slogf?.(SLOGC_NETWORK, severity, text);
    if (cons || severity <= _SLOG_ERROR) this.ctx.print(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A driver's message (slogf at `severity`): the log; the console with -v, or at _SLOG_ERROR or worse. */
  driverLog(text: string, severity: SlogSeverity = _SLOG_INFO): void {
    this.log(text, severity, this.cl.verbose > 0);
  }

  /** Channel, self connection, timer. */
  setup(): void {
    const ctx = this.main;
    // _NTO_CHF_DISCONNECT: a client that goes without closing its sockets is heard of (resmgr.ts closes its OCBs).
    this.chid = ctx.ChannelCreate(_NTO_CHF_DISCONNECT);
    this.selfCoid = ctx.ConnectAttach(0, this.chid);
    this.timerId = ctx.TimerCreate({ notify: 'pulse', coid: this.selfCoid, priority: this.cl.tcpip.timerPulsePrio, code: PULSE_TIMER, value: 0 });
  }

  // ---- threads ------------------------------------------------------------------------------------------

  startPoolThread(): void {
    this.poolThreads++;
    const self = this;
    const name = `io-pkt#${this.poolThreads}`;
    const tid = this.ctx.ThreadCreate(name, this.cl.tcpip.rxPrio, (t) => self.serve(t));
    this.threads.add(tid, name);
  }

  /** The receive loop every io-pkt thread runs. */
  *serve(ctx: ThreadCtx): Co<void> {
    while (this.alive) {
      const r: Received = yield* ctx.MsgReceive(this.chid);
      let afterIntr = false;
      if (r.kind === 'pulse') {
        if (r.code === PULSE_INTR) {
          yield* this.runInterrupt(ctx, r.value);
          afterIntr = true;
        }
        else if (r.code === PULSE_POKE) this.pokePending = false;
        else if (r.code === PULSE_TIMER) this.armedFor = null;
        // PULSE_NETMGR: the kernel queued KIF work for lsm-qnet; like POKE, it only asks for a stack pass.
        else if (r.code === _PULSE_CODE_DISCONNECT) this.msgq.push({ rcvid: 0, msg: { type: IO_DISCONNECT }, pid: 0, coid: r.value });
      } else {
        this.msgq.push({ rcvid: r.rcvid, msg: r.msg as IoPktMessage, pid: r.info.pid, coid: r.info.coid });
      }
      yield* this.tryStack(ctx, afterIntr);
      // Real io-pkt binds each interrupt entry to one handling thread, which services every entry on its list in
      // turn; here any thread may receive any entry's pulse, and under load a thread can find its next pulse
      // already queued and never block, while an equal-priority thread that received another source's pulse
      // waits for the CPU (the kernel is FIFO within a priority). sched_yield after each serviced entry gives
      // that thread its turn, the same fairness between sources.
      if (afterIntr) yield* ctx.yieldCpu();
    }
  }

  /** process_interrupts for entry `id` on thread `ctx` (layer2.ts: func, the fast path's if_starts, unmask). */
  private *runInterrupt(ctx: ThreadCtx, id: number): Co<void> {
    const e = this.intr.get(id);
    if (!e) return;
    this.intrDepth++;
    try {
      yield* this.l2.runEntry(ctx, e, () => this.intr.get(id) === e);
    } finally {
      this.intrDepth--;
    }
  }

  /**
   * interrupt_entry_init: attach `irq` with a pulse at the handling slot's priority (`prio`: the driver's
   * `priority=`, IRUPT_PRIO_DEFAULT for rx_prio), creating a pool thread lazily without -t.
   */
  attachInterrupt(irq: number, func: InterruptEntry['func'], enable: InterruptEntry['enable'], prio = IRUPT_PRIO_DEFAULT): number {
    if (this.cl.threads === null && this.poolThreads < this.cpus) this.startPoolThread();
    const id = this.nextIntr++;
    const slot = this.intrPrio.assign(prio, this.poolThreads);
    const event = { notify: 'pulse' as const, coid: this.selfCoid, priority: this.intrPrio.priorityOf(slot), code: PULSE_INTR, value: id };
    const kid = this.ctx.InterruptAttachEvent(irq, event);
    this.intr.set(id, { id, irq, kid, slot, event, func, enable });
    // The slot's event priority is shared by its entries (and reset for all when overrides were defaulted).
    for (const x of this.intr.values()) x.event.priority = this.intrPrio.priorityOf(x.slot);
    return id;
  }

  detachInterrupt(id: number): void {
    const e = this.intr.get(id);
    if (!e) return;
    this.intr.delete(id);
    this.ctx.InterruptDetach(e.kid);
  }

  // ---- the stack context --------------------------------------------------------------------------------

  /**
   * if_input from a driver running on thread `ctx`: layer 2 on that thread first (NetStack.fastInput: bridge,
   * ipflow; not for 802.11 frames, which net80211 decapsulates in the stack context), then pkt_rx_q — under
   * `m.rcvif` when the bridge retargeted it — and `ctx` wakes the stack if nobody holds it.
   */
  enqueueRx(ctx: ThreadCtx, ifp: Ifnet, m: Mbuf): void {
    const wt = this.threads.of(ctx.tid);
    if (!ieee80211_ic_of(ifp) && this.l2.input(ctx, wt, ifp, m)) {
      wt.fastConsumed++;
      return;
    }
    wt.queued++;
    this.rxq.push({ ifp: m.rcvif ?? ifp, m });
    this.wakeStack(ctx);
  }

  /** Interfaces a fast path on a thread outside process_interrupts queued on: started by the stack context. */
  startInStack(ctx: ThreadCtx, ifps: Iterable<Ifnet>): void {
    for (const ifp of ifps) this.kicks.add(ifp);
    this.wakeStack(ctx);
  }

  /** The stack appended to ifp.snd (or 802.11's mgtq): its if_start runs at the end of the stack pass. */
  kickStack(ifp: Ifnet): void {
    this.kicks.add(ifp);
  }

  /** Work was queued for the stack context by thread `ctx`: POKE it unless someone holds or is about to take it. */
  wakeStack(ctx: ThreadCtx): void {
    if (this.holder || this.intrDepth > 0 || this.pokePending || !this.alive) return;
    this.pokePending = true;
    this.pokes++;
    ctx.MsgSendPulse(this.selfCoid, this.cl.tcpip.rxPrio, PULSE_POKE, 0);
  }

  /** Take the stack context if it is free and run everything pending; release it when nothing is left. */
  *tryStack(ctx: ThreadCtx, afterIntr = false): Co<void> {
    if (this.holder || !this.alive) return;
    const wt = this.threads.of(ctx.tid);
    wt.stackTakes++;
    if (afterIntr) wt.stackAfterIntr++;
    this.holder = ctx;
    try {
      // The stack context stays held until the CPU time its work charged has been spent (protocol code runs as
      // one synchronous step, its time consumed after): work queued meanwhile by other threads is taken too.
      do {
        yield* this.drain(ctx);
        yield* ctx.work(0);
      } while (this.stackWorkPending(ctx));
    } finally {
      this.holder = null;
    }
    this.rearm(ctx);
  }

  private stackWorkPending(ctx: ThreadCtx): boolean {
    if (this.rxq.length > 0 || this.msgq.length > 0 || this.kicks.size > 0 || this.filters.size > 0 || this.crypto?.pending()) return true;
    if (this.workSources.some((w) => w.pending())) return true;
    const next = this.nextDeadline();
    return next !== null && next <= ctx.now();
  }

  /** Run with the stack context held (also used during initialization by the main thread). */
  *drain(ctx: ThreadCtx): Co<void> {
    for (;;) {
      let did = false;
      // 1. timers (hardclock/softclock)
      const now = ctx.now();
      this.stack.runTimers();
      for (;;) {
        const c: Callout<DriverCallout> | null = this.driverCallouts.popDue(now);
        if (!c) break;
        did = true;
        yield* c.fn(ctx);
      }
      // 2. received packets
      while (this.rxq.length > 0) {
        const { ifp, m } = this.rxq.shift()!;
        // A wireless interface's frames are 802.11: its 802.11 layer decapsulates them (hc variants).
        const ic = ieee80211_ic_of(ifp);
        if (ic) yield* ieee80211_rx_dispatch(ic, m);
        else this.stack.input(ifp, m);
        this.stack.drainLoopback();
        did = true;
      }
      if (this.stack.drainLoopback()) did = true;
      // 2b. crypto completions (crypto_ret_q → crp_callback)
      if (this.crypto?.runReturns(ctx)) {
        this.stack.drainLoopback();
        did = true;
      }
      // 2c. protocol modules' work (Qnet's KIF ops from the kernel)
      for (const w of this.workSources) {
        if (!w.pending()) continue;
        const r = w.run(ctx);
        if (r) yield* r;
        this.stack.drainLoopback();
        did = true;
      }
      // 3. what the protocols queued for drivers, once their CPU time is spent
      if (this.filters.size > 0 || this.kicks.size > 0) {
        yield* ctx.work(0);
        for (const ifp of [...this.filters]) {
          this.filters.delete(ifp);
          if (this.stack.ifs.has(ifp) && ifp.ops.setFilter) yield* ifp.ops.setFilter(ifp);
        }
        while (this.kicks.size > 0) {
          const ifp = this.kicks.values().next().value as Ifnet;
          this.kicks.delete(ifp);
          if (this.stack.ifs.has(ifp) && (ifp.snd.length > 0 || ieee80211_mgtq_pending(ifp))) yield* ifp.ops.start(ifp, ctx);
        }
        did = true;
      }
      // 4. resource-manager messages
      const q = this.msgq.shift();
      if (q) {
        yield* this.handleMessage(ctx, q);
        did = true;
      }
      if (!did && this.rxq.length === 0 && this.msgq.length === 0 && this.kicks.size === 0 && this.filters.size === 0 && !this.crypto?.pending() && !this.workSources.some((w) => w.pending())) {
        const next = this.nextDeadline();
        if (next === null || next > ctx.now()) return;
      }
    }
  }

  private nextDeadline(): Time | null {
    const a = this.stack.callouts.next();
    const b = this.driverCallouts.next();
    if (a === null) return b;
    if (b === null) return a;
    return Math.min(a, b);
  }

  /** Keep the kernel timer armed for the earliest callout. */
  rearm(ctx: ThreadCtx): void {
    if (this.timerId < 0 || !this.alive) return;
    const next = this.nextDeadline();
    if (next === this.armedFor) return;
    this.armedFor = next;
    if (next === null) ctx.TimerSettime(this.timerId, 0, 0);
    else ctx.TimerSettime(this.timerId, Math.max(1, next - ctx.now()), 0);
  }

  /** A driver callout every `period` ns; returns its cancel function. */
  addDriverCallout(period: number, fn: DriverCallout): () => void {
    const c = this.driverCallouts.add(this.main.now() + Math.max(1, period), 'driver', fn, Math.max(1, period));
    if (!this.holder) this.rearm(this.main);
    return () => {
      this.driverCallouts.cancel(c);
    };
  }

  /** What the 802.11 layer of wireless interface `_ifp` gets from this io-pkt (wlan-host.ts); null in io-pkt-v4. */
  ieee80211Host(_ifp: Ifnet): Ieee80211Host | null {
    return ieee80211HostOf(this);
  }

  /** SIGTERM: stop serving; the kernel removes paths, interrupts, timers and the channel. */
  terminate(): void {
    this.alive = false;
    this.log(`${this.variant}: shutting down`);
  }
}
