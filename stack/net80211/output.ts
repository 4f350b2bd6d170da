/**
 * Frames this layer sends (ieee80211_output.c): management frames queued for the driver on ic_mgtq with
 * their node (ieee80211_mgmt_output, ieee80211_send_mgmt, ieee80211_send_probereq, ieee80211_send_nulldata),
 * the capability field (ieee80211_getcapinfo), and the data path a driver's if_start uses: the node a frame
 * goes to (ieee80211_find_txnode) and 802.3 → 802.11 encapsulation with LLC/SNAP (ieee80211_encap).
 *
 * Duration/ID stays 0 here: the driver fills it once it knows the rate (rt2560_tx_mgt/rt2560_tx_data).
 */
import { ETHER_BROADCAST, macEquals, macToString } from '../net/wire/addr';
import type { Mbuf } from '../net/mbuf';
import type { ThreadCtx } from '../kernel/api';
import { IEEE80211_TRANS_WAIT, type Ieee80211Node } from './node';
import { IEEE80211_MODE_11G } from './rates';
import { chan2mode } from './mode';
import { Net80211Cost } from './costs';
import { ETHERTYPE_PAE, ieee80211_crypto_encap, ieee80211_crypto_txkey } from './crypto';
// ieee80211_encap charges nothing: drivers call it from if_start in whatever thread runs it (an interrupt
// thread after TX done), so its cost is in the driver's per-frame cost.
import {
  IEEE80211_F_HIDESSID, IEEE80211_F_PRIVACY, IEEE80211_F_WPA, IEEE80211_F_SHPREAMBLE, IEEE80211_F_SHSLOT, IEEE80211_MGTQ_MAX, type Ieee80211Com,
} from './var';
import {
  IEEE80211_FC0_SUBTYPE_ASSOC_REQ, IEEE80211_FC0_SUBTYPE_ASSOC_RESP, IEEE80211_FC0_SUBTYPE_AUTH, IEEE80211_FC0_SUBTYPE_DATA,
  IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_FC0_SUBTYPE_DISASSOC, IEEE80211_FC0_SUBTYPE_NODATA, IEEE80211_FC0_SUBTYPE_PROBE_REQ,
  IEEE80211_FC0_SUBTYPE_PROBE_RESP, IEEE80211_FC0_SUBTYPE_REASSOC_REQ, IEEE80211_FC0_SUBTYPE_REASSOC_RESP, IEEE80211_FC0_TYPE_DATA,
  IEEE80211_FC0_TYPE_MGT, IEEE80211_FC1_DIR_FROMDS, IEEE80211_FC1_DIR_NODS, IEEE80211_FC1_DIR_TODS, IEEE80211_HDR_LEN,
  IEEE80211_SEQ_RANGE, ieee80211_write_header, isMulticastAddr, mgtSubtypeName,
} from './wire/frame';
import {
  AuthRepr, BeaconRepr, ElementWriter, IEEE80211_AUTH_ALG_OPEN, IEEE80211_CAPINFO_ESS, IEEE80211_CAPINFO_IBSS,
  IEEE80211_CAPINFO_PRIVACY, IEEE80211_CAPINFO_SHORT_PREAMBLE, IEEE80211_CAPINFO_SHORT_SLOTTIME, IEEE80211_ELEMID_DSPARMS,
  IEEE80211_ELEMID_ERP, IEEE80211_ELEMID_IBSSPARMS, IEEE80211_STATUS_SUCCESS, ReasonRepr,
} from './wire/mgmt';

/** RFC 1042 LLC/SNAP header for an encapsulated EtherType (§7.1.3 + IEEE 802.1H). */
export const LLC_SNAP = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00] as const;
export const LLC_SNAPFRAMELEN = 8;
/** Ethernet header. */
const ETHER_HDR_LEN = 14;

/** Next sequence number for `ni` (ni_txseqs[IEEE80211_NONQOS_TID]), modulo 4096. */
export function ieee80211_next_seq(ni: Ieee80211Node): number {
  const s = ni.txseqs[0]!;
  ni.txseqs[0] = (s + 1) % IEEE80211_SEQ_RANGE;
  return s;
}

/** Queue a finished 802.11 frame on ic_mgtq and have the driver's if_start run. */
function enqueueMgt(ic: Ieee80211Com, ni: Ieee80211Node, data: Uint8Array, what: string): boolean {
  if (ic.mgtq.length >= IEEE80211_MGTQ_MAX) {
    ic.stats.is_tx_nobuf++;
    ic.trace('mgtq-full', 0, { what });
    return false;
  }
  const h = ic.h;
  h.charge(Net80211Cost.sendMgmt);
  const m: Mbuf = { data, pktId: h.newPktId() };
  ic.mgtq.push({ m, ni });
  ic.trace('tx-mgt', m.pktId, { subtype: what, da: macToString(data.subarray(4, 10)), len: data.length });
  h.kick(ic.ifp);
  return true;
}

/**
 * ieee80211_mgmt_output: a management frame to `ni` — RA = the node, TA = us, BSSID = the node's BSSID — with
 * its sequence number, queued for the driver.
 */
export function ieee80211_mgmt_output(ic: Ieee80211Com, ni: Ieee80211Node, body: Uint8Array, subtype: number): boolean {
  const buf = new Uint8Array(IEEE80211_HDR_LEN + body.length);
  ieee80211_write_header(buf, IEEE80211_FC0_TYPE_MGT | subtype, IEEE80211_FC1_DIR_NODS, ni.macaddr, ic.myaddr, ni.bssid, ieee80211_next_seq(ni));
  buf.set(body, IEEE80211_HDR_LEN);
  ni.stats.tx_mgmt++;
  return enqueueMgt(ic, ni, buf, mgtSubtypeName(subtype));
}

/** ieee80211_getcapinfo: ESS or IBSS, privacy, short preamble and short slot as in use. */
export function ieee80211_getcapinfo(ic: Ieee80211Com): number {
  let capinfo = ic.opmode === 'ibss' ? IEEE80211_CAPINFO_IBSS : ic.opmode === 'hostap' ? IEEE80211_CAPINFO_ESS : 0;
  if ((ic.flags & IEEE80211_F_PRIVACY) !== 0) capinfo |= IEEE80211_CAPINFO_PRIVACY;
  if ((ic.flags & IEEE80211_F_SHPREAMBLE) !== 0) capinfo |= IEEE80211_CAPINFO_SHORT_PREAMBLE;
  if ((ic.flags & IEEE80211_F_SHSLOT) !== 0) capinfo |= IEEE80211_CAPINFO_SHORT_SLOTTIME;
  return capinfo;
}

/** Does an AP put its WPA/RSN IE (ic.appieWpa) in beacons and probe responses? With WPA on and an IE set. */
export function ieee80211_wpa_ie_enabled(ic: Ieee80211Com): boolean {
  return (ic.flags & IEEE80211_F_WPA) !== 0 && ic.appieWpa !== null && ic.appieWpa.length >= 2;
}

/** The ERP element's bits as an AP advertises them (ieee80211_add_erp): non-ERP present, protection, Barker. */
export function ieee80211_erp_bits(ic: Ieee80211Com): number {
  let erp = 0;
  if (ic.nonerpsta !== 0) erp |= 0x01;
  if ((ic.flags & 0x00100000) !== 0) erp |= 0x02; // IEEE80211_F_USEPROT
  if ((ic.flags & 0x00200000) !== 0) erp |= 0x04; // IEEE80211_F_USEBARKER
  return erp;
}

/**
 * The body of a beacon or probe response up to (not including) the TIM (§7.2.3.1 order): timestamp (the
 * hardware stamps it), beacon interval, capability, SSID, supported rates, DS parameter set; probe responses
 * and IBSS beacons add the IBSS parameter set.
 */
export function beaconHead(ic: Ieee80211Com, ni: Ieee80211Node, w: ElementWriter, hideSsid: boolean): void {
  BeaconRepr.head(w, 0n, ic.bintval, ieee80211_getcapinfo(ic));
  w.ssid(hideSsid ? new Uint8Array(0) : ni.essid);
  w.rates(ni.rates);
  w.element(IEEE80211_ELEMID_DSPARMS, [ni.chan.ieee]);
  if (ic.opmode === 'ibss') w.element(IEEE80211_ELEMID_IBSSPARMS, [0, 0]); // ATIM window 0
}

/**
 * ieee80211_send_mgmt: build and queue the management frame `type` for `ni`. `arg`: AUTH — transaction
 * sequence in the low 16 bits, status in the high; DEAUTH/DISASSOC — reason; (RE)ASSOC_RESP — status;
 * (RE)ASSOC_REQ — 1 for a reassociation. Requests arm the management timer (IEEE80211_TRANS_WAIT).
 */
export function ieee80211_send_mgmt(ic: Ieee80211Com, ni: Ieee80211Node, type: number, arg: number): boolean {
  const w = new ElementWriter();
  let timer = 0;
  switch (type) {
    case IEEE80211_FC0_SUBTYPE_PROBE_RESP:
      beaconHead(ic, ic.bss, w, false);
      if (ic.curmode === IEEE80211_MODE_11G) w.element(IEEE80211_ELEMID_ERP, [ieee80211_erp_bits(ic)]);
      w.xrates(ic.bss.rates);
      // The RSN (or WPA) IE after the extended rates (802.11-2016 Table 9-34), as for beacons.
      if (ieee80211_wpa_ie_enabled(ic)) w.bytes(ic.appieWpa!);
      break;
    case IEEE80211_FC0_SUBTYPE_AUTH: {
      const seq = arg & 0xffff;
      const status = arg >>> 16;
      w.bytes(AuthRepr.emit(IEEE80211_AUTH_ALG_OPEN, seq, status));
      if (ic.opmode === 'sta') timer = IEEE80211_TRANS_WAIT;
      ni.stats.tx_auth++;
      if (status !== 0) ni.stats.tx_auth_fail++;
      break;
    }
    case IEEE80211_FC0_SUBTYPE_DEAUTH:
      w.bytes(ReasonRepr.emit(arg));
      ni.stats.tx_deauth++;
      ni.stats.tx_deauth_code = arg;
      break;
    case IEEE80211_FC0_SUBTYPE_DISASSOC:
      w.bytes(ReasonRepr.emit(arg));
      ni.stats.tx_disassoc++;
      ni.stats.tx_disassoc_code = arg;
      break;
    case IEEE80211_FC0_SUBTYPE_ASSOC_REQ:
    case IEEE80211_FC0_SUBTYPE_REASSOC_REQ: {
      // capability (§7.3.1.4): ESS, privacy, short preamble when we use it on 2.4 GHz, short slot when the
      // AP offers it and the chip can (ieee80211_send_mgmt)
      let capinfo = ic.opmode === 'ibss' ? IEEE80211_CAPINFO_IBSS : IEEE80211_CAPINFO_ESS;
      if ((ic.flags & IEEE80211_F_PRIVACY) !== 0) capinfo |= IEEE80211_CAPINFO_PRIVACY;
      if ((ic.flags & IEEE80211_F_SHPREAMBLE) !== 0 && (ic.curchan.flags & 0x0080) !== 0) capinfo |= IEEE80211_CAPINFO_SHORT_PREAMBLE; // IEEE80211_CHAN_2GHZ
      if ((ni.capinfo & IEEE80211_CAPINFO_SHORT_SLOTTIME) !== 0 && (ic.caps & 0x00004000) !== 0) capinfo |= IEEE80211_CAPINFO_SHORT_SLOTTIME; // IEEE80211_C_SHSLOT
      const reassoc = arg === 1;
      w.le16(capinfo).le16(ic.lintval);
      if (reassoc) w.bytes(ic.bss.bssid);
      w.ssid(ni.essid).rates(ni.rates).xrates(ni.rates);
      // wpa_supplicant's IE (IEEE80211_IOC_APPIE/OPTIE) after the extended rates (Table 9-29).
      if (ic.appieWpa) w.bytes(ic.appieWpa);
      timer = IEEE80211_TRANS_WAIT;
      ni.stats.tx_assoc++;
      type = reassoc ? IEEE80211_FC0_SUBTYPE_REASSOC_REQ : IEEE80211_FC0_SUBTYPE_ASSOC_REQ;
      break;
    }
    case IEEE80211_FC0_SUBTYPE_ASSOC_RESP:
    case IEEE80211_FC0_SUBTYPE_REASSOC_RESP:
      w.le16(ieee80211_getcapinfo(ic)).le16(arg);
      w.le16(arg === IEEE80211_STATUS_SUCCESS ? ni.associd : 0);
      w.rates(ni.rates).xrates(ni.rates);
      if (arg !== IEEE80211_STATUS_SUCCESS) ni.stats.tx_assoc_fail++;
      break;
    default:
      ic.stats.is_tx_unknownmgt++;
      ic.trace('tx-unknown-mgt', 0, { subtype: type });
      return false;
  }
  const ok = ieee80211_mgmt_output(ic, ni, w.done(), type);
  if (ok && timer) ic.mgtTimer = timer;
  return ok;
}

/**
 * ieee80211_send_probereq: a probe request (§7.2.3.8) from `sa` to `da` for `ssid` (empty = wildcard) with our
 * rates for the current mode. The sequence number comes from `ni` (ic_bss while scanning).
 */
export function ieee80211_send_probereq(ic: Ieee80211Com, ni: Ieee80211Node, sa: Uint8Array, da: Uint8Array, bssid: Uint8Array, ssid: Uint8Array): boolean {
  const rs = ic.supRates[chan2mode(ic, ic.curchan)]!;
  const body = new ElementWriter().ssid(ssid).rates(rs).xrates(rs).done();
  const buf = new Uint8Array(IEEE80211_HDR_LEN + body.length);
  ieee80211_write_header(buf, IEEE80211_FC0_TYPE_MGT | IEEE80211_FC0_SUBTYPE_PROBE_REQ, IEEE80211_FC1_DIR_NODS, da, sa, bssid, ieee80211_next_seq(ni));
  buf.set(body, IEEE80211_HDR_LEN);
  ni.stats.tx_probereq++;
  return enqueueMgt(ic, ni, buf, 'probe_req');
}

/** ieee80211_send_nulldata: a null data frame to `ni` (the AP's inactivity probe of a quiet station). */
export function ieee80211_send_nulldata(ic: Ieee80211Com, ni: Ieee80211Node): boolean {
  const buf = new Uint8Array(IEEE80211_HDR_LEN);
  const fc0 = IEEE80211_FC0_TYPE_DATA | IEEE80211_FC0_SUBTYPE_NODATA;
  if (ic.opmode === 'sta') ieee80211_write_header(buf, fc0, IEEE80211_FC1_DIR_TODS, ni.bssid, ic.myaddr, ni.macaddr, ieee80211_next_seq(ni));
  else ieee80211_write_header(buf, fc0, IEEE80211_FC1_DIR_FROMDS, ni.macaddr, ni.bssid, ic.myaddr, ieee80211_next_seq(ni));
  return enqueueMgt(ic, ni, buf, 'null');
}

/**
 * ieee80211_find_txnode: the node a frame for Ethernet destination `dst` goes through. Station: always the
 * AP (ic_bss). AP/IBSS: group frames go to ic_bss; unicast to an associated station (hostap) or a known
 * neighbour; unknown → null (is_tx_nonode), and the driver drops the frame.
 */
export function ieee80211_find_txnode(ic: Ieee80211Com, dst: Uint8Array): Ieee80211Node | null {
  if (ic.opmode === 'sta' || ic.opmode === 'monitor' || isMulticastAddr(dst)) return ic.bss;
  const ni = ic.sta.find(dst);
  if (!ni || (ic.opmode === 'hostap' && ni.associd === 0 && !macEquals(ni.macaddr, ic.myaddr))) {
    ic.stats.is_tx_nonode++;
    ic.trace('tx-nonode', 0, { dst: macToString(dst) });
    return null;
  }
  return ni;
}

/**
 * ieee80211_encap: an Ethernet frame (dst, src, type, payload) to an 802.11 data frame for `ni`: LLC/SNAP
 * header with the EtherType, addresses by direction (§7.2.2 Table 7-7) — station → AP: ToDS, A1 = BSSID,
 * A2 = SA, A3 = DA; AP → station: FromDS, A1 = DA, A2 = BSSID, A3 = SA; IBSS: A1 = DA, A2 = SA, A3 = BSSID —
 * and the node's next sequence number. Null for a runt or a frame the port or the key table refuses (dropped,
 * counted), and for a frame under a key: it went to the crypto engine and comes back on ic.cryptoq. `ctx` is
 * the thread running if_start (an interrupt thread after TX done, or the stack context — the default): the
 * crypto request is dispatched, and a software CCMP charged, on it.
 */
export function ieee80211_encap(ic: Ieee80211Com, m: Mbuf, ni: Ieee80211Node, ctx?: ThreadCtx): Mbuf | null {
  const e = m.data;
  if (e.length < ETHER_HDR_LEN) {
    ic.ifp.data.oerrors++;
    return null;
  }
  const dst = e.subarray(0, 6);
  const src = e.subarray(6, 12);
  const payload = e.subarray(ETHER_HDR_LEN);
  const type = ((e[12]! << 8) | e[13]!) >>> 0;
  const eapol = type === ETHERTYPE_PAE;
  // ieee80211_start: a node whose 802.1X port is closed gets EAPOL frames only.
  if (!eapol && !ni.authorized && (ic.opmode === 'sta' || ni !== ic.bss)) {
    ic.ifp.data.oerrors++;
    ic.trace('tx-drop', m.pktId, { why: 'unauthorized port', da: macToString(dst) });
    return null;
  }
  const out = new Uint8Array(IEEE80211_HDR_LEN + LLC_SNAPFRAMELEN + payload.length);
  const fc0 = IEEE80211_FC0_TYPE_DATA | IEEE80211_FC0_SUBTYPE_DATA;
  const seq = ieee80211_next_seq(ni);
  switch (ic.opmode) {
    case 'sta':
      ieee80211_write_header(out, fc0, IEEE80211_FC1_DIR_TODS, ni.bssid, src, dst, seq);
      break;
    case 'hostap':
      ieee80211_write_header(out, fc0, IEEE80211_FC1_DIR_FROMDS, dst, ni.bssid, src, seq);
      break;
    default:
      ieee80211_write_header(out, fc0, IEEE80211_FC1_DIR_NODS, dst, src, ic.bss.bssid, seq);
  }
  out.set(LLC_SNAP, IEEE80211_HDR_LEN);
  out[IEEE80211_HDR_LEN + 6] = type >> 8;
  out[IEEE80211_HDR_LEN + 7] = type & 0xff;
  out.set(payload, IEEE80211_HDR_LEN + LLC_SNAPFRAMELEN);
  ni.stats.tx_data++;
  ni.stats.tx_bytes += out.length;
  ic.trace('encap', m.pktId, { da: macToString(dst), len: out.length, seq });
  // Privacy: the key for this frame (ieee80211_crypto_encap); CCMP runs on a crypto engine and the frame reaches
  // the driver through ic.cryptoq once encrypted (crypto.ts encapDone).
  const k = ieee80211_crypto_txkey(ic, ni, out.subarray(4, 10), eapol);
  if (k === 'nokey') {
    ic.stats.is_tx_nodefkey++;
    ic.ifp.data.oerrors++;
    ic.trace('tx-drop', m.pktId, { why: 'no default transmit key', da: macToString(dst) });
    return null;
  }
  if (k) {
    if (!ieee80211_crypto_encap(ic, ni, k, out, m.pktId, ctx)) ic.ifp.data.oerrors++;
    return null;
  }
  return { data: out, pktId: m.pktId, flags: m.flags };
}

/** Is `a` the broadcast address? */
export function isBroadcast(a: Uint8Array): boolean {
  return macEquals(a, ETHER_BROADCAST as Uint8Array);
}
