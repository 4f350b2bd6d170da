/**
 * sysctl (NetBSD sbin/sysctl), for the stack's scalar nodes: `sysctl [-n] name ...` prints `name = value`,
 * `sysctl -w name=value ...` sets and prints `name: old -> new`. The nodes are io-pkt's (stack/io-pkt/sysctl.ts,
 * sysctl6.ts), reached through a socket as libc's sysctl(3) does on QNX. Structured nodes (statistics,
 * tables) are for netstat, route and arp; asked for one, sysctl says so.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { Errno } from '../kernel/api';
import { strerror } from '../lib/errno';
import { close, errno, sysctl as sysctl3 } from '../lib/socket';
import { sysctlSocket } from './common';

const LEVELS = ['top', 'second', 'third', 'fourth', 'fifth', 'sixth'];

export const sysctl: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const out = (t: string) => ctx.print(t);
  let write = false;
  let valueOnly = false;
  const names: string[] = [];
  for (const a of argv.slice(1)) {
    if (/^-[wn]+$/.test(a)) {
      if (a.includes('w')) write = true;
      if (a.includes('n')) valueOnly = true;
    } else if (a.startsWith('-')) {
      out('usage: sysctl [-dne] [-x[x]|-r] variable ...\n       sysctl [-ne] [-q] -w variable=value ...\n');
      return 1;
    } else names.push(a);
  }
  if (names.length === 0) {
    out('usage: sysctl [-dne] [-x[x]|-r] variable ...\n       sysctl [-ne] [-q] -w variable=value ...\n');
    return 1;
  }
  const s = yield* sysctlSocket(ctx, 'sysctl');
  if (s < 0) return 1;
  let status = 0;
  try {
    for (const arg of names) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      const parts = name.split('.');
      if (eq >= 0 && !write) {
        out(`sysctl: Must specify -w to set variables\n`);
        return 1;
      }
      const old = yield* sysctl3(ctx, s, parts);
      if (old === null) {
        const e = errno(ctx);
        if (e === Errno.ENOENT) out(`sysctl: ${LEVELS[parts.length - 1] ?? 'last'} level name '${parts.at(-1)}' in '${name}' is invalid\n`);
        else out(`sysctl: ${name}: ${strerror(e)}\n`);
        status = 1;
        continue;
      }
      if (typeof old !== 'number') {
        out(`sysctl: ${name}: not a scalar node (use netstat, route or arp)\n`);
        status = 1;
        continue;
      }
      if (eq < 0) {
        out(valueOnly ? `${old}\n` : `${name} = ${old}\n`);
        continue;
      }
      const v = Number(arg.slice(eq + 1));
      if (!Number.isInteger(v)) {
        out(`sysctl: ${name}: Invalid argument\n`);
        status = 1;
        continue;
      }
      const now = yield* sysctl3(ctx, s, parts, v);
      if (now === null) {
        out(`sysctl: ${name}: ${strerror(errno(ctx))}\n`);
        status = 1;
        continue;
      }
      out(valueOnly ? `${now}\n` : `${name}: ${old} -> ${now}\n`);
    }
    return status;
  } finally {
    yield* close(ctx, s);
  }
};
