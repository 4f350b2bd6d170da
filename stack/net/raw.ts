/**
 * Raw IP sockets (netinet/raw_ip.c): every datagram of a protocol is copied, IP header included, to each
 * matching raw socket; ICMP hands over everything it did not consume itself (echo requests are answered
 * by the stack and not delivered). Output builds the IP header unless IP_HDRINCL is set.
 */
import type { Ifnet } from './if';
import type { Mbuf } from './mbuf';
import { Errno } from '../kernel/api';
import { NetCost, bytesCost } from './costs';
import { Ip } from './ip';
import { sockaddrIn } from '../include/netinet/in';
import { AF_INET, SOCK_RAW, SO_BROADCAST } from '../include/sys/socket';
import type { Socket } from './socket';
import type { NetStack } from './stack';
import { ipToString, type Ipv4Addr } from './wire/addr';
import { IcmpType, IcmpUnreachCode } from './wire/icmp';
import { IP_HDR_LEN, IP_MAXPACKET, IpProto, Ipv4Packet } from './wire/ipv4';

export class Raw {
  constructor(private readonly s: NetStack) {}

  private pcbs(): Socket[] {
    return this.s.sockets.list.filter((so) => so.type === SOCK_RAW && so.domain === AF_INET && !so.closed);
  }

  /**
   * rip_input: copy to every matching socket. `unreachIfNone`: the protocol has no in-stack handler, so
   * nobody listening means "protocol unreachable".
   */
  input(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, isBcast: boolean, unreachIfNone: boolean): void {
    const env = this.s.env;
    const ip = new Ipv4Packet(pkt);
    let n = 0;
    for (const so of this.pcbs()) {
      if (so.protocol !== 0 && so.protocol !== ip.protocol) continue;
      if (so.laddr !== 0 && so.laddr !== ip.dst) continue;
      if (so.faddr !== 0 && so.faddr !== ip.src) continue;
      env.charge(NetCost.rawDeliver + bytesCost(pkt.length, NetCost.copyPerByte));
      this.s.sockets.append(so, { data: pkt.slice(), from: sockaddrIn(ip.src), pktId: m.pktId });
      n++;
    }
    if (n > 0 || !unreachIfNone) return;
    this.s.stats.ip.noproto++;
    env.trace('ip', 'drop', m.pktId, { reason: `no handler for protocol ${ip.protocol}` });
    if (!isBcast) this.s.icmp.error(ifp, m, pkt, IcmpType.Unreach, IcmpUnreachCode.Protocol);
  }

  /** rip_output. Returns bytes sent or -errno. */
  output(so: Socket, data: Uint8Array, to: { addr: Ipv4Addr } | null, pktId: number): number {
    const env = this.s.env;
    let dst: Ipv4Addr;
    if (to) {
      if (so.connected) return -Errno.EISCONN;
      dst = to.addr;
    } else {
      if (!so.connected) return -Errno.EDESTADDRREQ;
      dst = so.faddr;
    }
    const allowBroadcast = (so.options & SO_BROADCAST) !== 0;
    if (so.hdrincl) {
      if (data.length < IP_HDR_LEN || data.length > IP_MAXPACKET) return -Errno.EINVAL;
      const frame = Ip.alloc(data.length - IP_HDR_LEN);
      frame.set(data, Ip.PAYLOAD_OFF - IP_HDR_LEN);
      const p = new Ipv4Packet(frame.subarray(Ip.PAYLOAD_OFF - IP_HDR_LEN));
      if (p.totalLen !== data.length) p.totalLen = data.length;
      p.dst = dst;
      env.charge(bytesCost(data.length, NetCost.copyPerByte));
      env.trace('ip', 'raw-output', pktId, { dst: ipToString(dst), len: data.length });
      const err = this.s.ip.output(frame, { src: p.src, dst, protocol: p.protocol, ttl: p.ttl, tos: p.tos }, pktId, { rawHeader: true, allowBroadcast });
      return err ? -err : data.length;
    }
    if (data.length + IP_HDR_LEN > IP_MAXPACKET) return -Errno.EMSGSIZE;
    const frame = Ip.alloc(data.length);
    frame.set(data, Ip.PAYLOAD_OFF);
    env.charge(bytesCost(data.length, NetCost.copyPerByte));
    const proto = so.protocol === 0 ? IpProto.RAW : so.protocol;
    const err = this.s.ip.output(frame, { src: so.laddr, dst, protocol: proto, ttl: so.ttl, tos: so.tos }, pktId, { allowBroadcast });
    return err ? -err : data.length;
  }
}
