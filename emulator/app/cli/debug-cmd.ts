/**
 * `qnxemu debug <scenario> [--commands FILE] [--seed N] [--until T] [--no-lookahead]`: the debugger's REPL
 * (docs/debugger.md). With --commands the file's lines are run in order, each echoed after the prompt, and
 * the exit status is 1 if any command failed; without it, an interactive prompt (node:readline).
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from '../../machine/sim/time';
import { loadScenarioFile } from '../scenario/load';
import { DebugSession } from '../debug/session';
import { DebugRepl } from '../debug/commands';
import type { CliServices } from './commands';
import { CliError, osReason } from './errors';

export const PROMPT = '(qnxemu) ';

interface DebugCliOpts {
  commands?: string;
  seed?: number;
  until?: number;
  lookahead?: boolean;
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

function seedArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new InvalidArgumentError('the seed is an integer 0..4294967295');
  return Number(v);
}
function durationArg(v: string): number {
  const t = parseDuration(v);
  if (t === null || t <= 0) throw new InvalidArgumentError('a duration such as 10s, 250ms, 1.5s');
  return t;
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
    .action(async (file: string, o: DebugCliOpts) => {
      exitQuietlyOnEpipe();
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
        const session = await DebugSession.create(scenario, { seed: o.seed, until: o.until, lookahead: o.lookahead !== false });
        const repl = new DebugRepl(session);
        process.exitCode = lines ? runScript(repl, lines, (s) => process.stdout.write(s)) : await interactive(repl);
      } catch (e) {
        services.fail(e);
      }
    });
}

/** `qnxemu … | head`: a closed pipe ends the command quietly instead of with a stack trace. */
export function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
