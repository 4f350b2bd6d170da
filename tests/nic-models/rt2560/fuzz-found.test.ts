/**
 * Bugs the nic/rt2560 fuzz target found (docs/fuzzing.md), each replayed against the model directly; the fuzz
 * reproducers themselves are in fuzz/reproducers/ (nic-rt2560-s1-e0.json, -e2.json, -e15.json).
 *
 * - The 64-bit TSF was a float: loaded above 2^53 through CSR17 it lost its low bits, and with a short beacon
 *   interval the next TBTT fell on the current instant for ever (a hang). It is now exact (bigint), wraps at
 *   2^64, and the snapshot keeps it as a decimal string (state version 3; a version-2 state is upgraded).
 * - Writing RXCSR1 with fewer entries left the chip's RX index and the decrypt walk's index past the ring's
 *   last entry; RXCSR1 now puts both back at entry 0, as TXCSR2 does for the TX rings.
 */
import { Bed, MAC_A, US } from './fixture';
import { CSR } from '../../../nic-models/rt2560/regs';

test('a TSF loaded above 2^53 counts exactly, reads back exactly, and TBTTs come every beacon interval', () => {
  const bed = new Bed({ chips: [{ mac: MAC_A }], air: null });
  const a = bed.chips[0]!;
  const hi = 0x64de7ac8;
  const lo = 0xe47eeb31;
  a.w(CSR.CSR12, 1); // 1/16 TU = 64 µs
  a.w(CSR.CSR16, lo);
  a.w(CSR.CSR17, hi);
  a.w(CSR.CSR8, ~0x1 >>> 0);
  a.w(CSR.CSR14, 0x9); // TSF_COUNT | TBCN
  const t0 = bed.now;
  const tsf0 = (BigInt(hi) << 32n) | BigInt(lo);
  const before = bed.traced('tbtt', a.name).length;
  bed.delay(1000 * US);
  const elapsedUs = BigInt(Math.floor((bed.now - t0) / 1000));
  const lowNow = a.core.tsf.value() & 0xffffffffn;
  expect(BigInt(a.r(CSR.CSR16))).toBeGreaterThanOrEqual(lowNow);
  expect(a.core.tsf.value()).toBe(tsf0 + elapsedUs);
  // TBTTs where the TSF is a multiple of 64 µs: from tsf0 to tsf0 + elapsed.
  const multiples = (tsf0 + elapsedUs) / 64n - tsf0 / 64n;
  expect(BigInt(bed.traced('tbtt', a.name).length - before)).toBe(multiples);
  expect(a.r(CSR.CSR7) & 0x1).toBe(1);
  // The counter wraps at 2^64: a TBTT falls on the wrap (0 is a multiple of every interval).
  a.w(CSR.CSR16, 0xffffffff - 100);
  a.w(CSR.CSR17, 0xffffffff);
  bed.delay(200 * US);
  expect(a.core.tsf.value()).toBeLessThan(200n);
  // Snapshot: the base is kept exactly; a version-2 state (a number) is upgraded.
  const s = JSON.parse(JSON.stringify(a.nic.saveState()));
  expect(s.v).toBe(3);
  expect(typeof s.tsf.base).toBe('string');
  const v2 = { ...s, v: 2, tsf: { ...s.tsf, base: 1234 } };
  const other = new Bed({ chips: [{ mac: MAC_A }], air: null });
  other.chips[0]!.nic.loadState(v2);
  expect(other.chips[0]!.core.tsf.value(s.tsf.at)).toBe(1234n);
});

test('RXCSR1 with fewer entries puts the RX ring and the decrypt walk back at entry 0', () => {
  const bed = new Bed({ chips: [{ mac: MAC_A }], air: null });
  const a = bed.chips[0]!;
  a.open({ style: 'bsd' });
  const R = a.rings!;
  // Three received-and-decrypt-marked descriptors walked by the engine (host-owned, CIPHER_OWNER, CIPHER_NONE).
  for (let i = 0; i < 3; i++) bed.setMem32(R.rx.base + i * R.stride, 0x100);
  a.w(CSR.SECCSR0, 1);
  bed.delay(200 * US);
  expect(a.core.cipher.dec.idx).toBe(3);
  a.core.rx.idx = 3; // as after three receptions
  a.w(CSR.RXCSR1, R.stride | (2 << 8));
  expect(a.core.rx.idx).toBe(0);
  expect(a.core.cipher.dec.idx).toBe(0);
  expect(a.r(CSR.RXPTR)).toBe(R.rx.base);
  expect(a.r(CSR.SECCSR0)).toBe(R.rx.base);
});
