/**
 * Edges of the AF_INET6 datagram and raw sockets (stack/net/ip6: sock6, udp6, raw6, ip6, frag6): bind only to a
 * usable address of ours, the raw protocol range, IPV6_MULTICAST_LOOP, a raw socket that takes a next header
 * (no Parameter Problem), a raw send above the send buffer, UDP multicast delivery to every socket on the port,
 * a UDP header cut short, Port Unreachable reaching only the socket of the quoted 4-tuple, and a fragmented
 * send onto an interface that is down reporting ENETDOWN.
 */
import { AF_INET6, SOCK_DGRAM, SOCK_RAW, SOL_SOCKET, SO_REUSEPORT } from '../../stack/include/sys/socket';
import { IPPROTO_ICMPV6, IPPROTO_IPV6, IPV6_JOIN_GROUP, IPV6_MULTICAST_LOOP, sockaddrIn6 } from '../../stack/include/netinet/in';
import { Errno } from '../../stack/kernel/api';
import { IFF_RUNNING } from '../../stack/net/if';
import { IN6_IFF_TENTATIVE } from '../../stack/net/ip6/in6';
import type { Socket } from '../../stack/net/socket';
import type { NetStack } from '../../stack/net/stack';
import { ipv6ToString, parseIpv6, type Ipv6Addr } from '../../stack/net/wire/addr6';
import { Icmp6Type, Icmpv6Packet } from '../../stack/net/wire/icmpv6';
import { HOST_MAC, hostWithNeighbours, makeStack6, peerFrame, run, S, udp6Datagram, type Node6 } from './ip6-harness';

const PEER: Ipv6Addr = parseIpv6('fe80::9')!;
const PEER_G: Ipv6Addr = parseIpv6('2001:db8::9')!;
const G: Ipv6Addr = parseIpv6('2001:db8::2')!;
const GROUP: Ipv6Addr = parseIpv6('ff12::1234')!;

/** A host with 2001:db8::2/64 on en0, DAD over, fe80::9 and 2001:db8::9 known neighbours; nothing queued or traced. */
const host = (): Node6 => hostWithNeighbours(G, [PEER, PEER_G]);

/** An Ethernet frame from the peer (to the group's MAC for a multicast destination) carrying an IPv6 packet. */
function frame(src: Ipv6Addr, dst: Ipv6Addr, nxt: number, body: Uint8Array): Uint8Array {
  return peerFrame(dst[0] === 0xff ? [0x33, 0x33, dst[12]!, dst[13]!, dst[14]!, dst[15]!] : HOST_MAC, src, dst, nxt, body);
}

const udp = udp6Datagram;

function sock(s: NetStack, type = SOCK_DGRAM, protocol = 0): Socket {
  const so = s.sockets.create(AF_INET6, type, protocol);
  if (typeof so === 'number') throw new Error(`errno ${so}`);
  return so;
}

const rx = (n: Node6, f: Uint8Array) => {
  n.s.input(n.en0, { data: f, pktId: 42 });
  n.s.drainLoopback();
};
/** [type, code, the 32-bit field after the checksum] of each ICMPv6 message the node sent. */
const icmpOut = (n: Node6) => n.en0.snd.map((m) => m.data).filter((d) => d[20] === 58)
  .map((d) => new Icmpv6Packet(d.subarray(54))).map((p) => [p.type, p.code, p.rest]);

describe('bind (in6_pcbbind)', () => {
  test('binds to a usable address of ours; not to a tentative one (RFC 4862 §5.4) nor one that is not ours', () => {
    const n = host();
    n.s.ip6!.in6.add(n.en0, parseIpv6('2001:db8::3')!, 64, { flags: IN6_IFF_TENTATIVE });
    const a = sock(n.s);
    expect(n.s.sockets.bindAddr(a, sockaddrIn6(G, 5000))).toBe(0);
    expect(ipv6ToString(a.laddr6)).toBe('2001:db8::2');
    expect(a.lport).toBe(5000);
    expect(n.s.sockets.bindAddr(sock(n.s), sockaddrIn6(parseIpv6('2001:db8::3')!, 5001))).toBe(Errno.EADDRNOTAVAIL);
    expect(n.s.sockets.bindAddr(sock(n.s), sockaddrIn6(parseIpv6('2001:db8::77')!, 5002))).toBe(Errno.EADDRNOTAVAIL);
    // Bound to it, the socket gets what is sent to that address and port.
    rx(n, frame(PEER, G, 17, udp(PEER, G, 5000, [1, 2, 3])));
    expect(a.rcv.records.map((r) => [...r.data])).toEqual([[1, 2, 3]]);
  });
});

describe('raw IPv6 sockets (raw_ip6.c)', () => {
  test('the protocol of a raw socket is a Next Header value: 1..255 accepted, 0 and 256 refused', () => {
    const n = host();
    expect(typeof n.s.sockets.create(AF_INET6, SOCK_RAW, 255)).not.toBe('number');
    expect(n.s.sockets.create(AF_INET6, SOCK_RAW, 256)).toBe(Errno.EINVAL);
    expect(n.s.sockets.create(AF_INET6, SOCK_RAW, 0)).toBe(Errno.EINVAL);
  });

  test('a raw socket for a next header takes its packets: no Parameter Problem goes back; without it, one does', () => {
    const n = host();
    const so = sock(n.s, SOCK_RAW, 253);
    const body = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
    rx(n, frame(PEER, G, 253, body));
    expect(so.rcv.records.map((r) => [...r.data])).toEqual([[0xde, 0xad, 0xbe, 0xef]]);
    expect(icmpOut(n)).toEqual([]);
    expect(n.s.ip6!.stats.ip6.delivered).toBe(1);
    // ip6_input / rip6_input: nobody takes next header 253 → Parameter Problem code 1 at the Next Header field (RFC 8200 §4).
    n.s.sockets.close(so);
    rx(n, frame(PEER, G, 253, body));
    expect(icmpOut(n)).toEqual([[Icmp6Type.ParamProb, 1, 6]]);
    expect(n.s.ip6!.stats.ip6.delivered).toBe(1);
  });

  test('a raw send larger than the send buffer is EMSGSIZE and sends nothing; one that fits goes out (fragmented)', () => {
    const n = host();
    const so = sock(n.s, SOCK_RAW, IPPROTO_ICMPV6);
    const msg = (len: number) => {
      const m = new Uint8Array(len);
      m[0] = Icmp6Type.EchoRequest;
      return m;
    };
    // sosend: an atomic message above so_snd's high-water mark is EMSGSIZE.
    expect(n.s.sockets.send(so, msg(so.sndHiwat + 1), sockaddrIn6(PEER_G), 1)).toBe(-Errno.EMSGSIZE);
    expect(n.en0.snd).toHaveLength(0);
    expect(n.s.ip6!.stats.ip6.rawout).toBe(0);
    expect(n.s.sockets.send(so, msg(so.sndHiwat), sockaddrIn6(PEER_G), 2)).toBe(so.sndHiwat);
    expect(n.en0.snd.length).toBeGreaterThan(1);
  });
});

describe('UDP over IPv6 multicast (udp6_input, ip6_setmoptions)', () => {
  test('a multicast datagram reaches every socket bound to its port, none on another port; no socket → dropped without an error', () => {
    const n = host();
    const a = sock(n.s);
    const b = sock(n.s);
    const c = sock(n.s);
    for (const so of [a, b]) expect(n.s.sockets.setsockopt(so, SOL_SOCKET, SO_REUSEPORT, 1)).toBe(0);
    expect(n.s.sockets.bindAddr(a, sockaddrIn6(new Uint8Array(16), 4000))).toBe(0);
    expect(n.s.sockets.bindAddr(b, sockaddrIn6(GROUP, 4000))).toBe(0);
    expect(n.s.sockets.bindAddr(c, sockaddrIn6(new Uint8Array(16), 4001))).toBe(0);
    expect(n.s.sockets.setsockopt(a, IPPROTO_IPV6, IPV6_JOIN_GROUP, { multiaddr: GROUP, interface: 2 } as unknown as number)).toBe(0);
    n.en0.snd.length = 0;
    rx(n, frame(PEER, GROUP, 17, udp(PEER, GROUP, 4000, [7])));
    expect([a, b, c].map((so) => so.rcv.records.map((r) => r.data[0]))).toEqual([[7], [7], []]);
    expect(n.s.ip6!.stats.udp6.noportmcast).toBe(0);
    // RFC 4443 §2.4 (e.3): no error about a packet sent to a multicast address.
    rx(n, frame(PEER, GROUP, 17, udp(PEER, GROUP, 4002, [8])));
    expect(n.s.ip6!.stats.udp6.noportmcast).toBe(1);
    expect(icmpOut(n)).toEqual([]);
  });

  test('IPV6_MULTICAST_LOOP 0 stops the local copy of a group we belong to (RFC 3493 §5.2); values other than 0 and 1 are EINVAL', () => {
    const n = host();
    const rcv = sock(n.s);
    expect(n.s.sockets.bindAddr(rcv, sockaddrIn6(new Uint8Array(16), 4000))).toBe(0);
    expect(n.s.sockets.setsockopt(rcv, IPPROTO_IPV6, IPV6_JOIN_GROUP, { multiaddr: GROUP, interface: 2 } as unknown as number)).toBe(0);
    const snd = sock(n.s);
    expect(n.s.sockets.getsockopt(snd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP)).toBe(1);
    expect(n.s.sockets.send(snd, Uint8Array.of(1), sockaddrIn6(GROUP, 4000), 1)).toBe(1);
    n.s.drainLoopback();
    expect(rcv.rcv.records.map((r) => r.data[0])).toEqual([1]);
    expect(n.s.sockets.setsockopt(snd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 2)).toBe(Errno.EINVAL);
    expect(n.s.sockets.setsockopt(snd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0)).toBe(0);
    expect(n.s.sockets.getsockopt(snd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP)).toBe(0);
    n.en0.snd.length = 0;
    expect(n.s.sockets.send(snd, Uint8Array.of(2), sockaddrIn6(GROUP, 4000), 2)).toBe(1);
    n.s.drainLoopback();
    expect(rcv.rcv.records.map((r) => r.data[0])).toEqual([1]);
    // It still goes out on the wire.
    expect(n.en0.snd.filter((m) => m.data[20] === 17)).toHaveLength(1);
  });
});

describe('UDP over IPv6 input checks and errors', () => {
  test('a payload shorter than a UDP header counts in hdrops, not badlen', () => {
    const n = host();
    rx(n, frame(PEER, G, 17, Uint8Array.of(0x30, 0x39, 0x13, 0x88)));
    expect(n.s.ip6!.stats.udp6.hdrops).toBe(1);
    expect(n.s.ip6!.stats.udp6.badlen).toBe(0);
    expect(n.env.traces.filter((r) => r.layer === 'udp' && r.probe === 'drop').map((r) => r.f?.reason))
      .toEqual(['datagram of 4 bytes is shorter than a UDP header']);
  });

  test('Port Unreachable refuses only the connected socket of the quoted ports, not another connected to the same host', () => {
    const a = makeStack6('00:50:c2:00:00:02', 5);
    const b = makeStack6('00:50:c2:00:00:09', 6);
    a.s.ip6!.in6.add(a.en0, G, 64);
    b.s.ip6!.in6.add(b.en0, PEER_G, 64);
    run([a, b], 3 * S);
    const x = sock(a.s);
    const y = sock(a.s);
    expect(a.s.sockets.connectAddr(x, sockaddrIn6(PEER_G, 7))).toBe(0);
    expect(a.s.sockets.connectAddr(y, sockaddrIn6(PEER_G, 9))).toBe(0);
    expect(a.s.sockets.send(x, Uint8Array.of(1), null, 1)).toBe(1);
    run([a, b], a.env.t + 1 * S);
    expect(b.s.ip6!.stats.udp6.noport).toBe(1);
    // udp6_ctlinput → in6_pcbnotify: the 4-tuple of the quoted datagram picks the socket.
    expect(x.error).toBe(Errno.ECONNREFUSED);
    expect(y.error).toBe(0);
  });
});

describe('fragmented output (ip6_fragment)', () => {
  test('a datagram that needs fragments onto an interface that is down is ENETDOWN, as a small one is', () => {
    const n = host();
    n.en0.flags &= ~IFF_RUNNING;
    const so = sock(n.s);
    // ip6_output sends each fragment and returns the first error.
    expect(n.s.sockets.send(so, new Uint8Array(3000), sockaddrIn6(PEER_G, 9), 1)).toBe(-Errno.ENETDOWN);
    expect(n.s.sockets.send(so, new Uint8Array(100), sockaddrIn6(PEER_G, 9), 2)).toBe(-Errno.ENETDOWN);
    expect(n.s.ip6!.stats.ip6.fragmented).toBe(1);
    expect(n.en0.snd).toHaveLength(0);
  });
});
