/**
 * The event queue's radix heap at its edges (emulator/machine/sim/event-radix-heap.ts): growth far past the
 * initial arrays, times at every bit length up to 2^53 and past it (kept apart, in order), the clock set back
 * for a restore, a run that stopped short of the next event followed by an earlier one, peeking that must not
 * disturb anything, and restoreOrder with events loaded in a shuffled order. Orders only, never speed.
 */
import { EventQueue, Priority, Rng, SimEvent } from '../../emulator/machine/sim';

function firingOrder(evs: readonly SimEvent[]): SimEvent[] {
  return [...evs].sort((a, b) => a.when - b.when || a.priority - b.priority || a.seq - b.seq);
}

describe('EventQueue radix heap', () => {
  test('100 000 events at times of every scale, half descheduled, run in (time, priority, seq) order', () => {
    const q = new EventQueue();
    const rng = new Rng(11, 'growth');
    const fired: string[] = [];
    const prios = [Priority.Wire, Priority.Device, Priority.Default, Priority.Cpu];
    const evs = Array.from({ length: 100_000 }, (_, i) => new SimEvent(`e${i}`, () => fired.push(`e${i}`), prios[i % 4]!));
    for (const ev of evs) q.schedule(ev, rng.below(2 ** rng.below(50)));
    expect(q.pending).toBe(100_000);
    const kept = evs.filter((ev, i) => (i % 2 === 0 ? true : (q.deschedule(ev), false)));
    const want = firingOrder(kept).map((e) => e.name);
    expect(q.list().map((e) => e.name)).toEqual(want);
    expect(q.runUntilIdle()).toBe(50_000);
    expect(fired).toEqual(want);
    expect(q.pending).toBe(0);
  });

  test('the hold model: 1000 self-rescheduling events keep exact order through 200 000 firings', () => {
    const q = new EventQueue();
    const rng = new Rng(5, 'hold');
    for (let p = 0; p < 1000; p++) {
      const ev: SimEvent = new SimEvent(`p${p}`, () => q.scheduleIn(ev, 1 + rng.below(1000)));
      q.schedule(ev, rng.below(1000));
    }
    // Each event runs after the previous one in (time, seq) order: the clock never goes back, ties are FIFO.
    let prev = [-1, 0];
    let bad = 0;
    q.beforeEvent = (ev) => {
      if (q.now < prev[0]! || (q.now === prev[0] && ev.seq < prev[1]!)) bad++;
      prev = [q.now, ev.seq];
    };
    expect(q.runUntilIdle(200_000)).toBe(200_000);
    expect(bad).toBe(0);
    expect(q.pending).toBe(1000);
  });

  test('times at and past 2^53 ns are kept apart and still run in order', () => {
    const q = new EventQueue();
    const log: string[] = [];
    const ev = (name: string, prio: number = Priority.Default) => new SimEvent(name, () => log.push(name), prio);
    const T = 2 ** 53;
    q.schedule(ev('huge'), 1e20);
    q.schedule(ev('t53-late'), T);
    q.schedule(ev('t53-first', Priority.Wire), T);
    q.schedule(ev('t53+2'), T + 2);
    q.schedule(ev('2^52'), 2 ** 52);
    q.schedule(ev('one'), 1);
    const far = ev('far');
    q.schedule(far, 2 ** 60);
    q.deschedule(far);
    expect(q.peekTime()).toBe(1);
    q.runUntil(2 ** 52 + 5);
    expect(log).toEqual(['one', '2^52']);
    expect(q.peekTime()).toBe(T);
    q.runUntilIdle();
    expect(log).toEqual(['one', '2^52', 't53-first', 't53-late', 't53+2', 'huge']);
    expect(q.now).toBe(1e20);
    q.scheduleIn(ev('after'), 1e9);
    q.runUntilIdle();
    expect(log.at(-1)).toBe('after');
  });

  test('runUntil stops short of the next event; an earlier one scheduled afterwards runs first', () => {
    const q = new EventQueue();
    const log: string[] = [];
    const ev = (name: string) => new SimEvent(name, () => log.push(`${q.now}:${name}`));
    q.schedule(ev('late'), 5_000_000_000);
    q.schedule(ev('mid'), 3_000);
    expect(q.peekTime()).toBe(3_000);
    q.runUntil(4_000);
    expect(q.peekTime()).toBe(5_000_000_000);
    expect(q.peek()?.name).toBe('late');
    q.runUntil(4_000_000_000); // stops short: the queue looked at 5 s but must still take earlier events
    q.schedule(ev('early'), 4_000_000_001);
    q.schedule(ev('earlier'), 4_000_000_000);
    q.runUntilIdle();
    expect(log).toEqual(['3000:mid', '4000000000:earlier', '4000000001:early', '5000000000:late']);
  });

  test('the clock set back for a restore: events before the old time run in order', () => {
    const q = new EventQueue();
    const log: string[] = [];
    const ev = (name: string, prio: number = Priority.Default) => new SimEvent(name, () => log.push(`${q.now}:${name}`), prio);
    q.schedule(ev('a'), 9_000_000_000);
    q.runUntilIdle();
    expect(q.now).toBe(9_000_000_000);
    q.setNow(1_000);
    q.schedule(ev('x'), 1_500);
    q.schedule(ev('y', Priority.Wire), 1_500);
    q.schedule(ev('z'), 1_000);
    q.runUntilIdle();
    expect(log).toEqual(['9000000000:a', '1000:z', '1500:y', '1500:x']);
  });

  test('restoreOrder: events loaded in a shuffled order take back the saved tie order', () => {
    const rng = new Rng(3, 'restore');
    const a = new EventQueue();
    const names = Array.from({ length: 300 }, (_, i) => `r${i}`);
    const times = names.map(() => [0, 0, 1_000, 1_023, 1_024, 5_000_000_000][rng.below(6)]!);
    const prios = names.map(() => [Priority.Wire, Priority.Default][rng.below(2)]!);
    const logA: string[] = [];
    names.forEach((n, i) => a.schedule(new SimEvent(n, () => logA.push(n), prios[i]), times[i]!));
    const order = a.list().map((e) => [e.name, e.when] as const);

    const b = new EventQueue();
    const logB: string[] = [];
    const idx = names.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    for (const i of idx) b.schedule(new SimEvent(names[i]!, () => logB.push(names[i]!), prios[i]), times[i]!);
    b.restoreOrder(order);
    expect(b.list().map((e) => [e.name, e.when])).toEqual(order);
    a.runUntilIdle();
    b.runUntilIdle();
    expect(logB).toEqual(logA);
  });

  test('restoreOrder names the missing and extra events', () => {
    const q = new EventQueue();
    q.schedule(new SimEvent('a', () => undefined), 10);
    q.schedule(new SimEvent('b', () => undefined), 20);
    expect(() => q.restoreOrder([['a', 10], ['c', 30]])).toThrow(
      "restored events differ from the snapshot's (missing: c@30; extra: b@20)",
    );
  });

  test('horizon: the innermost runUntil limit, the stepped event time, Infinity otherwise', () => {
    const q = new EventQueue();
    const seen: [string, number][] = [];
    const inner = new SimEvent('inner', () => seen.push(['inner', q.horizon]));
    const outer = new SimEvent('outer', () => {
      seen.push(['outer', q.horizon]);
      q.schedule(inner, 150);
      q.runUntil(200);
      seen.push(['outer-after', q.horizon]);
    });
    expect(q.horizon).toBe(Infinity);
    q.schedule(outer, 100);
    q.runUntil(1_000);
    const last = new SimEvent('last', () => seen.push(['last', q.horizon]));
    q.schedule(last, 2_000);
    q.step();
    q.schedule(last, 3_000);
    q.runUntilIdle();
    expect(seen).toEqual([['outer', 1_000], ['inner', 200], ['outer-after', 1_000], ['last', 2_000], ['last', Infinity]]);
    expect(q.horizon).toBe(Infinity);
  });
});
