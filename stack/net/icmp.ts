/**
 * ICMP (netinet/ip_icmp.c): echo requests answered by reflecting the message (source = the address the
 * request was sent to, TTL = MAXTTL), errors generated for other protocols (icmp_error, rate-limited as
 * icmp_ratelimit does), errors received passed to the transport that sent the quoted datagram
 * (pr_ctlinput), path MTU discovery on "fragmentation needed" and redirects followed (icmp-route.ts), and
 * every message not consumed here handed to raw sockets. Counters as NetBSD's icmpstat.
 */
import type { Ifnet } from './if';
import { M_BCAST, M_MCAST, type Mbuf } from './mbuf';
import { NetCost, bytesCost } from './costs';
import { Ip } from './ip';
import type { NetStack } from './stack';
import { IcmpRouteUpdates } from './icmp-route';
import { ipToString, isMulticastIp, type Ipv4Addr } from './wire/addr';
import { ICMP_MINLEN, ICMP_RETURN_DATA_BYTES, IcmpPacket, IcmpRepr, IcmpType, IcmpUnreachCode, icmpTypeName } from './wire/icmp';
import { IP_HDR_LEN, IP_OFFMASK, IpProto, Ipv4Packet, MAXTTL } from './wire/ipv4';
import { UdpPacket } from './wire/udp';

/** ICMP_INFOTYPE: query/reply types. An error is never sent about an ICMP message that is not one of these. */
function isInfoType(t: number): boolean {
  return t === IcmpType.EchoReply || t === IcmpType.Echo || t === IcmpType.RouterAdvert || t === IcmpType.RouterSolicit ||
    (t >= IcmpType.Tstamp && t <= IcmpType.MaskReply);
}

/** ICMP_UNREACH_PRECEDENCE_CUTOFF: the highest unreachable code icmp_input knows. */
const ICMP_UNREACH_MAXCODE = 15;

/**
 * icmp_input's "goto badcode" cases: an unreachable code past ICMP_UNREACH_PRECEDENCE_CUTOFF, time exceeded or
 * parameter problem past code 1, a source quench with a code. Found by the stack fuzzer (fuzz/stack/icmp-udp.ts):
 * such messages used to reach the transports' ctlinput.
 */
function errorCodeBad(type: number, code: number): boolean {
  if (type === IcmpType.Unreach) return code > ICMP_UNREACH_MAXCODE;
  if (type === IcmpType.TimeExceeded || type === IcmpType.ParamProb) return code > 1;
  if (type === IcmpType.SourceQuench) return code !== 0;
  return false;
}

export class Icmp {
  /** net.inet.icmp.bmcastecho: answer echo requests sent to broadcast addresses. */
  bmcastecho = false;
  /** net.inet.icmp.errppslimit: ICMP errors sent per second at most (NetBSD icmperrppslim, default 100). */
  errppslimit = 100;
  /** ppsratecheck state: the start of the current one-second window and the errors sent in it. */
  private errWindow = -1;
  private errCount = 0;
  /** Route changes ICMP asks for: path MTUs and redirects (icmp-route.ts). */
  readonly routeUpdates: IcmpRouteUpdates;

  constructor(private readonly s: NetStack) {
    this.routeUpdates = new IcmpRouteUpdates(s);
  }

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
    if (type === IcmpType.Unreach || type === IcmpType.TimeExceeded || type === IcmpType.SourceQuench || type === IcmpType.ParamProb) {
      // icmp_input's code checks ("goto badcode"): counted, not passed to the transports, still seen by raw sockets.
      if (errorCodeBad(type, icp.code)) {
        st.badcode++;
        env.trace('icmp', 'badcode', m.pktId, { type, code: icp.code });
      } else this.ctlinput(icp, m);
    } else if (type === IcmpType.Redirect) {
      const q = icp.data;
      if (icp.code > 3) st.badcode++;
      else if (q.length < IP_HDR_LEN + 8 || new Ipv4Packet(q).headerLen < IP_HDR_LEN || new Ipv4Packet(q).headerLen + 8 > q.length) st.badlen++;
      else this.routeUpdates.redirect(ip.src, new Ipv4Packet(q).dst, icp.rest >>> 0, m);
    }
    this.s.raw.input(ifp, m, pkt, isBcast, false);
  }

  /**
   * Report an ICMP error to the transport that sent the quoted datagram (pr_ctlinput: udp_ctlinput,
   * tcp_ctlinput), after path MTU discovery has seen a need-fragment error (icmp_mtudisc).
   */
  private ctlinput(icp: IcmpPacket, m: Mbuf): void {
    const quote = icp.data;
    // icmp_input: shorter than ICMP_ADVLENMIN (the ICMP header, an IP header and 8 bytes) → badlen.
    if (quote.length < IP_HDR_LEN + 8) {
      this.s.stats.icmp.badlen++;
      this.s.env.trace('icmp', 'drop', m.pktId, { reason: `error quoting ${quote.length} bytes` });
      return;
    }
    const q = new Ipv4Packet(quote);
    // icmp_input: the quoted header must be sane and followed by the 8 bytes it promises.
    if (q.version !== 4 || q.headerLen < IP_HDR_LEN || q.headerLen + 8 > quote.length) {
      this.s.stats.icmp.badlen++;
      this.s.env.trace('icmp', 'drop', m.pktId, { reason: 'quoted datagram too short' });
      return;
    }
    // The path MTU TCP is told: what the route now says (the plateau guess included), else the raw field.
    let nextMtu = icp.rest & 0xffff;
    if (isMulticastIp(q.dst)) {
      this.s.stats.icmp.badcode++;
      return;
    }
    if (icp.type === IcmpType.Unreach && icp.code === IcmpUnreachCode.NeedFrag) nextMtu = this.routeUpdates.mtudisc(q, nextMtu, m) || nextMtu;
    if (q.protocol === IpProto.TCP) this.s.tcp.ctlinput(icp.type, icp.code, quote, icp.type === IcmpType.Unreach ? nextMtu : 0);
    if (q.protocol === IpProto.UDP) {
      // Only the first 8 bytes of the datagram are quoted: read the ports, not the (uncovered) length.
      const u = new UdpPacket(quote.subarray(q.headerLen));
      if (icp.type === IcmpType.Unreach) this.s.udp.ctlinput(q.src, u.srcPort, q.dst, u.dstPort, icp.code);
    }
  }

  /** icmp_ratelimit (ppsratecheck): at most errppslimit errors in each one-second window. */
  private ratelimit(): boolean {
    if (this.errppslimit <= 0) return false;
    const sec = Math.floor(this.s.env.now() / 1_000_000_000);
    if (sec !== this.errWindow) {
      this.errWindow = sec;
      this.errCount = 0;
    }
    if (this.errCount >= this.errppslimit) return true;
    this.errCount++;
    return false;
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
   * link broadcasts or multicasts, non-initial fragments, ICMP errors, or a source that names no single
   * host (RFC 1122 section 3.2.2); rate-limited. `nextMtu` goes with need-fragment (RFC 1191), `gateway`
   * with a redirect.
   */
  error(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, type: number, code: number, nextMtu = 0, gateway: Ipv4Addr = 0): void {
    const env = this.s.env;
    const st = this.s.stats.icmp;
    if (type !== IcmpType.Redirect) st.error++;
    const oip = new Ipv4Packet(pkt);
    const ohl = oip.headerLen;
    const skip = (reason: string): void => {
      env.trace('icmp', 'error-suppressed', m.pktId, { type: icmpTypeName(type), reason });
    };
    if ((oip.flagsFrag & IP_OFFMASK) !== 0) return skip('not the first fragment');
    if (oip.protocol === IpProto.ICMP && type !== IcmpType.Redirect && pkt.length >= ohl + ICMP_MINLEN && !isInfoType(new IcmpPacket(pkt.subarray(ohl)).type)) {
      st.oldicmp++;
      return skip('about an ICMP error');
    }
    if (this.s.ifs.isBroadcast(oip.dst, ifp) || isMulticastIp(oip.dst) || ((m.flags ?? 0) & (M_BCAST | M_MCAST)) !== 0) {
      return skip('datagram was broadcast or multicast');
    }
    if (oip.src === 0 || isMulticastIp(oip.src) || this.s.ifs.isBroadcast(oip.src, ifp)) return skip('source names no single host');
    if (this.ratelimit()) {
      st.toofreq++;
      return skip(`more than ${this.errppslimit} errors per second`);
    }
    const quoteLen = Math.min(oip.totalLen, ohl + ICMP_RETURN_DATA_BYTES, pkt.length);
    const frame = Ip.alloc(ICMP_MINLEN + quoteLen);
    const icp = new IcmpPacket(frame.subarray(Ip.PAYLOAD_OFF));
    // The word after the checksum: the next-hop MTU in its low 16 bits (icmp_nextmtu), or the gateway.
    // For a parameter problem `code` is the pointer (icmp_error: "icp->icmp_pptr = code; code = 0").
    const pptr = type === IcmpType.ParamProb;
    const rest = type === IcmpType.Unreach && code === IcmpUnreachCode.NeedFrag ? nextMtu & 0xffff : type === IcmpType.Redirect ? gateway : pptr ? ((code & 0xff) << 24) >>> 0 : 0;
    if (pptr) code = 0;
    IcmpRepr.emit(
      type === IcmpType.Unreach && rest === 0
        ? { kind: 'destUnreachable', code, quote: pkt.subarray(0, quoteLen) }
        : { kind: 'other', type, code, rest, data: pkt.subarray(0, quoteLen) },
      icp,
    );
    env.charge(NetCost.icmp + bytesCost(quoteLen, NetCost.copyPerByte + NetCost.checksumPerByte));
    st.outhist[type]!++;
    const ours = this.s.ifs.ifaWithAddr(oip.dst);
    const src = ours ? oip.dst : (this.s.ifs.st(ifp).addrs[0]?.addr ?? 0);
    const id = env.newPktId();
    env.trace('icmp', `${icmpTypeName(type)}-out`, id, { dst: ipToString(oip.src), code, reqPkt: m.pktId, ...(rest ? { rest } : {}) });
    this.s.ip.output(frame, { src, dst: oip.src, protocol: IpProto.ICMP, ttl: MAXTTL, tos: 0 }, id);
  }
}

