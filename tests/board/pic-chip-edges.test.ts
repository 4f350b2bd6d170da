/**
 * One 8259A (emulator/machine/board/pic8259-chip.ts) at the boundaries the board's mutation run (docs/testing.md)
 * showed no test pinned, after the Intel 8259A datasheet (order no. 231468):
 * - "Fully Nested Mode": a level in service blocks equal and lower levels, IR0 included;
 * - "Edge Triggered Mode": a request needs a low-to-high transition; driving an input that is already high
 *   again is no new edge; the ELCR turning some inputs level triggered leaves edge requests on the others;
 * - "OCW2": a non-specific or specific EOI does not rotate; rotate-on-non-specific-EOI with nothing in service
 *   changes nothing; rotate in AEOI mode (clear) stops the rotation; AEOI without rotation keeps fixed priority;
 * - "OCW3": SMM is taken only with ESMM = 1, and ESMM = 1, SMM = 0 resets special mask mode;
 * - "INTA": with no request left the INTA sets no ISR bit (spurious IR7);
 * - ICW4 with uPM = 0 selects MCS-80/85 mode, which an x86 cannot use: traced, vectors stay 8086-style;
 * - "ICW1" step f: the ICW4 functions are zeroed only when IC4 = 0; with IC4 = 1 they stay until ICW4 arrives;
 * - "The Poll Command": the poll is traced with the system IRQ served (IR0 included), -1 when none;
 * - a snapshot taken in the middle of the ICW sequence or with OCW3/OCW2 modes set continues where it was;
 * - describe() and the verbose register trace name every mode and OCW2 command.
 */
import { Simulation, componentContext, type TraceRecord } from '../../emulator/machine/sim';
import { Pic8259 } from '../../emulator/machine/board/pic8259-chip';

function chip(verbose = false) {
  const sim = new Simulation(3);
  sim.tracer.verbose = verbose;
  const trace: TraceRecord[] = [];
  sim.tracer.addSink((r) => trace.push(r));
  const pic = new Pic8259(componentContext(sim, 'alpha', 'alpha.pic'), 'master', 0, 0);
  /** ICW1 edge/single/IC4, ICW2 0x20, ICW4 as given (8086 mode by default), OCW1 0. */
  const init = (icw4 = 0x01) => {
    pic.write(0, 0x13);
    pic.write(1, 0x20);
    pic.write(1, icw4);
    pic.write(1, 0x00);
  };
  const isr = () => {
    pic.write(0, 0x0b);
    const v = pic.read(0);
    pic.write(0, 0x0a);
    return v;
  };
  /** Rising edges on `levels` (from low), one INTA, inputs back low; the level served. */
  const serve = (levels: number[]) => {
    for (const l of levels) pic.setInput(l, true);
    const got = pic.acknowledge();
    for (const l of levels) pic.setInput(l, false);
    return got;
  };
  const irq = () => trace.filter((r) => r.layer === 'irq').map((r) => [r.probe, r.f]);
  return { sim, pic, trace, init, isr, serve, irq };
}

describe('8259A priority and requests', () => {
  test('fully nested: IR0 in service blocks IR1; after its EOI IR1 is served', () => {
    const c = chip();
    c.init();
    expect(c.serve([0])).toBe(0);
    c.pic.setInput(1, true);
    expect(c.pic.intOutput()).toBe(false);
    c.pic.write(0, 0x20);
    expect(c.pic.acknowledge()).toBe(1);
  });

  test('an input driven high again while high is no new edge', () => {
    const c = chip();
    c.init();
    c.pic.setInput(4, true);
    expect(c.pic.acknowledge()).toBe(4);
    c.pic.write(0, 0x20);
    c.pic.setInput(4, true);
    expect(c.pic.intOutput()).toBe(false);
  });

  test('turning inputs level triggered (ELCR) keeps the edge requests of the other inputs', () => {
    const c = chip();
    c.init();
    c.pic.setInput(6, true); // edge request, input held high
    c.pic.setElcr(0x20); // IR5 level triggered, line low
    expect(c.pic.acknowledge()).toBe(6);
  });

  test('an INTA with no request sets no ISR bit (spurious IR7)', () => {
    const c = chip();
    c.init();
    expect(c.pic.acknowledge()).toBe(-1);
    expect(c.isr()).toBe(0);
    expect(c.pic.saveState().isr).toBe(0);
  });
});

describe('8259A OCW2 commands', () => {
  test('non-specific EOI does not rotate: IR0 keeps the highest priority', () => {
    const c = chip();
    c.init();
    expect(c.serve([3])).toBe(3);
    c.pic.write(0, 0x20);
    expect(c.serve([0, 5])).toBe(0);
  });

  test('specific EOI (0x63) clears its level and does not rotate', () => {
    const c = chip();
    c.init();
    expect(c.serve([3])).toBe(3);
    c.pic.write(0, 0x63);
    expect(c.isr()).toBe(0);
    expect(c.serve([0, 5])).toBe(0);
  });

  test('rotate on non-specific EOI with nothing in service leaves the priority set before', () => {
    const c = chip();
    c.init();
    c.pic.write(0, 0xc3); // set priority: IR3 lowest, IR4 highest
    c.pic.write(0, 0xa0); // rotate on non-specific EOI, ISR empty
    expect(c.pic.saveState().lowest).toBe(3);
    expect(c.serve([2, 4])).toBe(4);
  });

  test('AEOI without rotation keeps fixed priority; rotate in AEOI (clear) stops a rotation', () => {
    const c = chip();
    c.init(0x03);
    expect(c.serve([3])).toBe(3);
    expect(c.serve([3, 4])).toBe(3);
    c.pic.write(0, 0x80); // rotate in AEOI (set)
    c.pic.write(0, 0x00); // rotate in AEOI (clear)
    expect(c.pic.saveState().rotateOnAeoi).toBe(false);
    expect(c.serve([3])).toBe(3);
    expect(c.pic.saveState().lowest).toBe(7);
  });
});

describe('8259A OCW3 special mask mode', () => {
  test('SMM counts only with ESMM; ESMM with SMM = 0 resets the mode', () => {
    const c = chip();
    c.init();
    c.pic.write(0, 0x68); // ESMM + SMM: set
    c.pic.write(0, 0x2a); // SMM bit without ESMM (and read IRR): ignored
    expect(c.pic.saveState().specialMask).toBe(true);
    c.pic.write(0, 0x48); // ESMM, SMM = 0: reset
    expect(c.pic.saveState().specialMask).toBe(false);
    expect(c.serve([5])).toBe(5);
    c.pic.setInput(6, true);
    expect(c.pic.intOutput()).toBe(false); // fully nested again: IR6 waits behind IR5
  });
});

describe('8259A ICW4 uPM', () => {
  test('uPM = 0 (MCS-80/85 mode) is traced once the sequence ends; 8086 mode is not', () => {
    const c = chip();
    c.init(0x00);
    c.init(0x01);
    expect(c.trace.filter((r) => r.probe === 'mcs80-mode').map((r) => [r.layer, r.f])).toEqual([
      ['irq', { chip: 'master', icw4: 0 }],
    ]);
  });
});

describe('8259A ICW1 and poll details', () => {
  test('ICW1 with IC4 = 1 leaves the ICW4 functions alone until ICW4 is written', () => {
    const c = chip();
    c.init(0x03); // AEOI
    c.pic.write(0, 0x13); // ICW1 again, IC4 = 1
    expect(c.pic.saveState().icw4).toBe(0x03);
    c.pic.write(1, 0x20);
    c.pic.write(1, 0x01);
    expect(c.pic.saveState().icw4).toBe(0x01);
  });

  test('a poll is traced with the IRQ served: IR0 of the master, -1 on a slave with nothing pending', () => {
    const sim = new Simulation(3);
    const trace: TraceRecord[] = [];
    sim.tracer.addSink((r) => trace.push(r));
    const master = new Pic8259(componentContext(sim, 'alpha', 'alpha.pic'), 'master', 0, 0);
    const slave = new Pic8259(componentContext(sim, 'alpha', 'alpha.pic'), 'slave', 8, 0);
    for (const p of [master, slave]) {
      p.write(0, 0x13);
      p.write(1, 0x20);
      p.write(1, 0x01);
      p.write(1, 0x00);
    }
    master.setInput(0, true);
    master.write(0, 0x0c);
    expect(master.read(0)).toBe(0x80);
    slave.write(0, 0x0c);
    expect(slave.read(1)).toBe(0x00);
    expect(trace.filter((r) => r.probe === 'poll').map((r) => [r.layer, r.f])).toEqual([
      ['irq', { chip: 'master', irq: 0 }],
      ['irq', { chip: 'slave', irq: -1 }],
    ]);
  });
});

describe('8259A snapshots', () => {
  test.each([
    ['after ICW1 (ICW2 next)', [0x11], 2],
    ['after ICW2 in cascade mode (ICW3 next)', [0x11, 0x20], 3],
    ['after ICW3 (ICW4 next)', [0x11, 0x20, 0x04], 4],
  ])('taken %s, restored, the sequence continues', (_what, writes, step) => {
    const c = chip();
    writes.forEach((v, i) => c.pic.write(i === 0 ? 0 : 1, v));
    const saved = c.pic.saveState();
    expect(saved.initStep).toBe(step);
    const d = chip();
    d.pic.loadState(saved);
    expect(d.pic.saveState()).toEqual(saved);
  });

  test('an initStep that is no ICW step restores as initialized', () => {
    const c = chip();
    c.pic.loadState({ ...c.pic.saveState(), initStep: 5 });
    expect(c.pic.saveState().initStep).toBe(0);
  });

  test('read-ISR, special mask and rotate-in-AEOI survive save and restore', () => {
    const c = chip();
    c.init(0x03);
    c.pic.write(0, 0x0b);
    c.pic.write(0, 0x68);
    c.pic.write(0, 0x80);
    const d = chip();
    d.pic.loadState(c.pic.saveState());
    expect(d.pic.saveState()).toMatchObject({ readIsr: true, specialMask: true, rotateOnAeoi: true });
  });
});

describe('8259A describe() and verbose trace', () => {
  test('power-on: ready, IRR read, no modes', () => {
    expect(chip().pic.describe()).toBe(
      'master: IRR=0x00[] ISR=0x00[] IMR=0xff[0,1,2,3,4,5,6,7] ELCR=0x00[] lines=0x00[] ready vec=0x00 icw3=0x00 lowest=7 read=IRR',
    );
  });

  test('every mode is named; mid-sequence shows the next ICW', () => {
    const c = chip();
    c.pic.write(0, 0x1b); // ICW1: LTIM, single, IC4
    c.pic.write(1, 0x08);
    expect(c.pic.describe()).toContain(' init(ICW4 next) vec=0x08 icw3=0x07 lowest=7 ltim read=IRR');
    c.pic.write(1, 0x13); // ICW4: SFNM, AEOI, uPM
    c.pic.write(0, 0xc4); // IR4 lowest
    c.pic.write(0, 0x80);
    c.pic.write(0, 0x6b); // special mask, read ISR
    c.pic.write(0, 0x0c); // poll
    c.pic.setInput(1, true);
    expect(c.pic.describe()).toBe(
      'master: IRR=0x02[1] ISR=0x00[] IMR=0x00[] ELCR=0x00[] lines=0x02[1] ' +
        'ready vec=0x08 icw3=0x07 lowest=4 ltim aeoi rotate-aeoi sfnm smm poll read=ISR',
    );
  });

  test('verbose: reads name IRR, ISR or IMR; OCW2 writes name their command', () => {
    const c = chip(true);
    c.init();
    c.trace.length = 0;
    c.pic.read(0);
    c.pic.read(1);
    c.pic.write(0, 0x0b);
    c.pic.read(0);
    for (let cmd = 0; cmd < 8; cmd++) c.pic.write(0, (cmd << 5) | 1);
    const regs = c.irq().map(([p, f]) => `${p as string} ${JSON.stringify(f)}`);
    expect(regs).toEqual([
      'reg-read {"chip":"master","reg":"IRR","value":0}',
      'reg-read {"chip":"master","reg":"IMR","value":0}',
      'reg-write {"chip":"master","reg":"OCW3","value":11}',
      'reg-read {"chip":"master","reg":"ISR","value":0}',
      ...['rotate-in-aeoi-clear', 'non-specific-eoi', 'nop', 'specific-eoi', 'rotate-in-aeoi-set',
        'rotate-on-non-specific-eoi', 'set-priority', 'rotate-on-specific-eoi'].map(
        (cmd, i) => `reg-write {"chip":"master","reg":"OCW2","value":${(i << 5) | 1},"cmd":"${cmd}"}`,
      ),
    ]);
  });
});
