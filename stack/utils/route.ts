/**
 * route (NetBSD sbin/route): `route add|delete [-net|-host] dest gateway [-netmask m]`, `route get dest`,
 * `route show`. Messages go to io-pkt on an AF_ROUTE socket (RTM_ADD / RTM_DELETE / RTM_GET).
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { AF_ROUTE, SOCK_RAW } from '../include/sys/socket';
import { close, errno, socket, sysctl, writeRtm } from '../lib/socket';
import type { RouteRow } from '../io-pkt/sysctl';
import { Errno } from '../kernel/api';
import { RTF } from '../net/route';
import { ipToString, macToString, parseIpv4 } from '../net/wire/addr';
import { parseMask, parseNet } from './common';
import { formatRoutes } from './netstat';

const USAGE = 'usage: route [ -fnqv ] cmd [[ -<qualifiers> ] args ]\n';

function routeStrerror(e: number): string {
  if (e === Errno.ESRCH) return 'not in table';
  if (e === Errno.EBUSY) return 'entry in use';
  if (e === Errno.ENOBUFS) return 'routing table overflow';
  return strerror(e);
}

/** NetBSD route.c's flag names, by bit. */
const FLAG_NAMES: [number, string][] = [
  [RTF.UP, 'UP'], [RTF.GATEWAY, 'GATEWAY'], [RTF.HOST, 'HOST'], [RTF.REJECT, 'REJECT'], [RTF.DYNAMIC, 'DYNAMIC'],
  [RTF.MODIFIED, 'MODIFIED'], [RTF.DONE, 'DONE'], [RTF.MASK, 'MASK_PRESENT'], [RTF.CLONING, 'CLONING'],
  [RTF.XRESOLVE, 'XRESOLVE'], [RTF.LLINFO, 'LLINFO'], [RTF.STATIC, 'STATIC'], [RTF.BLACKHOLE, 'BLACKHOLE'],
  [RTF.CLONED, 'CLONED'], [RTF.PROTO2, 'PROTO2'], [RTF.PROTO1, 'PROTO1'],
];

/**
 * `route get`'s report (NetBSD route.c print_getmsg): the entry the table's longest-prefix match picks for
 * `dst` (read from the NET_RT_DUMP rows; the RTM_GET reply marks it RTF_DONE), its gateway, interface, flags
 * and metrics (mtu: the route's rmx_mtu, 0 when the interface's applies).
 */
function formatGet(destText: string, dst: number, rows: RouteRow[]): string {
  let best: RouteRow | undefined;
  for (const r of rows) {
    if (((dst & r.mask) >>> 0) !== r.dst) continue;
    if (!best || (r.mask >>> 0) > (best.mask >>> 0)) best = r;
  }
  let t = `   route to: ${destText}\n`;
  if (!best) return t;
  t += `destination: ${best.dst === 0 && best.mask === 0 ? 'default' : ipToString(best.dst)}\n`;
  if ((best.flags & RTF.HOST) === 0) t += `       mask: ${best.mask === 0 ? 'default' : ipToString(best.mask)}\n`;
  const gw = best.gateway !== null ? ipToString(best.gateway) : best.mac ? macToString(best.mac) : best.link;
  t += `    gateway: ${gw}\n`;
  t += `  interface: ${best.ifname}\n`;
  const flags = best.flags | RTF.DONE;
  t += `      flags: <${FLAG_NAMES.filter(([b]) => (flags & b) !== 0).map(([, n]) => n).join(',')}>\n`;
  const col = (v: number | string) => String(v).padStart(9);
  t += ' recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire\n';
  t += `${[0, 0, 0, 0, 0, 0, best.mtu, 0].map(col).join(' ')} \n`;
  return t;
}

export const route: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  let args = argv.slice(1);
  let quiet = false;
  while (args[0] && /^-[fnqv]+$/.test(args[0])) {
    if (args[0].includes('q')) quiet = true;
    args = args.slice(1);
  }
  const cmd = args[0];
  if (!cmd) {
    ctx.print(USAGE);
    return 1;
  }
  const s = yield* socket(ctx, AF_ROUTE, SOCK_RAW, 0);
  if (s < 0) {
    ctx.print(`route: socket: ${strerror(errno(ctx))}\n`);
    return 1;
  }
  try {
    if (cmd === 'show') {
      const rows = (yield* sysctl(ctx, s, ['net', 'route', 'dump'])) as RouteRow[] | null;
      if (!rows) {
        ctx.print(`route: sysctl: ${strerror(errno(ctx))}\n`);
        return 1;
      }
      ctx.print(formatRoutes(rows));
      return 0;
    }
    if (cmd !== 'add' && cmd !== 'delete' && cmd !== 'get' && cmd !== 'change') {
      ctx.print(`route: ${cmd}: unknown command\n${USAGE}`);
      return 1;
    }
    let host: boolean | null = null;
    let reject = false;
    let mask: number | null = null;
    const words: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const w = args[i]!;
      if (w === '-net') host = false;
      else if (w === '-host') host = true;
      else if (w === '-reject') reject = true;
      else if (w === '-netmask') {
        const m = parseMask(args[++i] ?? '');
        if (m === null) {
          ctx.print(`route: bad netmask\n`);
          return 1;
        }
        mask = m;
      } else if (w === '-inet' || w === '-static' || w === '-iface' || w === '-gateway') continue;
      else words.push(w);
    }
    const destText = words[0];
    const gwText = words[1] ?? '';
    if (!destText || (cmd !== 'get' && cmd !== 'delete' && !gwText)) {
      ctx.print(USAGE);
      return 1;
    }
    const dest = parseNet(destText, host ? 'host' : 'classful');
    if (!dest) {
      ctx.print(`route: ${destText}: bad value\n`);
      return 1;
    }
    // A plain address with no -net, no mask and a nonzero host part is a host route (NetBSD inet_makenetandmask).
    const isHost = host ?? (!dest.hasMask && mask === null && (dest.addr & ~dest.mask) !== 0);
    const m = isHost ? 0xffffffff : (mask ?? dest.mask);
    const gw = gwText ? parseIpv4(gwText) : 0;
    if (gw === null) {
      ctx.print(`route: ${gwText}: bad value\n`);
      return 1;
    }
    const type = cmd === 'add' ? 'RTM_ADD' : cmd === 'delete' ? 'RTM_DELETE' : 'RTM_GET';
    const r = yield* writeRtm(ctx, s, { rtmType: cmd === 'change' ? 'RTM_ADD' : type, dst: dest.addr, mask: m, gateway: gw, host: isHost, reject });
    const e = r < 0 ? errno(ctx) : 0;
    if (cmd === 'get') {
      if (e) {
        ctx.print(`route: writing to routing socket: ${routeStrerror(e)}\n`);
        return 1;
      }
      const rows = (yield* sysctl(ctx, s, ['net', 'route', 'dump'])) as RouteRow[] | null;
      ctx.print(formatGet(destText, dest.addr, rows ?? []));
      return 0;
    }
    if (e) ctx.print(`route: writing to routing socket: ${strerror(e)}\n`);
    if (!quiet || e) {
      let t = `${cmd} ${isHost ? 'host' : 'net'} ${destText}`;
      if (gwText) t += `: gateway ${gwText}`;
      t += e ? `: ${routeStrerror(e)}\n` : '\n';
      ctx.print(t);
    }
    return e ? 1 : 0;
  } finally {
    yield* close(ctx, s);
  }
};
