/**
 * Beacon frames for AP and IBSS operation (ieee80211_output.c ieee80211_beacon_alloc / ieee80211_beacon_update).
 * The driver allocates the template once when it enters RUN (rt2560_newstate → rt2560_tx_bcn) and calls the
 * update at each beacon-expire interrupt before handing the frame back to the beacon ring: the capability
 * field (short slot may change), the TIM's DTIM count, and the ERP element. The chip stamps the TSF.
 *
 * Body (§7.2.3.1): timestamp, beacon interval, capability, SSID, supported rates, DS parameter set, [IBSS
 * parameter set], TIM (hostap), ERP (11g), extended supported rates, the RSN/WPA IE with WPA on.
 */
import type { Mbuf } from '../net/mbuf';
import type { Ieee80211Node } from './node';
import { beaconHead, ieee80211_erp_bits, ieee80211_getcapinfo, ieee80211_next_seq, ieee80211_wpa_ie_enabled } from './output';
import { IEEE80211_MODE_11G } from './rates';
import { IEEE80211_F_HIDESSID, type BeaconOffsets, type Ieee80211Com } from './var';
import { IEEE80211_FC0_SUBTYPE_BEACON, IEEE80211_FC0_TYPE_MGT, IEEE80211_FC1_DIR_NODS, IEEE80211_HDR_LEN, IEEE80211_SEQ_SEQ_SHIFT, ieee80211_write_header } from './wire/frame';
import { ElementWriter, IEEE80211_ELEMID_ERP, IEEE80211_ELEMID_TIM } from './wire/mgmt';
import { ETHER_BROADCAST } from '../net/wire/addr';

/** Offset of the capability field in a beacon body (after timestamp and interval). */
const BEACON_CAPS_OFF = 8 + 2;

/** ieee80211_beacon_alloc: the beacon template for `ni` (ic_bss) and where its variable parts are. */
export function ieee80211_beacon_alloc(ic: Ieee80211Com, ni: Ieee80211Node): { m: Mbuf; bo: BeaconOffsets } {
  const w = new ElementWriter();
  beaconHead(ic, ni, w, (ic.flags & IEEE80211_F_HIDESSID) !== 0);
  const tim = IEEE80211_HDR_LEN + w.length;
  let timLen = 0;
  if (ic.opmode === 'hostap') {
    // DTIM count, DTIM period, bitmap control, one octet of partial virtual bitmap (§7.3.2.6)
    w.element(IEEE80211_ELEMID_TIM, [0, ic.dtimPeriod, 0, 0]);
    timLen = 6;
  }
  const trailer = IEEE80211_HDR_LEN + w.length;
  if (ic.curmode === IEEE80211_MODE_11G) w.element(IEEE80211_ELEMID_ERP, [ieee80211_erp_bits(ic)]);
  w.xrates(ni.rates);
  // The RSN (or WPA) IE hostapd set (IEEE80211_IOC_APPIE), after the extended rates (802.11-2016 Table 9-27).
  if (ieee80211_wpa_ie_enabled(ic)) w.bytes(ic.appieWpa!);
  const body = w.done();
  const data = new Uint8Array(IEEE80211_HDR_LEN + body.length);
  ieee80211_write_header(data, IEEE80211_FC0_TYPE_MGT | IEEE80211_FC0_SUBTYPE_BEACON, IEEE80211_FC1_DIR_NODS, ETHER_BROADCAST as Uint8Array, ic.myaddr, ni.bssid, 0);
  data.set(body, IEEE80211_HDR_LEN);
  const bo: BeaconOffsets = { caps: IEEE80211_HDR_LEN + BEACON_CAPS_OFF, tim, timLen, trailer, trailerLen: data.length - trailer };
  ic.trace('beacon-alloc', 0, { len: data.length, ssid: new TextDecoder().decode(ni.essid), chan: ni.chan.ieee });
  return { m: { data, pktId: ic.h.newPktId() }, bo };
}

/**
 * ieee80211_beacon_update: refresh the template in place before the next TBTT — capability, TIM DTIM count
 * (and the group-traffic bit `mcast`), ERP — and give it the BSS node's next sequence number (as FreeBSD
 * does; a beacon is a management frame with a sequence number, §7.1.3.4). Returns 1 when the length changed
 * (never here: the elements keep their size), else 0.
 */
export function ieee80211_beacon_update(ic: Ieee80211Com, ni: Ieee80211Node, bo: BeaconOffsets, m: Mbuf, mcast: number): number {
  const d = m.data;
  if (d.length < bo.caps + 2) return 0;
  const sc = ieee80211_next_seq(ni) << IEEE80211_SEQ_SEQ_SHIFT;
  d[22] = sc & 0xff;
  d[23] = (sc >> 8) & 0xff;
  const capinfo = ieee80211_getcapinfo(ic);
  d[bo.caps] = capinfo & 0xff;
  d[bo.caps + 1] = capinfo >> 8;
  if (bo.timLen === 6 && d.length >= bo.tim + 6 && d[bo.tim] === IEEE80211_ELEMID_TIM) {
    const period = Math.max(1, ic.dtimPeriod);
    const count = d[bo.tim + 2]!;
    // The DTIM count counts down to 0 at each DTIM (§7.3.2.6).
    const next = count === 0 ? period - 1 : count - 1;
    d[bo.tim + 2] = next;
    d[bo.tim + 3] = period;
    d[bo.tim + 4] = next === 0 && mcast ? 1 : 0;
  }
  if (bo.trailerLen >= 3 && d[bo.trailer] === IEEE80211_ELEMID_ERP) d[bo.trailer + 2] = ieee80211_erp_bits(ic);
  return 0;
}
