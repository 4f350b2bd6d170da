/**
 * `npm run fuzz` (dist/fuzz.js): runs the fuzz targets of fuzz/registry.ts, seeded and reproducible
 * (docs/fuzzing.md). Options: target names or globs, --quick, --seed, --inputs, --jobs, --out, --list,
 * --replay FILE…. A bad option or an unknown target is one line and exit status 2; a failure anywhere is exit
 * status 1; Ctrl-C (SIGINT) or SIGTERM stops the workers, prints the lines of the targets that finished and exits
 * with 128 + the signal's number, 130 or 143, as `qnxemu` does (emulator/app/cli/signals.ts).
 */
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { Command, CommanderError, Option } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import { FUZZ_TARGETS } from './registry';
import type { FuzzTarget, Reproducer } from './target';
import { DEFAULT_SEED, matchTargets, replayReproducer, reproducerProblem, type TargetResult } from './runner';
import { Pool, workerMain } from './runner-pool';
import { crashedLines, targetLines, totalsLine } from './report';
import { interruptStatus, type InterruptSignal } from '../emulator/app/cli/signals';

/** A problem with what the user typed: one line, exit status 2. */
class UsageError extends Error {}

function integer(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${name} wants an integer from ${min} to ${max}, not '${v}'`);
    return n;
  };
}

interface Options {
  quick?: boolean;
  seed: number;
  inputs?: number;
  jobs: number;
  out: string;
  list?: boolean;
  replay?: string[];
}

function program(): Command {
  return new Command('fuzz')
    .description('run the fuzz targets (docs/fuzzing.md)')
    .argument('[targets...]', 'target names or globs (nic/ne2000-isa, stack/*); default: all')
    .option('--quick', "each target's short budget (CI's pass)")
    .addOption(new Option('--seed <n>', 'the run seed').argParser(integer('--seed', 0, 0xffffffff)).default(DEFAULT_SEED))
    .addOption(new Option('--inputs <n>', "inputs per target (instead of the target's budget)").argParser(integer('--inputs', 1, 1e12)))
    .addOption(new Option('--jobs <n>', 'targets run at once, on worker threads').argParser(integer('--jobs', 1, 256)).default(availableParallelism()))
    .option('--out <dir>', 'where reproducers are written', 'fuzz-out')
    .option('--list', 'list the targets and exit')
    .option('--replay <files...>', 'redo reproducer files')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: (s) => process.stdout.write(s) });
}

function select(patterns: readonly string[]): FuzzTarget[] {
  if (patterns.length === 0) return [...FUZZ_TARGETS];
  const chosen = new Set<FuzzTarget>();
  for (const p of patterns) {
    const hit = matchTargets(FUZZ_TARGETS, p);
    if (hit.length === 0) throw new UsageError(`no target matches '${p}' (targets: ${FUZZ_TARGETS.map((t) => t.name).join(', ') || 'none'})`);
    hit.forEach((t) => chosen.add(t));
  }
  return FUZZ_TARGETS.filter((t) => chosen.has(t));
}

function list(): number {
  const w = Math.max(6, ...FUZZ_TARGETS.map((t) => t.name.length));
  process.stdout.write(`${'target'.padEnd(w)}  ${'default'.padStart(10)}  ${'quick'.padStart(8)}  description\n`);
  for (const t of FUZZ_TARGETS) process.stdout.write(`${t.name.padEnd(w)}  ${String(t.defaultInputs).padStart(10)}  ${String(t.quickInputs).padStart(8)}  ${t.description}\n`);
  return 0;
}

function replay(files: readonly string[]): number {
  let failing = 0;
  for (const file of files) {
    let rep: Reproducer;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      const bad = reproducerProblem(parsed);
      if (bad) throw new UsageError(`${file}: ${bad}`);
      rep = parsed as Reproducer;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const err = e as NodeJS.ErrnoException;
      throw new UsageError(`${file}: ${err.code ? err.message.replace(/, open .*$/, '') : `not JSON (${err.message})`}`);
    }
    const target = FUZZ_TARGETS.find((t) => t.name === rep.target);
    if (!target) throw new UsageError(`${file}: no target '${rep.target}' in this build`);
    const line = replayReproducer(target, rep);
    if (line === null) process.stdout.write(`replay ${file}: passes\n`);
    else {
      failing++;
      process.stdout.write(`replay ${file}: still fails: ${line}\n`);
    }
  }
  return failing > 0 ? 1 : 0;
}

async function fuzz(targets: FuzzTarget[], o: Options): Promise<number> {
  const budgets = targets.map((t) => o.inputs ?? (o.quick ? t.quickInputs : t.defaultInputs));
  const results: (string[] | null)[] = targets.map(() => null);
  const done = targets.map(() => 0);
  let printed = 0;
  let inputs = 0;
  let failures = 0;
  const tty = process.stdout.isTTY === true && process.stderr.isTTY === true;
  const bars = tty ? new MultiBar({ format: 'fuzz {bar} {percentage}% | {value}/{total} inputs', hideCursor: true, clearOnComplete: true }, Presets.shades_classic) : null;
  const bar = bars?.create(budgets.reduce((a, b) => a + b, 0), 0);
  const say = (line: string): void => {
    if (bars) bars.log(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
  // Lines in registry order, each as soon as it and every target before it have finished.
  const flush = (): void => {
    while (printed < results.length && results[printed]) results[printed++]!.forEach(say);
  };
  const finish = (r: TargetResult | null, i: number, lines: string[]): void => {
    results[i] = lines;
    inputs += r?.inputs ?? 0;
    failures += r ? r.failed : 1;
    flush();
  };
  const pool = new Pool(__filename, o.jobs);
  const onSignal = (sig: InterruptSignal): void => {
    void pool.stop().then(() => {
      bars?.stop();
      // The targets that finished but wait behind an unfinished one, in order (the rest were printed already).
      for (const lines of results.slice(printed)) lines?.forEach((l) => process.stdout.write(`${l}\n`));
      process.stdout.write(`${totalsLine(results.filter((r) => r).length, inputs, failures)} (interrupted)\n`);
      process.exit(interruptStatus(sig));
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  onPipeClosed = () => onSignal('SIGPIPE');
  process.stdout.write(`fuzz: seed ${o.seed}, ${targets.length} targets, ${Math.min(o.jobs, targets.length)} jobs, reproducers to ${o.out}/\n`);
  await pool.run(
    targets.map((t, i) => ({ target: t.name, seed: o.seed, inputs: budgets[i]! })),
    {
      progress: (i, n) => {
        done[i] = n;
        bar?.update(done.reduce((a, b) => a + b, 0));
      },
      done: (i, r) => finish(r, i, targetLines(r, o.out)),
      crashed: (i, problem) => finish(null, i, crashedLines(targets[i]!.name, problem)),
    },
  );
  bars?.stop();
  process.stdout.write(`${totalsLine(targets.length, inputs, failures)}\n`);
  return failures > 0 ? 1 : 0;
}

/**
 * `fuzz … | head`: the reader went away (EPIPE). Nothing more is printed; a run stops its workers as on a signal
 * and exits 141 (128 + SIGPIPE); before the pool starts (`--list`), at once.
 */
let onPipeClosed = (): void => process.exit(interruptStatus('SIGPIPE'));
let pipeClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  if (pipeClosed) return;
  pipeClosed = true;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  onPipeClosed();
});

async function main(argv: string[]): Promise<number> {
  const cmd = program();
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && (e.code === 'commander.helpDisplayed' || e.code === 'commander.version')) return 0;
    if (e instanceof CommanderError) throw new UsageError(e.message.replace(/^error: /, ''));
    throw e;
  }
  const o = cmd.opts<Options>();
  if (o.list) return list();
  if (o.replay) return replay([...o.replay, ...cmd.args]);
  return fuzz(select(cmd.args), o);
}

if (!isMainThread) workerMain();
else {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      const usage = e instanceof UsageError || (e instanceof CommanderError && e.code !== 'commander.executeSubCommandAsync');
      process.stderr.write(`fuzz: ${usage ? (e as Error).message : `internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`}\n`);
      process.exit(usage ? 2 : 1);
    },
  );
}
