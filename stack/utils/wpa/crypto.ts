/**
 * The key hierarchy of WPA2-PSK (IEEE 802.11-2016 12.7.1), every primitive from node:crypto:
 *   PSK (= PMK)  PBKDF2-HMAC-SHA1(passphrase, SSID, 4096, 256 bits)                 — J.4.1, M.4
 *   PRF-n        HMAC-SHA1(K, A ‖ 0x00 ‖ B ‖ i) for i = 0, 1, … truncated to n bits  — 12.7.1.2
 *   PTK          PRF-384(PMK, "Pairwise key expansion", Min(AA,SPA) ‖ Max(AA,SPA) ‖ Min(ANonce,SNonce) ‖
 *                Max(ANonce,SNonce)) = KCK(128) ‖ KEK(128) ‖ TK(128) for CCMP           — 12.7.1.3
 *   GTK          PRF-128(GMK, "Group key expansion", AA ‖ GNonce)                       — 12.7.1.4
 *   MIC          HMAC-SHA1-128(KCK, EAPOL frame with the MIC field zero), descriptor v2  — 12.7.2
 *   Key Data     AES key wrap (RFC 3394) with the KEK, descriptor v2                      — 12.7.2
 * hostapd/wpa_supplicant's equivalents: src/crypto/sha1-pbkdf2.c, sha1-prf.c, src/common/wpa_common.c
 * (wpa_pmk_to_ptk, wpa_eapol_key_mic), src/crypto/aes-wrap.c.
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync } from 'node:crypto';

/** Length of the PMK, nonces, and the CCMP TK/KCK/KEK (octets). */
export const PMK_LEN = 32;
export const WPA_NONCE_LEN = 32;
export const WPA_KCK_LEN = 16;
export const WPA_KEK_LEN = 16;
export const WPA_TK_CCMP_LEN = 16;
export const WPA_GTK_CCMP_LEN = 16;

/** PSK from a passphrase of 8…63 printable ASCII characters (J.4.1). Null when the passphrase is out of range. */
export function pbkdf2Psk(passphrase: string, ssid: Uint8Array): Uint8Array | null {
  if (passphrase.length < 8 || passphrase.length > 63) return null;
  for (let i = 0; i < passphrase.length; i++) {
    const c = passphrase.charCodeAt(i);
    if (c < 32 || c > 126) return null;
  }
  return new Uint8Array(pbkdf2Sync(Buffer.from(passphrase, 'ascii'), ssid, 4096, PMK_LEN, 'sha1'));
}

/** PRF-(8·len) of 12.7.1.2 (sha1_prf in hostapd). */
export function prfSha1(key: Uint8Array, label: string, data: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const a = Buffer.from(label, 'ascii');
  for (let i = 0, pos = 0; pos < len; i++) {
    const h = createHmac('sha1', key).update(a).update(Uint8Array.of(0)).update(data).update(Uint8Array.of(i)).digest();
    out.set(h.subarray(0, Math.min(h.length, len - pos)), pos);
    pos += h.length;
  }
  return out;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The pairwise transient key split into its parts (CCMP: 16 + 16 + 16 octets). */
export interface Ptk {
  kck: Uint8Array;
  kek: Uint8Array;
  tk: Uint8Array;
}

/** PTK derivation of 12.7.1.3 (wpa_pmk_to_ptk). `aa` is the authenticator's address, `spa` the supplicant's. */
export function derivePtk(pmk: Uint8Array, aa: Uint8Array, spa: Uint8Array, anonce: Uint8Array, snonce: Uint8Array): Ptk {
  const [a1, a2] = compare(aa, spa) < 0 ? [aa, spa] : [spa, aa];
  const [n1, n2] = compare(anonce, snonce) < 0 ? [anonce, snonce] : [snonce, anonce];
  const ptk = prfSha1(pmk, 'Pairwise key expansion', concat(a1, a2, n1, n2), WPA_KCK_LEN + WPA_KEK_LEN + WPA_TK_CCMP_LEN);
  return { kck: ptk.slice(0, 16), kek: ptk.slice(16, 32), tk: ptk.slice(32, 48) };
}

/** GTK derivation of 12.7.1.4 (CCMP: 128 bits). */
export function deriveGtk(gmk: Uint8Array, aa: Uint8Array, gnonce: Uint8Array): Uint8Array {
  return prfSha1(gmk, 'Group key expansion', concat(aa, gnonce), WPA_GTK_CCMP_LEN);
}

/** HMAC-SHA1-128 MIC of an EAPOL-Key frame whose MIC field is zero (key descriptor version 2). */
export function eapolKeyMic(kck: Uint8Array, frame: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha1', kck).update(frame).digest().subarray(0, 16));
}

/** RFC 3394's default initial value A6A6A6A6A6A6A6A6. */
const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/** AES key wrap (RFC 3394) with a 128-bit KEK; `plain` is a multiple of 8 octets, at least 16. */
export function aesWrap(kek: Uint8Array, plain: Uint8Array): Uint8Array {
  const c = createCipheriv('id-aes128-wrap', kek, KW_IV);
  return new Uint8Array(Buffer.concat([c.update(plain), c.final()]));
}

/** AES key unwrap; null when the integrity check (the IV) fails or the length is wrong. */
export function aesUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | null {
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) return null;
  try {
    const d = createDecipheriv('id-aes128-wrap', kek, KW_IV);
    return new Uint8Array(Buffer.concat([d.update(wrapped), d.final()]));
  } catch {
    return null;
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compare(a, b) === 0;
}

export { concat as concatBytes };
