/**
 * Edges of IPv6 neighbour discovery and ICMPv6 (stack/net/ip6/nd6-nbr.ts, nd6.ts, icmp6.ts) the other tests
 * leave open: the NA rules of RFC 4861 §7.2.5 for an INCOMPLETE entry that hears an unsolicited answer, for an
 * Override-clear NA with a different link-layer address (REACHABLE → STALE, any other state untouched) and for
 * an unsolicited Override NA that changes the address (→ STALE); the neighbour list holding exactly the
 * neighbours learnt (ndp -a / ndp -c); interface down flushing the interface's entries (NetBSD in6_if_down →
 * lltable_purge_entries); the layer of the DAD-complete trace record; echo requests with a non-zero code
 * (NetBSD icmp6_input "goto badcode"); the source of an echo reply to an anycast address (RFC 4443 §2.2 (b));
 * Parameter Problem code 2 about a packet sent to a multicast address (RFC 4443 §2.4 (e.3), RFC 8200 §4.2).
 */
import { AF_INET6, SOCK_DGRAM, SOCK_RAW } from '../../stack/include/sys/socket';
import { IPPROTO_ICMPV6, sockaddrIn6 } from '../../stack/include/netinet/in';
import { IFF_RUNNING, IFF_UP } from '../../stack/net/if';
import { IN6_IFF_ANYCAST } from '../../stack/net/ip6/in6';
import { ND6_LLINFO_DELAY, ND6_LLINFO_INCOMPLETE, ND6_LLINFO_REACHABLE, ND6_LLINFO_STALE, type Llinfo6 } from '../../stack/net/ip6/nd6';
import type { Socket } from '../../stack/net/socket';
import { macToString } from '../../stack/net/wire/addr';
import { ipv6ToString, parseIpv6, type Ipv6Addr } from '../../stack/net/wire/addr6';
import {
  Icmp6Type, Icmpv6Packet, ND_NA_FLAG_OVERRIDE, ND_NA_FLAG_SOLICITED, ND_NA_LEN, NdOpt, emitLladdrOpt,
} from '../../stack/net/wire/icmpv6';
import { Ipv6Packet, Ipv6Repr } from '../../stack/net/wire/ipv6';
import { makeStack6, quiet, run, S, type Node6 } from './ip6-harness';

const ME_MAC = [0x00, 0x50, 0xc2, 0, 0, 2];
const PEER: Ipv6Addr = parseIpv6('fe80::9')!;
const PEER_MAC = [0x00, 0x50, 0xc2, 0, 0, 9];
const NEW_MAC = [0x00, 0x50, 0xc2, 0, 0, 0x0a];

/** One stack with its link-local address ready (DAD over), the wire and the traces cleared. */
function node(): Node6 {
  const n = makeStack6('00:50:c2:00:00:02', 5);
  run([n], 3 * S);
  return quiet(n);
}

/** An Ethernet frame from the peer carrying an IPv6 packet (`ethDst` defaults to our MAC). */
function frame(dst: Ipv6Addr, nxt: number, body: Uint8Array, hlim = 64, ethDst = ME_MAC, src = PEER): Uint8Array {
  const f = new Uint8Array(14 + 40 + body.length);
  f.set([...ethDst, ...PEER_MAC, 0x86, 0xdd]);
  Ipv6Repr.emit({ src, dst, nxt, hlim, trafficClass: 0, flowLabel: 0, payloadLen: body.length }, new Ipv6Packet(f.subarray(14)));
  f.set(body, 54);
  return f;
}

/** A Neighbor Advertisement for the peer's address with `flags` and, when given, a target link-layer option. */
function na(n: Node6, flags: number, tlla: number[] | null, target = PEER): Uint8Array {
  const me = n.s.ip6!.in6.linkLocal(n.en0)!.addr;
  const msg = new Uint8Array(ND_NA_LEN + (tlla ? 8 : 0));
  const p = new Icmpv6Packet(msg);
  p.type = Icmp6Type.NeighborAdvert;
  p.rest = flags >>> 0;
  msg.set(target, 8);
  if (tlla) emitLladdrOpt(msg, ND_NA_LEN, NdOpt.TargetLinkaddr, Uint8Array.from(tlla));
  p.fillChecksum(PEER, me);
  return frame(me, 58, msg, 255);
}

function rx(n: Node6, f: Uint8Array): void {
  n.s.input(n.en0, { data: f, pktId: 99 });
  n.s.drainLoopback();
}

function udpTo(n: Node6, dst: Ipv6Addr, data: number[]): void {
  const so = n.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
  expect(n.s.sockets.send(so, Uint8Array.from(data), sockaddrIn6(dst, 7000, n.s.ip6!.indexOf(n.en0)), 7)).toBe(data.length);
}

/** Frames the node put on en0 since the last call, as (destination MAC, IPv6 packet). */
function wire(n: Node6): { mac: string; ip: Ipv6Packet }[] {
  return n.en0.snd.splice(0).map((m) => ({ mac: macToString(m.data.subarray(0, 6)), ip: new Ipv6Packet(m.data.slice(14)) }));
}

/** The peer resolved by a solicited NA (Override set): its entry REACHABLE with PEER_MAC. */
function reachablePeer(n: Node6): Llinfo6 {
  udpTo(n, PEER, [1]);
  rx(n, na(n, ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE, PEER_MAC));
  const ln = n.s.ip6!.nd6.lookup(n.en0, PEER)!;
  expect(ln.state).toBe(ND6_LLINFO_REACHABLE);
  n.en0.snd.length = 0;
  return ln;
}

describe('Neighbor Advertisement input (RFC 4861 §7.2.5)', () => {
  test('an unsolicited NA answering an INCOMPLETE entry makes it STALE (not REACHABLE); the held packet then starts DELAY', () => {
    const n = node();
    udpTo(n, PEER, [1, 2, 3]);
    const ln = n.s.ip6!.nd6.lookup(n.en0, PEER)!;
    expect(ln.state).toBe(ND6_LLINFO_INCOMPLETE);
    n.en0.snd.length = 0;
    n.env.traces.length = 0;
    // §7.2.5: "If the advertisement's Solicited flag is set, the state of the entry is set to REACHABLE;
    // otherwise, it is set to STALE." The held datagram goes at once, and sending on a STALE entry starts DELAY.
    rx(n, na(n, ND_NA_FLAG_OVERRIDE, PEER_MAC));
    expect([...ln.lladdr!]).toEqual(PEER_MAC);
    const states = n.env.traces.filter((r) => r.probe === 'state').map((r) => `${r.f!.from}>${r.f!.to}`);
    expect(states).toEqual(['I>S', 'S>D']);
    expect(ln.state).toBe(ND6_LLINFO_DELAY);
    const out = wire(n);
    expect(out.map((o) => [o.mac, o.ip.nxt])).toEqual([['00:50:c2:00:00:09', 17]]);
  });

  test('an Override-clear NA with a different link-layer address turns a REACHABLE entry STALE and changes nothing else', () => {
    const n = node();
    const ln = reachablePeer(n);
    // §7.2.5: "If the Override flag is clear and the supplied link-layer address differs from that in the
    // cache ... a. If the state of the entry is REACHABLE, set it to STALE, but do not update the entry in any other way."
    rx(n, na(n, ND_NA_FLAG_SOLICITED, NEW_MAC));
    expect(ln.state).toBe(ND6_LLINFO_STALE);
    expect([...ln.lladdr!]).toEqual(PEER_MAC);
  });

  test('an Override-clear NA with a different link-layer address is ignored by an entry that is not REACHABLE', () => {
    const n = node();
    // STALE from an NS-like learning, then a packet: DELAY (§7.3.3).
    n.s.ip6!.nd6.cacheLladdr(n.en0, PEER, Uint8Array.from(PEER_MAC), false);
    udpTo(n, PEER, [1]);
    const ln = n.s.ip6!.nd6.lookup(n.en0, PEER)!;
    expect(ln.state).toBe(ND6_LLINFO_DELAY);
    const expire = ln.expire;
    n.env.traces.length = 0;
    // §7.2.5 b: "Otherwise, the received advertisement should be ignored and MUST NOT update the cache."
    rx(n, na(n, 0, NEW_MAC));
    rx(n, na(n, ND_NA_FLAG_SOLICITED, NEW_MAC));
    expect(ln.state).toBe(ND6_LLINFO_DELAY);
    expect(ln.expire).toBe(expire);
    expect([...ln.lladdr!]).toEqual(PEER_MAC);
    expect(n.env.traces.filter((r) => r.probe === 'state')).toEqual([]);
  });

  test('an unsolicited Override NA with a new link-layer address updates a REACHABLE entry and makes it STALE', () => {
    const n = node();
    const ln = reachablePeer(n);
    // §7.2.5: the address is inserted; "If the Solicited flag is zero and the link-layer address was updated
    // with a different address, the state MUST be set to STALE."
    rx(n, na(n, ND_NA_FLAG_OVERRIDE, NEW_MAC));
    expect([...ln.lladdr!]).toEqual(NEW_MAC);
    expect(ln.state).toBe(ND6_LLINFO_STALE);
    // The same advertisement again (address unchanged, not solicited): the state stays as it is.
    rx(n, na(n, ND_NA_FLAG_OVERRIDE, NEW_MAC));
    expect(ln.state).toBe(ND6_LLINFO_STALE);
  });
});

describe('the neighbour cache as a whole', () => {
  test('the neighbour list holds exactly the neighbours learnt, and ndp -c empties it', () => {
    const n = node();
    const nd6 = n.s.ip6!.nd6;
    // Nothing learnt yet (DAD and RS went to multicast): an empty list, and a flush removes nothing.
    expect(nd6.entries()).toHaveLength(0);
    expect(nd6.delete(null, null)).toBe(false);
    reachablePeer(n);
    expect(nd6.entries().map((ln) => ipv6ToString(ln.addr))).toEqual(['fe80::9']);
    // SIOCSNDFLUSH_IN6 (nd6_ioctl → nd6_purge of every entry).
    expect(nd6.delete(null, null)).toBe(true);
    expect(nd6.entries()).toHaveLength(0);
  });

  test('bringing the interface down flushes its neighbour entries (NetBSD in6_if_down → lltable_purge_entries)', () => {
    const n = node();
    reachablePeer(n);
    n.env.traces.length = 0;
    n.en0.flags &= ~(IFF_UP | IFF_RUNNING);
    n.s.ip6!.ifDown(n.en0);
    expect(n.s.ip6!.nd6.lookup(n.en0, PEER)).toBeUndefined();
    expect(n.s.ip6!.nd6.entries()).toHaveLength(0);
    const free = n.env.traces.filter((r) => r.probe === 'free');
    expect(free.map((r) => [r.layer, r.f!.addr, r.f!.reason])).toEqual([['nd6', 'fe80::9', 'interface down']]);
  });
});

describe('DAD trace', () => {
  test('the end of DAD is an nd6 dad-complete record naming the interface and address', () => {
    const n = makeStack6('00:50:c2:00:00:02', 5);
    run([n], 3 * S);
    const recs = n.env.traces.filter((r) => r.probe === 'dad-complete');
    expect(recs.map((r) => [r.layer, r.pkt, r.f])).toEqual([['nd6', 0, { if: 'en0', addr: 'fe80::250:c2ff:fe00:2' }]]);
  });
});

function echoReq(src: Ipv6Addr, dst: Ipv6Addr, code = 0): Uint8Array {
  const m = new Uint8Array(16);
  const p = new Icmpv6Packet(m);
  p.type = Icmp6Type.EchoRequest;
  p.code = code;
  p.ident = 0x4242;
  p.seq = 1;
  p.fillChecksum(src, dst);
  return m;
}

describe('ICMPv6 input and errors', () => {
  test('an echo request with a non-zero code is counted badcode and not answered, but raw sockets still see it', () => {
    const n = node();
    const me = n.s.ip6!.in6.linkLocal(n.en0)!.addr;
    n.s.ip6!.nd6.cacheLladdr(n.en0, PEER, Uint8Array.from(PEER_MAC), false);
    const raw = n.s.sockets.create(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) as Socket;
    n.en0.snd.length = 0;
    // RFC 4443 §4.1: Code 0. NetBSD icmp6_input: "if (code != 0) goto badcode;" → icp6s_badcode, then
    // icmp6_rip6_input as for every message.
    rx(n, frame(me, 58, echoReq(PEER, me, 1)));
    expect(wire(n)).toEqual([]);
    expect(n.s.ip6!.stats.icmp6.badcode).toBe(1);
    expect(n.s.ip6!.stats.icmp6.reflect).toBe(0);
    expect(raw.rcv.records.map((r) => [r.data[0], r.data[1]])).toEqual([[Icmp6Type.EchoRequest, 1]]);
    // Code 0 is answered.
    rx(n, frame(me, 58, echoReq(PEER, me, 0)));
    expect(wire(n).map((o) => new Icmpv6Packet(o.ip.payload).type)).toEqual([Icmp6Type.EchoReply]);
    expect(n.s.ip6!.stats.icmp6.badcode).toBe(1);
  });

  test('an echo request to an anycast address is answered from a unicast address of the interface', () => {
    const n = node();
    const anycast = parseIpv6('2001:db8::100')!;
    n.s.ip6!.in6.add(n.en0, anycast, 64, { flags: IN6_IFF_ANYCAST });
    n.s.ip6!.nd6.cacheLladdr(n.en0, PEER, Uint8Array.from(PEER_MAC), false);
    n.en0.snd.length = 0;
    // RFC 4443 §2.2 (b): a reply to a message sent to an anycast address comes from a unicast address of the
    // interface (icmp6_reflect uses the destination only when it is not IN6_IFF_ANYCAST).
    rx(n, frame(anycast, 58, echoReq(PEER, anycast)));
    const out = wire(n);
    expect(out).toHaveLength(1);
    expect(new Icmpv6Packet(out[0]!.ip.payload).type).toBe(Icmp6Type.EchoReply);
    expect(ipv6ToString(out[0]!.ip.src)).toBe('fe80::250:c2ff:fe00:2');
    expect(ipv6ToString(out[0]!.ip.dst)).toBe('fe80::9');
  });

  test('an unrecognized option of type 10xxxxxx in a packet sent to a multicast address still draws Parameter Problem code 2', () => {
    const n = node();
    n.s.ip6!.nd6.cacheLladdr(n.en0, PEER, Uint8Array.from(PEER_MAC), false);
    n.en0.snd.length = 0;
    const allNodes = parseIpv6('ff02::1')!;
    // Destination Options: next header 59 (none), length 0 (8 bytes), option 0x80 (action 10) of 4 bytes.
    const dstopts = Uint8Array.of(59, 0, 0x80, 4, 0, 0, 0, 0);
    // RFC 8200 §4.2: action 10 = "discard the packet and, regardless of whether or not the packet's Destination
    // Address was a multicast address, send an ICMP Parameter Problem, Code 2"; RFC 4443 §2.4 (e.3) exempts it.
    rx(n, frame(allNodes, 60, dstopts, 64, [0x33, 0x33, 0, 0, 0, 1]));
    const out = wire(n);
    expect(out).toHaveLength(1);
    const e = new Icmpv6Packet(out[0]!.ip.payload);
    expect([e.type, e.code, e.rest]).toEqual([Icmp6Type.ParamProb, 2, 42]);
    expect(ipv6ToString(out[0]!.ip.dst)).toBe('fe80::9');
    expect(n.s.ip6!.stats.icmp6.outerrhist.paramprob_option).toBe(1);
    // Action 11 to multicast: discarded without an error (§4.2).
    rx(n, frame(allNodes, 60, Uint8Array.of(59, 0, 0xc0, 4, 0, 0, 0, 0), 64, [0x33, 0x33, 0, 0, 0, 1]));
    expect(wire(n)).toEqual([]);
  });
});
