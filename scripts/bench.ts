/**
 * `npm run bench`: measured in one run, printed as ratios. Wall-clock reads are fine here: the benchmark
 * stands outside the simulated world and only observes it.
 *
 * 1. Bare event-queue throughput (events per wall second).
 * 2. A saturated NE2000 ping flood between two simulated QNX nodes on a hub: virtual seconds simulated per
 *    wall second, with the event count.
 */
import { EventQueue, SimEvent } from '../emulator/machine/sim';
import * as path from 'node:path';
import { loadScenarioFile } from '../emulator/app/scenario/load';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { assemble } from '../emulator/app/assembly/run';
import { benchGuest } from './bench-guest';

function wallNs(): bigint {
  return process.hrtime.bigint();
}

function benchQueue(): { events: number; seconds: number } {
  const q = new EventQueue();
  const N = 64; // concurrent self-rescheduling events, as a few busy components would be
  let x = 1;
  const evs: SimEvent[] = [];
  for (let i = 0; i < N; i++) {
    const ev: SimEvent = new SimEvent(`e${i}`, () => {
      x = (x * 1103515245 + 12345) >>> 0;
      q.scheduleIn(ev, 1 + (x & 1023));
    });
    evs.push(ev);
    q.schedule(ev, i);
  }
  const target = 2_000_000;
  const t0 = wallNs();
  q.runUntilIdle(target);
  const seconds = Number(wallNs() - t0) / 1e9;
  return { events: q.executed, seconds };
}

/** The flood scenario (a data file: which NIC models it uses is the scenario's business, not the benchmark's). */
const FLOOD = path.join(repoRoot(__dirname) ?? process.cwd(), 'scripts/scenarios/bench-flood.yaml');

function benchFlood(): { virtual: number; seconds: number; events: number; frames: number } {
  const sc = loadScenarioFile(FLOOD);
  const a = assemble(sc);
  let frames = 0;
  a.sim.tracer.addSink((rec) => {
    if (rec.layer === 'wire' && rec.probe === 'deliver') frames++;
  });
  const t0 = wallNs();
  a.sim.queue.runUntil(sc.until);
  const seconds = Number(wallNs() - t0) / 1e9;
  a.close();
  return { virtual: a.sim.queue.now / 1e9, seconds, events: a.sim.queue.executed, frames };
}

const q = benchQueue();
const f = benchFlood();
const lines = [
  `event queue: ${q.events} events in ${q.seconds.toFixed(3)} s wall = ${(q.events / q.seconds / 1e6).toFixed(2)} M events/s`,
  `ne2000 ping flood (2 nodes, hub, 1400-byte payload): ${f.virtual.toFixed(3)} s virtual in ${f.seconds.toFixed(3)} s wall = ${(f.virtual / f.seconds).toFixed(3)} virtual s per wall s, ${f.events} events (${(f.events / f.seconds / 1e6).toFixed(2)} M events/s, ${((f.events / f.seconds) / (q.events / q.seconds) * 100).toFixed(1)} % of bare queue rate)`,
];
lines.push(`flood: ${f.frames} frames delivered on the hub = ${(f.frames / f.virtual).toFixed(0)} frames per virtual s (the flood runs from 0.5 s to the end)`);
for (const l of lines) console.log(l);

// 3. Guest (v86) nodes: boot cold and from a snapshot; 100 pings through our NE2000 vs v86's (scripts/bench-guest.ts).
benchGuest().then(
  (guestLines) => {
    for (const l of guestLines) console.log(l);
  },
  (e: unknown) => console.log(`guest benchmarks not run: ${(e as Error).message}`),
);
