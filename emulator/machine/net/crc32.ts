/**
 * CRC-32 of IEEE 802 (polynomial 0x04C11DB7, reflected, register preset to all ones), from node:zlib rather than a
 * hand-written table (docs/dependencies.md). Two forms, because hardware uses both:
 * - `crc32`: with the final complement — the Ethernet and 802.11 FCS value (sent least significant byte first),
 *   tg3's calc_crc, EEPROM image checksums;
 * - `crc32Register`: the register itself, without the final complement — what multicast hash filters index with
 *   (DP8390 MAR, BCM5701 MAC_HASH, NetBSD ether_crc32_le).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-32 of `bytes[start, end)` with the final complement (the FCS value). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const view = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
  return zlibCrc32(view) >>> 0;
}

/** The CRC-32 register after `bytes[start, end)`, before the final complement. */
export function crc32Register(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return ~crc32(bytes, start, end) >>> 0;
}
