/**
 * Driver-side helpers for the RT2560 cipher engine tests: a TX descriptor handed to the engine the way a BSD driver
 * with hardware CCMP would fill it (CIPHER_BUSY alone, CIPHER_ALG, IV_OFFSET, W4/W5 the CCMP header, W6–W9 the key),
 * and an RX descriptor marked for decryption. Plus the IEEE 802.11-2016 M.6.4 CCMP test vector.
 */
import type { Bed, Chip } from './fixture';
import { txSignal, isOfdm } from '../../../nic-models/rt2560/phy';
import type { WifiRate } from '../../../emulator/machine/net/wireless/radio';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** IEEE 802.11-2016 Annex M.6.4 (802.11-2012 M.6.4): CCMP test vector. */
export const M64 = {
  tk: hex('c9 7c 1f 67 ce 37 11 85 51 4a 8a 19 f2 bd d5 2f'),
  pn: 0xb5039776e70c,
  header: hex('08 48 c3 2c 0f d2 e1 28 a5 7c 50 30 f1 84 44 08 ab ae a5 b8 fc ba 80 33'),
  plaintext: hex('f8 ba 1a 55 d0 2f 85 ae 96 7b b6 2f b6 cd a8 eb 7e 78 a0 50'),
  ccmpHeader: hex('0c e7 00 20 76 97 03 b5'),
  ciphertext: hex('f3 d0 a2 fe 9a 3d bf 23 42 a6 43 e4 32 46 e8 0c 3c 04 d0 19'),
  mic: hex('78 45 ce 0b 16 f9 76 23'),
};

export const CIPHER_AES = 4;

/** Fill TX descriptor `i` for the cipher engine (no BUSY/VALID); the frame goes in a 2 KiB buffer. */
export function encDesc(bed: Bed, chip: Chip, i: number, mpdu: Uint8Array, o: { alg?: number; ivOffset?: number; iv?: Uint8Array; key?: Uint8Array; rate?: WifiRate; ack?: boolean; len?: number; buf?: number } = {}): { desc: number; buf: number } {
  const R = chip.rings!;
  const desc = R.tx.base + i * R.stride;
  const buf = o.buf ?? bed.alloc(2048, 4);
  bed.memW(buf, mpdu);
  const rate = o.rate ?? 11;
  const len = o.len ?? mpdu.length;
  bed.setMem32(desc + 4, buf);
  bed.setMem32(desc + 8, (o.ivOffset ?? 24) | (2 << 6) | (3 << 8) | (8 << 12));
  // PLCP length for the protected MPDU (+ CCMP header and MIC + FCS), as the driver computes it.
  bed.setMem32(desc + 12, txSignal(rate) | ((len + 16 + 4) << 16));
  bed.memW(desc + 16, o.iv ?? new Uint8Array(8));
  bed.memW(desc + 24, o.key ?? new Uint8Array(16));
  const w0 = 0x1000 | (o.ack ? 0x200 : 0) | (isOfdm(rate) ? 0x800 : 0) | (len << 16) | ((o.alg ?? CIPHER_AES) << 29);
  bed.setMem32(desc, w0 >>> 0);
  return { desc, buf };
}

/** Mark received RX descriptor `i` for the engine: CIPHER_BUSY, CIPHER_ALG, IV_OFFSET and the key. */
export function decDesc(bed: Bed, chip: Chip, i: number, o: { alg?: number; ivOffset?: number; key?: Uint8Array } = {}): number {
  const R = chip.rings!;
  const desc = R.rx.base + i * R.stride;
  bed.memW(desc + 24, o.key ?? new Uint8Array(16));
  const w0 = bed.mem32(desc);
  const nw0 = (w0 & 0x0fff0001) | 0x100 | ((o.ivOffset ?? 24) << 10) | ((o.alg ?? CIPHER_AES) << 29);
  bed.setMem32(desc, nw0 >>> 0);
  return desc;
}
