/**
 * Edges of the socket layer: which sockets rip_input copies a datagram to, soreceive and sosend's errno answers,
 * sowriteable (what select() reports), IPPROTO_IP options reaching the wire, and a UDP checksum the hardware
 * verified (udp4_input_checksum with IFCAP_CSUM_UDPv4_Rx).
 */
import { sockaddrIn, IPPROTO_ICMP, IPPROTO_IP, IP_TOS, IP_TTL } from '../../stack/include/netinet/in';
import { AF_INET, AF_ROUTE, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SOL_SOCKET, SO_LINGER, SO_REUSEADDR } from '../../stack/include/sys/socket';
import { Errno } from '../../stack/kernel/api';
import { ECONNRESET } from '../../stack/include/errno';
import { IFCAP_CSUM_UDPv4_Rx } from '../../stack/net/if';
import { Ip } from '../../stack/net/ip';
import { M_CSUM_TCP_UDP_BAD, M_CSUM_UDPv4, type Mbuf } from '../../stack/net/mbuf';
import type { Socket } from '../../stack/net/socket';
import type { NetStack } from '../../stack/net/stack';
import { IcmpPacket, IcmpType, IpProto, Ipv4Packet, UdpPacket } from '../../stack/net/wire';
import { ICMP_ECHO_REQUEST } from './fixtures';
import { primeArp, udpFrame } from './frag-util';
import { ip, makeStack, rx, take } from './harness';
import { Pair, expectOk } from './tcp-pair';

function sock(s: NetStack, domain: number, type: number, proto: number): Socket {
  const so = s.sockets.create(domain, type, proto);
  if (typeof so === 'number') throw new Error(`errno ${so}`);
  return so;
}

/** A datagram 10.77.0.1 → 10.77.0.2 (00:50:c2:00:00:02) carrying `payload` as protocol `proto`. */
function toUs(proto: number, payload: Uint8Array): Uint8Array {
  const f = Ip.alloc(payload.length);
  f.set(payload, Ip.PAYLOAD_OFF);
  f.set(ICMP_ECHO_REQUEST.subarray(0, 14)); // the captured frame's Ethernet header: .1 → .2
  const p = new Ipv4Packet(f.subarray(14));
  p.setVersionAndHeaderLen(20);
  p.totalLen = 20 + payload.length;
  p.ttl = 64;
  p.protocol = proto;
  p.src = ip('10.77.0.1');
  p.dst = ip('10.77.0.2');
  p.fillChecksum();
  return f;
}

/** An ICMP message of `type`/`code` to us, its data `data`. */
function icmpToUs(type: number, code: number, data: Uint8Array): Uint8Array {
  const body = new Uint8Array(8 + data.length);
  const icp = new IcmpPacket(body);
  icp.type = type;
  icp.code = code;
  body.set(data, 8);
  icp.fillChecksum();
  return toUs(IpProto.ICMP, body);
}

describe('rip_input: which sockets get a copy', () => {
  test('a raw socket of protocol 0 gets every protocol; nobody is then told "protocol unreachable"', () => {
    const { s, en0 } = makeStack();
    primeArp(s, en0);
    take(en0);
    const any = sock(s, AF_INET, SOCK_RAW, IPPROTO_IP);
    const icmp = sock(s, AF_INET, SOCK_RAW, IPPROTO_ICMP);
    rx(s, en0, icmpToUs(IcmpType.EchoReply, 0, new Uint8Array(8)), 1);
    rx(s, en0, toUs(253, new Uint8Array(8)), 2);
    // NetBSD rip_input: "if (inp->inp_ip.ip_p && inp->inp_ip.ip_p != proto) continue" — 0 matches all.
    expect(any.rcv.records.map((r) => r.pktId)).toEqual([1, 2]);
    expect(icmp.rcv.records.map((r) => r.pktId)).toEqual([1]);
    expect(s.stats.ip.noproto).toBe(0);
    expect(take(en0)).toHaveLength(0);
  });

  test('only IPv4 raw sockets: a routing socket (AF_ROUTE, SOCK_RAW, 0) or a UDP socket never gets IP datagrams', () => {
    const { s, en0 } = makeStack();
    primeArp(s, en0);
    take(en0);
    const route = sock(s, AF_ROUTE, SOCK_RAW, 0);
    const udp = sock(s, AF_INET, SOCK_DGRAM, 0);
    expectOk(s.sockets.bind(udp, 0, 5000));
    const icmp = sock(s, AF_INET, SOCK_RAW, IPPROTO_ICMP);
    rx(s, en0, icmpToUs(IcmpType.EchoReply, 0, new Uint8Array(8)), 1);
    rx(s, en0, toUs(253, new Uint8Array(8)), 2);
    expect(icmp.rcv.records.map((r) => r.pktId)).toEqual([1]);
    expect([route.rcv.records.length, udp.rcv.records.length]).toEqual([0, 0]);
  });
});

describe('soreceive / sosend answers', () => {
  test('an empty datagram socket: EAGAIN; a pending so_error is returned once, then EAGAIN again', () => {
    const { s, en0 } = makeStack();
    primeArp(s, en0);
    const so = sock(s, AF_INET, SOCK_DGRAM, 0);
    expect(s.sockets.receive(so)).toBe(Errno.EAGAIN);
    // A connected UDP socket learns of the ICMP port unreachable its datagram drew (udp_ctlinput → so_error).
    expectOk(s.sockets.connect(so, ip('10.77.0.1'), 5000));
    expect(s.sockets.send(so, new Uint8Array([1]), null, 3)).toBe(1);
    const sent = take(en0).map((m) => new Ipv4Packet(m.data.subarray(14)))[0]!;
    const frame = icmpToUs(IcmpType.Unreach, 3, sent.buf.subarray(0, 28));
    rx(s, en0, frame, 4);
    expect(s.sockets.receive(so)).toBe(Errno.ECONNREFUSED);
    expect(s.sockets.receive(so)).toBe(Errno.EAGAIN);
  });

  test('a stream socket whose so_snd is full: EAGAIN for data, 0 for an empty write; select() says not writable', () => {
    const p = new Pair();
    const { cli } = p.connect();
    expect(cli.writable()).toBe(true);
    const chunk = new Uint8Array(4096);
    let queued = 0;
    for (let k = 1; k > 0; queued += Math.max(k, 0)) k = p.a.s.sockets.sendStream(cli, chunk, 1);
    expect(queued).toBe(cli.stream!.snd.hiwat);
    expect(p.a.s.sockets.sendStream(cli, chunk, 2)).toBe(-Errno.EAGAIN);
    expect(p.a.s.sockets.sendStream(cli, new Uint8Array(0), 3)).toBe(0);
    expect(cli.writable()).toBe(false); // sowriteable: sbspace below the low-water mark
  });

  test('sowriteable: a connection still being opened is not writable; one with so_error is', () => {
    const { s } = makeStack();
    const so = sock(s, AF_INET, SOCK_STREAM, 0);
    expect(s.sockets.connectStream(so, sockaddrIn(ip('10.77.0.1'), 80))).toBe(0);
    expect(so.isConnecting).toBe(true);
    // NetBSD sowriteable: connected (or not needing a connection), or SS_CANTSENDMORE, or so_error.
    expect(so.writable()).toBe(false);
    const p = new Pair();
    const { cli, srv } = p.connect();
    for (let k = 1; k > 0;) k = p.a.s.sockets.sendStream(cli, new Uint8Array(4096), 1);
    expect(cli.writable()).toBe(false);
    // The peer aborts (SO_LINGER 0: RST): the blocked writer must wake up to learn ECONNRESET.
    expectOk(p.b.s.sockets.setsockopt(srv, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 0 }));
    p.b.s.sockets.close(srv);
    p.step(100_000_000, () => cli.error !== 0);
    expect(cli.error).toBe(ECONNRESET);
    expect(cli.writable()).toBe(true);
  });
});

describe('IPPROTO_IP options', () => {
  test('IP_TTL and IP_TOS go on the wire (and do not touch SOL_SOCKET options sharing their numbers)', () => {
    const { s, en0 } = makeStack();
    primeArp(s, en0);
    take(en0);
    const so = sock(s, AF_INET, SOCK_DGRAM, 0);
    expect(s.sockets.setsockopt(so, IPPROTO_IP, IP_TTL, 7)).toBe(0);
    expect(s.sockets.setsockopt(so, IPPROTO_IP, IP_TOS, 0x10)).toBe(0);
    expect(s.sockets.send(so, new Uint8Array(4), sockaddrIn(ip('10.77.0.1'), 9), 5)).toBe(4);
    const out = new Ipv4Packet(take(en0)[0]!.data.subarray(14));
    expect([out.ttl, out.tos]).toEqual([7, 0x10]);
    // IP_TTL is 4, like SO_REUSEADDR: the option levels are separate name spaces.
    expect(s.sockets.getsockopt(so, SOL_SOCKET, SO_REUSEADDR)).toBe(0);
  });
});

describe('udp4_input_checksum with checksum offload', () => {
  function deliver(s: NetStack, m: Mbuf): void {
    s.input(s.ifs.byName('en0')!, m);
    s.drainLoopback();
  }
  /** A datagram to port 5000 whose UDP checksum is wrong. */
  function badSum(): Uint8Array {
    const f = udpFrame(16);
    const u = new UdpPacket(f.subarray(34));
    u.checksum = u.checksum ^ 0x5555;
    return f;
  }

  test('with IFCAP_CSUM_UDPv4_Rx the hardware verdict counts: good is delivered unchecked, bad is dropped', () => {
    const { s, en0, env } = makeStack();
    en0.capenable = IFCAP_CSUM_UDPv4_Rx;
    const so = sock(s, AF_INET, SOCK_DGRAM, 0);
    expectOk(s.sockets.bind(so, 0, 5000));
    // M_CSUM_UDPv4 without M_CSUM_TCP_UDP_BAD: the chip found it good (udp_hwcsum_ok); the stack does not sum again.
    deliver(s, { data: badSum(), pktId: 1, csumFlags: M_CSUM_UDPv4 });
    expect(so.rcv.records.map((r) => r.pktId)).toEqual([1]);
    // M_CSUM_TCP_UDP_BAD: the chip found it bad, even though the bytes sum correctly.
    deliver(s, { data: udpFrame(16), pktId: 2, csumFlags: M_CSUM_UDPv4 | M_CSUM_TCP_UDP_BAD });
    expect(s.stats.udp.badsum).toBe(1);
    expect(env.traces.find((t) => t.probe === 'drop' && t.pkt === 2)?.f?.reason).toBe('bad UDP checksum (hardware)');
    // Without the capability enabled the flags are ignored and the checksum is computed.
    en0.capenable = 0;
    deliver(s, { data: badSum(), pktId: 3, csumFlags: M_CSUM_UDPv4 });
    expect(s.stats.udp.badsum).toBe(2);
    expect(so.rcv.records.map((r) => r.pktId)).toEqual([1]);
  });
});
