/**
 * Shared by the tests of `qnxemu web` (tests/web/): run the built CLI (dist/qnxemu.js, which jest's global setup
 * builds), start `qnxemu web` as a server and read its URL line, and make raw HTTP requests (node:http sends the
 * path exactly as given: fetch() would normalise `/../` away before it reached the server).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO, 'dist/qnxemu.js');
export const PING = 'docs/examples/ping.yaml';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI to its end (in the repository, as a user would). */
export function qnxemu(args: string[], env?: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000, ...(env ? { env: { ...process.env, ...env } } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line on stderr matching `re`, a non-zero status, no JavaScript stack frame anywhere. */
export function expectOneLine(r: CliResult, re: RegExp): void {
  expect(r.stderr + r.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(re);
  expect(r.status).not.toBe(0);
}

export function tmpdir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `qnxemu-web-${prefix}-`));
}

export interface WebProcess {
  url: string;
  /** The URL line as printed. */
  line: string;
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Send `sig` and wait for the exit: its status. */
  stop(sig?: NodeJS.Signals): Promise<number | null>;
}

/** Start `qnxemu web <args>` and wait for its URL line (or its early exit: then reject with its stderr). */
export function startWeb(args: string[], env?: NodeJS.ProcessEnv): Promise<WebProcess> {
  const proc = spawn(process.execPath, [CLI, 'web', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`qnxemu web printed no URL in 60 s: ${out}${err}`)), 60_000);
    const look = () => {
      const m = /^qnxemu web: (http:\/\/\S+) .*$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', look);
      resolve({
        url: m[1]!,
        line: m[0],
        proc,
        stdout: () => out,
        stderr: () => err,
        stop: (sig = 'SIGINT') => {
          if (proc.exitCode === null) proc.kill(sig);
          return exited;
        },
      });
    };
    proc.stdout!.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`qnxemu web exited (${code}) before printing its URL: ${err.trim()}`));
    });
  });
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request with the path sent byte for byte as given. */
export function rawRequest(url: string, pathname: string, method = 'GET'): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: pathname, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `qnxemu run <args>`'s trace-hash, run in the background (a page's test starts it while the page loads). */
export function runHash(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, 'run', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('exit', () => {
      const m = /^trace-hash ([0-9a-f]{64})$/m.exec(out);
      if (m) resolve(m[1]!);
      else reject(new Error(`no trace-hash from qnxemu run: ${out}`));
    });
  });
}
