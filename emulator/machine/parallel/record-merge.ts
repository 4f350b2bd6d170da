/**
 * Guests' trace records and console lines, merged into the main thread's trace in one order whatever the threads did:
 * by time; at equal times after the main thread's own records of that time, then by guest (scenario order), then in
 * the order the guest made them. A guest's records are not all in time order (its console lines are stamped with
 * its CPU's clock, which runs ahead of its queue), so they wait in a heap; the main thread takes those before t once
 * no guest can still make one before t (main-gate.ts).
 */
import type { Time } from '../sim/time';
import type { Tracer } from '../sim/trace';
import type { RecordTuple } from './messages';

interface Item {
  t: Time;
  g: number;
  seq: number;
  rec: RecordTuple | null;
  line: string | null;
}

export class RecordMerge {
  private readonly heap: Item[] = [];
  private seq = 0;

  constructor(
    private readonly tracer: Tracer,
    private readonly onLine: (guest: number, text: string, t: Time) => void,
  ) {}

  push(guest: number, recs: RecordTuple[]): void {
    for (const r of recs) this.add({ t: r[0], g: guest, seq: this.seq++, rec: r, line: null });
  }

  pushLine(guest: number, t: Time, text: string): void {
    this.add({ t, g: guest, seq: this.seq++, rec: null, line: text });
  }

  /** Emit every item with time < `limit` (Infinity: all), in merged order. */
  flushBefore(limit: Time): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.t < limit) {
      const it = this.pop();
      if (it.rec) {
        const r = it.rec;
        this.tracer.emitAt(r[0], r[1], r[2], r[3], r[4], r[5]);
      } else this.onLine(it.g, it.line!, it.t);
    }
  }

  private add(it: Item): void {
    const h = this.heap;
    h.push(it);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Item {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Item, b: Item): boolean {
  return a.t < b.t || (a.t === b.t && (a.g < b.g || (a.g === b.g && a.seq < b.seq)));
}
