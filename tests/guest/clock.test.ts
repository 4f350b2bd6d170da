/** The guest clock and the guest log, without v86. */
import { GuestClock, NS_PER_CLOCK_READ } from '../../emulator/machine/v86/guest-clock';
import { accessCode, decodeAccess, GuestLog } from '../../emulator/machine/v86/guest-log';

describe('GuestClock', () => {
  test('time = start + instructions × 1 ns + reads × 2 ns + idle, across the u32 counter wrapping', () => {
    let raw = 0xffff_ff00;
    const c = new GuestClock(() => raw);
    c.powerOn(5_000);
    expect(c.now()).toBe(5_000);
    raw = 0x0000_0100; // wrapped: 0x200 instructions later
    expect(c.retired).toBe(0x200);
    expect(c.now()).toBe(5_000 + 0x200);
    expect(c.read()).toBe((5_000 + 0x200 + NS_PER_CLOCK_READ) / 1e6);
    c.skipTo(1_000_000);
    expect(c.now()).toBe(1_000_000);
    expect(c.idleNs).toBe(1_000_000 - (5_000 + 0x200 + NS_PER_CLOCK_READ));
    c.skipTo(10); // never backwards
    expect(c.now()).toBe(1_000_000);
  });

  test('reads are strictly increasing even when no instruction retires in between', () => {
    const c = new GuestClock(() => 42);
    c.powerOn(0);
    const a = c.read();
    const b = c.read();
    expect(Math.floor(b * 1e6)).toBeGreaterThan(Math.floor(a * 1e6));
  });

  test('setSpeed changes the rate from that point on; save/load round-trips', () => {
    let raw = 0;
    const c = new GuestClock(() => raw);
    c.powerOn(0);
    raw = 1000;
    c.setSpeed(100);
    raw = 1010;
    expect(c.now()).toBe(1000 + 10 * 100);
    const s = c.saveState();
    const d = new GuestClock(() => 7); // a restored v86's counter starts anywhere
    d.loadState(s);
    expect(d.now()).toBe(c.now());
    expect(d.saveState()).toEqual(s);
    expect(() => c.setSpeed(0)).toThrow(RangeError);
  });
});

describe('GuestLog', () => {
  test('access codes round-trip', () => {
    for (const [t, o, sz, w] of [[0, 0, 1, false], [3, 0x1f, 2, true], [12, 0xff, 4, false]] as const) {
      expect(decodeAccess(accessCode(t, o, sz, w))).toEqual({ target: t, offset: o, size: sz, write: w });
    }
  });

  test('save/load keeps quanta, wakes and DMA bytes; replay cursors consume them in order', () => {
    const l = new GuestLog();
    l.quanta.push({ ops: [accessCode(1, 2, 1, true), 0x21, 'guest# '], next: 100 }, { ops: [], next: 250 });
    l.wakes.push({ poke: 3, at: 120 });
    l.dma.push(Uint8Array.of(1, 2, 3));
    const r = GuestLog.load(JSON.parse(JSON.stringify(l.saveState())));
    expect(r.nextQuantum()).toEqual(l.quanta[0]);
    expect(r.wakeAt(2)).toBeUndefined();
    expect(r.wakeAt(3)).toEqual({ poke: 3, at: 120 });
    expect(Array.from(r.nextDma()!)).toEqual([1, 2, 3]);
    expect(r.exhausted).toBe(false);
    r.nextQuantum();
    expect(r.exhausted).toBe(true);
  });
});
