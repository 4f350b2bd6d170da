/**
 * 8259A behaviours the board's mutation run (docs/testing.md, `npm run mutate -- board`) showed no test pinned
 * (Intel 8259A datasheet, order no. 231468: "Poll Command", "Automatic Rotation", "ICW1" bit IC4):
 * - a poll (OCW3 P = 1) returns 0x80 | level with IR0 as well as the others, 0x00 with nothing pending;
 *   survivors: `level < 0` → `level <= 0` in the poll read;
 * - rotate in automatic EOI mode (OCW2 0x80) makes each level served the lowest priority;
 *   survivor: `if (this.rotateOnAeoi)` → `if (false)`;
 * - ICW1 with IC4 = 0 zeroes the ICW4 functions: a chip set up earlier with AEOI and then re-initialized without
 *   ICW4 keeps its in-service bit until an EOI; survivors: the `!(value & ICW1.IC4)` mutants.
 */
import { Simulation, componentContext } from '../../emulator/machine/sim';
import { Pic8259 } from '../../emulator/machine/board/pic8259-chip';

function chip(icw4: number | null) {
  const sim = new Simulation(3);
  const pic = new Pic8259(componentContext(sim, 'alpha', 'alpha.pic'), 'master', 0, 0);
  init(pic, icw4);
  return pic;
}

/** ICW1 (edge, single, IC4 as asked), ICW2 0x20, ICW4 if given, then OCW1 unmasking everything. */
function init(pic: Pic8259, icw4: number | null): void {
  pic.write(0, icw4 === null ? 0x12 : 0x13);
  pic.write(1, 0x20);
  if (icw4 !== null) pic.write(1, icw4);
  pic.write(1, 0x00);
}

function isr(pic: Pic8259): number {
  pic.write(0, 0x0b);
  const v = pic.read(0);
  pic.write(0, 0x0a);
  return v;
}

/** Edge requests on `levels` held through one INTA; the level served. */
function serveOne(pic: Pic8259, levels: number[]): number {
  for (const l of levels) pic.setInput(l, true);
  const served = pic.acknowledge();
  for (const l of levels) pic.setInput(l, false);
  return served;
}

describe('8259A poll command', () => {
  test('IR0 pending: 0x80 (I = 1, W2–W0 = 0) and IR0 goes in service; nothing pending: 0x00', () => {
    const pic = chip(0x01);
    pic.setInput(0, true);
    pic.write(0, 0x0c); // OCW3: P = 1
    expect(pic.read(0)).toBe(0x80);
    expect(isr(pic)).toBe(0x01);
    pic.write(0, 0x20); // non-specific EOI
    pic.setInput(0, false);
    pic.write(0, 0x0c);
    expect(pic.read(0)).toBe(0x00);
  });

  test('IR5 pending: 0x85', () => {
    const pic = chip(0x01);
    pic.setInput(5, true);
    pic.write(0, 0x0c);
    expect(pic.read(0)).toBe(0x85);
  });
});

describe('8259A rotate in automatic EOI mode', () => {
  test('with rotation set, the level served becomes lowest: IR3 then IR4 pending together → IR4 first', () => {
    const pic = chip(0x03); // ICW4: 8086 mode, AEOI
    pic.write(0, 0x80); // OCW2: rotate in AEOI mode (set)
    expect(serveOne(pic, [3])).toBe(3);
    expect(isr(pic)).toBe(0x00); // AEOI: nothing stays in service
    expect(serveOne(pic, [3, 4])).toBe(4);
  });

  test('with rotation cleared (OCW2 0x00), fixed priority: IR3 before IR4', () => {
    const pic = chip(0x03);
    pic.write(0, 0x80);
    pic.write(0, 0x00); // rotate in AEOI mode (clear)
    expect(serveOne(pic, [3])).toBe(3);
    expect(serveOne(pic, [3, 4])).toBe(3);
  });
});

describe('ICW1 with IC4 = 0', () => {
  test('zeroes the ICW4 functions: after re-initialization without ICW4, AEOI is off and IR2 stays in service', () => {
    const pic = chip(0x03); // AEOI first
    expect(serveOne(pic, [2])).toBe(2);
    expect(isr(pic)).toBe(0x00);
    init(pic, null); // ICW1 0x12: no ICW4; the third write is OCW1
    expect(serveOne(pic, [2])).toBe(2);
    expect(isr(pic)).toBe(0x04);
    pic.write(0, 0x20);
    expect(isr(pic)).toBe(0x00);
  });

  test('without ICW4 the write after ICW2 is OCW1 (the mask)', () => {
    const sim = new Simulation(3);
    const pic = new Pic8259(componentContext(sim, 'alpha', 'alpha.pic'), 'master', 0, 0);
    pic.write(0, 0x12);
    pic.write(1, 0x20);
    pic.write(1, 0xfb);
    expect(pic.read(1)).toBe(0xfb);
  });
});
