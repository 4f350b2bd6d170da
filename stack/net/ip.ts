/**
 * ip_input / ip_output / ip_forward (netinet/ip_input.c, ip_output.c), reduced to what a host needs:
 * validation in NetBSD's order with its counters, local delivery by protocol, forwarding only when the
 * `forward` tcpip option is on, route lookup and source selection on output, EMSGSIZE instead of
 * fragmentation.
 */
import { IFF_BROADCAST, IFF_LOOPBACK, type Ifnet } from './if';
import { M_BCAST, M_CSUM_IPv4, M_CSUM_UDPv4, M_MCAST, type Mbuf } from './mbuf';
import { ipRxVerdict, ipTxOffload, udpTxOffload } from './csum-offload';
import { UdpPacket } from './wire/udp';
import { Errno } from '../kernel/api';
import { NetCost, bytesCost } from './costs';
import type { InIfaddr } from './ifnet';
import { RTF, type Rtentry } from './route';
import type { NetStack } from './stack';
import { INADDR_BROADCAST, ipToString, isMulticastIp, type Ipv4Addr } from './wire/addr';
import { ETHER_HDR_LEN } from './wire/ethernet';
import { IcmpType } from './wire/icmp';
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
}

/** A route chosen for a destination, with the source address it implies. */
export interface RouteChoice {
  /** The route used (null for our own addresses, which go through lo0). */
  rt: Rtentry | null;
  ifp: Ifnet;
  src: InIfaddr;
  nexthop: Ipv4Addr;
  bcast: boolean;
}

export class Ip {
  /** ip_id: next identification field value. */
  private ident = 1;
  /** IPv4 forwarding (`-ptcpip forward`). */
  forwarding = false;
  /** NetBSD ip_defttl. */
  defaultTtl = 64;

  constructor(private readonly s: NetStack) {}

  /** A buffer for an IP datagram carrying `payloadLen` bytes, with Ethernet headroom. */
  static alloc(payloadLen: number): Uint8Array {
    return new Uint8Array(ETHER_HDR_LEN + IP_HDR_LEN + payloadLen);
  }
  /** Offset of the IP payload in a buffer from alloc(). */
  static readonly PAYLOAD_OFF = ETHER_HDR_LEN + IP_HDR_LEN;

  input(ifp: Ifnet, m: Mbuf, buf: Uint8Array): void {
    const env = this.s.env;
    const st = this.s.stats.ip;
    env.charge(NetCost.ipInput);
    st.total++;
    const drop = (counter: keyof typeof st | null, reason: string): void => {
      if (counter) st[counter]++;
      env.trace('ip', 'drop', m.pktId, { reason });
    };
    const p = new Ipv4Packet(buf);
    // What the interface's hardware verified (checksum offload), else the header sum is checked here.
    const hw = ipRxVerdict(ifp, m);
    const r = Ipv4Repr.parse(p, { verifyChecksum: hw === null });
    const pastSum = !(r instanceof WireError) || IPV4_CHECKS.indexOf(r.check) > IPV4_CHECKS.indexOf('badsum');
    // The header checksum is computed (and costs CPU) once the header is known to be there.
    if (hw === null && (pastSum || (r instanceof WireError && r.check === 'badsum'))) {
      env.charge(bytesCost(p.headerLen, NetCost.checksumPerByte));
    }
    if (hw === false && pastSum) return drop('badsum', 'bad header checksum (hardware)');
    if (r instanceof WireError) return drop(r.check, r.reason);
    const len = p.totalLen;
    const pkt = buf.length > len ? buf.subarray(0, len) : buf; // trim link padding
    const dst = r.dst;
    env.trace('ip', 'input', m.pktId, { src: ipToString(r.src), dst: ipToString(dst), proto: r.protocol, len });

    const ours = this.isForUs(ifp, dst, m);
    if (!ours) {
      if (isMulticastIp(dst)) return drop('notmember', 'multicast group not joined');
      if (!this.forwarding) return drop('cantforward', 'not for us and forwarding is off');
      this.forward(ifp, m, pkt);
      return;
    }
    if (r.moreFrags || r.fragOffset !== 0) {
      st.fragments++;
      return drop('fragdropped', 'fragment (reassembly not implemented)');
    }
    st.delivered++;
    const isBcast = ((m.flags ?? 0) & (M_BCAST | M_MCAST)) !== 0 || this.s.ifs.isBroadcast(dst, ifp);
    switch (r.protocol) {
      case IpProto.ICMP:
        this.s.icmp.input(ifp, m, pkt, isBcast);
        return;
      case IpProto.UDP:
        this.s.udp.input(ifp, m, pkt, isBcast);
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

  private forward(ifp: Ifnet, m: Mbuf, pkt: Uint8Array): void {
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
      this.s.icmp.error(ifp, m, pkt, IcmpType.Unreach, 0);
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
    q.ttl = q.ttl - 1;
    q.fillChecksum();
    st.forward++;
    env.trace('ip', 'forward', m.pktId, { dst: ipToString(q.dst), via: choice.ifp.name, ttl: q.ttl });
    this.transmit(choice, { data: frame, pktId: m.pktId }, q);
  }

  /** rtalloc + source selection. Returns EHOSTUNREACH/ENETUNREACH when there is no route. */
  route(dst: Ipv4Addr): RouteChoice | number {
    const ours = this.s.ifs.ifaWithAddr(dst);
    const lo = this.s.ifs.loopback();
    if (ours && lo && this.s.ifs.st(lo).addrs[0]) {
      // Packets to our own address go through lo0 (arp_rtrequest's useloopback).
      return { rt: null, ifp: lo, src: ours, nexthop: dst, bcast: false };
    }
    let rt = this.s.routes.lookup(dst);
    if (!rt && dst === INADDR_BROADCAST) rt = this.s.routes.routes.find((r) => (r.ifp.flags & IFF_BROADCAST) !== 0);
    if (!rt) return Errno.EHOSTUNREACH;
    rt.use++;
    const ifp = rt.ifp;
    const bcast = dst === INADDR_BROADCAST || this.s.ifs.isBroadcast(dst, ifp);
    const nexthop = (rt.flags & RTF.GATEWAY) !== 0 ? rt.gateway : dst;
    return { rt, ifp, src: rt.ifa, nexthop, bcast };
  }

  /**
   * ip_output for a datagram in `frame` (from Ip.alloc, payload filled). Writes the header unless
   * `opts.rawHeader`, routes, and hands it to the interface. Returns 0 or an errno.
   */
  output(frame: Uint8Array, h: IpHeaderSpec, pktId: number, opts: IpOutputOpts = {}): number {
    const env = this.s.env;
    const st = this.s.stats.ip;
    env.charge(NetCost.ipOutput);
    const p = new Ipv4Packet(frame.subarray(ETHER_HDR_LEN));
    const choice = this.route(h.dst);
    if (typeof choice === 'number') {
      st.noroute++;
      env.trace('ip', 'drop', pktId, { reason: `no route to ${ipToString(h.dst)}` });
      return choice;
    }
    if (choice.bcast) {
      if ((choice.ifp.flags & IFF_BROADCAST) === 0) return Errno.EADDRNOTAVAIL;
      if (!opts.allowBroadcast) return Errno.EACCES;
    }
    if (opts.rawHeader) {
      if (p.src === 0) p.src = choice.src.addr;
      if (p.ident === 0) p.ident = this.nextIdent();
      st.rawout++;
      p.fillChecksum();
    } else {
      Ipv4Repr.emit({
        src: h.src !== 0 ? h.src : choice.src.addr, dst: h.dst, protocol: h.protocol, ttl: h.ttl, tos: h.tos,
        ident: this.nextIdent(), dontFrag: h.df ?? false, moreFrags: false, fragOffset: 0, optionsLen: 0,
        payloadLen: frame.length - ETHER_HDR_LEN - IP_HDR_LEN,
      }, p);
    }
    let csumFlags = 0;
    if (!opts.rawHeader && ipTxOffload(choice.ifp)) {
      p.checksum = 0; // the interface fills it in (M_CSUM_IPv4)
      csumFlags |= M_CSUM_IPv4;
    } else {
      env.charge(bytesCost(p.headerLen, NetCost.checksumPerByte));
    }
    if ((opts.csumFlags ?? 0) & M_CSUM_UDPv4) {
      if (udpTxOffload(choice.ifp)) csumFlags |= M_CSUM_UDPv4;
      else {
        // in_delayed_cksum: the interface cannot, so the stack completes the UDP checksum itself.
        const u = new UdpPacket(p.buf.subarray(p.headerLen, p.totalLen));
        u.fillChecksum(p.src, p.dst);
        env.charge(bytesCost(u.length, NetCost.checksumPerByte));
      }
    }
    if (p.totalLen > choice.ifp.mtu) {
      st.cantfrag++;
      env.trace('ip', 'drop', pktId, { reason: `${p.totalLen} bytes exceed mtu ${choice.ifp.mtu}` });
      return Errno.EMSGSIZE;
    }
    st.localout++;
    env.trace('ip', 'output', pktId, { src: ipToString(p.src), dst: ipToString(p.dst), proto: p.protocol, len: p.totalLen, if: choice.ifp.name });
    return this.transmit(choice, csumFlags ? { data: frame, pktId, csumFlags } : { data: frame, pktId }, p);
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
