/**
 * Pure helpers for the BCM5701's checksum offload and CRCs: ones'-complement sums over byte ranges, where the
 * IPv4/TCP/UDP headers of an Ethernet frame are (after an 802.1Q tag), the values the chip inserts on
 * transmit (design §1.10.4) and reports on receive (§1.11.6), and CRC-32 (IEEE 802.3 reflected, final
 * complement — tg3 `calc_crc`, the EEPROM image CRCs, the FCS).
 */

export { crc32 } from '../../emulator/machine/net/crc32';

/** Ones'-complement sum (16-bit big-endian words, end-around carry folded) of bytes[start, end), plus `init`. */
export function onesSum(b: Uint8Array, start: number, end: number, init = 0): number {
  let s = init;
  let i = start;
  for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < end) s += b[i]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

export function fold16(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

const be16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

/** Where the layers of an IPv4 TCP/UDP frame are; null fields where the frame is not (or not wholly) that. */
export interface FrameLayers {
  /** Offset of the IPv4 header, or -1 when the frame is not IPv4 with a complete header. */
  ip: number;
  ihl: number;
  /** IP total length (bytes), clipped to nothing: the caller checks `ip + totalLen <= frame length`. */
  totalLen: number;
  proto: number;
  fragment: boolean;
  /** Offset of the L4 header, or -1. */
  l4: number;
  /** Why the frame is not checksummable at L4 ('' when it is). */
  why: '' | 'not-ipv4' | 'short-ip' | 'fragment' | 'not-tcp-udp' | 'short-l4';
}

/** Parse the Ethernet (optionally 802.1Q-tagged) framing of `f` (no FCS) up to the L4 header. Allocates one object. */
export function parseLayers(f: Uint8Array, len = f.length): FrameLayers {
  const out: FrameLayers = { ip: -1, ihl: 0, totalLen: 0, proto: 0, fragment: false, l4: -1, why: 'not-ipv4' };
  if (len < 14) return out;
  let type = be16(f, 12);
  let ip = 14;
  if (type === 0x8100) {
    if (len < 18) return out;
    type = be16(f, 16);
    ip = 18;
  }
  if (type !== 0x0800) return out;
  if (len < ip + 20) {
    // EtherType IPv4 with less than a minimal header after it: a short IP datagram, not another protocol.
    out.why = 'short-ip';
    return out;
  }
  if (f[ip]! >> 4 !== 4) return out;
  const ihl = (f[ip]! & 0x0f) * 4;
  const totalLen = be16(f, ip + 2);
  out.ihl = ihl;
  out.totalLen = totalLen;
  if (ihl < 20 || len < ip + ihl || totalLen < ihl || ip + totalLen > len) {
    if (len >= ip + ihl && ihl >= 20) out.ip = ip;
    out.why = 'short-ip';
    return out;
  }
  out.ip = ip;
  out.fragment = (be16(f, ip + 6) & 0x3fff) !== 0;
  out.proto = f[ip + 9]!;
  if (out.fragment) out.why = 'fragment';
  else if (out.proto !== 6 && out.proto !== 17) out.why = 'not-tcp-udp';
  else if (totalLen - ihl < (out.proto === 6 ? 20 : 8)) out.why = 'short-l4';
  else {
    out.l4 = ip + ihl;
    out.why = '';
  }
  return out;
}

/** Pseudo-header sum (RFC 793/768): source, destination, protocol, L4 length — not folded, not complemented. */
export function pseudoHeaderSum(f: Uint8Array, ip: number, proto: number, l4Len: number): number {
  return be16(f, ip + 12) + be16(f, ip + 14) + be16(f, ip + 16) + be16(f, ip + 18) + proto + l4Len;
}

/** Offset of the checksum field inside the L4 header. */
export function l4CsumOffset(proto: number): number {
  return proto === 6 ? 16 : 6;
}

/** Store the IPv4 header checksum of the header at `ip` (transmit IP_CSUM). */
export function insertIpChecksum(f: Uint8Array, ip: number, ihl: number): void {
  f[ip + 10] = 0;
  f[ip + 11] = 0;
  const c = ~onesSum(f, ip, ip + ihl) & 0xffff;
  f[ip + 10] = c >>> 8;
  f[ip + 11] = c & 0xff;
}

/**
 * Store the TCP/UDP checksum (transmit TCPUDP_CSUM). `phdrPreloaded` (GRC_MODE.NO_TX_PHDR_CSUM set): the
 * stack left the pseudo-header sum in the field and the chip sums the segment including it; else the chip
 * zeroes the field and adds the pseudo-header itself. UDP 0 is sent as 0xffff (RFC 768).
 */
export function insertL4Checksum(f: Uint8Array, l: FrameLayers, phdrPreloaded: boolean): void {
  const off = l.l4 + l4CsumOffset(l.proto);
  const l4Len = l.totalLen - l.ihl;
  let init = 0;
  if (!phdrPreloaded) {
    f[off] = 0;
    f[off + 1] = 0;
    init = pseudoHeaderSum(f, l.ip, l.proto, l4Len);
  }
  let c = ~onesSum(f, l.l4, l.l4 + l4Len, init) & 0xffff;
  if (l.proto === 17 && c === 0) c = 0xffff;
  f[off] = c >>> 8;
  f[off + 1] = c & 0xff;
}

/**
 * What the receive side reports for an IPv4 frame (design §1.11.6): the IP header's ones'-complement sum and
 * the L4 segment's sum plus the pseudo-header (unless `noPhdr`), neither complemented: 0xffff means good.
 */
export function receiveSums(f: Uint8Array, l: FrameLayers, noPhdr: boolean): { ip: number; l4: number | null } {
  const ip = onesSum(f, l.ip, l.ip + l.ihl);
  if (l.why !== '') return { ip, l4: null };
  const l4Len = l.totalLen - l.ihl;
  const init = noPhdr ? 0 : pseudoHeaderSum(f, l.ip, l.proto, l4Len);
  return { ip, l4: onesSum(f, l.l4, l.l4 + l4Len, init) };
}
