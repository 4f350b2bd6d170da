import { SimEvent } from './event';

/**
 * The event queue's priority queue: a radix heap on the event time whose lowest bits are direct-mapped,
 * exact on (when, priority, seq).
 *
 * Virtual time never goes back: every event scheduled has `when >= now >= last`, where `last` is the time of
 * the latest event taken off. An event whose time shares every bit above bit NEAR_BITS - 1 (11) with `last`
 * (the same 4096-ns-aligned block) goes to the near bucket of its exact time (`when & 4095`), a list kept in
 * (priority, seq) order; a three-level bitmap of the non-empty near buckets (nearTop, nearSum, nearBits) finds
 * the next one with three count-trailing-zeros. Any later event goes to far bucket k, k = the highest bit
 * (counting from 1) in which its time differs from `last` (13..53), so every event of far bucket k is later than
 * every near event and every event of far buckets below k. When the near buckets are empty, the lowest far
 * bucket is scanned for its earliest time, which becomes `last`, and its events are spread again (into near
 * buckets or lower far buckets): an event is moved at most once per bit of its delay above the 12th, and a
 * delay within the block moves it never.
 * Scheduling and descheduling are O(1) except for the walk over equal times of higher priority or later seq.
 *
 * Each pending event holds a slot, a small integer recycled through a free list; its key and its links (the
 * lists are intrusive, doubly linked through slots) live in typed arrays. Nothing is allocated per schedule;
 * the arrays grow by doubling.
 */
export class RadixEventHeap {
  /** Slot → key (when, priority, seq), bucket, links, event. */
  private sw = new Float64Array(INITIAL);
  private sp = new Float64Array(INITIAL);
  private ss = new Float64Array(INITIAL);
  private sb = new Int32Array(INITIAL);
  private next = new Int32Array(INITIAL);
  private prev = new Int32Array(INITIAL);
  private evs: SimEvent[] = [];
  /** Free slots (a stack). */
  private free = new Int32Array(INITIAL);
  private nFree = 0;
  private nSlots = 0;
  /** Bucket → first and last slot of its list (-1: empty). Near buckets 0..NEAR-1 (one per ns of the 4096 ns block), far bucket k at NEAR + k. */
  private head = new Int32Array(NEAR + 64).fill(-1);
  private tail = new Int32Array(NEAR + 64).fill(-1);
  /**
   * Non-empty near buckets: bit b & 31 of word b >> 5 of `nearBits`; bit w & 31 of word w >> 5 of `nearSum` when
   * word w of nearBits is non-zero; bit v of `nearTop` when word v of nearSum is non-zero.
   */
  private nearBits = new Int32Array(NEAR >> 5);
  private nearSum = new Int32Array(NEAR >> 10);
  private nearTop = 0;
  /** Events at or past 2^53 ns (beyond exact time; a guest's timer at the end of days), in firing order. */
  private beyond: number[] = [];
  private count = 0;
  /** While few events are pending (hysteresis: SMALL..BIG), they sit in a binary heap of slots instead. */
  private small = true;
  private heap = new Int32Array(BIG + 1);
  /** Time of the latest event taken off (and its 32-bit halves, for the bucket computation). */
  private last = 0;
  private lastHi = 0;
  private lastLo = 0;

  get size(): number {
    return this.count;
  }

  /** Sets `last` (only with no pending events: the clock was set back for a restore). */
  resetTime(t: number): void {
    this.setLast(t);
  }

  /** Time of the earliest event (call only when size > 0). Changes nothing. */
  topWhen(): number {
    if (this.small) return this.sw[this.heap[0]!]!;
    const b = this.nearFirst();
    if (b >= 0) return this.sw[this.head[b]!]!;
    const k = this.lowestFar();
    if (k < 0) return this.sw[this.beyond[0]!]!;
    const far = this.head[NEAR + k]!;
    let m = this.sw[far]!;
    for (let s = this.next[far]!; s >= 0; s = this.next[s]!) if (this.sw[s]! < m) m = this.sw[s]!;
    return m;
  }

  /** The earliest event, or null. Changes nothing. */
  top(): SimEvent | null {
    if (this.count === 0) return null;
    if (this.small) return this.evs[this.heap[0]!]!;
    const b = this.nearFirst();
    if (b >= 0) return this.evs[this.head[b]!]!;
    const k = this.lowestFar();
    if (k < 0) return this.evs[this.beyond[0]!]!;
    let best = this.head[NEAR + k]!;
    for (let s = this.next[best]!; s >= 0; s = this.next[s]!) if (this.before(s, best)) best = s;
    return this.evs[best]!;
  }

  /** Removes the earliest event and returns it. */
  takeTop(): SimEvent {
    if (this.small) {
      const top = this.heap[0]!;
      this.last = this.sw[top]!; // its halves are only needed in the buckets (toRadix)
      this.heapRemoveAt(0);
      const ev = this.evs[top]!;
      this.release(top);
      return ev;
    }
    let b = this.nearFirst();
    if (b < 0) {
      const k = this.lowestFar();
      if (k >= 0) {
        this.advance(NEAR + k);
        b = this.nearFirst();
      } else b = BEYOND;
    }
    const slot = b === BEYOND ? this.beyond[0]! : this.head[b]!;
    this.setLast(this.sw[slot]!);
    this.unlink(slot, b);
    this.count--;
    const ev = this.evs[slot]!;
    this.release(slot);
    if (this.count < SMALL) this.toSmall();
    return ev;
  }

  /** Adds `ev` with its key (`when` >= the time of every event taken off); returns its slot. */
  insert(ev: SimEvent, when: number, priority: number, seq: number): number {
    if (when < this.last) throw new Error(`event ${ev.name}: time ${when} is before the queue's last event at ${this.last}`);
    const slot = this.acquire(ev);
    this.sw[slot] = when;
    this.sp[slot] = priority;
    this.ss[slot] = seq;
    if (this.small) {
      if (this.count < BIG) {
        this.heapPush(slot);
        return slot;
      }
      this.toRadix();
    }
    this.count++;
    this.place(slot, when);
    return slot;
  }

  /** Removes the event holding `slot`. */
  remove(slot: number): void {
    if (this.small) this.heapRemoveAt(this.sb[slot]!);
    else {
      this.unlink(slot, this.sb[slot]!);
      if (--this.count < SMALL) this.toSmall();
    }
    this.release(slot);
  }

  /** Every pending event (in no particular order). */
  events(): SimEvent[] {
    const out: SimEvent[] = [];
    if (this.small) {
      for (let i = 0; i < this.count; i++) out.push(this.evs[this.heap[i]!]!);
      return out;
    }
    for (let b = 0; b < this.head.length; b++) for (let s = this.head[b]!; s >= 0; s = this.next[s]!) out.push(this.evs[s]!);
    for (const s of this.beyond) out.push(this.evs[s]!);
    return out;
  }

  /** Re-keys every pending event from its fields (when, priority, seq), e.g. after restoreOrder changed seqs. */
  rebuild(): void {
    const evs = this.events();
    if (this.small) {
      this.count = 0;
      for (const ev of evs) {
        this.sw[ev.slot] = ev.when;
        this.sp[ev.slot] = ev.priority;
        this.ss[ev.slot] = ev.seq;
        this.heapPush(ev.slot);
      }
      return;
    }
    this.head.fill(-1);
    this.tail.fill(-1);
    this.nearBits.fill(0);
    this.nearSum.fill(0);
    this.nearTop = 0;
    this.beyond.length = 0;
    for (const ev of evs) {
      const s = ev.slot;
      this.sw[s] = ev.when;
      this.sp[s] = ev.priority;
      this.ss[s] = ev.seq;
      this.place(s, ev.when);
    }
  }

  /** Links `slot` (time `when`) into its bucket. */
  private place(slot: number, when: number): void {
    if (when >= BEYOND_TIME) {
      this.sb[slot] = BEYOND;
      let j = this.beyond.length;
      while (j > 0 && this.before(slot, this.beyond[j - 1]!)) j--;
      this.beyond.splice(j, 0, slot);
      return;
    }
    const hx = ((when / TWO32) | 0) ^ this.lastHi;
    const lx = when ^ this.lastLo;
    const next = this.next;
    const prev = this.prev;
    if (hx === 0 && lx >>> NEAR_BITS === 0) {
      const b = when & (NEAR - 1);
      this.sb[slot] = b;
      // Behind every event of the same time that goes first: usually all of them, so from the tail.
      let p = this.tail[b]!;
      if (p < 0) {
        const w = b >> 5;
        const v = b >> 10;
        this.nearBits[w] = this.nearBits[w]! | (1 << (b & 31));
        this.nearSum[v] = this.nearSum[v]! | (1 << (w & 31));
        this.nearTop |= 1 << v;
      }
      while (p >= 0 && this.before(slot, p)) p = prev[p]!;
      const n = p >= 0 ? next[p]! : this.head[b]!;
      prev[slot] = p;
      next[slot] = n;
      if (p >= 0) next[p] = slot;
      else this.head[b] = slot;
      if (n >= 0) prev[n] = slot;
      else this.tail[b] = slot;
      return;
    }
    const b = NEAR + (hx !== 0 ? 64 - Math.clz32(hx) : 32 - Math.clz32(lx));
    this.sb[slot] = b;
    const t = this.tail[b]!;
    prev[slot] = t;
    next[slot] = -1;
    if (t >= 0) next[t] = slot;
    else this.head[b] = slot;
    this.tail[b] = slot;
  }

  private unlink(slot: number, b: number): void {
    if (b === BEYOND) {
      this.beyond.splice(this.beyond.indexOf(slot), 1);
      return;
    }
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.head[b] = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail[b] = p;
    if (b < NEAR && this.head[b]! < 0) {
      const w = b >> 5;
      const bits = (this.nearBits[w] = this.nearBits[w]! & ~(1 << (b & 31)));
      if (bits === 0) {
        const v = b >> 10;
        if ((this.nearSum[v] = this.nearSum[v]! & ~(1 << (w & 31))) === 0) this.nearTop &= ~(1 << v);
      }
    }
  }

  /** The first non-empty near bucket, or -1. (None is below `last`'s: their events are not earlier.) */
  private nearFirst(): number {
    const top = this.nearTop;
    if (top === 0) return -1;
    const v = ctz(top);
    const w = (v << 5) | ctz(this.nearSum[v]!);
    return (w << 5) | ctz(this.nearBits[w]!);
  }

  /** No near events: make the earliest time `last` and spread the lowest far bucket (b) below it. */
  private advance(b: number): void {
    let s = this.head[b]!;
    let m = this.sw[s]!;
    for (let t = this.next[s]!; t >= 0; t = this.next[t]!) if (this.sw[t]! < m) m = this.sw[t]!;
    this.setLast(m);
    this.head[b] = -1;
    this.tail[b] = -1;
    while (s >= 0) {
      const n = this.next[s]!;
      this.place(s, this.sw[s]!);
      s = n;
    }
  }

  /** The lowest non-empty far bucket's k, or -1. */
  private lowestFar(): number {
    const head = this.head;
    for (let k = NEAR_BITS + 1; k < 64; k++) if (head[NEAR + k]! >= 0) return k;
    return -1;
  }

  /** Does slot a fire before slot b? */
  private before(a: number, b: number): boolean {
    const wa = this.sw[a]!;
    const wb = this.sw[b]!;
    if (wa !== wb) return wa < wb;
    const pa = this.sp[a]!;
    const pb = this.sp[b]!;
    return pa !== pb ? pa < pb : this.ss[a]! < this.ss[b]!;
  }

  private setLast(t: number): void {
    this.last = t;
    this.lastHi = (t / TWO32) | 0;
    this.lastLo = t | 0;
  }

  private acquire(ev: SimEvent): number {
    let slot: number;
    if (this.nFree > 0) slot = this.free[--this.nFree]!;
    else {
      if (this.nSlots === this.sw.length) this.grow();
      slot = this.nSlots++;
    }
    this.evs[slot] = ev;
    return slot;
  }

  private release(slot: number): void {
    this.evs[slot] = VACANT;
    this.free[this.nFree++] = slot;
  }

  /** Adds `slot` to the small heap (count includes it afterwards). */
  private heapPush(slot: number): void {
    const heap = this.heap;
    let i = this.count++;
    while (i > 0) {
      const u = (i - 1) >> 1;
      const us = heap[u]!;
      if (!this.before(slot, us)) break;
      heap[i] = us;
      this.sb[us] = i;
      i = u;
    }
    heap[i] = slot;
    this.sb[slot] = i;
  }

  /** Removes position i of the small heap. */
  private heapRemoveAt(i: number): void {
    const heap = this.heap;
    const n = --this.count;
    if (i === n) return;
    const slot = heap[n]!;
    // The last entry goes up if it is before the parent of i, otherwise down.
    while (i > 0) {
      const u = (i - 1) >> 1;
      const us = heap[u]!;
      if (!this.before(slot, us)) break;
      heap[i] = us;
      this.sb[us] = i;
      i = u;
    }
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.before(heap[c + 1]!, heap[c]!)) c++;
      const cs = heap[c]!;
      if (!this.before(cs, slot)) break;
      heap[i] = cs;
      this.sb[cs] = i;
      i = c;
    }
    heap[i] = slot;
    this.sb[slot] = i;
  }

  /** BIG events pending: move them from the small heap into the buckets. */
  private toRadix(): void {
    this.small = false;
    this.setLast(this.last);
    for (let i = 0; i < this.count; i++) this.place(this.heap[i]!, this.sw[this.heap[i]!]!);
  }

  /** Fewer than SMALL events pending: move them from the buckets into the small heap. */
  private toSmall(): void {
    const evs = this.events();
    this.head.fill(-1);
    this.tail.fill(-1);
    this.nearBits.fill(0);
    this.nearSum.fill(0);
    this.nearTop = 0;
    this.beyond.length = 0;
    this.small = true;
    this.count = 0;
    for (const ev of evs) this.heapPush(ev.slot);
  }

  private grow(): void {
    const cap = this.sw.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.sw = f64(this.sw);
    this.sp = f64(this.sp);
    this.ss = f64(this.ss);
    this.sb = i32(this.sb);
    this.next = i32(this.next);
    this.prev = i32(this.prev);
    this.free = i32(this.free);
  }
}

const INITIAL = 64;
/** The small heap holds up to BIG events; the buckets hand back to it below SMALL. */
const BIG = 128;
const SMALL = 32;
const TWO32 = 4294967296;
/** Near buckets: one per time in a 2^NEAR_BITS-ns-aligned block. */
const NEAR_BITS = 12;
const NEAR = 1 << NEAR_BITS;
/** Times from 2^53 ns on are kept apart, in order (`BEYOND` is their bucket number). */
const BEYOND_TIME = 2 ** 53;
const BEYOND = -2;

/** Index of the lowest set bit of a non-zero 32-bit value. */
function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Placeholder for a free slot (keeps the events array free of holes and stale references). */
const VACANT = new SimEvent('(vacant slot)', () => undefined);
