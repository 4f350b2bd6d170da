/**
 * Edges of router discovery on the host side and of RS input on a router (stack/net/ip6/nd6-rtr.ts, after
 * NetBSD's nd6_rtr.c / nd6_nbr.c and rtsold, RFC 4861 §6.1.1, §6.3.4, §6.3.7, §7.2.5 and RFC 4862 §5.5.3):
 * who solicits and for how long, which RSs a router or a host refuses, what an RA's Reachable Time of 0
 * means, a router that stops being one, one prefix list entry per prefix however often it is advertised,
 * autoconfiguration only for /64 prefixes, and the trace records of dropped RAs and expired prefixes.
 */
import { IFF_RUNNING, IFF_UP } from '../../stack/net/if';
import { IN6_IFF_AUTOCONF } from '../../stack/net/ip6/in6';
import { Ip6 } from '../../stack/net/ip6/ip6';
import { MAX_RTR_SOLICITATIONS, RTR_SOLICITATION_INTERVAL_NS } from '../../stack/net/ip6/nd6-rtr';
import {
  IN6ADDR_ANY, IN6ADDR_LINKLOCAL_ALLNODES, IN6ADDR_LINKLOCAL_ALLROUTERS, ipv6MulticastMac, ipv6ToString, parseIpv6, type Ipv6Addr,
} from '../../stack/net/wire/addr6';
import {
  Icmp6Type, Icmpv6Packet, ND_NA_FLAG_OVERRIDE, ND_NA_LEN, ND_RA_LEN, ND_RS_LEN, NdOpt, emitLladdrOpt, emitPrefixOpt, type NdPrefixInfo,
} from '../../stack/net/wire/icmpv6';
import { Ipv6Packet, Ipv6Repr } from '../../stack/net/wire/ipv6';
import { viewOf } from '../../stack/net/wire/view';
import { makeStack6, run, S, type Node6 } from './ip6-harness';

const PEER_MAC = Uint8Array.of(0x00, 0x50, 0xc2, 0, 0, 9);
const ip6 = (s: string): Ipv6Addr => parseIpv6(s)!;

/** An Ethernet frame from PEER_MAC (to `dstMac`, by default the multicast MAC of `dst`) carrying ICMPv6 `msg` from `src`. */
function icmp6Frame(src: Ipv6Addr, dst: Ipv6Addr, msg: Uint8Array, hlim = 255, dstMac = ipv6MulticastMac(dst)): Uint8Array {
  const f = Ip6.alloc(msg.length);
  f.set(dstMac, 0);
  f.set(PEER_MAC, 6);
  f.set([0x86, 0xdd], 12);
  f.set(msg, Ip6.PAYLOAD_OFF);
  Ipv6Repr.emit({ src, dst, nxt: 58, hlim, trafficClass: 0, flowLabel: 0, payloadLen: msg.length }, new Ipv6Packet(f.subarray(14)));
  new Icmpv6Packet(f.subarray(Ip6.PAYLOAD_OFF)).fillChecksum(src, dst);
  return f;
}

interface RaOpts { lifetime?: number; reachable?: number; retrans?: number; hlim?: number; prefixes?: NdPrefixInfo[] }

/** An RA from `src` with a source link-layer option (PEER_MAC) and the given prefix options. */
function raFrame(src: Ipv6Addr, o: RaOpts = {}): Uint8Array {
  const pfx = o.prefixes ?? [];
  const msg = new Uint8Array(ND_RA_LEN + 8 + 32 * pfx.length);
  const dv = viewOf(msg);
  msg[0] = Icmp6Type.RouterAdvert;
  msg[4] = 64;
  dv.setUint16(6, o.lifetime ?? 0);
  dv.setUint32(8, o.reachable ?? 0);
  dv.setUint32(12, o.retrans ?? 0);
  let off = emitLladdrOpt(msg, ND_RA_LEN, NdOpt.SourceLinkaddr, PEER_MAC);
  for (const p of pfx) off = emitPrefixOpt(msg, off, p);
  return icmp6Frame(src, IN6ADDR_LINKLOCAL_ALLNODES, msg, o.hlim ?? 255);
}

/** An RS from `src` (to all-routers unless `to` names a node), with a source link-layer option (PEER_MAC) when `slla`. */
function rsFrame(src: Ipv6Addr, slla: boolean, to?: Node6): Uint8Array {
  const msg = new Uint8Array(ND_RS_LEN + (slla ? 8 : 0));
  msg[0] = Icmp6Type.RouterSolicit;
  if (slla) emitLladdrOpt(msg, ND_RS_LEN, NdOpt.SourceLinkaddr, PEER_MAC);
  if (to) return icmp6Frame(src, to.s.ip6!.in6.linkLocal(to.en0)!.addr, msg, 255, to.en0.lladdr);
  return icmp6Frame(src, IN6ADDR_LINKLOCAL_ALLROUTERS, msg);
}

/** An unsolicited NA (override, `flags` otherwise) from `target` about itself, with its link-layer address. */
function naFrame(target: Ipv6Addr, flags: number): Uint8Array {
  const msg = new Uint8Array(ND_NA_LEN + 8);
  msg[0] = Icmp6Type.NeighborAdvert;
  viewOf(msg).setUint32(4, flags >>> 0);
  msg.set(target, 8);
  emitLladdrOpt(msg, ND_NA_LEN, NdOpt.TargetLinkaddr, PEER_MAC);
  return icmp6Frame(target, IN6ADDR_LINKLOCAL_ALLNODES, msg);
}

function rx(n: Node6, frame: Uint8Array, pktId = 500): void {
  n.s.input(n.en0, { data: frame, pktId });
  n.s.drainLoopback();
}

const RS = (n: Node6) => n.sent.filter((f) => f.data[54] === Icmp6Type.RouterSolicit);
const RA = (n: Node6) => n.sent.filter((f) => f.data[54] === Icmp6Type.RouterAdvert);
const pfx = (prefix: string, plen: number, vltime: number, pltime: number, auto = true): NdPrefixInfo =>
  ({ prefix: ip6(prefix), plen, onlink: true, auto, vltime, pltime });

/** A host whose link-local address finished DAD (seeded), with the traces so far cleared. */
function host(seed = 4): Node6 {
  const h = makeStack6('00:50:c2:00:00:02', seed);
  run([h], 3 * S);
  h.env.traces.length = 0;
  return h;
}

/** A router (forwarding on before en0 came up) with 2001:db8:1::1/64, advertising on en0. */
function router(seed = 3): Node6 {
  const r = makeStack6('00:50:c2:00:00:01', seed, false);
  r.s.ip6!.setForwarding(true);
  r.en0.flags |= IFF_UP | IFF_RUNNING;
  r.s.ip6!.ifUp(r.en0);
  r.s.ip6!.in6.add(r.en0, ip6('2001:db8:1::1'), 64);
  run([r], 3 * S);
  return r;
}

describe('router solicitation (RFC 4861 §6.3.7, rtsold)', () => {
  test('a router bringing an interface up sends no Router Solicitation', () => {
    // §6.3.7 is for hosts; a router (ip6_forwarding) learns nothing from RAs (§6.2.8) and does not solicit.
    const r = router();
    run([r], 20 * S);
    expect(RS(r)).toHaveLength(0);
    expect(r.env.probes('nd6')).not.toContain('rs-output');
  });

  test('after MAX_RTR_SOLICITATIONS unanswered RSs the host sets no further solicitation timer', () => {
    // §6.3.7: a host sends at most MAX_RTR_SOLICITATIONS; rtsold (rtsol_timer_update) then only waits
    // MAX_RTR_SOLICITATION_DELAY (1 s) for late answers and goes idle with no timer ("there will be no more
    // solicitation"). So nothing is left for io-pkt to wake up for once DAD and the MLD reports (all within
    // 10 s of the interface coming up) are over.
    const h = makeStack6('00:50:c2:00:00:02', 4);
    run([h], 30 * S);
    const rs = RS(h);
    expect(rs).toHaveLength(MAX_RTR_SOLICITATIONS);
    expect(rs[2]!.t - rs[1]!.t).toBe(RTR_SOLICITATION_INTERVAL_NS);
    // The same host again (same seed), stopped just short of another solicitation interval after the last RS.
    const h2 = makeStack6('00:50:c2:00:00:02', 4);
    run([h2], rs[2]!.t + RTR_SOLICITATION_INTERVAL_NS - 1);
    expect(RS(h2)).toHaveLength(MAX_RTR_SOLICITATIONS);
    expect(h2.s.callouts.next()).toBeNull();
  });
});

describe('RS input (nd6_rs_input)', () => {
  test('an RS from :: carrying a source link-layer option is dropped as invalid and not answered', () => {
    // RFC 4861 §6.1.1: "If the IP source address is the unspecified address, there is no source link-layer
    // address option in the message."
    const r = router();
    r.s.ip6!.nd6.rtr.rtadv.start(r.en0);
    run([r], r.env.t); // the first RA, at once
    const t0 = r.env.t;
    const before = r.s.ip6!.stats.icmp6.badrs;
    rx(r, rsFrame(IN6ADDR_ANY, true), 601);
    run([r], t0 + 10 * S);
    expect(r.s.ip6!.stats.icmp6.badrs).toBe(before + 1);
    expect(r.env.traces.find((x) => x.probe === 'drop' && x.pkt === 601)?.f).toEqual({ reason: 'RS from :: with a source link-layer option' });
    // No answer: the next RA is the scheduled one, MAX_INITIAL_RTR_ADVERT_INTERVAL (16 s) after the first.
    expect(RA(r).filter((f) => f.t > t0)).toHaveLength(0);
  });

  test('a host ignores an RS: it learns no neighbour from the RS\'s link-layer option', () => {
    // NetBSD nd6_rs_input: "If I'm not a router, ignore it." (before nd6_cache_lladdr). A host is no
    // member of all-routers, so the RS comes to its unicast link-local address.
    const h = host();
    const peer = ip6('fe80::9');
    rx(h, rsFrame(peer, true, h), 602);
    expect(h.s.ip6!.nd6.lookup(h.en0, peer)).toBeUndefined();
    expect(h.env.traces.find((x) => x.pkt === 602 && x.layer === 'nd6')).toMatchObject({ probe: 'rs-ignored', f: { reason: 'not a router' } });
  });
});

describe('RA input (nd6_ra_input, RFC 4861 §6.3.4)', () => {
  test('a dropped RA is traced with the reason', () => {
    const h = host();
    rx(h, raFrame(ip6('fe80::1'), { lifetime: 1800, hlim: 64 }), 603);
    rx(h, raFrame(ip6('2001:db8::1'), { lifetime: 1800 }), 604);
    const drops = h.env.traces.filter((x) => x.layer === 'nd6' && x.probe === 'drop');
    expect(drops.map((x) => [x.pkt, x.f])).toEqual([
      [603, { reason: 'RA with hop limit 64' }],
      [604, { reason: 'RA from a non-link-local source' }],
    ]);
    expect(h.s.ip6!.stats.icmp6.badra).toBe(2);
  });

  test('a Reachable Time of 0 (unspecified) leaves BaseReachableTime and ReachableTime alone; a new value re-randomises', () => {
    // §6.3.4: "If the received Reachable Time value is non-zero, the host SHOULD set its BaseReachableTime
    // ... If the new value differs from the previous value, the host SHOULD re-compute a new random ReachableTime."
    const h = host();
    const ndi = h.s.ip6!.nd6.ndi(h.en0);
    const base = ndi.basereachable;
    const reach = ndi.reachable;
    expect(base).toBe(30_000);
    rx(h, raFrame(ip6('fe80::1'), { lifetime: 1800, reachable: 0 }));
    expect(ndi.basereachable).toBe(base);
    expect(ndi.reachable).toBe(reach);
    rx(h, raFrame(ip6('fe80::1'), { lifetime: 1800, reachable: 10_000 }));
    expect(ndi.basereachable).toBe(10_000);
    expect(ndi.reachable).toBeGreaterThanOrEqual(5_000);
    expect(ndi.reachable).toBeLessThanOrEqual(15_000);
  });

  test('a router whose NA clears the Router flag leaves the default router list, and the default route goes', () => {
    // §7.2.5: "In those cases where the IsRouter flag changes from TRUE to FALSE as a result of this update,
    // the node MUST remove that router from the Default Router List" (nd6_na_input → defrouter removal).
    const h = host();
    const rtr = ip6('fe80::1');
    rx(h, raFrame(rtr, { lifetime: 1800 }));
    expect(h.s.ip6!.nd6.rtr.defrouters.map((d) => ipv6ToString(d.addr))).toEqual(['fe80::1']);
    expect(h.s.ip6!.routes.routes.some((x) => x.plen === 0)).toBe(true);
    rx(h, naFrame(rtr, ND_NA_FLAG_OVERRIDE));
    expect(h.s.ip6!.nd6.rtr.defrouters).toHaveLength(0);
    expect(h.s.ip6!.routes.routes.some((x) => x.plen === 0)).toBe(false);
    expect(h.env.probes('nd6')).toContain('defrouter-delete');
  });
});

describe('prefix list and SLAAC (prelist_update, RFC 4862 §5.5.3)', () => {
  test('a prefix advertised again is refreshed in place: one prefix entry, one on-link route, the new lifetime', () => {
    const h = host();
    rx(h, raFrame(ip6('fe80::1'), { prefixes: [pfx('2001:db8:2::', 64, 3600, 1800, false)] }));
    rx(h, raFrame(ip6('fe80::1'), { prefixes: [pfx('2001:db8:2::', 64, 7200, 3600, false)] }));
    const rtr = h.s.ip6!.nd6.rtr;
    expect(rtr.prefixes).toHaveLength(1);
    expect(rtr.prefixes[0]!.vltime).toBe(7200);
    const onlink = () => h.s.ip6!.routes.routes.filter((x) => x.origin === 'ra' && x.plen === 64 && ipv6ToString(x.dst) === '2001:db8:2::');
    expect(onlink()).toHaveLength(1);
    // §6.3.4: a valid lifetime of 0 times the prefix out at once.
    rx(h, raFrame(ip6('fe80::1'), { prefixes: [pfx('2001:db8:2::', 64, 0, 0, false)] }));
    expect(rtr.prefixes).toHaveLength(0);
    expect(onlink()).toHaveLength(0);
  });

  test('a prefix whose valid lifetime runs out is deleted, traced with interface and prefix', () => {
    const h = host();
    const t0 = h.env.t;
    rx(h, raFrame(ip6('fe80::1'), { prefixes: [pfx('2001:db8:4::', 64, 20, 10, false)] }));
    run([h], t0 + 21 * S);
    expect(h.s.ip6!.nd6.rtr.prefixes).toHaveLength(0);
    const del = h.env.traces.filter((x) => x.probe === 'prefix-delete');
    expect(del.map((x) => x.f)).toEqual([{ if: 'en0', prefix: '2001:db8:4::/64' }]);
  });

  test('an autonomous prefix that is not a /64 forms no address and is traced as ignored, with the prefix', () => {
    // RFC 4862 §5.5.3 d: "If the sum of the prefix length and interface identifier length does not equal 128
    // bits, the Prefix Information option MUST be ignored" (Ethernet interface identifiers: 64 bits, RFC 2464 §4).
    const h = host();
    rx(h, raFrame(ip6('fe80::1'), { prefixes: [pfx('2001:db8:5::', 48, 3600, 1800)] }), 605);
    const ip = h.s.ip6!;
    expect(ip.in6.addrs(h.en0).filter((ia) => (ia.flags & IN6_IFF_AUTOCONF) !== 0)).toHaveLength(0);
    // Still on-link (§6.3.4: the L flag is independent of A).
    expect(ip.nd6.rtr.prefixes.map((p) => `${ipv6ToString(p.prefix)}/${p.plen}`)).toEqual(['2001:db8:5::/48']);
    const ign = h.env.traces.filter((x) => x.probe === 'prefix-ignored');
    expect(ign.map((x) => [x.pkt, x.f])).toEqual([[605, { prefix: '2001:db8:5::/48', reason: 'prefix length + 64-bit interface id is not 128' }]]);
  });
});
