/**
 * The BCM5701 PHY as an auto-negotiation endpoint (design §1.9.4): what it offers, from BMCR, ADVERTISE and
 * CTRL1000 (IEEE 802.3 clause 22 registers 0, 4, 9), and how the outcome reads back in LPA, STAT1000, EXPANSION and
 * the Broadcom AUX_STAT (clause 28 registers 5, 10, 6; brgphyreg.h `BRGPHY_AUXSTS_*`). The negotiation itself —
 * its phases, times and resolution — belongs to the link segment the medium runs
 * (emulator/machine/net/link-segment.ts); this file only translates.
 */
import { Mode, modeOf, type LinkAbilities, type NegotiatedLink, type NegotiationOutcome } from '../../emulator/machine/net/autoneg';
import type { AutonegControl, AutonegEndpoint } from '../../emulator/machine/net/link-segment';

/** IEEE 802.3 clause 22 / 28 / 40 register bits (Linux mii.h names). */
export const BMCR = {
  RESET: 0x8000, LOOPBACK: 0x4000, SPEED100: 0x2000, ANENABLE: 0x1000, PDOWN: 0x0800, ISOLATE: 0x0400,
  ANRESTART: 0x0200, FULLDPLX: 0x0100, CTST: 0x0080, SPEED1000: 0x0040,
} as const;
export const BMSR = {
  T4: 0x8000, FULL100: 0x4000, HALF100: 0x2000, FULL10: 0x1000, HALF10: 0x0800, ESTATEN: 0x0100, MFPRESUPPR: 0x0040,
  ANEGCOMPLETE: 0x0020, RFAULT: 0x0010, ANEGCAPABLE: 0x0008, LSTATUS: 0x0004, JCD: 0x0002, ERCAP: 0x0001,
} as const;
export const ADVERTISE = {
  CSMA: 0x0001, HALF10: 0x0020, FULL10: 0x0040, HALF100: 0x0080, FULL100: 0x0100, T4: 0x0200, PAUSE_CAP: 0x0400,
  PAUSE_ASYM: 0x0800, RFAULT: 0x2000, LPACK: 0x4000, NPAGE: 0x8000,
} as const;
export const CTRL1000 = { HALF: 0x0100, FULL: 0x0200, PORT_TYPE: 0x0400, AS_MASTER: 0x0800, ENABLE_MASTER: 0x1000 } as const;
export const STAT1000 = { HALF: 0x0400, FULL: 0x0800, REMRXOK: 0x1000, LOCALRXOK: 0x2000, MSRES: 0x4000, MSFAIL: 0x8000 } as const;
export const EXPANSION = { NWAY: 0x0001, LCWP: 0x0002, ENABLENPAGE: 0x0004, NPCAPABLE: 0x0008, MFAULTS: 0x0010 } as const;
/** Broadcom AUX_STAT (0x19). */
export const AUX_STAT = {
  ACOMP: 0x8000, AN_ACK: 0x4000, AN_ACK_D: 0x2000, AN_NPW: 0x1000, SPDMASK: 0x0700, PDF: 0x0080, RF: 0x0040,
  ANP_R: 0x0020, LP_ANAB: 0x0010, LP_NPAB: 0x0008, LINK: 0x0004, PRR: 0x0002, PRT: 0x0001,
} as const;

/** AUX_STAT bits 10:8 (tg3 `MII_TG3_AUX_STAT_*`, brgphy `BRGPHY_RES_*`): the resolved mode. */
export function auxStatSpeed(l: { speedMbps: number; fullDuplex: boolean }): number {
  const code = l.speedMbps === 1000 ? (l.fullDuplex ? 7 : 6) : l.speedMbps === 100 ? (l.fullDuplex ? 5 : 3) : l.fullDuplex ? 2 : 1;
  return code << 8;
}

/** What the register file tells the endpoint, and what the endpoint tells the register file. */
export interface PhyRegisterView {
  readonly bmcr: number;
  readonly advertise: number;
  readonly ctrl1000: number;
  /** The PHY sends no link signal (power-down, loopback, a reset in progress). */
  readonly silent: boolean;
  /** Negotiation starts over: the partner's page is no longer valid. */
  restarted(): void;
  /** The exchange finished: latch page-received, maybe no-HCD. */
  pageReceived(o: NegotiationOutcome): void;
  linkUp(l: NegotiatedLink): void;
  linkDown(): void;
}

/** The abilities ADVERTISE and CTRL1000 announce with auto-negotiation, or BMCR's forced mode without. */
export function phyAbilities(bmcr: number, adv: number, ctrl1000: number): LinkAbilities {
  const ms = ctrl1000 & CTRL1000.ENABLE_MASTER ? (ctrl1000 & CTRL1000.AS_MASTER ? 'master' : 'slave') : 'auto';
  const multiport = (ctrl1000 & CTRL1000.PORT_TYPE) !== 0;
  if (!(bmcr & BMCR.ANENABLE)) {
    const speed = bmcr & BMCR.SPEED1000 ? 1000 : bmcr & BMCR.SPEED100 ? 100 : 10;
    return { modes: modeOf(speed, (bmcr & BMCR.FULLDPLX) !== 0), autoneg: false, pause: false, asymPause: false, ms, multiport };
  }
  let modes = 0;
  if (adv & ADVERTISE.HALF10) modes |= Mode.T10H;
  if (adv & ADVERTISE.FULL10) modes |= Mode.T10F;
  if (adv & ADVERTISE.HALF100) modes |= Mode.TX100H;
  if (adv & ADVERTISE.FULL100) modes |= Mode.TX100F;
  if (ctrl1000 & CTRL1000.HALF) modes |= Mode.T1000H;
  if (ctrl1000 & CTRL1000.FULL) modes |= Mode.T1000F;
  return { modes, autoneg: true, pause: (adv & ADVERTISE.PAUSE_CAP) !== 0, asymPause: (adv & ADVERTISE.PAUSE_ASYM) !== 0, ms, multiport };
}

/**
 * LPA (register 5) from the partner's page: its technology bits, PAUSE/ASM_DIR, acknowledge and the 802.3
 * selector. By parallel detection only the detected technology, no acknowledge (no page was received).
 */
export function lpaFromPartner(p: LinkAbilities | null): number {
  if (!p) return 0;
  let v = 0;
  if (p.modes & Mode.T10H) v |= ADVERTISE.HALF10;
  if (p.modes & Mode.T10F) v |= ADVERTISE.FULL10;
  if (p.modes & Mode.TX100H) v |= ADVERTISE.HALF100;
  if (p.modes & Mode.TX100F) v |= ADVERTISE.FULL100;
  if (!p.autoneg) return v;
  if (p.pause) v |= ADVERTISE.PAUSE_CAP;
  if (p.asymPause) v |= ADVERTISE.PAUSE_ASYM;
  return v | ADVERTISE.LPACK | ADVERTISE.CSMA | (p.modes & (Mode.T1000H | Mode.T1000F) ? ADVERTISE.NPAGE : 0);
}

/** STAT1000 (register 10): the partner's 1000BASE-T abilities; MASTER-SLAVE result and receiver status when up. */
export function stat1000(o: NegotiationOutcome | null, up: NegotiatedLink | null): number {
  let v = 0;
  const p = o?.partner;
  if (p?.autoneg) {
    if (p.modes & Mode.T1000H) v |= STAT1000.HALF;
    if (p.modes & Mode.T1000F) v |= STAT1000.FULL;
  }
  if (o?.fault === 'ms-fault') v |= STAT1000.MSFAIL;
  const l = up ?? o?.link;
  if (l && l.speedMbps === 1000 && l.master) v |= STAT1000.MSRES;
  if (up && up.speedMbps === 1000) v |= STAT1000.LOCALRXOK | STAT1000.REMRXOK;
  return v;
}

/**
 * The PHY's endpoint on the medium's link segment. Silent while powered down, in loopback or resetting; otherwise
 * it offers `phyAbilities`. `restart()` is how register writes restart negotiation (BMCR RESET, ANRESTART, …).
 */
export class PhyAutoneg implements AutonegEndpoint {
  private control: AutonegControl | null = null;

  constructor(
    private readonly regs: PhyRegisterView,
    readonly timeScale: number,
  ) {}

  /** The PHY is attached to a medium. */
  get connected(): boolean {
    return this.control !== null;
  }

  abilities(): LinkAbilities | null {
    if (this.regs.silent) return null;
    return phyAbilities(this.regs.bmcr, this.regs.advertise, this.regs.ctrl1000);
  }

  attached(control: AutonegControl): void {
    this.control = control;
  }

  /** A register write restarts negotiation (and breaks the link). Without a medium nothing happens. */
  restart(): void {
    this.control?.restart();
  }

  restarted(): void {
    this.regs.restarted();
  }

  negotiated(o: NegotiationOutcome): void {
    this.regs.pageReceived(o);
  }

  linkUp(l: NegotiatedLink): void {
    this.regs.linkUp(l);
  }

  linkDown(): void {
    this.regs.linkDown();
  }
}
