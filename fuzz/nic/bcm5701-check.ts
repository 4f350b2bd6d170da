/**
 * The BCM5701's own invariants (docs/fuzzing.md "nic/bcm5701"), checked after every op from the chip's state as
 * the debugger reads it (fields and register-file peeks; never the read path, which could have effects):
 *
 * - INTA# is what irq.ts says the chip drives: the interrupt latch and not MISC_HOST_CTRL.MASK_PCI_INT (tg3
 *   `tg3_interrupt`'s description, docs/models/bcm5701.md "Interrupts"), and the wire carries that level.
 * - PCISTATE.INT_NOT_ACTIVE reads as the inverse of INTA# (tg3_interrupt reads it to tell a shared line's
 *   interrupt from ours).
 * - Every ring index lies inside its ring (send 512, standard 512, return 1024; tg3.h TG3_TX_RING_SIZE,
 *   TG3_RX_STD_MAX_SIZE_5700, TG3_RX_RET_MAX_SIZE_5700); the status tag is 8 bits.
 * - In ring space the chip never consumes past the host's producer: during one op the send ring's fetch index
 *   and the standard ring's BD-fetch index advance by at most their distance to the producer as it stands after
 *   the op (a producer is written at most once per op and read by the chip only after).
 * - The return ring's producer never advances onto the host's consumer: the chip leaves one slot free (tg3's
 *   ring-full rule) — checked while the host has not moved the consumer since the placement was decided.
 */
import type { NicRig } from './harness';
import { peekCore } from './bcm5701-driver';
import { CFG, MISC_HOST_CTRL_BITS, RETURN_RING_SIZE, SEND_RING_SIZE, STD_RING_SIZE } from '../../nic-models/bcm5701/regs';

interface Prev {
  cons: number;
  fetched: number;
  retProd: number;
  retCons: number;
  /** A return-ring placement was decided but not committed (receive.ts `pending`). */
  pending: boolean;
  /** The host moved the consumer while a placement was pending: that placement was decided against the old one. */
  tainted: boolean;
}

const previous = new WeakMap<NicRig, Prev>();

const dist = (from: number, to: number, n: number): number => (((to - from) % n) + n) % n;

export function bcm5701Check(rig: NicRig): string | null {
  const c = peekCore(rig);
  if (!c) return 'the device is not a BCM5701';
  const mhc = c.f.get(CFG.MISC_HOST_CTRL);
  const want = c.irq.latch && (mhc & MISC_HOST_CTRL_BITS.MASK_PCI_INT) === 0;
  if (c.irq.asserted !== want) return `INTA# ${c.irq.asserted ? 'asserted' : 'low'} but latch ${c.irq.latch} and MASK_PCI_INT ${(mhc & 2) !== 0}`;
  if (rig.irqLevel !== c.irq.asserted) return `the INTA# wire is ${rig.irqLevel ? 'high' : 'low'} but the chip drives it ${c.irq.asserted ? 'asserted' : 'low'}`;
  const s = c.send;
  const rv = c.recv;
  const fetched = rv['stdFetched'];
  for (const [name, v, n] of [
    ['send producer', s.prod, SEND_RING_SIZE], ['send fetch index', s.cons, SEND_RING_SIZE], ['send completion index', s.compl, SEND_RING_SIZE],
    ['standard producer', rv.stdProd, STD_RING_SIZE], ['standard consumer', rv.stdCons, STD_RING_SIZE], ['standard BD-fetch index', fetched, STD_RING_SIZE],
    ['return producer', rv.retProd, RETURN_RING_SIZE], ['return consumer', rv.retCons, RETURN_RING_SIZE], ['status tag', c.hc.tag, 256],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= n) return `${name} ${v} outside [0, ${n})`;
  }
  const p = previous.get(rig);
  const pending = rv['pending'] !== null;
  const consMoved = p !== undefined && rv.retCons !== p.retCons;
  // Register writes run no events, so the consumer moves only in ops where no placement commits; a placement
  // pending across such a move was decided against the old consumer and is exempt until it commits.
  const tainted = p === undefined ? false : consMoved && p.pending ? true : rv.retProd !== p.retProd ? false : p.tainted;
  previous.set(rig, { cons: s.cons, fetched, retProd: rv.retProd, retCons: rv.retCons, pending, tainted });
  if (!p) return null;
  const dc = dist(p.cons, s.cons, SEND_RING_SIZE);
  if (dc > dist(p.cons, s.prod, SEND_RING_SIZE)) return `send ring: the chip fetched ${dc} BDs from ${p.cons} but the producer is ${s.prod}`;
  const df = dist(p.fetched, fetched, STD_RING_SIZE);
  if (df > dist(p.fetched, rv.stdProd, STD_RING_SIZE)) return `standard ring: the chip fetched ${df} BDs from ${p.fetched} but the producer is ${rv.stdProd}`;
  if (!consMoved && !p.tainted) {
    const dr = dist(p.retProd, rv.retProd, RETURN_RING_SIZE);
    const room = dist(p.retProd, (rv.retCons - 1 + RETURN_RING_SIZE) % RETURN_RING_SIZE, RETURN_RING_SIZE);
    const reset = rv.retProd === 0 && rv.retCons === 0;
    if (dr > room && !reset) return `return ring: the producer moved ${p.retProd} → ${rv.retProd} past the host consumer ${rv.retCons}`;
  }
  return null;
}
