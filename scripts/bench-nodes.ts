/**
 * `npm run bench`, part "nodes-1000": a fleet of simulated QNX nodes on switches, each pinging a neighbour every
 * 100 ms (`ping -i 0.1`), and how fast and how large the simulation of it is: virtual seconds per wall second in
 * the steady state after start-up, the same per CPU second (steadier than wall time on a shared machine), the
 * process's resident set (its peak, sampled between slices of 100 virtual ms), and the wall time assembly and
 * start-up took; the CPU line's context also gives events and CPU µs per ping frame (what the fleet's cost scales
 * with: idle nodes run no events at all). Wall-clock, CPU-time and RSS reads are fine here: the benchmark stands outside the simulated
 * world and only observes it.
 *
 * The scenario is data built in code from a small per-node template (`fleetScenarioText`) and parsed as any
 * scenario file is (parseScenario), rather than a 20 000-line YAML file:
 * - every node has the NIC and io-pkt driver named in scripts/scenarios/bench-fleet-nic.yaml (data, as every bench
 *   scenario's NIC is: a PCI card, so one identical boot script serves every node; the file says which and why);
 * - nodes sit `perSwitch` to an access switch, one /24 per switch (10.<switch>.<port>.x). A switch in this
 *   emulator only attaches stations (emulator/machine/net/switch.ts has no switch-to-switch port), so the access
 *   switches have no uplink to a core switch and each node pings the next node on its own switch;
 * - ping start times are staggered over 100 ms (as boxes powered at different times would be); the startup
 *   jitter of every node adds a seeded 0–2 ms on top.
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseScenario } from '../emulator/app/scenario/load';
import type { Scenario } from '../emulator/app/scenario/types';
import { assemble } from '../emulator/app/assembly/run';
import { benchLine } from './bench-line';
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../emulator/app/guest-image/cache';

/** A fleet node's NIC: the scenario's `model:` and the io-pkt `-d` driver. */
export interface FleetNic {
  model: string;
  driver: string;
}

/** The default fleet NIC (scripts/scenarios/bench-fleet-nic.yaml). */
export function defaultFleetNic(): FleetNic {
  const file = path.join(repoRoot(__dirname) ?? process.cwd(), 'scripts/scenarios/bench-fleet-nic.yaml');
  const v = parseYaml(fs.readFileSync(file, 'utf8')) as Partial<FleetNic> | null;
  if (typeof v?.model !== 'string' || typeof v.driver !== 'string') throw new Error(`${file}: needs model: and driver:`);
  return { model: v.model, driver: v.driver };
}

export interface FleetOptions {
  nodes: number;
  /** Nodes per access switch (ports in use). */
  perSwitch: number;
  /** Scenario end, virtual seconds. */
  untilS: number;
  /** Virtual seconds at which the first node starts pinging (start-up is well over before). */
  pingAtS?: number;
  /** NIC of every node: its scenario model and io-pkt driver (default: scripts/scenarios/bench-fleet-nic.yaml). */
  nic?: FleetNic;
}

/** Virtual time of the first ping; the others follow within 100 ms. */
export const FLEET_PING_AT_S = 1;
/** Where the measured stretch starts: every node has been pinging for 0.4 s or more (its neighbour's address resolved). */
export const FLEET_WARM_S = 1.5;

export function fleetNodeName(i: number): string {
  return `n${String(i).padStart(4, '0')}`;
}

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

/** Node i's address: 10.<switch>.0.<port + 1>/24. */
export function fleetAddress(i: number, perSwitch: number): string {
  return `10.${Math.floor(i / perSwitch)}.0.${(i % perSwitch) + 1}`;
}

/** Who node i pings: the next node on its switch (the last pings the first). */
export function fleetNeighbour(i: number, o: FleetOptions): number {
  const sw = Math.floor(i / o.perSwitch);
  const first = sw * o.perSwitch;
  const onSwitch = Math.min(o.perSwitch, o.nodes - first);
  return first + (((i - first) + 1) % onSwitch);
}

/** The fleet as scenario YAML. */
export function fleetScenarioText(o: FleetOptions): string {
  if (o.nodes < 2 || o.perSwitch < 2 || o.nodes % o.perSwitch === 1) throw new RangeError('every switch needs two nodes or more');
  const pingAt = o.pingAtS ?? FLEET_PING_AT_S;
  const switches = Math.ceil(o.nodes / o.perSwitch);
  const nic = o.nic ?? defaultFleetNic();
  const out: string[] = [`name: bench-nodes-${o.nodes}`, 'seed: 1', `until: ${o.untilS}s`, 'nodes:'];
  for (let i = 0; i < o.nodes; i++) {
    const sw = Math.floor(i / o.perSwitch);
    // Realtek's OUI 00:e0:4c, then the node number.
    const mac = `00:e0:4c:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)}`;
    const sleep = (pingAt + (i % 100) / 1000).toFixed(3);
    out.push(
      `  ${fleetNodeName(i)}:`,
      `    nics: [{ model: ${nic.model}, mac: "${mac}", link: sw${String(sw).padStart(3, '0')} }]`,
      '    script: |',
      `      io-pkt-v4 -d${nic.driver}`,
      '      waitfor /dev/socket 10',
      `      ifconfig en0 ${fleetAddress(i, o.perSwitch)}/24 up`,
      `      sleep ${sleep}`,
      `      ping -i 0.1 ${fleetAddress(fleetNeighbour(i, o), o.perSwitch)}`,
    );
  }
  out.push('links:');
  for (let s = 0; s < switches; s++) out.push(`  sw${String(s).padStart(3, '0')}: { type: switch }`);
  return out.join('\n') + '\n';
}

export function fleetScenario(o: FleetOptions): Scenario {
  const file = path.join(process.cwd(), `bench-nodes-${o.nodes}.yaml`);
  return parseScenario(fleetScenarioText(o), file, process.cwd());
}

export interface NodesBenchResult {
  nodes: number;
  switches: number;
  assemblySeconds: number;
  /** Virtual seconds measured (after start-up) and the wall seconds they took. */
  virtualSeconds: number;
  wallSeconds: number;
  /** CPU seconds (user + system) of the process over the same stretch: less noisy than wall on a shared machine. */
  cpuSeconds: number;
  /** Wall seconds from power-on to the measured stretch (boot, io-pkt, ifconfig, first pings). */
  startupWallSeconds: number;
  events: number;
  rssBytes: number;
  peakRssBytes: number;
  /** Echo replies the pinging nodes received in the measured stretch. */
  replies: number;
}

/**
 * Assemble the fleet, run start-up to `warmS` virtual s, then measure `measureS` virtual s in slices of 100 ms
 * (RSS sampled after each).
 */
export function benchNodes(nodes = 1000, perSwitch = 25, warmS = FLEET_WARM_S, measureS = 2, nic?: FleetNic): NodesBenchResult {
  const untilS = warmS + measureS;
  const sc = fleetScenario({ nodes, perSwitch, untilS, nic });
  let peak = process.memoryUsage().rss;
  const sample = () => {
    const r = process.memoryUsage().rss;
    if (r > peak) peak = r;
    return r;
  };
  const t0 = process.hrtime.bigint();
  const a = assemble(sc);
  const t1 = process.hrtime.bigint();
  sample();
  const q = a.sim.queue;
  const SLICE = 100_000_000;
  const warmNs = Math.round(warmS * 1e9);
  const untilNs = Math.round(untilS * 1e9);
  for (let t = SLICE; t <= warmNs; t += SLICE) {
    q.runUntil(t);
    sample();
  }
  const t2 = process.hrtime.bigint();
  let replies = 0;
  a.sim.tracer.addSink((rec) => {
    if (rec.layer === 'icmp' && rec.probe === 'echo-reply-in') replies++;
  });
  const e0 = q.executed;
  const v0 = q.now;
  const c0 = process.cpuUsage();
  for (let t = warmNs + SLICE; t <= untilNs; t += SLICE) {
    q.runUntil(t);
    sample();
  }
  const t3 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  const rss = sample();
  a.close();
  return {
    nodes,
    switches: Math.ceil(nodes / perSwitch),
    assemblySeconds: Number(t1 - t0) / 1e9,
    startupWallSeconds: Number(t2 - t1) / 1e9,
    virtualSeconds: (q.now - v0) / 1e9,
    wallSeconds: Number(t3 - t2) / 1e9,
    cpuSeconds: (c1.user + c1.system) / 1e6,
    events: q.executed - e0,
    rssBytes: rss,
    peakRssBytes: peak,
    replies,
  };
}

/**
 * V8's young generation for the fleet, MiB per semi-space (Node's default is 16). Objects that live a fixed
 * stretch of virtual time (a ping's 100 ms wait, timers, frames in flight) outlive more scavenges the more nodes
 * there are, since each scavenge then covers less virtual time: at 1000 nodes, with the default, 195 scavenges
 * took 3.2–4.7 s per virtual s; with 256 MiB, 11 took 0.4–0.5 s (`node --trace-gc`; 512 MiB gains nothing more).
 */
export const FLEET_SEMI_SPACE_MIB = 256;
/** Set in the child process that measures the fleet (its value: the node count). */
const CHILD_ENV = 'QNXEMU_BENCH_NODES_CHILD';

/**
 * Measure in a child process of this same script, started with `--max-semi-space-size` (a V8 heap flag takes
 * effect only at start-up); its RSS is then the fleet's alone. Null when this is not a script run (jest).
 */
function benchNodesInChild(nodes: number): NodesBenchResult | null {
  const script = process.argv[1];
  if (!script || !/\.js$/.test(script)) return null;
  const r = spawnSync(process.execPath, [`--max-semi-space-size=${FLEET_SEMI_SPACE_MIB}`, script], {
    env: { ...process.env, [CHILD_ENV]: String(nodes) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    throw new Error(`the fleet's child process failed (status ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${(r.stderr ?? '').trim().split('\n').pop() ?? ''}`);
  }
  return JSON.parse(last) as NodesBenchResult;
}

// The child: measure, print the result as one JSON line, and end before the parent script's own main runs.
const childNodes = process.env[CHILD_ENV];
if (childNodes !== undefined) {
  console.log(JSON.stringify(benchNodes(Number(childNodes))));
  process.exit(0);
}

/** The bench's lines (a smaller fleet for a quick look: `benchNodesLines(100)`). */
export function benchNodesLines(nodes = 1000): string[] {
  const child = benchNodesInChild(nodes);
  return nodesBenchLines(child ?? benchNodes(nodes), child !== null);
}

/** The three `bench nodes-N…` lines for a result measured in a child process with the fleet's heap, or in this one. */
export function nodesBenchLines(r: NodesBenchResult, inChild: boolean): string[] {
  const heap = inChild ? `a child node with --max-semi-space-size=${FLEET_SEMI_SPACE_MIB}` : 'in this process, default V8 heap';
  const GiB = 2 ** 30;
  const name = `nodes-${r.nodes}`;
  // Every echo reply received is two frames on a switch: the request and the reply.
  const perFrame = r.replies > 0 ? (r.events / (2 * r.replies)).toFixed(1) : 'n/a';
  const cpuPerFrame = r.replies > 0 ? ((r.cpuSeconds * 1e6) / (2 * r.replies)).toFixed(0) : 'n/a';
  return [
    benchLine(name, r.virtualSeconds / r.wallSeconds, 'virtual s per wall s',
      `${r.nodes} QNX nodes, ${r.switches} switches, each pinging a neighbour every 100 ms; RSS ${(r.peakRssBytes / GiB).toFixed(1)} GiB; ` +
      `assembly ${r.assemblySeconds.toFixed(1)} s wall; ${heap}`),
    benchLine(`${name}-cpu`, r.virtualSeconds / r.cpuSeconds, 'virtual s per CPU s',
      `the same ${r.virtualSeconds} virtual s over the process's user + system CPU time, ${r.cpuSeconds.toFixed(1)} s: ${r.events} events, ` +
      `${r.replies} echo replies, ${perFrame} events and ${cpuPerFrame} µs of CPU per ping frame (an echo request or reply); RSS peak ${(r.peakRssBytes / GiB).toFixed(2)} GiB, at the end ${(r.rssBytes / GiB).toFixed(2)} GiB`),
    benchLine(`${name}-startup`, r.startupWallSeconds, 's wall',
      `power-on of ${r.nodes} nodes to ${FLEET_WARM_S} virtual s: firmware start-up, io-pkt with its ne2000 driver, ifconfig, ARP and the first pings`, 1),
  ];
}
