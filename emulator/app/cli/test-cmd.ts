/**
 * `qnxemu test <files or folders> [--junit FILE] [--artifacts DIR] [--jobs N] [--trace-limit SIZE] [--threads N]`: runs scenario files in
 * worker processes, shows progress (a bar on a terminal, one line per scenario otherwise), writes JUnit
 * XML and per-scenario artifacts (and a failure bundle per failed scenario, for `qnxemu web`), prints a
 * summary line, and exits 1 if any scenario failed or could not be loaded. The hidden `__test-worker`
 * subcommand is the worker side (emulator/app/testing/worker.ts).
 * Ctrl-C / SIGTERM: the workers are killed, unfinished scenarios become `interrupted` errors (in the lines,
 * the JUnit file and the summary) and the status is 130 / 143 (signals.ts, testing/interrupted.ts); with
 * --in-process the running scenario stops between two events. An artifact trace cut by --trace-limit (default
 * 1 GiB) or a failed write is a warning line under its scenario's line; a failed write makes the status 1.
 * `--threads N`: each scenario's guest nodes run in worker threads of the process that runs it, as with `qnxemu run
 * --threads N` (the same bytes for any N); guests that cannot yet (on the air) make their scenario an error of one
 * line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import type { CliServices } from './commands';
import { osReason } from './errors';
import { seedArg, threadsArg } from './args';
import { traceLimitOption } from './trace-limit';
import { makeDirs } from './outputs';
import { evaluate, failureText } from '../testing/evaluate';
import type { TimelineRun } from '../testing/execute';
import { junitXml } from '../testing/junit';
import type { ScenarioOutcome } from '../testing/outcome';
import { findScenarioFiles, runSuite, summaryLine } from '../testing/runner';
import { workerMain } from '../testing/worker';
import { interruptedMessage, notStarted } from '../testing/interrupted';
import { interruptStatus, onInterrupt, restoreTerminal } from './signals';
import { writeFailureBundles } from '../web/artifacts';
import { CAPTURE_HELP, captureRequest, collectCapture, type CaptureCliOpts } from '../capture/session';
import { CliError } from './errors';

interface TestOpts extends Omit<CaptureCliOpts, 'write'> {
  junit?: string;
  artifacts?: string;
  jobs?: number;
  seed?: number;
  inProcess?: boolean;
  progress?: boolean;
  traceLimit?: string;
  threads?: number | false;
}

function intArg(min: number, what: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`${what}: an integer >= ${min}`);
    return Number(v);
  };
}

/** What a finished scenario prints: a status line, then its failures or error indented. */
export function outcomeLines(o: ScenarioOutcome): string[] {
  const tag = o.status === 'passed' ? 'PASS ' : o.status === 'failed' ? 'FAIL ' : 'ERROR';
  const named = o.name !== path.basename(o.file).replace(/\.ya?ml$/, '') ? ` (${o.name})` : '';
  const none = o.status === 'passed' && o.expectations.length === 0 ? '  (no expectations)' : '';
  const head = `${tag} ${o.file}${named}  ${(o.wallMs / 1000).toFixed(2)} s${none}`;
  const detail = o.status === 'error' ? [o.error ?? ''] : o.failures;
  const cut = o.traceCut ? [`warning: ${o.traceCut.warning}`] : [];
  if (o.captureRing) cut.push(`capture ring ${o.captureRing}`);
  return [head, ...[...detail, ...cut].flatMap((d) => d.split('\n')).map((d) => `      ${d}`)];
}

/** `qnxemu run`: print each expectation's outcome and what the faults did; 1 if any expectation failed. */
export function reportExpectations(run: TimelineRun): number {
  const outcomes = evaluate(run);
  for (const n of run.notes) process.stdout.write(`${n}\n`);
  for (const o of outcomes) process.stdout.write(`${o.ok ? 'ok  ' : 'FAIL'} expect[${o.index}] ${o.label}: ${o.actual}\n`);
  const failures = [...failureText(outcomes), ...run.problems];
  for (const p of run.problems) process.stdout.write(`FAIL ${p}\n`);
  if (outcomes.length > 0) process.stdout.write(`expectations: ${outcomes.filter((o) => o.ok).length} passed, ${outcomes.filter((o) => !o.ok).length} failed\n`);
  return failures.length === 0 ? 0 : 1;
}

async function runTests(paths: string[], o: TestOpts, services: CliServices): Promise<number> {
  const traceLimit = traceLimitOption(o.traceLimit);
  // --capture-ring: a ring per scenario, written for failed ones only (emulator/app/capture/test-ring.ts).
  if (o.captureFilter !== undefined && o.captureRing === undefined)
    throw new CliError('--capture-filter', 'qnxemu test writes captures of failed scenarios only: it goes with --capture-ring <size>');
  const capReq = captureRequest({ ...o, capture: o.capture ?? (o.captureRing !== undefined ? [] : undefined) }, true);
  if (o.capture && capReq?.ring === null) throw new CliError('--capture', 'qnxemu test writes captures of failed scenarios only: add --capture-ring <size>');
  const capture = capReq?.ring ? { taps: capReq.taps, filter: capReq.filter, ring: capReq.ring, dir: path.resolve(o.artifacts ?? '.') } : undefined;
  const files = findScenarioFiles(paths);
  if (files.length === 0) {
    process.stderr.write(`qnxemu: no scenario files (*.yaml, *.yml) in ${paths.join(', ')}\n`);
    return 1;
  }
  const jobs = o.inProcess ? null : Math.max(1, Math.min(o.jobs ?? Math.min(4, os.cpus().length || 1), files.length));
  const tty = o.progress !== false && !!process.stdout.isTTY;
  const multi = tty ? new cliProgress.MultiBar({ format: ' {bar} {value}/{total} | {passed} passed, {failed} failed | {current}', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
  const bar = multi?.create(files.length, 0, { passed: 0, failed: 0, current: '' }) ?? null;
  let passed = 0;
  let failed = 0;
  let unstarted = 0;
  // Ctrl-C / SIGTERM: the runner kills the workers and reports what did not finish; the JUnit file, the
  // lines and the summary are still written, and the command exits 128 + the signal (signals.ts). A second
  // signal kills the workers and exits at once.
  const abort = new AbortController();
  const interrupts = onInterrupt(
    (sig) => abort.abort(sig),
    () => multi?.stop(),
  );
  const print = (lines: string[]) => {
    const text = lines.join('\n') + '\n';
    if (multi) {
      multi.log(text);
      multi.update(); // flush now: the last lines would otherwise be lost when the bar stops
    } else process.stdout.write(text);
  };
  const t0 = performance.now(); // wall clock: reporting only (the runner stands outside the simulated world)
  let outcomes: ScenarioOutcome[];
  try {
    outcomes = await runSuite(files, {
      jobs: jobs ?? 1,
      artifactsDir: o.artifacts,
      seed: o.seed,
      traceLimit,
      ...(capture ? { capture } : {}),
      ...(o.threads !== undefined ? { threads: o.threads } : {}),
      inProcess: !!o.inProcess,
      worker: { modulePath: process.argv[1]!, args: ['__test-worker'], execArgv: process.execArgv },
      onStart: (file) => bar?.update({ current: path.basename(file) }),
      onDone: (out) => {
        if (out.status === 'passed') passed++;
        else failed++;
        bar?.increment(1, { passed, failed });
        // Scenarios that never started get one line for all of them, below.
        if (notStarted(out)) unstarted++;
        else print(outcomeLines(out));
      },
      abort: abort.signal,
    });
  } catch (e) {
    multi?.stop();
    restoreTerminal();
    services.fail(e);
  }
  multi?.stop();
  if (unstarted > 0) process.stdout.write(`${unstarted} scenario${unstarted === 1 ? '' : 's'} not started: ${interruptedMessage(interrupts.signal ?? 'SIGINT')}\n`);
  const wall = performance.now() - t0; // wall clock: reporting only
  let junitLost = false;
  if (o.junit) {
    const xml = junitXml(outcomes, { timestamp: new Date().toISOString() }); // JUnit metadata, not simulation output
    const where = writeJunit(o.junit, xml);
    if (typeof where === 'string') process.stdout.write(`junit ${where}\n`);
    else {
      junitLost = true;
      process.stdout.write(`junit ${where.fallback}\n`);
      process.stderr.write(`qnxemu: --junit ${o.junit}: cannot write there: ${where.reason}; the results are in ${where.fallback}\n`);
    }
  }
  if (o.artifacts) {
    // Each failed scenario as a bundle the web debugger opens stopped where it failed (emulator/app/web/artifacts.ts).
    for (const l of writeFailureBundles(outcomes, o.artifacts).lines) process.stdout.write(`${l}\n`);
    process.stdout.write(`artifacts ${o.artifacts}\n`);
  }
  if (capture) {
    const rings = outcomes.filter((x) => x.captureRing).length;
    process.stdout.write(`capture ring: ${rings} file${rings === 1 ? '' : 's'} written (failed scenarios); passing scenarios write none\n`);
  }
  process.stdout.write(`${summaryLine(outcomes, wall, jobs, interrupts.signal)}\n`);
  interrupts.dispose();
  if (interrupts.signal !== null) {
    restoreTerminal();
    return interruptStatus(interrupts.signal);
  }
  const traceLost = outcomes.some((x) => x.traceCut?.failed);
  return outcomes.every((x) => x.status === 'passed') && !junitLost && !traceLost ? 0 : 1;
}

/**
 * Write the JUnit XML to `file`; if that fails (a read-only folder, a full disk) after a whole suite has run, the
 * results are not thrown away: they go to a new file in the OS temp folder, whose path is returned with the reason.
 */
export function writeJunit(file: string, xml: string): string | { fallback: string; reason: string } {
  try {
    makeDirs(path.dirname(path.resolve(file)));
    fs.writeFileSync(file, xml);
    return file;
  } catch (e) {
    const fallback = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-junit-')), path.basename(file) || 'junit.xml');
    fs.writeFileSync(fallback, xml);
    return { fallback, reason: osReason(e) };
  }
}

export function registerTestCommand(program: Command, services: CliServices): void {
  program
    .command('test')
    .description('run scenario files (or every *.yaml under folders) and check their expectations; exit 1 on any failure')
    .argument('<paths...>', 'scenario files or folders')
    .option('--junit <file>', 'write JUnit XML (one testcase per scenario)')
    .option('--artifacts <dir>', 'write pcaps, trace.jsonl, console logs and result.json under <dir>/<scenario>/, and <dir>/<name>.bundle.json for each failed scenario (qnxemu web opens it)')
    .option('--jobs <n>', 'worker processes (default: up to 4)', intArg(1, '--jobs'))
    .option('--seed <n>', 'random seed for every scenario (overrides the files)', seedArg)
    .option('--trace-limit <size>', `cut each scenario's artifact trace.jsonl at this size: bytes, or with K, M, G, T (500M, 2G); 0 = no limit (default 1G)`)
    .option('--in-process', 'run in this process, one after another (no workers)')
    .option('--threads <n>', "run each scenario's guest nodes in worker threads, at most n at once (auto: the machine's cores, the default for a scenario with two or more guests), as run --threads does (docs/guest-time-model.md)", threadsArg)
    .option('--no-threads', "run every scenario's guest nodes on the main thread (the single-threaded engine), as run --no-threads does")
    .option('--no-progress', 'no progress bar, one line per scenario')
    .option('--capture-ring <size>', 'capture each scenario into a ring of this size (K, M, G); a failed one writes <artifacts or .>/<scenario>.pcapng')
    .option('--capture <tap>', `with --capture-ring: the taps (default: every link); ${CAPTURE_HELP.capture}`, collectCapture)
    .option('--capture-filter <expr>', `with --capture-ring: ${CAPTURE_HELP.filter.replace(/^with --capture: /, '')}`)
    .action(async (paths: string[], o: TestOpts) => {
      try {
        process.exitCode = await runTests(paths, o, services);
      } catch (e) {
        services.fail(e);
      }
    });
  program.command('__test-worker', { hidden: true }).action(() => workerMain());
}
