/**
 * pfctl (OpenBSD 3.7 sbin/pfctl/pfctl.c, the control program of io-pkt's lsm-pf-v4.so/-v6.so): opens /dev/pf
 * (with -n only if it is there: then nothing is changed), and does what its options ask in pfctl's order:
 * -d, -s, -F, -t/-T, -f, -e, -x. Modifiers match by prefix as pfctl_lookup_option does (`-s r`, `-sr`, `-s
 * rules`; `-s t` is timeouts, `-s T` Tables). Messages go where pfctl's go (stderr: the same console here).
 */
import type { Co, ProgramMain, ThreadCtx } from '../../kernel/api';
import { Errno } from '../../kernel/api';
import { strerror } from '../../lib/errno';
import { getopt } from '../../lib/getopt';
import { pfClose, pfIoctl, pfOpen, PF_DEV } from '../../lib/pf';
import { errno } from '../../lib/socket';
import { ifaLoad, pfctlRules, PFCTL_FATAL, PFCTL_FLAG } from './load';
import { showLabels, showNat, showRules, showStates, showStatus, showTables, showTimeouts, Titles, type ShowOpts } from './show';
import { pfctlTable } from './table';
import { pfctlKillStates } from './kill';

const USAGE =
  'usage: pfctl [-AdeghNnOqRrvz] [-a anchor] [-D macro=value] [-F modifier]\n' +
  '\t[-f file] [-i interface] [-k host] [-p device] [-s modifier]\n' +
  '\t[-t table -T command [address ...]] [-x level]\n';

const SHOWOPT = ['nat', 'queue', 'rules', 'Anchors', 'Sources', 'state', 'info', 'Interfaces', 'labels', 'timeouts', 'memory', 'Tables', 'osfp', 'all'];
const CLEAROPT = ['nat', 'queue', 'rules', 'Sources', 'state', 'info', 'Tables', 'osfp', 'all'];
const TBLCMD = ['kill', 'flush', 'add', 'delete', 'load', 'replace', 'show', 'test', 'zero'];
const DEBUGOPT = ['none', 'urgent', 'misc', 'loud'] as const;

/** pfctl_lookup_option: the first list entry the argument is a prefix of. */
function lookupOption(cmd: string, list: readonly string[]): string | null {
  return cmd ? (list.find((l) => l.startsWith(cmd)) ?? null) : null;
}

function* show(ctx: ThreadCtx, dev: number, what: string, o: ShowOpts): Co<boolean> {
  const titles = new Titles((t) => ctx.print(t));
  switch (what) {
    case 'rules':
      return yield* showRules(ctx, dev, o, titles);
    case 'nat':
      return yield* showNat(ctx, dev, o, titles);
    case 'state':
      return yield* showStates(ctx, dev, o, titles);
    case 'info':
      return yield* showStatus(ctx, dev, o, titles);
    case 'timeouts':
      return yield* showTimeouts(ctx, dev, o, titles);
    case 'Tables':
      return yield* showTables(ctx, dev, o, titles);
    case 'labels':
      return yield* showLabels(ctx, dev, o, titles);
    case 'all': {
      const a = { ...o, showall: true };
      let ok = yield* showNat(ctx, dev, a, titles);
      ok = (yield* showRules(ctx, dev, a, titles)) && ok;
      ok = (yield* showStates(ctx, dev, a, titles)) && ok;
      ok = (yield* showStatus(ctx, dev, a, titles)) && ok;
      ok = (yield* showLabels(ctx, dev, a, titles)) && ok;
      ok = (yield* showTimeouts(ctx, dev, a, titles)) && ok;
      return (yield* showTables(ctx, dev, a, titles)) && ok;
    }
    default:
      ctx.print(`pfctl: -s ${what}: not supported by this lsm-pf\n`);
      return false;
  }
}

function* clear(ctx: ThreadCtx, dev: number, what: string): Co<boolean> {
  const fail = (w: string) => {
    ctx.print(`pfctl: ${w}: ${strerror(errno(ctx))}\n`);
    return false;
  };
  const flushRulesets = function* (rulesets: string[], msg: string): Co<boolean> {
    const b = yield* pfIoctl(ctx, dev, 'DIOCXBEGIN', { rulesets });
    if (!b) return fail('DIOCXBEGIN');
    if (!(yield* pfIoctl(ctx, dev, 'DIOCXCOMMIT', { ticket: b.ticket }))) return fail('DIOCXCOMMIT');
    ctx.print(`${msg}\n`);
    return true;
  };
  const rules = () => flushRulesets(['filter'], 'rules cleared');
  const nat = () => flushRulesets(['nat', 'rdr', 'binat'], 'nat cleared');
  const tables = function* (): Co<boolean> {
    const r = yield* pfIoctl(ctx, dev, 'DIOCRCLRTABLES', {});
    if (!r) return fail('DIOCRCLRTABLES');
    ctx.print(`${(r.deleted as number | undefined) ?? 0} tables deleted.\n`);
    return true;
  };
  const states = function* (): Co<boolean> {
    const r = yield* pfIoctl(ctx, dev, 'DIOCCLRSTATES', {});
    if (!r) return fail('DIOCCLRSTATES');
    ctx.print(`${(r.killed as number | undefined) ?? 0} states cleared\n`);
    return true;
  };
  const info = function* (): Co<boolean> {
    if (!(yield* pfIoctl(ctx, dev, 'DIOCCLRSTATUS', {}))) return fail('DIOCCLRSTATUS');
    ctx.print('pf: statistics cleared\n');
    return true;
  };
  switch (what) {
    case 'rules':
      return yield* rules();
    case 'nat':
      return yield* nat();
    case 'Tables':
      return yield* tables();
    case 'state':
      return yield* states();
    case 'info':
      return yield* info();
    case 'all': {
      let ok = yield* rules();
      ok = (yield* nat()) && ok;
      ok = (yield* tables()) && ok;
      ok = (yield* states()) && ok;
      return (yield* info()) && ok;
    }
    default:
      ctx.print(`pfctl: -F ${what}: not supported by this lsm-pf\n`);
      return false;
  }
}

export const pfctl: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const g = getopt(argv, 'a:AdD:ef:F:ghi:k:mnNOp:qrRs:t:T:vx:z');
  const usage = () => {
    ctx.print(USAGE);
    return 1;
  };
  if (argv.length < 2) return usage();
  for (const e of g.errors) ctx.print(`pfctl: ${e}\n`);
  if (g.errors.length > 0) return usage();
  let verbose = 0;
  let noaction = false;
  let enable = false;
  let disable = false;
  let loadopt = 0;
  let rulesopt: string | null = null;
  let showopt: string | null = null;
  let clearopt: string | null = null;
  let tableopt: string | null = null;
  let tblcmdopt: string | null = null;
  let debugopt: (typeof DEBUGOPT)[number] | null = null;
  const defines: Record<string, string> = {};
  const killers: string[] = [];
  for (const { opt, arg } of g.opts) {
    const a = arg ?? '';
    switch (opt) {
      case 'v': verbose++; break;
      case 'n': noaction = true; break;
      case 'e': enable = true; break;
      case 'd': disable = true; break;
      case 'q': case 'r': case 'g': case 'm': break;
      case 'f': rulesopt = a; break;
      case 'R': loadopt |= PFCTL_FLAG.FILTER; break;
      case 'N': loadopt |= PFCTL_FLAG.NAT; break;
      case 'O': loadopt |= PFCTL_FLAG.OPTION; break;
      case 'A': break;
      case 'D': {
        const eq = a.lastIndexOf('=');
        if (eq < 0) {
          ctx.print(`pfctl: could not parse macro definition ${a}\n`);
          return 1;
        }
        defines[a.slice(0, eq)] = a.slice(eq + 1);
        break;
      }
      case 's':
        showopt = lookupOption(a, SHOWOPT);
        if (!showopt) {
          ctx.print(`pfctl: Unknown show modifier '${a}'\n`);
          return usage();
        }
        break;
      case 'F':
        clearopt = lookupOption(a, CLEAROPT);
        if (!clearopt) {
          ctx.print(`pfctl: Unknown flush modifier '${a}'\n`);
          return usage();
        }
        break;
      case 'k':
        if (killers.length >= 2) {
          ctx.print('pfctl: can only specify -k twice\n');
          return usage();
        }
        killers.push(a);
        break;
      case 't': tableopt = a; break;
      case 'T':
        tblcmdopt = lookupOption(a, TBLCMD);
        if (!tblcmdopt) {
          ctx.print(`pfctl: Unknown table command '${a}'\n`);
          return usage();
        }
        break;
      case 'x': {
        const d = lookupOption(a, DEBUGOPT);
        if (!d) {
          ctx.print(`pfctl: Unknown debug level '${a}'\n`);
          return usage();
        }
        debugopt = d as (typeof DEBUGOPT)[number];
        break;
      }
      default:
        ctx.print(`pfctl: -${opt}: not supported by this lsm-pf\n`);
        return 1;
    }
  }
  if ((tblcmdopt === null) !== (tableopt === null)) return usage();
  if (g.operands.length > 0 && tblcmdopt === null) return usage();
  if (loadopt === 0) loadopt = PFCTL_FLAG.ALL;

  let dev = yield* pfOpen(ctx, PF_DEV);
  if (!noaction && dev < 0) {
    ctx.print(`pfctl: ${PF_DEV}: ${strerror(errno(ctx))}\n`);
    return 1;
  }
  if (noaction) {
    enable = disable = false;
    showopt = clearopt = debugopt = null;
  }
  let error = 0;
  try {
    if (disable) {
      if (yield* pfIoctl(ctx, dev, 'DIOCSTOP', {})) ctx.print('pf disabled\n');
      else if (errno(ctx) === Errno.ENOENT) {
        ctx.print('pfctl: pf not enabled\n');
        return 1;
      } else {
        ctx.print(`pfctl: DIOCSTOP: ${strerror(errno(ctx))}\n`);
        return 1;
      }
    }
    if (showopt && !(yield* show(ctx, dev, showopt, { verbose, showall: false }))) error = 1;
    if (clearopt && !(yield* clear(ctx, dev, clearopt))) error = 1;
    if (killers.length > 0 && !noaction && (yield* pfctlKillStates(ctx, dev, killers)) !== 0) error = 1;
    if (tblcmdopt && tableopt) {
      const ifaces = yield* ifaLoad(ctx);
      if ((yield* pfctlTable(ctx, dev, tableopt, tblcmdopt, g.operands, ifaces, noaction)) !== 0) error = 1;
    }
    if (rulesopt !== null) {
      const r = yield* pfctlRules(ctx, dev, rulesopt, { verbose, noaction, loadopt, defines });
      if (r === PFCTL_FATAL) return 1;
      if (r !== 0) error = 1;
    }
    if (enable) {
      if (yield* pfIoctl(ctx, dev, 'DIOCSTART', {})) ctx.print('pf enabled\n');
      else if (errno(ctx) === Errno.EEXIST) {
        ctx.print('pfctl: pf already enabled\n');
        return 1;
      } else {
        ctx.print(`pfctl: DIOCSTART: ${strerror(errno(ctx))}\n`);
        return 1;
      }
    }
    if (debugopt) {
      if (!(yield* pfIoctl(ctx, dev, 'DIOCSETDEBUG', { level: debugopt }))) {
        ctx.print(`pfctl: DIOCSETDEBUG: ${strerror(errno(ctx))}\n`);
        return 1;
      }
      ctx.print(`debug level set to '${debugopt}'\n`);
    }
    return error;
  } finally {
    if (dev >= 0) yield* pfClose(ctx, dev);
    dev = -1;
  }
};
