/**
 * The PIIX3 PIRQ router (emulator/machine/board/piix-bridge.ts) at the boundaries the board's mutation run
 * (docs/testing.md) showed no test pinned, after the Intel 82371SB (PIIX3) datasheet, PCI-to-ISA bridge
 * configuration registers "PIRQRC[A:D] — PIRQx Route Control" (function 0, offsets 60h–63h, one byte per PIRQ,
 * default 80h):
 * - bit 7 IRQROUTEN = 1 disables the route whatever bits 3:0 say; bits 6:4 are reserved and read 0;
 * - bits 3:0 name the ISA IRQ; 0, 1, 2, 8 and 13 are reserved encodings and route nothing (traced);
 * - each byte is its own register: byte, word and dword accesses read and write exactly their PIRQs, and an
 *   access running past 63h stops at PIRQD;
 * - a disabled PIRQ drives no ISA IRQ at all; reprogramming or RST# moves or releases an asserted PIRQ at once,
 *   and restoring a snapshot with the same routes leaves the ISA lines untouched (no spurious edge);
 * - every other register of function 0 is the standard header: Command is writable, and the bridge has no BARs.
 */
import { Simulation, componentContext, type TraceRecord } from '../../emulator/machine/sim';
import { WiredOr } from '../../emulator/machine/bus/wire';
import { Piix3 } from '../../emulator/machine/board/piix-bridge';
import { PciConfigSpace } from '../../emulator/machine/board/pci-config';

function bridge() {
  const sim = new Simulation(1);
  const trace: TraceRecord[] = [];
  sim.tracer.addSink((r) => trace.push(r));
  /** ISA IRQ wired-ORs created on demand, and every change of their outputs as "irq=level". */
  const isa = new Map<number, WiredOr>();
  const changes: string[] = [];
  const requested: number[] = [];
  const apicPins: [number, boolean][] = [];
  const piix = new Piix3(
    componentContext(sim, 'n0', 'n0.piix3'),
    (irq) => {
      requested.push(irq);
      let w = isa.get(irq);
      if (!w) {
        w = new WiredOr(`irq${irq}`);
        w.out.onChange((level) => changes.push(`${irq}=${level ? 1 : 0}`));
        isa.set(irq, w);
      }
      return w.input();
    },
    (pin, level) => apicPins.push([pin, level]),
  );
  const cs = new PciConfigSpace(piix, '00:01.0');
  const pirqTrace = () => trace.filter((r) => r.layer === 'pci').map((r) => [r.probe, r.f]);
  const level = (irq: number) => isa.get(irq)?.out.level ?? false;
  return { piix, cs, changes, requested, apicPins, pirqTrace, level };
}

describe('PIRQRC registers (60h–63h)', () => {
  test('reset: all four routes disabled (80h), readable as bytes, words and a dword', () => {
    const { cs, piix } = bridge();
    expect(cs.read(0x60, 4)).toBe(0x80808080);
    expect([0x60, 0x61, 0x62, 0x63].map((o) => cs.read(o, 1))).toEqual([0x80, 0x80, 0x80, 0x80]);
    expect(cs.read(0x62, 2)).toBe(0x8080);
    expect([0, 1, 2, 3].map((x) => piix.routedIrq(x))).toEqual([-1, -1, -1, -1]);
    expect(piix.saveState()).toEqual({ v: 1, pirqrc: [0x80, 0x80, 0x80, 0x80] });
  });

  test('a dword write programs PIRQA–D from its four bytes; reserved bits 6:4 read 0', () => {
    const { cs, piix } = bridge();
    cs.write(0x60, 4, 0x7b0a0905);
    expect(cs.read(0x60, 4)).toBe(0x0b0a0905);
    expect([0x60, 0x61, 0x62, 0x63].map((o) => cs.read(o, 1))).toEqual([0x05, 0x09, 0x0a, 0x0b]);
    expect(cs.read(0x61, 2)).toBe(0x0a09);
    expect([0, 1, 2, 3].map((x) => piix.routedIrq(x))).toEqual([5, 9, 10, 11]);
    expect(piix.saveState().pirqrc).toEqual([0x05, 0x09, 0x0a, 0x0b]);
  });

  test('a byte write changes only its own PIRQ; an access past 63h stops at PIRQD', () => {
    const { cs, piix } = bridge();
    cs.write(0x61, 1, 0x0b);
    expect(cs.read(0x60, 4)).toBe(0x80800b80);
    cs.write(0x62, 4, 0xffff0a05);
    expect(cs.read(0x60, 4)).toBe(0x0a050b80);
    expect(piix.saveState().pirqrc).toEqual([0x80, 0x0b, 0x05, 0x0a]);
    expect(cs.read(0x64, 4)).toBe(0);
  });

  test('IRQROUTEN (bit 7) disables the route even with a valid IRQ in bits 3:0', () => {
    const b = bridge();
    b.cs.write(0x60, 1, 0x8b);
    expect(b.piix.routedIrq(0)).toBe(-1);
    b.piix.pirq[0]!.input().set(true);
    expect(b.requested).toEqual([]);
    expect(b.changes).toEqual([]);
  });

  test('reserved IRQs 0, 1, 2, 8, 13 route nothing and are traced; a disabled one is not reported', () => {
    const b = bridge();
    for (const irq of [0, 1, 2, 8, 13]) {
      b.cs.write(0x60, 1, irq);
      expect(b.piix.routedIrq(0)).toBe(-1);
    }
    b.cs.write(0x60, 1, 0x82);
    b.cs.write(0x61, 1, 0x0b);
    expect(b.pirqTrace()).toEqual([
      ...[0, 1, 2, 8, 13].flatMap((irq) => [
        ['pirq-reserved-irq', { pirq: 'A', irq }],
        ['pirq-route', { pirq: 'A', irq: -1 }],
      ]),
      ['pirq-route', { pirq: 'A', irq: -1 }],
      ['pirq-route', { pirq: 'B', irq: 11 }],
    ]);
    expect(b.requested).toEqual([11]);
  });

  test('writing the value a register already holds changes and traces nothing', () => {
    const b = bridge();
    b.cs.write(0x63, 1, 0x09);
    b.cs.write(0x63, 1, 0x09);
    b.cs.write(0x63, 1, 0x79); // same after the reserved bits are dropped
    expect(b.pirqTrace()).toEqual([['pirq-route', { pirq: 'D', irq: 9 }]]);
  });
});

describe('PIRQ lines and their ISA IRQs', () => {
  test('a disabled PIRQ drives no ISA IRQ: no input is even requested; the I/O APIC pin still follows it', () => {
    const b = bridge();
    for (const x of [0, 1, 2, 3]) {
      const dev = b.piix.pirq[x]!.input();
      dev.set(true);
      dev.set(false);
    }
    expect(b.requested).toEqual([]);
    expect(b.apicPins).toEqual([16, 17, 18, 19].flatMap((pin) => [[pin, true], [pin, false]]));
  });

  test('reprogramming moves an asserted PIRQ at once; RST# releases it', () => {
    const b = bridge();
    b.cs.write(0x60, 1, 0x0b);
    b.piix.pirq[0]!.input().set(true);
    b.cs.write(0x60, 1, 0x05);
    expect(b.changes).toEqual(['11=1', '11=0', '5=1']);
    b.piix.reset();
    expect(b.changes).toEqual(['11=1', '11=0', '5=1', '5=0']);
    expect(b.cs.read(0x60, 4)).toBe(0x80808080);
    expect(b.apicPins).toEqual([[16, true]]); // the I/O APIC side is not routed: unaffected
  });

  test('restoring the routes already in place leaves the asserted ISA line untouched; other routes move it', () => {
    const b = bridge();
    b.cs.write(0x60, 4, 0x80808009);
    b.piix.pirq[0]!.input().set(true);
    const saved = b.piix.saveState();
    b.piix.loadState(saved);
    expect(b.changes).toEqual(['9=1']);
    b.piix.loadState({ v: 1, pirqrc: [0x0a, 0x80, 0x80, 0x80] });
    expect(b.changes).toEqual(['9=1', '9=0', '10=1']);
    expect(b.level(10)).toBe(true);
  });
});

describe('PIIX3 snapshots', () => {
  test('a snapshot of another version is refused naming the component', () => {
    const { piix } = bridge();
    expect(() => piix.loadState({ v: 2 as 1, pirqrc: [0, 0, 0, 0] })).toThrow(/^n0\.piix3 \(PIIX3\): /);
  });
});

describe('PIIX3 function 0 header outside 60h–63h', () => {
  test('Command is writable, IDs and class read back, and there are no BARs', () => {
    const { cs } = bridge();
    expect(cs.read(0x00, 4)).toBe(0x7000_8086);
    expect(cs.read(0x08, 4) >>> 8).toBe(0x060100);
    cs.write(0x04, 2, 0x0007);
    expect(cs.command).toBe(0x0007);
    for (let off = 0x10; off < 0x28; off += 4) {
      cs.write(off, 4, 0xffffffff);
      expect(cs.read(off, 4)).toBe(0);
    }
  });
});
