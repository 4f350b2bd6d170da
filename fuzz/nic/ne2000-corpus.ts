/**
 * The NE2000 seed corpus: every row of facts/ne2000.md §5 (QEMU's NE2000 CVEs and the no-CVE 32-bit access) as
 * an op list, after the Linux bring-up — the same vectors tests/ne2000/cve.test.ts and cve-remote-dma.test.ts
 * check in detail, here run under the fuzz invariants and continued by random ops.
 */
import type { NicOp } from './harness';
import { RIG_MAC } from './harness-rig';
import { bytesToHex } from './hex';
import {
  BNRY, CR, DATAPORT, DCR, ISR, P1_CURR, PSTART, PSTOP, RBCR0, RBCR1, RESET, TCR, inb, inp, ns8390Init, out, outb, page1, remote, run, transmit,
} from './ne2000-ops';

/** A frame of `len` bytes to the rig's card (IPv4 ethertype, patterned payload). */
function frameTo(len: number, tag = 0): NicOp {
  const f = new Uint8Array(len);
  f.set(RIG_MAC.subarray(0, Math.min(6, len)), 0);
  for (let i = 6; i < len; i++) f[i] = i === 12 ? 0x08 : i === 13 ? 0 : (i * 7 + tag * 13) & 0xff;
  return { op: 'rx', hex: bytesToHex(f) };
}

/** Receive: the frame arrives, then time for it to cross the wire and be stored (1518 bytes ≈ 1.2 ms at 10 Mb/s). */
const receive = (len: number, tag = 0): NicOp[] => [frameTo(len, tag), run(Math.ceil((len + 30) * 800) + 20_000)];
/** `n` data-port accesses of `size`. */
const data = (dir: 'rd' | 'wr', size: 1 | 2 | 4, n: number): NicOp[] =>
  Array.from({ length: n }, (_, i) => (dir === 'rd' ? inp(DATAPORT, size) : out(DATAPORT, size, (0xa5a50000 + i) >>> 0)));

const up = ns8390Init();

/** Linux ei_rx_overrun (facts/ne2000.md §2): stop, clear RBCR, loopback, start, free the ring (BNRY), ack OVW, TCR 0. */
const overrunRecovery: NicOp[] = [outb(CR, 0x21), run(10_000_000), outb(RBCR0, 0), outb(RBCR1, 0), outb(TCR, 0x02), outb(CR, 0x22), outb(BNRY, 0x4c), outb(ISR, 0x10), outb(TCR, 0)];

export const NE2000_CORPUS: readonly { name: string; ops: NicOp[] }[] = [
  { name: 'CVE-2015-5279: CURR 0xC0 then a frame', ops: [...up, ...page1(P1_CURR, 0xc0), ...receive(100)] },
  {
    name: 'CVE-2015-5279: BNRY 0xFF, thirty full frames round the ring',
    ops: [...up, outb(BNRY, 0xff), ...Array.from({ length: 30 }, (_, i) => receive(1514, i)).flat()],
  },
  {
    name: 'CVE-2015-5279: ring 0xC0-0xFF above RAM',
    ops: [...up, outb(CR, 0x21), outb(PSTART, 0xc0), outb(PSTOP, 0xff), outb(BNRY, 0xfe), ...page1(P1_CURR, 0xc0), ...receive(1000), ...remote(0xc000, 0x400, 1), ...data('rd', 2, 0x200)],
  },
  { name: 'CVE-2015-5278: PSTOP lowered below CURR', ops: [...up, ...page1(P1_CURR, 0x70), outb(PSTOP, 0x60), ...receive(100), ...receive(1514)] },
  {
    name: 'CVE-2016-2841: PSTOP <= PSTART (four rings), receive and a remote read across PSTOP',
    ops: [
      ...up,
      ...[[0x60, 0x60], [0x70, 0x50], [0x00, 0x00], [0xff, 0x00]].flatMap(([start, stop]) => [
        outb(PSTART, start!),
        outb(PSTOP, stop!),
        ...receive(100),
        ...remote(((stop! - 1) & 0xff) * 256 + 0x80, 0x200, 1),
        ...data('rd', 2, 0x100),
        ...remote(((stop! - 1) & 0xff) * 256 + 0x80, 0x100, 2),
        ...data('wr', 4, 0x40),
      ]),
    ],
  },
  {
    name: 'CVE-2018-10839: a 70000-byte frame (overflow, then the Linux recovery), then 0-, 1- and 59-byte runts',
    ops: [...up, ...receive(70000), ...overrunRecovery, ...receive(0), ...receive(1), ...receive(59)],
  },
  {
    name: 'CVE-2007-5729: TBCR 0, 0xFFFF, past the end; TPSR 0x00, 0xFF',
    ops: [...up, ...transmit(0x40, 0), run(200_000), ...transmit(0x40, 0xffff), run(20_000_000), ...transmit(0x7f, 1514), run(2_000_000), ...transmit(0x00, 64), run(200_000), ...transmit(0xff, 0x200), run(1_000_000)],
  },
  {
    name: 'no CVE: 32-bit data-port accesses at the last word of RAM, with and without a wrap',
    ops: [...up, ...remote(0x7ffc, 8, 1), ...data('rd', 4, 2), outb(PSTOP, 0xff), ...remote(0x7ffc, 8, 2), ...data('wr', 4, 2), ...remote(0xfffc, 8, 1), ...data('rd', 4, 2)],
  },
  {
    name: 'remote DMA: Send Packet with a corrupt header, RBCR 0, odd RSAR in word mode, DCR switched mid-DMA',
    ops: [
      ...up,
      ...remote(0x4c00, 4, 2), out(DATAPORT, 2, 0xc001), out(DATAPORT, 2, 0xffff), // header: status 1, next 0xC0, count 0xFFFF
      outb(BNRY, 0x4c), ...remote(0, 0, 3), ...data('rd', 2, 0x80),
      ...remote(0x4c00, 0, 1), ...data('rd', 1, 4), ...data('wr', 2, 4),
      ...remote(0x4c01, 9, 1), ...data('rd', 2, 5),
      ...remote(0x5000, 0x40, 2), ...data('wr', 2, 4), outb(DCR, 0x48), ...data('wr', 1, 8), outb(DCR, 0x49), ...data('wr', 4, 8),
    ],
  },
  {
    name: 'wide accesses over register offsets and the reset port; loopback transmit',
    ops: [
      ...up,
      inp(0x0c, 4), inp(0x0e, 4), inp(0x1e, 4), out(ISR, 4, 0xffffffff), out(DCR, 4, 0x00003f49), out(RESET, 2, 0x2121), inb(RESET), outb(RESET, 0xff),
      ...ns8390Init(), outb(TCR, 0x02), ...transmit(0x40, 60), run(200_000), outb(TCR, 0x04), ...transmit(0x40, 1514), run(2_000_000), outb(TCR, 0),
    ],
  },
];
