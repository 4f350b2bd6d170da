/**
 * A guest's gate after the run's end (guest-gate.ts, shared-clocks.ts `final`; docs/guest-time-model.md "Snapshots
 * with worker threads"): once the main thread has run everything up to the end and will run nothing more, whatever
 * a longer run would send a guest comes after the end, so the guest may run its events up to end + 1 ns and get to
 * its snapshot point. What needs the main thread to go past the end never runs: the guest says it is stuck once.
 */
import { GuestGate } from '../../emulator/machine/parallel/guest-gate';
import { syncGuestStuck, syncWords, type Endpoint, type ToGuest, type ToMain } from '../../emulator/machine/parallel/messages';
import { writeGuestState, writeMainState } from '../../emulator/machine/parallel/shared-clocks';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Simulation } from '../../emulator/machine/sim/simulation';

class Stuck extends Error {}

function guestAfterEnd(end: number, final: boolean, other?: { own: number; stuck: boolean; lookahead: number; cap: number }) {
  const sim = new Simulation(1);
  const guests = other ? 2 : 1;
  const sync = new Int32Array(new SharedArrayBuffer(4 * syncWords(guests)));
  const posted: ToMain[] = [];
  const endpoint: Endpoint<ToGuest, ToMain> = { post: (m) => void posted.push(m), receive: () => undefined };
  let stuck = 0;
  const gate = new GuestGate({
    name: 'g',
    index: 0,
    queue: sim.queue,
    sync,
    endpoint,
    cpuTime: () => null,
    apply: () => undefined,
    tokens: false,
    guests,
    onStuck: () => {
      stuck++;
      // A worker would sleep until the main thread stops it; here the test ends the wait.
      throw new Stuck();
    },
  });
  // Nothing local is left on the main thread, nothing is in flight: the horizon is the run's end.
  const zeros = new Array<number>(guests).fill(0);
  writeMainState(sync, { top: Infinity, cap: other?.cap ?? end, drained: zeros, sentTo: zeros, heads: zeros.map(() => Infinity), final, end });
  if (other) {
    gate.setLookahead([other.lookahead, other.lookahead]);
    writeGuestState(sync, 1, { own: other.own, sent: 0, recv: 0 });
    if (other.stuck) Atomics.store(sync, syncGuestStuck(1), 1);
  }
  sim.queue.gate = gate;
  const ran: number[] = [];
  const at = (t: number) => sim.queue.schedule(new SimEvent(`e${t}`, () => ran.push(sim.queue.now)), t);
  return { sim, gate, ran, at, stuck: () => stuck };
}

describe("a guest's gate after the run's end", () => {
  test('runUntil(end) returns at the end: no message of the end or before can come any more', () => {
    const g = guestAfterEnd(1000, true);
    g.at(400);
    g.at(1000);
    g.at(1500);
    g.sim.queue.runUntil(1000);
    expect(g.ran).toEqual([400, 1000]);
    expect(g.sim.queue.now).toBe(1000);
    expect(g.stuck()).toBe(0);
    // The events it ran up to the run's end (the summary counts them).
    expect(g.gate.eventsUpTo(1000)).toBe(2);
  });

  test('an event after the end needs the main thread to go on: the guest says it is stuck, once', () => {
    const g = guestAfterEnd(1000, true);
    g.at(900);
    g.at(1001);
    expect(() => g.sim.queue.runUntil(Number.MAX_SAFE_INTEGER)).toThrow(Stuck);
    expect(g.ran).toEqual([900]);
    expect(g.stuck()).toBe(1);
  });

  test("a guest stuck after the end bounds the others for good: up to its own time + 1 + lookahead, then stuck", () => {
    // The run ended at 1000 (an interrupted run: its limit was 5000). The other guest is stuck at 1200 on a hub (500 ns).
    const g = guestAfterEnd(1000, true, { own: 1200, stuck: true, lookahead: 500, cap: 5000 });
    g.at(1600);
    g.at(1701);
    g.at(1702);
    expect(() => g.sim.queue.runUntil(Number.MAX_SAFE_INTEGER)).toThrow(Stuck);
    expect(g.ran).toEqual([1600, 1701]);
    expect(g.stuck()).toBe(1);
    // Up to 1700 the run's end could not come before (its horizon): events after it are counted by their times.
    expect(g.gate.settled).toBe(1700);
    expect([g.gate.eventsUpTo(1700), g.gate.eventsUpTo(1701)]).toEqual([1, 2]);
  });

  test('before the end is final, events up to the end run and nothing is stuck', () => {
    const g = guestAfterEnd(1000, false);
    g.at(700);
    g.at(1000);
    // Up to 1000 the horizon (the run's end) allows them; runUntil(999) returns without waiting (999 < horizon).
    g.sim.queue.runUntil(999);
    expect(g.ran).toEqual([700]);
    expect(g.stuck()).toBe(0);
  });
});
