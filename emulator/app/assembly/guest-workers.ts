/**
 * The main thread's side of guests in worker threads (`qnxemu run --threads N`; docs/guest-time-model.md "Guests in
 * worker threads"). `startGuestWorkers` starts one worker per guest node (guest-worker.ts), which creates its v86 and
 * builds the node, and says which media its NICs attach to; `assemble` (assembly/run.ts) then puts, where the guest
 * would be, a RemoteGuestNode: a station stand-in per NIC on the real medium (station-proxy.ts), a mirror of its
 * console, and the main queue's gate (main-gate.ts). Closing the run stops the workers.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Simulation } from '../../machine/sim/simulation';
import { MainGate, type MainGuest } from '../../machine/parallel/main-gate';
import { frameOf, StationProxy } from '../../machine/parallel/station-proxy';
import { RadioProxy, type RadioAttachInfo } from '../../machine/parallel/radio-stand-ins';
import { guestBell, ring, SYNC_TOKENS, syncGuestHosted, syncWords, type AttachInfo, type Endpoint, type ToGuest, type ToMain } from '../../machine/parallel/messages';
import type { Time } from '../../machine/sim/time';
import type { NodeSpec, Scenario } from '../scenario/types';
import { guestFiles, type PrepareOptions } from './guest-node';
import type { Network } from './network';
import { portEndpoint } from './port-endpoint';
import { v86Core } from '../../machine/v86/v86-runtime';
import type { GuestBuildData, GuestWorkerData, WorkerRestore } from './guest-worker';
import { HostedGuest, localChannel } from './hosted-guest';
import type { GuestSnapshot } from './guest-snapshot';
import { CliError } from '../cli/errors';

/** What one guest of a threaded run sent the main thread, as the run took it in. */
export interface GuestRecording {
  name: string;
  /** The guest's number in the run (scenario order among the guests). */
  index: number;
  /** Its NICs' and radios' attachments, as its worker reported them ('hello'). */
  attaches: AttachInfo[];
  radios: RadioAttachInfo[];
  /** Its messages in the order it sent them: causal ones, trace records, console lines, shell reports. */
  messages: ToMain[];
  /** The events it ran up to the run's end (its 'end' report: the run's summary counts them). */
  events: number;
}

/**
 * The messages a replay needs: everything that changes the main thread's run or its trace. Left out: own times
 * ('safe': the replay knows the guests send nothing more), the worker's reports (snapshot parts, events at the end,
 * console output streamed for `qnxemu console`) and its start and failure.
 */
export function isRecorded(m: ToMain): boolean {
  return m.k !== 'safe' && m.k !== 'snap' && m.k !== 'snap-failed' && m.k !== 'end' && m.k !== 'out' && m.k !== 'error' && m.k !== 'hello';
}

/** A started worker, before assembly (guest-recording.ts makes stand-ins of these for a replay). */
export interface StartedGuest {
  /** Set when the worker thread fails or exits. */
  failure: string | null;
  name: string;
  index: number;
  /** Null: a guest replayed from a recording (guest-recording.ts). */
  worker: Worker | null;
  endpoint: Endpoint<ToMain, ToGuest>;
  attaches: AttachInfo[];
  radios: RadioAttachInfo[];
}

export interface WorkerOptions extends PrepareOptions {
  /** At most this many guests execute at once (`--threads`). */
  threads: number;
  /** The run takes a snapshot at this time (`--snapshot-at`): each guest takes its part in its worker. */
  snapshotAt?: Time | undefined;
  /** The run restores a snapshot (`--restore`): per guest, what its worker replays and takes over from. */
  restore?: Map<string, WorkerRestore> | undefined;
  /** `qnxemu console` is attached to this guest: its worker posts the serial output as it comes (GuestWorkers.onOut). */
  stream?: string | undefined;
  /** The run's seed (the scenario's unless overridden). */
  seed: number;
  /** The script a worker runs: the CLI bundle (default: this process's script). */
  script?: string;
  /** Keep every message the guests send (GuestWorkers.recording): the debugger replays the run from them. */
  record?: boolean;
}

/** What became of the guests' parts of a snapshot: all of them (scenario order), or why one could not be taken. */
export type WorkerSnapshotParts = { ok: true; parts: GuestSnapshot[] } | { ok: false; why: string };

/** The guests' workers, started and waiting for assembly. */
export class GuestWorkers {
  readonly sync: Int32Array;
  gate: MainGate | null = null;
  /** The guest this thread hosts (hosted-guest.ts), if any. */
  hosted: HostedGuest | null = null;
  private stopped = false;
  /** The guests' snapshot parts as they come (a worker takes its part when it gets there: guest-worker.ts). */
  private readonly parts: (GuestSnapshot | null)[];
  private failed: string | null = null;
  private onParts: ((r: WorkerSnapshotParts) => void) | null = null;
  /** Per guest, the events it ran up to the run's end ('end' report). */
  private ends: (number | null)[] = [];
  /** Per guest, what it sent that the main thread's run depends on, in order (WorkerOptions.record); null: not kept. */
  private readonly recorded: ToMain[][] | null;

  constructor(
    readonly guests: StartedGuest[],
    sab: SharedArrayBuffer | ArrayBuffer,
    record = false,
  ) {
    this.sync = new Int32Array(sab);
    this.parts = guests.map(() => null);
    this.recorded = record ? guests.map(() => []) : null;
  }

  /** A message guest g sent, as the main thread takes it in: kept if it is part of the run (guest-recording.ts). */
  took(g: number, m: ToMain): void {
    if (this.recorded && isRecorded(m)) this.recorded[g]!.push(m);
  }

  /**
   * Everything the main thread's run took from the guests (WorkerOptions.record), once the run has closed: per guest,
   * its messages in order and the events it ran up to the end. Null if not recorded, or if a guest's count is missing.
   */
  recording(): GuestRecording[] | null {
    const rec = this.recorded;
    if (!rec || this.ends.some((n) => n === null) || this.ends.length !== this.guests.length) return null;
    return this.guests.map((g, i) => ({ name: g.name, index: g.index, attaches: g.attaches, radios: g.radios, messages: rec[i]!, events: this.ends[i]! }));
  }

  /** A guest's part of the snapshot, or why it cannot take it (MainGate.onSnap). */
  snapPart(g: number, m: Extract<ToMain, { k: 'snap' | 'snap-failed' }>): void {
    if (m.k === 'snap') this.parts[g] = m.part as GuestSnapshot;
    else this.failed ??= `${this.guests[g]!.name}: ${m.why}`;
  }

  /** The streamed guest's serial output as its CPU prints it (`qnxemu console`; WorkerOptions.stream). */
  onOut: ((text: string) => void) | null = null;

  /** How many events a guest ran up to the run's end ('end' report). */
  end(g: number, events: number): void {
    this.ends[g] = events;
  }

  /** The main thread is at the snapshot's time: `cb` gets the guests' parts when the run closes (`finish`). */
  whenSnapshot(cb: (r: WorkerSnapshotParts) => void): void {
    this.onParts = cb;
  }

  /**
   * The run has ended. Each guest says how many events it ran up to the end (the summary counts them), and a
   * snapshot that waits for guests' parts gets them: the guests get to their snapshot points (a quantum begun before
   * the snapshot's time ends after it) while nothing more runs here (MainGate.serveUntil). Returns the guests' events
   * and the end they were counted to.
   */
  finish(interrupted = false): { events: number; end: Time } | null {
    const gate = this.gate;
    if (!gate) return null;
    const cb = this.onParts;
    this.onParts = null;
    this.ends = this.guests.map(() => null);
    // Where the run stopped, once no message can still change it (a stop condition may hold between messages); on a
    // signal, at once: as far as every guest has got (an interrupted run is where the wall clock stopped it anyway).
    const end = interrupted ? gate.reachedEnd() : gate.settleEnd();
    // A worker that ended (it failed; the run reported it) answers nothing: take what the others have.
    if (this.guests.some((g) => g.failure !== null)) {
      cb?.({ ok: false, why: "a guest's worker thread ended before the run did" });
      return null;
    }
    for (const g of this.guests) gate.send(g.index, { k: 'end', until: end });
    try {
      gate.serveUntil(() => this.ends.every((n) => n !== null) && (!cb || this.failed !== null || this.parts.every((p) => p !== null)), end);
    } catch (e) {
      this.failed ??= (e as Error).message;
    }
    cb?.(this.failed !== null ? { ok: false, why: this.failed } : { ok: true, parts: this.parts as GuestSnapshot[] });
    return { events: this.ends.reduce((sum: number, n) => sum + (n ?? 0), 0), end };
  }

  has(name: string): boolean {
    return this.guests.some((g) => g.name === name);
  }

  /**
   * Stop every worker and end it. What they traced or printed after the last point the run had synchronised to is
   * dropped: how far a guest had got beyond it depends on the threads' timing (main-gate.ts `admit`).
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.hosted?.stop();
    for (const g of this.guests) {
      g.endpoint.post({ k: 'stop' });
      ring(this.sync, guestBell(this.sync, g.index));
    }
    for (const g of this.guests) void g.worker?.terminate();
  }

}

/**
 * Which guest the main thread hosts (hosted-guest.ts), or -1: the last one, when every guest can have a thread of its
 * own (`--threads` not below their number: the main thread's is one of them) and the run needs nothing only a worker
 * does — a snapshot's part or a restore's replay (taken at a point the worker's loop stops at), a console streamed as
 * it prints, the debugger's recording. Where a guest runs does not change the run.
 */
export function hostedIndex(guests: number, opts: Pick<WorkerOptions, 'threads' | 'snapshotAt' | 'restore' | 'stream' | 'record'>): number {
  if (guests === 0 || opts.threads < guests) return -1;
  if (opts.snapshotAt !== undefined || opts.restore !== undefined || opts.stream !== undefined || opts.record === true) return -1;
  return guests - 1;
}

/** Start a worker per guest node of `scenario` (one of them hosted on this thread) and wait until each has built its node. */
export async function startGuestWorkers(scenario: Scenario, opts: WorkerOptions): Promise<GuestWorkers> {
  const files = await guestFiles(scenario, opts);
  const sab = new SharedArrayBuffer(4 * syncWords(files.length));
  const sync = new Int32Array(sab);
  const limited = opts.threads < files.length;
  Atomics.store(sync, SYNC_TOKENS, opts.threads);
  const host = hostedIndex(files.length, opts);
  if (host >= 0) Atomics.store(sync, syncGuestHosted(host), 1);
  let hosted: Promise<HostedGuest> | null = null;
  const script = opts.script ?? process.argv[1]!;
  // Compiled once here and shared: its TurboFan tier-ups serve every guest, and no worker changes V8's flags.
  const core = v86Core();
  const started = files.map(([spec, f], index): { g: StartedGuest; failed: Promise<never> } => {
    if (index === host) {
      const [mainEnd, guestEnd] = localChannel<ToGuest, ToMain>();
      const d: GuestBuildData = { scenario, node: spec.name, index, seed: opts.seed, sync: sab, files: f, tokens: false, guests: files.length };
      hosted = HostedGuest.build(d, guestEnd);
      const g: StartedGuest = { failure: null, name: spec.name, index, worker: null, endpoint: mainEnd, attaches: [], radios: [] };
      return { g, failed: hosted.then(() => new Promise<never>(() => undefined)) };
    }
    const ch = new MessageChannel();
    const restore = opts.restore?.get(spec.name);
    const data: GuestWorkerData = {
      qnxemuGuestWorker: true,
      scenario,
      node: spec.name,
      index,
      seed: opts.seed,
      sync: sab,
      port: ch.port2,
      files: f,
      tokens: limited,
      guests: files.length,
      ...(opts.snapshotAt !== undefined ? { snapshotAt: opts.snapshotAt } : {}),
      ...(restore ? { restore } : {}),
      ...(opts.stream === spec.name ? { stream: true } : {}),
      core,
    };
    const worker = new Worker(script, { workerData: data, transferList: [ch.port2] });
    worker.unref(); // the run ends the workers; they never keep the process alive
    const g: StartedGuest = { failure: null, name: spec.name, index, worker, endpoint: portEndpoint<ToMain, ToGuest>(ch.port1), attaches: [], radios: [] };
    const failed = new Promise<never>((_, reject) =>
      worker.once('error', (e) => {
        g.failure = e.message;
        reject(new CliError(scenario.file, `node ${spec.name} (a guest in a worker thread): ${e.message}`));
      }),
    );
    worker.once('exit', (code) => (g.failure ??= `exit code ${code}`));
    return { g, failed };
  });
  const workers = new GuestWorkers(
    started.map((s) => s.g),
    sab,
    opts.record === true,
  );
  try {
    if (hosted) workers.hosted = await hosted;
  } catch (e) {
    workers.stop();
    throw new CliError(scenario.file, `node ${files[host]![0].name} (a guest on the main thread): ${(e as Error).message}`);
  }
  // Hello: each worker has created its v86 and built the node (polled: the ports are read without the event loop).
  try {
    for (const { g, failed } of started) {
      failed.catch(() => undefined);
      for (;;) {
        const m = g.endpoint.receive();
        if (m?.k === 'hello') {
          g.attaches = m.attaches;
          g.radios = m.radios;
          break;
        }
        if (m?.k === 'error') throw new CliError(scenario.file, `node ${g.name} (a guest in a worker thread): ${m.message}`);
        // Wall clock: a 5 ms poll while the workers start (before the run; nothing simulated depends on when it ends).
        await Promise.race([failed, new Promise((r) => setTimeout(r, 5))]);
      }
    }
  } catch (e) {
    // The others are ended too: `qnxemu test` goes on to its next scenario in this process.
    workers.stop();
    throw e;
  }
  return workers;
}

/** A guest's console as the main thread sees it: the lines its worker sent, each at its own time. */
export class ConsoleMirror {
  readonly lines: { t: number; text: string }[] = [];
  private listeners: ((text: string, t: number) => void)[] = [];
  constructor(readonly node: string) {}
  onLine(fn: (text: string, t: number) => void): void {
    this.listeners.push(fn);
  }
  line(text: string, t: number): void {
    this.lines.push({ t, text });
    for (const l of this.listeners) l(text, t);
  }
  text(): string {
    return this.lines.map((l) => l.text + '\n').join('');
  }
}

/**
 * What a scenario's actions and counter reads (emulator/app/testing/inject.ts, collect.ts) and `qnxemu console` use of a
 * guest's shell: the ShellDriver itself when the guest runs on the main thread, a RemoteShell when it runs in a worker.
 */
export interface ShellView {
  /** Queue a command on behalf of the scenario: typed when the prompt shows, after what is already queued. */
  queue(command: string): void;
  /** Commands typed so far. */
  readonly typed: number;
  /** Commands queued and not yet typed. */
  readonly waiting: number;
  /** The prompt has shown at least once (the guest finished booting). */
  readonly ready: boolean;
  /** Every complete console line so far. */
  readonly lines: readonly string[];
  /** At its prompt with nothing queued (`qnxemu console` ends a piped session then). */
  readonly idle: boolean;
  /** A line from outside the scenario, and keys as typed on a terminal (`qnxemu console`). */
  run(command: string): void;
  typeRaw(text: string): void;
}

/**
 * A guest's shell as the main thread sees it while the guest runs in a worker. `queue` sends the command to the worker
 * as a timed message of the current time, which queues it at the real shell (ShellDriver) at that time. What the real
 * shell did comes back stamped with its time — each command typed, the prompt's first showing — and, like a message
 * sent then, counts here from 1 ns later: the main thread runs an event at T only once no guest can still send
 * anything of a time before T (main-gate.ts), so what `typed` and `ready` say in an event never depends on when, in
 * wall time, a report arrived. `lines` are the console's lines (the shell's lines are its console's, one for one:
 * guest-node.ts) as the record merge hands them over, which is by time too.
 */
export class RemoteShell implements ShellView {
  readonly lines: string[] = [];
  /** Commands queued so far, the guest's `commands:` included: the shell types them in this order. */
  private queued: number;
  /** When each command was typed, in order (the shell types one at a time: these times increase). */
  private readonly typedAt: Time[] = [];
  private promptAt: Time = Infinity;
  /** When the shell last became idle (at its prompt with nothing queued: ShellDriver.idle), -1: not yet. */
  private idleAt: Time = -1;

  constructor(
    private readonly clock: { readonly now: Time },
    commands: number,
    private readonly send: (command: string, how: 'queue' | 'run' | 'keys') => void,
  ) {
    this.queued = commands;
  }

  queue(command: string): void {
    this.queued++;
    this.send(command, 'queue');
  }

  /** A line from outside the scenario (`qnxemu console`): ShellDriver.run in the worker. */
  run(command: string): void {
    this.queued++;
    this.send(command, 'run');
  }

  /** Keys as typed on a terminal (`qnxemu console`): ShellDriver.typeRaw in the worker. */
  typeRaw(text: string): void {
    this.send(text, 'keys');
  }

  /** Everything queued was typed and the shell is back at its prompt (as the worker reported, from 1 ns later). */
  get idle(): boolean {
    const n = this.typedAt.length;
    return this.waiting === 0 && this.idleAt >= 0 && this.idleAt < this.clock.now && (n === 0 || this.idleAt >= this.typedAt[n - 1]!);
  }

  get typed(): number {
    let n = this.typedAt.length;
    while (n > 0 && this.typedAt[n - 1]! >= this.clock.now) n--;
    return n;
  }

  get waiting(): number {
    return this.queued - this.typed;
  }

  get ready(): boolean {
    return this.promptAt < this.clock.now;
  }

  /** A report of the worker's shell (taken in with the guest's other messages). */
  report(m: Extract<ToMain, { k: 'shell' }>): void {
    if (m.what === 'typed') this.typedAt.push(m.t);
    else if (m.what === 'idle') this.idleAt = m.t;
    else this.promptAt = Math.min(this.promptAt, m.t);
  }
}

/** A guest node whose CPU and NICs run in a worker: what the main thread holds of it. */
export interface RemoteGuestNode {
  readonly name: string;
  readonly spec: NodeSpec;
  readonly console: ConsoleMirror;
  /** Its shell, for scenario actions and counter reads. */
  readonly shell: ShellView;
  /** Its NICs as the scenario gave them (faults and impairments find their ports by these). */
  readonly nics: { spec: NodeSpec['nics'][number] }[];
  powerOn(): void;
}

/** Where the guest would be built: its NICs' stand-ins on the real media, its console mirror. */
export function buildRemoteGuest(sim: Simulation, spec: NodeSpec, network: Network, workers: GuestWorkers): RemoteGuestNode & MainGuest {
  const g = workers.guests.find((x) => x.name === spec.name)!;
  const consoleMirror = new ConsoleMirror(spec.name);
  let started = false;
  const early: ToGuest[] = [];
  const send = (m: ToGuest): void => {
    if (!started) early.push(m);
    else workers.gate!.send(g.index, m);
  };
  const proxies = g.attaches.map((a, i) => {
    const medium = network.media.get(a.link);
    if (!medium) throw new Error(`node ${spec.name}: link ${a.link} is not a hub, cable or switch (a guest in a worker thread)`);
    return new StationProxy(
      medium,
      a,
      i,
      (port, call, st, x) =>
        send({
          k: 'port',
          t: sim.queue.now,
          port,
          call,
          st,
          ...(x.v !== undefined ? { v: x.v } : {}),
          ...(x.frame ? { data: x.frame.data, pkt: x.frame.pktId, ...(x.frame.badFcs ? { bad: true } : {}), ...(x.frame.alignmentError ? { align: true } : {}) } : {}),
        }),
      (port, an) => send({ k: 'an', t: sim.queue.now, port, an }),
    );
  });
  // Each 802.11 radio: a listener on the real air at the node's position, labelled for captures by the NIC's address.
  const radios = g.radios.map((a, i) => {
    const air = network.air.get(a.link);
    if (!air) throw new Error(`node ${spec.name}: link ${a.link} is not wireless (a guest in a worker thread)`);
    const proxy = new RadioProxy(i, (radio, c, st) => send({ k: 'radio', t: sim.queue.now, radio, c, st }));
    proxy.port = air.attach(proxy, a.name, network.positions.of(spec.name));
    const nic = spec.nics.find((n) => n.link === a.link);
    if (nic) air.setCaptureAddress(a.name, nic.mac);
    return { proxy, air };
  });
  const shell = new RemoteShell(sim.queue, spec.guest?.commands.length ?? 0, (text, how) =>
    send(how === 'keys' ? { k: 'keys', t: sim.queue.now, text } : { k: 'type', t: sim.queue.now, command: text, ...(how === 'run' ? { external: true as const } : {}) }),
  );
  consoleMirror.onLine((text) => shell.lines.push(text));
  return {
    name: spec.name,
    spec,
    console: consoleMirror,
    shell,
    nics: spec.nics.map((n) => ({ spec: n })),
    // The shell's reports are the stand-in's: the gate gets the guest's other messages.
    endpoint: {
      post: (m) => g.endpoint.post(m),
      receive: () => {
        for (;;) {
          const m = g.endpoint.receive();
          if (m !== undefined) workers.took(g.index, m);
          if (m?.k !== 'shell') return m;
          shell.report(m);
        }
      },
    },
    lookahead: Math.min(...proxies.map((p) => p.medium.lookahead ?? 0), ...radios.map((r) => r.air.lookahead)),
    frameLookahead: Math.min(...proxies.map((p) => p.medium.frameLookahead ?? p.medium.lookahead ?? 0), ...radios.map((r) => r.air.lookahead)),
    apply(m: ToMain): void {
      if (m.k === 'tx') proxies[m.port]!.transmit(frameOf(m));
      else if (m.k === 'reneg') proxies[m.port]!.renegotiate(m.fdx);
      else if (m.k === 'an-restart') proxies[m.port]!.autonegRestart(m.abil);
      else if (m.k === 'an-abil') proxies[m.port]!.autonegOffers(m.abil);
      else if (m.k === 'radio') radios[m.radio]!.proxy.act(m.a);
    },
    line: (text, t) => consoleMirror.line(text, t),
    failure: () => g.failure,
    powerOn(): void {
      started = true;
      workers.gate!.send(g.index, { k: 'go', ports: proxies.map((p) => p.state()), radios: radios.map((r) => r.proxy.state()), verbose: sim.tracer.verbose, lookahead: [...workers.gate!.lookahead], frameLookahead: [...workers.gate!.frameLookahead] });
      for (const m of early.splice(0)) workers.gate!.send(g.index, m);
    },
  };
}

/** Gate the main queue: from now on it runs only what the guests' progress allows. */
export function installGate(sim: Simulation, workers: GuestWorkers, guests: MainGuest[]): void {
  const gate = new MainGate(sim.queue, sim.tracer, workers.sync, guests);
  gate.onReport = (g, m) => m.k === 'end' ? workers.end(g, m.events) : m.k === 'out' ? workers.onOut?.(m.text) : workers.snapPart(g, m);
  workers.gate = gate;
  workers.hosted?.attach(gate);
  sim.queue.gate = gate;
}
