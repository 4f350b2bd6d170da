/**
 * A threaded run (`--threads`) replayed on one thread, partition by partition (docs/guest-time-model.md "The debugger
 * and a threaded run"). The main thread's part of such a run depends on the guests only through what they send it —
 * their transmissions and other causal messages, their trace records, console lines and shell reports — each taken in
 * by time and by the guest's own order, never by when it arrived (main-gate.ts): the run is the one an eager
 * insertion of every message gives. So a recording of those messages (GuestWorkers with `record`) is all the main
 * thread's part needs to run again, record for record, without a worker, a v86 or a wait: `RecordedWorkers` stands in
 * for the workers, hands the gate each guest's messages at once, answers that the guest will send nothing more, and
 * takes what the main thread sends the guests without acting on it (the recorded guests already answered it).
 * The replay's trace, events and consoles are the threaded run's (tests/debug/threaded.test.ts).
 */
import { isCausal, isTimedToGuest, syncWords } from '../../machine/parallel/messages';
import { writeGuestState } from '../../machine/parallel/shared-clocks';
import type { Time } from '../../machine/sim/time';
import { GuestWorkers, type GuestRecording, type StartedGuest } from './guest-workers';

export type { GuestRecording } from './guest-workers';

/** The largest own time a guest can publish (shared-clocks.ts stores times below 2^53). */
const NEVER: Time = 2 ** 53 - 1;

/**
 * The workers of a recorded threaded run, replayed: each guest's endpoint gives its recorded messages at once, and
 * its published state says it will send nothing more and has taken in everything sent to it, so the main gate never
 * waits. Build one per replay (the endpoints are read once).
 */
export class RecordedWorkers extends GuestWorkers {
  constructor(private readonly recordings: readonly GuestRecording[]) {
    // Nothing here waits or is shared: a page that is not cross-origin isolated has no SharedArrayBuffer, and
    // Atomics reads and writes a plain buffer's words all the same (the web page replays a threaded run: its core).
    const bytes = 4 * syncWords(recordings.length);
    const sab = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    const sync = new Int32Array(sab);
    const guests: StartedGuest[] = recordings.map((r) => {
      let next = 0;
      let taken = 0;
      const causal = r.messages.filter(isCausal).length;
      writeGuestState(sync, r.index, { own: NEVER, sent: causal, recv: 0 });
      return {
        failure: null,
        name: r.name,
        index: r.index,
        worker: null,
        attaches: r.attaches,
        radios: r.radios,
        endpoint: {
          receive: () => (next < r.messages.length ? r.messages[next++] : undefined),
          // What the main thread sends the guest: counted as taken in at once (the recording holds the answers).
          post: (m) => {
            if (m.k === 'stop' || !isTimedToGuest(m)) return;
            taken++;
            writeGuestState(sync, r.index, { own: NEVER, sent: causal, recv: taken });
          },
        },
      };
    });
    super(guests, sab);
  }

  /** The run has ended: the guests' events up to it are the recorded ones (nothing to wait for). */
  override finish(): { events: number; end: Time } | null {
    const gate = this.gate;
    if (!gate) return null;
    return { events: this.recordings.reduce((n, r) => n + r.events, 0), end: gate.peekEnd() };
  }
}
