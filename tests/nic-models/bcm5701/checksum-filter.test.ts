/**
 * Byte fixtures for the pure helpers (design §6.1 items 12–13): the checksum helpers against hand-computed
 * sums (odd lengths, IP options, VLAN tags, fragments, UDP's zero), and the multicast hash against the two
 * driver-side definitions of the bit — tg3 (`~calc_crc(addr) & 0x7f`, calc_crc complementing the reflected
 * CRC-32 register at the end) and NetBSD (`ether_crc32_le(addr) & 0x7f`, no complement) — re-typed here from
 * their descriptions, compared for 1000 seeded addresses (design risk R13).
 */
import { Rng } from '../../../emulator/machine/sim/rng';
import { crc32, insertIpChecksum, insertL4Checksum, onesSum, parseLayers, receiveSums } from '../../../nic-models/bcm5701/checksum';
import { addressClass, filterAccepts, multicastHashBit } from '../../../nic-models/bcm5701/rx-filter';

/** tg3-style: reflected CRC register from all ones, complemented at the end; the hash takes the complement of that. */
function tg3Bit(a: Uint8Array): number {
  let reg = 0xffffffff;
  for (const byte of a) {
    reg ^= byte;
    for (let k = 0; k < 8; k++) reg = reg & 1 ? (reg >>> 1) ^ 0xedb88320 : reg >>> 1;
  }
  const calc = ~reg >>> 0;
  return ~calc & 0x7f;
}

/** NetBSD-style: bit-serial, the carry is CRC bit 0 xor the data bit, no final complement. */
function netbsdBit(a: Uint8Array): number {
  let crc = 0xffffffff;
  for (let byte of a) {
    for (let bit = 0; bit < 8; bit++, byte >>= 1) {
      const carry = (crc & 1) ^ (byte & 1);
      crc >>>= 1;
      if (carry) crc = (crc ^ 0xedb88320) >>> 0;
    }
  }
  return crc & 0x7f;
}

describe('multicast hash', () => {
  test('tg3 and NetBSD select the same bit, and so does the chip, for 1000 addresses', () => {
    const rng = new Rng(99, 'mcast');
    for (let i = 0; i < 1000; i++) {
      const a = Uint8Array.from({ length: 6 }, () => rng.below(256));
      a[0] = a[0]! | 1;
      expect(netbsdBit(a)).toBe(tg3Bit(a));
      expect(multicastHashBit(a)).toBe(tg3Bit(a));
    }
  });

  test('filter: broadcast always, multicast by its hash bit, unicast by slot, zero slots never match', () => {
    const all = { promisc: false, hash: [0, 0, 0, 0], addrs: [[0x0010, 0x18015701], [0, 0], [0, 0], [0, 0]] as const };
    const bc = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    expect(filterAccepts(bc, addressClass(bc), all)).toBe(true);
    const mc = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);
    expect(filterAccepts(mc, 'mcast', all)).toBe(false);
    const h = tg3Bit(mc);
    const hash = [0, 0, 0, 0];
    hash[h >> 5] = 1 << (h & 31);
    expect(filterAccepts(mc, 'mcast', { ...all, hash })).toBe(true);
    expect(filterAccepts(Uint8Array.of(0, 0x10, 0x18, 1, 0x57, 1), 'ucast', all)).toBe(true);
    expect(filterAccepts(Uint8Array.of(0, 0, 0, 0, 0, 0), 'ucast', all)).toBe(false);
  });
});

describe('checksums', () => {
  test('CRC-32 (the FCS): the check value of "123456789" is 0xcbf43926', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  test('ones-complement sums: RFC 1071 example and an odd length', () => {
    // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
    expect(onesSum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7), 0, 8)).toBe(0xddf2);
    expect(onesSum(Uint8Array.of(0x01, 0x02, 0x03), 0, 3)).toBe(0x0102 + 0x0300);
  });

  /** 14-byte header + IPv4 (with `opts` option bytes) + UDP header + payload. */
  function udp(opts: number, payload: number[], vlan = false): Uint8Array {
    const eth = vlan ? 18 : 14;
    const ihl = 20 + opts;
    const f = new Uint8Array(eth + ihl + 8 + payload.length);
    if (vlan) f.set([0x81, 0x00, 0x00, 0x05], 12);
    f[eth - 2] = 0x08;
    f[eth] = 0x40 | (ihl / 4);
    f[eth + 2] = (ihl + 8 + payload.length) >> 8;
    f[eth + 3] = (ihl + 8 + payload.length) & 0xff;
    f[eth + 8] = 64;
    f[eth + 9] = 17;
    f.set([10, 1, 2, 3, 10, 4, 5, 6], eth + 12);
    for (let i = 0; i < opts; i++) f[eth + 20 + i] = 1; // NOPs
    const u = eth + ihl;
    f.set([0x04, 0x00, 0x08, 0x01, (8 + payload.length) >> 8, (8 + payload.length) & 0xff], u);
    f.set(payload, u + 8);
    return f;
  }

  test('insertion and report: options, VLAN tag, odd payload; UDP 0 goes out as 0xffff', () => {
    for (const [opts, vlan] of [[0, false], [4, false], [8, true]] as const) {
      const f = udp(opts, [1, 2, 3, 4, 5], vlan);
      const l = parseLayers(f);
      expect(l.why).toBe('');
      insertIpChecksum(f, l.ip, l.ihl);
      insertL4Checksum(f, l, false);
      expect(onesSum(f, l.ip, l.ip + l.ihl)).toBe(0xffff);
      expect(receiveSums(f, l, false)).toEqual({ ip: 0xffff, l4: 0xffff });
    }
    // A payload whose sum makes the UDP checksum 0: the hand-chosen bytes below do; it must be sent as 0xffff.
    const z = udp(0, [0, 0]);
    const l = parseLayers(z);
    insertL4Checksum(z, l, false);
    const c = (z[l.l4 + 6]! << 8) | z[l.l4 + 7]!;
    z[l.l4 + 8] = c >> 8;
    z[l.l4 + 9] = c & 0xff; // adding the old checksum to the data makes the new one 0
    insertL4Checksum(z, l, false);
    expect((z[l.l4 + 6]! << 8) | z[l.l4 + 7]!).toBe(0xffff);
  });

  test('fragments and non-IP frames are not L4-checksummed', () => {
    const f = udp(0, [1, 2, 3]);
    f[14 + 6] = 0x20; // MF
    expect(parseLayers(f).why).toBe('fragment');
    const arp = new Uint8Array(60);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expect(parseLayers(arp).why).toBe('not-ipv4');
  });

  test('EtherType IPv4 with less than 20 bytes after it is a short IP datagram; another version number is not IPv4', () => {
    const stub = new Uint8Array(14 + 16);
    stub[12] = 0x08;
    stub[14] = 0x45;
    expect([parseLayers(stub).why, parseLayers(stub).ip]).toEqual(['short-ip', -1]);
    const v6 = udp(0, [1, 2, 3]);
    v6[14] = 0x65;
    expect(parseLayers(v6).why).toBe('not-ipv4');
  });
});
