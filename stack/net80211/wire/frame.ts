/**
 * The IEEE 802.11 MAC header (IEEE Std 802.11-2007 §7.1, §7.2; net80211/ieee80211.h): frame control, duration,
 * up to four addresses, sequence control. Frames here are MPDUs without FCS (what radios hand to drivers and
 * drivers to the stack). A zero-copy view with a length check that returns a reason, after stack/net/wire.
 */
import { WireError, viewOf } from '../../net/wire/view';

/** Frame control byte 0 (i_fc[0]): protocol version, type, subtype. */
export const IEEE80211_FC0_VERSION_MASK = 0x03;
export const IEEE80211_FC0_VERSION_0 = 0x00;
export const IEEE80211_FC0_TYPE_MASK = 0x0c;
export const IEEE80211_FC0_TYPE_MGT = 0x00;
export const IEEE80211_FC0_TYPE_CTL = 0x04;
export const IEEE80211_FC0_TYPE_DATA = 0x08;
export const IEEE80211_FC0_SUBTYPE_MASK = 0xf0;
export const IEEE80211_FC0_SUBTYPE_SHIFT = 4;
/** Management subtypes (§7.1.3.1.2, Table 7-1). */
export const IEEE80211_FC0_SUBTYPE_ASSOC_REQ = 0x00;
export const IEEE80211_FC0_SUBTYPE_ASSOC_RESP = 0x10;
export const IEEE80211_FC0_SUBTYPE_REASSOC_REQ = 0x20;
export const IEEE80211_FC0_SUBTYPE_REASSOC_RESP = 0x30;
export const IEEE80211_FC0_SUBTYPE_PROBE_REQ = 0x40;
export const IEEE80211_FC0_SUBTYPE_PROBE_RESP = 0x50;
export const IEEE80211_FC0_SUBTYPE_BEACON = 0x80;
export const IEEE80211_FC0_SUBTYPE_ATIM = 0x90;
export const IEEE80211_FC0_SUBTYPE_DISASSOC = 0xa0;
export const IEEE80211_FC0_SUBTYPE_AUTH = 0xb0;
export const IEEE80211_FC0_SUBTYPE_DEAUTH = 0xc0;
/** Control subtypes. */
export const IEEE80211_FC0_SUBTYPE_PS_POLL = 0xa0;
export const IEEE80211_FC0_SUBTYPE_RTS = 0xb0;
export const IEEE80211_FC0_SUBTYPE_CTS = 0xc0;
export const IEEE80211_FC0_SUBTYPE_ACK = 0xd0;
/** Data subtypes. */
export const IEEE80211_FC0_SUBTYPE_DATA = 0x00;
export const IEEE80211_FC0_SUBTYPE_NODATA = 0x40;
export const IEEE80211_FC0_SUBTYPE_QOS = 0x80;

/** Frame control byte 1 (i_fc[1]). */
export const IEEE80211_FC1_DIR_MASK = 0x03;
export const IEEE80211_FC1_DIR_NODS = 0x00; // STA->STA
export const IEEE80211_FC1_DIR_TODS = 0x01; // STA->AP
export const IEEE80211_FC1_DIR_FROMDS = 0x02; // AP->STA
export const IEEE80211_FC1_DIR_DSTODS = 0x03; // AP->AP
export const IEEE80211_FC1_MORE_FRAG = 0x04;
export const IEEE80211_FC1_RETRY = 0x08;
export const IEEE80211_FC1_PWR_MGT = 0x10;
export const IEEE80211_FC1_MORE_DATA = 0x20;
export const IEEE80211_FC1_WEP = 0x40;
export const IEEE80211_FC1_ORDER = 0x80;

/** Sequence control (§7.1.3.4): fragment number in the low 4 bits, sequence number above. */
export const IEEE80211_SEQ_FRAG_MASK = 0x000f;
export const IEEE80211_SEQ_SEQ_SHIFT = 4;
export const IEEE80211_SEQ_RANGE = 4096;

export const IEEE80211_ADDR_LEN = 6;
/** struct ieee80211_frame: fc(2) dur(2) addr1 addr2 addr3 seq(2). */
export const IEEE80211_HDR_LEN = 24;
/** struct ieee80211_frame_addr4. */
export const IEEE80211_HDR4_LEN = 30;
/** struct ieee80211_frame_min: fc, dur, addr1, addr2 (the shortest frame the stack looks at: RTS, PS-Poll). */
export const IEEE80211_MIN_LEN = 16;
/** An ACK or CTS: fc, dur, RA. */
export const IEEE80211_ACK_LEN = 10;
export const IEEE80211_CRC_LEN = 4;

/** Names of the management subtypes, as net80211's ieee80211_mgt_subtype_name prints them. */
export const IEEE80211_MGT_SUBTYPE_NAME = [
  'assoc_req', 'assoc_resp', 'reassoc_req', 'reassoc_resp', 'probe_req', 'probe_resp', 'reserved#6', 'reserved#7',
  'beacon', 'atim', 'disassoc', 'auth', 'deauth', 'reserved#13', 'reserved#14', 'reserved#15',
] as const;

export function mgtSubtypeName(subtype: number): string {
  return IEEE80211_MGT_SUBTYPE_NAME[(subtype >> IEEE80211_FC0_SUBTYPE_SHIFT) & 0xf] ?? 'reserved';
}

export type Ieee80211Check = 'truncated' | 'version';

/** Header length implied by frame control: 30 for four-address data frames, 24 for other data/management, 16 control min. */
export function ieee80211_anyhdrsize(fc0: number, fc1: number): number {
  const type = fc0 & IEEE80211_FC0_TYPE_MASK;
  if (type === IEEE80211_FC0_TYPE_CTL) {
    const st = fc0 & IEEE80211_FC0_SUBTYPE_MASK;
    return st === IEEE80211_FC0_SUBTYPE_CTS || st === IEEE80211_FC0_SUBTYPE_ACK ? IEEE80211_ACK_LEN : IEEE80211_MIN_LEN;
  }
  let len = (fc1 & IEEE80211_FC1_DIR_MASK) === IEEE80211_FC1_DIR_DSTODS ? IEEE80211_HDR4_LEN : IEEE80211_HDR_LEN;
  if (type === IEEE80211_FC0_TYPE_DATA && (fc0 & IEEE80211_FC0_SUBTYPE_QOS) !== 0) len += 2;
  return len;
}

/**
 * Zero-copy view over an 802.11 MPDU. Address and sequence accessors assume checkLen() passed; they are
 * subarrays, so writing them writes the frame.
 */
export class Ieee80211Frame {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }

  /** Why the buffer cannot hold the header its frame control announces, or null. */
  checkLen(): string | null {
    if (this.buf.length < 2) return `frame of ${this.buf.length} bytes has no frame control`;
    const need = ieee80211_anyhdrsize(this.fc0, this.fc1);
    if (this.buf.length < need) return `frame of ${this.buf.length} bytes is shorter than its ${need}-byte 802.11 header`;
    return null;
  }

  checkVersion(): WireError<Ieee80211Check> | null {
    return (this.fc0 & IEEE80211_FC0_VERSION_MASK) !== IEEE80211_FC0_VERSION_0 ? new WireError(`protocol version ${this.fc0 & 3}`, 'version') : null;
  }

  get fc0(): number {
    return this.buf[0] ?? 0;
  }
  set fc0(v: number) {
    this.buf[0] = v & 0xff;
  }
  get fc1(): number {
    return this.buf[1] ?? 0;
  }
  set fc1(v: number) {
    this.buf[1] = v & 0xff;
  }
  get type(): number {
    return this.fc0 & IEEE80211_FC0_TYPE_MASK;
  }
  get subtype(): number {
    return this.fc0 & IEEE80211_FC0_SUBTYPE_MASK;
  }
  get dir(): number {
    return this.fc1 & IEEE80211_FC1_DIR_MASK;
  }
  /** Duration/ID, µs (little-endian, §7.1.3.2). */
  get duration(): number {
    return this.dv.getUint16(2, true);
  }
  set duration(v: number) {
    this.dv.setUint16(2, v & 0xffff, true);
  }
  get addr1(): Uint8Array {
    return this.buf.subarray(4, 10);
  }
  get addr2(): Uint8Array {
    return this.buf.subarray(10, 16);
  }
  get addr3(): Uint8Array {
    return this.buf.subarray(16, 22);
  }
  get addr4(): Uint8Array {
    return this.buf.subarray(24, 30);
  }
  /** Sequence control as the 16-bit little-endian word (seq << 4 | frag). */
  get seqCtl(): number {
    return this.dv.getUint16(22, true);
  }
  set seqCtl(v: number) {
    this.dv.setUint16(22, v & 0xffff, true);
  }
  get seq(): number {
    return this.seqCtl >> IEEE80211_SEQ_SEQ_SHIFT;
  }
  get frag(): number {
    return this.seqCtl & IEEE80211_SEQ_FRAG_MASK;
  }
  get hdrLen(): number {
    return ieee80211_anyhdrsize(this.fc0, this.fc1);
  }
  /** The frame body after the header. */
  get body(): Uint8Array {
    return this.buf.subarray(this.hdrLen);
  }
}

/** Write a three-address header (ieee80211_send_setup): fc, zero duration, addresses, sequence number. */
export function ieee80211_write_header(buf: Uint8Array, fc0: number, fc1: number, a1: Uint8Array, a2: Uint8Array, a3: Uint8Array, seq: number): void {
  buf[0] = fc0 & 0xff;
  buf[1] = fc1 & 0xff;
  buf[2] = 0;
  buf[3] = 0;
  buf.set(a1.subarray(0, 6), 4);
  buf.set(a2.subarray(0, 6), 10);
  buf.set(a3.subarray(0, 6), 16);
  const sc = (seq % IEEE80211_SEQ_RANGE) << IEEE80211_SEQ_SEQ_SHIFT;
  buf[22] = sc & 0xff;
  buf[23] = (sc >> 8) & 0xff;
}

export function isMulticastAddr(a: Uint8Array): boolean {
  return ((a[0] ?? 0) & 1) === 1;
}
