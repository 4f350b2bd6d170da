/**
 * The receive half of the DP8390 core: walking the ring from the driver's next-packet pointer to CURR and
 * copying frames out by remote DMA (NetBSD dp8390_rint / ne2000_ring_copy). Split from dp8390.ts for size;
 * it runs with the core's lock held.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { _SLOG_ERROR, type SlogSeverity } from '../../io-pkt/driver-api';
import { DRIVER_RX_PER_FRAME_NS } from '../costs';
import type { Dp8390Host, RxBuffer } from './dp8390';
import type { Ne2000Io, RingLayout } from './ne2000-io';
import * as R from './regs';
import type { Dp8390Counters, Dp8390Stats } from './stats';

/** What the ring reader uses of the core. */
export interface RingOwner<B extends RxBuffer> {
  readonly stats: Dp8390Stats;
  readonly counters: Dp8390Counters;
  readonly host: Dp8390Host<B>;
  setLink(up: boolean): void;
  resetLocked(ctx: ThreadCtx, reason: string, severity?: SlogSeverity): Co<void>;
}

export class RingReader<B extends RxBuffer> {
  /** The first page not yet read by the driver (NetBSD sc->next_packet). */
  nextPacket = 0;
  /** The 4-byte ring header of the frame being read (one buffer: the reader runs with the core's lock held). */
  private readonly hdr = new Uint8Array(R.RING_HDR);

  constructor(private readonly io: Ne2000Io, private readonly layout: RingLayout, private readonly core: RingOwner<B>) {}

  /**
   * Walk the ring from the driver's next-packet pointer to CURR (NetBSD dp8390_rint). A header whose next
   * pointer disagrees with its byte count, or points outside the ring, means the ring is corrupt: reset.
   * Returns false when it had to reset the NIC.
   */
  *rint(ctx: ThreadCtx): Co<boolean> {
    const io = this.io;
    const { recPageStart: start, recPageStop: stop } = this.layout;
    const ringPages = stop - start;
    const hdr = this.hdr;
    for (;;) {
      io.out8(ctx, R.CR, R.CR_RD2 | R.CR_PAGE1 | R.CR_STA);
      const current = yield* io.in8(ctx, R.P1_CURR);
      io.out8(ctx, R.CR, R.CR_RD2 | R.CR_PAGE0 | R.CR_STA);
      if (this.nextPacket === current) return true;
      do {
        const page = this.nextPacket;
        yield* io.readMem(ctx, page * R.PAGE_SIZE, hdr);
        const rsr = hdr[0]!;
        const next = hdr[1]!;
        const count = hdr[2]! | (hdr[3]! << 8);
        let expect = page + Math.ceil((count + R.RING_HDR) / R.PAGE_SIZE);
        if (expect >= stop) expect -= ringPages;
        const len = count - R.ETHER_FCS;
        if (next !== expect || next < start || next >= stop || len <= 0 || len > R.MCLBYTES) {
          this.core.counters.ierrors++;
          // dp8390_rint: log(LOG_ERR, "NIC memory corrupt - invalid packet length") then dp8390_reset.
          yield* this.core.resetLocked(ctx, `ring corrupt at page ${page}: next ${next} count ${count} status ${rsr}`, _SLOG_ERROR);
          return false;
        }
        if ((rsr & 0x0f) === R.RSR_PRX) {
          yield* this.readFrame(ctx, page, len);
        } else {
          this.core.counters.ierrors++;
        }
        this.nextPacket = next;
        const boundary = next - 1 < start ? stop - 1 : next - 1;
        io.out8(ctx, R.P0_BNRY, boundary);
        // Let the copy's bus time pass before the next frame: the chip keeps receiving meanwhile.
        yield* ctx.work(0);
      } while (this.nextPacket !== current);
    }
  }

  /**
   * Copy one frame out of the ring into a buffer from the host, in two remote reads when it wraps PSTOP → PSTART
   * (NetBSD ring_copy). No buffer: the frame stays unread and is skipped, as NetBSD dp8390_read drops a packet
   * dp8390_get could not find mbufs for (if_ierrors++).
   */
  private *readFrame(ctx: ThreadCtx, page: number, len: number): Co<void> {
    const s = this.core.stats;
    const buf = this.core.host.allocRx(len);
    if (!buf) {
      s.rxFailedAllocs++;
      this.core.counters.ierrors++;
      ctx.trace('driver', 'rx-nobuf', 0, { len, page });
      return;
    }
    const frame = buf.data.subarray(0, len);
    const memEnd = this.layout.recPageStop * R.PAGE_SIZE;
    const src = page * R.PAGE_SIZE + R.RING_HDR;
    if (src + len > memEnd) {
      const first = memEnd - src;
      yield* this.io.readMem(ctx, src, frame.subarray(0, first));
      yield* this.io.readMem(ctx, this.layout.recPageStart * R.PAGE_SIZE, frame.subarray(first));
    } else {
      yield* this.io.readMem(ctx, src, frame);
    }
    ctx.charge(DRIVER_RX_PER_FRAME_NS);
    s.rxOk++;
    s.rxBytes += len;
    if (len < R.ETHER_MIN_NOFCS) s.rxRunts++;
    if (frame[0]! & 1) {
      if (isBroadcast(frame)) s.rxBroadcast++;
      else s.rxMulticast++;
    }
    this.core.counters.ipackets++;
    this.core.setLink(true);
    const pktId = ctx.identify?.(frame) ?? 0;
    ctx.trace('driver', 'rx', pktId, { len, page });
    this.core.host.deliver(ctx, buf, pktId);
  }
}

/** Every byte of the frame's destination (its first 6 bytes, or fewer in a runt) is 0xff. */
export function isBroadcast(frame: Uint8Array): boolean {
  const n = Math.min(6, frame.length);
  for (let i = 0; i < n; i++) if (frame[i] !== 0xff) return false;
  return true;
}
