/**
 * The IPv4 routing table: connected routes added with interface addresses, static routes from
 * `route add` (host or net, direct or through a gateway), host routes cloned by path MTU discovery,
 * longest-prefix lookup. ARP entries are kept by arp.ts and shown as cloned host routes.
 */
import type { Ifnet } from './if';
import { Errno } from '../kernel/api';
import type { IfTable, InIfaddr } from './ifnet';
import type { Ipv4Addr } from './wire/addr';

/** Route flags (net/route.h); the letters are netstat's. */
export const RTF = {
  UP: 0x1, GATEWAY: 0x2, HOST: 0x4, REJECT: 0x8, DYNAMIC: 0x10, MODIFIED: 0x20, DONE: 0x40, MASK: 0x80,
  CLONING: 0x100, XRESOLVE: 0x200, LLINFO: 0x400, STATIC: 0x800, BLACKHOLE: 0x1000, PROTO2: 0x4000,
  PROTO1: 0x8000, CLONED: 0x2000,
} as const;

export const RTF_LETTERS: [number, string][] = [
  [RTF.UP, 'U'], [RTF.GATEWAY, 'G'], [RTF.HOST, 'H'], [RTF.REJECT, 'R'], [RTF.DYNAMIC, 'D'], [RTF.MODIFIED, 'M'],
  [RTF.DONE, 'd'], [RTF.MASK, 'm'], [RTF.CLONING, 'C'], [RTF.XRESOLVE, 'X'], [RTF.LLINFO, 'L'], [RTF.STATIC, 'S'],
  [RTF.PROTO1, '1'], [RTF.PROTO2, '2'], [RTF.BLACKHOLE, 'B'], [RTF.CLONED, 'c'],
];

export function rtFlagString(flags: number): string {
  return RTF_LETTERS.filter(([bit]) => (flags & bit) !== 0).map(([, c]) => c).join('');
}

export interface Rtentry {
  dst: Ipv4Addr;
  mask: Ipv4Addr;
  /** Next hop for RTF_GATEWAY routes; for interface routes, the interface address (netstat shows link#N). */
  gateway: Ipv4Addr;
  ifp: Ifnet;
  /** The interface address used as source for packets on this route. */
  ifa: InIfaddr;
  flags: number;
  refs: number;
  use: number;
  /** rmx_mtu (0 = interface MTU; netstat prints "-"). Lowered by path MTU discovery (icmp.ts). */
  mtu: number;
  /** rmx_expire: virtual time (ns) when a learned path MTU is forgotten; 0 or absent = never. */
  expire?: number;
}

export class RouteTable {
  readonly routes: Rtentry[] = [];
  /**
   * Bumped by every change to the table (NetBSD's rtcache generation, rtcache_invalidate): a cached route
   * (ipflow's ipf_ro) taken at another generation may no longer be the best match and is looked up again.
   */
  generation = 0;

  constructor(private readonly ifs: IfTable) {}

  /** Longest-prefix match; among equal prefixes the first added wins. */
  lookup(dst: Ipv4Addr): Rtentry | undefined {
    let best: Rtentry | undefined;
    for (const r of this.routes) {
      if ((r.flags & RTF.UP) === 0) continue;
      if (((dst & r.mask) >>> 0) !== r.dst) continue;
      if (!best || (r.mask >>> 0) > (best.mask >>> 0)) best = r;
    }
    return best;
  }

  find(dst: Ipv4Addr, mask: Ipv4Addr): Rtentry | undefined {
    return this.routes.find((r) => r.dst === dst && r.mask === mask);
  }

  /** Route for an interface address (rtinit RTM_ADD): a cloning net route, or a host route for lo0. */
  addInterfaceRoute(ia: InIfaddr, loopback: boolean): void {
    if (loopback || ia.mask === 0xffffffff) {
      this.removeExact(ia.addr, 0xffffffff);
      this.insert({ dst: ia.addr, mask: 0xffffffff, gateway: ia.addr, ifp: ia.ifp, ifa: ia, flags: RTF.UP | RTF.HOST, refs: 0, use: 0, mtu: loopback ? ia.ifp.mtu : 0 });
      return;
    }
    const net = (ia.addr & ia.mask) >>> 0;
    this.removeExact(net, ia.mask);
    this.insert({ dst: net, mask: ia.mask, gateway: ia.addr, ifp: ia.ifp, ifa: ia, flags: RTF.UP | RTF.CLONING, refs: 0, use: 0, mtu: 0 });
  }

  /** Remove interface routes of an address being deleted, and every route through its interface's net. */
  removeInterfaceRoutes(ia: InIfaddr): void {
    for (let i = this.routes.length - 1; i >= 0; i--) if (this.routes[i]!.ifa === ia) this.splice(i);
  }

  /** Drop every route over `ifp` (interface destroyed). */
  removeIfp(ifp: Ifnet): void {
    for (let i = this.routes.length - 1; i >= 0; i--) if (this.routes[i]!.ifp === ifp) this.splice(i);
  }

  /**
   * RTM_ADD of a static route. Gateway routes need the gateway on a connected network (ENETUNREACH);
   * an existing destination/mask gives EEXIST. Returns 0 or an errno.
   */
  addStatic(dst: Ipv4Addr, mask: Ipv4Addr, gateway: Ipv4Addr, opts: { host?: boolean; reject?: boolean } = {}): number {
    const m = opts.host ? 0xffffffff : mask >>> 0;
    const d = (dst & m) >>> 0;
    if (this.find(d, m)) return Errno.EEXIST;
    const ia = this.ifs.ifaWithAddr(gateway) ?? this.ifs.ifaWithNet(gateway);
    if (!ia) return Errno.ENETUNREACH;
    const direct = ia.addr === gateway;
    let flags = RTF.UP | RTF.STATIC | (direct ? 0 : RTF.GATEWAY) | (m === 0xffffffff ? RTF.HOST : 0);
    if (opts.reject) flags |= RTF.REJECT;
    this.insert({ dst: d, mask: m, gateway, ifp: ia.ifp, ifa: ia, flags, refs: 0, use: 0, mtu: 0 });
    return 0;
  }

  /**
   * A host route for `dst` cloned from `parent` (icmp_mtudisc's RTM_ADD with RTF_HOST | RTF_DYNAMIC): same
   * gateway and interface, so it carries per-destination metrics. Returns the route, or null if one exists.
   */
  cloneHost(parent: Rtentry, dst: Ipv4Addr): Rtentry | null {
    if (this.find(dst, 0xffffffff)) return null;
    const gw = (parent.flags & RTF.GATEWAY) !== 0;
    const rt: Rtentry = {
      dst, mask: 0xffffffff, gateway: gw ? parent.gateway : parent.ifa.addr, ifp: parent.ifp, ifa: parent.ifa,
      flags: RTF.UP | RTF.HOST | RTF.DYNAMIC | (gw ? RTF.GATEWAY : 0), refs: 0, use: 0, mtu: 0,
    };
    this.insert(rt);
    return rt;
  }

  /** Remove one route entry (if still in the table). */
  remove(rt: Rtentry): void {
    const i = this.routes.indexOf(rt);
    if (i >= 0) this.splice(i);
  }

  /** RTM_DELETE: ESRCH when absent. */
  delete(dst: Ipv4Addr, mask: Ipv4Addr): number {
    const i = this.routes.findIndex((r) => r.dst === ((dst & mask) >>> 0) && r.mask === mask);
    if (i < 0) return Errno.ESRCH;
    this.splice(i);
    return 0;
  }

  private removeExact(dst: Ipv4Addr, mask: Ipv4Addr): void {
    const i = this.routes.findIndex((r) => r.dst === dst && r.mask === mask);
    if (i >= 0) this.splice(i);
  }

  /** Every change goes through insert/splice, which bump the generation. */
  private insert(rt: Rtentry): void {
    this.routes.push(rt);
    this.generation++;
  }

  private splice(i: number): void {
    this.routes.splice(i, 1);
    this.generation++;
  }
}
