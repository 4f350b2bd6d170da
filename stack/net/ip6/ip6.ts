/**
 * ip6_input / ip6_output (netinet6/ip6_input.c, ip6_output.c, dest6.c, route6.c) for a host: header checks
 * with ip6stat counters, the destination match (our addresses on the right zone, tentative ones refused;
 * multicast groups joined on the interface), the extension-header walk of RFC 8200 §4 (hop-by-hop first
 * only, options by their action bits, routing headers refused while segments are left, fragments to
 * frag6), demultiplexing to ICMPv6, UDP, TCP and raw sockets; on output the route, the source (RFC 6724,
 * simplified), the path MTU, fragmentation, multicast loopback and neighbour discovery. A router
 * (`forwarding`) forwards what is not for it (forward6.ts).
 *
 * What TCP and UDP use: Ip6.alloc / Ip6.PAYLOAD_OFF for a frame with room for Ethernet and the IPv6 header,
 * selectSource() before building a segment (its pseudo-header needs the source), output() to send it,
 * isOurAddress() for bind(), and `protosw` to register an input function for a next-header value.
 */
import { IFF_LOOPBACK, IFF_RUNNING, IFF_UP, type Ifnet } from '../if';
import { M_LOOP, M_MCAST, type Mbuf } from '../mbuf';
import { Errno } from '../../kernel/api';
import { NetCost } from '../costs';
import type { NetStack } from '../stack';
import { WireError } from '../wire/view';
import { ETHER_HDR_LEN } from '../wire/ethernet';
import {
  ipv6IsLoopback, ipv6IsMulticast, ipv6IsUnspecified, ipv6IsV4Mapped, ipv6Scope, ipv6ToString, type Ipv6Addr,
} from '../wire/addr6';
import { IP6_HDR_LEN, IPV6_DEFHLIM, IPV6_MAXPACKET, Ip6Nxt, Ipv6Packet, Ipv6Repr } from '../wire/ipv6';
import { Icmp6ParamCode, Icmp6Type } from '../wire/icmpv6';
import { Frag6 } from './frag6';
import { Icmp6 } from './icmp6';
import { IN6_IFF_NOTREADY, In6, type In6Ifaddr } from './in6';
import { Mapped6 } from './mapped6';
import { Mld6 } from './mld6';
import { Nd6 } from './nd6';
import { Raw6 } from './raw6';
import { Route6Table, type Rt6entry } from './route6';
import { newIcmp6Stat, newIp6Stat, newNd6Stat, newUdp6Stat } from './stats6';
import { Sock6, type In6PcbOpts } from './sock6';
import { Udp6 } from './udp6';
import type { Socket } from '../socket';
import { walkExtHeaders } from './ext6';
import { in6PickSource, in6SelectRoute, type Ip6RouteChoice } from './in6_src';
import { ip6Forward } from './forward6';

/** The fields of the IPv6 header a transport chooses. */
export interface Ip6HeaderSpec {
  /** The unspecified address (or null): chosen by selectSource. */
  src: Ipv6Addr | null;
  dst: Ipv6Addr;
  /** Next header (the transport's protocol number). */
  nxt: number;
  /** Hop limit; -1 = the default (ip6_defhlim 64 for unicast, 1 for multicast). */
  hlim: number;
  /** sin6_scope_id of the destination (interface index) for link-local and multicast destinations; 0 = none. */
  scopeId?: number;
  trafficClass?: number;
}

export interface Ip6OutputOpts {
  /** Send on this interface (IPV6_MULTICAST_IF, IPV6_PKTINFO, ND messages). */
  ifp?: Ifnet;
  /** IPV6_MULTICAST_LOOP (default 1): loop a copy of multicast to ourselves when we are a member. */
  mloop?: boolean;
  /** IPV6_DONTFRAG: EMSGSIZE instead of fragmenting. */
  dontfrag?: boolean;
  /** Keep an unspecified source address (DAD's Neighbor Solicitation). */
  anySource?: boolean;
}

/** Where a packet to `dst` goes and from which address. */
export interface Ip6SourceChoice {
  src: Ipv6Addr;
  ifp: Ifnet;
  /** The path MTU toward the destination (link MTU lowered by Packet Too Big). */
  mtu: number;
  nexthop: Ipv6Addr;
  rt: Rt6entry | null;
}

/** A protocol's input function (struct ip6protosw pr_input): the upper-layer payload after the extension headers. */
export type Ip6UpperInput = (ifp: Ifnet, m: Mbuf, src: Ipv6Addr, dst: Ipv6Addr, payload: Uint8Array, info: Ip6InputInfo) => void;

export interface Ip6InputInfo {
  /** The whole packet (fixed header first), for ICMPv6 errors that quote it. */
  pkt: Uint8Array;
  /** Offset of the payload in `pkt`. */
  off: number;
  /** Arrived for a multicast destination. */
  mcast: boolean;
  hlim: number;
}

export class Ip6 {
  /** Offset of the upper-layer payload in a buffer from alloc(): Ethernet header, then the IPv6 header. */
  static readonly PAYLOAD_OFF = ETHER_HDR_LEN + IP6_HDR_LEN;
  /** A frame carrying `payloadLen` bytes of upper-layer data, with room for the Ethernet and IPv6 headers. */
  static alloc(payloadLen: number): Uint8Array {
    return new Uint8Array(Ip6.PAYLOAD_OFF + payloadLen);
  }

  /** ip6stat, icmp6stat, udp6stat and the neighbour-discovery counters. */
  readonly stats = { ip6: newIp6Stat(), icmp6: newIcmp6Stat(), udp6: newUdp6Stat(), nd6: newNd6Stat() };
  readonly in6: In6;
  readonly routes: Route6Table;
  readonly nd6: Nd6;
  readonly icmp6: Icmp6;
  /** MLDv1 listener reports for the groups joined (mld6.ts). */
  readonly mld: Mld6;
  readonly udp6: Udp6;
  readonly raw6: Raw6;
  readonly frag6: Frag6;
  /** The AF_INET6 datagram/raw socket operations and per-socket IPv6 options. */
  readonly sock: Sock6;
  /** Upper-layer input by next header (inet6sw); ICMPv6 and UDP are registered here, TCP registers itself. */
  readonly protosw = new Map<number, Ip6UpperInput>();
  /** net.inet6.ip6.forwarding: a router forwards, answers RS and may send RAs (rtadvd). */
  forwarding = false;
  /** net.inet6.ip6.hlim (ip6_defhlim). */
  defHlim = IPV6_DEFHLIM;
  /** net.inet6.ip6.v6only (ip6_v6only, NetBSD default 1): IPV6_V6ONLY of new AF_INET6 sockets. */
  v6only = true;
  /** Dual-stack (IPv4-mapped) datagram sockets (mapped6.ts). */
  readonly mapped: Mapped6;
  constructor(private readonly s: NetStack) {
    this.in6 = new In6(s);
    this.routes = new Route6Table(s);
    this.nd6 = new Nd6(s, this);
    this.icmp6 = new Icmp6(s, this);
    this.mld = new Mld6(s, this);
    this.udp6 = new Udp6(s, this);
    this.raw6 = new Raw6(s, this);
    this.frag6 = new Frag6(s, this);
    this.sock = new Sock6(this);
    this.mapped = new Mapped6(s);
    this.protosw.set(Ip6Nxt.ICMPV6, (ifp, m, src, dst, payload, info) => this.icmp6.input(ifp, m, src, dst, payload, info));
    this.protosw.set(Ip6Nxt.UDP, (ifp, m, src, dst, payload, info) => this.udp6.input(ifp, m, src, dst, payload, info));
  }

  // --- interfaces ---

  /** An interface came up (if_up → in6_if_up): link-local address with DAD, RS for hosts; ::1 on lo0. */
  ifUp(ifp: Ifnet): void {
    const ia = this.in6.attach(ifp);
    if ((ifp.flags & IFF_LOOPBACK) !== 0) return;
    if (this.forwarding) this.in6.joinAllRouters(ifp, true);
    for (const a of this.in6.addrs(ifp)) if ((a.flags & IN6_IFF_NOTREADY) !== 0 || a === ia) this.nd6.dadStart(a);
    this.nd6.rtr.ifUp(ifp);
  }

  /**
   * net.inet6.ip6.forwarding: a router joins all-routers on its interfaces, stops soliciting routers and
   * ignores Router Advertisements (RFC 4861 §6.2.8), and forwards packets not addressed to it.
   */
  setForwarding(on: boolean): void {
    if (on === this.forwarding) return;
    this.forwarding = on;
    for (const ifp of this.s.ifs.list) {
      if ((ifp.flags & IFF_LOOPBACK) !== 0 || (ifp.flags & IFF_UP) === 0) continue;
      this.in6.joinAllRouters(ifp, on);
      if (on) this.nd6.rtr.stopSolicit(ifp);
      else this.nd6.rtr.rtadv.stop(ifp, true);
    }
  }

  /** if_down: stop DAD and router solicitation, flush the neighbour cache of the interface. */
  ifDown(ifp: Ifnet): void {
    this.nd6.ifDown(ifp);
  }

  /** if_detach. */
  detach(ifp: Ifnet): void {
    this.nd6.ifDown(ifp);
    this.in6.detach(ifp);
    this.routes.removeIfp(ifp);
  }

  byIndex(index: number): Ifnet | undefined {
    return this.s.ifs.list.find((i) => this.s.ifs.st(i).index === index);
  }

  indexOf(ifp: Ifnet): number {
    return this.s.ifs.st(ifp).index;
  }

  /** One of our addresses, usable (not tentative, not duplicated): what bind() accepts. */
  isOurAddress(a: Ipv6Addr, scopeId = 0): boolean {
    const ifp = scopeId ? this.byIndex(scopeId) : undefined;
    const ia = this.in6.lookup(a, ifp);
    return ia !== undefined && (ia.flags & IN6_IFF_NOTREADY) === 0;
  }

  /** The IPv6 options of an AF_INET6 socket (in6p_hops, in6p_moptions). */
  sockopts(so: Socket): In6PcbOpts {
    return this.sock.of(so);
  }

  // --- input ---

  input(ifp: Ifnet, m: Mbuf, buf: Uint8Array): void {
    const env = this.s.env;
    const st = this.stats.ip6;
    env.charge(NetCost.ip6Input);
    st.total++;
    const drop = (counter: keyof typeof st | null, reason: string): void => {
      if (counter) bump(st, counter);
      env.trace('ip6', 'drop', m.pktId, { reason });
    };
    const p = new Ipv6Packet(buf);
    const r = Ipv6Repr.parse(p);
    if (r instanceof WireError) return drop(r.check, r.reason);
    const pkt = p.packet; // trims link padding
    st.nxthist[r.nxt]!++;
    const src = r.src;
    const dst = r.dst;
    env.trace('ip6', 'input', m.pktId, { src: ipv6ToString(src), dst: ipv6ToString(dst), nxt: r.nxt, len: pkt.length, if: ifp.name });
    // RFC 4291 §2.7 and ip6_input's sanity checks: no multicast source, no multicast of scope 0, ::1 only on lo0,
    // no v4-mapped addresses on the wire (RFC 4038 §4.2).
    if (ipv6IsMulticast(src)) return drop('badscope', 'multicast source address');
    if (ipv6IsMulticast(dst) && ipv6Scope(dst) === 0) return drop('badscope', 'multicast destination of scope 0');
    const fromLoop = (ifp.flags & IFF_LOOPBACK) !== 0;
    if (!fromLoop && (ipv6IsLoopback(src) || ipv6IsLoopback(dst))) return drop('badscope', 'loopback address on a non-loopback interface');
    if (ipv6IsV4Mapped(src) || ipv6IsV4Mapped(dst)) return drop('badscope', 'v4-mapped address on the wire');

    const mcast = ipv6IsMulticast(dst);
    if (mcast) {
      if (!this.in6.isMember(ifp, dst)) return drop('notmember', `multicast group ${ipv6ToString(dst)} not joined on ${ifp.name}`);
    } else {
      const ia = this.in6.lookup(dst, fromLoop ? undefined : ifp);
      if (!ia) {
        if (!this.forwarding) return drop('cantforward', 'not for us and forwarding is off');
        ip6Forward(this.s, this, ifp, m, pkt);
        return;
      }
      // A tentative address is not ours yet (RFC 4862 §5.4): only DAD's NS, sent to multicast, concerns it.
      if ((ia.flags & IN6_IFF_NOTREADY) !== 0) return drop('notmember', `destination ${ipv6ToString(dst)} is tentative or duplicated`);
    }
    this.deliver(ifp, m, pkt, r.nxt, IP6_HDR_LEN, mcast);
  }

  /** Walk the extension headers from `off` and hand the payload to its protocol (also entered after reassembly). */
  deliver(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, nxt: number, off: number, mcast: boolean): void {
    const env = this.s.env;
    const w = walkExtHeaders(pkt, nxt, off, off === IP6_HDR_LEN, mcast);
    if (w.kind === 'drop') {
      if (w.counter) bump(this.stats.ip6, w.counter);
      env.trace('ip6', 'drop', m.pktId, { reason: w.reason });
      if (w.paramProb) this.icmp6.error(ifp, m, pkt, Icmp6Type.ParamProb, w.paramProb.code, w.paramProb.pointer);
      return;
    }
    const p = new Ipv6Packet(pkt);
    if (w.kind === 'fragment') {
      this.frag6.input(ifp, m, pkt, w.off, w.prevNxtOff, mcast);
      return;
    }
    if (w.nxt === Ip6Nxt.NONE) {
      env.trace('ip6', 'no-next-header', m.pktId, {});
      return;
    }
    this.stats.ip6.delivered++;
    const info: Ip6InputInfo = { pkt, off: w.off, mcast, hlim: p.hlim };
    const payload = pkt.subarray(w.off);
    const src = p.src;
    const dst = p.dst;
    // Raw sockets of the protocol see the packet too (rip6_input); ICMPv6 hands them what it does not consume.
    const upper = this.protosw.get(w.nxt);
    if (upper) {
      upper(ifp, m, src, dst, payload, info);
      return;
    }
    const n = this.raw6.input(ifp, m, src, dst, w.nxt, payload, info);
    if (n > 0) return;
    this.stats.ip6.delivered--;
    env.trace('ip6', 'drop', m.pktId, { reason: `no handler for next header ${w.nxt}` });
    // RFC 8200 §4: an unrecognized next header → Parameter Problem code 1 pointing at the field that named it.
    if (!mcast) this.icmp6.error(ifp, m, pkt, Icmp6Type.ParamProb, Icmp6ParamCode.NextHeader, w.prevNxtOff);
  }

  // --- output ---

  /** The hop limit to use when the caller says -1. */
  defaultHlim(dst: Ipv6Addr): number {
    return ipv6IsMulticast(dst) ? 1 : this.defHlim;
  }

  /**
   * The outgoing interface, next hop and source for `dst` (in6_selectroute + in6_selectsrc). `scopeId` names
   * the interface of a link-local or multicast destination. Errors: EHOSTUNREACH (no route, or a link-local
   * destination without its zone), EADDRNOTAVAIL (no usable source address on the interface).
   */
  selectSource(dst: Ipv6Addr, scopeId = 0, ifpHint?: Ifnet): Ip6SourceChoice | number {
    const r = this.selectRoute(dst, scopeId, ifpHint);
    if (typeof r === 'number') return r;
    const src = this.pickSource(dst, r.ifp);
    if (!src) return Errno.EADDRNOTAVAIL;
    return { ...r, src: src.addr.slice() };
  }

  /** in6_selectroute (in6_src.ts). */
  selectRoute(dst: Ipv6Addr, scopeId: number, ifpHint?: Ifnet): Ip6RouteChoice | number {
    return in6SelectRoute(this.s, this, dst, scopeId, ifpHint);
  }

  /** in6_selectsrc's address choice (in6_src.ts). */
  pickSource(dst: Ipv6Addr, ifp: Ifnet): In6Ifaddr | undefined {
    return in6PickSource(this, dst, ifp);
  }

  /**
   * ip6_output for a packet in `frame` (from Ip6.alloc, upper-layer payload in place, its checksum filled
   * against the source the caller chose). Writes the header, routes, fragments when the packet exceeds the
   * path MTU, and resolves the next hop through neighbour discovery. Returns 0 or an errno (EHOSTUNREACH,
   * EADDRNOTAVAIL, EMSGSIZE, ENETDOWN, ENOBUFS). A packet held by ND awaiting resolution counts as sent.
   */
  output(frame: Uint8Array, h: Ip6HeaderSpec, pktId: number, opts: Ip6OutputOpts = {}): number {
    const env = this.s.env;
    const st = this.stats.ip6;
    env.charge(NetCost.ip6Output);
    const payloadLen = frame.length - Ip6.PAYLOAD_OFF;
    if (payloadLen < 0 || payloadLen > IPV6_MAXPACKET) return Errno.EMSGSIZE;
    const r = this.selectRoute(h.dst, h.scopeId ?? 0, opts.ifp);
    if (typeof r === 'number') {
      st.noroute++;
      env.trace('ip6', 'drop', pktId, { reason: `no route to ${ipv6ToString(h.dst)}` });
      return r;
    }
    let src = h.src;
    if (!src || ipv6IsUnspecified(src)) {
      // The unspecified source stays only where the caller asks for it (DAD's NS, RFC 4862 §5.4.2).
      if (src && opts.anySource) src = src.slice();
      else {
        const ia = this.pickSource(h.dst, r.ifp);
        if (!ia) {
          env.trace('ip6', 'drop', pktId, { reason: `no source address for ${ipv6ToString(h.dst)}` });
          return Errno.EADDRNOTAVAIL;
        }
        src = ia.addr;
      }
    }
    const p = new Ipv6Packet(frame.subarray(ETHER_HDR_LEN));
    // in6_selecthlim: the interface's CurHopLimit (from Router Advertisements) for unicast, 1 for multicast.
    const loop = (r.ifp.flags & IFF_LOOPBACK) !== 0;
    const hlim = h.hlim >= 0 ? h.hlim : ipv6IsMulticast(h.dst) || loop ? this.defaultHlim(h.dst) : this.nd6.ndi(r.ifp).chlim;
    Ipv6Repr.emit({ src, dst: h.dst, nxt: h.nxt, hlim, trafficClass: h.trafficClass ?? 0, flowLabel: 0, payloadLen }, p);
    const len = IP6_HDR_LEN + payloadLen;
    const mtu = (r.ifp.flags & IFF_LOOPBACK) !== 0 ? r.ifp.mtu : r.mtu;
    st.localout++;
    env.trace('ip6', 'output', pktId, { src: ipv6ToString(src), dst: ipv6ToString(h.dst), nxt: h.nxt, len, if: r.ifp.name });
    if (len > mtu) {
      if (opts.dontfrag) {
        st.cantfrag++;
        env.trace('ip6', 'drop', pktId, { reason: `${len} bytes exceed path mtu ${mtu} (IPV6_DONTFRAG)` });
        return Errno.EMSGSIZE;
      }
      return this.frag6.output(r.ifp, r.nexthop, frame, mtu, pktId);
    }
    return this.transmit(r.ifp, r.nexthop, { data: frame, pktId }, opts.mloop ?? true);
  }

  /** Hand a complete frame (Ethernet headroom + IPv6 packet) to lo0 or to neighbour discovery. */
  transmit(ifp: Ifnet, nexthop: Ipv6Addr, m: Mbuf, mloop = true): number {
    const pkt = m.data.subarray(ETHER_HDR_LEN);
    if ((ifp.flags & IFF_LOOPBACK) !== 0) return this.s.loopOutput(ifp, { data: pkt, pktId: m.pktId });
    if ((ifp.flags & (IFF_UP | IFF_RUNNING)) !== (IFF_UP | IFF_RUNNING)) {
      this.stats.ip6.odropped++;
      this.s.env.trace('ip6', 'drop', m.pktId, { reason: `${ifp.name} is down` });
      return Errno.ENETDOWN;
    }
    const dst = new Ipv6Packet(pkt).dst;
    if (ipv6IsMulticast(dst) && mloop && this.in6.isMember(ifp, dst)) {
      // ip6_mloopback: we belong to the group, so a copy comes back in (the interface does not hear itself).
      this.s.loopInput(ifp, { data: pkt.slice(), pktId: m.pktId, flags: M_MCAST | M_LOOP });
    }
    const err = this.nd6.output(ifp, m, nexthop);
    if (err) this.stats.ip6.odropped++;
    return err;
  }
}

/**
 * Add one to the ip6stat counter `name` when it is a number (the histograms are arrays). A function rather than
 * `(st[name] as number)++`: StrykerJS prints that expression's mutant without its parentheses, which no longer parses.
 */
function bump<S extends object>(stats: S, name: keyof S): void {
  const r = stats as Record<keyof S, unknown>;
  if (typeof r[name] === 'number') r[name] = (r[name] as number) + 1;
}
