/**
 * IEEE 802.3x flow control of the BCM5701 MAC (design §5.4). Receive: a PAUSE honoured with
 * MAC_RX_MODE.FLOW_CTRL_ENABLE holds the transmitter for pause_time × 512 bit times at the link speed (0 resumes
 * at once; the frame on the wire finishes). Transmit: with MAC_TX_MODE.FLOW_CTRL_ENABLE on a full-duplex link,
 * XOFF (pause_time 0xffff) when the free mbufs of the pool fall below BUFMGR_MB_MACRX_LOW_WATER and XON (0)
 * when they rise above BUFMGR_MB_HIGH_WATER *(I: what the watermark registers are for)*, ahead of queued data.
 * Falling below the low-water mark also raises HOSTCC_FLOW_ATTN.MBUF_LWM (tg3_process_error ignores that bit).
 */
import { buildPauseFrame, pauseTimeNs } from '../common/mac-control';
import type { Bcm5701Core } from './core';
import { BUFMGR, FLOW_ATTN_BITS, HOSTCC, MAC, TX_MODE_BITS } from './regs';

export class FlowControl {
  /** We sent XOFF and no XON since (MAC_RX_STATUS.REMOTE_TX_XOFFED; bge_watchdog checks it). */
  xoffSent = false;

  constructor(private readonly c: Bcm5701Core) {}

  /** A PAUSE frame we honour: hold the transmitter `quanta` × 512 bit times. */
  pauseReceived(quanta: number): void {
    const c = this.c;
    const now = c.ctx.queue.now;
    const rate = (c.phy.link()?.speedMbps ?? 1000) * 1_000_000;
    c.send.pausedUntil = quanta === 0 ? now : now + pauseTimeNs(quanta, rate);
    c.send.kick();
  }

  /** The free mbufs changed (a frame entered or left a FIFO). */
  update(): void {
    const c = this.c;
    const f = c.f;
    const pool = Math.floor(f.get(BUFMGR.MB_POOL_SIZE) / 128);
    const free = pool - c.recv.fifoMbufs() - c.send.fifoMbufs();
    const low = f.get(BUFMGR.MB_MACRX_LOW_WATER);
    if (free < low) f.set(HOSTCC.FLOW_ATTN, f.get(HOSTCC.FLOW_ATTN) | FLOW_ATTN_BITS.MBUF_LWM);
    if (!(f.get(MAC.TX_MODE) & TX_MODE_BITS.FLOW_CTRL_ENABLE) || !c.phy.link()?.fullDuplex) return;
    if (!this.xoffSent && free < low) this.send(0xffff);
    else if (this.xoffSent && free > f.get(BUFMGR.MB_HIGH_WATER)) this.send(0);
  }

  private send(quanta: number): void {
    const c = this.c;
    this.xoffSent = quanta !== 0;
    c.stats.add(quanta === 0 ? 'tx_xon_sent' : 'tx_xoff_sent', 'macTx');
    c.trace('pause-sent', 0, { quanta });
    c.send.sendControl({ data: buildPauseFrame(c.macAddress, quanta).data, pktId: 0, badFcs: false, control: true });
  }
}
