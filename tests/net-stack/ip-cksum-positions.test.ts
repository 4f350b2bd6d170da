/**
 * The IPv4 header checksum check (RFC 791 §3.1, RFC 1071; NetBSD ip_input: `if (in_cksum(m, hlen) != 0)
 * { ipstat.ips_badsum++; goto bad; }`) with one byte off by one at EACH header position, so a checksum that
 * skips a byte or a word (the last one in particular) or sums only the fixed 20 bytes of a header with
 * options is caught. The captured echo request (tests/net-stack/fixtures.ts) is the base: intact, it is
 * answered; with any single byte changed and the checksum left as captured, it is dropped, counted in
 * ips_badsum, traced, and not answered.
 *
 * Kills: stack/net/wire/checksum.ts onesSum `i + 1 < end` → `i + 2 < end` (the last word's low byte dropped:
 * position 19 passes); wire/ipv4.ts verifyChecksum `this.headerLen` → `IP_HDR_LEN` (option bytes unchecked);
 * stack/net/ip.ts `verifyChecksum: hw === null` → `hw !== null` (no software check without offload).
 */
import { IP_HDR_LEN, Ipv4Packet, Ipv4Repr, WireError } from '../../stack/net/wire';
import { ICMP_ECHO_REQUEST } from './fixtures';
import { makeStack, rx, take } from './harness';

const ETH = 14;

function stack() {
  const h = makeStack('00:50:c2:00:00:02', '10.77.0.2');
  h.s.arp.addPermanent(h.en0, 0x0a4d0001, new Uint8Array([0, 0x50, 0xc2, 0, 0, 1]));
  return h;
}

/** The echo request with IP header byte `pos` changed by `delta` (mod 256); the checksum is not recomputed. */
function offByOne(pos: number, delta: 1 | -1): Uint8Array {
  const f = ICMP_ECHO_REQUEST.slice();
  f[ETH + pos] = (f[ETH + pos]! + delta) & 0xff;
  return f;
}

describe('IPv4 header checksum: one byte off by one at each position', () => {
  test('the intact request is delivered and answered (the base case)', () => {
    const { s, en0 } = stack();
    rx(s, en0, ICMP_ECHO_REQUEST, 1);
    expect(s.stats.ip.badsum).toBe(0);
    expect(s.stats.ip.delivered).toBe(1);
    expect(take(en0)).toHaveLength(1);
  });

  test.each(Array.from({ length: IP_HDR_LEN }, (_, i) => [i]))('byte %i + 1: dropped, counted badsum', (pos) => {
    const { s, en0, env } = stack();
    rx(s, en0, offByOne(pos, 1), 7);
    expect(s.stats.ip.badsum).toBe(1);
    expect(s.stats.ip.delivered).toBe(0);
    expect(take(en0)).toHaveLength(0);
    const drops = env.traces.filter((t) => t.layer === 'ip' && t.probe === 'drop');
    expect(drops.map((t) => [t.pkt, t.f?.reason])).toEqual([[7, 'bad header checksum']]);
  });

  // Byte 0 - 1 turns 0x45 into 0x44: a 16-byte header, refused as badhlen before any checksum (ip_input order).
  test.each(Array.from({ length: IP_HDR_LEN - 1 }, (_, i) => [i + 1]))('byte %i - 1: dropped, counted badsum', (pos) => {
    const { s, en0 } = stack();
    rx(s, en0, offByOne(pos, -1), 8);
    expect(s.stats.ip.badsum).toBe(1);
    expect(s.stats.ip.delivered).toBe(0);
    expect(take(en0)).toHaveLength(0);
  });

  test('byte 0 - 1 (header length 16) is badhlen, checked before the sum', () => {
    const { s, en0 } = stack();
    rx(s, en0, offByOne(0, -1), 9);
    expect([s.stats.ip.badhlen, s.stats.ip.badsum]).toEqual([1, 0]);
  });
});

describe('IPv4 header checksum over options (header length 24)', () => {
  /** A 24-byte header: the captured one plus four option bytes (NOP NOP NOP EOL), total length +4. */
  function withOptions(): Uint8Array {
    const ip = ICMP_ECHO_REQUEST.subarray(ETH);
    const b = new Uint8Array(ip.length + 4);
    b.set(ip.subarray(0, IP_HDR_LEN), 0);
    b.set([0x01, 0x01, 0x01, 0x00], IP_HDR_LEN);
    b.set(ip.subarray(IP_HDR_LEN), IP_HDR_LEN + 4);
    const p = new Ipv4Packet(b);
    p.setVersionAndHeaderLen(24);
    p.totalLen = b.length;
    p.fillChecksum();
    return b;
  }

  test('intact, it verifies; bytes 1..23 off by one (byte 0 is the header length) each fail with badsum', () => {
    const good = withOptions();
    expect(new Ipv4Packet(good).verifyChecksum()).toBe(true);
    expect(Ipv4Repr.parse(new Ipv4Packet(good))).not.toBeInstanceOf(WireError);
    const failed: number[] = [];
    for (let pos = 1; pos < 24; pos++) {
      const b = good.slice();
      b[pos] = (b[pos]! + 1) & 0xff;
      const r = Ipv4Repr.parse(new Ipv4Packet(b));
      if (r instanceof WireError && r.check === 'badsum') failed.push(pos);
    }
    expect(failed).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
  });
});
