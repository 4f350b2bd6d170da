/**
 * The generic hostile driver: ops any NIC gets, whatever its model (docs/fuzzing.md "NIC targets"). Reads and
 * writes at random offsets of each BAR or ISA window — inside, straddling and past its end, unaligned, in all
 * three widths, with values biased toward the edges (0, all ones, sign bits) — PCI configuration reads and
 * writes (the command register, BAR reprogramming including the 0xFFFFFFFF sizing write), random DMA writes
 * into host memory, frames of every class (runts, giants up to twice the MTU, random bytes; broadcast,
 * multicast, unicast to the card, unicast elsewhere) and random spans of virtual time. Every choice is drawn
 * from the episode's seeded stream.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { PCI_BAR0, PCI_COMMAND, PCI_STATUS } from '../../emulator/machine/board/pci-config';
import type { NicOp, NicRig } from './harness';
import { DMA_RAM_BYTES } from './harness-limits';
import { RIG_MAC } from './harness-rig';
import { bytesToHex } from './hex';

const SIZES = [1, 2, 4] as const;
/** Values at the edges of every width, as register fuzzers use them (QEMU's generic-fuzz "interesting" values). */
const EDGE_VALUES = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];
/** Ethernet MTU and the largest frame a hostile peer sends (twice the largest legal frame without FCS). */
const ETH_MAX_NOFCS = 1514;
const GIANT = 2 * ETH_MAX_NOFCS;

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.below(xs.length)]!;
}

/** A register value: an edge value (a third of the time), a byte, or any 32-bit pattern. */
export function value(rng: Rng): number {
  const r = rng.below(3);
  return r === 0 ? pick(rng, EDGE_VALUES) : r === 1 ? rng.below(256) : rng.u32();
}

/** An offset in a window of `size`: mostly inside, sometimes straddling or past the end. */
function offset(rng: Rng, size: number): number {
  const r = rng.below(10);
  if (r < 7) return rng.below(size);
  if (r < 9) return Math.max(0, size - 4 + rng.below(8));
  return rng.below(size * 2 + 16);
}

function barAccess(rng: Rng, rig: NicRig): NicOp {
  let bar = 0;
  while (bar < 5 && rig.bar(bar + 1) && rng.chance(0.5)) bar++;
  if (rng.chance(0.02)) bar = rng.below(6); // a BAR the device may not have
  const b = rig.bar(bar);
  const space = b?.space ?? (rng.chance(0.5) ? 'io' : 'mem');
  const off = offset(rng, b?.size ?? 32);
  const size = pick(rng, SIZES);
  return rng.chance(0.5) ? { op: 'rd', space, bar, off, size } : { op: 'wr', space, bar, off, size, value: value(rng) };
}

/** Config cycles: the command and status registers, BARs (sized with all ones, or set anywhere), any offset. */
function cfgAccess(rng: Rng): NicOp {
  const r = rng.below(4);
  const off = r === 0 ? PCI_COMMAND : r === 1 ? PCI_BAR0 + 4 * rng.below(6) : r === 2 ? PCI_STATUS : rng.below(256);
  const size = r === 1 ? 4 : pick(rng, SIZES);
  if (rng.chance(0.5)) return { op: 'rd', space: 'cfg', bar: 0, off, size };
  const v = r === 1 && rng.chance(0.4) ? 0xffffffff : value(rng);
  return { op: 'wr', space: 'cfg', bar: 0, off, size, value: v };
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const w = rng.u32();
    for (let j = 0; j < 4 && i + j < n; j++) b[i + j] = (w >>> (8 * j)) & 0xff;
  }
  return b;
}

/** A frame length: runt, minimum, ordinary, maximum, or giant. */
function frameLength(rng: Rng): number {
  const r = rng.below(10);
  if (r < 2) return 1 + rng.below(59);
  if (r < 3) return 60;
  if (r < 7) return 60 + rng.below(ETH_MAX_NOFCS - 59);
  if (r < 8) return ETH_MAX_NOFCS;
  return ETH_MAX_NOFCS + 1 + rng.below(GIANT - ETH_MAX_NOFCS);
}

/** The address a frame is sent to: the card, broadcast, an IPv4 or other multicast group, or someone else. */
function destination(rng: Rng): Uint8Array {
  const r = rng.below(5);
  if (r === 0) return RIG_MAC;
  if (r === 1) return new Uint8Array(6).fill(0xff);
  if (r === 2) return Uint8Array.of(0x01, 0x00, 0x5e, rng.below(128), rng.below(256), rng.below(256));
  const a = randomBytes(rng, 6);
  if (r === 3) a[0] = a[0]! | 1;
  return a;
}

/** A frame as the medium delivers it: Ethernet (destination first) or, on air, an 802.11 MPDU (Address 1 at 4). */
export function frame(rng: Rng, rig: NicRig): NicOp {
  const f = randomBytes(rng, frameLength(rng));
  const at = rig.kind.medium === 'wireless' ? 4 : 0;
  if (f.length >= at + 6 && rng.chance(0.9)) f.set(destination(rng), at);
  return { op: 'rx', hex: bytesToHex(f) };
}

function dmaWrite(rng: Rng): NicOp {
  const len = 1 + rng.below(rng.chance(0.8) ? 16 : 256);
  const addr = rng.chance(0.95) ? rng.below(DMA_RAM_BYTES) : DMA_RAM_BYTES - 8 + rng.below(16);
  return { op: 'dma', addr, hex: bytesToHex(randomBytes(rng, len)) };
}

/** A span of virtual time: mostly short (a few register accesses apart), sometimes a frame time or milliseconds. */
export function runOp(rng: Rng): NicOp {
  const r = rng.below(20);
  const ns = r < 10 ? rng.below(2_000) : r < 17 ? rng.below(200_000) : rng.below(5_000_000);
  return { op: 'run', ns };
}

/** One generic op. */
export function genericOp(rng: Rng, rig: NicRig): NicOp {
  const r = rng.below(100);
  if (r < 60) return barAccess(rng, rig);
  if (r < 66) return cfgAccess(rng);
  if (r < 72) return dmaWrite(rng);
  if (r < 76) return frame(rng, rig);
  if (r < 97) return runOp(rng);
  return { op: 'irq-ack' };
}

/** One short text for an op in failure lines ("wr io bar0 +0x0e/1 = 0x48"). */
export function describeOp(op: NicOp): string {
  const h = (n: number): string => `0x${n.toString(16)}`;
  switch (op.op) {
    case 'rd':
      return `rd ${op.space} ${op.space === 'cfg' ? '' : `bar${op.bar} `}+${h(op.off)}/${op.size}`;
    case 'wr':
      return `wr ${op.space} ${op.space === 'cfg' ? '' : `bar${op.bar} `}+${h(op.off)}/${op.size} = ${h(op.value)}`;
    case 'dma':
      return `dma ${h(op.addr)} ${op.hex.length / 2} bytes`;
    case 'rx':
      return `rx ${op.hex.length / 2} bytes`;
    case 'run':
      return `run ${op.ns} ns`;
    case 'irq-ack':
      return 'irq-ack';
  }
}
