/**
 * Driver-like NE2000 bursts, so hostile episodes reach deep states (a ring that fills, wraps and overflows; a
 * transmitter that finishes; interrupts acknowledged): Linux `ei_receive` (facts/ne2000.md §2 "Receive") and the
 * transmit upload and send (§2 "Transmit"), written from the documented register order. They read the chip's
 * state through the core's fields (peek, no side effects) to decide what to do, as a driver would after reading
 * the registers; everything they do goes through ops.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import type { NicOp, NicRig } from './harness';
import { coreOf } from './ne2000-check';
import { BNRY, CR, DATAPORT, ISR, inb, inp, outb, out, remote, transmit } from './ne2000-ops';
import { RIG_MAC } from './harness-rig';

/** At most this many packets per receive burst (ei_receive takes ≤ 9 per call). */
const RX_PER_CALL = 9;

/** Receive like ei_receive: headers at BNRY + 1 up to CURR, each packet read in one remote read, BNRY moved. */
export function serviceReceive(rig: NicRig): NicOp[] {
  const core = coreOf(rig);
  const r = core.regs;
  const ops: NicOp[] = [outb(CR, 0x62), inb(0x07), outb(CR, 0x22), inb(ISR)];
  if (r.pstop <= r.pstart) return ops;
  let bnry = r.bnry;
  for (let n = 0; n < RX_PER_CALL; n++) {
    let page = bnry + 1;
    if (page >= r.pstop) page = r.pstart;
    if (page === r.curr || page < r.pstart || page >= r.pstop) break;
    const at = page << 8;
    const next = core.mem.read8(at + 1);
    const count = core.mem.read8(at + 2) | (core.mem.read8(at + 3) << 8);
    ops.push(...remote(at, 4, 1), inp(DATAPORT, 4));
    const len = Math.min(count, 1518);
    if (len > 4) ops.push(...remote(at + 4, len - 4, 1), ...Array.from({ length: Math.ceil((len - 4) / 2) }, () => inp(DATAPORT, 2)));
    const ok = next >= r.pstart && next < r.pstop;
    bnry = ok ? (next === r.pstart ? r.pstop - 1 : next - 1) : r.pstart;
    ops.push(outb(BNRY, bnry));
    if (!ok) break;
  }
  ops.push(outb(ISR, r.isr & 0x7f));
  return ops;
}

/** Transmit like ei_start_xmit: upload a frame from us to page TPSR in words, then TXP. */
export function serviceTransmit(rng: Rng): NicOp[] {
  const len = 60 + rng.below(rng.chance(0.8) ? 200 : 1455);
  const page = 0x40 + rng.below(6);
  const words = Math.ceil(len / 2);
  const ops: NicOp[] = [outb(ISR, 0x40), ...remote(page << 8, words * 2, 2)];
  ops.push(out(DATAPORT, 2, 0xffff), out(DATAPORT, 2, 0xffff), out(DATAPORT, 2, 0xffff));
  ops.push(out(DATAPORT, 2, RIG_MAC[0]! | (RIG_MAC[1]! << 8)), out(DATAPORT, 2, RIG_MAC[2]! | (RIG_MAC[3]! << 8)), out(DATAPORT, 2, RIG_MAC[4]! | (RIG_MAC[5]! << 8)));
  for (let i = 6; i < words; i++) ops.push(out(DATAPORT, 2, rng.below(0x10000)));
  ops.push(outb(CR, 0x22), inb(CR), ...transmit(page, len));
  return ops;
}
