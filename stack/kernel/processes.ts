/**
 * Processes: spawn (program looked up by the basename of argv[0]), exit, waitpid, daemonize (procmgr_daemon),
 * kill (SIGTERM: onTerminate hooks, then the process ends), thread creation and end, and crashes (an exception
 * escaping a program). Ending a process drops its threads, removes its channels (clients get ESRCH), its
 * connections, timers, interrupt attachments and paths, and wakes whoever waits for it.
 */
import { Errno, KernelError, SPAWN_SCRIPT_KEY, type Co, type ProgramMain, type SpawnOptions, type ThreadBody, type ThreadCtx } from './api';
import type { Kernel } from './kernel';
import { ThreadApi } from './thread-api';
import { Process, Thread, type OpResult } from './types';

/** Exit status of a process ended by kill() (128 + SIGTERM, as shells report it). */
export const KILLED_STATUS = 143;
/** Exit status of a process that crashed (128 + SIGSEGV). */
export const CRASH_STATUS = 139;
/** Priority of processes spawned from outside with no priority given (QNX's default). */
export const DEFAULT_PRIORITY = 10;

export function basename(p: string): string {
  const parts = p.split('/').filter((s) => s.length > 0);
  return parts[parts.length - 1] ?? p;
}

export function clampPriority(p: number): number {
  return Math.min(255, Math.max(1, Math.round(p)));
}

export class Processes {
  private readonly table = new Map<number, Process>();
  /** Exit status of ended processes not yet collected by waitpid. */
  private readonly exited = new Map<number, number>();
  private nextPid = 2;

  constructor(private readonly k: Kernel) {}

  get(pid: number): Process | undefined {
    return this.table.get(pid);
  }

  list(): Process[] {
    return [...this.table.values()];
  }

  /**
   * Create a process. Its main thread first spends `processSpawn` of CPU loading (procnto's work, accounted
   * to the child); `start` decides when it becomes ready (at once, or at a point on the parent's timeline).
   */
  spawn(opts: SpawnOptions, parent: Thread | null, start: (fn: () => void) => void): number {
    const argv0 = opts.argv[0];
    if (argv0 === undefined) throw new KernelError(Errno.EINVAL, 'spawn: empty argv');
    const name = basename(argv0);
    const main = this.k.programs.get(name);
    if (!main) throw new KernelError(Errno.ENOENT, `spawn ${argv0}`);
    const pproc = parent?.proc ?? null;
    const env = { ...(opts.env ?? pproc?.env ?? this.k.env) };
    const stdout = opts.stdout ?? pproc?.stdout ?? this.k.console;
    const prio = clampPriority(opts.priority ?? parent?.prio ?? DEFAULT_PRIORITY);
    const pid = this.nextPid++;
    const proc = new Process(pid, opts.ppid ?? pproc?.pid ?? 1, name, [...opts.argv], env, stdout);
    if (opts.script) proc.local.set(SPAWN_SCRIPT_KEY, opts.script);
    this.table.set(pid, proc);
    const argv = [...opts.argv];
    const t = this.newThread(proc, name, prio, (ctx) => mainBody(main, ctx, argv), this.k.costs.processSpawn);
    this.k.trace('spawn', { pid, ppid: proc.ppid, name, prio });
    start(() => this.k.sched.makeReady(t));
    return pid;
  }

  /** A new thread (not yet ready): its first run owes `initialCost` of CPU. */
  newThread(proc: Process, name: string, prio: number, body: ThreadBody, initialCost: number): Thread {
    const t = new Thread(proc, proc.nextTid++, name, clampPriority(prio));
    t.ctx = new ThreadApi(this.k, t);
    t.gen = body(t.ctx);
    t.seg.remaining = initialCost; // then the first step (the segment's end is 'step' with no value)
    proc.threads.push(t);
    return t;
  }

  /** A thread's body returned. The process ends with its last thread. */
  threadReturned(t: Thread): void {
    const proc = t.proc;
    this.k.sched.drop(t);
    const i = proc.threads.indexOf(t);
    if (i >= 0) proc.threads.splice(i, 1);
    if (proc.alive && proc.threads.length === 0) this.exit(proc, 0);
  }

  exit(proc: Process, status: number): void {
    if (!proc.alive) return;
    proc.alive = false;
    proc.status = status;
    this.k.trace('exit', { pid: proc.pid, name: proc.name, status });
    for (const t of [...proc.threads]) this.k.sched.drop(t);
    proc.threads.length = 0;
    this.k.net.processGone(proc);
    this.k.msg.processGone(proc);
    this.k.timers.processGone(proc);
    this.k.intr.processGone(proc);
    this.k.paths.detachAll(proc.pid);
    this.table.delete(proc.pid);
    if (proc.daemonized) return;
    this.exited.set(proc.pid, status);
    for (const w of proc.waiters.splice(0)) this.k.sched.wake(w, { value: status });
  }

  waitpid(t: Thread, pid: number): OpResult {
    const proc = this.table.get(pid);
    if (!proc) {
      const st = this.exited.get(pid);
      if (st === undefined) return { error: new KernelError(Errno.ECHILD, `waitpid(${pid})`) };
      this.exited.delete(pid);
      return { value: st };
    }
    if (proc.daemonized) return { value: 0 };
    t.state = 'SIGSUSPEND';
    proc.waiters.push(t);
    t.unblock = () => {
      const i = proc.waiters.indexOf(t);
      if (i >= 0) proc.waiters.splice(i, 1);
    };
    return 'blocked';
  }

  /** procmgr_daemon: waiters are released as if the process had exited 0; it keeps running. */
  daemonize(proc: Process): void {
    if (proc.daemonized || !proc.alive) return;
    proc.daemonized = true;
    this.k.trace('daemon', { pid: proc.pid, name: proc.name });
    for (const w of proc.waiters.splice(0)) this.k.sched.wake(w, { value: 0 });
  }

  /** SIGTERM: run the process's hooks, then end it. */
  kill(pid: number): boolean {
    const proc = this.table.get(pid);
    if (!proc || !proc.alive) return false;
    this.k.trace('kill', { pid, name: proc.name });
    for (const hook of proc.terminateHooks.splice(0)) {
      try {
        hook();
      } catch (e) {
        this.k.trace('hook-fault', { pid, error: String(e) });
      }
    }
    this.exit(proc, KILLED_STATUS);
    return true;
  }

  /** An exception escaped a thread. A KernelError is the program failing on an error it did not handle. */
  crash(t: Thread, e: unknown): void {
    const proc = t.proc;
    if (!proc.alive) return;
    const message = e instanceof Error ? e.message : String(e);
    this.k.crashes.push({ pid: proc.pid, name: proc.name, error: e });
    this.k.trace('crash', { pid: proc.pid, tid: t.tid, name: proc.name, error: message });
    if (e instanceof KernelError) {
      proc.stdout(`${proc.name}: ${message}\n`);
      this.exit(proc, 1);
      return;
    }
    this.k.console(`Process ${proc.pid} (${proc.name}) terminated SIGSEGV code=1 fltno=11 (${message})\n`);
    this.exit(proc, CRASH_STATUS);
  }
}

function* mainBody(main: ProgramMain, ctx: ThreadCtx, argv: string[]): Co<void> {
  const status = yield* main(ctx, argv);
  yield* ctx.exit(typeof status === 'number' ? status : 0);
}
