/**
 * FIFO ties of the event queue (emulator/machine/sim/event-queue.ts; STYLE.md §2: order by (time, priority,
 * sequence), ties in insertion order — gem5's queue without its LIFO ties). A binary heap is not stable by
 * itself: only the insertion sequence in the comparison keeps equal events in order, and with a handful of
 * events a heap often keeps them in order by luck. So these tests use many events at one instant, events
 * scheduled at that same instant while it is running, rescheduling, descheduling from the middle, and a
 * restore followed by new events.
 *
 * Kills: in event-radix-heap.ts `before` losing the seq comparison or reversing it, the walk from the tail in
 * `place` stopping at the tail; `ev.seq = this.nextSeq++` → `ev.seq = this.nextSeq`; in `restoreOrder`,
 * `this.nextSeq = base + order.length` → `= base`. (event-queue-model.test.ts checks every operation against a
 * reference model.)
 */
import { EventQueue, Priority, SimEvent } from '../../emulator/machine/sim';

const N = 200;

function bench() {
  const q = new EventQueue();
  const log: string[] = [];
  const ev = (name: string, prio: number = Priority.Default, then?: () => void): SimEvent =>
    new SimEvent(name, () => {
      log.push(`${q.now}:${name}`);
      then?.();
    }, prio);
  return { q, log, ev };
}

describe('EventQueue FIFO ties', () => {
  test(`${N} events at one time and priority run in insertion order`, () => {
    const { q, log, ev } = bench();
    for (let i = 0; i < N; i++) q.schedule(ev(`e${i}`), 1_000);
    q.runUntilIdle();
    expect(log).toEqual(Array.from({ length: N }, (_, i) => `1000:e${i}`));
  });

  test('interleaved times and priorities: each (time, priority) class keeps its insertion order', () => {
    const { q, log, ev } = bench();
    const prios = [Priority.Wire, Priority.Device, Priority.Default];
    const want: [number, number, number, string][] = [];
    for (let i = 0; i < N; i++) {
      const t = [30, 10, 20][i % 3]!;
      const p = prios[(i * 7) % 3]!;
      q.schedule(ev(`e${i}`, p), t);
      want.push([t, p, i, `${t}:e${i}`]);
    }
    q.runUntilIdle();
    want.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    expect(log).toEqual(want.map((w) => w[3]));
  });

  test('events scheduled at the running instant go after every event already queued for it', () => {
    const { q, log, ev } = bench();
    const late: SimEvent[] = [];
    for (let i = 0; i < 50; i++) {
      const child = ev(`c${i}`);
      late.push(child);
      // e_i, when it runs at t = 500, schedules c_i for "now": behind e_{i+1}..e_49 and c_0..c_{i-1}.
      q.schedule(ev(`e${i}`, Priority.Default, () => q.scheduleIn(child, 0)), 500);
    }
    // A higher-priority event scheduled at the same instant from inside it still runs before the rest.
    q.schedule(ev('first', Priority.Wire, () => q.scheduleIn(ev('urgent', Priority.Device), 0)), 500);
    q.runUntilIdle();
    expect(log).toEqual([
      '500:first',
      '500:urgent',
      ...Array.from({ length: 50 }, (_, i) => `500:e${i}`),
      ...Array.from({ length: 50 }, (_, i) => `500:c${i}`),
    ]);
    expect(late.every((e) => !e.scheduled)).toBe(true);
  });

  test('deschedule from the middle and reschedule to the same time: the moved event goes last', () => {
    const { q, log, ev } = bench();
    const evs = Array.from({ length: 64 }, (_, i) => ev(`e${i}`));
    evs.forEach((e) => q.schedule(e, 100));
    for (const i of [5, 17, 40]) q.deschedule(evs[i]!);
    q.reschedule(evs[0]!, 100); // same time, fresh sequence: after every other event at 100
    q.schedule(evs[17]!, 100);
    q.runUntilIdle();
    const rest = Array.from({ length: 64 }, (_, i) => i).filter((i) => ![0, 5, 17, 40].includes(i));
    expect(log).toEqual([...rest, 0, 17].map((i) => `100:e${i}`));
  });

  test('after a restore, events scheduled later go behind the restored ones at the same time', () => {
    const a = bench();
    for (let i = 0; i < 20; i++) a.q.schedule(a.ev(`r${i}`), 300);
    const order = a.q.list().map((e) => [e.name, e.when] as const);
    const b = bench();
    // Devices reschedule in another order on load; restoreOrder gives back the saved order...
    for (let i = 19; i >= 0; i--) b.q.schedule(b.ev(`r${i}`), 300);
    b.q.restoreOrder(order);
    // ...and what is scheduled afterwards at the same instant runs after all of it.
    for (let i = 0; i < 20; i++) b.q.schedule(b.ev(`n${i}`), 300);
    b.q.runUntilIdle();
    expect(b.log).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `300:r${i}`),
      ...Array.from({ length: 20 }, (_, i) => `300:n${i}`),
    ]);
  });
});
