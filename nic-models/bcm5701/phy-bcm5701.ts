/**
 * The BCM5701's integrated 10/100/1000BASE-T PHY at MII address 1 (design §1.9.3): IEEE registers 0–0x0f and the
 * Broadcom registers 0x10–0x1f (brgphyreg.h, tg3.h `MII_TG3_*`). Register reads with side effects (latched-low
 * BMSR link, ISTAT and the counters clear on read, EXPANSION page-received) happen once per MDIO read frame;
 * `peek` has none. Auto-negotiation runs on the medium's link segment (`autoneg.ts` translates).
 *
 * Not a datasheet model (none is public): what tg3 (`tg3_phy_reset`, `tg3_setup_copper_phy`, `tg3_phy_copper_begin`,
 * `tg3_calc_crc_errors`, `tg3_power_down_phy`) and NetBSD brgphy (`brgphy_status`, `brgphy_mii_phy_auto`,
 * `brgphy_loop`, `brgphy_eth_wirespeed`) rely on. Inferred details are marked *(I)*.
 */
import type { ComponentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { readState, stateVersions, type EventState } from '../../emulator/machine/sim/snapshot';
import { MODES_1000, type NegotiatedLink, type NegotiationOutcome } from '../../emulator/machine/net/autoneg';
import type { AutonegEndpoint } from '../../emulator/machine/net/link-segment';
import {
  AUX_STAT, auxStatSpeed, BMCR, BMSR, EXPANSION, lpaFromPartner, PhyAutoneg, stat1000, type PhyRegisterView,
} from './autoneg';

/** Register numbers (tg3.h / mii.h names). */
export const MII = {
  BMCR: 0x00, BMSR: 0x01, PHYSID1: 0x02, PHYSID2: 0x03, ADVERTISE: 0x04, LPA: 0x05, EXPANSION: 0x06, NPAGE_TX: 0x07,
  LPA_NPAGE: 0x08, CTRL1000: 0x09, STAT1000: 0x0a, ESTATUS: 0x0f, EXT_CTRL: 0x10, EXT_STAT: 0x11, RXERR_CNT: 0x12,
  FCS_CNT: 0x13, RXR_COUNTERS: 0x14, DSP_RW_PORT: 0x15, DSP_CONTROL: 0x16, DSP_ADDRESS: 0x17, AUX_CTRL: 0x18,
  AUX_STAT: 0x19, ISTAT: 0x1a, IMASK: 0x1b, MISC_SHDW: 0x1c, TEST1: 0x1e, TEST2: 0x1f,
} as const;
/** ISTAT / IMASK bits (brgphyreg.h `BRGPHY_ISR_*`, tg3 `MII_TG3_INT_*`). */
export const ISTAT = { LNK_CHG: 0x0002, LSP_CHG: 0x0004, DUP_CHG: 0x0008, NO_HDC: 0x0100, AN_PR: 0x0400 } as const;
export const EXT_CTRL = { FIFO_ELASTIC: 0x0001, LNK3_LED: 0x0002, FORCE_LED_OFF: 0x0008, INT_DIS: 0x1000 } as const;
export const EXT_STAT = { LS: 0x0100, LOCKED: 0x0200, LRS: 0x0400, RRS: 0x0800, INT_STAT: 0x1000, MDIX: 0x2000 } as const;
export const TEST1 = { TRIM_EN: 0x0010, CRC_EN: 0x8000 } as const;
/** AUX_CTRL: bits 2:0 select the shadow; shadow 7 (MISC) needs WREN to be written, else bits 14:12 select a read. */
export const AUXCTL = { SHDWSEL_AUXCTL: 0, SHDWSEL_PWRCTL: 2, SHDWSEL_MISCTEST: 4, SHDWSEL_MISC: 7, MISC_WREN: 0x8000, MISC_RDSEL_SHIFT: 12 } as const;

/** PHYSID1/2 of the 5701's PHY: OUI 0x001018 (`xxBROADCOM`), model 0x11 (`BCM5701`), revision 2 *(I)*. */
export const PHY_ID1 = 0x0020;
export const PHY_ID2 = 0x6112;
const BMSR_ABILITY = BMSR.FULL100 | BMSR.HALF100 | BMSR.FULL10 | BMSR.HALF10 | BMSR.ESTATEN | BMSR.MFPRESUPPR | BMSR.ANEGCAPABLE | BMSR.ERCAP;
const BMCR_RESET_VALUE = BMCR.ANENABLE | BMCR.FULLDPLX | BMCR.SPEED1000; // 0x1140
const ADVERTISE_RESET = 0x01e1;
const CTRL1000_RESET = 0x0300;
/** ESTATUS: 1000BASE-T full and half duplex capable. */
const ESTATUS_VALUE = 0x3000;
/** BMCR RESET reads back set for this long *(I: tg3_bmcr_reset polls up to 5000 × 10 µs; 40 µs is quick)*. */
export const PHY_RESET_NS = 40_000;

/** The link the PHY reports to the MAC (its link pin and resolved mode). */
export interface PhyLink {
  up: boolean;
  speedMbps: 10 | 100 | 1000;
  fullDuplex: boolean;
  pauseTx: boolean;
  pauseRx: boolean;
}

export interface Bcm5701PhyOptions {
  /** MII address (default 1, tg3 `TG3_PHY_MII_ADDR`). */
  address?: number;
  /** Multiplies every negotiation time (the kind's `phyTimeScale`; tests use 0.001). */
  timeScale?: number;
}

interface Regs {
  bmcr: number;
  advertise: number;
  npTx: number;
  ctrl1000: number;
  extCtrl: number;
  aux: number[];
  auxSel: number;
  misc: number[];
  miscSel: number;
  dspAddr: number;
  dspCtl: number;
  imask: number;
  test1: number;
  test2: number;
}

export interface PhyState {
  v: 1;
  regs: Regs;
  dsp: [number, number][];
  istat: number;
  crc: number;
  latchedDown: boolean;
  pageLatch: boolean;
  resetting: boolean;
  resetDone: EventState;
  outcome: NegotiationOutcome | null;
  link: NegotiatedLink | null;
  last: { speedMbps: number; fullDuplex: boolean } | null;
}
export const PHY_STATE = stateVersions('BCM5701 PHY', 1);

function resetRegs(): Regs {
  return {
    bmcr: BMCR_RESET_VALUE, advertise: ADVERTISE_RESET, npTx: 0x2001, ctrl1000: CTRL1000_RESET, extCtrl: 0,
    aux: [0x0400, 0, 0, 0, 0, 0, 0, 0], auxSel: 0, misc: new Array<number>(32).fill(0), miscSel: 0,
    dspAddr: 0, dspCtl: 0, imask: 0xffff, test1: 0, test2: 0,
  };
}

export class Bcm5701Phy {
  readonly address: number;
  /** The endpoint a medium negotiates with: the chip puts it in its NetPortListener (`autoneg`). */
  readonly endpoint: AutonegEndpoint;
  private readonly an: PhyAutoneg;
  private r: Regs = resetRegs();
  private dsp = new Map<number, number>();
  private istat = 0;
  private crc = 0;
  private latchedDown = false;
  private pageLatch = false;
  private resetting = false;
  private outcome: NegotiationOutcome | null = null;
  private up: NegotiatedLink | null = null;
  private last: { speedMbps: number; fullDuplex: boolean } | null = null;
  private readonly resetEv: SimEvent;
  private readonly linkListeners: ((l: PhyLink) => void)[] = [];
  private readonly irqListeners: ((level: boolean) => void)[] = [];
  private irqLevel = false;

  constructor(private readonly ctx: ComponentContext, opts: Bcm5701PhyOptions = {}) {
    this.address = opts.address ?? 1;
    const self = this;
    const view: PhyRegisterView = {
      get bmcr() { return self.r.bmcr; },
      get advertise() { return self.r.advertise; },
      get ctrl1000() { return self.r.ctrl1000; },
      get silent() { return self.resetting || (self.r.bmcr & (BMCR.PDOWN | BMCR.LOOPBACK)) !== 0; },
      restarted: () => {
        this.outcome = null;
      },
      pageReceived: (o) => this.pageReceived(o),
      linkUp: (l) => this.linkUp(l),
      linkDown: () => this.linkDown(),
    };
    this.an = new PhyAutoneg(view, opts.timeScale ?? 1);
    this.endpoint = this.an;
    this.resetEv = new SimEvent(`${ctx.name}.phy-reset`, () => this.resetDone(), Priority.Device);
  }

  /** Link pin and resolved mode (down while powered down, in loopback, or not negotiated). */
  get link(): PhyLink {
    const l = this.up;
    if (!l) return { up: false, speedMbps: (this.last?.speedMbps ?? 10) as 10 | 100 | 1000, fullDuplex: this.last?.fullDuplex ?? false, pauseTx: false, pauseRx: false };
    return { up: true, speedMbps: l.speedMbps, fullDuplex: l.fullDuplex, pauseTx: l.pauseTx, pauseRx: l.pauseRx };
  }
  /** BMCR.LOOPBACK: the MAC's frames come back to it; the wire is silent. */
  get loopback(): boolean {
    return (this.r.bmcr & BMCR.LOOPBACK) !== 0;
  }
  /** BMCR.ISOLATE: no data path between PHY and MAC (management still answers). */
  get isolated(): boolean {
    return (this.r.bmcr & BMCR.ISOLATE) !== 0;
  }
  /** AUX_CTRL shadow 0 EXTPKTLEN (tg3_phy_reset, brgphy jumbo settings): frames over 1518 bytes pass *(I)*. */
  get extendedPacketLength(): boolean {
    return (this.r.aux[AUXCTL.SHDWSEL_AUXCTL]! & 0x4000) !== 0;
  }
  /** The PHY's interrupt output (ISTAT & ~IMASK, unless EXT_CTRL.INT_DIS): MAC_STATUS.MI_INTERRUPT. */
  get interrupt(): boolean {
    return this.irqLevel;
  }
  onLinkChange(fn: (l: PhyLink) => void): void {
    this.linkListeners.push(fn);
  }
  onInterrupt(fn: (level: boolean) => void): void {
    this.irqListeners.push(fn);
  }

  /** A frame with a bad FCS reached the PHY's receiver: the RXR counter (0x14) counts it with TEST1.CRC_EN. */
  countCrcError(): void {
    if (this.r.test1 & TEST1.CRC_EN) this.crc = Math.min(0xffff, this.crc + 1);
  }

  /** Power-on (PCI RST#): the same as a BMCR reset. */
  powerOnReset(): void {
    this.reset();
  }

  /** The value a read frame returns, with its side effects (once per MDIO transaction). */
  read(reg: number): number {
    const v = this.peek(reg);
    switch (reg & 0x1f) {
      case MII.BMSR:
        this.latchedDown = false;
        break;
      case MII.EXPANSION:
        this.pageLatch = false;
        break;
      case MII.ISTAT:
        this.istat = 0;
        this.updateIrq();
        break;
      case MII.RXR_COUNTERS:
        this.crc = 0;
        break;
    }
    return v;
  }

  /** The register's value without side effects (inspection, auto-poll). */
  peek(reg: number): number {
    const r = this.r;
    const up = this.up;
    switch (reg & 0x1f) {
      case MII.BMCR: return this.resetting ? r.bmcr | BMCR.RESET : r.bmcr;
      case MII.BMSR: return BMSR_ABILITY | (up && this.anComplete() ? BMSR.ANEGCOMPLETE : 0) | (up && !this.latchedDown ? BMSR.LSTATUS : 0);
      case MII.PHYSID1: return PHY_ID1;
      case MII.PHYSID2: return PHY_ID2;
      case MII.ADVERTISE: return r.advertise;
      case MII.LPA: return lpaFromPartner(this.outcome?.partner ?? null);
      case MII.EXPANSION: return this.expansion();
      case MII.NPAGE_TX: return r.npTx;
      case MII.LPA_NPAGE: return 0;
      case MII.CTRL1000: return r.ctrl1000;
      case MII.STAT1000: return stat1000(this.outcome, up);
      case MII.ESTATUS: return ESTATUS_VALUE;
      case MII.EXT_CTRL: return r.extCtrl;
      case MII.EXT_STAT:
        return (up ? EXT_STAT.LS | EXT_STAT.LOCKED : 0) | (up?.speedMbps === 1000 ? EXT_STAT.LRS | EXT_STAT.RRS : 0) | (this.pending() ? EXT_STAT.INT_STAT : 0);
      case MII.RXR_COUNTERS: return r.test1 & TEST1.CRC_EN ? this.crc : 0;
      case MII.DSP_RW_PORT: return this.dsp.get(r.dspAddr) ?? 0;
      case MII.DSP_CONTROL: return r.dspCtl;
      case MII.DSP_ADDRESS: return r.dspAddr;
      case MII.AUX_CTRL: return (r.aux[r.auxSel]! & ~7) | r.auxSel;
      case MII.AUX_STAT: return this.auxStat();
      case MII.ISTAT: return this.istat;
      case MII.IMASK: return r.imask;
      case MII.MISC_SHDW: return (r.miscSel << 10) | (r.misc[r.miscSel]! & 0x3ff);
      case MII.TEST1: return r.test1;
      case MII.TEST2: return r.test2;
      default: return 0; // 0x0b–0x0e, 0x12, 0x13, 0x1d: reserved or counters without errors
    }
  }

  /** A write frame: the register changes at the end of the frame. */
  write(reg: number, value: number): void {
    const v = value & 0xffff;
    const r = this.r;
    const n = reg & 0x1f;
    if (this.resetting) {
      this.trace('phy-busy', { reg: n, value: v });
      return;
    }
    switch (n) {
      case MII.BMCR: return this.writeBmcr(v);
      case MII.ADVERTISE: r.advertise = v; return; // takes effect at the next restart (802.3 28.2.4.1.3)
      case MII.NPAGE_TX: r.npTx = v; return;
      case MII.CTRL1000: r.ctrl1000 = v; return;
      case MII.EXT_CTRL: r.extCtrl = v; this.updateIrq(); return;
      case MII.DSP_RW_PORT: this.dsp.set(r.dspAddr, v); return;
      case MII.DSP_CONTROL: r.dspCtl = v; return;
      case MII.DSP_ADDRESS: r.dspAddr = v; return;
      case MII.AUX_CTRL: return this.writeAuxCtrl(v);
      case MII.IMASK: r.imask = v; this.updateIrq(); return;
      case MII.MISC_SHDW:
        r.miscSel = (v >> 10) & 0x1f;
        if (v & 0x8000) r.misc[r.miscSel] = v & 0x3ff;
        return;
      case MII.TEST1: r.test1 = v; return;
      case MII.TEST2: r.test2 = v; return;
      default:
        this.trace('phy-ro-write', { reg: n, value: v }); // status, IDs, counters: read-only
    }
  }

  private writeBmcr(v: number): void {
    const old = this.r.bmcr;
    if (v & BMCR.RESET) return this.reset();
    this.r.bmcr = v & ~(BMCR.ANRESTART | 0x3f);
    const sig = (b: number) => (b & (BMCR.LOOPBACK | BMCR.ANENABLE | BMCR.PDOWN)) | (b & BMCR.ANENABLE ? 0 : b & (BMCR.SPEED100 | BMCR.SPEED1000 | BMCR.FULLDPLX));
    if (sig(old) !== sig(v) || (v & BMCR.ANRESTART && v & BMCR.ANENABLE)) this.an.restart();
  }

  /** Every register to its reset value (DSP RAM kept *(I)*); the link drops; negotiation restarts when done. */
  private reset(): void {
    this.r = resetRegs();
    this.istat = 0;
    this.crc = 0;
    this.pageLatch = false;
    this.resetting = true;
    this.ctx.queue.reschedule(this.resetEv, this.ctx.queue.now + PHY_RESET_NS);
    this.updateIrq();
    this.an.restart();
  }

  private writeAuxCtrl(v: number): void {
    const sel = v & 7;
    if (sel !== AUXCTL.SHDWSEL_MISC) this.r.aux[sel] = v & ~7;
    else if (v & AUXCTL.MISC_WREN) this.r.aux[7] = v & 0x7ff8;
    else this.r.auxSel = (v >> AUXCTL.MISC_RDSEL_SHIFT) & 7;
  }

  private resetDone(): void {
    this.resetting = false;
    this.an.restart();
  }

  private anComplete(): boolean {
    return (this.r.bmcr & BMCR.ANENABLE) !== 0 && this.outcome !== null;
  }

  private expansion(): number {
    const p = this.outcome?.partner;
    let v = EXPANSION.ENABLENPAGE;
    if (p?.autoneg) v |= EXPANSION.NWAY | (p.modes & MODES_1000 ? EXPANSION.NPCAPABLE : 0);
    if (this.pageLatch) v |= EXPANSION.LCWP;
    return v;
  }

  /** AUX_STAT: the resolved mode once the exchange is over; link, completion and pause resolution once up. */
  private auxStat(): number {
    const o = this.outcome;
    if (!o) return 0;
    const up = this.up;
    const p = o.partner;
    let v = 0;
    if (o.link) v |= auxStatSpeed(o.link);
    if (p?.autoneg) v |= AUX_STAT.ANP_R | AUX_STAT.LP_ANAB | (p.modes & MODES_1000 ? AUX_STAT.LP_NPAB : 0) | AUX_STAT.AN_ACK_D;
    if (up) {
      v |= AUX_STAT.LINK | (this.anComplete() ? AUX_STAT.ACOMP | AUX_STAT.AN_ACK : 0);
      if (up.pauseRx) v |= AUX_STAT.PRR;
      if (up.pauseTx) v |= AUX_STAT.PRT;
    }
    return v;
  }

  private pageReceived(o: NegotiationOutcome): void {
    this.outcome = o;
    if (o.partner?.autoneg) {
      this.pageLatch = true;
      this.istat |= ISTAT.AN_PR;
    }
    if (!o.link) this.istat |= ISTAT.NO_HDC;
    this.updateIrq();
  }

  private linkUp(l: NegotiatedLink): void {
    this.up = l;
    this.istat |= ISTAT.LNK_CHG;
    if (this.last && this.last.speedMbps !== l.speedMbps) this.istat |= ISTAT.LSP_CHG;
    if (this.last && this.last.fullDuplex !== l.fullDuplex) this.istat |= ISTAT.DUP_CHG;
    this.last = { speedMbps: l.speedMbps, fullDuplex: l.fullDuplex };
    this.trace('phy-link', { up: true, speed: l.speedMbps, duplex: l.fullDuplex ? 'full' : 'half' });
    this.updateIrq();
    this.notifyLink();
  }

  private linkDown(): void {
    const was = this.up !== null;
    this.up = null;
    this.outcome = null;
    if (!was) return;
    this.latchedDown = true;
    this.istat |= ISTAT.LNK_CHG;
    this.trace('phy-link', { up: false });
    this.updateIrq();
    this.notifyLink();
  }

  private notifyLink(): void {
    const l = this.link;
    for (const fn of this.linkListeners) fn(l);
  }

  private pending(): boolean {
    return (this.istat & ~this.r.imask & 0xffff) !== 0;
  }

  private updateIrq(): void {
    const level = this.pending() && !(this.r.extCtrl & EXT_CTRL.INT_DIS);
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    for (const fn of this.irqListeners) fn(level);
  }

  private trace(probe: string, f: Record<string, number | string | boolean>): void {
    this.ctx.tracer.emit(this.ctx.node, 'nic', probe, 0, f);
  }

  // ---- snapshots ----

  saveState(): PhyState {
    const r = this.r;
    return {
      v: 1,
      regs: { ...r, aux: [...r.aux], misc: [...r.misc] },
      dsp: [...this.dsp.entries()],
      istat: this.istat,
      crc: this.crc,
      latchedDown: this.latchedDown,
      pageLatch: this.pageLatch,
      resetting: this.resetting,
      resetDone: this.resetEv.when,
      outcome: this.outcome,
      link: this.up,
      last: this.last,
    };
  }

  /** Restore; listeners are not called (the MAC restores its own view). */
  loadState(saved: { v: number }): void {
    const s = readState<PhyState>(this.ctx.name, PHY_STATE, saved);
    this.r = { ...s.regs, aux: [...s.regs.aux], misc: [...s.regs.misc] };
    this.dsp = new Map(s.dsp);
    Object.assign(this, { istat: s.istat, crc: s.crc, latchedDown: s.latchedDown, pageLatch: s.pageLatch, resetting: s.resetting });
    this.outcome = s.outcome;
    this.up = s.link;
    this.last = s.last;
    this.ctx.queue.deschedule(this.resetEv);
    if (s.resetDone >= 0) this.ctx.queue.schedule(this.resetEv, s.resetDone);
    this.irqLevel = this.pending() && !(this.r.extCtrl & EXT_CTRL.INT_DIS);
  }
}
