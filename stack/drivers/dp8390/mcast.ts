/**
 * The DP8390 multicast filter: 64 bits in MAR0–7. The chip runs the destination address through the
 * Ethernet CRC-32 (polynomial 0x04C11DB7, register preset to all ones, data bits taken least significant
 * first, no final complement) and uses the top 6 bits of the register as the bit index (DP8390D datasheet,
 * "Multicast Address Registers"; NetBSD dp8390_getmcaf uses ether_crc32_be >> 26).
 *
 * `zlib.crc32` is the reflected, complemented variant (and only exists from Node 20.15/22.2), so the CRC is
 * computed bit-serially here.
 */

/** Big-endian-register Ethernet CRC (what NetBSD calls ether_crc32_be). */
export function etherCrc32Be(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    let b = byte;
    for (let i = 0; i < 8; i++) {
      const carry = (crc >>> 31) ^ (b & 1);
      crc = (crc << 1) >>> 0;
      b >>>= 1;
      if (carry) crc = (crc ^ 0x04c11db7) >>> 0;
    }
  }
  return crc >>> 0;
}

/** Index 0–63 of the MAR bit a multicast address selects. */
export function mcastHashIndex(addr: Uint8Array): number {
  return etherCrc32Be(addr) >>> 26;
}

/** MAR0–7 contents for a list of multicast addresses; `all` opens the filter (IFF_ALLMULTI / promiscuous). */
export function multicastFilter(addrs: readonly Uint8Array[], all: boolean): Uint8Array {
  const mar = new Uint8Array(8);
  if (all) return mar.fill(0xff);
  for (const a of addrs) {
    const idx = mcastHashIndex(a);
    mar[idx >>> 3]! |= 1 << (idx & 7);
  }
  return mar;
}
