/**
 * Hostile bursts for the BCM5701 (docs/fuzzing.md "nic/bcm5701"): what a buggy or malicious driver can do to the
 * chip through BAR0, config cycles and host memory, aimed at its mechanisms (docs/models/bcm5701.md) — ring
 * control blocks whose host rings sit at, past or across the end of RAM, with sizes 0, huge or disabled; producer
 * and consumer mailboxes beyond their rings (through the mailboxes, their 0x5800 alias and the config aliases);
 * send BDs of length 0, 0xffff or random, chains that never set END and run longer than the ring; jumbo and mini
 * rings enabled though the 5701 model has none; the status and statistics blocks unaligned or past RAM; send
 * producers written while the core is in reset; MII (PHY) management frames and MAC mode changes mid-traffic; the
 * SRAM memory window (config 0x7c/0x84 and BAR0 0x8000–0xffff) anywhere in and beyond the 128 KiB SRAM; register
 * accesses at every offset of BAR0 including blocks no register decodes, direct and through REG_BASE/REG_DATA;
 * the internal DMA engine fed descriptors pointing anywhere; interrupt mailbox, mask and tag games; D3hot and back.
 * Every choice comes from the episode's stream.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { pick, runOp, value } from './harness-ops';
import { DMA_RAM_BYTES } from './harness-limits';
import { RIG_MAC } from './harness-rig';
import type { NicOp, NicRig } from './harness';
import { bringUpOps, cr, cw, dma, LAYOUT, peekCore, r, run, sendBd, sendFrameOps, serviceOps, sramW, stdBd, w } from './bcm5701-driver';
import { bytesToHex } from './hex';

/** Host addresses a hostile driver gives the chip: inside RAM, at and straddling its end, far past it, unaligned. */
export function hostAddr(rng: Rng, span = 16): number {
  const k = rng.below(8);
  if (k < 3) return rng.below(DMA_RAM_BYTES - span);
  if (k === 3) return DMA_RAM_BYTES - span + rng.below(2 * span);
  if (k === 4) return DMA_RAM_BYTES + rng.below(0x100000);
  if (k === 5) return 0xffffffff - rng.below(64);
  if (k === 6) return rng.below(DMA_RAM_BYTES) | 1;
  return 0;
}

/** A 64-bit host address as (hi, lo): mostly hi = 0; sometimes above 4 GiB (no dual-address cycles: master abort). */
function hiLo(rng: Rng, span: number): [number, number] {
  return [rng.chance(0.1) ? 1 + rng.below(4) : 0, hostAddr(rng, span)];
}

/** A ring size field (maxlen_flags bits 31:16) with the flag bits 1:0. */
function maxlenFlags(rng: Rng, normal: number): number {
  const size = pick(rng, [0, 1, normal, normal, normal - 1, normal + 1, 0xffff, rng.below(0x10000)]);
  return ((size << 16) | (rng.chance(0.2) ? rng.below(4) : 0)) >>> 0;
}

/** The send RCB (SRAM 0x100) or return RCB (SRAM 0x200) rewritten, then the producer/consumer poked. */
function sramRcb(rng: Rng): NicOp[] {
  const send = rng.chance(0.5);
  const at = send ? 0x100 : 0x200;
  const [hi, lo] = hiLo(rng, send ? 512 * 16 : 1024 * 32);
  const nic = pick(rng, [0x4000, 0x1fff0, 0x20000, 0xffffff00, rng.u32()]);
  return [...sramW(at, hi), ...sramW(at + 4, lo), ...sramW(at + 8, maxlenFlags(rng, send ? 512 : 1024)), ...sramW(at + 12, nic), send ? w(0x304, rng.below(1024)) : w(0x284, rng.below(2048)), runOp(rng)];
}

/** The standard, jumbo or mini receive RCB (registers 0x2450 / 0x2440 / 0x2460) set to anything. */
function regRcb(rng: Rng): NicOp[] {
  const base = pick(rng, [0x2450, 0x2450, 0x2440, 0x2460]);
  const [hi, lo] = hiLo(rng, 512 * 32);
  const mbox = base === 0x2450 ? 0x26c : base === 0x2440 ? 0x274 : 0x27c;
  return [w(base, hi), w(base + 4, lo), w(base + 8, maxlenFlags(rng, 0x600)), w(base + 12, pick(rng, [0x6000, 0x1ffe0, 0x30000, rng.u32()])), w(mbox, rng.below(1024)), runOp(rng)];
}

/** Producer/consumer mailboxes at or past their rings, through every path that reaches them. */
function mailboxes(rng: Rng): NicOp[] {
  const mbox = pick(rng, [0x26c, 0x284, 0x304, 0x274, 0x27c, 0x204, 0x384]);
  const v = pick(rng, [512, 1023, 1024, 2047, 0xffff, 0xffffffff, rng.u32(), value(rng)]);
  const path = rng.below(3);
  const op = path === 0 ? w(mbox, v) : path === 1 ? w(0x5600 + mbox, v) : cw(mbox === 0x26c ? 0x9c : mbox === 0x284 ? 0xa4 : mbox === 0x304 ? 0xac : 0xb4, v);
  return [op, runOp(rng)];
}

/** The host consumer put just ahead of the chip's return producer (a ring all but full), then frames arrive. */
function returnRingFull(rng: Rng, rig: NicRig): NicOp[] {
  const c = peekCore(rig);
  const ret = c?.recv.retProd ?? 0;
  const ops: NicOp[] = [w(0x284, (ret + 1 + rng.below(4)) % 1024), w(0x26c, ((c?.recv.stdProd ?? 0) + 8) % 512)];
  for (let k = 1 + rng.below(6); k > 0; k--) ops.push(toUs(rng, 60 + rng.below(200)));
  ops.push(run(rng.below(1_000_000)));
  return ops;
}

/** Send BDs with hostile lengths and flags, possibly more than the ring holds, END rarely or never set. */
function sendChain(rng: Rng, rig: NicRig): NicOp[] {
  const prod = peekCore(rig)?.send.prod ?? 0;
  const n = rng.chance(0.1) ? 520 + rng.below(100) : 1 + rng.below(40);
  const endP = pick(rng, [0, 0.02, 0.3, 1]);
  const m = Math.min(n, 512);
  const bds = new Uint8Array(16 * m);
  const ops: NicOp[] = [];
  for (let k = 0; k < m; k++) {
    const len = pick(rng, [0, 1, 14, 60, 1514, 1518, 9018, 0xffff, rng.below(0x10000)]);
    const flags = (rng.u32() & 0x80ff & ~0x4) | (rng.chance(endP) ? 0x4 : 0);
    const addr = rng.chance(0.8) ? LAYOUT.txBufs + rng.below(0x40000) : hostAddr(rng, len);
    bds.set(sendBd(addr, len, flags, rng.u32() & 0xffff), 16 * k);
  }
  // Written where the producer is, wrapping at the ring's end (two host writes when it wraps).
  const first = Math.min(m, 512 - prod);
  ops.push(dma(LAYOUT.sendRing + 16 * prod, bds.subarray(0, 16 * first)));
  if (first < m) ops.push(dma(LAYOUT.sendRing, bds.subarray(16 * first)));
  // A producer that laps the consumer (n > 512) is the CVE-2016-1981 shape: indices the ring cannot hold.
  ops.push(w(0x304, (prod + n) % (rng.chance(0.2) ? 0x10000 : 512)), run(rng.below(2_000_000)));
  return ops;
}

/** Standard BDs of length 0, tiny, or huge, with JUMBO/MINI flags, at the producer; then frames to place. */
function stdChain(rng: Rng, rig: NicRig): NicOp[] {
  const c = peekCore(rig);
  const prod = c?.recv.stdProd ?? 0;
  const n = 1 + rng.below(64);
  const ops: NicOp[] = [];
  for (let k = 0; k < n; k++) {
    const i = (prod + 1 + k) % 512;
    const len = pick(rng, [0, 1, 59, 64, 1514, 1518, 1536, 0xffff]);
    const flags = pick(rng, [0x4, 0x4, 0x20 | 0x4, 0x800 | 0x4, rng.u32() & 0xffff]);
    ops.push(dma(LAYOUT.stdRing + 32 * i, stdBd(rng.chance(0.8) ? LAYOUT.rxBufs + LAYOUT.bufBytes * (i % 128) : hostAddr(rng, len), i, len, flags)));
  }
  ops.push(w(0x26c, (prod + n) % 512));
  for (let k = rng.below(4); k > 0; k--) ops.push(toUs(rng, 60 + rng.below(1455)));
  ops.push(run(rng.below(1_000_000)));
  return ops;
}

/** A frame to the card's address (so it passes the filter and is placed), of `len` bytes without FCS. */
export function toUs(rng: Rng, len: number): NicOp {
  const f = new Uint8Array(len);
  f.set(RIG_MAC.subarray(0, Math.min(6, len)));
  for (let i = 6; i < len; i++) f[i] = rng.below(256);
  if (len >= 14 && rng.chance(0.5)) {
    f[12] = 0x08; // IPv4 with random header fields: the checksum engine parses whatever comes
    f[13] = 0x00;
  }
  return { op: 'rx', hex: bytesToHex(f) };
}

/** Status/statistics block host addresses unaligned or past RAM, sizes changed, an update forced. */
function statusBlock(rng: Rng): NicOp[] {
  const [hi, lo] = hiLo(rng, 0x50);
  const stats = rng.chance(0.5);
  const at = stats ? 0x3c30 : 0x3c38;
  const mode = 0x2 | pick(rng, [0, 0x80, 0x100, 0x180]) | (rng.chance(0.3) ? 0x600 : 0);
  return [w(at, hi), w(at + 4, lo), w(stats ? 0x3c40 : 0x3c44, pick(rng, [0x300, 0xb00, 0x1fff0, 0x20000, rng.u32()])), w(0x3c28, rng.chance(0.05) ? pick(rng, [1, 10]) : pick(rng, [0, 1000, 100_000, 1_000_000])), w(0x3c00, mode | 0x8), runOp(rng)];
}

/** Send-ring nonsense while the core is in reset (a core reset, then BDs and producers before the boot code ends). */
function sendInReset(rng: Rng, rig: NicRig): NicOp[] {
  const via = rng.below(3);
  const reset = via === 0 ? w(0x6804, 0x83) : via === 1 ? cw(0x70, 0x1) : w(0x6804, 0x1);
  return [reset, ...sendChain(rng, rig).slice(0, 2), w(0x26c, rng.below(512)), w(0x3c00, 0xa), run(rng.below(1_500_000))];
}

/** MII management frames (any PHY address and register, reads and writes) and MAC mode changes mid-traffic. */
function miiAndMac(rng: Rng): NicOp[] {
  const ops: NicOp[] = [];
  for (let k = 1 + rng.below(3); k > 0; k--) {
    const phy = rng.chance(0.8) ? 1 : rng.below(32);
    const reg = pick(rng, [0, 0, 1, 4, 9, 0x10, 0x18, 0x19, 0x1a, 0x1b, 0x1c, rng.below(32)]);
    const data = reg === 0 ? pick(rng, [0x8000, 0x1200, 0x4000, 0x0800, 0x0140, 0x2100, rng.below(0x10000)]) : rng.below(0x10000);
    const cmd = rng.chance(0.5) ? 0x04000000 : 0x08000000;
    ops.push(w(0x44c, (0x20000000 | cmd | (phy << 21) | (reg << 16) | data) >>> 0), run(rng.below(40_000)));
  }
  if (rng.chance(0.5)) ops.push(w(0x454, pick(rng, [0x000c0000, 0x000c0010, 0x000c0030, value(rng)])));
  if (rng.chance(0.5)) ops.push(w(0x400, pick(rng, [0x00e0d808, 0x00e0d804, 0x00e0d80a, 0x00e0d818, 0x00e0d800, 0x1, 0x1000 | 0x8000, value(rng)])));
  if (rng.chance(0.3)) ops.push(w(0x45c, pick(rng, [0, 2, 0x12, 1])), w(0x468, pick(rng, [0, 2, 0x102, 0x206, 0x4, 0x402, value(rng)])));
  if (rng.chance(0.3)) ops.push(cw(0x74, pick(rng, [0, 0x200, 0x400, 0x800, 0x80000000])));
  ops.push(runOp(rng));
  return ops;
}

/** The SRAM window anywhere: config 0x7c/0x84 and the BAR window 0x8000–0xffff with MEM_WIN_BASE anywhere. */
function memWindow(rng: Rng): NicOp[] {
  const base = pick(rng, [rng.below(0x20000), 0x1fffc, 0x1fffe, 0x20000, 0x3fffc, 0xfffffffc, rng.u32()]);
  const ops: NicOp[] = [];
  if (rng.chance(0.5)) {
    ops.push(cw(0x7c, base));
    ops.push(rng.chance(0.5) ? cr(0x84, pick(rng, [1, 2, 4] as const)) : cw(0x84, value(rng), pick(rng, [1, 2, 4] as const)));
  } else {
    ops.push(w(0x7c, base));
    const off = 0x8000 + rng.below(0x8000);
    const size = pick(rng, [1, 2, 4] as const);
    ops.push(rng.chance(0.5) ? { op: 'rd', space: 'mem', bar: 0, off, size } : { op: 'wr', space: 'mem', bar: 0, off, size, value: value(rng) });
  }
  return ops;
}

/** Register accesses at any BAR0 offset (unimplemented blocks included), direct or through REG_BASE/REG_DATA. */
function regSweep(rng: Rng): NicOp[] {
  const block = pick(rng, [0x0000, 0x0100, 0x0200, 0x0400, 0x0800, 0x0c00, 0x2000, 0x3c00, 0x4000, 0x4800, 0x5000, 0x5400, 0x5800, 0x5c00, 0x6000, 0x6400, 0x6800, 0x7000, 0x7c00]);
  const off = block + rng.below(0x400);
  const size = pick(rng, [1, 2, 4, 4, 4] as const);
  if (rng.chance(0.3)) return [cw(0x78, rng.chance(0.9) ? off & ~3 : rng.u32()), rng.chance(0.5) ? cr(0x80) : cw(0x80, value(rng))];
  // Avoid writing the core reset bit here too often: sendInReset does that on purpose.
  const v = off === 0x6804 ? value(rng) & ~1 : value(rng);
  return [rng.chance(0.5) ? { op: 'rd', space: 'mem', bar: 0, off, size } : { op: 'wr', space: 'mem', bar: 0, off, size, value: v }];
}

/** The internal DMA engine (tg3_do_test_dma's path) with descriptors pointing anywhere in host memory or SRAM. */
function internalDma(rng: Rng): NicOp[] {
  const desc = pick(rng, [0x2000, 0x2000, 0x1fff0, rng.below(0x20000) & ~3]);
  const [hi, lo] = hiLo(rng, 0x2000);
  const q = rng.chance(0.5) ? 0x5c28 : 0x5c78;
  const len = pick(rng, [0, 4, 0x2000, 0xffff, rng.below(0x10000)]);
  const words = [hi, lo, pick(rng, [0x2100, 0x1fff0, rng.u32()]), ((pick(rng, [0x0d02, 0x1007, rng.below(0x10000)]) << 16) | len) >>> 0, 5, 0, 0, 0];
  const ops: NicOp[] = [];
  words.forEach((v, i) => ops.push(...sramW(desc + 4 * i, v)));
  ops.push(w(rng.chance(0.5) ? 0x4800 : 0x4c00, 2), w(q, desc), run(rng.below(500_000)));
  return ops;
}

/** Interrupt games: mailbox 0 with tags, MASK_PCI_INT and TAGGED_STATUS toggled, SETINT/CLEARINT, CLEAR_INT. */
function interrupts(rng: Rng): NicOp[] {
  const k = rng.below(5);
  if (k === 0) return [w(0x204, pick(rng, [0, 1, 0x01000000, 0xff000000, rng.u32()])), runOp(rng)];
  if (k === 1) return [cw(0x68, 0x98 | (rng.chance(0.5) ? 0x2 : 0) | (rng.chance(0.5) ? 0x200 : 0) | (rng.chance(0.2) ? 0x1 : 0))];
  if (k === 2) return [w(0x6808, 0x01000008 | pick(rng, [0x4, 0x2, 0x6]))];
  if (k === 3) return [w(0x3c00, 0x2 | 0x8 | pick(rng, [0, 0x800, 0x1000])), run(rng.below(50_000)), { op: 'irq-ack' }];
  return [w(0x6800, 0x04128034 | pick(rng, [0, 0x2000, 0x4000, 0x6000])), w(0x408, pick(rng, [0, 0x1000, 0x00401018, 0xffffffff]))];
}

/** D3hot and back (PMCSR at config 0x4c): the BAR stops decoding, the return to D0 resets the core. */
function powerState(rng: Rng): NicOp[] {
  return [cw(0x4c, 3, 2), r(0x68), w(0x304, rng.below(512)), run(rng.below(100_000)), cw(0x4c, 0, 2), run(rng.below(1_500_000)), cw(0x04, 0x0006, 2)];
}

const KINDS: readonly ((rng: Rng, rig: NicRig) => NicOp[])[] = [
  sramRcb, regRcb, mailboxes, returnRingFull, sendChain, stdChain, statusBlock, sendInReset, miiAndMac, memWindow, regSweep, internalDma,
  interrupts, powerState,
];

/** One hostile burst: a mechanism-aimed attack, or the driver doing its job (traffic, interrupt service). */
export function bcm5701Hostile(rng: Rng, rig: NicRig): NicOp[] {
  // A chip some op reset or stopped is brought up again, as tg3's reset task does after an error, so the rest of
  // the episode hits a running chip again.
  const c = peekCore(rig);
  const running = c !== null && c.hc.enabled && c.enabled(0x1400) && !c.boot.running;
  if (!running && rng.chance(0.25)) return bringUpOps(rng, RIG_MAC);
  const k = rng.below(100);
  if (k < 20) return sendFrameOps(rng, rig, RIG_MAC);
  if (k < 35) return [...serviceOps(rig), runOp(rng)];
  if (k < 45) return [toUs(rng, pick(rng, [14, 59, 60, 64, 1514, 1518, 1522, 2000])), run(rng.below(200_000))];
  if (k < 48) return [cw(0x04, 0x0006, 2)];
  return pick(rng, KINDS)(rng, rig);
}
