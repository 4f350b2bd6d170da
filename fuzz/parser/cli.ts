/**
 * `parser/cli`: each input is one of the README's command lines (fuzz/parser/cli-ops.ts) mutated by 1–4
 * operators, parsed in process by the real command tree (emulator/app/cli/program.ts `buildProgram`) with
 * commander's exitOverride and its output captured. Nothing is run: a preAction hook stops the parse where the
 * command's action would start. The input passes when the outcome is
 *
 * - a parsed command, with nothing printed and every parsed value one the command can use (numbers finite;
 *   seeds integers 0..2^32−1 as the scenario's `seed:`; counts, packet ids and times safe integers), or
 * - a usage error: exactly one line on stderr, `qnxemu: …`, no control character in it, no stack frame,
 *   nothing on stdout, a non-zero exit status, or
 * - help or the version, asked for (`--help`, `help`, `-V`) or shown because a command needs a subcommand
 *   (`qnxemu`, `qnxemu guest`), starting with `Usage:` / being the version.
 *
 * Anything else — an exception out of an argument parser, process.exit called, a write to the real stdout or
 * stderr, two lines for one error — is a failure line. docs/fuzzing.md "The parser targets".
 */
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { Rng } from '../../emulator/machine/sim/rng';
import { buildProgram, type ProgramOptions } from '../../emulator/app/cli/program';
import type { CliServices } from '../../emulator/app/cli/commands';
import { version } from '../../package.json';
import type { EpisodeResult, FuzzTarget } from '../target';
import { ARGV_MUTATORS, CLI_CORPUS } from './cli-ops';
import { pick } from './text-ops';
import { exceptionLine } from './verdict';

/** One input, JSON-safe: the reproducer's `input`. */
export interface CliInput {
  /** The argument vector after `qnxemu`. */
  argv: string[];
  /** The operators that made it (for a reader; replay uses `argv`). */
  ops: string[];
}

/** Builds the program under test (tests plant broken ones). */
export type ProgramBuilder = (services: CliServices, opts: ProgramOptions) => Command;

export const MAX_OPS = 4;

/** The command `argv` reaches (the deepest subcommand named before the first non-command word). */
function reached(program: Command, argv: readonly string[]): Command {
  let c = program;
  for (const w of argv) {
    if (w.startsWith('-')) continue;
    const sub = c.commands.find((x) => x.name() === w);
    if (!sub) break;
    c = sub as Command;
  }
  return c;
}

/** The input of episode `episode` of the run seeded `seed`: a function of the two only. */
export function cliInput(seed: number, episode: number, build: ProgramBuilder = buildProgram): CliInput {
  const rng = new Rng(seed, `parser/cli#${episode}`);
  const program = build({ fail: () => { throw new Error('not run'); } }, {});
  let argv = [...pick(rng, CLI_CORPUS)];
  const ops: string[] = [];
  const n = rng.chance(0.5) ? 1 : 2 + rng.below(MAX_OPS - 1);
  for (let k = 0; k < n; k++) {
    const m = pick(rng, ARGV_MUTATORS);
    const out = m.apply([...argv], rng, (a) => reached(program, a));
    if (out) {
      argv = out;
      ops.push(m.name);
    }
  }
  return { argv, ops };
}

class Parsed {
  constructor(readonly cmd: Command) {}
}
class ExitCalled {
  constructor(readonly code: unknown) {}
}

/** Integer options and their ranges (the seed as the scenario's `seed:`, emulator/app/scenario/schema.ts). */
const INTEGER_RANGES: Record<string, [number, number]> = {
  seed: [0, 0xffffffff],
  jobs: [1, Number.MAX_SAFE_INTEGER],
  lookaheadRecords: [0, Number.MAX_SAFE_INTEGER],
  pkt: [0, Number.MAX_SAFE_INTEGER],
  ns: [1, Number.MAX_SAFE_INTEGER],
  until: [1, Number.MAX_SAFE_INTEGER],
  from: [0, Number.MAX_SAFE_INTEGER],
  to: [0, Number.MAX_SAFE_INTEGER],
};

/** A parsed value the command cannot use, or null. */
function badValue(key: string, v: unknown): string | null {
  if (Array.isArray(v)) return v.map((x) => badValue(key, x)).find((x) => x !== null) ?? null;
  if (typeof v === 'object' && v !== null) return Object.entries(v).map(([k, x]) => badValue(k, x)).find((x) => x !== null) ?? null;
  if (typeof v !== 'number') return null;
  if (!Number.isFinite(v)) return `${key} parsed as ${v}`;
  const range = INTEGER_RANGES[key];
  if (range && !(Number.isInteger(v) && v >= range[0] && v <= range[1])) return `${key} parsed as ${v}, outside the integers ${range[0]}..${range[1]}`;
  return null;
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/;

/** What a parse ended in (the tests count them, to see that a pass reaches all three). */
export type CliOutcome = 'parsed' | 'error' | 'help';

/**
 * Parses one input: null if the outcome is one of the three allowed, else the failure line. Never throws.
 * `seen` is told the outcome of a passing input.
 */
export function checkArgv(input: CliInput, build: ProgramBuilder = buildProgram, seen?: (o: CliOutcome) => void): string | null {
  let out = '';
  let err = '';
  let stray = '';
  const real = { exit: process.exit, out: process.stdout.write, err: process.stderr.write };
  try {
    // The hooks are this harness's: nothing of the command may reach the real process.
    process.exit = ((code?: number) => {
      throw new ExitCalled(code);
    }) as typeof process.exit;
    process.stdout.write = ((s: string) => ((stray += String(s)), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((stray += String(s)), true)) as typeof process.stderr.write;
    const program = build({ fail: (e) => { throw e; } }, { output: { writeOut: (s) => (out += s), writeErr: (s) => (err += s) }, exitOverride: true });
    program.hook('preAction', (_top, action) => {
      throw new Parsed(action);
    });
    try {
      program.parse(input.argv, { from: 'user' });
    } catch (e) {
      const failure = verdict(e, out, err, stray);
      if (failure === null) seen?.(e instanceof Parsed ? 'parsed' : (e as CommanderError).exitCode === 0 || (e as CommanderError).code === 'commander.help' ? 'help' : 'error');
      return failure;
    }
    return `the parse ended without a command, an error or help (stdout ${JSON.stringify(out.slice(0, 100))})`;
  } catch (e) {
    return exceptionLine(e, 'fuzzer');
  } finally {
    process.exit = real.exit;
    process.stdout.write = real.out;
    process.stderr.write = real.err;
  }
}

function verdict(e: unknown, out: string, err: string, stray: string): string | null {
  if (stray !== '') return `wrote to the process's own stdout/stderr: ${JSON.stringify(stray.slice(0, 200))}`;
  if (e instanceof ExitCalled) return `called process.exit(${String(e.code)})`;
  if (e instanceof Parsed) {
    if (out !== '' || err !== '') return `parsed '${e.cmd.name()}' but printed ${JSON.stringify((out + err).slice(0, 200))}`;
    const bad = badValue('opts', e.cmd.opts()) ?? badValue('args', e.cmd.processedArgs);
    return bad === null ? null : `parsed '${e.cmd.name()}' with ${bad}`;
  }
  if (!(e instanceof CommanderError)) return exceptionLine(e);
  if (e.code === 'commander.version') return out === `${version}\n` && err === '' ? null : `--version printed ${JSON.stringify((out + err).slice(0, 200))}`;
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') {
    return /^Usage: qnxemu\b/.test(out + err) ? null : `help that is not a usage text: ${JSON.stringify((out + err).slice(0, 200))}`;
  }
  if (e.exitCode === 0) return `error '${e.code}' with exit status 0`;
  if (out !== '') return `error '${e.code}' also printed on stdout: ${JSON.stringify(out.slice(0, 200))}`;
  if (STACK_FRAME.test(err)) return `error '${e.code}' printed a stack trace`;
  const body = err.endsWith('\n') ? err.slice(0, -1) : null;
  if (body === null || CONTROL.test(body)) return `error '${e.code}' is not one line: ${JSON.stringify(err.slice(0, 300))}`;
  if (!body.startsWith('qnxemu: ')) return `error '${e.code}' does not start with 'qnxemu: ': ${JSON.stringify(body.slice(0, 200))}`;
  return null;
}

function isCliInput(x: unknown): x is CliInput {
  const o = x as Partial<CliInput> | null;
  return typeof o === 'object' && o !== null && Array.isArray(o.argv) && o.argv.every((a) => typeof a === 'string');
}

/** The target, with the program builder it exercises (tests plant a broken one to show the checks bite). */
export function makeCliTarget(build: ProgramBuilder = buildProgram): FuzzTarget {
  return {
    name: 'parser/cli',
    description: 'mutated README command lines parsed (not run) by the qnxemu command tree: a parsed command with usable values, one usage-error line, or help',
    defaultInputs: 100_000,
    quickInputs: 2000,
    episode(seed: number, episode: number, budget: number): EpisodeResult {
      if (budget < 1) return { inputs: 0, failure: null };
      let input: CliInput;
      try {
        input = cliInput(seed, episode, build);
      } catch (e) {
        return { inputs: 1, failure: exceptionLine(e, 'fuzzer') };
      }
      const failure = checkArgv(input, build);
      return failure === null ? { inputs: 1, failure } : { inputs: 1, failure, input };
    },
    replay(input: unknown): string | null {
      if (!isCliInput(input)) return 'replay: not a parser/cli input ({argv, ops})';
      return checkArgv(input, build);
    },
  };
}

export const cliTarget = makeCliTarget();
