/**
 * Driver ops for the NE2000 window (registers 0x00–0x0F by page, data port 0x10, reset port 0x1F), in Linux
 * 8390.h names, and the Linux `__NS8390_init` bring-up (facts/ne2000.md §2 "Open"), written from that
 * documented register order.
 */
import type { NicOp } from './harness';
import { RIG_MAC } from './harness-rig';

// Page-0 registers (write side), page-1 CURR/PAR/MAR, and the ASIC's ports (Linux 8390.h / ne.c names).
export const CR = 0x00;
export const PSTART = 0x01;
export const PSTOP = 0x02;
export const BNRY = 0x03;
export const TPSR = 0x04;
export const TBCR0 = 0x05;
export const TBCR1 = 0x06;
export const ISR = 0x07;
export const RSAR0 = 0x08;
export const RSAR1 = 0x09;
export const RBCR0 = 0x0a;
export const RBCR1 = 0x0b;
export const RCR = 0x0c;
export const TCR = 0x0d;
export const DCR = 0x0e;
export const IMR = 0x0f;
export const P1_PAR0 = 0x01;
export const P1_CURR = 0x07;
export const P1_MAR0 = 0x08;
export const DATAPORT = 0x10;
export const RESET = 0x1f;

export const outb = (off: number, value: number): NicOp => ({ op: 'wr', space: 'io', bar: 0, off, size: 1, value: value & 0xff });
export const inb = (off: number): NicOp => ({ op: 'rd', space: 'io', bar: 0, off, size: 1 });
export const out = (off: number, size: 1 | 2 | 4, value: number): NicOp => ({ op: 'wr', space: 'io', bar: 0, off, size, value });
export const inp = (off: number, size: 1 | 2 | 4): NicOp => ({ op: 'rd', space: 'io', bar: 0, off, size });
export const run = (ns: number): NicOp => ({ op: 'run', ns });

/** Write a page-1 register and return to page 0 with the chip running (CR 0x62 … 0x22, as ei_receive does). */
export function page1(reg: number, value: number): NicOp[] {
  return [outb(CR, 0x62), outb(reg, value), outb(CR, 0x22)];
}

/** Program a remote DMA: RBCR, RSAR, then CR with RD = `rd` (1 read, 2 write, 3 send packet). */
export function remote(addr: number, count: number, rd: 1 | 2 | 3): NicOp[] {
  return [outb(CR, 0x22), outb(RBCR0, count), outb(RBCR1, count >> 8), outb(RSAR0, addr), outb(RSAR1, addr >> 8), outb(CR, 0x02 | (rd << 3))];
}

/** Transmit `count` bytes from page `tpsr` (CR 0x26 = STA | TXP | RD abort). */
export function transmit(tpsr: number, count: number): NicOp[] {
  return [outb(TPSR, tpsr), outb(TBCR0, count), outb(TBCR1, count >> 8), outb(CR, 0x26)];
}

/** Linux `__NS8390_init` followed by `ei_open`'s start: word mode, ring `start`..`stop`, interrupts unmasked. */
export function ns8390Init(start = 0x4c, stop = 0x80, rcr = 0x04): NicOp[] {
  return [
    outb(CR, 0x21),
    outb(DCR, 0x49),
    outb(RBCR0, 0),
    outb(RBCR1, 0),
    outb(RCR, 0x20),
    outb(TCR, 0x02),
    outb(TPSR, 0x40),
    outb(PSTART, start),
    outb(BNRY, stop - 1),
    outb(PSTOP, stop),
    outb(ISR, 0xff),
    outb(IMR, 0),
    outb(CR, 0x61),
    ...Array.from(RIG_MAC, (b, i) => outb(P1_PAR0 + i, b)),
    ...Array.from({ length: 8 }, (_, i) => outb(P1_MAR0 + i, 0xff)),
    outb(P1_CURR, start),
    outb(CR, 0x21),
    outb(ISR, 0xff),
    outb(IMR, 0x3f),
    outb(CR, 0x22),
    outb(TCR, 0),
    outb(RCR, rcr),
  ];
}
