/**
 * The 802.11b/g PHYs a 2.4 GHz radio speaks, as data: rates and their modulation and coding, PLCP preamble and
 * header durations, the airtime of a PPDU, the PHY characteristics a DCF MAC derives its timing from, and the
 * 2.4 GHz channel plan. References are IEEE Std 802.11-2016: clause 15 (DSSS, 1 and 2 Mb/s), 16 (HR/DSSS, CCK
 * 5.5 and 11 Mb/s), 17 (OFDM), 18 (ERP: OFDM rates in 2.4 GHz with the 6 µs signal extension).
 */
import type { WifiRate } from './radio';
import { US } from '../../sim/time';

export type Modulation = 'DBPSK' | 'DQPSK' | 'CCK' | 'BPSK' | 'QPSK' | '16-QAM' | '64-QAM';
export type CodeRate = '1/2' | '2/3' | '3/4';

/** One rate as the PHY sends it. */
export interface RateInfo {
  readonly rate: WifiRate;
  readonly ofdm: boolean;
  readonly modulation: Modulation;
  /** Convolutional code rate (OFDM); null for DSSS/CCK. */
  readonly codeRate: CodeRate | null;
  /** Data bits per OFDM symbol (N_DBPS, clause 17's rate-dependent parameters); 0 for DSSS/CCK. */
  readonly nDbps: number;
  /**
   * Bits on the air per µs, coded bits for OFDM (what ns-3's `WifiMode::GetPhyRate` gives and what its
   * InterferenceHelper counts the bits of a chunk by): the data rate divided by the code rate.
   */
  readonly phyBitsPerUs: number;
  /** Radiotap rate field: 500 kb/s units. */
  readonly radiotapRate: number;
}

const DSSS = (rate: WifiRate, modulation: Modulation): RateInfo => ({
  rate, ofdm: false, modulation, codeRate: null, nDbps: 0, phyBitsPerUs: rate, radiotapRate: rate * 2,
});
const OFDM = (rate: WifiRate, modulation: Modulation, codeRate: CodeRate, nDbps: number): RateInfo => {
  const [n, d] = codeRate.split('/').map(Number) as [number, number];
  return { rate, ofdm: true, modulation, codeRate, nDbps, phyBitsPerUs: (rate * d) / n, radiotapRate: rate * 2 };
};

/** Every 802.11b/g rate (clause 17's rate-dependent parameters for the OFDM ones at 20 MHz). */
const RATES: readonly RateInfo[] = [
  DSSS(1, 'DBPSK'), DSSS(2, 'DQPSK'), DSSS(5.5, 'CCK'), DSSS(11, 'CCK'),
  OFDM(6, 'BPSK', '1/2', 24), OFDM(9, 'BPSK', '3/4', 36), OFDM(12, 'QPSK', '1/2', 48), OFDM(18, 'QPSK', '3/4', 72),
  OFDM(24, '16-QAM', '1/2', 96), OFDM(36, '16-QAM', '3/4', 144), OFDM(48, '64-QAM', '2/3', 192), OFDM(54, '64-QAM', '3/4', 216),
];
const BY_RATE = new Map<number, RateInfo>(RATES.map((r) => [r.rate, r]));

/** The rate's description, or undefined for a number that is no 802.11b/g rate. */
export function findRate(rate: number): RateInfo | undefined {
  return BY_RATE.get(rate);
}

export function rateInfo(rate: WifiRate): RateInfo {
  const r = BY_RATE.get(rate);
  if (!r) throw new RangeError(`not an 802.11b/g rate: ${rate} Mb/s`);
  return r;
}

/** ERP-OFDM PPDU fields (clauses 17 and 18): 16 µs of training, the 4 µs SIGNAL symbol, 4 µs per data symbol, 6 µs signal extension (aSignalExtension). */
export const OFDM_PREAMBLE_US = 16;
export const OFDM_SIGNAL_US = 4;
export const OFDM_SYMBOL_US = 4;
export const ERP_SIGNAL_EXTENSION_US = 6;
/** SERVICE field (16 bits) and tail (6 bits) around the PSDU in the DATA field (clause 17). */
export const OFDM_SERVICE_BITS = 16;
export const OFDM_TAIL_BITS = 6;
/** DSSS long PLCP: 144 µs preamble (SYNC 128 + SFD 16) and 48 µs header at 1 Mb/s (aPreambleLength, aPLCPHeaderLength; clauses 15, 16). */
export const DSSS_LONG_PREAMBLE_US = 144;
export const DSSS_LONG_HEADER_US = 48;
/** HR/DSSS short PLCP: 72 µs preamble at 1 Mb/s and the 48-bit header at 2 Mb/s, 24 µs (clause 16, short PPDU format). */
export const DSSS_SHORT_PREAMBLE_US = 72;
export const DSSS_SHORT_HEADER_US = 24;
/** The FCS the MAC appends to the MPDU (a CRC-32): a PPDU carries MPDU + 4 bytes. */
export const FCS_LEN = 4;

/**
 * How a PPDU of `bytes` (MPDU + FCS) at `rate` is laid out in time, in ns from its first symbol: preamble, PLCP
 * header (SIGNAL for OFDM) and the rate the header is sent at, payload, signal extension (ERP-OFDM only).
 */
export interface PpduTiming {
  readonly preambleNs: number;
  readonly headerNs: number;
  /** DSSS long preamble: 1 (DBPSK); short: 2 (DQPSK); OFDM SIGNAL: 6 (BPSK 1/2). */
  readonly headerRate: WifiRate;
  readonly payloadNs: number;
  readonly extensionNs: number;
  readonly totalNs: number;
}

/**
 * The short preamble is defined for 2, 5.5 and 11 Mb/s only (clause 16, short PPDU format); a 1 Mb/s PPDU always
 * has the long one. OFDM has one preamble.
 */
export function usesShortPreamble(rate: WifiRate, shortPreamble: boolean): boolean {
  return shortPreamble && !rateInfo(rate).ofdm && rate !== 1;
}

export function ppduTiming(bytes: number, rate: WifiRate, shortPreamble: boolean): PpduTiming {
  const info = rateInfo(rate);
  const len = Math.max(0, Math.floor(bytes));
  if (info.ofdm) {
    // ERP-OFDM TXTIME (clause 18): 16 + 4 + 4·Ceiling((16 + 8·LENGTH + 6) / N_DBPS) + aSignalExtension.
    const symbols = Math.ceil((OFDM_SERVICE_BITS + 8 * len + OFDM_TAIL_BITS) / info.nDbps);
    const payloadUs = OFDM_SYMBOL_US * symbols;
    const totalUs = OFDM_PREAMBLE_US + OFDM_SIGNAL_US + payloadUs + ERP_SIGNAL_EXTENSION_US;
    return {
      preambleNs: OFDM_PREAMBLE_US * US, headerNs: OFDM_SIGNAL_US * US, headerRate: 6,
      payloadNs: payloadUs * US, extensionNs: ERP_SIGNAL_EXTENSION_US * US, totalNs: totalUs * US,
    };
  }
  // HR/DSSS TXTIME (clause 16): PreambleLength + PLCPHeaderTime + Ceiling(LENGTH·8 / DATARATE) µs; in tenths of
  // Mb/s so that 5.5 Mb/s stays exact.
  const short = usesShortPreamble(rate, shortPreamble);
  const payloadUs = Math.ceil((80 * len) / Math.round(rate * 10));
  const preambleUs = short ? DSSS_SHORT_PREAMBLE_US : DSSS_LONG_PREAMBLE_US;
  const headerUs = short ? DSSS_SHORT_HEADER_US : DSSS_LONG_HEADER_US;
  return {
    preambleNs: preambleUs * US, headerNs: headerUs * US, headerRate: short ? 2 : 1,
    payloadNs: payloadUs * US, extensionNs: 0, totalNs: (preambleUs + headerUs + payloadUs) * US,
  };
}

/** Airtime (ns) of a PPDU whose MPDU + FCS is `bytes` long: preamble, PLCP header, payload, signal extension. */
export function airtimeNs(bytes: number, rate: WifiRate, shortPreamble: boolean): number {
  return ppduTiming(bytes, rate, shortPreamble).totalNs;
}

/**
 * PHY characteristics a DCF MAC times itself by (the PHY characteristics tables of clauses 15, 16 and 18; the
 * IFS definitions of clause 10). ERP with short slot is 9 µs; with long slot (a BSS with 802.11b stations) 20 µs.
 */
export interface PhyCharacteristics {
  readonly slotUs: number;
  readonly sifsUs: number;
  /** Maximum time the PHY takes to assess the channel (aCCATime). */
  readonly ccaTimeUs: number;
  readonly rxTxTurnaroundUs: number;
  readonly airPropagationUs: number;
  readonly cwMin: number;
  readonly cwMax: number;
}

export const DSSS_PHY: PhyCharacteristics = { slotUs: 20, sifsUs: 10, ccaTimeUs: 15, rxTxTurnaroundUs: 5, airPropagationUs: 1, cwMin: 31, cwMax: 1023 };
export const ERP_PHY_LONG_SLOT: PhyCharacteristics = { slotUs: 20, sifsUs: 10, ccaTimeUs: 15, rxTxTurnaroundUs: 5, airPropagationUs: 1, cwMin: 15, cwMax: 1023 };
export const ERP_PHY_SHORT_SLOT: PhyCharacteristics = { slotUs: 9, sifsUs: 10, ccaTimeUs: 4, rxTxTurnaroundUs: 2, airPropagationUs: 1, cwMin: 15, cwMax: 1023 };

/** DIFS = aSIFSTime + 2 × aSlotTime (clause 10, DIFS). */
export function difsUs(p: PhyCharacteristics): number {
  return p.sifsUs + 2 * p.slotUs;
}

/**
 * EIFS = aSIFSTime + DIFS + ACKTxTime, the ACK (14 bytes) sent at the lowest basic rate (clause 10, EIFS): 10 + 50 +
 * 304 = 364 µs with a 1 Mb/s long-preamble ACK.
 */
export function eifsUs(p: PhyCharacteristics, ackRate: WifiRate = 1, shortPreamble = false): number {
  return p.sifsUs + difsUs(p) + airtimeNs(14, ackRate, shortPreamble) / US;
}

/** ACKTimeout = aSIFSTime + aSlotTime + aRxPHYStartDelay (clause 10); aRxPHYStartDelay = preamble + PLCP header of the ACK. */
export function ackTimeoutUs(p: PhyCharacteristics, ackRate: WifiRate, shortPreamble = false): number {
  const t = ppduTiming(14, ackRate, shortPreamble);
  return p.sifsUs + p.slotUs + (t.preambleNs + t.headerNs) / US;
}

/** 2.4 GHz channel centre frequencies (the DSSS channel plan of clauses 15 and 18): 2407 + 5·n MHz for 1–13, 2484 MHz for 14. */
export function channelFrequencyMHz(channel: number): number {
  if (!isChannel(channel)) throw new RangeError(`not a 2.4 GHz channel: ${channel}`);
  return channel === 14 ? 2484 : 2407 + 5 * channel;
}

export function isChannel(channel: number): boolean {
  return Number.isInteger(channel) && channel >= 1 && channel <= 14;
}

/** Bandwidth the receiver's noise is counted over: 22 MHz for DSSS/CCK, 20 MHz for OFDM (as ns-3 does). */
export function noiseBandwidthHz(rate: WifiRate): number {
  return rateInfo(rate).ofdm ? 20e6 : 22e6;
}
