import { Simulation, componentContext, Rng, type TraceRecord } from '../../emulator/machine/sim';
import type { AccessSize } from '../../emulator/machine/bus';
import { IoApic, REDIR } from '../../emulator/machine/board/ioapic';

function board(pins?: number) {
  const sim = new Simulation(3);
  const got: [number, number][] = [];
  let onDeliver: ((dest: number, vector: number) => void) | null = null;
  const apic = new IoApic(
    componentContext(sim, 'alpha', 'alpha.ioapic'),
    (dest, vector) => {
      got.push([dest, vector]);
      if (onDeliver) onDeliver(dest, vector);
    },
    pins,
  );
  const trace: TraceRecord[] = [];
  sim.tracer.addSink((r) => trace.push(r));
  /** The OS's accessors: select with IOREGSEL, move data through IOWIN. */
  const read = (index: number) => {
    apic.mmio.write(0x00, 4, index);
    return apic.mmio.read(0x10, 4);
  };
  const write = (index: number, value: number) => {
    apic.mmio.write(0x00, 4, index);
    apic.mmio.write(0x10, 4, value);
  };
  const route = (pin: number, lo: number, dest = 0) => {
    write(0x11 + 2 * pin, dest << 24);
    write(0x10 + 2 * pin, lo);
  };
  const setOnDeliver = (fn: (dest: number, vector: number) => void) => (onDeliver = fn);
  return { sim, apic, got, trace, read, write, route, setOnDeliver };
}

describe('I/O APIC registers', () => {
  test('version register: version 0x20, max redirection entry = pins - 1', () => {
    expect(board().read(1)).toBe(0x00170020);
    expect(board(8).read(1)).toBe(0x00070020);
  });

  test('ID is writable (bits 27:24) and the arbitration ID follows it; VER/ARB are read only', () => {
    const b = board();
    b.write(0, 0x0fffffff);
    expect(b.read(0)).toBe(0x0f000000);
    expect(b.read(2)).toBe(0x0f000000);
    b.write(1, 0);
    b.write(2, 0);
    expect(b.read(1)).toBe(0x00170020);
    expect(b.read(2)).toBe(0x0f000000);
    expect(b.apic.mmio.read(0x00, 4)).toBe(2); // IOREGSEL reads back
  });

  test('redirection entries reset masked; read-only and reserved bits ignored on write', () => {
    const b = board();
    expect(b.read(0x10)).toBe(REDIR.MASK);
    b.write(0x10 + 2 * 3, 0xffffffff);
    b.write(0x11 + 2 * 3, 0xffffffff);
    expect(b.read(0x10 + 2 * 3)).toBe(0x0001afff);
    expect(b.read(0x11 + 2 * 3)).toBe(0xff000000);
    expect(b.read(0x10 + 2 * 24)).toBe(0); // past the table
    expect(b.read(0x05)).toBe(0);
  });

  test('accesses other than 32-bit at 0x00/0x10/0x40 are open bus and traced', () => {
    const b = board();
    const sizes: [number, AccessSize][] = [[0x00, 1], [0x10, 2], [0x20, 4], [0x44, 4]];
    for (const [off, size] of sizes) expect(b.apic.mmio.read(off, size)).toBe(size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff);
    b.apic.mmio.write(0x00, 1, 1);
    expect(b.apic.mmio.read(0x00, 4)).toBe(0);
    expect(b.trace.filter((r) => r.probe === 'bad-access')).toHaveLength(5);
  });
});

describe('I/O APIC delivery', () => {
  test('edge: one message per rising edge, to the physical destination', () => {
    const b = board();
    b.route(5, 0x35, 1);
    b.apic.setIrq(5, true);
    b.apic.setIrq(5, true);
    expect(b.got).toEqual([[1, 0x35]]);
    b.apic.setIrq(5, false);
    b.apic.setIrq(5, true);
    expect(b.got).toEqual([[1, 0x35], [1, 0x35]]);
    expect(b.trace.filter((r) => r.layer === 'irq').map((r) => [r.probe, r.f])).toEqual([
      ['raise', { irq: 5, vector: 0x35 }],
      ['deliver', { irq: 5, vector: 0x35, dest: 1 }],
      ['raise', { irq: 5, vector: 0x35 }],
      ['deliver', { irq: 5, vector: 0x35, dest: 1 }],
    ]);
  });

  test('masked edge pins latch nothing', () => {
    const b = board();
    b.route(4, REDIR.MASK | 0x34);
    b.apic.setIrq(4, true);
    b.route(4, 0x34);
    expect(b.got).toEqual([]);
    b.apic.setIrq(4, false);
    b.apic.setIrq(4, true);
    expect(b.got).toEqual([[0, 0x34]]);
  });

  test('level, active low: Remote IRR set on delivery, EOI with matching vector redelivers while asserted', () => {
    const b = board();
    b.apic.setIrq(16, true); // PCI INTA# idles high
    b.route(16, REDIR.TRIGGER_LEVEL | REDIR.INTPOL | 0x50, 2);
    expect(b.got).toEqual([]);
    b.apic.setIrq(16, false); // asserted
    expect(b.got).toEqual([[2, 0x50]]);
    expect(b.read(0x10 + 32) & REDIR.REMOTE_IRR).toBe(REDIR.REMOTE_IRR);
    b.apic.eoi(0x51); // another vector: nothing
    expect(b.read(0x10 + 32) & REDIR.REMOTE_IRR).toBe(REDIR.REMOTE_IRR);
    b.apic.eoi(0x50); // still asserted: redeliver
    expect(b.got).toEqual([[2, 0x50], [2, 0x50]]);
    b.apic.setIrq(16, true); // the driver cleared the cause
    b.apic.mmio.write(0x40, 4, 0x50); // EOI register
    expect(b.got).toHaveLength(2);
    expect(b.read(0x10 + 32) & REDIR.REMOTE_IRR).toBe(0);
  });

  test('level pins deliver on unmask if still asserted; masking keeps Remote IRR until EOI', () => {
    const b = board();
    b.route(9, REDIR.MASK | REDIR.TRIGGER_LEVEL | 0x39);
    b.apic.setIrq(9, true);
    expect(b.got).toEqual([]);
    b.route(9, REDIR.TRIGGER_LEVEL | 0x39);
    expect(b.got).toEqual([[0, 0x39]]);
    b.route(9, REDIR.MASK | REDIR.TRIGGER_LEVEL | 0x39);
    b.apic.eoi(0x39); // clears Remote IRR even when masked, but no delivery while masked
    expect(b.read(0x10 + 18) & REDIR.REMOTE_IRR).toBe(0);
    expect(b.got).toHaveLength(1);
    b.route(9, REDIR.TRIGGER_LEVEL | 0x39);
    expect(b.got).toHaveLength(2);
  });

  test('switching an entry to edge clears a stuck Remote IRR (older-APIC EOI path)', () => {
    const b = board();
    b.route(10, REDIR.TRIGGER_LEVEL | 0x3a);
    b.apic.setIrq(10, true);
    b.apic.setIrq(10, false);
    expect(b.read(0x10 + 20) & REDIR.REMOTE_IRR).toBe(REDIR.REMOTE_IRR);
    b.route(10, REDIR.MASK | 0x3a);
    b.route(10, REDIR.TRIGGER_LEVEL | 0x3a);
    expect(b.read(0x10 + 20) & REDIR.REMOTE_IRR).toBe(0);
  });

  test('logical destination goes to the lowest CPU in the bitmap; lowest-priority mode delivers too', () => {
    const b = board();
    b.route(3, REDIR.DESTMOD | (1 << 8) | 0x33, 0b1100);
    b.apic.setIrq(3, true);
    b.route(6, REDIR.DESTMOD | 0x36, 0);
    b.apic.setIrq(6, true);
    b.route(7, (4 << 8) | 0x37); // NMI: not modelled
    b.apic.setIrq(7, true);
    expect(b.got).toEqual([[2, 0x33]]);
    expect(b.trace.map((r) => r.probe)).toContain('no-destination');
    expect(b.trace.map((r) => r.probe)).toContain('unsupported-delivery');
  });

  test('an EOI from inside deliver does not recurse; a storm is cut off, not hung', () => {
    const b = board();
    b.route(1, REDIR.TRIGGER_LEVEL | 0x41);
    let depth = 0;
    let maxDepth = 0;
    b.setOnDeliver((_d, v) => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      b.apic.eoi(v); // a broken handler: EOI without clearing the device
      depth--;
    });
    b.apic.setIrq(1, true);
    expect(maxDepth).toBe(1);
    expect(b.got.length).toBe(10_000);
    expect(b.trace.some((r) => r.probe === 'storm')).toBe(true);
  });

  test('bad pins are traced and ignored; fuzzed MMIO never throws', () => {
    const b = board();
    b.apic.setIrq(24, true);
    b.apic.setIrq(-1, true);
    expect(b.trace.filter((r) => r.probe === 'bad-input')).toHaveLength(2);
    const rng = new Rng(5, 'fuzz');
    const sizes: AccessSize[] = [1, 2, 4];
    expect(() => {
      for (let i = 0; i < 20000; i++) {
        const off = [0x00, 0x10, 0x40, rng.below(0x100)][rng.below(4)]!;
        const size = sizes[rng.below(3)]!;
        const r = rng.below(4);
        if (r === 0) b.apic.mmio.write(off, size, rng.u32());
        else if (r === 1) b.apic.mmio.read(off, size);
        else if (r === 2) b.apic.setIrq(rng.below(26) - 1, rng.chance(0.5));
        else b.apic.eoi(rng.below(256));
      }
    }).not.toThrow();
  });
});

describe('I/O APIC snapshots', () => {
  test('save → load into a fresh I/O APIC → save is deep-equal, and behaviour continues', () => {
    const b = board();
    b.write(0, 0x02000000);
    b.route(2, REDIR.TRIGGER_LEVEL | 0x42, 1);
    b.route(5, 0x45, 0);
    b.apic.setIrq(2, true);
    b.apic.mmio.write(0x00, 4, 0x14);
    const saved = JSON.parse(JSON.stringify(b.apic.saveState()));

    const c = board();
    c.apic.loadState(saved);
    expect(c.apic.saveState()).toEqual(saved);
    expect(c.apic.describe()).toBe(b.apic.describe());
    expect(c.apic.describe()).toContain('pin 2: vec=0x42 fixed physical dest=0x1 level active-high remote-irr');
    c.apic.eoi(0x42);
    b.apic.eoi(0x42);
    expect(c.got).toEqual([[1, 0x42]]);
    expect(b.got.slice(1)).toEqual(c.got);
    expect(c.apic.saveState()).toEqual(b.apic.saveState());
    expect(() => c.apic.loadState({ ...saved, v: 2 })).toThrow(/version/);
    expect(() => board(8).apic.loadState(saved)).toThrow(/pins/);
  });
});
