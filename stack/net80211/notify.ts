/**
 * Routing-socket notifications of the 802.11 layer (net80211 ieee80211_freebsd.c / ieee80211_netbsd.c:
 * ieee80211_notify_node_join, _node_leave, _replay_failure, _michael_failure → rt_ieee80211msg): what
 * wpa_supplicant and hostapd (driver_bsd.c) read from their AF_ROUTE socket. Layout in
 * stack/include/net80211/ieee80211_ioctl.ts.
 */
import {
  buildRtIeee80211Msg, IEEE80211_CIPHER_AES_CCM, RTM_IEEE80211_ASSOC, RTM_IEEE80211_DISASSOC, RTM_IEEE80211_JOIN,
  RTM_IEEE80211_LEAVE, RTM_IEEE80211_MICHAEL, RTM_IEEE80211_REASSOC, RTM_IEEE80211_REJOIN, RTM_IEEE80211_REPLAY,
  RTM_IEEE80211_SCAN, type RtIeee80211Event,
} from '../include/net80211/ieee80211_ioctl';
import { macToString } from '../net/wire/addr';
import type { Ieee80211Node } from './node';
import type { Ieee80211Com } from './var';

/** The interface index routing messages carry (if_index). */
function ifIndex(ic: Ieee80211Com): number {
  return ic.host?.ifIndex?.(ic.ifp) ?? 0;
}

function send(ic: Ieee80211Com, ev: RtIeee80211Event, what: string, f: Record<string, string | number> = {}): void {
  ic.trace('rtm', 0, { what, ...f });
  ic.host?.routeMessage?.(buildRtIeee80211Msg(ifIndex(ic), ic.ifp.name, ev));
}

/**
 * ieee80211_notify_node_join: our own association (a station: ASSOC or REASSOC with the BSSID), or a station
 * that (re)associated to our AP (JOIN for a new association, REJOIN otherwise).
 */
export function ieee80211_notify_node_join(ic: Ieee80211Com, ni: Ieee80211Node, newassoc: boolean): void {
  if (ni === ic.bss) send(ic, { what: newassoc ? RTM_IEEE80211_ASSOC : RTM_IEEE80211_REASSOC, addr: ni.bssid }, newassoc ? 'assoc' : 'reassoc', { addr: macToString(ni.bssid) });
  else send(ic, { what: newassoc ? RTM_IEEE80211_JOIN : RTM_IEEE80211_REJOIN, addr: ni.macaddr }, newassoc ? 'join' : 'rejoin', { addr: macToString(ni.macaddr) });
}

/** ieee80211_notify_node_leave: we left our BSS (DISASSOC), or a station left our AP (LEAVE). */
export function ieee80211_notify_node_leave(ic: Ieee80211Com, ni: Ieee80211Node): void {
  if (ni === ic.bss) send(ic, { what: RTM_IEEE80211_DISASSOC, addr: ni.bssid }, 'disassoc', { addr: macToString(ni.bssid) });
  else send(ic, { what: RTM_IEEE80211_LEAVE, addr: ni.macaddr }, 'leave', { addr: macToString(ni.macaddr) });
}

/** ieee80211_notify_scan_done. */
export function ieee80211_notify_scan_done(ic: Ieee80211Com): void {
  send(ic, { what: RTM_IEEE80211_SCAN }, 'scan');
}

/** ieee80211_notify_replay_failure: a received PN not above the key's counter. */
export function ieee80211_notify_replay_failure(ic: Ieee80211Com, src: Uint8Array, dst: Uint8Array, keyix: number, keyrsc: bigint, rsc: bigint): void {
  send(ic, { what: RTM_IEEE80211_REPLAY, src: src.slice(0, 6), dst: dst.slice(0, 6), cipher: IEEE80211_CIPHER_AES_CCM, keyix, keyrsc, rsc }, 'replay', { src: macToString(src), keyix, rsc: rsc.toString(), keyrsc: keyrsc.toString() });
}

/** ieee80211_notify_michael_failure (TKIP only in net80211: CCMP MIC failures are counted, not notified). */
export function ieee80211_notify_michael_failure(ic: Ieee80211Com, src: Uint8Array, dst: Uint8Array, cipher: number, keyix: number): void {
  send(ic, { what: RTM_IEEE80211_MICHAEL, src: src.slice(0, 6), dst: dst.slice(0, 6), cipher, keyix }, 'michael', { src: macToString(src), keyix });
}
