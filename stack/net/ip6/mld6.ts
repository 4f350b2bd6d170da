/**
 * MLDv1, the listener side (RFC 2710; NetBSD netinet6/mld6.c). Joining a group on an interface reports it at
 * once and once more after a random delay within the Unsolicited Report Interval (10 s); a query starts,
 * for each group it covers, a report timer drawn at random up to its Maximum Response Delay (0 = report
 * now); a pending timer that would fire later than the new delay is redrawn (§4). Hearing another listener's
 * report for a group cancels our pending one (suppression) and makes the other the last reporter; leaving a
 * group we reported last sends a Done to all-routers (ff02::2). ff02::1 and groups of scope below link-local
 * are never reported, nor anything on lo0.
 *
 * MLDv2 (RFC 3810) compatibility: this is an MLDv1 host, as NetBSD's is. An MLDv2 Query (28 bytes or more)
 * is answered as a v1 query (§8.2.1: the v1 listener replies with v1 reports), its Maximum Response Code
 * decoded per §5.1.3; queries of another length are ignored (§8.1). MLDv2 Reports (type 143, what Linux
 * hosts send to ff02::16) are not addressed to a v1 host: counted in the ICMPv6 input histogram, handed to
 * raw sockets, and otherwise ignored. Done messages are for routers; a host ignores them.
 *
 * Timing follows NetBSD's callout version of mld6.c with hz = 100 (10 ms ticks): the unsolicited repeat
 * after random32 % (10 s * hz) ticks, a query's delay 1 + (random32 % delay_ms) * hz / 1000 ticks (at
 * least one tick either way). Every message goes out with hop limit 1, a hop-by-hop header carrying the
 * Router Alert option (value 0 = MLD, RFC 2711), from the interface's link-local address or from :: when it
 * has none ready (RFC 3590 §4), never looped back. Messages whose source is not link-local are ignored
 * (mld_input; RFC 2710 §3).
 */
import { IFF_LOOPBACK, IFF_MULTICAST, type Ifnet } from '../if';
import { M_LOOP, type Mbuf } from '../mbuf';
import { NetCost, bytesCost } from '../costs';
import type { Callout } from '../callout';
import type { NetStack } from '../stack';
import {
  IN6ADDR_ANY, IN6ADDR_LINKLOCAL_ALLNODES, IN6ADDR_LINKLOCAL_ALLROUTERS, IPV6_ADDR_SCOPE_LINKLOCAL, ipv6Equals, ipv6IsLinkLocal,
  ipv6IsMulticast, ipv6IsUnspecified, ipv6Scope, ipv6ToString, type Ipv6Addr,
} from '../wire/addr6';
import {
  Icmp6Type, Icmpv6Packet, MLDV2_QUERY_MINLEN, MLD_MINLEN, icmp6TypeName, mldGroup, mldMaxDelay, mldv2MaxRespDelay,
} from '../wire/icmpv6';
import { IP6OPT_PADN, IP6OPT_ROUTER_ALERT, Ip6Nxt } from '../wire/ipv6';
import { IN6_IFF_ANYCAST, IN6_IFF_NOTREADY } from './in6';
import { Ip6, type Ip6InputInfo } from './ip6';

/** NetBSD's default clock rate; mld6.c counts its timers in these ticks. */
export const MLD_HZ = 100;
export const MLD_TICK_NS = 1_000_000_000 / MLD_HZ;
/** MLD_UNSOLICITED_REPORT_INTERVAL (RFC 2710 §7.10): 10 s. */
export const MLD_UNSOLICITED_REPORT_INTERVAL_S = 10;
/** MAX_RTR_SOLICITATION_DELAY (RFC 4861 §10): 1 s, the bound of a new address's delayed join. */
export const MAX_RTR_SOLICITATION_DELAY_S = 1;
/** The hop-by-hop header MLD messages carry: next header, length 0, Router Alert (MLD), PadN of 0 bytes. */
export const MLD_HBH_LEN = 8;
/** Router Alert value for MLD (RFC 2711 §2.1). */
export const IP6OPT_RTALERT_MLD = 0;

/** in6m_state. */
export type MldState = 'reportpending' | 'ireportedlast' | 'otherlistener';

/** The MLD part of one membership (struct in6_multi's in6m_timer/in6m_state). */
export interface MldGroup {
  readonly ifp: Ifnet;
  readonly addr: Ipv6Addr;
  state: MldState;
  timer: Callout<() => void> | null;
  /** Virtual time the pending report is due (when timer is set). */
  due: number;
}

export class Mld6 {
  private readonly groups = new Map<Ifnet, Map<string, MldGroup>>();

  constructor(private readonly s: NetStack, private readonly ip6: Ip6) {}

  group(ifp: Ifnet, addr: Ipv6Addr): MldGroup | undefined {
    return this.groups.get(ifp)?.get(ipv6ToString(addr));
  }

  /** Groups MLD speaks for: not ff02::1, not interface-local or reserved scopes, not on lo0 (mld_start_listening). */
  private reportable(ifp: Ifnet, addr: Ipv6Addr): boolean {
    if ((ifp.flags & IFF_LOOPBACK) !== 0 || (ifp.flags & IFF_MULTICAST) === 0) return false;
    return !ipv6Equals(addr, IN6ADDR_LINKLOCAL_ALLNODES) && ipv6Scope(addr) >= IPV6_ADDR_SCOPE_LINKLOCAL;
  }

  /**
   * in6_addmulti's MLD part: the first member of `addr` on `ifp`. `delayed` (IN6_IFAUPDATE_DADDELAY): the
   * report waits random32 % (MAX_RTR_SOLICITATION_DELAY * hz) ticks first (state "report pending").
   */
  join(ifp: Ifnet, addr: Ipv6Addr, delayed = false): void {
    let m = this.groups.get(ifp);
    if (!m) {
      m = new Map();
      this.groups.set(ifp, m);
    }
    const g: MldGroup = { ifp, addr: addr.slice(), state: 'otherlistener', timer: null, due: 0 };
    m.set(ipv6ToString(addr), g);
    if (!this.reportable(ifp, addr)) return;
    const ticks = delayed ? this.s.env.random32() % (MAX_RTR_SOLICITATION_DELAY_S * MLD_HZ) : 0;
    if (ticks === 0) {
      this.startListening(g);
      return;
    }
    g.state = 'reportpending';
    this.start(g, ticks);
  }

  /** mld_start_listening: report now, repeat after a random delay within the Unsolicited Report Interval. */
  private startListening(g: MldGroup): void {
    this.send(g.ifp, Icmp6Type.MldReport, g.addr, g.addr);
    g.state = 'ireportedlast';
    // The unsolicited repeat (RFC 2710 §4: "repeated once or twice after short delays").
    this.start(g, this.s.env.random32() % (MLD_UNSOLICITED_REPORT_INTERVAL_S * MLD_HZ));
  }

  /** mld_stop_listening: the last member left (in6_delmulti); Done to ff02::2 if we reported last. */
  leave(ifp: Ifnet, addr: Ipv6Addr): void {
    const m = this.groups.get(ifp);
    const key = ipv6ToString(addr);
    const g = m?.get(key);
    if (!m || !g) return;
    this.stop(g);
    m.delete(key);
    if (g.state === 'ireportedlast' && this.reportable(ifp, addr)) {
      this.send(ifp, Icmp6Type.MldDone, g.addr, IN6ADDR_LINKLOCAL_ALLROUTERS);
    }
  }

  /** if_detach: the memberships go without messages. */
  detach(ifp: Ifnet): void {
    for (const g of this.groups.get(ifp)?.values() ?? []) this.stop(g);
    this.groups.delete(ifp);
  }

  /** mld_input for Query, Report, Done (and the MLDv2 Report a v1 host ignores). `msg` is the whole ICMPv6 message. */
  input(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, msg: Uint8Array, info: Ip6InputInfo): void {
    const env = this.s.env;
    const type = msg[0]!;
    const drop = (reason: string): void => env.trace('mld', 'drop', m.pktId, { type: icmp6TypeName(type), reason });
    env.charge(NetCost.mld);
    if (type === Icmp6Type.Mldv2Report) return drop('MLDv2 report (for routers; this host speaks MLDv1)');
    if (msg.length < MLD_MINLEN) {
      this.ip6.stats.icmp6.badlen++;
      return drop(`MLD message of ${msg.length} bytes`);
    }
    if (!ipv6IsLinkLocal(src)) return drop(`source ${ipv6ToString(src)} is not link-local`);
    if ((ifp.flags & IFF_LOOPBACK) !== 0) return drop('on the loopback interface');
    const group = mldGroup(msg).slice();
    switch (type) {
      case Icmp6Type.MldQuery: {
        let delayMs: number;
        if (msg.length === MLD_MINLEN) delayMs = mldMaxDelay(msg);
        else if (msg.length >= MLDV2_QUERY_MINLEN) delayMs = mldv2MaxRespDelay(mldMaxDelay(msg));
        else return drop(`query of ${msg.length} bytes is neither MLDv1 nor MLDv2`);
        if (!ipv6IsUnspecified(group) && !ipv6IsMulticast(group)) return drop(`query for non-multicast ${ipv6ToString(group)}`);
        env.trace('mld', 'query', m.pktId, { if: ifp.name, group: ipv6ToString(group), maxdelay_ms: delayMs, v2: msg.length !== MLD_MINLEN, hlim: info.hlim });
        this.query(ifp, group, delayMs);
        return;
      }
      case Icmp6Type.MldReport: {
        if (((m.flags ?? 0) & M_LOOP) !== 0) return; // our own, looped back
        if (!ipv6IsMulticast(group)) return drop(`report for non-multicast ${ipv6ToString(group)}`);
        const g = this.group(ifp, group);
        if (!g) return;
        // Another listener answered: ours is suppressed (RFC 2710 §4, "Delaying Listener" → "Idle Listener").
        if (g.timer) env.trace('mld', 'suppress', m.pktId, { if: ifp.name, group: ipv6ToString(group) });
        this.stop(g);
        g.state = 'otherlistener';
        return;
      }
      default:
        // Done: only routers act on it.
        return;
    }
  }

  /** A query for `group` (:: = general) with its Maximum Response Delay. */
  private query(ifp: Ifnet, group: Ipv6Addr, delayMs: number): void {
    const env = this.s.env;
    for (const g of this.groups.get(ifp)?.values() ?? []) {
      if (!this.reportable(ifp, g.addr) || g.state === 'reportpending') continue; // not listening yet
      if (!ipv6IsUnspecified(group) && !ipv6Equals(group, g.addr)) continue;
      if (delayMs === 0) {
        this.stop(g);
        this.send(ifp, Icmp6Type.MldReport, g.addr, g.addr);
        g.state = 'ireportedlast';
        continue;
      }
      // Keep a pending timer that fires sooner than the new maximum; else draw a new one.
      if (g.timer && g.due - env.now() <= delayMs * 1_000_000) continue;
      this.start(g, 1 + Math.floor(((env.random32() % delayMs) * MLD_HZ) / 1000));
    }
  }

  private start(g: MldGroup, ticks: number): void {
    this.stop(g);
    const ns = Math.max(1, ticks) * MLD_TICK_NS;
    g.due = this.s.env.now() + ns;
    g.timer = this.s.schedule(ns, 'mld_timeo', () => {
      g.timer = null;
      if (g.state === 'reportpending') {
        this.startListening(g);
        return;
      }
      this.send(g.ifp, Icmp6Type.MldReport, g.addr, g.addr);
      g.state = 'ireportedlast';
    });
    this.s.env.trace('mld', 'timer', 0, { if: g.ifp.name, group: ipv6ToString(g.addr), ns });
  }

  private stop(g: MldGroup): void {
    if (g.timer) this.s.callouts.cancel(g.timer);
    g.timer = null;
  }

  /** mld_sendpkt: a Report or Done about `group` to `dst`, hop limit 1, Router Alert, not looped back. */
  private send(ifp: Ifnet, type: number, group: Ipv6Addr, dst: Ipv6Addr): void {
    const env = this.s.env;
    const ll = this.ip6.in6.linkLocal(ifp);
    const src = ll && (ll.flags & (IN6_IFF_NOTREADY | IN6_IFF_ANYCAST)) === 0 ? ll.addr : IN6ADDR_ANY;
    const frame = Ip6.alloc(MLD_HBH_LEN + MLD_MINLEN);
    const body = frame.subarray(Ip6.PAYLOAD_OFF);
    body.set([Ip6Nxt.ICMPV6, 0, IP6OPT_ROUTER_ALERT, 2, 0, IP6OPT_RTALERT_MLD, IP6OPT_PADN, 0]);
    const msg = body.subarray(MLD_HBH_LEN);
    msg[0] = type;
    msg.set(group, 8);
    new Icmpv6Packet(msg).fillChecksum(src, dst);
    env.charge(NetCost.mld + bytesCost(msg.length, NetCost.checksumPerByte));
    this.ip6.icmp6.countOut(type);
    const pktId = env.newPktId();
    env.trace('mld', type === Icmp6Type.MldDone ? 'done' : 'report', pktId, { if: ifp.name, group: ipv6ToString(group), src: ipv6ToString(src) });
    this.ip6.output(frame, { src, dst, nxt: Ip6Nxt.HOPOPTS, hlim: 1, scopeId: this.ip6.indexOf(ifp) }, pktId,
      { ifp, mloop: false, anySource: true });
  }
}
