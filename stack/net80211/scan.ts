/**
 * Scanning and joining (ieee80211_node.c): the channel set to scan, the per-channel step the driver's dwell
 * timer drives (ieee80211_next_scan), probing the current channel, recording beacons and probe responses
 * (ieee80211_add_scan), choosing a BSS at the end of a pass (ieee80211_match_bss, ieee80211_node_compare),
 * joining it (ieee80211_sta_join) and, for an AP, creating the BSS (ieee80211_create_ibss) — on the desired
 * channel, or on the quietest one a passive scan found.
 */
import type { Co } from '../kernel/api';
import { ETHER_BROADCAST, macEquals, macToString } from '../net/wire/addr';
import type { Ieee80211Node } from './node';
import { ieee80211_new_state, ieee80211_reset_erp } from './proto';
import { ieee80211_send_probereq } from './output';
import {
  IEEE80211_CHAN_PASSIVE, IEEE80211_F_DOFRATE, IEEE80211_F_DONEGO, IEEE80211_F_DOSORT, IEEE80211_MODE_11B, IEEE80211_MODE_11G,
  IEEE80211_RATE_BASIC, IEEE80211_RATE_VAL, ieee80211_fix_rate, ieee80211_set11gbasicrates, type Ieee80211Channel,
} from './rates';
import { chan2mode } from './mode';
import { ieee80211_notify_scan_done } from './notify';
import { ieee80211_security_ies } from './rsn';
import { IEEE80211_F_ASCAN, IEEE80211_F_DESBSSID, IEEE80211_F_IBSSON, IEEE80211_F_PRIVACY, IEEE80211_F_SCAN, IEEE80211_F_SIBSS, IEEE80211_FEXT_PROBECHAN, type Ieee80211Com } from './var';
import { IEEE80211_CAPINFO_ESS, IEEE80211_CAPINFO_IBSS, IEEE80211_CAPINFO_PRIVACY, type BeaconRepr } from './wire/mgmt';

/** Association failures after which a BSS is ignored until a scan pass finds nothing (STA_FAILS_MAX). */
export const STA_FAILS_MAX = 2;

/** ieee80211_set_chan: a node's channel and the rate set of that channel's mode. */
export function ieee80211_set_chan(ic: Ieee80211Com, ni: Ieee80211Node, chan: Ieee80211Channel | null): void {
  const c = chan ?? ic.curchan;
  ni.chan = c;
  ni.rates = ic.supRates[chan2mode(ic, c)]!.slice();
}

/** ieee80211_reset_scan: the desired channel only, or every active channel. */
export function ieee80211_reset_scan(ic: Ieee80211Com): void {
  ic.chanScan = ic.desChan !== null ? new Set([ic.desChan.ieee]) : new Set(ic.chanActive);
  // NetBSD parks ic_bss on the last channel so that the pass starts with the first one.
  fromStart.add(ic);
}

/** Interfaces whose next ieee80211_next_scan starts from the lowest channel. */
const fromStart = new WeakSet<Ieee80211Com>();

/** ieee80211_begin_scan: active in all modes but hostap; `reset` flushes what earlier scans found. */
export function* ieee80211_begin_scan(ic: Ieee80211Com, reset: boolean): Co<void> {
  ic.scan.scangen++;
  if (ic.opmode !== 'hostap') {
    ic.flags |= IEEE80211_F_ASCAN;
    ic.stats.is_scan_active++;
  } else ic.stats.is_scan_passive++;
  ic.trace('scan-begin', 0, { active: (ic.flags & IEEE80211_F_ASCAN) !== 0, reset });
  ieee80211_reset_scan(ic);
  if (reset) ic.scan.reset();
  ic.flags |= IEEE80211_F_SCAN;
  yield* ieee80211_next_scan(ic);
}

/**
 * ieee80211_next_scan: move to the next channel still to scan (channel order from the current one up,
 * wrapping) and re-enter SCAN so the driver tunes it and arms its dwell timer; none left → end of the pass.
 * Returns whether a channel was taken.
 */
export function* ieee80211_next_scan(ic: Ieee80211Com): Co<boolean> {
  ic.mgtTimer = 0;
  ic.flagsExt &= ~IEEE80211_FEXT_PROBECHAN;
  const n = ic.channels.length;
  let i = fromStart.has(ic) ? 0 : ic.curchan.ieee;
  fromStart.delete(ic);
  for (let k = 0; k < n; k++) {
    i = (i + 1) % n;
    const c = ic.channels[i];
    if (!c || !ic.chanScan.has(i)) continue;
    ic.chanScan.delete(i);
    ic.curchan = c;
    ic.bss.rates = ic.supRates[chan2mode(ic, c)]!.slice();
    yield* ieee80211_new_state(ic, 'SCAN', -1);
    return true;
  }
  yield* ieee80211_end_scan(ic);
  return false;
}

/**
 * ieee80211_probe_curchan: send a broadcast probe request for the desired SSID now, unless the channel is
 * passive-only (then wait for a beacon: IEEE80211_FEXT_PROBECHAN).
 */
export function ieee80211_probe_curchan(ic: Ieee80211Com, force: boolean): void {
  if ((ic.curchan.flags & IEEE80211_CHAN_PASSIVE) === 0 || force) {
    ieee80211_send_probereq(ic, ic.bss, ic.myaddr, ETHER_BROADCAST as Uint8Array, ETHER_BROADCAST as Uint8Array, ic.desEssid);
  } else ic.flagsExt |= IEEE80211_FEXT_PROBECHAN;
}

/** ieee80211_cancel_scan. */
export function ieee80211_cancel_scan(ic: Ieee80211Com): void {
  ic.flags &= ~(IEEE80211_F_SCAN | IEEE80211_F_ASCAN);
  ic.flagsExt &= ~IEEE80211_FEXT_PROBECHAN;
}

/** ieee80211_reset_bss: flush both tables; a fresh BSS node on our own address inheriting the old one's settings. */
export function ieee80211_reset_bss(ic: Ieee80211Com): void {
  ic.scan.reset();
  ic.sta.reset();
  const old = ic.bss as Ieee80211Node | undefined;
  const ni = ic.allocNode(ic.myaddr);
  ieee80211_set_chan(ic, ni, ic.curchan);
  if (old) {
    ni.authmode = old.authmode;
    ni.intval = ic.bintval;
  }
  ic.bss = ni;
}

/** ieee80211_match_bss: why a scanned BSS cannot be joined, as net80211's bit mask (0 = usable). */
export function ieee80211_match_bss(ic: Ieee80211Com, ni: Ieee80211Node): number {
  let fail = 0;
  if (!ic.chanActive.has(ni.chan.ieee)) fail |= 0x01;
  if (ic.desChan !== null && ni.chan !== ic.desChan) fail |= 0x01;
  if (ic.opmode === 'ibss') {
    if ((ni.capinfo & IEEE80211_CAPINFO_IBSS) === 0) fail |= 0x02;
  } else if ((ni.capinfo & IEEE80211_CAPINFO_ESS) === 0) fail |= 0x02;
  const wantPrivacy = (ic.flags & IEEE80211_F_PRIVACY) !== 0;
  if (wantPrivacy !== ((ni.capinfo & IEEE80211_CAPINFO_PRIVACY) !== 0)) fail |= 0x04;
  const r = ieee80211_fix_rate(ni.rates, ic.supRates[chan2mode(ic, ni.chan)]!, IEEE80211_F_DONEGO | IEEE80211_F_DOFRATE, ic.fixedRate, false);
  if ((r.rate & IEEE80211_RATE_BASIC) !== 0) fail |= 0x08;
  if (ic.desEssid.length !== 0 && (ni.essid.length !== ic.desEssid.length || !ni.essid.every((b, i) => b === ic.desEssid[i]))) fail |= 0x10;
  if ((ic.flags & IEEE80211_F_DESBSSID) !== 0 && !macEquals(ic.desBssid, ni.bssid)) fail |= 0x20;
  if (ni.fails >= STA_FAILS_MAX) fail |= 0x40;
  return fail;
}

function maxrate(ni: Ieee80211Node): number {
  return (ni.rates[ni.rates.length - 1] ?? 0) & IEEE80211_RATE_VAL;
}

/** ieee80211_node_compare: > 0 when `a` is the better BSS (privacy, fewer failures, then rate if RSSI is close, then RSSI). */
export function ieee80211_node_compare(a: Ieee80211Node, b: Ieee80211Node): number {
  const pa = (a.capinfo & IEEE80211_CAPINFO_PRIVACY) !== 0;
  const pb = (b.capinfo & IEEE80211_CAPINFO_PRIVACY) !== 0;
  if (pa && !pb) return 1;
  if (!pa && pb) return -1;
  const weight = b.fails - a.fails;
  if (Math.abs(weight) > 1) return weight;
  if (Math.abs(b.rssi - a.rssi) < 5) {
    const ma = maxrate(a);
    const mb = maxrate(b);
    if (ma !== mb) return ma - mb;
  }
  return a.rssi - b.rssi;
}

/**
 * ieee80211_end_scan. An AP camps on a channel no other AP was heard on, else the quietest; a station joins
 * the best matching BSS, or (nothing usable) forgives one failure per entry and scans again.
 */
export function* ieee80211_end_scan(ic: Ieee80211Com): Co<void> {
  ieee80211_cancel_scan(ic);
  ic.scanDone++;
  ic.trace('scan-end', 0, { candidates: ic.scan.size });
  ieee80211_notify_scan_done(ic);
  if (ic.opmode === 'hostap') {
    const maxrssi = new Map<number, number>();
    for (const ni of ic.scan.list()) maxrssi.set(ni.chan.ieee, Math.max(maxrssi.get(ni.chan.ieee) ?? 0, ni.rssi));
    let best = -1;
    for (const i of [...ic.chanActive].sort((x, y) => x - y)) {
      const r = maxrssi.get(i) ?? 0;
      if (r === 0) {
        best = i;
        break;
      }
      if (best === -1 || r < (maxrssi.get(best) ?? 0)) best = i;
    }
    const c = best >= 0 ? ic.channels[best] : undefined;
    if (c) {
      yield* ieee80211_create_ibss(ic, c);
      return;
    }
  }
  if (ic.roaming === 'manual') return;
  let selbs: Ieee80211Node | null = null;
  for (const ni of ic.scan.list()) {
    if (ieee80211_match_bss(ic, ni) !== 0) continue;
    if (!selbs || ieee80211_node_compare(ni, selbs) > 0) selbs = ni;
  }
  if (selbs) {
    yield* ieee80211_sta_join(ic, selbs);
    return;
  }
  // notfound:
  if (ic.opmode === 'ibss' && (ic.flags & IEEE80211_F_IBSSON) !== 0 && ic.desEssid.length !== 0) {
    yield* ieee80211_create_ibss(ic, ic.ibssChan);
    return;
  }
  for (const ni of ic.scan.list()) if (ni.fails) ni.fails--;
  ieee80211_reset_scan(ic);
  ic.flags |= IEEE80211_F_SCAN;
  yield* ieee80211_next_scan(ic);
}

/**
 * ieee80211_create_ibss: start our own BSS on `chan` — for an AP the BSSID is our address, the SSID the
 * desired one, the rate set the channel's with 11b or mixed-11g basic rates — and go to RUN.
 */
export function* ieee80211_create_ibss(ic: Ieee80211Com, chan: Ieee80211Channel): Co<void> {
  if (ic.opmode === 'hostap') {
    ic.sta.name = 'station';
    ic.sta.inactInit = ic.inactInit;
  } else {
    ic.sta.name = 'neighbor';
    ic.sta.inactInit = ic.inactRun;
  }
  const ni = ic.allocNode(ic.myaddr);
  ic.sta.add(ni);
  ni.bssid = ic.myaddr.slice();
  ni.essid = ic.desEssid.slice();
  ni.authmode = ic.bss.authmode;
  ni.intval = ic.bintval;
  if ((ic.flags & IEEE80211_F_PRIVACY) !== 0) ni.capinfo |= IEEE80211_CAPINFO_PRIVACY;
  if (ic.opmode === 'ibss') {
    ic.flags |= IEEE80211_F_SIBSS;
    ni.capinfo |= IEEE80211_CAPINFO_IBSS;
    if ((ic.flags & IEEE80211_F_DESBSSID) !== 0) ni.bssid = ic.desBssid.slice();
    else ni.bssid[0] = ni.bssid[0]! | 0x02; // locally administered bit for an IBSS
  }
  ieee80211_set_chan(ic, ni, chan);
  ic.curchan = chan;
  ic.curmode = chan2mode(ic, chan);
  if (ic.curmode === IEEE80211_MODE_11G) ni.rates = ieee80211_set11gbasicrates(ni.rates, IEEE80211_MODE_11G);
  else if (ic.curmode === IEEE80211_MODE_11B) ni.rates = ieee80211_set11gbasicrates(ni.rates, IEEE80211_MODE_11B);
  ic.trace('create-bss', 0, { bssid: macToString(ni.bssid), chan: chan.ieee, ssid: new TextDecoder().decode(ni.essid) });
  yield* ieee80211_sta_join(ic, ni);
}

/** ieee80211_sta_join: commit to `selbs` as ic_bss, set the mode and ERP state, then AUTH (station) or RUN. */
export function* ieee80211_sta_join(ic: Ieee80211Com, selbs: Ieee80211Node): Co<boolean> {
  if (ic.opmode === 'ibss') {
    selbs.rates = ieee80211_fix_rate(selbs.rates, ic.supRates[chan2mode(ic, selbs.chan)]!, IEEE80211_F_DOSORT, ic.fixedRate, false).rates;
    ic.sta.name = 'neighbor';
    ic.sta.inactInit = ic.inactRun;
  }
  const obss = ic.bss;
  ic.bss = selbs;
  if (obss !== selbs) selbs.authmode = obss.authmode;
  ic.curmode = chan2mode(ic, selbs.chan);
  ic.curchan = selbs.chan;
  ieee80211_reset_erp(ic);
  ic.trace('join-bss', 0, { bssid: macToString(selbs.bssid), chan: selbs.chan.ieee, rssi: selbs.rssi });
  yield* ieee80211_new_state(ic, ic.opmode === 'sta' ? 'AUTH' : 'RUN', -1);
  return true;
}

/** Scan parameters of a beacon or probe response (struct ieee80211_scanparams). */
export interface ScanParams extends BeaconRepr {
  /** Channel from the DS parameter set (or the one we heard it on). */
  chan: number;
}

/** ieee80211_add_scan: record (or refresh) a scan candidate from a beacon or probe response. */
export function ieee80211_add_scan(ic: Ieee80211Com, sp: ScanParams, ta: Uint8Array, bssid: Uint8Array, isProbeResp: boolean, rssi: number, rstamp: number): void {
  let ni = ic.scan.find(ta);
  if (!ni) {
    ni = ic.allocNode(ta);
    ic.scan.add(ni);
    ni.authmode = ic.bss.authmode;
    ieee80211_set_chan(ic, ni, ic.curchan);
    ic.trace('scan-add', 0, { bssid: macToString(bssid), chan: sp.chan, rssi });
  }
  if (sp.ssid && sp.ssid.length !== 0 && (isProbeResp || ni.essid.length === 0)) ni.essid = sp.ssid.slice();
  ni.scangen = ic.scan.scangen;
  ni.bssid = bssid.slice(0, 6);
  ni.rssi = rssi;
  ni.rstamp = rstamp;
  ni.tstamp = sp.timestamp;
  ni.intval = sp.intval;
  ni.capinfo = sp.capinfo;
  const c = ic.channels[sp.chan];
  if (c) ni.chan = c;
  ni.erp = sp.erp ?? 0;
  if (sp.tim) {
    ni.dtimCount = sp.tim.count;
    ni.dtimPeriod = sp.tim.period;
  }
  // The security IEs wpa_supplicant reads from the scan table (ieee80211_saveie of ni_wpa_ie / ni_rsn_ie).
  const ies = ieee80211_security_ies(sp.others);
  ni.rsnIe = ies.rsn;
  ni.wpaIe = ies.wpa;
  const rates = [...(sp.rates ?? []), ...(sp.xrates ?? [])].slice(0, 15);
  ni.rates = ieee80211_fix_rate(rates, ic.supRates[chan2mode(ic, ni.chan)]!, IEEE80211_F_DOSORT, ic.fixedRate, false).rates;
}
