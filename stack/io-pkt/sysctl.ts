/**
 * sysctl nodes io-pkt answers (what netstat, arp and route read): protocol statistics
 * (net.inet.{ip,icmp,udp}.stats, net.inet.arp.stats), the routing table with ARP entries as cloned host
 * routes (NET_RT_DUMP), the ARP table (NET_RT_FLAGS RTF_LLINFO), the interface list (NET_RT_IFLIST),
 * the datagram PCB list, net.inet.ip.forwarding (read/write), and the crypto API's counters (net.crypto.stats,
 * net.crypto.drivers; hc variants).
 */
import { Errno } from '../kernel/api';
import { RTF } from '../net/route';
import { AF_INET, SOCK_DGRAM, SOCK_RAW } from '../include/sys/socket';
import { ifInfo } from './ioctl';
import type { IoPktProcess } from './process';

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

export interface ArpRow {
  ip: number;
  mac: Uint8Array | null;
  ifname: string;
  permanent: boolean;
  state: string;
  /** Seconds left (resolved entries). */
  expiresIn: number;
}

export interface PcbRow {
  proto: 'udp' | 'raw';
  rcvq: number;
  sndq: number;
  laddr: number;
  lport: number;
  faddr: number;
  fport: number;
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
    case 'net.inet.ip.forwarding':
      if (value !== undefined) s.ip.forwarding = value !== 0;
      return { data: s.ip.forwarding ? 1 : 0 };
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
    case 'net.route.llinfo':
      return { data: arpRows(p) };
    case 'net.route.iflist':
      return { data: s.ifs.list.map((ifp) => ifInfo(p, ifp)) };
    case 'net.inet.pcblist':
      return { data: pcbRows(p) };
    // The hardware crypto API (hc variants): totals and per-engine counters (cryptostat).
    case 'net.crypto.stats':
      return p.crypto ? { data: p.crypto.crypto_stats() } : Errno.ENOENT;
    case 'net.crypto.drivers':
      return p.crypto ? { data: p.crypto.crypto_drivers() } : Errno.ENOENT;
    default:
      return Errno.ENOENT;
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

function pcbRows(p: IoPktProcess): PcbRow[] {
  return p.stack.sockets.list
    .filter((so) => so.domain === AF_INET && (so.type === SOCK_DGRAM || so.type === SOCK_RAW))
    .map((so) => ({ proto: so.type === SOCK_DGRAM ? 'udp' : 'raw', rcvq: so.rcv.cc, sndq: 0, laddr: so.laddr, lport: so.lport, faddr: so.faddr, fport: so.fport }));
}
