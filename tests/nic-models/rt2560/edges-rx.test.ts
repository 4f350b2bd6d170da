/**
 * RT2560 receive edges: TSF synchronisation by CSR14.TSF_SYNC (802.11-2012 10.1.3.2 infrastructure, 10.1.3.3 IBSS;
 * rt2500pci writes 1 for a station, 2 for IBSS, 3 for an AP), the RXD MY_BSS flag by the BSSID the DS bits name
 * (802.11-2012 8.3.2.1 Table 8-19), and CSR9.MAX_FRAME_UNIT (rt2500pci_init_registers: the RX entry size / 128).
 * Frames are sent by a second RT2560 on the same medium, with timestamps written by the test (no TIMESTAMP flag).
 */
import { BCAST, frame, MAC_A, MAC_B, US, type Chip, MAC_C, openPair } from './fixture';
import { CSR } from '../../../nic-models/rt2560/regs';
import { airtimeNs, byteOffsetNs } from '../../../nic-models/rt2560/phy';

const BSS = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];

const pair = () => openPair('linux');

/** A beacon (0x80) or probe response (0x50) body: timestamp, interval 100 TU, ESS, SSID "x". */
function mgmt(fc: number, a1: number[], bssid: number[], tsf: number, cut?: number): Uint8Array {
  const ts = Array.from({ length: 8 }, (_, i) => Math.floor(tsf / 2 ** (8 * i)) & 0xff);
  const f = frame(fc, a1, MAC_A, bssid, [...ts, 100, 0, 0x01, 0x00, 0, 1, 0x78]);
  return cut === undefined ? f : f.subarray(0, cut);
}

const tsfOf = (c: Chip): number => {
  const hi = c.r(CSR.CSR17);
  return hi * 2 ** 32 + c.r(CSR.CSR16);
};

test('TSF_SYNC: a station adopts the timestamp (plus its time on the air) of its BSS; 0, 3 and other BSSs never; IBSS only a later one', () => {
  const { bed, a, b } = pair();
  b.setMac(BSS, CSR.CSR5);
  const send = (f: Uint8Array): void => {
    a.send('prio', f, { rate: 1 });
    bed.delay(5000 * US);
  };
  const T = 5_000_000_000; // µs: far from anything B counts by itself
  // The time from the timestamp's first bit to the frame's end (10.1.3.1), as B adds it.
  const since = (len: number): number => Math.floor((airtimeNs(len + 4, 1, false) - byteOffsetNs(24, 1, false)) / 1000);
  const beacon = mgmt(0x80, BCAST, BSS, T);

  // TSF_SYNC 0 (no sync) and 3 (rt2500pci's AP mode): B keeps its own count.
  for (const sync of [0, 3]) {
    b.w(CSR.CSR14, 0x1 | (sync << 1));
    send(beacon);
    expect(tsfOf(b)).toBeLessThan(1_000_000);
  }
  // TSF_SYNC 1 (station): a beacon from another BSS is ignored, one from ours adopted.
  b.w(CSR.CSR14, 0x1 | (1 << 1));
  send(mgmt(0x80, BCAST, MAC_C, T));
  expect(tsfOf(b)).toBeLessThan(1_000_000);
  // A "beacon" cut off inside its timestamp carries none.
  send(mgmt(0x80, BCAST, BSS, T, 31));
  expect(tsfOf(b)).toBeLessThan(1_000_000);
  send(beacon);
  const rxAt = bed.traced('rx-accept', b.name).at(-1)!.t;
  const adopted = T + since(beacon.length);
  const now = tsfOf(b);
  expect(now).toBeGreaterThanOrEqual(adopted);
  expect(now).toBeLessThanOrEqual(adopted + Math.ceil((bed.now - rxAt) / 1000));
  // TSF_SYNC 2 (IBSS, 10.1.3.3): an earlier timestamp is ignored, a later one adopted (here a probe response).
  b.w(CSR.CSR14, 0x1 | (2 << 1));
  send(mgmt(0x50, MAC_B, BSS, T - 1_000_000));
  expect(tsfOf(b)).toBeGreaterThan(T);
  send(mgmt(0x50, MAC_B, BSS, 2 * T));
  expect(tsfOf(b)).toBeGreaterThanOrEqual(2 * T);
  expect(tsfOf(b)).toBeLessThan(2 * T + 10_000);
});

test('MY_BSS: the BSSID is Address 3 of management and IBSS data frames, Address 2 FromDS, Address 1 ToDS', () => {
  const { bed, a, b } = pair();
  b.setMac(BSS, CSR.CSR5);
  const cases: [string, Uint8Array, boolean][] = [
    ['beacon of our BSS', frame(0x80, BCAST, MAC_A, BSS, [0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 1, 0]), true],
    ['beacon of another BSS', frame(0x80, BCAST, MAC_A, MAC_C, [0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 1, 0]), false],
    ['FromDS data, BSSID in A2', frame(0x08, MAC_B, BSS, MAC_C, [1], 0, 0x02), true],
    ['FromDS data, our BSSID only as SA (A3)', frame(0x08, MAC_B, MAC_C, BSS, [2], 0, 0x02), false],
    ['IBSS data, BSSID in A3', frame(0x08, MAC_B, MAC_C, BSS, [3]), true],
    ['IBSS data of another IBSS', frame(0x08, MAC_B, MAC_C, MAC_A, [4]), false],
  ];
  for (const [, f] of cases) {
    a.send('prio', f, { rate: 11 });
    bed.delay(2000 * US);
  }
  // An AP's view (rt2500pci_config_filter leaves DROP_TODS off for AP mode; the BSSID is its own MAC).
  b.setMac(MAC_B, CSR.CSR5);
  b.w(CSR.RXCSR0, 0x02 | 0x04 | 0x08 | 0x10 | 0x40);
  cases.push(['ToDS data, BSSID in A1', frame(0x08, MAC_B, MAC_A, MAC_C, [5], 0, 0x01), true]);
  a.send('prio', cases.at(-1)![1], { rate: 11 });
  bed.delay(2000 * US);
  const got = cases.map(([what], i) => [what, (b.rxDesc(i).w0 & 0x10) !== 0]);
  expect(got).toEqual(cases.map(([what, , mine]) => [what, mine]));
});

test('CSR9.MAX_FRAME_UNIT: a frame of exactly units × 128 bytes is received, one byte more is dropped and counted in CNT2', () => {
  const { bed, a, b } = pair();
  b.w(CSR.CSR9, 2 << 7); // 256 bytes
  const sized = (len: number, tag: number) => frame(0x08, BCAST, MAC_A, MAC_A, Array.from({ length: len - 24 }, () => tag));
  a.send('prio', sized(256, 1), { rate: 11 });
  a.send('prio', sized(257, 2), { rate: 11 });
  a.send('prio', sized(100, 3), { rate: 11 });
  bed.delay(5000 * US);
  expect([0, 1].map((i) => [b.rxDesc(i).len, b.rxDesc(i).data[24]])).toEqual([[256, 1], [100, 3]]);
  expect(bed.traced('rx-drop', b.name, 'too-long').map((r) => r.f!['len'])).toEqual([257]);
  expect(b.r(CSR.CNT2)).toBe(1);
  expect(b.r(CSR.CNT2)).toBe(0);
});
