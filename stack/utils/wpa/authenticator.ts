/**
 * The RSN authenticator of hostapd (src/ap/wpa_auth.c) for WPA2-PSK with CCMP: per station the PTK state
 * machine (AUTHENTICATION2 → PTKSTART → PTKCALCNEGOTIATING → PTKINITNEGOTIATING → PTKINITDONE; the 4-way
 * handshake of 802.11-2016 12.7.6), per BSS the group state machine (GTK_INIT → SETKEYS → SETKEYSDONE) with the group-key
 * handshake (12.7.7) and rekeying every `wpa_group_rekey` seconds. Timeouts and retry counts are hostapd's:
 * the first EAPOL-Key after 100 ms, later ones after 1000 ms (eapol_key_timeout_first/_subseq), four tries
 * (dot11RSNAConfigPairwiseUpdateCount, dot11RSNAConfigGroupUpdateCount). Log lines use hostapd's wording
 * ("ral0: STA 00:..: WPA: …"), printed whatever hostapd's logger level (it shows some only with -d).
 */
import { aesWrap, deriveGtk, derivePtk, type Ptk } from './crypto';
import {
  emitEapolKey, gtkKde, padKeyData, parseEapolKey, parseRsnIe, RSN_AKM_PSK, RSN_CIPHER_SUITE_CCMP, verifyEapolKeyMic,
  WPA_KEY_INFO_ACK, WPA_KEY_INFO_ENCR_KEY_DATA, WPA_KEY_INFO_ERROR, WPA_KEY_INFO_INSTALL, WPA_KEY_INFO_KEY_TYPE,
  WPA_KEY_INFO_MIC, WPA_KEY_INFO_REQUEST, WPA_KEY_INFO_SECURE, WPA_KEY_INFO_TYPE_HMAC_SHA1_AES,
} from './eapol';
import {
  BROADCAST, macStr, MS, SEC, WLAN_REASON_4WAY_HANDSHAKE_TIMEOUT, WLAN_REASON_GROUP_KEY_UPDATE_TIMEOUT,
  WLAN_REASON_INVALID_IE, WLAN_REASON_MICHAEL_MIC_FAILURE, type TimerHandle, type WpaHost,
} from './sm-host';

export const EAPOL_KEY_TIMEOUT_FIRST_NS = 100 * MS;
export const EAPOL_KEY_TIMEOUT_SUBSEQ_NS = 1000 * MS;
export const PAIRWISE_UPDATE_COUNT = 4;
export const GROUP_UPDATE_COUNT = 4;
/** hostapd's TKIP countermeasures: a second Michael failure within 60 s stops the BSS for 60 s. */
export const MICHAEL_WINDOW_NS = 60 * SEC;

export interface AuthConfig {
  ifname: string;
  /** Our (the AP's) address, AA. */
  addr: Uint8Array;
  pmk: Uint8Array;
  /** Our RSN element as sent in beacons (and in message 3/4). */
  rsnIe: Uint8Array;
  /** wpa_group_rekey in seconds (0: never). */
  groupRekeySec: number;
  /** 802.1X version of frames we send (hostapd eapol_version, default 2). */
  eapolVersion: number;
}

type PtkState = 'AUTHENTICATION2' | 'PTKSTART' | 'PTKINITNEGOTIATING' | 'PTKINITDONE' | 'DISCONNECTED';

interface StaSm {
  addr: Uint8Array;
  rsnIe: Uint8Array;
  state: PtkState;
  anonce: Uint8Array;
  ptk: Ptk | null;
  replay: bigint;
  /** Replay counter of the message we wait an answer to (hostapd key_replay[0]). */
  pendingReplay: bigint | null;
  timeoutCtr: number;
  timer: TimerHandle | null;
  /** Group-key handshake in progress for this station. */
  groupPending: boolean;
  groupCtr: number;
  groupTimer: TimerHandle | null;
  /** Largest replay counter of a Request from the station (hostapd req_replay_counter). */
  reqReplay: bigint | null;
}

export interface AuthCounters {
  fourWayFailures: number;
  micFailures: number;
  replays: number;
  completed: number;
  groupRekeys: number;
}

export class Authenticator {
  private readonly stas = new Map<string, StaSm>();
  private gmk: Uint8Array;
  private gtk: Uint8Array;
  /** GN: the index of the current GTK (1 or 2, hostapd's GN/GM swap). */
  private gn = 1;
  private rekeyTimer: TimerHandle | null = null;
  /** The index of the GTK installed for transmission (0: none yet). */
  private gtkInstalledGn = 0;
  /**
   * The transmit sequence counter (PN) of the GTK as the stack last reported it (wpa_auth_get_seqnum, which
   * driver_bsd answers with IEEE80211_IOC_WPAKEY's ik_keytsc): the Key RSC of message 3/4. The program refreshes
   * it before each EAPOL frame is handled.
   */
  groupTsc = 0n;

  /** The key index of the GTK in use for transmission (what the program asks the TSC of). */
  get txGtkIndex(): number {
    return this.gtkInstalledGn;
  }
  private lastMichael = -Infinity;
  countermeasures = false;
  readonly counters: AuthCounters = { fourWayFailures: 0, micFailures: 0, replays: 0, completed: 0, groupRekeys: 0 };

  constructor(readonly cfg: AuthConfig, private readonly host: WpaHost) {
    this.gmk = host.random(32);
    this.gtk = deriveGtk(this.gmk, cfg.addr, host.random(32));
  }

  /** GTK_INIT: install the first group key for transmission (wpa_group_config_group_keys) and arm rekeying. */
  start(): void {
    this.installGtk();
    this.armRekey();
  }

  private log(addr: Uint8Array, text: string): void {
    this.host.log(`${this.cfg.ifname}: STA ${macStr(addr)} WPA: ${text}`);
  }

  private installGtk(): void {
    this.host.installKey({ kind: 'group', keyIndex: this.gn, addr: BROADCAST, key: this.gtk, rsc: new Uint8Array(8), tx: true });
    this.gtkInstalledGn = this.gn;
  }

  private armRekey(): void {
    this.rekeyTimer?.cancel();
    if (this.cfg.groupRekeySec > 0) this.rekeyTimer = this.host.timeout(this.cfg.groupRekeySec * SEC, () => this.rekey());
  }

  get stations(): readonly { addr: Uint8Array; state: string }[] {
    return [...this.stas.values()].map((s) => ({ addr: s.addr, state: s.state }));
  }

  /**
   * A station (re)associated with `ie` (its RSN element, IEEE80211_IOC_WPAIE): validate it as
   * wpa_validate_wpa_ie does, then start the 4-way handshake (wpa_auth_sta_associated). Returns false when the
   * station was refused (deauthenticated).
   */
  associated(addr: Uint8Array, ie: Uint8Array | null): boolean {
    this.drop(addr);
    const rsn = ie ? parseRsnIe(ie) : 'no RSN element';
    const bad =
      typeof rsn === 'string' ? rsn
      : rsn.group !== RSN_CIPHER_SUITE_CCMP ? 'invalid group cipher'
      : !rsn.pairwise.includes(RSN_CIPHER_SUITE_CCMP) ? 'invalid pairwise cipher'
      : !rsn.akm.includes(RSN_AKM_PSK) ? 'invalid key management' : null;
    if (bad || this.countermeasures || !ie) {
      this.log(addr, `${this.countermeasures ? 'TKIP countermeasures active' : bad} - reject association`);
      this.host.deauth(addr, this.countermeasures ? WLAN_REASON_MICHAEL_MIC_FAILURE : WLAN_REASON_INVALID_IE);
      return false;
    }
    const sm: StaSm = {
      addr: addr.slice(0, 6), rsnIe: ie.slice(), state: 'AUTHENTICATION2', anonce: this.host.random(32), ptk: null,
      replay: 0n, pendingReplay: null, timeoutCtr: 0, timer: null, groupPending: false, groupCtr: 0, groupTimer: null, reqReplay: null,
    };
    this.stas.set(macStr(addr), sm);
    // The port stays closed (only EAPOL passes) until PTKINITDONE.
    this.host.authorize(addr, false);
    this.ptkStart(sm);
    return true;
  }

  /** The station left (disassociated, deauthenticated, timed out): forget it (wpa_auth_sm_event DISASSOC). */
  disassociated(addr: Uint8Array): void {
    this.drop(addr);
  }

  private drop(addr: Uint8Array): void {
    const sm = this.stas.get(macStr(addr));
    if (!sm) return;
    sm.timer?.cancel();
    sm.groupTimer?.cancel();
    sm.state = 'DISCONNECTED';
    this.stas.delete(macStr(addr));
    this.groupDoneCheck();
  }

  private send(sm: StaSm, info: number, keyData: Uint8Array, opts: { nonce?: Uint8Array; mic: boolean; keyLength: number; rsc?: Uint8Array }): void {
    sm.replay += 1n;
    sm.pendingReplay = sm.replay;
    const f = emitEapolKey(
      {
        version: this.cfg.eapolVersion, keyInfo: info | WPA_KEY_INFO_TYPE_HMAC_SHA1_AES, keyLength: opts.keyLength,
        replayCounter: sm.replay, nonce: opts.nonce ?? new Uint8Array(32), iv: new Uint8Array(16), rsc: opts.rsc ?? new Uint8Array(8), keyData,
      },
      opts.mic && sm.ptk ? sm.ptk.kck : undefined,
    );
    this.host.sendEapol(sm.addr, f);
  }

  private armPtkTimer(sm: StaSm): void {
    sm.timer?.cancel();
    const ns = sm.timeoutCtr === 1 ? EAPOL_KEY_TIMEOUT_FIRST_NS : EAPOL_KEY_TIMEOUT_SUBSEQ_NS;
    sm.timer = this.host.timeout(ns, () => this.ptkTimeout(sm));
  }

  /** PTKSTART: message 1/4 with a fresh replay counter (hostapd keeps ANonce across retries). */
  private ptkStart(sm: StaSm): void {
    sm.state = 'PTKSTART';
    sm.timeoutCtr++;
    this.send(sm, WPA_KEY_INFO_ACK | WPA_KEY_INFO_KEY_TYPE, new Uint8Array(0), { nonce: sm.anonce, mic: false, keyLength: 16 });
    this.armPtkTimer(sm);
  }

  /** PTKINITNEGOTIATING: message 3/4 with our RSN element and the GTK, wrapped with the KEK. */
  private ptkInitNegotiating(sm: StaSm): void {
    sm.state = 'PTKINITNEGOTIATING';
    sm.timeoutCtr++;
    const kd = new Uint8Array([...this.cfg.rsnIe, ...gtkKde(this.gn, this.gtk)]);
    const info = WPA_KEY_INFO_KEY_TYPE | WPA_KEY_INFO_INSTALL | WPA_KEY_INFO_ACK | WPA_KEY_INFO_SECURE | WPA_KEY_INFO_ENCR_KEY_DATA;
    // Key RSC: the GTK's transmit sequence counter, so the station rejects group frames sent before it joined.
    const rsc = new Uint8Array(8);
    for (let i = 0; i < 6; i++) rsc[i] = Number((this.groupTsc >> BigInt(8 * i)) & 0xffn);
    this.send(sm, info, aesWrap(sm.ptk!.kek, padKeyData(kd)), { nonce: sm.anonce, mic: true, keyLength: 16, rsc });
    this.armPtkTimer(sm);
  }

  private ptkTimeout(sm: StaSm): void {
    sm.timer = null;
    if (this.stas.get(macStr(sm.addr)) !== sm) return;
    if (sm.timeoutCtr >= PAIRWISE_UPDATE_COUNT) {
      this.counters.fourWayFailures++;
      this.log(sm.addr, `${sm.state}: Retry limit ${PAIRWISE_UPDATE_COUNT} reached`);
      this.host.log(`${this.cfg.ifname}: AP-STA-POSSIBLE-PSK-MISMATCH ${macStr(sm.addr)}`);
      this.log(sm.addr, '4-Way Handshake failed - deauthenticating (reason 15)');
      this.drop(sm.addr);
      this.host.deauth(sm.addr, WLAN_REASON_4WAY_HANDSHAKE_TIMEOUT);
      return;
    }
    this.log(sm.addr, 'EAPOL-Key timeout');
    if (sm.state === 'PTKSTART') this.ptkStart(sm);
    else if (sm.state === 'PTKINITNEGOTIATING') this.ptkInitNegotiating(sm);
  }

  /** An EAPOL frame from a station (wpa_receive). */
  receive(from: Uint8Array, frame: Uint8Array): void {
    const sm = this.stas.get(macStr(from));
    if (!sm) return;
    const k = parseEapolKey(frame);
    if (typeof k === 'string') {
      this.log(from, `dropped EAPOL frame: ${k}`);
      return;
    }
    const pairwise = (k.keyInfo & WPA_KEY_INFO_KEY_TYPE) !== 0;
    if (!(k.keyInfo & WPA_KEY_INFO_MIC) || k.keyInfo & WPA_KEY_INFO_ACK) {
      this.log(from, 'received EAPOL-Key without MIC or with Ack - dropped');
      return;
    }
    if (k.keyInfo & WPA_KEY_INFO_REQUEST) return this.request(sm, k.keyInfo, k.replayCounter, frame);
    const msg = !pairwise ? 'group 2/2' : sm.state === 'PTKSTART' ? '2/4' : sm.state === 'PTKINITNEGOTIATING' ? '4/4' : null;
    if (msg === null || (msg === 'group 2/2' && !sm.groupPending)) {
      this.log(from, `received EAPOL-Key frame in unexpected state ${sm.state} - dropped`);
      return;
    }
    if (sm.pendingReplay === null || k.replayCounter !== sm.pendingReplay) {
      this.counters.replays++;
      this.log(from, `received EAPOL-Key ${msg} with unexpected replay counter`);
      return;
    }
    if (msg === '2/4') {
      const ptk = derivePtk(this.cfg.pmk, this.cfg.addr, sm.addr, sm.anonce, k.nonce);
      if (!verifyEapolKeyMic(ptk.kck, frame)) {
        this.counters.micFailures++;
        this.log(from, 'invalid MIC in msg 2/4 of 4-Way Handshake');
        return;
      }
      const ie = k.keyData.subarray(0, 2 + (k.keyData[1] ?? 0));
      if (ie.length !== sm.rsnIe.length || ie.some((b, i) => b !== sm.rsnIe[i])) {
        this.log(from, 'WPA IE from (Re)AssocReq did not match with msg 2/4');
        this.drop(sm.addr);
        this.host.deauth(sm.addr, WLAN_REASON_INVALID_IE);
        return;
      }
      sm.ptk = ptk;
      sm.timeoutCtr = 0;
      sm.pendingReplay = null;
      this.ptkInitNegotiating(sm);
      return;
    }
    if (!sm.ptk || !verifyEapolKeyMic(sm.ptk.kck, frame)) {
      this.counters.micFailures++;
      this.log(from, `invalid MIC in msg ${msg} of ${msg === '4/4' ? '4-Way' : 'Group Key'} Handshake`);
      return;
    }
    sm.pendingReplay = null;
    if (msg === '4/4') {
      sm.timer?.cancel();
      sm.timer = null;
      sm.state = 'PTKINITDONE';
      sm.timeoutCtr = 0;
      this.host.installKey({ kind: 'pairwise', keyIndex: 0, addr: sm.addr, key: sm.ptk.tk, rsc: new Uint8Array(8), tx: true });
      this.host.authorize(sm.addr, true);
      this.counters.completed++;
      this.log(sm.addr, 'pairwise key handshake completed (RSN)');
      this.host.log(`${this.cfg.ifname}: AP-STA-CONNECTED ${macStr(sm.addr)}`);
      return;
    }
    sm.groupTimer?.cancel();
    sm.groupTimer = null;
    sm.groupPending = false;
    this.log(sm.addr, 'group key handshake completed (RSN)');
    this.groupDoneCheck();
  }

  /** EAPOL-Key Request: Error = the station saw a Michael MIC failure; otherwise a request for a new GTK. */
  private request(sm: StaSm, info: number, replay: bigint, frame: Uint8Array): void {
    if (!sm.ptk || !verifyEapolKeyMic(sm.ptk.kck, frame)) {
      this.log(sm.addr, 'received EAPOL-Key Request with invalid MIC');
      return;
    }
    if (sm.reqReplay !== null && replay <= sm.reqReplay) {
      this.counters.replays++;
      this.log(sm.addr, 'received EAPOL-Key request with replayed counter');
      return;
    }
    sm.reqReplay = replay;
    if (sm.state === 'PTKINITDONE' && info & WPA_KEY_INFO_ERROR) {
      this.log(sm.addr, `received EAPOL-Key Error Request (STA detected Michael MIC failure (group=${info & WPA_KEY_INFO_KEY_TYPE ? 0 : 1}))`);
      this.michaelFailure(sm.addr);
    } else if (!(info & WPA_KEY_INFO_KEY_TYPE)) this.rekey();
  }

  /**
   * A MIC failure reported by the stack (RTM_IEEE80211_MICHAEL) or a station: hostapd's michael_mic_failure —
   * a second one within 60 s starts countermeasures: every station deauthenticated (reason 14), no
   * associations for 60 s (ieee80211_tkip_countermeasures_start).
   */
  michaelFailure(addr: Uint8Array): void {
    const now = this.host.now();
    this.host.log(`${this.cfg.ifname}: STA ${macStr(addr)} IEEE 802.11: Michael MIC failure detected`);
    if (now - this.lastMichael <= MICHAEL_WINDOW_NS && !this.countermeasures) {
      this.countermeasures = true;
      this.host.log(`${this.cfg.ifname}: TKIP countermeasures initiated`);
      for (const sm of [...this.stas.values()]) {
        this.drop(sm.addr);
        this.host.deauth(sm.addr, WLAN_REASON_MICHAEL_MIC_FAILURE);
      }
      this.host.timeout(MICHAEL_WINDOW_NS, () => {
        this.countermeasures = false;
        this.host.log(`${this.cfg.ifname}: TKIP countermeasures stopped`);
      });
    }
    this.lastMichael = now;
  }

  /** GTK rekey (SETKEYS): new GTK at the other index, group 1/2 to every station that completed the 4-way. */
  rekey(): void {
    this.gn = this.gn === 1 ? 2 : 1;
    this.gtk = deriveGtk(this.gmk, this.cfg.addr, this.host.random(32));
    this.counters.groupRekeys++;
    let n = 0;
    for (const sm of this.stas.values()) {
      if (sm.state !== 'PTKINITDONE') continue;
      sm.groupPending = true;
      sm.groupCtr = 0;
      this.sendGroup1(sm);
      n++;
    }
    if (n === 0) this.installGtk();
    this.armRekey();
  }

  private sendGroup1(sm: StaSm): void {
    sm.groupCtr++;
    const info = WPA_KEY_INFO_ACK | WPA_KEY_INFO_SECURE | WPA_KEY_INFO_ENCR_KEY_DATA;
    this.send(sm, info, aesWrap(sm.ptk!.kek, padKeyData(gtkKde(this.gn, this.gtk))), { mic: true, keyLength: 0 });
    sm.groupTimer?.cancel();
    sm.groupTimer = this.host.timeout(sm.groupCtr === 1 ? EAPOL_KEY_TIMEOUT_FIRST_NS : EAPOL_KEY_TIMEOUT_SUBSEQ_NS, () => {
      sm.groupTimer = null;
      if (!sm.groupPending || this.stas.get(macStr(sm.addr)) !== sm) return;
      if (sm.groupCtr >= GROUP_UPDATE_COUNT) {
        this.log(sm.addr, `REKEYNEGOTIATING: Retry limit ${GROUP_UPDATE_COUNT} reached`);
        this.drop(sm.addr);
        this.host.deauth(sm.addr, WLAN_REASON_GROUP_KEY_UPDATE_TIMEOUT);
        return;
      }
      this.sendGroup1(sm);
    });
  }

  /** SETKEYSDONE when no station still negotiates: the new GTK becomes the transmit key. */
  private groupDoneCheck(): void {
    if (this.gtkInstalledGn === this.gn || [...this.stas.values()].some((s) => s.groupPending)) return;
    this.installGtk();
  }

  stop(): void {
    this.rekeyTimer?.cancel();
    for (const sm of [...this.stas.values()]) this.drop(sm.addr);
  }
}
