/**
 * pfctl -k host [-k host] (pfctl.c pfctl_kill_states): remove the states from the first host, or between the
 * first and the second, with DIOCKILLSTATES (psk_src, psk_dst as full-length addresses), and report
 * "killed N states from S sources and D destinations". Hosts are numeric: the node has no resolver, so a name
 * is getaddrinfo's EAI_NONAME.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { PF_AF_INET, type PfAddrWrap } from '../../include/net/pfvar';
import { strerror } from '../../lib/errno';
import { pfIoctl } from '../../lib/pf';
import { errno } from '../../lib/socket';
import { parseIpv4 } from '../../net/wire/addr';
import { v4Bytes } from './host';

function hostWrap(s: string): PfAddrWrap | null {
  const a = parseIpv4(s);
  if (a === null) return null;
  return { type: 'addrmask', af: PF_AF_INET, addr: v4Bytes(a), mask: v4Bytes(0xffffffff), neg: false };
}

export function* pfctlKillStates(ctx: ThreadCtx, dev: number, killers: readonly string[]): Co<number> {
  const src = hostWrap(killers[0] ?? '');
  const dst = killers.length > 1 ? hostWrap(killers[1]!) : undefined;
  if (!src || dst === null) {
    ctx.print('pfctl: getaddrinfo: hostname nor servname provided, or not known\n');
    return 1;
  }
  const r = yield* pfIoctl(ctx, dev, 'DIOCKILLSTATES', dst ? { src, dst } : { src });
  if (!r) {
    ctx.print(`pfctl: DIOCKILLSTATES: ${strerror(errno(ctx))}\n`);
    return 1;
  }
  ctx.print(`killed ${(r.killed as number | undefined) ?? 0} states from 1 sources and ${dst ? 1 : 0} destinations\n`);
  return 0;
}
