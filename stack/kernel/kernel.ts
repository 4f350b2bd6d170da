/**
 * procnto-lite: the simulated Neutrino kernel and process manager of one QNX node. It owns the node's CPUs
 * (scheduler.ts), message passing (messaging.ts), interrupts (interrupts.ts, irq-controllers.ts), timers
 * (timers.ts), the pathname space (pathspace.ts) and processes (processes.ts); programs reach it through
 * ThreadCtx (thread-api.ts, the API in api.ts). Costs: costs.ts. Its own channel (pid 1, PROCNTO_CHID)
 * serves its files and directories (procnto-server.ts); remote connections and the network manager's calls
 * (Qnet) are net.ts, net-server.ts, net-kif.ts; the system log (slogf/sloginfo) is slog.ts.
 *
 * Booting a node:
 *   const k = new Kernel(ctx, bus, { cpus: bus.syspage.cpus, programs: defaultPrograms(), console, hostname });
 *   k.boot();                                        // program the interrupt controller
 *   k.addBootFiles(imageFiles);                      // optional: /proc/boot/<name> entries
 *   k.spawn({ argv: ['sh'], script: scriptLines });  // run the buildfile's [+script]
 */
import type { NodeBus } from '../../emulator/machine/bus/node-bus';
import type { ComponentContext } from '../../emulator/machine/sim/context';
import type { Rng } from '../../emulator/machine/sim/rng';
import type { TraceFields } from '../../emulator/machine/sim/trace';
import { Errno, KernelError, type ProcessInfo, type ProgramMain, type SigEvent, type SpawnOptions } from './api';
import { makeCosts, type CostTable } from './costs';
import { Interrupts } from './interrupts';
import { PROCNTO_CHID, PROCNTO_PID } from './kif';
import { KernelNet } from './net';
import { PROCNTO_NAME, ProcntoServer } from './procnto-server';
import { Slog } from './slog';
import { Messaging } from './messaging';
import { KernelHalt } from './halt';
import { FileStore } from './files';
import { PathSpace } from './pathspace';
import { basename, Processes } from './processes';
import { Scheduler } from './scheduler';
import { Timers } from './timers';
import type { Thread } from './types';

export type ProgramTable = Map<string, ProgramMain>;

export interface KernelOptions {
  cpus: number;
  programs: ProgramTable;
  /** The node console (devc-con): where processes print by default. */
  console: (text: string) => void;
  costs?: Partial<CostTable>;
  /** _CS_HOSTNAME (default "localhost", as on a QNX box nobody named). */
  hostname?: string;
  /** Environment of processes spawned from outside (procnto's, e.g. PATH from the bootstrap line). */
  env?: Record<string, string>;
}

export class Kernel {
  readonly costs: CostTable;
  readonly sched: Scheduler;
  readonly msg: Messaging;
  readonly intr: Interrupts;
  readonly timers: Timers;
  readonly paths = new PathSpace();
  /** The image filesystem's contents and /dev/shmem (files.ts). */
  readonly files = new FileStore(this.paths);
  readonly procs: Processes;
  /** procnto's own channel and the files it serves there. */
  readonly procnto: ProcntoServer;
  /** Remote connections and the network manager (Qnet). */
  readonly net: KernelNet;
  /** The node's system log (slogf, sloginfo; the debugger). */
  readonly slog = new Slog();
  readonly programs: ProgramTable;
  readonly console: (text: string) => void;
  readonly env: Record<string, string>;
  /** confstr() values. */
  readonly conf = new Map<string, string>();
  /** Exceptions that escaped programs (the console shows them too). */
  readonly crashes: { pid: number; name: string; error: unknown }[] = [];
  /** Crash, hang and power-off faults: the CPUs stop making progress (halt.ts). */
  readonly halt = new KernelHalt(this);
  private physNext: number;
  private booted = false;

  constructor(readonly ctx: ComponentContext, readonly bus: NodeBus, opts: KernelOptions) {
    if (!Number.isInteger(opts.cpus) || opts.cpus < 1) throw new Error(`${ctx.name}: cpus must be >= 1 (got ${opts.cpus})`);
    this.costs = makeCosts(opts.costs);
    this.programs = opts.programs;
    this.console = opts.console;
    this.env = { ...(opts.env ?? {}) };
    this.conf.set('_CS_HOSTNAME', opts.hostname ?? 'localhost');
    this.sched = new Scheduler(this, opts.cpus);
    this.msg = new Messaging(this);
    this.procnto = new ProcntoServer(this);
    this.net = new KernelNet(this);
    this.intr = new Interrupts(this);
    this.timers = new Timers(this);
    this.procs = new Processes(this);
    this.physNext = bus.syspage.freeMemBase;
  }

  /** Program the interrupt controller the system page names and create procnto's own paths. CPUs idle. */
  boot(): void {
    if (this.booted) throw new Error(`${this.ctx.name}: kernel booted twice`);
    this.booted = true;
    this.intr.boot();
    for (const p of ['/proc', '/proc/boot', '/dev/shmem']) this.paths.attach(p, PROCNTO_PID, PROCNTO_CHID, true);
    for (const p of ['/dev/null', '/dev/zero', '/dev/text']) this.paths.attach(p, PROCNTO_PID, PROCNTO_CHID, false);
    this.trace('boot', { cpus: this.sched.cpus.length, pic: this.intr.controller?.kind ?? 'none' });
  }

  /**
   * Files of the boot image: "/proc/boot/x" for bare names, absolute paths as given. Served by procnto; the
   * contents given (a buildfile's inline files) are what reading them returns.
   */
  addBootFiles(paths: readonly string[], contents: Readonly<Record<string, string>> = {}): void {
    for (const p of paths) {
      const at = p.startsWith('/') ? p : `/proc/boot/${basename(p)}`;
      this.paths.attach(at, PROCNTO_PID, PROCNTO_CHID, false);
      const c = contents[p];
      if (c !== undefined) this.files.addImageFile(at, new TextEncoder().encode(c));
    }
  }

  /** The node's entropy (what /dev/random hands out): one seeded stream, issued on first use. */
  random(n: number): Uint8Array {
    this.rng ??= this.ctx.rngs.stream(`${this.ctx.name}.random`);
    const out = new Uint8Array(Math.max(0, Math.floor(n)));
    for (let i = 0; i < out.length; i += 4) {
      const v = this.rng.u32();
      for (let j = 0; j < 4 && i + j < out.length; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }
  private rng: Rng | null = null;

  /** procmgr_symlink / buildfile [type=link]. */
  symlink(path: string, target: string): void {
    this.paths.symlink(path, target);
  }

  /** Start a process from outside (the node starting `sh` with its boot script). Throws ENOENT if unknown. */
  spawn(opts: SpawnOptions): number {
    if (!this.booted) throw new Error(`${this.ctx.name}: spawn before boot`);
    return this.procs.spawn(opts, null, (start) => start());
  }

  /** Send SIGTERM to a process from outside (scenario actions, the debugger). */
  kill(pid: number): boolean {
    return this.procs.kill(pid);
  }

  /** Processes with their threads, procnto (pid 1, one idle thread per CPU) first. */
  get processes(): ProcessInfo[] {
    const idle = this.sched.cpus.map((c) => ({
      tid: c.id + 1,
      name: `idle${c.id}`,
      state: c.mode === 'idle' ? ('RUNNING' as const) : ('READY' as const),
      priority: 0,
      basePriority: 0,
      blockedOn: 0,
      cpu: c.id,
      cpuTimeNs: this.ctx.queue.now - c.busyNs,
    }));
    const out: ProcessInfo[] = [{ pid: 1, ppid: 0, name: PROCNTO_NAME, argv: [PROCNTO_NAME], threads: idle }];
    for (const p of this.procs.list()) {
      out.push({
        pid: p.pid,
        ppid: p.ppid,
        name: p.name,
        argv: [...p.argv],
        threads: p.threads.map((t) => ({
          tid: t.tid,
          name: t.name,
          state: t.state,
          priority: t.prio,
          basePriority: t.basePrio,
          blockedOn: t.blockedOn,
          cpu: t.cpu,
          cpuTimeNs: t.cpuTime,
        })),
      });
    }
    return out;
  }

  /** Nothing runnable, no CPU busy, no interrupt work queued. Sleeping threads and armed timers don't count. */
  idle(): boolean {
    return this.sched.quiescent() && this.intr.quiet();
  }

  /** Deliver a sigevent to its target (pulse: the connection's channel; intr: `target`). Returns its cost. */
  deliverEvent(ev: SigEvent, target: Thread): number {
    if (ev.notify === 'pulse') {
      const rc = this.net.remote.get(ev.coid);
      if (rc) {
        this.trace('event', { kind: 'pulse', nd: rc.target.nd, pid: rc.target.pid, chid: rc.target.chid, code: ev.code, value: ev.value, prio: ev.priority });
        this.net.pulse(rc, Math.min(255, Math.max(1, ev.priority)), ev.code, ev.value);
        return this.costs.pulse;
      }
      const conn = this.msg.connections.get(ev.coid);
      const ch = conn && conn.server.alive ? conn.server.channels.get(conn.chid) : undefined;
      if (!conn || !ch) {
        this.trace('event-dropped', { coid: ev.coid, code: ev.code });
        return 0;
      }
      this.trace('event', { kind: 'pulse', pid: conn.server.pid, chid: conn.chid, code: ev.code, value: ev.value, prio: ev.priority });
      this.msg.pulse(ch, Math.min(255, Math.max(1, ev.priority)), ev.code, ev.value);
      return this.costs.pulse;
    }
    if (ev.notify === 'intr') {
      if (!target.alive) return 0;
      this.trace('event', { kind: 'intr', pid: target.proc.pid, tid: target.tid });
      if (target.state === 'INTR') this.sched.wake(target, { value: undefined });
      else target.intrPending = 1;
      return this.costs.pulse;
    }
    return 0;
  }

  /** Bump allocator over the system page's free memory. Default alignment: a 4 KiB page (mmap granularity). */
  allocPhys(bytes: number, align = 4096): number {
    const a = Math.max(1, align);
    const base = Math.ceil(this.physNext / a) * a;
    if (!(bytes > 0) || base + bytes > this.bus.syspage.freeMemEnd) {
      throw new KernelError(Errno.ENOMEM, `allocPhys(${bytes})`);
    }
    this.physNext = base + bytes;
    return base;
  }

  /** Kernel trace record (layer "kernel"). */
  trace(probe: string, f: TraceFields): void {
    this.ctx.tracer.emit(this.ctx.node, 'kernel', probe, 0, f);
  }
}
