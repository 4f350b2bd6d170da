/**
 * The wireless medium's formulas against figures computed here from the standard and the published models:
 * PPDU airtime (IEEE 802.11-2016 clauses 15–18), DCF interframe spaces, log-distance path loss and thermal noise,
 * and the NIST/DSSS error-rate models' BER and PER (PER = 1 − Π(1 − BER)^bits).
 */
import { ackTimeoutUs, airtimeNs, difsUs, DSSS_PHY, eifsUs, ERP_PHY_SHORT_SLOT, ppduTiming, channelFrequencyMHz } from '../../../emulator/machine/net/wireless/phy';
import {
  bitErrorRate, bpskBer, chunkSuccessRate, dbpskBer, erfc, qam64Ber, viterbiBer,
} from '../../../emulator/machine/net/wireless/error-model';
import {
  adjacentChannelLossDb, channelLossDb, friisLossDb, noiseFloorDbm, pathLossDb, propagationDelayNs,
} from '../../../emulator/machine/net/wireless/propagation';
import { segments, sectionSuccess } from '../../../emulator/machine/net/wireless/interference';
import { US } from '../../../emulator/machine/sim';

describe('airtime (TXTIME)', () => {
  test('DSSS/HR-DSSS: preamble + PLCP header + ceil(8·LENGTH/rate)', () => {
    // An ACK (14 bytes with FCS) at 1 Mb/s, long preamble: 144 + 48 + 112 µs.
    expect(airtimeNs(14, 1, false)).toBe((144 + 48 + 112) * US);
    // 1 Mb/s has no short preamble: the flag is ignored.
    expect(airtimeNs(14, 1, true)).toBe(airtimeNs(14, 1, false));
    // 1500 bytes at 11 Mb/s, short preamble: 72 + 24 + ceil(12000/11).
    expect(airtimeNs(1500, 11, true)).toBe((72 + 24 + Math.ceil(12000 / 11)) * US);
    // 5.5 Mb/s, long: ceil(8·100/5.5) = 146.
    expect(airtimeNs(100, 5.5, false)).toBe((192 + Math.ceil(800 / 5.5)) * US);
  });

  test('ERP-OFDM: 16 + 4 + 4·ceil((16 + 8·LENGTH + 6)/N_DBPS) + 6 µs signal extension', () => {
    const ofdm = (len: number, ndbps: number) => (20 + 4 * Math.ceil((22 + 8 * len) / ndbps) + 6) * US;
    expect(airtimeNs(14, 6, false)).toBe(ofdm(14, 24)); // the 6 Mb/s ACK: 50 µs
    expect(airtimeNs(14, 6, false)).toBe(50 * US);
    expect(airtimeNs(1534, 54, false)).toBe(ofdm(1534, 216));
    expect(airtimeNs(1534, 24, false)).toBe(ofdm(1534, 96));
    const t = ppduTiming(100, 54, true);
    expect([t.preambleNs, t.headerNs, t.extensionNs, t.headerRate]).toEqual([16 * US, 4 * US, 6 * US, 6]);
  });

  test('DCF interframe spaces and ACK timeout from the PHY characteristics', () => {
    expect(difsUs(DSSS_PHY)).toBe(50);
    expect(difsUs(ERP_PHY_SHORT_SLOT)).toBe(28);
    expect(eifsUs(DSSS_PHY)).toBe(10 + 50 + 304);
    expect(ackTimeoutUs(ERP_PHY_SHORT_SLOT, 6)).toBe(10 + 9 + 20);
  });

  test('channel frequencies: 2407 + 5n MHz, channel 14 at 2484', () => {
    expect([1, 6, 11, 13, 14].map(channelFrequencyMHz)).toEqual([2412, 2437, 2462, 2472, 2484]);
  });
});

describe('propagation', () => {
  test('log-distance loss: Friis at 1 m, then 10·n·log10(d) more', () => {
    const f = 2437;
    const l0 = 20 * Math.log10((4 * Math.PI * f * 1e6) / 299792458);
    expect(friisLossDb(1, f)).toBeCloseTo(l0, 9);
    for (const d of [0.5, 1, 10, 37, 100]) {
      const want = d <= 1 ? l0 : l0 + 10 * 3 * Math.log10(d);
      expect(pathLossDb(d, f, { exponent: 3, referenceLossDb: null, referenceDistanceM: 1 })).toBeCloseTo(want, 9);
    }
    expect(pathLossDb(50, f, { exponent: 2.5, referenceLossDb: 46.7, referenceDistanceM: 5 })).toBeCloseTo(46.7 + 25 * Math.log10(10), 9);
  });

  test('propagation delay: distance / c, whole ns', () => {
    expect(propagationDelayNs(0)).toBe(0);
    expect(propagationDelayNs(300)).toBe(Math.round(300 / 0.299792458));
    expect(propagationDelayNs(10)).toBe(33);
  });

  test('thermal noise: −174 dBm/Hz + 10·log10(B) + NF', () => {
    expect(noiseFloorDbm(20e6, 7)).toBeCloseTo(10 * Math.log10(1.380649e-23 * 290 * 20e6 / 1e-3) + 7, 9);
    expect(noiseFloorDbm(20e6, 7)).toBeCloseTo(-174 + 73.01 + 7, 1);
    expect(noiseFloorDbm(22e6, 0)).toBeCloseTo(-174 + 10 * Math.log10(22e6), 1);
  });

  test('adjacent channels: none on the same channel, more the further apart, ≥ 25 dB five channels off for OFDM', () => {
    expect(channelLossDb(6, 6, true)).toBe(0);
    const losses = [1, 2, 3, 4, 5].map((k) => adjacentChannelLossDb(5 * k, true));
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeGreaterThan(losses[i - 1]!);
    expect(losses[0]!).toBeGreaterThan(0);
    expect(losses[4]!).toBeGreaterThan(25);
    expect(channelLossDb(1, 6, false)).toBeGreaterThan(channelLossDb(1, 3, false));
  });
});

describe('error-rate model (ns-3 NIST for OFDM, DSSS for 1–11 Mb/s)', () => {
  const db = (x: number) => Math.pow(10, x / 10);

  test('erfc is accurate where long frames need it', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
    expect(erfc(3) / 2.209049699858544e-5).toBeCloseTo(1, 5);
    expect(erfc(-1)).toBeCloseTo(2 - 0.157299207, 7);
  });

  test('uncoded BPSK ½·erfc(√SNR) and DBPSK ½·exp(−Eb/N0) with 22 MHz of processing gain', () => {
    expect(bpskBer(1)).toBeCloseTo(0.5 * 0.157299207, 7);
    expect(dbpskBer(db(-10))).toBeCloseTo(0.5 * Math.exp(-0.1 * 22), 12);
  });

  test('coded OFDM: union bound over the K=7 code’s distance spectrum', () => {
    const p = 1e-3;
    const d = Math.sqrt(4 * p * (1 - p));
    // Rate 1/2: d_free 10, c_10 = 36, c_12 = 211, …; Pb ≤ ½ Σ c_d D^d.
    const c12 = [36, 0, 211, 0, 1404, 0, 11633, 0, 77433, 0, 502690, 0, 3322763, 0, 21292910, 0, 134365911];
    const want = c12.reduce((s, c, i) => s + c * Math.pow(d, 10 + i), 0) / 2;
    expect(viterbiBer(p, '1/2')).toBeCloseTo(want, 15);
    // 54 Mb/s = 64-QAM 3/4: BER from the 64-QAM symbol error approximation, then the 3/4 code.
    const s = db(25);
    expect(bitErrorRate(54, s)).toBeCloseTo(viterbiBer((7 / 12) * 0.5 * erfc(Math.sqrt(s / 42)), '3/4'), 15);
    expect(qam64Ber(s)).toBeCloseTo((7 / 12) * 0.5 * erfc(Math.sqrt(s / 42)), 15);
  });

  test('higher rates need more SNR: the SNR for 10% PER of 1000 bytes climbs with the rate', () => {
    const snrFor = (rate: 6 | 12 | 24 | 54 | 1 | 11): number => {
      for (let x = -10; x < 40; x += 0.1) if (1 - chunkSuccessRate(rate, db(x), 8000) < 0.1) return x;
      return Infinity;
    };
    const ofdm = ([6, 12, 24, 54] as const).map(snrFor);
    for (let i = 1; i < ofdm.length; i++) expect(ofdm[i]!).toBeGreaterThan(ofdm[i - 1]!);
    expect(snrFor(1)).toBeLessThan(snrFor(11));
    // With 1000 bytes counted as coded bits (ns-3's GetPhyRate): 6 Mb/s falls off a cliff at a few dB, 54 Mb/s
    // near 22 dB; a wide band here, the exact curve is the formula above.
    expect(ofdm[0]!).toBeGreaterThan(0);
    expect(ofdm[0]!).toBeLessThan(5);
    expect(ofdm[3]!).toBeGreaterThan(17);
    expect(ofdm[3]!).toBeLessThan(25);
  });

  test('a frame’s success is the product over its interference segments', () => {
    const noise = 1e-9;
    const sig = db(8) * noise;
    // Interference of 2× noise over the middle third of a 300 µs payload.
    const segs = segments(sig, noise, 0, 300_000, [{ start: 100_000, end: 200_000, powerMw: 2 * noise }]);
    expect(segs.map((s) => [s.start, s.end])).toEqual([[0, 100_000], [100_000, 200_000], [200_000, 300_000]]);
    const clean = chunkSuccessRate(12, db(8), 2400); // 12 Mb/s: 24 coded bits per µs × 100 µs
    const dirty = chunkSuccessRate(12, db(8) / 3, 2400);
    expect(sectionSuccess(segs, 0, 300_000, 12)).toBeCloseTo(clean * dirty * clean, 12);
  });
});
