/**
 * ifconfig (NetBSD sbin/ifconfig as on QNX 6.6): show interfaces (`-a`, no arguments, or one name), list
 * names (`-l`), set an address (`10.0.0.1/24`, `10.0.0.1 netmask 255.255.255.0 [broadcast b]`, `alias`,
 * `-alias`/`delete`), `up`/`down`, `mtu N`, `destroy`. Setting an address without `alias` first removes the
 * interface's first address (SIOCDIFADDR), then adds the new one (SIOCAIFADDR) — which brings it up.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { close, errno, ioctl } from '../lib/socket';
import { IFF_UP } from '../net/if';
import type { IfInfo } from '../io-pkt/ioctl';
import { ipToString, macToString } from '../net/wire/addr';
import { ioctlSocket, parseMask, parseNet, printFlags } from './common';
import type { Ieee80211Status } from '../net80211/ioctl';
import type { MediaWord } from '../net80211/mode';
import { formatWirelessHead, formatWirelessMedia, formatWirelessStats, wirelessParam } from './ifconfig-80211';
import type { Ieee80211Stats } from '../net80211/stats';
import {
  IN6_IFF_ANYCAST, IN6_IFF_AUTOCONF, IN6_IFF_DEPRECATED, IN6_IFF_DETACHED, IN6_IFF_DUPLICATED, IN6_IFF_TENTATIVE, type In6AddrInfo,
} from '../include/netinet6/in6_var';
import { ipv6MaskLen, ipv6ToString, parseIpv6, parseIpv6Scoped } from '../net/wire/addr6';

/** An interface as ifconfig shows it; `w` is the 802.11 status of a wireless one. */
export function formatInterface(i: IfInfo, w?: Ieee80211Status, verbose = false, lifetimes: { now: number } | null = null): string {
  let s = `${i.name}: ${printFlags(i.flags)} mtu ${i.mtu}\n`;
  if (w) s += formatWirelessHead(w, verbose);
  if (i.type === 'ether') {
    s += `\taddress: ${macToString(i.lladdr)}\n`;
    if (w) s += formatWirelessMedia(w);
    else if (i.media.subtype !== 'none') {
      s += `\tmedia: Ethernet ${i.media.subtype} ${i.media.fullDuplex ? 'full-duplex' : 'half-duplex'}\n`;
      s += `\tstatus: ${i.media.linkUp ? 'active' : 'no carrier'}\n`;
    }
  }
  for (const a of i.addrs) {
    s += `\tinet ${ipToString(a.addr)} netmask 0x${(a.mask >>> 0).toString(16)}`;
    if ((i.flags & 0x2) !== 0) s += ` broadcast ${ipToString(a.broadcast)}`;
    s += '\n';
  }
  for (const a of i.addrs6 ?? []) s += formatInet6(i.name, a, lifetimes);
  return s;
}

/** NetBSD af_inet6.c in6_alias: address (%zone for scoped ones), prefixlen, flags, scopeid, with -L the lifetimes. */
export function formatInet6(ifname: string, a: In6AddrInfo, lifetimes: { now: number } | null = null): string {
  let s = `\tinet6 ${ipv6ToString(a.addr)}${a.scopeId ? `%${ifname}` : ''} prefixlen ${a.plen}`;
  if (a.flags & IN6_IFF_ANYCAST) s += ' anycast';
  if (a.flags & IN6_IFF_TENTATIVE) s += ' tentative';
  if (a.flags & IN6_IFF_DUPLICATED) s += ' duplicated';
  if (a.flags & IN6_IFF_DETACHED) s += ' detached';
  if (a.flags & IN6_IFF_DEPRECATED) s += ' deprecated';
  if (a.flags & IN6_IFF_AUTOCONF) s += ' autoconf';
  if (a.scopeId) s += ` scopeid 0x${a.scopeId.toString(16)}`;
  if (lifetimes) {
    const left = (t: number | null) => (t === null ? 'infty' : String(Math.max(0, Math.floor((t - lifetimes.now) / 1e9))));
    s += ` pltime ${left(a.preferred)} vltime ${left(a.expire)}`;
  }
  return `${s}\n`;
}

const USAGE =
  'usage: ifconfig [ -m ] [ -v ] [ -z ] interface\n' +
  '\t[ af [ address [ dest_addr ] ] [ up ] [ down ] [ netmask mask ] ]\n' +
  '\t[ metric n ]\n\t[ mtu n ]\n\t[ arp | -arp ]\n\t[ link0 | -link0 ] [ link1 | -link1 ] [ link2 | -link2 ]\n' +
  '       ifconfig -a [ -b ] [ -d ] [ -m ] [ -u ] [ -v ] [ -z ] [ af ]\n' +
  '       ifconfig -l [ -b ] [ -d ] [ -s ] [ -u ]\n       ifconfig -s interface\n' +
  '       ifconfig -C\n       interface create\n       interface destroy\n';

export const ifconfig: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const out = (t: string) => ctx.print(t);
  let args = argv.slice(1);
  const flags = new Set<string>();
  while (args[0] && /^-[abdlmsuvzCL]+$/.test(args[0])) {
    for (const c of args[0].slice(1)) flags.add(c);
    args = args.slice(1);
  }
  const s = yield* ioctlSocket(ctx, 'ifconfig');
  if (s < 0) return 1;
  try {
    if (flags.has('C')) {
      // list_cloners: SIOCIFGCLONERS, the names on one line.
      const r = yield* ioctl(ctx, s, 'SIOCIFGCLONERS', {});
      if (!r) {
        out(`ifconfig: SIOCIFGCLONERS for names: ${strerror(errno(ctx))}\n`);
        return 1;
      }
      out(`${(r.data as { names: string[] }).names.join(' ')}\n`);
      return 0;
    }
    if (args[1] === 'create') {
      // clone_create: SIOCIFCREATE, then any further parameters on the new interface.
      if (!(yield* ioctl(ctx, s, 'SIOCIFCREATE', { name: args[0] }))) {
        out(`ifconfig: SIOCIFCREATE: ${strerror(errno(ctx))}\n`);
        return 1;
      }
      args = [args[0]!, ...args.slice(2)];
      if (args.length === 1) return 0;
    }
    if (flags.has('a') || flags.has('l') || args.length === 0) {
      if (args.length > 0 && !(args.length === 1 && (args[0] === 'inet' || args[0] === 'inet6'))) {
        out(USAGE);
        return 1;
      }
      const r = yield* ioctl(ctx, s, 'SIOCGIFCONF', {});
      if (!r) {
        out(`ifconfig: SIOCGIFCONF: ${strerror(errno(ctx))}\n`);
        return 1;
      }
      let ifs = (r.data as { ifs: IfInfo[] }).ifs;
      if (flags.has('u')) ifs = ifs.filter((i) => (i.flags & IFF_UP) !== 0);
      if (flags.has('d')) ifs = ifs.filter((i) => (i.flags & IFF_UP) === 0);
      if (flags.has('l')) out(`${ifs.map((i) => i.name).join(' ')}\n`);
      else for (const i of ifs) out(formatInterface(i, yield* wirelessStatus(ctx, s, i), flags.has('v'), flags.has('L') ? { now: ctx.now() } : null) + (yield* wirelessStats(ctx, s, i, flags.has('v'))));
      return 0;
    }
    const name = args[0]!;
    const params = args.slice(1);
    const st = yield* ioctl(ctx, s, 'SIOCGIFDATA', { name });
    if (!st) {
      out(`ifconfig: SIOCGIFFLAGS ${name}: ${strerror(errno(ctx))}\n`);
      return 1;
    }
    const info = st.data as IfInfo;
    if (params.length === 0) {
      out(formatInterface(info, yield* wirelessStatus(ctx, s, info), flags.has('v'), flags.has('L') ? { now: ctx.now() } : null) + (yield* wirelessStats(ctx, s, info, flags.has('v'))));
      return 0;
    }
    if (params[0] === 'inet6') return yield* configure6(ctx, s, info, params.slice(1));
    return yield* configure(ctx, s, info, params);
  } finally {
    yield* close(ctx, s);
  }
};

/** SIOCG80211STATUS: the 802.11 status of a wireless interface, undefined for any other. */
function* wirelessStatus(ctx: ThreadCtx, s: number, i: IfInfo): Co<Ieee80211Status | undefined> {
  if (i.type !== 'ether') return undefined;
  const r = yield* ioctl(ctx, s, 'SIOCG80211STATUS', { name: i.name });
  return r ? (r.data as Ieee80211Status) : undefined;
}

/** With -v, the 802.11 statistics of a wireless interface (SIOCG80211STATS); '' otherwise. */
function* wirelessStats(ctx: ThreadCtx, s: number, i: IfInfo, verbose: boolean): Co<string> {
  if (!verbose || i.type !== 'ether') return '';
  const r = yield* ioctl(ctx, s, 'SIOCG80211STATS', { name: i.name });
  return r ? formatWirelessStats((r.data as { stats: Ieee80211Stats }).stats) : '';
}

function* configure(ctx: ThreadCtx, s: number, info: IfInfo, params: string[]): Co<number> {
  const out = (t: string) => ctx.print(t);
  const name = info.name;
  let flags = info.flags;
  let addr: { addr: number; mask: number; hasMask: boolean } | null = null;
  let mask: number | undefined;
  let broadcast: number | undefined;
  let alias = false;
  let removeAddr: number | null = null;
  const fail = (what: string): number => {
    out(`ifconfig: ${what}: ${strerror(errno(ctx))}\n`);
    return 1;
  };
  const media = {
    word: null as MediaWord | null,
    get: function* (): Co<MediaWord | null> {
      const st = yield* wirelessStatus(ctx, s, info);
      return st ? { ...st.media.current, opts: st.media.current.opts.slice() } : null;
    },
  };
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    // 802.11 parameters (ssid, chan, mediaopt, scan …) take effect in order, media changes at the end.
    const used = p === 'up' || p === 'down' ? 0 : yield* wirelessParam(ctx, s, name, params, i, media);
    if (used < 0) return 1;
    if (used > 0) {
      i += used - 1;
      continue;
    }
    const next = (): string | null => {
      const v = params[i + 1];
      if (v === undefined) {
        out(`ifconfig: ${p}: missing argument\n`);
        return null;
      }
      i++;
      return v;
    };
    switch (p) {
      case 'inet':
        break;
      case 'up':
      case 'down': {
        // Media (mediaopt hostap …) first, so the interface comes up in its new mode.
        if (media.word && !(yield* ioctl(ctx, s, 'SIOCSIFMEDIA', { name, media: media.word }))) return fail('SIOCSIFMEDIA');
        media.word = null;
        flags = p === 'up' ? flags | IFF_UP : flags & ~IFF_UP;
        if (!(yield* ioctl(ctx, s, 'SIOCSIFFLAGS', { name, flags }))) return fail('SIOCSIFFLAGS');
        break;
      }
      case 'netmask': {
        const v = next();
        if (v === null) return 1;
        const m = parseMask(v);
        if (m === null) {
          out(`ifconfig: ${v}: bad value\n`);
          return 1;
        }
        mask = m;
        break;
      }
      case 'broadcast': {
        const v = next();
        if (v === null) return 1;
        const b = parseNet(v, 'host');
        if (!b) {
          out(`ifconfig: ${v}: bad value\n`);
          return 1;
        }
        broadcast = b.addr;
        break;
      }
      case 'mtu': {
        const v = next();
        if (v === null) return 1;
        if (!(yield* ioctl(ctx, s, 'SIOCSIFMTU', { name, mtu: Number(v) }))) return fail('SIOCSIFMTU');
        break;
      }
      case 'alias':
        alias = true;
        break;
      case '-alias':
      case 'delete': {
        const v = params[i + 1] && parseNet(params[i + 1]!, 'classful') ? params[++i]! : null;
        removeAddr = v ? parseNet(v, 'classful')!.addr : (addr?.addr ?? info.addrs[0]?.addr ?? 0);
        break;
      }
      case 'destroy':
        if (!(yield* ioctl(ctx, s, 'SIOCIFDESTROY', { name }))) return fail('SIOCIFDESTROY');
        return 0;
      case 'create':
        // clone_create after other parameters: the interface exists already.
        out(`ifconfig: SIOCIFCREATE: ${strerror(17)}\n`);
        return 1;
      default: {
        const a = parseNet(p, 'classful');
        if (!a) {
          out(`ifconfig: ${p}: bad value\n`);
          return 1;
        }
        addr = a;
      }
    }
  }
  if (media.word && !(yield* ioctl(ctx, s, 'SIOCSIFMEDIA', { name, media: media.word }))) return fail('SIOCSIFMEDIA');
  if (removeAddr !== null) {
    if (!(yield* ioctl(ctx, s, 'SIOCDIFADDR', { name, addr: removeAddr }))) return fail('SIOCDIFADDR');
    return 0;
  }
  if (addr) {
    if (!alias && info.addrs.length > 0) {
      if (!(yield* ioctl(ctx, s, 'SIOCDIFADDR', { name })) && errno(ctx) !== 126) return fail('SIOCDIFADDR');
    }
    const m = mask ?? (addr.hasMask ? addr.mask : undefined);
    const req: Record<string, unknown> = { name, addr: addr.addr };
    if (m !== undefined) req.mask = m;
    if (broadcast !== undefined) req.broadcast = broadcast;
    if (!(yield* ioctl(ctx, s, 'SIOCAIFADDR', req))) return fail('SIOCAIFADDR');
  } else if (mask !== undefined || broadcast !== undefined) {
    const cur = info.addrs[0];
    if (!cur) {
      out('ifconfig: SIOCAIFADDR: Can\'t assign requested address\n');
      return 1;
    }
    if (!(yield* ioctl(ctx, s, 'SIOCAIFADDR', { name, addr: cur.addr, mask: mask ?? cur.mask, ...(broadcast !== undefined ? { broadcast } : {}) }))) return fail('SIOCAIFADDR');
  }
  return 0;
}

/**
 * `ifconfig IF inet6 ADDR[/plen] [prefixlen N] [alias | -alias | delete] [pltime N] [vltime N] [up | down]`:
 * SIOCAIFADDR_IN6 adds (an inet6 address without `alias` does not replace the others, as NetBSD keeps the
 * link-local address), `-alias`/`delete` is SIOCDIFADDR_IN6. The prefix length defaults to 64.
 */
function* configure6(ctx: ThreadCtx, s: number, info: IfInfo, params: string[]): Co<number> {
  const out = (t: string) => ctx.print(t);
  const name = info.name;
  let addr: Uint8Array | null = null;
  let plen: number | null = null;
  let remove = false;
  let vltime: number | undefined;
  let pltime: number | undefined;
  let updown: 'up' | 'down' | null = null;
  const fail = (what: string): number => {
    out(`ifconfig: ${what}: ${strerror(errno(ctx))}\n`);
    return 1;
  };
  const bad = (v: string): number => {
    out(`ifconfig: ${v}: bad value\n`);
    return 1;
  };
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const next = (): string | null => {
      const v = params[i + 1];
      if (v === undefined) {
        out(`ifconfig: ${p}: missing argument\n`);
        return null;
      }
      i++;
      return v;
    };
    switch (p) {
      case 'alias':
        break;
      case '-alias':
      case 'delete':
        remove = true;
        break;
      case 'up':
      case 'down':
        updown = p;
        break;
      case 'prefixlen':
      case 'pltime':
      case 'vltime': {
        const v = next();
        if (v === null) return 1;
        const n = v === 'infty' && p !== 'prefixlen' ? 0xffffffff : Number(v);
        if (!Number.isInteger(n) || n < 0 || (p === 'prefixlen' && n > 128)) return bad(v);
        if (p === 'prefixlen') plen = n;
        else if (p === 'pltime') pltime = n;
        else vltime = n;
        break;
      }
      case 'netmask': {
        const v = next();
        if (v === null) return 1;
        const m = parseIpv6(v);
        if (!m) return bad(v);
        plen = ipv6MaskLen(m);
        break;
      }
      default: {
        const slash = p.indexOf('/');
        const sc = parseIpv6Scoped(slash < 0 ? p : p.slice(0, slash));
        if (!sc) return bad(p);
        if (slash >= 0) {
          const n = Number(p.slice(slash + 1));
          if (!Number.isInteger(n) || n < 0 || n > 128) return bad(p);
          plen = n;
        }
        addr = sc.addr;
      }
    }
  }
  if (remove) {
    if (!addr) return bad('-alias');
    if (!(yield* ioctl(ctx, s, 'SIOCDIFADDR_IN6', { name, addr }))) return fail('SIOCDIFADDR_IN6');
  } else if (addr) {
    const req: Record<string, unknown> = { name, addr, plen: plen ?? 64 };
    if (vltime !== undefined) req.vltime = vltime;
    if (pltime !== undefined) req.pltime = pltime;
    if (!(yield* ioctl(ctx, s, 'SIOCAIFADDR_IN6', req))) return fail('SIOCAIFADDR_IN6');
  }
  if (updown) {
    const flags = updown === 'up' ? info.flags | IFF_UP : info.flags & ~IFF_UP;
    if (!(yield* ioctl(ctx, s, 'SIOCSIFFLAGS', { name, flags }))) return fail('SIOCSIFFLAGS');
  }
  return 0;
}
