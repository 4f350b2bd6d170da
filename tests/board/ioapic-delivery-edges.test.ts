/**
 * I/O APIC delivery rules at the edges the board's mutation run (docs/testing.md) showed no test pinned, after
 * the Intel 82093AA datasheet (order no. 290566), "I/O Redirection Table Registers":
 * - Remote IRR is a level-trigger bit: an edge delivery leaves it clear, so an entry fired as edge and then
 *   reprogrammed as level delivers at once while its line is asserted;
 * - a message queued while another is being delivered is sent only if the entry still calls for it when its
 *   turn comes: masked in the meantime, or its level line dropped, it is not sent;
 * - an EOI clears Remote IRR of level entries with that vector; an entry that never got Remote IRR (its message
 *   had no destination) is not retried by the EOI;
 * - bad pins are traced with what was asked; an interrupt storm is cut with a record of what was dropped and
 *   leaves nothing behind in the queue;
 * - delivery modes other than fixed and lowest priority are traced by name, not delivered (model limit).
 */
import { REDIR } from '../../emulator/machine/board/ioapic';
import { ioapicBench } from './ioapic-fixture';

describe('I/O APIC Remote IRR is for level entries only', () => {
  test('an edge delivery leaves Remote IRR clear; reprogrammed as level, the asserted pin delivers', () => {
    const b = ioapicBench();
    b.route(6, 0x46, 1);
    b.apic.setIrq(6, true);
    expect(b.got).toEqual([[1, 0x46]]);
    expect(b.read(0x10 + 12)).toBe(0x46);
    b.route(6, REDIR.TRIGGER_LEVEL | 0x46, 1); // line still high
    expect(b.got).toEqual([[1, 0x46], [1, 0x46]]);
    expect(b.read(0x10 + 12)).toBe(REDIR.TRIGGER_LEVEL | REDIR.REMOTE_IRR | 0x46);
  });

  test('an EOI does not retry a level entry that never reached Remote IRR (logical destination 0)', () => {
    const b = ioapicBench();
    b.route(8, REDIR.DESTMOD | REDIR.TRIGGER_LEVEL | 0x48, 0);
    b.apic.setIrq(8, true);
    b.apic.eoi(0x48);
    b.apic.mmio.write(0x40, 4, 0x48);
    expect(b.got).toEqual([]);
    expect(b.irqTrace()).toEqual([
      ['raise', { irq: 8, vector: 0x48 }],
      ['no-destination', { irq: 8, vector: 0x48 }],
    ]);
  });
});

describe('I/O APIC queued deliveries are looked at again when their turn comes', () => {
  test('an edge raised inside a delivery and masked before its turn is not sent', () => {
    const b = ioapicBench();
    b.route(1, 0x41);
    b.route(2, 0x42);
    b.onDeliver((_d, v) => {
      if (v !== 0x41) return;
      b.apic.setIrq(2, true); // queued behind the delivery in progress
      b.route(2, REDIR.MASK | 0x42);
    });
    b.apic.setIrq(1, true);
    expect(b.got).toEqual([[0, 0x41]]);
  });

  test('a level line raised inside a delivery and dropped before its turn is not sent', () => {
    const b = ioapicBench();
    b.route(1, 0x41);
    b.route(3, REDIR.TRIGGER_LEVEL | 0x43);
    b.onDeliver((_d, v) => {
      if (v !== 0x41) return;
      b.apic.setIrq(3, true);
      b.apic.setIrq(3, false);
    });
    b.apic.setIrq(1, true);
    expect(b.got).toEqual([[0, 0x41]]);
    expect(b.read(0x10 + 6) & REDIR.REMOTE_IRR).toBe(0);
  });

  test('a level entry queued twice while asserted is sent once: the first send sets Remote IRR', () => {
    const b = ioapicBench();
    b.route(4, REDIR.TRIGGER_LEVEL | 0x44);
    let first = true;
    b.onDeliver(() => {
      if (!first) return;
      first = false;
      b.apic.eoi(0x44); // clears Remote IRR: queues a redelivery (the line is still high)
      b.route(4, REDIR.TRIGGER_LEVEL | 0x44); // rewriting the entry queues it again
    });
    b.apic.setIrq(4, true);
    expect(b.got).toEqual([[0, 0x44], [0, 0x44]]);
    expect(b.read(0x10 + 8) & REDIR.REMOTE_IRR).toBe(REDIR.REMOTE_IRR);
  });
});

describe('I/O APIC bad input and storms', () => {
  test('a pin outside the table is traced with the pin and level asked for', () => {
    const b = ioapicBench(8);
    b.apic.setIrq(8, true);
    b.apic.setIrq(-1, false);
    expect(b.irqTrace()).toEqual([
      ['bad-input', { dev: 'ioapic', irq: 8, level: true }],
      ['bad-input', { dev: 'ioapic', irq: -1, level: false }],
    ]);
  });

  test('a storm record names the pin and what was dropped; the next delivery after it is clean', () => {
    const b = ioapicBench();
    b.route(1, REDIR.TRIGGER_LEVEL | 0x41);
    let storming = true;
    b.onDeliver((_d, v) => {
      if (storming) b.apic.eoi(v);
    });
    b.apic.setIrq(1, true);
    expect(b.got).toHaveLength(10_000);
    expect(b.trace.filter((r) => r.probe === 'storm').map((r) => [r.layer, r.f])).toEqual([
      ['irq', { dev: 'ioapic', irq: 1, dropped: 1 }],
    ]);
    storming = false;
    b.got.length = 0;
    b.route(2, 0x42, 2);
    b.apic.setIrq(2, true);
    expect(b.got).toEqual([[2, 0x42]]);
  });
});

describe('I/O APIC delivery modes it does not model', () => {
  test('SMI, NMI, INIT, ExtINT and the reserved modes are traced by name with pin and vector', () => {
    const b = ioapicBench();
    for (const mode of [2, 3, 4, 5, 6, 7]) {
      b.route(mode, (mode << 8) | (0x50 + mode));
      b.apic.setIrq(mode, true);
    }
    expect(b.got).toEqual([]);
    expect(b.trace.filter((r) => r.probe === 'unsupported-delivery').map((r) => [r.layer, r.f])).toEqual([
      ['irq', { irq: 2, mode: 'smi', vector: 0x52 }],
      ['irq', { irq: 3, mode: 'rsvd3', vector: 0x53 }],
      ['irq', { irq: 4, mode: 'nmi', vector: 0x54 }],
      ['irq', { irq: 5, mode: 'init', vector: 0x55 }],
      ['irq', { irq: 6, mode: 'rsvd6', vector: 0x56 }],
      ['irq', { irq: 7, mode: 'extint', vector: 0x57 }],
    ]);
  });
});
