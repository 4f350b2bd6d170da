/**
 * Rate arithmetic and rate selection: PHY airtime (§18.3.4 DSSS/CCK, §17.4.3 + §19.8.3.1 ERP-OFDM), the ACK
 * rate (§9.6) and Duration of a unicast frame, rate negotiation (ieee80211_fix_rate), and rssadapt's choice
 * moving with the RSSI and with failures. Expected figures are computed here from the standard's formulas.
 */
import {
  IEEE80211_F_DODEL, IEEE80211_F_DONEGO, IEEE80211_F_DOSORT, IEEE80211_MODE_11B, IEEE80211_MODE_11G, IEEE80211_RATESET_11G,
  IEEE80211_RATE_BASIC, ieee80211_ack_duration, ieee80211_ack_rate, ieee80211_fix_rate, ieee80211_set11gbasicrates, ieee80211_txtime,
} from '../../stack/net80211/rates';
import { RssAdapt } from '../../stack/net80211/rssadapt';

/** ERP-OFDM: 16 µs preamble + 4 µs SIGNAL + 4 µs per symbol of N_DBPS bits (service 16 + 8·len + tail 6) + 6 µs extension. */
function ofdmUs(len: number, mbps: number): number {
  const ndbps = mbps * 4;
  return 16 + 4 + 4 * Math.ceil((16 + 8 * len + 6) / ndbps) + 6;
}

describe('airtime and Duration', () => {
  it('DSSS/CCK: 192 µs long preamble+header (96 µs short), payload at the rate', () => {
    expect(ieee80211_txtime(14, 2, false)).toBe(192 + 14 * 8);
    expect(ieee80211_txtime(1500, 22, false)).toBe(192 + Math.ceil((1500 * 8) / 11));
    expect(ieee80211_txtime(1500, 22, true)).toBe(96 + Math.ceil((1500 * 8) / 11));
    expect(ieee80211_txtime(100, 2, true)).toBe(192 + 800); // no short preamble at 1 Mb/s
  });

  it('ERP-OFDM: symbols of N_DBPS bits', () => {
    for (const mbps of [6, 9, 12, 18, 24, 36, 48, 54]) {
      for (const len of [14, 100, 1536]) expect(ieee80211_txtime(len, mbps * 2, false)).toBe(ofdmUs(len, mbps));
    }
  });

  it('ACK rates (§9.6) and the Duration of a unicast frame = SIFS + ACK', () => {
    expect(ieee80211_ack_rate(108, false)).toBe(48); // 54 → 24 Mb/s
    expect(ieee80211_ack_rate(36, false)).toBe(24); // 18 → 12
    expect(ieee80211_ack_rate(22, true)).toBe(4); // 11 → 2 in an 11b BSS
    expect(ieee80211_ack_rate(22, false)).toBe(22); // 11 → 11 in a mixed BSS (CCK rates basic)
    expect(ieee80211_ack_duration(108, false, false)).toBe(10 + ofdmUs(14, 24));
    expect(ieee80211_ack_duration(22, false, true)).toBe(10 + 192 + 14 * 4);
  });
});

describe('rate sets', () => {
  it('11g basic rates are the CCK ones; 11b 1 and 2 Mb/s', () => {
    expect(ieee80211_set11gbasicrates(IEEE80211_RATESET_11G, IEEE80211_MODE_11G).filter((r) => r & IEEE80211_RATE_BASIC).map((r) => r & 0x7f)).toEqual([2, 4, 11, 22]);
    expect(ieee80211_set11gbasicrates([2, 4, 11, 22], IEEE80211_MODE_11B).filter((r) => r & IEEE80211_RATE_BASIC).map((r) => r & 0x7f)).toEqual([2, 4]);
  });

  it('fix_rate: negotiation keeps the common rates; an AP refuses a station whose basic rate it lacks', () => {
    const ours = ieee80211_set11gbasicrates(IEEE80211_RATESET_11G, IEEE80211_MODE_11G);
    const b = ieee80211_fix_rate([0x82, 0x84, 0x8b, 0x96], ours, IEEE80211_F_DOSORT | IEEE80211_F_DONEGO | IEEE80211_F_DODEL, -1, true);
    expect(b.rate).toBe(22);
    expect(b.rates.length).toBe(4);
    const bad = ieee80211_fix_rate([0x82, 0x84, 0x80 | 44], ours, IEEE80211_F_DONEGO | IEEE80211_F_DODEL, -1, true);
    expect(bad.rate & IEEE80211_RATE_BASIC).toBe(IEEE80211_RATE_BASIC);
  });
});

describe('rssadapt', () => {
  const rs = ieee80211_set11gbasicrates([2, 4, 11, 12, 18, 22, 24, 36, 48, 72, 96, 108], IEEE80211_MODE_11G);
  it('starts at the top rate; failures at a weak RSSI raise that rate’s threshold and the choice drops', () => {
    const ra = new RssAdapt();
    for (let i = 0; i < 8; i++) ra.input(20);
    expect(ra.choose(rs, 1500, false)).toBe(rs.length - 1);
    let idx = rs.length - 1;
    for (let n = 0; n < 40 && idx === rs.length - 1; n++) {
      ra.lowerRate(rs, { len: 1500, rateidx: idx, rssi: 20 });
      idx = ra.choose(rs, 1500, false);
    }
    expect(idx).toBeLessThan(rs.length - 1);
    // short frames are a separate bucket: still at the top
    expect(ra.choose(rs, 100, false)).toBe(rs.length - 1);
    // control frames only at basic rates
    expect(rs[ra.choose(rs, 14, true)]! & IEEE80211_RATE_BASIC).toBe(IEEE80211_RATE_BASIC);
  });
});
