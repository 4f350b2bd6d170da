/**
 * ICMPv6 (netinet6/icmp6.c, RFC 4443): input with checksum and icmp6stat, echo replies, errors handed to the
 * transports (ctlinput: ECONNREFUSED for UDP, Packet Too Big into the path MTU), Neighbor Discovery to nd6,
 * and everything to raw ICMPv6 sockets (ping6). icmp6_error builds errors by the rules of §2.4 (e): never
 * about an error or a redirect, never to multicast/unspecified sources, not for multicast destinations or
 * link-layer multicast except Packet Too Big and Parameter Problem code 2, as much of the packet as fits in
 * the minimum MTU, at most icmp6errppslim errors a second.
 */
import type { Ifnet } from '../if';
import { M_BCAST, M_MCAST, type Mbuf } from '../mbuf';
import { NetCost, bytesCost } from '../costs';
import type { NetStack } from '../stack';
import { ipv6IsMulticast, ipv6IsUnspecified, ipv6ToString, type Ipv6Addr } from '../wire/addr6';
import {
  ICMP6_HDR_LEN, ICMPV6_PLD_MAXLEN, Icmp6ParamCode, Icmp6Type, Icmp6UnreachCode, Icmpv6Packet, Icmpv6Repr, icmp6TypeName,
} from '../wire/icmpv6';
import { IP6_HDR_LEN, Ip6Nxt, Ipv6Packet } from '../wire/ipv6';
import { WireError } from '../wire/view';
import { walkExtHeaders } from './ext6';
import { IN6_IFF_ANYCAST, IN6_IFF_NOTREADY } from './in6';
import { Ip6, type Ip6InputInfo } from './ip6';

/** net.inet6.icmp6.errppslimit (NetBSD default 100 per second). */
export const ICMP6_ERRPPS_LIMIT = 100;
const S = 1_000_000_000;

/** What a transport's ctlinput learns from an ICMPv6 error about one of its packets. */
export interface Icmp6CtlInfo {
  type: number;
  code: number;
  /** The 32-bit field after the checksum (MTU of Packet Too Big, pointer of Parameter Problem). */
  param: number;
  /** Source and destination of the packet we sent, and its upper-layer header bytes as quoted. */
  src: Ipv6Addr;
  dst: Ipv6Addr;
  upper: Uint8Array;
}

export class Icmp6 {
  /** Transports' ctlinput by next header (UDP registers here; TCP adds itself). */
  readonly ctlsw = new Map<number, (info: Icmp6CtlInfo) => void>();
  private errSecond = -1;
  private errCount = 0;

  constructor(private readonly s: NetStack, private readonly ip6: Ip6) {}

  countOut(type: number): void {
    this.ip6.stats.icmp6.outhist[type]!++;
  }

  input(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, dst: Ipv6Addr, msg: Uint8Array, info: Ip6InputInfo): void {
    const env = this.s.env;
    const st = this.ip6.stats.icmp6;
    env.charge(NetCost.icmp + bytesCost(msg.length, NetCost.checksumPerByte));
    const bad = Icmpv6Repr.check(new Icmpv6Packet(msg), src, dst);
    if (bad instanceof WireError) {
      st[bad.check]++;
      env.trace('icmp6', 'drop', m.pktId, { reason: bad.reason });
      return;
    }
    const p = new Icmpv6Packet(msg);
    st.inhist[p.type]!++;
    env.trace('icmp6', 'input', m.pktId, { type: icmp6TypeName(p.type), code: p.code, src: ipv6ToString(src), len: msg.length });
    switch (p.type) {
      case Icmp6Type.EchoRequest:
        if (p.code !== 0) {
          st.badcode++;
          env.trace('icmp6', 'drop', m.pktId, { reason: `echo request with code ${p.code}` });
          break; // icmp6_input's "goto badcode": no reply, but raw sockets still get it
        }
        this.reflectEcho(ifp, m, src, dst, msg, info);
        break;
      case Icmp6Type.DstUnreach:
      case Icmp6Type.PacketTooBig:
      case Icmp6Type.TimeExceeded:
      case Icmp6Type.ParamProb:
        this.notify(m, p);
        break;
      case Icmp6Type.NeighborSolicit:
        this.ip6.nd6.nbr.nsInput(ifp, m, src, dst, info.hlim, msg);
        break;
      case Icmp6Type.NeighborAdvert:
        this.ip6.nd6.nbr.naInput(ifp, m, src, dst, info.hlim, msg);
        break;
      case Icmp6Type.RouterSolicit:
        this.ip6.nd6.rtr.rsInput(ifp, m, src, info.hlim, msg);
        break;
      case Icmp6Type.RouterAdvert:
        this.ip6.nd6.rtr.raInput(ifp, m, src, info.hlim, msg);
        break;
      case Icmp6Type.MldQuery:
      case Icmp6Type.MldReport:
      case Icmp6Type.MldDone:
      case Icmp6Type.Mldv2Report:
        this.ip6.mld.input(ifp, m, src, msg, info);
        break;
      default:
        break;
    }
    // rip6_input: raw ICMPv6 sockets get a copy of every message (ping6 picks its replies).
    this.ip6.raw6.input(ifp, m, src, dst, Ip6Nxt.ICMPV6, msg, info);
  }

  /** icmp6_reflect for an echo request: same data, type 129, from the address it was sent to. */
  private reflectEcho(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, dst: Ipv6Addr, msg: Uint8Array, info: Ip6InputInfo): void {
    const env = this.s.env;
    if (ipv6IsUnspecified(src) || ipv6IsMulticast(src)) {
      env.trace('icmp6', 'drop', m.pktId, { reason: 'echo request from an unusable source' });
      return;
    }
    let from: Ipv6Addr | null = null;
    if (!info.mcast) {
      const ia = this.ip6.in6.lookup(dst, ifp);
      if (ia && (ia.flags & (IN6_IFF_ANYCAST | IN6_IFF_NOTREADY)) === 0) from = ia.addr;
    }
    if (!from) {
      const ia = this.ip6.pickSource(src, ifp);
      if (!ia) return;
      from = ia.addr;
    }
    const frame = Ip6.alloc(msg.length);
    const reply = frame.subarray(Ip6.PAYLOAD_OFF);
    reply.set(msg);
    const r = new Icmpv6Packet(reply);
    r.type = Icmp6Type.EchoReply;
    r.fillChecksum(from, src);
    env.charge(bytesCost(msg.length, NetCost.checksumPerByte + NetCost.copyPerByte));
    this.ip6.stats.icmp6.reflect++;
    this.countOut(Icmp6Type.EchoReply);
    this.ip6.output(frame, { src: from, dst: src, nxt: Ip6Nxt.ICMPV6, hlim: -1, scopeId: this.ip6.indexOf(ifp) }, m.pktId, { ifp });
  }

  /** icmp6_notify_error: find the transport of the quoted packet and tell it. */
  private notify(m: Mbuf, p: Icmpv6Packet): void {
    const env = this.s.env;
    const quote = p.data;
    if (quote.length < IP6_HDR_LEN) {
      this.ip6.stats.icmp6.tooshort++;
      env.trace('icmp6', 'drop', m.pktId, { reason: 'error message quotes less than an IPv6 header' });
      return;
    }
    const inner = new Ipv6Packet(quote);
    const w = walkExtHeaders(quote, inner.nxt, IP6_HDR_LEN, true, false);
    if (p.type === Icmp6Type.PacketTooBig) {
      const mtu = p.rest;
      this.ip6.stats.icmp6.pmtuchg++;
      const ifp = this.ip6.selectSource(inner.dst);
      if (typeof ifp !== 'number') this.ip6.routes.updatePmtu(inner.dst, mtu, ifp.ifp.mtu);
    }
    if (w.kind !== 'deliver') return;
    const ctl = this.ctlsw.get(w.nxt);
    if (ctl) ctl({ type: p.type, code: p.code, param: p.rest, src: inner.src, dst: inner.dst, upper: quote.subarray(w.off) });
  }

  /**
   * icmp6_error: answer the packet `pkt` (fixed header first) that arrived on `ifp` (or that we failed to
   * send) with an error of `type`/`code`; `param` is the MTU or the pointer.
   */
  error(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, type: number, code: number, param = 0): void {
    const env = this.s.env;
    const st = this.ip6.stats.icmp6;
    st.error++;
    const skip = (reason: string): void => {
      st.canterror++;
      env.trace('icmp6', 'no-error', m.pktId, { type: icmp6TypeName(type), reason });
    };
    if (pkt.length < IP6_HDR_LEN) return skip('offending packet shorter than a header');
    const orig = new Ipv6Packet(pkt);
    const osrc = orig.src;
    const odst = orig.dst;
    const exempt = type === Icmp6Type.PacketTooBig || (type === Icmp6Type.ParamProb && code === Icmp6ParamCode.Option);
    const llMcast = ((m.flags ?? 0) & (M_MCAST | M_BCAST)) !== 0;
    if ((ipv6IsMulticast(odst) || llMcast) && !exempt) return skip('packet was sent to a multicast address');
    if (ipv6IsUnspecified(osrc) || ipv6IsMulticast(osrc)) return skip('offending source is unspecified or multicast');
    // Not about an ICMPv6 error or a redirect (§2.4 (e.1, e.2)).
    const w = walkExtHeaders(pkt, orig.nxt, IP6_HDR_LEN, true, false);
    if (w.kind === 'deliver' && w.nxt === Ip6Nxt.ICMPV6) {
      const t = w.off < pkt.length ? pkt[w.off]! : Icmp6Type.DstUnreach;
      if (t < 128 || t === Icmp6Type.Redirect) return skip('offending packet is an ICMPv6 error or redirect');
    }
    // ppsratecheck on virtual seconds.
    const sec = Math.floor(env.now() / S);
    if (sec !== this.errSecond) {
      this.errSecond = sec;
      this.errCount = 0;
    }
    if (++this.errCount > ICMP6_ERRPPS_LIMIT) {
      st.toofreq++;
      return skip('rate limited (icmp6errppslimit)');
    }
    this.countErr(type, code);
    const quoteLen = Math.min(pkt.length, ICMPV6_PLD_MAXLEN);
    const frame = Ip6.alloc(ICMP6_HDR_LEN + quoteLen);
    const msg = frame.subarray(Ip6.PAYLOAD_OFF);
    const e = new Icmpv6Packet(msg);
    e.type = type;
    e.code = code;
    e.rest = param >>> 0;
    msg.set(pkt.subarray(0, quoteLen), ICMP6_HDR_LEN);
    // The source: the address the packet was sent to when it is our unicast address, else selected.
    const ours = !ipv6IsMulticast(odst) ? this.ip6.in6.lookup(odst, ifp) : undefined;
    const scopeId = this.ip6.indexOf(ifp);
    let src: Ipv6Addr;
    if (ours && (ours.flags & (IN6_IFF_ANYCAST | IN6_IFF_NOTREADY)) === 0) src = ours.addr;
    else {
      const c = this.ip6.selectSource(osrc, scopeId);
      if (typeof c === 'number') return skip('no route back to the source');
      src = c.src;
    }
    e.fillChecksum(src, osrc);
    env.charge(NetCost.icmp + bytesCost(msg.length, NetCost.checksumPerByte + NetCost.copyPerByte));
    this.countOut(type);
    const pktId = env.newPktId();
    env.trace('icmp6', 'error', pktId, { type: icmp6TypeName(type), code, to: ipv6ToString(osrc), about: m.pktId });
    this.ip6.output(frame, { src, dst: osrc, nxt: Ip6Nxt.ICMPV6, hlim: -1, scopeId }, pktId);
  }

  private countErr(type: number, code: number): void {
    const h = this.ip6.stats.icmp6.outerrhist;
    if (type === Icmp6Type.DstUnreach) {
      if (code === Icmp6UnreachCode.NoRoute) h.dst_unreach_noroute++;
      else if (code === Icmp6UnreachCode.Admin) h.dst_unreach_admin++;
      else if (code === Icmp6UnreachCode.BeyondScope) h.dst_unreach_beyondscope++;
      else if (code === Icmp6UnreachCode.Addr) h.dst_unreach_addr++;
      else if (code === Icmp6UnreachCode.NoPort) h.dst_unreach_noport++;
      else h.unknown++;
    } else if (type === Icmp6Type.PacketTooBig) h.packet_too_big++;
    else if (type === Icmp6Type.TimeExceeded) {
      if (code === 0) h.time_exceed_transit++;
      else h.time_exceed_reassembly++;
    } else if (type === Icmp6Type.ParamProb) {
      if (code === Icmp6ParamCode.Header) h.paramprob_header++;
      else if (code === Icmp6ParamCode.NextHeader) h.paramprob_nextheader++;
      else h.paramprob_option++;
    } else h.unknown++;
  }
}
