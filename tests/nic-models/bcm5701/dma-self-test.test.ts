/**
 * tg3_test_dma / tg3_do_test_dma on a 5701 (design §1.15, §2.1.1 step 4): an internal buffer descriptor written
 * into SRAM through config cycles, queued on FTQ DMA_HIGH_READ (host → SRAM) and DMA_HIGH_WRITE (SRAM → host);
 * completion seen on FTQ RCVBD_COMP / RCVDATA_COMP, whose FIFO_ENQDEQ reads do not dequeue. The host buffer is
 * poisoned between the two directions so the data really moves; with bus mastering off tg3's poll times out
 * ("DMA engine test failed") as on hardware. Bus time: 8 KiB on a 33 MHz 32-bit bus = 2 + 1 + 2048 cycles.
 */
import { Host, MS, US } from './fixture';

const SIZE = 0x2000;
const DESC = 0x2000;

/** One tg3_do_test_dma; returns the polls taken, or -1 when 40 polls of 100 µs did not see completion. */
function doTestDma(h: Host, buf: number, toDevice: boolean): number {
  h.wr(0x5cd8, 0);
  h.wr(0x5d08, 0);
  h.wr(0x4804, 0);
  h.wr(0x4c04, 0);
  h.wr(0x4400, 0);
  h.wr(0x5c00, 0);
  h.wr(toDevice ? 0x4800 : 0x4c00, 0x2);
  h.delay(40 * US);
  const words = [0, buf, 0x2100, ((toDevice ? (13 << 8) | 2 : (16 << 8) | 7) << 16) | SIZE, 5, 0, 0, 0];
  words.forEach((w, i) => {
    h.cw(0x7c, DESC + 4 * i);
    h.cw(0x84, w >>> 0);
  });
  h.cw(0x7c, 0);
  expect(h.wr(toDevice ? 0x5c28 : 0x5c78, DESC)).toBe(DESC); // the read-back must not dequeue
  for (let i = 1; i <= 40; i++) {
    if ((h.r(toDevice ? 0x5cd8 : 0x5d08) & 0xffff) === DESC) return i;
    h.delay(100 * US);
  }
  return -1;
}

function fill(h: Host, buf: number, f: (i: number) => number): void {
  const b = new Uint8Array(SIZE);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < SIZE / 4; i++) dv.setUint32(4 * i, f(i), true);
  h.memW(buf, b);
}

describe('tg3 DMA self-test on the internal DMA engine', () => {
  test('to device then from device: data moves through SRAM 0x2100, completion within the second poll', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.wr(0x6c, 0x76ff000f);
    const buf = h.alloc(SIZE);
    fill(h, buf, (i) => i);
    const t0 = h.now;
    expect(doTestDma(h, buf, true)).toBe(2);
    expect(h.sramR(0x2100 + 4 * 1234)).toBe(1234);
    fill(h, buf, () => 0xa5a5a5a5); // poison: only the chip's copy holds the pattern now
    expect(doTestDma(h, buf, false)).toBe(2);
    const back = new DataView(h.memR(buf, SIZE).buffer);
    for (let i = 0; i < SIZE / 4; i++) if (back.getUint32(4 * i, true) !== i) throw new Error(`word ${i} = ${back.getUint32(4 * i, true)}`);
    expect(h.r(0x4804)).toBe(0);
    expect(h.r(0x4c04)).toBe(0);
    // Bus time charged: each 8 KiB burst is 2051 PCI clocks = 61.53 µs, visible as the gap between the
    // enqueue and the engine's completion record.
    const dmas = h.traced('ftq-dma');
    expect(dmas.map((r) => [r.f!['dir'], r.f!['len'], r.f!['cq']])).toEqual([['read', SIZE, 13], ['write', SIZE, 16]]);
    void t0;
  });

  test('completion time is the bus time of the burst', () => {
    const h = new Host();
    h.delay(2 * MS);
    const buf = h.alloc(SIZE);
    h.wr(0x4800, 2);
    [0, buf, 0x2100, ((13 << 8 | 2) << 16) | SIZE, 5].forEach((w, i) => h.sramW(DESC + 4 * i, w >>> 0, 'bge-cfg'));
    h.w(0x5c28, DESC);
    const t = h.now;
    // 2 arbitration + 1 address + 2048 data phases at 30 ns, starting on the next clock edge.
    const start = Math.ceil(t / 30) * 30;
    const done = start + (2 + 1 + SIZE / 4) * 30;
    h.delay(done - t - 1);
    expect(h.core.ftq.depth(13)).toBe(0);
    h.delay(1);
    expect(h.core.ftq.depth(13)).toBe(1);
  });

  test('bus mastering off: the engine never gets the bus, tg3 times out ("DMA engine test failed")', () => {
    const h = new Host({ noMaster: true });
    h.delay(2 * MS);
    const buf = h.alloc(SIZE);
    fill(h, buf, (i) => i);
    expect(doTestDma(h, buf, true)).toBe(-1);
    expect(h.traced('dma-stalled').length).toBe(1);
    // A core reset clears the engine (tg3_halt after the failed probe).
    h.w(0x6804, 1);
    h.delay(2 * MS);
    expect(h.core.ftq.depth(2)).toBe(0);
  });
});
