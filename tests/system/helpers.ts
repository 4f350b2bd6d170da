import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { loadDefaultScenario } from '../../emulator/app/scenario/default';
import { runScenario, type RunOptions, type RunResult } from '../../emulator/app/assembly/run';
import type { Scenario } from '../../emulator/app/scenario/types';

export const REPO = path.resolve(__dirname, '../..');

/** The default VM `qnxemu boot` runs (docs/examples/default). */
export function defaultScenario(): Scenario {
  return loadDefaultScenario();
}

export function example(name: string): Scenario {
  return loadScenarioFile(path.join(REPO, 'docs/examples', name));
}

export function tmpdir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `qnxemu-${prefix}-`));
}

export function run(s: Scenario, opts: RunOptions = {}): RunResult {
  return runScenario(s, opts);
}

/** A nicinfo counter from a console ("Receive Overruns ..... 3" → 3). */
export function nicinfoCounter(consoleText: string, label: string): number {
  const m = new RegExp(`${label} \\.+ (\\d+)`).exec(consoleText);
  if (!m) throw new Error(`no '${label}' in console:\n${consoleText}`);
  return Number(m[1]);
}

/** The built CLI (jest's global setup builds dist/ first). */
export const CLI = path.join(REPO, 'dist/qnxemu.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as a child process, async so that runs can go side by side (guest runs take tens of seconds each). A run
 * that hangs is killed after `killMs`, before the test's own timeout, so the test fails on its status and output
 * instead of leaving the process behind; SIGKILL, because a hung threaded run was seen to go on after SIGTERM.
 * `input` is piped to its stdin.
 */
export function cliAsync(args: string[], killMs = 480_000, o: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, timeout: killMs, killSignal: 'SIGKILL', ...(o.env ? { env: o.env } : {}) });
    // `input`: piped to stdin (`qnxemu console` reads lines from a pipe); otherwise stdin is closed at once.
    child.stdin.end(o.input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
