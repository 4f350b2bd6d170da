/**
 * The MAC's MII management interface (design §1.9.1–§1.9.2, §1.9.5): MAC_MI_COM (0x44c) runs one IEEE 802.3
 * clause 22 MDIO frame per START, MAC_MI_MODE (0x454) sets the MDC clock, preamble and auto-poll, MAC_MI_STAT
 * (0x450) shows the auto-polled link (bge `BGE_MISTS_LINK`, `BGE_MISTS_10MBPS`) and, written, enables link
 * attention (tg3 `MAC_MI_STAT_LNKSTAT_ATTN_ENAB`), MAC_AUTO_POLL_STATUS (0x458) latches a failed poll.
 *
 * Timing: a frame is 64 MDC periods (32-bit preamble + 32-bit frame; 32 with MI_MODE.SHORT_PREAMBLE); one MDC
 * period is 2 × (CLKCNT + 1) core clocks at 66 MHz, CLKCNT = MI_MODE bits 20:16 *(I)*: 0x0c (both drivers'
 * `MAC_MI_MODE_BASE`) → 393.9 ns, 25 212 ns per frame, within 802.3's 2.5 MHz MDC limit (22.2.2.11). tg3's
 * `__tg3_readphy` and bge's `bge_miibus_readreg` poll MI_COM every 10 µs until START/BUSY clears.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { readState, stateVersions, type EventState } from '../../emulator/machine/sim/snapshot';
import type { Time } from '../../emulator/machine/sim/time';
import type { MiRegisters } from './mac-regs';
import type { Bcm5701Phy } from './phy-bcm5701';

/** MAC_MI_COM bits (tg3.h `MI_COM_*`). */
export const MI_COM = {
  DATA_MASK: 0xffff, REG_ADDR_SHIFT: 16, PHY_ADDR_SHIFT: 21, CMD_WRITE: 0x04000000, CMD_READ: 0x08000000,
  CMD_MASK: 0x0c000000, READ_FAILED: 0x10000000, START: 0x20000000,
} as const;
/** MAC_MI_MODE bits (tg3.h `MAC_MI_MODE_*`; bge `BGE_MIMODE_PHYADDR` bits 9:5). */
export const MI_MODE = { CLK_10MHZ: 0x1, SHORT_PREAMBLE: 0x2, AUTO_POLL: 0x10, PHY_ADDR_SHIFT: 5, CLKCNT_SHIFT: 16, BASE: 0x000c0000 } as const;
export const MI_STAT = { LNKSTAT_ATTN_ENAB: 0x1, LINK: 0x1, SPEED_10: 0x2 } as const;
export const AUTO_POLL_ERROR = 0x1;

const CORE_HZ = 66_000_000;

/** One MDIO frame at MI_MODE `mode`, in ns. */
export function mdioFrameNs(mode: number): Time {
  const bits = mode & MI_MODE.SHORT_PREAMBLE ? 32 : 64;
  const clkcnt = (mode >> MI_MODE.CLKCNT_SHIFT) & 0x1f;
  return Math.round((bits * 2 * (clkcnt + 1) * 1e9) / CORE_HZ);
}

export interface MdioHooks {
  /** An MI_COM transaction ended: MAC_STATUS.MI_COMPLETION. */
  miCompletion(): void;
  /** The link the MAC sees changed: MAC_STATUS.LNKSTATE_CHANGED. */
  linkStateChanged(): void;
}

export interface MdioState {
  v: 1;
  com: number;
  mode: number;
  stat: number;
  apStatus: number;
  frameEnd: EventState;
  pollSince: Time;
  poll: EventState;
  polled: { link: boolean; speed10: boolean };
}
export const MDIO_STATE = stateVersions('BCM5701 MDIO', 1);

export class MdioEngine implements MiRegisters {
  private com = 0;
  private mode: number = MI_MODE.BASE;
  private stat = 0;
  private apStatus = 0;
  /** Auto-poll frames run back to back from here (the last enable, or the end of a host frame). */
  private pollSince: Time = 0;
  private polled = { link: false, speed10: false };
  private readonly frameEv: SimEvent;
  private readonly pollEv: SimEvent;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly phy: Bcm5701Phy,
    private readonly hooks: MdioHooks,
  ) {
    this.frameEv = new SimEvent(`${ctx.name}.mi-frame`, () => this.frameDone(), Priority.Device);
    this.pollEv = new SimEvent(`${ctx.name}.mi-autopoll`, () => this.pollSeen(), Priority.Device);
    phy.onLinkChange(() => this.phyLinkChanged());
  }

  /** A host transaction is on the MDIO bus (MI_COM START/BUSY). */
  get busy(): boolean {
    return this.frameEv.scheduled;
  }

  private get autoPoll(): boolean {
    return (this.mode & MI_MODE.AUTO_POLL) !== 0;
  }

  // ---- MiRegisters (the MAC block delegates 0x44c–0x458 here) ----

  readCom(): number {
    return this.com;
  }

  writeCom(v: number): void {
    const value = v >>> 0;
    if (this.busy) {
      // A second command while a frame is on the bus is lost *(I)*; neither driver does it.
      this.trace('mi-busy', { value });
      return;
    }
    this.com = value & ~MI_COM.READ_FAILED;
    if (!(value & MI_COM.START)) return;
    const q = this.ctx.queue;
    const frame = mdioFrameNs(this.mode);
    // With auto-poll on, the host frame waits for the poll frame on the bus to finish *(I)*.
    const start = this.autoPoll ? this.nextPollBoundary(q.now) : q.now;
    q.schedule(this.frameEv, start + frame);
  }

  readStat(): number {
    const s = this.seen();
    return (s.link ? MI_STAT.LINK : 0) | (s.speed10 ? MI_STAT.SPEED_10 : 0);
  }

  writeStat(v: number): void {
    this.stat = v & MI_STAT.LNKSTAT_ATTN_ENAB;
  }

  readMode(): number {
    return this.mode;
  }

  writeMode(v: number): void {
    const was = this.autoPoll;
    this.mode = v >>> 0;
    const q = this.ctx.queue;
    if (this.autoPoll && !was) {
      this.pollSince = q.now;
      q.reschedule(this.pollEv, q.now + mdioFrameNs(this.mode)); // the first poll completes one frame later
    } else if (!this.autoPoll && was) {
      q.deschedule(this.pollEv);
    }
  }

  readAutoPollStatus(): number {
    return this.apStatus;
  }

  writeAutoPollStatus(v: number): void {
    this.apStatus &= ~(v & AUTO_POLL_ERROR);
  }

  /** Core reset (GRC_MISC_CFG.CORECLK_RESET) and RST#: the engine idles, MI_MODE back to its reset value *(I)*. */
  reset(): void {
    const q = this.ctx.queue;
    q.deschedule(this.frameEv);
    q.deschedule(this.pollEv);
    this.com = 0;
    this.mode = MI_MODE.BASE;
    this.stat = 0;
    this.apStatus = 0;
    this.polled = { link: false, speed10: false };
  }

  // ---- the bus ----

  /** The end of the host frame: the PHY register is read or written; START clears; MI_COMPLETION. */
  private frameDone(): void {
    const c = this.com;
    const addr = (c >>> MI_COM.PHY_ADDR_SHIFT) & 0x1f;
    const reg = (c >>> MI_COM.REG_ADDR_SHIFT) & 0x1f;
    const cmd = c & MI_COM.CMD_MASK;
    const present = addr === this.phy.address;
    let out = c & ~MI_COM.START;
    if (cmd === MI_COM.CMD_READ) {
      // No PHY drives MDIO at an absent address: the pull-up reads all ones and the MAC flags the read *(I)*.
      out = present ? (out & ~MI_COM.DATA_MASK) | this.phy.read(reg) : out | MI_COM.DATA_MASK | MI_COM.READ_FAILED;
    } else if (cmd === MI_COM.CMD_WRITE) {
      if (present) this.phy.write(reg, c & MI_COM.DATA_MASK);
    } else {
      this.trace('mi-bad-command', { value: c });
    }
    this.com = out >>> 0;
    if (this.autoPoll) {
      // Polling resumes after the host frame.
      const q = this.ctx.queue;
      this.pollSince = q.now;
      if (this.pollEv.scheduled) q.reschedule(this.pollEv, this.nextPollBoundary(q.now + 1));
    }
    this.hooks.miCompletion();
  }

  /** The earliest end of an auto-poll frame at or after `t`. */
  private nextPollBoundary(t: Time): Time {
    const f = mdioFrameNs(this.mode);
    const k = Math.max(0, Math.ceil((t - this.pollSince) / f));
    return this.pollSince + k * f;
  }

  /** What a poll frame reads now: the PHY's link pin and 10 Mb/s, or nothing from an absent address. */
  private sample(): { link: boolean; speed10: boolean; ok: boolean } {
    const addr = (this.mode >> MI_MODE.PHY_ADDR_SHIFT) & 0x1f;
    if (addr !== this.phy.address) return { link: false, speed10: false, ok: false };
    const l = this.phy.link;
    return { link: l.up, speed10: l.up && l.speedMbps === 10, ok: true };
  }

  /** The link the MAC sees: the last auto-poll result, or the PHY's link pin when not polling. */
  private seen(): { link: boolean; speed10: boolean } {
    if (this.autoPoll) return this.polled;
    const l = this.phy.link;
    return { link: l.up, speed10: l.up && l.speedMbps === 10 };
  }

  /**
   * The PHY's link changed. Auto-poll: the next poll frame to complete sees it (one event there, none per
   * poll). Otherwise, with MI_STAT.LNKSTAT_ATTN_ENAB, link attention at once (tg3 writes it in `tg3_reset_hw`).
   */
  private phyLinkChanged(): void {
    const q = this.ctx.queue;
    if (this.autoPoll) {
      if (!this.busy) q.reschedule(this.pollEv, this.nextPollBoundary(q.now + 1));
      else if (!this.pollEv.scheduled) q.schedule(this.pollEv, this.frameEv.when + mdioFrameNs(this.mode));
      return;
    }
    if (this.stat & MI_STAT.LNKSTAT_ATTN_ENAB) this.hooks.linkStateChanged();
  }

  private pollSeen(): void {
    const s = this.sample();
    if (!s.ok) this.apStatus |= AUTO_POLL_ERROR;
    const changed = s.link !== this.polled.link || s.speed10 !== this.polled.speed10;
    this.polled = { link: s.link, speed10: s.speed10 };
    if (changed) this.hooks.linkStateChanged();
  }

  private trace(probe: string, f: Record<string, number>): void {
    this.ctx.tracer.emit(this.ctx.node, 'nic', probe, 0, f);
  }

  // ---- snapshots ----

  saveState(): MdioState {
    return {
      v: 1,
      com: this.com,
      mode: this.mode,
      stat: this.stat,
      apStatus: this.apStatus,
      frameEnd: this.frameEv.when,
      pollSince: this.pollSince,
      poll: this.pollEv.when,
      polled: { ...this.polled },
    };
  }

  loadState(saved: { v: number }): void {
    const s = readState<MdioState>(this.ctx.name, MDIO_STATE, saved);
    const q = this.ctx.queue;
    Object.assign(this, { com: s.com, mode: s.mode, stat: s.stat, apStatus: s.apStatus, pollSince: s.pollSince });
    this.polled = { ...s.polled };
    q.deschedule(this.frameEv);
    q.deschedule(this.pollEv);
    if (s.frameEnd >= 0) q.schedule(this.frameEv, s.frameEnd);
    if (s.poll >= 0) q.schedule(this.pollEv, s.poll);
  }
}
