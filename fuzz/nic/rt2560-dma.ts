/**
 * What the driver gave the RT2560 to DMA (docs/fuzzing.md "nic/rt2560", the DMA invariant of harness-dma.ts), as
 * rt2500pci and NetBSD rt2560 name it to the chip:
 *
 * - the rings: TX, ATIM and PRIO of TXCSR2's entry counts, the one-entry beacon ring, the RX ring of RXCSR1's count,
 *   each count × the descriptor size the driver programmed (TXCSR2/RXCSR1 bits 7:0) at its base register
 *   (TXCSR3–6, RXCSR2; rt2500pci_init_queues, NetBSD rt2560_init);
 * - a one-shot cipher descriptor (SECCSR0/SECCSR1 with ONE_SHOT | KICK, the address in bits 31:2): its 40 bytes
 *   (W0–W9), queued or written to the register;
 * - the buffer of every descriptor the chip fetched: a TX-ring descriptor's W1 for W0 DATABYTE_COUNT bytes — plus
 *   the CCMP header and MIC (16 bytes) when W0 asks the engine for AES, which writes them back in place
 *   (nic-models/rt2560/cipher.ts) — and an RX descriptor's W1 for the largest frame the chip may put there: CSR9
 *   MAX_FRAME_UNIT × 128 (rt2500pci sets it from its buffer size, data_size / 128), or with no limit the
 *   largest PSDU (aMPDUMaxLength 4095, IEEE 802.11-2012 Tables 16-2 and 18-17); a decrypt descriptor may say more,
 *   up to its 12-bit DATABYTE_COUNT.
 *
 * Everything is read from the CSR file and the engines' queues, never the read path.
 */
import type { NicDmaModel, NicRig } from './harness';
import type { GiveFn } from './harness-dma';
import { peekCore } from './rt2560-driver';
import { CIPHER_DESC_BYTES } from '../../nic-models/rt2560/cipher';
import { CIPHER, CSR, MIN_DESC_SIZE, SECCSR_BITS } from '../../nic-models/rt2560/regs';
import { le32, rxGeometry, TX_RINGS, txGeometry, type RingGeometry, type TxRingId } from '../../nic-models/rt2560/rings';

/** The largest PSDU of 802.11b/g (aMPDUMaxLength). */
const MAX_PSDU = 4095;
/** CCMP header + MIC the encrypt engine adds in place (IEEE 802.11-2016 12.5.3.2). */
const CCMP_OVERHEAD = 16;
const ONE_SHOT_KICK = SECCSR_BITS.ONE_SHOT | SECCSR_BITS.KICK;
const SECCSRS = [CSR.SECCSR0, CSR.SECCSR1] as const;
const RING_LABEL: Readonly<Record<TxRingId, string>> = { tx: 'tx ring', atim: 'atim ring', prio: 'prio ring', beacon: 'beacon ring' };
const TX_LABEL: Readonly<Record<TxRingId, string>> = { tx: "tx descriptor %'s buffer", atim: "atim descriptor %'s buffer", prio: "prio descriptor %'s buffer", beacon: "beacon descriptor %'s buffer" };

/** One-shot descriptor addresses given so far, per rig (a read there is a descriptor fetch). */
const oneShots = new WeakMap<NicRig, Set<number>>();

function walkable(g: RingGeometry): boolean {
  return g.count > 0 && g.stride >= MIN_DESC_SIZE;
}

/** The entry of ring `g` that a read at `addr` starts, or −1. */
function entry(g: RingGeometry, addr: number): number {
  const d = addr - g.base;
  return walkable(g) && d >= 0 && d % g.stride === 0 && d / g.stride < g.count ? d / g.stride : -1;
}

export const rt2560Dma: NicDmaModel = {
  named(rig: NicRig, give: GiveFn): void {
    const c = peekCore(rig);
    if (!c) return;
    const reg = (o: number): number => c.get(o);
    for (const ring of TX_RINGS) {
      const g = txGeometry(reg, ring);
      give(g.base, g.count * g.stride, RING_LABEL[ring]);
    }
    const rx = rxGeometry(reg);
    give(rx.base, rx.count * rx.stride, 'rx ring');
    let seen = oneShots.get(rig);
    if (!seen) oneShots.set(rig, (seen = new Set()));
    const shot = (a: number): void => {
      seen.add(a);
      give(a, CIPHER_DESC_BYTES, 'one-shot cipher descriptor');
    };
    for (const w of [c.cipher.enc, c.cipher.dec]) for (const a of w.oneShots) shot(a);
    for (const r of SECCSRS) if ((c.get(r) & ONE_SHOT_KICK) === ONE_SHOT_KICK) shot((c.get(r) & SECCSR_BITS.DESC_ADDRESS) >>> 0);
  },

  fetched(rig: NicRig, addr: number, bytes: Uint8Array, give: GiveFn): void {
    const c = peekCore(rig);
    if (!c || bytes.length < 8) return;
    const reg = (o: number): number => c.get(o);
    const w0 = le32(bytes, 0);
    const buf = le32(bytes, 4);
    const len = (w0 >>> 16) & 0xfff;
    const sealed = len + (w0 >>> 29 === CIPHER.AES ? CCMP_OVERHEAD : 0);
    for (const ring of TX_RINGS) {
      const k = entry(txGeometry(reg, ring), addr);
      if (k >= 0) give(buf, sealed, TX_LABEL[ring], k);
    }
    const k = entry(rxGeometry(reg), addr);
    if (k >= 0) {
      const unit = (c.get(CSR.CSR9) >>> 7) & 0x1f;
      give(buf, Math.max(unit > 0 ? unit * 128 : MAX_PSDU, len), "rx descriptor %'s buffer", k);
    }
    // A one-shot descriptor: queued earlier (seen), or kicked by the register write running now (its address may lie
    // in memory given for another reason, so no miss has registered it yet).
    const kicked = (r: number): boolean => (c.get(r) & ONE_SHOT_KICK) === ONE_SHOT_KICK && (c.get(r) & SECCSR_BITS.DESC_ADDRESS) >>> 0 === addr;
    if (oneShots.get(rig)?.has(addr) || kicked(CSR.SECCSR0) || kicked(CSR.SECCSR1)) give(buf, sealed, "one-shot descriptor 0x%'s buffer", addr);
  },
};
