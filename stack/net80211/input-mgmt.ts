/**
 * Management frames received (ieee80211_input.c ieee80211_recv_mgmt and ieee80211_auth_open): beacons and
 * probe responses (scan candidates; our AP's keep the beacon-miss timer quiet), probe requests (an AP
 * answers), open-system authentication on both sides, (re)association requests (an AP admits the station)
 * and responses (a station runs), deauthentication and disassociation.
 */
import type { Co } from '../kernel/api';
import type { Mbuf } from '../net/mbuf';
import { macEquals, macToString } from '../net/wire/addr';
import { WireError } from '../net/wire/view';
import { ieee80211_node_join, ieee80211_node_leave, ieee80211_node_set_erp } from './hostap';
import { ieee80211_parse_rsn, ieee80211_security_ies } from './rsn';
import type { Ieee80211Node } from './node';
import { Net80211Cost } from './costs';
import { ieee80211_send_mgmt } from './output';
import { ieee80211_new_state, ieee80211_set_shortslottime, ieee80211_swbmiss_heard } from './proto';
import { IEEE80211_F_DODEL, IEEE80211_F_DOFRATE, IEEE80211_F_DONEGO, IEEE80211_F_DOSORT, IEEE80211_MODE_11G, IEEE80211_RATE_BASIC, ieee80211_fix_rate } from './rates';
import { ieee80211_add_scan, ieee80211_probe_curchan, ieee80211_set_chan } from './scan';
import { IEEE80211_F_HIDESSID, IEEE80211_F_SCAN, IEEE80211_F_WPA, IEEE80211_FEXT_PROBECHAN, type Ieee80211Com } from './var';
import {
  IEEE80211_FC0_SUBTYPE_ASSOC_REQ, IEEE80211_FC0_SUBTYPE_ASSOC_RESP, IEEE80211_FC0_SUBTYPE_AUTH, IEEE80211_FC0_SUBTYPE_BEACON,
  IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_FC0_SUBTYPE_DISASSOC, IEEE80211_FC0_SUBTYPE_MASK, IEEE80211_FC0_SUBTYPE_PROBE_REQ,
  IEEE80211_FC0_SUBTYPE_PROBE_RESP, IEEE80211_FC0_SUBTYPE_REASSOC_REQ, IEEE80211_FC0_SUBTYPE_REASSOC_RESP, mgtSubtypeName,
  type Ieee80211Frame,
} from './wire/frame';
import {
  AssocReqRepr, AssocRespRepr, AuthRepr, BeaconRepr, IEEE80211_AUTH_ALG_OPEN, IEEE80211_AUTH_OPEN_REQUEST, IEEE80211_AUTH_OPEN_RESPONSE,
  IEEE80211_CAPINFO_ESS, IEEE80211_CAPINFO_SHORT_SLOTTIME, IEEE80211_REASON_IE_INVALID, IEEE80211_REASON_NOT_AUTHED, IEEE80211_STATUS_ALG, IEEE80211_STATUS_BASIC_RATE,
  IEEE80211_STATUS_CAPINFO, IEEE80211_STATUS_SUCCESS, ProbeReqRepr, ReasonRepr,
} from './wire/mgmt';

function ssidEq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** ieee80211_recv_mgmt. */
export function* ieee80211_recv_mgmt(ic: Ieee80211Com, m: Mbuf, wh: Ieee80211Frame, ni: Ieee80211Node, rssi: number, rstamp: number): Co<void> {
  const subtype = wh.fc0 & IEEE80211_FC0_SUBTYPE_MASK;
  const body = wh.body;
  const discard = (why: string, stat?: keyof Ieee80211Com['stats']): void => {
    if (stat) ic.stats[stat]++;
    ic.trace('rx-mgt-discard', m.pktId, { subtype: mgtSubtypeName(subtype), ta: macToString(wh.addr2), why });
  };
  ic.h.charge(Net80211Cost.recvMgmt);
  ic.trace('rx-mgt', m.pktId, { subtype: mgtSubtypeName(subtype), ta: macToString(wh.addr2), rssi });
  switch (subtype) {
    case IEEE80211_FC0_SUBTYPE_BEACON:
    case IEEE80211_FC0_SUBTYPE_PROBE_RESP: {
      // Stations and IBSS always listen; an AP only while it scans for a channel.
      if (ic.opmode === 'hostap' && (ic.flags & IEEE80211_F_SCAN) === 0) return;
      if (ic.opmode === 'monitor') return;
      const sp = BeaconRepr.parse(body);
      if (sp instanceof WireError) return discard(sp.reason, 'is_rx_elem_toobig');
      if (!sp.rates || !sp.ssid) return discard('rates or ssid element missing', 'is_rx_elem_missing');
      const chan = sp.dsChannel ?? ic.curchan.ieee;
      if (!ic.channels[chan]) return discard(`channel ${chan}`, 'is_rx_badchan');
      if (chan !== ic.curchan.ieee) {
        // Heard off-channel (DSSS channels overlap): the DS parameter set names its real channel; discard.
        return discard(`on channel ${ic.curchan.ieee} for ${chan}`, 'is_rx_chanmismatch');
      }
      if (sp.intval < 1 || sp.intval > 1000 * 8) return discard(`beacon interval ${sp.intval}`);
      if (subtype === IEEE80211_FC0_SUBTYPE_BEACON) {
        ic.stats.is_rx_beacon++;
        ni.stats.rx_beacons++;
      } else ni.stats.rx_proberesp++;
      // Our AP while we run: ERP and slot time may change; the beacon-miss timer hears it.
      if (ic.opmode === 'sta' && ic.state === 'RUN' && macEquals(wh.addr2, ic.bss.bssid)) {
        ic.bss.tstamp = sp.timestamp;
        if (ic.curmode === IEEE80211_MODE_11G) {
          ieee80211_set_shortslottime(ic, (sp.capinfo & IEEE80211_CAPINFO_SHORT_SLOTTIME) !== 0);
          if (sp.erp !== undefined) ic.bss.erp = sp.erp;
        }
        ic.bss.inact = ic.bss.inactReload;
        ieee80211_swbmiss_heard(ic);
        return;
      }
      if ((ic.flags & IEEE80211_F_SCAN) !== 0) {
        // A passive channel where we may now probe (IEEE80211_FEXT_PROBECHAN).
        if ((ic.flagsExt & IEEE80211_FEXT_PROBECHAN) !== 0 && subtype === IEEE80211_FC0_SUBTYPE_BEACON) {
          ic.flagsExt &= ~IEEE80211_FEXT_PROBECHAN;
          ieee80211_probe_curchan(ic, true);
        }
        ieee80211_add_scan(ic, { ...sp, chan }, wh.addr2, wh.addr3, subtype === IEEE80211_FC0_SUBTYPE_PROBE_RESP, rssi, rstamp);
      }
      return;
    }
    case IEEE80211_FC0_SUBTYPE_PROBE_REQ: {
      if (ic.opmode !== 'hostap' && ic.opmode !== 'ibss') return;
      if (ic.state !== 'RUN') return;
      const pr = ProbeReqRepr.parse(body);
      if (pr instanceof WireError) return discard(pr.reason, 'is_rx_elem_toobig');
      if (!pr.ssid || !pr.rates) return discard('rates or ssid element missing', 'is_rx_elem_missing');
      // Wildcard (empty) SSID, unless hidden, or our SSID.
      if (pr.ssid.length === 0 ? (ic.flags & IEEE80211_F_HIDESSID) !== 0 : !ssidEq(pr.ssid, ic.bss.essid)) {
        return discard('ssid mismatch', 'is_rx_ssidmismatch');
      }
      let dst = ni;
      if (dst === ic.bss) {
        // ieee80211_tmp_node: answer a station we do not keep.
        dst = ic.allocNode(wh.addr2);
        dst.bssid = ic.bss.bssid.slice();
        ieee80211_set_chan(ic, dst, ic.curchan);
      }
      const r = ieee80211_fix_rate([...pr.rates, ...(pr.xrates ?? [])], ic.bss.rates, IEEE80211_F_DOSORT | IEEE80211_F_DOFRATE | IEEE80211_F_DONEGO | IEEE80211_F_DODEL, ic.fixedRate, true);
      if ((r.rate & IEEE80211_RATE_BASIC) !== 0) return discard('no rate match', 'is_rx_assoc_norate');
      ieee80211_send_mgmt(ic, dst, IEEE80211_FC0_SUBTYPE_PROBE_RESP, 0);
      return;
    }
    case IEEE80211_FC0_SUBTYPE_AUTH: {
      const a = AuthRepr.parse(body);
      if (a instanceof WireError) return discard(a.reason, 'is_rx_tooshort');
      if (!macEquals(wh.addr3, ic.bss.bssid) && ic.opmode !== 'ibss') return discard('wrong bssid', 'is_rx_wrongbss');
      if (a.algo !== IEEE80211_AUTH_ALG_OPEN) {
        ic.stats.is_rx_auth_unsupported++;
        if (ic.opmode === 'hostap' && ic.state === 'RUN') {
          // Only open-system authentication here: answer "algorithm not supported" (§7.3.1.9).
          const tmp = ni === ic.bss ? tmpNode(ic, wh.addr2) : ni;
          ieee80211_send_mgmt(ic, tmp, IEEE80211_FC0_SUBTYPE_AUTH, (a.seq + 1) | (IEEE80211_STATUS_ALG << 16));
        }
        return discard(`auth algorithm ${a.algo}`);
      }
      yield* authOpen(ic, wh, ni, a.seq, a.status, rssi);
      return;
    }
    case IEEE80211_FC0_SUBTYPE_ASSOC_REQ:
    case IEEE80211_FC0_SUBTYPE_REASSOC_REQ: {
      if (ic.opmode !== 'hostap' || ic.state !== 'RUN') return;
      const reassoc = subtype === IEEE80211_FC0_SUBTYPE_REASSOC_REQ;
      const resp = reassoc ? IEEE80211_FC0_SUBTYPE_REASSOC_RESP : IEEE80211_FC0_SUBTYPE_ASSOC_RESP;
      if (!macEquals(wh.addr3, ic.bss.bssid)) return discard('wrong bssid', 'is_rx_assoc_bss');
      const q = AssocReqRepr.parse(body, reassoc);
      if (q instanceof WireError) return discard(q.reason, 'is_rx_tooshort');
      if (!q.ssid || !q.rates) return discard('rates or ssid element missing', 'is_rx_elem_missing');
      if (!ssidEq(q.ssid, ic.bss.essid)) return discard('ssid mismatch', 'is_rx_ssidmismatch');
      if (ni === ic.bss) {
        // Not authenticated: deauthenticate it (ieee80211_recv_mgmt "deny %s request, not authenticated").
        ieee80211_send_mgmt(ic, tmpNode(ic, wh.addr2), IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_REASON_NOT_AUTHED);
        return discard('not authenticated', 'is_rx_assoc_notauth');
      }
      if ((q.capinfo & IEEE80211_CAPINFO_ESS) === 0) {
        ieee80211_send_mgmt(ic, ni, resp, IEEE80211_STATUS_CAPINFO);
        ieee80211_node_leave(ic, ni);
        return discard('capability mismatch', 'is_rx_assoc_capmismatch');
      }
      const r = ieee80211_fix_rate([...q.rates, ...(q.xrates ?? [])], ic.bss.rates, IEEE80211_F_DOSORT | IEEE80211_F_DOFRATE | IEEE80211_F_DONEGO | IEEE80211_F_DODEL, ic.fixedRate, true);
      if ((r.rate & IEEE80211_RATE_BASIC) !== 0) {
        ieee80211_send_mgmt(ic, ni, resp, IEEE80211_STATUS_BASIC_RATE);
        ieee80211_node_leave(ic, ni);
        return discard('rate set mismatch', 'is_rx_assoc_norate');
      }
      // WPA: the station must say which ciphers and key management it uses (FreeBSD "no WPA/RSN IE in
      // association request"); hostapd reads the IE back with IEEE80211_IOC_WPAIE.
      const ies = ieee80211_security_ies(q.others);
      if ((ic.flags & IEEE80211_F_WPA) !== 0) {
        const bad = !ies.rsn && !ies.wpa ? 'no WPA/RSN IE' : ies.rsn ? ieee80211_parse_rsn(ies.rsn) : null;
        if (typeof bad === 'string') {
          ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_REASON_IE_INVALID);
          ieee80211_node_leave(ic, ni);
          return discard(bad, 'is_rx_assoc_badwpaie');
        }
      }
      ni.rsnIe = ies.rsn;
      ni.wpaIe = ies.wpa;
      ni.rates = r.rates;
      ni.txrate = r.txrate;
      ni.rssi = rssi;
      ni.intval = q.lintval;
      ni.capinfo = q.capinfo;
      ni.chan = ic.curchan;
      ni.essid = q.ssid.slice();
      ni.bssid = ic.bss.bssid.slice();
      ieee80211_node_set_erp(ni);
      ieee80211_node_join(ic, ni, resp);
      return;
    }
    case IEEE80211_FC0_SUBTYPE_ASSOC_RESP:
    case IEEE80211_FC0_SUBTYPE_REASSOC_RESP: {
      if (ic.opmode !== 'sta' || ic.state !== 'ASSOC') return discard(`in state ${ic.state}`);
      const p = AssocRespRepr.parse(body);
      if (p instanceof WireError) return discard(p.reason, 'is_rx_tooshort');
      if (!macEquals(wh.addr2, ic.bss.bssid)) return discard('wrong bssid', 'is_rx_wrongbss');
      if (p.status !== IEEE80211_STATUS_SUCCESS) {
        ni.fails++;
        ic.trace('assoc-refused', m.pktId, { status: p.status });
        yield* ieee80211_new_state(ic, 'SCAN', 0);
        return;
      }
      if (!p.rates) return discard('rates element missing', 'is_rx_elem_missing');
      const r = ieee80211_fix_rate([...p.rates, ...(p.xrates ?? [])], ic.supRates[ic.curmode]!, IEEE80211_F_DOSORT | IEEE80211_F_DOFRATE | IEEE80211_F_DONEGO | IEEE80211_F_DODEL, ic.fixedRate, false);
      if ((r.rate & IEEE80211_RATE_BASIC) !== 0) {
        ni.fails++;
        ic.stats.is_rx_assoc_norate++;
        yield* ieee80211_new_state(ic, 'SCAN', 0);
        return;
      }
      ni.rates = r.rates;
      ni.txrate = r.txrate;
      ni.capinfo = p.capinfo;
      ni.associd = p.associd;
      ni.fails = 0;
      ieee80211_node_set_erp(ni);
      if (ic.curmode === IEEE80211_MODE_11G) ieee80211_set_shortslottime(ic, (p.capinfo & IEEE80211_CAPINFO_SHORT_SLOTTIME) !== 0);
      yield* ieee80211_new_state(ic, 'RUN', subtype);
      return;
    }
    case IEEE80211_FC0_SUBTYPE_DEAUTH: {
      const reason = ReasonRepr.parse(body);
      if (reason instanceof WireError) return discard(reason.reason, 'is_rx_tooshort');
      ic.stats.is_rx_deauth++;
      ni.stats.rx_deauth++;
      ic.trace('deauth', m.pktId, { ta: macToString(wh.addr2), reason });
      if (ic.opmode === 'sta') {
        if (!macEquals(wh.addr2, ic.bss.bssid)) return discard('not from our AP', 'is_rx_wrongbss');
        if (ic.state === 'RUN' || ic.state === 'ASSOC' || ic.state === 'AUTH') yield* ieee80211_new_state(ic, 'AUTH', subtype);
      } else if (ic.opmode === 'hostap' && ni !== ic.bss) ieee80211_node_leave(ic, ni);
      return;
    }
    case IEEE80211_FC0_SUBTYPE_DISASSOC: {
      const reason = ReasonRepr.parse(body);
      if (reason instanceof WireError) return discard(reason.reason, 'is_rx_tooshort');
      ic.stats.is_rx_disassoc++;
      ni.stats.rx_disassoc++;
      ic.trace('disassoc', m.pktId, { ta: macToString(wh.addr2), reason });
      if (ic.opmode === 'sta') {
        if (!macEquals(wh.addr2, ic.bss.bssid)) return discard('not from our AP', 'is_rx_wrongbss');
        if (ic.state === 'RUN') yield* ieee80211_new_state(ic, 'ASSOC', subtype);
      } else if (ic.opmode === 'hostap' && ni !== ic.bss) ieee80211_node_leave(ic, ni);
      return;
    }
    default:
      return discard('unexpected subtype', 'is_rx_badsubtype');
  }
}

/** A node for a frame we answer without keeping the sender (ieee80211_tmp_node). */
function tmpNode(ic: Ieee80211Com, mac: Uint8Array): Ieee80211Node {
  const t = ic.allocNode(mac);
  t.bssid = ic.bss.bssid.slice();
  return t;
}

/**
 * ieee80211_auth_open. AP: a request (transaction 1) creates the station's node (ieee80211_dup_bss) — or
 * finds it again — and is answered with transaction 2, status success. Station in AUTH: transaction 2 with
 * success moves to ASSOC; a refusal rescans.
 */
function* authOpen(ic: Ieee80211Com, wh: Ieee80211Frame, ni0: Ieee80211Node, seq: number, status: number, rssi: number): Co<void> {
  let ni = ni0;
  switch (ic.opmode) {
    case 'hostap': {
      if (ic.state !== 'RUN') return;
      if (seq !== IEEE80211_AUTH_OPEN_REQUEST) {
        ic.stats.is_rx_bad_auth++;
        return;
      }
      if (ni === ic.bss) {
        ni = ic.allocNode(wh.addr2);
        ni.bssid = ic.bss.bssid.slice();
        ni.essid = ic.bss.essid.slice();
        ieee80211_set_chan(ic, ni, ic.curchan);
        ni.rssi = rssi;
        ic.sta.add(ni);
        ni.inact = ni.inactReload = ic.inactAuth;
        ni.rxseqs[0] = wh.seqCtl;
      }
      ic.trace('auth', 0, { mac: macToString(ni.macaddr), newsta: ni !== ni0 });
      ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_AUTH, seq + 1);
      return;
    }
    case 'sta': {
      if (ic.state !== 'AUTH') return;
      if (seq !== IEEE80211_AUTH_OPEN_RESPONSE) {
        ic.stats.is_rx_bad_auth++;
        return;
      }
      if (status !== 0) {
        ic.stats.is_rx_auth_fail++;
        ni.fails++;
        ic.trace('auth-refused', 0, { status });
        yield* ieee80211_new_state(ic, 'SCAN', 0);
        return;
      }
      yield* ieee80211_new_state(ic, 'ASSOC', IEEE80211_FC0_SUBTYPE_AUTH);
      return;
    }
    default:
      return;
  }
}
