/**
 * Channels, PHY modes and rate sets as net80211 keeps them (_ieee80211.h, ieee80211.c, ieee80211_proto.c):
 * rates in 500 kb/s units with the basic-rate bit, the standard 11b/11g sets and their basic rates, rate
 * negotiation (ieee80211_fix_rate), and the PHY arithmetic drivers need for Duration fields and ACK rates
 * (IEEE Std 802.11-2007 §18.3.4 DSSS/CCK, §17.4.3 and §19.8.3.1 ERP-OFDM, §9.6 response rates).
 */

export const IEEE80211_RATE_BASIC = 0x80;
export const IEEE80211_RATE_VAL = 0x7f;

/** PHY modes (enum ieee80211_phymode; the values are the ic_sup_rates / ic_modecaps indices). */
export const IEEE80211_MODE_AUTO = 0;
export const IEEE80211_MODE_11A = 1;
export const IEEE80211_MODE_11B = 2;
export const IEEE80211_MODE_11G = 3;
export const IEEE80211_MODE_MAX = 4;
export const PHYMODE_NAME = ['auto', '11a', '11b', '11g'] as const;

/** Channel attributes (_ieee80211.h IEEE80211_CHAN_*). */
export const IEEE80211_CHAN_TURBO = 0x0010;
export const IEEE80211_CHAN_CCK = 0x0020;
export const IEEE80211_CHAN_OFDM = 0x0040;
export const IEEE80211_CHAN_2GHZ = 0x0080;
export const IEEE80211_CHAN_5GHZ = 0x0100;
export const IEEE80211_CHAN_PASSIVE = 0x0200;
export const IEEE80211_CHAN_DYN = 0x0400;
export const IEEE80211_CHAN_B = IEEE80211_CHAN_2GHZ | IEEE80211_CHAN_CCK;
export const IEEE80211_CHAN_PUREG = IEEE80211_CHAN_2GHZ | IEEE80211_CHAN_OFDM;
export const IEEE80211_CHAN_G = IEEE80211_CHAN_2GHZ | IEEE80211_CHAN_DYN;
/** Token for "any channel" in ioctls (IEEE80211_CHAN_ANY). */
export const IEEE80211_CHAN_ANY = 0xffff;
/** Channel numbers the 802.11b/g drivers here fill in (2.4 GHz, 1–14). */
export const IEEE80211_CHAN_MAX_2GHZ = 14;

export interface Ieee80211Channel {
  /** IEEE channel number. */
  readonly ieee: number;
  /** Centre frequency, MHz. */
  readonly freq: number;
  readonly flags: number;
}

/** ieee80211_ieee2mhz for the 2.4 GHz band (§18.4.6.2: 2407 + 5·n MHz, channel 14 at 2484 MHz). */
export function ieee80211_ieee2mhz(chan: number): number {
  return chan === 14 ? 2484 : 2407 + chan * 5;
}

/** ieee80211_mhz2ieee for the 2.4 GHz band. */
export function ieee80211_mhz2ieee(freq: number): number {
  return freq === 2484 ? 14 : Math.round((freq - 2407) / 5);
}

/**
 * The channel table of an 11b/g chip: channels 1–14, CCK + OFDM + dynamic CCK-OFDM at 2.4 GHz (what
 * rt2560_attach fills in). Index = channel number; index 0 is unused.
 */
export function ieee80211_channels_2ghz_bg(): (Ieee80211Channel | undefined)[] {
  const t: (Ieee80211Channel | undefined)[] = [undefined];
  for (let i = 1; i <= IEEE80211_CHAN_MAX_2GHZ; i++) {
    t.push({ ieee: i, freq: ieee80211_ieee2mhz(i), flags: IEEE80211_CHAN_CCK | IEEE80211_CHAN_OFDM | IEEE80211_CHAN_DYN | IEEE80211_CHAN_2GHZ });
  }
  return t;
}

export function isChanB(c: Ieee80211Channel): boolean {
  return (c.flags & IEEE80211_CHAN_B) === IEEE80211_CHAN_B;
}
export function isChanAnyG(c: Ieee80211Channel): boolean {
  return (c.flags & IEEE80211_CHAN_PUREG) === IEEE80211_CHAN_PUREG || (c.flags & IEEE80211_CHAN_G) === IEEE80211_CHAN_G;
}

/** The standard rate sets (ieee80211_std_rateset_11b / _11g), 500 kb/s units. */
export const IEEE80211_RATESET_11B: readonly number[] = [2, 4, 11, 22];
export const IEEE80211_RATESET_11G: readonly number[] = [2, 4, 11, 22, 12, 18, 24, 36, 48, 72, 96, 108];

/**
 * ieee80211_set11gbasicrates: mark the basic rates of a rate set for a mode — 11b: 1 and 2 Mb/s; mixed
 * 11g: the four CCK rates (so 11b stations can join).
 */
export function ieee80211_set11gbasicrates(rs: readonly number[], mode: number): number[] {
  const basic = mode === IEEE80211_MODE_11B ? [2, 4] : mode === IEEE80211_MODE_11G ? [2, 4, 11, 22] : mode === IEEE80211_MODE_11A ? [12, 24, 48] : [];
  return rs.map((r) => (basic.includes(r & IEEE80211_RATE_VAL) ? (r & IEEE80211_RATE_VAL) | IEEE80211_RATE_BASIC : r & IEEE80211_RATE_VAL));
}

/** ieee80211_fix_rate flags. */
export const IEEE80211_F_DOSORT = 0x1;
export const IEEE80211_F_DOFRATE = 0x2;
export const IEEE80211_F_DONEGO = 0x4;
export const IEEE80211_F_DODEL = 0x8;

export interface FixRateResult {
  /** The node's rate set after the operation. */
  rates: number[];
  /** Index of the highest usable rate (ni_txrate). */
  txrate: number;
  /** The best acceptable rate, or a rate with IEEE80211_RATE_BASIC set when negotiation failed. */
  rate: number;
}

/**
 * ieee80211_fix_rate (ieee80211_proto.c): sort the node's rates, take the basic-rate bits from our supported
 * set, drop rates we don't support (an AP refuses a station whose unsupported rate is basic for it), check the
 * fixed rate is present. Returns the rate with IEEE80211_RATE_BASIC set when the set is unusable.
 */
export function ieee80211_fix_rate(nodeRates: readonly number[], srs: readonly number[], flags: number, fixedRate: number, hostap: boolean): FixRateResult {
  const nrs = nodeRates.slice();
  if ((flags & IEEE80211_F_DOFRATE) !== 0 && fixedRate < 0) flags &= ~IEEE80211_F_DOFRATE;
  if ((flags & IEEE80211_F_DOSORT) !== 0) nrs.sort((a, b) => (a & IEEE80211_RATE_VAL) - (b & IEEE80211_RATE_VAL));
  let error = 0;
  let okrate = 0;
  let badrate = 0;
  let fixed = 0;
  let txrate = 0;
  for (let i = 0; i < nrs.length; ) {
    let ignore = false;
    const r = nrs[i]! & IEEE80211_RATE_VAL;
    badrate = r;
    if ((flags & IEEE80211_F_DOFRATE) !== 0 && r === ((srs[fixedRate] ?? 0) & IEEE80211_RATE_VAL)) fixed = r;
    if ((flags & IEEE80211_F_DONEGO) !== 0) {
      const j = srs.findIndex((s) => (s & IEEE80211_RATE_VAL) === r);
      if (j >= 0) nrs[i] = srs[j]!;
      else {
        if (hostap && (nrs[i]! & IEEE80211_RATE_BASIC) !== 0) error++;
        ignore = true;
      }
    }
    if ((flags & IEEE80211_F_DODEL) !== 0 && ignore) {
      nrs.splice(i, 1);
      continue;
    }
    if (!ignore) {
      okrate = nrs[i]!;
      txrate = i;
    }
    i++;
  }
  const failed = okrate === 0 || error !== 0 || ((flags & IEEE80211_F_DOFRATE) !== 0 && fixed === 0);
  return { rates: nrs, txrate, rate: failed ? badrate | IEEE80211_RATE_BASIC : okrate & IEEE80211_RATE_VAL };
}

/** ieee80211_iserp_rateset: does a (sorted) rate set hold all the mandatory ERP rates? */
export function ieee80211_iserp_rateset(rs: readonly number[]): boolean {
  const need = [2, 4, 11, 22, 12, 24, 48];
  const have = new Set(rs.map((r) => r & IEEE80211_RATE_VAL));
  return need.every((r) => have.has(r));
}

/** OFDM rates (500 kb/s units) — everything but the four DSSS/CCK rates. */
export function ieee80211_rate_is_ofdm(rate: number): boolean {
  const r = rate & IEEE80211_RATE_VAL;
  return r >= 12 && r !== 22;
}

/**
 * Air time of an MPDU of `len` bytes including FCS at `rate` (500 kb/s units), µs. DSSS/CCK: PLCP preamble and
 * header 192 µs (long) or 96 µs (short, not at 1 Mb/s) plus 8·len/Mb/s (§18.3.4); ERP-OFDM: 16 µs preamble +
 * 4 µs SIGNAL + 4 µs per symbol of 16 service + 8·len + 6 tail bits + 6 µs signal extension (§17.4.3, §19.8.3.1).
 */
export function ieee80211_txtime(len: number, rate: number, shortPreamble: boolean): number {
  const r = rate & IEEE80211_RATE_VAL;
  if (ieee80211_rate_is_ofdm(r)) {
    const ndbps = 2 * r; // data bits per 4 µs symbol: 4 µs × r × 500 kb/s
    return 16 + 4 + 4 * Math.ceil((16 + 8 * len + 6) / ndbps) + 6;
  }
  const payload = Math.ceil((16 * len) / r);
  return payload + (shortPreamble && r !== 2 ? 72 + 24 : 144 + 48);
}

/**
 * The rate a receiver answers a frame sent at `rate` with (§9.6): the highest basic rate not above it in the
 * same modulation class, else the highest mandatory rate of that PHY not above it. CCK: 1 → 1; 2/5.5/11 → 2 in
 * an 11b BSS (basic rates 1, 2), the same rate in a mixed 11g BSS (all four CCK rates basic). ERP-OFDM (no
 * OFDM basic rates in a mixed BSS; mandatory 6, 12, 24 Mb/s): 6/9 → 6, 12/18 → 12, 24 and up → 24
 * (NetBSD rt2560_ack_rate).
 */
export function ieee80211_ack_rate(rate: number, mode11b: boolean): number {
  const r = rate & IEEE80211_RATE_VAL;
  if (!ieee80211_rate_is_ofdm(r)) return r === 2 ? 2 : mode11b ? 4 : r;
  if (r < 24) return 12;
  if (r < 48) return 24;
  return 48;
}

/** SIFS (µs): 10 for DSSS/CCK and ERP at 2.4 GHz (§18.3.3, §19.8.4). */
export const IEEE80211_DUR_SIFS = 10;
/** ACK/CTS frame length with FCS. */
export const IEEE80211_ACK_LEN_FCS = 14;

/**
 * Duration/ID for a unicast data or management frame without fragmentation (§7.1.3.2, §9.2.5.2): the time of
 * the SIFS and the ACK that follows, at the ACK rate. Group-addressed frames carry 0.
 */
export function ieee80211_ack_duration(rate: number, shortPreamble: boolean, mode11b: boolean): number {
  return ieee80211_txtime(IEEE80211_ACK_LEN_FCS, ieee80211_ack_rate(rate, mode11b), shortPreamble) + IEEE80211_DUR_SIFS;
}

/** Rate as ifconfig and wlanctl print it: "5.5", "54". */
export function rateString(rate: number): string {
  const r = 5 * (rate & IEEE80211_RATE_VAL);
  return `${Math.floor(r / 10)}${r % 10 ? `.${r % 10}` : ''}`;
}

/** The media subtype name of a rate (if_media.h IFM_IEEE80211_DS1 … IFM_IEEE80211_OFDM54 descriptions): DS1 … DS11, OFDM6 … OFDM54. */
export function rateMediaName(rate: number): string {
  const r = rate & IEEE80211_RATE_VAL;
  if (ieee80211_rate_is_ofdm(r)) return `OFDM${r / 2}`;
  return `DS${r === 11 ? 5 : r / 2}`;
}

/** Inverse of rateMediaName ("DS5" → 11, "OFDM54" → 108); 0 if unknown. */
export function mediaNameRate(name: string): number {
  const m = /^(DS|OFDM)(\d+)$/.exec(name);
  if (!m) return 0;
  const n = Number(m[2]);
  if (m[1] === 'DS') return n === 5 ? 11 : [1, 2, 11].includes(n) ? n * 2 : 0;
  return [6, 9, 12, 18, 24, 36, 48, 54].includes(n) ? n * 2 : 0;
}
