/**
 * The wireless medium with test radios: reception and RSSI at distances, CCA timing (energy and preamble detection),
 * hidden terminals, capture, PER against the error model's formula, moves, determinism and snapshots. Every expected
 * figure is computed here from the formulas (docs/net-media.md, "Wireless").
 */
import { ackFrame, airRig, dataFrame, type TestRadio } from './helpers';
import { airtimeNs, ppduTiming, rateInfo } from '../../../emulator/machine/net/wireless/phy';
import { chunkSuccessRate, dbToRatio } from '../../../emulator/machine/net/wireless/error-model';
import { friisLossDb, noiseFloorDbm, propagationDelayNs } from '../../../emulator/machine/net/wireless/propagation';
import { WIRELESS_DEFAULTS } from '../../../emulator/machine/net/wireless/medium';
import type { WifiRate } from '../../../emulator/machine/net/wireless/radio';

const TX = WIRELESS_DEFAULTS.txPowerDbm;
/** Received power at `d` metres with the defaults (Friis at 1 m on channel 1, exponent 3). */
const rxDbm = (d: number, tx = TX) => tx - friisLossDb(1, 2412) - 30 * Math.log10(Math.max(d, 1));
/** The noise floor of a 20 MHz (OFDM) channel; a function, so the model computes it inside the tests. */
const NOISE_OFDM = () => noiseFloorDbm(20e6, WIRELESS_DEFAULTS.noiseFigureDb);

describe('one frame between two radios', () => {
  test('arrives after airtime + propagation with the RSSI and SNR of the formulas', () => {
    const r = airRig();
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    const b = r.radio('b', { x: 30, y: 40, z: 0 }); // 50 m
    const mpdu = dataFrame(b.addr, a.addr, 200);
    r.at(1000, () => a.send(mpdu, 24, 9));
    r.run(10_000_000);
    const air = airtimeNs(204, 24, false);
    const prop = propagationDelayNs(50);
    expect(a.done).toEqual([1000 + air]);
    expect(b.rx).toHaveLength(1);
    const got = b.rx[0]!;
    expect(got.t).toBe(1000 + prop + air);
    expect(got.ppdu.mpdu).toBe(mpdu);
    expect(got.info.rssiDbm).toBeCloseTo(rxDbm(50), 9);
    expect(got.info.noiseDbm).toBeCloseTo(NOISE_OFDM(), 9);
    expect(got.info.sinrDb).toBeCloseTo(rxDbm(50) - NOISE_OFDM(), 9);
    expect(got.info).toMatchObject({ ok: true, headerOk: true, channel: 1 });
    expect(a.rx).toHaveLength(0); // half duplex: no echo of our own frame
  });

  test('CCA: busy 4 µs after the signal arrives, idle when it has passed; the sender hears nothing of itself', () => {
    const r = airRig();
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    const b = r.radio('b', { x: 100, y: 0, z: 0 }); // -84 dBm: below preamble detection, above nothing
    const c = r.radio('c', { x: 20, y: 0, z: 0 });
    r.at(5000, () => a.send(dataFrame(c.addr, a.addr, 500), 6));
    r.run(10_000_000);
    const air = airtimeNs(504, 6, false);
    const p = propagationDelayNs(20);
    expect(c.cca).toEqual([{ t: 5000 + p + 4000, busy: true }, { t: 5000 + p + air, busy: false }]);
    expect(a.cca).toEqual([]);
    // b: −84 dBm is under the sensitivity (−82) and the energy threshold (−62): CCA stays idle, no frame.
    expect(rxDbm(100)).toBeLessThan(WIRELESS_DEFAULTS.sensitivityDbm);
    expect(b.cca).toEqual([]);
    expect(b.rx).toEqual([]);
  });

  test('energy detection: a noise burst at or above −62 dBm makes CCA busy without a frame', () => {
    const r = airRig();
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    // Noise from 2 m away at 0 dBm: 0 − Friis(1 m) − 30·log10(2) ≈ −49 dBm.
    r.at(1000, () => r.air.noiseBurst('oven', { x: 2, y: 0, z: 0 }, 0, 1, 50_000));
    r.run(1_000_000);
    const p = propagationDelayNs(2);
    expect(a.cca).toEqual([{ t: 1000 + p + 4000, busy: true }, { t: 1000 + p + 50_000, busy: false }]);
    expect(a.rx).toEqual([]);
    expect(a.port.ccaBusy()).toBe(false);
  });
});

test('transmitting abandons a reception: CCA falls back to energy detection at once', () => {
  const r = airRig();
  const a = r.radio('a', { x: 0, y: 0, z: 0 });
  const b = r.radio('b', { x: 50, y: 0, z: 0 }); // −71 dBm: locked by preamble, below the −62 dBm energy threshold
  r.at(1000, () => a.send(dataFrame(b.addr, a.addr, 1000), 6, 1));
  r.at(100_000, () => b.send(ackFrame(a.addr), 6, 2));
  r.run(10_000_000);
  const p = propagationDelayNs(50);
  expect(b.cca).toEqual([{ t: 1000 + p + 4000, busy: true }, { t: 100_000, busy: false }]);
  expect(b.rx).toEqual([]);
  expect(r.recs.filter((x) => x.probe === 'rx-abort').map((x) => [x.pkt, x.f?.['reason']])).toEqual([[1, 'tx']]);
});

describe('collisions for physical reasons', () => {
  test('hidden terminals: A and C cannot hear each other, both hit B, B gets a corrupted frame', () => {
    const r = airRig(3);
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    const b = r.radio('b', { x: 60, y: 0, z: 0 });
    const c = r.radio('c', { x: 120, y: 0, z: 0 });
    expect(rxDbm(120)).toBeLessThan(WIRELESS_DEFAULTS.sensitivityDbm); // A–C: below preamble detection
    expect(rxDbm(60)).toBeGreaterThan(WIRELESS_DEFAULTS.sensitivityDbm + 4); // each reaches B
    r.at(1000, () => a.send(dataFrame(b.addr, a.addr, 1000), 12, 1));
    r.at(51_000, () => c.send(dataFrame(b.addr, c.addr, 1000), 12, 2)); // 50 µs later: A's payload is on the air
    r.run(10_000_000);
    expect(a.cca).toEqual([]);
    expect(c.cca).toEqual([]);
    // B locked onto A's frame; C's arrives at equal power (SINR ≈ 0 dB) and ruins its payload.
    expect(b.rx).toHaveLength(1);
    expect(b.rx[0]!.ppdu.pktId).toBe(1);
    expect(b.rx[0]!.info.ok).toBe(false);
    expect(b.rx[0]!.info.sinrDb).toBeLessThan(1);
    expect(r.recs.some((x) => x.probe === 'rx-miss' && x.pkt === 2 && x.f?.['reason'] === 'busy')).toBe(true);
  });

  test('without the other, each frame would have arrived', () => {
    const r = airRig(3);
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    const b = r.radio('b', { x: 60, y: 0, z: 0 });
    r.radio('c', { x: 120, y: 0, z: 0 });
    r.at(1000, () => a.send(dataFrame(b.addr, a.addr, 1000), 12, 1));
    r.run(10_000_000);
    expect(b.rx.map((x) => x.info.ok)).toEqual([true]);
  });

  const captureRig = (capture: 'none' | 'preamble') => {
    const r = airRig(5, { capture });
    const near = r.radio('near', { x: 10, y: 0, z: 0 });
    const b = r.radio('b', { x: 0, y: 0, z: 0 });
    const far = r.radio('far', { x: 60, y: 0, z: 0 });
    r.at(1000, () => far.send(dataFrame(b.addr, far.addr, 600), 6, 1));
    // The near one (no DCF here: a test radio sends when told) starts 9 µs later: b has synchronised to far's
    // preamble (at 1000 + 200 + 4000 ns) and is still before the end of its SIGNAL field (1200 + 20 µs).
    r.at(10_000, () => near.send(dataFrame(b.addr, near.addr, 600), 6, 2));
    r.run(10_000_000);
    return { r, b };
  };

  test('preamble capture: a frame 23 dB stronger arriving during the first one’s preamble takes the receiver', () => {
    const { r, b } = captureRig('preamble');
    expect(rxDbm(10) - rxDbm(60)).toBeGreaterThan(WIRELESS_DEFAULTS.captureMarginDb);
    expect(b.rx.map((x) => [x.ppdu.pktId, x.info.ok])).toEqual([[2, true]]);
    expect(r.recs.filter((x) => x.probe === 'rx-capture').map((x) => [x.pkt, x.f?.['lost']])).toEqual([[2, 1]]);
  });

  test('without capture the receiver stays on the first frame, which the stronger one ruins', () => {
    const { b } = captureRig('none');
    expect(b.rx.map((x) => [x.ppdu.pktId, x.info.ok])).toEqual([[1, false]]);
  });
});

describe('error model on the air', () => {
  /** Send `n` frames of `len` bytes at `rate` with the receiver at `snrDb`; returns the frames that arrived intact. */
  function trial(seed: number, rate: WifiRate, snrDb: number, n: number, len: number): { ok: number; flags: boolean[] } {
    // A receiver more sensitive than −82 dBm, so that low rates can be tried where their PER is neither 0 nor 1.
    const r = airRig(seed, { sensitivityDbm: -100 });
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    const b = r.radio('b', { x: 10, y: 0, z: 0 });
    const noise = noiseFloorDbm(rateInfo(rate).ofdm ? 20e6 : 22e6, WIRELESS_DEFAULTS.noiseFigureDb);
    a.port.setTxPowerDbm(TX + (noise + snrDb - rxDbm(10)));
    for (let i = 0; i < n; i++) r.at(1000 + i * 1_000_000, () => a.send(dataFrame(b.addr, a.addr, len), rate, i + 1));
    r.run(1000 + n * 1_000_000);
    expect(b.rx).toHaveLength(n);
    for (const x of b.rx) expect(x.info.sinrDb).toBeCloseTo(snrDb, 6);
    const flags = b.rx.map((x) => x.info.ok);
    return { ok: flags.filter((f) => f).length, flags };
  }

  /** The formula: the PLCP header's and the payload's chunks at one SNR (coded bits for OFDM). */
  function per(rate: WifiRate, snrDb: number, len: number): number {
    const t = ppduTiming(len + 4, rate, false);
    const s = dbToRatio(snrDb);
    const hdrBits = Math.floor((rateInfo(t.headerRate).phyBitsPerUs * t.headerNs) / 1000);
    const payBits = Math.floor((rateInfo(rate).phyBitsPerUs * t.payloadNs) / 1000);
    return 1 - chunkSuccessRate(t.headerRate, s, hdrBits) * chunkSuccessRate(rate, s, payBits);
  }

  test.each([
    [54, 21.5, 1000],
    [36, 16.5, 1000],
    [12, 6.25, 500],
  ] as [WifiRate, number, number][])('%s Mb/s at %s dB SNR: measured PER within 4σ of the formula', (rate, snr, len) => {
    const n = 400;
    const p = per(rate, snr, len);
    expect(p).toBeGreaterThan(0.05);
    expect(p).toBeLessThan(0.95);
    const { ok } = trial(11, rate, snr, n, len);
    const measured = 1 - ok / n;
    const sigma = Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(measured - p)).toBeLessThan(4 * sigma);
  });

  test('same seed, same errors; another seed, other errors', () => {
    const one = trial(21, 54, 21.5, 60, 1000).flags;
    expect(trial(21, 54, 21.5, 60, 1000).flags).toEqual(one);
    expect(trial(22, 54, 21.5, 60, 1000).flags).not.toEqual(one);
  });
});

describe('moving and retuning', () => {
  test('a move takes a radio out of range and back', () => {
    const r = airRig();
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    const b: TestRadio = r.radio('b', { x: 20, y: 0, z: 0 });
    const send = (t: number, id: number) => r.at(t, () => a.send(dataFrame(b.addr, a.addr, 100), 6, id));
    send(1_000_000, 1);
    r.at(2_000_000, () => r.positions.move('b', { x: 400, y: 0, z: 0 }));
    send(3_000_000, 2);
    r.at(4_000_000, () => r.positions.move('b', { x: 0, y: 30, z: 0 }));
    send(5_000_000, 3);
    r.run(6_000_000);
    expect(b.rx.map((x) => x.ppdu.pktId)).toEqual([1, 3]);
    expect(b.rx[1]!.info.rssiDbm).toBeCloseTo(rxDbm(30), 9);
    expect(r.recs.filter((x) => x.probe === 'move').map((x) => x.f?.['to'])).toEqual(['400,0,0', '0,30,0']);
  });

  test('a radio on another channel does not receive; the adjacent-channel leak shows only as energy', () => {
    const r = airRig();
    const a = r.radio('a', { x: 0, y: 0, z: 0 });
    const b = r.radio('b', { x: 1, y: 0, z: 0 });
    b.port.setChannel(6);
    r.at(1000, () => a.send(dataFrame(b.addr, a.addr, 100), 6));
    r.run(1_000_000);
    expect(b.rx).toEqual([]);
    b.port.setChannel(99 as number);
    expect(b.port.channel).toBe(6);
    expect(r.recs.some((x) => x.probe === 'channel-ignored')).toBe(true);
  });
});

describe('snapshots', () => {
  test('save mid-frame, restore into a fresh medium, the frame still arrives', () => {
    const build = () => {
      const r = airRig(4);
      const a = r.radio('a', { x: 0, y: 0, z: 0 });
      const b = r.radio('b', { x: 10, y: 0, z: 0 });
      return { r, a, b };
    };
    const one = build();
    one.r.at(1000, () => one.a.send(dataFrame(one.b.addr, one.a.addr, 300), 12, 5));
    one.r.run(20_000);
    const saved = JSON.parse(JSON.stringify(one.r.air.saveState()));
    const two = build();
    two.r.sim.queue.runUntil(20_000);
    two.r.air.loadState(saved);
    two.r.run(1_000_000);
    one.r.run(1_000_000);
    expect(two.b.rx.map((x) => [x.t, x.ppdu.pktId, x.info.ok])).toEqual(one.b.rx.map((x) => [x.t, x.ppdu.pktId, x.info.ok]));
    expect(two.b.rx).toHaveLength(1);
    expect(() => two.r.air.loadState({ v: 99 })).toThrow();
  });

  test('node positions save and load with their version', () => {
    const r = airRig();
    r.positions.place('ap', { x: 1, y: 2, z: 3 });
    r.positions.move('sta', { x: 4, y: 5, z: 6 });
    const saved = JSON.parse(JSON.stringify(r.positions.saveState()));
    const other = airRig();
    other.positions.loadState(saved);
    expect([other.positions.get('ap'), other.positions.get('sta')]).toEqual([{ x: 1, y: 2, z: 3 }, { x: 4, y: 5, z: 6 }]);
    expect(() => other.positions.loadState({ v: 2 })).toThrow();
  });
});
