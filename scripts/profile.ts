/**
 * `npm run profile -- <scenario.yaml> [--until T] [--out FILE] [--top N] [--interval US] [--areas D] [--threads N |
 * --no-threads] [--from RE] [--to RE]`: runs a scenario as `qnxemu run` does, with V8's CPU profiler on, writes the
 * profile as a `.cpuprofile` (Chrome DevTools: Performance > Load profile; speedscope) and prints the N functions with
 * the most self time (default 20), mapped back to their TypeScript files through the bundle's source map
 * (scripts/profile-top.ts); with `--areas D`, also the self time summed per folder D deep (stack/kernel,
 * nic-models/ne2000, …), v86's wasm and V8's garbage collector.
 *
 * The engine is the one `qnxemu run` picks (emulator/app/assembly/guest-threads.ts): without guests in threads the
 * run is in this process (runTimelineAsync: actions, faults and expectations included; node:inspector's Profiler
 * domain); with them (two or more guests, or `--threads N`) it is `qnxemu run --threads N` in a child process under
 * `node --cpu-prof`, and every thread's profile is written and tabled (scripts/profile-threads.ts). `--from`/`--to`
 * cut the tables to the wall-clock window between two console lines (`node | text`); the files keep everything.
 *
 * Bad arguments (an unknown option, a bad time, a scenario file that does not load, an output that cannot be
 * written) are one line on stderr and exit status 2; a run that fails is one line and exit status 1. Relative
 * paths are taken from the folder `npm run` was started in (INIT_CWD). This file is outside the simulated world:
 * it reads the wall clock, files and the profiler.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session } from 'node:inspector/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadScenarioFile } from '../emulator/app/scenario/load';
import { prepareGuests } from '../emulator/app/assembly/guest-node';
import { runTimelineAsync } from '../emulator/app/testing/execute';
import { untilArg, type UntilArg } from '../emulator/app/cli/until';
import { checkOutputFile } from '../emulator/app/cli/outputs';
import { errorLine } from '../emulator/app/cli/errors';
import { oneLine } from '../emulator/app/scenario/errors';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { formatTop, selfTimeByArea, sourceMapMapper, topSelfTime, type CpuProfile, type PositionMapper } from './profile-top';
import { findWindow, nowMicros, runProfiled, threadGuests, threadOut, windowProfile, type StampedLine, type Window } from './profile-threads';
import { guestThreads, type ThreadsChoice } from '../emulator/app/assembly/guest-threads';
import { hostedIndex } from '../emulator/app/assembly/guest-workers';
import { NO_THREADS_HELP, THREADS_HELP, threadsArg } from '../emulator/app/cli/args';
import type { Scenario } from '../emulator/app/scenario/types';

const USAGE = 'npm run profile -- <scenario.yaml> [--until T] [--out FILE] [--top N] [--interval US] [--areas D] [--threads N | --no-threads] [--from RE] [--to RE]';

/** A usage problem: one line, exit 2. */
class UsageError extends Error {}

function positiveInt(max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`a whole number from 1 to ${max}`);
    return n;
  };
}

interface ProfileArgs {
  scenario: string;
  until?: UntilArg;
  out: string;
  top: number;
  interval: number;
  /** Folder depth of the summary by area (--areas), or null: no summary. */
  areas: number | null;
  /** `--threads N`, `--no-threads` (false), or nothing: as `qnxemu run` (guest-threads.ts). */
  threads: ThreadsChoice;
  /** The tables' window: from the first console line matching `from` to the first after it matching `to`. */
  from: RegExp | null;
  to: RegExp | null;
}

function regexArg(v: string): RegExp {
  try {
    return new RegExp(v);
  } catch {
    throw new InvalidArgumentError('a regular expression (JavaScript syntax)');
  }
}

/** Parse the arguments (without node and the script); throws UsageError, or returns null after --help. */
export function parseProfileArgs(argv: string[], cwd: string): ProfileArgs | null {
  const cmd = new Command('profile')
    .description('run a scenario under the V8 CPU profiler; write a .cpuprofile and print the top self-time functions')
    .usage(USAGE.replace(/^npm run profile -- /, ''))
    .argument('<scenario>', 'scenario YAML file')
    .option('--until <time>', 'virtual time to stop at, e.g. 10s (overrides the scenario)', untilArg)
    .option('--out <file>', 'the .cpuprofile to write (default: <scenario name>.cpuprofile here)')
    .option('--top <n>', 'how many functions to list (default 20)', positiveInt(1000))
    .option('--interval <us>', 'sampling interval in µs (default 1000, as node --cpu-prof)', positiveInt(1_000_000))
    .option('--areas <depth>', 'also sum self time per source folder this deep (2: stack/kernel, nic-models/ne2000)', positiveInt(8))
    .option('--threads <n>', THREADS_HELP, threadsArg)
    .option('--no-threads', NO_THREADS_HELP)
    .option('--from <regex>', "tables from the first console line ('node | text') matching this (wall clock)", regexArg)
    .option('--to <regex>', 'tables up to the first console line after it matching this', regexArg)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && (e.code === 'commander.helpDisplayed' || e.code === 'commander.help')) return null;
    throw new UsageError(e instanceof Error ? oneLine(e.message.replace(/^error: /, '')) : String(e));
  }
  const o = cmd.opts<{ until?: UntilArg; out?: string; top?: number; interval?: number; areas?: number; threads?: number | false; from?: RegExp; to?: RegExp }>();
  const scenario = path.resolve(cwd, cmd.args[0] ?? '');
  const out = path.resolve(cwd, o.out ?? `${path.basename(scenario).replace(/\.ya?ml$/i, '')}.cpuprofile`);
  return { scenario, until: o.until, out, top: o.top ?? 20, interval: o.interval ?? 1000, areas: o.areas ?? null, threads: o.threads, from: o.from ?? null, to: o.to ?? null };
}

/** The window as a line of the report (null without --from or --to). */
function windowNote(w: Window | null, args: ProfileArgs): string | null {
  if (w === null) return null;
  if ('missing' in w) return `window: no console line matched --${w.missing} ${String(w.missing === 'from' ? args.from : args.to)}; the tables cover the whole run`;
  const from = args.from ? `the line matching ${String(args.from)}` : 'the start';
  const to = args.to ? `the line matching ${String(args.to)}` : 'the end';
  const span = Number.isFinite(w.from) && Number.isFinite(w.to) ? `${((w.to - w.from) / 1e6).toFixed(3)} s of wall time, ` : '';
  return `window: ${span}from ${from} to ${to}`;
}

/** The profile cut to the window (unchanged without one, or when it was not found). */
function cut(profile: CpuProfile, w: Window | null): CpuProfile {
  return w === null || 'missing' in w ? profile : windowProfile(profile, w.from, w.to);
}

/** One thread's tables: the top functions and, with --areas, the areas. */
function printTables(profile: CpuProfile, args: ProfileArgs, mapper: PositionMapper): void {
  process.stdout.write(`top ${args.top} functions by self time:\n`);
  for (const l of formatTop(topSelfTime(profile, args.top, mapper))) process.stdout.write(`${l}\n`);
  if (args.areas !== null) {
    process.stdout.write(`self time by area (folders ${args.areas} deep):\n`);
    for (const l of formatTop(selfTimeByArea(profile, args.areas, mapper))) process.stdout.write(`${l}\n`);
  }
}

/**
 * Guests in worker threads: `qnxemu run --threads N` under `node --cpu-prof` (profile-threads.ts). The main thread's
 * profile goes to --out, each worker's beside it (`x.<node>.cpuprofile`). A run whose expectations fail (exit 1) is
 * still profiled; any other failure is its last line of stderr, exit 1.
 */
async function profileThreaded(args: ProfileArgs, scenario: Scenario, threads: number, cwd: string): Promise<number> {
  const root = repoRoot(__dirname) ?? process.cwd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-profile-'));
  try {
    const runArgs = [args.scenario, '--threads', String(threads), ...(args.until ? ['--until', `${args.until.ns}ns`] : [])];
    const t0 = process.hrtime.bigint();
    const r = await runProfiled(path.join(root, 'dist/qnxemu.js'), runArgs, dir, args.interval, cwd);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0 && r.status !== 1) {
      const last = r.stderr.trim().split('\n').pop() ?? `exit status ${r.status}`;
      process.stderr.write(`profile: the run failed: ${last.replace(/^qnxemu: /, '')}\n`);
      return 1;
    }
    for (const l of r.summary) process.stdout.write(`${l}\n`);
    process.stdout.write(`qnxemu run --threads ${threads} in ${wall.toFixed(2)} s wall (profiler on, every thread)\n`);
    const guests = scenario.nodes.filter((n) => n.kind === 'guest').map((n) => n.name);
    const names = threadGuests([...r.profiles.keys()], guests, hostedIndex(guests.length, { threads }));
    const w = findWindow(r.lines, args.from, args.to);
    const note = windowNote(w, args);
    if (note) process.stdout.write(`${note}\n`);
    const mapper = sourceMapMapper(root);
    for (const id of [...r.profiles.keys()].sort((a, b) => a - b)) {
      const node = names.get(id) ?? null;
      const file = id === 0 ? args.out : threadOut(args.out, node!);
      fs.writeFileSync(file, JSON.stringify(r.profiles.get(id)));
      const who = id === 0 ? `main thread${node ? ` (guest ${node}, media, QNX nodes, trace)` : ' (media, QNX nodes, trace)'}` : `worker thread ${id} (guest ${node})`;
      process.stdout.write(`== ${who}: cpuprofile ${file}\n`);
      printTables(cut(r.profiles.get(id)!, w), args, mapper);
    }
    return 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const cwd = process.env['INIT_CWD'] ?? process.cwd();
  let args: ProfileArgs | null;
  let scenario;
  try {
    args = parseProfileArgs(process.argv.slice(2), cwd);
    if (args === null) return 0;
    scenario = loadScenarioFile(args.scenario);
    checkOutputFile('--out', args.out);
  } catch (e) {
    process.stderr.write(`${e instanceof UsageError ? `profile: ${e.message} (usage: ${USAGE})` : errorLine(e).replace(/^qnxemu: /, 'profile: ')}\n`);
    return 2;
  }

  const threads = guestThreads(scenario, args.threads);
  if (threads !== undefined) return profileThreaded(args, scenario, threads, cwd);

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: args.interval });
  const guests = await prepareGuests(scenario);
  const lines: StampedLine[] = [];
  const t0 = process.hrtime.bigint();
  await session.post('Profiler.start');
  let run;
  try {
    const onConsoleLine = (node: string, text: string) => void lines.push({ line: `${node} | ${text}`, micros: nowMicros() });
    run = await runTimelineAsync(scenario, { until: args.until?.ns, guests, ...(args.from || args.to ? { onConsoleLine } : {}) }, () => Promise.resolve(), () => false);
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    fs.writeFileSync(args.out, JSON.stringify(profile));
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (run) {
      process.stdout.write(
        `simulated ${(run.virtualTime / 1e9).toFixed(6)} s of virtual time in ${run.events} events (seed ${run.seed}) in ${wall.toFixed(2)} s wall ` +
          `(profiler on); trace-hash ${run.traceHash}\n`,
      );
    }
    process.stdout.write(`cpuprofile ${args.out} (Chrome DevTools: Performance > Load profile; or speedscope)\n`);
    const w = findWindow(lines, args.from, args.to);
    const note = windowNote(w, args);
    if (note) process.stdout.write(`${note}\n`);
    printTables(cut(profile as CpuProfile, w), args, sourceMapMapper(repoRoot(__dirname) ?? process.cwd()));
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${errorLine(e).replace(/^qnxemu: /, 'profile: ')}\n`);
      process.exitCode = 1;
    },
  );
}
