/**
 * Bit and chunk error rates per 802.11b/g rate: ns-3's NistErrorRateModel (src/wifi/model/nist-error-rate-model.cc,
 * G. Pei and T. Henderson, "Validation of OFDM error rate model in ns-3", 2010) for the OFDM rates, which hands
 * the DSSS/CCK rates to ns-3's DsssErrorRateModel (dsss-error-rate-model.cc) — the pair ns-3 calls the NIST model.
 * Written from the published formulas; the CCK rates use the closed-form Matlab fits ns-3 uses when it is built
 * without GSL (its GSL build integrates the CCK symbol error probability instead).
 *
 * `sinr` is linear (not dB). A chunk of `nbits` at one SINR succeeds with (1 − BER)^nbits; a frame's success is the
 * product over its chunks (interference.ts), so PER = 1 − Π(1 − BER)^bits.
 */
import type { WifiRate } from './radio';
import { rateInfo } from './phy';

/**
 * Complementary error function, fractional error below 1.2e-7 everywhere: the Chebyshev-fitted form of
 * Numerical Recipes (2nd ed., §6.2, `erfcc`). Relative accuracy matters at large arguments, where BERs of 1e-9 and
 * below decide the PER of a long frame.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z - 1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** DSSS chip rate over symbol rate: the receiver integrates 22 MHz of noise (ns-3: sinr × 22e6 / bit rate = Eb/N0). */
const DSSS_BANDWIDTH_HZ = 22e6;
/** The CCK fits' validity range (ns-3 WLAN_SIR_PERFECT / WLAN_SIR_IMPOSSIBLE, linear SINR). */
const CCK_SIR_PERFECT = 10.0;
const CCK_SIR_IMPOSSIBLE = 0.1;

/** 1 Mb/s DBPSK: Eb/N0 = SINR·22 MHz/1 Mb/s, BER = ½·exp(−Eb/N0). */
export function dbpskBer(sinr: number): number {
  const ebN0 = (sinr * DSSS_BANDWIDTH_HZ) / 1e6;
  return 0.5 * Math.exp(-ebN0);
}

/**
 * 2 Mb/s DQPSK: Eb/N0 = SINR·22 MHz/1 MS/s/2 bits, BER = (√2 + 1)/√(8π√2) · x^(−½) · e^(−(2 − √2)x) with x = Eb/N0.
 * The approximation exceeds ½ below x ≈ 0.5; it is held at ½ there (ns-3 lets it run past 1).
 */
export function dqpskBer(sinr: number): number {
  const x = (sinr * DSSS_BANDWIDTH_HZ) / 1e6 / 2;
  if (x <= 0) return 0.5;
  const ber = ((Math.SQRT2 + 1) / Math.sqrt(8 * Math.PI * Math.SQRT2)) * (1 / Math.sqrt(x)) * Math.exp(-(2 - Math.SQRT2) * x);
  return Math.min(0.5, ber);
}

/** 5.5 Mb/s CCK: the fit a1·exp(−((SINR − a2)/a3)^a4), BER 0 above SINR 10, ½ below 0.1. */
export function cck55Ber(sinr: number): number {
  if (sinr > CCK_SIR_PERFECT) return 0;
  if (sinr < CCK_SIR_IMPOSSIBLE) return 0.5;
  const a1 = 5.3681634344056195e-1;
  const a2 = 3.3092430025608586e-3;
  const a3 = 4.1654372361004e-1;
  const a4 = 1.0288981434358866;
  return a1 * Math.exp(-Math.pow((sinr - a2) / a3, a4));
}

/** 11 Mb/s CCK: the rational fit (a1·s² + a2·s + a3)/(s³ + a4·s² + a5·s + a6), same range limits. */
export function cck11Ber(sinr: number): number {
  if (sinr > CCK_SIR_PERFECT) return 0;
  if (sinr < CCK_SIR_IMPOSSIBLE) return 0.5;
  const a1 = 7.9056742265333456e-3;
  const a2 = -1.839744939917636e-1;
  const a3 = 1.0740689468707241;
  const a4 = 1.0523316904502553;
  const a5 = 3.0552298746496687e-1;
  const a6 = 2.2032715128698435;
  const s = sinr;
  return (a1 * s * s + a2 * s + a3) / (s * s * s + a4 * s * s + a5 * s + a6);
}

/** Uncoded BER of the OFDM subcarrier modulations at SNR per symbol (NIST model): BPSK ½erfc(√s), QPSK ½erfc(√(s/2)), … */
export function bpskBer(sinr: number): number {
  return 0.5 * erfc(Math.sqrt(sinr));
}
export function qpskBer(sinr: number): number {
  return 0.5 * erfc(Math.sqrt(sinr / 2));
}
export function qam16Ber(sinr: number): number {
  return 0.75 * 0.5 * erfc(Math.sqrt(sinr / 10));
}
export function qam64Ber(sinr: number): number {
  return (7 / 12) * 0.5 * erfc(Math.sqrt(sinr / 42));
}

/**
 * Union bound on the bit error probability after hard-decision Viterbi decoding of the 802.11 K = 7 convolutional
 * code and its punctured 2/3 and 3/4 forms, with the distance spectra the NIST model uses (ns-3 `CalculatePe`):
 * Pb ≤ (1/(2b)) Σ c_d · D^d with D = √(4p(1 − p)) and b = 1 (1/2), 2 (2/3), 3 (3/4); capped at 1.
 */
const SPECTRA: Record<'1/2' | '2/3' | '3/4', { b: number; dFree: number; c: readonly number[] }> = {
  '1/2': { b: 1, dFree: 10, c: [36, 0, 211, 0, 1404, 0, 11633, 0, 77433, 0, 502690, 0, 3322763, 0, 21292910, 0, 134365911] },
  '2/3': { b: 2, dFree: 6, c: [3, 70, 285, 1276, 6160, 27128, 117019, 498860, 2103891, 8784123] },
  '3/4': { b: 3, dFree: 5, c: [42, 201, 1492, 10469, 62935, 379644, 2253373, 13073811, 75152755, 428005675] },
};

export function viterbiBer(p: number, codeRate: '1/2' | '2/3' | '3/4'): number {
  const s = SPECTRA[codeRate];
  const d = Math.sqrt(4 * p * (1 - p));
  let sum = 0;
  s.c.forEach((c, i) => {
    if (c !== 0) sum += c * Math.pow(d, s.dFree + i);
  });
  return Math.min(1, sum / (2 * s.b));
}

/** The BER a chunk at `rate` sees at linear SINR `sinr` (after decoding, for OFDM). */
export function bitErrorRate(rate: WifiRate, sinr: number): number {
  const info = rateInfo(rate);
  switch (info.modulation) {
    case 'DBPSK': return dbpskBer(sinr);
    case 'DQPSK': return dqpskBer(sinr);
    case 'CCK': return rate === 5.5 ? cck55Ber(sinr) : cck11Ber(sinr);
    default: {
      const raw =
        info.modulation === 'BPSK' ? bpskBer(sinr)
        : info.modulation === 'QPSK' ? qpskBer(sinr)
        : info.modulation === '16-QAM' ? qam16Ber(sinr)
        : qam64Ber(sinr);
      // ns-3 GetFec*Ber: an uncoded BER of exactly 0 means the chunk succeeds.
      return raw === 0 ? 0 : viterbiBer(raw, info.codeRate!);
    }
  }
}

/** Probability that `nbits` bits at `rate` and linear SINR `sinr` all arrive right: (1 − BER)^nbits. */
export function chunkSuccessRate(rate: WifiRate, sinr: number, nbits: number): number {
  if (nbits <= 0) return 1;
  return Math.pow(1 - bitErrorRate(rate, sinr), nbits);
}

export function dbToRatio(db: number): number {
  return Math.pow(10, db / 10);
}

export function ratioToDb(r: number): number {
  return 10 * Math.log10(r);
}
