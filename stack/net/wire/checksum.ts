/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words. `sum` accumulates
 * unfolded so several regions (a pseudo header and a payload) can be added before folding.
 */
import { type Ipv4Addr } from './addr';

/** Add the bytes [off, off+len) of `buf` to a running unfolded sum. An odd trailing byte is padded with 0. */
export function onesSum(buf: Uint8Array, off: number, len: number, sum = 0): number {
  let i = off;
  const end = off + len;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  // Fold periodically so the JS number stays an exact integer even for huge buffers.
  while (sum > 0xffffffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** Fold a running sum to 16 bits and complement it: the value to put in a checksum field. */
export function foldComplement(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function internetChecksum(buf: Uint8Array, off: number, len: number): number {
  return foldComplement(onesSum(buf, off, len));
}

/** Unfolded sum of the IPv4 pseudo header used by UDP and TCP. */
export function pseudoHeaderSum(src: Ipv4Addr, dst: Ipv4Addr, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}
