/**
 * Fixtures for the fuzz tests: running dist/fuzz.js (jest's global setup builds it, as it builds dist/qnxemu.js
 * for tests/system/cli.test.ts), a scratch directory, and a planted target whose failures are known in advance.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../emulator/machine/sim/rng';
import type { FuzzTarget } from '../../fuzz/target';

export const REPO = path.resolve(__dirname, '../..');
export const FUZZ_CLI = path.join(REPO, 'dist/fuzz.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function fuzzCli(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [FUZZ_CLI, ...args], { cwd: REPO, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start the CLI, send `signal` once its first line is out and `delayMs` more have passed, and collect what it printed. */
export function fuzzCliInterrupted(signal: NodeJS.Signals, delayMs: number, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FUZZ_CLI, ...args], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent) {
        sent = true;
        setTimeout(() => child.kill(signal), delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function scratch(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `qnxemu-fuzz-${prefix}-`));
}

/** The result lines of a run with their wall-clock parentheses removed (time is reporting only). */
export function withoutTimes(stdout: string): string[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => l.replace(/ \([\d.]+ s, \d+ inputs\/s\)$/, ''));
}

/**
 * A target planted in the tests: each input is a 32-bit draw from the episode's seeded stream; an input below
 * `threshold` is a failure, and an episode is `length` inputs. Its replay redoes the recorded draws.
 */
export function plantedTarget(threshold: number, length = 50): FuzzTarget & { seen: number[] } {
  const seen: number[] = [];
  const judge = (xs: readonly number[]): string | null => {
    const i = xs.findIndex((x) => x < threshold);
    return i < 0 ? null : `input ${i}: ${xs[i]} is below ${threshold}`;
  };
  return {
    name: 'test/planted',
    description: 'fails on small draws',
    defaultInputs: 1000,
    quickInputs: 100,
    seen,
    episode(seed, episode, budget) {
      const rng = new Rng(seed, `planted#${episode}`);
      const xs: number[] = [];
      for (let i = 0; i < Math.min(length, budget); i++) {
        const x = rng.u32();
        xs.push(x);
        seen.push(x);
        const failure = judge(xs);
        if (failure) return { inputs: xs.length, failure, input: xs };
      }
      return { inputs: xs.length, failure: null };
    },
    replay(input) {
      return Array.isArray(input) ? judge(input as number[]) : 'not a list of draws';
    },
  };
}
