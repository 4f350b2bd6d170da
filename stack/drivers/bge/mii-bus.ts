/**
 * A small NetBSD-style MII layer (sys/dev/mii/mii.c, mii_physubr.c) for devnp-bge: the media words
 * (ifmedia), `mii_attach` (probe the PHY address, read its ID, hand it to the matching PHY driver),
 * `mii_mediachg`, `mii_tick`, `mii_pollstat`, `mii_down`, and the PHY helpers every PHY driver shares
 * (`mii_phy_reset`, `mii_phy_auto`, `mii_phy_tick`, `mii_phy_update`/`mii_phy_statusmsg`,
 * `mii_phy_flowstatus`). Register access goes through the MAC's MI_COM engine (the host's readreg/writereg).
 * It lives with bge because bge is its only user; a second MII driver would move it to stack/drivers/mii.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { DELAY } from './csr';

/** IEEE 802.3 clause 22 registers and bits (dev/mii/mii.h). */
export const MII_BMCR = 0x00;
export const MII_BMSR = 0x01;
export const MII_PHYIDR1 = 0x02;
export const MII_PHYIDR2 = 0x03;
export const MII_ANAR = 0x04;
export const MII_ANLPAR = 0x05;
export const MII_100T2CR = 0x09;
export const MII_100T2SR = 0x0a;
export const MII_EXTSR = 0x0f;
export const BMCR_RESET = 0x8000;
export const BMCR_LOOP = 0x4000;
export const BMCR_S100 = 0x2000;
export const BMCR_AUTOEN = 0x1000;
export const BMCR_PDOWN = 0x0800;
export const BMCR_ISO = 0x0400;
export const BMCR_STARTNEG = 0x0200;
export const BMCR_FDX = 0x0100;
export const BMCR_S1000 = 0x0040;
export const BMCR_S10 = 0x0000;
export const BMSR_100T4 = 0x8000;
export const BMSR_100TXFDX = 0x4000;
export const BMSR_100TXHDX = 0x2000;
export const BMSR_10TFDX = 0x1000;
export const BMSR_10THDX = 0x0800;
export const BMSR_EXTSTAT = 0x0100;
export const BMSR_ACOMP = 0x0020;
export const BMSR_LINK = 0x0004;
export const BMSR_MEDIAMASK = 0xf800;
export const ANAR_CSMA = 0x0001;
export const ANAR_FC = 0x0400;
export const ANAR_X_PAUSE_ASYM = 0x0800;
export const ANLPAR_PAUSE_TOWARDS = 0x0c00;
export const ANLPAR_PAUSE_ASYM = 0x0800;
export const GTCR_ADV_1000THDX = 0x0100;
export const GTCR_ADV_1000TFDX = 0x0200;
export const GTCR_ADV_MS = 0x0800;
export const GTCR_MAN_MS = 0x1000;
export const GTSR_MS_RES = 0x4000;
export const EXTSR_1000THDX = 0x1000;
export const EXTSR_1000TFDX = 0x2000;
/** BMSR media bits to ANAR ability bits (BMSR_MEDIA_TO_ANAR). */
export const BMSR_MEDIA_TO_ANAR = (bmsr: number): number => (bmsr & BMSR_MEDIAMASK) >>> 6;

/** Autonegotiation retry period in mii ticks (seconds): MII_ANEGTICKS. */
export const MII_ANEGTICKS = 5;

/** One media word (struct ifmedia_entry / mii_media_active), as fields instead of bits. */
export type MediaSubtype = 'auto' | 'none' | '10baseT' | '100baseTX' | '100baseT4' | '1000baseT';
export interface MediaWord {
  subtype: MediaSubtype;
  fdx: boolean;
  /** IFM_ETH_MASTER: 1000BASE-T master. */
  master: boolean;
  txPause: boolean;
  rxPause: boolean;
  loop: boolean;
}
export function media(subtype: MediaSubtype, fdx = false): MediaWord {
  return { subtype, fdx, master: false, txPause: false, rxPause: false, loop: false };
}
export function mediaEqual(a: MediaWord, b: MediaWord): boolean {
  return a.subtype === b.subtype && a.fdx === b.fdx && a.master === b.master && a.txPause === b.txPause &&
    a.rxPause === b.rxPause && a.loop === b.loop;
}
/** ifmedia's name of a media word ("1000baseT full-duplex, master"). */
export function mediaName(m: MediaWord): string {
  if (m.subtype === 'none' || m.subtype === 'auto') return m.subtype;
  return `${m.subtype} ${m.fdx ? 'full-duplex' : 'half-duplex'}${m.master ? ', master' : ''}`;
}

/** mii_media_status bits. */
export const IFM_AVALID = 0x1;
export const IFM_ACTIVE = 0x2;

/** What the MAC driver gives the MII layer (mii_readreg/mii_writereg/mii_statchg, ifp, link-state change). */
export interface MiiHost {
  readreg(ctx: ThreadCtx, phy: number, reg: number): Co<number>;
  writereg(ctx: ThreadCtx, phy: number, reg: number, value: number): Co<void>;
  statchg(ctx: ThreadCtx): Co<void>;
  /** if_link_state_change (mii_phy_statusmsg). */
  linkStateChange(up: boolean): void;
  /** IFF_UP of the interface. */
  ifUp(): boolean;
}

export type MiiCmd = 'pollstat' | 'mediachg' | 'tick' | 'down';

/** A PHY driver's entry points (struct mii_phy_funcs). */
export interface MiiPhyDriver {
  service(ctx: ThreadCtx, sc: MiiPhy, cmd: MiiCmd): Co<void>;
  status(ctx: ThreadCtx, sc: MiiPhy): Co<void>;
  reset(ctx: ThreadCtx, sc: MiiPhy): Co<void>;
}

/** struct mii_data: what the MAC sees of its PHYs. */
export class MiiData {
  mediaStatus = 0;
  mediaActive: MediaWord = media('none');
  /** The selected media (ifm_cur): auto, or a forced speed/duplex. */
  selected: MediaWord = media('auto');
  readonly phys: MiiPhy[] = [];
  constructor(readonly host: MiiHost) {}
}

/** struct mii_softc: one attached PHY. */
export class MiiPhy {
  capabilities = 0;
  extcapabilities = 0;
  ticks = 0;
  anegticks = MII_ANEGTICKS;
  mediaActive: MediaWord = media('none');
  mediaStatus = 0;
  /** Link state last announced (mii_phy_statusmsg): null = unknown. */
  linkAnnounced: boolean | null = null;
  constructor(
    readonly mii: MiiData, readonly phy: number, readonly id1: number, readonly id2: number,
    readonly driver: MiiPhyDriver, readonly name: string,
  ) {}

  get model(): number {
    return (this.id2 >>> 4) & 0x3f;
  }
  get rev(): number {
    return this.id2 & 0xf;
  }

  *read(ctx: ThreadCtx, reg: number): Co<number> {
    return yield* this.mii.host.readreg(ctx, this.phy, reg);
  }
  *write(ctx: ThreadCtx, reg: number, value: number): Co<void> {
    yield* this.mii.host.writereg(ctx, this.phy, reg, value);
  }
}

/** MII_OUI of an ID register pair. */
export function miiOui(id1: number, id2: number): number {
  return ((id1 << 6) | (id2 >>> 10)) >>> 0;
}

/** mii_phy_reset: BMCR RESET|ISO, then wait up to 500 ms for RESET to clear. */
export function* miiPhyReset(ctx: ThreadCtx, sc: MiiPhy): Co<void> {
  yield* sc.write(ctx, MII_BMCR, BMCR_RESET | BMCR_ISO);
  for (let i = 0; i < 500; i++) {
    const reg = yield* sc.read(ctx, MII_BMCR);
    if ((reg & BMCR_RESET) === 0) break;
    yield* DELAY(ctx, 1000);
  }
}

/** mii_phy_auto: advertise what the PHY can do (with pause), restart negotiation. */
export function* miiPhyAuto(ctx: ThreadCtx, sc: MiiPhy): Co<void> {
  const anar = BMSR_MEDIA_TO_ANAR(sc.capabilities) | ANAR_CSMA | ANAR_FC | ANAR_X_PAUSE_ASYM;
  yield* sc.write(ctx, MII_ANAR, anar);
  if (sc.extcapabilities & (EXTSR_1000TFDX | EXTSR_1000THDX)) {
    let gtcr = 0;
    if (sc.extcapabilities & EXTSR_1000TFDX) gtcr |= GTCR_ADV_1000TFDX;
    if (sc.extcapabilities & EXTSR_1000THDX) gtcr |= GTCR_ADV_1000THDX;
    yield* sc.write(ctx, MII_100T2CR, gtcr);
  }
  yield* sc.write(ctx, MII_BMCR, BMCR_AUTOEN | BMCR_STARTNEG);
}

/**
 * mii_phy_tick: nothing when the interface is down or the media is forced; reads BMSR twice (latch-low
 * link); link → reset the timer; otherwise announce the loss on the first tick and restart negotiation every
 * `anegticks` ticks. Returns 'status' when the caller should update the media status, 'just-return' not.
 */
export function* miiPhyTick(ctx: ThreadCtx, sc: MiiPhy): Co<'status' | 'just-return'> {
  if (!sc.mii.host.ifUp()) return 'just-return';
  if (sc.mii.selected.subtype !== 'auto') {
    sc.ticks = 0;
    return 'status';
  }
  const reg = (yield* sc.read(ctx, MII_BMSR)) | (yield* sc.read(ctx, MII_BMSR));
  if (reg & BMSR_LINK) {
    sc.ticks = 0;
    return 'status';
  }
  if (sc.ticks++ === 0) return 'status';
  if (sc.ticks <= sc.anegticks) return 'just-return';
  sc.ticks = 0;
  yield* sc.driver.reset(ctx, sc);
  yield* miiPhyAuto(ctx, sc);
  return 'just-return';
}

/** mii_phy_update: announce and call statchg when the media changed (always on MEDIACHG). */
export function* miiPhyUpdate(ctx: ThreadCtx, sc: MiiPhy, cmd: MiiCmd): Co<void> {
  const mii = sc.mii;
  if (!mediaEqual(sc.mediaActive, mii.mediaActive) || sc.mediaStatus !== mii.mediaStatus || cmd === 'mediachg') {
    miiPhyStatusmsg(sc);
    yield* mii.host.statchg(ctx);
    sc.mediaActive = { ...mii.mediaActive };
    sc.mediaStatus = mii.mediaStatus;
  }
}

/** mii_phy_statusmsg: if_link_state_change when the link state differs from the last one announced. */
export function miiPhyStatusmsg(sc: MiiPhy): void {
  const mii = sc.mii;
  if ((mii.mediaStatus & IFM_AVALID) === 0) return;
  const up = (mii.mediaStatus & IFM_ACTIVE) !== 0;
  if (sc.linkAnnounced === up) return;
  sc.linkAnnounced = up;
  mii.host.linkStateChange(up);
}

/** mii_phy_flowstatus: IEEE 802.3 Annex 28B pause resolution from ANAR and ANLPAR. */
export function* miiPhyFlowstatus(ctx: ThreadCtx, sc: MiiPhy): Co<{ tx: boolean; rx: boolean }> {
  const anar = yield* sc.read(ctx, MII_ANAR);
  const anlpar = yield* sc.read(ctx, MII_ANLPAR);
  const none = { tx: false, rx: false };
  if (anar & ANAR_FC && anlpar & ANAR_FC) return { tx: true, rx: true };
  if ((anar & ANAR_FC) === 0) {
    return anar & ANAR_X_PAUSE_ASYM && (anlpar & ANLPAR_PAUSE_TOWARDS) === ANLPAR_PAUSE_TOWARDS ? { tx: true, rx: false } : none;
  }
  if ((anar & ANAR_X_PAUSE_ASYM) === 0) return anlpar & ANAR_FC ? { tx: true, rx: true } : none;
  switch (anlpar & ANLPAR_PAUSE_TOWARDS) {
    case 0: return none;
    case ANLPAR_PAUSE_ASYM: return { tx: false, rx: true };
    default: return { tx: true, rx: true };
  }
}

/** mii_mediachg: every PHY services MEDIACHG. */
export function* miiMediachg(ctx: ThreadCtx, mii: MiiData): Co<void> {
  mii.mediaStatus = 0;
  mii.mediaActive = media('none');
  for (const sc of mii.phys) yield* sc.driver.service(ctx, sc, 'mediachg');
}

/** mii_tick: once a second while the link is down. */
export function* miiTick(ctx: ThreadCtx, mii: MiiData): Co<void> {
  for (const sc of mii.phys) yield* sc.driver.service(ctx, sc, 'tick');
}

/** mii_pollstat: every PHY reports its status. */
export function* miiPollstat(ctx: ThreadCtx, mii: MiiData): Co<void> {
  mii.mediaStatus = 0;
  mii.mediaActive = media('none');
  for (const sc of mii.phys) yield* sc.driver.service(ctx, sc, 'pollstat');
}

/** mii_down. */
export function* miiDown(ctx: ThreadCtx, mii: MiiData): Co<void> {
  for (const sc of mii.phys) yield* sc.driver.service(ctx, sc, 'down');
}
