/**
 * sysctl nodes io-pkt answers (what netstat, arp and route read): protocol statistics
 * (net.inet.{tcp,udp,ip,icmp,igmp}.stats, net.inet.arp.stats, net.inet6.{ip6,icmp6,udp6}.stats), the routing
 * table with ARP entries as cloned host routes (NET_RT_DUMP), the ARP table (NET_RT_FLAGS RTF_LLINFO), the
 * interface list (NET_RT_IFLIST), the PCB lists (net.inet.{tcp,udp,raw}.pcblist, net.inet6.{tcp6,udp6}.pcblist:
 * NetBSD's kinfo_pcb rows), net.inet.ip.forwarding, .redirect and .maxflows (ipflow; read/write), and the crypto API's counters
 * (net.crypto.stats, net.crypto.drivers; hc variants). The inet6 nodes exist only when the stack has IPv6
 * (io-pkt-v6-hc): elsewhere they answer ENOENT, which netstat takes as "no such family".
 */
import { Errno } from '../kernel/api';
import { RTF } from '../net/route';
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_RAW } from '../include/sys/socket';
import { sockaddrIn, sockaddrIn6, type SockAddr } from '../include/netinet/in';
import type { Socket } from '../net/socket';
import { ipv6NeedsScope } from '../net/wire/addr6';
import { ifInfo } from './ioctl';
import type { IoPktProcess } from './process';
import { sysctl6 } from './sysctl6';

export interface RouteRow {
  dst: number;
  mask: number;
  /** Gateway address, or null for a link-layer gateway (`link` names it). */
  gateway: number | null;
  link: string;
  flags: number;
  refs: number;
  use: number;
  mtu: number;
  ifname: string;
  /** Link-layer address of a resolved ARP entry. */
  mac?: Uint8Array;
}

/** One IPv6 route (NET_RT_DUMP for AF_INET6). */
export interface Route6Row {
  dst: Uint8Array;
  plen: number;
  /** The interface of a scoped (link-local) destination: netstat prints "fe80::%en0/64". */
  dstScope?: string;
  /** Next hop, or null for an on-link prefix (`link` names the interface: "link#2"). */
  gateway: Uint8Array | null;
  /** The interface a link-local gateway belongs to ("%en0"). */
  gatewayScope?: string;
  link: string;
  flags: number;
  refs: number;
  use: number;
  mtu: number;
  ifname: string;
}

export interface ArpRow {
  ip: number;
  mac: Uint8Array | null;
  ifname: string;
  permanent: boolean;
  state: string;
  /** Seconds left (resolved entries). */
  expiresIn: number;
}

/** One PCB as netstat reads it (NetBSD struct kinfo_pcb: ki_rcvq, ki_sndq, ki_s, ki_d, ki_tstate). */
export interface PcbRow {
  proto: 'tcp' | 'udp' | 'raw';
  /** Bytes in so_rcv and so_snd. */
  rcvq: number;
  sndq: number;
  local: SockAddr;
  foreign: SockAddr;
  /** The tcpcb's t_state (TCPS_*), -1 for other protocols. */
  state: number;
}

export type SysctlResult = number | { data: unknown };

export function sysctl(p: IoPktProcess, name: string[], value?: number): SysctlResult {
  const s = p.stack;
  const key = name.join('.');
  switch (key) {
    case 'net.inet.ip.stats':
      return { data: { ...s.stats.ip } };
    case 'net.inet.icmp.stats':
      return { data: { ...s.stats.icmp, inhist: [...s.stats.icmp.inhist], outhist: [...s.stats.icmp.outhist] } };
    case 'net.inet.udp.stats':
      return { data: { ...s.stats.udp } };
    case 'net.inet.arp.stats':
      return { data: { ...s.stats.arp } };
    case 'net.inet.igmp.stats':
      return { data: { ...s.stats.igmp } };
    case 'net.inet.tcp.stats':
      return { data: { ...s.tcp.stats } };
    case 'net.inet.ip.forwarding':
      if (value !== undefined) s.ip.forwarding = value !== 0;
      return { data: s.ip.forwarding ? 1 : 0 };
    case 'net.inet.ip.redirect':
      if (value !== undefined) s.ip.sendRedirects = value !== 0;
      return { data: s.ip.sendRedirects ? 1 : 0 };
    case 'net.inet.ip.maxflows':
      return s.ipflow.sysctlMaxflows(value);
    case 'net.inet.icmp.bmcastecho':
      if (value !== undefined) s.icmp.bmcastecho = value !== 0;
      return { data: s.icmp.bmcastecho ? 1 : 0 };
    case 'net.inet.ip.ttl':
      if (value !== undefined) {
        if (value < 1 || value > 255) return Errno.EINVAL;
        s.ip.defaultTtl = value;
      }
      return { data: s.ip.defaultTtl };
    case 'qnx.kern.enmap':
      if (value !== undefined) s.ifs.enmap = value !== 0;
      return { data: s.ifs.enmap ? 1 : 0 };
    case 'net.route.dump':
      return { data: routeRows(p) };
    case 'net.route.inet6.dump':
      return s.ip6 ? { data: route6Rows(p) } : Errno.ENOENT;
    case 'net.inet6.ip6.stats':
      return s.ip6 ? { data: { ...s.ip6.stats.ip6, nxthist: [...s.ip6.stats.ip6.nxthist] } } : Errno.ENOENT;
    case 'net.inet6.icmp6.stats': {
      if (!s.ip6) return Errno.ENOENT;
      const st = s.ip6.stats.icmp6;
      return { data: { ...st, inhist: [...st.inhist], outhist: [...st.outhist], outerrhist: { ...st.outerrhist } } };
    }
    case 'net.inet6.udp6.stats':
      return s.ip6 ? { data: { ...s.ip6.stats.udp6 } } : Errno.ENOENT;
    case 'net.route.llinfo':
      return { data: arpRows(p) };
    case 'net.route.iflist':
      return { data: s.ifs.list.map((ifp) => ifInfo(p, ifp)) };
    case 'net.inet.tcp.sack.enable':
      if (value !== undefined) s.tcp.sackEnable = value !== 0;
      return { data: s.tcp.sackEnable ? 1 : 0 };
    case 'net.inet.tcp.pcblist':
      return { data: pcbRows(p, AF_INET, 'tcp') };
    case 'net.inet.udp.pcblist':
      return { data: pcbRows(p, AF_INET, 'udp') };
    case 'net.inet.raw.pcblist':
      return { data: pcbRows(p, AF_INET, 'raw') };
    case 'net.inet6.tcp6.pcblist':
      return s.ip6 ? { data: pcbRows(p, AF_INET6, 'tcp') } : Errno.ENOENT;
    case 'net.inet6.udp6.pcblist':
      return s.ip6 ? { data: pcbRows(p, AF_INET6, 'udp') } : Errno.ENOENT;
    // The hardware crypto API (hc variants): totals and per-engine counters (cryptostat).
    case 'net.crypto.stats':
      return p.crypto ? { data: p.crypto.crypto_stats() } : Errno.ENOENT;
    case 'net.crypto.drivers':
      return p.crypto ? { data: p.crypto.crypto_drivers() } : Errno.ENOENT;
    default:
      return sysctl6(p, key, value) ?? Errno.ENOENT;
  }
}

function routeRows(p: IoPktProcess): RouteRow[] {
  const s = p.stack;
  const rows: RouteRow[] = [];
  for (const r of s.routes.routes) {
    const isIfRoute = (r.flags & RTF.GATEWAY) === 0 && (r.flags & RTF.HOST) === 0;
    rows.push({
      dst: r.dst, mask: r.mask, gateway: isIfRoute ? null : r.gateway, link: `link#${s.ifs.st(r.ifp).index}`,
      flags: r.flags, refs: r.refs, use: r.use, mtu: r.mtu, ifname: r.ifp.name,
    });
    if ((r.flags & RTF.CLONING) === 0) continue;
    // ARP entries cloned from this interface route.
    for (const e of s.arp.table.values()) {
      if (e.ifp !== r.ifp || ((e.ip & r.mask) >>> 0) !== r.dst) continue;
      const st = s.arp.state(e);
      let flags = RTF.UP | RTF.HOST | RTF.LLINFO | RTF.CLONED;
      if (e.permanent) flags = (flags & ~RTF.CLONED) | RTF.STATIC;
      if (st === 'reject') flags |= RTF.REJECT;
      rows.push({ dst: e.ip, mask: 0xffffffff, gateway: null, link: e.mac ? '' : `link#${s.ifs.st(e.ifp).index}`, flags, refs: 0, use: e.use, mtu: 0, ifname: e.ifp.name, ...(e.mac ? { mac: e.mac.slice() } : {}) });
    }
  }
  // NET_RT_DUMP walks the radix tree: ascending destination, shorter mask first.
  return rows.sort((a, b) => a.dst - b.dst || a.mask - b.mask);
}

/** The IPv6 table in the order NetBSD's radix walk gives: by destination bytes, shorter prefix first. */
function route6Rows(p: IoPktProcess): Route6Row[] {
  const s = p.stack;
  const cmp = (a: Uint8Array, b: Uint8Array) => {
    for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  };
  return s.ip6!.routes.routes
    .map((r) => {
      const row: Route6Row = {
        dst: r.dst.slice(), plen: r.plen, gateway: r.gateway ? r.gateway.slice() : null, link: `link#${s.ifs.st(r.ifp).index}`,
        flags: r.flags, refs: 0, use: r.use, mtu: 0, ifname: r.ifp.name,
      };
      if (ipv6NeedsScope(r.dst)) row.dstScope = r.ifp.name;
      if (r.gateway && ipv6NeedsScope(r.gateway)) row.gatewayScope = r.ifp.name;
      return row;
    })
    .sort((a, b) => cmp(a.dst, b.dst) || a.plen - b.plen);
}

function arpRows(p: IoPktProcess): ArpRow[] {
  const s = p.stack;
  const now = Math.floor(p.main.now() / 1e9);
  const rows: ArpRow[] = [];
  for (const e of s.arp.table.values()) {
    const state = s.arp.state(e);
    rows.push({ ip: e.ip, mac: state === 'resolved' || state === 'permanent' ? e.mac!.slice() : null, ifname: e.ifp.name, permanent: e.permanent, state, expiresIn: e.permanent ? 0 : Math.max(0, e.expire - now) });
  }
  return rows;
}

/**
 * The PCB list of one protocol and family, newest first (NetBSD's in_pcballoc inserts at the head of the
 * table's queue and sysctl_inpcblist walks it from there). TCP rows come from TCP's own list, which keeps
 * connections whose socket is gone (FIN_WAIT_2, TIME_WAIT after close) — exactly what netstat must show.
 */
function pcbRows(p: IoPktProcess, domain: number, proto: PcbRow['proto']): PcbRow[] {
  const s = p.stack;
  const rows: { id: number; row: PcbRow }[] = [];
  const endpoints = (so: Socket): Pick<PcbRow, 'local' | 'foreign'> =>
    so.domain === AF_INET
      ? { local: sockaddrIn(so.laddr, so.lport), foreign: sockaddrIn(so.faddr, so.fport) }
      : { local: sockaddrIn6(so.laddr6, so.lport), foreign: sockaddrIn6(so.faddr6, so.fport) };
  if (proto === 'tcp') {
    for (const pcb of s.tcp.pcbs()) {
      if (pcb.so.domain !== domain) continue;
      rows.push({ id: pcb.so.id, row: { proto, rcvq: pcb.recvQ, sndq: pcb.sendQ, local: pcb.local, foreign: pcb.foreign, state: pcb.tp.state } });
    }
  } else {
    const type = proto === 'udp' ? SOCK_DGRAM : SOCK_RAW;
    for (const so of s.sockets.list) {
      if (so.domain !== domain || so.type !== type) continue;
      rows.push({ id: so.id, row: { proto, rcvq: so.rcv.cc, sndq: 0, ...endpoints(so), state: -1 } });
    }
  }
  return rows.sort((a, b) => b.id - a.id).map((r) => r.row);
}
