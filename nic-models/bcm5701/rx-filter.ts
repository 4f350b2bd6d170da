/**
 * The MAC's receive address filter (design §1.11.2 step 5): promiscuous, broadcast, multicast by the 128-bit
 * hash in MAC_HASH_REG_0..3, unicast by exact match against MAC_ADDR_0..3 (an all-zero slot never matches
 * *(I)*).
 *
 * The hash: h = (~crc32(DA)) & 0x7f, i.e. the low seven bits of the reflected CRC-32 register over the six
 * destination bytes before its final complement; register h >> 5, bit h & 31. tg3 `__tg3_set_rx_mode`
 * computes `~calc_crc(addr) & 0x7f` with calc_crc complementing at the end; NetBSD `bge_setmulti` takes
 * `ether_crc32_le(addr) & 0x7f`, whose result is the register without the complement — the same bit
 * (tests/nic-models/bcm5701/rx-filter.test.ts compares both definitions).
 */
import { crc32 } from './checksum';

export type AddressClass = 'ucast' | 'mcast' | 'bcast';

export interface FilterConfig {
  promisc: boolean;
  /** MAC_HASH_REG_0..3. */
  hash: readonly number[];
  /** MAC_ADDR_n as (HIGH, LOW) register pairs, n = 0..3. */
  addrs: readonly (readonly [number, number])[];
}

/** Hash bit index 0..127 of the destination address at frame[0..5]. */
export function multicastHashBit(frame: Uint8Array, off = 0): number {
  return ~crc32(frame, off, off + 6) & 0x7f;
}

export function addressClass(f: Uint8Array): AddressClass {
  if (f[0] === 0xff && f[1] === 0xff && f[2] === 0xff && f[3] === 0xff && f[4] === 0xff && f[5] === 0xff) return 'bcast';
  return f[0]! & 1 ? 'mcast' : 'ucast';
}

/** Does the filter pass frame `f` (destination first)? */
export function filterAccepts(f: Uint8Array, cls: AddressClass, c: FilterConfig): boolean {
  if (c.promisc || cls === 'bcast') return true;
  if (cls === 'mcast') {
    const h = multicastHashBit(f);
    return ((c.hash[h >>> 5] ?? 0) & (1 << (h & 31))) !== 0;
  }
  const hi = (f[0]! << 8) | f[1]!;
  const lo = ((f[2]! << 24) | (f[3]! << 16) | (f[4]! << 8) | f[5]!) >>> 0;
  for (const [h, l] of c.addrs) {
    const hh = h & 0xffff;
    if (hh === 0 && l === 0) continue;
    if (hh === hi && l >>> 0 === lo) return true;
  }
  return false;
}
