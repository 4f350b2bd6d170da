/**
 * The 802.11 state machine (ieee80211_proto.c ieee80211_newstate): INIT, SCAN, AUTH, ASSOC, RUN, with what
 * each transition sends — disassociation/deauthentication on the way down, authentication and association
 * requests on the way up — plus ERP state, the once-a-second watchdog (management-frame timeout and the
 * inactivity passes) and beacon-miss handling.
 *
 * Beacon miss: NetBSD's ral driver has no hardware beacon-miss interrupt and its net80211 never notices a
 * vanished AP. We add FreeBSD 7's software beacon-miss timer (ieee80211_swbmiss): in RUN as a station, every
 * ic.bmisstimeout TU (7 beacon intervals) with no beacon or probe response from the AP is a beacon miss;
 * ieee80211_beacon_miss answers the first with a directed probe request and the second with a rescan.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import { ieee80211_notify_node_join } from './notify';
import { ieee80211_node_authorize, ieee80211_node_leave, ieee80211_sta_leave, ieee80211_timeout_scan_candidates, ieee80211_timeout_stations } from './hostap';
import { IEEE80211_AUTH_8021X, IEEE80211_INACT_WAIT } from './node';
import { IEEE80211_MODE_11A, IEEE80211_MODE_11G } from './rates';
import { ieee80211_begin_scan, ieee80211_cancel_scan, ieee80211_create_ibss, ieee80211_probe_curchan, ieee80211_reset_bss } from './scan';
import { ieee80211_send_mgmt, ieee80211_send_probereq } from './output';
import {
  IEEE80211_F_ASCAN, IEEE80211_F_SCAN, IEEE80211_F_SHPREAMBLE, IEEE80211_F_SHSLOT, IEEE80211_F_SIBSS, IEEE80211_F_USEBARKER,
  IEEE80211_F_USEPROT, IEEE80211_C_SHPREAMBLE, IEEE80211_C_SHSLOT, IEEE80211_TU_NS, type Ieee80211Com, type Ieee80211State,
} from './var';
import {
  IEEE80211_FC0_SUBTYPE_ASSOC_REQ, IEEE80211_FC0_SUBTYPE_ASSOC_RESP, IEEE80211_FC0_SUBTYPE_AUTH, IEEE80211_FC0_SUBTYPE_DEAUTH,
  IEEE80211_FC0_SUBTYPE_DISASSOC, IEEE80211_FC0_SUBTYPE_REASSOC_REQ,
} from './wire/frame';
import { IEEE80211_REASON_ASSOC_LEAVE, IEEE80211_REASON_AUTH_LEAVE } from './wire/mgmt';
import { macToString } from '../net/wire/addr';

/** ieee80211_new_state: run the (driver-wrapped) state hook. */
export function* ieee80211_new_state(ic: Ieee80211Com, nstate: Ieee80211State, arg: number): Co<number> {
  return yield* ic.newstate(nstate, arg);
}

/** ieee80211_set_shortslottime: set the flag and tell the driver (ic_updateslot, deferred to a stack pass). */
export function ieee80211_set_shortslottime(ic: Ieee80211Com, on: boolean): void {
  const was = (ic.flags & IEEE80211_F_SHSLOT) !== 0;
  if (on) ic.flags |= IEEE80211_F_SHSLOT;
  else ic.flags &= ~IEEE80211_F_SHSLOT;
  const hook = ic.updateslot;
  if (hook && was !== on && ic.host) ic.host.timeout(0, 'ieee80211.updateslot', () => hook(ic));
}

/**
 * ieee80211_reset_erp: short slot only for an 11g AP whose chip can; short preamble when the chip can, else
 * the Barker (long) preamble is advertised.
 */
export function ieee80211_reset_erp(ic: Ieee80211Com): void {
  ic.flags &= ~IEEE80211_F_USEPROT;
  ic.nonerpsta = 0;
  ic.longslotsta = 0;
  ieee80211_set_shortslottime(ic, ic.curmode === IEEE80211_MODE_11A || (ic.curmode === IEEE80211_MODE_11G && ic.opmode === 'hostap' && (ic.caps & IEEE80211_C_SHSLOT) !== 0));
  if (ic.curmode === IEEE80211_MODE_11A || (ic.caps & IEEE80211_C_SHPREAMBLE) !== 0) {
    ic.flags |= IEEE80211_F_SHPREAMBLE;
    ic.flags &= ~IEEE80211_F_USEBARKER;
  } else {
    ic.flags &= ~IEEE80211_F_SHPREAMBLE;
    ic.flags |= IEEE80211_F_USEBARKER;
  }
}

/** The default state hook (ieee80211_newstate). `arg` is the subtype that caused the transition, or -1/0. */
export function* ieee80211_newstate(ic: Ieee80211Com, nstate: Ieee80211State, arg: number): Co<number> {
  const ostate = ic.state;
  // What was queued before this transition; IF_PURGE below drops only that. (NetBSD's if_start takes the
  // frames this transition sends — disassociation, deauthentication — off ic_mgtq at once; ours runs when
  // the stack pass ends.)
  const queuedBefore = ic.mgtq.length;
  ic.trace('state', 0, { from: ostate, to: nstate, arg });
  ic.state = nstate;
  const ni = ic.bss;
  if (ostate === 'RUN' && nstate !== 'RUN') swbmissStop(ic);
  switch (nstate) {
    case 'INIT':
      if (ostate === 'RUN') {
        if (ic.opmode === 'sta') {
          ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_DISASSOC, IEEE80211_REASON_ASSOC_LEAVE);
          ieee80211_sta_leave(ic, ni);
        } else if (ic.opmode === 'hostap') {
          for (const sta of ic.sta.list()) {
            if (sta.associd === 0) continue;
            ieee80211_send_mgmt(ic, sta, IEEE80211_FC0_SUBTYPE_DISASSOC, IEEE80211_REASON_ASSOC_LEAVE);
            ieee80211_node_leave(ic, sta);
          }
          ic.h.linkState(ic.ifp, false); // the BSS is gone
        }
      } else if (ostate === 'ASSOC') {
        if (ic.opmode === 'sta') ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_REASON_AUTH_LEAVE);
        else if (ic.opmode === 'hostap') for (const sta of ic.sta.list()) ieee80211_send_mgmt(ic, sta, IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_REASON_ASSOC_LEAVE);
      } else if (ostate === 'SCAN') ieee80211_cancel_scan(ic);
      if (ostate !== 'INIT') {
        ic.mgtTimer = 0;
        ic.mgtq.splice(0, queuedBefore); // IF_PURGE(&ic->ic_mgtq)
        ic.cryptoq.length = 0; // encrypted data for the BSS that is gone
        ieee80211_reset_bss(ic);
      }
      break;
    case 'SCAN':
      switch (ostate) {
        case 'INIT':
          if ((ic.opmode === 'hostap' || ic.opmode === 'ibss' || ic.opmode === 'ahdemo') && ic.desChan !== null) {
            // AP operation and we already have a channel: bypass the scan and start up at once.
            yield* ieee80211_create_ibss(ic, ic.desChan);
          } else yield* ieee80211_begin_scan(ic, arg !== 0);
          break;
        case 'SCAN':
          // Next channel: probe for the requested AP when scanning actively.
          if ((ic.flags & IEEE80211_F_ASCAN) !== 0) ieee80211_probe_curchan(ic, false);
          break;
        case 'RUN':
        case 'AUTH':
        case 'ASSOC': {
          if (ostate === 'RUN') {
            // beacon miss, deauthentication or a new configuration
            ic.trace('rescan', 0, { bssid: macToString(ic.bss.bssid) });
            ieee80211_sta_leave(ic, ni);
            ic.flags &= ~IEEE80211_F_SIBSS;
          }
          // timeout: count a failure against the BSS and restart the scan
          const sn = ic.scan.find(ic.bss.macaddr);
          if (sn) sn.fails++;
          if (ic.roaming === 'auto') yield* ieee80211_begin_scan(ic, arg !== 0);
          break;
        }
      }
      break;
    case 'AUTH':
      switch (ostate) {
        case 'INIT':
        case 'SCAN':
          ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_AUTH, 1);
          break;
        case 'AUTH':
        case 'ASSOC':
          if (arg === IEEE80211_FC0_SUBTYPE_AUTH) ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_AUTH, 2);
          // a deauthentication: ignore, the management timer rescans
          break;
        case 'RUN':
          if (arg === IEEE80211_FC0_SUBTYPE_AUTH) {
            ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_AUTH, 2);
            ic.state = ostate; // stay RUN
          } else if (arg === IEEE80211_FC0_SUBTYPE_DEAUTH) {
            ieee80211_sta_leave(ic, ni);
            if (ic.roaming === 'auto') ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_AUTH, 1); // try to reauthenticate
          }
          break;
      }
      break;
    case 'ASSOC':
      if (ostate === 'AUTH') ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_ASSOC_REQ, 0);
      else if (ostate === 'RUN') {
        ieee80211_sta_leave(ic, ni);
        if (ic.roaming === 'auto') ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_REASSOC_REQ, 1);
      } else ic.trace('invalid-transition', 0, { from: ostate, to: nstate });
      break;
    case 'RUN':
      if (ostate === 'SCAN' || ostate === 'ASSOC') {
        ic.mgtTimer = 0;
        if (ic.opmode === 'sta') {
          ic.trace('associated', 0, { bssid: macToString(ni.bssid), chan: ic.curchan.ieee, aid: ni.associd & 0x3fff });
          notifyJoin(ic, arg === IEEE80211_FC0_SUBTYPE_ASSOC_RESP);
          swbmissStart(ic);
        } else ic.trace('synchronized', 0, { bssid: macToString(ni.bssid), chan: ic.curchan.ieee });
        ic.h.kick(ic.ifp); // (*ifp->if_start)(ifp): data waiting for the association
      } else if (ostate === 'AUTH' || (ostate === 'INIT' && ic.opmode !== 'monitor')) {
        ic.trace('invalid-transition', 0, { from: ostate, to: nstate });
      }
      // Without 802.1x the port is authorized as soon as we run.
      if (ni.authmode !== IEEE80211_AUTH_8021X) ieee80211_node_authorize(ic, ni);
      // Enable inactivity processing.
      ic.scan.inactTimer = IEEE80211_INACT_WAIT;
      ic.sta.inactTimer = IEEE80211_INACT_WAIT;
      if (ic.opmode === 'hostap') ic.h.linkState(ic.ifp, true);
      break;
  }
  if (ic.state !== 'INIT') ieee80211_watchdog_arm(ic);
  return 0;
}

/** ieee80211_notify_node_join for our own association: routing socket message and link up. */
function notifyJoin(ic: Ieee80211Com, newassoc: boolean): void {
  ic.trace('join', 0, { bssid: macToString(ic.bss.bssid), newassoc });
  ieee80211_notify_node_join(ic, ic.bss, newassoc);
  ic.h.linkState(ic.ifp, true);
}

/**
 * ieee80211_beacon_miss: a station in RUN heard no beacon for ic.bmisstimeout. The first misses send a
 * directed probe request to the AP (an answer resets the count); after ic.bmissMax, rescan.
 */
export function* ieee80211_beacon_miss(ic: Ieee80211Com): Co<void> {
  if ((ic.flags & IEEE80211_F_SCAN) !== 0) return;
  if (ic.opmode !== 'sta' || ic.state !== 'RUN') return;
  ic.stats.is_beacon_miss++;
  ic.trace('beacon-miss', 0, { count: ic.bmissCount + 1, bssid: macToString(ic.bss.bssid) });
  if (++ic.bmissCount < ic.bmissMax) {
    ieee80211_send_probereq(ic, ic.bss, ic.myaddr, ic.bss.bssid, ic.bss.bssid, ic.bss.essid);
    return;
  }
  ic.bmissCount = 0;
  yield* ieee80211_new_state(ic, 'SCAN', 0);
}

/** Software beacon-miss timer state kept on the ic (ic_swbmiss, ic_swbmiss_count). */
const swbmiss = new WeakMap<Ieee80211Com, { cancel: (() => void) | null; count: number }>();

function swbState(ic: Ieee80211Com): { cancel: (() => void) | null; count: number } {
  let s = swbmiss.get(ic);
  if (!s) {
    s = { cancel: null, count: 0 };
    swbmiss.set(ic, s);
  }
  return s;
}

/** A beacon or probe response from our AP arrived (ic_swbmiss_count++). */
export function ieee80211_swbmiss_heard(ic: Ieee80211Com): void {
  swbState(ic).count++;
}

function swbmissArm(ic: Ieee80211Com): void {
  const s = swbState(ic);
  s.count = 0;
  s.cancel = ic.h.timeout(ic.bmisstimeout * IEEE80211_TU_NS, 'ieee80211.swbmiss', (ctx) => swbmissFire(ic, ctx));
}

function* swbmissFire(ic: Ieee80211Com, _ctx: ThreadCtx): Co<void> {
  const s = swbState(ic);
  s.cancel = null;
  if (ic.state !== 'RUN' || ic.opmode !== 'sta') return;
  if (s.count === 0) {
    yield* ieee80211_beacon_miss(ic);
    if (ic.state !== 'RUN') return; // rescanning: the timer starts again on the next association
  } else ic.bmissCount = 0;
  swbmissArm(ic);
}

function swbmissStart(ic: Ieee80211Com): void {
  swbmissStop(ic);
  ic.bmissCount = 0;
  swbmissArm(ic);
}

function swbmissStop(ic: Ieee80211Com): void {
  const s = swbState(ic);
  s.cancel?.();
  s.cancel = null;
}

/** Watchdog period: once a second (the driver's if_watchdog, if_timer = 1). */
export const IEEE80211_WATCHDOG_NS = 1_000_000_000;

const watchdogs = new WeakMap<Ieee80211Com, () => void>();

/**
 * Keep the once-a-second watchdog running while the state machine is out of INIT. NetBSD's re-arms if_timer
 * only while a management timer or an inactivity pass is pending; in INIT nothing is, and an idle interface
 * costs no wake-ups.
 */
export function ieee80211_watchdog_arm(ic: Ieee80211Com): void {
  if (watchdogs.has(ic) || ic.state === 'INIT' || !ic.host) return;
  const cancel = ic.host.timeout(IEEE80211_WATCHDOG_NS, 'ieee80211.watchdog', function* () {
    watchdogs.delete(ic);
    yield* ieee80211_watchdog(ic);
    ieee80211_watchdog_arm(ic);
  });
  watchdogs.set(ic, cancel);
}

export function ieee80211_watchdog_stop(ic: Ieee80211Com): void {
  watchdogs.get(ic)?.();
  watchdogs.delete(ic);
}

/**
 * ieee80211_watchdog, run once a second while out of INIT: the management-frame timeout (no answer to
 * an authentication or association request → rescan) and the inactivity passes over both node tables.
 */
export function* ieee80211_watchdog(ic: Ieee80211Com): Co<void> {
  if (ic.state === 'INIT') return;
  if (ic.mgtTimer && --ic.mgtTimer === 0) {
    ic.trace('mgt-timeout', 0, { state: ic.state });
    yield* ieee80211_new_state(ic, 'SCAN', 0);
  }
  if (ic.scan.inactTimer && --ic.scan.inactTimer === 0) ieee80211_timeout_scan_candidates(ic);
  if (ic.sta.inactTimer && --ic.sta.inactTimer === 0) ieee80211_timeout_stations(ic);
}
