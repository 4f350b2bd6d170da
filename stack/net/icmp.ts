/**
 * ICMP (netinet/ip_icmp.c): echo requests answered by reflecting the message (source = the address the
 * request was sent to, TTL = MAXTTL), errors generated for other protocols (icmp_error), and every
 * message not consumed here handed to raw sockets. Counters as NetBSD's icmpstat.
 */
import type { Ifnet } from './if';
import { M_BCAST, M_MCAST, type Mbuf } from './mbuf';
import { NetCost, bytesCost } from './costs';
import { Ip } from './ip';
import type { NetStack } from './stack';
import { ipToString, type Ipv4Addr } from './wire/addr';
import { ICMP_MINLEN, ICMP_RETURN_DATA_BYTES, IcmpPacket, IcmpRepr, IcmpType, icmpTypeName } from './wire/icmp';
import { IP_HDR_LEN, IP_OFFMASK, IpProto, Ipv4Packet, MAXTTL } from './wire/ipv4';
import { UDP_HDR_LEN, UdpPacket } from './wire/udp';

/** ICMP_INFOTYPE: query/reply types. An error is never sent about an ICMP message that is not one of these. */
function isInfoType(t: number): boolean {
  return t === IcmpType.EchoReply || t === IcmpType.Echo || t === IcmpType.RouterAdvert || t === IcmpType.RouterSolicit ||
    (t >= IcmpType.Tstamp && t <= IcmpType.MaskReply);
}

export class Icmp {
  /** net.inet.icmp.bmcastecho: answer echo requests sent to broadcast addresses. */
  bmcastecho = false;

  constructor(private readonly s: NetStack) {}

  /** `pkt` is the whole datagram (IP header first). */
  input(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, isBcast: boolean): void {
    const env = this.s.env;
    const st = this.s.stats.icmp;
    const ip = new Ipv4Packet(pkt);
    const body = ip.payload;
    env.charge(NetCost.icmp + bytesCost(body.length, NetCost.checksumPerByte));
    const icp = new IcmpPacket(body);
    // icmp_input checks length and checksum only; codes are the consumer's business (no IcmpRepr here).
    const short = icp.checkLen();
    if (short) {
      st.tooshort++;
      env.trace('icmp', 'drop', m.pktId, { reason: short });
      return;
    }
    if (!icp.verifyChecksum()) {
      st.checksum++;
      env.trace('icmp', 'drop', m.pktId, { reason: 'bad ICMP checksum' });
      return;
    }
    const type = icp.type;
    if (type < st.inhist.length) st.inhist[type]!++;
    else st.badcode++;
    env.trace('icmp', `${icmpTypeName(type)}-in`, m.pktId, { src: ipToString(ip.src), code: icp.code });

    if (type === IcmpType.Echo) {
      if (isBcast && !this.bmcastecho) {
        st.bmcastecho++;
        env.trace('icmp', 'drop', m.pktId, { reason: 'echo to a broadcast address (bmcastecho off)' });
        return;
      }
      this.reflect(ifp, m, ip, IcmpType.EchoReply);
      return;
    }
    if (type === IcmpType.Unreach || type === IcmpType.TimeExceeded || type === IcmpType.SourceQuench) {
      this.ctlinput(icp);
    }
    this.s.raw.input(ifp, m, pkt, isBcast, false);
  }

  /** Report an ICMP error to the transport that sent the quoted datagram (udp_ctlinput). */
  private ctlinput(icp: IcmpPacket): void {
    const quote = icp.data;
    if (quote.length < IP_HDR_LEN + UDP_HDR_LEN) return;
    const q = new Ipv4Packet(quote);
    if (q.protocol !== IpProto.UDP || q.headerLen + UDP_HDR_LEN > quote.length) return;
    // Only the first 8 bytes of the datagram are quoted: read the ports, not the (uncovered) length.
    const u = new UdpPacket(quote.subarray(q.headerLen));
    if (icp.type === IcmpType.Unreach) this.s.udp.ctlinput(q.src, u.srcPort, q.dst, u.dstPort, icp.code);
  }

  /** icmp_reflect + icmp_send: turn the message in `ip` into `newType` and send it back. */
  private reflect(ifp: Ifnet, m: Mbuf, ip: Ipv4Packet, newType: number): void {
    const env = this.s.env;
    const st = this.s.stats.icmp;
    const origDst = ip.dst;
    const ours = this.s.ifs.ifaWithAddr(origDst);
    const src: Ipv4Addr = ours ? origDst : (this.s.ifs.st(ifp).addrs[0]?.addr ?? 0);
    const body = ip.payload;
    const frame = Ip.alloc(body.length);
    const out = frame.subarray(Ip.PAYLOAD_OFF);
    out.set(body);
    const icp = new IcmpPacket(out);
    icp.type = newType;
    icp.fillChecksum();
    env.charge(bytesCost(body.length, NetCost.copyPerByte + NetCost.checksumPerByte));
    st.reflect++;
    st.outhist[newType]!++;
    const pkt = env.newPktId();
    env.trace('icmp', `${icmpTypeName(newType)}-out`, pkt, { dst: ipToString(ip.src), reqPkt: m.pktId });
    this.s.ip.output(frame, { src, dst: ip.src, protocol: IpProto.ICMP, ttl: MAXTTL, tos: ip.tos }, pkt);
  }

  /**
   * icmp_error: answer the datagram `pkt` (received on `ifp`) with an error of `type`/`code`. Not for
   * link broadcasts, non-initial fragments, or ICMP errors.
   */
  error(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, type: number, code: number): void {
    const env = this.s.env;
    const st = this.s.stats.icmp;
    st.error++;
    const oip = new Ipv4Packet(pkt);
    const ohl = oip.headerLen;
    if ((oip.flagsFrag & IP_OFFMASK) !== 0) return;
    if (oip.protocol === IpProto.ICMP && pkt.length >= ohl + ICMP_MINLEN && !isInfoType(new IcmpPacket(pkt.subarray(ohl)).type)) {
      st.oldicmp++;
      return;
    }
    if (this.s.ifs.isBroadcast(oip.dst, ifp) || ((m.flags ?? 0) & (M_BCAST | M_MCAST)) !== 0) return;
    const quoteLen = Math.min(oip.totalLen, ohl + ICMP_RETURN_DATA_BYTES, pkt.length);
    const frame = Ip.alloc(ICMP_MINLEN + quoteLen);
    const icp = new IcmpPacket(frame.subarray(Ip.PAYLOAD_OFF));
    IcmpRepr.emit(
      type === IcmpType.Unreach
        ? { kind: 'destUnreachable', code, quote: pkt.subarray(0, quoteLen) }
        : { kind: 'other', type, code, rest: 0, data: pkt.subarray(0, quoteLen) },
      icp,
    );
    env.charge(NetCost.icmp + bytesCost(quoteLen, NetCost.copyPerByte + NetCost.checksumPerByte));
    st.outhist[type]!++;
    const ours = this.s.ifs.ifaWithAddr(oip.dst);
    const src = ours ? oip.dst : (this.s.ifs.st(ifp).addrs[0]?.addr ?? 0);
    const id = env.newPktId();
    env.trace('icmp', `${icmpTypeName(type)}-out`, id, { dst: ipToString(oip.src), code, reqPkt: m.pktId });
    this.s.ip.output(frame, { src, dst: oip.src, protocol: IpProto.ICMP, ttl: MAXTTL, tos: 0 }, id);
  }
}

