/**
 * The WPA half of ieee80211_ioctl (FreeBSD/NetBSD ieee80211_ioctl.c ieee80211_ioctl_set80211 / _get80211): the
 * SIOCS80211/SIOCG80211 requests hostapd and wpa_supplicant (driver_bsd.c) use — IEEE80211_IOC_WPA, PRIVACY,
 * DROPUNENCRYPTED, WPAKEY, DELKEY, MLME, APPIE/OPTIE, WPAIE — with i_type as a number (the constants of
 * stack/include/net80211/ieee80211_ioctl.ts). Returns data, 0, an errno, or ENETRESET (restart a running interface).
 */
import { Errno, type Co } from '../kernel/api';
import {
  IEEE80211_APPIE_WPA, IEEE80211_IOC_APPIE, IEEE80211_IOC_APBRIDGE, IEEE80211_IOC_COUNTERMEASURES, IEEE80211_IOC_DELKEY,
  IEEE80211_IOC_DROPUNENCRYPTED, IEEE80211_IOC_HIDESSID, IEEE80211_IOC_MLME, IEEE80211_IOC_OPTIE, IEEE80211_IOC_PRIVACY,
  IEEE80211_IOC_ROAMING, IEEE80211_IOC_WPA, IEEE80211_IOC_WPAIE, IEEE80211_IOC_WPAKEY, IEEE80211_KEYIX_NONE,
  IEEE80211_MAX_APPIE, IEEE80211_MLME_ASSOC, IEEE80211_MLME_AUTHORIZE, IEEE80211_MLME_DEAUTH, IEEE80211_MLME_DISASSOC,
  IEEE80211_MLME_UNAUTHORIZE, IEEE80211_ROAMING_MANUAL, type Ieee80211reqDelKey, type Ieee80211reqKey, type Ieee80211reqMlme,
  type Ieee80211reqWpaie,
} from '../include/net80211/ieee80211_ioctl';
import { macEquals, macToString } from '../net/wire/addr';
import { ieee80211_crypto_delkey, ieee80211_crypto_getkey, ieee80211_crypto_setkey } from './crypto';
import { ieee80211_node_authorize, ieee80211_node_leave, ieee80211_node_unauthorize } from './hostap';
import { ENETRESET } from './mode';
import type { Ieee80211Node } from './node';
import { ieee80211_send_mgmt } from './output';
import { ieee80211_new_state } from './proto';
import { ieee80211_sta_join } from './scan';
import {
  IEEE80211_F_COUNTERM, IEEE80211_F_DESBSSID, IEEE80211_F_DROPUNENC, IEEE80211_F_PRIVACY, IEEE80211_F_WPA, IEEE80211_F_WPA1,
  IEEE80211_F_WPA2, type Ieee80211Com,
} from './var';
import { IEEE80211_FC0_SUBTYPE_DEAUTH, IEEE80211_FC0_SUBTYPE_DISASSOC } from './wire/frame';
import { IEEE80211_NWID_LEN } from './wire/mgmt';

export type WpaIoctlResult = number | { data?: unknown };

function flag(ic: Ieee80211Com, f: number, on: boolean): boolean {
  const was = (ic.flags & f) !== 0;
  ic.flags = on ? ic.flags | f : ic.flags & ~f;
  return was !== on;
}

function isMac(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length >= 6;
}

/** The node an MLME request names: an AP's station, or a station's BSS by BSSID. */
function mlmeNode(ic: Ieee80211Com, mac: Uint8Array): Ieee80211Node | undefined {
  if (ic.opmode === 'sta') return macEquals(mac, ic.bss.bssid) || macEquals(mac, ic.bss.macaddr) ? ic.bss : undefined;
  return ic.sta.find(mac);
}

/** ieee80211_ioctl_setmlme. */
function* setmlme(ic: Ieee80211Com, mlme: Ieee80211reqMlme): Co<number> {
  if (!mlme || typeof mlme.im_op !== 'number' || !isMac(mlme.im_macaddr)) return Errno.EINVAL;
  const reason = typeof mlme.im_reason === 'number' ? mlme.im_reason & 0xffff : 0;
  ic.trace('mlme', 0, { op: mlme.im_op, mac: macToString(mlme.im_macaddr), reason });
  switch (mlme.im_op) {
    case IEEE80211_MLME_ASSOC: {
      if (ic.opmode !== 'sta') return Errno.EINVAL;
      const ssid = mlme.im_ssid instanceof Uint8Array ? mlme.im_ssid.subarray(0, Math.min(mlme.im_ssid_len ?? mlme.im_ssid.length, IEEE80211_NWID_LEN)) : new Uint8Array(0);
      if (ssid.length > 0) ic.desEssid = ssid.slice();
      const any = mlme.im_macaddr.subarray(0, 6).every((b) => b === 0) || mlme.im_macaddr.subarray(0, 6).every((b) => b === 0xff);
      if (!any) {
        ic.desBssid = mlme.im_macaddr.slice(0, 6);
        ic.flags |= IEEE80211_F_DESBSSID;
      }
      // A BSS already in the scan table is joined at once; otherwise scan for it.
      const sn = any ? undefined : ic.scan.find(mlme.im_macaddr);
      if (sn && (ssid.length === 0 || (sn.essid.length === ssid.length && sn.essid.every((b, i) => b === ssid[i])))) {
        if (yield* ieee80211_sta_join(ic, sn)) return 0;
      }
      yield* ieee80211_new_state(ic, 'SCAN', 1);
      return 0;
    }
    case IEEE80211_MLME_DISASSOC:
    case IEEE80211_MLME_DEAUTH: {
      if (ic.opmode === 'sta') {
        if (ic.state !== 'INIT') yield* ieee80211_new_state(ic, 'INIT', reason);
        return 0;
      }
      if (ic.opmode !== 'hostap') return Errno.EINVAL;
      const ni = ic.sta.find(mlme.im_macaddr);
      if (!ni) return Errno.EINVAL;
      ieee80211_send_mgmt(ic, ni, mlme.im_op === IEEE80211_MLME_DEAUTH ? IEEE80211_FC0_SUBTYPE_DEAUTH : IEEE80211_FC0_SUBTYPE_DISASSOC, reason);
      ieee80211_node_leave(ic, ni);
      return 0;
    }
    case IEEE80211_MLME_AUTHORIZE:
    case IEEE80211_MLME_UNAUTHORIZE: {
      const ni = mlmeNode(ic, mlme.im_macaddr);
      if (!ni) return Errno.EINVAL;
      if (mlme.im_op === IEEE80211_MLME_AUTHORIZE) ieee80211_node_authorize(ic, ni);
      else ieee80211_node_unauthorize(ic, ni);
      return 0;
    }
    default:
      return Errno.EINVAL;
  }
}

/** Is this a request handled here (a numeric i_type other than the two ioctl.ts answers by name)? */
export function isWpaIoctl(d: Record<string, unknown>): boolean {
  return typeof d.type === 'number' && d.type !== IEEE80211_IOC_HIDESSID && d.type !== IEEE80211_IOC_APBRIDGE;
}

/** The name ioctl.ts answers a numeric HIDESSID/APBRIDGE request under. */
export function namedIoctlType(type: unknown): unknown {
  if (type === IEEE80211_IOC_HIDESSID) return 'IEEE80211_IOC_HIDESSID';
  if (type === IEEE80211_IOC_APBRIDGE) return 'IEEE80211_IOC_APBRIDGE';
  return type;
}

/** SIOCS80211 with a numeric i_type. */
export function* ieee80211_ioctl_set80211(ic: Ieee80211Com, d: Record<string, unknown>): Co<WpaIoctlResult> {
  const val = typeof d.val === 'number' ? d.val : 0;
  switch (d.type) {
    case IEEE80211_IOC_WPA: {
      if (!Number.isInteger(val) || val < 0 || val > 3) return Errno.EINVAL;
      const was = ic.flags & IEEE80211_F_WPA;
      ic.flags = (ic.flags & ~IEEE80211_F_WPA) | ((val & 1) !== 0 ? IEEE80211_F_WPA1 : 0) | ((val & 2) !== 0 ? IEEE80211_F_WPA2 : 0);
      return was === (ic.flags & IEEE80211_F_WPA) ? 0 : ENETRESET;
    }
    case IEEE80211_IOC_PRIVACY:
      // Beacons pick the capability up at the next ieee80211_beacon_update; no restart (FreeBSD: "XXX ENETRESET?").
      flag(ic, IEEE80211_F_PRIVACY, val !== 0);
      return 0;
    case IEEE80211_IOC_DROPUNENCRYPTED:
      flag(ic, IEEE80211_F_DROPUNENC, val !== 0);
      return 0;
    case IEEE80211_IOC_COUNTERMEASURES:
      flag(ic, IEEE80211_F_COUNTERM, val !== 0);
      return 0;
    case IEEE80211_IOC_ROAMING:
      if (val < 0 || val > 2) return Errno.EINVAL;
      ic.roaming = val === IEEE80211_ROAMING_MANUAL ? 'manual' : 'auto';
      return 0;
    case IEEE80211_IOC_WPAKEY:
      return ieee80211_crypto_setkey(ic, d.data as Ieee80211reqKey);
    case IEEE80211_IOC_DELKEY:
      if (!d.data || typeof d.data !== 'object') return Errno.EINVAL;
      return ieee80211_crypto_delkey(ic, d.data as Ieee80211reqDelKey);
    case IEEE80211_IOC_MLME:
      return yield* setmlme(ic, d.data as Ieee80211reqMlme);
    case IEEE80211_IOC_OPTIE:
    case IEEE80211_IOC_APPIE: {
      if (d.type === IEEE80211_IOC_APPIE && val !== IEEE80211_APPIE_WPA) return Errno.EINVAL; // only the WPA IE here
      const ie = d.data;
      if (ie !== undefined && ie !== null && !(ie instanceof Uint8Array)) return Errno.EINVAL;
      if (ie && ie.length > IEEE80211_MAX_APPIE) return Errno.EINVAL;
      const next = ie && ie.length > 0 ? ie.slice() : null;
      const same = (ic.appieWpa === null && next === null) || (!!ic.appieWpa && !!next && ic.appieWpa.length === next.length && ic.appieWpa.every((b, i) => b === next[i]));
      ic.appieWpa = next;
      ic.trace('appie', 0, { len: next?.length ?? 0 });
      // An AP's beacon template carries the IE: rebuild it (a station's goes into its next association request).
      return !same && ic.opmode === 'hostap' && (ic.flags & IEEE80211_F_WPA) !== 0 ? ENETRESET : 0;
    }
    default:
      return Errno.EINVAL;
  }
}

/** SIOCG80211 with a numeric i_type. */
export function ieee80211_ioctl_get80211(ic: Ieee80211Com, d: Record<string, unknown>): WpaIoctlResult {
  switch (d.type) {
    case IEEE80211_IOC_WPA: {
      const f = ic.flags & IEEE80211_F_WPA;
      return { data: { val: (f & IEEE80211_F_WPA1 ? 1 : 0) | (f & IEEE80211_F_WPA2 ? 2 : 0) } };
    }
    case IEEE80211_IOC_PRIVACY:
      return { data: { val: (ic.flags & IEEE80211_F_PRIVACY) !== 0 ? 1 : 0 } };
    case IEEE80211_IOC_DROPUNENCRYPTED:
      return { data: { val: (ic.flags & IEEE80211_F_DROPUNENC) !== 0 ? 1 : 0 } };
    case IEEE80211_IOC_COUNTERMEASURES:
      return { data: { val: (ic.flags & IEEE80211_F_COUNTERM) !== 0 ? 1 : 0 } };
    case IEEE80211_IOC_ROAMING:
      return { data: { val: ic.roaming === 'manual' ? IEEE80211_ROAMING_MANUAL : 1 } };
    case IEEE80211_IOC_WPAKEY: {
      const q = (d.data ?? {}) as Partial<Ieee80211reqKey>;
      const r = ieee80211_crypto_getkey(ic, typeof q.ik_keyix === 'number' ? q.ik_keyix : IEEE80211_KEYIX_NONE, q.ik_macaddr);
      return typeof r === 'number' ? r : { data: r };
    }
    case IEEE80211_IOC_WPAIE: {
      const q = (d.data ?? {}) as Partial<Ieee80211reqWpaie>;
      if (!isMac(q.wpa_macaddr)) return Errno.EINVAL;
      const ni = ic.opmode === 'sta' ? (macEquals(q.wpa_macaddr, ic.bss.bssid) ? ic.bss : ic.scan.find(q.wpa_macaddr)) : ic.sta.find(q.wpa_macaddr);
      if (!ni) return Errno.ENOENT;
      const r: Ieee80211reqWpaie = { wpa_macaddr: ni.macaddr.slice(), wpa_ie: ni.wpaIe?.slice() ?? new Uint8Array(0), rsn_ie: ni.rsnIe?.slice() ?? new Uint8Array(0) };
      return { data: r };
    }
    case IEEE80211_IOC_OPTIE:
    case IEEE80211_IOC_APPIE:
      return { data: { len: ic.appieWpa?.length ?? 0, data: ic.appieWpa?.slice() ?? new Uint8Array(0) } };
    default:
      return Errno.EINVAL;
  }
}
