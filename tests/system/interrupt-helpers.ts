/**
 * Driving the built CLI (dist/qnxemu.js) as a child process for the interrupt and console tests: wait for a
 * line of its output, then signal it (never a wall-clock guess), and collect its exit; check that the files
 * it left are whole (pcaps record by record with our reader and with tshark, traces line by line).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pcapExtent } from '../../emulator/machine/net/pcap';
import { REPO } from './helpers';

export const CLI = path.join(REPO, 'dist/qnxemu.js');

export interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout has a match for `re` (rejects if the process ends first). */
  waitFor(re: RegExp): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Cli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; ok: () => void; fail: (e: Error) => void }[] = [];
  const check = (): void => {
    for (const w of waiters.splice(0)) {
      if (w.re.test(out)) w.ok();
      else waiters.push(w);
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.fail(new Error(`exited (${code ?? signal}) before ${w.re}; stdout:\n${out}\nstderr:\n${err}`));
      resolve({ code, signal });
    }),
  );
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (re) =>
      new Promise<void>((ok, fail) => {
        waiters.push({ re, ok, fail });
        check();
      }),
    exit,
  };
}

/** Every record of a pcap is whole (our reader) and tshark reads them all; returns the record count. */
export function checkPcap(file: string): number {
  const e = pcapExtent(fs.readFileSync(file));
  expect(e).not.toBeNull();
  expect(e!.partial).toBe(0);
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n').filter((l) => l !== '').length).toBe(e!.records);
  return e!.records;
}

/** A JSON-lines trace ends at a line boundary and every line parses; returns the record count. */
export function checkTrace(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  if (text === '') return 0;
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  for (const l of lines) JSON.parse(l);
  return lines.length;
}

/** Pids of a process's children (ps --ppid). */
export function childPids(pid: number): number[] {
  const r = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' });
  return r.stdout.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
}

/** The process exists (signal 0 probes it without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves once every file exists (a run has opened its outputs), polling; rejects after `timeoutMs`. A signal sent
 * before a worker has started its scenario would find no partial outputs to check: on a loaded machine the
 * scenario a worker was just given may not have begun yet when the previous one's PASS line is printed.
 */
export async function filesExist(files: readonly string[], timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!files.every((f) => fs.existsSync(f))) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`not created within ${timeoutMs} ms: ${files.filter((f) => !fs.existsSync(f)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
