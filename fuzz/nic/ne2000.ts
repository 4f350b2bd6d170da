/**
 * The NE2000 fuzz targets, `nic/ne2000-isa` and `nic/rtl8029` (docs/fuzzing.md): one DP8390 hostile driver for
 * both cards (the RTL8029 adds its page-3 configuration registers). Hostile bursts draw from facts/ne2000.md §5:
 * ring pointers (PSTART, PSTOP, BNRY, CURR, TPSR) set to 0x00, 0xFF, ≥ 0xC0, PSTOP ≤ PSTART, PSTOP below CURR;
 * remote DMA with odd RSAR, RBCR 0 or huge, bursts on the data port in all widths with DCR flipped between byte
 * and word mode mid-transfer; Send Packet over a corrupt ring header; TXP with nonsense TPSR/TBCR, in loopback;
 * the reset port; wide accesses across register offsets; frames to the card. Invariants: ne2000-check.ts.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { ne2000IsaKind, rtl8029Kind } from '../../nic-models/ne2000/description';
import type { NicKind } from '../../nic-models/kind';
import type { FuzzTarget } from '../target';
import { nicTarget, type NicFuzzModel, type NicOp, type NicRig } from './harness';
import { NO_HOST_DMA } from './harness-dma';
import { frame, pick, runOp } from './harness-ops';
import { NE2000_CORPUS } from './ne2000-corpus';
import { checkNe2000, coreOf } from './ne2000-check';
import { serviceReceive, serviceTransmit } from './ne2000-driver';
import {
  BNRY, CR, DATAPORT, DCR, IMR, ISR, P1_CURR, PSTART, PSTOP, RBCR0, RBCR1, RCR, RESET, RSAR0, RSAR1, TBCR0, TBCR1, TCR, TPSR,
  inb, inp, ns8390Init, out, outb, page1, remote, transmit,
} from './ne2000-ops';

/** facts/ne2000.md §5 vectors for a page pointer. */
const POINTER_VECTORS = [0x00, 0xff, 0xc0, 0xfe, 0x40, 0x46, 0x4c, 0x7f, 0x80, 0x20];
const COUNT_VECTORS = [0, 1, 2, 3, 4, 59, 60, 1514, 1518, 0x0fff, 0x4000, 0x8000, 0xfffe, 0xffff];

function pointer(rng: Rng): number {
  return rng.chance(0.7) ? pick(rng, POINTER_VECTORS) + (rng.chance(0.2) ? rng.below(8) : 0) : rng.below(256);
}
function count(rng: Rng): number {
  return rng.chance(0.7) ? pick(rng, COUNT_VECTORS) : rng.below(0x10000);
}
const SIZES = [1, 2, 4] as const;

/** Ring pointers: one of PSTART, PSTOP, BNRY, CURR (page 1), TPSR, or PSTOP below CURR. */
function ringPointers(rng: Rng): NicOp[] {
  switch (rng.below(6)) {
    case 0:
      return [outb(PSTART, pointer(rng))];
    case 1:
      return [outb(PSTOP, pointer(rng))];
    case 2:
      return [outb(BNRY, pointer(rng))];
    case 3:
      return page1(P1_CURR, pointer(rng));
    case 4: {
      const start = pointer(rng);
      return [outb(PSTART, start), outb(PSTOP, rng.chance(0.5) ? start : (start - rng.below(16)) & 0xff)];
    }
    default: {
      const curr = 0x50 + rng.below(0x30);
      return [...page1(P1_CURR, curr), outb(PSTOP, curr - 1 - rng.below(8))];
    }
  }
}

/** A remote DMA programmed with hostile address and count, then a burst on the data port (DCR may flip). */
function remoteBurst(rng: Rng): NicOp[] {
  const addr = rng.chance(0.3) ? pointer(rng) * 256 + rng.below(256) : rng.below(0x10000);
  const rd = pick(rng, [1, 1, 2, 2, 3] as const);
  const ops = remote(rng.chance(0.3) ? addr | 1 : addr, count(rng), rd);
  const n = rng.below(rng.chance(0.1) ? 600 : 40);
  const dir = rd === 2 ? 'wr' : 'rd';
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.03)) ops.push(outb(DCR, rng.chance(0.5) ? 0x48 : 0x49));
    const size = pick(rng, SIZES);
    const off = DATAPORT + (rng.chance(0.1) ? rng.below(8) : 0);
    ops.push(rng.chance(0.9) === (dir === 'rd') ? inp(off, size) : out(off, size, rng.u32()));
  }
  return ops;
}

/** TXP with hostile TPSR/TBCR, sometimes in loopback, sometimes with STP or a page bit in the command. */
function hostileTransmit(rng: Rng): NicOp[] {
  const ops: NicOp[] = [];
  if (rng.chance(0.3)) ops.push(outb(TCR, pick(rng, [0x00, 0x02, 0x04, 0x06, 0x01, 0x08, 0x10])));
  ops.push(...transmit(pointer(rng), count(rng)));
  if (rng.chance(0.3)) ops[ops.length - 1] = outb(CR, pick(rng, [0x04, 0x05, 0x06, 0x07, 0x26, 0x3e, 0x64, 0xa6, 0x1e]));
  ops.push(runOp(rng));
  return ops;
}

/** The RTL8029's page 3: 9346CR to config-write mode, CONFIG3 (FUDUP, LEDs, sleep, power-down) or others. */
function page3(rng: Rng): NicOp[] {
  return [outb(CR, 0xe0 | (rng.below(2) << 1)), outb(0x01, pick(rng, [0xc0, 0x40, 0x80, 0x00, rng.below(256)])), outb(rng.below(16), rng.below(256)), outb(0x01, 0), outb(CR, 0x22)];
}

/** A frame and the time it takes to cross the wire at 10 Mb/s (0.8 µs a byte, preamble and FCS included), and a little more. */
function arrive(rng: Rng, rig: NicRig): NicOp[] {
  const f = frame(rng, rig);
  const len = f.op === 'rx' ? f.hex.length / 2 : 0;
  return [f, { op: 'run', ns: (len + 12) * 800 + rng.below(60_000) }];
}

/** One hostile burst. */
function hostile(rng: Rng, rig: NicRig, rtl: boolean): NicOp[] {
  // A stopped chip (a reset, STP) is brought back now and then, as a driver's watchdog would (ei_tx_timeout).
  if (coreOf(rig).regs.stopped && rng.chance(0.2)) return ns8390Init(0x40 + rng.below(0x20), 0x80 - rng.below(0x10), pick(rng, [0x04, 0x0c, 0x1c, 0x06]));
  const r = rng.below(100);
  if (r < 12) return [...serviceReceive(rig), runOp(rng)];
  if (r < 17) return [...serviceTransmit(rng), runOp(rng)];
  if (r < 32) return [...Array.from({ length: 1 + rng.below(6) }, () => arrive(rng, rig)).flat(), ...(rng.chance(0.5) ? serviceReceive(rig) : [])];
  if (r < 38) return ringPointers(rng);
  if (r < 50) return remoteBurst(rng);
  if (r < 57) return hostileTransmit(rng);
  if (r < 63) return [frame(rng, rig), runOp(rng)]; // and sometimes cut short by the next op
  if (r < 66) return [inb(RESET), outb(RESET, 0xff), ...(rng.chance(0.7) ? ns8390Init(0x40 + rng.below(0x20), 0x80 - rng.below(0x10)) : [])];
  if (r < 73) return [outb(ISR, rng.below(256)), outb(IMR, rng.below(256))];
  if (r < 78) return [outb(RCR, rng.below(64)), outb(DCR, rng.below(256))];
  if (r < 83) return [inp(0x0c + rng.below(4), pick(rng, SIZES)), inp(0x0d, 1), inp(0x0e, 1), inp(0x0f, 1)];
  if (r < 88) return [out(rng.below(0x20), pick(rng, [2, 4] as const), rng.u32())];
  if (r < 92) return [outb(RSAR0, rng.below(256)), outb(RSAR1, rng.below(256)), outb(RBCR0, rng.below(256)), outb(RBCR1, rng.below(256)), outb(TBCR0, rng.below(256)), outb(TBCR1, rng.below(256))];
  if (r < 95 && rtl) return page3(rng);
  return [outb(CR, rng.below(256)), inb(CR), inb(rng.below(16)), { op: 'irq-ack' }];
}

/** The NE2000 fuzz model for `kind` (`rtl`: with the RTL8029's page 3); tests plant bugs in a wrapped kind. */
export function ne2000Model(kind: NicKind, rtl: boolean): NicFuzzModel {
  return {
    kind,
    bringUp: (rng) => {
      const start = 0x40 + rng.below(0x10);
      const stop = rng.chance(0.8) ? 0x80 : start + 2 + rng.below(0x30);
      return [...ns8390Init(start, stop, pick(rng, [0x04, 0x0c, 0x1c, 0x06, 0x14])), ...(rng.chance(0.3) ? [outb(TCR, 0x02)] : [])];
    },
    hostile: (rng, rig) => hostile(rng, rig, rtl),
    check: checkNe2000,
    hostileShare: 0.85,
    corpus: NE2000_CORPUS,
    // The DP8390's remote DMA moves bytes between its own buffer RAM and the data port: no NE2000 or RTL8029 masters
    // the host bus, so no host region is given and any transfer would fail (the rig gives such a card no bus master).
    dma: NO_HOST_DMA,
  };
}

/** ≥ 10^7 ops per NE2000 model in a default run (issue 14 §2); 2·10^5 in CI's quick pass. */
const INPUTS = { default: 10_000_000, quick: 200_000 };

export const ne2000IsaTarget: FuzzTarget = nicTarget(ne2000Model(ne2000IsaKind, false), INPUTS);
export const rtl8029Target: FuzzTarget = nicTarget(ne2000Model(rtl8029Kind, true), INPUTS);

