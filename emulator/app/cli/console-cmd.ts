/**
 * `qnxemu console <scenario> <node>`: run a scenario and attach the terminal to one node's console.
 *
 * - A guest node: its serial port. On a terminal, keys go to the guest as typed (raw mode: busybox's line
 *   editing, Ctrl-C and so on work) and Ctrl-] leaves; from a pipe, each input line is typed at the prompt
 *   once the guest's shell has shown it, one line after the previous one's output ended in a new prompt
 *   (emulator/app/assembly/shell-driver.ts).
 * - A simulated QNX node: one long-lived shell on the node's console (console-attach.ts,
 *   stack/shell/console-tty.ts), started when the node has booted; it prompts with `# ` and runs each line,
 *   so cd, variables and background jobs persist. Lines piped in are queued until then and typed one by
 *   one, each when the shell is back at its prompt. On a terminal the line is edited by the terminal; Ctrl-D
 *   ends the input, Ctrl-] (then Enter) leaves.
 *
 * When the run ends: at `--until` if given — the end of the input does not end it earlier; without
 * `--until`, once the input has ended and every line typed has finished (the shell back at its prompt).
 * Ctrl-C (SIGINT) or SIGTERM leaves at once, between two slices: the console's last output is flushed, the
 * terminal restored, the summary printed, and the status is 130 / 143 (signals.ts); a second one exits
 * immediately.
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
import { NO_THREADS_HELP, seedArg, threadsArg } from './args';
import { withGuestThreads } from '../assembly/guest-threads';
import { loadScenarioFile } from '../scenario/load';
import { assemble, type Assembled, type RunOptions } from '../assembly/run';
import type { Scenario } from '../scenario/types';
import { readSnapshotFile, readSnapshotFileAsync, SnapshotFileError } from '../assembly/snapshot-file';
import { planThreadedRestore, restoreSnapshotFile } from '../assembly/snapshot-run';
import { prepareGuestsOrStop, startWorkersOrStop } from './guest-interrupt';
import { PreparedGuests } from '../assembly/guest-node';
import type { ShellView } from '../assembly/guest-workers';
import { ConsolePrinter } from './printer';
import type { CliServices } from './commands';
import { QnxConsole } from './console-attach';
import { inject } from '../testing/inject';
import { interruptStatus, onInterrupt, restoreTerminal } from './signals';

interface ConsoleOpts {
  seed?: number;
  until?: UntilArg;
  speed: number;
  restore?: string;
  /** `--threads N`, `--no-threads` (false), nothing; runConsole resolves it (guest-threads.ts). */
  threads?: number | false;
}

/** ConsoleOpts with `threads` resolved: a number (the threaded engine), or absent (the single-threaded one). */
type Resolved = Omit<ConsoleOpts, 'threads'> & { threads?: number };

/** Virtual time run per slice before input is looked at again. */
const SLICE_NS = 10_000_000;
/** Ctrl-]: leave the console (as telnet). */
const ESCAPE = '\x1d';

const CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
/** The start of a control sequence not finished yet (the serial port hands bytes over a few at a time). */
const CSI_PREFIX = /\x1b(\[[0-9;?]*[ -/]*)?$/;

/**
 * Serial output for a pipe: control sequences (ECMA-48 CSI) and carriage returns removed. A sequence split
 * across two pieces of output is held back until it is complete, so none of it leaks ("[6n").
 */
export function plainText(): (text: string) => string {
  let held = '';
  return (text) => {
    let s = held + text;
    const tail = CSI_PREFIX.exec(s);
    held = tail ? tail[0] : '';
    if (tail) s = s.slice(0, tail.index);
    return s.replace(CSI, '').replace(/\r/g, '');
  };
}

function speedArg(v: string): number {
  const n = Number(v);
  // Finite: 'Infinity' would turn the pacing off silently (found by the CLI fuzzer, fuzz/parser/cli.ts).
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('a positive number (virtual seconds per wall second)');
  return n;
}

export function registerConsoleCommand(program: Command, services: CliServices): void {
  program
    .command('console')
    .description("run a scenario with the terminal attached to one node's console (a guest's serial port, or a QNX shell)")
    .argument('<scenario>', 'scenario YAML file')
    .argument('<node>', 'node to attach to')
    .option('--seed <n>', 'random seed (overrides the scenario)', seedArg)
    .option('--until <time>', 'stop at this virtual time (default: when the input has ended and its last line has run)', untilArg)
    .option('--speed <x>', 'virtual seconds per wall second', speedArg, 1)
    .option('--restore <file>', 'start from a snapshot file of this scenario (qnxemu run --snapshot-out; docs/formats/snapshot.md)')
    .option('--threads <n>', "run each guest node in a worker thread, at most n at once; auto: the machine's cores, the default with two or more guests (as qnxemu run --threads)", threadsArg)
    .option('--no-threads', NO_THREADS_HELP)
    .action(async (file: string, nodeName: string, o: ConsoleOpts) => {
      try {
        process.exitCode = await runConsole(file, nodeName, o);
      } catch (e) {
        restoreTerminal();
        services.fail(e);
      }
    });
}

async function runConsole(file: string, nodeName: string, given: ConsoleOpts): Promise<number> {
  const scenario = loadScenarioFile(file);
  // Two or more guests run in threads unless --no-threads (as qnxemu run).
  const o: Resolved = withGuestThreads(scenario, given);
  if (!scenario.nodes.some((n) => n.name === nodeName))
    throw new CliError(`console ${file} ${nodeName}`, `no node '${nodeName}' in the scenario (its nodes: ${scenario.nodes.map((n) => n.name).join(', ')})`);
  // Ctrl-C / SIGTERM: leave at the next slice (a second one: at once); the terminal is restored either way.
  // During a guest image build (before the session starts) it stops the build at once (guest-interrupt.ts).
  const building = new AbortController();
  const interrupts = onInterrupt((sig) => building.abort(sig));
  const others = scenario.nodes.map((n) => n.name).filter((n) => n !== nodeName);
  const printer = new ConsolePrinter(others.length > 0 ? others : [nodeName], { timestamps: false, color: useColour(undefined) });
  const write = (t: string): void => void process.stdout.write(t);
  let qnx: QnxConsole | null = null;
  // A restore rebuilds the time before its snapshot (snapshot-run.ts): nothing of it is shown.
  let live = o.restore === undefined;
  const opts: RunOptions = {
    seed: o.seed,
    onConsoleLine: (node, text, t) => {
      if (!live) return;
      if (node !== nodeName) {
        qnx?.interrupted();
        printer.line(node, text, t);
      } else qnx?.line(text);
    },
  };
  let a: Assembled;
  /** --threads: the attached guest's serial output comes from its worker as its CPU prints it. */
  const out: { write: ((text: string) => void) | null } = { write: null };
  if (o.threads !== undefined) {
    const t = await threaded(scenario, nodeName, o, opts, building.signal, out);
    if (typeof t === 'number') {
      interrupts.dispose();
      return t;
    }
    a = t;
  } else {
    const guests = o.restore === undefined ? await prepareGuestsOrStop(scenario, building.signal) : null;
    if (typeof guests === 'number') {
      interrupts.dispose();
      return guests;
    }
    a = guests !== null ? assemble(scenario, { ...opts, guests }) : await restored(scenario, o.restore!, opts);
  }
  live = true;
  // The scenario's faults are part of its world (a crash, a power-cycle, a pulled cable: docs/faults.md); its
  // actions are not run — the person at the console types the commands.
  if (o.restore === undefined && (scenario.faults?.length ?? 0) > 0) inject(a, { ...scenario, actions: [], expect: [] });
  const local = a.guests.find((g) => g.name === nodeName) ?? null;
  const remote = a.remote.find((g) => g.name === nodeName) ?? null;
  /** The attached guest's shell: its ShellDriver, or the stand-in of one in a worker thread (--threads). */
  const guestNode: { shell: ShellView } | null = local ?? remote;
  const qnxNode = a.nodes.find((n) => n.name === nodeName) ?? null;
  const terminal = process.stdin.isTTY === true;
  if (qnxNode) qnx = new QnxConsole(qnxNode, write, terminal);
  // On a terminal the guest's control sequences (busybox's ESC[6n cursor query) reach the terminal, which
  // answers on stdin; into a pipe they are removed.
  const plain = plainText();
  const serial = (t: string): void => write(process.stdout.isTTY ? t : plain(t));
  local?.machine.onSerial(serial);
  out.write = serial;

  // Input: lines (a pipe, or a QNX node's console on a terminal), or raw keys (a guest on a terminal).
  const input: string[] = [];
  let ended = false;
  let leave = false;
  const raw = terminal && guestNode !== null;
  let rl: readline.Interface | null = null;
  if (raw) {
    process.stdin.setRawMode(true);
    process.stdin.on('data', (d: Buffer) => {
      const s = d.toString('latin1');
      if (s.includes(ESCAPE)) leave = true;
      else input.push(s);
    });
  } else {
    rl = readline.createInterface({ input: process.stdin, terminal: false });
    rl.on('line', (l) => {
      if (l.includes(ESCAPE)) leave = true;
      else input.push(l);
    });
    rl.on('close', () => (ended = true));
  }

  const q = a.sim.queue;
  const start = Date.now(); // wall clock: pacing only (outside the simulated world)
  const from = q.now; // a restore starts at its snapshot's time
  const until = o.until?.ns ?? Infinity;
  for (;;) {
    if (guestNode) {
      // The guest's shell driver queues lines until its prompt shows and types each after the previous ended.
      while (input.length > 0) {
        const text = input.shift()!;
        if (raw) guestNode.shell.typeRaw(text);
        else guestNode.shell.run(text);
      }
    } else if (qnx?.gone() && input.length > 0) {
      // A crashed node reads nothing: each line gets the one line that says so, and the session goes on.
      qnx.interrupted();
      write(`${qnx.gone()!}\n`);
      input.shift();
    } else if (qnx?.up() && qnx.idle && input.length > 0) qnx.type(input.shift()!);
    qnx?.showPrompt();
    if (leave || interrupts.signal !== null || q.now >= until) break;
    // Without --until the run ends when the input has ended and its last line has run.
    const drained = input.length === 0 && (guestNode ? guestNode.shell.ready && guestNode.shell.idle : qnx === null || qnx.typed === 0 || qnx.idle || qnx.gone() !== null);
    if (until === Infinity && ended && drained) break;
    q.runUntil(Math.min(until, q.now + SLICE_NS));
    // Wall-clock pacing of the interactive console (outside the simulated world): keep virtual time from
    // running ahead of the person typing; it never changes what the simulation does.
    const ahead = (q.now - from) / 1e9 / o.speed - (Date.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, ahead > 0 ? ahead * 1000 : 0));
  }
  qnx?.showPrompt();
  rl?.close();
  process.stdin.pause();
  a.close();
  qnx?.finish();
  restoreTerminal();
  const sig = interrupts.signal;
  interrupts.dispose();
  const stopped = sig !== null ? `, interrupted at ${(q.now / 1e9).toFixed(6)} s (${sig})` : '';
  const queued = input.length > 0 ? `, ${input.length} input line${input.length === 1 ? '' : 's'} not typed` : '';
  process.stdout.write(`\nsimulated ${(q.now / 1e9).toFixed(6)} s of virtual time (seed ${a.sim.seed})${stopped}${queued}\ntrace-hash ${a.sim.tracer.digest()}\n`);
  return sig !== null ? interruptStatus(sig) : 0;
}

/**
 * --threads: the guests in worker threads (guest-workers.ts), the attached one streaming its serial output; with
 * --restore, each worker replays its guest to the snapshot and takes over (snapshot-run.ts planThreadedRestore) and the
 * main thread's rebuilt run is checked at the snapshot's time. The output of the time before it is not shown.
 */
async function threaded(
  scenario: Scenario,
  nodeName: string,
  o: Resolved,
  opts: RunOptions,
  signal: AbortSignal,
  out: { write: ((text: string) => void) | null },
): Promise<Assembled | number> {
  let plan: Awaited<ReturnType<typeof planThreadedRestore>> | null = null;
  if (o.restore !== undefined) {
    try {
      plan = await planThreadedRestore(scenario, readSnapshotFileAsync(o.restore), { seed: o.seed, until: Number.MAX_SAFE_INTEGER, threads: true });
    } catch (e) {
      if (e instanceof SnapshotFileError) throw new CliError(`--restore ${o.restore}`, e.message);
      throw e;
    }
  }
  const seed = plan?.options.seed ?? o.seed ?? scenario.seed;
  const workers = await startWorkersOrStop(scenario, signal, o.threads!, seed, { restore: plan?.workers, stream: nodeName });
  if (typeof workers === 'number') return workers;
  let restoring = plan !== null;
  workers.onOut = (text) => {
    if (!restoring) out.write?.(text);
  };
  const a = assemble(scenario, { ...opts, ...(plan?.options ?? {}), workers, guests: new PreparedGuests() });
  if (plan) {
    a.sim.queue.runUntil(plan.pause.at);
    try {
      plan.pause.run(a);
    } catch (e) {
      a.close();
      if (e instanceof SnapshotFileError) throw new CliError(`--restore ${o.restore}`, e.message);
      throw e;
    }
    restoring = false;
  }
  return a;
}

/** `--restore <file>`: the scenario rebuilt to the snapshot's time, its guests live from there (one line if refused). */
async function restored(scenario: Scenario, file: string, opts: RunOptions): Promise<Assembled> {
  try {
    return await restoreSnapshotFile(scenario, readSnapshotFile(file), opts);
  } catch (e) {
    if (e instanceof SnapshotFileError) throw new CliError(`--restore ${file}`, e.message);
    throw e;
  }
}
