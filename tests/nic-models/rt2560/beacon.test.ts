/**
 * The TSF timer and beacon generator as NetBSD rt2560_enable_tsf_sync programs them for hostap (CSR12 = 16 × 100,
 * CSR14 = TSF_COUNT | TBCN | TSF_SYNC(2) | BEACON_GEN) with the beacon descriptor rt2560_tx_bcn writes (TIMESTAMP,
 * IFS_NEWBACKOFF): a TBTT every 100 TU of TSF, TBCN_EXPIRE each time, the beacon on the air right after with the
 * TSF of its timestamp's first bit at byte 24, BEACON_SENT; a station with TSF_SYNC = 1 and the AP's BSSID adopts it.
 */
import { Bed, BCAST, frame, MAC_A, MAC_B, MS, US } from './fixture';
import { CSR } from '../../../nic-models/rt2560/regs';
import { byteOffsetNs } from '../../../nic-models/rt2560/phy';
import { propagationDelayNs } from '../../../emulator/machine/net/wireless/propagation';

const TU = 1024 * US;

function beaconBody(): number[] {
  const ssid = Array.from('qnx-ap', (ch) => ch.charCodeAt(0));
  return [0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0x01, 0x00, 0, ssid.length, ...ssid, 1, 4, 0x82, 0x84, 0x8b, 0x96, 3, 1, 6];
}

test('hostap: TBTT every 100 TU, TBCN_EXPIRE, a timestamped beacon at each TBTT, TSF sync of a station', () => {
  const bed = new Bed({ chips: [{ mac: MAC_A, pos: { x: 0, y: 0, z: 0 } }, { mac: MAC_B, pos: { x: 20, y: 0, z: 0 } }], air: {} });
  const [ap, sta] = [bed.chips[0]!, bed.chips[1]!];
  ap.open({ style: 'bsd' });
  sta.open({ style: 'linux' });
  // rt2560_tx_bcn: the beacon descriptor (BUSY | VALID | TIMESTAMP | IFS_NEWBACKOFF), 1 Mb/s.
  const b = frame(0x80, BCAST, MAC_A, MAC_A, beaconBody());
  const buf = bed.alloc(b.length);
  bed.memW(buf, b);
  ap.fillDesc(ap.rings!.beacon.base, buf, b.length, 1, { timestamp: true, ifs: 2 });
  ap.setMac(MAC_A, CSR.CSR5);
  ap.w(CSR.CSR12, 16 * 100);
  ap.w(CSR.CSR13, 0);
  ap.w(CSR.BCNCSR1, (2 << 16) | 1024);
  ap.w(CSR.CSR14, 0x1 | 0x8 | (2 << 1) | 0x40);
  const tStart = bed.now; // the write takes effect at the end of its bus cycle
  // The station: mac80211's TSF_SYNC = 1 (infrastructure) with the AP as BSSID; its TSF started 5 ms earlier.
  sta.setMac(MAC_A, CSR.CSR5);
  sta.w(CSR.CSR14, 0x1 | (1 << 1));
  const staStart = bed.now;

  const beacons: { t: number; ts: number }[] = [];
  bed.air!.tap((tx) => {
    if (tx.from === ap.name && tx.ppdu && tx.ppdu.mpdu[0] === 0x80) {
      let ts = 0;
      for (let i = 7; i >= 0; i--) ts = ts * 256 + tx.ppdu.mpdu[24 + i]!;
      beacons.push({ t: bed.now, ts });
    }
  });
  bed.delay(1000 * MS);
  const tbtts = bed.traced('tbtt', ap.name);
  expect(tbtts.length).toBe(Math.floor((bed.now - tStart) / (100 * TU)));
  tbtts.forEach((r, k) => {
    expect(r.f!['tsf']).toBe((k + 1) * 100 * 1024);
    expect(r.t - tStart).toBeGreaterThanOrEqual((k + 1) * 100 * TU);
    expect(r.t - tStart).toBeLessThan((k + 1) * 100 * TU + US);
  });
  expect(ap.r(CSR.CSR7) & 0x1).toBe(1);
  expect(ap.r(CSR.CSR15) & 0x4).toBe(0x4);
  expect(beacons.length).toBe(tbtts.length);
  beacons.forEach((bc, k) => {
    const tbtt = tbtts[k]!.t;
    // The medium has been idle far longer than the AIFS: after the DMA of descriptor and frame (< 2 µs on 33 MHz
    // PCI) the backoff counts 0…3 slots of BEACON_CWMIN 2 at once.
    const wait = bc.t - tbtt;
    expect(wait % (20 * US)).toBeLessThan(2 * US);
    expect(wait).toBeLessThan(3 * 20 * US + 2 * US);
    expect(bc.ts).toBe(Math.floor((bc.t + byteOffsetNs(24, 1, false) - tStart) / 1000));
  });
  // The station saw them all (RX ring of 32) and adopted the AP's TSF.
  expect(sta.rxDesc(0).data[0]).toBe(0x80);
  const apTsf = ap.r(CSR.CSR16);
  const staTsf = sta.r(CSR.CSR16);
  expect(staStart).toBeGreaterThan(tStart);
  expect(Math.abs(staTsf - apTsf)).toBeLessThanOrEqual(2 + Math.ceil(propagationDelayNs(20) / 1000));
});

test('TSF: counts at 1 MHz only while TSF_COUNT; CSR16/CSR17 load it', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  expect(c.r(CSR.CSR16)).toBe(0);
  c.w(CSR.CSR14, 1);
  bed.delay(1500 * US);
  const t = c.r(CSR.CSR16);
  expect(t).toBeGreaterThanOrEqual(1500);
  expect(t).toBeLessThan(1510);
  c.w(CSR.CSR14, 0);
  const frozen = c.r(CSR.CSR16);
  bed.delay(MS);
  expect(c.r(CSR.CSR16)).toBe(frozen);
  c.w(CSR.CSR17, 7);
  c.w(CSR.CSR16, 0xfffffff0);
  expect(c.r(CSR.CSR17)).toBe(7);
  expect(c.r(CSR.CSR16)).toBe(0xfffffff0);
});
