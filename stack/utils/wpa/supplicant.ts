/**
 * The RSN supplicant of wpa_supplicant (src/rsn_supp/wpa.c, wpa_supplicant/events.c) for WPA2-PSK with CCMP:
 * message 1/4 → 2/4 (SNonce, our RSN element, MIC with the new PTK), 3/4 → 4/4 (MIC check, ANonce check,
 * GTK unwrapped with the KEK, keys installed after 4/4 is sent, port authorized), group 1/2 → 2/2 (rekey),
 * replay counters (12.7.2: a received counter must be larger than any seen with a valid MIC), the 10 s
 * authentication timeout, and a Michael MIC failure reported to the AP with an EAPOL-Key Error Request.
 * States and log lines are wpa_supplicant's (wpa_state names as `wpa_cli status` prints them); only its
 * MSG_INFO-level lines are printed, not the debug ones (-d).
 */
import { aesUnwrap, bytesEqual, derivePtk, type Ptk } from './crypto';
import {
  emitEapolKey, parseEapolKey, parseKeyData, verifyEapolKeyMic, WPA_KEY_INFO_ACK, WPA_KEY_INFO_ENCR_KEY_DATA,
  WPA_KEY_INFO_ERROR, WPA_KEY_INFO_INSTALL, WPA_KEY_INFO_KEY_TYPE, WPA_KEY_INFO_MIC, WPA_KEY_INFO_REQUEST,
  WPA_KEY_INFO_SECURE, WPA_KEY_INFO_TYPE_HMAC_SHA1_AES,
} from './eapol';
import { BROADCAST, macStr, SEC, WLAN_REASON_DEAUTH_LEAVING, type TimerHandle, type WpaHost } from './sm-host';

export type WpaState =
  | 'DISCONNECTED' | 'INACTIVE' | 'SCANNING' | 'AUTHENTICATING' | 'ASSOCIATING' | 'ASSOCIATED' | '4WAY_HANDSHAKE'
  | 'GROUP_HANDSHAKE' | 'COMPLETED';

/** wpa_supplicant_req_auth_timeout after association: 10 s for WPA-PSK. */
export const AUTH_TIMEOUT_NS = 10 * SEC;

export interface SuppConfig {
  ifname: string;
  /** Our address (SPA). */
  addr: Uint8Array;
  pmk: Uint8Array;
  /** Our RSN element (the one in our association request). */
  rsnIe: Uint8Array;
  ssid: string;
  /** wpa_supplicant's eapol_version (default 1). */
  eapolVersion: number;
}

export interface SuppCounters {
  micFailures: number;
  replays: number;
  handshakes: number;
  rekeys: number;
}

export class Supplicant {
  state: WpaState = 'DISCONNECTED';
  bssid: Uint8Array | null = null;
  private anonce: Uint8Array | null = null;
  private snonce: Uint8Array | null = null;
  private tptk: Ptk | null = null;
  ptk: Ptk | null = null;
  /** Largest replay counter received with a valid MIC (null: none yet in this association). */
  private rxReplay: bigint | null = null;
  private txReplay = 0n;
  private authTimer: TimerHandle | null = null;
  gtkIndex = 0;
  readonly counters: SuppCounters = { micFailures: 0, replays: 0, handshakes: 0, rekeys: 0 };

  constructor(readonly cfg: SuppConfig, private readonly host: WpaHost) {}

  private log(text: string): void {
    this.host.log(`${this.cfg.ifname}: ${text}`);
  }

  /** wpa_supplicant_set_state (its "State: A -> B" line is debug output, not printed here). */
  private setState(s: WpaState): void {
    this.state = s;
  }

  /** The driver reports an association (RTM_IEEE80211_ASSOC/REASSOC): wpa_supplicant_event_assoc. */
  associated(bssid: Uint8Array): void {
    this.bssid = bssid.slice(0, 6);
    this.log(`Associated with ${macStr(bssid)}`);
    this.anonce = this.snonce = this.tptk = this.ptk = null;
    this.rxReplay = null;
    this.setState('ASSOCIATED');
    this.authTimer?.cancel();
    this.authTimer = this.host.timeout(AUTH_TIMEOUT_NS, () => {
      this.authTimer = null;
      if (this.state === 'COMPLETED' || !this.bssid) return;
      this.log(`Authentication with ${macStr(this.bssid)} timed out.`);
      this.host.deauth(this.bssid, WLAN_REASON_DEAUTH_LEAVING);
      this.disassociated(WLAN_REASON_DEAUTH_LEAVING, true);
    });
  }

  /**
   * The link went (RTM_IEEE80211_DISASSOC/LEAVE): wpa_supplicant_event_disassoc — the disconnect event, then,
   * if it happened during the 4-way handshake of a PSK network, the likely cause. `onDisconnect` (the program's
   * hook: temporary disabling, the next scan) hears whether it was that.
   */
  disassociated(reason: number, locallyGenerated = false): void {
    if (this.state === 'DISCONNECTED') return;
    const fourWay = this.state === '4WAY_HANDSHAKE';
    const b = this.bssid ? macStr(this.bssid) : '00:00:00:00:00:00';
    this.log(`CTRL-EVENT-DISCONNECTED bssid=${b} reason=${reason}${locallyGenerated ? ' locally_generated=1' : ''}`);
    if (fourWay) this.log('WPA: 4-Way Handshake failed - pre-shared key may be incorrect');
    this.authTimer?.cancel();
    this.authTimer = null;
    this.anonce = this.snonce = this.tptk = this.ptk = null;
    this.setState('DISCONNECTED');
    this.onDisconnect?.(fourWay);
  }

  onDisconnect: ((fourWayFailed: boolean) => void) | null = null;

  private sendKey(info: number, replay: bigint, nonce: Uint8Array | null, keyData: Uint8Array, kck: Uint8Array): void {
    const f = emitEapolKey(
      {
        version: this.cfg.eapolVersion, keyInfo: info | WPA_KEY_INFO_TYPE_HMAC_SHA1_AES, keyLength: 0, replayCounter: replay,
        nonce: nonce ?? new Uint8Array(32), iv: new Uint8Array(16), rsc: new Uint8Array(8), keyData,
      },
      kck,
    );
    this.host.sendEapol(this.bssid!, f);
  }

  /** An EAPOL frame from the AP (wpa_sm_rx_eapol). */
  receive(from: Uint8Array, frame: Uint8Array): void {
    if (!this.bssid || !bytesEqual(from.subarray(0, 6), this.bssid) || this.state === 'DISCONNECTED') return;
    const k = parseEapolKey(frame);
    if (typeof k === 'string') {
      this.log(`WPA: dropped EAPOL frame: ${k}`);
      return;
    }
    if ((k.keyInfo & 7) !== WPA_KEY_INFO_TYPE_HMAC_SHA1_AES) {
      this.log(`WPA: Unsupported EAPOL-Key descriptor version ${k.keyInfo & 7}`);
      return;
    }
    if (!(k.keyInfo & WPA_KEY_INFO_ACK) || k.keyInfo & WPA_KEY_INFO_REQUEST) return;
    if (this.rxReplay !== null && k.replayCounter <= this.rxReplay) {
      this.counters.replays++;
      this.log('WPA: EAPOL-Key Replay Counter did not increase - dropping packet');
      return;
    }
    if (k.keyInfo & WPA_KEY_INFO_MIC) {
      const kck = this.tptk?.kck ?? this.ptk?.kck;
      if (!kck || !verifyEapolKeyMic(kck, frame)) {
        this.counters.micFailures++;
        this.log('WPA: Invalid EAPOL-Key MIC - dropping packet');
        return;
      }
    }
    const pairwise = (k.keyInfo & WPA_KEY_INFO_KEY_TYPE) !== 0;
    if (pairwise && !(k.keyInfo & WPA_KEY_INFO_MIC)) return this.msg1(from, k.replayCounter, k.nonce);
    this.rxReplay = k.replayCounter;
    if (pairwise) return this.msg3(k.keyInfo, k.replayCounter, k.nonce, k.rsc, k.keyData);
    this.group1(k.keyInfo, k.replayCounter, k.rsc, k.keyData);
  }

  /** Message 1/4 (wpa_supplicant_process_1_of_4): new SNonce once per association, TPTK, message 2/4. */
  private msg1(from: Uint8Array, replay: bigint, anonce: Uint8Array): void {
    if (this.state !== 'COMPLETED') this.setState('4WAY_HANDSHAKE');
    if (!this.snonce) this.snonce = this.host.random(32);
    this.anonce = anonce;
    this.tptk = derivePtk(this.cfg.pmk, from, this.cfg.addr, anonce, this.snonce);
    // Message 1 carries no MIC, so it does not update the replay counter (12.7.6.2).
    this.sendKey(WPA_KEY_INFO_KEY_TYPE, replay, this.snonce, this.cfg.rsnIe, this.tptk.kck);
  }

  /** Message 3/4 (wpa_supplicant_process_3_of_4). */
  private msg3(info: number, replay: bigint, anonce: Uint8Array, rsc: Uint8Array, keyData: Uint8Array): void {
    if (!this.anonce || !this.tptk || !bytesEqual(anonce, this.anonce)) {
      this.log('WPA: ANonce from message 1 of 4-Way Handshake differs from 3 of 4-Way Handshake - drop packet');
      return;
    }
    if (!(info & WPA_KEY_INFO_ENCR_KEY_DATA) || !(info & WPA_KEY_INFO_INSTALL)) {
      this.log('WPA: Invalid message 3/4 (no Install or unencrypted Key Data) - dropping');
      return;
    }
    const plain = aesUnwrap(this.tptk.kek, keyData);
    if (!plain) {
      this.log('WPA: AES unwrap failed - could not decrypt EAPOL-Key key data');
      return;
    }
    const kd = parseKeyData(plain);
    if (!kd.gtk) {
      this.log('WPA: No GTK in message 3/4');
      return;
    }
    this.ptk = this.tptk;
    this.tptk = null;
    // 4/4 goes out before the keys are installed, so it leaves unencrypted (wpa_supplicant_send_4_of_4 first).
    this.sendKey(WPA_KEY_INFO_KEY_TYPE | WPA_KEY_INFO_SECURE, replay, null, new Uint8Array(0), this.ptk.kck);
    this.host.installKey({ kind: 'pairwise', keyIndex: 0, addr: this.bssid!, key: this.ptk.tk, rsc: new Uint8Array(8), tx: true });
    this.installGtk(kd.gtk.keyId, kd.gtk.key, rsc);
    this.host.authorize(this.bssid!, true);
    this.authTimer?.cancel();
    this.authTimer = null;
    this.counters.handshakes++;
    this.setState('COMPLETED');
    this.log(`WPA: Key negotiation completed with ${macStr(this.bssid!)} [PTK=CCMP GTK=CCMP]`);
    this.log(`CTRL-EVENT-CONNECTED - Connection to ${macStr(this.bssid!)} completed [id=0 id_str=]`);
  }

  private installGtk(keyId: number, key: Uint8Array, rsc: Uint8Array): void {
    this.gtkIndex = keyId;
    this.host.installKey({ kind: 'group', keyIndex: keyId, addr: BROADCAST, key, rsc, tx: false });
  }

  /** Group message 1/2 (wpa_supplicant_process_1_of_2). */
  private group1(info: number, replay: bigint, rsc: Uint8Array, keyData: Uint8Array): void {
    if (!this.ptk || !(info & WPA_KEY_INFO_ENCR_KEY_DATA)) return;
    const plain = aesUnwrap(this.ptk.kek, keyData);
    const kd = plain ? parseKeyData(plain) : null;
    if (!kd?.gtk) {
      this.log('WPA: Group Key Handshake: could not decrypt or find the GTK - dropping');
      return;
    }
    this.setState('GROUP_HANDSHAKE');
    this.installGtk(kd.gtk.keyId, kd.gtk.key, rsc);
    this.sendKey(WPA_KEY_INFO_SECURE, replay, null, new Uint8Array(0), this.ptk.kck);
    this.counters.rekeys++;
    this.log(`WPA: Group rekeying completed with ${macStr(this.bssid!)} [GTK=CCMP]`);
    this.setState('COMPLETED');
  }

  /** The stack saw a MIC failure (RTM_IEEE80211_MICHAEL): report it to the AP (wpa_sm_key_request, error=1). */
  michaelFailure(group: boolean): void {
    if (!this.ptk || !this.bssid) return;
    this.log(`WPA: Michael MIC failure detected (${group ? 'group' : 'pairwise'})`);
    this.txReplay += 1n;
    const info = WPA_KEY_INFO_REQUEST | WPA_KEY_INFO_ERROR | WPA_KEY_INFO_SECURE | (group ? 0 : WPA_KEY_INFO_KEY_TYPE);
    this.sendKey(info, this.txReplay, null, new Uint8Array(0), this.ptk.kck);
  }
}
