/**
 * IGMPv2, the host side (RFC 2236; NetBSD netinet/igmp.c). A group joined on an interface is reported at
 * once and once more after a random delay within the Unsolicited Report Interval (10 s; robustness 2);
 * a query starts, for each group it covers, a report timer drawn at random up to its Max Response Time
 * (a v1 query, code 0, means 10 s and puts the interface in v1 mode for the Version 1 Router Present
 * Timeout, 400 s); hearing another member's report for a group cancels our pending one (suppression);
 * leaving a group we reported last sends a Leave to all-routers (224.0.0.2), except in v1 mode.
 * All-hosts (224.0.0.1) is never reported. Timers count NetBSD's fast-timeout ticks (PR_FASTHZ = 5, so
 * 200 ms each): a delay is 1 + random % N ticks (IGMP_RANDOM_DELAY) from env.random32.
 * Every message goes out with TTL 1 and the Router Alert option (RFC 2113), never looped back; every
 * message received is also handed to raw IGMP sockets (rip_input), as igmp_input does.
 */
import { IFF_LOOPBACK, type Ifnet } from './if';
import type { Mbuf } from './mbuf';
import { NetCost, bytesCost } from './costs';
import type { InMulti } from './in-mcast';
import { Ip } from './ip';
import type { NetStack } from './stack';
import { ipToString, isMulticastIp, type Ipv4Addr } from './wire/addr';
import {
  IGMP_MINLEN, INADDR_ALLHOSTS_GROUP, INADDR_ALLRTRS_GROUP, IPOPT_RA, IgmpPacket, IgmpType, igmpTypeName,
} from './wire/igmp';
import { IpProto, Ipv4Packet } from './wire/ipv4';

/** One fast-timeout tick (PR_FASTHZ = 5 per second), ns. */
export const IGMP_TICK_NS = 200_000_000;
/** IGMP_MAX_HOST_REPORT_DELAY: 10 s, in ticks (the Unsolicited Report Interval and a v1 query's response time). */
export const IGMP_MAX_HOST_REPORT_DELAY_TICKS = 50;
/** IGMP_TIMER_SCALE: the Max Response Time field counts 1/10 s. */
export const IGMP_TIMER_SCALE = 10;
/** Version 1 Router Present Timeout (RFC 2236 section 8.11), ns. */
export const IGMP_V1_ROUTER_PRESENT_NS = 400_000_000_000;

export class Igmp {
  /** Per interface: when its v1-router-present state ends (virtual time). */
  private readonly v1Until = new Map<Ifnet, number>();

  constructor(private readonly s: NetStack) {}

  /** An IGMPv1 querier was heard on `ifp` within the last 400 s. */
  v1Router(ifp: Ifnet): boolean {
    return (this.v1Until.get(ifp) ?? -1) > this.s.env.now();
  }

  /** igmp_joingroup: report now and once more within 10 s (not all-hosts, not on lo0). */
  joingroup(inm: InMulti): void {
    if (!this.reportable(inm)) {
      inm.lastReporter = false;
      return;
    }
    this.sendReport(inm);
    this.startTimer(inm, IGMP_MAX_HOST_REPORT_DELAY_TICKS);
  }

  /** igmp_leavegroup: a Leave to all-routers if we sent the last report (IGMPv2 only). */
  leavegroup(inm: InMulti): void {
    this.cancel(inm);
    if (!this.reportable(inm) || !inm.lastReporter || this.v1Router(inm.ifp)) return;
    this.send(inm.ifp, IgmpType.V2LeaveGroup, inm.addr, INADDR_ALLRTRS_GROUP);
    this.s.stats.igmp.snd_leaves++;
  }

  cancel(inm: InMulti): void {
    if (inm.timer) this.s.callouts.cancel(inm.timer);
    inm.timer = null;
  }

  /** igmp_input: `pkt` is the whole datagram. */
  input(ifp: Ifnet, m: Mbuf, pkt: Uint8Array): void {
    const env = this.s.env;
    const st = this.s.stats.igmp;
    const ip = new Ipv4Packet(pkt);
    const body = ip.payload;
    env.charge(NetCost.igmp + bytesCost(body.length, NetCost.checksumPerByte));
    st.rcv_total++;
    const g = new IgmpPacket(body);
    const short = g.checkLen();
    if (short) {
      st.rcv_tooshort++;
      env.trace('igmp', 'drop', m.pktId, { reason: short });
      return;
    }
    if (!g.verifyChecksum()) {
      st.rcv_badsum++;
      env.trace('igmp', 'drop', m.pktId, { reason: 'bad IGMP checksum' });
      return;
    }
    const group = g.group;
    env.trace('igmp', `${igmpTypeName(g.type)}-in`, m.pktId, { if: ifp.name, src: ipToString(ip.src), group: ipToString(group), code: g.code });
    switch (g.type) {
      case IgmpType.MembershipQuery:
        st.rcv_queries++;
        if ((ifp.flags & IFF_LOOPBACK) === 0 && !this.query(ifp, m, ip, g)) {
          st.rcv_badqueries++;
          env.trace('igmp', 'drop', m.pktId, { reason: `query for ${ipToString(group)} sent to ${ipToString(ip.dst)}` });
          return;
        }
        break;
      case IgmpType.V1MembershipReport:
      case IgmpType.V2MembershipReport: {
        st.rcv_reports++;
        // Our own report (heard on a simplex link's copy or lo0) suppresses nothing.
        if ((ifp.flags & IFF_LOOPBACK) !== 0 || this.s.ifs.ifaWithAddr(ip.src)) break;
        if (!isMulticastIp(group) || group !== ip.dst) {
          st.rcv_badreports++;
          env.trace('igmp', 'drop', m.pktId, { reason: `report for ${ipToString(group)} sent to ${ipToString(ip.dst)}` });
          break;
        }
        const inm = this.s.inMcast.lookup(ifp, group);
        if (inm) {
          // Another member answered: ours is suppressed, and it is no longer us who reported last.
          st.rcv_ourreports++;
          if (inm.timer) env.trace('igmp', 'suppress', m.pktId, { if: ifp.name, group: ipToString(group) });
          this.cancel(inm);
          inm.lastReporter = false;
        }
        break;
      }
      default:
        break; // leaves and unknown types are for routers
    }
    this.s.raw.input(ifp, m, pkt, false, false);
  }

  /** A membership query: start report timers for the groups it asks about. False for a malformed query. */
  private query(ifp: Ifnet, m: Mbuf, ip: Ipv4Packet, g: IgmpPacket): boolean {
    const env = this.s.env;
    let ticks: number;
    let group = g.group;
    if (g.code === 0) {
      // IGMPv1 query: always general, always answered within 10 s; a v1 router is present.
      this.v1Until.set(ifp, env.now() + IGMP_V1_ROUTER_PRESENT_NS);
      ticks = IGMP_MAX_HOST_REPORT_DELAY_TICKS;
      group = 0;
      if (ip.dst !== INADDR_ALLHOSTS_GROUP) return false;
    } else {
      ticks = Math.max(1, Math.floor((g.code * 5) / IGMP_TIMER_SCALE));
      // A general query goes to all-hosts; a group-specific one to the group itself (RFC 2236 section 2.4).
      if (group === 0 ? ip.dst !== INADDR_ALLHOSTS_GROUP : ip.dst !== group) return false;
    }
    for (const inm of this.s.inMcast.list(ifp)) {
      if (!this.reportable(inm) || (group !== 0 && inm.addr !== group)) continue;
      // A pending report due sooner than the new maximum is kept (RFC 2236 section 3).
      if (inm.timer && inm.timer.when - env.now() <= ticks * IGMP_TICK_NS) continue;
      this.cancel(inm);
      this.startTimer(inm, ticks);
    }
    env.trace('igmp', 'query', m.pktId, { if: ifp.name, group: ipToString(group), maxTicks: ticks });
    return true;
  }

  private reportable(inm: InMulti): boolean {
    return inm.addr !== INADDR_ALLHOSTS_GROUP && (inm.ifp.flags & IFF_LOOPBACK) === 0;
  }

  /** IGMP_RANDOM_DELAY(ticks): 1..ticks fast-timeout ticks from the node's random stream. */
  private startTimer(inm: InMulti, ticks: number): void {
    const delay = (1 + (this.s.env.random32() % ticks)) * IGMP_TICK_NS;
    inm.timer = this.s.schedule(delay, 'igmp_fasttimo', () => {
      inm.timer = null;
      if (this.s.inMcast.lookup(inm.ifp, inm.addr) !== inm) return;
      this.sendReport(inm);
    });
    this.s.env.trace('igmp', 'timer', 0, { if: inm.ifp.name, group: ipToString(inm.addr), ns: delay });
  }

  private sendReport(inm: InMulti): void {
    const type = this.v1Router(inm.ifp) ? IgmpType.V1MembershipReport : IgmpType.V2MembershipReport;
    this.send(inm.ifp, type, inm.addr, inm.addr);
    inm.lastReporter = true;
    this.s.stats.igmp.snd_reports++;
  }

  /** igmp_sendpkt: one message out of `ifp`, TTL 1, Router Alert, no loopback copy. */
  private send(ifp: Ifnet, type: number, group: Ipv4Addr, dst: Ipv4Addr): void {
    const env = this.s.env;
    const frame = Ip.alloc(IPOPT_RA.length + IGMP_MINLEN);
    const g = new IgmpPacket(frame.subarray(Ip.PAYLOAD_OFF + IPOPT_RA.length));
    g.type = type;
    g.code = 0;
    g.group = group;
    g.fillChecksum();
    env.charge(NetCost.igmp + bytesCost(IGMP_MINLEN, NetCost.checksumPerByte));
    const id = env.newPktId();
    env.trace('igmp', `${igmpTypeName(type)}-out`, id, { if: ifp.name, group: ipToString(group), dst: ipToString(dst) });
    this.s.ip.output(frame, { src: 0, dst, protocol: IpProto.IGMP, ttl: 1, tos: 0 }, id, {
      options: IPOPT_RA, multicast: { ifp, ttl: 1, loop: false, memberships: [] },
    });
  }
}
