/**
 * Neighbor Solicitation and Advertisement (netinet6/nd6_nbr.c, RFC 4861 §7) and Duplicate Address Detection
 * (RFC 4862 §5.4): NS input (address resolution, NUD probes, DAD probes from ::), NA input driving the
 * cache's state machine (§7.2.5), NS/NA output, and DAD for tentative addresses: one NS from the
 * unspecified address after a random delay of up to MAX_RTR_SOLICITATION_DELAY, DupAddrDetectTransmits = 1,
 * RetransTimer to wait; a conflicting NS or NA marks the address duplicated.
 */
import { IFF_LOOPBACK, type Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import { NetCost } from '../costs';
import type { NetStack } from '../stack';
import {
  IN6ADDR_ANY, IN6ADDR_LINKLOCAL_ALLNODES, ipv6Equals, ipv6IsMulticast, ipv6IsUnspecified, ipv6SolicitedNode, ipv6ToString,
  type Ipv6Addr,
} from '../wire/addr6';
import { macToString } from '../wire/addr';
import {
  ND_NA_FLAG_OVERRIDE, ND_NA_FLAG_ROUTER, ND_NA_FLAG_SOLICITED, ND_NA_LEN, ND_NS_LEN, NdOpt, Icmp6Type, Icmpv6Packet,
  emitLladdrOpt, parseNdOptions,
} from '../wire/icmpv6';
import { IPV6_ND_HLIM, Ip6Nxt, Ipv6Packet } from '../wire/ipv6';
import { WireError } from '../wire/view';
import { IN6_IFF_ANYCAST, IN6_IFF_DUPLICATED, IN6_IFF_NOTREADY, IN6_IFF_TENTATIVE, type In6Ifaddr } from './in6';
import { Ip6 } from './ip6';
import { ND6_LLINFO_INCOMPLETE, ND6_LLINFO_REACHABLE, ND6_LLINFO_STALE, type Nd6 } from './nd6';

/** RFC 4862 §5.1 DupAddrDetectTransmits (NetBSD net.inet6.ip6.dad_count). */
export const DUP_ADDR_DETECT_TRANSMITS = 1;
/** RFC 4861 §10 MAX_RTR_SOLICITATION_DELAY: the bound of DAD's (and RS's) random initial delay, in ms. */
export const MAX_RTR_SOLICITATION_DELAY_MS = 1000;
const MS = 1_000_000;

export class Nd6Nbr {
  constructor(private readonly s: NetStack, private readonly ip6: Ip6, private readonly nd6: Nd6) {}

  // --- input ---

  /** nd6_ns_input: `msg` is the ICMPv6 message (checksum already verified). */
  nsInput(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, dst: Ipv6Addr, hlim: number, msg: Uint8Array): void {
    const env = this.s.env;
    this.ip6.stats.nd6.ns_in++;
    const bad = (reason: string): void => {
      this.ip6.stats.icmp6.badns++;
      env.trace('nd6', 'drop', m.pktId, { reason });
    };
    // RFC 4861 §7.1.1 validity checks.
    if (hlim !== IPV6_ND_HLIM) return bad(`NS with hop limit ${hlim}`);
    if (msg[1] !== 0) return bad(`NS with code ${msg[1]}`);
    if (msg.length < ND_NS_LEN) return bad(`NS of ${msg.length} bytes`);
    const target = msg.slice(8, 24);
    if (ipv6IsMulticast(target)) return bad('NS for a multicast target');
    const dad = ipv6IsUnspecified(src);
    if (dad && !ipv6Equals(dst, ipv6SolicitedNode(target))) return bad('DAD NS not sent to the solicited-node address');
    const opts = parseNdOptions(msg, ND_NS_LEN);
    if (opts instanceof WireError) {
      this.ip6.stats.icmp6.nd_badopt++;
      return bad(opts.reason);
    }
    if (dad && opts.srcLladdr) return bad('NS from :: with a source link-layer address option');
    const ia = this.ip6.in6.find(ifp, target);
    if (!ia) {
      env.trace('nd6', 'ns-ignored', m.pktId, { target: ipv6ToString(target), reason: 'target is not ours' });
      return;
    }
    env.trace('nd6', 'ns-input', m.pktId, { src: ipv6ToString(src), target: ipv6ToString(target) });
    if ((ia.flags & IN6_IFF_TENTATIVE) !== 0) {
      // §5.4.3 of RFC 4862: a DAD NS for our tentative address means someone else is trying it too.
      if (dad) this.dadNsInput(ia);
      return;
    }
    if ((ia.flags & IN6_IFF_DUPLICATED) !== 0) return;
    if (dad) {
      // Defend the address: answer to all-nodes, not solicited (§7.2.4).
      this.naOutput(ifp, IN6ADDR_ANY, target, (ia.flags & IN6_IFF_ANYCAST) === 0, true);
      return;
    }
    this.nd6.cacheLladdr(ifp, src, opts.srcLladdr, false);
    this.naOutput(ifp, src, target, (ia.flags & IN6_IFF_ANYCAST) === 0, true);
  }

  /** nd6_na_input (§7.2.5). */
  naInput(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, dst: Ipv6Addr, hlim: number, msg: Uint8Array): void {
    const env = this.s.env;
    this.ip6.stats.nd6.na_in++;
    const bad = (reason: string): void => {
      this.ip6.stats.icmp6.badna++;
      env.trace('nd6', 'drop', m.pktId, { reason });
    };
    if (hlim !== IPV6_ND_HLIM) return bad(`NA with hop limit ${hlim}`);
    if (msg[1] !== 0) return bad(`NA with code ${msg[1]}`);
    if (msg.length < ND_NA_LEN) return bad(`NA of ${msg.length} bytes`);
    const p = new Icmpv6Packet(msg);
    const flags = p.rest;
    const isRouter = (flags & ND_NA_FLAG_ROUTER) !== 0;
    const solicited = (flags & ND_NA_FLAG_SOLICITED) !== 0;
    const override = (flags & ND_NA_FLAG_OVERRIDE) !== 0;
    const target = msg.slice(8, 24);
    if (ipv6IsMulticast(target)) return bad('NA for a multicast target');
    if (ipv6IsMulticast(dst) && solicited) return bad('solicited NA to a multicast address');
    const opts = parseNdOptions(msg, ND_NA_LEN);
    if (opts instanceof WireError) {
      this.ip6.stats.icmp6.nd_badopt++;
      return bad(opts.reason);
    }
    const ia = this.ip6.in6.find(ifp, target);
    if (ia) {
      if ((ia.flags & IN6_IFF_TENTATIVE) !== 0) {
        this.dadNaInput(ia);
        return;
      }
      // Someone else claims an address we hold (NetBSD logs "duplicate IP6 address").
      env.log(`nd6_na_input: duplicate IP6 address ${ipv6ToString(target)}`);
      env.trace('nd6', 'drop', m.pktId, { reason: `NA for our own address ${ipv6ToString(target)}` });
      return;
    }
    const ln = this.nd6.lookup(ifp, target);
    env.trace('nd6', 'na-input', m.pktId, { src: ipv6ToString(src), target: ipv6ToString(target), flags: `${isRouter ? 'R' : ''}${solicited ? 'S' : ''}${override ? 'O' : ''}`, ...(opts.tgtLladdr ? { lladdr: macToString(opts.tgtLladdr) } : {}) });
    if (!ln) return; // §7.2.5: no entry → silently discarded
    const tlla = opts.tgtLladdr;
    if (ln.state === ND6_LLINFO_INCOMPLETE) {
      if (!tlla) return;
      ln.lladdr = tlla.slice(0, 6);
      ln.isRouter = isRouter;
      ln.asked = 0;
      if (solicited) this.nd6.setState(ln, ND6_LLINFO_REACHABLE, this.nd6.reachableNs(ifp));
      else this.nd6.setState(ln, ND6_LLINFO_STALE, null);
      this.nd6.sendHeld(ln);
      return;
    }
    const llchange = tlla !== undefined && ln.lladdr !== null && !tlla.every((b, i) => b === ln.lladdr![i]);
    if (!override && llchange) {
      // Not overriding a different address: only a REACHABLE entry becomes suspect.
      if (ln.state === ND6_LLINFO_REACHABLE) this.nd6.setState(ln, ND6_LLINFO_STALE, null);
      return;
    }
    if (tlla) ln.lladdr = tlla.slice(0, 6);
    ln.asked = 0;
    if (solicited) this.nd6.setState(ln, ND6_LLINFO_REACHABLE, this.nd6.reachableNs(ifp));
    else if (llchange) this.nd6.setState(ln, ND6_LLINFO_STALE, null);
    if (ln.isRouter && !isRouter) {
      // §7.2.5: the neighbour stopped being a router.
      this.nd6.rtr.routerUnreachable(ifp, ln.addr);
    }
    ln.isRouter = isRouter;
    this.nd6.sendHeld(ln);
  }

  // --- output ---

  /**
   * nd6_ns_output: solicit `target`. `dst` null = its solicited-node multicast (address resolution, DAD);
   * otherwise unicast (NUD probe). `dad`: from the unspecified address, no source link-layer option.
   * `held` is the packet that triggered resolution; its source is used when it is ours (§7.2.2).
   */
  nsOutput(ifp: Ifnet, dst: Ipv6Addr | null, target: Ipv6Addr, held: Mbuf | null, dad = false): void {
    const env = this.s.env;
    env.charge(NetCost.nd6Output);
    const daddr = dst ?? ipv6SolicitedNode(target);
    let src: Ipv6Addr = IN6ADDR_ANY;
    if (!dad) {
      const hsrc = held ? new Ipv6Packet(held.data.subarray(14)).src : null;
      const hia = hsrc ? this.ip6.in6.find(ifp, hsrc) : undefined;
      if (hia && (hia.flags & IN6_IFF_NOTREADY) === 0) src = hia.addr;
      else {
        const ia = this.ip6.pickSource(daddr, ifp);
        if (!ia) {
          env.trace('nd6', 'drop', 0, { if: ifp.name, reason: `no source address to solicit ${ipv6ToString(target)}` });
          return;
        }
        src = ia.addr;
      }
    }
    const withOpt = !dad;
    const frame = Ip6.alloc(ND_NS_LEN + (withOpt ? 8 : 0));
    const msg = frame.subarray(Ip6.PAYLOAD_OFF);
    msg[0] = Icmp6Type.NeighborSolicit;
    msg.set(target, 8);
    if (withOpt) emitLladdrOpt(msg, ND_NS_LEN, NdOpt.SourceLinkaddr, ifp.lladdr);
    new Icmpv6Packet(msg).fillChecksum(src, daddr);
    const pktId = env.newPktId();
    this.ip6.stats.nd6.ns_out++;
    this.ip6.icmp6.countOut(Icmp6Type.NeighborSolicit);
    env.trace('nd6', 'ns-output', pktId, { if: ifp.name, dst: ipv6ToString(daddr), target: ipv6ToString(target), ...(dad ? { dad: true } : {}) });
    this.ip6.output(frame, { src, dst: daddr, nxt: Ip6Nxt.ICMPV6, hlim: IPV6_ND_HLIM }, pktId, { ifp, mloop: false, anySource: dad });
  }

  /**
   * nd6_na_output: advertise `target` to `dst` (unspecified → all-nodes, then not solicited). Flags: R when we
   * forward, S when answering a unicast-source NS, O unless anycast; the target link-layer option always.
   */
  naOutput(ifp: Ifnet, dst: Ipv6Addr, target: Ipv6Addr, override: boolean, withTlla: boolean): void {
    const env = this.s.env;
    env.charge(NetCost.nd6Output);
    const toAll = ipv6IsUnspecified(dst);
    const daddr = toAll ? IN6ADDR_LINKLOCAL_ALLNODES : dst;
    const ia = this.ip6.in6.find(ifp, target);
    const src = ia && (ia.flags & IN6_IFF_NOTREADY) === 0 ? ia.addr : this.ip6.pickSource(daddr, ifp)?.addr;
    if (!src) return;
    const frame = Ip6.alloc(ND_NA_LEN + (withTlla ? 8 : 0));
    const msg = frame.subarray(Ip6.PAYLOAD_OFF);
    const p = new Icmpv6Packet(msg);
    p.type = Icmp6Type.NeighborAdvert;
    p.rest = ((this.ip6.forwarding ? ND_NA_FLAG_ROUTER : 0) | (toAll ? 0 : ND_NA_FLAG_SOLICITED) | (override ? ND_NA_FLAG_OVERRIDE : 0)) >>> 0;
    msg.set(target, 8);
    if (withTlla) emitLladdrOpt(msg, ND_NA_LEN, NdOpt.TargetLinkaddr, ifp.lladdr);
    p.fillChecksum(src, daddr);
    const pktId = env.newPktId();
    this.ip6.stats.nd6.na_out++;
    this.ip6.icmp6.countOut(Icmp6Type.NeighborAdvert);
    env.trace('nd6', 'na-output', pktId, { if: ifp.name, dst: ipv6ToString(daddr), target: ipv6ToString(target) });
    this.ip6.output(frame, { src, dst: daddr, nxt: Ip6Nxt.ICMPV6, hlim: IPV6_ND_HLIM }, pktId, { ifp, mloop: false });
  }

  // --- Duplicate Address Detection (nd6_dad_*) ---

  /**
   * nd6_dad_start: `ia` is tentative; the first NS goes out after a random delay in [0, MAX_RTR_SOLICITATION_DELAY)
   * drawn in whole milliseconds from the node's stream (RFC 4862 §5.4.2).
   */
  dadStart(ia: In6Ifaddr): void {
    if ((ia.ifp.flags & IFF_LOOPBACK) !== 0 || (ia.flags & IN6_IFF_TENTATIVE) === 0 || ia.dad) return;
    const delayMs = this.s.env.random32() % MAX_RTR_SOLICITATION_DELAY_MS;
    ia.dad = { callout: null, nsSent: 0, nsIn: 0, naIn: 0 };
    this.s.env.trace('nd6', 'dad-start', 0, { if: ia.ifp.name, addr: ipv6ToString(ia.addr), delay_ms: delayMs });
    ia.dad.callout = this.s.schedule(delayMs * MS, 'nd6_dad_timer', () => this.dadTimer(ia));
  }

  private dadTimer(ia: In6Ifaddr): void {
    const d = ia.dad;
    if (!d) return;
    d.callout = null;
    if ((ia.flags & IN6_IFF_DUPLICATED) !== 0) return;
    if (d.nsSent < DUP_ADDR_DETECT_TRANSMITS) {
      d.nsSent++;
      this.nsOutput(ia.ifp, null, ia.addr, null, true);
      d.callout = this.s.schedule(this.nd6.retransNs(ia.ifp), 'nd6_dad_timer', () => this.dadTimer(ia));
      return;
    }
    // RetransTimer passed after the last NS with no conflict: the address is ours.
    ia.flags &= ~IN6_IFF_TENTATIVE;
    ia.dad = null;
    this.s.env.log(`${ia.ifp.name}: DAD complete for ${ipv6ToString(ia.addr)} - no duplicates found`);
    this.s.env.trace('nd6', 'dad-complete', 0, { if: ia.ifp.name, addr: ipv6ToString(ia.addr) });
    this.nd6.rtr.addressReady(ia);
  }

  private dadNsInput(ia: In6Ifaddr): void {
    if (!ia.dad) return;
    ia.dad.nsIn++;
    this.dadDuplicated(ia);
  }

  private dadNaInput(ia: In6Ifaddr): void {
    if (!ia.dad) return;
    ia.dad.naIn++;
    this.dadDuplicated(ia);
  }

  /** nd6_dad_duplicated: the address is not used; the log line is NetBSD's. */
  private dadDuplicated(ia: In6Ifaddr): void {
    const d = ia.dad!;
    if (d.callout) this.s.callouts.cancel(d.callout);
    this.s.env.log(`${ia.ifp.name}: DAD detected duplicate IPv6 address ${ipv6ToString(ia.addr)}: NS in/out=${d.nsIn}/${d.nsSent}, NA in=${d.naIn}`);
    ia.flags = (ia.flags & ~IN6_IFF_TENTATIVE) | IN6_IFF_DUPLICATED;
    ia.dad = null;
    this.ip6.stats.nd6.dad_duplicated++;
    this.s.env.trace('nd6', 'dad-duplicated', 0, { if: ia.ifp.name, addr: ipv6ToString(ia.addr) });
  }

  dadStopAll(ifp: Ifnet): void {
    for (const ia of this.ip6.in6.addrs(ifp)) {
      if (ia.dad?.callout) this.s.callouts.cancel(ia.dad.callout);
      if (ia.dad) ia.flags |= IN6_IFF_TENTATIVE; // DAD runs again at the next up
      ia.dad = null;
    }
  }
}
