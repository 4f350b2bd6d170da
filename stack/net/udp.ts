/**
 * UDP (netinet/udp_usrreq.c): input with checksum and PCB lookup (connected match first, then the
 * wildcard binding), broadcast and multicast copies to every socket on the port, port unreachable when
 * nobody listens, output with the pseudo-header checksum (to groups with the socket's ip_moptions), and
 * ephemeral ports allocated downward from anonportmax like NetBSD's in_pcbsetport.
 */
import type { Ifnet } from './if';
import { M_CSUM_UDPv4, type Mbuf } from './mbuf';
import { pseudoHeaderSeed, udpRxVerdict, udpTxOffload } from './csum-offload';
import { Errno } from '../kernel/api';
import { NetCost, bytesCost } from './costs';
import { Ip } from './ip';
import { sockaddrIn, type SockAddr } from '../include/netinet/in';
import { AF_INET, SOCK_DGRAM, SO_BROADCAST, SO_REUSEADDR, SO_REUSEPORT } from '../include/sys/socket';
import type { Socket } from './socket';
import type { NetStack } from './stack';
import { ipToString, isMulticastIp, type Ipv4Addr } from './wire/addr';
import { IcmpType, IcmpUnreachCode } from './wire/icmp';
import { IP_HDR_LEN, IP_MAXPACKET, IpProto, Ipv4Packet } from './wire/ipv4';
import { UDP_HDR_LEN, UdpPacket, UdpRepr } from './wire/udp';
import { WireError } from './wire/view';

export const ANONPORTMIN = 49152;
export const ANONPORTMAX = 65535;

export class Udp {
  private lastPort = 0;

  constructor(private readonly s: NetStack) {}

  private pcbs(): Socket[] {
    // AF_INET sockets only: AF_INET6 ones are udp6's (IPV6_V6ONLY, so the two may share a port number).
    return this.s.sockets.list.filter((so) => so.type === SOCK_DGRAM && so.domain === AF_INET && !so.closed);
  }

  /** in_pcblookup: connected 4-tuple match, else a local binding (specific address before wildcard). */
  lookup(src: Ipv4Addr, sport: number, dst: Ipv4Addr, dport: number): Socket | undefined {
    let wild: Socket | undefined;
    for (const so of this.pcbs()) {
      if (so.lport !== dport) continue;
      if (so.connected) {
        if (so.faddr === src && so.fport === sport && (so.laddr === 0 || so.laddr === dst)) return so;
        continue;
      }
      if (so.laddr === dst) return so;
      if (so.laddr === 0 && !wild) wild = so;
    }
    return wild;
  }

  portInUse(port: number, laddr: Ipv4Addr, except?: Socket): boolean {
    return this.pcbs().some((so) => so !== except && so.lport === port && (so.laddr === 0 || laddr === 0 || so.laddr === laddr));
  }

  /** in_pcbsetport: the next free anonymous port, counting down from anonportmax. */
  ephemeral(laddr: Ipv4Addr): number {
    let port = this.lastPort - 1;
    for (let n = ANONPORTMAX - ANONPORTMIN + 1; n > 0; n--, port--) {
      if (port < ANONPORTMIN || port > ANONPORTMAX) port = ANONPORTMAX;
      if (!this.portInUse(port, laddr)) {
        this.lastPort = port;
        return port;
      }
    }
    return 0;
  }

  /** Bind check for SO_REUSEADDR/REUSEPORT semantics reduced to: a port+address pair once. */
  canBind(so: Socket, laddr: Ipv4Addr, port: number): boolean {
    if ((so.options & (SO_REUSEADDR | SO_REUSEPORT)) !== 0) return true;
    return !this.portInUse(port, laddr, so);
  }

  input(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, isBcast: boolean): void {
    const env = this.s.env;
    const st = this.s.stats.udp;
    st.ipackets++;
    const ip = new Ipv4Packet(pkt);
    const body = ip.payload;
    env.charge(NetCost.udp);
    const u = new UdpPacket(body);
    const lenOk = !u.lengthError();
    // What the interface's hardware verified (checksum offload), else the checksum is computed here.
    const hw = lenOk ? udpRxVerdict(ifp, m, u.checksum, ip.src, ip.dst, u.length) : null;
    // The checksum is computed (and costs CPU) only over a datagram whose length checks passed.
    if (lenOk && hw === null) env.charge(bytesCost(u.length, NetCost.checksumPerByte));
    if (hw === false) {
      st.badsum++;
      env.trace('udp', 'drop', m.pktId, { reason: 'bad UDP checksum (hardware)' });
      return;
    }
    const r = UdpRepr.parse(u, ip.src, ip.dst, { verifyChecksum: hw === null });
    if (r instanceof WireError) {
      st[r.check]++;
      env.trace('udp', 'drop', m.pktId, { reason: r.reason });
      return;
    }
    env.trace('udp', 'input', m.pktId, { src: `${ipToString(ip.src)}.${r.srcPort}`, dst: `${ipToString(ip.dst)}.${r.dstPort}`, len: r.payload.length });
    const from = sockaddrIn(ip.src, r.srcPort);
    if (isBcast) {
      // Broadcast or multicast (udp4_realinput): every socket bound to the port gets a copy; for a group,
      // only those bound to the group address or the wildcard (membership was checked by ip_input).
      const mcast = isMulticastIp(ip.dst);
      const targets = this.pcbs().filter((so) => so.lport === r.dstPort && (!mcast || so.laddr === 0 || so.laddr === ip.dst) &&
        (!so.connected || (so.faddr === ip.src && so.fport === r.srcPort)));
      // Dual-stack AF_INET6 sockets (IPV6_V6ONLY 0) get their copy too, from a mapped source (ip6/mapped6.ts).
      const targets6 = this.s.ip6?.mapped.targets(ip.src, r.srcPort, ip.dst, r.dstPort) ?? [];
      for (const so of targets6) this.deliver(so, r.payload, this.s.ip6!.mapped.from(ip.src, r.srcPort), m.pktId);
      if (targets.length === 0 && targets6.length === 0) {
        st.noportbcast++;
        env.trace('udp', 'drop', m.pktId, { reason: `no socket on port ${r.dstPort} (broadcast)` });
        return;
      }
      for (const so of targets) this.deliver(so, r.payload, from, m.pktId);
      return;
    }
    const so = this.lookup(ip.src, r.srcPort, ip.dst, r.dstPort) ?? this.s.ip6?.mapped.lookup(ip.src, r.srcPort, ip.dst, r.dstPort);
    if (!so) {
      st.noport++;
      env.trace('udp', 'noport', m.pktId, { port: r.dstPort });
      this.s.icmp.error(ifp, m, pkt, IcmpType.Unreach, IcmpUnreachCode.Port);
      return;
    }
    this.deliver(so, r.payload, so.domain === AF_INET ? from : this.s.ip6!.mapped.from(ip.src, r.srcPort), m.pktId);
  }

  private deliver(so: Socket, payload: Uint8Array, from: SockAddr, pktId: number): void {
    this.s.env.charge(bytesCost(payload.length, NetCost.copyPerByte));
    if (!this.s.sockets.append(so, { data: payload.slice(), from, pktId })) this.s.stats.udp.fullsock++;
  }

  /** udp_ctlinput: an ICMP port unreachable for a connected socket becomes ECONNREFUSED on it. */
  ctlinput(src: Ipv4Addr, sport: number, dst: Ipv4Addr, dport: number, code: number): void {
    if (code !== IcmpUnreachCode.Port) return;
    for (const so of this.pcbs()) {
      if (so.connected && so.lport === sport && so.faddr === dst && so.fport === dport && (so.laddr === 0 || so.laddr === src)) {
        so.error = Errno.ECONNREFUSED;
        this.s.sockets.wakeup(so);
      }
    }
  }

  /** udp_output. Returns bytes sent or -errno. */
  output(so: Socket, data: Uint8Array, to: { addr: Ipv4Addr; port: number } | null, pktId: number): number {
    const env = this.s.env;
    let dst: Ipv4Addr;
    let dport: number;
    if (to) {
      if (so.connected) return -Errno.EISCONN;
      dst = to.addr;
      dport = to.port;
    } else {
      if (!so.connected) return -Errno.EDESTADDRREQ;
      dst = so.faddr;
      dport = so.fport;
    }
    if (data.length > so.sndHiwat || data.length + UDP_HDR_LEN + IP_HDR_LEN > IP_MAXPACKET) return -Errno.EMSGSIZE;
    const mopts = this.s.inMcast.moptions(so);
    const choice = this.s.ip.route(dst, mopts);
    if (typeof choice === 'number') return -choice;
    const mcastSrc = isMulticastIp(dst) ? this.s.ifs.st(choice.ifp).addrs[0]?.addr : undefined;
    const src = so.laddr !== 0 ? so.laddr : (mcastSrc ?? choice.src.addr);
    if (so.lport === 0) {
      const p = this.ephemeral(so.laddr);
      if (p === 0) return -Errno.EADDRINUSE;
      so.lport = p;
    }
    // Checksum offload: the interface completes the sum from the pseudo-header seed (M_CSUM_UDPv4).
    const offload = udpTxOffload(choice.ifp);
    env.charge(NetCost.udp + bytesCost(data.length, NetCost.copyPerByte + (offload ? 0 : NetCost.checksumPerByte)));
    const frame = Ip.alloc(UDP_HDR_LEN + data.length);
    const u = new UdpPacket(frame.subarray(Ip.PAYLOAD_OFF));
    frame.set(data, Ip.PAYLOAD_OFF + UDP_HDR_LEN);
    UdpRepr.emit({ srcPort: so.lport, dstPort: dport, payload: u.buf.subarray(UDP_HDR_LEN) }, u, src, dst);
    if (offload) u.checksum = pseudoHeaderSeed(src, dst, IpProto.UDP, u.length);
    this.s.stats.udp.opackets++;
    env.trace('udp', 'output', pktId, { src: `${ipToString(src)}.${so.lport}`, dst: `${ipToString(dst)}.${dport}`, len: data.length });
    const err = this.s.ip.output(frame, { src, dst, protocol: IpProto.UDP, ttl: so.ttl, tos: so.tos }, pktId,
      { allowBroadcast: (so.options & SO_BROADCAST) !== 0, ...(offload ? { csumFlags: M_CSUM_UDPv4 } : {}), ...(mopts ? { multicast: mopts } : {}) });
    return err ? -err : data.length;
  }
}
