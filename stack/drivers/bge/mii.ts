/**
 * The MAC side of the MII bus (if_bge.c bge_miibus_readreg / bge_miibus_writereg / bge_miibus_statchg):
 * PHY registers through the MI_COM engine (auto-poll is switched off around each transaction, as reading
 * with auto-poll on "may trigger PCI errors"), and the MAC reprogrammed when the PHY's media changes:
 * port mode GMII or MII, half duplex, and flow control from the negotiated pause abilities.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { DELAY } from './csr';
import { IFM_ACTIVE, mediaName, type MiiHost } from './mii-bus';
import {
  BGE_MAC_MODE, BGE_MACMODE_HALF_DUPLEX, BGE_MACMODE_PORTMODE, BGE_MI_COMM, BGE_MI_MODE, BGE_MICMD_READ,
  BGE_MICMD_WRITE, BGE_MICOMM_BUSY, BGE_MICOMM_DATA, BGE_MICOMM_READFAIL, BGE_MIMODE_AUTOPOLL, BGE_MIPHY, BGE_MIREG,
  BGE_PORTMODE_GMII, BGE_PORTMODE_MII, BGE_RX_MODE, BGE_RXMODE_FLOWCTL_ENABLE, BGE_TIMEOUT, BGE_TX_MODE,
  BGE_TXMODE_FLOWCTL_ENABLE,
} from './regs';
import type { BgeSoftc } from './softc';
import { IFF_UP } from '../../net/if';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';

/** Clear auto-poll for the duration of a host transaction; returns whether it was on. */
function* autopollOff(ctx: ThreadCtx, sc: BgeSoftc): Co<boolean> {
  const mode = yield* sc.csr.read(ctx, BGE_MI_MODE);
  if ((mode & BGE_MIMODE_AUTOPOLL) === 0) return false;
  sc.autopoll = false;
  yield* sc.csr.clrBitFlush(ctx, BGE_MI_MODE, BGE_MIMODE_AUTOPOLL);
  yield* DELAY(ctx, 80);
  return true;
}

function* autopollOn(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  sc.autopoll = true;
  yield* sc.csr.setBitFlush(ctx, BGE_MI_MODE, BGE_MIMODE_AUTOPOLL);
  yield* DELAY(ctx, 80);
}

/** bge_miibus_readreg: 0 when the PHY does not answer (READFAIL) or the engine times out. */
export function* bgeMiibusReadreg(ctx: ThreadCtx, sc: BgeSoftc, phy: number, reg: number): Co<number> {
  const ap = yield* autopollOff(ctx, sc);
  yield* sc.csr.writeFlush(ctx, BGE_MI_COMM, BGE_MICMD_READ | BGE_MICOMM_BUSY | BGE_MIPHY(phy) | BGE_MIREG(reg));
  let val = 0;
  let done = false;
  for (let i = 0; i < BGE_TIMEOUT; i++) {
    yield* DELAY(ctx, 10);
    val = yield* sc.csr.read(ctx, BGE_MI_COMM);
    if ((val & BGE_MICOMM_BUSY) === 0) {
      yield* DELAY(ctx, 5);
      val = yield* sc.csr.read(ctx, BGE_MI_COMM);
      done = true;
      break;
    }
  }
  if (!done) {
    sc.log('PHY read timed out', _SLOG_ERROR);
    val = 0;
  }
  if (ap) yield* autopollOn(ctx, sc);
  if (val & BGE_MICOMM_READFAIL) return 0;
  return val & BGE_MICOMM_DATA;
}

/** bge_miibus_writereg. */
export function* bgeMiibusWritereg(ctx: ThreadCtx, sc: BgeSoftc, phy: number, reg: number, value: number): Co<void> {
  const ap = yield* autopollOff(ctx, sc);
  yield* sc.csr.writeFlush(ctx, BGE_MI_COMM,
    BGE_MICMD_WRITE | BGE_MICOMM_BUSY | BGE_MIPHY(phy) | BGE_MIREG(reg) | (value & BGE_MICOMM_DATA));
  let done = false;
  for (let i = 0; i < BGE_TIMEOUT; i++) {
    yield* DELAY(ctx, 10);
    if (((yield* sc.csr.read(ctx, BGE_MI_COMM)) & BGE_MICOMM_BUSY) === 0) {
      yield* DELAY(ctx, 5);
      yield* sc.csr.read(ctx, BGE_MI_COMM);
      done = true;
      break;
    }
  }
  if (ap) yield* autopollOn(ctx, sc);
  if (!done) sc.log('PHY write timed out', _SLOG_ERROR);
}

/** The interface's media record from what the PHY resolved (ifconfig's media line, nicinfo's rate). */
function reportMedia(sc: BgeSoftc): void {
  const ifp = sc.ifp;
  if (!ifp) return;
  const m = sc.mii.mediaActive;
  const up = (sc.mii.mediaStatus & IFM_ACTIVE) !== 0;
  ifp.media = { subtype: up ? m.subtype : ifp.media.subtype, fullDuplex: up ? m.fdx : ifp.media.fullDuplex, linkUp: up };
}

/** bge_miibus_statchg: BGE_STS_LINK from the PHY, then port mode, duplex and flow control to match. */
export function* bgeMiibusStatchg(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  const mii = sc.mii;
  const m = mii.mediaActive;
  const active = (mii.mediaStatus & IFM_ACTIVE) !== 0 && m.subtype !== 'none';
  sc.link = active;
  reportMedia(sc);
  if (!sc.link) return;
  const csr = sc.csr;
  let macMode = (yield* csr.read(ctx, BGE_MAC_MODE)) & ~(BGE_MACMODE_PORTMODE | BGE_MACMODE_HALF_DUPLEX);
  let txMode = yield* csr.read(ctx, BGE_TX_MODE);
  let rxMode = yield* csr.read(ctx, BGE_RX_MODE);
  macMode |= m.subtype === '1000baseT' ? BGE_PORTMODE_GMII : BGE_PORTMODE_MII;
  txMode &= ~BGE_TXMODE_FLOWCTL_ENABLE;
  rxMode &= ~BGE_RXMODE_FLOWCTL_ENABLE;
  if (m.fdx) {
    if (m.txPause) txMode |= BGE_TXMODE_FLOWCTL_ENABLE;
    if (m.rxPause) rxMode |= BGE_RXMODE_FLOWCTL_ENABLE;
  } else {
    macMode |= BGE_MACMODE_HALF_DUPLEX;
  }
  yield* csr.writeFlush(ctx, BGE_MAC_MODE, macMode);
  yield* DELAY(ctx, 40);
  csr.write(ctx, BGE_TX_MODE, txMode);
  csr.write(ctx, BGE_RX_MODE, rxMode);
  ctx.trace('driver', 'media', 0, { if: sc.ifp?.name ?? 'bge', media: mediaName(m) });
}

/** The MiiHost the MII layer calls. */
export function bgeMiiHost(sc: BgeSoftc): MiiHost {
  return {
    readreg: (ctx, phy, reg) => bgeMiibusReadreg(ctx, sc, phy, reg),
    writereg: (ctx, phy, reg, value) => bgeMiibusWritereg(ctx, sc, phy, reg, value),
    statchg: (ctx) => bgeMiibusStatchg(ctx, sc),
    linkStateChange(up: boolean): void {
      reportMedia(sc);
      if (sc.ifp) sc.iopkt.linkState(sc.ifp, up);
    },
    ifUp: () => ((sc.ifp?.flags ?? 0) & IFF_UP) !== 0,
  };
}
