/**
 * What the WPA state machines (authenticator.ts, supplicant.ts) need from the program around them, as
 * hostapd's wpa_auth_callbacks / wpa_supplicant's wpa_sm_ctx. The state machines are synchronous: they call
 * these in order, and the program (hostapd.ts, wpa_supplicant.ts) turns them into BPF writes, ioctls and timers
 * in that order. Tests drive two machines against each other through a fake host.
 */

/** A key to install (IEEE80211_IOC_WPAKEY): the pairwise key of a peer or a group key by index. */
export interface KeyInstall {
  kind: 'pairwise' | 'group';
  /** Group key index 1…3 (0 for the pairwise key). */
  keyIndex: number;
  /** Peer address (pairwise) or ff:ff:ff:ff:ff:ff (group). */
  addr: Uint8Array;
  key: Uint8Array;
  /** Receive sequence counter to start from (Key RSC of message 3/4 or group 1/2), 6 octets little-endian used. */
  rsc: Uint8Array;
  /** Transmit with it (pairwise; the AP's group key). */
  tx: boolean;
}

export interface TimerHandle {
  cancel(): void;
}

export interface WpaHost {
  /** Current virtual time (ns). */
  now(): number;
  /** Send an EAPOL frame (payload after the EtherType) to `dst`. */
  sendEapol(dst: Uint8Array, frame: Uint8Array): void;
  installKey(k: KeyInstall): void;
  /** Open (true) or close the 802.1X controlled port for a peer (IEEE80211_MLME_AUTHORIZE/UNAUTHORIZE). */
  authorize(addr: Uint8Array, on: boolean): void;
  /** Deauthenticate a peer (IEEE80211_MLME_DEAUTH) with a reason code (9.4.1.7). */
  deauth(addr: Uint8Array, reason: number): void;
  /** Run `fn` after `ns` unless cancelled. */
  timeout(ns: number, fn: () => void): TimerHandle;
  /** `n` octets from the program's seeded random stream (nonces, GMK). */
  random(n: number): Uint8Array;
  /** A log line as the program prints it. */
  log(text: string): void;
}

/** Reason codes (802.11-2016 Table 9-45) the machines use. */
export const WLAN_REASON_UNSPECIFIED = 1;
export const WLAN_REASON_PREV_AUTH_NOT_VALID = 2;
export const WLAN_REASON_DEAUTH_LEAVING = 3;
export const WLAN_REASON_INVALID_IE = 13;
export const WLAN_REASON_MICHAEL_MIC_FAILURE = 14;
export const WLAN_REASON_4WAY_HANDSHAKE_TIMEOUT = 15;
export const WLAN_REASON_GROUP_KEY_UPDATE_TIMEOUT = 16;

export const BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

export function macStr(a: Uint8Array): string {
  return Array.from(a.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}

export const MS = 1_000_000;
export const SEC = 1_000_000_000;
