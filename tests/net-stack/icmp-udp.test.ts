import { Errno } from '../../stack/kernel/api';
import { IPPROTO_ICMP, sockaddrIn, sockaddrIp4 } from '../../stack/include/netinet/in';
import { AF_INET, SOCK_DGRAM, SOCK_RAW } from '../../stack/include/sys/socket';
import type { Socket, SockRecord } from '../../stack/net/socket';
import { Ip } from '../../stack/net/ip';
import {
  EthernetFrame, IcmpPacket, IcmpRepr, Ipv4Packet, Ipv4Repr, WireError, ipToString, macToString, IpProto, MAXTTL,
} from '../../stack/net/wire';
import { ARP_REPLY_TO_2, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, UDP_TO_CLOSED_PORT } from './fixtures';
import { ip, makeStack, rx, take, toHex } from './harness';

function sock(s: ReturnType<typeof makeStack>['s'], type: number, proto: number): Socket {
  const so = s.sockets.create(AF_INET, type, proto);
  if (typeof so === 'number') throw new Error(`errno ${so}`);
  return so;
}
function parseIp(frame: Uint8Array) {
  const p = new Ipv4Packet(frame.subarray(14));
  const r = Ipv4Repr.parse(p);
  if (r instanceof WireError) throw new Error(r.reason);
  return { p, r };
}

describe('ICMP', () => {
  test('an echo request is answered with a correctly built echo reply', () => {
    const { s, en0, env } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    rx(s, en0, ICMP_ECHO_REQUEST, 7); // captured: 10.77.0.1 → 10.77.0.2, id 0x1234 seq 0, 56 bytes
    // The reply waits for ARP (the sender is not cached by an echo request).
    const arp = take(en0);
    expect(arp).toHaveLength(1);
    rx(s, en0, ARP_REPLY_TO_2, 8);
    const out = take(en0);
    expect(out).toHaveLength(1);
    const f = new EthernetFrame(out[0]!.data);
    expect(macToString(f.dst)).toBe('00:50:c2:00:00:01');
    expect(macToString(f.src)).toBe('00:50:c2:00:00:02');
    const { p, r } = parseIp(out[0]!.data);
    expect(ipToString(r.src)).toBe('10.77.0.2');
    expect(ipToString(r.dst)).toBe('10.77.0.1');
    expect(r.ttl).toBe(MAXTTL); // icmp_reflect
    expect(r.protocol).toBe(IpProto.ICMP);
    expect(r.payloadLen).toBe(64);
    // The ICMP message is byte-identical to the reply Linux gave in the capture (type 0, same checksum).
    expect(toHex(p.payload)).toBe(toHex(new Ipv4Packet(ICMP_ECHO_REPLY.subarray(14)).payload));
    const icmp = IcmpRepr.parse(new IcmpPacket(p.payload));
    expect(icmp).toMatchObject({ kind: 'echoReply', ident: 0x1234, seq: 0 });
    // A new packet id, with the request's id recorded.
    expect(out[0]!.pktId).not.toBe(7);
    const tr = env.traces.find((t) => t.probe === 'echo-reply-out')!;
    expect(tr.f).toMatchObject({ reqPkt: 7 });
    expect(s.stats.icmp.inhist[8]).toBe(1);
    expect(s.stats.icmp.outhist[0]).toBe(1);
  });

  test('raw ICMP sockets get replies and other messages, not the requests the stack answers', () => {
    const { s, en0 } = makeStack('00:50:c2:00:00:01', '10.77.0.1');
    const raw = sock(s, SOCK_RAW, IPPROTO_ICMP);
    rx(s, en0, ICMP_ECHO_REPLY); // 10.77.0.2 → 10.77.0.1 echo reply
    expect(raw.rcv.records).toHaveLength(1);
    const rec = raw.rcv.records[0] as SockRecord;
    expect(ipToString(sockaddrIp4(rec.from))).toBe('10.77.0.2');
    expect(toHex(rec.data)).toBe(toHex(ICMP_ECHO_REPLY.subarray(14))); // whole datagram, IP header first
    const { s: s2, en0: e2 } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    const raw2 = sock(s2, SOCK_RAW, IPPROTO_ICMP);
    rx(s2, e2, ICMP_ECHO_REQUEST);
    expect(raw2.rcv.records).toHaveLength(0);
  });

  test('ping 127.0.0.1 through lo0 with the IP header built by the stack', () => {
    const { s } = makeStack();
    const raw = sock(s, SOCK_RAW, IPPROTO_ICMP);
    const msg = new Uint8Array(8 + 16);
    IcmpRepr.emit({ kind: 'echoRequest', ident: 9, seq: 3, data: new Uint8Array(16).fill(0xab) }, new IcmpPacket(msg));
    expect(s.sockets.send(raw, msg, sockaddrIn(ip('127.0.0.1'), 0), 50)).toBe(msg.length);
    s.drainLoopback();
    expect(raw.rcv.records).toHaveLength(1);
    const p = new Ipv4Packet(raw.rcv.records[0]!.data);
    expect(ipToString(p.src)).toBe('127.0.0.1');
    expect(new IcmpPacket(p.payload).type).toBe(0);
    expect(s.lo0.data.opackets).toBe(2);
  });
});

describe('UDP', () => {
  test('a datagram to a closed port draws a port unreachable quoting header + 8 bytes', () => {
    const { s, en0 } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    rx(s, en0, ARP_REPLY_TO_2); // not for a cached entry: ignored
    s.arp.addPermanent(en0, ip('10.77.0.1'), new Uint8Array([0, 0x50, 0xc2, 0, 0, 1]));
    rx(s, en0, UDP_TO_CLOSED_PORT, 30);
    const out = take(en0);
    expect(out).toHaveLength(1);
    const { p, r } = parseIp(out[0]!.data);
    expect(r.dst).toBe(ip('10.77.0.1'));
    const icmp = IcmpRepr.parse(new IcmpPacket(p.payload));
    if (icmp instanceof WireError || icmp.kind !== 'destUnreachable') throw new Error('not unreachable');
    expect(icmp.code).toBe(3);
    expect(toHex(icmp.quote)).toBe(toHex(UDP_TO_CLOSED_PORT.subarray(14, 14 + 28)));
    expect(s.stats.udp.noport).toBe(1);
    expect(s.stats.icmp.outhist[3]).toBe(1);
  });

  test('a bound socket receives it; a full so_rcvbuf drops and counts', () => {
    const { s, en0, env } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    const so = sock(s, SOCK_DGRAM, 0);
    expect(s.sockets.bind(so, 0, 5000)).toBe(0);
    rx(s, en0, UDP_TO_CLOSED_PORT, 40);
    expect(so.rcv.records).toHaveLength(1);
    expect(Buffer.from(so.rcv.records[0]!.data).toString()).toBe('qnxemu');
    expect(so.rcv.records[0]!.from).toEqual({ family: AF_INET, addr: ip('10.77.0.1'), port: 40000 });
    so.rcv.hiwat = 10;
    rx(s, en0, UDP_TO_CLOSED_PORT, 41);
    expect(so.rcv.records).toHaveLength(1);
    expect(so.rcv.drops).toBe(1);
    expect(s.stats.udp.fullsock).toBe(1);
    expect(env.traces.filter((t) => t.layer === 'socket').map((t) => `${t.probe}:${t.pkt}`)).toEqual(['enqueue:40', 'drop:41']);
    expect(take(en0)).toHaveLength(0);
  });

  test('output: ephemeral port from 65535 down, checksum, EADDRINUSE on a second bind', () => {
    const { s, en0 } = makeStack('00:50:c2:00:00:01', '10.77.0.1');
    s.arp.addPermanent(en0, ip('10.77.0.2'), new Uint8Array([0, 0x50, 0xc2, 0, 0, 2]));
    const a = sock(s, SOCK_DGRAM, 0);
    expect(s.sockets.send(a, new TextEncoder().encode('qnxemu'), sockaddrIn(ip('10.77.0.2'), 5000), 60)).toBe(6);
    expect(a.lport).toBe(65535);
    const out = take(en0);
    const { p } = parseIp(out[0]!.data);
    const b = sock(s, SOCK_DGRAM, 0);
    expect(s.sockets.bind(b, 0, 65535)).toBe(Errno.EADDRINUSE);
    // Same payload and ports as the capture except the source port: compare after patching it.
    const udp = p.payload.slice();
    expect(udp.length).toBe(14);
    const cap = new Ipv4Packet(UDP_TO_CLOSED_PORT.subarray(14)).payload;
    expect(toHex(udp.subarray(2, 6))).toBe(toHex(cap.subarray(2, 6)));
    expect(toHex(udp.subarray(8))).toBe(toHex(cap.subarray(8)));
    expect(Ip.PAYLOAD_OFF).toBe(34);
  });
});
