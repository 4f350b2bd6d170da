/**
 * Host coalescing (design §1.12.3, §6.2 item 7): status updates and interrupts against frame arrivals for given
 * tick/frame settings. Frames come from the link partner at 1 Gb/s; the expected counts are worked out here from
 * the rules and the wire timing, not read from the model:
 *
 * - back to back, a 1514-byte frame takes (8 + 1514 + 4 + 12) × 8 ns = 12.304 µs on the wire;
 * - tg3 defaults (CLRTICK, 20 µs / 5 frames, _INT 20 µs / 5): the 5-frame maximum triggers every 5th frame and
 *   the 20 µs tick, re-armed by every frame, never expires between frames 12.3 µs apart → 100 frames, 20 updates;
 *   frames 50 µs apart → the tick expires after each frame → 100 updates;
 * - bge defaults (150 µs from the first event, 64 frames, _INT 0/0, no CLRTICK): frames 40 µs apart → events at
 *   +0, +40, +80, +120 are covered by the tick at +150 and the next event starts a new one → 25 updates; while
 *   mailbox 0 masks (the host in its handler) nothing triggers, and the unmask finds 100 ≥ 64 → one update at once.
 */
import { Host, MAC, MS, US } from './fixture';
import { udpFrame, type Partner } from './partner';
import { linkedTg3 } from './linked';

const WIRE_1514_NS = (8 + 1514 + 4 + 12) * 8;


/** Program coalescing as given, unmask (mailbox = current tag << 24 or `mbox`), and send `n` frames `gapNs` apart. */
function burst(h: Host, partner: Partner, o: { mode: number; rx: [number, number, number, number]; n: number; gapNs: number; mbox?: number }): { updates: number; irqs: number } {
  const [ticks, max, ticksInt, maxInt] = o.rx;
  h.wr(0x3c08, ticks);
  h.wr(0x3c10, max);
  h.wr(0x3c18, ticksInt);
  h.wr(0x3c20, maxInt);
  h.wr(0x3c00, o.mode);
  h.w(0x204, o.mbox ?? (h.core.hc.tag << 24) >>> 0);
  h.delay(100 * US);
  const before = h.traced('status-update').length;
  const irqBefore = h.core.stats.get('nic_irqs');
  const frame = udpFrame(MAC, [2, 0, 0, 0, 0, 2], 1514 - 42);
  for (let i = 0; i < o.n; i++) {
    if (o.gapNs <= WIRE_1514_NS) partner.send(frame);
    else h.sim.queue.runUntil(h.now), partner.send(frame), h.delay(o.gapNs);
  }
  h.delay(o.n * Math.max(o.gapNs, WIRE_1514_NS) + 2 * MS);
  return { updates: h.traced('status-update').length - before, irqs: h.core.stats.get('nic_irqs') - irqBefore };
}

describe('host coalescing', () => {
  test('tg3 defaults, 100 back-to-back frames: an update every 5 frames (20), each with an interrupt request', () => {
    const { h, partner } = linkedTg3();
    const r = burst(h, partner, { mode: 0x702, rx: [20, 5, 20, 5], n: 100, gapNs: 0 });
    expect(r.updates).toBe(100 / 5);
    expect(r.irqs).toBe(20);
    expect(h.traced('status-update').slice(-20).every((x) => x.f!['reason'] === 'rx-max')).toBe(true);
  });

  test('tg3 defaults, frames 50 µs apart: the 20 µs tick expires after each frame (100 updates)', () => {
    const { h, partner } = linkedTg3();
    const r = burst(h, partner, { mode: 0x702, rx: [20, 5, 20, 5], n: 100, gapNs: 50 * US });
    expect(r.updates).toBe(100);
    expect(h.traced('status-update').slice(-100).every((x) => x.f!['reason'] === 'rx-tick')).toBe(true);
  });

  test('a single frame: one update one tick (20 µs) after the frame was placed', () => {
    const { h, partner } = linkedTg3();
    const r = burst(h, partner, { mode: 0x702, rx: [20, 5, 20, 5], n: 1, gapNs: 0 });
    expect(r.updates).toBe(1);
    const place = h.recs.filter((x) => x.probe === 'rx-accept').at(-1)!.t;
    const upd = h.traced('status-update').at(-1)!.t;
    // Placement (frame 383 + return BD 11 + std BD burst of 25: 203 PCI clocks, 30 ns each) then the tick.
    expect(upd - place).toBeGreaterThanOrEqual(20 * US);
    expect(upd - place).toBeLessThan(20 * US + (383 + 11 + 203 + 3) * 30);
  });

  test('bge defaults, frames 40 µs apart: 4 frames per 150 µs tick (25 updates)', () => {
    const { h, partner } = linkedTg3();
    const r = burst(h, partner, { mode: 0x102, rx: [150, 64, 0, 0], n: 100, gapNs: 40 * US });
    expect(r.updates).toBe(25);
  });

  test('bge defaults while the host holds mailbox 0 masked: no update; the unmask updates at once (100 ≥ 64)', () => {
    const { h, partner } = linkedTg3();
    const r = burst(h, partner, { mode: 0x102, rx: [150, 64, 0, 0], n: 100, gapNs: 0, mbox: 1 });
    expect(r.updates).toBe(0);
    const t = h.now;
    h.w(0x204, 0);
    h.delay(2 * US);
    const last = h.traced('status-update').at(-1)!;
    expect(last.f!['reason']).toBe('rx-max');
    expect(last.t - t).toBeLessThan(US);
  });

  test('tg3 tagged re-enable: an update while masked re-asserts INTA# when the host writes an older tag', () => {
    const { h, t, partner } = linkedTg3();
    h.delay(MS);
    if (h.irq) t.interrupt();
    h.w(0x204, 1); // in the handler
    partner.send(udpFrame(MAC, [2, 0, 0, 0, 0, 2], 100));
    h.delay(100 * US);
    expect(h.irq).toBe(false);
    const tag = h.core.hc.tag;
    h.w(0x204, ((tag - 1) & 0xff) << 24); // the host processed an older update
    expect(h.irq).toBe(true);
    h.w(0x204, tag << 24);
    expect(h.irq).toBe(false);
    expect(h.r(0x70) & 0x2).toBe(0x2);
  });
});
