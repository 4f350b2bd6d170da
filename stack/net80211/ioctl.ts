/**
 * 802.11 ioctls (ieee80211_ioctl.c) as io-pkt answers them through _IO_DEVCTL, for ifconfig, wlanctl and
 * nicinfo: SIOCS80211NWID/SIOCG80211NWID (ssid), SIOCS80211CHANNEL/SIOCG80211CHANNEL, SIOCG80211BSSID,
 * SIOCSIFMEDIA/SIOCGIFMEDIA (mode, fixed rate, mediaopt hostap), SIOCS80211SCAN (start a scan) and
 * SIOCG80211SCAN (the scan table, IEEE80211_IOC_SCAN_RESULTS), SIOCG80211NODES (the station table, what
 * wlanctl reads through sysctl on NetBSD), SIOCG80211STATS, and SIOCG80211STATUS — everything `ifconfig ral0`
 * prints in one answer. A change that needs the interface restarted returns ENETRESET; io-pkt then runs the
 * driver's if_init when the interface is up.
 */
import { Errno, type Co } from '../kernel/api';
import { IFF_UP } from '../net/if';
import { macToString } from '../net/wire/addr';
import { IEEE80211_AID, type Ieee80211Node } from './node';
import { ENETRESET, ieee80211_media_change, ieee80211_media_status, type MediaStatus, type MediaWord } from './mode';
import { ieee80211_new_state } from './proto';
import { IEEE80211_CHAN_ANY, IEEE80211_RATE_VAL } from './rates';
import { keyValid } from './key';
import {
  IEEE80211_F_DROPUNENC, IEEE80211_F_PRIVACY, IEEE80211_F_WPA1, IEEE80211_F_WPA2,
} from './var';
import { IEEE80211_F_DESBSSID, IEEE80211_F_HIDESSID, IEEE80211_F_NOBRIDGE, IEEE80211_F_SCAN, type Ieee80211Com, type Ieee80211Opmode, type Ieee80211State } from './var';
import { IEEE80211_NWID_LEN } from './wire/mgmt';
import type { Ieee80211Stats } from './stats';
import { ieee80211_ioctl_get80211, ieee80211_ioctl_set80211, isWpaIoctl, namedIoctlType } from './ioctl-wpa';

/** One scan table entry (struct ieee80211req_scan_result). */
export interface ScanResult {
  ssid: string;
  bssid: string;
  chan: number;
  freq: number;
  /** Highest rate, 500 kb/s units. */
  maxrate: number;
  rssi: number;
  intval: number;
  capinfo: number;
  rates: number[];
  /** The WPA/RSN IEs the BSS advertises (isr_ie), RSN first; empty without. */
  ie: Uint8Array;
}

/** One station (struct ieee80211req_sta_info, what wlanctl prints). */
export interface StaInfo {
  mac: string;
  bssid: string;
  ssid: string;
  chan: number;
  freq: number;
  capinfo: number;
  intval: number;
  rates: number[];
  txrate: number;
  associd: number;
  authorized: boolean;
  fails: number;
  /** Inactivity counter as the node keeps it (ni_inact, IEEE80211_INACT_WAIT ticks; wlanctl prints it with "s"). */
  inact: number;
  /** IEEE80211_NODE_SYSCTL_F_BSS (1), _STA (2: in the station table), _SCAN (4: in the scan table). */
  sysctlFlags: number;
  chanFlags: number;
  /** TSF of the last beacon/probe response, µs. */
  tstamp: string;
  rssi: number;
  txseq: number;
  rxseq: number;
  isBss: boolean;
}

/** Everything ifconfig shows of a wireless interface. */
export interface Ieee80211Status {
  ssid: string;
  desiredSsid: string;
  chan: number;
  desiredChan: number;
  bssid: string;
  opmode: Ieee80211Opmode;
  state: Ieee80211State;
  media: MediaStatus;
  scanning: boolean;
  stations: number;
  bintval: number;
  /** IEEE80211_IOC_HIDESSID, IEEE80211_IOC_APBRIDGE (hostap). */
  hidessid: boolean;
  apbridge: boolean;
  /** IEEE80211_F_PRIVACY, the WPA mode (0 off, 1 WPA, 2 RSN, 3 both), IEEE80211_F_DROPUNENC. */
  privacy: boolean;
  wpa: number;
  dropUnencrypted: boolean;
  /** ic_def_txkey (IEEE80211_KEYIX_NONE = undefined) and the global keys installed. */
  defTxKey: number;
  keys: { keyix: number; cipher: number; bits: number }[];
  /** A station's pairwise key with its AP (bits), or 0. */
  ucastKeyBits: number;
}

const dec = new TextDecoder();

function staInfo(ic: Ieee80211Com, ni: Ieee80211Node): StaInfo {
  return {
    mac: macToString(ni.macaddr), bssid: macToString(ni.bssid), ssid: dec.decode(ni.essid), chan: ni.chan.ieee, freq: ni.chan.freq,
    capinfo: ni.capinfo, intval: ni.intval, rates: ni.rates.slice(), txrate: (ni.rates[ni.txrate] ?? 0) & IEEE80211_RATE_VAL,
    associd: IEEE80211_AID(ni.associd), authorized: ni.authorized, fails: ni.fails, inact: ni.inact, rssi: ni.rssi,
    txseq: ni.txseqs[0]!, rxseq: Math.max(0, ni.rxseqs[0]!), isBss: ni === ic.bss,
    sysctlFlags: (ni === ic.bss ? 1 : 0) | (ni.table === ic.sta ? 2 : 0) | (ni.table === ic.scan ? 4 : 0),
    chanFlags: ni.chan.flags, tstamp: ni.tstamp.toString(),
  };
}

function scanResult(ni: Ieee80211Node): ScanResult {
  return {
    ssid: dec.decode(ni.essid), bssid: macToString(ni.bssid), chan: ni.chan.ieee, freq: ni.chan.freq,
    maxrate: (ni.rates[ni.rates.length - 1] ?? 0) & IEEE80211_RATE_VAL, rssi: ni.rssi, intval: ni.intval, capinfo: ni.capinfo,
    rates: ni.rates.slice(), ie: Uint8Array.from([...(ni.rsnIe ?? []), ...(ni.wpaIe ?? [])]),
  };
}

/** SIOCG80211NWID: the desired SSID while INIT/SCAN, the BSS's after. */
function curSsid(ic: Ieee80211Com): string {
  return dec.decode(ic.state === 'INIT' || ic.state === 'SCAN' ? ic.desEssid : ic.bss.essid);
}

/** SIOCG80211CHANNEL: while INIT/SCAN the desired (station) or IBSS/AP channel, then the current one. */
function curChan(ic: Ieee80211Com): number {
  if (ic.state === 'INIT' || ic.state === 'SCAN') return ic.opmode === 'sta' ? (ic.desChan?.ieee ?? IEEE80211_CHAN_ANY) : ic.ibssChan.ieee;
  return ic.curchan.ieee;
}

/** SIOCG80211BSSID: while INIT/SCAN our address (AP), the desired BSSID or zeros; then the BSS's. */
function curBssid(ic: Ieee80211Com): string {
  if (ic.state === 'INIT' || ic.state === 'SCAN') {
    if (ic.opmode === 'hostap') return macToString(ic.myaddr);
    return macToString((ic.flags & IEEE80211_F_DESBSSID) !== 0 ? ic.desBssid : new Uint8Array(6));
  }
  return macToString(ic.bss.bssid);
}

export function ieee80211_status(ic: Ieee80211Com): Ieee80211Status {
  return {
    ssid: curSsid(ic), desiredSsid: dec.decode(ic.desEssid), chan: curChan(ic), desiredChan: ic.desChan?.ieee ?? IEEE80211_CHAN_ANY,
    bssid: curBssid(ic), opmode: ic.opmode, state: ic.state, media: ieee80211_media_status(ic), scanning: (ic.flags & IEEE80211_F_SCAN) !== 0,
    stations: ic.staAssoc, bintval: ic.bintval, hidessid: (ic.flags & IEEE80211_F_HIDESSID) !== 0,
    apbridge: (ic.flags & IEEE80211_F_NOBRIDGE) === 0,
    privacy: (ic.flags & IEEE80211_F_PRIVACY) !== 0, wpa: ((ic.flags & IEEE80211_F_WPA1) !== 0 ? 1 : 0) | ((ic.flags & IEEE80211_F_WPA2) !== 0 ? 2 : 0),
    dropUnencrypted: (ic.flags & IEEE80211_F_DROPUNENC) !== 0, defTxKey: ic.defTxKey,
    keys: ic.nwKeys.filter(keyValid).map((k) => ({ keyix: k.wk_keyix, cipher: k.wk_cipher, bits: k.wk_keylen * 8 })),
    ucastKeyBits: ic.opmode === 'sta' && keyValid(ic.bss?.ucastKey) ? ic.bss.ucastKey.wk_keylen * 8 : 0,
  };
}

export type Ieee80211IoctlResult = number | { data?: unknown };

/** Is `dcmd` one of the 802.11 ioctls answered here? */
export function isIeee80211Ioctl(dcmd: string): boolean {
  return dcmd.includes('80211') || dcmd === 'SIOCSIFMEDIA';
}

/** ieee80211_ioctl. Returns data, 0, an errno, or ENETRESET (the caller reinitializes a running interface). */
export function* ieee80211_ioctl(ic: Ieee80211Com, dcmd: string, d: Record<string, unknown>): Co<Ieee80211IoctlResult> {
  switch (dcmd) {
    case 'SIOCG80211NWID':
      return { data: { ssid: curSsid(ic) } };
    case 'SIOCS80211NWID': {
      const ssid = typeof d.ssid === 'string' ? new TextEncoder().encode(d.ssid) : null;
      if (!ssid || ssid.length > IEEE80211_NWID_LEN) return Errno.EINVAL;
      ic.desEssid = ssid;
      return ENETRESET;
    }
    case 'SIOCG80211CHANNEL':
      return { data: { chan: curChan(ic) } };
    case 'SIOCS80211CHANNEL': {
      const n = typeof d.chan === 'number' ? d.chan : NaN;
      if (n === IEEE80211_CHAN_ANY || n === 0) ic.desChan = null;
      else {
        const c = ic.channels[n];
        if (!Number.isInteger(n) || !c || !ic.chanActive.has(n)) return Errno.EINVAL;
        ic.desChan = c;
        ic.ibssChan = c;
      }
      // A station already on that channel in RUN need not restart (ieee80211_ioctl's check).
      if (ic.opmode === 'sta' && ic.state === 'RUN' && (ic.desChan === null || ic.desChan === ic.curchan)) return 0;
      return ENETRESET;
    }
    case 'SIOCG80211BSSID':
      return { data: { bssid: curBssid(ic) } };
    case 'SIOCS80211BSSID': {
      const b = d.bssid instanceof Uint8Array && d.bssid.length === 6 ? d.bssid : null;
      if (!b) return Errno.EINVAL;
      ic.desBssid = b.slice();
      if (b.every((x) => x === 0)) ic.flags &= ~IEEE80211_F_DESBSSID;
      else ic.flags |= IEEE80211_F_DESBSSID;
      return ENETRESET;
    }
    case 'SIOCSIFMEDIA': {
      const w = d.media as MediaWord | undefined;
      if (!w || typeof w.subtype !== 'string' || typeof w.mode !== 'string' || !Array.isArray(w.opts)) return Errno.EINVAL;
      return ieee80211_media_change(ic, w);
    }
    case 'SIOCS80211': {
      // The WPA requests (numeric i_type: WPA, PRIVACY, WPAKEY, MLME, APPIE …) are ioctl-wpa.ts's.
      if (isWpaIoctl(d)) return yield* ieee80211_ioctl_set80211(ic, d);
      d = { ...d, type: namedIoctlType(d.type) };
      // IEEE80211_IOC_HIDESSID (beacons without the SSID: restart) and IEEE80211_IOC_APBRIDGE.
      const on = d.val === 1 || d.val === true;
      if (d.type === 'IEEE80211_IOC_HIDESSID') {
        ic.flags = on ? ic.flags | IEEE80211_F_HIDESSID : ic.flags & ~IEEE80211_F_HIDESSID;
        return ENETRESET;
      }
      if (d.type === 'IEEE80211_IOC_APBRIDGE') {
        ic.flags = on ? ic.flags & ~IEEE80211_F_NOBRIDGE : ic.flags | IEEE80211_F_NOBRIDGE;
        return 0;
      }
      return Errno.EINVAL;
    }
    case 'SIOCG80211':
      return ieee80211_ioctl_get80211(ic, d);
    case 'SIOCG80211STATUS':
      return { data: ieee80211_status(ic) };
    case 'SIOCS80211SCAN': {
      if ((ic.ifp.flags & IFF_UP) === 0) return Errno.ENETDOWN;
      // A station not yet associated scans now; otherwise the table as it stands is the answer.
      if (ic.opmode === 'sta' && ic.state !== 'RUN' && (ic.flags & IEEE80211_F_SCAN) === 0) yield* ieee80211_new_state(ic, 'SCAN', 1);
      return { data: { scanning: (ic.flags & IEEE80211_F_SCAN) !== 0, done: ic.scanDone } };
    }
    case 'SIOCG80211SCAN':
      return { data: { scanning: (ic.flags & IEEE80211_F_SCAN) !== 0, done: ic.scanDone, results: ic.scan.list().map(scanResult) } };
    case 'SIOCG80211NODES': {
      // ieee80211_node_walk: our BSS node, then the station table.
      const nodes = [ic.bss, ...ic.sta.list().filter((n) => n !== ic.bss)];
      return { data: { opmode: ic.opmode, nodes: nodes.map((n) => staInfo(ic, n)) } };
    }
    case 'SIOCG80211STATS':
      return { data: { stats: { ...ic.stats } as Ieee80211Stats } };
    default:
      return Errno.ENOTTY;
  }
}
