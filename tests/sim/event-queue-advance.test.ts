/**
 * EventQueue.advanceTo and runSlice (emulator/machine/sim/event-queue.ts). advanceTo moves the clock from inside a
 * running event as if an event at that time were the next to run; it must refuse whenever something could tell the
 * difference: an event pending at or before the time (of any priority), a time past the run's horizon, a hook on
 * every event, a stop predicate, runUntilIdle and step(), a time before now or not an integer. runSlice runs the same
 * events as runUntil, in slices of a given number of events, and allows advanceTo (a count observes nothing).
 */
import { EventQueue, Priority, SimEvent } from '../../emulator/machine/sim';

/** Runs `probe` inside an event at time 100 with another event pending at `other` (null: none); returns its result. */
function inside<T>(probe: (q: EventQueue) => T, other: number | null, run: (q: EventQueue) => void, otherPrio: number = Priority.Default): { got: T; q: EventQueue } {
  const q = new EventQueue();
  let got: T | undefined;
  q.schedule(new SimEvent('probe', () => (got = probe(q)), Priority.Cpu), 100);
  if (other !== null) q.schedule(new SimEvent('other', () => undefined, otherPrio), other);
  run(q);
  return { got: got as T, q };
}

describe('EventQueue.advanceTo', () => {
  test('inside runUntil: moves the clock when the time is strictly before the next event and within the horizon', () => {
    const { got, q } = inside((q) => [q.advanceTo(150), q.now, q.advanceTo(199), q.now], 200, (q) => q.runUntil(1000));
    expect(got).toEqual([true, 150, true, 199]);
    expect(q.executed).toBe(2); // the probe and the other event; the moves are not events
    expect(q.now).toBe(1000);
  });

  test('refuses at or after the next pending event, whatever its priority', () => {
    for (const prio of [Priority.Wire, Priority.Cpu, Priority.Stop]) {
      const { got } = inside((q) => [q.advanceTo(200), q.advanceTo(250), q.now], 200, (q) => q.runUntil(1000), prio);
      expect(got).toEqual([false, false, 100]);
    }
  });

  test('refuses past the horizon (the innermost runUntil limit) and allows the limit itself', () => {
    const { got } = inside((q) => [q.advanceTo(301), q.horizon, q.advanceTo(300), q.now], null, (q) => q.runUntil(300));
    expect(got).toEqual([false, 300, true, 300]);
  });

  test('refuses with a stop predicate, in runUntilIdle, in step(), with a beforeEvent hook and outside any run', () => {
    expect(inside((q) => q.advanceTo(150), null, (q) => q.runUntil(1000, () => false)).got).toBe(false);
    expect(inside((q) => q.advanceTo(150), null, (q) => q.runUntilIdle()).got).toBe(false);
    expect(inside((q) => q.advanceTo(150), null, (q) => q.step()).got).toBe(false);
    expect(
      inside((q) => q.advanceTo(150), null, (q) => {
        q.beforeEvent = () => undefined;
        q.runUntil(1000);
      }).got,
    ).toBe(false);
    const q = new EventQueue();
    expect(q.advanceTo(10)).toBe(false);
    expect(q.now).toBe(0);
  });

  test('a nested run restores the outer permission: step() inside runUntil refuses, and the outer run allows again', () => {
    const q = new EventQueue();
    const seen: boolean[] = [];
    q.schedule(new SimEvent('outer', () => {
      q.schedule(new SimEvent('inner', () => seen.push(q.advanceTo(q.now + 1)), Priority.Default), q.now + 5);
      q.step(); // runs 'inner' (step: no moves)
      seen.push(q.advanceTo(q.now + 1));
    }, Priority.Default), 10);
    q.runUntil(100);
    expect(seen).toEqual([false, true]);
  });

  test('refuses a time before now or not an integer (what schedule() would reject)', () => {
    const { got } = inside((q) => [q.advanceTo(99), q.advanceTo(150.5), q.advanceTo(NaN), q.advanceTo(100)], null, (q) => q.runUntil(1000));
    expect(got).toEqual([false, false, false, true]);
  });

  test('events scheduled after a move run at their own times, after it', () => {
    const q = new EventQueue();
    const log: string[] = [];
    q.schedule(new SimEvent('a', () => {
      expect(q.advanceTo(40)).toBe(true);
      q.schedule(new SimEvent('b', () => log.push(`b@${q.now}`), Priority.Default), q.now + 5);
      expect(q.advanceTo(46)).toBe(false); // b is pending at 45
      log.push(`a@${q.now}`);
    }, Priority.Default), 10);
    q.runUntil(100);
    expect(log).toEqual(['a@40', 'b@45']);
  });
});

describe('EventQueue.runSlice', () => {
  function chain(q: EventQueue, log: number[]): void {
    let n = 0;
    const ev = new SimEvent('tick', () => {
      log.push(q.now);
      if (++n < 25) q.schedule(ev, q.now + 7);
    }, Priority.Default);
    q.schedule(ev, 3);
  }

  test('the same events as runUntil, in slices of at most maxEvents; now = until once nothing is left', () => {
    const a = new EventQueue();
    const la: number[] = [];
    chain(a, la);
    a.runUntil(100);
    const b = new EventQueue();
    const lb: number[] = [];
    chain(b, lb);
    const slices: number[] = [];
    for (;;) {
      const n = b.runSlice(100, 4);
      slices.push(n);
      if (n < 4) break;
      expect(b.now).toBe(lb[lb.length - 1]); // a full slice leaves the clock at its last event
    }
    expect(lb).toEqual(la);
    expect(la).toHaveLength(14); // 3, 10, …, 94
    expect(slices).toEqual([4, 4, 4, 2]);
    expect(b.now).toBe(100);
  });

  test('allows advanceTo within its limit', () => {
    const { got } = inside((q) => [q.advanceTo(150), q.advanceTo(600)], null, (q) => q.runSlice(500, 10));
    expect(got).toEqual([true, false]);
  });
});
