/**
 * Bringing the interface up and down (if_bge.c bge_init, bge_stop, bge_ifmedia_upd, bge_setmulti,
 * bge_ifflags_cb). bge_init is the whole sequence `ifconfig bge0 … up` runs: stop, core reset, chipinit,
 * blockinit, MTU, station address, promiscuous mode, multicast hash, rings, transmitter and receiver on,
 * interrupts unmasked, media change (PHY reset and autonegotiation), then a forced status update
 * (HOSTCC COAL_NOW) so the first interrupt reports the link, and the 1 s tick.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { IFF_ALLMULTI, IFF_OACTIVE, IFF_PROMISC, IFF_RUNNING } from '../../net/if';
import { crc32Register } from '../../../emulator/machine/net/crc32';
import { bgeBlockinit } from './blockinit';
import { DELAY } from './csr';
import { bgeTick } from './intr';
import { media, miiDown, miiMediachg } from './mii-bus';
import {
  BGE_HCC_MODE, BGE_HCCMODE_COAL_NOW, BGE_MAC_ADDR1_HI, BGE_MAC_ADDR1_LO, BGE_MAR0, BGE_MAX_RX_FRAME_LOWAT,
  BGE_MBX_IRQ0_LO, BGE_MODE_CTL, BGE_MODECTL_STACKUP, BGE_PCI_MISC_CTL, BGE_PCIMISCCTL_CLEAR_INTA,
  BGE_PCIMISCCTL_MASK_PCI_INTR, BGE_RX_MODE, BGE_RX_MTU, BGE_RXMODE_ENABLE, BGE_RXMODE_RX_PROMISC, BGE_TX_MODE,
  BGE_TXMODE_ENABLE, ETHER_CRC_LEN, ETHER_HDR_LEN, ETHER_VLAN_ENCAP_LEN,
} from './regs';
import { bgeChipinit, bgeReset, bgeStopChip } from './reset';
import { bgeFreeRings, bgeInitRxRingStd, bgeInitTxRing } from './rings';
import type { BgeSoftc } from './softc';
import { bgeFoldStats } from './stats';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';

/** The tick period (callout_reset(&sc->bge_timeout, hz, …)). */
export const BGE_TICK_NS = 1_000_000_000;

/** ether_crc32_le: reflected CRC-32 without the final complement (what bge_setmulti hashes with). */
export function etherCrc32Le(addr: Uint8Array): number {
  return crc32Register(addr);
}

/** bge_setmulti: a 128-bit hash of the joined groups (7 low CRC bits), or all ones for ALLMULTI/PROMISC. */
export function bgeSetmulti(ctx: ThreadCtx, sc: BgeSoftc): void {
  const ifp = sc.ifp!;
  const hashes = [0, 0, 0, 0];
  if (sc.opts.noMulticast) {
    // nomulticast: the hash stays empty (broadcast and unicast only).
  } else if (ifp.flags & (IFF_PROMISC | IFF_ALLMULTI)) {
    hashes.fill(0xffffffff);
  } else {
    for (const enm of ifp.multicast) {
      const h = etherCrc32Le(enm.subarray(0, 6)) & 0x7f;
      hashes[(h & 0x60) >>> 5]! |= 1 << (h & 0x1f);
    }
  }
  for (let i = 0; i < 4; i++) sc.csr.write(ctx, BGE_MAR0 + 4 * i, hashes[i]! >>> 0);
}

/** bge_ifmedia_upd: a pending link event, the media change, then a forced status update. */
export function* bgeIfmediaUpd(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  sc.linkEvt = true;
  yield* miiMediachg(ctx, sc.mii);
  yield* sc.csr.setBit(ctx, BGE_HCC_MODE, BGE_HCCMODE_COAL_NOW);
}

/** The media the options select (ifm_cur): auto, or speed=/duplex=. */
export function selectedMedia(sc: BgeSoftc): void {
  const o = sc.opts;
  if (o.speed === undefined) sc.mii.selected = media('auto');
  else sc.mii.selected = media(o.speed === 1000 ? '1000baseT' : o.speed === 100 ? '100baseTX' : '10baseT', o.fullDuplex);
}

/** bge_stop: tick off, chip stopped and reset, rings forgotten, PHY down (the lock is held by the caller). */
export function* bgeStop(ctx: ThreadCtx, sc: BgeSoftc, disable: boolean): Co<void> {
  const ifp = sc.ifp!;
  if (disable) sc.detaching = true;
  sc.cancelTick?.();
  sc.cancelTick = null;
  if (ifp.flags & IFF_RUNNING) yield* bgeFoldStats(ctx, sc);
  yield* bgeStopChip(ctx, sc);
  yield* sc.csr.clrBit(ctx, BGE_MODE_CTL, BGE_MODECTL_STACKUP);
  bgeFreeRings(sc);
  yield* miiDown(ctx, sc.mii);
  sc.link = false;
  sc.ifTimer = 0;
  ifp.flags &= ~(IFF_RUNNING | IFF_OACTIVE);
}

/** bge_init (the lock is held by the caller). */
export function* bgeInit(ctx: ThreadCtx, sc: BgeSoftc): Co<number> {
  const ifp = sc.ifp!;
  const csr = sc.csr;
  yield* bgeStop(ctx, sc, false);
  yield* bgeReset(ctx, sc);
  yield* bgeChipinit(ctx, sc);
  const error = yield* bgeBlockinit(ctx, sc);
  if (error) {
    sc.log(`initialization error ${error}`, _SLOG_ERROR);
    return error;
  }
  csr.write(ctx, BGE_RX_MTU, ifp.mtu + ETHER_HDR_LEN + ETHER_CRC_LEN + ETHER_VLAN_ENCAP_LEN);
  const a = ifp.lladdr;
  csr.write(ctx, BGE_MAC_ADDR1_LO, (a[0]! << 8) | a[1]!);
  csr.write(ctx, BGE_MAC_ADDR1_HI, ((a[2]! << 24) | (a[3]! << 16) | (a[4]! << 8) | a[5]!) >>> 0);
  if (ifp.flags & IFF_PROMISC || sc.opts.promiscuous) yield* csr.setBit(ctx, BGE_RX_MODE, BGE_RXMODE_RX_PROMISC);
  else yield* csr.clrBit(ctx, BGE_RX_MODE, BGE_RXMODE_RX_PROMISC);
  bgeSetmulti(ctx, sc);
  bgeInitRxRingStd(ctx, sc);
  sc.rxSavedConsIdx = 0;
  bgeInitTxRing(ctx, sc);
  // Transmitter, then receiver.
  yield* csr.writeFlush(ctx, BGE_TX_MODE, (yield* csr.read(ctx, BGE_TX_MODE)) | BGE_TXMODE_ENABLE);
  yield* DELAY(ctx, 100);
  yield* csr.writeFlush(ctx, BGE_RX_MODE, (yield* csr.read(ctx, BGE_RX_MODE)) | BGE_RXMODE_ENABLE);
  yield* DELAY(ctx, 10);
  yield* csr.writeFlush(ctx, BGE_MAX_RX_FRAME_LOWAT, 2);
  yield* csr.setBit(ctx, BGE_MODE_CTL, BGE_MODECTL_STACKUP);
  // Host interrupts on.
  yield* csr.setBit(ctx, BGE_PCI_MISC_CTL, BGE_PCIMISCCTL_CLEAR_INTA);
  yield* csr.clrBit(ctx, BGE_PCI_MISC_CTL, BGE_PCIMISCCTL_MASK_PCI_INTR);
  yield* csr.writembxFlush(ctx, BGE_MBX_IRQ0_LO, 0);
  sc.detaching = false;
  yield* bgeIfmediaUpd(ctx, sc);
  ifp.flags |= IFF_RUNNING;
  ifp.flags &= ~IFF_OACTIVE;
  sc.cancelTick = sc.iopkt.callout(BGE_TICK_NS, (tctx) => bgeTick(tctx, sc));
  sc.ifFlags = ifp.flags;
  return 0;
}

/** bge_ifflags_cb: promiscuous and multicast changes without a reinit. */
export function* bgeIfflagsCb(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  const ifp = sc.ifp!;
  if (ifp.flags & IFF_PROMISC || sc.opts.promiscuous) yield* sc.csr.setBit(ctx, BGE_RX_MODE, BGE_RXMODE_RX_PROMISC);
  else yield* sc.csr.clrBit(ctx, BGE_RX_MODE, BGE_RXMODE_RX_PROMISC);
  bgeSetmulti(ctx, sc);
  sc.ifFlags = ifp.flags;
}
