/**
 * rtadvd (NetBSD usr.sbin/rtadvd), reduced: `rtadvd [-dDfs] interface ...` makes this router advertise on
 * each interface with the defaults of RFC 4861 §6.2.1 (MaxRtrAdvInterval 600 s, MinRtrAdvInterval 198 s,
 * AdvDefaultLifetime 1800 s, a prefix information option per global prefix of the interface, on-link and
 * autonomous, valid 30 days, preferred 7 days, the link MTU). The schedule and the RS answers run in the
 * stack (stack/net/ip6/nd6-rtadv.ts), switched on by SIOCSRTADV_IN6; the real rtadvd does the same from
 * user space on a raw ICMPv6 socket. The node must be a router (net.inet6.ip6.forwarding=1).
 * `rtadvd -s interface` (here) stops, sending the final RAs with router lifetime 0.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { Errno } from '../kernel/api';
import { strerror } from '../lib/errno';
import { close, errno, ioctl } from '../lib/socket';
import { ioctlSocket } from './common';

export const rtadvd: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const out = (t: string) => ctx.print(t);
  let stop = false;
  const ifs: string[] = [];
  for (const a of argv.slice(1)) {
    if (/^-[dDfR]+$/.test(a)) continue;
    if (a === '-s') stop = true;
    else if (a.startsWith('-')) {
      out('usage: rtadvd [-DdfRs] [-c conffile] [-M ifname] [-p pidfile] interface ...\n');
      return 1;
    } else ifs.push(a);
  }
  if (ifs.length === 0) {
    out('usage: rtadvd [-DdfRs] [-c conffile] [-M ifname] [-p pidfile] interface ...\n');
    return 1;
  }
  const s = yield* ioctlSocket(ctx, 'rtadvd');
  if (s < 0) return 1;
  try {
    for (const name of ifs) {
      if (!(yield* ioctl(ctx, s, 'SIOCSRTADV_IN6', { name, on: !stop }))) {
        const e = errno(ctx);
        if (e === Errno.EPERM) out(`rtadvd: ${name}: not a router (net.inet6.ip6.forwarding=0)\n`);
        else out(`rtadvd: ${name}: ${strerror(e)}\n`);
        return 1;
      }
    }
    return 0;
  } finally {
    yield* close(ctx, s);
  }
};
