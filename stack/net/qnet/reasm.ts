/**
 * The receiving half of a Qnet session: sequence order, duplicate suppression and message reassembly, the
 * "guaranteed, non-duplicate delivery" npm-qnet-l4_lite.so's page promises (docs/design/qnet-behaviour.md S2).
 *
 * [ours] (QNX does not document the algorithm): frames are numbered 1, 2, … per session and direction; the
 * receiver takes them strictly in sequence (like NetBSD's tcp_reass: out-of-order frames are held, within a
 * window of max_tx_bufs frames, and released when the gap fills); a frame below the next expected number is
 * a duplicate (acknowledged again, not delivered). A message is the run of frames from one with FIRST to one
 * with LAST, each `offset` equal to the bytes gathered so far; a frame of layer SEQ (the dissector's
 * "sequence hole filler") takes a number without data and discards a partly gathered message, as does a
 * FIRST arriving before the previous LAST or an offset that does not follow on. A session has one such stream
 * per QoS stream of the sender (session.ts); each message remembers the link its FIRST frame came in on.
 */
import { SEQ_LT, seqAdd, seqDiff } from '../tcp/fsm';
import { QnetL4Flag, QnetLayer } from '../wire/qnet';

/** What reassembly needs of a received LwL4 data frame. */
export interface RxFrame {
  seq: number;
  flags: number;
  layer: number;
  offset: number;
  payload: Uint8Array;
  /** Index of the link it came in on. */
  link: number;
}

export interface RxMessage {
  layer: number;
  payload: Uint8Array;
  frames: number;
  /** Index of the link its FIRST frame came in on. */
  link: number;
}

/** new: taken (maybe held out of order); dup: seen before; window: too far ahead, dropped unacknowledged. */
export type RxVerdict = 'new' | 'dup' | 'window';

export interface RxResult {
  verdict: RxVerdict;
  /** The frame arrived ahead of a gap (qos rx_seq_order). */
  outOfOrder: boolean;
  /** Whole messages now complete, in order. */
  messages: RxMessage[];
  /** Partly gathered messages thrown away (hole filler, stray fragment, offset mismatch). */
  discarded: number;
}

interface Partial {
  layer: number;
  link: number;
  chunks: Uint8Array[];
  bytes: number;
}

export class QnetRxStream {
  /** The next sequence number expected. */
  next = 1;
  private readonly held = new Map<number, RxFrame>();
  private partial: Partial | null = null;

  constructor(private readonly window: number) {}

  get heldCount(): number {
    return this.held.size;
  }

  accept(f: RxFrame): RxResult {
    const out: RxResult = { verdict: 'new', outOfOrder: false, messages: [], discarded: 0 };
    if (SEQ_LT(f.seq, this.next) || this.held.has(f.seq)) {
      out.verdict = 'dup';
      return out;
    }
    if (seqDiff(f.seq, this.next) >= this.window) {
      out.verdict = 'window';
      return out;
    }
    if (f.seq !== this.next) {
      out.outOfOrder = true;
      this.held.set(f.seq, { ...f, payload: f.payload.slice() });
      return out;
    }
    this.take(f, out);
    for (let h = this.held.get(this.next); h; h = this.held.get(this.next)) {
      this.held.delete(h.seq);
      this.take(h, out);
    }
    return out;
  }

  /** A frame at `next`: advance and gather. */
  private take(f: RxFrame, out: RxResult): void {
    this.next = seqAdd(this.next, 1) || 1;
    if (f.layer === QnetLayer.SEQ) {
      if (this.partial) out.discarded++;
      this.partial = null;
      return;
    }
    if (f.flags & QnetL4Flag.FIRST) {
      if (this.partial) out.discarded++;
      this.partial = f.offset === 0 ? { layer: f.layer, link: f.link, chunks: [], bytes: 0 } : null;
      if (!this.partial) {
        out.discarded++;
        return;
      }
    } else if (!this.partial || f.offset !== this.partial.bytes || f.layer !== this.partial.layer) {
      // A stray piece (its FIRST was discarded) or one that does not follow on: the message is lost.
      if (this.partial) out.discarded++;
      this.partial = null;
      return;
    }
    this.partial.chunks.push(f.payload.slice());
    this.partial.bytes += f.payload.length;
    if (f.flags & QnetL4Flag.LAST) {
      const p = this.partial;
      this.partial = null;
      const payload = new Uint8Array(p.bytes);
      let at = 0;
      for (const c of p.chunks) {
        payload.set(c, at);
        at += c.length;
      }
      out.messages.push({ layer: p.layer, payload, frames: p.chunks.length, link: p.link });
    }
  }
}
