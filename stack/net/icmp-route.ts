/**
 * The routing-table changes ICMP messages ask for (netinet/ip_icmp.c): path MTU discovery on "fragmentation
 * needed" (icmp_mtudisc, RFC 1191), and redirects (rtredirect, RFC 1122 section 3.2.2.2). Both put a host
 * route for the destination in the table (cloned, RTF_DYNAMIC) or change the one there, and both are
 * temporary: a route timer (rt_timer_add) takes the change back after ip_mtudisc_timeout /
 * icmp_redirtimeout, 10 minutes each by default.
 */
import { Errno } from '../kernel/api';
import { IFF_LOOPBACK } from './if';
import type { Mbuf } from './mbuf';
import { RTF, type Rtentry } from './route';
import type { NetStack } from './stack';
import { ipToString, type Ipv4Addr } from './wire/addr';
import type { Ipv4Packet } from './wire/ipv4';

/** ip_mtudisc_timeout: a learned path MTU is forgotten after 10 minutes (ns). */
export const IP_MTUDISC_TIMEOUT_NS = 600_000_000_000;
/** icmp_redirtimeout: a route made by a redirect goes after 10 minutes (ns). */
export const ICMP_REDIRTIMEOUT_NS = 600_000_000_000;
/** RFC 1191 section 7 plateau table, for a need-fragment error without a next-hop MTU (old routers). */
const MTU_PLATEAU = [32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68];
/** Path MTUs below this are not believed (icmp_mtudisc). */
const MTUDISC_MIN = 296;

export class IcmpRouteUpdates {
  /** net.inet.icmp.rediraccept (NetBSD default 1): hosts follow redirects. */
  rediraccept = true;
  /** Route timers (rt_timer queue entries), one per route. */
  private readonly timers = new Map<Rtentry, ReturnType<NetStack['schedule']>>();

  constructor(private readonly s: NetStack) {}

  /**
   * icmp_mtudisc: the path to the quoted datagram's destination has a smaller MTU. The host route for the
   * destination (cloned from the route used when there is none) gets it as rmx_mtu, for
   * ip_mtudisc_timeout; a zero next-hop MTU (RFC 1191 section 7's old routers) is guessed from the plateau
   * table below the quoted datagram's length. Returns the path MTU now in force (0 = none learned).
   */
  mtudisc(q: Ipv4Packet, nextMtu: number, m: Mbuf): number {
    const env = this.s.env;
    const dst = q.dst;
    let rt = this.s.routes.lookup(dst);
    if (!rt || (rt.ifp.flags & IFF_LOOPBACK) !== 0) return 0;
    let mtu = nextMtu;
    if (mtu === 0) {
      let len = q.totalLen;
      if (rt.mtu !== 0 && len > rt.mtu) len = rt.mtu;
      mtu = MTU_PLATEAU.find((p) => p < len) ?? 0;
    }
    if (mtu < MTUDISC_MIN || mtu > rt.ifp.mtu) {
      env.trace('icmp', 'mtudisc-ignored', m.pktId, { dst: ipToString(dst), mtu });
      return 0;
    }
    if ((rt.flags & RTF.HOST) === 0) {
      const clone = this.s.routes.cloneHost(rt, dst);
      if (!clone) return 0;
      rt = clone;
    }
    if (rt.mtu !== 0 && rt.mtu <= mtu) return rt.mtu;
    rt.mtu = mtu;
    this.s.stats.icmp.pmtuchg++;
    env.trace('icmp', 'mtudisc', m.pktId, { dst: ipToString(dst), mtu });
    // icmp_mtudisc_timeout: a cloned route goes, a configured one forgets its MTU.
    this.timer(rt, IP_MTUDISC_TIMEOUT_NS, 'ip_mtudisc_timeout', (r) => {
      if ((r.flags & (RTF.DYNAMIC | RTF.HOST)) === (RTF.DYNAMIC | RTF.HOST)) this.s.routes.remove(r);
      else r.mtu = 0;
    });
    return mtu;
  }

  /**
   * rtredirect for an ICMP redirect from `from` saying that `dst` is better reached through `gateway`.
   * Accepted only from the router we use for `dst` now, for a gateway on a connected network that is not
   * one of our addresses, and never while forwarding (a router does not learn from redirects). A net or
   * default route gets a dynamic host route beside it; a dynamic host route is changed (RTF_MODIFIED).
   * Returns 0 or the errno rtredirect would give (traced).
   */
  redirect(from: Ipv4Addr, dst: Ipv4Addr, gateway: Ipv4Addr, m: Mbuf): number {
    const env = this.s.env;
    const refuse = (e: number, reason: string): number => {
      env.trace('icmp', 'redirect-refused', m.pktId, { dst: ipToString(dst), gw: ipToString(gateway), reason });
      return e;
    };
    if (!this.rediraccept || this.s.ip.forwarding) return refuse(Errno.EPERM, 'not accepting redirects');
    const ia = this.s.ifs.ifaWithNet(gateway);
    if (!ia) return refuse(Errno.ENETUNREACH, 'gateway not on a connected network');
    if (this.s.ifs.ifaWithAddr(gateway)) return refuse(Errno.EHOSTUNREACH, 'gateway is one of our addresses');
    const rt = this.s.routes.lookup(dst);
    if (!rt || (rt.flags & RTF.GATEWAY) === 0 || rt.gateway !== from) return refuse(Errno.EINVAL, 'not from our router for the destination');
    let nrt: Rtentry;
    if ((rt.flags & RTF.HOST) === 0) {
      const clone = this.s.routes.cloneHost(rt, dst);
      if (!clone) return refuse(Errno.EEXIST, 'host route exists');
      nrt = clone;
    } else if ((rt.flags & RTF.DYNAMIC) !== 0) {
      nrt = rt;
      nrt.flags |= RTF.MODIFIED;
    } else {
      return refuse(Errno.EINVAL, 'static host route');
    }
    nrt.gateway = gateway;
    nrt.ifp = ia.ifp;
    nrt.ifa = ia;
    nrt.flags |= RTF.GATEWAY;
    env.trace('icmp', 'redirect', m.pktId, { dst: ipToString(dst), gw: ipToString(gateway) });
    // icmp_redirect_timeout: a dynamic host route goes.
    this.timer(nrt, ICMP_REDIRTIMEOUT_NS, 'icmp_redirect_timeout', (r) => {
      if ((r.flags & (RTF.DYNAMIC | RTF.HOST)) === (RTF.DYNAMIC | RTF.HOST)) this.s.routes.remove(r);
    });
    return 0;
  }

  /** rt_timer_add: (re)arm the route's timer; when it fires, `expire` runs if the route is still there. */
  private timer(rt: Rtentry, ns: number, name: string, expire: (r: Rtentry) => void): void {
    const old = this.timers.get(rt);
    if (old) this.s.callouts.cancel(old);
    rt.expire = this.s.env.now() + ns;
    this.timers.set(rt, this.s.schedule(ns, name, () => {
      this.timers.delete(rt);
      rt.expire = 0;
      if (!this.s.routes.routes.includes(rt)) return;
      expire(rt);
      this.s.env.trace('icmp', `${name}`, 0, { dst: ipToString(rt.dst) });
    }));
  }
}
