/**
 * Node life cycle (ieee80211_node.c): a station joining our AP (AID allocation, ERP accounting, the
 * association response), leaving it, authorizing a node's port, the station's own departure from a BSS,
 * and the inactivity passes over the station and scan tables (ieee80211_timeout_stations).
 */
import { macToString } from '../net/wire/addr';
import {
  IEEE80211_AID, IEEE80211_INACT_WAIT, IEEE80211_NODE_AUTH, IEEE80211_NODE_ERP, type Ieee80211Node, type NodeTable,
} from './node';
import { ieee80211_send_mgmt, ieee80211_send_nulldata } from './output';
import { ieee80211_set_shortslottime } from './proto';
import { IEEE80211_MODE_11G, ieee80211_iserp_rateset } from './rates';
import { IEEE80211_F_USEPROT, IEEE80211_F_WPA, type Ieee80211Com } from './var';
import { ieee80211_crypto_delnodekey } from './crypto';
import { ieee80211_notify_node_join, ieee80211_notify_node_leave } from './notify';
import { IEEE80211_FC0_SUBTYPE_ASSOC_RESP, IEEE80211_FC0_SUBTYPE_DEAUTH } from './wire/frame';
import { IEEE80211_CAPINFO_SHORT_SLOTTIME, IEEE80211_REASON_AUTH_EXPIRE, IEEE80211_STATUS_SUCCESS, IEEE80211_STATUS_TOOMANY } from './wire/mgmt';

/** ieee80211_node_authorize: open the port; the node now times out on the RUN schedule. */
export function ieee80211_node_authorize(ic: Ieee80211Com, ni: Ieee80211Node): void {
  ni.flags |= IEEE80211_NODE_AUTH;
  ni.inact = ni.inactReload = ic.inactRun;
}

/** ieee80211_node_unauthorize. */
export function ieee80211_node_unauthorize(_ic: Ieee80211Com, ni: Ieee80211Node): void {
  ni.flags &= ~IEEE80211_NODE_AUTH;
}

/** The lowest free AID, 1 … ic_max_aid − 1, or 0 (IEEE80211_AID_ISSET loop in ieee80211_node_join). */
function allocAid(ic: Ieee80211Com): number {
  for (let aid = 1; aid < ic.maxAid; aid++) if (!ic.aids.has(aid)) return aid;
  return 0;
}

/**
 * ieee80211_node_join: station `ni` (authenticated, rates negotiated) associates — an AID, ERP accounting
 * (a non-ERP station turns protection on; a long-slot station turns short slot off), the (re)association
 * response with status success, and the port opened.
 */
export function ieee80211_node_join(ic: Ieee80211Com, ni: Ieee80211Node, resp: number): void {
  let newassoc = false;
  if (ni.associd === 0) {
    const aid = allocAid(ic);
    if (aid === 0) {
      // too many stations
      ieee80211_send_mgmt(ic, ni, resp, IEEE80211_STATUS_TOOMANY);
      ieee80211_node_leave(ic, ni);
      return;
    }
    ni.associd = aid | 0xc000;
    ic.aids.add(aid);
    ic.staAssoc++;
    newassoc = true;
    if (ic.curmode === IEEE80211_MODE_11G) {
      if ((ni.capinfo & IEEE80211_CAPINFO_SHORT_SLOTTIME) === 0) {
        ic.longslotsta++;
        ieee80211_set_shortslottime(ic, false);
      }
      if ((ni.flags & IEEE80211_NODE_ERP) === 0) {
        ic.nonerpsta++;
        ic.flags |= IEEE80211_F_USEPROT;
      }
    }
  }
  ic.trace('node-join', 0, { mac: macToString(ni.macaddr), aid: IEEE80211_AID(ni.associd), newassoc, rssi: ni.rssi });
  ic.newassoc?.(ni, newassoc);
  ieee80211_send_mgmt(ic, ni, resp, IEEE80211_STATUS_SUCCESS);
  // With WPA the authenticator (hostapd) opens the port after the 4-way handshake (IEEE80211_MLME_AUTHORIZE);
  // until then only EAPOL passes. A (re)association starts over: no pairwise key, port closed.
  if ((ic.flags & IEEE80211_F_WPA) === 0) ieee80211_node_authorize(ic, ni);
  else {
    ieee80211_node_unauthorize(ic, ni);
    ieee80211_crypto_delnodekey(ni);
  }
  ieee80211_notify_node_join(ic, ni, newassoc);
}

/** ieee80211_node_leave_11g: undo the station's ERP accounting. */
function nodeLeave11g(ic: Ieee80211Com, ni: Ieee80211Node): void {
  if ((ni.capinfo & IEEE80211_CAPINFO_SHORT_SLOTTIME) === 0 && ic.longslotsta > 0 && --ic.longslotsta === 0) {
    ieee80211_set_shortslottime(ic, true);
  }
  if ((ni.flags & IEEE80211_NODE_ERP) === 0 && ic.nonerpsta > 0 && --ic.nonerpsta === 0) ic.flags &= ~IEEE80211_F_USEPROT;
}

/**
 * ieee80211_node_leave: a station leaves our BSS (deauthenticated, disassociated, timed out): its AID is
 * freed, the port closed, and the AP drops its reference — the node leaves the station table.
 */
export function ieee80211_node_leave(ic: Ieee80211Com, ni: Ieee80211Node): void {
  ic.trace('node-leave', 0, { mac: macToString(ni.macaddr), aid: IEEE80211_AID(ni.associd) });
  // Only an associated station's departure is announced (LEAVE); hostapd then forgets its WPA state.
  if (ni.associd !== 0 && ni !== ic.bss) ieee80211_notify_node_leave(ic, ni);
  if (ni.associd !== 0) {
    ic.aids.delete(IEEE80211_AID(ni.associd));
    ni.associd = 0;
    if (ic.staAssoc > 0) ic.staAssoc--;
    if (ic.curmode === IEEE80211_MODE_11G) nodeLeave11g(ic, ni);
  }
  ieee80211_node_unauthorize(ic, ni);
  ieee80211_crypto_delnodekey(ni);
  if (ni !== ic.bss && ni.table === ic.sta) ic.sta.remove(ni);
}

/** ieee80211_sta_leave: we (a station) left our BSS — the routing socket hears of it and the link goes down. */
export function ieee80211_sta_leave(ic: Ieee80211Com, ni: Ieee80211Node): void {
  ic.trace('leave', 0, { bssid: macToString(ni.bssid) });
  ni.associd = 0;
  ieee80211_node_unauthorize(ic, ni);
  ieee80211_crypto_delnodekey(ni);
  ieee80211_notify_node_leave(ic, ni);
  ic.h.linkState(ic.ifp, false);
}

/** Is the station's rate set ERP (holds the mandatory OFDM rates)? Sets IEEE80211_NODE_ERP. */
export function ieee80211_node_set_erp(ni: Ieee80211Node): void {
  if (ieee80211_iserp_rateset(ni.rates)) ni.flags |= IEEE80211_NODE_ERP;
  else ni.flags &= ~IEEE80211_NODE_ERP;
}

/**
 * One inactivity pass over `nt` (ieee80211_timeout_stations), run every IEEE80211_INACT_WAIT seconds: each
 * node's counter goes down by one; an associated station at the probe threshold is sent a null data frame
 * (its ACK — or any frame — reloads the counter); at zero an associated station is deauthenticated
 * (reason "auth expired") and leaves, any other node is dropped.
 */
function timeoutNodes(ic: Ieee80211Com, nt: NodeTable): void {
  for (const ni of nt.list()) {
    if (ni === ic.bss) continue;
    if (ni.inact > 0) ni.inact--;
    if (nt === ic.sta && ic.opmode === 'hostap' && ni.associd !== 0 && ni.inact === ic.inactProbe) {
      ic.trace('inact-probe', 0, { mac: macToString(ni.macaddr) });
      ieee80211_send_nulldata(ic, ni);
      continue;
    }
    if (ni.inact > 0) continue;
    ic.stats.is_node_timeout++;
    ic.trace('node-timeout', 0, { table: nt.name, mac: macToString(ni.macaddr) });
    if (nt === ic.sta && ni.associd !== 0) {
      ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_REASON_AUTH_EXPIRE);
      ieee80211_node_leave(ic, ni);
    } else nt.remove(ni);
  }
  nt.inactTimer = IEEE80211_INACT_WAIT;
}

/** ieee80211_timeout_scan_candidates. */
export function ieee80211_timeout_scan_candidates(ic: Ieee80211Com): void {
  timeoutNodes(ic, ic.scan);
}

/** ieee80211_timeout_stations (the station table). */
export function ieee80211_timeout_stations(ic: Ieee80211Com): void {
  timeoutNodes(ic, ic.sta);
}

/** The response subtype for a request subtype (ASSOC_REQ → ASSOC_RESP, REASSOC_REQ → REASSOC_RESP). */
export function respSubtype(reqSubtype: number): number {
  return reqSubtype + (IEEE80211_FC0_SUBTYPE_ASSOC_RESP - 0);
}
