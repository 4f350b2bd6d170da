/**
 * The event queue against a reference model (emulator/machine/sim/event-queue.ts, event-radix-heap.ts).
 * The model keeps its pending events in a plain array and always runs the least by (when, priority, seq),
 * the order the queue promises. A seeded driver makes the same random sequence of schedule, deschedule,
 * reschedule, step, runUntil and runUntilIdle calls on both, including from inside running events (events
 * scheduled for the running instant at a lower priority, rescheduling the running event, descheduling the next
 * one), with delays from 0 ns to beyond 2^32 ns so that events cross the radix heap's buckets. Both logs (the
 * firing order, the clock, `list()`, `peekTime()`, `pending`) must be identical.
 */
import { EventQueue, Rng, SimEvent } from '../../emulator/machine/sim';
import { RadixEventHeap } from '../../emulator/machine/sim/event-radix-heap';

/** The reference: sort on demand. */
class ModelQueue {
  private pendingEvs: SimEvent[] = [];
  private nextSeq = 1;
  now = 0;
  executed = 0;

  get pending(): number {
    return this.pendingEvs.length;
  }
  schedule(ev: SimEvent, when: number): void {
    if (ev.scheduled) throw new Error(`event ${ev.name} already scheduled at ${ev.when}`);
    if (when < this.now) throw new RangeError(`event ${ev.name}: time ${when} is before now ${this.now}`);
    ev.when = when;
    ev.seq = this.nextSeq++;
    ev.slot = 0;
    this.pendingEvs.push(ev);
  }
  scheduleIn(ev: SimEvent, delay: number): void {
    this.schedule(ev, this.now + delay);
  }
  deschedule(ev: SimEvent): void {
    if (!ev.scheduled) return;
    this.pendingEvs.splice(this.pendingEvs.indexOf(ev), 1);
    ev.slot = -1;
    ev.when = -1;
  }
  reschedule(ev: SimEvent, when: number): void {
    this.deschedule(ev);
    this.schedule(ev, when);
  }
  list(): SimEvent[] {
    return [...this.pendingEvs].sort((a, b) => a.when - b.when || a.priority - b.priority || a.seq - b.seq);
  }
  peekTime(): number | null {
    return this.list()[0]?.when ?? null;
  }
  peek(): SimEvent | null {
    return this.list()[0] ?? null;
  }
  step(): boolean {
    const ev = this.list()[0];
    if (!ev) return false;
    this.runOne(ev);
    return true;
  }
  runUntil(until: number): number {
    let n = 0;
    for (let ev = this.list()[0]; ev && ev.when <= until; ev = this.list()[0]) {
      this.runOne(ev);
      n++;
    }
    if (until > this.now) this.now = until;
    return n;
  }
  runUntilIdle(limit: number): number {
    let n = 0;
    for (let ev = this.list()[0]; ev && n < limit; ev = this.list()[0]) {
      this.runOne(ev);
      n++;
    }
    return n;
  }
  private runOne(ev: SimEvent): void {
    const when = ev.when;
    this.deschedule(ev);
    this.now = when;
    this.executed++;
    ev.callback();
  }
}

type Queue = Pick<EventQueue, 'now' | 'executed' | 'pending' | 'schedule' | 'scheduleIn' | 'deschedule' | 'reschedule' | 'list' | 'peekTime' | 'peek' | 'step' | 'runUntil'> & {
  runUntilIdle(limit: number): number;
};

const PRIORITIES = [0, 10, 20, 50, 50, 50, 60, 70, 90, 100, -5, 42.5];
const SCALES = [0, 1, 8, 1_000, 1_000, 1 << 20, 5_000_000_000, 2 ** 40];

/** Runs the seeded random driver on `q` and returns its log. */
function drive(q: Queue, seed: number, rounds: number, events: number): string[] {
  const rng = new Rng(seed, 'event-queue-model');
  const log: string[] = [];
  const delay = (): number => {
    const scale = SCALES[rng.below(SCALES.length)]!;
    return scale === 0 ? 0 : rng.below(scale + 1);
  };
  const evs: SimEvent[] = [];
  const poke = (depth: number): void => {
    const e = evs[rng.below(evs.length)]!;
    const op = rng.below(6);
    if (op <= 1 && !e.scheduled) q.scheduleIn(e, delay());
    else if (op === 2) q.deschedule(e);
    else if (op === 3) q.reschedule(e, q.now + delay());
    else if (op === 4 && !e.scheduled) q.schedule(e, q.now); // this very instant, maybe a lower priority
    else if (op === 5 && depth === 0) {
      const next = q.peek();
      log.push(`peek ${next ? `${next.name}@${next.when}` : '-'}`);
      if (next && rng.chance(0.5)) q.deschedule(next);
    }
  };
  for (let i = 0; i < events; i++) {
    const name = `e${i}`;
    const ev: SimEvent = new SimEvent(name, () => {
      log.push(`${q.now} ${name}`);
      const k = rng.below(3);
      for (let j = 0; j < k; j++) poke(1);
      if (rng.chance(0.2) && !ev.scheduled) q.scheduleIn(ev, delay()); // a running event may reschedule itself
    }, PRIORITIES[i % PRIORITIES.length]!);
    evs.push(ev);
  }
  for (let r = 0; r < rounds; r++) {
    const op = rng.below(10);
    if (op < 5) poke(0);
    else if (op === 5) log.push(`step ${q.step()}`);
    else if (op === 6) log.push(`until ${q.runUntil(q.now + delay())}`);
    else if (op === 7) log.push(`idle ${q.runUntilIdle(rng.below(8))}`);
    else if (op === 8 && events > 100) {
      // A burst: up to 150 more pending events (the queue moves from its small heap to the buckets).
      for (let j = 0; j < 150; j++) {
        const e = evs[rng.below(evs.length)]!;
        if (!e.scheduled) q.scheduleIn(e, delay());
      }
      log.push(`burst ${q.pending}`);
    }
    else log.push(`state ${q.now} ${q.pending} ${q.executed} ${q.peekTime()} ${q.list().map((e) => `${e.name}@${e.when}`).join(',')}`);
  }
  log.push(`idle ${q.runUntilIdle(1_000_000)} ${q.now} ${q.executed}`);
  return log;
}

describe('EventQueue against a reference model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    test(`seed ${seed}: 3000 random operations on 48 events (the small heap) give the same log`, () => {
      const want = drive(new ModelQueue() as unknown as Queue, seed, 3000, 48);
      const got = drive(new EventQueue(), seed, 3000, 48);
      expect(got.length).toBeGreaterThan(3000);
      expect(got).toEqual(want);
    });
  }

  for (const seed of [11, 12, 13, 14]) {
    test(`seed ${seed}: 6000 random operations on 400 events (buckets, and back to the small heap) give the same log`, () => {
      // Count the moves between the small heap and the buckets, to be sure both are exercised.
      const proto = RadixEventHeap.prototype as unknown as Record<'toRadix' | 'toSmall', () => void>;
      const moves = { toRadix: 0, toSmall: 0 };
      const spies = (['toRadix', 'toSmall'] as const).map((m) => {
        const orig = proto[m];
        proto[m] = function (this: unknown) {
          moves[m]++;
          orig.call(this);
        };
        return () => (proto[m] = orig);
      });
      try {
        const want = drive(new ModelQueue() as unknown as Queue, seed, 6000, 400);
        const got = drive(new EventQueue(), seed, 6000, 400);
        expect(got).toEqual(want);
        expect(moves.toRadix).toBeGreaterThan(1);
        expect(moves.toSmall).toBeGreaterThan(1);
      } finally {
        for (const undo of spies) undo();
      }
    });
  }

  test('errors and their messages are the same as the model’s', () => {
    const q = new EventQueue();
    const e = new SimEvent('e', () => undefined);
    q.runUntil(100);
    expect(() => q.schedule(e, 99)).toThrow('event e: time 99 is before now 100');
    expect(() => q.schedule(e, 100.5)).toThrow('event e: time 100.5 is not an integer');
    q.schedule(e, 5_000_000_000);
    expect(() => q.schedule(e, 200)).toThrow('event e already scheduled at 5000000000');
    expect(() => q.setNow(0)).toThrow('setNow with pending events');
  });
});
