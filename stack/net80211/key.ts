/**
 * struct ieee80211_key (net80211/ieee80211_crypto.h): one key slot — a pairwise key on a node (ni_ucastkey) or
 * one of the four global keys (ic_nw_keys) — with its cipher, flags, key bytes, transmit PN and per-TID
 * receive PN (wk_keytsc, wk_keyrsc[]).
 */
import { IEEE80211_CIPHER_NONE, IEEE80211_KEYIX_NONE } from '../include/net80211/ieee80211_ioctl';
import { IEEE80211_TID_SIZE } from './node';

export interface Ieee80211Key {
  /** 0…3 for a global key; IEEE80211_KEYIX_NONE for a pairwise key. */
  wk_keyix: number;
  /** IEEE80211_CIPHER_* (only AES_CCM is carried by this stack; NONE = empty slot). */
  wk_cipher: number;
  /** IEEE80211_KEY_XMIT | _RECV | _GROUP. */
  wk_flags: number;
  wk_keylen: number;
  wk_key: Uint8Array;
  /** Last packet number sent with this key. */
  wk_keytsc: bigint;
  /** Highest packet number received per TID (0…15, IEEE80211_NONQOS_TID = 16). */
  wk_keyrsc: bigint[];
}

/** An empty slot (ieee80211_crypto_resetkey). */
export function emptyKey(keyix = IEEE80211_KEYIX_NONE): Ieee80211Key {
  return {
    wk_keyix: keyix, wk_cipher: IEEE80211_CIPHER_NONE, wk_flags: 0, wk_keylen: 0, wk_key: new Uint8Array(0), wk_keytsc: 0n,
    wk_keyrsc: new Array<bigint>(IEEE80211_TID_SIZE + 1).fill(0n),
  };
}

/** Does the slot hold a key? */
export function keyValid(k: Ieee80211Key | null | undefined): k is Ieee80211Key {
  return !!k && k.wk_cipher !== IEEE80211_CIPHER_NONE;
}
