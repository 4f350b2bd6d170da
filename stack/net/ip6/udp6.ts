/**
 * UDP over IPv6 (netinet6/udp6_usrreq.c, udp6_output.c): the checksum is mandatory (RFC 8200 §8.1: a zero
 * checksum is dropped), PCB lookup among AF_INET6 datagram sockets (connected 4-tuple first, then the bound
 * address, then the wildcard), a copy to every socket on the port for multicast, ICMPv6 port unreachable
 * when nobody listens, and output with the source selected per destination. The port space is shared with
 * IPv4 UDP (NetBSD's udbtable holds both kinds of PCB): ephemeral ports come from Udp.ephemeral.
 */
import type { Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import { Errno } from '../../kernel/api';
import { NetCost, bytesCost } from '../costs';
import { sockaddrIn6, type SockAddrIn6 } from '../../include/netinet/in';
import { AF_INET6, SOCK_DGRAM, SO_REUSEADDR, SO_REUSEPORT } from '../../include/sys/socket';
import type { Socket } from '../socket';
import type { NetStack } from '../stack';
import { ipv6Equals, ipv6IsMulticast, ipv6IsUnspecified, ipv6NeedsScope, ipv6ToString, type Ipv6Addr } from '../wire/addr6';
import { foldComplement, onesSum } from '../wire/checksum';
import { Icmp6Type, Icmp6UnreachCode } from '../wire/icmpv6';
import { IPV6_MAXPACKET, Ip6Nxt, pseudoHeaderSum6 } from '../wire/ipv6';
import { UDP_HDR_LEN, UdpPacket } from '../wire/udp';
import { Ip6, type Ip6InputInfo } from './ip6';
import type { Icmp6CtlInfo } from './icmp6';
import type { Raw6Record } from './raw6';

/** The UDP checksum over the IPv6 pseudo header; 0 is sent as 0xffff. */
export function udp6Checksum(u: Uint8Array, src: Ipv6Addr, dst: Ipv6Addr): number {
  return foldComplement(onesSum(u, 0, u.length, pseudoHeaderSum6(src, dst, Ip6Nxt.UDP, u.length)));
}

export class Udp6 {
  constructor(private readonly s: NetStack, private readonly ip6: Ip6) {
    ip6.icmp6.ctlsw.set(Ip6Nxt.UDP, (info) => this.ctlinput(info));
  }

  pcbs(): Socket[] {
    return this.s.sockets.list.filter((so) => so.domain === AF_INET6 && so.type === SOCK_DGRAM && !so.closed);
  }

  /** in6_pcblookup_connect, then in6_pcblookup_bind. */
  lookup(src: Ipv6Addr, sport: number, dst: Ipv6Addr, dport: number): Socket | undefined {
    let wild: Socket | undefined;
    let bound: Socket | undefined;
    for (const so of this.pcbs()) {
      if (so.lport !== dport) continue;
      if (so.fport !== 0) {
        if (so.fport === sport && ipv6Equals(so.faddr6, src) && (ipv6IsUnspecified(so.laddr6) || ipv6Equals(so.laddr6, dst))) return so;
        continue;
      }
      if (ipv6Equals(so.laddr6, dst)) bound ??= so;
      else if (ipv6IsUnspecified(so.laddr6)) wild ??= so;
    }
    return bound ?? wild;
  }

  /** A port+address already taken by another AF_INET6 datagram socket (without SO_REUSE*). */
  portInUse(port: number, laddr: Ipv6Addr, except?: Socket): boolean {
    return this.pcbs().some((so) => so !== except && so.lport === port &&
      (ipv6IsUnspecified(so.laddr6) || ipv6IsUnspecified(laddr) || ipv6Equals(so.laddr6, laddr)));
  }

  canBind(so: Socket, laddr: Ipv6Addr, port: number): boolean {
    if ((so.options & (SO_REUSEADDR | SO_REUSEPORT)) !== 0) return true;
    return !this.portInUse(port, laddr, so);
  }

  /** An anonymous port free for both families (in6_pcbsetport over the shared table). */
  ephemeral(laddr: Ipv6Addr): number {
    for (let n = 0; n < 16384; n++) {
      const p = this.s.udp.ephemeral(0);
      if (p === 0) return 0;
      if (!this.portInUse(p, laddr)) return p;
    }
    return 0;
  }

  input(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, dst: Ipv6Addr, body: Uint8Array, info: Ip6InputInfo): void {
    const env = this.s.env;
    const st = this.ip6.stats.udp6;
    st.ipackets++;
    env.charge(NetCost.udp);
    const u = new UdpPacket(body);
    const lenErr = u.lengthError();
    if (lenErr) {
      if (lenErr.check === 'hdrops') st.hdrops++;
      else st.badlen++;
      env.trace('udp', 'drop', m.pktId, { reason: lenErr.reason });
      return;
    }
    // RFC 8200 §8.1: the UDP length must match the IPv6 payload (there is no other length to trust).
    if (u.length !== body.length) {
      st.badlen++;
      env.trace('udp', 'drop', m.pktId, { reason: `UDP length ${u.length} differs from the ${body.length} bytes IPv6 carried` });
      return;
    }
    if (u.checksum === 0) {
      st.nosum++;
      env.trace('udp', 'drop', m.pktId, { reason: 'zero UDP checksum over IPv6' });
      return;
    }
    env.charge(bytesCost(u.length, NetCost.checksumPerByte));
    if (udp6Checksum(body, src, dst) !== 0) {
      st.badsum++;
      env.trace('udp', 'drop', m.pktId, { reason: 'bad UDP checksum' });
      return;
    }
    const sport = u.srcPort;
    const dport = u.dstPort;
    const payload = u.payload;
    env.trace('udp', 'input', m.pktId, { src: `${ipv6ToString(src)}.${sport}`, dst: `${ipv6ToString(dst)}.${dport}`, len: payload.length });
    const from = sockaddrIn6(src, sport, ipv6NeedsScope(src) ? this.ip6.indexOf(ifp) : 0);
    if (info.mcast) {
      const targets = this.pcbs().filter((so) => so.lport === dport && (ipv6IsUnspecified(so.laddr6) || ipv6Equals(so.laddr6, dst)) &&
        (so.fport === 0 || (so.fport === sport && ipv6Equals(so.faddr6, src))));
      if (targets.length === 0) {
        st.noportmcast++;
        env.trace('udp', 'drop', m.pktId, { reason: `no socket on port ${dport} (multicast)` });
        return;
      }
      for (const so of targets) this.deliver(so, payload, from, m.pktId, info.hlim);
      return;
    }
    const so = this.lookup(src, sport, dst, dport);
    if (!so) {
      st.noport++;
      env.trace('udp', 'noport', m.pktId, { port: dport });
      this.ip6.icmp6.error(ifp, m, info.pkt, Icmp6Type.DstUnreach, Icmp6UnreachCode.NoPort);
      return;
    }
    this.deliver(so, payload, from, m.pktId, info.hlim);
  }

  /** A record keeps the hop limit the datagram arrived with (IPV6_RECVHOPLIMIT's value), as raw6 does. */
  private deliver(so: Socket, payload: Uint8Array, from: SockAddrIn6, pktId: number, hlim: number): void {
    this.s.env.charge(bytesCost(payload.length, NetCost.copyPerByte));
    const rec: Raw6Record = { data: payload.slice(), from, pktId, hlim };
    if (!this.s.sockets.append(so, rec)) this.ip6.stats.udp6.fullsock++;
  }

  /** udp6_ctlinput: port unreachable → ECONNREFUSED on the connected socket that sent the datagram. */
  private ctlinput(info: Icmp6CtlInfo): void {
    if (info.type !== Icmp6Type.DstUnreach || info.code !== Icmp6UnreachCode.NoPort || info.upper.length < 4) return;
    const sport = (info.upper[0]! << 8) | info.upper[1]!;
    const dport = (info.upper[2]! << 8) | info.upper[3]!;
    for (const so of this.pcbs()) {
      if (so.fport === dport && so.lport === sport && ipv6Equals(so.faddr6, info.dst)) {
        so.error = Errno.ECONNREFUSED;
        this.s.sockets.wakeup(so);
      }
    }
  }

  /** udp6_output. Returns bytes sent or -errno. */
  output(so: Socket, data: Uint8Array, to: SockAddrIn6 | null, pktId: number): number {
    const env = this.s.env;
    let dst: Ipv6Addr;
    let dport: number;
    let scopeId: number;
    if (to) {
      if (so.fport !== 0) return -Errno.EISCONN;
      dst = to.addr;
      dport = to.port;
      scopeId = to.scopeId;
      if (dport === 0) return -Errno.EADDRNOTAVAIL;
    } else {
      if (so.fport === 0) return -Errno.EDESTADDRREQ;
      dst = so.faddr6;
      dport = so.fport;
      scopeId = this.ip6.sockopts(so).fscope;
    }
    if (data.length > so.sndHiwat || data.length + UDP_HDR_LEN > IPV6_MAXPACKET) return -Errno.EMSGSIZE;
    const o = this.ip6.sockopts(so);
    const mcast = ipv6IsMulticast(dst);
    const mif = mcast && o.mif ? this.ip6.byIndex(o.mif) : undefined;
    const choice = this.ip6.selectSource(dst, scopeId, mif);
    if (typeof choice === 'number') return -choice;
    const src = ipv6IsUnspecified(so.laddr6) ? choice.src : so.laddr6;
    if (so.lport === 0) {
      const p = this.ephemeral(so.laddr6);
      if (p === 0) return -Errno.EADDRINUSE;
      so.lport = p;
    }
    env.charge(NetCost.udp + bytesCost(data.length, NetCost.copyPerByte + NetCost.checksumPerByte));
    const frame = Ip6.alloc(UDP_HDR_LEN + data.length);
    const seg = frame.subarray(Ip6.PAYLOAD_OFF);
    const u = new UdpPacket(seg);
    u.srcPort = so.lport;
    u.dstPort = dport;
    u.length = seg.length;
    seg.set(data, UDP_HDR_LEN);
    const c = udp6Checksum(seg, src, dst);
    u.checksum = c === 0 ? 0xffff : c;
    this.ip6.stats.udp6.opackets++;
    env.trace('udp', 'output', pktId, { src: `${ipv6ToString(src)}.${so.lport}`, dst: `${ipv6ToString(dst)}.${dport}`, len: data.length });
    const hlim = mcast ? o.mhlim : o.hlim;
    const err = this.ip6.output(frame, { src, dst, nxt: Ip6Nxt.UDP, hlim, scopeId }, pktId, { ...(mif ? { ifp: mif } : {}), mloop: o.mloop });
    return err ? -err : data.length;
  }
}
