/**
 * How a signal gets from one antenna to another: log-distance path loss, propagation delay, the receiver's
 * thermal noise floor, and how much of a signal on another 2.4 GHz channel falls into a receiver's band.
 */
import type { Position } from './radio';
import { channelFrequencyMHz } from './phy';

/** Speed of light in metres per ns. */
export const C_M_PER_NS = 0.299792458;
/** Boltzmann's constant (J/K) and the reference temperature of thermal noise (K): kT = −173.98 dBm/Hz. */
export const BOLTZMANN = 1.380649e-23;
export const NOISE_TEMPERATURE_K = 290;

export interface PathLossConfig {
  /** Path-loss exponent n (2 free space; 3 the ns-3 default and a common indoor figure). */
  readonly exponent: number;
  /** Loss at the reference distance, dB; null: free-space (Friis) loss at d0 at the transmitter's frequency. */
  readonly referenceLossDb: number | null;
  /** Reference distance d0, metres. */
  readonly referenceDistanceM: number;
}

export function distanceM(a: Position, b: Position): number {
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

/** Friis free-space loss 20·log10(4π·d·f/c) in dB (d in metres, f in MHz). */
export function friisLossDb(d: number, freqMHz: number): number {
  return 20 * Math.log10((4 * Math.PI * d * freqMHz * 1e6) / (C_M_PER_NS * 1e9));
}

/**
 * Log-distance path loss L(d) = L0 + 10·n·log10(d/d0) (Rappaport, "Wireless Communications", §4.9; ns-3
 * LogDistancePropagationLossModel), and L0 for d ≤ d0 (ns-3 does the same: no gain closer than the reference).
 */
export function pathLossDb(d: number, freqMHz: number, cfg: PathLossConfig): number {
  const l0 = cfg.referenceLossDb ?? friisLossDb(cfg.referenceDistanceM, freqMHz);
  if (d <= cfg.referenceDistanceM) return l0;
  return l0 + 10 * cfg.exponent * Math.log10(d / cfg.referenceDistanceM);
}

/** Propagation delay at the speed of light, whole ns (rounded). */
export function propagationDelayNs(d: number): number {
  return Math.round(d / C_M_PER_NS);
}

/** Thermal noise floor of a receiver: 10·log10(kTB / 1 mW) + noise figure, dBm (−174 dBm/Hz + 10·log10 B + NF). */
export function noiseFloorDbm(bandwidthHz: number, noiseFigureDb: number): number {
  return 10 * Math.log10((BOLTZMANN * NOISE_TEMPERATURE_K * bandwidthHz) / 1e-3) + noiseFigureDb;
}

export function dbmToMw(dbm: number): number {
  return Math.pow(10, dbm / 10);
}

export function mwToDbm(mw: number): number {
  return mw > 0 ? 10 * Math.log10(mw) : -Infinity;
}

/**
 * The shape of a transmitted spectrum, relative to its peak (dBr) at `offsetMHz` from the centre:
 * - OFDM (ERP-OFDM, and the noise of an interference burst): the transmit spectral mask of clause 17 — 0 dBr to
 *   ±9 MHz, −20 dBr at ±11, −28 dBr at ±20, −40 dBr at ±30 and beyond, linear in dB between.
 * - DSSS/CCK: the sinc² spectrum of 11 Mchip/s chips, held under the transmit mask of clauses 15/16 (−30 dBr
 *   beyond ±11 MHz, −50 dBr beyond ±22 MHz).
 */
export function spectrumDbr(offsetMHz: number, ofdm: boolean): number {
  const f = Math.abs(offsetMHz);
  if (ofdm) {
    const pts: readonly [number, number][] = [[9, 0], [11, -20], [20, -28], [30, -40]];
    if (f <= 9) return 0;
    for (let i = 1; i < pts.length; i++) {
      const [f1, d1] = pts[i - 1]!;
      const [f2, d2] = pts[i]!;
      if (f <= f2) return d1 + ((d2 - d1) * (f - f1)) / (f2 - f1);
    }
    return -40;
  }
  const x = f / 11;
  const sinc2 = x === 0 ? 1 : Math.pow(Math.sin(Math.PI * x) / (Math.PI * x), 2);
  const shape = 10 * Math.log10(Math.max(sinc2, 1e-12));
  const mask = f <= 11 ? 0 : f <= 22 ? -30 : -50;
  return Math.min(shape, mask);
}

/** The receiver's channel filter: an ideal 20 MHz pass band around its centre. */
export const RX_HALF_BANDWIDTH_MHZ = 10;
const STEP_MHZ = 0.05;
const aciCache = new Map<string, number>();

/**
 * Adjacent-channel attenuation (dB ≥ 0): how much less of a transmission's power falls into a receiver's 20 MHz
 * band when the transmitter is `deltaMHz` away than when it is on the same channel, integrating `spectrumDbr` over
 * the band. 0 for the same channel; e.g. ≈ 1.4 dB (DSSS) for 5 MHz, ≈ 32 dB (OFDM) for 25 MHz.
 */
export function adjacentChannelLossDb(deltaMHz: number, ofdm: boolean): number {
  const delta = Math.abs(deltaMHz);
  if (delta === 0) return 0;
  const key = `${ofdm ? 'o' : 'd'}${delta}`;
  const hit = aciCache.get(key);
  if (hit !== undefined) return hit;
  const inBand = (centre: number): number => {
    let sum = 0;
    for (let f = -RX_HALF_BANDWIDTH_MHZ + STEP_MHZ / 2; f < RX_HALF_BANDWIDTH_MHZ; f += STEP_MHZ) sum += Math.pow(10, spectrumDbr(f - centre, ofdm) / 10);
    return sum;
  };
  const loss = 10 * Math.log10(inBand(0) / inBand(delta));
  aciCache.set(key, loss);
  return loss;
}

/** The attenuation between a transmission on `txChannel` and a receiver on `rxChannel`. */
export function channelLossDb(txChannel: number, rxChannel: number, ofdm: boolean): number {
  if (txChannel === rxChannel) return 0;
  return adjacentChannelLossDb(channelFrequencyMHz(txChannel) - channelFrequencyMHz(rxChannel), ofdm);
}
