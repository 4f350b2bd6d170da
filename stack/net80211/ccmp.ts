/**
 * CCMP framing (IEEE 802.11-2016 12.5.3; net80211 ieee80211_crypto_ccmp.c ccmp_encap/ccmp_decap/ccmp_init_blocks):
 * the 8-byte CCMP header with the packet number and key id (12.5.3.2), the additional authenticated data built
 * from the masked MAC header (12.5.3.3.3) and the 13-byte nonce (12.5.3.3.4). The AES-CCM itself is done by an
 * engine of the crypto API (stack/crypto), never here.
 */
import { IEEE80211_FC0_SUBTYPE_QOS, IEEE80211_FC0_TYPE_DATA, IEEE80211_FC0_TYPE_MASK, IEEE80211_FC1_DIR_DSTODS, IEEE80211_FC1_DIR_MASK, IEEE80211_FC1_WEP } from './wire/frame';

export const IEEE80211_WEP_IVLEN = 3;
export const IEEE80211_WEP_KIDLEN = 1;
/** ExtIV bit of the key-id octet (IEEE80211_WEP_EXTIV). */
export const IEEE80211_WEP_EXTIV = 0x20;
export const CCMP_HDR_LEN = 8;
export const CCMP_MIC_LEN = 8;
/** Largest packet number (48 bits). */
export const CCMP_PN_MAX = (1n << 48n) - 1n;
/** TID slot of non-QoS frames in per-TID counters (IEEE80211_NONQOS_TID). */
export const IEEE80211_NONQOS_TID = 16;

/** Does the header carry a fourth address (ToDS and FromDS)? */
function hasAddr4(fc1: number): boolean {
  return (fc1 & IEEE80211_FC1_DIR_MASK) === IEEE80211_FC1_DIR_DSTODS;
}

/** Is it a QoS data frame (QoS Control after the addresses)? */
export function isQosData(fc0: number): boolean {
  return (fc0 & IEEE80211_FC0_TYPE_MASK) === IEEE80211_FC0_TYPE_DATA && (fc0 & IEEE80211_FC0_SUBTYPE_QOS) !== 0;
}

/** The TID of a received or sent frame: QoS Control bits 0–3, or IEEE80211_NONQOS_TID. */
export function frameTid(hdr: Uint8Array): number {
  const fc0 = hdr[0] ?? 0;
  if (!isQosData(fc0)) return IEEE80211_NONQOS_TID;
  const qoff = hasAddr4(hdr[1] ?? 0) ? 30 : 24;
  return (hdr[qoff] ?? 0) & 0x0f;
}

/** ccmp_encap's header: PN0 PN1 0 keyid<<6|ExtIV PN2 PN3 PN4 PN5. */
export function ccmpHeader(pn: bigint, keyid: number): Uint8Array {
  const h = new Uint8Array(CCMP_HDR_LEN);
  const p = BigInt.asUintN(48, pn);
  h[0] = Number(p & 0xffn);
  h[1] = Number((p >> 8n) & 0xffn);
  h[2] = 0;
  h[3] = ((keyid & 3) << 6) | IEEE80211_WEP_EXTIV;
  h[4] = Number((p >> 16n) & 0xffn);
  h[5] = Number((p >> 24n) & 0xffn);
  h[6] = Number((p >> 32n) & 0xffn);
  h[7] = Number((p >> 40n) & 0xffn);
  return h;
}

/** What a received CCMP header says; null without ExtIV (ccmp_decap: "no ExtIV" → is_rx_ccmpformat). */
export function parseCcmpHeader(h: Uint8Array): { pn: bigint; keyid: number } | null {
  if (h.length < CCMP_HDR_LEN || ((h[3]! & IEEE80211_WEP_EXTIV) === 0)) return null;
  const pn = BigInt(h[0]!) | (BigInt(h[1]!) << 8n) | (BigInt(h[4]!) << 16n) | (BigInt(h[5]!) << 24n) | (BigInt(h[6]!) << 32n) | (BigInt(h[7]!) << 40n);
  return { pn, keyid: h[3]! >> 6 };
}

/**
 * ccmp_init_blocks' AAD (12.5.3.3.3): FC with subtype bits 4–6 (data), Retry, PwrMgt and MoreData masked and
 * Protected set; A1 A2 A3; sequence control with the sequence number masked (fragment number kept); A4 if
 * present; QoS Control with only the TID if present.
 */
export function ccmpAad(hdr: Uint8Array): Uint8Array {
  const fc0 = hdr[0]!;
  const fc1 = hdr[1]!;
  const a4 = hasAddr4(fc1);
  const qos = isQosData(fc0);
  const aad = new Uint8Array(22 + (a4 ? 6 : 0) + (qos ? 2 : 0));
  aad[0] = (fc0 & IEEE80211_FC0_TYPE_MASK) === IEEE80211_FC0_TYPE_DATA ? fc0 & 0x8f : fc0;
  aad[1] = (fc1 & 0xc7) | IEEE80211_FC1_WEP;
  if (qos) aad[1] = aad[1]! & 0x7f; // Order bit masked in QoS frames
  aad.set(hdr.subarray(4, 22), 2);
  aad[20] = hdr[22]! & 0x0f;
  aad[21] = 0;
  let o = 22;
  if (a4) {
    aad.set(hdr.subarray(24, 30), o);
    o += 6;
  }
  if (qos) {
    const q = a4 ? 30 : 24;
    aad[o] = hdr[q]! & 0x0f;
    aad[o + 1] = 0;
  }
  return aad;
}

/** ccmp_init_blocks' nonce (12.5.3.3.4): priority (TID for QoS data, else 0) ‖ A2 ‖ PN5…PN0. */
export function ccmpNonce(hdr: Uint8Array, pn: bigint): Uint8Array {
  const n = new Uint8Array(13);
  const tid = frameTid(hdr);
  n[0] = tid === IEEE80211_NONQOS_TID ? 0 : tid;
  n.set(hdr.subarray(10, 16), 1);
  const p = BigInt.asUintN(48, pn);
  for (let i = 0; i < 6; i++) n[7 + i] = Number((p >> BigInt(8 * (5 - i))) & 0xffn);
  return n;
}
