/**
 * Edges of the wireless medium that the main tests leave open: a TX power that is not a number, `transmitting()`,
 * the SINR at preamble detection against noise already on the air, interference that ended before the frame it hit,
 * heights (z) in the distance, the CCK fit below its range, and the PLCP header's success counting only its own bits.
 * Expected figures come from the formulas (docs/net-media.md, "Wireless").
 */
import { airRig, dataFrame } from './helpers';
import { WIRELESS_DEFAULTS } from '../../../emulator/machine/net/wireless/medium';
import { airtimeNs, noiseBandwidthHz, ppduTiming, rateInfo } from '../../../emulator/machine/net/wireless/phy';
import { bitErrorRate, chunkSuccessRate } from '../../../emulator/machine/net/wireless/error-model';
import { segments, sectionSuccess } from '../../../emulator/machine/net/wireless/interference';
import { friisLossDb, noiseFloorDbm, propagationDelayNs } from '../../../emulator/machine/net/wireless/propagation';

const TX = WIRELESS_DEFAULTS.txPowerDbm;
/** Received power at `d` metres with the defaults (Friis at 1 m on channel 1, exponent 3). */
const rxDbm = (d: number, tx = TX) => tx - friisLossDb(1, 2412) - 30 * Math.log10(Math.max(d, 1));
const mw = (dbm: number) => 10 ** (dbm / 10);
const dbm = (mW: number) => 10 * Math.log10(mW);
/** Thermal noise of the receiver at an OFDM rate (20 MHz) with the default noise figure. */
const noise = () => noiseFloorDbm(noiseBandwidthHz(6), WIRELESS_DEFAULTS.noiseFigureDb);
const round1 = (x: number) => Math.round(x * 10) / 10;

describe('the radio port', () => {
  test('a TX power that is not a number is ignored and traced `txpower-ignored`', () => {
    // A driver writing a garbage power register value (radio.ts RadioPort.setTxPowerDbm): the radio keeps its
    // power; the trace says which radio ignored it (layer air, like `channel-ignored`).
    const r = airRig();
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    a.port.setTxPowerDbm(10);
    a.port.setTxPowerDbm(Number.NaN);
    expect(a.port.txPowerDbm).toBe(10);
    expect(r.recs.filter((x) => x.layer === 'air').map((x) => [x.probe, x.f])).toEqual([['txpower-ignored', { link: 'air', radio: 'a' }]]);
  });

  test('transmitting() is true from transmit() until txDone, and only at the sender', () => {
    // radio.ts: "Our own PPDU is on the air (between `transmit` and `txDone`)"; a MAC checks it before a retune.
    const r = airRig();
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    const b = r.radio('b', { x: 10, y: 0, z: 0 });
    const air = airtimeNs(204, 6, false);
    const seen: [number, boolean, boolean][] = [];
    const look = (t: number) => r.at(t, () => seen.push([t, a.port.transmitting(), b.port.transmitting()]));
    look(500);
    r.at(1000, () => a.send(dataFrame(b.addr, a.addr, 200), 6, 1));
    look(1001);
    look(1000 + air - 1);
    look(1000 + air + 1);
    r.run(10_000_000);
    expect(a.done).toEqual([1000 + air]);
    expect(seen).toEqual([[500, false, false], [1001, true, false], [1000 + air - 1, true, false], [1000 + air + 1, false, false]]);
  });
});

describe('interference at the receiver', () => {
  test('preamble detection measures SINR against the noise already on the air', () => {
    // ns-3 ThresholdPreambleDetectionModel: detected when SINR ≥ 4 dB, SINR = signal / (thermal + every other
    // signal now). b hears a at −54 dB m and a noise burst 3 dB weaker: SINR ≈ 3 dB, so the preamble is missed.
    const r = airRig();
    const b = r.radio('b', { x: 0, y: 0, z: 0 });
    const a = r.radio('a', { x: 10, y: 0, z: 0 });
    r.at(1000, () => r.air.noiseBurst('oven', { x: 0, y: 10, z: 0 }, TX - 3, 1, 1_000_000));
    r.at(10_000, () => a.send(dataFrame(b.addr, a.addr, 200), 6, 7));
    r.run(5_000_000);
    const sinr = rxDbm(10) - dbm(mw(noise()) + mw(rxDbm(10, TX - 3)));
    expect(sinr).toBeLessThan(WIRELESS_DEFAULTS.preambleDetectDb);
    const miss = r.recs.filter((x) => x.probe === 'rx-miss');
    expect(miss.map((x) => [x.pkt, x.f!.reason, x.f!.sinr])).toEqual([[7, 'preamble-sinr', round1(sinr)]]);
    expect(b.rx).toEqual([]);
  });

  test('a noise burst that ended before the frame did still counts against it (worst SINR at rxEnd)', () => {
    // ns-3 InterferenceHelper keeps every signal that overlapped the frame until the frame ends; the RxInfo the
    // NIC model reports (and the rx-end record) give the worst SINR over the frame: with the burst, not without.
    const r = airRig();
    const b = r.radio('b', { x: 0, y: 0, z: 0 });
    const a = r.radio('a', { x: 10, y: 0, z: 0 });
    const t0 = 1000;
    r.at(t0, () => a.send(dataFrame(b.addr, a.addr, 1500), 6, 8)); // about 2 ms at 6 Mb/s
    const t = ppduTiming(1504, 6, false);
    // 100 µs of noise 20 dB under a's signal, well inside the payload.
    r.at(t0 + 500_000, () => r.air.noiseBurst('oven', { x: 0, y: 10, z: 0 }, TX - 20, 1, 100_000));
    r.run(10_000_000);
    expect(t.totalNs).toBeGreaterThan(700_000);
    const worst = rxDbm(10) - dbm(mw(noise()) + mw(rxDbm(10, TX - 20)));
    expect(b.rx).toHaveLength(1);
    expect(b.rx[0]!.info.sinrDb).toBeCloseTo(worst, 9);
    expect(r.recs.filter((x) => x.probe === 'rx-end').map((x) => x.f!.sinr)).toEqual([round1(worst)]);
  });

  test('distance counts height: two radios 40 m apart at the same height 3 m up', () => {
    // Positions are 3-D (docs/formats/scenario.md `position: {x, y, z}`); the distance is the Euclidean one.
    const r = airRig();
    const a = r.radio('a', { x: 0, y: 0, z: 3 });
    const b = r.radio('b', { x: 40, y: 0, z: 3 });
    r.at(1000, () => a.send(dataFrame(b.addr, a.addr, 200), 6, 1));
    r.run(10_000_000);
    expect(b.rx).toHaveLength(1);
    expect(b.rx[0]!.info.rssiDbm).toBeCloseTo(rxDbm(40), 9);
    expect(b.rx[0]!.t).toBe(1000 + propagationDelayNs(40) + airtimeNs(204, 6, false));
  });
});

describe('error model edges', () => {
  test('11 Mb/s CCK below SINR 0.1 (−10 dB): BER ½ (ns-3 DsssErrorRateModel, WLAN_SIR_IMPOSSIBLE)', () => {
    // The Matlab fit is valid on [0.1, 10]; ns-3 returns 0.5 below it rather than the fit's extrapolation.
    for (const s of [0.099, 0.05, 0.01, 0]) expect(bitErrorRate(11, s)).toBe(0.5);
    for (const s of [0.099, 0.05]) expect(bitErrorRate(5.5, s)).toBe(0.5);
  });

  test('a section\'s success counts only the bits inside it, not the rest of the segment it falls in', () => {
    // air-radio.ts checks the PLCP header at its end against the segments of the whole frame: one clean
    // segment here, from the frame's start to its end. ns-3 CalculatePhyHeaderPer counts the header's bits only.
    const noiseMw = 1e-9;
    const sinr = 10 ** (2 / 10); // 2 dB: the 6 Mb/s BER is far from 0
    const frameEnd = 2_000_000;
    const segs = segments(sinr * noiseMw, noiseMw, 0, frameEnd, []);
    const from = 16_000; // after the 16 µs preamble
    const to = 20_000; // the 4 µs SIGNAL field at 6 Mb/s
    const bits = Math.floor((rateInfo(6).phyBitsPerUs / 1000) * (to - from)); // 12 coded bits per µs: 48
    expect(bits).toBe(48);
    expect(sectionSuccess(segs, from, to, 6)).toBeCloseTo(chunkSuccessRate(6, sinr, bits), 12);
    // Counting the segment on to the frame's end would be ~500 times the bits: a header that almost never passes.
    expect(chunkSuccessRate(6, sinr, bits)).toBeGreaterThan(10 * chunkSuccessRate(6, sinr, Math.floor(0.012 * (frameEnd - from))));
  });
});
