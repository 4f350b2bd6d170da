/** IPv4 multicast on one stack: ether_addmulti refcounts, in_multi, IGMPv2 timing and states, UDP to groups. */
import { IPPROTO_IGMP, IPPROTO_IP, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_IF, IP_MULTICAST_LOOP, IP_MULTICAST_TTL } from '../../stack/include/netinet/in';
import { AF_INET, SOCK_DGRAM, SOCK_RAW } from '../../stack/include/sys/socket';
import { Errno } from '../../stack/kernel/api';
import type { NetEnv } from '../../stack/net/env';
import type { Ifnet } from '../../stack/net/if';
import { Ip } from '../../stack/net/ip';
import { IGMP_TICK_NS } from '../../stack/net/igmp';
import type { Socket, SockRecord } from '../../stack/net/socket';
import type { NetStack } from '../../stack/net/stack';
import { EtherType, EthernetFrame, Ipv4Packet, IpProto, macToString, parseMac } from '../../stack/net/wire';
import { IGMP_MINLEN, IgmpPacket, IgmpType } from '../../stack/net/wire/igmp';
import { udpFrame } from './frag-util';
import { FakeEnv, ip, makeStack, rx, take, toHex } from './harness';

function sock(s: NetStack, type: number, proto = 0): Socket {
  const so = s.sockets.create(AF_INET, type, proto);
  if (typeof so === 'number') throw new Error(`errno ${so}`);
  return so;
}
const join = (s: NetStack, so: Socket, group: string, iface = '10.77.0.2'): number =>
  s.sockets.setsockopt(so, IPPROTO_IP, IP_ADD_MEMBERSHIP, { multiaddr: ip(group), interface: ip(iface) } as unknown as number);
const drop = (s: NetStack, so: Socket, group: string, iface = '10.77.0.2'): number =>
  s.sockets.setsockopt(so, IPPROTO_IP, IP_DROP_MEMBERSHIP, { multiaddr: ip(group), interface: ip(iface) } as unknown as number);

/** The next value the env's random stream will give (FakeEnv is a plain xorshift32). */
function peekRandom(env: FakeEnv, skip = 0): number {
  const probe = new FakeEnv();
  probe.seed = env.seed;
  for (let i = 0; i < skip; i++) probe.random32();
  return probe.random32();
}

interface IgmpOut { type: number; group: string; dst: string; ttl: number; mac: string; ra: boolean; sum: boolean }
function igmpOut(en0: Ifnet): IgmpOut[] {
  return take(en0).map((m) => {
    const f = new EthernetFrame(m.data);
    const p = new Ipv4Packet(m.data.subarray(14));
    expect(p.protocol).toBe(IpProto.IGMP);
    const g = new IgmpPacket(p.payload);
    return {
      type: g.type, group: ipStr(g.group), dst: ipStr(p.dst), ttl: p.ttl, mac: macToString(f.dst),
      ra: p.headerLen === 24 && toHex(p.buf.subarray(20, 24)) === '94040000', sum: g.verifyChecksum() && p.verifyChecksum(),
    };
  });
}
const ipStr = (a: number): string => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');

/** An IGMP message from 10.77.0.1 (a router or another member) to `dst`. */
function igmpFrame(type: number, code: number, group: string, dst: string, src = '10.77.0.1'): Uint8Array {
  const frame = Ip.alloc(IGMP_MINLEN);
  const g = new IgmpPacket(frame.subarray(Ip.PAYLOAD_OFF));
  g.type = type;
  g.code = code;
  g.group = group === '0.0.0.0' ? 0 : ip(group);
  g.fillChecksum();
  const p = new Ipv4Packet(frame.subarray(14));
  p.setVersionAndHeaderLen(20);
  p.totalLen = 28;
  p.ttl = 1;
  p.protocol = IpProto.IGMP;
  p.src = ip(src);
  p.dst = ip(dst);
  p.fillChecksum();
  const f = new EthernetFrame(frame);
  const d = ip(dst);
  f.setDst(new Uint8Array([1, 0, 0x5e, (d >>> 16) & 0x7f, (d >>> 8) & 0xff, d & 0xff]));
  f.setSrc(parseMac('00:50:c2:00:00:01')!);
  f.ethertype = EtherType.IPv4;
  return frame;
}

describe('ether_addmulti / ether_delmulti', () => {
  test('refcounted entries in ifp.multicast; the driver filter is reprogrammed only when the set changes', () => {
    const { s, en0, env } = makeStack();
    const calls: string[] = [];
    (env as NetEnv).setFilter = (ifp: Ifnet) => {
      calls.push(ifp.name);
    };
    en0.ops = { ...en0.ops, *setFilter() { /* programmed by the io-pkt pass */ } };
    const mac = parseMac('01:00:5e:01:02:03')!;
    const before = en0.multicast.length;
    expect(s.ether.addMulti(en0, mac)).toBe(0);
    expect(s.ether.addMulti(en0, mac)).toBe(0);
    expect(en0.multicast.length).toBe(before + 1);
    expect(s.ether.multiRefs(en0, mac)).toBe(2);
    expect(calls).toEqual(['en0']);
    expect(s.ether.delMulti(en0, mac)).toBe(0);
    expect(calls).toEqual(['en0']);
    expect(s.ether.delMulti(en0, mac)).toBe(0);
    expect(calls).toEqual(['en0', 'en0']);
    expect(en0.multicast.length).toBe(before);
    expect(s.ether.delMulti(en0, mac)).toBe(Errno.ENXIO);
    expect(s.ether.addMulti(en0, parseMac('00:50:c2:00:00:09')!)).toBe(Errno.EINVAL);
  });

  test('an address on a multicast interface joins all-hosts (01:00:5e:00:00:01), never reported', () => {
    const { s, en0 } = makeStack();
    expect(en0.multicast.map(macToString)).toEqual(['01:00:5e:00:00:01']);
    expect(s.inMcast.lookup(en0, ip('224.0.0.1'))?.refcount).toBe(1);
    expect(take(en0)).toHaveLength(0);
    expect(s.deleteAddress(en0, ip('10.77.0.2'))).toBe(0);
    expect(en0.multicast).toHaveLength(0);
    expect(s.inMcast.lookup(en0, ip('224.0.0.1'))).toBeUndefined();
  });
});

describe('IGMPv2 (RFC 2236)', () => {
  test('join: a report at once (TTL 1, Router Alert, to the group) and one more after 1..50 ticks of 200 ms', () => {
    const { s, en0, env } = makeStack();
    const so = sock(s, SOCK_DGRAM);
    const r = peekRandom(env);
    expect(join(s, so, '239.1.2.3')).toBe(0);
    expect(en0.multicast.map(macToString)).toEqual(['01:00:5e:00:00:01', '01:00:5e:01:02:03']);
    expect(igmpOut(en0)).toEqual([{ type: IgmpType.V2MembershipReport, group: '239.1.2.3', dst: '239.1.2.3', ttl: 1, mac: '01:00:5e:01:02:03', ra: true, sum: true }]);
    const due = (1 + (r % 50)) * IGMP_TICK_NS;
    env.t = due - 1;
    s.runTimers();
    expect(take(en0)).toHaveLength(0);
    env.t = due;
    s.runTimers();
    expect(igmpOut(en0).map((o) => [o.type, o.group])).toEqual([[IgmpType.V2MembershipReport, '239.1.2.3']]);
    expect(s.stats.igmp.snd_reports).toBe(2);
    expect(join(s, so, '239.1.2.3')).toBe(Errno.EADDRINUSE);
  });

  test('leave: a Leave to 224.0.0.2 when we reported last; two sockets share one in_multi', () => {
    const { s, en0 } = makeStack();
    const a = sock(s, SOCK_DGRAM);
    const b = sock(s, SOCK_DGRAM);
    expect(join(s, a, '239.9.9.9')).toBe(0);
    expect(join(s, b, '239.9.9.9')).toBe(0);
    expect(igmpOut(en0)).toHaveLength(1); // b only added a reference
    expect(s.inMcast.lookup(en0, ip('239.9.9.9'))?.refcount).toBe(2);
    expect(drop(s, a, '239.9.9.9')).toBe(0);
    expect(take(en0)).toHaveLength(0);
    s.sockets.close(b); // ip_freemoptions: the last reference goes with the socket
    expect(igmpOut(en0)).toEqual([{ type: IgmpType.V2LeaveGroup, group: '239.9.9.9', dst: '224.0.0.2', ttl: 1, mac: '01:00:5e:00:00:02', ra: true, sum: true }]);
    expect(en0.multicast.map(macToString)).toEqual(['01:00:5e:00:00:01']);
    expect(drop(s, a, '239.9.9.9')).toBe(Errno.EADDRNOTAVAIL);
    expect(s.stats.igmp.snd_leaves).toBe(1);
  });

  test('general query: each group answers after 1..maxresp ticks; another member\'s report suppresses ours', () => {
    const { s, en0, env } = makeStack();
    const so = sock(s, SOCK_DGRAM);
    expect(join(s, so, '239.1.1.1')).toBe(0);
    expect(join(s, so, '239.2.2.2')).toBe(0);
    env.t = 20_000_000_000; // both repeats done
    s.runTimers();
    take(en0);
    // Max response time 2.0 s = 10 ticks.
    const r1 = peekRandom(env, 0);
    const r2 = peekRandom(env, 1);
    rx(s, en0, igmpFrame(IgmpType.MembershipQuery, 20, '0.0.0.0', '224.0.0.1'));
    expect(s.stats.igmp.rcv_queries).toBe(1);
    const t0 = env.t;
    const d1 = (1 + (r1 % 10)) * IGMP_TICK_NS;
    const d2 = (1 + (r2 % 10)) * IGMP_TICK_NS;
    // 239.2.2.2's report is heard from another member before ours is due: suppressed.
    rx(s, en0, igmpFrame(IgmpType.V2MembershipReport, 0, '239.2.2.2', '239.2.2.2', '10.77.0.7'));
    expect(s.stats.igmp.rcv_ourreports).toBe(1);
    env.t = t0 + Math.max(d1, d2);
    s.runTimers();
    expect(igmpOut(en0).map((o) => o.group)).toEqual(['239.1.1.1']);
    // We did not report 239.2.2.2 last: leaving it is silent; 239.1.1.1 we did: a Leave.
    expect(drop(s, so, '239.2.2.2')).toBe(0);
    expect(take(en0)).toHaveLength(0);
    expect(drop(s, so, '239.1.1.1')).toBe(0);
    expect(igmpOut(en0).map((o) => [o.type, o.group])).toEqual([[IgmpType.V2LeaveGroup, '239.1.1.1']]);
  });

  test('group-specific query to the wrong address is a bad query; an IGMPv1 query makes reports v1 and leaves silent', () => {
    const { s, en0, env } = makeStack();
    const so = sock(s, SOCK_DGRAM);
    expect(join(s, so, '239.5.5.5')).toBe(0);
    env.t = 20_000_000_000;
    s.runTimers();
    take(en0);
    rx(s, en0, igmpFrame(IgmpType.MembershipQuery, 10, '239.5.5.5', '224.0.0.1'));
    expect(s.stats.igmp.rcv_badqueries).toBe(1);
    const r = peekRandom(env);
    rx(s, en0, igmpFrame(IgmpType.MembershipQuery, 0, '0.0.0.0', '224.0.0.1')); // v1: 10 s
    env.t += (1 + (r % 50)) * IGMP_TICK_NS;
    s.runTimers();
    expect(igmpOut(en0).map((o) => [o.type, o.group])).toEqual([[IgmpType.V1MembershipReport, '239.5.5.5']]);
    expect(drop(s, so, '239.5.5.5')).toBe(0);
    expect(take(en0)).toHaveLength(0); // no Leave while a v1 router is present
  });

  test('raw IGMP sockets still get every IGMP message', () => {
    const { s, en0 } = makeStack();
    const raw = sock(s, SOCK_RAW, IPPROTO_IGMP);
    rx(s, en0, igmpFrame(IgmpType.MembershipQuery, 100, '0.0.0.0', '224.0.0.1'));
    expect(raw.rcv.records).toHaveLength(1);
    rx(s, en0, igmpFrame(IgmpType.V2MembershipReport, 0, '239.7.7.7', '239.7.7.7')); // not joined: IP drops it
    expect(raw.rcv.records).toHaveLength(1);
    expect(s.stats.ip.notmember).toBe(1);
  });
});

describe('UDP multicast', () => {
  test('a datagram to a joined group reaches every socket on the port; an unjoined group is dropped by IP', () => {
    const { s, en0 } = makeStack();
    const a = sock(s, SOCK_DGRAM);
    const b = sock(s, SOCK_DGRAM);
    expect(s.sockets.bind(a, 0, 5000)).toBe(0);
    a.options |= 0x4; // SO_REUSEADDR
    b.options |= 0x4;
    expect(s.sockets.bind(b, 0, 5000)).toBe(0);
    expect(join(s, a, '239.1.2.3')).toBe(0);
    take(en0);
    const f = udpFrame(32, { dst: '239.1.2.3' });
    new EthernetFrame(f).setDst(parseMac('01:00:5e:01:02:03')!);
    f[40] = 0;
    f[41] = 0;
    rx(s, en0, f);
    expect([a.rcv.records.length, b.rcv.records.length]).toEqual([1, 1]);
    const g = udpFrame(32, { dst: '239.1.2.4' });
    g[40] = 0;
    g[41] = 0;
    rx(s, en0, g);
    expect(s.stats.ip.notmember).toBe(1);
    expect(take(en0)).toHaveLength(0); // never an ICMP error about a multicast
  });

  test('output: mapped MAC, TTL 1 unless IP_MULTICAST_TTL, a looped copy unless IP_MULTICAST_LOOP 0', () => {
    const { s, en0 } = makeStack();
    const rcv = sock(s, SOCK_DGRAM);
    expect(s.sockets.bind(rcv, 0, 6000)).toBe(0);
    expect(join(s, rcv, '239.3.3.3')).toBe(0);
    take(en0);
    const snd = sock(s, SOCK_DGRAM);
    // No route to the group (no default route): IP_MULTICAST_IF picks the interface.
    expect(s.udp.output(snd, new Uint8Array(10), { addr: ip('239.3.3.3'), port: 6000 }, 1)).toBe(-Errno.EHOSTUNREACH);
    expect(s.sockets.setsockopt(snd, IPPROTO_IP, IP_MULTICAST_IF, ip('10.77.0.2'))).toBe(0);
    expect(s.sockets.getsockopt(snd, IPPROTO_IP, IP_MULTICAST_IF)).toBe(ip('10.77.0.2'));
    expect(s.udp.output(snd, new Uint8Array([1, 2, 3]), { addr: ip('239.3.3.3'), port: 6000 }, 2)).toBe(3);
    let out = take(en0);
    expect(out).toHaveLength(1);
    expect(macToString(new EthernetFrame(out[0]!.data).dst)).toBe('01:00:5e:03:03:03');
    const p = new Ipv4Packet(out[0]!.data.subarray(14));
    expect([p.ttl, ipStr(p.src)]).toEqual([1, '10.77.0.2']);
    s.drainLoopback();
    expect(rcv.rcv.records.map((r) => Array.from((r as SockRecord).data))).toEqual([[1, 2, 3]]);
    expect(s.sockets.setsockopt(snd, IPPROTO_IP, IP_MULTICAST_TTL, 16)).toBe(0);
    expect(s.sockets.setsockopt(snd, IPPROTO_IP, IP_MULTICAST_LOOP, 0)).toBe(0);
    expect(s.sockets.getsockopt(snd, IPPROTO_IP, IP_MULTICAST_LOOP)).toBe(0);
    expect(s.udp.output(snd, new Uint8Array([4]), { addr: ip('239.3.3.3'), port: 6000 }, 3)).toBe(1);
    out = take(en0);
    expect(new Ipv4Packet(out[0]!.data.subarray(14)).ttl).toBe(16);
    s.drainLoopback();
    expect(rcv.rcv.records).toHaveLength(1);
  });
});
