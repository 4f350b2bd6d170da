/**
 * Hostile bursts for the RT2560 (docs/fuzzing.md "nic/rt2560"): what a buggy or malicious driver, or a hostile
 * station on the air, can do to the chip (docs/models/rt2560.md) — TX/ATIM/PRIO/beacon and RX ring CSRs with
 * bases at, past or across the end of RAM, unaligned, strides below a descriptor, entry counts 0 and 255;
 * descriptors whose OWNER_NIC/VALID (or CIPHER_OWNER) bits fill a whole ring, lengths 0, 1, 2346, 2354, 4095;
 * unknown PLCP SIGNALs; cipher algorithms 0–7 with IV offsets and keys at random, one-shot kicks at any address
 * and more than the engine queues; BBP and RF serial writes while BUSY, RF words of the wrong length and
 * off-table channels; beacons and ATIM kicks with the chip idle or asleep, TSF loads, beacon intervals 0 and 1;
 * power-state changes, soft resets and BBP resets mid-traffic; the EEPROM's Microwire pins bit-banged at random;
 * and 802.11 frames from the air that are malformed: truncated headers, bad protocol versions, the Protected bit
 * without keys, control frames (RTS, CTS, ACK, PS-Poll) to us, beacons carrying our BSSID (TSF sync), Duration
 * values that set the NAV far ahead. Every choice comes from the episode's stream.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { CSR } from '../../nic-models/rt2560/regs';
import { pick, runOp, value } from './harness-ops';
import { DMA_RAM_BYTES } from './harness-limits';
import { RIG_MAC } from './harness-rig';
import type { NicOp, NicRig } from './harness';
import { bytesToHex } from './hex';
import { bbpWrite, bringUpOps, dma, LAYOUT, le, peekCore, r, remember, ringsOf, rfWrite, run, sendFrameOps, serviceOps, tuneOps, txDesc, w } from './rt2560-driver';

/** Host addresses: inside RAM, at and across its end, far past it, unaligned, 0. */
export function hostAddr(rng: Rng, span = 64): number {
  const k = rng.below(8);
  if (k < 3) return rng.below(DMA_RAM_BYTES - span);
  if (k === 3) return DMA_RAM_BYTES - span + rng.below(2 * span);
  if (k === 4) return DMA_RAM_BYTES + rng.below(0x100000);
  if (k === 5) return 0xffffffff - rng.below(64);
  if (k === 6) return rng.below(DMA_RAM_BYTES) | pick(rng, [1, 2, 3]);
  return 0;
}

const RING_BASE = { tx: CSR.TXCSR3, atim: CSR.TXCSR4, prio: CSR.TXCSR5, beacon: CSR.TXCSR6, rx: CSR.RXCSR2 } as const;

/** Ring CSRs rewritten: geometry (stride, counts) and bases anywhere; then a kick or frames. */
function ringCsrs(rng: Rng): NicOp[] {
  const ops: NicOp[] = [];
  const stride = pick(rng, [0, 1, 15, 16, 44, 48, 255, rng.below(256)]);
  const count = (): number => pick(rng, [0, 1, 2, 4, 32, 255, rng.below(256)]);
  if (rng.chance(0.5)) ops.push(w(CSR.TXCSR2, stride | (count() << 8) | (count() << 16) | (count() << 24)));
  if (rng.chance(0.5)) ops.push(w(CSR.RXCSR1, stride | (count() << 8)));
  const ring = pick(rng, ['tx', 'atim', 'prio', 'beacon', 'rx'] as const);
  if (rng.chance(0.7)) ops.push(w(RING_BASE[ring], hostAddr(rng, 255 * 48)));
  ops.push(w(CSR.TXCSR0, rng.below(16)), runOp(rng));
  return ops;
}

/** A whole ring of NIC-owned descriptors (lengths and SIGNALs hostile or valid), then kicks: the chain never ends. */
function ownedRing(rng: Rng, rig: NicRig): NicOp[] {
  const g = ringsOf(rig);
  const which = pick(rng, ['tx', 'prio', 'atim'] as const);
  const count = which === 'tx' ? g.tx : which === 'prio' ? g.prio : g.atim;
  const ring = new Uint8Array(count * g.stride);
  const dv = new DataView(ring.buffer);
  for (let i = 0; i < count; i++) {
    const len = pick(rng, [0, 1, 9, 10, 24, 100, 1500, 2346, 2354, 2355, 4095]);
    const d = txDesc(g.stride, rng.chance(0.9) ? LAYOUT.txBufs + rng.below(0x3f000) : hostAddr(rng, len), len, pick(rng, [1, 2, 11, 6, 54] as const), rng.u32() & 0xe000f3fc);
    ring.set(d, i * g.stride);
    if (rng.chance(0.2)) dv.setUint8(i * g.stride + 12, rng.below(256)); // an unknown PLCP SIGNAL now and then
  }
  const base = which === 'tx' ? LAYOUT.tx : which === 'prio' ? LAYOUT.prio : LAYOUT.atim;
  return [dma(base, ring), w(CSR.TXCSR0, which === 'tx' ? 1 : which === 'prio' ? 4 : 2), run(rng.below(5_000_000))];
}

/** Cipher descriptors (any algorithm, IV offset, key) on the TX and RX rings, walks and one-shots kicked. */
function cipher(rng: Rng, rig: NicRig): NicOp[] {
  const g = ringsOf(rig);
  const enc = rng.chance(0.5);
  const ops: NicOp[] = [];
  const n = 1 + rng.below(enc ? g.tx : g.rx);
  for (let k = 0; k < n; k++) {
    const i = k % (enc ? g.tx : g.rx);
    const d = new Uint8Array(g.stride);
    const dv = new DataView(d.buffer);
    const len = pick(rng, [0, 24, 40, 41, 100, 1500, 2338, 2339, 4095]);
    const alg = rng.below(8) << 29;
    const w0 = enc ? 0x1000 | ((len & 0xfff) << 16) | alg | (rng.u32() & 0x0c00) : 0x100 | ((len & 0xfff) << 16) | alg | (pick(rng, [24, 26, 30, 32, rng.below(64)]) << 10);
    dv.setUint32(0, w0 >>> 0, true);
    dv.setUint32(4, rng.chance(0.85) ? (enc ? LAYOUT.txBufs : LAYOUT.rxBufs) + LAYOUT.bufBytes * i : hostAddr(rng, len), true);
    dv.setUint32(8, pick(rng, [24, 26, 30, 32, rng.below(64)]), true);
    for (let b = 16; b < Math.min(40, g.stride); b++) d[b] = rng.below(256);
    ops.push(dma((enc ? LAYOUT.tx : LAYOUT.rx) + i * g.stride, d));
  }
  const reg = enc ? CSR.SECCSR1 : CSR.SECCSR0;
  for (let k = rng.chance(0.3) ? 6 : 1; k > 0; k--) {
    const oneShot = rng.chance(0.4);
    ops.push(w(reg, oneShot ? ((hostAddr(rng, 40) & ~3) | 0x3) >>> 0 : 0x1));
  }
  ops.push(r(reg), run(rng.below(2_000_000)));
  return ops;
}

/** BBP/RF serial writes back to back (the second while BUSY), reads, RF words of any length and channel. */
function serial(rng: Rng): NicOp[] {
  const ops: NicOp[] = [];
  for (let k = 1 + rng.below(4); k > 0; k--) {
    const bbp = rng.chance(0.5);
    const v = bbp ? (rng.below(0x20000) | (rng.chance(0.8) ? 0x8000 : 0)) : (rng.u32() | (rng.chance(0.8) ? 0x80000000 : 0)) >>> 0;
    ops.push(w(bbp ? CSR.BBPCSR : CSR.RFCSR, v));
    if (rng.chance(0.5)) ops.push(r(bbp ? CSR.BBPCSR : CSR.RFCSR));
    if (rng.chance(0.3)) ops.push(run(rng.below(3_000)));
  }
  if (rng.chance(0.3)) ops.push(...rfWrite(((rng.below(0x40000) << 2) | 2) >>> 0));
  if (rng.chance(0.2)) ops.push(...tuneOps(1 + rng.below(14), rng.below(32)));
  if (rng.chance(0.2)) ops.push(...bbpWrite(rng.below(128), rng.below(256)));
  return ops;
}

/** Beacon and ATIM with the chip idle: TSF loads, beacon intervals 0/1/huge, TBCN and BEACON_GEN, a garbage beacon descriptor. */
function beacons(rng: Rng, rig: NicRig): NicOp[] {
  const g = ringsOf(rig);
  const ops: NicOp[] = [];
  if (rng.chance(0.5)) {
    const len = pick(rng, [0, 10, 24, 36, 100, 2346, 3000]);
    const d = txDesc(g.stride, rng.chance(0.8) ? LAYOUT.txBufs : hostAddr(rng, len), len, 1, rng.chance(0.5) ? 0x400 : 0);
    ops.push(dma(LAYOUT.beacon, d));
  }
  ops.push(w(CSR.CSR12, pick(rng, [0, 1, 16, 1600, 0xffff, value(rng)])));
  if (rng.chance(0.3)) ops.push(w(CSR.CSR16, rng.u32()), w(CSR.CSR17, pick(rng, [0, 1, 0xffffffff, rng.u32()])));
  if (rng.chance(0.3)) ops.push(w(CSR.BCNCSR1, rng.u32()));
  ops.push(w(CSR.CSR14, pick(rng, [0, 0x1, 0x9, 0x49, 0x4b, 0x4d, 0x4f, rng.u32()])));
  if (rng.chance(0.4)) ops.push(w(CSR.TXCSR0, 0x2));
  ops.push(run(rng.below(20_000_000)));
  return ops;
}

/** Power states, soft resets, BBP resets, receiver on/off mid-traffic. */
function resets(rng: Rng): NicOp[] {
  const k = rng.below(5);
  if (k === 0) return [w(CSR.PWRCSR1, rng.below(0x400)), run(rng.below(1_000_000))];
  if (k === 1) return [w(CSR.CSR1, 1), w(CSR.CSR1, pick(rng, [0, 4, 2, 3]))];
  if (k === 2) return [w(CSR.CSR1, 2), run(rng.below(20_000)), w(CSR.CSR1, 4)];
  if (k === 3) return [w(CSR.RXCSR0, rng.chance(0.5) ? 0x7e : rng.below(0x1000))];
  return [w(CSR.TXCSR0, 0x8), w(CSR.CSR8, rng.u32()), w(CSR.CSR7, rng.u32())];
}

/** The 93C66's pins bit-banged at random (READ, EWEN, ERASE, ERAL and WRAL opcodes happen by chance too). */
function eeprom(rng: Rng): NicOp[] {
  const ops: NicOp[] = [];
  for (let k = 4 + rng.below(40); k > 0; k--) ops.push(w(CSR.CSR21, rng.below(0x40)));
  if (rng.chance(0.5)) ops.push(r(CSR.CSR21), run(rng.below(50_000)));
  return ops;
}

/** An 802.11 MPDU as the air delivers it (FCS excluded): malformed on purpose. */
function airFrame(rng: Rng): NicOp {
  const kind = rng.below(8);
  const len = kind === 0 ? 1 + rng.below(23) : 24 + rng.below(rng.chance(0.9) ? 200 : 2400);
  const f = new Uint8Array(len);
  for (let i = 0; i < len; i++) f[i] = rng.below(256);
  const fc = [0x08, 0x88, 0x80, 0x50, 0xb4, 0xc4, 0xd4, 0xa4, 0x40, rng.below(256)][rng.below(10)]!;
  f[0] = kind === 1 ? fc | (1 + rng.below(3)) : fc; // kind 1: a protocol version other than 0
  if (len > 1) f[1] = kind === 2 ? 0x40 | rng.below(4) : rng.chance(0.7) ? rng.below(4) : rng.below(256); // kind 2: Protected, no key
  if (len > 3 && rng.chance(0.6)) {
    const dur = pick(rng, [0, 44, 314, 0x7fff, 0x8000 | rng.below(0x8000)]);
    f[2] = dur & 0xff;
    f[3] = dur >>> 8;
  }
  if (len >= 10) f.set(rng.chance(0.5) ? RIG_MAC : pick(rng, [new Uint8Array(6).fill(0xff), Uint8Array.of(0x01, 0, 0x5e, 1, 2, 3)]), 4);
  if (len >= 22 && (fc === 0x80 || fc === 0x50) && rng.chance(0.5)) f.set(RIG_MAC, 16); // a beacon "from our BSS": TSF sync
  return { op: 'rx', hex: bytesToHex(f) };
}

function air(rng: Rng): NicOp[] {
  const ops: NicOp[] = [];
  for (let k = 1 + rng.below(3); k > 0; k--) ops.push(airFrame(rng), run(rng.below(3_000_000)));
  return ops;
}

/** RX descriptors handed back with junk: buffers anywhere, CIPHER_OWNER, some not owned. */
function rxDescriptors(rng: Rng, rig: NicRig): NicOp[] {
  const g = ringsOf(rig);
  const ops: NicOp[] = [];
  for (let k = 1 + rng.below(8); k > 0; k--) {
    const i = rng.below(g.rx);
    const buf = rng.chance(0.7) ? LAYOUT.rxBufs + LAYOUT.bufBytes * i : hostAddr(rng, 2400);
    ops.push(dma(LAYOUT.rx + i * g.stride, Uint8Array.of(...le(pick(rng, [1, 1, 0x101, 0, rng.u32()])), ...le(buf))));
  }
  ops.push(airFrame(rng), run(rng.below(2_000_000)));
  return ops;
}

const KINDS: readonly ((rng: Rng, rig: NicRig) => NicOp[])[] = [ringCsrs, ownedRing, cipher, serial, beacons, resets, eeprom, air, rxDescriptors];

/** One hostile burst: a mechanism-aimed attack, or the driver doing its job (traffic, interrupt service). */
export function rt2560Hostile(rng: Rng, rig: NicRig): NicOp[] {
  // A chip some op put to sleep or stopped receiving is brought up again, as the drivers' reset paths do, so the
  // rest of the episode hits a running chip again.
  const c = peekCore(rig);
  if (c && !(c.awake && c.rx.enabled) && rng.chance(0.25)) {
    const b = bringUpOps(rng, RIG_MAC);
    remember(rig, b.rings);
    return b.ops;
  }
  const k = rng.below(100);
  if (k < 20) return sendFrameOps(rng, rig, RIG_MAC);
  if (k < 32) return [...serviceOps(rig), runOp(rng)];
  if (k < 36) return [{ op: 'wr', space: 'cfg', bar: 0, off: 0x04, size: 2, value: 0x0006 }];
  return pick(rng, KINDS)(rng, rig);
}

