/**
 * Edges of the wire views (stack/net/wire/) seen through the stack: the Ethernet broadcast test behind a bridge's
 * multicast counter, IPv6 text addresses (RFC 4291 §2.2) and IPv4-mapped addresses (§2.5.5.2), the name of an
 * ICMP type in traces, IGMP checksums (RFC 2236 §2), the data offset of a TCP header pf writes, and a UDP
 * datagram with no data (RFC 768: length 8 is the minimum).
 */
import { IPPROTO_IPV6, IPV6_V6ONLY, sockaddrIn, sockaddrIn6 } from '../../stack/include/netinet/in';
import { AF_INET, AF_INET6, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { Errno } from '../../stack/kernel/api';
import { IFF_RUNNING, IFF_UP } from '../../stack/net/if';
import { Ip } from '../../stack/net/ip';
import { Pf } from '../../stack/net/pf/pf';
import { pfSendTcp } from '../../stack/net/pf/reply';
import type { Socket } from '../../stack/net/socket';
import { NetStack } from '../../stack/net/stack';
import { internetChecksum } from '../../stack/net/wire/checksum';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { IgmpPacket, IgmpType } from '../../stack/net/wire/igmp';
import { IpProto, Ipv4Packet, Ipv4Repr } from '../../stack/net/wire/ipv4';
import { ipv6IsV4Mapped, parseIpv6 } from '../../stack/net/wire/addr6';
import { TH_ACK, TH_RST, TcpPacket, TcpRepr, tcpPseudoSum4 } from '../../stack/net/wire/tcp';
import { BridgeRig, frame } from '../bridge/harness';
import { primeArp, udpFrame } from './frag-util';
import { FakeEnv, fakeEther, ip, makeStack, rx, take } from './harness';

const hex = (b: Uint8Array | null): string | null => (b ? Buffer.from(b).toString('hex') : null);

/** An IPv4 frame 10.77.0.1 → `dst` (00:50:c2:00:00:01 → `dmac`) carrying `body` as protocol `proto`. */
function ipFrame(proto: number, body: Uint8Array, dst = '10.77.0.2', dmac = [0x00, 0x50, 0xc2, 0x00, 0x00, 0x02]): Uint8Array {
  const f = Ip.alloc(body.length);
  f.set(dmac, 0);
  f.set([0x00, 0x50, 0xc2, 0x00, 0x00, 0x01], 6);
  f[12] = 0x08;
  f[13] = 0x00;
  f.set(body, Ip.PAYLOAD_OFF);
  Ipv4Repr.emit({ src: ip('10.77.0.1'), dst: ip(dst), protocol: proto, ttl: 1, tos: 0, ident: 7, dontFrag: false, moreFrags: false,
    fragOffset: 0, optionsLen: 0, payloadLen: body.length }, new Ipv4Packet(f.subarray(ETHER_HDR_LEN)));
  return f;
}

describe('Ethernet group addresses: broadcast versus multicast (ether_input M_BCAST/M_MCAST)', () => {
  it('a bridge counts the multicast frames it sends on (if_omcasts), not the broadcasts', () => {
    const r = new BridgeRig(2).setup();
    // NetBSD bridge_enqueue: if_omcasts++ for M_MCAST only; ff:ff:ff:ff:ff:ff is M_BCAST.
    r.rx(0, frame('ff:ff:ff:ff:ff:ff', '00:50:c2:00:00:0a', 0x0806));
    expect(r.sent().map((q) => q.length)).toEqual([0, 1]);
    expect(r.sc.ifp.data.omcasts).toBe(0);
    r.rx(0, frame('01:00:5e:00:00:fb', '00:50:c2:00:00:0a', 0x0800));
    expect(r.sent().map((q) => q.length)).toEqual([0, 1]);
    expect(r.sc.ifp.data.omcasts).toBe(1);
    r.rx(0, frame('33:33:00:00:00:01', '00:50:c2:00:00:0a', 0x86dd));
    expect(r.sc.ifp.data.omcasts).toBe(2);
  });
});

describe('IPv6 text addresses (RFC 4291 §2.2)', () => {
  it('the preferred form x:x:x:x:x:x:x:x needs all eight groups', () => {
    expect(hex(parseIpv6('2001:db8:0:0:8:800:200c:417a'))).toBe('20010db8000000000008080020' + '0c417a');
    expect(hex(parseIpv6('2001:DB8:0:0:0:0:0:1'))).toBe(hex(parseIpv6('2001:db8::1')));
    expect(hex(parseIpv6('0:0:0:0:0:ffff:10.77.0.1'))).toBe(hex(parseIpv6('::ffff:10.77.0.1')));
    expect(parseIpv6('2001:db8:0:0:0:0:1')).toBeNull(); // seven groups, no "::"
    expect(parseIpv6('2001:db8:0:0:0:0:0:0:1')).toBeNull(); // nine
  });

  it('a group is one to four hex digits, nothing after them', () => {
    expect(parseIpv6('2001:db8::12345')).toBeNull();
    expect(parseIpv6('2001:db8::1g')).toBeNull();
    expect(parseIpv6('2001:db8:0:0:0:0:0:1x')).toBeNull();
    expect(hex(parseIpv6('2001:db8::ffff'))).toBe('20010db8000000000000000000' + '00ffff');
  });
});

describe('IPv4-mapped addresses (RFC 4291 §2.5.5.2: 80 zero bits, 16 one bits, the IPv4 address)', () => {
  it('an address with ffff in bits 80..95 but a global prefix is a native IPv6 address', () => {
    const a = parseIpv6('2001:db8::ffff:a4d:1')!;
    expect(ipv6IsV4Mapped(a)).toBe(false);
    expect(ipv6IsV4Mapped(parseIpv6('::ffff:10.77.0.1')!)).toBe(true);
    // Through the socket layer: a V6ONLY socket refuses mapped destinations (EINVAL) but sends to this one.
    const env = new FakeEnv();
    const s = new NetStack(env, { inet6: true });
    const en0 = fakeEther('en0', '00:50:c2:00:00:02');
    s.attachInterface(en0, 'ether');
    en0.flags |= IFF_UP | IFF_RUNNING;
    s.ip6!.ifUp(en0);
    s.ip6!.in6.add(en0, parseIpv6('2001:db8::2')!, 64);
    const so = s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
    expect(s.sockets.getsockopt(so, IPPROTO_IPV6, IPV6_V6ONLY)).toBe(1);
    expect(s.sockets.send(so, new Uint8Array(4), sockaddrIn6(parseIpv6('::ffff:10.77.0.1')!, 9), 1)).toBe(-Errno.EINVAL);
    expect(s.sockets.send(so, new Uint8Array(4), sockaddrIn6(a, 9), 2)).toBe(4);
  });
});

describe('ICMP type names in traces (docs/formats/trace.md: icmp/<type>-in)', () => {
  it('a type without a name is traced as type-N-in', () => {
    const { env, s, en0 } = makeStack();
    const body = new Uint8Array(8);
    body[0] = 42; // no ICMP type we name (RFC 8335's extended echo request)
    const sum = internetChecksum(body, 0, 8);
    body[2] = sum >> 8;
    body[3] = sum & 0xff;
    rx(s, en0, ipFrame(IpProto.ICMP, body), 5);
    expect(env.traces.filter((t) => t.layer === 'icmp').map((t) => t.probe)).toEqual(['type-42-in']);
  });
});

describe('IGMP checksums (RFC 2236 §2: the whole message; igmp_input drops a bad one)', () => {
  function query(badSum: boolean) {
    const { env, s, en0 } = makeStack();
    const g = new IgmpPacket(new Uint8Array(8));
    g.type = IgmpType.MembershipQuery;
    g.code = 100;
    g.group = 0;
    g.fillChecksum();
    if (badSum) g.checksum ^= 0x0100;
    rx(s, en0, ipFrame(IpProto.IGMP, g.buf, '224.0.0.1', [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]), 6);
    return { env, st: s.stats.igmp };
  }

  it('a good general query is taken', () => {
    const { st } = query(false);
    expect([st.rcv_queries, st.rcv_badsum]).toEqual([1, 0]);
  });

  it('a query whose checksum is wrong is counted in rcv_badsum and goes no further', () => {
    const { env, st } = query(true);
    expect([st.rcv_queries, st.rcv_badsum]).toEqual([0, 1]);
    expect(env.traces.filter((t) => t.layer === 'igmp').map((t) => [t.probe, t.f?.['reason']])).toEqual([['drop', 'bad IGMP checksum']]);
  });
});

describe('a TCP header written field by field (TcpPacket.headerLen)', () => {
  it('pf\'s RST (pf_send_tcp) leaves with data offset 5, so the peer\'s TCP parses it', () => {
    const { s, en0 } = makeStack();
    primeArp(s, en0);
    take(en0);
    pfSendTcp(new Pf(s), ip('10.77.0.2'), ip('10.77.0.1'), 80, 40000, 1234, 5678, TH_RST | TH_ACK);
    const [m] = take(en0);
    const ipp = new Ipv4Packet(m!.data.subarray(ETHER_HDR_LEN));
    expect(ipp.protocol).toBe(IpProto.TCP);
    const seg = ipp.payload;
    expect(seg.length).toBe(20);
    expect(seg[12]).toBe(0x50);
    const r = TcpRepr.parse(new TcpPacket(seg), tcpPseudoSum4(ipp.src, ipp.dst, seg.length));
    expect(r).toMatchObject({ srcPort: 80, dstPort: 40000, seq: 1234, ack: 5678, flags: TH_RST | TH_ACK });
  });

  it('setting the header length keeps the reserved bits of byte 12', () => {
    const p = new TcpPacket(new Uint8Array(40));
    p.buf[12] = 0x0f;
    p.headerLen = 32;
    expect(p.buf[12]).toBe(0x8f);
    expect(p.headerLen).toBe(32);
  });
});

describe('UDP (RFC 768)', () => {
  it('a datagram with no data (length 8) is delivered as an empty datagram', () => {
    const { s, en0 } = makeStack();
    const so = s.sockets.create(AF_INET, SOCK_DGRAM, 0) as Socket;
    expect(s.sockets.bindAddr(so, sockaddrIn(0, 5000))).toBe(0);
    rx(s, en0, udpFrame(0, { dport: 5000 }), 3);
    expect(s.stats.udp.badlen).toBe(0);
    expect(so.rcv.records.map((r) => r.data.length)).toEqual([0]);
  });
});
