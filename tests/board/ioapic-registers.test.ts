/**
 * I/O APIC register-file boundaries the board's mutation run (docs/testing.md, reports/mutation/board.json) showed
 * no test pinned, each after the Intel 82093AA datasheet (order no. 290566):
 * - the pin count is bounded by the 8-bit IOREGSEL: entries sit at 0x10 + 2n ≤ 0xFF, so 1..120 pins;
 * - redirection entry 0 is at index 0x10 and is as writable as the others; indices 0x03–0x0F, the read-only
 *   IOAPICVER/IOAPICARB and anything past the last entry are not written (traced as ignored writes);
 * - Remote IRR is read only: rewriting a level entry keeps it, switching the entry to edge clears it;
 * - the verbose trace names IOWIN accesses by the selected index, open-bus writes carry their value;
 * - a snapshot whose lo/hi/lines arrays do not match the pin count is refused, naming the device;
 * - describe() lists exactly the pins that are unmasked, asserted or awaiting EOI, with every field decoded.
 */
import { IoApic, REDIR } from '../../emulator/machine/board/ioapic';
import { Simulation, componentContext } from '../../emulator/machine/sim';
import { ioapicBench } from './ioapic-fixture';

describe('I/O APIC pin count (IOREGSEL is 8 bits: at most 120 entries)', () => {
  const make = (pins: number) => new IoApic(componentContext(new Simulation(1), 'n', 'n.ioapic'), () => {}, pins);

  test('1 and 120 pins are built; IOAPICVER reports max redirection entry = pins - 1', () => {
    expect(ioapicBench(1).read(1)).toBe(0x00000020);
    expect(ioapicBench(120).read(1)).toBe(0x00770020);
  });

  test.each([0, -1, 121, 2.5, Number.NaN])('%p pins is refused with one line naming the range', (pins) => {
    expect(() => make(pins)).toThrow(new RangeError(`n.ioapic: I/O APIC pin count ${pins} outside 1..120`));
  });
});

describe('I/O APIC indirect register boundaries', () => {
  test('entry 0 (index 0x10/0x11) is programmable and delivers from pin 0', () => {
    const b = ioapicBench();
    b.route(0, 0x30, 3);
    expect(b.read(0x10)).toBe(0x30);
    expect(b.read(0x11)).toBe(0x03000000);
    b.apic.setIrq(0, true);
    expect(b.got).toEqual([[3, 0x30]]);
  });

  test('writes to IOAPICVER, IOAPICARB, reserved 0x03–0x0F and past the last entry change nothing and are traced', () => {
    const b = ioapicBench(8);
    const before = b.apic.saveState();
    const ignored = [0x01, 0x02, 0x03, 0x0f, 0x10 + 2 * 8, 0x11 + 2 * 8];
    for (const index of ignored) b.write(index, REDIR.TRIGGER_LEVEL | 0x66);
    b.apic.setIrq(0, true);
    expect(b.got).toEqual([]);
    expect(b.apic.saveState()).toEqual({ ...before, ioregsel: 0x11 + 2 * 8, lines: [true, ...before.lines.slice(1)] });
    for (const index of [0x03, 0x0f, 0x20, 0x21]) expect(b.read(index)).toBe(0);
    expect(b.trace.filter((r) => r.probe === 'ignored-write').map((r) => [r.layer, r.f])).toEqual(
      ignored.map((index) => ['irq', { dev: 'ioapic', index, value: REDIR.TRIGGER_LEVEL | 0x66 }]),
    );
  });

  test('Remote IRR is read only: rewriting a level entry keeps it, switching to edge clears it', () => {
    const b = ioapicBench();
    b.route(10, REDIR.TRIGGER_LEVEL | 0x3a);
    b.apic.setIrq(10, true);
    expect(b.read(0x10 + 20) & REDIR.REMOTE_IRR).toBe(REDIR.REMOTE_IRR);
    b.route(10, REDIR.MASK | REDIR.TRIGGER_LEVEL | 0x3a); // masking a level entry: still awaiting EOI
    expect(b.read(0x10 + 20)).toBe(REDIR.MASK | REDIR.TRIGGER_LEVEL | REDIR.REMOTE_IRR | 0x3a);
    b.write(0x10 + 20, REDIR.REMOTE_IRR | REDIR.TRIGGER_LEVEL | 0x3a); // software cannot set or clear it
    expect(b.read(0x10 + 20)).toBe(REDIR.TRIGGER_LEVEL | REDIR.REMOTE_IRR | 0x3a);
    b.route(10, REDIR.MASK | 0x3a); // edge: cleared
    expect(b.read(0x10 + 20)).toBe(REDIR.MASK | 0x3a);
  });
});

describe('I/O APIC trace of register accesses', () => {
  test('verbose: every direct access is traced, IOWIN by the selected index (two hex digits)', () => {
    const b = ioapicBench(24, true);
    b.write(0x01, 0);
    expect(b.read(0x01)).toBe(0x00170020);
    expect(b.irqTrace()).toEqual([
      ['reg-write', { reg: 'IOREGSEL', value: 1 }],
      ['reg-write', { reg: 'IOWIN[0x01]', value: 0 }],
      ['ignored-write', { dev: 'ioapic', index: 1, value: 0 }],
      ['reg-write', { reg: 'IOREGSEL', value: 1 }],
      ['reg-read', { reg: 'IOWIN[0x01]', value: 0x00170020 }],
    ]);
  });

  test('not verbose: register accesses leave no records', () => {
    const b = ioapicBench();
    b.write(0x10, REDIR.MASK);
    b.read(0x10);
    expect(b.trace).toEqual([]);
  });

  test('an open-bus write is traced with its value, an open-bus read without one', () => {
    const b = ioapicBench();
    b.apic.mmio.write(0x20, 4, 0x1234);
    b.apic.mmio.read(0x20, 4);
    expect(b.irqTrace()).toStrictEqual([ // strict: the read record has no `value` key at all
      ['bad-access', { dev: 'ioapic', dir: 'write', offset: 0x20, size: 4, value: 0x1234 }],
      ['bad-access', { dev: 'ioapic', dir: 'read', offset: 0x20, size: 4 }],
    ]);
  });
});

describe('I/O APIC snapshot checks', () => {
  test.each(['lo', 'hi', 'lines'] as const)('a snapshot whose %s array has the wrong length is refused', (key) => {
    const b = ioapicBench(4);
    const saved = b.apic.saveState();
    const bad = { ...saved, [key]: [...saved[key], saved[key][0]] };
    expect(() => b.apic.loadState(bad)).toThrow('alpha.ioapic: snapshot has');
  });

  test('a snapshot of another version is refused naming the instance and the component', () => {
    const b = ioapicBench();
    expect(() => b.apic.loadState({ ...b.apic.saveState(), v: 9 })).toThrow(/^alpha\.ioapic \(I\/O APIC\): /);
  });
});

describe('I/O APIC describe() for a debugger', () => {
  test('header, then only pins unmasked, asserted or awaiting EOI, every field decoded', () => {
    const b = ioapicBench(8);
    b.write(0, 0x02000000);
    b.route(1, REDIR.DESTMOD | (1 << 8) | REDIR.TRIGGER_LEVEL | REDIR.INTPOL | 0x05, 0x03); // lowest, logical
    expect(b.got).toEqual([[0, 0x05]]); // active low with the line low: asserted, delivered to CPU 0 of 0b11
    b.apic.setIrq(2, true); // masked but asserted
    b.route(3, REDIR.TRIGGER_LEVEL | 0x33, 1);
    b.apic.setIrq(3, true); // delivered: remote IRR
    b.route(3, REDIR.MASK | REDIR.TRIGGER_LEVEL | 0x33, 1);
    b.apic.setIrq(3, false); // masked, line low, still awaiting EOI
    b.route(4, 0x44); // unmasked edge, line low
    b.write(0x10 + 2 * 5, REDIR.MASK | 0x55); // masked, low, no IRR: not listed
    b.apic.mmio.write(0x00, 4, 0x01);
    expect(b.apic.describe()).toBe([
      'ioapic id=2 ver=0x20 pins=8 ioregsel=0x1',
      '  pin 1: vec=0x05 lowest logical dest=0x3 level active-low remote-irr line=0(asserted)',
      '  pin 2: vec=0x00 fixed physical dest=0x0 edge active-high masked line=1(asserted)',
      '  pin 3: vec=0x33 fixed physical dest=0x1 level active-high masked remote-irr line=0',
      '  pin 4: vec=0x44 fixed physical dest=0x0 edge active-high line=0',
    ].join('\n'));
  });

  test('each delivery mode is named (82093AA DELMOD 000–111)', () => {
    const b = ioapicBench(8);
    const names = ['fixed', 'lowest', 'smi', 'rsvd3', 'nmi', 'init', 'rsvd6', 'extint'];
    names.forEach((_, mode) => b.route(mode, (mode << 8) | 0x20));
    const modes = b.apic.describe().split('\n').slice(1).map((l) => l.split(' ')[5]);
    expect(modes).toEqual(names);
  });
});
