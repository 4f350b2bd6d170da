/**
 * netstat (NetBSD usr.bin/netstat as on QNX 6.6): active connections (default; -a adds servers), interfaces
 * (-i), routing tables (-r, numeric with -n), protocol statistics (-s; -ss leaves out zero counters; -p proto
 * for one protocol), all limited to one family with -f inet|inet6. Data comes from io-pkt's sysctl nodes over
 * a socket, as NetBSD's netstat reads sysctl rather than kmem; a node the stack does not have (the inet6
 * ones on io-pkt-v4) means the family or protocol is not there and is skipped, as NetBSD skips it.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { Errno } from '../kernel/api';
import { strerror } from '../lib/errno';
import { getopt } from '../lib/getopt';
import { close, errno, sysctl } from '../lib/socket';
import type { IfInfo } from '../io-pkt/ioctl';
import type { PcbRow, Route6Row, RouteRow } from '../io-pkt/sysctl';
import { rtFlagString } from '../net/route';
import { ipToString, macToString, prefixFromMask } from '../net/wire/addr';
import { ipv6IsUnspecified, ipv6Masked, ipv6ToString } from '../net/wire/addr6';
import { sysctlSocket } from './common';
import {
  formatArpStats, formatIcmpStats, formatIgmpStats, formatIpStats, formatTcpStats, formatUdpStats, type StatBlock,
} from './netstat-stats';
import { formatIcmp6Stats, formatIp6Stats, formatUdp6Stats } from './netstat-stats6';
import { formatInet6Sockets, formatInetSockets } from './netstat-sockets';

const pad = (s: string, w: number) => (s.length > w ? s.slice(0, w) : s.padEnd(w));
const rpad = (s: string | number, w: number) => String(s).padStart(w);

const USAGE =
  'usage: netstat [-Aan] [-f address_family]\n       netstat [-dgimnrsSv] [-f address_family]\n' +
  '       netstat -i [-dn]\n       netstat [-s] [-p protocol]\n';

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

/**
 * intpr (usr.bin/netstat/if.c): a <Link> row per interface, then one row per address: IPv4 as network/prefix
 * and address, IPv6 as the masked prefix ("fe80::/64", netname6) and the address, scoped ones with their zone
 * ("fe80::1%lo0", getnameinfo's numeric form), both cut to the column as NetBSD's %-13.13s / %-17.17s do.
 * `-f inet` or `-f inet6` keeps only that family's address rows.
 */
export function formatInterfaces(ifs: IfInfo[], family: 'inet' | 'inet6' | null = null): string {
  let t = `${pad('Name', 5)} ${pad('Mtu', 5)} ${pad('Network', 13)} ${pad('Address', 17)} ${rpad('Ipkts', 8)} ${rpad('Ierrs', 5)} ${rpad('Opkts', 8)} ${rpad('Oerrs', 5)} ${rpad('Colls', 5)}\n`;
  for (const i of ifs) {
    const name = (i.flags & 1) === 0 ? `${i.name}*` : i.name;
    const counts = `${rpad(i.data.ipackets, 8)} ${rpad(i.data.ierrors, 5)} ${rpad(i.data.opackets, 8)} ${rpad(i.data.oerrors, 5)} ${rpad(i.data.collisions, 5)}`;
    const head = `${pad(name, 5)} ${String(i.mtu).padEnd(5)} `;
    const link = i.type === 'ether' ? macToString(i.lladdr) : '';
    t += `${head}${pad('<Link>', 13)} ${pad(link, 17)} ${counts}\n`;
    if (family !== 'inet6') {
      for (const a of i.addrs) t += `${head}${pad(netname((a.addr & a.mask) >>> 0, a.mask), 13)} ${pad(ipToString(a.addr), 17)} ${counts}\n`;
    }
    if (family === 'inet') continue;
    for (const a of i.addrs6 ?? []) {
      const net = `${ipv6ToString(ipv6Masked(a.addr, a.plen))}/${a.plen}`;
      const addr = `${ipv6ToString(a.addr)}${a.scopeId ? `%${i.name}` : ''}`;
      t += `${head}${pad(net, 13)} ${pad(addr, 17)} ${counts}\n`;
    }
  }
  return t;
}

const rtHeader = (wd: number, wg: number) =>
  `${pad('Destination', wd)} ${pad('Gateway', wg)} ${pad('Flags', 6)} ${rpad('Refs', 6)} ${rpad('Use', 8)} ${rpad('Mtu', 6)}  Interface\n`;

export function formatRoutes(rows: RouteRow[]): string {
  let t = 'Routing tables\n\nInternet:\n' + rtHeader(18, 18);
  for (const r of rows) {
    const gw = r.mac ? macToString(r.mac) : r.gateway === null ? r.link : ipToString(r.gateway);
    t += `${pad(netname(r.dst, r.mask), 18)} ${pad(gw, 18)} ${pad(rtFlagString(r.flags), 6)} ${rpad(r.refs, 6)} ${rpad(r.use, 8)} ${rpad(r.mtu ? r.mtu : '-', 6)}  ${r.ifname}\n`;
  }
  return t;
}

/**
 * The Internet6 table (show.c p_rtentry for AF_INET6): with -n the destination column is 34 wide and the
 * gateway 30 (room for a scoped link-local address and "/128"), else 18 and 18 as for Internet (names would be
 * shorter; ours are numbers either way, there is no resolver); host routes print without a prefix length,
 * scoped (link-local) addresses with their interface ("fe80::%en0/64", getnameinfo's numeric form).
 */
export function formatRoutes6(rows: Route6Row[], numeric = true): string {
  const wd = numeric ? 34 : 18;
  const wg = numeric ? 30 : 18;
  let t = '\nInternet6:\n' + rtHeader(wd, wg);
  for (const r of rows) {
    const host = `${ipv6ToString(r.dst)}${r.dstScope ? `%${r.dstScope}` : ''}`;
    const dst = r.plen === 0 && ipv6IsUnspecified(r.dst) ? 'default' : r.plen === 128 ? host : `${host}/${r.plen}`;
    const gw = r.gateway === null ? r.link : `${ipv6ToString(r.gateway)}${r.gatewayScope ? `%${r.gatewayScope}` : ''}`;
    t += `${pad(dst, wd)} ${pad(gw, wg)} ${pad(rtFlagString(r.flags), 6)} ${rpad(r.refs, 6)} ${rpad(r.use, 8)} ${rpad(r.mtu ? r.mtu : '-', 6)}  ${r.ifname}\n`;
  }
  return t;
}

type Family = 'inet' | 'inet6';

/** The -s sections of each family in NetBSD's protox / ip6protox order: protocol, sysctl node, formatter. */
const STATS: { family: Family; proto: string; node: string; fmt: (s: StatBlock, sflag: number) => string }[] = [
  { family: 'inet', proto: 'tcp', node: 'net.inet.tcp.stats', fmt: formatTcpStats },
  { family: 'inet', proto: 'udp', node: 'net.inet.udp.stats', fmt: formatUdpStats },
  { family: 'inet', proto: 'ip', node: 'net.inet.ip.stats', fmt: formatIpStats },
  { family: 'inet', proto: 'icmp', node: 'net.inet.icmp.stats', fmt: formatIcmpStats },
  { family: 'inet', proto: 'igmp', node: 'net.inet.igmp.stats', fmt: formatIgmpStats },
  { family: 'inet', proto: 'arp', node: 'net.inet.arp.stats', fmt: formatArpStats },
  { family: 'inet6', proto: 'ip6', node: 'net.inet6.ip6.stats', fmt: formatIp6Stats },
  { family: 'inet6', proto: 'icmp6', node: 'net.inet6.icmp6.stats', fmt: formatIcmp6Stats },
  { family: 'inet6', proto: 'udp6', node: 'net.inet6.udp6.stats', fmt: formatUdp6Stats },
];

/** The PCB lists netstat walks for the connection display (protopr / ip6protopr). */
const PCBLISTS: { family: Family; proto: string; node: string }[] = [
  { family: 'inet', proto: 'tcp', node: 'net.inet.tcp.pcblist' },
  { family: 'inet', proto: 'udp', node: 'net.inet.udp.pcblist' },
  { family: 'inet6', proto: 'tcp6', node: 'net.inet6.tcp6.pcblist' },
  { family: 'inet6', proto: 'udp6', node: 'net.inet6.udp6.pcblist' },
];

export const netstat: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const g = getopt(argv, 'aAdf:gI:iLmnp:rsStTvw:');
  if (g.errors.length) {
    for (const e of g.errors) ctx.print(`netstat: ${e}\n`);
    ctx.print(USAGE);
    return 1;
  }
  const f = new Set(g.opts.map((o) => o.opt));
  const sflag = g.opts.filter((o) => o.opt === 's').length;
  const proto = g.opts.find((o) => o.opt === 'p')?.arg ?? null;
  const fam = g.opts.find((o) => o.opt === 'f')?.arg ?? null;
  if (fam !== null && fam !== 'inet' && fam !== 'inet6') {
    ctx.print(`netstat: ${fam}: unknown address family\n`);
    return 1;
  }
  const wantFamily = (x: Family) => fam === null || fam === x;
  if (proto !== null && !STATS.some((x) => x.proto === proto) && !PCBLISTS.some((x) => x.proto === proto)) {
    ctx.print(`netstat: ${proto}: unknown or uninstrumented protocol\n`);
    return 1;
  }
  const s = yield* sysctlSocket(ctx, 'netstat');
  if (s < 0) return 1;
  try {
    /** A node's value; null and quiet when the stack has no such node (ENOENT), null and a message otherwise. */
    const get = function* (name: string): Co<unknown> {
      const v = yield* sysctl(ctx, s, name.split('.'));
      if (v === null && errno(ctx) !== Errno.ENOENT) ctx.print(`netstat: sysctl ${name}: ${strerror(errno(ctx))}\n`);
      return v;
    };
    if (f.has('s')) {
      let t = '';
      for (const x of STATS) {
        if (!wantFamily(x.family) || (proto !== null && proto !== x.proto)) continue;
        const st = (yield* get(x.node)) as StatBlock | null;
        if (st) t += x.fmt(st, sflag);
      }
      if (proto !== null && !t) {
        ctx.print(`netstat: ${proto}: unknown or uninstrumented protocol\n`);
        return 1;
      }
      ctx.print(t);
      return 0;
    }
    if (f.has('i')) {
      const ifs = (yield* get('net.route.iflist')) as IfInfo[] | null;
      if (!ifs) return 1;
      ctx.print(formatInterfaces(ifs, fam));
      return 0;
    }
    if (f.has('r')) {
      let t = '';
      if (wantFamily('inet')) {
        const rows = (yield* get('net.route.dump')) as RouteRow[] | null;
        if (!rows) return 1;
        t += formatRoutes(rows);
      }
      if (wantFamily('inet6')) {
        const rows6 = (yield* get('net.route.inet6.dump')) as Route6Row[] | null;
        if (rows6) t += (fam === 'inet6' ? 'Routing tables\n' : '') + formatRoutes6(rows6, f.has('n'));
      }
      ctx.print(t);
      return 0;
    }
    const all = f.has('a');
    const rows: Record<Family, PcbRow[]> = { inet: [], inet6: [] };
    for (const x of PCBLISTS) {
      if (!wantFamily(x.family) || (proto !== null && proto !== x.proto)) continue;
      const r = (yield* get(x.node)) as PcbRow[] | null;
      if (r) rows[x.family].push(...r);
    }
    ctx.print(formatInetSockets(rows.inet, all) + formatInet6Sockets(rows.inet6, all));
    return 0;
  } finally {
    yield* close(ctx, s);
  }
};
