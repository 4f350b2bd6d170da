/**
 * Runs a scenario: builds the network and the nodes on one Simulation, runs to the end time, and returns
 * what tests and the CLI need. This is the assembly layer: the one place that imports emulator/, nic-models/
 * and stack/ together.
 */
import { Simulation } from '../../machine/sim/simulation';
import type { Time } from '../../machine/sim/time';
import { SimEvent } from '../../machine/sim/event';
import { Priority } from '../../machine/sim/priority';
import type { Scenario } from '../scenario/types';
import type { TraceSink } from '../../machine/sim/trace';
import { buildNetwork, type Network } from './network';
import { buildNode, type SimNode } from './node';
import { exportNodeFiles } from './node-files';
import { buildGuestNode, type GuestNode, type PreparedGuests } from './guest-node';
import type { GuestLog } from '../../machine/v86/guest-log';
import { DEFAULT_TRACE_LIMIT, TraceWriter, type TraceCut } from './trace-writer';
import { buildRemoteGuest, installGate, type GuestWorkers, type RemoteGuestNode } from './guest-workers';

export interface RunOptions {
  seed?: number | undefined;
  until?: number | undefined;
  pcapDir?: string | undefined;
  traceFile?: string | undefined;
  /** Size limit of the trace file in bytes, 0 = none (default DEFAULT_TRACE_LIMIT, 1 GiB): trace-writer.ts. */
  traceLimit?: number | undefined;
  verboseTrace?: boolean;
  onConsoleLine?: (node: string, text: string, t: number) => void;
  /** Keep every trace record in memory (tests, the debugger). */
  keepTrace?: boolean;
  /** A trace sink installed before anything is built, so it sees every record (the debugger). */
  onTrace?: TraceSink;
  /** Guest nodes rebuilt from these logs instead of running v86 (snapshot restore: emulator/app/assembly/snapshot.ts). */
  guestReplay?: Map<string, GuestLog>;
  /** v86 instances for the live guest nodes (`await prepareGuests(scenario)`). */
  guests?: PreparedGuests;
  /** Guest nodes running in worker threads instead (`await startGuestWorkers(scenario, …)`, `--threads`). */
  workers?: GuestWorkers | undefined;
  /** Called once the links are built, before any node: observers hook the media (`--capture`: emulator/app/capture). */
  onNetwork?: (network: Network, sim: Simulation) => void;
}

export interface RunResult {
  seed: number;
  traceHash: string;
  virtualTime: number;
  events: number;
  consoles: Map<string, string>;
  pcaps: string[];
  trace: string[];
  nodes: SimNode[];
  /** Guest (v86) nodes. */
  guests: GuestNode[];
  network: Network;
  sim: Simulation;
}

/** Everything built but not yet run (tests drive it step by step). */
export interface Assembled {
  sim: Simulation;
  network: Network;
  nodes: SimNode[];
  /** Guest (v86) nodes: kind 'guest' in the scenario (emulator/app/assembly/guest-node.ts). */
  guests: GuestNode[];
  /** Guest nodes running in worker threads (`--threads`: emulator/app/assembly/guest-workers.ts). */
  remote: RemoteGuestNode[];
  /** Their workers (null: none). */
  workers: GuestWorkers | null;
  /**
   * Events run so far: the queue's. With guests in worker threads, the main thread's, and once the run has closed
   * the events each guest ran up to its end too (not beyond: how far a guest ran past it depends on the threads'
   * timing: emulator/app/assembly/guest-workers.ts `finish`).
   */
  events(): number;
  trace: string[];
  /** Why the --trace file was cut (size limit, write failure), or null: trace-writer.ts. */
  traceCut(): TraceCut | null;
  /**
   * Close the run's outputs; returns the pcap files. `interrupted`: the run was stopped by a signal, so guests in
   * worker threads are not waited for to pass the main thread's next event (GuestWorkers.finish).
   */
  close(interrupted?: boolean): string[];
  /**
   * With guests in worker threads, once closed: the time up to which everything ran, guests included (their events
   * and records up to it are in the run, none after). Null: no workers, or not closed yet.
   */
  reached(): Time | null;
}

export function assemble(scenario: Scenario, opts: RunOptions = {}): Assembled {
  const seed = opts.seed ?? scenario.seed;
  const sim = new Simulation(seed);
  sim.tracer.verbose = !!opts.verboseTrace;
  if (opts.onTrace) sim.tracer.addSink(opts.onTrace);
  const trace: string[] = [];
  // The --trace file, cut at its size limit or at a write failure (trace-writer.ts); the run goes on either way.
  const writer = opts.traceFile ? new TraceWriter(opts.traceFile, opts.traceLimit ?? DEFAULT_TRACE_LIMIT) : null;
  // Only a line sink makes the tracer build JSON strings (trace.ts); the writer encodes records to bytes itself.
  if (opts.keepTrace) sim.tracer.addLineSink((_rec, line) => trace.push(line));
  if (writer) sim.tracer.addSink((rec) => writer.record(rec));
  const network = buildNetwork(sim, scenario, opts.pcapDir);
  opts.onNetwork?.(network, sim);
  const nodes: SimNode[] = [];
  const guests: GuestNode[] = [];
  const remote: ReturnType<typeof buildRemoteGuest>[] = [];
  const all: (SimNode | GuestNode | RemoteGuestNode)[] = [];
  for (const spec of scenario.nodes) {
    if (spec.kind === 'guest' && opts.workers?.has(spec.name)) {
      const r = buildRemoteGuest(sim, spec, network, opts.workers);
      remote.push(r);
      all.push(r);
    } else if (spec.kind === 'guest') {
      const log = opts.guestReplay?.get(spec.name);
      const source = log ? ({ kind: 'replay', log } as const) : ({ kind: 'live', instance: takeGuest(opts.guests, spec.name) } as const);
      const g = buildGuestNode(sim, spec, network, source);
      guests.push(g);
      all.push(g);
    } else {
      const n = buildNode(sim, spec, network);
      nodes.push(n);
      all.push(n);
    }
  }
  for (const n of all) {
    if (opts.onConsoleLine) {
      const cb = opts.onConsoleLine;
      n.console.onLine((text, t) => cb(n.name, text, t));
    }
  }
  if (opts.workers && remote.length > 0) installGate(sim, opts.workers, remote);
  /** With guests in worker threads: the events they ran up to the run's end (known when it closes). */
  let guestEvents = 0;
  let reached: Time | null = null;
  for (const n of all) n.powerOn();
  return {
    sim,
    network,
    nodes,
    guests,
    remote,
    workers: opts.workers && remote.length > 0 ? opts.workers : null,
    events: () => sim.queue.executed + guestEvents,
    trace,
    traceCut: () => writer?.cut ?? null,
    reached: () => reached,
    close(interrupted = false) {
      if (opts.workers && remote.length > 0) {
        // The guests' events up to the end; a snapshot taken during the run may still wait for guests' parts
        // (guest-workers.ts `finish`).
        const fin = opts.workers.finish(interrupted);
        opts.workers.stop();
        guestEvents = fin?.events ?? 0;
        reached = fin?.end ?? null;
      }
      for (const g of guests) g.console.flush();
      for (const n of nodes) n.console.flush();
      writer?.close(sim.queue.now);
      // The nodes' /dev/shmem files (a `tcpdump -w` capture) go beside the link pcaps.
      return [...network.closePcaps(), ...(opts.pcapDir ? exportNodeFiles(nodes, opts.pcapDir) : [])];
    },
  };
}

function takeGuest(prepared: PreparedGuests | undefined, name: string) {
  if (!prepared) throw new Error(`node ${name} is a guest: prepare it first (await prepareGuests(scenario)) and pass the result as RunOptions.guests`);
  return prepared.take(name);
}

/** The runners' own events: the end of the run's timeline (actions, expectations) and the stop at `until`. */
export const RUN_END_EVENT = 'run.end';
export const RUN_UNTIL_EVENT = 'run.until';

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunResult {
  const a = assemble(scenario, opts);
  const until = opts.until ?? scenario.until;
  const stop = new SimEvent(RUN_UNTIL_EVENT, () => undefined, Priority.Stop);
  a.sim.queue.schedule(stop, until);
  a.sim.queue.runUntil(until);
  const pcaps = a.close();
  return {
    seed: a.sim.seed,
    traceHash: a.sim.tracer.digest(),
    virtualTime: a.sim.queue.now,
    events: a.events(),
    consoles: new Map([...a.nodes, ...a.guests, ...a.remote].map((n) => [n.name, n.console.text()])),
    pcaps,
    trace: a.trace,
    nodes: a.nodes,
    guests: a.guests,
    network: a.network,
    sim: a.sim,
  };
}
