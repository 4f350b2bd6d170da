/**
 * A guest node in its own worker thread (`qnxemu run --threads N`; docs/guest-time-model.md "Guests in worker
 * threads"): the same bundle, started as a worker, builds the guest exactly as a single-threaded run does
 * (buildGuestNode: v86, the NIC models, the v86 adapter, the shell driver) on a Simulation of its own whose queue
 * is gated by the main thread (emulator/machine/parallel/guest-gate.ts), with its NICs on stand-ins for the media
 * (remote-medium.ts). Its trace records, console lines and transmissions go to the main thread as messages.
 */
import type { MessagePort } from 'node:worker_threads';
import { Simulation } from '../../machine/sim/simulation';
import { GuestGate, SLEEP_CHECK_MS, StopWorker, type GuestHost } from '../../machine/parallel/guest-gate';
import { guestBell, ring, SYNC_MAIN_BELL, type Endpoint, type ToGuest, type ToMain } from '../../machine/parallel/messages';
import { RemoteMedia } from '../../machine/parallel/remote-medium';
import type { Scenario } from '../scenario/types';
import { buildGuestNode, createGuestV86, type GuestFiles, type GuestNode } from './guest-node';
import type { Time } from '../../machine/sim/time';
import { GuestLog } from '../../machine/v86/guest-log';
import { provideV86Core, type V86Instance } from '../../machine/v86/v86-runtime';
import type { WasmModule } from '../../machine/v86/v86-types';
import type { GuestMachineState } from '../../machine/v86/guest-machine';
import type { GuestClockState } from '../../machine/v86/guest-clock';
import { pendingEvents, pointProblems, snapshotGuest, type GuestSnapshot, type WorkerSnapshotPoint } from './guest-snapshot';
import type { Network } from './network';
import { portEndpoint } from './port-endpoint';

export interface GuestWorkerData {
  qnxemuGuestWorker: true;
  scenario: Scenario;
  node: string;
  index: number;
  seed: number;
  sync: SharedArrayBuffer;
  port: MessagePort;
  files: GuestFiles;
  /** `--threads` lower than the number of guests: take a token to execute. */
  tokens: boolean;
  /** How many guests run in workers (their states are in `sync`). */
  guests: number;
  /** The run takes a snapshot at this time (`--snapshot-at`): this guest sends its part from its snapshot point. */
  snapshotAt?: Time;
  /** The run restores a snapshot (`--restore`): replay to its point, check, and take over from the saved v86. */
  restore?: WorkerRestore;
  /** `qnxemu console` is attached to this guest: post its serial output as the CPU prints it ('out'). */
  stream?: boolean;
  /** v86's core module as the main thread compiled it (v86-runtime.ts `v86Core`; wasm-tiers.ts says why). */
  core?: WasmModule;
}

/** A guest's part of a snapshot file, for its worker to restore (snapshot-run.ts `planThreadedRestore`). */
export interface WorkerRestore {
  /** The snapshot's time. */
  at: Time;
  machine: GuestMachineState;
  clockAtRestore: GuestClockState;
  point: WorkerSnapshotPoint;
  /** v86's saved state, in the file's parts. */
  v86: Uint8Array[];
}

export function isGuestWorkerData(d: unknown): d is GuestWorkerData {
  return typeof d === 'object' && d !== null && (d as { qnxemuGuestWorker?: unknown }).qnxemuGuestWorker === true;
}

/** What a guest's thread needs to build it: the worker's data less its port (the main thread hosts one without). */
export type GuestBuildData = Omit<GuestWorkerData, 'port' | 'qnxemuGuestWorker' | 'core'>;

/** A guest built for a threaded run, before its 'go'. */
export interface ThreadGuest {
  sim: Simulation;
  gate: GuestGate;
  node: GuestNode;
  /** Its v86 (a restore's replay hands over to it). */
  instance: V86Instance;
  /** The main thread's 'go': the media's states and lookahead; then the guest powers on. */
  go(m: Extract<ToGuest, { k: 'go' }>): void;
  /** A snapshot's part is still to be taken (`snapshotAt`); its loop clears it once taken. */
  snap: { pending: boolean };
}

/**
 * Build the guest as a worker does (guestWorkerMain) — on the worker's thread, or on the main thread when it hosts the
 * guest (hosted-guest.ts: `host`) — and say hello (its media's attachments) to the main thread.
 */
export async function buildThreadGuest(d: GuestBuildData, endpoint: Endpoint<ToGuest, ToMain>, post: (m: ToMain) => void, host?: GuestHost): Promise<ThreadGuest> {
  const sync = new Int32Array(d.sync);
  const spec = d.scenario.nodes.find((n) => n.name === d.node);
  if (!spec) throw new Error(`no node ${d.node}`);
  const instance = await createGuestV86(spec, d.files, d.seed);
  const sim = new Simulation(d.seed);
  let cpuTime: () => number | null = () => null;
  const media = new RemoteMedia({
    transmit: (port, f) =>
      gate.send({ k: 'tx', t: sim.queue.now, port, data: f.data, pkt: f.pktId, ...(f.badFcs ? { bad: true } : {}), ...(f.alignmentError ? { align: true } : {}) }),
    renegotiate: (port, fdx) => gate.send({ k: 'reneg', t: sim.queue.now, port, fdx }),
    autonegRestart: (port, abil) => gate.send({ k: 'an-restart', t: sim.queue.now, port, abil }),
    autonegAbilities: (port, abil) => gate.send({ k: 'an-abil', t: sim.queue.now, port, abil }),
    radio: (radio, a) => gate.send({ k: 'radio', t: sim.queue.now, radio, a }),
  });
  const snap = { pending: d.snapshotAt !== undefined };
  const gate: GuestGate = new GuestGate({
    name: d.node,
    index: d.index,
    queue: sim.queue,
    sync,
    endpoint,
    cpuTime: () => cpuTime(),
    // Never with --verbose-trace: its records of every access and message must come in time order.
    quiet: () => !sim.tracer.verbose && media.quiet(),
    apply: (m, at) => {
      if (m.k === 'port') media.ports[m.port]!.apply(m.call, m.st, m.v, m.data ? { data: m.data, pktId: m.pkt ?? 0, ...(m.bad ? { badFcs: true } : {}), ...(m.align ? { alignmentError: true } : {}) } : undefined, at);
      else if (m.k === 'an') media.ports[m.port]!.applyAutoneg(m.an);
      else if (m.k === 'radio') media.radios[m.radio]!.apply(m.c, m.st);
      // Keys typed at `qnxemu console` on a terminal; a line of a scenario action or counter read (queued at the shell at
      // its time, as ShellDriver.queue is called single-threaded) or of `qnxemu console` (ShellDriver.run).
      else if (m.k === 'keys') node.shell.typeRaw(m.text);
      else if (m.external) node.shell.run(m.command);
      else node.shell.queue(m.command);
    },
    tokens: d.tokens,
    guests: d.guests,
    onEnd: (until) => gate.send({ k: 'end', events: gate.eventsUpTo(until) }),
    // A missed wake-up of the protocol (guest-gate.ts SLEEP_CHECK_MS): the run is unchanged, but say so, once.
    onLateWake: (n) => {
      if (n === 1) process.stderr.write(`qnxemu: warning: guest ${d.node}: a wake-up between threads came late (recovered after ${SLEEP_CHECK_MS / 1000} s); the run is unaffected\n`);
    },
    onStuck: () => {
      if (snap.pending)
        gate.send({ k: 'snap-failed', why: `its CPU was in a quantum at the snapshot's time (${seconds(d.snapshotAt!)}) that ends after the run's end (its clock is at ${seconds(node.machine.guestTime)}): run longer (--until)` });
    },
    ...(host ? { host } : {}),
  });
  sim.tracer.addSink((r) => gate.record([r.t, r.node, r.layer, r.probe, r.pkt, r.f]));
  // A wired NIC's MAC attaches to a stand-in of its medium; a wireless NIC's radio to one of its air (where the
  // node is matters on the main thread only).
  const links = new Map(spec.nics.filter((n) => !isAir(d.scenario, n.link)).map((n) => [n.link, media.medium(n.link)]));
  const air = new Map(spec.nics.filter((n) => isAir(d.scenario, n.link)).map((n) => [n.link, media.air(n.link)]));
  const network = { media: links, air, positions: { of: () => () => ({ x: 0, y: 0, z: 0 }) } } as unknown as Network;
  const node = buildGuestNode(sim, spec, network, d.restore ? { kind: 'replay', log: GuestLog.load(d.restore.machine.log) } : { kind: 'live', instance });
  cpuTime = () => (node.machine.inQuantum ? node.machine.guestTime : null);
  node.console.onLine((text, t) => gate.send({ k: 'line', t, text }));
  // Sent at once, before anything lets the main thread go past t (guest-gate.ts publishes the own time later).
  node.shell.watch = (what, t) => gate.send({ k: 'shell', t, what });
  node.machine.clockWatch = (cpu) => gate.poll(cpu);
  if (d.stream) node.machine.onSerial((text) => post({ k: 'out', text }));
  post({ k: 'hello', attaches: media.attaches, radios: media.radioAttaches });
  const go = (m: Extract<ToGuest, { k: 'go' }>): void => {
    sim.tracer.verbose = m.verbose;
    gate.setLookahead(m.lookahead, m.frameLookahead);
    m.ports.forEach((st, i) => media.ports[i]!.setState(st));
    m.radios.forEach((st, i) => media.radios[i]!.setState(st));
    media.start();
    // A PHY's offer changed by a register write reaches the main thread's replica before the next event runs (the
    // link segment reads it only when it negotiates); the check is deterministic: it runs at the same points in any run.
    // Without a PHY (an RTL8029) there is nothing to check on this hot path.
    sim.queue.gate = !media.ports.some((p) => p.listener.autoneg)
      ? gate
      : {
          get yielded() {
            return gate.yielded;
          },
          admit: (until, mayYield) => {
            media.checkAbilities();
            return gate.admit(until, mayYield);
          },
        };
    gate.start();
    node.powerOn();
  };
  return { sim, instance, gate, node, go, snap };
}

export async function guestWorkerMain(d: GuestWorkerData): Promise<void> {
  const sync = new Int32Array(d.sync);
  const endpoint = portEndpoint<ToGuest, ToMain>(d.port);
  const post = (m: ToMain): void => {
    endpoint.post(m);
    ring(sync, SYNC_MAIN_BELL);
  };
  if (d.core) provideV86Core(d.core);
  try {
    const g = await buildThreadGuest(d, endpoint, post);
    const { sim, gate, node } = g;
    g.go(waitForGo(sync, d.index, endpoint));
    try {
      // A guest's snapshot point for time T: after every event of T or before (a quantum begun by T has ended),
      // before the first one after T. runUntil(T) returns there once no message of T or before can still come.
      // To the point exact: a carrier change of it or before, taken late, would be missing from the part.
      gate.exactOnly = d.restore !== undefined || d.snapshotAt !== undefined;
      if (d.restore) {
        sim.queue.runUntil(d.restore.at);
        const problems = pointProblems(sim, d.restore.point);
        if (problems.length > 0) throw new Error(`the run rebuilt to the snapshot's time is not the recorded one: ${problems.join('; ')}`);
        node.machine.takeOver(g.instance, d.restore.v86, d.restore.machine, d.restore.clockAtRestore);
      }
      if (d.snapshotAt !== undefined) {
        sim.queue.runUntil(d.snapshotAt);
        gate.send({ k: 'snap', part: workerPart(sim, node) });
        g.snap.pending = false;
      }
      gate.exactOnly = false;
      sim.queue.runUntil(Number.MAX_SAFE_INTEGER);
    } catch (e) {
      if (!(e instanceof StopWorker)) throw e;
    }
    gate.finish();
  } catch (e) {
    post({ k: 'error', message: (e as Error)?.message ?? String(e) });
  }
}

/** Is scenario link `link` the air (`type: wireless`)? */
function isAir(scenario: Scenario, link: string): boolean {
  return scenario.links.find((l) => l.name === link)?.type === 'wireless';
}

/** This guest's part of a snapshot at its snapshot point (its v86 state, its log, where its own simulation is). */
function workerPart(sim: Simulation, node: GuestNode): GuestSnapshot {
  const part = snapshotGuest(node);
  part.worker = { time: sim.queue.now, traceDigest: sim.tracer.digest(), traceCount: sim.tracer.count, events: pendingEvents(sim.queue, true) };
  return part;
}

function seconds(ns: Time): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

/** Before power-on: wait for the main thread's 'go' (it has attached our ports to the real media). */
function waitForGo(sync: Int32Array, index: number, endpoint: ReturnType<typeof portEndpoint<ToGuest, ToMain>>): Extract<ToGuest, { k: 'go' }> {
  const bell = guestBell(sync, index);
  for (;;) {
    const seen = Atomics.load(sync, bell);
    const m = endpoint.receive();
    if (m?.k === 'go') return m;
    if (m?.k === 'stop') throw new StopWorker();
    if (m !== undefined) throw new Error(`'${m.k}' before 'go'`);
    Atomics.wait(sync, bell, seen);
  }
}
