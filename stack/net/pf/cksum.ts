/**
 * pf's incremental checksum updates (pf.c pf_cksum_fixup, pf_change_a, pf_change_ap, pf_change_icmp): when NAT
 * rewrites an address or port, the IP header checksum and the TCP/UDP/ICMP checksums are adjusted by the
 * difference of the old and new 16-bit words (RFC 1624) instead of being recomputed. UDP's "no checksum" (0)
 * stays 0 and a result of 0 becomes 0xffff (`udp` argument), as pf does.
 *
 * All values here are 16-bit words read big-endian from the packet; one's-complement arithmetic gives the
 * same result in either byte order, so this matches pf's host-order arithmetic on network-order words.
 */

/** pf_cksum_fixup(cksum, old, new, udp). */
export function pfCksumFixup(cksum: number, old: number, nw: number, udp: boolean): number {
  if (udp && cksum === 0) return 0;
  let l = cksum + old - nw;
  l = (l >> 16) + (l & 0xffff);
  l &= 0xffff;
  if (udp && l === 0) return 0xffff;
  return l;
}

export function rd16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

export function wr16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

export function rd32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

export function wr32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** Fix the checksum at `csumOff` for a 32-bit value changing from `ao` to `an` (two word fixups). */
export function fixup32(b: Uint8Array, csumOff: number, ao: number, an: number, udp: boolean): void {
  let c = rd16(b, csumOff);
  c = pfCksumFixup(c, ao >>> 16, an >>> 16, udp);
  c = pfCksumFixup(c, ao & 0xffff, an & 0xffff, udp);
  wr16(b, csumOff, c);
}

/**
 * pf_change_a: replace the IPv4 address at `addrOff` with `an`, fixing the checksum at `csumOff` (the IP
 * header's, or with a second call the transport's pseudo-header part).
 */
export function pfChangeA(b: Uint8Array, addrOff: number, csumOff: number, an: number, udp: boolean): void {
  const ao = rd32(b, addrOff);
  wr32(b, addrOff, an);
  fixup32(b, csumOff, ao, an, udp);
}

/**
 * pf_change_ap: replace address (at `addrOff` in the IP header) and port (at `portOff`), fixing the IP header
 * checksum (`ipSumOff`) for the address and the transport checksum (`pcOff`) for address and port; `udp`
 * keeps a zero UDP checksum zero. pcOff < 0: the transport checksum is not in the packet (not fixed).
 */
export function pfChangeAp(b: Uint8Array, addrOff: number, portOff: number, ipSumOff: number, pcOff: number, an: number, pn: number, udp: boolean): void {
  const ao = rd32(b, addrOff);
  const po = rd16(b, portOff);
  wr32(b, addrOff, an);
  wr16(b, portOff, pn);
  fixup32(b, ipSumOff, ao, an, false);
  if (pcOff >= 0) {
    let c = rd16(b, pcOff);
    c = pfCksumFixup(c, ao >>> 16, an >>> 16, udp);
    c = pfCksumFixup(c, ao & 0xffff, an & 0xffff, udp);
    c = pfCksumFixup(c, po, pn, udp);
    wr16(b, pcOff, c);
  }
}
