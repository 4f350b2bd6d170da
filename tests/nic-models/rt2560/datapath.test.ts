/**
 * Frames through the air between RT2560s opened as rt2500pci (44-byte descriptors) and NetBSD rt2560 (48 bytes)
 * open them: PRIO/TX ring DMA, RX descriptors (length, SIGNAL, RSSI, TA), the auto-ACK after SIFS and the ACK wait,
 * retries with the Retry bit and CW doubling until RESULT = 2, ring wrap, drops when the host owns every RX
 * descriptor (CNT4), the cipher engine's pass-through walks, and the NAV deferring a third station. Expected times
 * are computed here from SIFS, slot, airtime (802.11-2012 clauses 16–19) and the propagation delay.
 */
import { Bed, BCAST, frame, MAC_A, MAC_B, US, MAC_C, openPair } from './fixture';
import { CSR } from '../../../nic-models/rt2560/regs';
import { airtimeNs } from '../../../nic-models/rt2560/phy';
import { RXTX_TURNAROUND_NS } from '../../../nic-models/rt2560/timing';
import { propagationDelayNs } from '../../../emulator/machine/net/wireless/propagation';


const pair = openPair;

const airStarts = (bed: Bed, radio: string) => bed.recs.filter((r) => r.layer === 'air' && r.probe === 'tx-start' && r.f?.['radio'] === radio);

test('unicast on PRIO: received with length, SIGNAL, RSSI and TA; ACKed after SIFS; TX done with RESULT 0', () => {
  const { bed, a, b } = pair('linux');
  const body = Array.from({ length: 100 }, (_, i) => i & 0xff);
  const f = frame(0x08, MAC_B, MAC_A, MAC_A, body);
  a.send('prio', f, { ack: true, rate: 11 });
  bed.delay(3000 * US);
  const rx = b.rxDesc(0);
  expect(rx.owner).toBe(false);
  expect(rx.len).toBe(f.length);
  expect(Array.from(rx.data)).toEqual(Array.from(f));
  expect(rx.w0 & 0x2).toBe(0x2); // UNICAST_TO_ME
  expect(rx.signal).toBe(110);
  expect(rx.ta).toEqual(MAC_A);
  const rssiDbm = bed.recs.find((r) => r.layer === 'air' && r.probe === 'rx-end' && r.f?.['radio'] === b.name)!.f!['rssi'] as number;
  expect(Math.abs(rx.rssi - 121 - rssiDbm)).toBeLessThanOrEqual(0.5);
  expect(b.r(CSR.CSR7) & 0x40).toBe(0x40);

  const w0 = a.txW0('prio', 0);
  expect(w0 & 0x1).toBe(0);
  expect(w0 & 0x2).toBe(0x2); // VALID stays
  expect((w0 >>> 2) & 7).toBe(0);
  expect((w0 >>> 5) & 7).toBe(0);
  expect(a.r(CSR.CSR7) & 0x20).toBe(0x20);

  // The ACK: SIFS (CSR18 10 µs + the PHY turnaround) after the frame's end at B, at 11 → 2 Mb/s? No basic rates
  // programmed (ARCSR1 = 0): the mandatory DSSS rate 1 Mb/s, long preamble.
  const t0 = airStarts(bed, a.name)[0]!.t;
  const prop = propagationDelayNs(10);
  const ackStart = t0 + airtimeNs(f.length + 4, 11, false) + prop + 10 * US + RXTX_TURNAROUND_NS;
  expect(airStarts(bed, b.name)[0]!.t).toBe(ackStart);
  const ackRx = bed.traced('ack-received', a.name)[0]!;
  expect(ackRx.t).toBe(ackStart + airtimeNs(14, 1, false) + prop);
  expect(bed.traced('tx-done', a.name)[0]!.t).toBe(ackRx.t);
});

test('the ACK rate: highest basic rate ≤ the received rate in its modulation class (ARCSR1)', () => {
  const { bed, a, b } = pair('linux');
  b.w(CSR.ARCSR1, 0x15f); // 1, 2, 5.5, 11, 6, 12, 24
  a.send('prio', frame(0x08, MAC_B, MAC_A, MAC_A, [1]), { ack: true, rate: 54 });
  bed.delay(2000 * US);
  expect(bed.traced('auto-response', b.name)[0]!.f!['rate']).toBe(24);
  a.send('prio', frame(0x08, MAC_B, MAC_A, MAC_A, [2]), { ack: true, rate: 5.5 });
  bed.delay(2000 * US);
  expect(bed.traced('auto-response', b.name)[1]!.f!['rate']).toBe(5.5);
});

test('broadcast: no ACK, TX done at the end of the airtime', () => {
  const { bed, a, b } = pair('linux');
  const f = frame(0x80, BCAST, MAC_A, MAC_A, [0, 0, 0, 0, 0, 0, 0, 0, 0x64, 0, 1, 0]);
  a.send('prio', f, { rate: 1 });
  bed.delay(2000 * US);
  expect(b.rxDesc(0).w0 & 0x8).toBe(0x8);
  expect(bed.traced('auto-response').length).toBe(0);
  const t0 = airStarts(bed, a.name)[0]!.t;
  expect(bed.traced('tx-done', a.name)[0]!.t).toBe(t0 + airtimeNs(f.length + 4, 1, false));
});

test('no ACK: SHORT_RETRY retransmissions with the Retry bit, CW doubling, RESULT 2 and RETRY_COUNT 7', () => {
  const { bed, a } = pair('linux');
  const sent: { t: number; retry: boolean }[] = [];
  bed.air!.tap((tx) => {
    if (tx.from === a.name && tx.ppdu) sent.push({ t: bed.now, retry: (tx.ppdu.mpdu[1]! & 0x08) !== 0 });
  });
  const f = frame(0x08, MAC_C, MAC_A, MAC_A, [9, 9, 9]);
  a.send('prio', f, { ack: true, rate: 1 });
  bed.delay(100_000 * US);
  expect(sent.length).toBe(1 + 7);
  expect(sent.map((s) => s.retry)).toEqual([false, true, true, true, true, true, true, true]);
  const air = airtimeNs(f.length + 4, 1, false);
  const ackTimeout = 0x162 * US;
  let cw = 15;
  for (let k = 1; k < sent.length; k++) {
    cw = Math.min(2 * cw + 1, 1023);
    const backoff = sent[k]!.t - sent[k - 1]!.t - air - ackTimeout;
    expect(backoff % (20 * US)).toBe(0);
    expect(backoff / (20 * US)).toBeLessThanOrEqual(cw);
    expect(backoff).toBeGreaterThanOrEqual(0);
  }
  const w0 = a.txW0('prio', 0);
  expect((w0 >>> 2) & 7).toBe(2);
  expect((w0 >>> 5) & 7).toBe(7);
  // LONG_RETRY (RETRY_MODE): CSR11.LONG_RETRY = 4.
  const before = sent.length;
  a.send('prio', f, { ack: true, rate: 1, retryMode: 'long' });
  bed.delay(100_000 * US);
  expect(sent.length - before).toBe(1 + 4);
  expect((a.txW0('prio', 1) >>> 5) & 7).toBe(4);
});

test('ring wrap: a 4-entry TX ring and a 4-entry RX ring carry 10 frames in order', () => {
  const { bed, a, b } = pair('linux', { tx: 4, rx: 4 });
  let next = 0;
  const got: number[] = [];
  for (let i = 0; i < 10; i++) {
    a.send('tx', frame(0x08, MAC_B, MAC_A, MAC_A, [i]), { ack: true, rate: 11 });
    bed.delay(3000 * US);
    while (!b.rxDesc(next).owner) {
      got.push(b.rxDesc(next).data[24]!);
      b.rxReturn(next);
      next = (next + 1) % 4;
    }
    expect((a.txW0('tx', i % 4) >>> 2) & 7).toBe(0);
  }
  expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(a.r(CSR.TXPTR)).toBe(a.rings!.tx.base + (10 % 4) * 44);
  expect(b.r(CSR.RXPTR)).toBe(b.rings!.rx.base + (10 % 4) * 44);
});

test('every RX descriptor host-owned: the frame is dropped and counted in CNT4', () => {
  const { bed, a, b } = pair('linux', { rx: 2 });
  for (let i = 0; i < 3; i++) {
    a.send('prio', frame(0x08, BCAST, MAC_A, MAC_A, [i]), { rate: 2 });
    bed.delay(2000 * US);
  }
  expect(bed.traced('rx-drop', b.name, 'no-descriptor').length).toBe(1);
  expect(b.r(CSR.CNT4)).toBe(1);
  expect(b.r(CSR.CNT4)).toBe(0);
});

test('NetBSD: 48-byte descriptors through the cipher engine (SECCSR1/SECCSR0 pass-through walks)', () => {
  const { bed, a, b } = pair('bsd');
  const R = a.rings!;
  const f = frame(0x08, MAC_B, MAC_A, MAC_A, [7, 7, 7, 7]);
  const buf = bed.alloc(f.length);
  bed.memW(buf, f);
  // rt2560_setup_tx_desc with encryption: CIPHER_BUSY alone (neither BUSY nor VALID), then SECCSR1 = KICK_ENCRYPT.
  a.fillDesc(R.tx.base, buf, f.length, 11, { ack: true });
  bed.setMem32(R.tx.base, (bed.mem32(R.tx.base) & ~0x3) >>> 0);
  expect(bed.mem32(R.tx.base) & 0x1000).toBe(0x1000);
  a.w(CSR.SECCSR1, 1);
  bed.delay(50 * US);
  expect(a.r(CSR.CSR7) & 0x100).toBe(0x100);
  expect(bed.mem32(R.tx.base) & 0x1000).toBe(0);
  expect(a.r(CSR.SECCSR1)).toBe(R.tx.base + 48);
  // rt2560_encryption_intr: BUSY | VALID, KICK_TX.
  bed.setMem32(R.tx.base, bed.mem32(R.tx.base) | 0x3);
  a.w(CSR.TXCSR0, 1);
  bed.delay(3000 * US);
  expect((a.txW0('tx', 0) >>> 2) & 7).toBe(0);
  expect(a.r(CSR.CSR7) & 0x08).toBe(0x08);
  // rt2560_rx_intr: CIPHER_BUSY on the received descriptor, SECCSR0 = KICK_DECRYPT.
  const rx = b.rxDesc(0);
  expect(rx.owner).toBe(false);
  expect(Array.from(rx.data)).toEqual(Array.from(f));
  bed.setMem32(b.rings!.rx.base, rx.w0 | 0x100);
  b.w(CSR.SECCSR0, 1);
  bed.delay(50 * US);
  expect(b.r(CSR.CSR7) & 0x80).toBe(0x80);
  expect(bed.mem32(b.rings!.rx.base) & 0x100).toBe(0);
  expect(b.r(CSR.SECCSR0)).toBe(b.rings!.rx.base + 48);
});

test('virtual carrier sense: a third station defers until the NAV of an overheard frame ends', () => {
  const bed = new Bed({
    chips: [{ mac: MAC_A, pos: { x: 0, y: 0, z: 0 } }, { mac: MAC_B, pos: { x: 5, y: 0, z: 0 } }, { mac: MAC_C, pos: { x: 0, y: 5, z: 0 } }],
    air: {},
  });
  const [a, b, c] = bed.chips as [typeof bed.chips[0] & object, typeof bed.chips[0] & object, typeof bed.chips[0] & object];
  for (const x of [a, b, c]) x.open({ style: 'linux' });
  const navUs = 3000;
  const fa = frame(0x08, MAC_B, MAC_A, MAC_A, [1, 2, 3], navUs);
  a.send('prio', fa, { ack: true, rate: 11 });
  // C queues its frame while A's is on the air.
  bed.delay(100 * US);
  c.send('prio', frame(0x08, BCAST, MAC_C, MAC_C, [4]), { rate: 11 });
  bed.delay(10_000 * US);
  const aEnd = airStarts(bed, a.name)[0]!.t + airtimeNs(fa.length + 4, 11, false) + propagationDelayNs(5);
  const cStart = airStarts(bed, c.name)[0]!.t;
  expect(cStart).toBeGreaterThanOrEqual(aEnd + navUs * US + (10 * US + RXTX_TURNAROUND_NS) + 2 * 20 * US);
});

test('NetBSD timing (CSR18 SIFS = 0 + turnaround): the ACK starts 10 µs after the frame ends', () => {
  const { bed, a, b } = pair('bsd');
  const f = frame(0x08, MAC_B, MAC_A, MAC_A, [1, 2, 3, 4, 5, 6]);
  a.send('prio', f, { ack: true, rate: 24 });
  bed.delay(2000 * US);
  const t0 = airStarts(bed, a.name)[0]!.t;
  expect(airStarts(bed, b.name)[0]!.t).toBe(t0 + airtimeNs(f.length + 4, 24, false) + propagationDelayNs(10) + 10 * US);
  // 24 Mb/s received, no basic rates programmed: the ACK goes at 24 Mb/s (the highest mandatory OFDM rate ≤ 24).
  expect(bed.traced('auto-response', b.name)[0]!.f!['rate']).toBe(24);
});

test('physical carrier sense: a frame queued while the medium is busy waits for AIFS after it, then whole slots', () => {
  const { bed, a, b } = pair('linux');
  const long = frame(0x08, BCAST, MAC_A, MAC_A, Array.from({ length: 1000 }, () => 0x55));
  a.send('prio', long, { rate: 1 });
  bed.delay(1000 * US);
  b.send('prio', frame(0x08, BCAST, MAC_B, MAC_B, [1]), { rate: 1 });
  bed.delay(20_000 * US);
  const aEnd = airStarts(bed, a.name)[0]!.t + airtimeNs(long.length + 4, 1, false) + propagationDelayNs(10);
  const wait = airStarts(bed, b.name)[0]!.t - aEnd;
  const aifs = 10 * US + RXTX_TURNAROUND_NS + 2 * 20 * US;
  expect(wait).toBeGreaterThanOrEqual(aifs);
  expect((wait - aifs) % (20 * US)).toBe(0);
  expect((wait - aifs) / (20 * US)).toBeLessThanOrEqual(15);
});

test('RTS/CTS as NetBSD sends it: RTS (ACK | MORE_FRAG) answered by a CTS after SIFS, the data SIFS after the CTS', () => {
  const { bed, a, b } = pair('bsd');
  const data = frame(0x08, MAC_B, MAC_A, MAC_A, Array.from({ length: 200 }, (_, i) => i & 0xff));
  const dataAir = airtimeNs(data.length + 4, 11, false);
  const sifs = 10 * US;
  const ackAir = airtimeNs(14, 1, false);
  const dur = Math.ceil((3 * sifs + airtimeNs(14, 1, false) + dataAir + ackAir) / US);
  const rts = Uint8Array.from([0xb4, 0x00, dur & 0xff, dur >>> 8, ...MAC_B, ...MAC_A]);
  const R = a.rings!;
  const rb = bed.alloc(rts.length);
  const db = bed.alloc(data.length);
  bed.memW(rb, rts);
  bed.memW(db, data);
  a.fillDesc(R.prio.base, rb, rts.length, 1, { ack: true });
  bed.setMem32(R.prio.base, bed.mem32(R.prio.base) | 0x100); // MORE_FRAG
  a.fillDesc(R.prio.base + 48, db, data.length, 11, { ack: true, ifs: 1 });
  a.w(CSR.TXCSR0, 4);
  bed.delay(5000 * US);
  const [rtsStart, dataStart] = airStarts(bed, a.name).map((r) => r.t);
  const [ctsStart, ackStart] = airStarts(bed, b.name).map((r) => r.t);
  const prop = propagationDelayNs(10);
  expect(bed.traced('auto-response', b.name).map((r) => r.f!['kind'])).toEqual(['cts', 'ack']);
  expect(ctsStart).toBe(rtsStart! + airtimeNs(rts.length + 4, 1, false) + prop + sifs);
  expect(dataStart).toBe(ctsStart! + airtimeNs(14, 1, false) + prop + sifs);
  expect(ackStart).toBe(dataStart! + dataAir + prop + sifs);
  expect([0, 1].map((i) => (a.txW0('prio', i) >>> 2) & 7)).toEqual([0, 0]);
  expect(b.rxDesc(0).len).toBe(data.length); // control frames dropped by DROP_CONTROL
});
