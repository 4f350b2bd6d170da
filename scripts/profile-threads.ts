/**
 * `npm run profile` of a threaded run (scripts/profile.ts): guests in worker threads run as `qnxemu run --threads N`
 * does, in a child process under `node --cpu-prof`, which writes one `.cpuprofile` per thread (the main thread's,
 * and each worker's when the run ends it). The profile's timestamps and `process.hrtime` read the same monotonic
 * clock, so the console lines the child prints, stamped as they arrive, can cut every thread's samples to one
 * wall-clock window (`--from`, `--to`). This file is outside the simulated world: it reads the wall clock and files.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CpuProfile } from './profile-top';

/** A console line of the run as printed (`node | text`, the padding collapsed), and when it came (µs, monotonic). */
export interface StampedLine {
  line: string;
  micros: number;
}

/** Monotonic µs, the clock V8's CPU profiles are stamped with. */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** `linux1  | text` as `qnxemu run` prints it, with the padding after the name collapsed: `linux1 | text`. */
export function consoleLine(printed: string): string | null {
  const m = /^(\S+)\s+\| ?(.*)$/.exec(printed);
  return m ? `${m[1]} | ${m[2]}` : null;
}

/** The wall-clock window between the first line matching `from` and the first after it matching `to`. */
export type Window = { from: number; to: number } | { missing: 'from' | 'to' };

export function findWindow(lines: readonly StampedLine[], from: RegExp | null, to: RegExp | null): Window | null {
  if (!from && !to) return null;
  let start = 0;
  let t0 = -Infinity;
  if (from) {
    start = lines.findIndex((l) => from.test(l.line));
    if (start < 0) return { missing: 'from' };
    t0 = lines[start]!.micros;
  }
  let t1 = Infinity;
  if (to) {
    const end = lines.findIndex((l, i) => i > start && to.test(l.line));
    if (end < 0) return { missing: 'to' };
    t1 = lines[end]!.micros;
  }
  return { from: t0, to: t1 };
}

/**
 * The profile with only the samples taken from `from` to `to` (µs, the profile's clock): it starts at the first of
 * them and ends at `to` (or at the profile's end), so each kept sample stands for the time to the next as before.
 */
export function windowProfile(p: CpuProfile, from: number, to: number): CpuProfile {
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const kept: number[] = [];
  const times: number[] = [];
  let at = p.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (at >= from && at <= to) {
      kept.push(samples[i]!);
      times.push(at);
    }
  }
  const start = Math.max(p.startTime, from);
  const end = Math.min(p.endTime, to);
  return {
    nodes: p.nodes,
    startTime: start,
    endTime: Math.max(start, end),
    samples: kept,
    timeDeltas: times.map((t, i) => t - (i === 0 ? start : times[i - 1]!)),
  };
}

/** A profile file node --cpu-prof wrote: `CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile`. */
export function threadIdOf(file: string): number | null {
  const m = /^CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(path.basename(file));
  return m ? Number(m[1]) : null;
}

/**
 * Which thread ran which guests: the main thread (thread id 0) the hosted one, if any, and each worker, in the
 * order the run started them (their thread ids), the other guests in scenario order (guest-workers.ts
 * startGuestWorkers). `hosted`: the hosted guest's index, or -1.
 */
export function threadGuests(threadIds: readonly number[], guests: readonly string[], hosted: number): Map<number, string | null> {
  const workers = guests.filter((_, i) => i !== hosted);
  const ids = [...threadIds].filter((id) => id !== 0).sort((a, b) => a - b);
  if (ids.length !== workers.length) throw new Error(`expected ${workers.length} worker profiles, found ${ids.length}`);
  const out = new Map<number, string | null>([[0, hosted >= 0 ? guests[hosted]! : null]]);
  ids.forEach((id, i) => out.set(id, workers[i]!));
  return out;
}

export interface ChildRun {
  status: number | null;
  /** The run's summary lines (`simulated …`, `trace-hash …`, expectations), as printed. */
  summary: string[];
  stderr: string;
  lines: StampedLine[];
  /** The profiles written, by thread id. */
  profiles: Map<number, CpuProfile>;
}

/** Run `qnxemu run <args>` under `node --cpu-prof` into `dir`, stamping its console lines as they come. */
export function runProfiled(cli: string, args: readonly string[], dir: string, intervalUs: number, cwd: string): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(intervalUs), cli, 'run', ...args, '--no-color'], { cwd });
    const lines: StampedLine[] = [];
    const summary: string[] = [];
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const micros = nowMicros();
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) {
        const c = consoleLine(l);
        if (c !== null) lines.push({ line: c, micros });
        else if (l.trim() !== '') summary.push(l);
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const profiles = new Map<number, CpuProfile>();
      for (const f of fs.readdirSync(dir)) {
        const id = threadIdOf(f);
        if (id !== null) profiles.set(id, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CpuProfile);
      }
      resolve({ status, summary, stderr, lines, profiles });
    });
  });
}

/** Where a worker's profile goes beside the main thread's `out`: `x.cpuprofile` → `x.<node>.cpuprofile`. */
export function threadOut(out: string, node: string): string {
  return out.endsWith('.cpuprofile') ? `${out.slice(0, -'.cpuprofile'.length)}.${node}.cpuprofile` : `${out}.${node}.cpuprofile`;
}
