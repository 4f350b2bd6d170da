/**
 * `npm run bench` figures `cli-start` and `cli-run-ping`: what every `qnxemu` command costs before and around its
 * work, as a user (and the test suite, which starts the CLI hundreds of times) pays it. `cli-start` is the wall
 * time of `qnxemu --version` (Node's own start, loading the bundle, the commands' set-up); `cli-run-ping` of
 * `qnxemu run docs/examples/ping.yaml` (two QNX nodes pinging over a hub for 3 virtual s: the scenario loaded and
 * validated, the run, the summary). Each is the median of alternating rounds of child processes, with `node -e 0`
 * in the same rounds for Node's own start. Wall-clock reads are fine here: the benchmark stands outside the
 * simulated world and only observes it.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { benchLine, median } from './bench-line';

const ROOT = repoRoot(__dirname) ?? process.cwd();
const CLI = path.join(ROOT, 'dist/qnxemu.js');
const ROUNDS = 7;

/** Wall seconds of one child process; throws if it does not exit 0. */
function timed(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').trim().split('\n')[0] ?? ''}`);
  return s;
}

export function benchCliLines(): string[] {
  const node: number[] = [];
  const version: number[] = [];
  const ping: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    node.push(timed(['-e', '0']));
    version.push(timed([CLI, '--version']));
    ping.push(timed([CLI, 'run', 'docs/examples/ping.yaml', '--no-color']));
  }
  const n = median(node);
  const v = median(version);
  const p = median(ping);
  return [
    benchLine('cli-start', v, 's wall', `qnxemu --version as a child process, median of ${ROUNDS} rounds; Node's own start (node -e 0) ${n.toFixed(2)} s of it, so ${(v - n).toFixed(2)} s is loading qnxemu`),
    benchLine('cli-run-ping', p, 's wall', `qnxemu run docs/examples/ping.yaml (2 QNX nodes, hub, 3 virtual s) as a child process, median of ${ROUNDS} rounds; ${(p - v).toFixed(2)} s beyond cli-start`),
  ];
}
