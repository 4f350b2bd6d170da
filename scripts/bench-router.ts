/**
 * `npm run bench`: a QNX router forwarding small frames both ways with ipflow, on one CPU and on two
 * (scripts/scenarios/bench-router-1cpu.yaml, bench-router-2cpu.yaml: the same but for the router's `cpus`). From 4 s
 * four sender nodes offer 64-byte frames through two gigabit switches for 20 ms; counted are the packets the router
 * forwarded in that stretch (its `ip/fastforward` and `ip/forward` trace records) — packets per virtual second on
 * each configuration, their ratio (io-pkt's layer 2 runs on the receiving threads, one per interrupt source, so a
 * second CPU forwards in parallel), which threads forwarded, and virtual s per wall s over the stretch. Wall-clock
 * reads are fine here: the benchmark only observes the simulation.
 */
import * as path from 'node:path';
import { loadScenarioFile } from '../emulator/app/scenario/load';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { assemble } from '../emulator/app/assembly/run';
import { inject } from '../emulator/app/testing/inject';
import { benchLine } from './bench-line';

const ROOT = repoRoot(__dirname) ?? process.cwd();
const TRAFFIC_START_NS = 4_000_000_000;
const TRAFFIC_NS = 60_000_000;

export const ROUTER_BENCHES = [1, 2].map((cpus) => ({ cpus, file: path.join(ROOT, `scripts/scenarios/bench-router-${cpus}cpu.yaml`) }));

export interface RouterBenchResult {
  cpus: number;
  /** Packets the router forwarded (fast-forwarded + through the stack context) in the traffic stretch. */
  forwarded: number;
  fast: number;
  /** Fast-forwarded packets per io-pkt thread name. */
  perThread: Map<string, number>;
  virtualNs: number;
  wallSeconds: number;
  events: number;
}

export function benchRouter(file: string, cpus: number): RouterBenchResult {
  const sc = loadScenarioFile(file);
  const a = assemble(sc);
  inject(a, sc);
  a.sim.queue.runUntil(TRAFFIC_START_NS);
  let forwarded = 0;
  let fast = 0;
  const perThread = new Map<string, number>();
  a.sim.tracer.addSink((rec) => {
    if (rec.node !== 'router' || rec.layer !== 'ip') return;
    if (rec.probe === 'fastforward') {
      fast++;
      forwarded++;
      const th = String(rec.f?.['thread'] ?? '?');
      perThread.set(th, (perThread.get(th) ?? 0) + 1);
    } else if (rec.probe === 'forward') {
      forwarded++;
    }
  });
  const e0 = a.sim.queue.executed;
  const t0 = process.hrtime.bigint();
  a.sim.queue.runUntil(TRAFFIC_START_NS + TRAFFIC_NS);
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  a.close();
  return { cpus, forwarded, fast, perThread, virtualNs: TRAFFIC_NS, wallSeconds, events: a.sim.queue.executed - e0 };
}

/** `router-1cpu`, `router-2cpu` (packets per virtual s), `router-2cpu-over-1cpu` and the `-speed` figures. */
export function benchRouterLines(): string[] {
  const res = ROUTER_BENCHES.map((b) => benchRouter(b.file, b.cpus));
  const lines = res.flatMap((r) => {
    const pps = r.forwarded / (r.virtualNs / 1e9);
    const threads = [...r.perThread].map(([n, c]) => `${n} ${c}`).join(', ');
    return [
      benchLine(
        `router-${r.cpus}cpu`,
        pps,
        'packets per virtual s',
        `QNX router, ${r.cpus} CPU(s), 2 BCM5701s, ipflow, 64-byte frames both ways: ${r.forwarded} packets forwarded in ` +
          `${r.virtualNs / 1e6} virtual ms, ${r.fast} fast-forwarded: ${threads}`,
        0,
      ),
      benchLine(`router-${r.cpus}cpu-speed`, r.virtualNs / 1e9 / r.wallSeconds, 'virtual s per wall s', `the same stretch: ${r.wallSeconds.toFixed(2)} s wall, ${r.events} events`, 4),
    ];
  });
  const [one, two] = res;
  if (one && two && one.forwarded > 0)
    lines.push(benchLine('router-2cpu-over-1cpu', two.forwarded / one.forwarded, 'ratio', `packets forwarded with 2 CPUs over 1 CPU: ${two.forwarded} / ${one.forwarded}`));
  return lines;
}
