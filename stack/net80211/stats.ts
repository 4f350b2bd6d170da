/**
 * struct ieee80211_stats (net80211/ieee80211_ioctl.h): why frames were dropped or handled, as
 * `ifconfig -v`'s 802.11 statistics print them (ieee80211_statistics in sbin/ifconfig/ieee80211.c).
 */

/**
 * Counter name → the text NetBSD's ifconfig prints for it (ieee80211_statistics), in its order. The crypto,
 * power-save and IBSS-merge counters exist for the WPA issue and stay 0 here. is_beacon_miss is not in
 * NetBSD 4's list (its net80211 has no beacon-miss handling); it is printed last.
 */
export const IEEE80211_STAT_TEXT = {
  is_rx_badversion: 'rx frame with bad version',
  is_rx_tooshort: 'rx frame too short',
  is_rx_wrongbss: 'rx from wrong bssid',
  is_rx_dup: "rx discard 'cuz dup",
  is_rx_wrongdir: 'rx w/ wrong direction',
  is_rx_mcastecho: "rx discard 'cuz mcast echo",
  is_rx_notassoc: "rx discard 'cuz sta !assoc",
  is_rx_noprivacy: 'rx w/ wep but privacy off',
  is_rx_unencrypted: 'rx w/o wep and privacy on',
  is_rx_wepfail: 'rx wep processing failed',
  is_rx_decap: 'rx decapsulation failed',
  is_rx_mgtdiscard: 'rx discard mgt frames',
  is_rx_ctl: 'rx discard ctrl frames',
  is_rx_beacon: 'rx beacon frames',
  is_rx_rstoobig: 'rx rate set truncated',
  is_rx_elem_missing: 'rx required element missin',
  is_rx_elem_toobig: 'rx element too big',
  is_rx_elem_toosmall: 'rx element too small',
  is_rx_elem_unknown: 'rx element unknown',
  is_rx_badchan: 'rx frame w/ invalid chan',
  is_rx_chanmismatch: 'rx frame chan mismatch',
  is_rx_nodealloc: 'rx frame dropped',
  is_rx_ssidmismatch: 'rx frame ssid mismatch ',
  is_rx_auth_unsupported: 'rx w/ unsupported auth alg',
  is_rx_auth_fail: 'rx sta auth failure',
  is_rx_auth_countermeasures: "rx auth discard 'cuz CM",
  is_rx_assoc_bss: 'rx assoc from wrong bssid',
  is_rx_assoc_notauth: 'rx assoc w/o auth',
  is_rx_assoc_capmismatch: 'rx assoc w/ cap mismatch',
  is_rx_assoc_norate: 'rx assoc w/ no rate match',
  is_rx_assoc_badwpaie: 'rx assoc w/ bad WPA IE',
  is_rx_deauth: 'rx deauthentication',
  is_rx_disassoc: 'rx disassociation',
  is_rx_badsubtype: 'rx frame w/ unknown subtyp',
  is_rx_nobuf: 'rx failed for lack of buf',
  is_rx_decryptcrc: 'rx decrypt failed on crc',
  is_rx_ahdemo_mgt: 'rx discard ahdemo mgt fram',
  is_rx_bad_auth: 'rx bad auth request',
  is_rx_unauth: 'rx on unauthorized port',
  is_rx_badkeyid: 'rx w/ incorrect keyid',
  is_rx_ccmpreplay: 'rx seq# violation (CCMP)',
  is_rx_ccmpformat: 'rx format bad (CCMP)',
  is_rx_ccmpmic: 'rx MIC check failed (CCMP)',
  is_rx_tkipreplay: 'rx seq# violation (TKIP)',
  is_rx_tkipformat: 'rx format bad (TKIP)',
  is_rx_tkipmic: 'rx MIC check failed (TKIP)',
  is_rx_tkipicv: 'rx ICV check failed (TKIP)',
  is_rx_badcipher: "rx failed 'cuz key type",
  is_rx_nocipherctx: "rx failed 'cuz key !setup",
  is_rx_acl: "rx discard 'cuz acl policy",
  is_tx_nobuf: 'tx failed for lack of buf',
  is_tx_nonode: 'tx failed for no node',
  is_tx_unknownmgt: 'tx of unknown mgt frame',
  is_tx_badcipher: "tx failed 'cuz key type",
  is_tx_nodefkey: "tx failed 'cuz no defkey",
  is_tx_noheadroom: "tx failed 'cuz no space",
  is_scan_active: 'active scans started',
  is_scan_passive: 'passive scans started',
  is_node_timeout: 'nodes timed out inactivity',
  is_crypto_nomem: 'no memory for crypto ctx',
  is_crypto_tkip: 'tkip crypto done in s/w',
  is_crypto_tkipenmic: 'tkip en-MIC done in s/w',
  is_crypto_tkipdemic: 'tkip de-MIC done in s/w',
  is_crypto_tkipcm: 'tkip counter measures',
  is_crypto_ccmp: 'ccmp crypto done in s/w',
  is_crypto_wep: 'wep crypto done in s/w',
  is_crypto_setkey_cipher: 'cipher rejected key',
  is_crypto_setkey_nokey: 'no key index for setkey',
  is_crypto_delkey: 'driver key delete failed',
  is_crypto_badcipher: 'unknown cipher',
  is_crypto_nocipher: 'cipher not available',
  is_crypto_attachfail: 'cipher attach failed',
  is_crypto_swfallback: 'cipher fallback to s/w',
  is_crypto_keyfail: 'driver key alloc failed',
  is_crypto_enmicfail: 'en-MIC failed',
  is_ibss_capmismatch: 'merge failed-cap mismatch',
  is_ibss_norate: 'merge failed-rate mismatch',
  is_ps_unassoc: 'ps-poll for unassoc. sta',
  is_ps_badaid: 'ps-poll w/ incorrect aid',
  is_ps_qempty: 'ps-poll w/ nothing to send',
  is_beacon_miss: 'beacon miss events handled',
} as const;

export type Ieee80211StatName = keyof typeof IEEE80211_STAT_TEXT;
export type Ieee80211Stats = Record<Ieee80211StatName, number>;

export function newIeee80211Stats(): Ieee80211Stats {
  const s = {} as Ieee80211Stats;
  for (const k of Object.keys(IEEE80211_STAT_TEXT) as Ieee80211StatName[]) s[k] = 0;
  return s;
}
