/**
 * Hostile descriptors for the RT2560 cipher engine never throw or hang: bogus CIPHER_ALG values (WEP/TKIP are
 * traced unimplemented, 5–7 invalid), IV_OFFSET disagreeing with the header, zero and oversize lengths, buffer
 * addresses nothing claims, bus mastering off, a whole ring of CIPHER_BUSY descriptors, tiny strides, and seeded
 * random garbage in both rings kicked repeatedly. Each walk ends; every descriptor it took is handed back.
 */
import { Bed, frame, MAC_A, MAC_B, US } from './fixture';
import { CIPHER_AES, decDesc, encDesc, M64 } from './cipher-helpers';
import { CSR } from '../../../nic-models/rt2560/regs';

function one(o: { noMaster?: boolean } = {}) {
  const bed = new Bed({ chips: [{ mac: MAC_A }], ...o });
  const a = bed.chips[0]!;
  a.open({ style: 'bsd' });
  return { bed, a };
}

const f = frame(0x08, MAC_B, MAC_A, MAC_B, [1, 2, 3, 4, 5, 6, 7, 8], 0, 0x41);

test('bogus algorithms, IV offsets and lengths: traced, passed through untouched, CIPHER_BUSY cleared', () => {
  const { bed, a } = one();
  const cases = [
    { alg: 1 }, { alg: 3 }, { alg: 5 }, { alg: 7 }, { ivOffset: 30 }, { ivOffset: 0 }, { len: 0 }, { len: 4000 }, { len: 10 },
  ];
  const bufs = cases.map((c, i) => encDesc(bed, a, i, f, { key: M64.tk, ...c }).buf);
  const good = encDesc(bed, a, cases.length, f, { key: M64.tk });
  a.w(CSR.SECCSR1, 1);
  bed.delay(200 * US);
  for (let i = 0; i <= cases.length; i++) expect(bed.mem32(a.rings!.tx.base + i * 48) & 0x1000).toBe(0);
  for (const b of bufs) expect(Array.from(bed.memR(b, f.length))).toEqual(Array.from(f));
  expect(bed.traced('cipher-unimplemented', a.name).length).toBe(2);
  expect(bed.traced('cipher-invalid', a.name).length).toBe(7);
  expect(a.core.counters.cipherInvalid).toBe(9);
  expect((bed.mem32(good.desc) >>> 16) & 0xfff).toBe(f.length + 16);
  expect(a.r(CSR.SECCSR1)).toBe(a.rings!.tx.base + (cases.length + 1) * 48);
});

test('unclaimed buffer addresses and bus mastering off: master aborts traced, walks end, nothing thrown', () => {
  const { bed, a } = one();
  encDesc(bed, a, 0, f, { key: M64.tk });
  bed.setMem32(a.rings!.tx.base + 4, 0xfff00000);
  a.w(CSR.SECCSR1, 1);
  bed.delay(100 * US);
  expect(bed.traced('master-abort', a.name).length).toBeGreaterThan(0);
  expect(bed.traced('cipher-invalid', a.name, 'buffer').length).toBe(1);
  // RX: an AES descriptor whose buffer is nowhere gets ICV_ERROR.
  const d = a.rings!.rx.base;
  bed.setMem32(d + 4, 0xfff00000);
  bed.setMem32(d, (60 << 16) >>> 0);
  decDesc(bed, a, 0, { key: M64.tk });
  a.w(CSR.SECCSR0, 1);
  bed.delay(100 * US);
  expect(bed.mem32(d) & 0x300).toBe(0x200);
  const off = one({ noMaster: true });
  encDesc(off.bed, off.a, 0, f, { key: M64.tk });
  off.a.w(CSR.SECCSR1, 1);
  off.a.w(CSR.SECCSR0, 1);
  off.bed.delay(100 * US);
  expect(off.bed.traced('master-abort', off.a.name).length).toBeGreaterThan(0);
  expect(off.a.core.cipher.enc.job).toBeNull();
});

test('a ring full of CIPHER_BUSY descriptors is walked once per kick; tiny strides and empty rings end at once', () => {
  const { bed, a } = one();
  for (let i = 0; i < a.rings!.tx.count; i++) encDesc(bed, a, i, f, { key: M64.tk, iv: Uint8Array.of(i, 0, 0, 0x20, 0, 0, 0, 0) });
  a.w(CSR.SECCSR1, 1);
  a.w(CSR.SECCSR1, 1);
  bed.delay(5000 * US);
  expect(a.core.counters.cipherEncrypted).toBe(a.rings!.tx.count);
  expect(a.core.cipher.enc.job).toBeNull();
  a.w(CSR.TXCSR2, 8 | (4 << 8));
  a.w(CSR.SECCSR1, 1);
  a.w(CSR.TXCSR2, 48);
  a.w(CSR.SECCSR1, 1);
  bed.delay(10 * US);
  expect(bed.traced('cipher-ring-unusable', a.name).length).toBe(2);
});

test('seeded random garbage in both rings, kicked over and over: no exception, the engine always comes to rest', () => {
  const { bed, a } = one();
  const rng = bed.sim.rngs.stream('test.garbage');
  const R = a.rings!;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < R.tx.count; i++) {
      const g = Uint8Array.from({ length: 48 }, () => rng.below(256));
      if (rng.below(2)) g.set([0x00, 0x10, 0x20, 0x00], 0);
      g[3] = (g[3]! & 0x1f) | (rng.below(8) << 5);
      if (rng.below(2)) g.set([0x00, 0x00, 0x30, 0x00], 4);
      bed.memW(R.tx.base + i * 48, g);
    }
    for (let i = 0; i < R.rx.count; i++) {
      const g = Uint8Array.from({ length: 48 }, () => rng.below(256));
      g[0] = g[0]! & 0xfe;
      g[1] = g[1]! | 0x01;
      const buf = R.rx.bufs[i]!;
      g.set([buf & 0xff, (buf >>> 8) & 0xff, (buf >>> 16) & 0xff, buf >>> 24], 4);
      bed.memW(buf, Uint8Array.from({ length: 64 }, () => rng.below(256)));
      bed.memW(R.rx.base + i * 48, g);
    }
    a.w(CSR.SECCSR1, 1);
    a.w(CSR.SECCSR0, 1);
    bed.delay(3000 * US);
    expect(a.core.cipher.enc.job).toBeNull();
    expect(a.core.cipher.dec.job).toBeNull();
  }
  expect(a.core.counters.cipherInvalid + a.core.counters.cipherIcvErrors).toBeGreaterThan(0);
  void CIPHER_AES;
});

test('one-shots at addresses nothing claims, not handed over, or more than the engine queues: traced, no hang', () => {
  const { bed, a } = one();
  // A long descriptor in the ring keeps the engine busy while the one-shots arrive.
  const long = frame(0x08, MAC_B, MAC_A, MAC_B, Array.from({ length: 2000 }, (_, i) => i & 0xff), 0, 0x41);
  encDesc(bed, a, 0, long, { key: M64.tk });
  a.w(CSR.SECCSR1, 1);
  const idle = bed.alloc(48, 16);
  bed.setMem32(idle, 0);
  for (let i = 0; i < 6; i++) a.w(CSR.SECCSR1, (i % 2 ? 0xfff00000 : idle) | 3);
  bed.delay(500 * US);
  expect(bed.traced('cipher-oneshot-overflow', a.name).length).toBe(2);
  expect(bed.traced('cipher-oneshot-not-owned', a.name).length).toBe(2);
  expect(bed.traced('master-abort', a.name).length).toBeGreaterThanOrEqual(2);
  expect(a.core.cipher.enc.job).toBeNull();
  expect(a.core.counters.cipherEncrypted).toBe(1);
});
