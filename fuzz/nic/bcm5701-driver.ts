/**
 * The BCM5701 fuzz target's driver side (docs/fuzzing.md "nic/bcm5701"): op builders, the host-memory layout of
 * the rings, and a bring-up that reaches the running state the way NetBSD `bge` does it (if_bge.c `bge_reset`,
 * `bge_chipinit`, `bge_blockinit`, `bge_init`; Linux tg3 `tg3_reset_hw` takes the same steps in the same
 * order): the firmware mailbox magic, a core reset through REG_BASE/REG_DATA, the boot-code wait, chip init,
 * buffer manager, ring control blocks, host coalescing with the status block, the block enables, the MAC, the
 * standard ring posted and its producer mailbox, interrupts unmasked, HOSTCC NOW. Register values are the
 * drivers' (../shared/facts/bcm57xx.md §2–§4); the driver-chosen parameters (tagged status, coalescing
 * thresholds, status block size, buffers posted) are drawn from the episode's stream, so bring-ups differ.
 *
 * Also a well-behaved traffic burst (a frame sent through the send ring, the interrupt serviced as bge_intr
 * does it) so hostile ops land on a chip that is moving data. Polls become `run` ops long enough for what the
 * driver waits for (boot code 1 ms, timing.ts BOOT_NS). Every op goes through BAR0, config cycles or host RAM.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { Bcm5701Pci } from '../../nic-models/bcm5701/bcm5701-pci';
import type { Bcm5701Core } from '../../nic-models/bcm5701/core';
import { BOOT_NS } from '../../nic-models/bcm5701/timing';
import type { NicOp, NicRig } from './harness';
import { bytesToHex } from './hex';

// ---- op builders (BAR0 is BAR index 0, a 64 KiB memory BAR) ----

export const w = (off: number, value: number): NicOp => ({ op: 'wr', space: 'mem', bar: 0, off, size: 4, value: value >>> 0 });
export const r = (off: number): NicOp => ({ op: 'rd', space: 'mem', bar: 0, off, size: 4 });
export const cw = (off: number, value: number, size: 1 | 2 | 4 = 4): NicOp => ({ op: 'wr', space: 'cfg', bar: 0, off, size, value: value >>> 0 });
export const cr = (off: number, size: 1 | 2 | 4 = 4): NicOp => ({ op: 'rd', space: 'cfg', bar: 0, off, size });
export const run = (ns: number): NicOp => ({ op: 'run', ns });
export const dma = (addr: number, bytes: Uint8Array): NicOp => ({ op: 'dma', addr, hex: bytesToHex(bytes) });
/** One SRAM dword through the config-space memory window (bge `bge_writemem_ind`: 0x7c base, 0x84 data). */
export const sramW = (addr: number, v: number): NicOp[] => [cw(0x7c, addr), cw(0x84, v), cw(0x7c, 0)];

// ---- host memory layout (inside the rig's DMA_RAM_BYTES) ----

export const LAYOUT = {
  status: 0x1000,
  stats: 0x2000,
  sendRing: 0x10000,
  stdRing: 0x20000,
  retRing: 0x30000,
  txBufs: 0x40000,
  rxBufs: 0x80000,
  /** Standard BDs posted at bring-up (a ring of 512; the model fetches what the producer says). */
  stdPosted: 64,
  bufBytes: 2048,
} as const;

/** A standard receive BD (tg3.h struct tg3_rx_buffer_desc, 32 bytes, little-endian host). */
export function stdBd(addr: number, idx: number, len: number, flags = 0x4): Uint8Array {
  const b = new Uint8Array(32);
  const d = new DataView(b.buffer);
  d.setUint32(0, Math.floor(addr / 0x1_0000_0000), true);
  d.setUint32(4, addr >>> 0, true);
  d.setUint32(8, ((idx << 16) | (len & 0xffff)) >>> 0, true);
  d.setUint32(12, flags >>> 0, true);
  d.setUint32(28, idx >>> 0, true);
  return b;
}

/** A send BD (struct tg3_tx_buffer_desc, 16 bytes): addr_hi, addr_lo, len << 16 | flags, vlan. */
export function sendBd(addr: number, len: number, flags: number, vlan = 0): Uint8Array {
  const b = new Uint8Array(16);
  const d = new DataView(b.buffer);
  d.setUint32(0, Math.floor(addr / 0x1_0000_0000) >>> 0, true);
  d.setUint32(4, addr >>> 0, true);
  d.setUint32(8, (((len & 0xffff) << 16) | (flags & 0xffff)) >>> 0, true);
  d.setUint32(12, vlan >>> 0, true);
  return b;
}

/** The MISC_HOST_CTRL value the drivers keep: WORD_SWAP | PCISTATE_RW | INDIR_ACCESS (+ TAGGED_STATUS). */
const MHC_BASE = 0x8 | 0x10 | 0x80;

/** bge_reset: magic in the firmware mailbox, core reset via REG_DATA, wait for the boot code, restore config. */
export function resetOps(tagged: boolean): NicOp[] {
  const mhc = MHC_BASE | 0x2 | (tagged ? 0x200 : 0);
  return [
    cw(0x68, mhc),
    ...sramW(0xb50, 0x4b657654),
    cw(0x78, 0x6804),
    cw(0x80, 0x83), // GRC_MISC_CFG: CORECLK_RESET | prescaler 65 (0x82)
    run(BOOT_NS + 200_000),
    cw(0x68, mhc),
    cw(0x70, 0x60),
    cw(0x04, 0x0006, 2), // the core reset cleared MEM/MASTER (tg3_chip_reset restores the command word)
    w(0x4000, 2), // MEMARB enable
    w(0x6800, 0x34),
  ];
}

/** bge_chipinit + bge_blockinit + bge_init with the driver's choices drawn from `rng`. */
export function bringUpOps(rng: Rng, mac: Uint8Array): NicOp[] {
  const tagged = rng.chance(0.5);
  const L = LAYOUT;
  const ops: NicOp[] = [cw(0x04, 0x0006, 2), ...resetOps(tagged)];
  // chipinit: status block area in SRAM cleared, DMA control, GRC mode (host send BDs, no pseudo-header sums), tick 1 µs.
  ops.push(w(0x7c, 0));
  for (let a = 0xb00; a < 0xb50; a += 4) ops.push(w(0x8000 + a, 0));
  ops.push(cw(0x6c, 0x76ff000f), w(0x6800, 0x04128034), w(0x6804, 0x82));
  // blockinit: buffer manager, FTQ reset, standard ring RCB, jumbo/mini disabled, send and return RCBs in SRAM.
  for (const [o, v] of [[0x4408, 0x8000], [0x440c, 0x18000], [0x442c, 0x2000], [0x4430, 0x2000], [0x4410, 0x50], [0x4414, 0x20], [0x4418, 0x60]] as const) ops.push(w(o, v));
  ops.push(w(0x4400, 0x6), w(0x5c00, 0xffffffff), w(0x5c00, 0));
  ops.push(w(0x2450, 0), w(0x2454, L.stdRing), w(0x2458, 0x06000000), w(0x245c, 0x6000));
  ops.push(w(0x2448, 2), w(0x2468, 2), w(0x2c18, 1 + rng.below(25)), w(0x2c1c, 8));
  ops.push(w(0x8100, 0), w(0x8104, L.sendRing), w(0x810c, 0x4000), w(0x8108, 512 << 16));
  ops.push(w(0x8200, 0), w(0x8204, L.retRing), w(0x820c, 0), w(0x8208, 1024 << 16));
  ops.push(w(0x438, mac.reduce((a, b) => a + b, 0) & 0x3ff), w(0x464, 0x2620), w(0x500, 8), w(0x2010, 0x181), w(0x2018, 0x7fffff), w(0x2014, 1));
  // Host coalescing: disabled, thresholds (drawn: some drivers coalesce hard, some not at all), blocks, enable.
  ops.push(w(0x3c00, 0));
  const ticks = [0, 1, 20, 150][rng.below(4)]!;
  const frames = [0, 1, 5, 64][rng.below(4)]!;
  for (const [o, v] of [[0x3c08, ticks], [0x3c0c, ticks * 2], [0x3c10, frames], [0x3c14, frames * 4 + 1], [0x3c18, ticks], [0x3c1c, ticks], [0x3c20, frames], [0x3c24, frames]] as const) ops.push(w(o, v));
  ops.push(w(0x3c28, rng.chance(0.5) ? 1_000_000 : 10_000), w(0x3c40, 0x300), w(0x3c30, 0), w(0x3c34, L.stats), w(0x3c44, 0xb00));
  ops.push(w(0x3c38, 0), w(0x3c3c, L.status));
  const size = [0x000, 0x080, 0x100][rng.below(3)]!;
  ops.push(w(0x3c00, 0x2 | size | (rng.chance(0.5) ? 0x600 : 0)));
  ops.push(w(0x3000, 6), w(0x2000, 2), w(0x3400, 2));
  // MAC: GMII (the peer negotiates 1000 full), full duplex, TDE/RDE/FHDE, statistics enabled and cleared.
  ops.push(w(0x400, 0x00e0d808), w(0x6808, 0x01000008), w(0x6400, 2), w(0x4c00, 0x3fe), w(0x4800, 0x3fe));
  for (const o of [0x2800, 0x2400, 0x3800, 0x1000, 0x1c00, 0x2c00, 0x0c00, 0x1800, 0x1400]) ops.push(w(o, o === 0x2400 ? 0x12 : 2));
  ops.push(w(0x0c0c, 0x7fffff), w(0x0c08, 3), w(0x404, 0x00401018), w(0x450, 1), w(0x454, 0x000c0030), w(0x408, 0x1000));
  // bge_init: MTU, station address, filter (broadcast + all multicast), standard ring posted, send ring empty.
  ops.push(w(0x43c, 1522), w(0x410, (mac[0]! << 8) | mac[1]!), w(0x414, ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0));
  for (let i = 0; i < 4; i++) ops.push(w(0x470 + 4 * i, 0xffffffff));
  const std = new Uint8Array(L.stdPosted * 32);
  for (let i = 0; i < L.stdPosted; i++) std.set(stdBd(L.rxBufs + L.bufBytes * i + 2, i, 1536), 32 * i);
  ops.push(dma(L.stdRing, std), dma(L.status, new Uint8Array(0x50)), w(0x26c, L.stdPosted - 1), w(0x304, 0), w(0x284, 0));
  ops.push(w(0x45c, 2), w(0x468, rng.chance(0.2) ? 0x102 : 0x2), w(0x504, 2));
  // Interrupts on: MISC_HOST_CTRL without MASK_PCI_INT, mailbox 0 = 0, a status update now.
  ops.push(cw(0x68, MHC_BASE | (tagged ? 0x200 : 0)), w(0x204, 0), w(0x3c00, 0x2 | size | 0x8), run(2_000_000));
  return ops;
}

/** The driver's view this episode: where it will put the next send BD (it trusts the chip's own producer). */
function sendProducer(rig: NicRig): number {
  return peekCore(rig)?.send.prod ?? 0;
}

/** A good frame from the card (broadcast ARP-sized, or a UDP datagram to a peer) through the send ring. */
export function sendFrameOps(rng: Rng, rig: NicRig, mac: Uint8Array): NicOp[] {
  const prod = sendProducer(rig);
  const len = rng.chance(0.5) ? 42 : 60 + rng.below(1454);
  const f = new Uint8Array(len);
  f.fill(0xff, 0, 6);
  f.set(mac, 6);
  f[12] = 0x08;
  f[13] = 0x06;
  for (let i = 14; i < len; i++) f[i] = (i * 7 + prod) & 0xff;
  const buf = LAYOUT.txBufs + LAYOUT.bufBytes * (prod % 64);
  const flags = 0x4 | (rng.chance(0.1) ? 0x80 : 0);
  return [dma(buf, f), dma(LAYOUT.sendRing + 16 * prod, sendBd(buf, len, flags)), w(0x304, (prod + 1) % 512), run(rng.below(200_000))];
}

/**
 * bge_intr as the driver runs it: read the status block from host memory, hold interrupts off (mailbox 0 = 1),
 * take the return ring up to the producer the block reports, re-post those buffers, write the consumer and
 * producer mailboxes, re-enable (0, or the tag << 24 in tagged mode).
 */
export function serviceOps(rig: NicRig): NicOp[] {
  const s = rig.ram;
  const at = LAYOUT.status;
  const u16 = (o: number): number => s[at + o]! | (s[at + o + 1]! << 8);
  const tag = s[at + 4]!;
  const retProd = u16(0x10) % 1024;
  const c = peekCore(rig);
  const retCons = c?.recv.retCons ?? 0;
  const stdProd = c?.recv.stdProd ?? 0;
  const ops: NicOp[] = [{ op: 'irq-ack' }, w(0x204, 1), dma(at, new Uint8Array(4))];
  const n = (retProd - retCons + 1024) % 1024;
  let prod = stdProd;
  for (let k = 0; k < Math.min(n, 32); k++) {
    prod = (prod + 1) % 512;
    ops.push(dma(LAYOUT.stdRing + 32 * prod, stdBd(LAYOUT.rxBufs + LAYOUT.bufBytes * (prod % 128) + 2, prod, 1536)));
  }
  if (n > 0) ops.push(w(0x284, retProd), w(0x26c, prod));
  ops.push(w(0x204, (tag << 24) >>> 0));
  return ops;
}

/** The chip behind a rig, for reads of its state without side effects (inspect-style peeks, never the read path). */
export function peekCore(rig: NicRig): Bcm5701Core | null {
  return rig.device instanceof Bcm5701Pci ? rig.device.core : null;
}
