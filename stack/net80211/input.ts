/**
 * Frames received (ieee80211_input.c ieee80211_input): header checks, the node that sent the frame,
 * duplicate detection by sequence control (§9.2.9), the direction and BSSID rules per operating mode, and for
 * data frames 802.11 → 802.3 decapsulation (LLC/SNAP) and delivery — in hostap mode relaying between
 * associated stations (ieee80211_deliver_data). Management frames go to ieee80211_recv_mgmt
 * (input-mgmt.ts); control frames are counted and dropped (the MAC handled ACKs already).
 *
 * A driver calls ieee80211_input from its interrupt thread; the frame is queued for the stack context
 * (if_input) with its RSSI, and io-pkt calls ieee80211_input_stack there.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import type { Mbuf } from '../net/mbuf';
import { M_BCAST, M_MCAST } from '../net/mbuf';
import { macEquals, macToString } from '../net/wire/addr';
import { ieee80211_recv_mgmt } from './input-mgmt';
import type { Ieee80211Node } from './node';
import { LLC_SNAP, LLC_SNAPFRAMELEN } from './output';
import { IEEE80211_F_DROPUNENC, IEEE80211_F_NOBRIDGE, IEEE80211_F_PRIVACY, type Ieee80211Com } from './var';
import { ETHERTYPE_PAE, ieee80211_crypto_decap } from './crypto';
import {
  IEEE80211_FC0_SUBTYPE_MASK, IEEE80211_FC0_SUBTYPE_NODATA, IEEE80211_FC0_TYPE_CTL,
  IEEE80211_FC0_TYPE_DATA, IEEE80211_FC0_TYPE_MGT, IEEE80211_FC1_DIR_FROMDS, IEEE80211_FC1_DIR_NODS, IEEE80211_FC1_DIR_TODS,
  IEEE80211_FC1_RETRY, IEEE80211_FC1_WEP, IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_FC0_SUBTYPE_DISASSOC, Ieee80211Frame, isMulticastAddr,
} from './wire/frame';
import { IEEE80211_REASON_NOT_ASSOCED, IEEE80211_REASON_NOT_AUTHED } from './wire/mgmt';
import { ieee80211_send_mgmt } from './output';
import { Net80211Cost } from './costs';

/** What the driver measured for a received frame (the rssi and rstamp arguments of ieee80211_input). */
export interface RxInfo {
  rssi: number;
  rstamp: number;
}

const rxInfo = new WeakMap<Mbuf, RxInfo>();

/**
 * ieee80211_input, as a driver calls it from its receive interrupt: `m.data` is the MPDU without FCS. The
 * frame is queued for the stack context with its RSSI; the 802.11 processing runs there.
 */
export function ieee80211_input(ctx: ThreadCtx, ic: Ieee80211Com, m: Mbuf, rssi: number, rstamp: number): void {
  rxInfo.set(m, { rssi, rstamp });
  m.rcvif = ic.ifp;
  ic.iopkt.ifInput(ctx, ic.ifp, m);
}

/** The RSSI recorded by ieee80211_input for `m` (0 if none). */
export function rxInfoOf(m: Mbuf): RxInfo {
  return rxInfo.get(m) ?? { rssi: 0, rstamp: 0 };
}

/** ieee80211_find_rxnode: the sender's node — a known station (hostap/IBSS) or our BSS node. */
function findRxNode(ic: Ieee80211Com, wh: Ieee80211Frame): Ieee80211Node {
  if (ic.opmode === 'sta') return ic.bss;
  return ic.sta.find(wh.addr2) ?? ic.bss;
}

/** The 802.11 processing of a received frame, in the stack context. */
export function* ieee80211_input_stack(ic: Ieee80211Com, m: Mbuf): Co<void> {
  const { rssi, rstamp } = rxInfoOf(m);
  ic.h.charge(Net80211Cost.input);
  const wh = new Ieee80211Frame(m.data);
  const bad = wh.checkLen();
  if (bad) {
    ic.stats.is_rx_tooshort++;
    ic.trace('rx-drop', m.pktId, { why: bad });
    return;
  }
  if (wh.checkVersion()) {
    ic.stats.is_rx_badversion++;
    ic.trace('rx-drop', m.pktId, { why: 'bad version' });
    return;
  }
  if (ic.state === 'INIT' || !ic.bss) return;
  const type = wh.type;
  if (type === IEEE80211_FC0_TYPE_CTL) {
    ic.stats.is_rx_ctl++;
    return;
  }
  // The MAC's receive filter passes unicast frames for us only (RT2560 DROP_NOT_TO_ME); enforce it here too.
  if (ic.opmode !== 'monitor' && !isMulticastAddr(wh.addr1) && !macEquals(wh.addr1, ic.myaddr)) {
    ic.trace('rx-drop', m.pktId, { why: 'not to me', ra: macToString(wh.addr1) });
    return;
  }
  const ni = findRxNode(ic, wh);
  // Whether the frame comes from the node it is accounted to: a station's AP, an AP's known station. Others
  // (another AP's beacon, a station an AP does not know yet) have no node of their own here, and must not
  // touch ic_bss's RSSI, rate statistics or sequence numbers (two stations authenticating at once may well
  // use the same sequence number).
  const known = ic.opmode === 'sta' ? macEquals(wh.addr2, ic.bss.macaddr) : ni !== ic.bss;
  if (known) {
    ni.rssi = rssi;
    ni.rstamp = rstamp;
    ni.lastRx = ic.h.now();
    ni.rssadapt.input(rssi);
  }
  // Duplicate detection (§9.2.9): a retried unicast frame with the sequence control we saw last from that sender.
  if (known && !isMulticastAddr(wh.addr1)) {
    const sc = wh.seqCtl;
    if ((wh.fc1 & IEEE80211_FC1_RETRY) !== 0 && sc === ni.rxseqs[0]) {
      ic.stats.is_rx_dup++;
      ni.stats.rx_dup++;
      ic.trace('rx-dup', m.pktId, { ta: macToString(wh.addr2), seq: sc >> 4 });
      return;
    }
    ni.rxseqs[0] = sc;
  }
  if (type === IEEE80211_FC0_TYPE_MGT) {
    if (ni !== ic.bss || ic.opmode === 'sta') ni.inact = ni.inactReload;
    ni.stats.rx_mgmt++;
    yield* ieee80211_recv_mgmt(ic, m, wh, ni, rssi, rstamp);
    return;
  }
  if (type === IEEE80211_FC0_TYPE_DATA) {
    inputData(ic, m, wh, ni);
    return;
  }
  ic.trace('rx-drop', m.pktId, { why: 'bad type', type });
}

/** Data frames: direction, BSSID and association checks per mode, then decapsulate and deliver. */
function inputData(ic: Ieee80211Com, m: Mbuf, wh: Ieee80211Frame, ni0: Ieee80211Node): void {
  let ni = ni0;
  const dir = wh.dir;
  const drop = (why: string): void => ic.trace('rx-drop', m.pktId, { why, ta: macToString(wh.addr2) });
  if (ic.state !== 'RUN') return drop('not running');
  switch (ic.opmode) {
    case 'sta':
      if (dir !== IEEE80211_FC1_DIR_FROMDS) {
        ic.stats.is_rx_wrongdir++;
        return drop('wrong direction');
      }
      if (!macEquals(wh.addr2, ic.bss.bssid)) {
        ic.stats.is_rx_wrongbss++;
        return drop('wrong bssid');
      }
      // Our own multicast relayed back by the AP (A3 = SA = us).
      if (isMulticastAddr(wh.addr1) && macEquals(wh.addr3, ic.myaddr)) {
        ic.stats.is_rx_mcastecho++;
        return drop('mcast echo');
      }
      ni.inact = ni.inactReload;
      break;
    case 'ibss':
    case 'ahdemo':
      if (dir !== IEEE80211_FC1_DIR_NODS) {
        ic.stats.is_rx_wrongdir++;
        return drop('wrong direction');
      }
      break;
    case 'hostap':
      if (dir !== IEEE80211_FC1_DIR_TODS) {
        ic.stats.is_rx_wrongdir++;
        return drop('wrong direction');
      }
      if (!macEquals(wh.addr1, ic.bss.bssid)) {
        ic.stats.is_rx_wrongbss++;
        return drop('wrong bssid');
      }
      if (ni === ic.bss) {
        // Data from a station we do not know: tell it to authenticate first.
        ni = ic.allocNode(wh.addr2);
        ni.bssid = ic.bss.bssid.slice();
        ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_REASON_NOT_AUTHED);
        ic.stats.is_rx_notassoc++;
        return drop('not authenticated');
      }
      if (ni.associd === 0) {
        ieee80211_send_mgmt(ic, ni, IEEE80211_FC0_SUBTYPE_DISASSOC, IEEE80211_REASON_NOT_ASSOCED);
        ic.stats.is_rx_notassoc++;
        return drop('not associated');
      }
      ni.inact = ni.inactReload;
      break;
    default:
      return drop('monitor');
  }
  if ((wh.fc0 & IEEE80211_FC0_SUBTYPE_MASK) === IEEE80211_FC0_SUBTYPE_NODATA) return; // null data: keep-alive only
  if ((wh.fc1 & IEEE80211_FC1_WEP) !== 0) {
    if ((ic.flags & IEEE80211_F_PRIVACY) === 0) {
      ic.stats.is_rx_noprivacy++;
      return drop('privacy off');
    }
    // ieee80211_crypto_decap: CCMP on a crypto engine; the frame continues in the completion callback.
    const rxni = ni;
    ieee80211_crypto_decap(ic, ni, m, (_ctx, pm) => {
      if (ic.state !== 'RUN') return;
      inputPlain(ic, pm, new Ieee80211Frame(pm.data), rxni, true);
    });
    return;
  }
  inputPlain(ic, m, wh, ni, false);
}

/**
 * The rest of ieee80211_input for a data frame in the clear or just decrypted (`protectedRx`): decapsulate,
 * 802.1X port control (only EAPOL passes a closed port), IEEE80211_F_DROPUNENC (unencrypted frames other than
 * EAPOL dropped while privacy is on), deliver.
 */
function inputPlain(ic: Ieee80211Com, m: Mbuf, wh: Ieee80211Frame, ni: Ieee80211Node, protectedRx: boolean): void {
  const drop = (why: string): void => ic.trace('rx-drop', m.pktId, { why, ta: macToString(wh.addr2) });
  ic.h.charge(Net80211Cost.decap + Math.ceil(wh.body.length * Net80211Cost.copyPerByte));
  const eth = ieee80211_decap(wh);
  if (!eth) {
    ic.stats.is_rx_decap++;
    return drop('decap');
  }
  const eapol = eth.length >= 14 && ((eth[12]! << 8) | eth[13]!) === ETHERTYPE_PAE;
  if (!ni.authorized && !eapol) {
    ic.stats.is_rx_unauth++;
    ni.stats.rx_unauth++;
    return drop('unauthorized port');
  }
  if (!protectedRx && !eapol && (ic.flags & IEEE80211_F_DROPUNENC) !== 0) {
    ic.stats.is_rx_unencrypted++;
    return drop('unencrypted with privacy on');
  }
  ni.stats.rx_data++;
  ni.stats.rx_bytes += m.data.length;
  deliverData(ic, { data: eth, pktId: m.pktId, rcvif: ic.ifp }, ni);
}

/**
 * ieee80211_decap: the Ethernet frame of an 802.11 data frame — DA and SA from the addresses by direction
 * (§7.2.2), the EtherType from the LLC/SNAP header; a body without SNAP becomes an 802.3 frame with a length.
 */
export function ieee80211_decap(wh: Ieee80211Frame): Uint8Array | null {
  let da: Uint8Array;
  let sa: Uint8Array;
  switch (wh.dir) {
    case IEEE80211_FC1_DIR_NODS:
      da = wh.addr1;
      sa = wh.addr2;
      break;
    case IEEE80211_FC1_DIR_TODS:
      da = wh.addr3;
      sa = wh.addr2;
      break;
    case IEEE80211_FC1_DIR_FROMDS:
      da = wh.addr1;
      sa = wh.addr3;
      break;
    default:
      if (wh.buf.length < 30) return null;
      da = wh.addr3;
      sa = wh.addr4;
  }
  let body = wh.body;
  let out: Uint8Array;
  const snap = body.length >= LLC_SNAPFRAMELEN && LLC_SNAP.every((b, i) => body[i] === b);
  if (snap) {
    body = body.subarray(6);
    out = new Uint8Array(12 + body.length);
    out.set(body, 12);
  } else {
    out = new Uint8Array(14 + body.length);
    out[12] = body.length >> 8;
    out[13] = body.length & 0xff;
    out.set(body, 14);
  }
  out.set(da, 0);
  out.set(sa, 6);
  return out;
}

/**
 * ieee80211_deliver_data: in hostap mode (unless IEEE80211_F_NOBRIDGE) a group frame is sent back out to the
 * BSS as well as up, and a unicast frame for another associated station goes only to the air; everything
 * else goes up to ether_input.
 */
function deliverData(ic: Ieee80211Com, m: Mbuf, ni: Ieee80211Node): void {
  const dst = m.data.subarray(0, 6);
  const h = ic.h;
  let up: Mbuf | null = m;
  if (isMulticastAddr(dst)) m.flags = (m.flags ?? 0) | (dst.every((b) => b === 0xff) ? M_BCAST : M_MCAST);
  if (ic.opmode === 'hostap' && (ic.flags & IEEE80211_F_NOBRIDGE) === 0) {
    let out: Mbuf | null = null;
    if (isMulticastAddr(dst)) {
      out = { data: m.data.slice(), pktId: m.pktId };
      h.charge(Math.ceil(m.data.length * Net80211Cost.copyPerByte));
    }
    else {
      const sta = ic.sta.find(dst);
      if (sta && sta !== ni && sta.associd !== 0 && !macEquals(dst, ic.myaddr)) {
        out = m;
        up = null;
      }
    }
    if (out) {
      const ifp = ic.ifp;
      if (ifp.snd.length < ifp.sndMax) {
        ifp.snd.push(out);
        ic.trace('relay', out.pktId, { src: macToString(m.data.subarray(6, 12)), dst: macToString(dst) });
        h.kick(ifp);
      } else ifp.data.oerrors++;
    }
  }
  if (up) h.etherInput(ic.ifp, up);
}
