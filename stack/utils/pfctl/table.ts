/**
 * pfctl -t table -T command [address ...] (pfctl_table.c): show, add, delete, flush, replace, with its messages on
 * stderr (xprintf: `1/1 addresses added.`, ` (syntax only).` with -n) and radix_perror for kernel refusals
 * (`pfctl: Table does not exist.`). add and replace create the table first when it is missing ("1 table created.").
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { Errno } from '../../kernel/api';
import type { PfTable, PfTableAddr } from '../../include/net/pfvar';
import { strerror } from '../../lib/errno';
import { pfIoctl } from '../../lib/pf';
import { errno } from '../../lib/socket';
import { addrToString, host, unmask, type PfIface } from './host';
import { printTableAddr } from './print';

/** pfr_strerror. */
function pfrStrerror(e: number): string {
  if (e === Errno.ESRCH) return 'Table does not exist';
  if (e === Errno.ENOENT) return 'Anchor or Ruleset does not exist';
  return strerror(e);
}

const key = (a: PfTableAddr) => `${a.neg ? '!' : ''}${addrToString(a.af, a.addr)}/${a.prefix}`;

/** The addresses of the command line (append_addr: `!` negates, names resolve through host()). */
function decode(ctx: ThreadCtx, args: readonly string[], ifaces: readonly PfIface[] | null): PfTableAddr[] | null {
  const out: PfTableAddr[] = [];
  for (const arg of args) {
    const neg = arg.startsWith('!');
    const r = host(neg ? arg.slice(1) : arg, ifaces);
    if ('error' in r) {
      ctx.print(`${r.error}\npfctl: cannot decode ${arg}\n`);
      return null;
    }
    for (const h of r.hosts) if (h.addr.type === 'addrmask') out.push({ af: h.af, addr: h.addr.addr, prefix: unmask(h.af, h.addr.mask), neg });
  }
  return out;
}

export function* pfctlTable(ctx: ThreadCtx, dev: number, name: string, cmd: string, args: readonly string[], ifaces: readonly PfIface[] | null, noaction: boolean): Co<number> {
  const xprintf = (s: string) => ctx.print(`${s}${noaction ? ' (syntax only)' : ''}.\n`);
  const perror = () => {
    ctx.print(`pfctl: ${pfrStrerror(errno(ctx))}.\n`);
    return 1;
  };
  const getAddrs = function* (): Co<PfTableAddr[] | null> {
    const r = yield* pfIoctl(ctx, dev, 'DIOCRGETADDRS', { table: name });
    return r ? (r.addrs as PfTableAddr[]) : null;
  };
  const createTable = function* (): Co<boolean> {
    const t = yield* pfIoctl(ctx, dev, 'DIOCRGETTABLES', {});
    if (!t) return false;
    if ((t.tables as PfTable[]).some((x) => x.name === name)) return true;
    const r = yield* pfIoctl(ctx, dev, 'DIOCRADDTABLES', { tables: [{ name, persist: false, constant: false }] });
    if (!r) return false;
    xprintf(`${(r.added as number | undefined) ?? 1} table created`);
    return true;
  };
  switch (cmd) {
    case 'show': {
      if (args.length > 0) break;
      const addrs = yield* getAddrs();
      if (!addrs) return perror();
      for (const a of addrs) ctx.print(printTableAddr(a));
      return 0;
    }
    case 'flush': {
      if (args.length > 0) break;
      const before = noaction ? [] : yield* getAddrs();
      if (!before) return perror();
      if (!noaction && !(yield* pfIoctl(ctx, dev, 'DIOCRCLRADDRS', { table: name }))) return perror();
      xprintf(`${before.length} addresses deleted`);
      return 0;
    }
    case 'add':
    case 'delete':
    case 'replace': {
      const addrs = decode(ctx, args, ifaces);
      if (!addrs) return 1;
      if (noaction) {
        xprintf(`${addrs.length}/${addrs.length} addresses ${cmd === 'add' ? 'added' : cmd === 'delete' ? 'deleted' : 'replaced'}`);
        return 0;
      }
      if (cmd !== 'delete' && !(yield* createTable())) return perror();
      if (cmd === 'replace') {
        const before = yield* getAddrs();
        if (!before) return perror();
        if (!(yield* pfIoctl(ctx, dev, 'DIOCRSETADDRS', { table: name, addrs }))) return perror();
        const old = new Set(before.map(key));
        const neu = new Set(addrs.map(key));
        const nadd = [...neu].filter((k) => !old.has(k)).length;
        const ndel = [...old].filter((k) => !neu.has(k)).length;
        if (nadd) xprintf(`${nadd} addresses added`);
        if (ndel) xprintf(`${ndel} addresses deleted`);
        if (!nadd && !ndel) xprintf('no changes');
        return 0;
      }
      const ioc = cmd === 'add' ? 'DIOCRADDADDRS' : 'DIOCRDELADDRS';
      const r = yield* pfIoctl(ctx, dev, ioc, { table: name, addrs });
      if (!r) return perror();
      const n = (cmd === 'add' ? r.added : r.deleted) as number | undefined;
      xprintf(`${n ?? addrs.length}/${addrs.length} addresses ${cmd === 'add' ? 'added' : 'deleted'}`);
      return 0;
    }
    default:
      ctx.print(`pfctl: -T ${cmd}: not supported by this lsm-pf\n`);
      return 1;
  }
  ctx.print('pfctl: command takes no arguments\n');
  return 1;
}
