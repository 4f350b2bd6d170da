/**
 * Runs targets on worker threads (`--jobs N`): one worker per target at a time, at most N at once. Each worker
 * runs `runTarget` on one target (the same function the in-process path uses), so the result of a target does
 * not depend on the number of jobs. A worker is this same bundle (dist/fuzz.js) started with `workerData`;
 * main.ts hands control to `workerMain` when it is not the main thread.
 */
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { FUZZ_TARGETS } from './registry';
import { runTarget, type TargetResult } from './runner';

interface Job {
  target: string;
  seed: number;
  inputs: number;
}
type Message = { type: 'progress'; inputs: number } | { type: 'done'; result: TargetResult };

/** Worker side: run the job in workerData, report progress and the result. */
export function workerMain(): void {
  const job = workerData as Job;
  const target = FUZZ_TARGETS.find((t) => t.name === job.target)!;
  const post = (m: Message): void => parentPort!.postMessage(m);
  const result = runTarget({ target, seed: job.seed, inputs: job.inputs, onProgress: (inputs) => post({ type: 'progress', inputs }) });
  post({ type: 'done', result });
}

export interface PoolEvents {
  progress(index: number, inputs: number): void;
  done(index: number, result: TargetResult): void;
  /** A worker died (a model that exhausts memory, a crash of the worker itself): its target's result line. */
  crashed(index: number, problem: string): void;
}

/** Run `jobs` on up to `parallel` workers of `script`. Resolves when all are done; `stop()` terminates them. */
export class Pool {
  private readonly running = new Set<Worker>();
  private stopped = false;

  constructor(
    private readonly script: string,
    private readonly parallel: number,
  ) {}

  run(jobs: readonly Job[], on: PoolEvents): Promise<void> {
    let next = 0;
    let finished = 0;
    return new Promise((resolve) => {
      const start = (): void => {
        if (this.stopped) return;
        if (finished === jobs.length) return resolve();
        while (next < jobs.length && this.running.size < this.parallel) launch(next++);
      };
      const launch = (i: number): void => {
        const w = new Worker(this.script, { workerData: jobs[i] });
        let done = false;
        this.running.add(w);
        w.on('message', (m: Message) => {
          if (m.type === 'progress') on.progress(i, m.inputs);
          else {
            done = true;
            on.done(i, m.result);
          }
        });
        w.on('error', (e) => {
          if (!done) on.crashed(i, `the worker failed: ${e.message.split('\n')[0]}`);
          done = true;
        });
        w.on('exit', (code) => {
          this.running.delete(w);
          if (this.stopped) return;
          if (!done) on.crashed(i, `the worker exited with status ${code}`);
          finished++;
          start();
        });
      };
      start();
    });
  }

  /** Terminate every running worker (Ctrl-C). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running].map((w) => w.terminate()));
  }
}
