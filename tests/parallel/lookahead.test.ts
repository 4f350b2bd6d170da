/**
 * The media's lookahead in the threaded engine's horizons (emulator/machine/parallel/horizon.ts, main-gate.ts;
 * docs/guest-time-model.md "Synchronisation"): another guest's transmission reaches a guest no sooner than its
 * medium's lookahead after arriving at the main thread, its own is answered at once, and the main thread's queue
 * still runs guests' messages in (time, priority, key) order although it holds them aside until nothing local
 * precedes them.
 */
import { horizonFor } from '../../emulator/machine/parallel/horizon';
import { MainGate, type MainGuest } from '../../emulator/machine/parallel/main-gate';
import { syncGuestWaiting, syncWords, WAIT_ARMED, type Endpoint, type ToGuest, type ToMain } from '../../emulator/machine/parallel/messages';
import { readMainState } from '../../emulator/machine/parallel/shared-clocks';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { Simulation } from '../../emulator/machine/sim/simulation';
import { Hub } from '../../emulator/machine/net/hub';
import { Switch } from '../../emulator/machine/net/switch';
import { Cable } from '../../emulator/machine/net/cable';
import { frameWireTimeNs } from '../../emulator/machine/net/link';
import { componentContext } from '../../emulator/machine/sim/context';

const NONE = Infinity;

describe('horizonFor', () => {
  const own = (t: number[]) => (o: number) => t[o]!;

  test('without lookahead: the earliest of the local top, the end, held messages and the others own + 1', () => {
    const inp = { top: 1000, cap: 5000, heads: [NONE, NONE], lookahead: [0, 0] };
    expect(horizonFor(0, inp, own([0, 300]))).toBe(301);
    expect(horizonFor(1, inp, own([700, 0]))).toBe(701);
    expect(horizonFor(1, inp, own([2000, 0]))).toBe(1000); // the main thread's next local event
    expect(horizonFor(1, { ...inp, top: NONE }, own([9000, 0]))).toBe(5000); // the run's end
  });

  test("another guest's own time and held messages count with that guest's lookahead, its own held ones at once", () => {
    // Guest 0 on a hub (500 ns), guest 1 on a switch (258 ns).
    const inp = { top: 10_000, cap: 10_000, heads: [NONE, NONE], lookahead: [500, 258] };
    expect(horizonFor(1, inp, own([300, 0]))).toBe(300 + 1 + 500);
    expect(horizonFor(0, inp, own([0, 300]))).toBe(300 + 1 + 258);
    // Guest 0's message arriving at 401 is held: guest 1 hears of it 500 ns later at the earliest, guest 0 at once.
    const held = { ...inp, heads: [401, NONE] };
    expect(horizonFor(1, held, own([2000, 0]))).toBe(901);
    expect(horizonFor(0, held, own([0, 5000]))).toBe(401);
  });

  test('the lookahead of a guest nothing else can hear (no media: Infinity) never bounds the others', () => {
    const inp = { top: NONE, cap: 7000, heads: [NONE, NONE], lookahead: [Infinity, 500] };
    expect(horizonFor(1, inp, own([0, 0]))).toBe(7000);
    expect(horizonFor(0, inp, own([0, 0]))).toBe(501);
  });
});

describe('Medium.lookahead', () => {
  const sim = () => new Simulation(1);
  test('a hub: its propagation delay; a switch: a 14-byte frame at its fastest rate plus propagation; a cable: none', () => {
    const s = sim();
    expect(new Hub(componentContext(s, 'n', 'hub0')).lookahead).toBe(500);
    expect(new Hub(componentContext(s, 'n', 'hub1'), { propagationNs: 80 }).lookahead).toBe(80);
    const sw = new Switch(componentContext(s, 'n', 'sw0'));
    // (8 preamble/SFD + 14 + 4 FCS) bytes × 8 bits at 1 Gb/s = 208 ns, plus 50 ns of cable.
    expect(frameWireTimeNs(14, 1e9)).toBe(208);
    expect(sw.lookahead).toBe(208 + 50);
    expect(new Switch(componentContext(s, 'n', 'sw1'), { bitRate: 1e8, propagationNs: 5 }).lookahead).toBe(2080 + 5);
    expect((new Cable(componentContext(s, 'n', 'c0')) as { lookahead?: number }).lookahead).toBeUndefined();
  });
});

/** An in-thread stand-in for a worker's channel: what the test posts as the guest, what the gate sent it. */
class FakeChannel implements Endpoint<ToMain, ToGuest> {
  readonly inbox: ToMain[] = [];
  readonly sent: ToGuest[] = [];
  post(m: ToGuest): void {
    this.sent.push(m);
  }
  receive(): ToMain | undefined {
    return this.inbox.shift();
  }
}

function setUp(lookahead: number[]) {
  const s = new Simulation(1);
  const sync = new Int32Array(new SharedArrayBuffer(4 * syncWords(lookahead.length)));
  const log: string[] = [];
  const channels = lookahead.map(() => new FakeChannel());
  const guests: MainGuest[] = lookahead.map((la, g) => ({
    name: `g${g}`,
    endpoint: channels[g]!,
    lookahead: la,
    apply: (m) => log.push(`g${g}:${m.k}@${s.queue.now}`),
    line: () => undefined,
    failure: () => null,
  }));
  const gate = new MainGate(s.queue, s.tracer, sync, guests);
  s.queue.gate = gate;
  const local = (name: string, t: number) => s.queue.schedule(new SimEvent(name, () => log.push(`${name}@${s.queue.now}`), Priority.Default), t);
  const tx = (g: number, t: number) => channels[g]!.inbox.push({ k: 'tx', t, port: 0, data: new Uint8Array(60), pkt: t });
  const safe = (g: number, own: number) => channels[g]!.inbox.push({ k: 'safe', own, recv: 0 });
  return { s, sync, log, channels, gate, local, tx, safe };
}

describe('MainGate with lookahead', () => {
  test('held messages run in the order an eager insertion gives: by time, after local events of their time, by key', () => {
    const { s, log, local, tx, safe } = setUp([500, 500]);
    local('a', 150);
    local('b', 301);
    local('c', 900);
    tx(1, 300); // arrives 301: after local b of the same time
    tx(0, 100); // arrives 101, before every local event
    tx(0, 300); // arrives 301 too: guest 0's key is below guest 1's
    safe(0, 10_000);
    safe(1, 10_000);
    s.queue.runUntil(1000);
    expect(log).toEqual(['g0:tx@101', 'a@150', 'b@301', 'g0:tx@301', 'g1:tx@301', 'c@900']);
  });

  test("a waiting guest's horizon adds the sender's lookahead to its held message and to its own time", () => {
    const { s, sync, channels, gate, local, tx, safe } = setUp([500, 500]);
    local('later', 1000);
    tx(0, 400); // arrives 401: held, it cannot run while guest 1 is only at 100
    safe(0, 450);
    safe(1, 100);
    Atomics.store(sync, syncGuestWaiting(0), WAIT_ARMED);
    Atomics.store(sync, syncGuestWaiting(1), WAIT_ARMED);
    gate.drain();
    expect(s.queue.runSlice(60_000, 1)).toBe(1); // waits one slice for guest 1, then yields
    expect(gate.yielded).toBe(true);
    const hTo = (g: number) => channels[g]!.sent.filter((m) => m.k === 'h').map((m) => (m as { h: number }).h);
    // Guest 1: guest 0's held message reaches it 500 ns after 401 at the earliest (guest 0's own: 450 + 1 + 500).
    expect(hTo(1).at(-1)).toBe(901);
    // Guest 0: its own held message may be answered at once.
    expect(hTo(0).at(-1)).toBe(401);
    // The same for a guest computing it from the shared state: the local top is the next local event.
    const main = readMainState(sync, 2);
    expect(main.top).toBe(1000);
    expect(main.heads).toEqual([401, 2 ** 53 - 1]);
    // Without the lookahead guest 1's bound would be 401.
    expect(horizonFor(1, { top: main.top, cap: main.cap, heads: [401, Infinity], lookahead: [0, 0] }, () => 450)).toBe(401);
  });
});
