/**
 * The interrupt and the tick (if_bge.c bge_intr, bge_link_upd, bge_tick, bge_watchdog).
 *
 * bge_intr (non-tagged status, INTx): PCISTATE tells whether INTA# is ours — the line may be shared — and a
 * status block without UPDATED while INTA# is not asserted is not ours. Otherwise: mailbox 0 ← 1 (deasserts
 * INTA# and holds the chip's interrupts off), clear the status word in host memory, the link if the status
 * block or a pending event says so, the return ring, the send ring, mailbox 0 ← 0 (re-enable), and if_start
 * for anything queued meanwhile. io-pkt unmasks the line when the handler returns.
 *
 * bge_tick, once a second: statistics, mii_tick while the link is down (autonegotiation restarts), and the
 * transmit watchdog (if_timer, 5 s after a send with no completion: "watchdog timeout -- resetting").
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { IFF_RUNNING } from '../../net/if';
import { BGE_INTR_NS, HOST_DESC_ACCESS_NS } from './costs';
import { bgeInit } from './init';
import { miiPollstat, miiTick } from './mii-bus';
import {
  BGE_MAC_STS, BGE_MACSTAT_LINK_ATTN_CLEAR, BGE_MBX_IRQ0_LO, BGE_MI_STS, BGE_MISTS_LINK, BGE_PCI_PCISTATE,
  BGE_PCISTATE_INTR_STATE, BGE_RX_MODE, BGE_RX_STS, BGE_RXMODE_FLOWCTL_ENABLE, BGE_RXSTAT_RCVD_XOFF,
  BGE_RXSTAT_RCVD_XON, BGE_RXSTAT_REMOTE_XOFFED, BGE_STATFLAG_LINKSTATE_CHANGED, BGE_STATFLAG_UPDATED,
} from './regs';
import { bgeRxeof, bgeStart, bgeTxeof } from './rings';
import type { BgeSoftc } from './softc';
import { bgeStatsUpdate } from './stats';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';

/** bge_link_upd on a copper 5701 with auto-poll: MI_STS says whether the link moved; then ask the PHY. */
export function* bgeLinkUpd(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  sc.linkEvt = false;
  if (sc.autopoll) {
    const link = ((yield* sc.csr.read(ctx, BGE_MI_STS)) & BGE_MISTS_LINK) !== 0;
    if (link !== sc.link) yield* miiPollstat(ctx, sc.mii);
  } else {
    yield* miiPollstat(ctx, sc.mii);
  }
  sc.csr.write(ctx, BGE_MAC_STS, BGE_MACSTAT_LINK_ATTN_CLEAR);
}

function statusWord(ctx: ThreadCtx, sc: BgeSoftc): number {
  const b = new Uint8Array(4);
  ctx.bus.memRead(sc.mem.statusBlock, b);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

/** bge_intr. Always "done" for io-pkt (which then unmasks the line). */
export function* bgeIntr(ctx: ThreadCtx, sc: BgeSoftc): Co<boolean> {
  yield* sc.lock(ctx);
  try {
    if (sc.detached || !sc.ifp) return true;
    const ifp = sc.ifp;
    ctx.charge(BGE_INTR_NS);
    const pcistate = yield* sc.csr.read(ctx, BGE_PCI_PCISTATE);
    const status = statusWord(ctx, sc);
    ctx.charge(HOST_DESC_ACCESS_NS);
    if ((status & BGE_STATFLAG_UPDATED) === 0 && (pcistate & BGE_PCISTATE_INTR_STATE) !== 0) {
      sc.counters.intrSpurious++;
      ctx.trace('driver', 'intr-spurious', 0, { if: ifp.name, pcistate });
      return true;
    }
    yield* sc.csr.writembxFlush(ctx, BGE_MBX_IRQ0_LO, 1);
    sc.counters.intr++;
    ctx.bus.memWrite(sc.mem.statusBlock, new Uint8Array(4));
    ctx.trace('driver', 'intr', 0, { if: ifp.name, status });
    if (status & BGE_STATFLAG_LINKSTATE_CHANGED || sc.linkEvt) yield* bgeLinkUpd(ctx, sc);
    if (ifp.flags & IFF_RUNNING) {
      bgeRxeof(ctx, sc);
      bgeTxeof(ctx, sc);
    }
    yield* sc.csr.writembxFlush(ctx, BGE_MBX_IRQ0_LO, 0);
    if (ifp.flags & IFF_RUNNING && ifp.snd.length > 0) bgeStart(ctx, sc);
    return true;
  } finally {
    sc.unlock();
  }
}

/** bge_watchdog: unless the partner has paused us, reinitialize. */
export function* bgeWatchdog(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  const ifp = sc.ifp!;
  if ((yield* sc.csr.read(ctx, BGE_RX_MODE)) & BGE_RXMODE_FLOWCTL_ENABLE) {
    const status = yield* sc.csr.read(ctx, BGE_RX_STS);
    if (status & BGE_RXSTAT_REMOTE_XOFFED || (status & BGE_RXSTAT_RCVD_XOFF && status & BGE_RXSTAT_RCVD_XON)) {
      sc.csr.write(ctx, BGE_RX_STS, status);
      sc.ifTimer = 5;
      return;
    }
  }
  sc.log('watchdog timeout -- resetting', _SLOG_ERROR);
  sc.counters.watchdogResets++;
  ifp.flags &= ~IFF_RUNNING;
  yield* bgeInit(ctx, sc);
  ifp.data.oerrors++;
}

/** bge_tick, with if_slowtimo's if_timer countdown. */
export function* bgeTick(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  yield* sc.lock(ctx);
  try {
    if (sc.detached || !sc.ifp || !(sc.ifp.flags & IFF_RUNNING)) return;
    yield* bgeStatsUpdate(ctx, sc);
    if (!sc.link) yield* miiTick(ctx, sc.mii);
    if (sc.ifTimer > 0 && --sc.ifTimer === 0) yield* bgeWatchdog(ctx, sc);
  } finally {
    sc.unlock();
  }
}
