/**
 * Routers and prefixes (netinet6/nd6_rtr.c, RFC 4861 §6, RFC 4862 §5.5): a host solicits routers when an
 * interface comes up (up to MAX_RTR_SOLICITATIONS, RTR_SOLICITATION_INTERVAL apart, after a random delay),
 * processes Router Advertisements into the default router list, the prefix list with on-link routes, and
 * stateless address autoconfiguration (prefix + modified EUI-64, lifetimes with the two-hour rule of
 * §5.5.3 e); a router (net.inet6.ip6.forwarding=1) advertises with the rtadvd schedule in nd6-rtadv.ts.
 */
import type { Callout } from '../callout';
import { IFF_LOOPBACK, type Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import { NetCost } from '../costs';
import type { NetStack } from '../stack';
import {
  IN6ADDR_ANY, IN6ADDR_LINKLOCAL_ALLROUTERS, ipv6Equals, ipv6FromPrefixIid, ipv6IsLinkLocal, ipv6IsUnspecified, ipv6Masked,
  ipv6PrefixMatch, ipv6ToString, type Ipv6Addr,
} from '../wire/addr6';
import { ND_RA_LEN, ND_RS_LEN, NdOpt, Icmp6Type, Icmpv6Packet, emitLladdrOpt, parseNdOptions, type NdPrefixInfo } from '../wire/icmpv6';
import { IPV6_MMTU, IPV6_ND_HLIM, Ip6Nxt } from '../wire/ipv6';
import { WireError, viewOf } from '../wire/view';
import { RTF } from '../route';
import { IN6_IFF_AUTOCONF, IN6_IFF_NOTREADY, IN6_IFF_TENTATIVE, ND6_INFINITE_LIFETIME, type In6Ifaddr } from './in6';
import { Ip6 } from './ip6';
import type { Nd6 } from './nd6';
import { MAX_RTR_SOLICITATION_DELAY_MS } from './nd6-nbr';
import { Rtadv } from './nd6-rtadv';
import type { Rt6entry } from './route6';

const S = 1_000_000_000;
const MS = 1_000_000;
/** RFC 4861 §10 host constants. */
export const RTR_SOLICITATION_INTERVAL_NS = 4 * S;
export const MAX_RTR_SOLICITATIONS = 3;
/** RFC 4862 §5.5.3 e: a lifetime from an unauthenticated RA cannot cut the remaining one below two hours. */
const TWO_HOURS_S = 2 * 3600;

/** struct nd_defrouter. */
export interface NdDefrouter {
  readonly ifp: Ifnet;
  readonly addr: Ipv6Addr;
  /** Router lifetime in seconds as advertised, and when it runs out. */
  lifetime: number;
  expire: number;
  timer: Callout<() => void> | null;
}

/** struct nd_prefix. */
export interface NdPrefix {
  readonly ifp: Ifnet;
  readonly prefix: Ipv6Addr;
  readonly plen: number;
  onlink: boolean;
  auto: boolean;
  vltime: number;
  pltime: number;
  /** Absolute expiry of the valid lifetime (null = infinite). */
  expire: number | null;
  advrtr: Ipv6Addr;
  route: Rt6entry | null;
  timer: Callout<() => void> | null;
}

export class Nd6Rtr {
  readonly defrouters: NdDefrouter[] = [];
  readonly prefixes: NdPrefix[] = [];
  /** Router solicitation in progress per interface. */
  private readonly rs = new Map<Ifnet, { sent: number; callout: Callout<() => void> | null }>();
  /** The advertising side (rtadvd). */
  readonly rtadv: Rtadv;

  constructor(private readonly s: NetStack, private readonly ip6: Ip6, private readonly nd6: Nd6) {
    this.rtadv = new Rtadv(s, ip6);
  }

  // --- host: router solicitation (RFC 4861 §6.3.7) ---

  ifUp(ifp: Ifnet): void {
    if ((ifp.flags & IFF_LOOPBACK) !== 0 || this.ip6.forwarding || this.rs.has(ifp)) return;
    const delayMs = this.s.env.random32() % MAX_RTR_SOLICITATION_DELAY_MS;
    const st = { sent: 0, callout: null as Callout<() => void> | null };
    this.rs.set(ifp, st);
    st.callout = this.s.schedule(delayMs * MS, 'nd6_rs_timer', () => this.rsTimer(ifp));
  }

  ifDown(ifp: Ifnet): void {
    this.stopSolicit(ifp);
    this.rtadv.stop(ifp);
    for (const dr of [...this.defrouters]) if (dr.ifp === ifp) this.removeRouter(dr);
    for (const pr of [...this.prefixes]) if (pr.ifp === ifp) this.removePrefix(pr);
  }

  /** No (more) router solicitation on `ifp` (an RA came, or the node became a router). */
  stopSolicit(ifp: Ifnet): void {
    const st = this.rs.get(ifp);
    if (st?.callout) this.s.callouts.cancel(st.callout);
    this.rs.delete(ifp);
  }

  private rsTimer(ifp: Ifnet): void {
    const st = this.rs.get(ifp);
    if (!st) return;
    st.callout = null;
    if (st.sent >= MAX_RTR_SOLICITATIONS) return; // stays in the map: no more RS until the next up
    st.sent++;
    this.rsOutput(ifp);
    if (st.sent < MAX_RTR_SOLICITATIONS) st.callout = this.s.schedule(RTR_SOLICITATION_INTERVAL_NS, 'nd6_rs_timer', () => this.rsTimer(ifp));
  }

  /** An RS to all-routers, from our link-local address with its link-layer option, or from :: without (§4.1). */
  rsOutput(ifp: Ifnet): void {
    const env = this.s.env;
    env.charge(NetCost.nd6Output);
    const ll = this.ip6.in6.linkLocal(ifp);
    const src = ll ? ll.addr : IN6ADDR_ANY;
    const frame = Ip6.alloc(ND_RS_LEN + (ll ? 8 : 0));
    const msg = frame.subarray(Ip6.PAYLOAD_OFF);
    msg[0] = Icmp6Type.RouterSolicit;
    if (ll) emitLladdrOpt(msg, ND_RS_LEN, NdOpt.SourceLinkaddr, ifp.lladdr);
    new Icmpv6Packet(msg).fillChecksum(src, IN6ADDR_LINKLOCAL_ALLROUTERS);
    const pktId = env.newPktId();
    this.ip6.stats.nd6.rs_out++;
    this.ip6.icmp6.countOut(Icmp6Type.RouterSolicit);
    env.trace('nd6', 'rs-output', pktId, { if: ifp.name, src: ipv6ToString(src) });
    this.ip6.output(frame, { src, dst: IN6ADDR_LINKLOCAL_ALLROUTERS, nxt: Ip6Nxt.ICMPV6, hlim: IPV6_ND_HLIM }, pktId, { ifp, mloop: false, anySource: !ll });
  }

  /** An address finished DAD: a host whose link-local just became usable may now solicit with it. */
  addressReady(_ia: In6Ifaddr): void {
    /* RS timing is independent of DAD (RFC 4861 §6.3.7 allows the unspecified source); nothing to do. */
  }

  // --- router side: RS input ---

  /** nd6_rs_input: hosts ignore RSs; a router records the sender and schedules a response RA. */
  rsInput(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, hlim: number, msg: Uint8Array): void {
    const env = this.s.env;
    this.ip6.stats.nd6.rs_in++;
    const bad = (reason: string): void => {
      this.ip6.stats.icmp6.badrs++;
      env.trace('nd6', 'drop', m.pktId, { reason });
    };
    if (hlim !== IPV6_ND_HLIM) return bad(`RS with hop limit ${hlim}`);
    if (msg[1] !== 0 || msg.length < ND_RS_LEN) return bad('malformed RS');
    const opts = parseNdOptions(msg, ND_RS_LEN);
    if (opts instanceof WireError) {
      this.ip6.stats.icmp6.nd_badopt++;
      return bad(opts.reason);
    }
    if (ipv6IsUnspecified(src) && opts.srcLladdr) return bad('RS from :: with a source link-layer option');
    if (!this.ip6.forwarding) {
      env.trace('nd6', 'rs-ignored', m.pktId, { reason: 'not a router' });
      return;
    }
    if (!ipv6IsUnspecified(src)) this.nd6.cacheLladdr(ifp, src, opts.srcLladdr, false);
    this.rtadv.solicited(ifp);
  }

  // --- host: RA input (RFC 4861 §6.3.4) ---

  raInput(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, hlim: number, msg: Uint8Array): void {
    const env = this.s.env;
    this.ip6.stats.nd6.ra_in++;
    const bad = (reason: string): void => {
      this.ip6.stats.icmp6.badra++;
      env.trace('nd6', 'drop', m.pktId, { reason });
    };
    if (!ipv6IsLinkLocal(src)) return bad('RA from a non-link-local source');
    if (hlim !== IPV6_ND_HLIM) return bad(`RA with hop limit ${hlim}`);
    if (msg[1] !== 0 || msg.length < ND_RA_LEN) return bad('malformed RA');
    const opts = parseNdOptions(msg, ND_RA_LEN);
    if (opts instanceof WireError) {
      this.ip6.stats.icmp6.nd_badopt++;
      return bad(opts.reason);
    }
    if (this.ip6.forwarding) {
      env.trace('nd6', 'ra-ignored', m.pktId, { reason: 'routers do not configure from RAs' });
      return;
    }
    const dv = viewOf(msg);
    const curHop = msg[4]!;
    const lifetime = dv.getUint16(6);
    const reachable = dv.getUint32(8);
    const retrans = dv.getUint32(12);
    env.trace('nd6', 'ra-input', m.pktId, { if: ifp.name, src: ipv6ToString(src), lifetime, prefixes: opts.prefixes.length });
    this.stopSolicit(ifp);
    this.rs.set(ifp, { sent: MAX_RTR_SOLICITATIONS, callout: null });
    const ndi = this.nd6.ndi(ifp);
    if (curHop !== 0) ndi.chlim = curHop;
    if (reachable !== 0 && reachable !== ndi.basereachable) {
      ndi.basereachable = reachable;
      ndi.reachable = this.nd6.randomReachable(reachable);
    }
    if (retrans !== 0) ndi.retrans = retrans;
    if (opts.mtu !== undefined) {
      if (opts.mtu >= IPV6_MMTU && opts.mtu <= ifp.mtu) ndi.linkmtu = opts.mtu;
      else env.trace('nd6', 'ra-mtu-ignored', m.pktId, { mtu: opts.mtu, linkmtu: ifp.mtu });
    }
    this.defrtrUpdate(ifp, src, lifetime);
    this.nd6.cacheLladdr(ifp, src, opts.srcLladdr, true);
    for (const pi of opts.prefixes) this.prelistUpdate(ifp, src, pi, m.pktId);
  }

  // --- default router list (defrtrlist_update, defrouter_select) ---

  private defrtrUpdate(ifp: Ifnet, addr: Ipv6Addr, lifetime: number): void {
    const dr = this.defrouters.find((d) => d.ifp === ifp && ipv6Equals(d.addr, addr));
    if (lifetime === 0) {
      if (dr) this.removeRouter(dr);
      return;
    }
    const expire = this.s.env.now() + lifetime * S;
    if (dr) {
      dr.lifetime = lifetime;
      dr.expire = expire;
      if (dr.timer) this.s.callouts.cancel(dr.timer);
      dr.timer = this.s.schedule(lifetime * S, 'nd6_defrtr_timer', () => this.removeRouter(dr));
    } else {
      const n: NdDefrouter = { ifp, addr: addr.slice(), lifetime, expire, timer: null };
      n.timer = this.s.schedule(lifetime * S, 'nd6_defrtr_timer', () => this.removeRouter(n));
      this.defrouters.push(n);
      this.s.env.trace('nd6', 'defrouter-add', 0, { if: ifp.name, addr: ipv6ToString(addr), lifetime });
    }
    this.select();
  }

  private removeRouter(dr: NdDefrouter): void {
    const i = this.defrouters.indexOf(dr);
    if (i < 0) return;
    if (dr.timer) this.s.callouts.cancel(dr.timer);
    this.defrouters.splice(i, 1);
    this.s.env.trace('nd6', 'defrouter-delete', 0, { if: dr.ifp.name, addr: ipv6ToString(dr.addr) });
    this.select();
  }

  /** The neighbour cache lost a router (NUD failed or its NA cleared the R flag). */
  routerUnreachable(ifp: Ifnet, addr: Ipv6Addr): void {
    const dr = this.defrouters.find((d) => d.ifp === ifp && ipv6Equals(d.addr, addr));
    if (dr) this.removeRouter(dr);
  }

  /** defrouter_select (§6.3.6): the first router known reachable (or probably so), else the first listed. */
  select(): void {
    const ok = (d: NdDefrouter) => {
      const ln = this.nd6.lookup(d.ifp, d.addr);
      return ln !== undefined && ln.lladdr !== null;
    };
    const dr = this.defrouters.find(ok) ?? this.defrouters[0];
    this.ip6.routes.setDefault(dr?.addr ?? null, dr?.ifp ?? null);
  }

  // --- prefix list and SLAAC (prelist_update, RFC 4862 §5.5.3) ---

  private prelistUpdate(ifp: Ifnet, advrtr: Ipv6Addr, pi: NdPrefixInfo, pktId: number): void {
    const env = this.s.env;
    const prefix = ipv6Masked(pi.prefix, pi.plen);
    if (ipv6IsLinkLocal(prefix)) {
      env.trace('nd6', 'prefix-ignored', pktId, { prefix: ipv6ToString(prefix), reason: 'link-local prefix' });
      return;
    }
    if (pi.pltime > pi.vltime) {
      env.trace('nd6', 'prefix-ignored', pktId, { prefix: ipv6ToString(prefix), reason: 'preferred lifetime above valid lifetime' });
      return;
    }
    let pr = this.prefixes.find((p) => p.ifp === ifp && p.plen === pi.plen && ipv6Equals(p.prefix, prefix));
    if (pi.onlink) {
      if (!pr && pi.vltime !== 0) {
        pr = { ifp, prefix, plen: pi.plen, onlink: true, auto: pi.auto, vltime: pi.vltime, pltime: pi.pltime, expire: null, advrtr: advrtr.slice(), route: null, timer: null };
        this.prefixes.push(pr);
        pr.route = this.ip6.routes.add({ dst: prefix, plen: pi.plen, gateway: null, ifp, flags: RTF.UP, origin: 'ra' });
        env.trace('nd6', 'prefix-add', pktId, { if: ifp.name, prefix: `${ipv6ToString(prefix)}/${pi.plen}`, vltime: pi.vltime });
      }
      if (pr) {
        if (pi.vltime === 0) {
          this.removePrefix(pr);
          pr = undefined;
        } else this.setPrefixLifetime(pr, pi.vltime, pi.pltime);
      }
    }
    if (pi.auto) this.autoconf(ifp, prefix, pi, pktId);
  }

  private setPrefixLifetime(pr: NdPrefix, vltime: number, pltime: number): void {
    pr.vltime = vltime;
    pr.pltime = pltime;
    if (pr.timer) this.s.callouts.cancel(pr.timer);
    pr.timer = null;
    if (vltime === ND6_INFINITE_LIFETIME) {
      pr.expire = null;
      return;
    }
    pr.expire = this.s.env.now() + vltime * S;
    pr.timer = this.s.schedule(vltime * S, 'nd6_prefix_timer', () => this.removePrefix(pr));
  }

  private removePrefix(pr: NdPrefix): void {
    const i = this.prefixes.indexOf(pr);
    if (i < 0) return;
    this.prefixes.splice(i, 1);
    if (pr.timer) this.s.callouts.cancel(pr.timer);
    if (pr.route) this.ip6.routes.remove(pr.route);
    this.s.env.trace('nd6', 'prefix-delete', 0, { if: pr.ifp.name, prefix: `${ipv6ToString(pr.prefix)}/${pr.plen}` });
  }

  /** RFC 4862 §5.5.3 d/e: form prefix + interface identifier, or refresh the lifetimes of the address already formed. */
  private autoconf(ifp: Ifnet, prefix: Ipv6Addr, pi: NdPrefixInfo, pktId: number): void {
    const env = this.s.env;
    if (pi.plen !== 64) {
      // Ethernet interface identifiers are 64 bits (RFC 2464 §4): other lengths cannot form an address.
      env.trace('nd6', 'prefix-ignored', pktId, { prefix: `${ipv6ToString(prefix)}/${pi.plen}`, reason: 'prefix length + 64-bit interface id is not 128' });
      return;
    }
    const existing = this.ip6.in6.addrs(ifp).find((ia) => (ia.flags & IN6_IFF_AUTOCONF) !== 0 && ipv6PrefixMatch(ia.addr, prefix, 64));
    if (existing) {
      const now = env.now();
      const remaining = existing.expire === null ? Infinity : Math.max(0, Math.floor((existing.expire - now) / S));
      let vl: number;
      if (pi.vltime === ND6_INFINITE_LIFETIME || pi.vltime > TWO_HOURS_S || pi.vltime > remaining) vl = pi.vltime;
      else if (remaining <= TWO_HOURS_S) vl = remaining; // 2: keep what is left
      else vl = TWO_HOURS_S; // 3: no less than two hours
      this.ip6.in6.add(ifp, existing.addr, 64, { flags: existing.flags & ~IN6_IFF_NOTREADY, vltime: vl, pltime: Math.min(pi.pltime, vl) });
      return;
    }
    if (pi.vltime === 0) return;
    const addr = ipv6FromPrefixIid(prefix, 64, this.ip6.in6.ifid(ifp));
    if (this.ip6.in6.find(ifp, addr)) return; // configured by hand already
    const ia = this.ip6.in6.add(ifp, addr, 64, { flags: IN6_IFF_AUTOCONF | IN6_IFF_TENTATIVE, vltime: pi.vltime, pltime: pi.pltime });
    env.trace('nd6', 'autoconf', pktId, { if: ifp.name, addr: ipv6ToString(addr), vltime: pi.vltime, pltime: pi.pltime });
    this.nd6.dadStart(ia);
  }
}
