/**
 * `npm run bench`: Qnet message passing (scripts/scenarios/bench-qnet-bcm5701.yaml). alpha's msgping sends
 * 64-byte messages to msgecho on beta through /net back to back; counted are the replies alpha prints between
 * 3.2 s and 3.3 s (virtual): messages per virtual second, the mean round trip, and virtual s per wall s over the
 * stretch. Wall-clock reads are fine here: the benchmark only observes the simulation.
 */
import * as path from 'node:path';
import { loadScenarioFile } from '../emulator/app/scenario/load';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { assemble } from '../emulator/app/assembly/run';
import { inject } from '../emulator/app/testing/inject';
import { benchLine } from './bench-line';

const ROOT = repoRoot(__dirname) ?? process.cwd();
const FILE = path.join(ROOT, 'scripts/scenarios/bench-qnet-bcm5701.yaml');
const FROM_NS = 3_200_000_000;
const STRETCH_NS = 100_000_000;

export interface QnetBenchResult {
  replies: number;
  meanRttMs: number;
  virtualNs: number;
  wallSeconds: number;
  events: number;
}

export function benchQnet(file = FILE): QnetBenchResult {
  const sc = loadScenarioFile(file);
  const rtts: number[] = [];
  let counting = false;
  const a = assemble(sc, {
    onConsoleLine: (node, text) => {
      if (!counting || node !== 'alpha') return;
      const m = /bytes from .*time=(\d+(?:\.\d+)?) ms/.exec(text);
      if (m) rtts.push(Number(m[1]));
    },
  });
  inject(a, sc);
  a.sim.queue.runUntil(FROM_NS);
  counting = true;
  const e0 = a.sim.queue.executed;
  const t0 = process.hrtime.bigint();
  a.sim.queue.runUntil(FROM_NS + STRETCH_NS);
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const events = a.sim.queue.executed - e0;
  a.close();
  if (rtts.length === 0) throw new Error(`${path.basename(file)}: no msgping replies between ${FROM_NS / 1e9} s and ${(FROM_NS + STRETCH_NS) / 1e9} s`);
  return { replies: rtts.length, meanRttMs: rtts.reduce((s, x) => s + x, 0) / rtts.length, virtualNs: STRETCH_NS, wallSeconds, events };
}

/** `qnet-messages` (per virtual s), `qnet-round-trip` (mean, virtual µs) and `qnet-speed`. */
export function benchQnetLines(): string[] {
  const r = benchQnet();
  const perS = r.replies / (r.virtualNs / 1e9);
  const what = '2 QNX nodes, BCM5701 gigabit cable, msgping 64 bytes back to back over /net';
  return [
    benchLine('qnet-messages', perS, 'messages per virtual s', `${what}: ${r.replies} round trips in ${r.virtualNs / 1e6} virtual ms from ${FROM_NS / 1e9} s`, 0),
    benchLine('qnet-round-trip', r.meanRttMs * 1000, 'µs', `mean round trip msgping printed over the same ${r.replies} messages (virtual time)`, 1),
    benchLine('qnet-speed', r.virtualNs / 1e9 / r.wallSeconds, 'virtual s per wall s', `the same stretch: ${r.wallSeconds.toFixed(2)} s wall, ${r.events} events`, 3),
  ];
}
