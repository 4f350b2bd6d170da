/**
 * RT2560 transmit and channel-access edges: the descriptor's IFS field (IFS_NONE goes out as soon as it is fetched,
 * IFS_SIFS exactly SIFS after the medium went idle), TIMESTAMP on a frame with no byte to spare, the airtime a chip
 * without a medium still spends, a soft reset during the ACK wait, and every OFDM rate by the PLCP SIGNAL code the
 * drivers write. Times are computed here from CSR18/CSR11 (as rt2500pci programs them), the receive-to-transmit
 * turnaround and the 802.11 airtimes (phy.ts, equal to the medium's).
 */
import { Bed, BCAST, frame, MAC_A, MAC_B, US, type Chip, MAC_C, openPair } from './fixture';
import { CSR } from '../../../nic-models/rt2560/regs';
import { airtimeNs, byteOffsetNs } from '../../../nic-models/rt2560/phy';
import { RXTX_TURNAROUND_NS } from '../../../nic-models/rt2560/timing';
import type { WifiRate } from '../../../emulator/machine/net/wireless/radio';

/** rt2500pci: CSR18 SIFS = 10 µs, plus the PHY's turnaround (docs/models/rt2560.md). */
const SIFS = 10 * US + RXTX_TURNAROUND_NS;

const pair = () => openPair('linux');

/** A's PPDUs on the air: start time (at A) and the MPDU. */
function onAir(bed: Bed, chip: Chip): { t: number; mpdu: Uint8Array; rate: WifiRate }[] {
  const out: { t: number; mpdu: Uint8Array; rate: WifiRate }[] = [];
  bed.air!.tap((tx) => {
    if (tx.from === chip.name && tx.ppdu) out.push({ t: bed.now, mpdu: tx.ppdu.mpdu.slice(), rate: tx.ppdu.rate });
  });
  return out;
}

test('IFS_NONE goes out as soon as the descriptor is fetched; IFS_SIFS exactly SIFS after the medium went idle', () => {
  const { bed, a } = pair();
  const sent = onAir(bed, a);
  const R = a.rings!;
  const f = [0, 1, 2].map((i) => frame(0x08, BCAST, MAC_A, MAC_A, Array.from({ length: 60 }, () => i)));
  // NetBSD RT2560_TX_IFS_BACKOFF, RT2560_TX_IFS_NONE, RT2560_TX_IFS_SIFS in W0 bits 14:13; one kick.
  [0, 3, 1].forEach((ifs, i) => {
    const buf = bed.alloc(f[i]!.length);
    bed.memW(buf, f[i]!);
    a.fillDesc(R.prio.base + i * 44, buf, f[i]!.length, 11, { ifs });
  });
  a.w(CSR.TXCSR0, 4);
  bed.delay(5000 * US);
  expect(sent.map((s) => s.mpdu[24])).toEqual([0, 1, 2]);
  const air = airtimeNs(f[0]!.length + 4, 11, false);
  // Between the first frame's end and the IFS_NONE frame: only the write-back and the next fetch on the bus
  // (about 1.3 µs of PCI at 33 MHz) — less than SIFS, let alone AIFS = SIFS + 2 slots.
  const gapNone = sent[1]!.t - (sent[0]!.t + air);
  expect(gapNone).toBeGreaterThan(0);
  expect(gapNone).toBeLessThan(SIFS);
  // IFS_SIFS: the fetch is over long before, so the frame waits for SIFS of idle medium and no backoff.
  expect(sent[2]!.t - (sent[1]!.t + air)).toBe(SIFS);
  expect([0, 1, 2].map((i) => (a.txW0('prio', i) >>> 2) & 7)).toEqual([0, 0, 0]);
});

test('TIMESTAMP: a frame of exactly TSF_OFFSET + 8 bytes gets the TSF in its last 8; one byte shorter has no room', () => {
  const bed = new Bed({ air: {} });
  const a = bed.chips[0]!;
  a.open({ style: 'linux' }); // TXCSR1.TSF_OFFSET = 24 (rt2500pci_config_erp: IEEE80211_HEADER)
  const sent = onAir(bed, a);
  a.w(CSR.CSR14, 0x1); // TSF_COUNT
  const tStart = bed.now;
  // A probe response cut to the header and its timestamp field: 24 + 8 = 32 bytes.
  const exact = frame(0x50, BCAST, MAC_A, MAC_A, [0, 0, 0, 0, 0, 0, 0, 0]);
  const short = frame(0x50, BCAST, MAC_A, MAC_A, [0, 0, 0, 0, 0, 0, 0]);
  a.send('prio', exact, { rate: 1, timestamp: true });
  a.send('prio', short, { rate: 1, timestamp: true });
  bed.delay(5000 * US);
  expect(sent.map((s) => s.mpdu.length)).toEqual([32, 31]);
  let ts = 0;
  for (let i = 7; i >= 0; i--) ts = ts * 256 + sent[0]!.mpdu[24 + i]!;
  // 802.11-2012 10.1.3.1: the TSF when the timestamp's first bit leaves the antenna (as beacon.test.ts checks).
  expect(ts).toBe(Math.floor((sent[0]!.t + byteOffsetNs(24, 1, false) - tStart) / 1000));
  expect(ts).toBeGreaterThan(0);
  expect(Array.from(sent[1]!.mpdu.subarray(24))).toEqual([0, 0, 0, 0, 0, 0, 0]);
});

test('no medium: the frame still takes its airtime (MPDU + FCS) before TX done', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  c.open({ style: 'bsd' });
  for (const [rate, len] of [[1, 100], [11, 1000]] as const) {
    const f = frame(0x08, BCAST, MAC_A, MAC_A, Array.from({ length: len - 24 }, () => 7));
    c.send('prio', f, { rate });
    bed.delay(20_000 * US);
    const t0 = bed.traced('tx-no-radio', c.name).at(-1)!;
    expect(t0.f!['reason']).toBe('unconnected');
    expect(bed.traced('tx-done', c.name).at(-1)!.t - t0.t).toBe(airtimeNs(len + 4, rate, false));
  }
});

test('a soft reset during the ACK wait abandons that frame (no TX done, no retry); the next frame gets its own ACK wait', () => {
  const { bed, a, b } = pair();
  const sent = onAir(bed, a);
  // To a station nobody plays: no ACK will come.
  a.send('prio', frame(0x08, MAC_C, MAC_A, MAC_A, [1, 2, 3]), { ack: true, rate: 54 });
  while (!a.core.dcf.waitingForAck) bed.delay(US);
  // rt2500pci_init_registers' CSR1 sequence, then the driver refills entry 0 (where the soft reset put the ring).
  a.w(CSR.CSR1, 0x1);
  a.w(CSR.CSR1, 0x4);
  const f2 = frame(0x08, MAC_B, MAC_A, MAC_A, [4, 5, 6]);
  const buf = bed.alloc(f2.length);
  bed.memW(buf, f2);
  const d = a.rings!.prio.base;
  a.fillDesc(d, buf, f2.length, 54, { ack: true });
  bed.setMem32(d + 8, (2 << 6) | (0 << 8) | (10 << 12)); // AIFSN 2, CWmin 2^0 − 1 = 0: it goes well within 354 µs
  a.w(CSR.TXCSR0, 4);
  bed.delay(3000 * US);
  expect(sent.map((s) => s.mpdu[24])).toEqual([1, 4]);
  expect(sent.every((s) => (s.mpdu[1]! & 0x08) === 0)).toBe(true);
  expect(bed.traced('tx-done', a.name).map((r) => [r.f!['index'], r.f!['result']])).toEqual([[0, 0]]);
  expect(bed.traced('ack-received', a.name).length).toBe(1);
  expect((a.txW0('prio', 0) >>> 2) & 7).toBe(0);
  expect(Array.from(b.rxDesc(0).data)).toEqual(Array.from(f2));
});

test('OFDM: each rate by the SIGNAL code rt2560_plcp_signal writes goes out at that rate; RXD SIGNAL reports the code', () => {
  const { bed, a, b } = pair();
  const sent = onAir(bed, a);
  // 802.11-2012 Table 18-6 RATE bits R1–R4, as NetBSD rt2560_plcp_signal and rt2500pci write them.
  const codes: [WifiRate, number][] = [[6, 0x0b], [9, 0x0f], [12, 0x0a], [18, 0x0e], [24, 0x09], [36, 0x0d], [48, 0x08], [54, 0x0c]];
  const R = a.rings!;
  codes.forEach(([, code], i) => {
    const f = frame(0x08, BCAST, MAC_A, MAC_A, [i]);
    const buf = bed.alloc(f.length);
    bed.memW(buf, f);
    const desc = R.prio.base + i * 44;
    bed.setMem32(desc + 4, buf);
    bed.setMem32(desc + 8, (2 << 6) | (4 << 8) | (10 << 12));
    bed.setMem32(desc + 12, code | ((f.length + 4) << 16));
    bed.setMem32(desc, (0x1 | 0x2 | 0x800 | 0x1000 | (f.length << 16)) >>> 0); // OWNER_NIC | VALID | OFDM
    a.w(CSR.TXCSR0, 4);
    bed.delay(2000 * US);
  });
  expect(codes.map((_, i) => (a.txW0('prio', i) >>> 2) & 7)).toEqual(codes.map(() => 0));
  expect(sent.map((s) => s.rate)).toEqual(codes.map(([r]) => r));
  // rt2500pci_fill_rxdone: for OFDM, RXD_W2 SIGNAL is the PLCP rate code.
  expect(codes.map((_, i) => b.rxDesc(i).signal)).toEqual(codes.map(([, c]) => c));
  expect(codes.map((_, i) => b.rxDesc(i).w0 & 0x40)).toEqual(codes.map(() => 0x40)); // RXD OFDM
});

test('an RTS waits for its CTS only when marked (rt2500pci W10.RTS); an unmarked one without ACK is sent once', () => {
  const { bed, a } = pair();
  const sent = onAir(bed, a);
  // RTS to a station nobody plays: no CTS will come.
  const rts = Uint8Array.from([0xb4, 0x00, 0x00, 0x01, ...MAC_C, ...MAC_A]);
  const R = a.rings!;
  [false, true].forEach((marked, i) => {
    const buf = bed.alloc(rts.length);
    bed.memW(buf, rts);
    const d = R.prio.base + i * 44;
    bed.setMem32(d + 40, marked ? 0x1 : 0); // TXD_W10 RTS (rt2500pci_write_tx_desc: ENTRY_TXD_RTS_FRAME)
    a.fillDesc(d, buf, rts.length, 1, {});
    a.w(CSR.TXCSR0, 4);
    bed.delay(100_000 * US);
  });
  // Unmarked, no ACK: one transmission, done at the end of its airtime with RESULT 0.
  // Marked: the CTS wait times out like an ACK wait — SHORT_RETRY (7) retransmissions, RESULT 2.
  expect(sent.length).toBe(1 + 8);
  expect([0, 1].map((i) => (a.txW0('prio', i) >>> 2) & 7)).toEqual([0, 2]);
  const done0 = bed.traced('tx-done', a.name)[0]!;
  expect(done0.t).toBe(sent[0]!.t + airtimeNs(rts.length + 4, 1, false));
});
