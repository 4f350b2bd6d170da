/**
 * WPA/RSN information elements as net80211 handles them (ieee80211_input.c iswpaoui, ieee80211_parse_rsn,
 * ieee80211_saveie): find the RSN element (48) and the WPA vendor element (221, OUI 00:50:F2 type 1) among a
 * frame's elements, and check that an RSN element a station sends is well formed (802.11-2016 9.4.2.25: version
 * 1, group cipher suite, pairwise and AKM suite lists). Key management itself is hostapd's and wpa_supplicant's.
 */
import { IEEE80211_ELEMID_RSN, IEEE80211_ELEMID_VENDOR, type InfoElement } from './wire/mgmt';

/** RSN cipher suite selectors (00-0F-AC-n) and AKM suites. */
export const RSN_OUI = [0x00, 0x0f, 0xac] as const;
export const RSN_CSE_CCMP = 4;
export const RSN_ASE_8021X_PSK = 2;
export const WPA_OUI_TYPE = 1;

/** The element's bytes with its id and length (what ni_rsn_ie / ni_wpa_ie keep). */
function whole(e: InfoElement): Uint8Array {
  const b = new Uint8Array(2 + e.data.length);
  b[0] = e.id;
  b[1] = e.data.length;
  b.set(e.data, 2);
  return b;
}

/** The first RSN and WPA elements among `elems`. */
export function ieee80211_security_ies(elems: readonly InfoElement[]): { rsn: Uint8Array | null; wpa: Uint8Array | null } {
  let rsn: Uint8Array | null = null;
  let wpa: Uint8Array | null = null;
  for (const e of elems) {
    if (e.id === IEEE80211_ELEMID_RSN && !rsn) rsn = whole(e);
    else if (e.id === IEEE80211_ELEMID_VENDOR && !wpa && e.data.length >= 4 && e.data[0] === 0x00 && e.data[1] === 0x50 && e.data[2] === 0xf2 && e.data[3] === WPA_OUI_TYPE) wpa = whole(e);
  }
  return { rsn, wpa };
}

export interface RsnParams {
  version: number;
  group: number;
  pairwise: number[];
  akm: number[];
  caps: number;
}

/** ieee80211_parse_rsn: the RSN element's contents, or why it is malformed. `ie` includes id and length. */
export function ieee80211_parse_rsn(ie: Uint8Array): RsnParams | string {
  if (ie.length < 2 || ie[0] !== IEEE80211_ELEMID_RSN || ie[1]! + 2 !== ie.length) return 'not an RSN element';
  const d = ie.subarray(2);
  if (d.length < 2) return 'too short for version';
  const version = d[0]! | (d[1]! << 8);
  if (version !== 1) return `bad version ${version}`;
  let o = 2;
  const suite = (): number | null => {
    if (o + 4 > d.length) return null;
    const ok = d[o] === RSN_OUI[0] && d[o + 1] === RSN_OUI[1] && d[o + 2] === RSN_OUI[2];
    const t = d[o + 3]!;
    o += 4;
    return ok ? t : 0x100 + t;
  };
  const list = (what: string): number[] | string => {
    if (o + 2 > d.length) return `too short for ${what} count`;
    const n = d[o]! | (d[o + 1]! << 8);
    o += 2;
    if (n === 0) return `no ${what} suites`;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = suite();
      if (s === null) return `too short for ${what} suite ${i}`;
      out.push(s);
    }
    return out;
  };
  const group = suite();
  if (group === null) return 'too short for group cipher';
  const pairwise = list('pairwise');
  if (typeof pairwise === 'string') return pairwise;
  const akm = list('AKM');
  if (typeof akm === 'string') return akm;
  const caps = o + 2 <= d.length ? d[o]! | (d[o + 1]! << 8) : 0;
  return { version, group, pairwise, akm, caps };
}
