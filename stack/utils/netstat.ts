/**
 * netstat (NetBSD usr.bin/netstat as on QNX 6.6): sockets (default / -a), interfaces (-i), routing
 * tables (-r, numeric with -n), protocol statistics (-s, optionally -p proto). Data comes from io-pkt's
 * sysctl nodes over a socket, as NetBSD's netstat reads sysctl rather than kmem.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { getopt } from '../lib/getopt';
import { close, errno, sysctl } from '../lib/socket';
import type { IfInfo } from '../io-pkt/ioctl';
import type { PcbRow, RouteRow } from '../io-pkt/sysctl';
import { rtFlagString } from '../net/route';
import type { ArpStat, IcmpStat, IpStat, UdpStat } from '../net/stats';
import { ipToString, macToString, prefixFromMask } from '../net/wire/addr';
import { sysctlSocket } from './common';
import { formatArpStats, formatIcmpStats, formatIpStats, formatUdpStats } from './netstat-stats';

const pad = (s: string, w: number) => (s.length > w ? s.slice(0, w) : s.padEnd(w));
const rpad = (s: string | number, w: number) => String(s).padStart(w);

/** netname(): "10.0.0/24", "127/8", "default". */
export function netname(addr: number, mask: number): string {
  if (addr === 0 && mask === 0) return 'default';
  const len = prefixFromMask(mask);
  const octets = [addr >>> 24, (addr >>> 16) & 0xff, (addr >>> 8) & 0xff, addr & 0xff];
  let n = 4;
  while (n > 1 && octets[n - 1] === 0 && len !== null && len <= (n - 1) * 8) n--;
  const base = octets.slice(0, n).join('.');
  if (mask === 0xffffffff) return ipToString(addr);
  return len === null ? `${base}&0x${mask.toString(16)}` : `${base}/${len}`;
}

export function formatInterfaces(ifs: IfInfo[]): string {
  let t = `${pad('Name', 5)} ${pad('Mtu', 5)} ${pad('Network', 13)} ${pad('Address', 17)} ${rpad('Ipkts', 8)} ${rpad('Ierrs', 5)} ${rpad('Opkts', 8)} ${rpad('Oerrs', 5)} ${rpad('Colls', 5)}\n`;
  for (const i of ifs) {
    const name = (i.flags & 1) === 0 ? `${i.name}*` : i.name;
    const counts = `${rpad(i.data.ipackets, 8)} ${rpad(i.data.ierrors, 5)} ${rpad(i.data.opackets, 8)} ${rpad(i.data.oerrors, 5)} ${rpad(i.data.collisions, 5)}`;
    const head = `${pad(name, 5)} ${String(i.mtu).padEnd(5)} `;
    const link = i.type === 'ether' ? macToString(i.lladdr) : '';
    t += `${head}${pad('<Link>', 13)} ${pad(link, 17)} ${counts}\n`;
    for (const a of i.addrs) t += `${head}${pad(netname((a.addr & a.mask) >>> 0, a.mask), 13)} ${pad(ipToString(a.addr), 17)} ${counts}\n`;
  }
  return t;
}

export function formatRoutes(rows: RouteRow[]): string {
  let t = 'Routing tables\n\nInternet:\n';
  t += `${pad('Destination', 18)} ${pad('Gateway', 18)} ${pad('Flags', 6)} ${rpad('Refs', 6)} ${rpad('Use', 8)} ${rpad('Mtu', 6)}  Interface\n`;
  for (const r of rows) {
    const gw = r.mac ? macToString(r.mac) : r.gateway === null ? r.link : ipToString(r.gateway);
    t += `${pad(netname(r.dst, r.mask), 18)} ${pad(gw, 18)} ${pad(rtFlagString(r.flags), 6)} ${rpad(r.refs, 6)} ${rpad(r.use, 8)} ${rpad(r.mtu ? r.mtu : '-', 6)}  ${r.ifname}\n`;
  }
  return t;
}

export function formatSockets(rows: PcbRow[], all: boolean): string {
  let t = `Active Internet connections${all ? ' (including servers)' : ''}\n`;
  t += `Proto Recv-Q Send-Q  ${pad('Local Address', 22)} ${pad('Foreign Address', 22)} State\n`;
  const ep = (a: number, p: number) => `${a === 0 ? '*' : ipToString(a)}.${p === 0 ? '*' : p}`;
  for (const r of rows) {
    if (r.proto !== 'udp') continue;
    if (!all && r.faddr === 0) continue;
    t += `${pad('udp', 5)} ${rpad(r.rcvq, 6)} ${rpad(r.sndq, 6)}  ${pad(ep(r.laddr, r.lport), 22)} ${ep(r.faddr, r.fport)}\n`;
  }
  return t;
}

export const netstat: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const g = getopt(argv, 'aAdf:gI:iLmnp:rsStTvw:');
  if (g.errors.length) {
    for (const e of g.errors) ctx.print(`netstat: ${e}\n`);
    ctx.print('usage: netstat [-Aan] [-f address_family]\n       netstat [-dgimnrsSv] [-f address_family]\n       netstat -i [-dn]\n       netstat [-s] [-p protocol]\n');
    return 1;
  }
  const f = new Set(g.opts.map((o) => o.opt));
  const proto = g.opts.find((o) => o.opt === 'p')?.arg ?? null;
  const s = yield* sysctlSocket(ctx, 'netstat');
  if (s < 0) return 1;
  try {
    const get = function* (name: string): Co<unknown> {
      const v = yield* sysctl(ctx, s, name.split('.'));
      if (v === null) ctx.print(`netstat: sysctl ${name}: ${strerror(errno(ctx))}\n`);
      return v;
    };
    if (f.has('s')) {
      const want = (p: string) => proto === null || proto === p;
      let t = '';
      if (want('ip')) t += formatIpStats((yield* get('net.inet.ip.stats')) as IpStat);
      if (want('icmp')) t += formatIcmpStats((yield* get('net.inet.icmp.stats')) as IcmpStat);
      if (want('udp')) t += formatUdpStats((yield* get('net.inet.udp.stats')) as UdpStat);
      if (want('arp')) t += formatArpStats((yield* get('net.inet.arp.stats')) as ArpStat);
      if (!t) {
        ctx.print(`netstat: ${proto}: unknown or uninstrumented protocol\n`);
        return 1;
      }
      ctx.print(t);
      return 0;
    }
    if (f.has('i')) {
      const ifs = (yield* get('net.route.iflist')) as IfInfo[] | null;
      if (!ifs) return 1;
      ctx.print(formatInterfaces(ifs));
      return 0;
    }
    if (f.has('r')) {
      const rows = (yield* get('net.route.dump')) as RouteRow[] | null;
      if (!rows) return 1;
      ctx.print(formatRoutes(rows));
      return 0;
    }
    const rows = (yield* get('net.inet.pcblist')) as PcbRow[] | null;
    if (!rows) return 1;
    ctx.print(formatSockets(rows, f.has('a')));
    return 0;
  } finally {
    yield* close(ctx, s);
  }
};
