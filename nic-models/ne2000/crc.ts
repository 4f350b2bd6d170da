/**
 * CRC-32 as the DP8390 computes it (IEEE 802.3: polynomial 0x04C11DB7, register preset to all ones, data bits
 * taken least significant first). Two uses:
 * - the frame check sequence the transmitter appends and the receiver checks (the usual reflected form with a
 *   final inversion; transmitted least significant byte first);
 * - the multicast hash (DP8390 datasheet, "Multicast Address Registers"): the top six bits of the CRC register
 *   *before* the final inversion, read most significant first, index MAR0–7.
 */
import { crc32, crc32Register } from '../../emulator/machine/net/crc32';

/** Reflected CRC-32 register after `bytes`, starting from all ones, without the final inversion. */
function crcRegister(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32Register(bytes, start, end);
}

/** The FCS value of `bytes[start, end)` (as zlib's crc32 computes it); sent on the wire low byte first. */
export function fcs32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32(bytes, start, end);
}

/**
 * Multicast hash index 0–63 of a 6-byte destination address at `bytes[off]`: the six most significant bits of
 * the (MSB-first) CRC register. In the reflected register those are the six low bits, bit-reversed.
 */
export function multicastHashIndex(bytes: Uint8Array, off = 0): number {
  const r = crcRegister(bytes, off, off + 6);
  let idx = 0;
  for (let i = 0; i < 6; i++) idx |= ((r >>> i) & 1) << (5 - i);
  return idx;
}
