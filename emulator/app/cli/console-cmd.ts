/**
 * `qnxemu console <scenario> <node>`: run a scenario and attach the terminal to one node's console.
 *
 * - A guest node: its serial port. On a terminal, keys go to the guest as typed (raw mode: busybox's line
 *   editing, Ctrl-C and so on work) and Ctrl-] leaves; from a pipe, each input line is typed at the prompt.
 * - A simulated QNX node: each input line runs in a new `sh -c` on the node, as scenario actions do.
 *
 * Other nodes' console lines are printed prefixed with their name. Virtual time is paced to the wall clock
 * (`--speed` virtual seconds per wall second) so that what the guest does at human speed looks right; this
 * file is outside the simulated world, so reading the wall clock and waiting on timers is fine here: input
 * enters the simulation only between slices of event processing, never inside one.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import * as readline from 'node:readline';
import { CliError } from './errors';
import { useColour } from './colour';
import { untilArg, type UntilArg } from './until';
import { loadScenarioFile } from '../scenario/load';
import { assemble } from '../assembly/run';
import { prepareGuests } from '../assembly/guest-node';
import { ConsolePrinter } from './printer';
import type { CliServices } from './commands';

interface ConsoleOpts {
  seed?: number;
  until?: UntilArg;
  speed: number;
}

/** Virtual time run per slice before input is looked at again. */
const SLICE_NS = 10_000_000;
/** Ctrl-]: leave the console (as telnet). */
const ESCAPE = '\x1d';

function speedArg(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('a positive number (virtual seconds per wall second)');
  return n;
}

export function registerConsoleCommand(program: Command, services: CliServices): void {
  program
    .command('console')
    .description("run a scenario with the terminal attached to one node's console (a guest's serial port, or a QNX shell)")
    .argument('<scenario>', 'scenario YAML file')
    .argument('<node>', 'node to attach to')
    .option('--seed <n>', 'random seed (overrides the scenario)', (v) => Number(v))
    .option('--until <time>', 'stop at this virtual time (default: when the input ends)', untilArg)
    .option('--speed <x>', 'virtual seconds per wall second', speedArg, 1)
    .action(async (file: string, nodeName: string, o: ConsoleOpts) => {
      try {
        process.exitCode = await runConsole(file, nodeName, o);
      } catch (e) {
        services.fail(e);
      }
    });
}

async function runConsole(file: string, nodeName: string, o: ConsoleOpts): Promise<number> {
  const scenario = loadScenarioFile(file);
  if (!scenario.nodes.some((n) => n.name === nodeName))
    throw new CliError(`console ${file} ${nodeName}`, `no node '${nodeName}' in the scenario (its nodes: ${scenario.nodes.map((n) => n.name).join(', ')})`);
  const guests = await prepareGuests(scenario);
  const others = scenario.nodes.map((n) => n.name).filter((n) => n !== nodeName);
  const printer = new ConsolePrinter(others.length > 0 ? others : [nodeName], { timestamps: false, color: useColour(undefined) });
  const a = assemble(scenario, {
    guests,
    seed: o.seed,
    onConsoleLine: (node, text, t) => {
      if (node !== nodeName) printer.line(node, text, t);
      else if (!guestNode) process.stdout.write(text + '\n');
    },
  });
  const guestNode = a.guests.find((g) => g.name === nodeName) ?? null;
  const qnxNode = a.nodes.find((n) => n.name === nodeName) ?? null;
  // On a terminal the guest's control sequences (busybox's ESC[6n cursor query) reach the terminal, which
  // answers on stdin; into a pipe they are removed.
  const plain = (t: string): string => t.replace(/\x1b\[[0-9;?]*[ -\/]*[@-~]/g, '').replace(/\r/g, '');
  guestNode?.machine.onSerial((t) => process.stdout.write(process.stdout.isTTY ? t : plain(t)));

  const input: string[] = [];
  let ended = false;
  const tty = process.stdin.isTTY && guestNode !== null;
  if (tty) {
    process.stdin.setRawMode(true);
    process.stdin.on('data', (d: Buffer) => {
      const s = d.toString('latin1');
      if (s.includes(ESCAPE)) ended = true;
      else input.push(s);
    });
  } else {
    const rl = readline.createInterface({ input: process.stdin });
    rl.on('line', (l) => input.push(l));
    rl.on('close', () => (ended = true));
  }

  const q = a.sim.queue;
  const start = Date.now(); // wall clock: pacing only (outside the simulated world)
  const until = o.until?.ns ?? Infinity;
  for (;;) {
    while (input.length > 0) {
      const text = input.shift()!;
      if (guestNode) {
        if (tty) guestNode.shell.typeRaw(text);
        else guestNode.shell.run(text);
      } else if (qnxNode?.kernel) {
        qnxNode.kernel.spawn({ argv: ['sh', '-c', text], env: { PATH: '/proc/boot:/bin:/usr/bin' } });
      }
    }
    const guestDone = !guestNode || (guestNode.shell.ready && guestNode.shell.idle);
    if ((ended && guestDone) || q.now >= until) break;
    q.runUntil(Math.min(until, q.now + SLICE_NS));
    // Wall-clock pacing of the interactive console (outside the simulated world): keep virtual time from
    // running ahead of the person typing; it never changes what the simulation does.
    const ahead = q.now / 1e9 / o.speed - (Date.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, ahead > 0 ? ahead * 1000 : 0));
  }
  if (tty) process.stdin.setRawMode(false);
  process.stdin.pause();
  a.close();
  process.stdout.write(`\nsimulated ${(q.now / 1e9).toFixed(6)} s of virtual time (seed ${a.sim.seed})\ntrace-hash ${a.sim.tracer.digest()}\n`);
  return 0;
}
