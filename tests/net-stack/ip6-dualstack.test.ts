/** Dual-stack AF_INET6 datagram sockets (IPV6_V6ONLY 0, IPv4-mapped addresses; ip6/mapped6.ts) on a stack with both families. */
import { IPPROTO_IPV6, IPV6_V6ONLY, sockaddrIn6, type SockAddrIn6 } from '../../stack/include/netinet/in';
import { AF_INET6, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { Errno } from '../../stack/kernel/api';
import { IFF_RUNNING, IFF_UP } from '../../stack/net/if';
import { ipv6MappedFrom4 } from '../../stack/net/ip6/mapped6';
import type { Socket, SockRecord } from '../../stack/net/socket';
import { NetStack } from '../../stack/net/stack';
import { Ipv4Packet, IpProto, UdpPacket } from '../../stack/net/wire';
import { ipv6ToString, parseIpv6 } from '../../stack/net/wire/addr6';
import { primeArp, udpFrame } from './frag-util';
import { FakeEnv, fakeEther, ip, rx, take } from './harness';

function stack(v6only = true) {
  const env = new FakeEnv();
  const s = new NetStack(env, { inet6: true });
  const en0 = fakeEther('en0', '00:50:c2:00:00:02');
  s.attachInterface(en0, 'ether');
  en0.flags |= IFF_UP | IFF_RUNNING;
  s.addressUp(en0, s.addAddress(en0, ip('10.77.0.2'), 0xffffff00));
  s.ip6!.ifUp(en0);
  s.ip6!.v6only = v6only;
  primeArp(s, en0);
  take(en0);
  return { env, s, en0 };
}

function sock6(s: NetStack): Socket {
  const so = s.sockets.create(AF_INET6, SOCK_DGRAM, 0);
  if (typeof so === 'number') throw new Error(`errno ${so}`);
  return so;
}

const mapped = (a: string, port = 0): SockAddrIn6 => sockaddrIn6(parseIpv6(`::ffff:${a}`)!, port);
const udpOut = (en0: ReturnType<typeof stack>['en0']) => take(en0).map((m) => {
  const p = new Ipv4Packet(m.data.subarray(14));
  expect(p.protocol).toBe(IpProto.UDP);
  const u = new UdpPacket(p.payload);
  return { src: p.src, dst: p.dst, sport: u.srcPort, dport: u.dstPort, text: new TextDecoder().decode(u.payload) };
});

describe('IPv4-mapped addresses on AF_INET6 datagram sockets', () => {
  test('net.inet6.ip6.v6only=1 (NetBSD default): V6ONLY sockets refuse mapped addresses and do not hear IPv4', () => {
    const { s, en0 } = stack(true);
    const so = sock6(s);
    expect(s.sockets.getsockopt(so, IPPROTO_IPV6, IPV6_V6ONLY)).toBe(1);
    expect(s.sockets.bindAddr(so, mapped('10.77.0.2', 5000))).toBe(Errno.EINVAL);
    expect(s.sockets.bindAddr(so, sockaddrIn6(new Uint8Array(16), 5000))).toBe(0);
    expect(s.sockets.send(so, new Uint8Array(4), mapped('10.77.0.1', 4000), 1)).toBe(-Errno.EINVAL);
    rx(s, en0, udpFrame(8, { dport: 5000 }));
    expect(so.rcv.records).toHaveLength(0);
    expect(s.stats.udp.noport).toBe(1); // and an ICMP port unreachable went back
    // V6ONLY cannot change once bound.
    expect(s.sockets.setsockopt(so, IPPROTO_IPV6, IPV6_V6ONLY, 0)).toBe(Errno.EINVAL);
  });

  test('IPV6_V6ONLY=0 on a wildcard socket: IPv4 datagrams arrive from ::ffff:a.b.c.d; replies to a mapped address go out as IPv4', () => {
    const { s, en0 } = stack(true);
    const so = sock6(s);
    expect(s.sockets.setsockopt(so, IPPROTO_IPV6, IPV6_V6ONLY, 0)).toBe(0);
    expect(s.sockets.getsockopt(so, IPPROTO_IPV6, IPV6_V6ONLY)).toBe(0);
    expect(s.sockets.bindAddr(so, sockaddrIn6(new Uint8Array(16), 5000))).toBe(0);
    rx(s, en0, udpFrame(8, { dport: 5000 }));
    const r = so.rcv.records[0] as SockRecord;
    expect(r.data).toHaveLength(8);
    const from = r.from as SockAddrIn6;
    expect(from.family).toBe(AF_INET6);
    expect(ipv6ToString(from.addr)).toBe('::ffff:10.77.0.1');
    expect(from.port).toBe(4000);
    expect(s.sockets.send(so, new TextEncoder().encode('pong'), from, 2)).toBe(4);
    expect(udpOut(en0)).toEqual([{ src: ip('10.77.0.2'), dst: ip('10.77.0.1'), sport: 5000, dport: 4000, text: 'pong' }]);
    // A broadcast reaches it too.
    rx(s, en0, udpFrame(3, { dport: 5000, dst: '10.77.0.255' }));
    expect(so.rcv.records).toHaveLength(2);
  });

  test('an AF_INET socket on the port takes the datagram first; the dual-stack socket gets what it leaves', () => {
    const { s, en0 } = stack(false); // net.inet6.ip6.v6only=0: new sockets are dual-stack
    const so6 = sock6(s);
    expect(so6.v6only).toBe(false);
    expect(s.sockets.bindAddr(so6, sockaddrIn6(new Uint8Array(16), 5000))).toBe(0);
    const so4 = s.sockets.create(2 /* AF_INET */, SOCK_DGRAM, 0) as Socket;
    expect(s.sockets.bind(so4, ip('10.77.0.2'), 5001)).toBe(0);
    rx(s, en0, udpFrame(8, { dport: 5001 }));
    rx(s, en0, udpFrame(8, { dport: 5000 }));
    expect(so4.rcv.records).toHaveLength(1);
    expect(so6.rcv.records).toHaveLength(1);
  });

  test('connect to a mapped peer: the local address becomes the mapped IPv4 source; send() without an address sends IPv4', () => {
    const { s, en0 } = stack(false);
    const so = sock6(s);
    expect(s.sockets.connectAddr(so, mapped('10.77.0.1', 7))).toBe(0);
    expect(ipv6ToString(so.laddr6)).toBe('::ffff:10.77.0.2');
    expect(ipv6ToString(so.faddr6)).toBe('::ffff:10.77.0.1');
    expect(so.lport).toBeGreaterThan(0);
    expect(s.sockets.send(so, new TextEncoder().encode('hi'), null, 3)).toBe(2);
    expect(udpOut(en0)).toEqual([{ src: ip('10.77.0.2'), dst: ip('10.77.0.1'), sport: so.lport, dport: 7, text: 'hi' }]);
    expect(s.sockets.send(so, new Uint8Array(1), mapped('10.77.0.1', 8), 4)).toBe(-Errno.EISCONN);
    // The connected socket hears only its peer.
    rx(s, en0, udpFrame(5, { dport: so.lport }));
    expect(so.rcv.records).toHaveLength(0); // from port 4000, not 7
    // Bound to a mapped address, it cannot talk to a native IPv6 peer.
    const b = sock6(s);
    expect(s.sockets.bindAddr(b, mapped('10.77.0.2', 6000))).toBe(0);
    expect(b.laddr).toBe(ip('10.77.0.2'));
    expect(s.sockets.connectAddr(b, sockaddrIn6(parseIpv6('2001:db8::1')!, 9))).toBe(Errno.EINVAL);
    expect(s.sockets.bindAddr(sock6(s), mapped('10.77.0.9', 6001))).toBe(Errno.EADDRNOTAVAIL); // not ours
    expect(ipv6ToString(ipv6MappedFrom4(ip('192.0.2.1')))).toBe('::ffff:192.0.2.1');
  });
});
