/**
 * A guest of a threaded run hosted on the main thread (docs/guest-time-model.md "The main thread hosts one guest").
 *
 * With `--threads N` and N guests, N − 1 of them run in workers and the last on the main thread, beside the rest of
 * the simulation (media, QNX nodes, the trace): N busy threads on N cores instead of N + 1, and what the hosted guest
 * and the main thread's events wait for in each other costs a function call instead of a wake-up through the
 * scheduler. The guest is built and synchronised exactly as in a worker (guest-worker.ts `buildThreadGuest`, the same
 * GuestGate protocol, its messages through an in-thread channel, copied as a MessagePort copies them), so where it runs
 * does not change the run: the same bytes as with every guest in a worker.
 *
 * Who runs when, all on one thread: the main gate, when its next event cannot run yet, runs the hosted guest's events
 * that may run (`run`); the guest, when an event of its own cannot run yet, gives the thread back (its gate yields,
 * armed); when its CPU waits inside a register access it runs the main thread's events that may run meanwhile
 * (`GuestHost.pump`, never the guest's own again); when neither can go on the thread sleeps once for both, on the main
 * thread's bell, which rings for either (the guest's bell is the main thread's: messages.ts `syncGuestHosted`).
 */
import { StopWorker } from '../../machine/parallel/guest-gate';
import type { MainGate } from '../../machine/parallel/main-gate';
import type { Endpoint, ToGuest, ToMain } from '../../machine/parallel/messages';
import { buildThreadGuest, type GuestBuildData, type ThreadGuest } from './guest-worker';

/**
 * Events the hosted guest runs before the main thread looks again (its waits give the thread back sooner): as many as
 * a slice of a run with guests (testing/execute.ts GUEST_SLICE_EVENTS), after which the caller's event loop turns.
 */
const SLICE_EVENTS = 16;

/** Two ends of a channel within one thread; each message is copied, as posting it to a worker would. */
export function localChannel<A, B>(): [Endpoint<B, A>, Endpoint<A, B>] {
  const toB: A[] = [];
  const toA: B[] = [];
  const a: Endpoint<B, A> = { post: (m) => void toB.push(structuredClone(m)), receive: () => toA.shift() };
  const b: Endpoint<A, B> = { post: (m) => void toA.push(structuredClone(m)), receive: () => toB.shift() };
  return [a, b];
}

export class HostedGuest {
  private built: ThreadGuest | null = null;
  private started = false;
  private stopped = false;
  private gate: MainGate | null = null;

  private constructor(private readonly endpoint: Endpoint<ToGuest, ToMain>) {}

  /** Build the guest (as its worker would) and say hello on `endpoint`, its end of the channel to the main thread. */
  static async build(d: GuestBuildData, endpoint: Endpoint<ToGuest, ToMain>): Promise<HostedGuest> {
    const h = new HostedGuest(endpoint);
    h.built = await buildThreadGuest(d, endpoint, (m) => endpoint.post(m), {
      pump: () => h.gate!.pump(),
      sleep: (seen) => h.gate!.sleepHosted(seen),
    });
    return h;
  }

  /** The main thread's gate is installed: the guest's waits go through it. */
  attach(gate: MainGate): void {
    this.gate = gate;
    gate.host = this;
  }

  /**
   * Run the guest's events that may run now (MainGate.host): true if any ran. Before the main thread's 'go' it has
   * none; 'stop', or the run's end while it would wait, ends it for good.
   */
  run(): boolean {
    const g = this.built;
    if (!g) return false;
    if (this.stopped) {
      // Ended by the run's end while it would have waited (guest-gate.ts): what it ran up to the end is still its count.
      for (let m = this.endpoint.receive(); m !== undefined; m = this.endpoint.receive()) {
        if (m.k === 'end') g.gate.send({ k: 'end', events: g.gate.eventsUpTo(m.until) });
      }
      return false;
    }
    if (!this.started) {
      const m = this.endpoint.receive();
      if (m === undefined) return false;
      if (m.k === 'stop') {
        this.stopped = true;
        return false;
      }
      if (m.k !== 'go') throw new Error(`guest ${g.node.name}: '${m.k}' before 'go'`);
      this.started = true;
      g.go(m);
    }
    const q = g.sim.queue;
    const ran = q.executed;
    try {
      q.runSlice(Number.MAX_SAFE_INTEGER, SLICE_EVENTS);
    } catch (e) {
      if (!(e instanceof StopWorker)) throw e;
      this.stopped = true;
    }
    return q.executed !== ran;
  }

  /** The run is closing: run nothing more. */
  stop(): void {
    this.stopped = true;
  }
}
