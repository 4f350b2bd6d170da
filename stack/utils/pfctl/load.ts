/**
 * pfctl -f: read the file, parse it against the node's interfaces (getifaddrs, here SIOCGIFCONF), and, only if
 * the whole file parsed, load it as one transaction (pfctl_rules): DIOCXBEGIN for the rulesets being replaced,
 * the tables, DIOCADDRULE for each rule in file order, the options, DIOCXCOMMIT. A parse error loads nothing
 * ("Syntax error in config file: pf rules not loaded"); a rule the kernel refuses rolls the transaction back
 * and is reported as pfctl's err(1, "DIOCADDRULE") is. -R/-N/-O restrict the load to filter rules, translation
 * rules or options (pfctl's loadopt).
 *
 * Deviation: the 3.7 pfctl set `set timeout`/`set loginterface` while parsing; here, as pfctl_load_options does in
 * later generations, options are sent after the parse succeeded, so a bad file changes nothing at all.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import type { PfRuleset } from '../../include/net/pfvar';
import type { IfInfo } from '../../io-pkt/ioctl';
import { strerror } from '../../lib/errno';
import { pfIoctl } from '../../lib/pf';
import { close, errno, ioctl, socket } from '../../lib/socket';
import { AF_INET, SOCK_DGRAM } from '../../include/sys/socket';
import { PFCTL_PARSE_NS_PER_BYTE, PFCTL_RULE_NS } from './costs';
import type { PfIface } from './host';
import { parsePfConf } from './parser';
import type { PfConf } from './parser-core';

/** PFCTL_FLAG_*: what -f loads. */
export const PFCTL_FLAG = { FILTER: 1, NAT: 2, OPTION: 4, TABLE: 8, ALL: 15 } as const;

/** ifa_load: the node's interfaces and IPv4 addresses; null when the stack cannot be asked. */
export function* ifaLoad(ctx: ThreadCtx): Co<PfIface[] | null> {
  const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return null;
  try {
    const r = yield* ioctl(ctx, s, 'SIOCGIFCONF', {});
    if (!r) return null;
    return (r.data as { ifs: IfInfo[] }).ifs.map((i) => ({ name: i.name, addrs: i.addrs.map((a) => ({ addr: a.addr, mask: a.mask })), loopback: i.type === 'loop' }));
  } finally {
    yield* close(ctx, s);
  }
}

export interface LoadOpts {
  readonly verbose: number;
  readonly noaction: boolean;
  readonly loadopt: number;
  readonly defines: Record<string, string>;
}

/**
 * pfctl_rules: 0 on success; 1 when the file cannot be opened (pfctl warns and goes on with its other options);
 * PFCTL_FATAL when the parse or the load failed (pfctl exits 1 there: a `-e` on the same command line is not done).
 */
export const PFCTL_FATAL = 2;

export function* pfctlRules(ctx: ThreadCtx, dev: number, file: string, o: LoadOpts): Co<number> {
  const bytes = ctx.fileRead ? yield* ctx.fileRead(file) : null;
  if (!bytes) {
    ctx.print(`pfctl: ${file}: No such file or directory\n`);
    return 1;
  }
  const text = new TextDecoder().decode(bytes);
  const ifaces = yield* ifaLoad(ctx);
  const conf = parsePfConf(text, { file, verbose: o.verbose, ifaces, defines: o.defines });
  ctx.charge(text.length * PFCTL_PARSE_NS_PER_BYTE + conf.rules.length * PFCTL_RULE_NS);
  for (const l of conf.out) ctx.print(l.text);
  if (conf.errors) {
    if (!o.noaction) ctx.print('pfctl: Syntax error in config file: pf rules not loaded\n');
    return PFCTL_FATAL;
  }
  if (o.noaction) return 0;
  return yield* load(ctx, dev, conf, o.loadopt);
}

function* load(ctx: ThreadCtx, dev: number, conf: PfConf, loadopt: number): Co<number> {
  const rulesets: PfRuleset[] = [];
  if (loadopt & PFCTL_FLAG.FILTER) rulesets.push('filter');
  if (loadopt & PFCTL_FLAG.NAT) rulesets.push('nat', 'rdr', 'binat');
  const fail = (what: string) => {
    ctx.print(`pfctl: ${what}: ${strerror(errno(ctx))}\n`);
    return PFCTL_FATAL;
  };
  let ticket: unknown = null;
  if (rulesets.length > 0) {
    const b = yield* pfIoctl(ctx, dev, 'DIOCXBEGIN', { rulesets });
    if (!b) return fail('DIOCXBEGIN');
    ticket = b.ticket;
  }
  const rollback = function* (what: string): Co<number> {
    const e = errno(ctx);
    if (ticket !== null) yield* pfIoctl(ctx, dev, 'DIOCXROLLBACK', { ticket });
    ctx.print(`pfctl: ${what}: ${strerror(e)}\n`);
    return PFCTL_FATAL;
  };
  if (loadopt & PFCTL_FLAG.TABLE && conf.tables.length > 0) {
    if (!(yield* pfIoctl(ctx, dev, 'DIOCRADDTABLES', { tables: conf.tables.map((t) => t.table) }))) return yield* rollback('DIOCRADDTABLES');
    for (const t of conf.tables) {
      if (!(yield* pfIoctl(ctx, dev, 'DIOCRSETADDRS', { table: t.table.name, addrs: t.addrs }))) return yield* rollback(`cannot define table ${t.table.name}`);
    }
  }
  for (const { ruleset, rule } of conf.rules) {
    if (!rulesets.includes(ruleset)) continue;
    if (!(yield* pfIoctl(ctx, dev, 'DIOCADDRULE', { ticket, ruleset, rule }))) return yield* rollback('DIOCADDRULE');
  }
  if (loadopt & PFCTL_FLAG.OPTION) {
    for (const opt of conf.options) {
      if (opt.kind === 'timeout' && !(yield* pfIoctl(ctx, dev, 'DIOCSETTIMEOUT', { name: opt.name, seconds: opt.seconds }))) return yield* rollback('DIOCSETTIMEOUT');
      if (opt.kind === 'loginterface' && !(yield* pfIoctl(ctx, dev, 'DIOCSETSTATUSIF', { ifname: opt.ifname }))) return yield* rollback('DIOCSETSTATUSIF');
      if (opt.kind === 'debug' && !(yield* pfIoctl(ctx, dev, 'DIOCSETDEBUG', { level: opt.level }))) return yield* rollback('DIOCSETDEBUG');
    }
  }
  if (ticket !== null && !(yield* pfIoctl(ctx, dev, 'DIOCXCOMMIT', { ticket }))) return fail('DIOCXCOMMIT');
  return 0;
}
