/**
 * The RT2560 cipher engine with AES-CCM (nic-models/rt2560/cipher.ts): the IEEE 802.11-2016 M.6.4 CCMP vector
 * through the SECCSR1 encrypt walk (the bytes written back, W0's new length, ENCRYPTION_DONE, SECCSR1), the engine's
 * processing time computed here from its clock and the AES block count, a protected frame over the air decrypted
 * by the SECCSR0 walk (header ‖ plaintext, W4/W5 the CCMP header), MIC failures (wrong key, a flipped bit) reported
 * as ICV_ERROR with the frame left as received, several descriptors in one walk, and snapshots taken while a
 * descriptor is being processed (including a version-1 state upgraded).
 */
import { frame, MAC_A, MAC_B, US, openPair } from './fixture';
import { CIPHER_AES, decDesc, encDesc, M64 } from './cipher-helpers';
import { CSR } from '../../../nic-models/rt2560/regs';

const pair = () => openPair('bsd');

/** The engine's time for one CCMP MPDU: 40 MHz, 11 clocks per AES block, 10 clocks of key expansion (timing.ts). */
function expectedProcessNs(aadLen: number, payload: number): number {
  const blocks = 1 + Math.ceil((2 + aadLen) / 16) + Math.ceil(payload / 16) + 1;
  return (10 + 11 * blocks) * 25;
}

const ccmpHdr = (pn: number, keyId = 0): Uint8Array => {
  const b = (i: number) => Math.floor(pn / 2 ** (8 * i)) & 0xff;
  return Uint8Array.of(b(0), b(1), 0, (keyId << 6) | 0x20, b(2), b(3), b(4), b(5));
};

test('M.6.4 CCMP vector through SECCSR1: protected MPDU written back in place, length + 16, ENCRYPTION_DONE', () => {
  const { bed, a } = pair();
  const mpdu = Uint8Array.from([...M64.header, ...M64.plaintext]);
  const { desc, buf } = encDesc(bed, a, 0, mpdu, { iv: M64.ccmpHeader, key: M64.tk });
  const t0 = bed.now;
  a.w(CSR.SECCSR1, 1);
  // While the engine works: SECCSR1 still points at the descriptor, CIPHER_BUSY still set.
  const proc = a.core.cipher.enc.procEv;
  expect(proc.scheduled).toBe(true);
  expect(proc.when - a.core.busFreeAt).toBe(expectedProcessNs(22, 20));
  expect(a.r(CSR.SECCSR1)).toBe(desc);
  bed.delay(20 * US);
  const w0 = bed.mem32(desc);
  expect(w0 & 0x1000).toBe(0);
  expect((w0 >>> 16) & 0xfff).toBe(mpdu.length + 16);
  expect(w0 >>> 29).toBe(CIPHER_AES);
  expect(Array.from(bed.memR(buf, mpdu.length + 16))).toEqual([...M64.header, ...M64.ccmpHeader, ...M64.ciphertext, ...M64.mic]);
  expect(a.r(CSR.CSR7) & 0x100).toBe(0x100);
  expect(a.r(CSR.SECCSR1)).toBe(desc + 48);
  expect(a.core.counters.cipherEncrypted).toBe(1);
  const irqAt = bed.recs.find((r) => r.probe === 'irq' && r.f?.['nic'] === a.name && r.f?.['level'] === true)!.t;
  expect(irqAt - t0).toBeGreaterThan(expectedProcessNs(22, 20));
});

test('processing time grows per byte: a 1500-byte payload takes (10 + 98·11)·25 ns = 27.2 µs in the engine', () => {
  const { bed, a } = pair();
  const body = Array.from({ length: 1500 }, (_, i) => (i * 7) & 0xff);
  const f = frame(0x08, MAC_B, MAC_A, MAC_B, body, 0, 0x41);
  encDesc(bed, a, 0, f, { iv: ccmpHdr(1), key: M64.tk });
  a.w(CSR.SECCSR1, 1);
  const proc = a.core.cipher.enc.procEv;
  expect(proc.when - a.core.busFreeAt).toBe(expectedProcessNs(22, 1500));
  expect(expectedProcessNs(22, 1500)).toBe(27_200);
});

test('encrypt, transmit, receive, decrypt: the receiver gets header ‖ plaintext and the CCMP header in W4/W5', () => {
  const { bed, a, b } = pair();
  const body = Array.from({ length: 300 }, (_, i) => (i * 13) & 0xff);
  // FromDS data frame to B with Protected set (software's part), key ID 1 (B's RXCSR0 drops ToDS frames).
  const f = frame(0x08, MAC_B, MAC_A, MAC_A, body, 0, 0x42);
  const iv = ccmpHdr(0x0102030405, 1);
  const { desc } = encDesc(bed, a, 0, f, { iv, key: M64.tk, ack: true });
  a.w(CSR.SECCSR1, 1);
  bed.delay(50 * US);
  // rt2560_encryption_intr: BUSY | VALID, KICK_TX.
  bed.setMem32(desc, bed.mem32(desc) | 0x3);
  a.w(CSR.TXCSR0, 1);
  bed.delay(3000 * US);
  expect((a.txW0('tx', 0) >>> 2) & 7).toBe(0);
  const rx = b.rxDesc(0);
  expect(rx.len).toBe(f.length + 16);
  expect(Array.from(rx.data.subarray(24, 32))).toEqual(Array.from(iv));
  expect(Array.from(rx.data.subarray(32, 32 + body.length))).not.toEqual(body);
  // rt2560_rx_intr with the key: CIPHER_BUSY, AES, IV_OFFSET 24; SECCSR0 = KICK_DECRYPT.
  const d = decDesc(bed, b, 0, { key: M64.tk });
  b.w(CSR.SECCSR0, 1);
  bed.delay(50 * US);
  const w0 = bed.mem32(d);
  expect(w0 & 0x100).toBe(0);
  expect(w0 & 0x200).toBe(0);
  expect((w0 >>> 16) & 0xfff).toBe(f.length);
  expect(Array.from(b.rxDesc(0).data)).toEqual(Array.from(f));
  expect(Array.from(bed.memR(d + 16, 8))).toEqual(Array.from(iv));
  expect(b.r(CSR.CSR7) & 0x80).toBe(0x80);
  expect(b.r(CSR.SECCSR0)).toBe(d + 48);
  expect(b.core.counters.cipherDecrypted).toBe(1);
});

test('MIC failure: a wrong key or a flipped ciphertext bit sets ICV_ERROR and leaves the frame as received', () => {
  const { bed, b } = pair();
  const plain = frame(0x08, MAC_B, MAC_A, MAC_B, Array.from({ length: 64 }, (_, i) => i), 0, 0x41);
  // Build two protected MPDUs with the engine of chip A (no air needed: they are put in B's RX ring by hand).
  const { a } = { a: bed.chips[0]! };
  const e = encDesc(bed, a, 0, plain, { iv: ccmpHdr(7), key: M64.tk });
  a.w(CSR.SECCSR1, 1);
  bed.delay(50 * US);
  const prot = bed.memR(e.buf, plain.length + 16);
  const R = b.rings!;
  const put = (i: number, bytes: Uint8Array): void => {
    bed.memW(R.rx.bufs[i]!, bytes);
    bed.setMem32(R.rx.base + i * R.stride, (bytes.length << 16) >>> 0);
  };
  put(0, prot);
  const flipped = prot.slice();
  flipped[40] = flipped[40]! ^ 0x01;
  put(1, flipped);
  put(2, prot);
  decDesc(bed, b, 0, { key: Uint8Array.from(M64.tk, (x) => x ^ 0xff) });
  decDesc(bed, b, 1, { key: M64.tk });
  decDesc(bed, b, 2, { key: M64.tk });
  b.w(CSR.SECCSR0, 1);
  bed.delay(100 * US);
  const w = [0, 1, 2].map((i) => bed.mem32(R.rx.base + i * R.stride));
  expect(w.map((x) => (x & 0x200) !== 0)).toEqual([true, true, false]);
  expect(w.map((x) => (x >>> 16) & 0xfff)).toEqual([prot.length, prot.length, plain.length]);
  expect(Array.from(bed.memR(R.rx.bufs[0]!, prot.length))).toEqual(Array.from(prot));
  expect(Array.from(bed.memR(R.rx.bufs[1]!, prot.length))).toEqual(Array.from(flipped));
  expect(b.core.counters.cipherIcvErrors).toBe(2);
  expect(bed.traced('cipher-icv-error', b.name).length).toBe(2);
  // One walk took all three; SECCSR0 points past them.
  expect(b.r(CSR.SECCSR0)).toBe(R.rx.base + 3 * R.stride);
});

test('a snapshot taken while a descriptor is in the engine restores and finishes identically; a version-1 state upgrades', () => {
  const build = () => {
    const p = pair();
    const body = Array.from({ length: 1000 }, (_, i) => (i * 3) & 0xff);
    const f = frame(0x08, MAC_B, MAC_A, MAC_B, body, 0, 0x41);
    const e = encDesc(p.bed, p.a, 0, f, { iv: ccmpHdr(42), key: M64.tk, buf: 0x300000 });
    return { ...p, e, len: f.length };
  };
  const x = build();
  x.a.w(CSR.SECCSR1, 1);
  expect(x.a.core.cipher.enc.job).not.toBeNull();
  const chip = JSON.parse(JSON.stringify(x.a.nic.saveState()));
  const board = JSON.parse(JSON.stringify(x.bed.board.saveState()));
  expect(chip.v).toBe(3);
  expect(chip.cipher.enc.job).not.toBeNull();
  const y = build();
  y.bed.sim.queue.runUntil(x.bed.now);
  y.bed.board.loadState(board);
  y.a.nic.loadState(chip);
  expect(JSON.parse(JSON.stringify(y.a.nic.saveState()))).toEqual(chip);
  x.bed.delay(100 * US);
  y.bed.delay(100 * US);
  expect(Array.from(y.bed.memR(y.e.buf, y.len + 16))).toEqual(Array.from(x.bed.memR(x.e.buf, x.len + 16)));
  expect(y.a.r(CSR.CSR7)).toBe(x.a.r(CSR.CSR7));
  // Version 1 (issue 9): the walk indices lived in tx/rx.
  const idle = JSON.parse(JSON.stringify(x.a.nic.saveState()));
  const v1 = { ...idle, v: 1, tx: { ...idle.tx, encIdx: idle.cipher.enc.idx, encDone: -1 }, rx: { ...idle.rx, decIdx: 0, decDone: -1 } };
  delete v1.cipher;
  for (const k of ['cipherEncrypted', 'cipherDecrypted', 'cipherIcvErrors', 'cipherInvalid']) delete v1.counters[k];
  const z = build();
  z.a.nic.loadState(v1);
  expect(z.a.core.cipher.enc.idx).toBe(1);
  expect(z.a.core.counters.cipherEncrypted).toBe(0);
});

test('ONE_SHOT: a descriptor outside the rings is encrypted, then decrypted; the ring pointers stay where they were', () => {
  const { bed, a } = pair();
  const mpdu = Uint8Array.from([...M64.header, ...M64.plaintext]);
  const d = bed.alloc(48, 16);
  const buf = bed.alloc(2048, 4);
  bed.memW(buf, mpdu);
  bed.setMem32(d + 4, buf);
  bed.setMem32(d + 8, 24);
  bed.memW(d + 16, M64.ccmpHeader);
  bed.memW(d + 24, M64.tk);
  bed.setMem32(d, (0x1000 | (mpdu.length << 16) | (CIPHER_AES << 29)) >>> 0);
  const ptr = a.r(CSR.SECCSR1);
  a.w(CSR.SECCSR1, (d | 0x2 | 0x1) >>> 0);
  bed.delay(20 * US);
  expect(Array.from(bed.memR(buf, mpdu.length + 16))).toEqual([...M64.header, ...M64.ccmpHeader, ...M64.ciphertext, ...M64.mic]);
  expect(a.r(CSR.SECCSR1)).toBe(ptr);
  expect(a.r(CSR.CSR7) & 0x100).toBe(0x100);
  // The same bytes back through a one-shot decrypt descriptor (RX layout: IV_OFFSET in W0 bits 15:10).
  bed.setMem32(d, (0x100 | (24 << 10) | ((mpdu.length + 16) << 16) | (CIPHER_AES << 29)) >>> 0);
  bed.memW(d + 16, new Uint8Array(8));
  const rptr = a.r(CSR.SECCSR0);
  a.w(CSR.SECCSR0, (d | 0x3) >>> 0);
  bed.delay(20 * US);
  const w0 = bed.mem32(d);
  expect(w0 & 0x300).toBe(0);
  expect((w0 >>> 16) & 0xfff).toBe(mpdu.length);
  expect(Array.from(bed.memR(buf, mpdu.length))).toEqual(Array.from(mpdu));
  expect(Array.from(bed.memR(d + 16, 8))).toEqual(Array.from(M64.ccmpHeader));
  expect(a.r(CSR.SECCSR0)).toBe(rptr);
  expect(a.r(CSR.CSR7) & 0x80).toBe(0x80);
});
