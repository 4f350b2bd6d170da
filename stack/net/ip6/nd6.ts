/**
 * The neighbour cache (netinet6/nd6.c): entries by (interface, address) with the RFC 4861 §7.3.2 states,
 * address resolution on output (nd6_resolve: one packet held per INCOMPLETE entry, a multicast NS every
 * RetransTimer, MAX_MULTICAST_SOLICIT tries, then ICMPv6 address unreachable for the held packet), the
 * STALE → DELAY → PROBE path of neighbour unreachability detection, per-interface ND parameters
 * (nd_ifinfo: ReachableTime randomized per §6.3.2, RetransTimer, CurHopLimit, link MTU) and the Ethernet
 * header of IPv6 frames (RFC 2464: type 0x86dd, multicast 33:33 + low 32 bits). NS/NA and DAD are in
 * nd6-nbr.ts, routers and prefixes in nd6-rtr.ts.
 */
import type { Callout } from '../callout';
import { IFF_LOOPBACK, type Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import { NetCost } from '../costs';
import type { NetStack } from '../stack';
import { ipv6Equals, ipv6IsMulticast, ipv6MulticastMac, ipv6ToString, type Ipv6Addr } from '../wire/addr6';
import { macEquals, macToString } from '../wire/addr';
import { EtherType, EthernetFrame } from '../wire/ethernet';
import { Icmp6Type, Icmp6UnreachCode } from '../wire/icmpv6';
import type { Ip6 } from './ip6';
import { Nd6Nbr } from './nd6-nbr';
import { Nd6Rtr } from './nd6-rtr';

const MS = 1_000_000;
const S = 1_000_000_000;

/** RFC 4861 §10 protocol constants (NetBSD nd6.h). */
export const MAX_MULTICAST_SOLICIT = 3;
export const MAX_UNICAST_SOLICIT = 3;
export const REACHABLE_TIME_MS = 30_000;
export const RETRANS_TIMER_MS = 1_000;
export const DELAY_FIRST_PROBE_TIME_NS = 5 * S;

import {
  ND6_LLINFO_DELAY, ND6_LLINFO_INCOMPLETE, ND6_LLINFO_NOSTATE, ND6_LLINFO_PROBE, ND6_LLINFO_REACHABLE, ND6_LLINFO_STALE,
  ND6_STATE_LETTER,
} from '../../include/netinet6/nd6';

/** ln_state values live in <netinet6/nd6.h> (stack/include/netinet6). */
export {
  ND6_LLINFO_DELAY, ND6_LLINFO_INCOMPLETE, ND6_LLINFO_NOSTATE, ND6_LLINFO_PROBE, ND6_LLINFO_REACHABLE, ND6_LLINFO_STALE,
  ND6_STATE_LETTER,
};

/** struct llinfo_nd6: one neighbour. */
export interface Llinfo6 {
  readonly ifp: Ifnet;
  readonly addr: Ipv6Addr;
  state: number;
  lladdr: Uint8Array | null;
  isRouter: boolean;
  /** Solicitations sent in the current state (ln_asked). */
  asked: number;
  /** The packet waiting for resolution (ln_hold: NetBSD keeps one). */
  hold: Mbuf | null;
  timer: Callout<() => void> | null;
  /** When the current state's timer fires (for `ndp -a`'s Expire column), or null. */
  expire: number | null;
}

/** struct nd_ifinfo. */
export interface NdIfinfo {
  /** BaseReachableTime (ms) and the randomized ReachableTime drawn from it (ms). */
  basereachable: number;
  reachable: number;
  /** RetransTimer (ms). */
  retrans: number;
  /** CurHopLimit from Router Advertisements. */
  chlim: number;
  /** Link MTU from the MTU option (0 = the interface's). */
  linkmtu: number;
}

export class Nd6 {
  private readonly cache: Llinfo6[] = [];
  private readonly ifinfo = new Map<Ifnet, NdIfinfo>();
  readonly nbr: Nd6Nbr;
  readonly rtr: Nd6Rtr;

  constructor(private readonly s: NetStack, readonly ip6: Ip6) {
    this.nbr = new Nd6Nbr(s, ip6, this);
    this.rtr = new Nd6Rtr(s, ip6, this);
  }

  /** nd_ifinfo of `ifp`, created with the defaults (ReachableTime randomized from 30 s). */
  ndi(ifp: Ifnet): NdIfinfo {
    let n = this.ifinfo.get(ifp);
    if (!n) {
      n = { basereachable: REACHABLE_TIME_MS, reachable: 0, retrans: RETRANS_TIMER_MS, chlim: this.ip6.defHlim, linkmtu: 0 };
      n.reachable = this.randomReachable(n.basereachable);
      this.ifinfo.set(ifp, n);
    }
    return n;
  }

  /** nd6_compute_rtime: uniformly between MIN_RANDOM_FACTOR 0.5 and MAX_RANDOM_FACTOR 1.5 times the base (§6.3.2), in ms. */
  randomReachable(baseMs: number): number {
    const lo = Math.floor(baseMs / 2);
    return lo + (this.s.env.random32() % (baseMs + 1));
  }

  entries(): readonly Llinfo6[] {
    return this.cache;
  }

  lookup(ifp: Ifnet, a: Ipv6Addr): Llinfo6 | undefined {
    return this.cache.find((ln) => ln.ifp === ifp && ipv6Equals(ln.addr, a));
  }

  /** nd6_create: a new entry in NOSTATE. */
  create(ifp: Ifnet, a: Ipv6Addr): Llinfo6 {
    const ln: Llinfo6 = { ifp, addr: a.slice(), state: ND6_LLINFO_NOSTATE, lladdr: null, isRouter: false, asked: 0, hold: null, timer: null, expire: null };
    this.cache.push(ln);
    return ln;
  }

  /** nd6_free: remove the entry (for a router, the default route is chosen again). */
  free(ln: Llinfo6, reason: string): void {
    this.stopTimer(ln);
    const i = this.cache.indexOf(ln);
    if (i >= 0) this.cache.splice(i, 1);
    this.s.env.trace('nd6', 'free', 0, { if: ln.ifp.name, addr: ipv6ToString(ln.addr), reason });
    // A router that failed NUD stays on the default router list but loses preference (RFC 4861 §6.3.6).
    if (ln.isRouter) this.rtr.select();
  }

  /** Enter `state`; `delayNs` arms the entry's timer (nd6_llinfo_settimer), null leaves it off. */
  setState(ln: Llinfo6, state: number, delayNs: number | null): void {
    const old = ln.state;
    ln.state = state;
    this.stopTimer(ln);
    if (delayNs !== null) {
      ln.expire = this.s.env.now() + delayNs;
      ln.timer = this.s.schedule(delayNs, 'nd6_llinfo_timer', () => {
        ln.timer = null;
        this.timer(ln);
      });
    }
    if (old !== state) this.s.env.trace('nd6', 'state', 0, { if: ln.ifp.name, addr: ipv6ToString(ln.addr), from: ND6_STATE_LETTER[old] ?? String(old), to: ND6_STATE_LETTER[state] ?? String(state) });
  }

  private stopTimer(ln: Llinfo6): void {
    if (ln.timer) this.s.callouts.cancel(ln.timer);
    ln.timer = null;
    ln.expire = null;
  }

  /** ReachableTime of `ifp` in ns. */
  reachableNs(ifp: Ifnet): number {
    return this.ndi(ifp).reachable * MS;
  }

  retransNs(ifp: Ifnet): number {
    return this.ndi(ifp).retrans * MS;
  }

  /** nd6_llinfo_timer: what each state does when its time is up (RFC 4861 §7.3.3 and Appendix C). */
  private timer(ln: Llinfo6): void {
    switch (ln.state) {
      case ND6_LLINFO_INCOMPLETE:
        if (ln.asked < MAX_MULTICAST_SOLICIT) {
          ln.asked++;
          this.setState(ln, ND6_LLINFO_INCOMPLETE, this.retransNs(ln.ifp));
          this.nbr.nsOutput(ln.ifp, null, ln.addr, ln.hold);
          return;
        }
        this.resolutionFailed(ln);
        return;
      case ND6_LLINFO_REACHABLE:
        this.setState(ln, ND6_LLINFO_STALE, null);
        return;
      case ND6_LLINFO_DELAY:
        ln.asked = 1;
        this.setState(ln, ND6_LLINFO_PROBE, this.retransNs(ln.ifp));
        this.nbr.nsOutput(ln.ifp, ln.addr, ln.addr, null);
        return;
      case ND6_LLINFO_PROBE:
        if (ln.asked < MAX_UNICAST_SOLICIT) {
          ln.asked++;
          this.setState(ln, ND6_LLINFO_PROBE, this.retransNs(ln.ifp));
          this.nbr.nsOutput(ln.ifp, ln.addr, ln.addr, null);
          return;
        }
        this.free(ln, 'no answer to unicast probes');
        return;
      default:
        return;
    }
  }

  /** MAX_MULTICAST_SOLICIT went unanswered: the held packet bounces with address unreachable (RFC 4861 §7.2.2). */
  private resolutionFailed(ln: Llinfo6): void {
    const m = ln.hold;
    ln.hold = null;
    this.s.env.trace('nd6', 'drop', m?.pktId ?? 0, { if: ln.ifp.name, addr: ipv6ToString(ln.addr), reason: `no answer to ${MAX_MULTICAST_SOLICIT} neighbor solicitations` });
    this.free(ln, 'resolution failed');
    if (m) {
      this.ip6.stats.nd6.dropped_incomplete++;
      const pkt = m.data.subarray(14);
      this.ip6.icmp6.error(ln.ifp, m, pkt, Icmp6Type.DstUnreach, Icmp6UnreachCode.Addr, 0);
    }
  }

  /**
   * nd6_output / nd6_resolve + ether_output for an IPv6 packet in `m` (14 bytes of headroom): multicast maps to
   * 33:33:xx; unicast is resolved through the cache. Returns 0 (sent or held) or an errno from the send queue.
   */
  output(ifp: Ifnet, m: Mbuf, nexthop: Ipv6Addr): number {
    const env = this.s.env;
    env.charge(NetCost.etherOutput);
    if (ipv6IsMulticast(nexthop)) return this.send(ifp, m, ipv6MulticastMac(nexthop));
    let ln = this.lookup(ifp, nexthop);
    if (!ln) ln = this.create(ifp, nexthop);
    if (ln.state === ND6_LLINFO_STALE) {
      // §7.3.3: first use of a STALE entry starts DELAY.
      ln.asked = 0;
      this.setState(ln, ND6_LLINFO_DELAY, DELAY_FIRST_PROBE_TIME_NS);
    }
    if (ln.state > ND6_LLINFO_INCOMPLETE && ln.lladdr) return this.send(ifp, m, ln.lladdr);
    // INCOMPLETE (or new): hold the latest packet only (NetBSD ln_hold), solicit if nothing is outstanding.
    if (ln.hold) {
      this.ip6.stats.nd6.dropped_incomplete++;
      env.trace('nd6', 'drop', ln.hold.pktId, { if: ifp.name, addr: ipv6ToString(nexthop), reason: 'replaced by a newer packet awaiting resolution' });
    }
    ln.hold = m;
    env.trace('nd6', 'hold', m.pktId, { if: ifp.name, addr: ipv6ToString(nexthop) });
    if (ln.state === ND6_LLINFO_NOSTATE) {
      ln.asked = 1;
      this.setState(ln, ND6_LLINFO_INCOMPLETE, this.retransNs(ifp));
      this.nbr.nsOutput(ifp, null, nexthop, m);
    }
    return 0;
  }

  /** Fill the Ethernet header (RFC 2464) and queue the frame. */
  send(ifp: Ifnet, m: Mbuf, dstMac: Uint8Array): number {
    const f = new EthernetFrame(m.data);
    f.setDst(dstMac);
    f.setSrc(ifp.lladdr);
    f.ethertype = EtherType.IPv6;
    return this.s.ether.transmit(ifp, m);
  }

  /**
   * nd6_cache_lladdr (RFC 4861 §7.2.3, §6.3.4 and Appendix C for NS/RS/RA/Redirect senders): record the
   * link-layer address an ND message carried. A new or changed address makes the entry STALE; an INCOMPLETE
   * entry that learns its address sends what it held.
   */
  cacheLladdr(ifp: Ifnet, from: Ipv6Addr, lladdr: Uint8Array | undefined, isRouter: boolean): void {
    if ((ifp.flags & IFF_LOOPBACK) !== 0) return;
    let ln = this.lookup(ifp, from);
    if (!ln) {
      if (!lladdr) return;
      ln = this.create(ifp, from);
    }
    if (isRouter) ln.isRouter = true;
    if (!lladdr) return;
    const changed = !ln.lladdr || !macEquals(ln.lladdr, lladdr);
    if (!changed) return;
    ln.lladdr = lladdr.slice(0, 6);
    this.s.env.trace('nd6', 'lladdr', 0, { if: ifp.name, addr: ipv6ToString(from), lladdr: macToString(ln.lladdr) });
    ln.asked = 0;
    this.setState(ln, ND6_LLINFO_STALE, null);
    this.sendHeld(ln);
  }

  /** Send the packet an entry held while INCOMPLETE (nd6_llinfo_release_pkts). */
  sendHeld(ln: Llinfo6): void {
    const m = ln.hold;
    if (!m || !ln.lladdr) return;
    ln.hold = null;
    if (ln.state === ND6_LLINFO_STALE) {
      ln.asked = 0;
      this.setState(ln, ND6_LLINFO_DELAY, DELAY_FIRST_PROBE_TIME_NS);
    }
    this.send(ln.ifp, m, ln.lladdr);
  }

  /**
   * nd6_nud_hint: an upper layer saw forward progress (TCP: new data acknowledged), so the neighbour is
   * reachable (RFC 4861 §7.3.1).
   */
  nudHint(ifp: Ifnet, a: Ipv6Addr): void {
    const ln = this.lookup(ifp, a);
    if (!ln || ln.state < ND6_LLINFO_REACHABLE || !ln.lladdr) return;
    ln.asked = 0;
    this.setState(ln, ND6_LLINFO_REACHABLE, this.reachableNs(ifp));
  }

  /** Interface down: entries flushed, DAD and router solicitation stopped. */
  ifDown(ifp: Ifnet): void {
    for (const ln of [...this.cache]) if (ln.ifp === ifp) this.free(ln, 'interface down');
    this.nbr.dadStopAll(ifp);
    this.rtr.ifDown(ifp);
  }

  /** `ndp -d` / `ndp -c`: delete one entry or all. Returns whether anything was removed. */
  delete(ifp: Ifnet | null, a: Ipv6Addr | null): boolean {
    let n = 0;
    for (const ln of [...this.cache]) {
      if (ifp && ln.ifp !== ifp) continue;
      if (a && !ipv6Equals(ln.addr, a)) continue;
      this.free(ln, 'deleted by ndp');
      n++;
    }
    return n > 0;
  }

  /** DAD of an address (in nd6-nbr.ts). */
  dadStart(ia: Parameters<Nd6Nbr['dadStart']>[0]): void {
    this.nbr.dadStart(ia);
  }
}
