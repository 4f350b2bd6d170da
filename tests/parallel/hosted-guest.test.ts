/**
 * A guest hosted on the main thread (emulator/app/assembly/hosted-guest.ts; docs/guest-time-model.md "The main thread
 * hosts one guest"): which guest is hosted, its in-thread channel, its bell, and its gate's waits, which give the
 * thread back or run the main thread's events instead of sleeping alone. That a hosted guest gives the run every guest
 * in a worker gives is checked end to end by tests/system/threads*.test.ts: `--threads 2` hosts one of two guests,
 * `--threads 1` none.
 */
import { hostedIndex } from '../../emulator/app/assembly/guest-workers';
import { localChannel } from '../../emulator/app/assembly/hosted-guest';
import { GuestGate, StopWorker, type GuestHost } from '../../emulator/machine/parallel/guest-gate';
import { guestBell, SYNC_MAIN_BELL, syncGuestBell, syncGuestHosted, syncGuestWaiting, syncWords, WAIT_ARMED, type ToGuest, type ToMain } from '../../emulator/machine/parallel/messages';
import { readGuestState, writeGuestState, writeMainState } from '../../emulator/machine/parallel/shared-clocks';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Simulation } from '../../emulator/machine/sim/simulation';

describe('which guest the main thread hosts', () => {
  test('the last guest, when every guest has a thread; none with fewer threads or what only a worker does', () => {
    expect(hostedIndex(2, { threads: 2 })).toBe(1);
    expect(hostedIndex(2, { threads: 8 })).toBe(1);
    expect(hostedIndex(1, { threads: 1 })).toBe(0);
    expect(hostedIndex(2, { threads: 1 })).toBe(-1); // tokens: two workers take turns
    expect(hostedIndex(2, { threads: 2, snapshotAt: 3e9 })).toBe(-1);
    expect(hostedIndex(2, { threads: 2, restore: new Map() })).toBe(-1);
    expect(hostedIndex(2, { threads: 2, stream: 'linux1' })).toBe(-1);
    expect(hostedIndex(2, { threads: 2, record: true })).toBe(-1);
    expect(hostedIndex(0, { threads: 2 })).toBe(-1);
  });
});

describe('the in-thread channel', () => {
  test('in order, each message copied as a MessagePort copies it', () => {
    const [main, guest] = localChannel<ToGuest, ToMain>();
    const data = new Uint8Array([1, 2, 3]);
    guest.post({ k: 'tx', t: 5, port: 0, data, pkt: 7 });
    guest.post({ k: 'line', t: 6, text: 'hi' });
    data[0] = 99; // the sender reuses its buffer: what was posted does not change
    const first = main.receive();
    expect(first).toEqual({ k: 'tx', t: 5, port: 0, data: new Uint8Array([1, 2, 3]), pkt: 7 });
    expect(main.receive()).toEqual({ k: 'line', t: 6, text: 'hi' });
    expect(main.receive()).toBeUndefined();
    main.post({ k: 'end', until: 9 });
    expect(guest.receive()).toEqual({ k: 'end', until: 9 });
    expect(guest.receive()).toBeUndefined();
  });
});

describe('a hosted guest sleeps on the main thread’s bell', () => {
  test('ringing it rings the main thread (one thread sleeps for both)', () => {
    const sync = new Int32Array(new SharedArrayBuffer(4 * syncWords(2)));
    expect(guestBell(sync, 0)).toBe(syncGuestBell(0));
    Atomics.store(sync, syncGuestHosted(1), 1);
    expect(guestBell(sync, 1)).toBe(SYNC_MAIN_BELL);
    expect(guestBell(sync, 0)).toBe(syncGuestBell(0));
  });
});

/**
 * Guest 1 of two, hosted, on a hub (500 ns lookahead) with an event at 2000 ns; guest 0's published own time is 100
 * ns, so guest 1 may run nothing after 601 ns.
 */
function hostedGate(host: GuestHost) {
  const sim = new Simulation(1);
  const sync = new Int32Array(new SharedArrayBuffer(4 * syncWords(2)));
  Atomics.store(sync, syncGuestHosted(1), 1);
  const [, endpoint] = localChannel<ToGuest, ToMain>();
  const gate = new GuestGate({ name: 'g1', index: 1, queue: sim.queue, sync, endpoint, cpuTime: () => null, apply: () => undefined, tokens: false, guests: 2, host });
  gate.setLookahead([500, 500]);
  writeMainState(sync, { top: Infinity, cap: 1_000_000, drained: [0, 0], sentTo: [0, 0], heads: [Infinity, Infinity], final: false, end: 0 });
  writeGuestState(sync, 0, { own: 100, sent: 0, recv: 0 });
  const ran: number[] = [];
  sim.queue.schedule(new SimEvent('g1.ev', () => ran.push(sim.queue.now)), 2000);
  return { sim, sync, gate, ran };
}

describe('a hosted guest’s gate', () => {
  test('between events it gives the thread back, armed, instead of waiting', () => {
    const calls: string[] = [];
    const { sync, gate, ran } = hostedGate({ pump: () => (calls.push('pump'), false), sleep: () => void calls.push('sleep') });
    expect(gate.admit(1_000_000, true)).toBe(false);
    expect(gate.yielded).toBe(true);
    expect(ran).toEqual([]);
    expect(calls).toEqual([]); // neither ran the main thread's events nor slept: the main thread's loop decides
    // Armed with what it waits for, so the other guest rings the bell the main thread sleeps on when it gets there.
    expect(Atomics.load(sync, syncGuestWaiting(1))).toBeGreaterThanOrEqual(WAIT_ARMED);
    // Its own time is published for the main thread's bound: its next event.
    expect(readGuestState(sync, 1).own).toBe(2000);
  });

  test('inside its CPU’s access it runs the main thread’s events, and sleeps for both only when nothing could run', () => {
    const calls: string[] = [];
    let sync!: Int32Array;
    const host: GuestHost = {
      pump: () => {
        calls.push('pump');
        return false;
      },
      sleep: () => {
        calls.push('sleep');
        // While it sleeps the other guest moves on (its thread would ring the main thread's bell).
        writeGuestState(sync, 0, { own: 10_000, sent: 0, recv: 0 });
      },
    };
    const h = hostedGate(host);
    sync = h.sync;
    // admit(…, false) is a CPU's catch-up (GuestMachine.sync): it must not give the thread back.
    expect(h.gate.admit(1_000_000, false)).toBe(true);
    expect(h.gate.yielded).toBe(false);
    expect(calls.filter((c) => c === 'sleep')).toEqual(['sleep']);
    expect(calls.indexOf('pump')).toBeLessThan(calls.indexOf('sleep'));
    expect(Atomics.load(h.sync, syncGuestWaiting(1))).toBe(0); // running again
  });

  test('a pump that lets it go on ends the wait without sleeping', () => {
    let sync!: Int32Array;
    let sleeps = 0;
    const h = hostedGate({
      pump: () => {
        writeGuestState(sync, 0, { own: 10_000, sent: 0, recv: 0 });
        return true;
      },
      sleep: () => void sleeps++,
    });
    sync = h.sync;
    expect(h.gate.admit(1_000_000, false)).toBe(true);
    expect(sleeps).toBe(0);
  });

  test('after the run’s end a wait that cannot end stops the guest (its records after the end are dropped anyway)', () => {
    const h = hostedGate({ pump: () => false, sleep: () => undefined });
    writeMainState(h.sync, { top: Infinity, cap: 1_000_000, drained: [0, 0], sentTo: [0, 0], heads: [Infinity, Infinity], final: true, end: 50 });
    expect(() => h.gate.admit(1_000_000, false)).toThrow(StopWorker);
  });
});
