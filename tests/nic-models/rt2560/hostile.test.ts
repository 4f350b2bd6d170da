/**
 * Bad driver input never throws or hangs the RT2560: it does what the hardware does and traces why. Bogus buffer
 * and ring addresses (master aborts), zero and oversize lengths and unknown SIGNAL codes (RESULT = FAIL_INVALID),
 * rings of size 0 or a stride too small for a descriptor, bus mastering off, a bad RF word length.
 */
import { Bed, BCAST, frame, MAC_A, MAC_B, US } from './fixture';
import { CSR } from '../../../nic-models/rt2560/regs';

function pair(o: { noMaster?: boolean } = {}) {
  const bed = new Bed({ chips: [{ mac: MAC_A }, { mac: MAC_B }], air: {}, ...o });
  const [a, b] = [bed.chips[0]!, bed.chips[1]!];
  a.open({ style: 'linux' });
  b.open({ style: 'linux' });
  return { bed, a, b };
}

test('a zero length, an oversize length and an unknown SIGNAL complete at once with FAIL_INVALID; the ring goes on', () => {
  const { bed, a, b } = pair();
  const R = a.rings!;
  const buf = bed.alloc(64);
  a.fillDesc(R.prio.base, buf, 0, 1, {});
  a.fillDesc(R.prio.base + 44, buf, 4000, 1, {});
  a.fillDesc(R.prio.base + 88, buf, 30, 1, {});
  bed.setMem32(R.prio.base + 88 + 12, 0x07 | (34 << 16)); // CCK code 7: no rate
  const good = frame(0x08, BCAST, MAC_A, MAC_A, [1]);
  bed.memW(buf + 0, good);
  a.fillDesc(R.prio.base + 132, buf, good.length, 2, {});
  a.w(CSR.TXCSR0, 4);
  bed.delay(2000 * US);
  expect([0, 1, 2].map((i) => (a.txW0('prio', i) >>> 2) & 7)).toEqual([3, 3, 3]);
  expect((a.txW0('prio', 3) >>> 2) & 7).toBe(0);
  expect(bed.traced('tx-invalid', a.name).length).toBe(3);
  expect(b.rxDesc(0).len).toBe(good.length);
});

test('a buffer address nothing claims: FAIL_OTHER after a master abort', () => {
  const { bed, a } = pair();
  a.fillDesc(a.rings!.prio.base, 0xfff00000, 40, 1, {});
  a.w(CSR.TXCSR0, 4);
  bed.delay(500 * US);
  expect((a.txW0('prio', 0) >>> 2) & 7).toBe(4);
  expect(bed.traced('master-abort', a.name).length).toBeGreaterThan(0);
  expect(a.r(CSR.CSR7) & 0x20).toBe(0x20);
});

test('a ring base nothing claims, rings of size 0 and a stride below a descriptor: traced, nothing sent', () => {
  const { bed, a, b } = pair();
  a.w(CSR.TXCSR5, 0xfffffff0);
  a.w(CSR.TXCSR0, 4);
  a.w(CSR.TXCSR2, 44 | (0 << 8) | (8 << 16) | (0 << 24));
  a.w(CSR.TXCSR0, 5);
  a.w(CSR.TXCSR2, 4 | (32 << 8) | (8 << 16) | (32 << 24));
  a.w(CSR.TXCSR0, 5);
  b.w(CSR.RXCSR1, 44 | (0 << 8));
  bed.delay(1000 * US);
  expect(bed.traced('master-abort', a.name).length).toBeGreaterThan(0);
  expect(bed.traced('tx-ring-unusable', a.name).length).toBeGreaterThanOrEqual(3);
  expect(bed.traced('tx-start').length).toBe(0);
  // A ring of size 0 on the receive side: frames are dropped (CNT4).
  a.w(CSR.TXCSR2, 44 | (32 << 8) | (8 << 16) | (32 << 24));
  a.w(CSR.TXCSR5, a.rings!.prio.base);
  a.cur.prio = 0;
  a.send('prio', frame(0x08, BCAST, MAC_A, MAC_A, [3]), { rate: 2 });
  bed.delay(2000 * US);
  expect(bed.traced('rx-drop', b.name, 'ring-unusable').length).toBe(1);
  expect(b.r(CSR.CNT4)).toBe(1);
});

test('an RX buffer nothing claims: the frame is lost to a master abort, the descriptor still completes', () => {
  const { bed, a, b } = pair();
  bed.setMem32(b.rings!.rx.base + 4, 0xfff00000);
  a.send('prio', frame(0x08, BCAST, MAC_A, MAC_A, [3]), { rate: 2 });
  bed.delay(2000 * US);
  expect(bed.traced('master-abort', b.name).length).toBe(1);
  expect(b.rxDesc(0).owner).toBe(false);
});

test('bus mastering off: kicks master-abort and nothing reaches the air', () => {
  const { bed, a } = pair({ noMaster: true });
  a.send('prio', frame(0x08, BCAST, MAC_A, MAC_A, [3]), { rate: 2 });
  bed.delay(1000 * US);
  expect(bed.traced('master-abort', a.name, 'bus-master-off').length).toBeGreaterThan(0);
  expect(bed.traced('tx-start').length).toBe(0);
  expect(a.cr(0x04) >>> 16 & 0x2000).toBe(0x2000);
});

test('RFCSR with a word length other than 20 bits, and an unconnected chip sending: traced, no throw', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  c.w(CSR.RFCSR, (0x80000000 | (12 << 24) | 0x123) >>> 0);
  bed.delay(10 * US);
  expect(bed.traced('rf-bad-length').length).toBe(1);
  c.open({ style: 'bsd' });
  c.send('prio', frame(0x08, MAC_B, MAC_A, MAC_A, [1]), { ack: true, rate: 1 });
  bed.delay(50_000 * US);
  expect(bed.traced('tx-no-radio').length).toBe(8);
  expect((c.txW0('prio', 0) >>> 2) & 7).toBe(2);
});
