/**
 * `npm run profile -- <scenario.yaml> [--until T] [--out FILE] [--top N] [--interval US] [--areas D]`: runs a scenario in this
 * process, as `qnxemu run` does (runTimelineAsync: actions, faults and expectations included; guest nodes too),
 * with V8's CPU profiler on (node:inspector, Profiler domain), writes the profile as a `.cpuprofile` (Chrome
 * DevTools: Performance > Load profile; speedscope) and prints the N functions with the most self time (default 20),
 * mapped back to their TypeScript files through dist/profile.js.map (scripts/profile-top.ts); with `--areas D`, also
 * the self time summed per folder D deep (stack/kernel, nic-models/ne2000, …), v86's wasm and V8's garbage collector.
 *
 * Bad arguments (an unknown option, a bad time, a scenario file that does not load, an output that cannot be
 * written) are one line on stderr and exit status 2; a run that fails is one line and exit status 1. Relative
 * paths are taken from the folder `npm run` was started in (INIT_CWD). This file is outside the simulated world:
 * it reads the wall clock, files and the profiler.
 */
import * as fs from 'node:fs';
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
import { formatTop, selfTimeByArea, sourceMapMapper, topSelfTime, type CpuProfile } from './profile-top';

const USAGE = 'npm run profile -- <scenario.yaml> [--until T] [--out FILE] [--top N] [--interval US] [--areas D]';

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
}

/** Parse the arguments (without node and the script); throws UsageError, or returns null after --help. */
export function parseProfileArgs(argv: string[], cwd: string): ProfileArgs | null {
  const cmd = new Command('profile')
    .description('run a scenario under the V8 CPU profiler; write a .cpuprofile and print the top self-time functions')
    .usage('<scenario.yaml> [--until T] [--out FILE] [--top N] [--interval US] [--areas D]')
    .argument('<scenario>', 'scenario YAML file')
    .option('--until <time>', 'virtual time to stop at, e.g. 10s (overrides the scenario)', untilArg)
    .option('--out <file>', 'the .cpuprofile to write (default: <scenario name>.cpuprofile here)')
    .option('--top <n>', 'how many functions to list (default 20)', positiveInt(1000))
    .option('--interval <us>', 'sampling interval in µs (default 1000, as node --cpu-prof)', positiveInt(1_000_000))
    .option('--areas <depth>', 'also sum self time per source folder this deep (2: stack/kernel, nic-models/ne2000)', positiveInt(8))
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && (e.code === 'commander.helpDisplayed' || e.code === 'commander.help')) return null;
    throw new UsageError(e instanceof Error ? oneLine(e.message.replace(/^error: /, '')) : String(e));
  }
  const o = cmd.opts<{ until?: UntilArg; out?: string; top?: number; interval?: number; areas?: number }>();
  const scenario = path.resolve(cwd, cmd.args[0] ?? '');
  const out = path.resolve(cwd, o.out ?? `${path.basename(scenario).replace(/\.ya?ml$/i, '')}.cpuprofile`);
  return { scenario, until: o.until, out, top: o.top ?? 20, interval: o.interval ?? 1000, areas: o.areas ?? null };
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

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: args.interval });
  const guests = await prepareGuests(scenario);
  const t0 = process.hrtime.bigint();
  await session.post('Profiler.start');
  let run;
  try {
    run = await runTimelineAsync(scenario, { until: args.until?.ns, guests }, () => Promise.resolve(), () => false);
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
    const root = repoRoot(__dirname) ?? process.cwd();
    process.stdout.write(`top ${args.top} functions by self time:\n`);
    const mapper = sourceMapMapper(root);
    for (const l of formatTop(topSelfTime(profile as CpuProfile, args.top, mapper))) process.stdout.write(`${l}\n`);
    if (args.areas !== null) {
      process.stdout.write(`self time by area (folders ${args.areas} deep):\n`);
      for (const l of formatTop(selfTimeByArea(profile as CpuProfile, args.areas, mapper))) process.stdout.write(`${l}\n`);
    }
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
