/**
 * The 8259A's end-of-interrupt commands with TWO levels in service (Intel 8259A datasheet, order no. 231468:
 * "End of Interrupt", "Automatic Rotation", "Specific Rotation", "Special Mask Mode"; QEMU hw/intc/i8259.c
 * pic_ioport_write does the same: OCW2 commands 1 and 5 take get_priority(s, s->isr) relative to
 * priority_add, i.e. over the whole ISR under the current rotation and regardless of the IMR):
 * - a non-specific EOI resets the highest-PRIORITY ISR bit under the current rotation — not the
 *   highest-numbered bit, not the lowest-numbered one, and not the one acknowledged last (in special mask
 *   mode those differ: the datasheet says to use a specific EOI there for that reason);
 * - rotate on non-specific EOI (OCW2 0xA0) makes the level it resets the lowest priority;
 * - rotate on specific EOI (0xE0|L) resets level L, whatever else is in service, and makes L lowest;
 * - set priority (0xC0|L) changes the order and resets nothing.
 * Each test names the one-line mutation of pic8259-chip.ts (Pic8259.writeOcw2) it kills.
 */
import { Simulation, componentContext } from '../../emulator/machine/sim';
import { Pic8259 } from '../../emulator/machine/board/pic8259-chip';

function chip() {
  const sim = new Simulation(3);
  const pic = new Pic8259(componentContext(sim, 'alpha', 'alpha.pic'), 'master', 0, 0);
  pic.write(0, 0x13); // ICW1: edge, single, ICW4 needed
  pic.write(1, 0x20); // ICW2: vectors 0x20..0x27
  pic.write(1, 0x01); // ICW4: 8086 mode, normal EOI
  pic.write(1, 0x00); // OCW1: nothing masked
  const isr = (): number => {
    pic.write(0, 0x0b);
    const v = pic.read(0);
    pic.write(0, 0x0a);
    return v;
  };
  /**
   * A pulse on IR`level` held through the INTA the CPU runs while INT is high (an edge request is ANDed with
   * the input level until acknowledged); returns the level served.
   */
  const serve = (level: number): number => {
    pic.setInput(level, true);
    expect(pic.intOutput()).toBe(true);
    const served = pic.acknowledge();
    pic.setInput(level, false);
    return served;
  };
  const ocw2 = (v: number): void => pic.write(0, v);
  return { pic, isr, serve, ocw2 };
}

describe('non-specific EOI with nested levels in service', () => {
  // Kills `const top = this.highest(this.isr)` → `31 - Math.clz32(this.isr)` (resets the highest-numbered bit).
  test('fixed priority: IR5 in service, IR2 nests; the EOI resets IR2, the next one IR5', () => {
    const c = chip();
    expect(c.serve(5)).toBe(5);
    expect(c.serve(2)).toBe(2);
    expect(c.isr()).toBe(0x24);
    c.ocw2(0x20);
    expect(c.isr()).toBe(0x20);
    c.ocw2(0x20);
    expect(c.isr()).toBe(0x00);
    c.ocw2(0x20); // nothing in service: a no-op
    expect(c.isr()).toBe(0x00);
  });

  // Kills `const top = this.highest(this.isr)` → `31 - Math.clz32(this.isr & -this.isr)` (the lowest-numbered
  // bit: right only while IR0 is the highest priority).
  test('rotated priority (IR4 lowest: 5,6,7,0,1,2,3,4): IR0 in service, IR6 nests; the EOI resets IR6', () => {
    const c = chip();
    c.ocw2(0xc0 | 4);
    expect(c.serve(0)).toBe(0);
    expect(c.serve(6)).toBe(6);
    expect(c.isr()).toBe(0x41);
    c.ocw2(0x20);
    expect(c.isr()).toBe(0x01);
  });

  // Kills a "reset the level acknowledged last" EOI: in special mask mode a lower level nests over a masked
  // higher one, and the non-specific EOI still resets the higher one.
  test('special mask mode: IR1 in service and masked, IR5 nests; the non-specific EOI resets IR1', () => {
    const c = chip();
    expect(c.serve(1)).toBe(1);
    c.pic.write(0, 0x68); // OCW3: ESMM | SMM
    c.pic.write(1, 0x02); // mask IR1
    expect(c.serve(5)).toBe(5); // lower priority, yet served: special mask mode
    expect(c.isr()).toBe(0x22);
    c.ocw2(0x20);
    expect(c.isr()).toBe(0x20);
  });
});

describe('rotation with two levels in service', () => {
  // Kills `if (cmd === 0b101) this.lowest = top` → `if (cmd === 0b001) ...` (or the line deleted).
  test('rotate on non-specific EOI: resets the highest (IR2) and makes it lowest; IR1 then waits behind IR5', () => {
    const c = chip();
    c.serve(5);
    c.serve(2);
    c.ocw2(0xa0);
    expect(c.isr()).toBe(0x20);
    // Order now 3,4,5,6,7,0,1,2: IR1 ranks below IR5, which is still in service.
    c.pic.setInput(1, true);
    expect(c.pic.intOutput()).toBe(false);
    c.ocw2(0xa0); // resets IR5, which becomes lowest: 6,7,0,1,2,3,4,5
    expect(c.isr()).toBe(0x00);
    expect(c.pic.intOutput()).toBe(true);
    c.pic.setInput(7, true);
    expect(c.pic.acknowledge()).toBe(7); // IR7 outranks IR1 now
    expect(c.pic.acknowledge()).toBe(-1); // IR1 waits behind IR7 in service
    c.ocw2(0x20);
    expect(c.pic.acknowledge()).toBe(1);
  });

  // Kills, in `case 0b111`, `this.isr &= ~(1 << level)` → `this.isr &= ~(1 << this.highest(this.isr))`, and
  // `this.lowest = level` deleted there.
  test('rotate on specific EOI for IR5 with IR2 nested: IR5 reset (not IR2), IR5 lowest, IR7 now outranks IR2', () => {
    const c = chip();
    c.serve(5);
    c.serve(2);
    c.ocw2(0xe0 | 5);
    expect(c.isr()).toBe(0x04);
    // Order 6,7,0,1,2,3,4,5: IR3 still ranks below IR2 in service; IR7 ranks above it.
    c.pic.setInput(3, true);
    expect(c.pic.intOutput()).toBe(false);
    c.pic.setInput(7, true);
    expect(c.pic.acknowledge()).toBe(7);
    expect(c.isr()).toBe(0x84);
  });

  // Kills `case 0b110: this.lowest = level` → `this.isr &= ~(1 << level); this.lowest = level` (set priority
  // acting as a specific rotate).
  test('set priority with two levels in service resets nothing', () => {
    const c = chip();
    c.serve(5);
    c.serve(2);
    c.ocw2(0xc0 | 5);
    expect(c.isr()).toBe(0x24);
    c.ocw2(0x20); // order 6,7,0,1,2,3,4,5: IR2 is still the highest in service
    expect(c.isr()).toBe(0x20);
  });
});
