import { Simulation, componentContext, Rng, type TraceRecord } from '../../emulator/machine/sim';
import type { AccessSize } from '../../emulator/machine/bus';
import { Pic8259Pair } from '../../emulator/machine/board/pic8259';

/** A PC/AT seen through port I/O, the way an OS drives it. */
function board() {
  const sim = new Simulation(7);
  const pic = new Pic8259Pair(componentContext(sim, 'alpha', 'alpha.pic'));
  const trace: TraceRecord[] = [];
  sim.tracer.addSink((r) => trace.push(r));
  const route = (port: number) => {
    if (port >= 0x20 && port <= 0x21) return { h: pic.master, off: port - 0x20 };
    if (port >= 0xa0 && port <= 0xa1) return { h: pic.slave, off: port - 0xa0 };
    if (port >= 0x4d0 && port <= 0x4d1) return { h: pic.elcr, off: port - 0x4d0 };
    throw new Error(`test routes no port ${port.toString(16)}`);
  };
  const out = (port: number, v: number, size: AccessSize = 1) => {
    const r = route(port);
    r.h.write(r.off, size, v);
  };
  const inb = (port: number, size: AccessSize = 1) => {
    const r = route(port);
    return r.h.read(r.off, size);
  };
  /** The PC/AT sequence: ICW1 0x11, ICW2 0x20/0x28, ICW3 0x04/0x02, ICW4 0x01, then OCW1. */
  const init = (masterIcw4 = 0x01, slaveIcw4 = 0x01) => {
    out(0x20, 0x11);
    out(0x21, 0x20);
    out(0x21, 0x04);
    out(0x21, masterIcw4);
    out(0xa0, 0x11);
    out(0xa1, 0x28);
    out(0xa1, 0x02);
    out(0xa1, slaveIcw4);
    out(0x21, 0x00);
    out(0xa1, 0x00);
  };
  const readIsr = (port: number) => {
    out(port, 0x0b);
    const v = inb(port);
    out(port, 0x0a);
    return v;
  };
  const readIrr = (port: number) => {
    out(port, 0x0a);
    return inb(port);
  };
  const eoi = (port: number) => out(port, 0x20);
  return { sim, pic, trace, out, inb, init, readIsr, readIrr, eoi };
}

describe('8259A pair: initialization and basic delivery', () => {
  test('PC/AT init sequence programs vectors and masks; IMR reads back', () => {
    const b = board();
    b.init();
    b.out(0x21, 0xb8);
    b.out(0xa1, 0xfe);
    expect(b.inb(0x21)).toBe(0xb8);
    expect(b.inb(0xa1)).toBe(0xfe);
    expect(b.pic.intr.level).toBe(false);
    expect(b.readIrr(0x20)).toBe(0);
    expect(b.readIsr(0x20)).toBe(0);
  });

  test('power-on state masks everything until ICW1 clears the IMR', () => {
    const b = board();
    expect(b.inb(0x21)).toBe(0xff);
    b.pic.setIrq(1, true);
    expect(b.pic.intr.level).toBe(false);
  });

  test('edge IRQ on the master: INTR, INTA vector, ISR, non-specific EOI, no re-assert while held', () => {
    const b = board();
    b.init();
    const levels: boolean[] = [];
    b.pic.intr.onChange((l) => levels.push(l));
    b.pic.setIrq(1, true);
    expect(b.pic.intr.level).toBe(true);
    expect(b.readIrr(0x20)).toBe(0x02);
    expect(b.pic.acknowledge()).toBe(0x21);
    expect(b.pic.intr.level).toBe(false);
    expect(b.readIsr(0x20)).toBe(0x02);
    expect(b.readIrr(0x20)).toBe(0x00); // edge request consumed by INTA
    b.eoi(0x20);
    expect(b.readIsr(0x20)).toBe(0);
    expect(b.pic.intr.level).toBe(false); // still high, but edge: needs a new rising edge
    b.pic.setIrq(1, false);
    b.pic.setIrq(1, true);
    expect(b.pic.acknowledge()).toBe(0x21);
    expect(levels).toEqual([true, false, true, false]);
    const probes = b.trace.filter((r) => r.layer === 'irq').map((r) => [r.probe, r.f]);
    expect(probes).toEqual([
      ['raise', { irq: 1, vector: 0x21 }],
      ['ack', { irq: 1, vector: 0x21 }],
      ['raise', { irq: 1, vector: 0x21 }],
      ['ack', { irq: 1, vector: 0x21 }],
    ]);
    expect(b.trace.every((r) => r.node === 'alpha' && r.pkt === 0)).toBe(true);
  });

  test('slave IRQ through the cascade; EOI slave then master', () => {
    const b = board();
    b.init();
    b.pic.setIrq(10, true);
    expect(b.pic.intr.level).toBe(true);
    expect(b.readIrr(0xa0)).toBe(0x04);
    expect(b.pic.acknowledge()).toBe(0x2a);
    expect(b.readIsr(0x20)).toBe(0x04);
    expect(b.readIsr(0xa0)).toBe(0x04);
    b.eoi(0xa0);
    b.eoi(0x20);
    expect(b.readIsr(0x20)).toBe(0);
    expect(b.readIsr(0xa0)).toBe(0);
    expect(b.trace.find((r) => r.probe === 'ack')?.f).toEqual({ irq: 10, vector: 0x2a });
  });

  test('specific EOI clears the named ISR bit only', () => {
    const b = board();
    b.init();
    b.pic.setIrq(4, true);
    expect(b.pic.acknowledge()).toBe(0x24);
    b.pic.setIrq(0, true); // higher priority nests
    expect(b.pic.intr.level).toBe(true);
    expect(b.pic.acknowledge()).toBe(0x20);
    expect(b.readIsr(0x20)).toBe(0x11);
    b.out(0x20, 0x60 | 4); // specific EOI for IR4
    expect(b.readIsr(0x20)).toBe(0x01);
    b.out(0x20, 0x60 | 0);
    expect(b.readIsr(0x20)).toBe(0);
  });

  test('an external source on input 2 is ignored and traced', () => {
    const b = board();
    b.init();
    b.pic.setIrq(2, true);
    b.pic.setIrq(16, true);
    expect(b.pic.intr.level).toBe(false);
    expect(b.trace.filter((r) => r.probe === 'bad-input').map((r) => r.f?.irq)).toEqual([2, 16]);
  });
});

describe('8259A pair: triggering, masking, priority', () => {
  test('level triggered via ELCR re-asserts after EOI while the line stays high', () => {
    const b = board();
    b.init();
    b.out(0x4d1, 0x08); // IRQ11 level
    b.pic.setIrq(11, true);
    expect(b.pic.acknowledge()).toBe(0x2b);
    expect(b.pic.intr.level).toBe(false);
    expect(b.readIrr(0xa0)).toBe(0x08); // level request stays in IRR
    b.eoi(0xa0);
    b.eoi(0x20);
    expect(b.pic.intr.level).toBe(true);
    expect(b.pic.acknowledge()).toBe(0x2b);
    b.pic.setIrq(11, false); // driver cleared the cause
    b.eoi(0xa0);
    b.eoi(0x20);
    expect(b.pic.intr.level).toBe(false);
    expect(b.readIrr(0xa0)).toBe(0);
  });

  test('ICW1 LTIM makes every input level triggered', () => {
    const b = board();
    b.out(0x20, 0x19); // ICW1 with LTIM
    b.out(0x21, 0x20);
    b.out(0x21, 0x04);
    b.out(0x21, 0x01);
    b.pic.setIrq(5, true);
    expect(b.pic.acknowledge()).toBe(0x25);
    b.eoi(0x20);
    expect(b.pic.intr.level).toBe(true);
  });

  test('ELCR: reserved bits stay zero; 16-bit access covers both registers', () => {
    const b = board();
    b.out(0x4d0, 0xff);
    b.out(0x4d1, 0xff);
    expect(b.inb(0x4d0)).toBe(0xf8);
    expect(b.inb(0x4d1)).toBe(0xde);
    b.out(0x4d0, 0x0c20, 2);
    expect(b.inb(0x4d0, 2)).toBe(0x0c20);
    expect(b.pic.describe()).toContain('ELCR=0x20[5]');
  });

  test('masking: a masked request waits in IRR and fires on unmask', () => {
    const b = board();
    b.init();
    b.out(0x21, 0x08);
    b.pic.setIrq(3, true);
    expect(b.pic.intr.level).toBe(false);
    expect(b.readIrr(0x20)).toBe(0x08);
    b.out(0x21, 0x00);
    expect(b.pic.intr.level).toBe(true);
    expect(b.pic.acknowledge()).toBe(0x23);
    // Masking the cascade input hides the whole slave.
    b.eoi(0x20);
    b.out(0x21, 0x04);
    b.pic.setIrq(9, true);
    expect(b.pic.intr.level).toBe(false);
    b.out(0x21, 0x00);
    expect(b.pic.acknowledge()).toBe(0x29);
  });

  test('priority between simultaneous IRQs; slave levels rank between IRQ1 and IRQ3', () => {
    const b = board();
    b.init();
    b.pic.setIrq(3, true);
    b.pic.setIrq(1, true);
    b.pic.setIrq(10, true);
    expect(b.pic.acknowledge()).toBe(0x21);
    expect(b.pic.intr.level).toBe(false); // the rest rank below IRQ1 in service
    b.eoi(0x20);
    expect(b.pic.acknowledge()).toBe(0x2a);
    expect(b.pic.intr.level).toBe(false);
    b.eoi(0xa0);
    b.eoi(0x20);
    expect(b.pic.acknowledge()).toBe(0x23);
  });

  test('rotation: set priority, rotate on non-specific EOI, rotate on specific EOI', () => {
    const b = board();
    b.init();
    b.out(0x20, 0xc0 | 3); // set priority: IR3 lowest, IR4 highest
    b.pic.setIrq(1, true);
    b.pic.setIrq(5, true);
    expect(b.pic.acknowledge()).toBe(0x25);
    b.out(0x20, 0xa0); // rotate on non-specific EOI: IR5 becomes lowest, IR6 highest
    expect(b.pic.acknowledge()).toBe(0x21);
    b.out(0x20, 0xe0 | 1); // rotate on specific EOI: IR1 lowest, IR2 highest
    b.pic.setIrq(1, false);
    b.pic.setIrq(0, true);
    b.pic.setIrq(1, true);
    b.pic.setIrq(7, true);
    expect(b.pic.acknowledge()).toBe(0x27);
    b.eoi(0x20);
    expect(b.pic.acknowledge()).toBe(0x20);
    b.eoi(0x20);
    expect(b.pic.acknowledge()).toBe(0x21);
  });

  test('special mask mode lets lower levels interrupt a masked level in service', () => {
    const b = board();
    b.init();
    b.pic.setIrq(1, true);
    expect(b.pic.acknowledge()).toBe(0x21);
    b.pic.setIrq(5, true);
    expect(b.pic.intr.level).toBe(false);
    b.out(0x21, 0x02); // mask IR1
    b.out(0x20, 0x68); // OCW3: ESMM | SMM
    expect(b.pic.intr.level).toBe(true);
    expect(b.pic.acknowledge()).toBe(0x25);
    b.out(0x20, 0x48); // OCW3: ESMM, SMM = 0
    expect(b.readIsr(0x20)).toBe(0x22);
  });
});

describe('8259A pair: spurious, poll, AEOI, status reads', () => {
  test('spurious IRQ7: the request goes away before INTA', () => {
    const b = board();
    b.init();
    b.pic.setIrq(4, true);
    expect(b.pic.intr.level).toBe(true);
    b.pic.setIrq(4, false);
    expect(b.pic.acknowledge()).toBe(0x27);
    expect(b.readIsr(0x20)).toBe(0);
    expect(b.trace.find((r) => r.probe === 'ack')?.f).toEqual({ irq: 7, vector: 0x27, spurious: true });
    // Same for a level line (ELCR) and a real IRQ7 is not spurious.
    b.out(0x4d0, 0x20);
    b.pic.setIrq(5, true);
    b.pic.setIrq(5, false);
    expect(b.pic.acknowledge()).toBe(0x27);
    b.pic.setIrq(7, true);
    expect(b.pic.acknowledge()).toBe(0x27);
    expect(b.readIsr(0x20)).toBe(0x80);
  });

  test('spurious IRQ15: slave answers base+7, master still sets ISR bit 2; EOI the master only', () => {
    const b = board();
    b.init();
    b.pic.setIrq(12, true);
    b.pic.setIrq(12, false);
    expect(b.pic.intr.level).toBe(true);
    expect(b.pic.acknowledge()).toBe(0x2f);
    expect(b.readIsr(0x20)).toBe(0x04);
    expect(b.readIsr(0xa0)).toBe(0);
    b.eoi(0x20);
    expect(b.readIsr(0x20)).toBe(0);
    expect(b.pic.intr.level).toBe(false);
    expect(b.trace.filter((r) => r.probe === 'ack').map((r) => r.f)).toEqual([{ irq: 15, vector: 0x2f, spurious: true }]);
  });

  test('poll mode: the next read returns 0x80|level and acknowledges', () => {
    const b = board();
    b.init();
    b.out(0x21, 0xff); // OS polling with the CPU input unused
    b.out(0x20, 0x0c); // OCW3 poll
    expect(b.inb(0x20)).toBe(0x00); // nothing pending: I = 0
    b.out(0x21, 0x00);
    b.pic.setIrq(5, true);
    b.pic.setIrq(6, true);
    b.out(0x20, 0x0c);
    expect(b.inb(0x21)).toBe(0x85); // either port answers the poll
    expect(b.readIsr(0x20)).toBe(0x20);
    expect(b.inb(0x20)).toBe(0x40); // back to IRR reads: IR6 still requesting
    b.eoi(0x20);
    b.out(0x20, 0x0e); // P and RR together: poll takes precedence
    expect(b.inb(0x20)).toBe(0x86);
    expect(b.trace.filter((r) => r.probe === 'poll').map((r) => r.f?.irq)).toEqual([-1, 5, 6]);
  });

  test('AEOI: no ISR bit, no EOI needed; rotate in AEOI mode', () => {
    const b = board();
    b.init(0x03);
    b.pic.setIrq(1, true);
    expect(b.pic.acknowledge()).toBe(0x21);
    expect(b.readIsr(0x20)).toBe(0);
    b.pic.setIrq(3, true);
    expect(b.pic.acknowledge()).toBe(0x23);
    b.out(0x20, 0x80); // rotate in AEOI mode (set)
    b.pic.setIrq(0, true);
    expect(b.pic.acknowledge()).toBe(0x20); // IR0 now lowest
    b.pic.setIrq(0, false);
    b.pic.setIrq(0, true);
    b.pic.setIrq(4, true);
    expect(b.pic.acknowledge()).toBe(0x24);
    expect(b.pic.acknowledge()).toBe(0x20);
  });

  test('OCW3 selects IRR or ISR for reads at A0=0 and the choice sticks', () => {
    const b = board();
    b.init();
    b.pic.setIrq(3, true);
    b.pic.setIrq(6, true);
    b.pic.acknowledge();
    b.out(0x20, 0x0b);
    expect(b.inb(0x20)).toBe(0x08);
    expect(b.inb(0x20)).toBe(0x08);
    b.out(0x20, 0x08); // RR = 0: no change
    expect(b.inb(0x20)).toBe(0x08);
    b.out(0x20, 0x0a);
    expect(b.inb(0x20)).toBe(0x40);
  });

  test('a cascade address no slave answers leaves the bus floating', () => {
    const b = board();
    b.init();
    b.out(0xa0, 0x11);
    b.out(0xa1, 0x28);
    b.out(0xa1, 0x05); // wrong slave ID
    b.out(0xa1, 0x01);
    b.pic.setIrq(9, true);
    expect(b.pic.acknowledge()).toBe(0xff);
    expect(b.trace.some((r) => r.probe === 'no-slave')).toBe(true);
  });

  test('register writes are traced only when verbose', () => {
    const b = board();
    b.init();
    expect(b.trace.some((r) => r.probe === 'reg-write')).toBe(false);
    b.sim.tracer.verbose = true;
    b.init();
    const regs = b.trace.filter((r) => r.probe === 'reg-write' && r.f?.chip === 'master').map((r) => r.f?.reg);
    expect(regs).toEqual(['ICW1', 'ICW2', 'ICW3', 'ICW4', 'OCW1']);
  });
});

describe('8259A pair: robustness and snapshots', () => {
  test('never throws on arbitrary guest bytes; stays consistent', () => {
    const b = board();
    const rng = new Rng(99, 'fuzz');
    const ports = [0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1];
    const sizes: AccessSize[] = [1, 2, 4];
    expect(() => {
      for (let i = 0; i < 20000; i++) {
        const port = ports[rng.below(ports.length)]!;
        const size = sizes[rng.below(3)]!;
        switch (rng.below(4)) {
          case 0:
            b.out(port, rng.u32() >>> 0, size);
            break;
          case 1:
            b.inb(port, size);
            break;
          case 2:
            b.pic.setIrq(rng.below(18) - 1, rng.chance(0.5));
            break;
          default: {
            const v = b.pic.acknowledge();
            if (!(v >= 0 && v <= 0xff)) throw new Error(`vector ${v}`);
          }
        }
      }
    }).not.toThrow();
  });

  test('save → load into a fresh pair → save is deep-equal, and behaviour continues', () => {
    const b = board();
    b.init();
    b.out(0x4d1, 0x08);
    b.out(0x20, 0xc0 | 1); // IR2 (the cascade) highest
    b.pic.setIrq(11, true);
    b.pic.setIrq(4, true);
    b.pic.setIrq(6, true);
    const first = b.pic.acknowledge();
    b.out(0x20, 0x0c); // leave a poll pending
    const saved = JSON.parse(JSON.stringify(b.pic.saveState()));

    const c = board();
    c.pic.loadState(saved);
    expect(c.pic.saveState()).toEqual(saved);
    expect(c.pic.intr.level).toBe(b.pic.intr.level);
    expect(c.pic.describe()).toBe(b.pic.describe());
    expect(c.inb(0x20)).toBe(b.inb(0x20));
    expect(c.pic.acknowledge()).toBe(b.pic.acknowledge());
    expect(c.pic.saveState()).toEqual(b.pic.saveState());
    expect(first).toBe(0x2b);
    expect(() => c.pic.loadState({ ...saved, v: 99 })).toThrow(/version/);
  });

  test('describe() shows IRR/ISR/IMR/ELCR of both chips and INTR', () => {
    const b = board();
    b.init();
    b.pic.setIrq(10, true);
    const text = b.pic.describe();
    expect(text).toContain('master: IRR=0x04[2]');
    expect(text).toContain('slave: IRR=0x04[10]');
    expect(text).toContain('IMR=0x00[]');
    expect(text).toContain('INTR=1');
  });
});
