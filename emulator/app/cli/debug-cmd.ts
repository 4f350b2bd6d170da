/**
 * `qnxemu debug <scenario> [--commands FILE] [--seed N] [--until T] [--no-lookahead] [--lookahead-records N]`:
 * the debugger's REPL (docs/debugger.md). With --commands the file's lines are run in order, each echoed after
 * the prompt, and the exit status is 1 if any command failed; without it, an interactive prompt (node:readline).
 * A lookahead that takes long shows its progress on stderr when stderr is a terminal (never in a pipe).
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { untilArg } from './until';
import { NO_THREADS_HELP, seedArg, threadsArg } from './args';
import { guestThreads } from '../assembly/guest-threads';
import { loadScenarioFile } from '../scenario/load';
import { DebugSession } from '../debug/session';
import { DebugRepl } from '../debug/commands';
import { DEFAULT_LOOKAHEAD_RECORDS } from '../debug/timeline';
import { lookaheadProgress } from './lookahead-progress';
import type { CliServices } from './commands';
import { CliError, osReason } from './errors';

export const PROMPT = '(qnxemu) ';

interface DebugCliOpts {
  commands?: string;
  seed?: number;
  until?: number;
  lookahead?: boolean;
  lookaheadRecords?: number;
  /** Debug the threaded run (DebugSession.create with `threads`). */
  threads?: number;
}

/** Run a scripted session: every line of `lines`, echoed with the prompt; returns the output and the exit code. */
export function runScript(repl: DebugRepl, lines: string[], write: (s: string) => void): number {
  for (const l of repl.banner()) write(l + '\n');
  for (const line of lines) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    write(`${PROMPT}${line.trim()}\n`);
    for (const o of repl.execute(line)) write(o + '\n');
    if (repl.done) break;
  }
  return repl.errors > 0 ? 1 : 0;
}

function interactive(repl: DebugRepl): Promise<number> {
  return new Promise((resolve) => {
    for (const l of repl.banner()) process.stdout.write(l + '\n');
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: PROMPT, terminal: process.stdin.isTTY === true });
    rl.prompt();
    const echo = process.stdin.isTTY !== true;
    rl.on('line', (line) => {
      // Piped input is not echoed by a terminal: echo it so the transcript reads like a scripted session.
      if (echo) process.stdout.write(line + '\n');
      for (const o of repl.execute(line)) process.stdout.write(o + '\n');
      if (repl.done) rl.close();
      else rl.prompt();
    });
    rl.on('close', () => resolve(0));
  });
}

function recordsArg(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError('a number of records (0: no cap)');
  return Number(v);
}
/** `--until` as `run --until` takes it (until.ts): a duration, or bare nanoseconds, exact (at most 2^53−1 ns). */
function durationArg(v: string): number {
  return untilArg(v).ns;
}

export function registerDebug(program: Command, services: CliServices): void {
  program
    .command('debug')
    .description('step through a scenario: breakpoints on probes (with packet filters), registers, IRQs and times; packet paths; state; step back')
    .argument('<scenario>', 'scenario YAML file')
    .option('--commands <file>', 'run the debugger commands in this file (one per line) and exit')
    .option('--seed <n>', 'random seed (overrides the scenario)', seedArg)
    .option('--until <time>', 'virtual time the run ends at (overrides the scenario)', durationArg)
    .option('--no-lookahead', 'do not run the scenario ahead of the session (path then shows only hops so far)')
    .option('--lookahead-records <n>', `records the lookahead keeps at most; it stops there (0: no cap; default ${DEFAULT_LOOKAHEAD_RECORDS})`, recordsArg)
    .option('--threads <n>', 'debug the run `qnxemu run --threads n` makes: its guests run once in worker threads, recorded, and the session replays that run; the default with two or more guests, as for run (docs/guest-time-model.md)', threadsArg)
    .option('--no-threads', 'debug the single-threaded engine\'s run (every guest\'s registers can be shown; the default with one guest)')
    .action(async (file: string, o: DebugCliOpts) => {
      try {
        const scenario = loadScenarioFile(file);
        let lines: string[] | null = null;
        if (o.commands !== undefined) {
          try {
            lines = fs.readFileSync(o.commands, 'utf8').split(/\r?\n/);
          } catch (e) {
            throw new CliError(`--commands ${o.commands}`, `cannot read the debugger commands: ${osReason(e)}`);
          }
        }
        // Guest nodes' v86 instances start asynchronously (DebugSession.create awaits them).
        const session = await DebugSession.create(scenario, {
          seed: o.seed,
          until: o.until,
          lookahead: o.lookahead !== false,
          lookaheadRecords: o.lookaheadRecords,
          onLookaheadProgress: lookaheadProgress(process.stderr),
          threads: guestThreads(scenario, o.threads),
        });
        const repl = new DebugRepl(session);
        process.exitCode = lines ? runScript(repl, lines, (s) => process.stdout.write(s)) : await interactive(repl);
      } catch (e) {
        services.fail(e);
      }
    });
}
