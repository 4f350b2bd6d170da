/**
 * brgphy: the Broadcom gigabit PHY driver of NetBSD's MII layer (sys/dev/mii/brgphy.c), for the PHY
 * integrated in the BCM5701 (OUI xxBROADCOM 0x000818, model 0x11 "BCM5701 1000BASE-T media interface").
 *
 * - reset: mii_phy_reset, then what the netbsd-8 brgphy does for a bge PHY: the jumbo-frame settings
 *   (AUX_CTRL shadow 0 EXTPKTLEN, PHY_EXTCTL bit 0) and Ethernet@WireSpeed (AUX_CTRL shadow 7).
 * - MEDIACHG: reset, then autonegotiation (brgphy_mii_phy_auto) or a forced speed/duplex (brgphy_loop,
 *   BMCR speed bits).
 * - status: from AUX_STAT (link, autonegotiation complete, the resolved speed/duplex), BMCR, and for
 *   1000BASE-T the master/slave resolution in STAT1000; pause from ANAR/ANLPAR.
 *
 * Deviation from NetBSD (design §2.2.5, R23): brgphy_mii_phy_auto advertises 1000BASE-T with manual
 * *master* (CTRL1000 0x1b00) on every BCM5701. Two such PHYs cabled back to back both insist on master,
 * resolve a master/slave configuration fault and never link. Linux tg3 forces master only on 5701 A0/B0
 * (tg3_phy_autoneg_cfg); this chip is a B5, so devnp-bge follows tg3 and lets 1000BASE-T master/slave
 * resolution pick (CTRL1000 0x0300).
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { DELAY } from './csr';
import {
  ANAR_CSMA, ANAR_FC, ANAR_X_PAUSE_ASYM, BMCR_AUTOEN, BMCR_FDX, BMCR_ISO, BMCR_LOOP, BMCR_S10, BMCR_S100,
  BMCR_S1000, BMCR_STARTNEG, BMSR_EXTSTAT, BMSR_LINK, BMSR_MEDIA_TO_ANAR, GTCR_ADV_1000TFDX, GTCR_ADV_1000THDX,
  GTSR_MS_RES, IFM_ACTIVE, IFM_AVALID, media, MII_100T2CR, MII_100T2SR, MII_ANAR, MII_BMCR, MII_BMSR, MII_EXTSR,
  miiOui, miiPhyFlowstatus, miiPhyReset, miiPhyTick, miiPhyUpdate, type MiiCmd, type MiiData, MiiPhy,
  type MiiPhyDriver,
} from './mii-bus';

/** miidevs: MII_OUI_xxBROADCOM and the model numbers brgphy knows. */
export const MII_OUI_XXBROADCOM = 0x000818;
export const MII_MODEL_XXBROADCOM_BCM5701 = 0x11;
const MODEL_NAMES: Readonly<Record<number, string>> = {
  0x04: 'BCM5400 1000BASE-T media interface',
  0x05: 'BCM5401 1000BASE-T media interface',
  0x07: 'BCM5411 1000BASE-T media interface',
  0x11: 'BCM5701 1000BASE-T media interface',
  0x16: 'BCM5703 1000BASE-T media interface',
  0x19: 'BCM5704 1000BASE-T media interface',
  0x15: 'BCM5705 10/100/1000baseTX PHY',
};

/** Broadcom registers (brgphyreg.h). */
export const BRGPHY_MII_PHY_EXTCTL = 0x10;
export const BRGPHY_PHY_EXTCTL_HIGH_LA = 0x0001;
export const BRGPHY_MII_AUXCTL = 0x18;
export const BRGPHY_AUXCTL_LONG_PKT = 0x4000;
export const BRGPHY_MII_AUXSTS = 0x19;
export const BRGPHY_AUXSTS_ACOMP = 0x8000;
export const BRGPHY_AUXSTS_AN_RES = 0x0700;
export const BRGPHY_AUXSTS_LINK = 0x0004;
export const BRGPHY_RES_1000FD = 0x0700;
export const BRGPHY_RES_1000HD = 0x0600;
export const BRGPHY_RES_100FD = 0x0500;
export const BRGPHY_RES_100T4 = 0x0400;
export const BRGPHY_RES_100HD = 0x0300;
export const BRGPHY_RES_10FD = 0x0200;
export const BRGPHY_RES_10HD = 0x0100;
export const BRGPHY_MII_IMR = 0x1b;

/** brgphymatch: a Broadcom OUI and a model brgphy drives. */
export function brgphyMatch(id1: number, id2: number): string | null {
  if (miiOui(id1, id2) !== MII_OUI_XXBROADCOM) return null;
  return MODEL_NAMES[(id2 >>> 4) & 0x3f] ?? null;
}

/** brgphy_jumbo_settings (netbsd-8, non-5401 PHYs). */
function* jumboSettings(ctx: ThreadCtx, sc: MiiPhy): Co<void> {
  yield* sc.write(ctx, BRGPHY_MII_AUXCTL, 0x0007);
  const aux = yield* sc.read(ctx, BRGPHY_MII_AUXCTL);
  yield* sc.write(ctx, BRGPHY_MII_AUXCTL, aux | BRGPHY_AUXCTL_LONG_PKT);
  const ext = yield* sc.read(ctx, BRGPHY_MII_PHY_EXTCTL);
  yield* sc.write(ctx, BRGPHY_MII_PHY_EXTCTL, ext | BRGPHY_PHY_EXTCTL_HIGH_LA);
}

/** brgphy_eth_wirespeed: AUX_CTRL shadow 7 (misc), write-enable | WIRESPEED. */
function* ethWirespeed(ctx: ThreadCtx, sc: MiiPhy): Co<void> {
  yield* sc.write(ctx, BRGPHY_MII_AUXCTL, 0x7007);
  const v = yield* sc.read(ctx, BRGPHY_MII_AUXCTL);
  yield* sc.write(ctx, BRGPHY_MII_AUXCTL, v | (1 << 15) | (1 << 4));
}

/** brgphy_loop: loopback forces the link down; wait until BMSR says so (≤ 15000 × 10 µs). */
function* brgphyLoop(ctx: ThreadCtx, sc: MiiPhy): Co<void> {
  yield* sc.write(ctx, MII_BMCR, BMCR_LOOP);
  for (let i = 0; i < 15000; i++) {
    const bmsr = yield* sc.read(ctx, MII_BMSR);
    if ((bmsr & BMSR_LINK) === 0) break;
    yield* DELAY(ctx, 10);
  }
}

/** brgphy_mii_phy_auto, with tg3's 1000BASE-T master/slave rule (see the file comment). */
function* brgphyAuto(ctx: ThreadCtx, sc: MiiPhy): Co<void> {
  yield* brgphyLoop(ctx, sc);
  yield* brgphy.reset(ctx, sc);
  yield* sc.write(ctx, MII_100T2CR, GTCR_ADV_1000TFDX | GTCR_ADV_1000THDX);
  yield* sc.read(ctx, MII_100T2CR);
  yield* DELAY(ctx, 1000);
  yield* sc.write(ctx, MII_ANAR, BMSR_MEDIA_TO_ANAR(sc.capabilities) | ANAR_CSMA | ANAR_FC | ANAR_X_PAUSE_ASYM);
  yield* DELAY(ctx, 1000);
  yield* sc.write(ctx, MII_BMCR, BMCR_AUTOEN | BMCR_STARTNEG);
  yield* sc.write(ctx, BRGPHY_MII_IMR, 0xff00);
}

/** The forced-media path of MII_MEDIACHG (speed=/duplex= options). */
function* brgphyForced(ctx: ThreadCtx, sc: MiiPhy): Co<void> {
  const sel = sc.mii.selected;
  let speed = sel.subtype === '1000baseT' ? BMCR_S1000 : sel.subtype === '100baseTX' ? BMCR_S100 : BMCR_S10;
  yield* brgphyLoop(ctx, sc);
  let gig = GTCR_ADV_1000THDX;
  if (sel.fdx) {
    speed |= BMCR_FDX;
    gig = GTCR_ADV_1000TFDX;
  }
  yield* sc.write(ctx, MII_100T2CR, 0);
  yield* sc.write(ctx, MII_BMCR, speed);
  yield* sc.write(ctx, MII_ANAR, ANAR_CSMA);
  if (sel.subtype !== '1000baseT') return;
  yield* sc.write(ctx, MII_100T2CR, gig);
  yield* sc.write(ctx, MII_BMCR, speed | BMCR_AUTOEN | BMCR_STARTNEG);
}

const RES_TO_MEDIA: Readonly<Record<number, [ReturnType<typeof media>['subtype'], boolean]>> = {
  [BRGPHY_RES_1000FD]: ['1000baseT', true],
  [BRGPHY_RES_1000HD]: ['1000baseT', false],
  [BRGPHY_RES_100FD]: ['100baseTX', true],
  [BRGPHY_RES_100T4]: ['100baseT4', false],
  [BRGPHY_RES_100HD]: ['100baseTX', false],
  [BRGPHY_RES_10FD]: ['10baseT', true],
  [BRGPHY_RES_10HD]: ['10baseT', false],
};

export const brgphy: MiiPhyDriver = {
  *reset(ctx: ThreadCtx, sc: MiiPhy): Co<void> {
    yield* miiPhyReset(ctx, sc);
    yield* jumboSettings(ctx, sc);
    yield* ethWirespeed(ctx, sc);
  },

  *service(ctx: ThreadCtx, sc: MiiPhy, cmd: MiiCmd): Co<void> {
    const mii = sc.mii;
    switch (cmd) {
      case 'pollstat':
        break;
      case 'mediachg':
        if (!mii.host.ifUp()) break;
        yield* brgphy.reset(ctx, sc);
        if (mii.selected.subtype === 'auto') yield* brgphyAuto(ctx, sc);
        else yield* brgphyForced(ctx, sc);
        break;
      case 'tick':
        if ((yield* miiPhyTick(ctx, sc)) === 'just-return') return;
        break;
      case 'down':
        return;
    }
    yield* brgphy.status(ctx, sc);
    yield* miiPhyUpdate(ctx, sc, cmd);
  },

  *status(ctx: ThreadCtx, sc: MiiPhy): Co<void> {
    const mii = sc.mii;
    mii.mediaStatus = IFM_AVALID;
    mii.mediaActive = media('none');
    const auxsts = yield* sc.read(ctx, BRGPHY_MII_AUXSTS);
    if (auxsts & BRGPHY_AUXSTS_LINK) mii.mediaStatus |= IFM_ACTIVE;
    const bmcr = yield* sc.read(ctx, MII_BMCR);
    if (bmcr & BMCR_ISO) {
      mii.mediaStatus = 0;
      return;
    }
    const loop = (bmcr & BMCR_LOOP) !== 0;
    if ((bmcr & BMCR_AUTOEN) === 0) {
      mii.mediaActive = { ...mii.selected, loop };
      return;
    }
    if ((auxsts & BRGPHY_AUXSTS_ACOMP) === 0) {
      mii.mediaActive = { ...media('none'), loop };
      return;
    }
    const res = RES_TO_MEDIA[auxsts & BRGPHY_AUXSTS_AN_RES];
    if (!res) {
      mii.mediaStatus = 0;
      return;
    }
    const m = { ...media(res[0], res[1]), loop };
    if (res[0] === '1000baseT') m.master = ((yield* sc.read(ctx, MII_100T2SR)) & GTSR_MS_RES) !== 0;
    if (m.fdx) {
      const fc = yield* miiPhyFlowstatus(ctx, sc);
      m.txPause = fc.tx;
      m.rxPause = fc.rx;
    }
    mii.mediaActive = m;
  },
};

/**
 * brgphyattach through mii_attach: read BMSR (nothing answering reads 0 or 0xffff), the ID registers, match,
 * reset, capabilities (BMSR, and EXTSR when BMSR says it exists). Returns the PHY, or null with a reason.
 */
export function* miiAttachBrgphy(ctx: ThreadCtx, mii: MiiData, phyno: number): Co<MiiPhy | string> {
  const bmsr = yield* mii.host.readreg(ctx, phyno, MII_BMSR);
  if (bmsr === 0 || bmsr === 0xffff) return `no PHY at MII address ${phyno}`;
  const id1 = yield* mii.host.readreg(ctx, phyno, 2);
  const id2 = yield* mii.host.readreg(ctx, phyno, 3);
  const name = brgphyMatch(id1, id2);
  if (!name) return `PHY at ${phyno}: OUI 0x${miiOui(id1, id2).toString(16).padStart(6, '0')} model 0x${((id2 >>> 4) & 0x3f).toString(16)} not supported`;
  const sc = new MiiPhy(mii, phyno, id1, id2, brgphy, name);
  yield* brgphy.reset(ctx, sc);
  sc.capabilities = yield* sc.read(ctx, MII_BMSR);
  if (sc.capabilities & BMSR_EXTSTAT) sc.extcapabilities = yield* sc.read(ctx, MII_EXTSR);
  mii.phys.push(sc);
  return sc;
}
