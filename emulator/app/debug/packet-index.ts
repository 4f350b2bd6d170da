/**
 * Packet id → what is known of that packet: the frames seen for the id (from medium taps), each with the
 * number of the event that saw it, and what trace records said about it. A packet that is forwarded crosses several links with different frames; asked "as of event
 * n", the index answers with the frame last seen at or before n, else the first one seen later (the lookahead
 * knows those). Observation only: nothing here feeds back into the simulation.
 */
import type { TraceRecord } from '../../machine/sim/trace';
import { decodeFrame, learnFromRecord, type PacketInfo } from './packet-info';

/** Packets whose frames are kept at most (oldest forgotten first), so a flood does not exhaust memory. */
const MAX_PACKETS = 100_000;

interface Seen {
  ev: number;
  bytes: Uint8Array;
  info: PacketInfo | null;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export class PacketIndex {
  private readonly frames = new Map<number, Seen[]>();
  private readonly fromFields = new Map<number, PacketInfo>();

  /** A frame of packet `pkt` seen during event `ev`. */
  learnBytes(pkt: number, bytes: Uint8Array, ev = 0): void {
    if (pkt <= 0) return;
    let list = this.frames.get(pkt);
    if (!list) {
      list = [];
      this.frames.set(pkt, list);
      if (this.frames.size > MAX_PACKETS) {
        const first = this.frames.keys().next();
        if (!first.done) this.frames.delete(first.value);
      }
    }
    // Keep the list in event order; a replay (or the session after the lookahead) sees the same frames again.
    let at = list.length;
    while (at > 0 && list[at - 1]!.ev > ev) at--;
    const prev = list[at - 1];
    if (prev && same(prev.bytes, bytes)) return;
    list.splice(at, 0, { ev, bytes: bytes.slice(), info: null });
  }

  learnRecord(rec: TraceRecord): void {
    if (rec.pkt <= 0 || !rec.f) return;
    let info = this.fromFields.get(rec.pkt);
    if (!info) {
      info = { pkt: rec.pkt, complete: false, bytes: null };
      this.fromFields.set(rec.pkt, info);
    }
    learnFromRecord(info, rec);
  }

  private seen(pkt: number, ev: number): Seen | undefined {
    const list = this.frames.get(pkt);
    if (!list || list.length === 0) return undefined;
    let pick = list[0]!;
    for (const s of list) if (s.ev <= ev) pick = s;
    return pick;
  }

  /** The frame as of event `ev` (default: the last one seen). */
  bytes(pkt: number, ev = Number.MAX_SAFE_INTEGER): Uint8Array | null {
    return this.seen(pkt, ev)?.bytes ?? null;
  }

  /** Everything known as of event `ev`: the decoded frame when one was seen, else what records said. */
  info(pkt: number, ev = Number.MAX_SAFE_INTEGER): PacketInfo {
    const s = this.seen(pkt, ev);
    if (s) {
      if (!s.info) s.info = decodeFrame(pkt, s.bytes);
      return s.info;
    }
    return this.fromFields.get(pkt) ?? { pkt, complete: false, bytes: null };
  }
}
