/**
 * EAPOL-Key frames (IEEE 802.1X-2004 7.5 EAPOL header; IEEE 802.11-2016 12.7.2 EAPOL-Key frame body) and the
 * Key Data encapsulations this program set uses (the RSN element, the GTK KDE of 12.7.2 Table 12-6, the 0xdd
 * padding). Field names follow hostapd's struct wpa_eapol_key (src/common/wpa_common.h). Parsing never throws:
 * a malformed frame gives a reason, which the state machines trace and drop, as wpa_receive/wpa_sm_rx_eapol do.
 */
import { eapolKeyMic } from './crypto';

/** EtherType of 802.1X (EAPOL), IEEE 802.1X-2004 7.5. */
export const ETHERTYPE_PAE = 0x888e;
/** EAPOL packet types (802.1X-2004 Table 11-3). */
export const IEEE802_1X_TYPE_EAPOL_KEY = 3;
/** Key Descriptor Type: RSN (802.11-2016 12.7.2). */
export const EAPOL_KEY_TYPE_RSN = 2;

/** Key Information bits (12.7.2 Figure 12-33; hostapd WPA_KEY_INFO_*). */
export const WPA_KEY_INFO_TYPE_MASK = 0x0007;
export const WPA_KEY_INFO_TYPE_HMAC_SHA1_AES = 2;
export const WPA_KEY_INFO_KEY_TYPE = 0x0008; // 1 = pairwise
export const WPA_KEY_INFO_INSTALL = 0x0040;
export const WPA_KEY_INFO_ACK = 0x0080;
export const WPA_KEY_INFO_MIC = 0x0100;
export const WPA_KEY_INFO_SECURE = 0x0200;
export const WPA_KEY_INFO_ERROR = 0x0400;
export const WPA_KEY_INFO_REQUEST = 0x0800;
export const WPA_KEY_INFO_ENCR_KEY_DATA = 0x1000;

/** Offsets inside the EAPOL frame (4-octet 802.1X header, then the key descriptor). */
const HDR = 4;
const OFF_INFO = HDR + 1;
const OFF_KEYLEN = HDR + 3;
const OFF_REPLAY = HDR + 5;
const OFF_NONCE = HDR + 13;
const OFF_IV = HDR + 45;
const OFF_RSC = HDR + 61;
const OFF_MIC = HDR + 77;
const OFF_DATALEN = HDR + 93;
/** Octets before the Key Data field. */
export const EAPOL_KEY_FIXED = HDR + 95;

/** The fields of an EAPOL-Key frame (wpa_eapol_key). */
export interface EapolKey {
  /** 802.1X protocol version (hostapd sends 2, wpa_supplicant 1 by default: eapol_version). */
  version: number;
  keyInfo: number;
  keyLength: number;
  /** Key Replay Counter (64-bit, big-endian), as a bigint. */
  replayCounter: bigint;
  nonce: Uint8Array;
  iv: Uint8Array;
  rsc: Uint8Array;
  mic: Uint8Array;
  keyData: Uint8Array;
}

/** Build the frame; when `kck` is given the MIC bit is set and the MIC computed over the frame (12.7.2 h). */
export function emitEapolKey(k: Omit<EapolKey, 'mic'>, kck?: Uint8Array): Uint8Array {
  const body = 95 + k.keyData.length;
  const f = new Uint8Array(HDR + body);
  const dv = new DataView(f.buffer);
  f[0] = k.version;
  f[1] = IEEE802_1X_TYPE_EAPOL_KEY;
  dv.setUint16(2, body);
  f[HDR] = EAPOL_KEY_TYPE_RSN;
  dv.setUint16(OFF_INFO, kck ? k.keyInfo | WPA_KEY_INFO_MIC : k.keyInfo);
  dv.setUint16(OFF_KEYLEN, k.keyLength);
  dv.setBigUint64(OFF_REPLAY, BigInt.asUintN(64, k.replayCounter));
  f.set(k.nonce.subarray(0, 32), OFF_NONCE);
  f.set(k.iv.subarray(0, 16), OFF_IV);
  f.set(k.rsc.subarray(0, 8), OFF_RSC);
  dv.setUint16(OFF_DATALEN, k.keyData.length);
  f.set(k.keyData, EAPOL_KEY_FIXED);
  if (kck) f.set(eapolKeyMic(kck, f), OFF_MIC);
  return f;
}

/** Parse an EAPOL frame (the Ethernet payload after the 0x888E type). A string is why it is not a usable key frame. */
export function parseEapolKey(f: Uint8Array): EapolKey | string {
  if (f.length < HDR) return 'frame shorter than the 802.1X header';
  if (f[1] !== IEEE802_1X_TYPE_EAPOL_KEY) return `EAPOL type ${f[1]} is not EAPOL-Key`;
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const plen = dv.getUint16(2);
  if (plen < 95 || HDR + plen > f.length) return `EAPOL-Key body length ${plen} does not fit the frame (${f.length} octets)`;
  if (f[HDR] !== EAPOL_KEY_TYPE_RSN) return `unsupported key descriptor type ${f[HDR]}`;
  const dlen = dv.getUint16(OFF_DATALEN);
  if (EAPOL_KEY_FIXED + dlen > HDR + plen) return `Key Data length ${dlen} exceeds the EAPOL-Key body`;
  return {
    version: f[0]!,
    keyInfo: dv.getUint16(OFF_INFO),
    keyLength: dv.getUint16(OFF_KEYLEN),
    replayCounter: dv.getBigUint64(OFF_REPLAY),
    nonce: f.slice(OFF_NONCE, OFF_NONCE + 32),
    iv: f.slice(OFF_IV, OFF_IV + 16),
    rsc: f.slice(OFF_RSC, OFF_RSC + 8),
    mic: f.slice(OFF_MIC, OFF_MIC + 16),
    keyData: f.slice(EAPOL_KEY_FIXED, EAPOL_KEY_FIXED + dlen),
  };
}

/** Verify the MIC of a received frame (wpa_verify_key_mic): recompute over a copy with the MIC zeroed. */
export function verifyEapolKeyMic(kck: Uint8Array, frame: Uint8Array): boolean {
  if (frame.length < EAPOL_KEY_FIXED) return false;
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const copy = frame.slice(0, HDR + dv.getUint16(2));
  if (copy.length < EAPOL_KEY_FIXED) return false;
  const got = copy.slice(OFF_MIC, OFF_MIC + 16);
  copy.fill(0, OFF_MIC, OFF_MIC + 16);
  const want = eapolKeyMic(kck, copy);
  let d = 0;
  for (let i = 0; i < 16; i++) d |= got[i]! ^ want[i]!;
  return d === 0;
}

/** The RSN element of a WPA2-PSK/CCMP BSS (9.4.2.25): version 1, group CCMP, pairwise CCMP, AKM PSK, capabilities 0. */
export const RSN_IE_PSK_CCMP = Uint8Array.of(
  0x30, 0x14, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x00, 0x00,
);

/** The suites an RSN element names (enough to check a station's choice: wpa_parse_wpa_ie_rsn). */
export interface RsnInfo {
  group: number;
  pairwise: number[];
  akm: number[];
  capabilities: number;
}

/** Parse an RSN element (ID 48); suite selectors as 0x000FACnn numbers. A string is why it is invalid. */
export function parseRsnIe(ie: Uint8Array): RsnInfo | string {
  if (ie.length < 4 || ie[0] !== 0x30 || ie[1]! + 2 > ie.length) return 'not an RSN element';
  const end = 2 + ie[1]!;
  const dv = new DataView(ie.buffer, ie.byteOffset, ie.byteLength);
  if (dv.getUint16(2, true) !== 1) return `RSN version ${dv.getUint16(2, true)}`;
  let o = 4;
  const suite = (): number | null => (o + 4 <= end ? dv.getUint32((o += 4) - 4) : null);
  const count = (): number | null => (o + 2 <= end ? dv.getUint16((o += 2) - 2, true) : null);
  const group = suite() ?? 0x000fac04;
  const pairwise: number[] = [];
  const pc = count();
  for (let i = 0; pc !== null && i < pc; i++) {
    const s = suite();
    if (s === null) return 'truncated pairwise suite list';
    pairwise.push(s);
  }
  const akm: number[] = [];
  const ac = count();
  for (let i = 0; ac !== null && i < ac; i++) {
    const s = suite();
    if (s === null) return 'truncated AKM suite list';
    akm.push(s);
  }
  const capabilities = count() ?? 0;
  return { group, pairwise: pairwise.length ? pairwise : [0x000fac04], akm: akm.length ? akm : [0x000fac01], capabilities };
}

export const RSN_CIPHER_SUITE_CCMP = 0x000fac04;
export const RSN_AKM_PSK = 0x000fac02;

/** GTK KDE (12.7.2 Table 12-6/Figure 12-36): dd len 00-0F-AC 01, KeyID|Tx, reserved, GTK. */
export function gtkKde(keyId: number, gtk: Uint8Array, tx = false): Uint8Array {
  const out = new Uint8Array(2 + 6 + gtk.length);
  out.set([0xdd, 6 + gtk.length, 0x00, 0x0f, 0xac, 0x01, (keyId & 3) | (tx ? 4 : 0), 0]);
  out.set(gtk, 8);
  return out;
}

/** Pad Key Data for AES key wrap (12.7.2 j): 0xdd then zeros to a multiple of 8, at least 16 octets. */
export function padKeyData(d: Uint8Array): Uint8Array {
  if (d.length >= 16 && d.length % 8 === 0) return d;
  const out = new Uint8Array(Math.max(16, Math.ceil((d.length + 1) / 8) * 8));
  out.set(d);
  out[d.length] = 0xdd;
  return out;
}

/** Elements and KDEs in (decrypted) Key Data: the RSN IE and the GTK KDE (wpa_parse_kde_ies). */
export interface KeyDataParts {
  rsnIe: Uint8Array | null;
  gtk: { keyId: number; tx: boolean; key: Uint8Array } | null;
}

export function parseKeyData(d: Uint8Array): KeyDataParts {
  const out: KeyDataParts = { rsnIe: null, gtk: null };
  for (let o = 0; o + 2 <= d.length; ) {
    const id = d[o]!;
    const len = d[o + 1]!;
    if (id === 0xdd && len === 0) break; // padding
    if (o + 2 + len > d.length) break;
    if (id === 0x30 && !out.rsnIe) out.rsnIe = d.slice(o, o + 2 + len);
    if (id === 0xdd && len >= 6 && d[o + 2] === 0x00 && d[o + 3] === 0x0f && d[o + 4] === 0xac && d[o + 5] === 0x01)
      out.gtk = { keyId: d[o + 6]! & 3, tx: (d[o + 6]! & 4) !== 0, key: d.slice(o + 8, o + 2 + len) };
    o += 2 + len;
  }
  return out;
}
