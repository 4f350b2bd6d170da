/** The guest clock and the guest log, without v86. */
import { GuestClock, NS_PER_CLOCK_READ } from '../../emulator/machine/v86/guest-clock';
import { accessCode, decodeAccess, GuestLog } from '../../emulator/machine/v86/guest-log';
import { V86PortWindow } from '../../emulator/machine/v86/port-window';
import type { V86Io, V86PortEntry } from '../../emulator/machine/v86/v86-types';
import { isaIoTiming } from '../../emulator/machine/board/isa-bus';
import { pciBarTiming } from '../../emulator/machine/board/pci-bus';
import { isaTarget, PCI_DEFAULT_TARGET } from '../../emulator/machine/bus/timing';

describe('GuestClock', () => {
  test('time = start + instructions × 1 ns + reads × 2 ns + idle, across the u32 counter wrapping', () => {
    let raw = 0xffff_ff00;
    const c = new GuestClock(() => raw);
    c.powerOn(5_000);
    expect(c.now()).toBe(5_000);
    raw = 0x0000_0100; // wrapped: 0x200 instructions later
    expect(c.retired).toBe(0x200);
    expect(c.now()).toBe(5_000 + 0x200);
    expect(c.readNs()).toBe(5_000 + 0x200 + NS_PER_CLOCK_READ);
    c.skipTo(1_000_000);
    expect(c.now()).toBe(1_000_000);
    expect(c.idleNs).toBe(1_000_000 - (5_000 + 0x200 + NS_PER_CLOCK_READ));
    c.skipTo(10); // never backwards
    expect(c.now()).toBe(1_000_000);
  });

  test('reads are strictly increasing even when no instruction retires in between', () => {
    const c = new GuestClock(() => 42);
    c.powerOn(0);
    const a = c.readNs();
    const b = c.readNs();
    expect(b).toBe(a + NS_PER_CLOCK_READ);
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

describe('guest bus stall', () => {
  test('stall time adds to guest time and survives save/load; a version-1 state (no stall) still loads', () => {
    let raw = 0;
    const c = new GuestClock(() => raw);
    c.powerOn(1000);
    raw = 50;
    c.stall(1290);
    c.stall(1260);
    expect(c.now()).toBe(1000 + 50 + 1290 + 1260);
    expect(c.stallNs).toBe(2550);
    const s = c.saveState();
    expect(s).toMatchObject({ v: 2, stall: 2550 });
    const d = new GuestClock(() => 50);
    d.loadState(s);
    expect(d.now()).toBe(c.now());
    // A snapshot written before bus timing existed: version 1, no stall term.
    const { stall: _stall, ...rest } = s;
    const e = new GuestClock(() => 50);
    e.loadState({ ...rest, v: 1 });
    expect(e.stallNs).toBe(0);
    expect(e.now()).toBe(1000 + 50);
    expect(() => e.loadState({ ...s, v: 3 })).toThrow(/guest clock.*version 3, newer than this build/);
  });

  /** A v86 I/O space of empty entries, enough for a port window. */
  function fakeIo(): V86Io {
    const empty = (): V86PortEntry => ({ read8: () => 0xff, read16: () => 0xffff, read32: () => -1, write8: () => {}, write16: () => {}, write32: () => {}, device: null });
    return { ports: Array.from({ length: 0x10000 }, empty), create_empty_entry: empty, register_read: () => {}, register_write: () => {} };
  }

  test('a port window stalls the guest for each access\'s bus cycle, before it syncs and reaches the device', () => {
    const io = fakeIo();
    const order: string[] = [];
    let stalled = 0;
    const dev = { read: (o: number) => (order.push(`read ${o}`), 0x1234), write: (o: number, _s: number, v: number) => void order.push(`write ${o}=${v}`) };
    // An NE2000-like ISA card: 16-bit data port at 0x10, byte registers below.
    const w = new V86PortWindow(io, 0x20, dev, 'ne', isaIoTiming(isaTarget({ io16: (o) => o === 0x10 }), 'subtractive'));
    w.stall = (ns) => (order.push(`stall ${ns}`), (stalled += ns));
    w.sync = () => void order.push('sync');
    w.map(0x300);
    io.ports[0x310]!.read16.call(null);
    io.ports[0x300]!.write8.call(null, 0x21);
    // 16-bit read: 9 PCI clocks + (1 + 3 + 4.5) BCLKs = 270 + 1020; 8-bit write: 8 clocks + (1 + 6 + 4.5) BCLKs.
    expect(order).toEqual(['stall 1290', 'sync', 'read 16', 'stall 1620', 'sync', 'write 0=33']);
    expect(stalled).toBe(2910);
    // A REP INSW of 4 words reaches the window 4 times: 4 cycles charged.
    for (let i = 0; i < 4; i++) io.ports[0x310]!.read16.call(null);
    expect(stalled).toBe(2910 + 4 * 1290);
  });

  test('a PCI I/O BAR window stalls for the PCI transaction (medium DEVSEL: 7 clocks read, 6 write)', () => {
    const io = fakeIo();
    let stalled = 0;
    const w = new V86PortWindow(io, 0x20, { read: () => 0, write: () => {} }, 'rtl', pciBarTiming(PCI_DEFAULT_TARGET, 0, 'io'));
    w.stall = (ns) => void (stalled += ns);
    w.map(0xc000);
    io.ports[0xc010]!.read16.call(null);
    io.ports[0xc000]!.write8.call(null, 1);
    expect(stalled).toBe(7 * 30 + 6 * 30);
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
