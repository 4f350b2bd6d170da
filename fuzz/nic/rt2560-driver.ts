/**
 * The RT2560 fuzz target's driver side (docs/fuzzing.md "nic/rt2560"): op builders, the host-memory layout of
 * the rings, and a bring-up that reaches the running state as Linux rt2500pci (`rt2500pci_enable_radio`:
 * init_queues, init_registers with set_state(AWAKE) and the soft reset, init_bbp, toggle_irq, then mac80211's
 * configuration) or NetBSD rt2560 (`rt2560_init`: 48-byte descriptors, RT2560_DEF_MAC, the ASIC reset,
 * RT2560_DEF_BBP, rt2560_set_chan, the receive filter, RT2560_INTR_MASK) does it — which of the two, the
 * channel, the ring sizes and the beacon generator are drawn from the episode's stream. Register values are the
 * drivers' (../shared/facts/rt2560.md §2); BUSY polls become `run` ops longer than the serial interfaces take
 * (nic-models/rt2560/timing.ts).
 *
 * Also a well-behaved traffic burst (a frame queued on the PRIO or TX ring and kicked; the interrupt serviced:
 * CSR7 read and written back, received descriptors handed back to the chip).
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import type { WifiRate } from '../../emulator/machine/net/wireless/radio';
import { r2Word } from '../../nic-models/rt2560/bbp-rf';
import type { Rt2560Core } from '../../nic-models/rt2560/core';
import { isOfdm, txSignal } from '../../nic-models/rt2560/phy';
import { CSR } from '../../nic-models/rt2560/regs';
import { Rt2560Pci } from '../../nic-models/rt2560/rt2560-pci';
import { BBP_RESET_NS, BBP_SERIAL_NS, POWER_TRANSITION_NS, RF_SERIAL_NS } from '../../nic-models/rt2560/timing';
import type { NicOp, NicRig } from './harness';
import { bytesToHex } from './hex';

export const w = (off: number, value: number): NicOp => ({ op: 'wr', space: 'mem', bar: 0, off, size: 4, value: value >>> 0 });
export const r = (off: number): NicOp => ({ op: 'rd', space: 'mem', bar: 0, off, size: 4 });
export const run = (ns: number): NicOp => ({ op: 'run', ns });
export const dma = (addr: number, bytes: Uint8Array): NicOp => ({ op: 'dma', addr, hex: bytesToHex(bytes) });
export function le(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
}

/** Host memory layout (inside the rig's DMA_RAM_BYTES); strides up to 64 fit every ring. */
export const LAYOUT = { tx: 0x10000, atim: 0x14000, prio: 0x18000, beacon: 0x1c000, rx: 0x20000, txBufs: 0x40000, rxBufs: 0x80000, bufBytes: 0x1000 } as const;

/** The geometry the driver chose this episode (kept per rig for the traffic bursts). */
export interface Rings {
  stride: number;
  tx: number;
  atim: number;
  prio: number;
  rx: number;
}
const chosen = new WeakMap<NicRig, Rings>();
export const ringsOf = (rig: NicRig): Rings => chosen.get(rig) ?? { stride: 48, tx: 48, atim: 4, prio: 16, rx: 32 };

/** NetBSD RT2560_DEF_MAC (rt2560reg.h), the register defaults rt2560_init writes. */
const BSD_DEF_MAC: readonly (readonly [number, number])[] = [
  [CSR.PSCSR0, 0x00020002], [CSR.PSCSR1, 0x00000002], [CSR.PSCSR2, 0x00020002], [CSR.PSCSR3, 0x00000002],
  [CSR.TIMECSR, 0x00003f21], [CSR.CSR9, 0x00000780], [CSR.CSR11, 0x07041483], [CSR.CNT3, 0], [CSR.TXCSR1, 0x07614562],
  [CSR.TXCSR8, 0x8c8d8b8a], [CSR.ARTCSR0, 0x7038140a], [CSR.ARTCSR1, 0x21212929], [CSR.ARTCSR2, 0x1d1d1d1d],
  [CSR.RXCSR0, 0xffffffff], [CSR.RXCSR3, 0xb3aab3af], [CSR.PCICSR, 0x000003b8], [CSR.PWRCSR0, 0x3f3b3100],
  [CSR.GPIOCSR, 0x0000ff00], [CSR.TESTCSR, 0x000000f0], [CSR.PWRCSR1, 0x000001ff], [CSR.MACCSR0, 0x00213223],
  [CSR.MACCSR1, 0x00235518], [CSR.MACCSR2, 0x00000040], [CSR.RALINKCSR, 0x9a009a11], [CSR.CSR7, 0xffffffff],
  [CSR.BBPCSR1, 0x82188200], [CSR.TXACKCSR0, 0x00000020], [CSR.SECCSR3, 0x0000e78f],
];
/** BBP registers both drivers program (rt2500pci_init_bbp; NetBSD RT2560_DEF_BBP adds R17 and R75). */
const DEF_BBP: readonly (readonly [number, number])[] = [
  [3, 0x02], [4, 0x19], [14, 0x1c], [15, 0x30], [16, 0xac], [17, 0x48], [18, 0x18], [19, 0xff], [20, 0x1e], [21, 0x08],
  [22, 0x08], [23, 0x08], [24, 0x70], [25, 0x40], [26, 0x08], [27, 0x23], [30, 0x10], [31, 0x2b], [32, 0xb9], [34, 0x12],
  [35, 0x50], [39, 0xc4], [40, 0x02], [41, 0x60], [53, 0x10], [54, 0x18], [56, 0x08], [57, 0x10], [58, 0x08], [61, 0x6d],
  [62, 0x10],
];
/** Interrupts unmasked: rt2500pci_toggle_irq (TBCN, TXDONE ×3, RXDONE) and NetBSD RT2560_INTR_MASK. */
const LINUX_IRQS = 0x01 | 0x08 | 0x10 | 0x20 | 0x40;
const BSD_IRQS = 0x01 | 0x02 | 0x08 | 0x20 | 0x40 | 0x80 | 0x100;

export const bbpWrite = (reg: number, v: number): NicOp[] => [w(CSR.BBPCSR, (v & 0xff) | ((reg & 0x7f) << 8) | 0x8000 | 0x10000), run(BBP_SERIAL_NS + 500)];
export const rfWrite = (word: number): NicOp[] => [w(CSR.RFCSR, (0x80000000 | (20 << 24) | (word & 0xffffff)) >>> 0), run(RF_SERIAL_NS + 500)];

/** rt2500pci_config_channel on the RF2525: R1, R2 for the channel, R3 with the TX power, R4. */
export function tuneOps(channel: number, dbm = 18): NicOp[] {
  return [...rfWrite(0x08808 << 2), ...rfWrite(r2Word(channel)), ...rfWrite(((((0x18044 | (dbm << 7)) & 0x3ffff) << 2) | 1) >>> 0), ...rfWrite((0x00281 << 2) | 3)];
}

/** A transmit descriptor as rt2500pci_write_tx_desc / NetBSD rt2560_setup_tx_desc fill it (W0 last, by the caller). */
export function txDesc(stride: number, buf: number, len: number, rate: WifiRate, w0Extra: number): Uint8Array {
  const d = new Uint8Array(stride);
  const dv = new DataView(d.buffer);
  dv.setUint32(4, buf >>> 0, true);
  dv.setUint32(8, (2 << 6) | (4 << 8) | (10 << 12), true);
  dv.setUint32(12, (txSignal(rate) | (((len + 4) & 0xffff) << 16)) >>> 0, true);
  dv.setUint32(0, (0x1 | 0x2 | (isOfdm(rate) ? 0x800 : 0) | ((len & 0xfff) << 16) | w0Extra) >>> 0, true);
  return d;
}

/** The whole receive ring handed to the chip: OWNER_NIC descriptors with a buffer each. */
export function rxRing(g: Rings): Uint8Array {
  const b = new Uint8Array(g.rx * g.stride);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < g.rx; i++) {
    dv.setUint32(i * g.stride + 4, LAYOUT.rxBufs + LAYOUT.bufBytes * i, true);
    dv.setUint32(i * g.stride, 1, true);
  }
  return b;
}

export function bringUpOps(rng: Rng, mac: Uint8Array): { ops: NicOp[]; rings: Rings } {
  const linux = rng.chance(0.5);
  const g: Rings = linux ? { stride: 44, tx: 32, atim: 8, prio: 32, rx: 32 } : { stride: 48, tx: 48, atim: 4, prio: 16, rx: 32 };
  const ops: NicOp[] = [dma(LAYOUT.rx, rxRing(g)), dma(LAYOUT.tx, new Uint8Array(g.tx * g.stride)), dma(LAYOUT.prio, new Uint8Array(g.prio * g.stride))];
  const macLo = (mac[0]! | (mac[1]! << 8) | (mac[2]! << 16) | (mac[3]! << 24)) >>> 0;
  const macHi = mac[4]! | (mac[5]! << 8);
  // "rings _must_ be initialized in this _exact_ order" (NetBSD rt2560_init; rt2500pci_init_queues alike).
  ops.push(w(CSR.TXCSR2, g.stride | (g.tx << 8) | (g.atim << 16) | (g.prio << 24)), w(CSR.TXCSR3, LAYOUT.tx), w(CSR.TXCSR5, LAYOUT.prio));
  ops.push(w(CSR.TXCSR4, LAYOUT.atim), w(CSR.TXCSR6, LAYOUT.beacon), w(CSR.RXCSR1, g.stride | (g.rx << 8)), w(CSR.RXCSR2, LAYOUT.rx));
  if (linux) {
    ops.push(w(CSR.CSR9, (2432 / 128) << 7), w(CSR.CSR11, 0x07041483 & ~0x2000), w(CSR.CSR14, 0), w(CSR.PWRCSR1, 0x1 | (3 << 1) | (3 << 3)), run(POWER_TRANSITION_NS + 10_000), r(CSR.PWRCSR1));
    ops.push(w(CSR.MACCSR0, 0x00213223), w(CSR.MACCSR1, 0x00235518), w(CSR.MACCSR2, 64), w(CSR.CSR1, 1), w(CSR.CSR1, 4), r(CSR.CNT0), r(CSR.CNT4));
  } else {
    for (const [off, v] of BSD_DEF_MAC) ops.push(w(off, v));
    ops.push(w(CSR.CSR3, macLo), w(CSR.CSR4, macHi), w(CSR.CSR18, 20 << 16), w(CSR.CSR19, 40 | (364 << 16)), w(CSR.CSR1, 1), w(CSR.CSR1, 4));
  }
  ops.push(run(BBP_RESET_NS + 2_000));
  for (const [reg, v] of DEF_BBP) ops.push(...bbpWrite(reg, v));
  ops.push(w(CSR.CSR7, 0xffffffff), w(CSR.CSR8, ~(linux ? LINUX_IRQS : BSD_IRQS) >>> 0));
  if (linux) ops.push(w(CSR.TXCSR1, 0x162 | (0xa2 << 9) | (24 << 18) | 0x01000000), w(CSR.CSR11, (0x07041483 & ~0x3f00) | (20 << 8)), w(CSR.CSR18, 10 | (30 << 16)), w(CSR.CSR19, 50 | (364 << 16)), w(CSR.CSR3, macLo), w(CSR.CSR4, macHi));
  ops.push(w(CSR.CSR5, macLo), w(CSR.CSR6, macHi), ...tuneOps(1 + rng.below(14)));
  if (rng.chance(0.3)) {
    // Host AP / IBSS: beacon interval (in 1/16 TU: NetBSD rt2560_enable_tsf_sync), TSF counting, TBCN and beacons.
    const beacon = new Uint8Array(g.stride);
    ops.push(dma(LAYOUT.beacon, beacon), w(CSR.CSR12, (100 * 16) | ((100 * 16) << 16)), w(CSR.CSR14, 0x1 | (2 << 1) | 0x8 | 0x40));
  }
  ops.push(w(CSR.RXCSR0, 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40), run(linux ? 10_000 : POWER_TRANSITION_NS + 10_000));
  return { ops, rings: g };
}

export function remember(rig: NicRig, g: Rings): void {
  chosen.set(rig, g);
}

/** The chip behind a rig, for reads of its state without side effects (inspect-style peeks, never the read path). */
export function peekCore(rig: NicRig): Rt2560Core | null {
  return rig.device instanceof Rt2560Pci ? rig.device.core : null;
}

const cursors = new WeakMap<NicRig, { tx: number; prio: number }>();

/** A data frame (ToDS, to a peer) or a broadcast management frame, queued at the ring's index and kicked. */
export function sendFrameOps(rng: Rng, rig: NicRig, mac: Uint8Array): NicOp[] {
  const g = ringsOf(rig);
  const prio = rng.chance(0.6);
  const ring = prio ? 'prio' : 'tx';
  const count = prio ? g.prio : g.tx;
  // The driver's own producer (a frame in flight keeps the chip's index where it is); it starts at the chip's.
  const cur = cursors.get(rig) ?? { tx: peekCore(rig)?.tx.idx.tx ?? 0, prio: peekCore(rig)?.tx.idx.prio ?? 0 };
  const idx = cur[ring] % Math.max(1, count);
  cur[ring] = (idx + 1) % Math.max(1, count);
  cursors.set(rig, cur);
  const len = 24 + rng.below(rng.chance(0.8) ? 100 : 1500);
  const f = new Uint8Array(len);
  f[0] = rng.chance(0.5) ? 0x08 : 0x80;
  f.fill(0xff, 4, 10);
  if (f[0] === 0x08 && rng.chance(0.5)) f.set([0x02, 0x00, 0x5e, 0x77, 0x77, 0x77], 4);
  f.set(mac, 10);
  f.set(mac, 16);
  for (let i = 24; i < len; i++) f[i] = (i + idx) & 0xff;
  const rate = ([1, 2, 5.5, 11, 6, 12, 24, 54] as const)[rng.below(8)]!;
  const buf = LAYOUT.txBufs + LAYOUT.bufBytes * (idx % 32);
  const ack = f[4] === 0xff ? 0 : 0x200;
  const base = prio ? LAYOUT.prio : LAYOUT.tx;
  return [dma(buf, f), dma(base + idx * g.stride, txDesc(g.stride, buf, len, rate, ack)), w(CSR.TXCSR0, prio ? 4 : 1), run(rng.below(3_000_000))];
}

/** The interrupt handler: sample the line, read CSR7, acknowledge it, hand the received descriptors back. */
export function serviceOps(rig: NicRig): NicOp[] {
  const g = ringsOf(rig);
  const c = peekCore(rig);
  const csr7 = c?.get(CSR.CSR7) ?? 0;
  const ops: NicOp[] = [{ op: 'irq-ack' }, r(CSR.CSR7), w(CSR.CSR7, csr7)];
  if (csr7 & 0x40) ops.push(dma(LAYOUT.rx, rxRing(g)));
  return ops;
}
