/**
 * `npm run bench`, the event queue on the classic "hold" model: 1000 processes, each an event that, when it
 * fires, reschedules itself after a delay drawn uniformly from 1..1000 ns. Measured through our EventQueue with
 * SimEvents (`queue-hold`) and, side by side in the same process, through a plain structure-of-arrays binary
 * heap written here (`queue-hold-floor`: times and sequence numbers in typed arrays, callbacks in a parallel
 * array, FIFO ties): the bar issue 15 sets. Both draw their delays from the same seeded stream and must end at
 * the same virtual time (checked), so they run exactly the same sequence of events.
 *
 * Wall-clock reads are fine here: the benchmark stands outside the simulated world and only observes it.
 */
import { EventQueue, SimEvent } from '../emulator/machine/sim';
import { benchLine, median } from './bench-line';

const PROCESSES = 1000;
const MAX_DELAY = 1000;
const EVENTS = 5_000_000;
const ROUNDS = 5;

/** The delay stream: a 32-bit LCG (Numerical Recipes constants), high bits mapped to 1..MAX_DELAY. */
class Delays {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0;
  }
  next(): number {
    this.x = (Math.imul(this.x, 1664525) + 1013904223) >>> 0;
    return 1 + Math.floor((this.x / 4294967296) * MAX_DELAY);
  }
}

/** The floor: a textbook binary min-heap on (time, seq), structure of arrays, grown by doubling. */
class SoaBinaryHeap {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private cbs: (() => void)[] = [];
  private n = 0;
  private nextSeq = 0;
  now = 0;
  executed = 0;

  push(time: number, cb: () => void): void {
    if (this.n === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const cbs = this.cbs;
    const seq = this.nextSeq++;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < time || (pt === time && seqs[p]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      cbs[i] = cbs[p]!;
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    cbs[i] = cb;
  }

  /** Runs the earliest event; false when empty. */
  runOne(): boolean {
    if (this.n === 0) return false;
    const times = this.times;
    const seqs = this.seqs;
    const cbs = this.cbs;
    const cb = cbs[0]!;
    this.now = times[0]!;
    const n = --this.n;
    if (n > 0) {
      const t = times[n]!;
      const s = seqs[n]!;
      const c = cbs[n]!;
      let i = 0;
      for (;;) {
        let m = 2 * i + 1;
        if (m >= n) break;
        const r = m + 1;
        if (r < n && (times[r]! < times[m]! || (times[r] === times[m] && seqs[r]! < seqs[m]!))) m = r;
        const mt = times[m]!;
        if (t < mt || (t === mt && s < seqs[m]!)) break;
        times[i] = mt;
        seqs[i] = seqs[m]!;
        cbs[i] = cbs[m]!;
        i = m;
      }
      times[i] = t;
      seqs[i] = s;
      cbs[i] = c;
    }
    this.executed++;
    cb();
    return true;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
  }
}

interface HoldRun {
  seconds: number;
  end: number;
}

function holdFloor(seed: number): HoldRun {
  const h = new SoaBinaryHeap();
  const d = new Delays(seed);
  for (let p = 0; p < PROCESSES; p++) {
    const cb = (): void => h.push(h.now + d.next(), cb);
    h.push(d.next(), cb);
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i++) h.runOne();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, end: h.now };
}

function holdQueue(seed: number): HoldRun {
  const q = new EventQueue();
  const d = new Delays(seed);
  for (let p = 0; p < PROCESSES; p++) {
    const ev: SimEvent = new SimEvent(`p${p}`, () => q.scheduleIn(ev, d.next()));
    q.schedule(ev, d.next());
  }
  const t0 = process.hrtime.bigint();
  q.runUntilIdle(EVENTS);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, end: q.now };
}

/** The two `bench` lines; rounds alternate floor and queue, each figure is the median of its rounds. */
export function benchQueueLines(): string[] {
  const floor: number[] = [];
  const ours: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const seed = 0x5eed + r;
    const f = holdFloor(seed);
    const q = holdQueue(seed);
    if (f.end !== q.end) throw new Error(`hold model diverged: floor ended at ${f.end} ns, EventQueue at ${q.end} ns`);
    floor.push(EVENTS / f.seconds / 1e6);
    ours.push(EVENTS / q.seconds / 1e6);
  }
  const f = median(floor);
  const q = median(ours);
  const runs = `median of ${ROUNDS} alternating rounds of ${EVENTS / 1e6} M events`;
  return [
    benchLine('queue-hold', q, 'M events/s', `${PROCESSES} processes, uniform 1–${MAX_DELAY} ns; ${(q / f).toFixed(2)}× queue-hold-floor; EventQueue with SimEvents; ${runs}`),
    benchLine('queue-hold-floor', f, 'M events/s', `a plain structure-of-arrays binary heap, written in the bench; the same workload and delays; ${runs}`),
  ];
}
