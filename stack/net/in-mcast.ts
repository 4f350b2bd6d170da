/**
 * IPv4 multicast membership (netinet/in.c in_addmulti/in_delmulti, ip_output.c ip_setmoptions/
 * ip_getmoptions): groups joined per interface (struct in_multi, refcounted: every socket membership and
 * every address's all-hosts membership holds one), each mapped onto the link (01:00:5e + the group's low
 * 23 bits, RFC 1112 section 6.4) through ether.addMulti so the driver's hash filter lets it in, and
 * announced by IGMP; and each socket's multicast options (struct ip_moptions: IP_MULTICAST_IF/TTL/LOOP
 * and up to IP_MAX_MEMBERSHIPS groups), kept here beside the socket rather than in it.
 */
import { IFF_LOOPBACK, IFF_MULTICAST, type Ifnet } from './if';
import { Errno } from '../kernel/api';
import { ENOPROTOOPT } from '../include/errno';
import {
  IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MAX_MEMBERSHIPS, IP_MULTICAST_IF, IP_MULTICAST_LOOP, IP_MULTICAST_TTL, type IpMreq,
} from '../include/netinet/in';
import { etherMapIpMulticast } from './ether';
import type { Callout } from './callout';
import type { Socket } from './socket';
import type { NetStack } from './stack';
import { INADDR_ANY, ipToString, isMulticastIp, type Ipv4Addr } from './wire/addr';

/** ETOOMANYREFS (QNX <errno.h> 259): more than IP_MAX_MEMBERSHIPS groups on one socket. */
const ETOOMANYREFS = 259;

/** IP_DEFAULT_MULTICAST_TTL / IP_DEFAULT_MULTICAST_LOOP (netinet/in.h). */
export const IP_DEFAULT_MULTICAST_TTL = 1;
export const IP_DEFAULT_MULTICAST_LOOP = true;

/** struct in_multi: one group joined on one interface, with its IGMP state (igmp.ts). */
export interface InMulti {
  readonly addr: Ipv4Addr;
  readonly ifp: Ifnet;
  refcount: number;
  /** IGMP report timer (inm_timer): pending report, or null (IGMP_IDLE_MEMBER). */
  timer: Callout<() => void> | null;
  /** We sent the last report for the group (IGMP_IREPORTEDLAST): we send the leave. */
  lastReporter: boolean;
}

/** struct ip_moptions. */
export interface IpMoptions {
  /** IP_MULTICAST_IF: null = by route. */
  ifp: Ifnet | null;
  ttl: number;
  loop: boolean;
  memberships: InMulti[];
}

export class InMcast {
  /** in_multihead, per interface. */
  private readonly groups = new Map<Ifnet, InMulti[]>();
  private readonly imo = new WeakMap<Socket, IpMoptions>();
  /** Each address's all-hosts membership (ia_allhosts), keyed by interface then address. */
  private readonly allhosts = new Map<Ifnet, Map<Ipv4Addr, InMulti>>();

  constructor(private readonly s: NetStack) {}

  /** IN_LOOKUP_MULTI. */
  lookup(ifp: Ifnet, group: Ipv4Addr): InMulti | undefined {
    return this.groups.get(ifp)?.find((inm) => inm.addr === group);
  }

  /** Groups joined on `ifp` (netstat -g, white-box checks). */
  list(ifp: Ifnet): readonly InMulti[] {
    return this.groups.get(ifp) ?? [];
  }

  /**
   * in_addmulti: one more reference on `group` at `ifp`. A new group is put in the link filter and
   * announced (igmp_joingroup). Returns the in_multi or an errno.
   */
  addMulti(ifp: Ifnet, group: Ipv4Addr): InMulti | number {
    if (!isMulticastIp(group)) return Errno.EINVAL;
    const old = this.lookup(ifp, group);
    if (old) {
      old.refcount++;
      return old;
    }
    if ((ifp.flags & IFF_LOOPBACK) === 0) {
      const e = this.s.ether.addMulti(ifp, etherMapIpMulticast(group));
      if (e) return e;
    }
    const inm: InMulti = { addr: group, ifp, refcount: 1, timer: null, lastReporter: false };
    let list = this.groups.get(ifp);
    if (!list) {
      list = [];
      this.groups.set(ifp, list);
    }
    list.push(inm);
    this.s.env.trace('igmp', 'join', 0, { if: ifp.name, group: ipToString(group) });
    this.s.igmp.joingroup(inm);
    return inm;
  }

  /** in_delmulti: drop one reference; the last leaves the group (igmp_leavegroup) and the link filter. */
  delMulti(inm: InMulti): void {
    if (--inm.refcount > 0) return;
    this.s.igmp.leavegroup(inm);
    const list = this.groups.get(inm.ifp);
    const i = list ? list.indexOf(inm) : -1;
    if (i >= 0) list!.splice(i, 1);
    this.s.env.trace('igmp', 'leave-group', 0, { if: inm.ifp.name, group: ipToString(inm.addr) });
    if ((inm.ifp.flags & IFF_LOOPBACK) === 0 && this.s.ifs.has(inm.ifp)) this.s.ether.delMulti(inm.ifp, etherMapIpMulticast(inm.addr));
  }

  /** in_ifinit: a new address on a multicast interface joins all-hosts (224.0.0.1), never reported. */
  addressAdded(ifp: Ifnet, addr: Ipv4Addr, allhostsGroup: Ipv4Addr): void {
    if ((ifp.flags & IFF_MULTICAST) === 0) return;
    let m = this.allhosts.get(ifp);
    if (!m) {
      m = new Map();
      this.allhosts.set(ifp, m);
    }
    if (m.has(addr)) return;
    const inm = this.addMulti(ifp, allhostsGroup);
    if (typeof inm !== 'number') m.set(addr, inm);
  }

  /** in_purgeaddr: the address's all-hosts reference goes with it. */
  addressDeleted(ifp: Ifnet, addr: Ipv4Addr): void {
    const inm = this.allhosts.get(ifp)?.get(addr);
    if (!inm) return;
    this.allhosts.get(ifp)!.delete(addr);
    this.delMulti(inm);
  }

  /** if_detach: every group on the interface is forgotten (sockets keep stale entries, ignored). */
  ifDetach(ifp: Ifnet): void {
    for (const inm of this.groups.get(ifp) ?? []) this.s.igmp.cancel(inm);
    this.groups.delete(ifp);
    this.allhosts.delete(ifp);
  }

  /** The socket's ip_moptions, or undefined when it never set one (defaults apply). */
  moptions(so: Socket): IpMoptions | undefined {
    return this.imo.get(so);
  }

  private getMoptions(so: Socket): IpMoptions {
    let imo = this.imo.get(so);
    if (!imo) {
      imo = { ifp: null, ttl: IP_DEFAULT_MULTICAST_TTL, loop: IP_DEFAULT_MULTICAST_LOOP, memberships: [] };
      this.imo.set(so, imo);
    }
    return imo;
  }

  /** The IPPROTO_IP option names ip_setmoptions/ip_getmoptions handle (the socket layer dispatches them here). */
  static handles(name: number): boolean {
    return name === IP_MULTICAST_IF || name === IP_MULTICAST_TTL || name === IP_MULTICAST_LOOP || name === IP_ADD_MEMBERSHIP || name === IP_DROP_MEMBERSHIP;
  }

  /** ip_setmoptions. `value`: an in_addr (IP_MULTICAST_IF), a number (TTL, LOOP) or an ip_mreq. */
  setopt(so: Socket, name: number, value: unknown): number {
    switch (name) {
      case IP_MULTICAST_IF: {
        const a = typeof value === 'number' ? value >>> 0 : mreqOf(value)?.interface;
        if (a === undefined) return Errno.EINVAL;
        const imo = this.getMoptions(so);
        if (a === INADDR_ANY) {
          imo.ifp = null;
          return 0;
        }
        const ia = this.s.ifs.ifaWithAddr(a);
        if (!ia || (ia.ifp.flags & IFF_MULTICAST) === 0) return Errno.EADDRNOTAVAIL;
        imo.ifp = ia.ifp;
        return 0;
      }
      case IP_MULTICAST_TTL:
        if (typeof value !== 'number' || value < 0 || value > 255) return Errno.EINVAL;
        this.getMoptions(so).ttl = value;
        return 0;
      case IP_MULTICAST_LOOP:
        if (typeof value !== 'number') return Errno.EINVAL;
        this.getMoptions(so).loop = value !== 0;
        return 0;
      case IP_ADD_MEMBERSHIP:
      case IP_DROP_MEMBERSHIP: {
        const mreq = mreqOf(value);
        if (!mreq || !isMulticastIp(mreq.multiaddr)) return Errno.EINVAL;
        const ifp = this.memberIfp(mreq);
        if (typeof ifp === 'number') return ifp;
        const imo = this.getMoptions(so);
        const i = imo.memberships.findIndex((inm) => inm.ifp === ifp && inm.addr === mreq.multiaddr);
        if (name === IP_DROP_MEMBERSHIP) {
          if (i < 0) return Errno.EADDRNOTAVAIL;
          const [inm] = imo.memberships.splice(i, 1);
          this.delMulti(inm!);
          return 0;
        }
        if (i >= 0) return Errno.EADDRINUSE;
        if (imo.memberships.length >= IP_MAX_MEMBERSHIPS) return ETOOMANYREFS;
        const inm = this.addMulti(ifp, mreq.multiaddr);
        if (typeof inm === 'number') return inm;
        imo.memberships.push(inm);
        return 0;
      }
      default:
        return ENOPROTOOPT;
    }
  }

  /** ip_getmoptions: the value, or -errno. */
  getopt(so: Socket, name: number): number {
    const imo = this.imo.get(so);
    switch (name) {
      case IP_MULTICAST_IF: {
        const ifp = imo?.ifp;
        return ifp && this.s.ifs.has(ifp) ? (this.s.ifs.st(ifp).addrs[0]?.addr ?? INADDR_ANY) : INADDR_ANY;
      }
      case IP_MULTICAST_TTL: return imo?.ttl ?? IP_DEFAULT_MULTICAST_TTL;
      case IP_MULTICAST_LOOP: return (imo?.loop ?? IP_DEFAULT_MULTICAST_LOOP) ? 1 : 0;
      default: return -ENOPROTOOPT;
    }
  }

  /** ip_freemoptions: the socket is closed, its memberships go. */
  sofree(so: Socket): void {
    const imo = this.imo.get(so);
    if (!imo) return;
    this.imo.delete(so);
    for (const inm of imo.memberships) if (this.lookup(inm.ifp, inm.addr) === inm) this.delMulti(inm);
  }

  /**
   * The interface of an ip_mreq: the one holding imr_interface, or for INADDR_ANY the interface of the
   * route to the group (NetBSD ip_setmoptions: rtalloc of the group; no route → EADDRNOTAVAIL).
   */
  private memberIfp(mreq: IpMreq): Ifnet | number {
    let ifp: Ifnet | undefined;
    if (mreq.interface === INADDR_ANY) {
      const choice = this.s.ip.route(mreq.multiaddr);
      ifp = typeof choice === 'number' ? undefined : choice.ifp;
    } else {
      ifp = this.s.ifs.ifaWithAddr(mreq.interface)?.ifp;
    }
    if (!ifp || (ifp.flags & IFF_MULTICAST) === 0) return Errno.EADDRNOTAVAIL;
    return ifp;
  }
}

function mreqOf(v: unknown): IpMreq | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Partial<IpMreq>;
  if (typeof o.multiaddr !== 'number' || typeof o.interface !== 'number') return null;
  return { multiaddr: o.multiaddr >>> 0, interface: o.interface >>> 0 };
}
