/**
 * The RT2560's own invariants (docs/fuzzing.md "nic/rt2560"), checked after every op from the chip's state as the
 * debugger reads it (CSR file and engine fields; never the read path: CNT0–CNT5 clear on read):
 *
 * - INTA# is asserted exactly while CSR7 (interrupt source) & ~CSR8 (mask) has a source bit set (rt2500pci.h
 *   CSR7/CSR8; rt2500pci_interrupt and NetBSD rt2560_intr read CSR7 and write it back), and the wire carries it.
 * - Every ring index the chip keeps (TX, ATIM, PRIO, beacon, RX, and the cipher engine's encrypt and decrypt
 *   walks) lies inside its ring's entry count from TXCSR2/RXCSR1 (a ring of 0 entries is never walked: index 0).
 * - The one-shot cipher queue holds at most ONE_SHOT_QUEUE kicks; the power states are 0–3; the radio is tuned to
 *   a channel 1–14 or not at all.
 */
import type { NicRig } from './harness';
import { peekCore } from './rt2560-driver';
import { ONE_SHOT_QUEUE } from '../../nic-models/rt2560/cipher';
import { CSR, INT_ALL } from '../../nic-models/rt2560/regs';
import { rxGeometry, TX_RINGS, txGeometry } from '../../nic-models/rt2560/rings';

export function rt2560Check(rig: NicRig): string | null {
  const c = peekCore(rig);
  if (!c) return 'the device is not an RT2560';
  const src = c.get(CSR.CSR7);
  const mask = c.get(CSR.CSR8);
  const want = (src & ~mask & INT_ALL) !== 0;
  if (rig.irqLevel !== want) return `INTA# ${rig.irqLevel ? 'high' : 'low'} but CSR7 0x${src.toString(16)} & ~CSR8 0x${mask.toString(16)} says ${want ? 'asserted' : 'low'}`;
  const reg = (o: number): number => c.get(o);
  for (const ring of TX_RINGS) {
    const n = txGeometry(reg, ring).count;
    const i = c.tx.idx[ring];
    if (!Number.isInteger(i) || i < 0 || (n > 0 ? i >= n : i !== 0)) return `${ring} ring index ${i} outside its ${n} entries`;
  }
  const rxN = rxGeometry(reg).count;
  const txN = txGeometry(reg, 'tx').count;
  for (const [name, i, n] of [['rx', c.rx.idx, rxN], ['encrypt walk', c.cipher.enc.idx, txN], ['decrypt walk', c.cipher.dec.idx, rxN]] as const) {
    if (!Number.isInteger(i) || i < 0 || (n > 0 ? i >= n : i !== 0)) return `${name} index ${i} outside its ring's ${n} entries`;
  }
  for (const wk of [c.cipher.enc, c.cipher.dec]) {
    if (wk.oneShots.length > ONE_SHOT_QUEUE) return `${wk.oneShots.length} one-shot kicks queued (the engine holds ${ONE_SHOT_QUEUE})`;
  }
  if (![c.bbpState, c.rfState].every((s) => Number.isInteger(s) && s >= 0 && s <= 3)) return `power states bbp ${c.bbpState} rf ${c.rfState} outside 0–3`;
  const ch = c.dcf.channel;
  if (ch !== null && !(Number.isInteger(ch) && ch >= 1 && ch <= 14)) return `radio tuned to channel ${ch}`;
  return null;
}

