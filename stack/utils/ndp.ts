/**
 * ndp (NetBSD usr.sbin/ndp): the neighbour cache and the router and prefix lists of the IPv6 stack.
 * `ndp -a` lists the cache (Neighbor, Linklayer Address, Netif, Expire, State letter, Flags: R = router),
 * `ndp -r` the default routers, `ndp -p` the prefixes, `ndp -c` flushes the cache, `ndp -d ADDR[%if]`
 * deletes one entry, `ndp ADDR[%if]` shows one. Times print as NetBSD's sec2str ("1d2h3m4s", zero parts
 * left out).
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { close, errno, ioctl } from '../lib/socket';
import type { DrRow, NbrRow, NdListReply, PrRow } from '../include/netinet6/nd6';
import { ND6_STATE_LETTER } from '../include/netinet6/nd6';
import { ND6_INFINITE_LIFETIME } from '../include/netinet6/in6_var';
import { ipv6Equals, ipv6ToString, parseIpv6Scoped } from '../net/wire/addr6';
import { macToString } from '../net/wire/addr';
import { ioctlSocket } from './common';

const USAGE = 'usage: ndp [-nt] hostname\n       ndp [-nt] -a | -c | -p | -r | -H | -P | -R\n' +
  '       ndp [-nt] -A wait\n       ndp [-nt] -d hostname\n       ndp [-nt] -f filename\n' +
  '       ndp [-nt] -i interface [flags...]\n       ndp [-nt] -I [interface|delete]\n       ndp [-nt] -s nodename etheraddr [temp] [proxy]\n';

/** W_ADDR, W_LL, W_IF of ndp.c. */
const W_ADDR = 36;
const W_LL = 17;
const W_IF = 6;

/** sec2str: days, hours, minutes, seconds, zero leading parts omitted. */
export function sec2str(total: number): string {
  let t = Math.max(0, Math.floor(total));
  const days = Math.floor(t / 86400);
  t %= 86400;
  const hours = Math.floor(t / 3600);
  t %= 3600;
  const mins = Math.floor(t / 60);
  const secs = t % 60;
  let s = '';
  let first = true;
  if (days) {
    first = false;
    s += `${days}d`;
  }
  if (!first || hours) {
    first = false;
    s += `${hours}h`;
  }
  if (!first || mins) s += `${mins}m`;
  return `${s}${secs}s`;
}

const pad = (s: string, w: number) => (s.length >= w ? s.slice(0, w) : s + ' '.repeat(w - s.length));
const padl = (s: string, w: number) => (s.length >= w ? s.slice(0, w) : ' '.repeat(w - s.length) + s);

export function formatNbr(rows: NbrRow[], now: number): string {
  let s = `${pad('Neighbor', W_ADDR)} ${pad('Linklayer Address', W_LL)} ${padl('Netif', W_IF)} ${pad('Expire', 9)} S Flags\n`;
  for (const r of rows) {
    const host = ipv6ToString(r.addr) + (r.scopeId ? `%${r.ifname}` : '');
    const ll = r.lladdr ? macToString(r.lladdr) : '(incomplete)';
    const exp = r.expire === null ? (r.state === 2 ? 'permanent' : 'expired') : r.expire > now ? sec2str((r.expire - now) / 1e9) : 'expired';
    // A STALE entry has no timer in this stack (NetBSD's nd6_gctimer is a day); ndp shows no countdown for it.
    const expText = r.expire === null && r.state === 2 ? '' : exp;
    s += `${pad(host, W_ADDR)} ${pad(ll, W_LL)} ${padl(r.ifname, W_IF)} ${pad(expText, 9)} ${ND6_STATE_LETTER[r.state] ?? '?'} ${r.isRouter ? 'R' : ''}`.trimEnd() + '\n';
  }
  return s;
}

export function formatRouters(rows: DrRow[], now: number): string {
  let s = '';
  for (const r of rows) {
    s += `${ipv6ToString(r.addr)}%${r.ifname} if=${r.ifname}, flags=, pref=medium, expire=${r.expire > now ? sec2str((r.expire - now) / 1e9) : 'expired'}\n`;
  }
  return s;
}

export function formatPrefixes(rows: PrRow[], nbrs: NbrRow[], now: number): string {
  let s = '';
  for (const p of rows) {
    s += `${ipv6ToString(p.prefix)}/${p.plen} if=${p.ifname}\n`;
    const lt = (v: number) => (v === ND6_INFINITE_LIFETIME ? 'infinity' : String(v));
    s += `flags=${p.onlink ? 'L' : ''}${p.auto ? 'A' : ''}${p.onlink ? 'O' : ''} vltime=${lt(p.vltime)}, pltime=${lt(p.pltime)}`;
    s += `, expire=${p.expire === null ? 'Never' : p.expire > now ? sec2str((p.expire - now) / 1e9) : 'expired'}, ref=1\n`;
    s += '  advertised by\n';
    const n = nbrs.find((x) => x.ifname === p.ifname && ipv6Equals(x.addr, p.advrtr));
    const reach = !n ? 'no neighbor state' : n.state === 1 ? 'reachable' : n.state === 0 ? 'incomplete' : 'stale';
    s += `    ${ipv6ToString(p.advrtr)}%${p.ifname} (${reach})\n`;
  }
  if (rows.length === 0) s += '';
  return s;
}

export const ndp: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const out = (t: string) => ctx.print(t);
  const args = argv.slice(1).filter((a) => a !== '-n' && a !== '-t');
  const mode = args[0] ?? '';
  const s = yield* ioctlSocket(ctx, 'ndp');
  if (s < 0) return 1;
  try {
    const nbrs = function* (): Co<NdListReply<NbrRow> | null> {
      const r = yield* ioctl(ctx, s, 'SIOCGNBRLIST_IN6', {});
      if (!r) out(`ndp: sysctl(PF_ROUTE): ${strerror(errno(ctx))}\n`);
      return r ? (r.data as NdListReply<NbrRow>) : null;
    };
    switch (mode) {
      case '-a': {
        const r = yield* nbrs();
        if (!r) return 1;
        out(formatNbr(r.rows, r.now));
        return 0;
      }
      case '-r': {
        const r = yield* ioctl(ctx, s, 'SIOCGDRLST_IN6', {});
        if (!r) return fail('ioctl(SIOCGDRLST_IN6)');
        const d = r.data as NdListReply<DrRow>;
        out(formatRouters(d.rows, d.now));
        return 0;
      }
      case '-p': {
        const r = yield* ioctl(ctx, s, 'SIOCGPRLST_IN6', {});
        if (!r) return fail('ioctl(SIOCGPRLST_IN6)');
        const d = r.data as NdListReply<PrRow>;
        const n = yield* nbrs();
        out(formatPrefixes(d.rows, n?.rows ?? [], d.now));
        return 0;
      }
      case '-c':
        if (!(yield* ioctl(ctx, s, 'SIOCSNDFLUSH_IN6', {}))) return fail('ioctl(SIOCSNDFLUSH_IN6)');
        return 0;
      case '-d': {
        const h = args[1] ? parseIpv6Scoped(args[1]) : null;
        if (!h) {
          out(USAGE);
          return 1;
        }
        if (!(yield* ioctl(ctx, s, 'SIOCSNDFLUSH_IN6', { addr: h.addr, name: h.zone ?? '' }))) {
          out(`ndp: ${args[1]}: ${strerror(errno(ctx))}\n`);
          return 1;
        }
        out(`${args[1]} (${ipv6ToString(h.addr)}) deleted\n`);
        return 0;
      }
      default: {
        const h = mode && !mode.startsWith('-') ? parseIpv6Scoped(mode) : null;
        if (!h) {
          out(USAGE);
          return 1;
        }
        const r = yield* nbrs();
        if (!r) return 1;
        const rows = r.rows.filter((x) => ipv6Equals(x.addr, h.addr) && (h.zone === null || x.ifname === h.zone));
        if (rows.length === 0) {
          out(`${mode} (${ipv6ToString(h.addr)}) -- no entry\n`);
          return 1;
        }
        out(formatNbr(rows, r.now));
        return 0;
      }
    }
  } finally {
    yield* close(ctx, s);
  }

  function fail(what: string): number {
    out(`ndp: ${what}: ${strerror(errno(ctx))}\n`);
    return 1;
  }
};
