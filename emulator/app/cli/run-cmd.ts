/**
 * `qnxemu run <scenario>` and `qnxemu boot`: run a scenario (or the default VM) with its timeline, print the
 * nodes' console lines, the summary, the expectations' outcomes and the trace hash. Ctrl-C / SIGTERM stop the
 * run between two events (signals.ts). `--snapshot-at/--snapshot-out` and `--restore` write and continue from
 * snapshot files (snapshot-opts.ts). This file is outside the simulated world: it may read files and print.
 */
import { type Command } from 'commander';
import { CliError, osReason } from './errors';
import { checkOutputDir, checkOutputFile } from './outputs';
import { useColour } from './colour';
import { untilArg, untilText } from './until';
import { NO_THREADS_HELP, THREADS_HELP, seedArg, threadsArg } from './args';
import { withGuestThreads } from '../assembly/guest-threads';
import { loadScenarioFile } from '../scenario/load';
import { loadDefaultScenario } from '../scenario/default';
import { type RunOptions } from '../assembly/run';
import { runTimelineAsync } from '../testing/execute';
import { interruptStatus, onInterrupt, yieldToSignals } from './signals';
import { reportExpectations } from './test-cmd';
import { ConsolePrinter } from './printer';
import type { Scenario } from '../scenario/types';
import type { CliServices } from './commands';
import { reportTraceCut, TRACE_LIMIT_HELP, traceLimitOption } from './trace-limit';
import { prepareGuestsOrStop, startWorkersOrStop } from './guest-interrupt';
import { SnapshotFileError } from '../assembly/snapshot-file';
import { PreparedGuests } from '../assembly/guest-node';
import { snapshotOptions } from './snapshot-opts';
import { CAPTURE_HELP, collectCapture, openCaptureSession, type CaptureCliOpts } from '../capture/session';

interface CliRunOpts extends CaptureCliOpts {
  seed?: number;
  until?: { ns: number; bare: boolean };
  pcap?: string;
  trace?: string;
  traceLimit?: string;
  timestamps?: boolean;
  verboseTrace?: boolean;
  color?: boolean;
  snapshotAt?: { ns: number; bare: boolean };
  snapshotOut?: string;
  restore?: string;
  /** `--threads N`, `--no-threads` (false), or nothing: `execute` resolves it (guest-threads.ts). */
  threads?: number | false;
}

function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'random seed (overrides the scenario)', seedArg)
    .option('--until <time>', 'virtual time to stop at, e.g. 10s; a bare number is nanoseconds (overrides the scenario)', untilArg)
    .option('--pcap <dir>', 'write one pcap per link into this folder')
    .option('--trace <file>', 'write the structured trace (JSON lines) to this file')
    .option('--trace-limit <size>', TRACE_LIMIT_HELP)
    .option('--timestamps', 'prefix console lines with virtual time')
    .option('--verbose-trace', 'also trace every register access (large)')
    .option('--no-color', 'no colours')
    .option('--snapshot-at <time>', 'take a snapshot at this virtual time (with --snapshot-out); the run goes on to its end', untilArg)
    .option('--snapshot-out <file>', 'write the --snapshot-at snapshot to this file (docs/formats/snapshot.md)')
    .option('--restore <file>', 'continue from a snapshot file of this scenario (the same seed): the run from its time on is the snapshotting run')
    .option('--capture <tap>', CAPTURE_HELP.capture, collectCapture)
    .option('-w, --write <file>', CAPTURE_HELP.write)
    .option('--capture-filter <expr>', CAPTURE_HELP.filter)
    .option('--capture-ring <size>', CAPTURE_HELP.ring)
    .option('--threads <n>', THREADS_HELP, threadsArg)
    .option('--no-threads', NO_THREADS_HELP);
}

async function execute(scenario: Scenario, given: CliRunOpts): Promise<number> {
  // Two or more guests run in threads unless --no-threads; one runs on the single-threaded engine unless --threads.
  const o = withGuestThreads(scenario, given);
  if (o.pcap !== undefined) checkOutputDir('--pcap', o.pcap);
  if (o.trace !== undefined) checkOutputFile('--trace', o.trace);
  // Snapshot files (emulator/app/assembly/snapshot-run.ts): checked before anything runs, read before guests start.
  const snaps = await snapshotOptions(scenario, o);
  // --capture: checked and opened (a FIFO waits for its reader) before anything runs (emulator/app/capture/session.ts).
  const capture = await openCaptureSession(o, scenario);
  const printer = new ConsolePrinter(scenario.nodes.map((n) => n.name), { timestamps: !!o.timestamps, color: useColour(o.color) });
  const opts: RunOptions = {
    seed: o.seed,
    until: o.until?.ns,
    pcapDir: o.pcap,
    traceFile: o.trace,
    traceLimit: traceLimitOption(o.traceLimit),
    verboseTrace: !!o.verboseTrace,
    // A restored run rebuilds the time before the snapshot: its console lines were printed by the run that took it.
    onConsoleLine: (node, text, t) => snaps.live() && printer.line(node, text, t),
    ...snaps.options,
    ...(capture ? { onNetwork: capture.onNetwork } : {}),
  };
  // Ctrl-C / SIGTERM: the run stops between two events, closes its outputs and prints what it reached (signals.ts).
  // A signal during the guest image build stops the build at once (guest-interrupt.ts).
  const building = new AbortController();
  const interrupts = onInterrupt((sig) => building.abort(sig));
  // --threads: guest nodes in worker threads (emulator/app/assembly/guest-workers.ts); a snapshot's guest parts are
  // taken and restored in their workers (snapshot-run.ts).
  if (o.threads !== undefined) {
    const workers = await startWorkersOrStop(scenario, building.signal, o.threads, snaps.options.seed ?? o.seed ?? scenario.seed, snaps.workers);
    if (typeof workers === 'number') {
      await capture?.finish({ failed: false, interrupted: interrupts.signal });
      interrupts.dispose();
      return workers;
    }
    opts.workers = workers;
  }
  // Guest (v86) nodes start asynchronously (and may need the guest image built first).
  const guests = opts.workers ? new PreparedGuests() : (snaps.options.guests ?? (await prepareGuestsOrStop(scenario, building.signal)));
  if (typeof guests === 'number') {
    await capture?.finish({ failed: false, interrupted: interrupts.signal });
    interrupts.dispose();
    return guests;
  }
  opts.guests = guests;
  // Actions and faults of the scenario run too; its expectations are checked and reported (exit 1 if any fails).
  let res;
  try {
    const between = capture ? async () => (await capture.between(), await yieldToSignals()) : yieldToSignals;
    res = await runTimelineAsync(scenario, opts, between, () => interrupts.signal !== null);
  } catch (e) {
    if (e instanceof SnapshotFileError) throw new CliError(`--restore ${o.restore}`, e.message);
    // A write that fails during the run (a full disk: ENOSPC) carries an errno but no path. Trace writes never
    // throw (the trace writer cuts the file and the run goes on: reportTraceCut below), so it is a pcap's.
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string' && err.path === undefined && err.syscall === 'write')
      throw new CliError(o.pcap !== undefined ? '--pcap' : 'output', `write failed: ${osReason(e)}`);
    throw e;
  }
  const asked = o.until?.bare ? ` (--until ${untilText(o.until.ns)})` : '';
  const sig = interrupts.signal;
  const stopped = sig !== null && res.interruptedAt !== null ? `, interrupted at ${(res.interruptedAt / 1e9).toFixed(6)} s (${sig})` : '';
  process.stdout.write(`simulated ${(res.virtualTime / 1e9).toFixed(6)} s of virtual time in ${res.events} events (seed ${res.seed})${asked}${stopped}\n`);
  for (const p of res.pcaps) process.stdout.write(`pcap ${p}\n`);
  // Expectations are about the whole run: an interrupted one is not judged.
  const status = stopped ? 0 : reportExpectations(res);
  if (stopped && (scenario.expect?.length ?? 0) > 0) process.stdout.write(`expectations: not checked (interrupted)\n`);
  process.stdout.write(`trace-hash ${res.traceHash}\n`);
  for (const l of (await capture?.finish({ failed: status !== 0, interrupted: sig })) ?? []) process.stdout.write(`${l}\n`);
  const cutStatus = reportTraceCut(o.trace, res.assembled.traceCut());
  const snapStatus = snaps.report(res.interruptedAt);
  interrupts.dispose();
  // A signal that came after the last event (while outputs were written) still ends the command as interrupted.
  if (sig !== null) return interruptStatus(sig);
  return Math.max(status, cutStatus, snapStatus);
}

/** `run <scenario>` and `boot`. */
export function registerRunCommands(program: Command, services: CliServices): void {
  addRunOptions(program.command('run').description('run a scenario file').argument('<scenario>', 'scenario YAML file')).action(
    async (file: string, o: CliRunOpts) => {
      try {
        process.exitCode = await execute(loadScenarioFile(file), o);
      } catch (e) {
        services.fail(e);
      }
    },
  );
  addRunOptions(program.command('boot').description('boot the default VM (docs/examples/default): two QNX nodes on a hub, alpha pings beta')).action(
    async (o: CliRunOpts) => {
      try {
        process.exitCode = await execute(loadDefaultScenario(), o);
      } catch (e) {
        services.fail(e);
      }
    },
  );
}
