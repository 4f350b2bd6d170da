/**
 * Management frame bodies (IEEE Std 802.11-2007 §7.2.3) and their information elements (§7.3.2), as
 * validated representations with parse/emit pairs: beacon and probe response (timestamp, interval,
 * capability, SSID, supported rates, DS parameter set, TIM, ERP, extended rates), probe request,
 * authentication, association and reassociation request/response, deauthentication and disassociation.
 * Parsing never throws: a truncated or oversized element comes back as a WireError naming it.
 */
import { WireError, viewOf } from '../../net/wire/view';

/** Element IDs (§7.3.2, Table 7-26; net80211 IEEE80211_ELEMID_*). */
export const IEEE80211_ELEMID_SSID = 0;
export const IEEE80211_ELEMID_RATES = 1;
export const IEEE80211_ELEMID_FHPARMS = 2;
export const IEEE80211_ELEMID_DSPARMS = 3;
export const IEEE80211_ELEMID_CFPARMS = 4;
export const IEEE80211_ELEMID_TIM = 5;
export const IEEE80211_ELEMID_IBSSPARMS = 6;
export const IEEE80211_ELEMID_COUNTRY = 7;
export const IEEE80211_ELEMID_CHALLENGE = 16;
export const IEEE80211_ELEMID_ERP = 42;
export const IEEE80211_ELEMID_RSN = 48;
export const IEEE80211_ELEMID_XRATES = 50;
export const IEEE80211_ELEMID_VENDOR = 221;

/** Capability information (§7.3.1.4). */
export const IEEE80211_CAPINFO_ESS = 0x0001;
export const IEEE80211_CAPINFO_IBSS = 0x0002;
export const IEEE80211_CAPINFO_CF_POLLABLE = 0x0004;
export const IEEE80211_CAPINFO_CF_POLLREQ = 0x0008;
export const IEEE80211_CAPINFO_PRIVACY = 0x0010;
export const IEEE80211_CAPINFO_SHORT_PREAMBLE = 0x0020;
export const IEEE80211_CAPINFO_PBCC = 0x0040;
export const IEEE80211_CAPINFO_CHNL_AGILITY = 0x0080;
export const IEEE80211_CAPINFO_SHORT_SLOTTIME = 0x0400;
export const IEEE80211_CAPINFO_RSN = 0x0800;
export const IEEE80211_CAPINFO_DSSSOFDM = 0x2000;

/** ERP information element bits (§7.3.2.13). */
export const IEEE80211_ERP_NON_ERP_PRESENT = 0x01;
export const IEEE80211_ERP_USE_PROTECTION = 0x02;
export const IEEE80211_ERP_LONG_PREAMBLE = 0x04;

/** Authentication algorithm numbers and open-system transaction sequence numbers (§7.3.1.1, §8.2.2.2). */
export const IEEE80211_AUTH_ALG_OPEN = 0x0000;
export const IEEE80211_AUTH_ALG_SHARED = 0x0001;
export const IEEE80211_AUTH_OPEN_REQUEST = 1;
export const IEEE80211_AUTH_OPEN_RESPONSE = 2;

/** Reason codes (§7.3.1.7). */
export const IEEE80211_REASON_UNSPECIFIED = 1;
export const IEEE80211_REASON_AUTH_EXPIRE = 2;
export const IEEE80211_REASON_AUTH_LEAVE = 3;
export const IEEE80211_REASON_ASSOC_EXPIRE = 4;
export const IEEE80211_REASON_ASSOC_TOOMANY = 5;
export const IEEE80211_REASON_NOT_AUTHED = 6;
export const IEEE80211_REASON_NOT_ASSOCED = 7;
export const IEEE80211_REASON_ASSOC_LEAVE = 8;
export const IEEE80211_REASON_ASSOC_NOT_AUTHED = 9;
/** RSN reason codes (802.11-2016 Table 9-45). */
export const IEEE80211_REASON_IE_INVALID = 13;
export const IEEE80211_REASON_MIC_FAILURE = 14;
export const IEEE80211_REASON_4WAY_HANDSHAKE_TIMEOUT = 15;
export const IEEE80211_REASON_GROUP_KEY_UPDATE_TIMEOUT = 16;

/** Status codes (§7.3.1.9). */
export const IEEE80211_STATUS_SUCCESS = 0;
export const IEEE80211_STATUS_UNSPECIFIED = 1;
export const IEEE80211_STATUS_CAPINFO = 10;
export const IEEE80211_STATUS_NOT_ASSOCED = 11;
export const IEEE80211_STATUS_OTHER = 12;
export const IEEE80211_STATUS_ALG = 13;
export const IEEE80211_STATUS_SEQUENCE = 14;
export const IEEE80211_STATUS_TOOMANY = 17;
export const IEEE80211_STATUS_BASIC_RATE = 18;

export const IEEE80211_NWID_LEN = 32;
/** Rates one Supported Rates element carries; the rest go in Extended Supported Rates (§7.3.2.2, §7.3.2.14). */
export const IEEE80211_RATE_SIZE = 8;
/** Largest rate set net80211 keeps (IEEE80211_RATE_MAXSIZE). */
export const IEEE80211_RATE_MAXSIZE = 15;

export type MgmtCheck = 'truncated' | 'element' | 'missing';

/** One information element as found in a frame. */
export interface InfoElement {
  readonly id: number;
  readonly data: Uint8Array;
}

/** Split `buf` into elements; an element whose length runs past the end is an error (net80211 reads past it). */
export function parseElements(buf: Uint8Array): InfoElement[] | WireError<MgmtCheck> {
  const out: InfoElement[] = [];
  let off = 0;
  while (off < buf.length) {
    if (off + 2 > buf.length) return new WireError(`element header at offset ${off} truncated`, 'element');
    const id = buf[off]!;
    const len = buf[off + 1]!;
    if (off + 2 + len > buf.length) return new WireError(`element ${id} of length ${len} runs past the frame end`, 'element');
    out.push({ id, data: buf.subarray(off + 2, off + 2 + len) });
    off += 2 + len;
  }
  return out;
}

/** TIM element (§7.3.2.6). */
export interface TimRepr {
  count: number;
  period: number;
  bitctl: number;
  bitmap: Uint8Array;
}

/** The elements management frames share, as net80211's scan parameters name them. */
export interface CommonElements {
  ssid?: Uint8Array;
  rates?: number[];
  xrates?: number[];
  /** DS Parameter Set: the channel the sender is on. */
  dsChannel?: number;
  tim?: TimRepr;
  erp?: number;
  challenge?: Uint8Array;
  /** Elements not interpreted here (RSN, vendor, country …), in order. */
  others: InfoElement[];
}

/**
 * Interpret elements (ieee80211_recv_mgmt's element loop, with IEEE80211_VERIFY_ELEMENT's limits): SSID ≤ 32
 * bytes, rate sets ≤ 15, DS parameter and ERP of length 1, TIM at least 4.
 */
export function interpretElements(elems: InfoElement[]): CommonElements | WireError<MgmtCheck> {
  const c: CommonElements = { others: [] };
  for (const e of elems) {
    switch (e.id) {
      case IEEE80211_ELEMID_SSID:
        if (e.data.length > IEEE80211_NWID_LEN) return new WireError(`SSID element of ${e.data.length} bytes`, 'element');
        c.ssid = e.data.slice();
        break;
      case IEEE80211_ELEMID_RATES:
        if (e.data.length > IEEE80211_RATE_MAXSIZE) return new WireError(`rates element of ${e.data.length} rates`, 'element');
        c.rates = Array.from(e.data);
        break;
      case IEEE80211_ELEMID_XRATES:
        c.xrates = Array.from(e.data);
        break;
      case IEEE80211_ELEMID_DSPARMS:
        if (e.data.length !== 1) return new WireError(`DS parameter set of length ${e.data.length}`, 'element');
        c.dsChannel = e.data[0]!;
        break;
      case IEEE80211_ELEMID_TIM:
        if (e.data.length < 4) return new WireError(`TIM element of length ${e.data.length}`, 'element');
        c.tim = { count: e.data[0]!, period: e.data[1]!, bitctl: e.data[2]!, bitmap: e.data.slice(3) };
        break;
      case IEEE80211_ELEMID_ERP:
        // ieee80211_recv_mgmt ignores (and counts) an ERP element of the wrong length.
        if (e.data.length === 1) c.erp = e.data[0]!;
        else c.others.push(e);
        break;
      case IEEE80211_ELEMID_CHALLENGE:
        c.challenge = e.data.slice();
        break;
      default:
        c.others.push(e);
    }
  }
  return c;
}

/** Append elements in the order the frame needs them. */
export class ElementWriter {
  private readonly parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  le16(v: number): this {
    this.parts.push(v & 0xff, (v >> 8) & 0xff);
    return this;
  }
  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]! & 0xff);
    return this;
  }
  element(id: number, data: ArrayLike<number>): this {
    return this.u8(id).u8(data.length).bytes(data);
  }
  ssid(s: Uint8Array): this {
    return this.element(IEEE80211_ELEMID_SSID, s);
  }
  /** ieee80211_add_rates: the first eight rates. */
  rates(rs: readonly number[]): this {
    return this.element(IEEE80211_ELEMID_RATES, rs.slice(0, IEEE80211_RATE_SIZE));
  }
  /** ieee80211_add_xrates: the rest, only if there are more than eight. */
  xrates(rs: readonly number[]): this {
    return rs.length > IEEE80211_RATE_SIZE ? this.element(IEEE80211_ELEMID_XRATES, rs.slice(IEEE80211_RATE_SIZE)) : this;
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Beacon and probe response body (§7.2.3.1, §7.2.3.9). */
export interface BeaconRepr extends CommonElements {
  /** TSF timestamp, µs (8 bytes little-endian). */
  timestamp: bigint;
  /** Beacon interval, TU. */
  intval: number;
  capinfo: number;
}

function parseWith<T>(body: Uint8Array, fixed: number, what: string, head: (dv: DataView) => Omit<T, keyof CommonElements>): (T & CommonElements) | WireError<MgmtCheck> {
  if (body.length < fixed) return new WireError(`${what} body of ${body.length} bytes is shorter than its ${fixed} fixed bytes`, 'truncated');
  const elems = parseElements(body.subarray(fixed));
  if (elems instanceof WireError) return elems;
  const c = interpretElements(elems);
  if (c instanceof WireError) return c;
  return { ...(head(viewOf(body)) as T), ...c };
}

export const BeaconRepr = {
  parse(body: Uint8Array): BeaconRepr | WireError<MgmtCheck> {
    return parseWith<BeaconRepr>(body, 12, 'beacon', (dv) => ({
      timestamp: dv.getBigUint64(0, true), intval: dv.getUint16(8, true), capinfo: dv.getUint16(10, true),
    }));
  },
  /** Fixed fields of a beacon/probe response; the caller appends the elements. */
  head(w: ElementWriter, timestamp: bigint, intval: number, capinfo: number): ElementWriter {
    for (let i = 0; i < 8; i++) w.u8(Number((timestamp >> BigInt(8 * i)) & 0xffn));
    return w.le16(intval).le16(capinfo);
  },
};

/** Probe request body (§7.2.3.8): elements only. */
export const ProbeReqRepr = {
  parse(body: Uint8Array): CommonElements | WireError<MgmtCheck> {
    return parseWith<CommonElements>(body, 0, 'probe request', () => ({}));
  },
};

/** Authentication body (§7.2.3.10). */
export interface AuthRepr extends CommonElements {
  algo: number;
  seq: number;
  status: number;
}

export const AuthRepr = {
  parse(body: Uint8Array): AuthRepr | WireError<MgmtCheck> {
    return parseWith<AuthRepr>(body, 6, 'authentication', (dv) => ({ algo: dv.getUint16(0, true), seq: dv.getUint16(2, true), status: dv.getUint16(4, true) }));
  },
  emit(algo: number, seq: number, status: number): Uint8Array {
    return new ElementWriter().le16(algo).le16(seq).le16(status).done();
  },
};

/** (Re)association request body (§7.2.3.4, §7.2.3.6). */
export interface AssocReqRepr extends CommonElements {
  capinfo: number;
  lintval: number;
  /** Reassociation only: the AP the station is leaving. */
  currentAp?: Uint8Array;
}

export const AssocReqRepr = {
  parse(body: Uint8Array, reassoc: boolean): AssocReqRepr | WireError<MgmtCheck> {
    return parseWith<AssocReqRepr>(body, reassoc ? 10 : 4, reassoc ? 'reassociation request' : 'association request', (dv) => ({
      capinfo: dv.getUint16(0, true), lintval: dv.getUint16(2, true),
      ...(reassoc ? { currentAp: new Uint8Array(dv.buffer, dv.byteOffset + 4, 6).slice() } : {}),
    }));
  },
};

/** (Re)association response body (§7.2.3.5, §7.2.3.7). */
export interface AssocRespRepr extends CommonElements {
  capinfo: number;
  status: number;
  /** AID with its two top bits set (§7.3.1.8). */
  associd: number;
}

export const AssocRespRepr = {
  parse(body: Uint8Array): AssocRespRepr | WireError<MgmtCheck> {
    return parseWith<AssocRespRepr>(body, 6, 'association response', (dv) => ({
      capinfo: dv.getUint16(0, true), status: dv.getUint16(2, true), associd: dv.getUint16(4, true),
    }));
  },
};

/** Deauthentication / disassociation body (§7.2.3.3, §7.2.3.12): a reason code. */
export const ReasonRepr = {
  parse(body: Uint8Array): number | WireError<MgmtCheck> {
    if (body.length < 2) return new WireError(`reason body of ${body.length} bytes`, 'truncated');
    return viewOf(body).getUint16(0, true);
  },
  emit(reason: number): Uint8Array {
    return new ElementWriter().le16(reason).done();
  },
};
