/**
 * ip_input / ip_output / ip_forward (netinet/ip_input.c, ip_output.c), reduced to what a host needs:
 * validation in NetBSD's order with its counters, local delivery by protocol, forwarding only when the
 * `forward` tcpip option is on, route lookup and source selection on output, EMSGSIZE instead of
 * fragmentation.
 */
import { IFF_BROADCAST, IFF_LOOPBACK, type Ifnet, type Mbuf } from '../io-pkt/driver-api';
import { Errno } from '../kernel/api';
import { NetCost, bytesCost } from './costs';
import { M_BCAST, M_MCAST } from './ether';
import type { InIfaddr } from './ifnet';
import { RTF, type Rtentry } from './route';
import type { NetStack } from './stack';
import { INADDR_BROADCAST, ipToString, isMulticastIp, type Ipv4Addr } from './wire/addr';
import { ETHER_HDR_LEN } from './wire/ethernet';
import { IcmpType } from './wire/icmp';
import { IP_DF, IP_HDR_LEN, IP_OFFMASK, IP_MF, IpProto, Ipv4Packet } from './wire/ipv4';

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
    if (buf.length < IP_HDR_LEN) return drop('toosmall', `packet of ${buf.length} bytes is shorter than an IPv4 header`);
    const p = new Ipv4Packet(buf);
    if (p.version !== 4) return drop('badvers', `version ${p.version}`);
    const hlen = p.headerLen;
    if (hlen < IP_HDR_LEN) return drop('badhlen', `header length ${hlen}`);
    if (hlen > buf.length) return drop('badhlen', `header length ${hlen} exceeds the ${buf.length}-byte packet`);
    env.charge(bytesCost(hlen, NetCost.checksumPerByte));
    if (!p.verifyChecksum()) return drop('badsum', 'bad header checksum');
    const len = p.totalLen;
    if (len < hlen) return drop('badlen', `total length ${len} below header length ${hlen}`);
    if (buf.length < len) return drop('tooshort', `packet of ${buf.length} bytes, total length ${len}`);
    const pkt = buf.length > len ? buf.subarray(0, len) : buf; // trim link padding
    const dst = p.dst;
    env.trace('ip', 'input', m.pktId, { src: ipToString(p.src), dst: ipToString(dst), proto: p.protocol, len });

    const ours = this.isForUs(ifp, dst, m);
    if (!ours) {
      if (isMulticastIp(dst)) return drop('notmember', 'multicast group not joined');
      if (!this.forwarding) return drop('cantforward', 'not for us and forwarding is off');
      this.forward(ifp, m, pkt);
      return;
    }
    if ((p.flagsFrag & (IP_MF | IP_OFFMASK)) !== 0) {
      st.fragments++;
      return drop('fragdropped', 'fragment (reassembly not implemented)');
    }
    st.delivered++;
    const isBcast = ((m.flags ?? 0) & (M_BCAST | M_MCAST)) !== 0 || this.s.ifs.isBroadcast(dst, ifp);
    switch (p.protocol) {
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
    } else {
      p.setVersionAndHeaderLen(IP_HDR_LEN);
      p.tos = h.tos;
      p.totalLen = frame.length - ETHER_HDR_LEN;
      p.ident = this.nextIdent();
      p.flagsFrag = h.df ? IP_DF : 0;
      p.ttl = h.ttl;
      p.protocol = h.protocol;
      p.src = h.src !== 0 ? h.src : choice.src.addr;
      p.dst = h.dst;
    }
    env.charge(bytesCost(p.headerLen, NetCost.checksumPerByte));
    p.fillChecksum();
    if (p.totalLen > choice.ifp.mtu) {
      st.cantfrag++;
      env.trace('ip', 'drop', pktId, { reason: `${p.totalLen} bytes exceed mtu ${choice.ifp.mtu}` });
      return Errno.EMSGSIZE;
    }
    st.localout++;
    env.trace('ip', 'output', pktId, { src: ipToString(p.src), dst: ipToString(p.dst), proto: p.protocol, len: p.totalLen, if: choice.ifp.name });
    return this.transmit(choice, { data: frame, pktId }, p);
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
