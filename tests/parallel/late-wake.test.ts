/**
 * A sleeping guest's safety net (guest-gate.ts SLEEP_CHECK_MS; docs/guest-time-model.md "Synchronisation"): every
 * change that lets a waiting guest go on rings its bell, but if a ring ever went missing the guest would sleep for
 * good and the run would stop. So a guest's sleep ends after SLEEP_CHECK_MS at the latest and it looks again; if
 * that look finds it can go on although nobody rang, it reports a late wake-up (`onLateWake`; the worker prints one
 * warning line) and the run goes on exactly as a rung guest's would.
 *
 * The other guest's published clock is changed by another thread while this guest sleeps: once without ringing
 * (the missed wake-up), once ringing as the protocol does.
 */
import { Worker } from 'node:worker_threads';
import { GuestGate, SLEEP_CHECK_MS } from '../../emulator/machine/parallel/guest-gate';
import { syncGuestBell, syncWords, type Endpoint, type ToGuest, type ToMain } from '../../emulator/machine/parallel/messages';
import { writeGuestState, writeMainState } from '../../emulator/machine/parallel/shared-clocks';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Simulation } from '../../emulator/machine/sim/simulation';

/** When the other thread changes the state, ms after the guest went to sleep (well inside SLEEP_CHECK_MS). */
const CHANGE_AFTER_MS = 100;

/**
 * Guest 0 of two on a hub (500 ns lookahead) with an event at 2000 ns; guest 1's published own time is 100 ns, so
 * guest 0 may run nothing after 601 ns and sleeps. Another thread then moves guest 1's own time to 10 000 ns (its
 * words stored one by one, as writeGuestState would, computed on a scratch copy), ringing guest 0's bell or not.
 */
function sleeper(ringAfterChange: boolean) {
  const sim = new Simulation(1);
  const sync = new Int32Array(new SharedArrayBuffer(4 * syncWords(2)));
  const endpoint: Endpoint<ToGuest, ToMain> = { post: () => undefined, receive: () => undefined };
  const late: number[] = [];
  const gate = new GuestGate({
    name: 'g0',
    index: 0,
    queue: sim.queue,
    sync,
    endpoint,
    cpuTime: () => null,
    apply: () => undefined,
    tokens: false,
    guests: 2,
    onLateWake: (n) => late.push(n),
  });
  gate.setLookahead([500, 500]);
  writeMainState(sync, { top: Infinity, cap: 1_000_000, drained: [0, 0], sentTo: [0, 0], heads: [Infinity, Infinity], final: false, end: 0 });
  writeGuestState(sync, 1, { own: 100, sent: 0, recv: 0 });
  const scratch = new Int32Array(new SharedArrayBuffer(sync.byteLength));
  scratch.set(sync);
  writeGuestState(scratch, 1, { own: 10_000, sent: 0, recv: 0 });
  const words: [number, number][] = [];
  for (let i = 0; i < sync.length; i++) if (scratch[i] !== sync[i]) words.push([i, scratch[i]!]);
  const worker = new Worker(
    `const { workerData: { sync, words, bell, after, ring, rescue } } = require('node:worker_threads');
     const s = new Int32Array(sync);
     setTimeout(() => {
       for (const [i, v] of words) Atomics.store(s, i, v);
       if (ring) { Atomics.add(s, bell, 1); Atomics.notify(s, bell); }
     }, after);
     // A gate without the safety net would sleep for good and block this test's thread (jest could not time it out):
     // ring late instead, so that such a gate fails the test (a rung wake-up is not a late one) rather than hangs it.
     setTimeout(() => { Atomics.add(s, bell, 1); Atomics.notify(s, bell); }, rescue);`,
    { eval: true, workerData: { sync: sync.buffer, words, bell: syncGuestBell(0), after: CHANGE_AFTER_MS, ring: ringAfterChange, rescue: 5 * SLEEP_CHECK_MS } },
  );
  sim.queue.gate = gate;
  const ran: number[] = [];
  sim.queue.schedule(new SimEvent('e2000', () => ran.push(sim.queue.now)), 2000);
  return { sim, ran, late, worker, online: new Promise<void>((ok) => worker.once('online', () => ok())) };
}

describe("a sleeping guest's missed wake-up", () => {
  test('nobody rings: after SLEEP_CHECK_MS the guest looks again, goes on and reports one late wake-up', async () => {
    const g = sleeper(false);
    await g.online;
    g.sim.queue.runUntil(3000);
    await g.worker.terminate();
    expect(g.ran).toEqual([2000]);
    expect(g.sim.queue.now).toBe(3000);
    // Only the timeout can have woken it: the change came without a ring while it slept.
    expect(g.late).toEqual([1]);
  }, 20_000);

  test('the change rings as the protocol does: the guest goes on at once and reports nothing', async () => {
    const g = sleeper(true);
    await g.online;
    g.sim.queue.runUntil(3000);
    await g.worker.terminate();
    expect(g.ran).toEqual([2000]);
    expect(g.late).toEqual([]);
  }, 20_000);
});
