import {
  eui64FromMac, ipv6FromPrefixIid, ipv6MaskLen, ipv6MatchLen, ipv6MulticastMac, ipv6NeedsScope, ipv6PrefixMask, ipv6SolicitedNode,
  ipv6ToString, parseIpv6, parseIpv6Scoped,
} from '../../stack/net/wire/addr6';
import { Icmpv6Packet, NdOpt, emitLladdrOpt, emitPrefixOpt, icmp6Checksum, parseNdOptions } from '../../stack/net/wire/icmpv6';
import { Ipv6FragHeader, Ipv6Packet, Ipv6Repr, pseudoHeaderSum6 } from '../../stack/net/wire/ipv6';
import { WireError } from '../../stack/net/wire/view';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('IPv6 wire formats', () => {
  test('addresses: modified EUI-64, solicited-node group and its MAC (RFC 4291 App. A, §2.7.1; RFC 2464 §7)', () => {
    const mac = Uint8Array.of(0x00, 0x50, 0xc2, 0x00, 0x00, 0x01);
    const iid = eui64FromMac(mac);
    expect(Buffer.from(iid).toString('hex')).toBe('0250c2fffe000001');
    const ll = ipv6FromPrefixIid(parseIpv6('fe80::')!, 64, iid);
    expect(ipv6ToString(ll)).toBe('fe80::250:c2ff:fe00:1');
    expect(ipv6ToString(ipv6SolicitedNode(ll))).toBe('ff02::1:ff00:1');
    expect(Buffer.from(ipv6MulticastMac(ipv6SolicitedNode(ll))).toString('hex')).toBe('3333ff000001');
    expect(ipv6NeedsScope(ll)).toBe(true);
    expect(ipv6NeedsScope(parseIpv6('::1')!)).toBe(false);
    expect(ipv6NeedsScope(parseIpv6('ff02::1')!)).toBe(true);
    expect(ipv6NeedsScope(parseIpv6('ff05::1')!)).toBe(false);
    expect(ipv6MaskLen(ipv6PrefixMask(48))).toBe(48);
    expect(ipv6MatchLen(parseIpv6('2001:db8::1')!, parseIpv6('2001:db8:8000::1')!)).toBe(32);
    expect(parseIpv6Scoped('fe80::1%en0')).toEqual({ addr: parseIpv6('fe80::1'), zone: 'en0' });
  });

  test('a Neighbor Solicitation as Linux sends it: header fields and ICMPv6 checksum verify', () => {
    // DAD NS from :: for fe80::5054:ff:fe00:3 (52:54:00:00:00:03), hop limit 255, no options; checksum 0x2ccd as
    // computed independently (Python, RFC 1071 over the RFC 8200 §8.1 pseudo header).
    const pkt = hex(`6000 0000 0018 3aff 0000 0000 0000 0000 0000 0000 0000 0000 ff02 0000 0000 0000 0000 0001 ff00 0003
      8700 2ccd 0000 0000 fe80 0000 0000 0000 5054 00ff fe00 0003`);
    const p = new Ipv6Packet(pkt);
    const r = Ipv6Repr.parse(p);
    expect(r).not.toBeInstanceOf(WireError);
    if (r instanceof WireError) return;
    expect([r.nxt, r.hlim, r.payloadLen]).toEqual([58, 255, 24]);
    const msg = p.payload.slice();
    expect(new Icmpv6Packet(msg).verifyChecksum(r.src, r.dst)).toBe(true);
    const q = new Icmpv6Packet(msg);
    q.fillChecksum(r.src, r.dst);
    expect(q.checksum).toBe(0x2ccd);
    expect(icmp6Checksum(msg, r.src, r.dst)).toBe(0);
    // The pseudo header (RFC 8200 §8.1) counts the upper-layer length and next header.
    expect(pseudoHeaderSum6(r.src, r.dst, 58, 24)).toBe(0xff02 + 1 + 0xff00 + 3 + 24 + 58);
  });

  test('emit then parse round-trips; version and lengths are checked in ip6_input order', () => {
    const buf = new Uint8Array(48);
    const repr = { src: parseIpv6('2001:db8::1')!, dst: parseIpv6('2001:db8::2')!, nxt: 17, hlim: 64, trafficClass: 0x20, flowLabel: 0xabcde, payloadLen: 8 };
    Ipv6Repr.emit(repr, new Ipv6Packet(buf));
    expect(Ipv6Repr.parse(new Ipv6Packet(buf))).toEqual(repr);
    expect((Ipv6Repr.parse(new Ipv6Packet(buf.subarray(0, 39))) as WireError).check).toBe('toosmall');
    expect((Ipv6Repr.parse(new Ipv6Packet(buf.subarray(0, 47))) as WireError).check).toBe('tooshort');
    buf[0] = 0x45;
    expect((Ipv6Repr.parse(new Ipv6Packet(buf)) as WireError).check).toBe('badvers');
  });

  test('fragment header fields', () => {
    const h = new Uint8Array(8);
    const f = new Ipv6FragHeader(h);
    f.nxt = 58;
    f.setOffsetMore(1448, true);
    f.ident = 0xdeadbeef;
    expect(Buffer.from(h).toString('hex')).toBe('3a0005a9deadbeef');
    expect([f.offset, f.moreFrags, f.ident]).toEqual([1448, true, 0xdeadbeef]);
  });

  test('ND options: link-layer and prefix information parse back; a zero-length option invalidates the message', () => {
    const b = new Uint8Array(8 + 32);
    let off = emitLladdrOpt(b, 0, NdOpt.SourceLinkaddr, Uint8Array.of(0, 0x50, 0xc2, 0, 0, 1));
    off = emitPrefixOpt(b, off, { plen: 64, onlink: true, auto: true, vltime: 2592000, pltime: 604800, prefix: parseIpv6('2001:db8::')! });
    const o = parseNdOptions(b, 0);
    expect(o).not.toBeInstanceOf(WireError);
    if (o instanceof WireError) return;
    expect(Buffer.from(o.srcLladdr!).toString('hex')).toBe('0050c2000001');
    expect(o.prefixes).toEqual([{ plen: 64, onlink: true, auto: true, vltime: 2592000, pltime: 604800, prefix: parseIpv6('2001:db8::') }]);
    b[1] = 0;
    expect(parseNdOptions(b, 0)).toBeInstanceOf(WireError);
    expect(off).toBe(40);
  });
});
