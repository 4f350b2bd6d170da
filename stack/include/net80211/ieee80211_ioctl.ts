/**
 * <net80211/ieee80211_ioctl.h>, <net80211/ieee80211_crypto.h> (the user-visible part) and the 802.11 part of
 * <net/route.h>: what wpa_supplicant, hostapd and ifconfig use to drive io-pkt's 802.11 layer (NetBSD/FreeBSD
 * net80211 of the QNX 6.x era; values from those headers).
 *
 * HOW A PROGRAM USES IT (through libsocket's ioctl on any socket of the stack, as hostapd's driver_bsd.c does):
 *   set:  ioctl(ctx, s, 'SIOCS80211', { name: 'ral0', type: IEEE80211_IOC_WPAKEY, val: 0, len: 0, data: key })
 *   get:  r = ioctl(ctx, s, 'SIOCG80211', { name: 'ral0', type: IEEE80211_IOC_WPAIE, data: { wpa_macaddr } })
 *         → r.data is Ieee80211reqReply: { val } for flags, the struct for WPAKEY/WPAIE/APPIE.
 *   i_type values below; `val` is i_val; `data` is i_data (the struct, not a pointer).
 *   Errors: errno as net80211 sets them (EINVAL bad argument, ENOENT no such node/key, ENXIO key slot).
 *
 * ROUTING-SOCKET EVENTS: a socket(AF_ROUTE, SOCK_RAW, 0) reads RTM_IEEE80211 messages as bytes:
 * struct if_announcemsghdr (IF_ANNOUNCEMSGHDR_LEN bytes) followed by the event struct; parseRtIeee80211Msg
 * decodes one.
 */

// ---- ioctl requests (struct ieee80211req i_type) -----------------------------------------------------------

export const IEEE80211_IOC_SSID = 1;
export const IEEE80211_IOC_AUTHMODE = 7;
export const IEEE80211_IOC_CHANNEL = 9;
export const IEEE80211_IOC_BSSID = 15;
export const IEEE80211_IOC_ROAMING = 16;
/** Privacy invoked: the Privacy capability bit, and data frames protected when a key exists. */
export const IEEE80211_IOC_PRIVACY = 17;
/** Discard unencrypted data frames (EAPOL excepted). */
export const IEEE80211_IOC_DROPUNENCRYPTED = 18;
/** Set (SIOCS80211) or get (SIOCG80211: TSC/RSC) a key: Ieee80211reqKey. */
export const IEEE80211_IOC_WPAKEY = 19;
/** Delete a key by index or by address: Ieee80211reqDelKey. */
export const IEEE80211_IOC_DELKEY = 20;
/** MLME request: Ieee80211reqMlme. */
export const IEEE80211_IOC_MLME = 21;
/** Station: the IE for (re)association requests (older net80211; IEEE80211_IOC_APPIE is the newer name). */
export const IEEE80211_IOC_OPTIE = 22;
export const IEEE80211_IOC_COUNTERMEASURES = 25;
/** WPA mode: 0 off, 1 WPA, 2 RSN (WPA2), 3 both. */
export const IEEE80211_IOC_WPA = 26;
export const IEEE80211_IOC_HIDESSID = 29;
export const IEEE80211_IOC_APBRIDGE = 30;
/** An associated station's WPA/RSN IE (SIOCG80211, hostapd): Ieee80211reqWpaie. */
export const IEEE80211_IOC_WPAIE = 39;
/** Application IEs (i_val = frame types, IEEE80211_APPIE_WPA for the WPA/RSN IE): data = the IE bytes. */
export const IEEE80211_IOC_APPIE = 95;

/** i_val of IEEE80211_IOC_APPIE for the WPA/RSN IE (beacons and probe responses of an AP; a station's assoc request). */
export const IEEE80211_APPIE_WPA = 0x00 | 0x80 | 0x50; // IEEE80211_FC0_TYPE_MGT | SUBTYPE_BEACON | SUBTYPE_PROBE_RESP
export const IEEE80211_MAX_APPIE = 1024;
export const IEEE80211_MAX_OPT_IE = 256;

/** IEEE80211_IOC_ROAMING values. */
export const IEEE80211_ROAMING_DEVICE = 0;
export const IEEE80211_ROAMING_AUTO = 1;
export const IEEE80211_ROAMING_MANUAL = 2;

// ---- keys (ieee80211_crypto.h) -------------------------------------------------------------------------------

/** Cipher types (ik_type, iev_cipher). */
export const IEEE80211_CIPHER_WEP = 0;
export const IEEE80211_CIPHER_TKIP = 1;
export const IEEE80211_CIPHER_AES_OCB = 2;
export const IEEE80211_CIPHER_AES_CCM = 3;
export const IEEE80211_CIPHER_CKIP = 5;
export const IEEE80211_CIPHER_NONE = 6;

/** Key slots: 4 global (group/default) keys; IEEE80211_KEYIX_NONE names a pairwise key by address. */
export const IEEE80211_WEP_NKID = 4;
export const IEEE80211_KEYIX_NONE = 0xffff;
export const IEEE80211_KEYBUF_SIZE = 16;
export const IEEE80211_MICBUF_SIZE = 16;

/** ik_flags / wk_flags. */
export const IEEE80211_KEY_XMIT = 0x01;
export const IEEE80211_KEY_RECV = 0x02;
export const IEEE80211_KEY_GROUP = 0x04;
export const IEEE80211_KEY_SWCRYPT = 0x10;
export const IEEE80211_KEY_SWMIC = 0x20;
/** ik_flags only: make this global key the default transmit key. */
export const IEEE80211_KEY_DEFAULT = 0x80;

/** struct ieee80211req_key. */
export interface Ieee80211reqKey {
  ik_type: number;
  /** 0…3 for a global key; IEEE80211_KEYIX_NONE for the pairwise key of ik_macaddr. */
  ik_keyix: number;
  ik_keylen: number;
  ik_flags: number;
  /** Pairwise: the peer (station on an AP, the BSSID on a station); group: ff:ff:ff:ff:ff:ff. */
  ik_macaddr: Uint8Array;
  /** Receive sequence counter (PN) to start from. */
  ik_keyrsc: bigint;
  /** Transmit sequence counter (PN) — what SIOCG80211 answers, e.g. hostapd's GTK RSC for message 3. */
  ik_keytsc: bigint;
  ik_keydata: Uint8Array;
}

/** struct ieee80211req_del_key. */
export interface Ieee80211reqDelKey {
  idk_keyix: number;
  idk_macaddr: Uint8Array;
}

/** struct ieee80211req_mlme im_op. */
export const IEEE80211_MLME_ASSOC = 1;
export const IEEE80211_MLME_DISASSOC = 2;
export const IEEE80211_MLME_DEAUTH = 3;
export const IEEE80211_MLME_AUTHORIZE = 4;
export const IEEE80211_MLME_UNAUTHORIZE = 5;

/** struct ieee80211req_mlme. */
export interface Ieee80211reqMlme {
  im_op: number;
  im_ssid_len?: number;
  /** 802.11 reason code (DISASSOC/DEAUTH). */
  im_reason?: number;
  /** The station (AP side) or the BSSID (ASSOC). */
  im_macaddr: Uint8Array;
  im_ssid?: Uint8Array;
}

/** struct ieee80211req_wpaie: SIOCG80211 IEEE80211_IOC_WPAIE answers the IE the station associated with. */
export interface Ieee80211reqWpaie {
  wpa_macaddr: Uint8Array;
  /** WPA (vendor) IE, empty if none. */
  wpa_ie: Uint8Array;
  /** RSN IE (element 48), empty if none. */
  rsn_ie: Uint8Array;
}

/** struct ieee80211req (the ioctl argument; `name` is i_name). */
export interface Ieee80211req {
  name: string;
  type: number;
  val?: number;
  len?: number;
  data?: Ieee80211reqKey | Ieee80211reqDelKey | Ieee80211reqMlme | Ieee80211reqWpaie | Uint8Array | { wpa_macaddr: Uint8Array } | { ik_keyix: number; ik_macaddr: Uint8Array };
}

/** What SIOCG80211 answers in the reply's data. */
export interface Ieee80211reqReply {
  val?: number;
  len?: number;
  data?: Ieee80211reqKey | Ieee80211reqWpaie | Uint8Array;
}

// ---- routing-socket events (net/route.h, net80211/ieee80211_ioctl.h) ---------------------------------------

/** rtm_type of 802.11 events (NetBSD net/route.h), and the message version. */
export const RTM_IEEE80211 = 0x11;
/** RTM_VERSION *(I)*: NetBSD's value for the if_announcemsghdr era. */
export const RTM_VERSION = 4;

/** ifan_what. */
export const RTM_IEEE80211_ASSOC = 100;
export const RTM_IEEE80211_REASSOC = 101;
export const RTM_IEEE80211_DISASSOC = 102;
export const RTM_IEEE80211_JOIN = 103;
export const RTM_IEEE80211_LEAVE = 104;
export const RTM_IEEE80211_SCAN = 105;
export const RTM_IEEE80211_REPLAY = 106;
export const RTM_IEEE80211_MICHAEL = 107;
export const RTM_IEEE80211_REJOIN = 108;

/**
 * struct if_announcemsghdr (NetBSD): u_short ifan_msglen; u_char ifan_version; u_char ifan_type;
 * u_short ifan_index; char ifan_name[IFNAMSIZ]; u_short ifan_what — little-endian (x86).
 */
export const IFNAMSIZ = 16;
export const IF_ANNOUNCEMSGHDR_LEN = 24;

/**
 * Event bodies after the header:
 * ASSOC/REASSOC/JOIN/REJOIN/LEAVE/DISASSOC: struct ieee80211_join_event / _leave_event { iev_addr[6] } (a station:
 * the BSSID; an AP: the station).
 * REPLAY: struct ieee80211_replay_event { iev_src[6], iev_dst[6], iev_cipher u8, iev_keyix u8, (2 pad),
 *   iev_keyrsc u64, iev_rsc u64 } = 32 bytes.
 * MICHAEL: struct ieee80211_michael_event { iev_src[6], iev_dst[6], iev_cipher u8, iev_keyix u8 } = 14 bytes.
 */
export const IEEE80211_JOIN_EVENT_LEN = 6;
export const IEEE80211_REPLAY_EVENT_LEN = 32;
export const IEEE80211_MICHAEL_EVENT_LEN = 14;

export type RtIeee80211Event =
  | { what: typeof RTM_IEEE80211_ASSOC | typeof RTM_IEEE80211_REASSOC | typeof RTM_IEEE80211_DISASSOC | typeof RTM_IEEE80211_JOIN | typeof RTM_IEEE80211_REJOIN | typeof RTM_IEEE80211_LEAVE; addr: Uint8Array }
  | { what: typeof RTM_IEEE80211_SCAN }
  | { what: typeof RTM_IEEE80211_REPLAY; src: Uint8Array; dst: Uint8Array; cipher: number; keyix: number; keyrsc: bigint; rsc: bigint }
  | { what: typeof RTM_IEEE80211_MICHAEL; src: Uint8Array; dst: Uint8Array; cipher: number; keyix: number };

export interface RtIeee80211Msg {
  index: number;
  ifname: string;
  event: RtIeee80211Event;
}

/** rt_ieee80211msg: the bytes of one message (the stack side). */
export function buildRtIeee80211Msg(index: number, ifname: string, ev: RtIeee80211Event): Uint8Array {
  let body: Uint8Array;
  switch (ev.what) {
    case RTM_IEEE80211_SCAN:
      body = new Uint8Array(0);
      break;
    case RTM_IEEE80211_REPLAY: {
      body = new Uint8Array(IEEE80211_REPLAY_EVENT_LEN);
      body.set(ev.src.subarray(0, 6), 0);
      body.set(ev.dst.subarray(0, 6), 6);
      body[12] = ev.cipher;
      body[13] = ev.keyix;
      const dv = new DataView(body.buffer);
      dv.setBigUint64(16, BigInt.asUintN(64, ev.keyrsc), true);
      dv.setBigUint64(24, BigInt.asUintN(64, ev.rsc), true);
      break;
    }
    case RTM_IEEE80211_MICHAEL:
      body = new Uint8Array(IEEE80211_MICHAEL_EVENT_LEN);
      body.set(ev.src.subarray(0, 6), 0);
      body.set(ev.dst.subarray(0, 6), 6);
      body[12] = ev.cipher;
      body[13] = ev.keyix;
      break;
    default:
      body = ev.addr.slice(0, 6);
  }
  const out = new Uint8Array(IF_ANNOUNCEMSGHDR_LEN + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, out.length, true);
  out[2] = RTM_VERSION;
  out[3] = RTM_IEEE80211;
  dv.setUint16(4, index, true);
  out.set(new TextEncoder().encode(ifname).subarray(0, IFNAMSIZ - 1), 6);
  dv.setUint16(22, ev.what, true);
  out.set(body, IF_ANNOUNCEMSGHDR_LEN);
  return out;
}

/** Decode one routing message; null if it is not a well-formed RTM_IEEE80211 message. */
export function parseRtIeee80211Msg(b: Uint8Array): RtIeee80211Msg | null {
  if (b.length < IF_ANNOUNCEMSGHDR_LEN) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const len = dv.getUint16(0, true);
  if (b[3] !== RTM_IEEE80211 || len > b.length || len < IF_ANNOUNCEMSGHDR_LEN) return null;
  const nameBytes = b.subarray(6, 6 + IFNAMSIZ);
  const nul = nameBytes.indexOf(0);
  const ifname = new TextDecoder().decode(nul >= 0 ? nameBytes.subarray(0, nul) : nameBytes);
  const index = dv.getUint16(4, true);
  const what = dv.getUint16(22, true);
  const body = b.subarray(IF_ANNOUNCEMSGHDR_LEN, len);
  const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let event: RtIeee80211Event;
  switch (what) {
    case RTM_IEEE80211_ASSOC: case RTM_IEEE80211_REASSOC: case RTM_IEEE80211_DISASSOC:
    case RTM_IEEE80211_JOIN: case RTM_IEEE80211_REJOIN: case RTM_IEEE80211_LEAVE:
      if (body.length < IEEE80211_JOIN_EVENT_LEN) return null;
      event = { what, addr: body.slice(0, 6) };
      break;
    case RTM_IEEE80211_SCAN:
      event = { what };
      break;
    case RTM_IEEE80211_REPLAY:
      if (body.length < IEEE80211_REPLAY_EVENT_LEN) return null;
      event = { what, src: body.slice(0, 6), dst: body.slice(6, 12), cipher: body[12]!, keyix: body[13]!, keyrsc: bv.getBigUint64(16, true), rsc: bv.getBigUint64(24, true) };
      break;
    case RTM_IEEE80211_MICHAEL:
      if (body.length < IEEE80211_MICHAEL_EVENT_LEN) return null;
      event = { what, src: body.slice(0, 6), dst: body.slice(6, 12), cipher: body[12]!, keyix: body[13]! };
      break;
    default:
      return null;
  }
  return { index, ifname, event };
}
