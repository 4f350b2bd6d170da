/** Helpers shared by the network utilities: flag bits as ifconfig prints them, a stack socket, addresses. */
import type { Co, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { AF_INET, AF_ROUTE, SOCK_DGRAM, SOCK_RAW } from '../include/sys/socket';
import { errno, socket } from '../lib/socket';
import { classfulMask, maskFromPrefix, parseIpv4, type Ipv4Addr } from '../net/wire/addr';

/** NetBSD IFFBITS: bit number (1-based) → name. */
const IFF_NAMES: [number, string][] = [
  [0x1, 'UP'], [0x2, 'BROADCAST'], [0x4, 'DEBUG'], [0x8, 'LOOPBACK'], [0x10, 'POINTOPOINT'], [0x20, 'NOTRAILERS'],
  [0x40, 'RUNNING'], [0x80, 'NOARP'], [0x100, 'PROMISC'], [0x200, 'ALLMULTI'], [0x400, 'OACTIVE'], [0x800, 'SIMPLEX'],
  [0x1000, 'LINK0'], [0x2000, 'LINK1'], [0x4000, 'LINK2'], [0x8000, 'MULTICAST'],
];

/** printb("flags", flags, IFFBITS): `flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>`. */
export function printFlags(flags: number): string {
  const names = IFF_NAMES.filter(([b]) => (flags & b) !== 0).map(([, n]) => n);
  return `flags=${(flags >>> 0).toString(16)}<${names.join(',')}>`;
}

/** An AF_INET datagram socket for ioctls; prints `<prog>: socket: <error>` and returns -1 on failure. */
export function* ioctlSocket(ctx: ThreadCtx, prog: string): Co<number> {
  const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
  if (s < 0) ctx.print(`${prog}: socket: ${strerror(errno(ctx))}\n`);
  return s;
}

/**
 * A socket to reach the stack's sysctl nodes. AF_ROUTE, so that the tool's own socket does not show up in
 * the PCB list it is reading (sysctl needs no socket on NetBSD).
 */
export function* sysctlSocket(ctx: ThreadCtx, prog: string): Co<number> {
  const s = yield* socket(ctx, AF_ROUTE, SOCK_RAW, 0);
  if (s < 0) ctx.print(`${prog}: socket: ${strerror(errno(ctx))}\n`);
  return s;
}

/** "10.0.0.0/24", "10.0.0.1", "default" → address and mask (null when malformed). */
export function parseNet(text: string, defaultMask: 'host' | 'classful'): { addr: Ipv4Addr; mask: Ipv4Addr; hasMask: boolean } | null {
  if (text === 'default') return { addr: 0, mask: 0, hasMask: true };
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const a = parseIpv4(text.slice(0, slash));
    const len = Number(text.slice(slash + 1));
    if (a === null || !Number.isInteger(len) || len < 0 || len > 32) return null;
    return { addr: a, mask: maskFromPrefix(len), hasMask: true };
  }
  const a = parseIpv4(text);
  if (a === null) return null;
  return { addr: a, mask: defaultMask === 'host' ? 0xffffffff : classfulMask(a), hasMask: false };
}

/** A netmask given as dotted quad or 0x hex. */
export function parseMask(text: string): Ipv4Addr | null {
  if (/^0[xX][0-9a-fA-F]{1,8}$/.test(text)) return parseInt(text.slice(2), 16) >>> 0;
  return parseIpv4(text);
}

export function plural(n: number): string {
  return n === 1 ? '' : 's';
}

export function pluralEs(n: number): string {
  return n === 1 ? '' : 'es';
}

/**
 * The counts line both ping and ping6 end with (NetBSD ping.c / KAME ping6.c summary): transmitted, received,
 * duplicates, loss — or the duplication warning when more came back than went out.
 */
export function pingCountLine(st: { ntransmitted: number; nreceived: number; nrepeats: number }): string {
  let text = `${st.ntransmitted} packets transmitted, ${st.nreceived} packets received, `;
  if (st.nrepeats) text += `+${st.nrepeats} duplicates, `;
  if (st.ntransmitted) {
    if (st.nreceived > st.ntransmitted) text += "-- somebody's duplicating packets!";
    else text += `${(((st.ntransmitted - st.nreceived) * 100) / st.ntransmitted).toFixed(1)}% packet loss`;
  }
  return `${text}\n`;
}
