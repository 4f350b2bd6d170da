/**
 * Beacons in hostap and IBSS mode (rt2560.c rt2560_newstate's RUN case): net80211 builds the beacon
 * (ieee80211_beacon_alloc, recording where the TIM and friends sit in sc_bo) and the driver puts it in the
 * BEACON ring's single descriptor; with CSR14 BEACON_GEN on (rt2560_enable_tsf_sync) the chip sends it at
 * each TBTT, and rt2560_beacon_expire (intr.ts) refreshes it through ieee80211_beacon_update.
 */
import type { ThreadCtx } from '../../kernel/api';
import { ieee80211_beacon_alloc } from '../../net80211/beacon';
import type { Ieee80211Node } from '../../net80211/node';
import type { RalSoftc } from './softc';
import { rt2560TxBcn } from './tx';

/** ieee80211_beacon_alloc + rt2560_tx_bcn. False when no beacon could be built or mapped. */
export function rt2560BeaconSetup(ctx: ThreadCtx, sc: RalSoftc, ni: Ieee80211Node): boolean {
  const b = ieee80211_beacon_alloc(sc.ic, ni);
  if (!b) return false;
  sc.bo = b.bo;
  return rt2560TxBcn(ctx, sc, b.m, ni);
}
