/**
 * The DP8390 ring-full rule at its boundary: frames that fit in ONE 256-byte page (len + 4-byte header +
 * 4-byte FCS <= 256, so len <= 248). Datasheet "Buffer Ring Overflow" (facts/ne2000.md §1, §2 Receive): the
 * local DMA checks BNRY at every page advance, including the advance past the frame's last page that yields
 * the next CURR, so CURR never lands on BNRY. A ring of N pages therefore holds N - 1 pages in the datasheet
 * convention (BNRY = CURR when empty) and N - 2 in the Linux/NetBSD one (BNRY = last page read, empty when
 * CURR = BNRY + 1 with wrap at PSTOP). With two-page frames the frame's own second page already meets BNRY;
 * only one-page frames reach the "page after the frame" check.
 *
 * Kills (receive.ts, Receiver.receive): `for (let i = 1; fits && i <= pages; i++)` → `i < pages` (only the
 * frame's own pages checked: one-page frames never overflow, CURR runs onto BNRY and then to BNRY + 1, and
 * the full ring looks empty to ei_receive and dp8390_rint). Also `if (page === bnry)` → `if (page === bnry + 1)`.
 */
import { BNRY, CMD, P1_CURR } from './helpers';
import { LinuxDriver } from './linux-driver';
import { linuxIsaBench } from './linux-bench';

const PSTART = 0x4c;
const PSTOP = 0x80;
const RING = PSTOP - PSTART; // 52 pages

function setup() {
  const { sim, card, drv, deliver, trace } = linuxIsaBench(41);
  const isr = (): number => card.bus.inb(0x07);
  const bnry = (): number => card.bus.inb(BNRY);
  /** ei_receive's emptiness test: this = BNRY + 1 (wrapping at PSTOP) equals CURR. */
  const linuxSeesEmpty = (): boolean => {
    let next = bnry() + 1;
    if (next >= PSTOP) next = PSTART;
    return next === drv.curr();
  };
  return { sim, card, drv, trace, deliver, isr, bnry, linuxSeesEmpty };
}

/** Tag of a received frame (makeFrame's payload pattern: byte 14 = 14*7 + tag*13). */
const tagOf = (f: Uint8Array): number => {
  for (let t = 0; t < 256; t++) if (((14 * 7 + t * 13) & 0xff) === f[14]) return t;
  return -1;
};

describe('ring full with one-page frames (Linux convention: BNRY = PSTOP - 1, CURR = PSTART)', () => {
  test('248 bytes is one page, 249 is two: the page count the rule works on', () => {
    const { drv, deliver } = setup();
    deliver(248);
    expect(drv.curr()).toBe(PSTART + 1);
    deliver(249);
    expect(drv.curr()).toBe(PSTART + 3);
  });

  test('the ring holds RING - 2 one-page frames; the next overflows with CURR one page short of BNRY', () => {
    const { card, drv, deliver, isr, bnry, linuxSeesEmpty, trace } = setup();
    for (let i = 0; i < RING - 2; i++) deliver(i % 2 ? 60 : 248);
    expect(drv.curr()).toBe(PSTOP - 2); // 0x7E: the last frame went to 0x7D
    expect(bnry()).toBe(PSTOP - 1);
    expect(isr() & 0x90).toBe(0); // not yet: CURR stopped short of BNRY without overflowing
    expect(linuxSeesEmpty()).toBe(false);
    const ramBefore = card.core.mem.ram.slice();
    deliver(60); // would be stored at 0x7E and make CURR = 0x7F = BNRY
    expect(isr() & 0x91).toBe(0x91); // PRX (earlier frames), OVW, RST
    expect(drv.curr()).toBe(PSTOP - 2);
    expect(card.core.counters.peek(2)).toBe(1);
    expect(card.bus.inb(0x0c) & 0x10).toBe(0x10); // RSR.MPA
    expect(Buffer.from(card.core.mem.ram).equals(Buffer.from(ramBefore))).toBe(true);
    expect(trace.filter((r) => r.probe === 'rx-reject').map((r) => r.f!['reason'])).toEqual(['overflow']);
    // The full ring does not look empty: ei_receive reads every stored frame, in order.
    expect(linuxSeesEmpty()).toBe(false);
    const r = drv.receive();
    expect(r.errors).toEqual([]);
    expect(r.frames.map((f) => f.length)).toEqual(Array.from({ length: RING - 2 }, (_, i) => (i % 2 ? 60 : 248)));
    expect(r.frames.map(tagOf)).toEqual(Array.from({ length: RING - 2 }, (_, i) => i));
    expect(linuxSeesEmpty()).toBe(true);
    expect(isr() & 0x80).toBe(0); // BNRY moved: RST cleared, the receiver resumes
    deliver(100);
    expect(drv.receive().frames.map((f) => f.length)).toEqual([100]);
  });

  test('across the wrap: after draining 10, the ring fills from 0x56 round to 0x53 and stops before BNRY 0x55', () => {
    const { drv, deliver, isr, bnry, linuxSeesEmpty } = setup();
    for (let i = 0; i < 10; i++) deliver(60);
    expect(drv.receive().frames).toHaveLength(10);
    expect(bnry()).toBe(0x55);
    expect(linuxSeesEmpty()).toBe(true);
    const first = deliver(200);
    for (let i = 1; i < RING - 2; i++) deliver(200);
    expect(drv.curr()).toBe(0x54); // 0x56..0x7F (42) + 0x4C..0x53 (8) = 50 frames
    expect(isr() & 0x10).toBe(0);
    deliver(200);
    expect(isr() & 0x90).toBe(0x90);
    expect(drv.curr()).toBe(0x54);
    expect(linuxSeesEmpty()).toBe(false);
    const r = drv.receive();
    expect(r.errors).toEqual([]);
    expect(r.frames.map(tagOf)).toEqual(Array.from({ length: RING - 2 }, (_, i) => first + i));
    expect(r.headers.at(-1)!.next).toBe(0x54);
  });
});

/**
 * NetBSD dp8390_init / dp8390_rint: BNRY = PSTART, CURR = PSTART + 1, a software next_packet (starting at
 * PSTART + 1); the ring is empty when next_packet == CURR; each packet's count high byte is recomputed from
 * next_packet and must match; BNRY = next_packet - 1, wrapping to PSTOP - 1 below PSTART.
 */
class NetBsdRint {
  next = PSTART + 1;
  constructor(private readonly drv: LinuxDriver) {
    const b = drv.bus;
    b.outb(CMD, 0x21);
    b.outb(BNRY, PSTART);
    b.outb(CMD, 0x61);
    b.outb(P1_CURR, PSTART + 1);
    b.outb(CMD, 0x22);
  }
  rint(): { lengths: number[]; errors: string[] } {
    const lengths: number[] = [];
    const errors: string[] = [];
    const current = this.drv.curr();
    while (this.next !== current) {
      const h = this.drv.readHeader(this.next);
      let nlen = h.next >= this.next ? h.next - this.next : h.next - PSTART + (PSTOP - this.next);
      nlen--;
      if ((h.count & 0xff) + 4 > 256) nlen--;
      const len = (h.count & 0xff) | (nlen << 8);
      if (len !== h.count) errors.push(`length ${h.count} does not match next ${h.next}`);
      if (h.next < PSTART || h.next >= PSTOP) errors.push(`next ${h.next} outside the ring`);
      lengths.push(len - 4); // dp8390_read gets count - 4 bytes (count = frame + FCS, facts §2 Receive)
      this.next = h.next;
      let boundary = this.next - 1;
      if (boundary < PSTART) boundary = PSTOP - 1;
      this.drv.bus.outb(BNRY, boundary);
    }
    return { lengths, errors };
  }
}

describe('ring full with one-page frames, NetBSD convention (BNRY = PSTART, CURR = PSTART + 1)', () => {
  test('RING - 2 frames fit (0x4D..0x7E); the next, whose next page would be BNRY 0x4C, overflows', () => {
    const { drv, deliver, isr } = setup();
    const bsd = new NetBsdRint(drv);
    for (let i = 0; i < RING - 2; i++) deliver(248);
    expect(drv.curr()).toBe(PSTOP - 1);
    expect(isr() & 0x10).toBe(0);
    deliver(248); // at 0x7F, next page wraps to 0x4C = BNRY
    expect(isr() & 0x90).toBe(0x90);
    expect(drv.curr()).toBe(PSTOP - 1);
    const r = bsd.rint();
    expect(r.errors).toEqual([]);
    expect(r.lengths).toEqual(new Array(RING - 2).fill(248));
    expect(drv.bus.inb(BNRY)).toBe(PSTOP - 2);
    expect(bsd.rint().lengths).toEqual([]); // empty now, and only now
  });
});

describe('ring full with one-page frames, datasheet convention (BNRY = CURR = PSTART when empty)', () => {
  test('RING - 1 frames fit; CURR stops one page before BNRY', () => {
    const { card, drv, deliver, isr } = setup();
    const b = card.bus;
    b.outb(CMD, 0x21);
    b.outb(BNRY, PSTART);
    b.outb(CMD, 0x22);
    for (let i = 0; i < RING - 1; i++) deliver(60);
    expect(drv.curr()).toBe(PSTOP - 1);
    expect(isr() & 0x10).toBe(0);
    deliver(60);
    expect(isr() & 0x10).toBe(0x10);
    expect(drv.curr()).toBe(PSTOP - 1); // never onto BNRY: CURR == BNRY would mean "empty" here
  });
});
