/**
 * ip_input / ip_output / ip_forward (netinet/ip_input.c, ip_output.c): validation in NetBSD's order with its
 * counters, options (ip_dooptions: ip-options.ts), reassembly (ip-reass.ts), local delivery by protocol, multicast
 * membership on the receiving interface, forwarding only when the `forward` tcpip option is on (ICMP time
 * exceeded, unreachable and need-fragment errors), route lookup with the route's path MTU and source selection on
 * output, fragmentation (ip-frag.ts) unless DF, and multicast output (IP_MULTICAST_IF/TTL/LOOP, ip_mloopback).
 */
import { IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST, type Ifnet } from './if';
import { M_BCAST, M_CSUM_IPv4, M_CSUM_TCPv4, M_CSUM_UDPv4, M_LOOP, M_MCAST, type Mbuf } from './mbuf';
import { ipRxVerdict, ipTxOffload, tcpTxOffload, udpTxOffload } from './csum-offload';
import { UdpPacket } from './wire/udp';
import { TcpPacket, tcpPseudoSum4 } from './wire/tcp';
import { Errno } from '../kernel/api';
import { NetCost, bytesCost } from './costs';
import type { InIfaddr } from './ifnet';
import { ipFragment } from './ip-frag';
import { ipDoOptions } from './ip-options';
import { IpReass } from './ip-reass';
import { IP_DEFAULT_MULTICAST_TTL, type IpMoptions } from './in-mcast';
import { RTF, type Rtentry } from './route';
import type { IpStat } from './stats';
import type { NetStack } from './stack';
import { INADDR_BROADCAST, ipToString, isMulticastIp, type Ipv4Addr } from './wire/addr';
import { ETHER_HDR_LEN } from './wire/ethernet';
import { IcmpType, IcmpUnreachCode } from './wire/icmp';
import { IPV4_CHECKS, IP_HDR_LEN, IpProto, Ipv4Packet, Ipv4Repr } from './wire/ipv4';
import { WireError } from './wire/view';

export interface IpHeaderSpec {
  /** 0 = choose from the route. */
  src: Ipv4Addr;
  dst: Ipv4Addr;
  protocol: number;
  ttl: number;
  tos: number;
  df?: boolean;
}

export interface IpOutputOpts {
  /** SO_BROADCAST: sending to a broadcast address is allowed. */
  allowBroadcast?: boolean;
  /** The header in `frame` is complete (IP_HDRINCL or forwarding): only checksum/ident fixed up. */
  rawHeader?: boolean;
  forwarding?: boolean;
  /** m_pkthdr.csum_flags the transport asked for (M_CSUM_UDPv4: its pseudo-header sum is in place). */
  csumFlags?: number;
  /** The socket's multicast options (struct ip_moptions), for a datagram to a group. */
  multicast?: IpMoptions;
  /**
   * IP options to insert (ip_insertoptions), a multiple of 4 bytes: the caller left that much room in
   * front of the payload (the payload starts at Ip.PAYLOAD_OFF + options.length).
   */
  options?: Uint8Array;
}

/** A route chosen for a destination, with the source address it implies. */
export interface RouteChoice {
  /** The route used (null for our own addresses, which go through lo0). */
  rt: Rtentry | null;
  ifp: Ifnet;
  src: InIfaddr;
  nexthop: Ipv4Addr;
  bcast: boolean;
  /** The path MTU: the route's rmx_mtu when set (and below the interface's), else the interface MTU. */
  mtu: number;
}

export class Ip {
  /** ip_id: next identification field value. */
  private ident = 1;
  /** IPv4 forwarding (`-ptcpip forward`). */
  forwarding = false;
  /** NetBSD ip_defttl. */
  defaultTtl = 64;
  /**
   * net.inet.ip.mtudisc (NetBSD default 1): path MTU discovery. TCP sets DF on its segments while it is on
   * and learns the path MTU from need-fragment errors (icmp-route.ts) or EMSGSIZE from output().
   */
  mtudisc = true;
  /** The reassembly queues (ip_reass). */
  readonly reass: IpReass;

  constructor(private readonly s: NetStack) {
    this.reass = new IpReass(s);
  }

  /** A buffer for an IP datagram carrying `payloadLen` bytes, with Ethernet headroom. */
  static alloc(payloadLen: number): Uint8Array {
    return new Uint8Array(ETHER_HDR_LEN + IP_HDR_LEN + payloadLen);
  }
  /** Offset of the IP payload in a buffer from alloc(). */
  static readonly PAYLOAD_OFF = ETHER_HDR_LEN + IP_HDR_LEN;

  input(ifp: Ifnet, m0: Mbuf, buf: Uint8Array): void {
    let m = m0;
    const env = this.s.env;
    const st = this.s.stats.ip;
    env.charge(NetCost.ipInput);
    st.total++;
    const p = new Ipv4Packet(buf);
    // What the interface's hardware verified (checksum offload), else the header sum is checked here.
    const hw = ipRxVerdict(ifp, m);
    const r = Ipv4Repr.parse(p, { verifyChecksum: hw === null });
    const pastSum = !(r instanceof WireError) || IPV4_CHECKS.indexOf(r.check) > IPV4_CHECKS.indexOf('badsum');
    // The header checksum is computed (and costs CPU) once the header is known to be there.
    if (hw === null && (pastSum || (r instanceof WireError && r.check === 'badsum'))) {
      env.charge(bytesCost(p.headerLen, NetCost.checksumPerByte));
    }
    if (hw === false && pastSum) return this.drop(m, 'badsum', 'bad header checksum (hardware)');
    if (r instanceof WireError) return this.drop(m, r.check, r.reason);
    const len = p.totalLen;
    let pkt = buf.length > len ? buf.subarray(0, len) : buf; // trim link padding
    env.trace('ip', 'input', m.pktId, { src: ipToString(r.src), dst: ipToString(r.dst), proto: r.protocol, len });
    // pfil_run_hooks(PFIL_IN): after the header checks, before the "for us or forward" decision; pf may drop
    // the packet or rewrite it (rdr changes the destination).
    if (this.s.pfil.inet.active) {
      const h = this.s.pfil.inet.run(m, pkt, ifp, 'in');
      if (!h) return;
      m = h.m;
      pkt = h.pkt;
    }
    // ip_dooptions: options are checked (and a source route followed) before deciding whether the datagram is ours.
    if (new Ipv4Packet(pkt).headerLen > IP_HDR_LEN) {
      const v = ipDoOptions(this.s, ifp, pkt, this);
      if (v.kind === 'bad') {
        env.trace('ip', 'drop', m.pktId, { reason: `bad option: ${v.reason}` });
        this.s.icmp.error(ifp, m, pkt, v.type, v.code);
        st.badoptions++;
        return;
      }
      if (v.kind === 'srcroute') {
        this.forward(ifp, m, pkt, true);
        return;
      }
    }
    const dst = new Ipv4Packet(pkt).dst;

    if (isMulticastIp(dst)) {
      // IN_LOOKUP_MULTI: a group is ours when joined on the receiving interface (no multicast routing).
      if (!this.s.inMcast.lookup(ifp, dst)) return this.drop(m, 'notmember', `multicast group ${ipToString(dst)} not joined on ${ifp.name}`);
    } else if (!this.isForUs(ifp, dst, m)) {
      if (!this.forwarding) return this.drop(m, 'cantforward', 'not for us and forwarding is off');
      this.forward(ifp, m, pkt);
      return;
    }
    if (r.moreFrags || r.fragOffset !== 0) {
      st.fragments++;
      const whole = this.reass.input(ifp, m, pkt);
      if (!whole) return;
      // The reassembled datagram carries no hardware checksum verdict (that was about one fragment).
      const { csumFlags: _f, csumData: _d, ...rest } = m;
      this.deliver(ifp, { ...rest, data: whole }, whole, dst);
      return;
    }
    this.deliver(ifp, m, pkt, dst);
  }

  /** ip_input's "goto bad": count the drop and trace why (a method, not a closure per datagram). */
  private drop(m: Mbuf, counter: keyof IpStat, reason: string): void {
    this.s.stats.ip[counter]++;
    this.s.env.trace('ip', 'drop', m.pktId, { reason });
  }

  /** Local delivery of a complete datagram by protocol (the protosw pr_input switch). */
  private deliver(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, dst: Ipv4Addr): void {
    const r = new Ipv4Packet(pkt);
    this.s.stats.ip.delivered++;
    const isBcast = ((m.flags ?? 0) & (M_BCAST | M_MCAST)) !== 0 || this.s.ifs.isBroadcast(dst, ifp);
    switch (r.protocol) {
      case IpProto.ICMP:
        this.s.icmp.input(ifp, m, pkt, isBcast);
        return;
      case IpProto.UDP:
        this.s.udp.input(ifp, m, pkt, isBcast);
        return;
      case IpProto.TCP:
        this.s.tcp.input(ifp, m, pkt);
        return;
      case IpProto.IGMP:
        this.s.igmp.input(ifp, m, pkt);
        return;
      default:
        this.s.raw.input(ifp, m, pkt, isBcast, true);
    }
  }

  private isForUs(ifp: Ifnet, dst: Ipv4Addr, m: Mbuf): boolean {
    if (this.s.ifs.ifaWithAddr(dst)) return true;
    if (this.s.ifs.isBroadcast(dst, ifp)) return true;
    if ((m.flags ?? 0) & M_BCAST && dst === INADDR_BROADCAST) return true;
    return false;
  }

  /** ip_forward; `srcrt`: the datagram follows a source route (no redirect is sent for it). */
  private forward(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, srcrt = false): void {
    const env = this.s.env;
    const st = this.s.stats.ip;
    env.charge(NetCost.ipForward);
    const p = new Ipv4Packet(pkt);
    if (((m.flags ?? 0) & (M_BCAST | M_MCAST)) !== 0 || this.s.ifs.isBroadcast(p.dst, ifp)) {
      st.cantforward++;
      env.trace('ip', 'drop', m.pktId, { reason: 'link broadcast not forwarded' });
      return;
    }
    if (p.ttl <= 1) {
      st.cantforward++;
      this.s.icmp.error(ifp, m, pkt, IcmpType.TimeExceeded, 0);
      return;
    }
    const choice = this.route(p.dst);
    if (typeof choice === 'number') {
      st.cantforward++;
      st.noroute++;
      this.s.icmp.error(ifp, m, pkt, IcmpType.Unreach, IcmpUnreachCode.Host);
      return;
    }
    // Rebuild with headroom if the packet did not come from an Ethernet frame (lo0).
    let frame: Uint8Array;
    if (pkt.byteOffset - m.data.byteOffset === ETHER_HDR_LEN && pkt.buffer === m.data.buffer) frame = m.data.subarray(0, ETHER_HDR_LEN + pkt.length);
    else {
      frame = new Uint8Array(ETHER_HDR_LEN + pkt.length);
      frame.set(pkt, ETHER_HDR_LEN);
    }
    const q = new Ipv4Packet(frame.subarray(ETHER_HDR_LEN));
    if (q.totalLen > choice.mtu && q.dontFrag) {
      // ip_forward: EMSGSIZE from ip_output becomes "fragmentation needed" with the next-hop MTU (RFC 1191).
      st.cantfrag++;
      st.cantforward++;
      env.trace('ip', 'drop', m.pktId, { reason: `${q.totalLen} bytes with DF exceed next-hop mtu ${choice.mtu}` });
      this.s.icmp.error(ifp, m, pkt, IcmpType.Unreach, IcmpUnreachCode.NeedFrag, choice.mtu);
      return;
    }
    // ICMP redirect (ip_forward): the packet leaves by the interface it came in on, the sender is on the
    // outgoing address's subnet, and the route is neither the default nor one a redirect made; the better
    // first hop is the route's gateway, or the destination itself on a connected network.
    const ia = choice.src;
    const rt = choice.rt;
    const redirect = this.sendRedirects && !srcrt && choice.ifp === ifp && rt !== null && rt.dst !== 0 && (rt.flags & (RTF.DYNAMIC | RTF.MODIFIED)) === 0 &&
      ((p.src & ia.mask) >>> 0) === ((ia.addr & ia.mask) >>> 0);
    const quote = redirect ? pkt.slice(0, Math.min(pkt.length, p.headerLen + 8)) : null;
    // ip_forward's mcopy (68 bytes, before the TTL changes): quoted if ip_output refuses the packet.
    const mcopy = this.s.pfil.inet.active ? pkt.slice(0, Math.min(pkt.length, 68)) : null;
    q.ttl = q.ttl - 1;
    q.fillChecksum();
    // ip_output's pfil_run_hooks(PFIL_OUT) for the forwarded packet, on the next hop's interface. A packet a hook
    // refuses is EHOSTUNREACH from ip_output, which ip_forward counts and answers with ICMP host unreachable.
    let fq = q;
    if (this.s.pfil.inet.active) {
      const h = this.s.pfil.inet.run({ data: frame, pktId: m.pktId }, frame.subarray(ETHER_HDR_LEN, ETHER_HDR_LEN + q.totalLen), choice.ifp, 'out');
      if (!h) {
        st.cantforward++;
        if (mcopy) this.s.icmp.error(ifp, m, mcopy, IcmpType.Unreach, IcmpUnreachCode.Host);
        return;
      }
      frame = h.m.data;
      fq = new Ipv4Packet(h.pkt);
    }
    st.forward++;
    // Which io-pkt thread forwarded it and whether it held the stack context (ip_forward always does).
    const th = env.thread?.();
    env.trace('ip', 'forward', m.pktId, { dst: ipToString(q.dst), via: choice.ifp.name, ttl: q.ttl, ...(th ? { thread: th.name, stk: th.stack } : {}) });
    const err = this.send(choice, { data: frame, pktId: m.pktId }, fq);
    if (err === 0 && quote) {
      st.redirectsent++;
      this.s.icmp.error(ifp, m, quote, IcmpType.Redirect, 1 /* ICMP_REDIRECT_HOST */, 0, choice.nexthop);
    } else if (err === 0) {
      // ipflow_create: a forward that needed no redirect seeds the fast-forward cache (ip-flow.ts).
      this.s.ipflow.create(choice, q.buf);
    }
  }

  /**
   * net.inet.ip.redirect (ipsendredirects): send ICMP redirects when forwarding back out the arrival interface.
   * QNX and NetBSD compile in IPSENDREDIRECTS 1; issue 12 asks for a router that sends none until told to.
   */
  sendRedirects = false;
  /** net.inet.ip.allowsrcrt / forwsrcrt: accept and forward source-routed datagrams (NetBSD IPALLOWSRCRT, IPFORWSRCRT 1). */
  allowsrcrt = true;
  forwsrcrt = true;

  /**
   * rtalloc + source selection. Returns EHOSTUNREACH/ENETUNREACH when there is no route. A group address
   * with IP_MULTICAST_IF set goes out that interface without a route (ip_output's imo_multicast_ifp).
   */
  route(dst: Ipv4Addr, mopts?: IpMoptions): RouteChoice | number {
    if (isMulticastIp(dst) && mopts?.ifp) {
      const ifp = mopts.ifp;
      const ia = this.s.ifs.has(ifp) ? this.s.ifs.st(ifp).addrs[0] : undefined;
      if (!ia) return Errno.EADDRNOTAVAIL;
      return { rt: null, ifp, src: ia, nexthop: dst, bcast: false, mtu: ifp.mtu };
    }
    const ours = this.s.ifs.ifaWithAddr(dst);
    const lo = this.s.ifs.loopback();
    if (ours && lo && this.s.ifs.st(lo).addrs[0]) {
      // Packets to our own address go through lo0 (arp_rtrequest's useloopback).
      return { rt: null, ifp: lo, src: ours, nexthop: dst, bcast: false, mtu: lo.mtu };
    }
    let rt = this.s.routes.lookup(dst);
    if (!rt && dst === INADDR_BROADCAST) rt = this.s.routes.routes.find((r) => (r.ifp.flags & IFF_BROADCAST) !== 0);
    if (!rt) return Errno.EHOSTUNREACH;
    // route add -reject (looutput's answer for RTF_REJECT).
    if ((rt.flags & RTF.REJECT) !== 0) return (rt.flags & RTF.HOST) !== 0 ? Errno.EHOSTUNREACH : Errno.ENETUNREACH;
    rt.use++;
    const ifp = rt.ifp;
    const bcast = dst === INADDR_BROADCAST || this.s.ifs.isBroadcast(dst, ifp);
    const nexthop = (rt.flags & RTF.GATEWAY) !== 0 && !isMulticastIp(dst) ? rt.gateway : dst;
    const mtu = rt.mtu > 0 && rt.mtu < ifp.mtu ? rt.mtu : ifp.mtu;
    return { rt, ifp, src: rt.ifa, nexthop, bcast, mtu };
  }

  /**
   * ip_output for a datagram in `frame` (from Ip.alloc, payload filled). Writes the header unless
   * `opts.rawHeader`, routes, fragments when the path MTU requires it, and hands it to the interface.
   * Returns 0 or an errno (EMSGSIZE for a datagram with DF that does not fit).
   */
  output(frame: Uint8Array, h: IpHeaderSpec, pktId: number, opts: IpOutputOpts = {}): number {
    const env = this.s.env;
    const st = this.s.stats.ip;
    env.charge(NetCost.ipOutput);
    let p = new Ipv4Packet(frame.subarray(ETHER_HDR_LEN));
    const mcast = isMulticastIp(h.dst);
    const choice = this.route(h.dst, opts.multicast);
    if (typeof choice === 'number') {
      st.noroute++;
      env.trace('ip', 'drop', pktId, { reason: `no route to ${ipToString(h.dst)}` });
      return choice;
    }
    if (choice.bcast) {
      if ((choice.ifp.flags & IFF_BROADCAST) === 0) return Errno.EADDRNOTAVAIL;
      if (!opts.allowBroadcast) return Errno.EACCES;
    }
    if (mcast && (choice.ifp.flags & IFF_MULTICAST) === 0) {
      st.noroute++;
      env.trace('ip', 'drop', pktId, { reason: `${choice.ifp.name} cannot multicast` });
      return Errno.ENETUNREACH;
    }
    // Multicast source: the outgoing interface's address (in_selectsrc with imo_multicast_ifp).
    const src = h.src !== 0 ? h.src : mcast ? (this.s.ifs.st(choice.ifp).addrs[0]?.addr ?? choice.src.addr) : choice.src.addr;
    if (opts.rawHeader) {
      if (p.src === 0) p.src = src;
      if (p.ident === 0) p.ident = this.nextIdent();
      st.rawout++;
      p.fillChecksum();
    } else {
      const optLen = opts.options?.length ?? 0;
      Ipv4Repr.emit({
        src, dst: h.dst, protocol: h.protocol, ttl: mcast ? (opts.multicast?.ttl ?? IP_DEFAULT_MULTICAST_TTL) : h.ttl, tos: h.tos,
        ident: this.nextIdent(), dontFrag: h.df ?? false, moreFrags: false, fragOffset: 0, optionsLen: 0,
        payloadLen: frame.length - ETHER_HDR_LEN - IP_HDR_LEN - optLen,
      }, p);
      if (opts.options && optLen > 0) {
        p.buf.set(opts.options, IP_HDR_LEN);
        p.setVersionAndHeaderLen(IP_HDR_LEN + optLen);
        p.totalLen = frame.length - ETHER_HDR_LEN;
        p.fillChecksum();
      }
    }
    // pfil_run_hooks(PFIL_OUT): after the route, before fragmentation. pfil4_wrapper first completes a delayed
    // TCP/UDP checksum (in_delayed_cksum) so pf can adjust it; a refused packet is EHOSTUNREACH.
    let txCsum = opts.csumFlags ?? 0;
    if (this.s.pfil.inet.active) {
      if (txCsum & M_CSUM_UDPv4) {
        const u = new UdpPacket(p.buf.subarray(p.headerLen, p.totalLen));
        u.fillChecksum(p.src, p.dst);
        env.charge(bytesCost(u.length, NetCost.checksumPerByte));
      }
      if (txCsum & M_CSUM_TCPv4) {
        const t = new TcpPacket(p.buf.subarray(p.headerLen, p.totalLen));
        t.fillChecksum(tcpPseudoSum4(p.src, p.dst, t.buf.length));
        env.charge(bytesCost(t.buf.length, NetCost.checksumPerByte));
      }
      txCsum &= ~(M_CSUM_UDPv4 | M_CSUM_TCPv4);
      const h = this.s.pfil.inet.run({ data: frame, pktId }, frame.subarray(ETHER_HDR_LEN, ETHER_HDR_LEN + p.totalLen), choice.ifp, 'out');
      if (!h) return Errno.EHOSTUNREACH;
      frame = h.m.data;
      p = new Ipv4Packet(h.pkt);
    }
    const needFrag = p.totalLen > choice.mtu;
    if (needFrag && p.dontFrag) {
      st.cantfrag++;
      env.trace('ip', 'drop', pktId, { reason: `${p.totalLen} bytes with DF exceed mtu ${choice.mtu}` });
      return Errno.EMSGSIZE;
    }
    // A copy looped back to our own members (ip_mloopback) is checksummed completely, like a fragmented one.
    const loop = mcast && (opts.multicast?.loop ?? true) && this.s.inMcast.lookup(choice.ifp, h.dst) !== undefined;
    const software = needFrag || loop;
    let csumFlags = 0;
    if (!opts.rawHeader && !software && ipTxOffload(choice.ifp)) {
      p.checksum = 0; // the interface fills it in (M_CSUM_IPv4)
      csumFlags |= M_CSUM_IPv4;
    } else {
      env.charge(bytesCost(p.headerLen, NetCost.checksumPerByte));
    }
    if (txCsum & M_CSUM_UDPv4) {
      if (!software && udpTxOffload(choice.ifp)) csumFlags |= M_CSUM_UDPv4;
      else {
        // in_delayed_cksum: the interface cannot (or the datagram is cut up / looped), so the stack sums.
        const u = new UdpPacket(p.buf.subarray(p.headerLen, p.totalLen));
        u.fillChecksum(p.src, p.dst);
        env.charge(bytesCost(u.length, NetCost.checksumPerByte));
      }
    }
    if (txCsum & M_CSUM_TCPv4) {
      if (!software && tcpTxOffload(choice.ifp)) csumFlags |= M_CSUM_TCPv4;
      else {
        // in_delayed_cksum for TCP: the segment's pseudo-header seed is replaced by the full checksum.
        const t = new TcpPacket(p.buf.subarray(p.headerLen, p.totalLen));
        t.fillChecksum(tcpPseudoSum4(p.src, p.dst, t.buf.length));
        env.charge(bytesCost(t.buf.length, NetCost.checksumPerByte));
      }
    }
    st.localout++;
    env.trace('ip', 'output', pktId, { src: ipToString(p.src), dst: ipToString(p.dst), proto: p.protocol, len: p.totalLen, if: choice.ifp.name });
    if (loop) this.mloopback(choice.ifp, p, pktId);
    // A group datagram with TTL 0 stays on this host (ip_output: "ip_ttl == 0 ... goto done").
    if (mcast && (p.ttl === 0 || (choice.ifp.flags & IFF_LOOPBACK) !== 0)) return 0;
    return this.send(choice, csumFlags ? { data: frame, pktId, csumFlags } : { data: frame, pktId }, p);
  }

  /** ip_mloopback: a copy of a datagram to a group we are a member of comes back in on `ifp`. */
  private mloopback(ifp: Ifnet, p: Ipv4Packet, pktId: number): void {
    const copy = p.buf.slice(0, p.totalLen);
    this.s.env.charge(bytesCost(copy.length, NetCost.copyPerByte));
    this.s.env.trace('ip', 'mloopback', pktId, { if: ifp.name, dst: ipToString(p.dst) });
    this.s.loopInput(ifp, { data: copy, pktId, flags: M_MCAST | M_LOOP });
  }

  /** Hand a datagram to the interface, cutting it into fragments first when it exceeds the path MTU. */
  private send(choice: RouteChoice, m: Mbuf, p: Ipv4Packet): number {
    if (p.totalLen <= choice.mtu) return this.transmit(choice, m, p);
    const env = this.s.env;
    const st = this.s.stats.ip;
    const frags = ipFragment(m.data.subarray(0, ETHER_HDR_LEN + p.totalLen), choice.mtu);
    if (typeof frags === 'number') {
      st.cantfrag++;
      env.trace('ip', 'drop', m.pktId, { reason: `cannot fragment ${p.totalLen} bytes for mtu ${choice.mtu}` });
      return frags;
    }
    st.fragmented++;
    env.charge(NetCost.ipFragment * frags.length + bytesCost(p.totalLen, NetCost.copyPerByte) + bytesCost(IP_HDR_LEN * frags.length, NetCost.checksumPerByte));
    env.trace('ip', 'fragment', m.pktId, { len: p.totalLen, mtu: choice.mtu, frags: frags.length, id: p.ident });
    for (const f of frags) {
      st.ofragments++;
      const err = this.transmit(choice, { data: f, pktId: m.pktId }, new Ipv4Packet(f.subarray(ETHER_HDR_LEN)));
      if (err) return err;
    }
    return 0;
  }

  private transmit(choice: RouteChoice, m: Mbuf, p: Ipv4Packet): number {
    if ((choice.ifp.flags & IFF_LOOPBACK) !== 0) return this.s.loopOutput(choice.ifp, { data: m.data.subarray(ETHER_HDR_LEN, ETHER_HDR_LEN + p.totalLen), pktId: m.pktId });
    const err = this.s.ether.outputIp(choice.ifp, m, choice.nexthop, choice.bcast);
    if (err) this.s.stats.ip.odropped++;
    return err;
  }

  private nextIdent(): number {
    const id = this.ident;
    this.ident = (this.ident + 1) & 0xffff || 1;
    return id;
  }
}
