/** arp (NetBSD usr.sbin/arp): `arp -a` lists the ARP cache; `arp host` shows one entry. */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { getopt } from '../lib/getopt';
import { close, errno, sysctl } from '../lib/socket';
import type { ArpRow } from '../io-pkt/sysctl';
import { ipToString, macToString, parseIpv4 } from '../net/wire/addr';
import { sysctlSocket } from './common';

export function formatArpRow(r: ArpRow): string {
  const at = r.mac ? macToString(r.mac) : '(incomplete)';
  return `? (${ipToString(r.ip)}) at ${at} on ${r.ifname}${r.permanent ? ' permanent' : ''}\n`;
}

export const arp: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const g = getopt(argv, 'adnsfv');
  const flags = new Set(g.opts.map((o) => o.opt));
  if (g.errors.length || (!flags.has('a') && g.operands.length !== 1)) {
    for (const e of g.errors) ctx.print(`arp: ${e}\n`);
    ctx.print('usage: arp [-n] hostname\n       arp [-nv] -a\n       arp [-v] -d [-a|hostname]\n       arp -s hostname ether_addr [temp] [pub]\n       arp -f filename\n');
    return 1;
  }
  const s = yield* sysctlSocket(ctx, 'arp');
  if (s < 0) return 1;
  try {
    const rows = (yield* sysctl(ctx, s, ['net', 'route', 'llinfo'])) as ArpRow[] | null;
    if (!rows) {
      ctx.print(`arp: sysctl: ${strerror(errno(ctx))}\n`);
      return 1;
    }
    if (flags.has('a')) {
      ctx.print(rows.map(formatArpRow).join(''));
      return 0;
    }
    const host = g.operands[0]!;
    const a = parseIpv4(host);
    if (a === null) {
      ctx.print(`arp: ${host}: unknown host\n`);
      return 1;
    }
    const r = rows.find((x) => x.ip === a);
    if (!r) {
      ctx.print(`${host} (${ipToString(a)}) -- no entry\n`);
      return 1;
    }
    ctx.print(formatArpRow(r));
    return 0;
  } finally {
    yield* close(ctx, s);
  }
};
