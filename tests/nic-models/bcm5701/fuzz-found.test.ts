/**
 * Bugs the nic/bcm5701 fuzz target found (docs/fuzzing.md), each replayed against the model directly; the fuzz
 * reproducers themselves are in fuzz/reproducers/ (nic-bcm5701-s1-e17.json, nic-bcm5701-s1-e15.json).
 *
 * - A send BD chain of fewer than 12 bytes with TXD_FLAG_VLAN threw a RangeError in the VLAN inserter
 *   (tx-edit.ts): the tag now follows the bytes there are, and the frame is padded as any runt.
 * - An internal DMA descriptor of length 0 whose completion queue is its own DMA queue (the CVE-2015-8345
 *   self-linked shape) re-ran without time passing: the simulation hung at one instant. Each descriptor now takes
 *   the engine's descriptor fetch (ftq.ts FTQ_DESC_FETCH_NS), so it repeats at that pace and time moves on.
 */
import { editFrame } from '../../../nic-models/bcm5701/tx-edit';
import { FTQ_DESC_FETCH_NS } from '../../../nic-models/bcm5701/ftq';
import { CORE_CLOCK_HZ } from '../../../nic-models/bcm5701/timing';
import { Host, US } from './fixture';

test('VLAN insertion into a gathered frame shorter than the two addresses: tag after its bytes, padded to 60', () => {
  const raw = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const out = editFrame(raw, 0x44, 0x0123, false, { extendedLength: false, phdrPreloaded: true, trace: () => undefined });
  if (out === 'oversize') throw new Error('oversize');
  expect(Array.from(out.data.subarray(0, 12))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0x81, 0x00, 0x01, 0x23]);
  expect(out.data.length).toBe(60);
  expect(out.data.subarray(12).every((b) => b === 0)).toBe(true);
  // A frame of 12 bytes or more still gets the tag right after the source address.
  const full = editFrame(new Uint8Array(20).fill(9), 0x44, 0x0abc, false, { extendedLength: false, phdrPreloaded: true, trace: () => undefined });
  if (full === 'oversize') throw new Error('oversize');
  expect(Array.from(full.data.subarray(10, 18))).toEqual([9, 9, 0x81, 0x00, 0x0a, 0xbc, 9, 9]);
});

test('an internal descriptor of length 0 completing onto its own DMA queue repeats at the descriptor-fetch pace', () => {
  expect(FTQ_DESC_FETCH_NS).toBe(Math.round(8e9 / CORE_CLOCK_HZ));
  const h = new Host();
  h.delay(2_000 * US); // boot code
  // tg3_do_test_dma's descriptor layout at SRAM 0x2000, but length 0 and cqid = 2 (FTQ_DMA_HIGH_READ itself).
  [0, 0x2000, 0x2100, (0x02 << 24) | 0, 5, 0, 0, 0].forEach((v, i) => h.sramW(0x2000 + 4 * i, v));
  h.w(0x4800, 2);
  const before = h.traced('ftq-dma').length;
  const t0 = h.now;
  h.w(0x5c28, 0x2000);
  const span = 100 * US;
  h.delay(span);
  const runs = h.traced('ftq-dma').length - before;
  // One descriptor per FTQ_DESC_FETCH_NS from the enqueue (the write's own bus time is within the first one).
  const expected = Math.floor((h.now - t0) / FTQ_DESC_FETCH_NS);
  expect(Math.abs(runs - expected)).toBeLessThanOrEqual(1);
  // The read DMA engine disabled: the descriptor in flight completes onto its queue and is not started again.
  h.w(0x4800, 0);
  const after = h.traced('ftq-dma').length;
  h.delay(span);
  expect(h.traced('ftq-dma').length - after).toBeLessThanOrEqual(1);
});
