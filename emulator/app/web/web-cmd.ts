/**
 * `qnxemu web <scenario.yaml|bundle.json> [--seed N] [--until T] [--port N] [--host H] [--out DIR] [--open]`: the
 * packet-path debugger as a web page (docs/debugger.md). The simulation runs in the browser; this command only
 * hands it the page (dist/web/, built by scripts/build.mjs) and the scenario bundle (bundle.json: the scenario
 * and every file it reads, or a failure bundle from `qnxemu test --artifacts`).
 *
 * - Default: serve them from localhost (node:http, server.ts) on a free port (or --port), print the URL, run until
 *   SIGINT/SIGTERM, then close the server and exit 128 + the signal (130, 143), as every command a signal ends
 *   (docs/errors.md). --open also hands the URL to the system's browser launcher (open.ts).
 * - --out DIR: write the page and bundle.json into DIR (static files for any web server) and exit.
 * - A scenario with guest (v86) nodes: the guest image and v86 are served (and written by --out) beside the page
 *   under guest/ and v86/ (guest-assets.ts); the image is built first if it is not cached.
 * - Guests in worker threads (two or more guests, or `--threads N`; as `qnxemu run` decides: guest-threads.ts): the
 *   scenario first runs here as `qnxemu run` runs it, recorded (emulator/app/debug/threaded.ts), and bundle.json
 *   carries the recording (web-page/core/threaded-bundle.ts); the page replays that run, so it shows `qnxemu run`'s
 *   trace-hash, and needs no guest image or v86. `--no-threads`: the page runs the guests itself, on one thread.
 * Every problem (missing file, bad bundle, port in use, unwritable --out, page not built) is one line, exit 1.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { CliServices } from '../cli/commands';
import { CliError } from '../cli/errors';
import { seedArg, threadsArg } from '../cli/args';
import { lookaheadProgress } from '../cli/lookahead-progress';
import { guestThreads, type ThreadsChoice } from '../assembly/guest-threads';
import { recordThreadedRun } from '../debug/threaded';
import type { Scenario } from '../scenario/types';
import type { ScenarioBundle } from '../web-page/core/api';
import { encodeThreaded } from '../web-page/core/threaded-bundle';
import { untilArg } from '../cli/until';
import { interruptStatus, onInterrupt, type InterruptSignal } from '../cli/signals';
import { formatTime } from '../../machine/sim/time';
import { bundleFile, pageFiles } from './assets';
import { exportPage, sizeText, writtenLine } from './export';
import { guestAssets, guestNodes } from './guest-assets';
import { describeBundle, loadInput } from './input';
import { openBrowser } from './open';
import { serve } from './server';

interface WebOpts {
  seed?: number;
  until?: number;
  port?: number;
  host: string;
  out?: string;
  open?: boolean;
  /** `--threads N` (a number), `--no-threads` (false), neither (undefined): guest-threads.ts decides as for run. */
  threads?: ThreadsChoice;
}

export const DEFAULT_HOST = '127.0.0.1';

function portArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('a TCP port 0..65535 (0: any free port)');
  return Number(v);
}

function hostArg(v: string): string {
  if (v.trim() === '' || /[\s/]/.test(v)) throw new InvalidArgumentError('a host name or address to listen on (127.0.0.1, ::1, 0.0.0.0)');
  return v;
}

async function runWeb(input: string, o: WebOpts): Promise<number> {
  if (o.out !== undefined) {
    const other = o.open ? '--open' : o.port !== undefined ? '--port' : o.host !== DEFAULT_HOST ? '--host' : null;
    if (other) throw new CliError(`--out ${o.out}`, `writes the page as files and starts no server: ${other} does not go with it`);
  }
  const files = pageFiles(undefined, o.out === undefined);
  const loaded = loadInput(input, { seed: o.seed, until: o.until });
  const { name, seed, scenario } = describeBundle(loaded);
  // Guest nodes: their image (built first if need be, as `qnxemu run` does), and v86 beside the page unless a
  // threaded run's recording stands in for them.
  const guestFiles = await guestAssets(scenario, loaded.file);
  const bundle = await withThreadedRun(loaded, scenario, o);
  const served = bundle.threaded ? [] : guestFiles;
  const failure = bundle.failure ? `, stopped at ${formatTime(bundle.failure.t)} where ${bundle.failure.expectation} failed` : '';
  if (o.out !== undefined) {
    let total = 0;
    for (const w of exportPage([...files, bundleFile(bundle), ...served], o.out)) {
      total += w.bytes;
      process.stdout.write(`${writtenLine(w)}\n`);
    }
    if (served.length > 0) process.stdout.write(`qnxemu web: wrote ${sizeText(total)} into ${o.out}, the guest image and v86 for ${guestNodes(scenario).join(', ')} included\n`);
    process.stdout.write(`qnxemu web: ${name}, seed ${seed}${failure}: serve ${o.out} with any static web server (python3 -m http.server -d ${o.out}) and open its index.html\n`);
    return 0;
  }
  const server = await serve([...files, bundleFile(bundle), ...served], o.host, o.port ?? 0);
  // The first Ctrl-C closes the server; a second one exits at once (signals.ts).
  let stop: (sig: InterruptSignal) => void = () => undefined;
  const stopped = new Promise<InterruptSignal>((resolve) => (stop = resolve));
  const interrupts = onInterrupt((sig) => stop(sig));
  process.stdout.write(`qnxemu web: ${server.url} (${name}, seed ${seed}${failure}) — Ctrl-C to stop\n`);
  if (o.open) process.stdout.write(`${openBrowser(server.url)}\n`);
  const sig = await stopped;
  await server.close();
  interrupts.dispose();
  process.stdout.write(`qnxemu web: stopped (${sig})\n`);
  return interruptStatus(sig);
}

/**
 * The bundle the page gets: with the threaded run's recording when the guests run in threads (guestThreads, as for
 * `qnxemu run`), without one for the single-threaded engine. A bundle file that carries a recording keeps it unless
 * an option asks for another run (--threads, --no-threads, --seed, --until).
 */
async function withThreadedRun(bundle: ScenarioBundle, scenario: Scenario, o: WebOpts): Promise<ScenarioBundle> {
  const { threaded, ...rest } = bundle;
  const threads = guestThreads(scenario, o.threads);
  if (threads === undefined) return rest;
  if (threaded && o.threads === undefined && o.seed === undefined && o.until === undefined) return bundle;
  const guests = guestNodes(scenario).join(', ');
  const until = bundle.until ?? scenario.until;
  const rec = await recordThreadedRun(scenario, { threads, seed: bundle.seed ?? scenario.seed, until, onProgress: lookaheadProgress(process.stderr) });
  process.stdout.write(
    `qnxemu web: ran ${guests} in worker threads (--threads ${threads}) as qnxemu run does, to ${formatTime(until)}: ${rec.events} events, trace-hash ${rec.traceHash.slice(0, 16)}…; the page replays that run\n`,
  );
  return { ...rest, threaded: encodeThreaded(threads, rec) };
}

export function registerWebCommand(program: Command, services: CliServices): void {
  program
    .command('web')
    .description('the debugger as a web page: serve it from localhost (or write it with --out) for a scenario or a bundle (qnxemu test --artifacts)')
    .argument('<input>', 'scenario YAML file, or a scenario bundle (.json: --out\'s bundle.json, a failure bundle)')
    .option('--seed <n>', 'random seed (overrides the scenario)', seedArg)
    .option('--until <time>', 'virtual time the run ends at (overrides the scenario)', (v: string) => untilArg(v).ns)
    .option('--port <n>', 'TCP port to listen on (default 0: any free port)', portArg)
    .option('--host <host>', 'address to listen on', hostArg, DEFAULT_HOST)
    .option('--out <dir>', 'write index.html, app.js, style.css and bundle.json into <dir> instead of serving them')
    .option('--open', "open the page in the system's browser (xdg-open, $BROWSER)")
    .option('--threads <n>', "show the run `qnxemu run --threads n` makes: the guests run here once in worker threads, recorded, and the page replays that run; the default with two or more guests, as for run", threadsArg)
    .option('--no-threads', "the page runs the guests itself, on one thread (the single-threaded engine's run; the default with one guest)")
    .action(async (input: string, o: WebOpts) => {
      try {
        process.exitCode = await runWeb(input, o);
      } catch (e) {
        services.fail(e);
      }
    });
}
