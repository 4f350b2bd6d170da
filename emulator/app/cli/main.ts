/**
 * The `qnxemu` command line. This file is outside the simulated world: it may read files, print and exit.
 */
import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../../machine/sim/time';
import { LocatedError } from '../scenario/errors';
import { loadScenarioFile } from '../scenario/load';
import { loadDefaultScenario } from '../scenario/default';
import { type RunOptions } from '../assembly/run';
import { runTimeline } from '../testing/execute';
import { reportExpectations } from './test-cmd';
import { ConsolePrinter } from './printer';
import type { Scenario } from '../scenario/types';
import { extraCommands } from './commands';
import { prepareGuests } from '../assembly/guest-node';

function seedArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new InvalidArgumentError('the seed is an integer 0..4294967295');
  return Number(v);
}
function durationArg(v: string): number {
  const t = parseDuration(v);
  if (t === null || t <= 0) throw new InvalidArgumentError('a duration such as 10s, 250ms, 1.5s');
  return t;
}

interface CliRunOpts {
  seed?: number;
  until?: number;
  pcap?: string;
  trace?: string;
  timestamps?: boolean;
  verboseTrace?: boolean;
  color?: boolean;
}

function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'random seed (overrides the scenario)', seedArg)
    .option('--until <time>', 'virtual time to stop at, e.g. 10s (overrides the scenario)', durationArg)
    .option('--pcap <dir>', 'write one pcap per link into this folder')
    .option('--trace <file>', 'write the structured trace (JSON lines) to this file')
    .option('--timestamps', 'prefix console lines with virtual time')
    .option('--verbose-trace', 'also trace every register access (large)')
    .option('--no-color', 'no colours');
}

async function execute(scenario: Scenario, o: CliRunOpts): Promise<number> {
  const printer = new ConsolePrinter(scenario.nodes.map((n) => n.name), { timestamps: !!o.timestamps, color: o.color !== false && !!process.stdout.isTTY });
  const opts: RunOptions = {
    seed: o.seed,
    until: o.until,
    pcapDir: o.pcap,
    traceFile: o.trace,
    verboseTrace: !!o.verboseTrace,
    onConsoleLine: (node, text, t) => printer.line(node, text, t),
  };
  // Guest (v86) nodes start asynchronously (and may need the guest image built first).
  opts.guests = await prepareGuests(scenario);
  // Actions and faults of the scenario run too; its expectations are checked and reported (exit 1 if any fails).
  const res = runTimeline(scenario, opts);
  process.stdout.write(`simulated ${(res.virtualTime / 1e9).toFixed(6)} s of virtual time in ${res.events} events (seed ${res.seed})\n`);
  for (const p of res.pcaps) process.stdout.write(`pcap ${p}\n`);
  const status = reportExpectations(res);
  process.stdout.write(`trace-hash ${res.traceHash}\n`);
  return status;
}

export function fail(e: unknown): never {
  if (e instanceof LocatedError) {
    process.stderr.write(`qnxemu: ${e.message}\n`);
  } else {
    process.stderr.write(`qnxemu: ${(e as Error).stack ?? String(e)}\n`);
  }
  process.exit(1);
}

const program = new Command();
program
  .name('qnxemu')
  .description('Full-system emulator of QNX networking hardware: NE2000 models, a board, a simulated io-pkt, one deterministic clock')
  .showHelpAfterError();

addRunOptions(program.command('run').description('run a scenario file').argument('<scenario>', 'scenario YAML file')).action(
  async (file: string, o: CliRunOpts) => {
    try {
      process.exitCode = await execute(loadScenarioFile(file), o);
    } catch (e) {
      fail(e);
    }
  },
);

addRunOptions(program.command('boot').description('boot the default VM (docs/examples/default): two QNX nodes on a hub, alpha pings beta')).action(
  async (o: CliRunOpts) => {
    try {
      process.exitCode = await execute(loadDefaultScenario(), o);
    } catch (e) {
      fail(e);
    }
  },
);

// Further subcommands live in their own files (emulator/app/cli/*-cmd.ts) and register here.
for (const register of extraCommands) register(program, { fail });

program.parseAsync(process.argv).catch(fail);
