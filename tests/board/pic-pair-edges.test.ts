/**
 * The PC/AT 8259A pair (emulator/machine/board/pic8259.ts) at the boundaries the board's mutation run
 * (docs/testing.md) showed no test pinned, after the Intel 8259A datasheet (order no. 231468) "Cascade Mode" and
 * the PIIX ELCR registers (ports 4D0h/4D1h):
 * - ISA IRQs 0–15 except the cascade (2) can be driven: IRQ 8 is the slave's IR0 (vector slave base + 0, not
 *   spurious), IRQ 15 its IR7; anything else is traced as bad input;
 * - only a rising input is a "raise" in the trace;
 * - in single mode (ICW1 SNGL) the master has no slave: its IR2 answers with the master's own vector;
 * - a cascade address no slave answers leaves the bus floating and says which address and which slave ID;
 * - ELCR bits the PIIX fixes at edge (IRQ 0, 1, 2, 8, 13) are dropped, and a verbose trace says which were
 *   kept; ELCR accesses are traced when verbose; accesses past a two-port window are traced.
 */
import { Simulation, componentContext, type TraceRecord } from '../../emulator/machine/sim';
import { Pic8259Pair } from '../../emulator/machine/board/pic8259';

function pair(verbose = false) {
  const sim = new Simulation(7);
  sim.tracer.verbose = verbose;
  const pic = new Pic8259Pair(componentContext(sim, 'alpha', 'alpha.pic'));
  const trace: TraceRecord[] = [];
  sim.tracer.addSink((r) => trace.push(r));
  /** ICW1 (cascade unless `single`), ICW2 0x20/0x28, ICW3 master 0x04 / slave `slaveId`, ICW4 8086, masks 0. */
  const init = (opts: { single?: boolean; slaveId?: number } = {}) => {
    pic.master.write(0, 1, opts.single === true ? 0x13 : 0x11);
    pic.master.write(1, 1, 0x20);
    if (opts.single !== true) pic.master.write(1, 1, 0x04);
    pic.master.write(1, 1, 0x01);
    pic.slave.write(0, 1, 0x11);
    pic.slave.write(1, 1, 0x28);
    pic.slave.write(1, 1, opts.slaveId ?? 0x02);
    pic.slave.write(1, 1, 0x01);
    pic.master.write(1, 1, 0x00);
    pic.slave.write(1, 1, 0x00);
  };
  const irq = (probe: string) => trace.filter((r) => r.layer === 'irq' && r.probe === probe).map((r) => r.f);
  return { pic, trace, init, irq };
}

describe('8259A pair: ISA IRQ inputs', () => {
  test('IRQ 8 is the slave IR0: vector 0x28, not spurious', () => {
    const p = pair();
    p.init();
    p.pic.setIrq(8, true);
    expect(p.pic.intr.level).toBe(true);
    expect(p.pic.acknowledge()).toBe(0x28);
    expect(p.irq('ack')).toEqual([{ irq: 8, vector: 0x28 }]);
    expect(p.irq('raise')).toEqual([{ irq: 8, vector: 0x28 }]);
  });

  test('IRQ 15 is the slave IR7', () => {
    const p = pair();
    p.init();
    p.pic.setIrq(15, true);
    expect(p.pic.acknowledge()).toBe(0x2f);
    expect(p.irq('ack')).toEqual([{ irq: 15, vector: 0x2f }]);
  });

  test('IRQ numbers outside 0–15, fractional ones and the cascade input are bad input', () => {
    const p = pair();
    p.init();
    for (const n of [-1, 16, 2, 3.5]) p.pic.setIrq(n, true);
    expect(p.irq('bad-input')).toEqual([-1, 16, 2, 3.5].map((n) => ({ irq: n, level: true })));
    expect(p.pic.intr.level).toBe(false);
  });

  test('only a rising input is traced as a raise', () => {
    const p = pair();
    p.init();
    p.pic.setIrq(5, true);
    p.pic.setIrq(5, true);
    p.pic.setIrq(5, false);
    expect(p.irq('raise')).toEqual([{ irq: 5, vector: 0x25 }]);
  });
});

describe('8259A pair: cascade', () => {
  test('single mode: the master IR2 is an ordinary input with the master vector', () => {
    const p = pair();
    p.init({ single: true });
    p.pic.setIrq(9, true); // the slave's INT drives master IR2
    expect(p.pic.acknowledge()).toBe(0x22);
    expect(p.irq('ack')).toEqual([{ irq: 2, vector: 0x22 }]);
  });

  test('a cascade address no slave answers: 0xFF, traced with the address and the slave ID', () => {
    const p = pair();
    p.init({ slaveId: 0x03 });
    p.pic.setIrq(11, true);
    expect(p.pic.acknowledge()).toBe(0xff);
    expect(p.irq('no-slave')).toEqual([{ cascade: 2, slaveId: 3 }]);
  });
});

describe('8259A pair: ELCR and windows', () => {
  test('fixed-edge IRQs are dropped from the ELCR; verbose: the write says what was kept', () => {
    const p = pair(true);
    p.pic.elcr.write(0, 1, 0xff);
    p.pic.elcr.write(1, 1, 0x20);
    expect(p.pic.elcr.read(0, 1)).toBe(0xf8);
    expect(p.pic.elcr.read(1, 1)).toBe(0x00);
    expect(p.irq('reserved-bits')).toEqual([
      { reg: 'ELCR1', value: 0xff, kept: 0xf8 },
      { reg: 'ELCR2', value: 0x20, kept: 0x00 },
    ]);
    expect(p.irq('reg-write')).toEqual([{ reg: 'ELCR1', value: 0xff }, { reg: 'ELCR2', value: 0x20 }]);
    expect(p.irq('reg-read')).toEqual([{ reg: 'ELCR1', value: 0xf8 }, { reg: 'ELCR2', value: 0x00 }]);
  });

  test('not verbose: ELCR accesses and dropped bits leave no records', () => {
    const p = pair();
    p.pic.elcr.write(0, 1, 0xff);
    p.pic.elcr.read(0, 1);
    expect(p.trace).toEqual([]);
  });

  test('a write of only writable ELCR bits is not reported', () => {
    const p = pair(true);
    p.pic.elcr.write(1, 1, 0xde);
    expect(p.irq('reserved-bits')).toEqual([]);
    expect(p.pic.elcr.read(1, 1)).toBe(0xde);
  });

  test('an access past a two-port window is open bus and traced with the window', () => {
    const p = pair();
    expect(p.pic.master.read(2, 1)).toBe(0xff);
    expect(p.pic.slave.read(2, 1)).toBe(0xff);
    p.pic.elcr.write(2, 1, 0);
    expect(p.irq('bad-access')).toEqual([
      { window: 'master', dir: 'read', offset: 2 },
      { window: 'slave', dir: 'read', offset: 2 },
      { window: 'elcr', dir: 'write', offset: 2 },
    ]);
  });
});
