/**
 * The suite runner behind `qnxemu test`: finds scenario files, runs them in a pool of worker processes
 * (or in this process), and returns their outcomes in file order whatever order they finished in. An
 * interrupt (SuiteOptions.abort) kills the workers and turns what did not finish into `interrupted` errors.
 */
import type { ThreadsChoice } from '../assembly/guest-threads';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorOutcome, type ScenarioOutcome } from './outcome';
import { interruptedOutcome } from './interrupted';
import { runRequest, type RunRequest, type WorkerMessage } from './worker';

export interface WorkerCommand {
  /** Script the worker runs (the CLI bundle: dist/qnxemu.js). */
  modulePath: string;
  args: string[];
  execArgv: string[];
}

export interface SuiteOptions {
  /** Worker processes (default 1). */
  jobs?: number;
  /** Per-scenario artifacts under <dir>/<scenario file name>/. */
  artifactsDir?: string | undefined;
  seed?: number | undefined;
  /** `--trace-limit` in bytes for each scenario's artifact trace (default: the trace writer's, 1 GiB). */
  traceLimit?: number | undefined;
  /** `--capture-ring`: each scenario's ring, written for a failed one (emulator/app/capture/test-ring.ts). */
  capture?: RunRequest['capture'];
  /**
   * `--threads`: each scenario's guest nodes run in worker threads of the process that runs it, at most this many
   * executing at once (as `qnxemu run --threads`); a scenario whose guests cannot is an error outcome of one line.
   */
  threads?: ThreadsChoice;
  /** Run in this process instead of workers (tests, debugging). */
  inProcess?: boolean;
  worker?: WorkerCommand;
  onStart?(file: string): void;
  onDone?(outcome: ScenarioOutcome, done: number, total: number): void;
  /**
   * Aborted with the signal's name as reason (Ctrl-C: 'SIGINT'): workers are killed at once, nothing more
   * starts, and every unfinished scenario becomes an `interrupted` error (interrupted.ts). In process, the
   * scenario running stops between two events (it runs in slices that give signal handlers a turn:
   * runTimelineAsync) and becomes an `interrupted` error too; the rest do not start.
   */
  abort?: AbortSignal;
}

/** Scenario files named directly, and every *.yaml / *.yml under named folders (sorted, recursively). */
export function findScenarioFiles(args: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  for (const a of args) {
    if (fs.existsSync(a) && fs.statSync(a).isDirectory()) walk(a);
    else out.push(a); // a missing file becomes an error outcome naming it
  }
  return [...new Set(out)];
}

/** <dir>/<file basename>/, with -2, -3… when two files share a basename. */
export function artifactDirs(files: string[], dir: string): Map<string, string> {
  const used = new Map<string, number>();
  const out = new Map<string, string>();
  for (const f of files) {
    const base = path.basename(f).replace(/\.ya?ml$/, '');
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    out.set(f, path.join(dir, n === 1 ? base : `${base}-${n}`));
  }
  return out;
}

export async function runSuite(files: string[], opts: SuiteOptions = {}): Promise<ScenarioOutcome[]> {
  const dirs = opts.artifactsDir ? artifactDirs(files, opts.artifactsDir) : null;
  const requests: RunRequest[] = files.map((file, id) => ({
    type: 'run',
    id,
    file,
    ...(dirs ? { artifactsDir: dirs.get(file)! } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.traceLimit !== undefined ? { traceLimit: opts.traceLimit } : {}),
    ...(opts.capture ? { capture: opts.capture } : {}),
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  }));
  const results: (ScenarioOutcome | undefined)[] = new Array(files.length);
  let done = 0;
  const finish = (o: ScenarioOutcome, id: number) => {
    results[id] = o;
    done++;
    opts.onDone?.(o, done, files.length);
  };
  const reason = (): string => String(opts.abort?.reason ?? 'SIGINT');
  if (opts.inProcess || !opts.worker) {
    for (const r of requests) {
      // Let a signal handler run between scenarios (Node runs them between macrotasks only).
      await new Promise((res) => setImmediate(res));
      if (opts.abort?.aborted) finish(interruptedOutcome(r.file, reason(), false, r.artifactsDir), r.id);
      else {
        opts.onStart?.(r.file);
        // Signal handlers get a turn every SLICE_EVENTS events; an abort stops the run between two events.
        const o = await runRequest(r, { between: () => new Promise((res) => setImmediate(res)), requested: () => !!opts.abort?.aborted });
        if (o.interruptedAt === undefined || o.interruptedAt === null) finish(o, r.id);
        else finish({ ...interruptedOutcome(r.file, reason(), true, r.artifactsDir), name: o.name, wallMs: o.wallMs }, r.id);
      }
    }
  } else {
    await runInWorkers(requests, Math.max(1, Math.min(opts.jobs ?? 1, requests.length)), opts.worker, opts, finish);
  }
  return results.map((r, i) => r ?? crashed(files[i]!, 'not run'));
}

function runInWorkers(
  requests: RunRequest[],
  jobs: number,
  cmd: WorkerCommand,
  opts: SuiteOptions,
  finish: (o: ScenarioOutcome, id: number) => void,
): Promise<void> {
  const queue = [...requests];
  let running = 0;
  const children = new Set<ChildProcess>();
  const reason = (): string => String(opts.abort?.reason ?? 'SIGINT');
  return new Promise((resolve) => {
    if (queue.length === 0) return resolve();
    // On an interrupt: what never started is reported now, and the workers are killed; each one's exit
    // reports the scenario it was running (below). Workers ignore SIGINT/SIGTERM themselves (worker.ts):
    // a Ctrl-C reaches the whole process group, but only this process decides, so they get SIGKILL.
    const onAbort = (): void => {
      for (const r of queue.splice(0)) finish(interruptedOutcome(r.file, reason(), false, r.artifactsDir), r.id);
      for (const c of children) c.kill('SIGKILL');
    };
    if (opts.abort?.aborted) {
      onAbort();
      return resolve();
    }
    opts.abort?.addEventListener('abort', onAbort, { once: true });
    const start = (): void => {
      const child: ChildProcess = fork(cmd.modulePath, cmd.args, { execArgv: cmd.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.add(child);
      let current: RunRequest | null = null;
      let ready = false;
      let startedAt = 0;
      running++;
      const next = (): void => {
        current = queue.shift() ?? null;
        if (current) {
          startedAt = performance.now(); // wall clock: reporting only
          opts.onStart?.(current.file);
          child.send(current);
        } else child.disconnect();
      };
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          ready = true;
          next();
        }
        else if (m.type === 'result' && current && m.id === current.id) {
          finish(m.outcome, m.id);
          next();
        }
      });
      child.on('exit', (code, signal) => {
        running--;
        children.delete(child);
        if (current && opts.abort?.aborted) {
          const o = interruptedOutcome(current.file, reason(), true, current.artifactsDir);
          o.wallMs = Math.round(performance.now() - startedAt); // wall clock: reporting only
          finish(o, current.id);
          current = null;
        } else if (current) {
          // The worker died in the middle of a scenario: report it, and carry on with a fresh worker.
          finish(crashed(current.file, `worker exited (${signal ?? `code ${code}`}) while running it`), current.id);
          current = null;
          if (queue.length > 0) start();
        } else if (!ready) {
          // It never came up: no point starting more; everything still queued is an error.
          for (const r of queue.splice(0)) finish(crashed(r.file, `worker failed to start (${signal ?? `code ${code}`})`), r.id);
        }
        if (running === 0 && queue.length === 0) {
          opts.abort?.removeEventListener('abort', onAbort);
          resolve();
        }
      });
    };
    for (let i = 0; i < jobs; i++) start();
  });
}

function crashed(file: string, why: string): ScenarioOutcome {
  return errorOutcome(file, `${file}: ${why}`);
}

export function summaryLine(outcomes: ScenarioOutcome[], wallMs: number, jobs: number | null, interrupted: string | null = null): string {
  const n = (s: string) => outcomes.filter((o) => o.status === s).length;
  const how = jobs === null ? 'in process' : `${jobs} worker${jobs === 1 ? '' : 's'}`;
  return `${outcomes.length} scenario${outcomes.length === 1 ? '' : 's'}: ${n('passed')} passed, ${n('failed')} failed, ${n('error')} error${n('error') === 1 ? '' : 's'} in ${(wallMs / 1000).toFixed(1)} s (${how})${interrupted ? `, interrupted (${interrupted})` : ''}`;
}
