/**
 * The 802.11 layer's crypto (net80211 ieee80211_crypto.c + ieee80211_crypto_ccmp.c): the key table — pairwise
 * keys on nodes, four global keys, the default transmit key — as the WPAKEY/DELKEY ioctls fill it
 * (ieee80211_ioctl_setkey/_delkey/_getkey), the choice of key for a frame (ieee80211_crypto_encap/_decap), and
 * CCMP encapsulation and decapsulation, whose AES-CCM runs on an engine of the hc stack's crypto API
 * (stack/crypto): the request is dispatched and the frame continues in the completion callback, in the stack
 * context — to the driver (ic.cryptoq) after encryption, up the stack after decryption and the replay check.
 */
import type { ThreadCtx } from '../kernel/api';
import { Errno } from '../kernel/api';
import { CRD_F_ENCRYPT, CRYPTO_AES_CCM_16, CRYPTO_F_IEEE80211_TX, CRYPTO_F_TXDONE, type CryptoRequest } from '../crypto/api';
import {
  IEEE80211_CIPHER_AES_CCM, IEEE80211_CIPHER_NONE, IEEE80211_KEY_DEFAULT, IEEE80211_KEY_GROUP, IEEE80211_KEY_RECV,
  IEEE80211_KEY_XMIT, IEEE80211_KEYBUF_SIZE, IEEE80211_KEYIX_NONE, IEEE80211_WEP_NKID, type Ieee80211reqDelKey, type Ieee80211reqKey,
} from '../include/net80211/ieee80211_ioctl';
import type { Mbuf } from '../net/mbuf';
import { macEquals, macToString } from '../net/wire/addr';
import { CCMP_HDR_LEN, CCMP_MIC_LEN, CCMP_PN_MAX, ccmpAad, ccmpHeader, ccmpNonce, frameTid, parseCcmpHeader } from './ccmp';
import { emptyKey, keyValid, type Ieee80211Key } from './key';
import type { Ieee80211Node } from './node';
import { ieee80211_notify_replay_failure } from './notify';
import { IEEE80211_F_PRIVACY, type Ieee80211Com } from './var';
import { IEEE80211_FC1_WEP, ieee80211_anyhdrsize, isMulticastAddr } from './wire/frame';

/** EtherType of 802.1X / EAPOL (ETHERTYPE_PAE). */
export const ETHERTYPE_PAE = 0x888e;

/** What net80211 keeps in crp_opaque. */
interface CcmpCtx {
  ic: Ieee80211Com;
  ni: Ieee80211Node;
  key: Ieee80211Key;
  pn: bigint;
  tid: number;
  /** Receive: continue with the decrypted frame. */
  rx?: (ctx: ThreadCtx, m: Mbuf) => void;
}

const EADDRNOTAVAIL = Errno.EADDRNOTAVAIL;

/** The node a pairwise key request names: a station's BSS (BSSID must match), an AP's station. */
function keyNode(ic: Ieee80211Com, mac: Uint8Array): Ieee80211Node | number {
  if (ic.opmode === 'sta') return macEquals(mac, ic.bss.bssid) ? ic.bss : EADDRNOTAVAIL;
  return ic.sta.find(mac) ?? Errno.ENOENT;
}

/** ieee80211_ioctl_setkey (IEEE80211_IOC_WPAKEY): install a pairwise or global key. Returns an errno. */
export function ieee80211_crypto_setkey(ic: Ieee80211Com, ik: Ieee80211reqKey): number {
  if (!ik || typeof ik !== 'object' || !(ik.ik_keydata instanceof Uint8Array) || !(ik.ik_macaddr instanceof Uint8Array) || ik.ik_macaddr.length < 6) return Errno.EINVAL;
  if (!Number.isInteger(ik.ik_keylen) || ik.ik_keylen < 0 || ik.ik_keylen > ik.ik_keydata.length) return Errno.E2BIG;
  let wk: Ieee80211Key;
  let ni: Ieee80211Node | null = null;
  const kix = ik.ik_keyix;
  if (kix === IEEE80211_KEYIX_NONE) {
    // Unicast keys must be transmit and receive.
    if ((ik.ik_flags & (IEEE80211_KEY_XMIT | IEEE80211_KEY_RECV)) !== (IEEE80211_KEY_XMIT | IEEE80211_KEY_RECV)) return Errno.EINVAL;
    const n = keyNode(ic, ik.ik_macaddr);
    if (typeof n === 'number') return n;
    ni = n;
    wk = emptyKey(IEEE80211_KEYIX_NONE);
  } else {
    if (!Number.isInteger(kix) || kix < 0 || kix >= IEEE80211_WEP_NKID) return Errno.EINVAL;
    wk = emptyKey(kix);
  }
  // ieee80211_crypto_newkey: only CCMP is available in this stack (no wlan_wep/wlan_tkip modules).
  if (ik.ik_type !== IEEE80211_CIPHER_AES_CCM) {
    ic.stats[ik.ik_type > IEEE80211_CIPHER_NONE ? 'is_crypto_badcipher' : 'is_crypto_nocipher']++;
    ic.trace('setkey-nocipher', 0, { type: ik.ik_type });
    return Errno.ENXIO;
  }
  // ccmp_setkey: "Invalid key length %u, expecting %u".
  const keylen = Math.min(ik.ik_keylen, IEEE80211_KEYBUF_SIZE);
  if (keylen !== 16) {
    ic.stats.is_crypto_setkey_cipher++;
    ic.trace('setkey-badlen', 0, { keylen: ik.ik_keylen });
    return Errno.EIO;
  }
  wk.wk_cipher = IEEE80211_CIPHER_AES_CCM;
  wk.wk_flags = ik.ik_flags & (IEEE80211_KEY_XMIT | IEEE80211_KEY_RECV | IEEE80211_KEY_GROUP);
  wk.wk_keylen = keylen;
  wk.wk_key = ik.ik_keydata.slice(0, keylen);
  wk.wk_keyrsc.fill(BigInt.asUintN(48, typeof ik.ik_keyrsc === 'bigint' ? ik.ik_keyrsc : 0n));
  wk.wk_keytsc = 0n; // new key, reset
  if (ni) ni.ucastKey = wk;
  else {
    ic.nwKeys[kix] = wk;
    if ((ik.ik_flags & IEEE80211_KEY_DEFAULT) !== 0) ic.defTxKey = kix;
  }
  ic.trace('setkey', 0, { keyix: kix === IEEE80211_KEYIX_NONE ? 'pairwise' : kix, mac: macToString(ni ? ni.macaddr : ik.ik_macaddr), flags: wk.wk_flags, def: ic.defTxKey });
  return 0;
}

/** ieee80211_ioctl_delkey (IEEE80211_IOC_DELKEY): by address (keyix NONE, 8- or 16-bit) or by index. */
export function ieee80211_crypto_delkey(ic: Ieee80211Com, dk: Ieee80211reqDelKey): number {
  if (dk.idk_keyix === IEEE80211_KEYIX_NONE || dk.idk_keyix === 0xff) {
    if (!(dk.idk_macaddr instanceof Uint8Array)) return Errno.EINVAL;
    const n = ic.opmode === 'sta' ? (macEquals(dk.idk_macaddr, ic.bss.bssid) ? ic.bss : undefined) : ic.sta.find(dk.idk_macaddr);
    if (!n) return Errno.EINVAL;
    n.ucastKey = null;
    ic.trace('delkey', 0, { mac: macToString(n.macaddr) });
    return 0;
  }
  if (!Number.isInteger(dk.idk_keyix) || dk.idk_keyix < 0 || dk.idk_keyix >= IEEE80211_WEP_NKID) return Errno.EINVAL;
  ic.nwKeys[dk.idk_keyix] = emptyKey(dk.idk_keyix);
  ic.trace('delkey', 0, { keyix: dk.idk_keyix });
  return 0;
}

/** ieee80211_ioctl_getkey (SIOCG80211 IEEE80211_IOC_WPAKEY): the slot's cipher, flags, counters and key. */
export function ieee80211_crypto_getkey(ic: Ieee80211Com, keyix: number, mac: Uint8Array | undefined): Ieee80211reqKey | number {
  let wk: Ieee80211Key | null;
  let addr: Uint8Array;
  if (keyix === IEEE80211_KEYIX_NONE) {
    if (!(mac instanceof Uint8Array)) return Errno.EINVAL;
    const n = ic.opmode === 'sta' ? (macEquals(mac, ic.bss.bssid) ? ic.bss : undefined) : ic.sta.find(mac);
    if (!n) return Errno.EINVAL;
    wk = n.ucastKey;
    addr = n.macaddr;
  } else {
    if (!Number.isInteger(keyix) || keyix < 0 || keyix >= IEEE80211_WEP_NKID) return Errno.EINVAL;
    wk = ic.nwKeys[keyix]!;
    addr = ic.bss.macaddr;
  }
  const k = wk ?? emptyKey(keyix);
  let flags = k.wk_flags & (IEEE80211_KEY_XMIT | IEEE80211_KEY_RECV);
  if (keyix !== IEEE80211_KEYIX_NONE && keyix === ic.defTxKey) flags |= IEEE80211_KEY_DEFAULT;
  const tid0 = k.wk_keyrsc.reduce((a, b) => (b > a ? b : a), 0n);
  return {
    ik_type: k.wk_cipher, ik_keyix: keyix, ik_keylen: k.wk_keylen, ik_flags: flags, ik_macaddr: addr.slice(), ik_keyrsc: tid0,
    ik_keytsc: k.wk_keytsc, ik_keydata: k.wk_key.slice(),
  };
}

/** Forget a node's pairwise key (node leave, our own departure). */
export function ieee80211_crypto_delnodekey(ni: Ieee80211Node): void {
  ni.ucastKey = null;
}

/**
 * ieee80211_crypto_getucastkey / getmcastkey as ieee80211_encap uses them: a group frame, or a node without a
 * pairwise key, takes the default transmit key; EAPOL goes out protected only under a pairwise key. Null = send
 * in the clear; 'nokey' = privacy demands a key and there is none (is_tx_nodefkey).
 */
export function ieee80211_crypto_txkey(ic: Ieee80211Com, ni: Ieee80211Node, da: Uint8Array, eapol: boolean): Ieee80211Key | null | 'nokey' {
  if ((ic.flags & IEEE80211_F_PRIVACY) === 0) return null;
  const uk = keyValid(ni.ucastKey) && (ni.ucastKey.wk_flags & IEEE80211_KEY_XMIT) !== 0 ? ni.ucastKey : null;
  if (eapol) return isMulticastAddr(da) ? null : uk;
  if (!isMulticastAddr(da) && uk) return uk;
  if (ic.defTxKey === IEEE80211_KEYIX_NONE) return 'nokey';
  const gk = ic.nwKeys[ic.defTxKey];
  return keyValid(gk) ? gk : 'nokey';
}

/** The key id a frame protected with `k` carries (0 for a pairwise key). */
function keyid(k: Ieee80211Key): number {
  return k.wk_keyix === IEEE80211_KEYIX_NONE ? 0 : k.wk_keyix;
}

/** Which node a CRYPTO_F_IEEE80211_TX request is for (an inline engine sending the frame itself needs its rate state). */
export function ieee80211_crypto_txnode(crp: CryptoRequest): Ieee80211Node | null {
  const c = crp.opaque as CcmpCtx | null;
  return c && typeof c === 'object' && 'ni' in c ? c.ni : null;
}

/**
 * ccmp_encap + the encrypt half of ccmp_enmic through the crypto API: `frame` is the plaintext 802.11 data frame
 * (header + body); the request carries header ‖ CCMP header ‖ body ‖ room for the MIC, Protected set, the next
 * PN. Returns false when the frame was dropped (counted), true when it is on its way (pending in the engine).
 */
export function ieee80211_crypto_encap(ic: Ieee80211Com, ni: Ieee80211Node, k: Ieee80211Key, frame: Uint8Array, pktId: number, ctx?: ThreadCtx): boolean {
  const cf = ic.host?.crypto ?? null;
  if (!cf) {
    ic.stats.is_crypto_nocipher++;
    ic.trace('tx-crypto-drop', pktId, { why: 'no crypto framework' });
    return false;
  }
  if (k.wk_keytsc >= CCMP_PN_MAX) {
    // PN exhausted: the key must be replaced before anything else is sent with it (12.5.3.4.4).
    ic.stats.is_tx_badcipher++;
    ic.trace('tx-crypto-drop', pktId, { why: 'PN exhausted' });
    return false;
  }
  const hdrLen = ieee80211_anyhdrsize(frame[0]!, frame[1]!);
  if (frame.length < hdrLen) return false;
  const pn = ++k.wk_keytsc;
  const buf = new Uint8Array(frame.length + CCMP_HDR_LEN + CCMP_MIC_LEN);
  buf.set(frame.subarray(0, hdrLen), 0);
  buf[1] = buf[1]! | IEEE80211_FC1_WEP;
  const iv = ccmpHeader(pn, keyid(k));
  buf.set(iv, hdrLen);
  buf.set(frame.subarray(hdrLen), hdrLen + CCMP_HDR_LEN);
  const hdr = buf.subarray(0, hdrLen);
  const crp = cf.crypto_getreq();
  crp.alg = CRYPTO_AES_CCM_16;
  crp.crdFlags = CRD_F_ENCRYPT;
  crp.flags = CRYPTO_F_IEEE80211_TX;
  crp.buf = buf;
  crp.hdrLen = hdrLen;
  crp.skip = hdrLen + CCMP_HDR_LEN;
  crp.len = frame.length - hdrLen;
  crp.inject = crp.skip + crp.len;
  crp.ccm = { key: k.wk_key, nonce: ccmpNonce(hdr, pn), aad: ccmpAad(hdr) };
  crp.iv = iv;
  crp.keyix = k.wk_keyix;
  crp.pktId = pktId;
  crp.ifp = ic.ifp;
  const c: CcmpCtx = { ic, ni, key: k, pn, tid: frameTid(hdr) };
  crp.opaque = c;
  crp.callback = encapDone;
  ic.cryptoPending++;
  ic.trace('ccmp-encap', pktId, { pn: pn.toString(), keyid: keyid(k), len: crp.len });
  cf.crypto_dispatch(ctx ?? ic.h.ctx, crp);
  return true;
}

/** Encryption finished (stack context): to the driver, unless the engine sent it already. */
function encapDone(_ctx: ThreadCtx, crp: CryptoRequest): void {
  const c = crp.opaque as CcmpCtx;
  const ic = c.ic;
  ic.cryptoPending = Math.max(0, ic.cryptoPending - 1);
  if (crp.etype !== 0) {
    ic.stats.is_crypto_enmicfail++;
    ic.ifp.data.oerrors++;
    ic.trace('tx-crypto-drop', crp.pktId, { why: 'engine error', etype: crp.etype });
    return;
  }
  if ((crp.flags & CRYPTO_F_TXDONE) !== 0) return;
  ic.cryptoq.push({ m: { data: crp.buf, pktId: crp.pktId }, ni: c.ni });
  ic.h.kick(ic.ifp);
}

/**
 * ieee80211_crypto_decap + ccmp_decap through the crypto API, for a received Protected data frame from `ni`:
 * the key by the frame's key id (group frames, or a node without a pairwise key) or the node's pairwise key; the
 * CCMP header (ExtIV); the replay check against the key's per-TID counter before and after decryption. `cont`
 * gets the frame without CCMP header and MIC, Protected cleared. Drops are counted and traced.
 */
export function ieee80211_crypto_decap(ic: Ieee80211Com, ni: Ieee80211Node, m: Mbuf, cont: (ctx: ThreadCtx, m: Mbuf) => void): void {
  const d = m.data;
  const hdrLen = ieee80211_anyhdrsize(d[0]!, d[1]!);
  const drop = (why: string, stat: keyof Ieee80211Com['stats']): void => {
    ic.stats[stat]++;
    ic.trace('rx-crypto-drop', m.pktId, { why, ta: macToString(d.subarray(10, 16)) });
  };
  if (d.length < hdrLen + CCMP_HDR_LEN + CCMP_MIC_LEN) return drop('too short for CCMP', 'is_rx_tooshort');
  const h = parseCcmpHeader(d.subarray(hdrLen, hdrLen + CCMP_HDR_LEN));
  if (!h) return drop('no ExtIV', 'is_rx_ccmpformat');
  const a1 = d.subarray(4, 10);
  const k = isMulticastAddr(a1) || !keyValid(ni.ucastKey) ? ic.nwKeys[h.keyid] : ni.ucastKey;
  if (!keyValid(k)) return drop(`no key for key id ${h.keyid}`, 'is_rx_badkeyid');
  if ((k.wk_flags & IEEE80211_KEY_RECV) === 0 && k.wk_keyix === IEEE80211_KEYIX_NONE) return drop('key not for receive', 'is_rx_badkeyid');
  const hdr = d.subarray(0, hdrLen);
  const tid = frameTid(hdr);
  if (h.pn <= k.wk_keyrsc[tid]!) {
    ieee80211_notify_replay_failure(ic, d.subarray(10, 16), a1, keyid(k), k.wk_keyrsc[tid]!, h.pn);
    return drop(`replay: PN ${h.pn} ≤ ${k.wk_keyrsc[tid]}`, 'is_rx_ccmpreplay');
  }
  const cf = ic.host?.crypto ?? null;
  if (!cf) return drop('no crypto framework', 'is_crypto_nocipher');
  const buf = d.slice();
  const crp = cf.crypto_getreq();
  crp.alg = CRYPTO_AES_CCM_16;
  crp.crdFlags = 0;
  crp.buf = buf;
  crp.hdrLen = hdrLen;
  crp.skip = hdrLen + CCMP_HDR_LEN;
  crp.len = d.length - crp.skip - CCMP_MIC_LEN;
  crp.inject = crp.skip + crp.len;
  crp.ccm = { key: k.wk_key, nonce: ccmpNonce(hdr, h.pn), aad: ccmpAad(hdr) };
  crp.iv = d.slice(hdrLen, hdrLen + CCMP_HDR_LEN);
  crp.keyix = k.wk_keyix;
  crp.pktId = m.pktId;
  crp.ifp = ic.ifp;
  crp.opaque = { ic, ni, key: k, pn: h.pn, tid, rx: cont } satisfies CcmpCtx;
  crp.callback = decapDone;
  ic.cryptoPending++;
  cf.crypto_dispatch(ic.h.ctx, crp);
}

/** Decryption finished (stack context): MIC, replay again (another frame may have advanced the counter), strip. */
function decapDone(ctx: ThreadCtx, crp: CryptoRequest): void {
  const c = crp.opaque as CcmpCtx;
  const ic = c.ic;
  ic.cryptoPending = Math.max(0, ic.cryptoPending - 1);
  const ta = crp.buf.subarray(10, 16);
  if (crp.etype !== 0) {
    // ccmp_decrypt: "AES-CCM decrypt failed; MIC mismatch" — counted; net80211 sends no event for CCMP.
    const mic = crp.etype === 77; // EBADMSG
    ic.stats[mic ? 'is_rx_ccmpmic' : 'is_rx_ccmpformat']++;
    ic.trace('rx-crypto-drop', crp.pktId, { why: mic ? 'MIC failure' : `engine error ${crp.etype}`, ta: macToString(ta), pn: c.pn.toString() });
    return;
  }
  if (c.pn <= c.key.wk_keyrsc[c.tid]!) {
    ieee80211_notify_replay_failure(ic, ta, crp.buf.subarray(4, 10), keyid(c.key), c.key.wk_keyrsc[c.tid]!, c.pn);
    ic.stats.is_rx_ccmpreplay++;
    ic.trace('rx-crypto-drop', crp.pktId, { why: 'replay', ta: macToString(ta), pn: c.pn.toString() });
    return;
  }
  c.key.wk_keyrsc[c.tid] = c.pn;
  const hdrLen = crp.hdrLen;
  const out = new Uint8Array(crp.buf.length - CCMP_HDR_LEN - CCMP_MIC_LEN);
  out.set(crp.buf.subarray(0, hdrLen), 0);
  out[1] = out[1]! & ~IEEE80211_FC1_WEP;
  out.set(crp.buf.subarray(crp.skip, crp.inject), hdrLen);
  c.rx?.(ctx, { data: out, pktId: crp.pktId, rcvif: ic.ifp });
}
